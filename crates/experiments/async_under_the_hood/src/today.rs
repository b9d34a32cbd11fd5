//! The answer to give today about async/await, from the facts and timings of a run.

use pyproof_harness::Outcome;

/// Coroutines share the generator protocol, but `await` pauses only when something
/// underneath yields; the event loop's effect in seconds.
pub fn answer(o: &Outcome) -> Option<String> {
    let ready = o.observed("await a coroutine that returns at once, driven by send(None)")?;
    let mut s = format!(
        "Coroutines are driven like generators (send() until StopIteration), but await pauses \
         only when something underneath yields to the loop: awaiting a ready coroutine \
         {ready}"
    );
    if let (Some(asyncio), Some(gen_loop), Some(tasks), Some(wait)) = (
        o.figure("asyncio.seconds", "s"),
        o.figure("generator_loop.seconds", "s"),
        o.parameters.get("tasks"),
        o.parameters.get("wait_s"),
    ) {
        s.push_str(&format!(
            ". {tasks} tasks each waiting {wait} s took {asyncio} under asyncio and {gen_loop} \
             under a loop made only of generators"
        ));
    }
    s.push('.');
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use pyproof_harness::testing::made_up_outcome;

    #[test]
    fn the_sentence_quotes_the_run() {
        let mut o = made_up_outcome(
            &[
                ("asyncio.seconds", 0.0562),
                ("generator_loop.seconds", 0.0506),
            ],
            &[(
                "await a coroutine that returns at once, driven by send(None)",
                "yielded []; returned 42: no pause at all",
            )],
            &[],
        );
        o.param("tasks", 200);
        o.param("wait_s", 0.05);
        assert_eq!(
            answer(&o).as_deref(),
            Some(
                "Coroutines are driven like generators (send() until StopIteration), but await \
                 pauses only when something underneath yields to the loop: awaiting a ready \
                 coroutine yielded []; returned 42: no pause at all. 200 tasks each waiting 0.05 \
                 s took 0.056 s under asyncio and 0.051 s under a loop made only of generators."
            )
        );
        assert_eq!(answer(&made_up_outcome(&[], &[], &[])), None);
    }
}
