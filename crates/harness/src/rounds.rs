//! How many rounds an experiment takes, and which of its runs each round visits.
//!
//! Every round-based experiment (image_parallelism's configurations, api_frameworks' load
//! cells, …) follows the same plan: the first round visits every run, because the tables
//! show each once; the rounds up to the budget's minimum visit the runs some claim reads;
//! past the minimum a round visits only the runs of the claims still within noise. A round
//! that cannot move a verdict is not run — the largest saving of trial time there is, and
//! it leaves every judged figure's rounds as they were.
//!
//! A claim within noise earns more rounds only while they could decide it: once its interval
//! rests on [`crate::PROJECT_FROM`] rounds, a claim whose median sits so near its bar that
//! even the budget's maximum would leave the interval across it ([`crate::rounds_to_settle`])
//! stays Inconclusive without them. Rounds spent on a claim sitting on its bar decide nothing
//! (or, worse, test again and again until an interval happens to clear the bar).

use crate::claim::{Case, Judgement, Standing};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// How many rounds an experiment takes: at least `min`, and more, up to `max`, while a claim
/// is within noise — so a verdict is given up on only after the budget is spent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoundBudget {
    /// Rounds always taken.
    pub min: usize,
    /// Rounds never exceeded.
    pub max: usize,
}

impl RoundBudget {
    /// A budget of exactly `n` rounds (no extra round is ever taken).
    pub const fn exactly(n: usize) -> Self {
        RoundBudget { min: n, max: n }
    }

    /// "5 (budget 3–8: rounds are added while a claim is within noise and could leave it)",
    /// the run parameter every experiment with a budget records.
    pub fn describe(&self, taken: usize) -> String {
        if self.min == self.max {
            return taken.to_string();
        }
        format!(
            "{taken} (budget {}–{}: rounds are added while a claim is within noise and could \
             leave it)",
            self.min, self.max
        )
    }

    /// Whether judgement `j` wants more rounds: it is within noise, and either no projection
    /// is trusted yet or its interval could leave the noise within the budget's maximum.
    pub fn wants_more(&self, j: &Judgement) -> bool {
        j.within_noise && j.rounds_to_settle.is_none_or(|r| r <= self.max)
    }

    /// [`RoundBudget::wants_more`] for one case of a claim: it is within noise, and either no
    /// projection is trusted yet or it could leave the noise within the budget's maximum —
    /// what a round that revisits only some of a claim's runs asks of each case.
    pub fn wants_more_of(&self, c: &Case) -> bool {
        c.standing == Standing::WithinNoise && c.rounds_to_settle.is_none_or(|r| r <= self.max)
    }

    /// The run parameter of an experiment whose rounds follow [`RoundBudget::round_jobs`]:
    /// "5 (budget 3–8: …); the cells no claim reads (tables only) in round 1 alone, past 3
    /// only the cells of the claims within noise", `what` naming its jobs.
    pub fn describe_targeted(&self, taken: usize, what: &str) -> String {
        format!(
            "{}; the {what} no claim reads (tables only) in round 1 alone, past {} only the \
             {what} of the claims within noise",
            self.describe(taken),
            self.min
        )
    }

    /// Whether to take another round after `done`, given the judgements of the rounds so
    /// far (computed only when the answer could matter).
    pub fn more(&self, done: usize, judgements: impl FnOnce() -> Vec<Judgement>) -> bool {
        done < self.min || (done < self.max && judgements().iter().any(|j| self.wants_more(j)))
    }

    /// The runs (any identifier: a configuration, a load cell) round `round` (0-based)
    /// visits, in the order to visit them:
    ///
    /// - the first round: every one of `jobs` (the tables show each at least once);
    /// - then, up to the minimum: the jobs some claim reads (`read`);
    /// - past the minimum: the jobs of the claims still within noise (`noisy`), or those of
    ///   `read` when the noisy claims name none (one judged on something else).
    ///
    /// Jobs absent from `jobs` are never visited (a module missing drops its runs), and an
    /// empty `read` means every job is read. Each round starts one step further along, so no
    /// job always runs first or last.
    pub fn round_jobs<J: Copy + Ord>(
        &self,
        round: usize,
        jobs: &[J],
        read: &BTreeSet<J>,
        noisy: &BTreeSet<J>,
    ) -> Vec<J> {
        let read_any = |j: &J| read.is_empty() || read.contains(j);
        let wanted: Vec<J> = if round == 0 {
            jobs.to_vec()
        } else if round < self.min || noisy.is_empty() {
            jobs.iter().copied().filter(read_any).collect()
        } else {
            jobs.iter()
                .copied()
                .filter(|j| noisy.contains(j) && read_any(j))
                .collect()
        };
        if wanted.is_empty() {
            return wanted;
        }
        let shift = round * wanted.len() / self.min.max(1);
        (0..wanted.len())
            .map(|i| wanted[(i + shift) % wanted.len()])
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_round_budget_adds_rounds_only_while_noise_could_decide() {
        let budget = RoundBudget { min: 3, max: 5 };
        let noisy = || {
            let mut j = Judgement::new("c", crate::Verdict::Inconclusive, "within noise");
            j.within_noise = true;
            vec![j]
        };
        let settled = || vec![Judgement::new("c", crate::Verdict::Confirmed, "")];
        assert!(budget.more(2, settled), "below the minimum");
        assert!(!budget.more(3, settled));
        assert!(budget.more(3, noisy));
        assert!(budget.more(4, noisy));
        assert!(!budget.more(5, noisy), "the budget is spent");
        assert!(!RoundBudget::exactly(1).more(1, noisy));
        assert_eq!(
            budget.describe(4),
            "4 (budget 3–5: rounds are added while a claim is within noise and could leave it)"
        );
        assert_eq!(RoundBudget::exactly(2).describe(2), "2");
        assert_eq!(
            RoundBudget { min: 3, max: 3 }.describe_targeted(3, "cells"),
            "3; the cells no claim reads (tables only) in round 1 alone, past 3 only the cells \
             of the claims within noise"
        );
    }

    #[test]
    fn rounds_stop_when_the_interval_could_not_leave_the_noise_in_the_budget() {
        let budget = RoundBudget { min: 3, max: 10 };
        let noisy = |settle: Option<usize>| {
            let mut j = Judgement::new("c", crate::Verdict::Inconclusive, "within noise");
            j.within_noise = true;
            j.rounds_to_settle = settle;
            j
        };
        // No projection yet (too few rounds): keep going.
        assert!(budget.wants_more(&noisy(None)));
        assert!(budget.more(5, || vec![noisy(None)]));
        // Could settle within the maximum: keep going; only beyond it: stop.
        assert!(budget.wants_more(&noisy(Some(10))));
        assert!(!budget.wants_more(&noisy(Some(11))));
        assert!(!budget.wants_more(&noisy(Some(usize::MAX))));
        assert!(!budget.more(5, || vec![noisy(Some(40))]));
        // One claim that could settle is enough.
        assert!(budget.more(5, || vec![noisy(Some(40)), noisy(Some(8))]));
        // A settled claim never wants rounds, whatever it carries.
        let mut done = Judgement::new("c", crate::Verdict::Confirmed, "");
        done.rounds_to_settle = Some(4);
        assert!(!budget.wants_more(&done));
        // The minimum is taken whatever the projections say.
        assert!(budget.more(2, || vec![noisy(Some(usize::MAX))]));
    }

    #[test]
    fn rounds_visit_everything_once_then_what_claims_read_then_what_noise_needs() {
        let budget = RoundBudget { min: 3, max: 6 };
        let jobs = [1, 2, 3, 4, 5, 6];
        let read: BTreeSet<i32> = [2, 3, 4, 5].into();
        let noisy: BTreeSet<i32> = [4, 9].into();
        let sorted = |mut v: Vec<i32>| {
            v.sort();
            v
        };
        // Round 1: everything, in order.
        assert_eq!(budget.round_jobs(0, &jobs, &read, &noisy), jobs.to_vec());
        // Rounds 2 and 3: what the claims read, rotated a third further each round.
        assert_eq!(budget.round_jobs(1, &jobs, &read, &noisy), vec![3, 4, 5, 2]);
        assert_eq!(budget.round_jobs(2, &jobs, &read, &noisy), vec![4, 5, 2, 3]);
        // Past the minimum: only what the noisy claims read and was planned (9 was not).
        assert_eq!(budget.round_jobs(3, &jobs, &read, &noisy), vec![4]);
        // Noisy claims that name no run: everything read.
        assert_eq!(
            sorted(budget.round_jobs(3, &jobs, &read, &BTreeSet::new())),
            vec![2, 3, 4, 5]
        );
        // No claim reads anything in particular: every job, every round.
        assert_eq!(
            sorted(budget.round_jobs(1, &jobs, &BTreeSet::new(), &BTreeSet::new())),
            jobs.to_vec()
        );
        // A noisy run no claim reads is not visited.
        let outside: BTreeSet<i32> = [1].into();
        assert!(budget.round_jobs(4, &jobs, &read, &outside).is_empty());
        assert!(
            budget
                .round_jobs(0, &[] as &[i32], &read, &noisy)
                .is_empty()
        );
    }
}
