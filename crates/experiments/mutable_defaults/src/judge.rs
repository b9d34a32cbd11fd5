//! The verdict rules of mutable_defaults: each claim judged over the facts `python/pyproof/mutable_defaults.py` observes them on the interpreter;
//! this decides what they mean for each claim.

use pyproof_harness::{Fact, Judgement, judge_facts};

/// The claims' ids, declared once: `claims()` declares them, the judges judge them.
pub mod ids {
    /// Claim (a).
    pub const DEFAULT_SHARED: &str = "default_shared";
    /// Claim (b).
    pub const NONE_SENTINEL_FIXES_IT: &str = "none_sentinel_fixes_it";
    /// Claim (c).
    pub const TUPLES_IMMUTABLE: &str = "tuples_immutable";
    /// Every claim, in the order declared.
    pub const ALL: [&str; 3] = [DEFAULT_SHARED, NONE_SENTINEL_FIXES_IT, TUPLES_IMMUTABLE];
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
