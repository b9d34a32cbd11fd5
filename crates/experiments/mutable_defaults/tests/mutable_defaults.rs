//! The mutable_defaults verdicts are deterministic facts: asserted exactly.

use mutable_defaults::MutableDefaults;
use pyproof_harness::Verdict;
use pyproof_harness::testing::{run_quick, verdicts};

#[test]
fn defaults_are_shared_and_tuples_are_immutable_one_level_deep() {
    let outcome = run_quick(&MutableDefaults);
    assert_eq!(
        verdicts(&outcome),
        [
            ("default_shared", Verdict::Confirmed),
            ("none_sentinel_fixes_it", Verdict::Confirmed),
            ("tuples_immutable", Verdict::Nuanced),
        ]
    );
    assert_eq!(
        outcome.observed("add(1) then add(2)"),
        Some("[1], then [1, 2]")
    );
    assert_eq!(
        outcome
            .observed("t = ([1, 2],); t[0] += [3]")
            .unwrap_or_default(),
        "TypeError: 'tuple' object does not support item assignment; afterwards t == ([1, 2, 3],)"
    );
}
