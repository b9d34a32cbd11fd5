//! The verdict rules of async_under_the_hood: the protocol claims judged over the facts the
//! interpreter (and the Rust Future) showed, and the overlap claim over the event loops' wall
//! times.

use crate::OVERLAP_CEILING;
use pyproof_harness::{Case, Fact, Judgement, Verdict, judge_cases, judge_facts};

/// The claims' ids, declared once: `claims()` declares them, the judges judge them.
pub mod ids {
    /// Claim (a).
    pub const COROUTINE_PROTOCOL: &str = "coroutine_protocol";
    /// Claim (b).
    pub const AWAIT_PAUSES: &str = "await_pauses";
    /// Claim (c).
    pub const BUILT_ON_GENERATORS: &str = "built_on_generators";
    /// Claim (d).
    pub const LOOP_OVERLAPS_WAITS: &str = "loop_overlaps_waits";
    /// Claim (e).
    pub const RUST_FUTURES_SAME_IDEA: &str = "rust_futures_same_idea";
    /// Every claim, in the order declared.
    pub const ALL: [&str; 5] = [
        COROUTINE_PROTOCOL,
        AWAIT_PAUSES,
        BUILT_ON_GENERATORS,
        LOOP_OVERLAPS_WAITS,
        RUST_FUTURES_SAME_IDEA,
    ];
}

/// The claims judged over facts (all but the overlap, which is timed).
pub const FACT_CLAIMS: [&str; 4] = [
    ids::COROUTINE_PROTOCOL,
    ids::AWAIT_PAUSES,
    ids::BUILT_ON_GENERATORS,
    ids::RUST_FUTURES_SAME_IDEA,
];

/// Every claim: the protocol claims over `facts`, the overlap claim over each loop's wall
/// time per round as a multiple of one wait (`loop name → ratios`).
pub fn judge(facts: &[Fact], overlap_ratios: &[(String, Vec<f64>)]) -> Vec<Judgement> {
    let mut judgements = judge_facts(&FACT_CLAIMS, facts);
    judgements.push(judge_overlap(overlap_ratios));
    judgements
}

/// (d): every loop finishes its N waiting tasks in under OVERLAP_CEILING × one wait, on the
/// 95% interval of its rounds.
pub fn judge_overlap(ratios: &[(String, Vec<f64>)]) -> Judgement {
    if ratios.is_empty() {
        return Judgement::new(
            ids::LOOP_OVERLAPS_WAITS,
            Verdict::Inconclusive,
            "nothing timed",
        );
    }
    let cases: Vec<Case> = ratios
        .iter()
        .map(|(name, ratios)| OVERLAP_CEILING.case(name.clone(), "one wait ×", ratios, ""))
        .collect();
    judge_cases(ids::LOOP_OVERLAPS_WAITS, &cases)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_protocol_claims_get_every_verdict_their_facts_can_give() {
        pyproof_harness::assert_judges_facts(|facts| judge(facts, &[]), &FACT_CLAIMS);
    }

    #[test]
    fn loops_overlap_when_every_one_stays_under_the_ceiling() {
        // Each loop's rounds: ±2% around the given multiple of one wait.
        let r = |xs: &[f64]| -> Vec<(String, Vec<f64>)> {
            xs.iter()
                .enumerate()
                .map(|(i, x)| (format!("loop{i}"), vec![x * 0.98, *x, x * 1.02]))
                .collect()
        };
        let v = |xs: &[f64]| judge_overlap(&r(xs)).verdict;
        let ceiling = OVERLAP_CEILING.value;
        assert_eq!(v(&[1.05, 1.2]), Verdict::Confirmed);
        assert_eq!(v(&[1.05, ceiling * 10.0]), Verdict::Nuanced);
        assert_eq!(v(&[ceiling * 10.0]), Verdict::Refuted);
        assert_eq!(v(&[]), Verdict::Inconclusive);
        // Rounds on both sides of the ceiling: within noise.
        let j = judge_overlap(&[("loop".to_string(), vec![1.3, 1.5, 1.7])]);
        assert_eq!((j.verdict, j.within_noise), (Verdict::Inconclusive, true));
    }
}
