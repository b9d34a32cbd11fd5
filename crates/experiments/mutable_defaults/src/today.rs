//! The answer to give today about mutable defaults and tuples, from the facts a run
//! observed.

use pyproof_harness::Outcome;

/// The shared default, when it is made, the fix, and how far a tuple's immutability goes.
pub fn answer(o: &Outcome) -> Option<String> {
    let shared = o.observed("add(1) then add(2)")?;
    let once = o.observed("a default expression with a side effect, after def and 3 calls")?;
    let fresh = o.observed("add_fresh(1), add_fresh(2)")?;
    let deep = o.observed("t = ([1],); t[0].append(2); t")?;
    Some(format!(
        "add(1) then add(2) gave {shared}, because the default is made once, when def \
         runs ({once}); default to None and build the list inside ({fresh}). Add that a tuple \
         is immutable one level deep only: t = ([1],); t[0].append(2) gives {deep}."
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
                ("add(1) then add(2)", "[1], then [1, 2]"),
                (
                    "a default expression with a side effect, after def and 3 calls",
                    "evaluated 1 time(s)",
                ),
                ("add_fresh(1), add_fresh(2)", "[1], [2]"),
                ("t = ([1],); t[0].append(2); t", "([1, 2],)"),
            ],
            &[],
        );
        assert_eq!(
            answer(&o).as_deref(),
            Some(
                "add(1) then add(2) gave [1], then [1, 2], because the default is made \
                 once, when def runs (evaluated 1 time(s)); default to None and build the list \
                 inside ([1], [2]). Add that a tuple is immutable one level deep only: t = \
                 ([1],); t[0].append(2) gives ([1, 2],)."
            )
        );
        assert_eq!(answer(&made_up_outcome(&[], &[], &[])), None);
    }
}
