//! The mutable_defaults verdicts are deterministic facts: asserted exactly.

use mutable_defaults::MutableDefaults;
use pyproof_harness::{NoProgress, RunContext, Scale, Verdict, run_experiment};

#[test]
fn defaults_are_shared_and_tuples_are_immutable_one_level_deep() {
    let ctx = RunContext::new(Scale::Quick, std::env::temp_dir(), &NoProgress);
    let outcome = run_experiment(&MutableDefaults, &ctx).expect("runs");
    let verdicts: Vec<(&str, Verdict)> = outcome
        .verdicts
        .iter()
        .map(|v| (v.claim.id.as_str(), v.verdict))
        .collect();
    assert_eq!(
        verdicts,
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
