//! The verdict rules of async_under_the_hood: the protocol claims judged over the facts the
//! interpreter (and the Rust Future) showed, and the overlap claim over the event loops' wall
//! times.

use crate::OVERLAP_CEILING;
use pyproof_harness::{Case, Fact, Judgement, Verdict, format_number, judge_cases, judge_facts};

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

/// Every claim: the protocol claims over `facts`, the overlap claim over each loop's median
/// wall time as a multiple of one wait (`loop name → ratio`).
pub fn judge(facts: &[Fact], overlap_ratios: &[(String, f64)]) -> Vec<Judgement> {
    let mut judgements = judge_facts(&FACT_CLAIMS, facts);
    judgements.push(judge_overlap(overlap_ratios));
    judgements
}

/// (d): every loop finishes its N waiting tasks in at most OVERLAP_CEILING × one wait.
pub fn judge_overlap(ratios: &[(String, f64)]) -> Judgement {
    if ratios.is_empty() {
        return Judgement::new(
            ids::LOOP_OVERLAPS_WAITS,
            Verdict::Inconclusive,
            "nothing timed",
        );
    }
    let cases: Vec<Case> = ratios
        .iter()
        .map(|(name, ratio)| {
            Case::new(
                name.clone(),
                *ratio <= OVERLAP_CEILING,
                format!("{}× one wait", format_number(*ratio)),
            )
        })
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
        let r = |xs: &[f64]| -> Vec<(String, f64)> {
            xs.iter()
                .enumerate()
                .map(|(i, x)| (format!("loop{i}"), *x))
                .collect()
        };
        let v = |xs: &[f64]| judge_overlap(&r(xs)).verdict;
        assert_eq!(v(&[1.05, 1.2]), Verdict::Confirmed);
        assert_eq!(v(&[1.05, OVERLAP_CEILING * 10.0]), Verdict::Nuanced);
        assert_eq!(v(&[OVERLAP_CEILING * 10.0]), Verdict::Refuted);
        assert_eq!(v(&[]), Verdict::Inconclusive);
    }
}
