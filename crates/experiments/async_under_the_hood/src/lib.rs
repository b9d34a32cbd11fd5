//! `async_under_the_hood`: "They are built on **Generators**. When you `await`, the function
//! pauses and yields control back to the event loop".
//!
//! CPython side (`python/pyproof/async_under_the_hood.py`): coroutines driven by hand with
//! `send`/`throw`/`close`, a custom awaitable whose `__await__` is a generator, where `await`
//! does *not* pause, the bytecode an `async def` shares with a generator, and a tiny event loop
//! made only of generators and `select`, timed against asyncio on N waiting tasks.
//!
//! Rust side: the same idea without generators — a Future written by hand as a state machine,
//! polled manually (each `Pending` is the `yield`), then run by tokio.

pub mod judge;
mod today;

use judge::ids;
use pyo3::prelude::*;
use pyproof_harness::{
    Claim, Experiment, ExperimentError, Fact, Measurement, Meta, Outcome, RunContext, Scale,
    Section, Table, Threshold, format_number, record_facts,
};
use pyproof_python::{Interpreter, py_error};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

/// The experiment.
#[derive(Debug, Clone, Copy, Default)]
pub struct AsyncUnderTheHood;

/// The sheet's question.
pub const QUESTION: &str = "How do `async` and `await` work under the hood?";
/// The sheet's answer, word for word.
pub const SHEET_ANSWER: &str = "They are built on **Generators**. When you `await`, the function \
pauses and yields control back to the event loop, which can then run other tasks while the first \
one waits for I/O.";

/// What this experiment is about.
pub const META: Meta = Meta {
    id: "async_under_the_hood",
    section: Section::CoreMechanics,
    question: QUESTION,
    sheet_answer: SHEET_ANSWER,
};

/// Claim (d): N concurrent waits finish within this multiple of one wait.
pub const OVERLAP_CEILING: Threshold = Threshold::below(1.5);

/// A hand-written future: pending `remaining` times, then ready with how often it was polled.
/// The state lives in the struct, as the compiler lays it out for an `async fn`.
#[derive(Debug)]
pub struct Countdown {
    remaining: u32,
    polls: u32,
}

impl Countdown {
    /// A future that is pending `n` times before it is ready.
    pub fn new(n: u32) -> Self {
        Countdown {
            remaining: n,
            polls: 0,
        }
    }
}

impl Future for Countdown {
    type Output = u32;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<u32> {
        self.polls += 1;
        if self.remaining == 0 {
            return Poll::Ready(self.polls);
        }
        self.remaining -= 1;
        // A real future arranges a wake-up when its I/O is ready; this one asks at once.
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

/// Polls a future by hand with a waker that does nothing; returns the sequence of results
/// ("Pending" or "Ready(x)"), at most `limit` polls.
pub fn poll_by_hand<F: Future>(fut: F, limit: usize) -> Vec<String>
where
    F::Output: std::fmt::Debug,
{
    let mut fut = std::pin::pin!(fut);
    let mut cx = Context::from_waker(Waker::noop());
    let mut seen = Vec::new();
    for _ in 0..limit {
        match fut.as_mut().poll(&mut cx) {
            Poll::Pending => seen.push("Pending".to_string()),
            Poll::Ready(v) => {
                seen.push(format!("Ready({v:?})"));
                break;
            }
        }
    }
    seen
}

/// The Rust facts: a hand-written future polled by hand and by tokio, and an `async fn`
/// awaiting it (the compiler's state machine).
pub fn rust_facts() -> Vec<Fact> {
    let claim = ids::RUST_FUTURES_SAME_IDEA.to_string();
    let by_hand = poll_by_hand(Countdown::new(3), 10);
    let mut facts = vec![Fact {
        claim: claim.clone(),
        check: "Countdown(3) polled by hand (Rust)".to_string(),
        observed: by_hand.join(", "),
        holds: by_hand == ["Pending", "Pending", "Pending", "Ready(4)"],
    }];
    async fn wrapper() -> u32 {
        Countdown::new(2).await + 100
    }
    let nested = poll_by_hand(wrapper(), 10);
    facts.push(Fact {
        claim: claim.clone(),
        check: "an async fn awaiting Countdown(2), polled by hand (Rust)".to_string(),
        observed: format!(
            "{} (its state machine: {} bytes)",
            nested.join(", "),
            std::mem::size_of_val(&wrapper())
        ),
        holds: nested == ["Pending", "Pending", "Ready(103)"],
    });
    let runtime = tokio::runtime::Builder::new_current_thread().build();
    let (observed, holds) = match runtime {
        Ok(rt) => {
            let v = rt.block_on(Countdown::new(3));
            (format!("Ready({v})"), v == 4)
        }
        Err(e) => (format!("no runtime: {e}"), false),
    };
    facts.push(Fact {
        claim,
        check: "Countdown(3) run by tokio's current-thread runtime (Rust)".to_string(),
        observed,
        holds,
    });
    facts
}

fn overlap_plan(scale: Scale) -> (usize, f64, usize) {
    match scale {
        Scale::Quick => (50, 0.02, 3),
        Scale::Default => (200, 0.05, 5),
        Scale::Full => (10_000, 0.1, 5),
    }
}

impl Experiment for AsyncUnderTheHood {
    fn answer_today(&self, outcome: &Outcome) -> Option<String> {
        today::answer(outcome)
    }

    fn meta(&self) -> &'static Meta {
        &META
    }

    fn claims(&self, ctx: &RunContext<'_>) -> Vec<Claim> {
        let (n, d, _) = overlap_plan(ctx.scale);
        vec![
            Claim::new(
                ids::COROUTINE_PROTOCOL,
                "(a)",
                "a coroutine is driven like a generator: send() until StopIteration (whose \
                 .value is the result), throw() and close() at the suspension point",
                "every check shows the generator protocol",
            ),
            Claim::new(
                ids::AWAIT_PAUSES,
                "(b)",
                "when you await, the function pauses and yields control to the event loop",
                "every await observed pauses and lets another task run",
            ),
            Claim::new(
                ids::BUILT_ON_GENERATORS,
                "(c)",
                "async/await are built on generators",
                "every check shows generator machinery (a @types.coroutine generator is \
                 awaitable, the yield opcodes are shared, the object is a generator)",
            ),
            Claim::new(
                ids::LOOP_OVERLAPS_WAITS,
                "(d)",
                "an event loop made only of generators and select runs N waiting tasks in about \
                 the time of one wait, not the sum, as asyncio does",
                format!(
                    "N = {n} tasks waiting {d} s each: the 95% interval of the wall time per \
                     round, in waits of {d} s, {} on both loops",
                    OVERLAP_CEILING.describe("")
                ),
            ),
            Claim::new(
                ids::RUST_FUTURES_SAME_IDEA,
                "(e)",
                "Rust's async is the same idea without generators: a state machine polled until \
                 Ready, where each Pending is the yield",
                "the hand-written future and the async fn pend and complete as written, by hand \
                 and under tokio",
            ),
        ]
    }

    fn run(&self, ctx: &RunContext<'_>) -> Result<Outcome, ExperimentError> {
        let interp = Interpreter::get()?;
        let claims = self.claims(ctx);
        let fact_claims: Vec<Claim> = claims
            .iter()
            .filter(|c| c.id != ids::LOOP_OVERLAPS_WAITS)
            .cloned()
            .collect();
        let python_ids: Vec<&str> = fact_claims
            .iter()
            .map(|c| c.id.as_str())
            .filter(|id| *id != ids::RUST_FUTURES_SAME_IDEA)
            .collect();
        ctx.progress.update("coroutines driven by hand", 0, 2);
        let mut facts = interp.facts("pyproof.async_under_the_hood", &python_ids)?;
        facts.extend(rust_facts());
        let mut outcome = Outcome::of(&META, ctx.scale);
        record_facts(
            &mut outcome,
            "Observed on this interpreter and in Rust",
            &fact_claims,
            &facts,
        );

        let (n, d, reps) = overlap_plan(ctx.scale);
        ctx.progress
            .update(&format!("{n} waiting tasks on two event loops"), 1, 2);
        let timings: std::collections::BTreeMap<String, Vec<f64>> = interp.attach(|py| {
            interp
                .import(py, "pyproof.async_under_the_hood")?
                .call_method1("overlap_timings", (n, d, reps))
                .and_then(|r| r.extract())
                .map_err(|e| py_error(py, e, "overlap_timings"))
        })?;
        let mut table = Table::new(
            format!(
                "{n} tasks, each waiting {d} s (the sum would be {} s)",
                format_number(n as f64 * d)
            ),
            &["loop", "wall time", "× one wait"],
        );
        let mut ratios = Vec::new();
        for (name, samples) in &timings {
            let m = Measurement::new(
                format!("{name}.seconds"),
                name.clone(),
                "s",
                samples.clone(),
            );
            let ratio = m.summary.median / d;
            table.row(vec![
                name.clone(),
                m.describe(),
                format!("{}×", format_number(ratio)),
            ]);
            ratios.push((name.clone(), samples.iter().map(|s| s / d).collect()));
            outcome.measurements.push(m);
        }
        outcome.tables.push(table);
        outcome.judgements = judge::judge(&facts, &ratios);
        outcome.param("tasks", n);
        outcome.param("wait_s", d);
        outcome.param("rounds", format!("{reps} measured after 1 warm-up"));
        outcome.notes.push(
            "`await` pauses only if something down the chain yields: awaiting a coroutine that \
             returns without reaching a yield runs straight through, and no other task runs \
             meanwhile. asyncio only regains control at a bare `yield` (a pending Future, \
             asyncio.sleep(0))."
                .to_string(),
        );
        outcome.notes.push(
            "Native coroutines (async def) share the generator implementation — frames that \
             suspend, send/throw/close, the YIELD_VALUE opcode — but are their own type since \
             Python 3.5 (PEP 492): built on the generator machinery, not generators."
                .to_string(),
        );
        Ok(outcome)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn countdown_pends_then_completes() {
        assert_eq!(
            poll_by_hand(Countdown::new(2), 10),
            ["Pending", "Pending", "Ready(3)"]
        );
        assert_eq!(poll_by_hand(Countdown::new(5), 2), ["Pending", "Pending"]);
        assert!(rust_facts().iter().all(|f| f.holds), "{:?}", rust_facts());
    }
}
