//! The answer to give today about dunder methods, from the facts a run observed.

use pyproof_harness::Outcome;

/// The sheet's answer plus the three rules an interviewer probes: lookup on the type,
/// NotImplemented, and sum()'s need for __radd__.
pub fn answer(o: &Outcome) -> Option<String> {
    let type_lookup = o.observed("v.__add__ = lambda o: ...; v + w (Python)")?;
    let handed = o.observed("Left() + Right() (Left.__add__ returns NotImplemented)")?;
    let sum = o.observed("sum([NoRadd(1), NoRadd(2)]) (no __radd__)")?;
    Some(format!(
        "Yes, and operators look the dunder up on the type, not the instance (after \
         v.__add__ = lambda, v + w still called {type_lookup}); returning NotImplemented hands \
         the operation to the other operand (Left() + Right() ran {handed}); sum() starts from 0, \
         so without __radd__ it raises ({sum})."
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use pyproof_harness::testing::made_up_outcome;

    #[test]
    fn the_sentence_quotes_the_observed_facts() {
        let o = made_up_outcome(
            &[],
            &[
                (
                    "v.__add__ = lambda o: ...; v + w (Python)",
                    "__add__: 1 → PyVector",
                ),
                (
                    "Left() + Right() (Left.__add__ returns NotImplemented)",
                    "Right.__radd__",
                ),
                ("sum([NoRadd(1), NoRadd(2)]) (no __radd__)", "TypeError"),
            ],
            &[],
        );
        assert_eq!(
            answer(&o).as_deref(),
            Some(
                "Yes, and operators look the dunder up on the type, not the instance (after \
                 v.__add__ = lambda, v + w still called __add__: 1 → PyVector); returning \
                 NotImplemented hands the operation to the other operand (Left() + Right() ran \
                 Right.__radd__); sum() starts from 0, so without __radd__ it raises \
                 (TypeError)."
            )
        );
        assert_eq!(answer(&made_up_outcome(&[], &[], &[])), None);
    }
}
