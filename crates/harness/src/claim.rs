//! Claims, verdicts and the judging of a claim over several cases.

use crate::standing::BuildVerdict;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A falsifiable sentence about what a measurement will show, with its threshold declared
/// before the run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Claim {
    /// Stable snake_case id, unique within its experiment (e.g. `threads_no_speedup`).
    pub id: String,
    /// Short label used in tables ("(a)").
    pub label: String,
    /// The claim, worded so that a measurement could prove it wrong.
    pub statement: String,
    /// The threshold, in words and numbers, fixed before the run.
    pub threshold: String,
}

impl Claim {
    /// A claim with its id, label, statement and threshold.
    pub fn new(
        id: impl Into<String>,
        label: impl Into<String>,
        statement: impl Into<String>,
        threshold: impl Into<String>,
    ) -> Self {
        Claim {
            id: id.into(),
            label: label.into(),
            statement: statement.into(),
            threshold: threshold.into(),
        }
    }
}

/// What the measurements say about a claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Every case met the threshold.
    Confirmed,
    /// No case met the threshold.
    Refuted,
    /// Holds for some cases, not for others; the evidence says which.
    Nuanced,
    /// This machine cannot show the effect (e.g. one core for a parallel speedup).
    Inconclusive,
    /// Not run, with the reason (e.g. a package missing).
    Skipped,
    /// A statement that cannot come out false (true by construction or by definition), shown
    /// by this run: a demonstrated fact, not a trial, and never counted as Confirmed.
    Demonstrated,
}

impl Verdict {
    /// The capitalised word shown in tables.
    pub fn word(self) -> &'static str {
        match self {
            Verdict::Confirmed => "Confirmed",
            Verdict::Refuted => "Refuted",
            Verdict::Nuanced => "Nuanced",
            Verdict::Inconclusive => "Inconclusive",
            Verdict::Skipped => "Skipped",
            Verdict::Demonstrated => "Demonstrated",
        }
    }

    /// Every verdict, in the order tallies list them.
    pub const ALL: [Verdict; 6] = [
        Verdict::Confirmed,
        Verdict::Refuted,
        Verdict::Nuanced,
        Verdict::Inconclusive,
        Verdict::Skipped,
        Verdict::Demonstrated,
    ];
}

/// A judgement of a claim that cannot come out false: what would be Confirmed is
/// Demonstrated (shown, not tried); every other verdict stays as judged.
pub fn demonstrated(mut j: Judgement) -> Judgement {
    if j.verdict == Verdict::Confirmed {
        j.verdict = Verdict::Demonstrated;
    }
    j
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.word())
    }
}

/// An experiment's judgement of one of its declared claims.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Judgement {
    /// The id of the claim judged.
    pub claim_id: String,
    /// The verdict.
    pub verdict: Verdict,
    /// One or two sentences computed from the numbers of this run.
    pub evidence: String,
    /// Inconclusive because an interval lies across the threshold: more rounds could decide
    /// it (an experiment with a round budget takes them, [`crate::RoundBudget`]).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub within_noise: bool,
    /// When within noise: the fewest rounds in all at which one of its cases within noise
    /// would leave the noise, were its median to stay put ([`crate::rounds_to_settle`]);
    /// `None` when no projection is trusted (too few rounds, or a case without one). A round
    /// budget stops once this lies beyond its maximum. Not stored: it guides this run only.
    #[serde(skip)]
    pub rounds_to_settle: Option<usize>,
    /// For a claim judged per interpreter build: each build's verdict (empty otherwise).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub builds: Vec<BuildVerdict>,
}

impl Judgement {
    /// A judgement of claim `claim_id`.
    pub fn new(claim_id: impl Into<String>, verdict: Verdict, evidence: impl Into<String>) -> Self {
        Judgement {
            claim_id: claim_id.into(),
            verdict,
            evidence: evidence.into(),
            within_noise: false,
            rounds_to_settle: None,
            builds: Vec::new(),
        }
    }
}

/// A declared claim together with its judgement, as stored in an outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClaimVerdict {
    /// The claim as declared before the run.
    pub claim: Claim,
    /// The verdict.
    pub verdict: Verdict,
    /// The evidence sentence.
    pub evidence: String,
    /// For a claim judged per interpreter build: each build's verdict (empty otherwise).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub builds: Vec<BuildVerdict>,
}

/// How one case of a claim came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// The measured value met the threshold (its interval lies wholly on the claim's side).
    Holds,
    /// It did not (wholly on the other side, or a tie where parity does not meet the claim).
    Fails,
    /// Its interval lies across the threshold: this run cannot say.
    WithinNoise,
}

impl Standing {
    /// As a verdict on one build or case: held (`Some(true)`), failed (`Some(false)`), or
    /// not decided (`None`, within noise).
    pub fn decided(self) -> Option<bool> {
        match self {
            Standing::Holds => Some(true),
            Standing::Fails => Some(false),
            Standing::WithinNoise => None,
        }
    }

    /// Both halves of a case: fails when either fails, holds when both hold, within noise
    /// otherwise.
    pub fn and(self, other: Standing) -> Standing {
        use Standing::*;
        match (self, other) {
            (Fails, _) | (_, Fails) => Fails,
            (Holds, Holds) => Holds,
            _ => WithinNoise,
        }
    }
}

/// One case of a claim that is judged over several (e.g. one per thread count).
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    /// What distinguishes this case ("k=4").
    pub label: String,
    /// How it came out.
    pub standing: Standing,
    /// The measured value in words ("1.93× (95% CI 1.88–1.97, 5 rounds)").
    pub detail: String,
    /// Within noise: the rounds in all its interval would need to leave the noise
    /// ([`crate::rounds_to_settle`]); `None` when unknown.
    pub rounds_to_settle: Option<usize>,
}

impl Case {
    /// A case decided without an interval (a count, a fact, a deterministic figure).
    pub fn new(label: impl Into<String>, passed: bool, detail: impl Into<String>) -> Self {
        let standing = if passed {
            Standing::Holds
        } else {
            Standing::Fails
        };
        Case::judged(label, standing, detail)
    }

    /// A case with its standing, e.g. from [`crate::Threshold::standing`].
    pub fn judged(label: impl Into<String>, standing: Standing, detail: impl Into<String>) -> Self {
        Case {
            label: label.into(),
            standing,
            detail: detail.into(),
            rounds_to_settle: None,
        }
    }

    /// One case made of two halves judged apart (a speedup and a comparison; a kernel
    /// releasing the GIL and the same holding it): its standing is theirs [`Standing::and`]ed,
    /// and within noise it needs the rounds its slower-settling half within noise needs
    /// (unknown when either's is unknown), so a case sitting on its bar stops earning rounds
    /// as a single case does.
    pub fn both(label: impl Into<String>, a: &Case, b: &Case, detail: impl Into<String>) -> Self {
        let standing = a.standing.and(b.standing);
        let noisy = |c: &Case| c.standing == Standing::WithinNoise;
        let rounds_to_settle = match (noisy(a), noisy(b)) {
            _ if standing != Standing::WithinNoise => None,
            (true, true) => a
                .rounds_to_settle
                .zip(b.rounds_to_settle)
                .map(|(x, y)| x.max(y)),
            (true, false) => a.rounds_to_settle,
            _ => b.rounds_to_settle,
        };
        Case {
            label: label.into(),
            standing,
            detail: detail.into(),
            rounds_to_settle,
        }
    }

    /// Whether the case met its threshold.
    pub fn passed(&self) -> bool {
        self.standing == Standing::Holds
    }
}

/// The judgement of a claim that rests on one case, with the run's `context` after its
/// evidence; Inconclusive, saying `missing` and the context, when the case could not be
/// measured (`None`: no finite figure in any round).
pub fn judge_one(claim_id: &str, case: Option<Case>, missing: &str, context: &str) -> Judgement {
    match case {
        Some(case) => {
            let mut j = judge_cases(claim_id, &[case]);
            j.evidence = format!("{}. {context}", j.evidence);
            j
        }
        None => Judgement::new(
            claim_id,
            Verdict::Inconclusive,
            format!("{missing}: {context}"),
        ),
    }
}

/// Judges a claim over its cases: Confirmed when all hold, Refuted when all fail, Nuanced
/// when some hold and some fail (cases within noise are listed but cannot change that);
/// Inconclusive — within noise when a case within noise could still decide between
/// Confirmed, Refuted and Nuanced. The evidence lists every case with its number so the
/// reader sees why.
///
/// An empty list of cases cannot support any verdict and is Inconclusive.
pub fn judge_cases(claim_id: &str, cases: &[Case]) -> Judgement {
    if cases.is_empty() {
        return Judgement::new(claim_id, Verdict::Inconclusive, "no case was measured");
    }
    let list = |standing: Standing| {
        cases
            .iter()
            .filter(|c| c.standing == standing)
            .map(|c| format!("{}: {}", c.label, c.detail))
            .collect::<Vec<_>>()
            .join("; ")
    };
    let count = |standing: Standing| cases.iter().filter(|c| c.standing == standing).count();
    let (holds, fails, noisy) = (
        count(Standing::Holds),
        count(Standing::Fails),
        count(Standing::WithinNoise),
    );
    let noise_note = if noisy > 0 {
        format!(" (within noise: {})", list(Standing::WithinNoise))
    } else {
        String::new()
    };
    let (verdict, evidence) = if holds == cases.len() {
        (
            Verdict::Confirmed,
            format!("holds for every case — {}", list(Standing::Holds)),
        )
    } else if fails == cases.len() {
        (
            Verdict::Refuted,
            format!("fails for every case — {}", list(Standing::Fails)),
        )
    } else if holds > 0 && fails > 0 {
        (
            Verdict::Nuanced,
            format!(
                "holds for {} — but not for {}{noise_note}",
                list(Standing::Holds),
                list(Standing::Fails)
            ),
        )
    } else {
        let decided = if holds > 0 {
            format!("; holds for {}", list(Standing::Holds))
        } else if fails > 0 {
            format!("; fails for {}", list(Standing::Fails))
        } else {
            String::new()
        };
        let mut j = Judgement::new(
            claim_id,
            Verdict::Inconclusive,
            format!("within noise — {}{decided}", list(Standing::WithinNoise)),
        );
        j.within_noise = true;
        // The soonest any of them could decide; unknown when one of them cannot say.
        j.rounds_to_settle = cases
            .iter()
            .filter(|c| c.standing == Standing::WithinNoise)
            .try_fold(usize::MAX, |best, c| {
                c.rounds_to_settle.map(|r| best.min(r))
            });
        return j;
    };
    Judgement::new(claim_id, verdict, evidence)
}

/// [`judge_cases`] over one case per interpreter build, each build's verdict kept in
/// [`Judgement::builds`] (held, failed, or neither when its case stayed within noise): the
/// scorecard reads them ("Outdated on 3.13.15t"). Each entry is the build as a reader names
/// it (`3.13.15t`), whether it ran free-threaded with the GIL off, and its case.
pub fn judge_per_build(claim_id: &str, cases: Vec<(String, bool, Case)>) -> Judgement {
    let builds: Vec<crate::BuildVerdict> = cases
        .iter()
        .map(|(build, free_threaded, case)| crate::BuildVerdict {
            build: build.clone(),
            free_threaded: *free_threaded,
            holds: case.standing.decided(),
        })
        .collect();
    let cases: Vec<Case> = cases.into_iter().map(|(_, _, c)| c).collect();
    let mut j = judge_cases(claim_id, &cases);
    j.builds = builds;
    j
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_case_of_two_halves_stands_and_settles_as_its_halves_do() {
        let noisy = |r: Option<usize>| Case {
            rounds_to_settle: r,
            ..Case::judged("", Standing::WithinNoise, "")
        };
        let holds = Case::new("", true, "");
        let fails = Case::new("", false, "");
        let both = |a: &Case, b: &Case| {
            let c = Case::both("k=2", a, b, "a; b");
            (c.standing, c.rounds_to_settle)
        };
        assert_eq!(both(&holds, &holds), (Standing::Holds, None));
        assert_eq!(both(&holds, &fails), (Standing::Fails, None));
        assert_eq!(both(&noisy(Some(4)), &fails), (Standing::Fails, None));
        assert_eq!(
            both(&holds, &noisy(Some(7))),
            (Standing::WithinNoise, Some(7))
        );
        assert_eq!(
            both(&noisy(Some(6)), &holds),
            (Standing::WithinNoise, Some(6))
        );
        assert_eq!(
            both(&noisy(Some(6)), &noisy(Some(9))),
            (Standing::WithinNoise, Some(9))
        );
        assert_eq!(
            both(&noisy(None), &noisy(Some(9))),
            (Standing::WithinNoise, None)
        );
        let c = Case::both("k=2", &holds, &holds, "a; b");
        assert_eq!((c.label.as_str(), c.detail.as_str()), ("k=2", "a; b"));
    }

    #[test]
    fn all_none_and_some_cases() {
        let yes = Case::new("k=2", true, "1.0×");
        let no = Case::new("k=4", false, "2.0×");
        assert_eq!(
            judge_cases("c", &[yes.clone(), yes.clone()]).verdict,
            Verdict::Confirmed
        );
        assert_eq!(
            judge_cases("c", std::slice::from_ref(&no)).verdict,
            Verdict::Refuted
        );
        let mixed = judge_cases("c", &[yes, no]);
        assert_eq!(mixed.verdict, Verdict::Nuanced);
        assert_eq!(
            mixed.evidence,
            "holds for k=2: 1.0× — but not for k=4: 2.0×"
        );
        assert_eq!(judge_cases("c", &[]).verdict, Verdict::Inconclusive);
    }

    #[test]
    fn one_case_carries_its_context_and_a_missing_one_is_inconclusive() {
        let j = judge_one(
            "c",
            Some(Case::new("ratio", false, "0.5×")),
            "nothing measured",
            "the run's figures",
        );
        assert_eq!(j.verdict, Verdict::Refuted);
        assert_eq!(
            j.evidence,
            "fails for every case — ratio: 0.5×. the run's figures"
        );
        let j = judge_one("c", None, "nothing measured", "the run's figures");
        assert_eq!(j.verdict, Verdict::Inconclusive);
        assert_eq!(j.evidence, "nothing measured: the run's figures");
    }

    #[test]
    fn two_halves_fail_when_one_fails_and_hold_when_both_hold() {
        use Standing::*;
        assert_eq!(Holds.and(Holds), Holds);
        assert_eq!(Holds.and(Fails), Fails);
        assert_eq!(WithinNoise.and(Fails), Fails);
        assert_eq!(WithinNoise.and(Holds), WithinNoise);
        assert_eq!(WithinNoise.and(WithinNoise), WithinNoise);
    }

    #[test]
    fn cases_within_noise() {
        let yes = Case::new("k=2", true, "1.0×");
        let no = Case::new("k=4", false, "2.0×");
        let noise = Case::judged("k=8", Standing::WithinNoise, "1.1× (95% CI 0.9–1.3)");
        // A noisy case that could still tip the verdict: Inconclusive, more rounds wanted.
        let j = judge_cases("c", &[yes.clone(), noise.clone()]);
        assert_eq!(j.verdict, Verdict::Inconclusive);
        assert!(j.within_noise);
        assert_eq!(
            j.evidence,
            "within noise — k=8: 1.1× (95% CI 0.9–1.3); holds for k=2: 1.0×"
        );
        let j = judge_cases("c", &[no.clone(), noise.clone()]);
        assert_eq!((j.verdict, j.within_noise), (Verdict::Inconclusive, true));
        assert!(judge_cases("c", std::slice::from_ref(&noise)).within_noise);
        // Already both ways: Nuanced whatever the noisy case turns out to be.
        let j = judge_cases("c", &[yes, no, noise]);
        assert_eq!((j.verdict, j.within_noise), (Verdict::Nuanced, false));
        assert!(
            j.evidence
                .ends_with("(within noise: k=8: 1.1× (95% CI 0.9–1.3))")
        );
    }

    #[test]
    fn a_judgement_within_noise_settles_as_soon_as_its_soonest_case() {
        let noisy = |settle: Option<usize>| {
            let mut c = Case::judged("k", Standing::WithinNoise, "1.1×");
            c.rounds_to_settle = settle;
            c
        };
        let j = judge_cases("c", &[noisy(Some(30)), noisy(Some(12))]);
        assert_eq!(j.rounds_to_settle, Some(12));
        // One case that cannot say keeps the whole judgement unknown.
        assert_eq!(
            judge_cases("c", &[noisy(Some(30)), noisy(None)]).rounds_to_settle,
            None
        );
        // A decided case beside the noisy one does not count; a decided judgement has none.
        let j = judge_cases("c", &[Case::new("k", true, "1.0×"), noisy(Some(3))]);
        assert_eq!(
            (j.verdict, j.rounds_to_settle),
            (Verdict::Inconclusive, Some(3))
        );
        let j = judge_cases("c", &[Case::new("k", true, ""), Case::new("m", false, "")]);
        assert_eq!(j.rounds_to_settle, None);
    }

    #[test]
    fn per_build_cases_keep_each_builds_verdict() {
        let j = judge_per_build(
            "x",
            vec![
                (
                    "3.13.15".into(),
                    false,
                    Case::judged("GIL", Standing::Holds, "1.8×"),
                ),
                (
                    "3.13.15t".into(),
                    true,
                    Case::judged("ft", Standing::Fails, "0.94×"),
                ),
                (
                    "3.15.2".into(),
                    false,
                    Case::judged("new", Standing::WithinNoise, "1.1×"),
                ),
            ],
        );
        let got: Vec<(&str, bool, Option<bool>)> = j
            .builds
            .iter()
            .map(|b| (b.build.as_str(), b.free_threaded, b.holds))
            .collect();
        assert_eq!(
            got,
            [
                ("3.13.15", false, Some(true)),
                ("3.13.15t", true, Some(false)),
                ("3.15.2", false, None)
            ]
        );
        assert_eq!(
            j.verdict,
            judge_cases(
                "x",
                &[
                    Case::judged("GIL", Standing::Holds, "1.8×"),
                    Case::judged("ft", Standing::Fails, "0.94×"),
                    Case::judged("new", Standing::WithinNoise, "1.1×"),
                ]
            )
            .verdict
        );
        assert!(judge_per_build("x", Vec::new()).builds.is_empty());
    }
}
