//! The verdict rules of dunder_methods: each claim judged over the facts `python/pyproof/dunder_methods.py` observes them on a Python and a Rust `Vector`;
//! this decides what they mean for each claim.

use pyproof_harness::{Fact, Judgement, judge_facts};

/// The claims' ids, declared once: `claims()` declares them, the judges judge them.
pub mod ids {
    /// Claim (a).
    pub const OPERATORS_DISPATCH: &str = "operators_dispatch";
    /// Claim (b).
    pub const LOOKED_UP_ON_TYPE: &str = "looked_up_on_type";
    /// Claim (c).
    pub const NOTIMPLEMENTED_HANDS_OVER: &str = "notimplemented_hands_over";
    /// Claim (d).
    pub const SUM_NEEDS_RADD: &str = "sum_needs_radd";
    /// Every claim, in the order declared.
    pub const ALL: [&str; 4] = [
        OPERATORS_DISPATCH,
        LOOKED_UP_ON_TYPE,
        NOTIMPLEMENTED_HANDS_OVER,
        SUM_NEEDS_RADD,
    ];
}

/// Each claim over its facts: Confirmed when every fact agrees, Refuted when none does,
/// Nuanced when some do, Inconclusive when none was observed.
pub fn judge(facts: &[Fact]) -> Vec<Judgement> {
    judge_facts(&ids::ALL, facts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_claim_gets_every_verdict_its_facts_can_give() {
        pyproof_harness::assert_judges_facts(judge, &ids::ALL);
    }
}
