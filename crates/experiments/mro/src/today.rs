//! The answer to give today about the MRO, from a run's verdicts and evidence.

use crate::judge::ids;
use pyproof_harness::{Outcome, Verdict};

/// What the MRO is (C3, with the run's agreement count) and what super() follows.
pub fn answer(o: &Outcome) -> Option<String> {
    let c3 = o.evidence(ids::C3_MATCHES_CPYTHON)?;
    let mut s = format!(
        "Name the algorithm: the MRO is the C3 linearization of the class's bases — an \
         independent C3 agreed with CPython here ({c3})"
    );
    if o.verdict(ids::SUPER_FOLLOWS_MRO) == Some(Verdict::Confirmed) {
        s.push_str(
            "; and super() walks the MRO of the instance's class, not the caller's own bases, \
             which is what makes cooperative multiple inheritance work",
        );
    }
    s.push('.');
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use pyproof_harness::testing::made_up_outcome;

    #[test]
    fn the_sentence_quotes_the_evidence() {
        let o = made_up_outcome(
            &[],
            &[],
            &[
                (ids::C3_MATCHES_CPYTHON, "64618 of 64618 classes agree"),
                (ids::SUPER_FOLLOWS_MRO, "Left's super() went to Right"),
            ],
        );
        assert_eq!(
            answer(&o).as_deref(),
            Some(
                "Name the algorithm: the MRO is the C3 linearization of the class's bases — an \
                 independent C3 agreed with CPython here (64618 of 64618 classes agree); and \
                 super() walks the MRO of the instance's class, not the caller's own bases, \
                 which is what makes cooperative multiple inheritance work."
            )
        );
        assert_eq!(answer(&made_up_outcome(&[], &[], &[])), None);
    }
}
