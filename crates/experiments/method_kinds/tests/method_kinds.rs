//! method_kinds: every fact is deterministic, so observations and verdicts are exact.

use method_kinds::MethodKinds;
use pyproof_harness::Verdict;
use pyproof_harness::testing::{assert_every_verdict, run_quick};

#[test]
fn every_method_kind_behaves_as_observed() {
    let outcome = run_quick(&MethodKinds);
    assert_every_verdict(&outcome, Verdict::Confirmed);
    let observed = |check: &str| {
        outcome
            .observed(check)
            .unwrap_or_else(|| panic!("no fact {check}"))
    };
    assert_eq!(observed("Calzone.margherita()"), "a Calzone");
    assert_eq!(
        observed("Square.unit() (Rust #[classmethod], Python subclass)"),
        "a Square of side 1.0"
    );
    assert_eq!(
        observed("Shape.__dict__['unit'].__get__(None, Square).__self__ (Rust)"),
        "Square"
    );
    assert_eq!(
        observed("Pizza.describe (looked up on the class)"),
        "function"
    );
    // Python and Rust facts: 8 + 4.
    assert_eq!(outcome.facts.len(), 12);
}
