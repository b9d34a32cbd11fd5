//! dunder_methods: the dunder calls of each operation are deterministic; asserted exactly.

use dunder_methods::DunderMethods;
use pyproof_harness::Verdict;
use pyproof_harness::testing::{assert_every_verdict, run_quick};

#[test]
fn every_operator_reaches_its_dunder_in_rust_and_python() {
    let outcome = run_quick(&DunderMethods);
    assert_every_verdict(&outcome, Verdict::Confirmed);
    let observed = |check: &str| {
        outcome
            .observed(check)
            .unwrap_or_else(|| panic!("no fact {check}"))
    };
    assert_eq!(observed("v + w (Rust)"), "__add__: 1 → 'Vector'");
    assert_eq!(
        observed("sum([v, w]) (Rust)"),
        "__add__: 1, __radd__: 1 → 'Vector'"
    );
    assert_eq!(observed("v() (Rust)"), "__call__: 1 → 2.23606797749979");
    assert_eq!(
        observed("list(v) (Rust)"),
        "__iter__: 1, __len__: 1 → [1.0, 2.0]"
    );
    assert_eq!(
        observed("v.__add__ = ... on the Rust Vector"),
        "AttributeError: 'pyproof_native.Vector' object attribute '__add__' is read-only"
    );
    assert!(
        observed("Vector([1.0]) + 1 (Rust __add__ returns NotImplemented, int has no answer)")
            .starts_with("__add__: 1 → TypeError: unsupported operand type(s) for +")
    );
}
