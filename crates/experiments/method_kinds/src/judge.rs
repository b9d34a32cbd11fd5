//! The verdict rules of method_kinds: each claim judged over the facts `python/pyproof/method_kinds.py` observes them on the interpreter (and on the Rust
//! `Shape`);
//! this decides what they mean for each claim.

use pyproof_harness::{Fact, Judgement, judge_facts};

/// The claims' ids, declared once: `claims()` declares them, the judges judge them.
pub mod ids {
    /// Claim (a).
    pub const CLASSMETHOD_GETS_CLASS: &str = "classmethod_gets_class";
    /// Claim (b).
    pub const STATICMETHOD_PLAIN: &str = "staticmethod_plain";
    /// Claim (c).
    pub const PLAIN_METHOD_BINDS_INSTANCE: &str = "plain_method_binds_instance";
    /// Every claim, in the order declared.
    pub const ALL: [&str; 3] = [
        CLASSMETHOD_GETS_CLASS,
        STATICMETHOD_PLAIN,
        PLAIN_METHOD_BINDS_INSTANCE,
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
