//! async_under_the_hood: the protocol facts are deterministic and asserted exactly; the
//! timing claim (d) is judged by runs, not here.

use async_under_the_hood::AsyncUnderTheHood;
use pyproof_harness::Verdict;
use pyproof_harness::testing::run_quick;

#[test]
fn the_protocol_facts_and_their_verdicts() {
    let outcome = run_quick(&AsyncUnderTheHood);
    let verdict = |id: &str| {
        outcome
            .verdict(id)
            .unwrap_or_else(|| panic!("no claim {id}"))
    };
    assert_eq!(verdict("coroutine_protocol"), Verdict::Confirmed);
    assert_eq!(verdict("await_pauses"), Verdict::Nuanced);
    assert_eq!(verdict("built_on_generators"), Verdict::Nuanced);
    assert_eq!(verdict("rust_futures_same_idea"), Verdict::Confirmed);
    let observed = |check: &str| {
        outcome
            .observed(check)
            .unwrap_or_else(|| panic!("no fact {check}"))
    };
    assert_eq!(
        observed("Countdown(3) polled by hand (Rust)"),
        "Pending, Pending, Pending, Ready(4)"
    );
    assert_eq!(
        observed("Countdown(3) run by tokio's current-thread runtime (Rust)"),
        "Ready(4)"
    );
    assert_eq!(
        observed("close() at the await, then send(None)"),
        "['finally ran']; then RuntimeError: cannot reuse already awaited coroutine"
    );
    // Both loops were timed, every sample kept.
    for key in ["generator_loop.seconds", "asyncio.seconds"] {
        assert_eq!(outcome.measurement(key).expect(key).samples.len(), 3);
    }
}
