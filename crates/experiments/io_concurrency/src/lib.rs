//! io_concurrency: "Best for I/O: `asyncio`", on trial.
//!
//! A real delay server on 127.0.0.1 ([`net`], tokio, this binary re-executed) answers each
//! request after D ms. N concurrent requests, N = 100, 1,000 and 10,000, are made by asyncio
//! coroutines (one deadline for the batch; a `wait_for` per request as a labelled variant),
//! by one thread per request, by a bounded thread pool, one after another
//! (a few, the rest projected and labelled so), by tokio tasks, and by asyncio on uvloop —
//! each client a fresh process whose CPU time and peak memory are measured from outside,
//! rounds interleaved. At the smallest N, blocking requests inside asyncio — handed to
//! `asyncio.to_thread`, or called straight from coroutines — show what each does to the
//! loop's responsiveness.
//! The ideal wall time is D: every request waits at once.

pub mod costs;
pub mod judge;
pub mod net;
mod render;
mod today;
pub mod versions;

use judge::ids;
use net::ClientReport;
use pyproof_harness::{
    Claim, Experiment, ExperimentError, Meta, Outcome, RoundBudget, RunContext, Scale, Section,
    Threshold, format_number,
};
use pyproof_python::{Interpreter, RunOptions, python_worker, run_measured};
use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;
use std::time::Duration;

/// The experiment.
#[derive(Debug, Clone, Copy, Default)]
pub struct IoConcurrency;

/// The sheet's question (the cheat sheet's first line).
pub const QUESTION: &str = "Cheat sheet: what is best for I/O-bound work?";
/// The sheet's answer, word for word.
pub const SHEET_ANSWER: &str = "**Best for I/O**: `asyncio`.";

/// What this experiment is about.
pub const META: Meta = Meta {
    id: "io_concurrency",
    section: Section::CheatSheet,
    question: QUESTION,
    sheet_answer: SHEET_ANSWER,
};

/// The server's delay before each answer, ms.
pub const DELAY_MS: u64 = 50;
/// Claim (1): "≈ D" means a wall time within this many D (per round).
pub const NEAR_IDEAL: Threshold = Threshold::below(2.0);
/// Claim (2): asyncio's memory per request in flight over a thread's, per round.
pub const MEMORY_FRACTION: Threshold = Threshold::below(0.5);
/// Claim (3): tokio's CPU per connection over asyncio's, per round.
pub const TOKIO_FRACTION: Threshold = Threshold::below(0.5);
/// Claim (4): uvloop's CPU per connection over the default loop's, per round: at least a
/// fifth less (±10% a tie; declared 2026-11-30 before any run judged it).
pub const UVLOOP_FRACTION: Threshold = Threshold::below(0.8).tie_within(1.10);
/// Claim (5): the loop's worst lag, ms, while blocking requests run via `asyncio.to_thread`:
/// under a fifth of D (the loop stays responsive)...
pub const TO_THREAD_LAG: Threshold = Threshold::below(DELAY_MS as f64 / 5.0);
/// ...and, the control, at least half of D when the same call blocks a coroutine.
pub const BLOCKING_LAG: Threshold = Threshold::at_least(DELAY_MS as f64 / 2.0);
/// Sequential runs (and the blocking-in-a-coroutine client) make at most this many
/// requests; the rest is projected. One request in flight is what the memory baseline needs,
/// and a one-at-a-time client's wall time is N × D plus the per-request cost; 8 requests
/// (20 until 2026-12-01) cost 0.4 s a run instead of 1 s.
pub const SEQUENTIAL_MAX: u64 = 8;
/// Threads of the bounded pool.
pub const POOL_SIZE: u64 = 64;
/// The bounded pool makes at most this many requests; above it its wall time is projected
/// (× N / made). A pool of [`POOL_SIZE`] threads answers in waves of [`POOL_SIZE`] requests,
/// one D each, so its wall time is linear in N: at N = 10,000 it spent ~8 s of every run
/// measuring a figure the waves already give, for a table no claim reads.
pub const POOL_MAX: u64 = 1_000;

/// How the requests are made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Mode {
    /// asyncio coroutines on one thread, the batch under one deadline.
    Asyncio,
    /// The same, each request in its own `asyncio.wait_for` (a labelled variant).
    AsyncioWaitFor,
    /// One OS thread per request.
    Threads,
    /// A ThreadPoolExecutor of [`POOL_SIZE`].
    Pool,
    /// One after another.
    Sequential,
    /// tokio tasks (Rust).
    Tokio,
    /// The asyncio client on uvloop's event loop.
    AsyncioUvloop,
    /// Blocking requests handed to `asyncio.to_thread`, the loop's lag probed (smallest N).
    AsyncioToThread,
    /// The same blocking requests called from coroutines, blocking the loop (the mistake;
    /// smallest N, at most [`SEQUENTIAL_MAX`] made).
    AsyncioBlocking,
}

impl Mode {
    /// Every mode, in table order.
    pub const ALL: [Mode; 9] = [
        Mode::Asyncio,
        Mode::AsyncioUvloop,
        Mode::AsyncioWaitFor,
        Mode::Threads,
        Mode::Pool,
        Mode::Sequential,
        Mode::Tokio,
        Mode::AsyncioToThread,
        Mode::AsyncioBlocking,
    ];

    /// Whether it runs at the smallest N only: blocking requests inside asyncio are about
    /// the loop's responsiveness, not about scale.
    pub fn smallest_n_only(self) -> bool {
        matches!(self, Mode::AsyncioToThread | Mode::AsyncioBlocking)
    }

    /// The requests it makes when asked for `n`: one-at-a-time clients make at most
    /// [`SEQUENTIAL_MAX`], the bounded pool at most [`POOL_MAX`]; the rest is projected.
    pub fn made(self, n: u64) -> u64 {
        match self {
            Mode::Sequential | Mode::AsyncioBlocking => n.min(SEQUENTIAL_MAX),
            Mode::Pool => n.min(POOL_MAX),
            _ => n,
        }
    }

    /// Whether a claim reads its figures at `n` (`top`: the largest N): the labelled variants
    /// (asyncio with `wait_for` around each request, the bounded pool) feed the tables only,
    /// and the sequential client is read at the top N alone (the memory baseline of one
    /// request in flight; below it its wall time is a projection for the table), so one
    /// round of those is enough. Every other client runs in every round, which keeps the
    /// per-round pairings of the claims aligned by position.
    pub fn read_by_claims(self, n: u64, top: u64) -> bool {
        match self {
            Mode::AsyncioWaitFor | Mode::Pool => false,
            Mode::Sequential => n == top,
            _ => true,
        }
    }

    /// Its id (the Python client's mode name).
    pub fn id(self) -> &'static str {
        match self {
            Mode::Asyncio => "asyncio",
            Mode::AsyncioWaitFor => "asyncio_wait_for",
            Mode::Threads => "threads",
            Mode::Pool => "pool",
            Mode::Sequential => "sequential",
            Mode::Tokio => "tokio",
            Mode::AsyncioUvloop => "asyncio_uvloop",
            Mode::AsyncioToThread => "asyncio_to_thread",
            Mode::AsyncioBlocking => "asyncio_blocking",
        }
    }

    /// What it is.
    pub fn label(self) -> String {
        match self {
            Mode::Asyncio => "Python asyncio (one coroutine per request)".to_string(),
            Mode::AsyncioWaitFor => {
                "Python asyncio, wait_for around each request (variant)".to_string()
            }
            Mode::Threads => "Python, one thread per request".to_string(),
            Mode::Pool => format!("Python ThreadPoolExecutor({POOL_SIZE})"),
            Mode::Sequential => "Python, one after another".to_string(),
            Mode::Tokio => "Rust tokio (one task per request)".to_string(),
            Mode::AsyncioUvloop => "Python asyncio on uvloop".to_string(),
            Mode::AsyncioToThread => {
                "Python asyncio, blocking requests via asyncio.to_thread".to_string()
            }
            Mode::AsyncioBlocking => {
                "Python asyncio, blocking requests called in coroutines (the mistake)".to_string()
            }
        }
    }
}

/// Sizes of one run.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// Concurrent requests.
    pub ns: Vec<u64>,
    /// Interleaved rounds: the minimum, then more while a claim is within noise.
    pub rounds: RoundBudget,
}

impl Plan {
    /// The two largest N, between which marginal costs are taken.
    pub fn largest_two(&self) -> (u64, u64) {
        (self.ns[self.ns.len() - 2], self.ns[self.ns.len() - 1])
    }

    /// The two smallest N, between which asyncio's CPU per connection is taken under each
    /// CPython version ([`versions`]): a marginal from 100 to 1,000 connections costs each
    /// interpreter a tenth of one from 1,000 to 10,000 (~0.3 s a round instead of ~1.8 s),
    /// and the interpreter's fixed costs cancel the same way.
    pub fn versions_pair(&self) -> (u64, u64) {
        (self.ns[0], self.ns[1])
    }

    /// The plan for `scale`.
    pub fn new(scale: Scale) -> Self {
        match scale {
            Scale::Quick => Plan {
                ns: vec![100, 1000],
                rounds: RoundBudget::exactly(1),
            },
            Scale::Default => Plan {
                ns: vec![100, 1000, 10_000],
                // 2 at least (3 until 2026-12-03: docs/verdicts.md, "Two rounds at least").
                rounds: RoundBudget { min: 2, max: 6 },
            },
            Scale::Full => Plan {
                ns: vec![100, 1000, 10_000],
                rounds: RoundBudget { min: 5, max: 9 },
            },
        }
    }
}

/// One client run, as the client process reported it and as it was measured from outside.
#[derive(Debug, Clone)]
pub struct Sample {
    /// The round it ran in (0-based): the claims pair figures of the same round, as rounds
    /// past the minimum run only the clients of the claims within noise.
    pub round: usize,
    /// What the client reported.
    pub report: ClientReport,
    /// CPU time of the client process, s.
    pub cpu_s: f64,
    /// Peak anonymous memory of the client process, KiB.
    pub peak_anon_kib: f64,
}

fn client_command(mode: Mode, port: u16, n: u64) -> Result<Command, ExperimentError> {
    if mode == Mode::Tokio {
        let mut cmd =
            pyproof_proc::worker_command(pyproof_harness::Worker::role(&net::TokioClient))?;
        cmd.args([port.to_string(), n.to_string(), "10".to_string()]);
        Ok(cmd)
    } else {
        let mut cmd = python_worker(Interpreter::get()?, "io_concurrency");
        cmd.args([mode.id()])
            .args([port.to_string(), n.to_string()])
            .args(["--timeout", "10", "--pool", &POOL_SIZE.to_string()]);
        Ok(cmd)
    }
}

/// Runs one client (a fresh process) making `n` requests to the delay server on `port`
/// (a sequential client makes at most [`SEQUENTIAL_MAX`]); every request must be accounted
/// for, answered or failed.
pub fn run_client(mode: Mode, port: u16, n: u64) -> Result<Sample, ExperimentError> {
    let made = mode.made(n);
    run_command(
        client_command(mode, port, made)?,
        &format!("{} × {made}", mode.id()),
        made,
    )
}

/// Runs a client command that makes `made` requests, measured from outside (CPU time, peak
/// anonymous memory); every request must be accounted for, answered or failed.
pub(crate) fn run_command(cmd: Command, what: &str, made: u64) -> Result<Sample, ExperimentError> {
    let timeout = Duration::from_secs(60) + Duration::from_millis(made * 10);
    let report = run_measured(cmd, &RunOptions::new(what, timeout))?.check()?;
    let parsed: ClientReport = serde_json::from_str(report.stdout.lines().last().unwrap_or(""))
        .map_err(|e| ExperimentError::Inconsistent(format!("{what}: unreadable report ({e})")))?;
    if parsed.ok + parsed.errors != made {
        return Err(ExperimentError::Inconsistent(format!(
            "{what}: {} answers and {} errors for {made} requests",
            parsed.ok, parsed.errors
        )));
    }
    Ok(Sample {
        round: 0,
        report: parsed,
        cpu_s: report.cpu_s(),
        peak_anon_kib: report.peak_anon_kib as f64,
    })
}

impl Experiment for IoConcurrency {
    fn answer_today(&self, outcome: &Outcome) -> Option<String> {
        today::answer(outcome)
    }

    fn options(&self) -> &'static [&'static dyn pyproof_harness::RunOption] {
        &[&pyproof_python::pythons::PythonOption]
    }

    fn meta(&self) -> &'static Meta {
        &META
    }

    fn workers(&self) -> &'static [&'static dyn pyproof_harness::Worker] {
        &[&net::DelayServer, &net::TokioClient]
    }

    fn bench(&self) -> Option<&'static str> {
        Some("io_concurrency")
    }

    fn claims(&self, ctx: &RunContext<'_>) -> Vec<Claim> {
        let plan = Plan::new(ctx.scale);
        let ns = plan
            .ns
            .iter()
            .map(|n| format_number(*n as f64))
            .collect::<Vec<_>>()
            .join(", ");
        let (lo, hi) = (plan.ns[plan.ns.len() - 2], plan.ns[plan.ns.len() - 1]);
        vec![
            Claim::new(
                ids::ASYNCIO_NEAR_IDEAL,
                "(1)",
                "asyncio finishes N concurrent waits in about one wait",
                format!(
                    "at each N ({ns}), the 95% interval of asyncio's wall time per round, in D \
                     (D = {DELAY_MS} ms), {} with no request failed; the client written as an \
                     asyncio programmer would (one deadline for the batch; a wait_for per \
                     request is a labelled variant, not judged)",
                    NEAR_IDEAL.describe("")
                ),
            ),
            Claim::new(
                ids::ASYNCIO_LIGHTER_THAN_THREADS,
                "(2)",
                "asyncio holds a connection for a fraction of the memory a thread needs",
                format!(
                    "memory per request in flight at N = {hi} ((peak anonymous memory − the \
                     sequential client's in the same round) / (most requests in flight at once − \
                     1)): the 95% interval of asyncio's over one thread per request's, paired \
                     per round, {} (absolute peaks and requests in flight reported beside it)",
                    MEMORY_FRACTION.describe("×")
                ),
            ),
            Claim::new(
                ids::TOKIO_CHEAPER,
                "(3)",
                "beyond the sheet: tokio serves a connection for much less CPU than asyncio",
                format!(
                    "CPU time per connection, marginal from N = {lo} to N = {hi} within each \
                     round: the 95% interval of tokio's over asyncio's {}",
                    TOKIO_FRACTION.describe("×")
                ),
            ),
            Claim::new(
                ids::UVLOOP_CHEAPER,
                "(4) uvloop",
                "beyond the sheet: uvloop, asyncio's drop-in event loop, serves a connection for \
                 less CPU than the default loop",
                format!(
                    "CPU time per connection, marginal from N = {lo} to N = {hi} within each \
                     round: the 95% interval of uvloop's over the default loop's {} (wall \
                     times at N = {hi} reported beside it)",
                    UVLOOP_FRACTION.describe("×")
                ),
            ),
            Claim::new(
                ids::TO_THREAD_RESPONSIVE,
                "(5) to_thread",
                "beyond the sheet: a blocking library inside asyncio belongs in \
                 asyncio.to_thread — the loop stays responsive, where the same call in a \
                 coroutine stalls it",
                format!(
                    "a probe coroutine asks to wake every 1 ms; its worst lateness per round \
                     while {} blocking requests run: via asyncio.to_thread {} ms, and — the \
                     control — called straight from coroutines {} ms. Confirmed when both \
                     hold. How many run at once (the default executor's width) and the wall \
                     time that follows are reported beside",
                    plan.ns[0],
                    TO_THREAD_LAG.describe(""),
                    BLOCKING_LAG.describe("")
                ),
            ),
        ]
    }

    fn run(&self, ctx: &RunContext<'_>) -> Result<Outcome, ExperimentError> {
        let plan = Plan::new(ctx.scale);
        let mut outcome = Outcome::of(&META, ctx.scale);
        ctx.progress.update("starting the delay server", 0, 1);
        let server = net::start_delay_server(DELAY_MS)?;
        let port = server.addr.port();
        // Warm-up: imports compiled, the server's first accept done.
        run_client(Mode::Asyncio, port, 10)?;

        let mut samples: BTreeMap<(Mode, u64), Vec<Sample>> = BTreeMap::new();
        let uvloop = Interpreter::get()?.missing_modules(&["uvloop"])?.is_empty();
        if !uvloop {
            outcome.notes.push(
                "uvloop is not installed in the venv: its client was not run and claim (4) \
                 is Skipped."
                    .to_string(),
            );
        }
        let mut jobs = Vec::new();
        for &n in &plan.ns {
            for mode in Mode::ALL {
                if (mode.smallest_n_only() && n != plan.ns[0])
                    || (mode == Mode::AsyncioUvloop && !uvloop)
                {
                    continue;
                }
                jobs.push((mode, n));
            }
        }
        let d = DELAY_MS as f64 / 1000.0;
        // Round 1 runs every client (the tables show each); the rounds up to the minimum
        // those a claim reads; past it only those of the claims within noise (figures pair
        // by round, so a round need not run every client).
        let top_n = plan.ns.last().copied().unwrap_or(0);
        let read: BTreeSet<(Mode, u64)> = jobs
            .iter()
            .copied()
            .filter(|&(mode, n)| mode.read_by_claims(n, top_n))
            .collect();
        let mut round = 0;
        let mut visits = 0;
        loop {
            let judged = if round < plan.rounds.min {
                Vec::new()
            } else {
                judge::judge(&costs::evidence(&samples, &plan, d))
            };
            if !plan.rounds.more(round, || judged.clone()) {
                break;
            }
            let noisy: BTreeSet<(Mode, u64)> = judged
                .iter()
                .filter(|j| plan.rounds.wants_more(j))
                .flat_map(|j| costs::reads(&j.claim_id, &plan))
                .collect();
            // Rotated every round: no client always runs first or last.
            let this_round = plan.rounds.round_jobs(round, &jobs, &read, &noisy);
            let total = visits + this_round.len();
            for (mode, n) in this_round {
                ctx.progress.update(
                    &format!(
                        "round {} · {} × {}",
                        round + 1,
                        mode.id(),
                        format_number(n as f64)
                    ),
                    visits,
                    total,
                );
                visits += 1;
                let mut sample = run_client(mode, port, n)?;
                sample.round = round;
                samples.entry((mode, n)).or_default().push(sample);
            }
            round += 1;
        }
        // The same client under the other CPython versions, against the same server.
        versions::by_version(&mut outcome, ctx, &plan, port, plan.rounds.min)?;
        drop(server);

        outcome.param("server", "tokio on 127.0.0.1, an ephemeral port");
        outcome.param("delay D", format!("{DELAY_MS} ms"));
        outcome.param(
            "rounds",
            format!(
                "{}; the labelled variants no claim reads (tables only) in round 1 alone, \
                 past {} only the clients of the claims within noise",
                plan.rounds.describe(round),
                plan.rounds.min
            ),
        );
        outcome.param("bounded pool", POOL_SIZE);
        outcome.param("cores", ctx.cores);
        render::record(&mut outcome, &plan, &samples, round);
        outcome
            .judgements
            .extend(judge::judge(&costs::evidence(&samples, &plan, d)));
        Ok(outcome)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_end_with_the_largest_n() {
        for scale in Scale::ALL {
            let p = Plan::new(scale);
            assert!(p.ns.len() >= 2 && p.ns.windows(2).all(|w| w[0] < w[1]));
        }
        assert_eq!(Plan::new(Scale::Default).ns.last(), Some(&10_000));
    }

    #[test]
    fn only_the_labelled_variants_skip_the_later_rounds() {
        let table_only: Vec<Mode> = Mode::ALL
            .into_iter()
            .filter(|m| !m.read_by_claims(10_000, 10_000))
            .collect();
        assert_eq!(table_only, [Mode::AsyncioWaitFor, Mode::Pool]);
        // What is made, and so projected, at each N of the default plan.
        assert_eq!(
            [100, 1000, 10_000].map(|n| Mode::Pool.made(n)),
            [100, 1000, 1000]
        );
        assert_eq!(Mode::Sequential.made(10_000), SEQUENTIAL_MAX);
        assert_eq!(Mode::Threads.made(10_000), 10_000);
        // Below the top N the sequential client's wall time is a projection for the table.
        assert!(!Mode::Sequential.read_by_claims(1000, 10_000));
        assert!(Mode::Asyncio.read_by_claims(100, 10_000));
        // What the claims' evidence reads: asyncio at every N, threads and the sequential
        // baseline (memory per request in flight), tokio and uvloop (CPU per connection), the
        // blocking pair (the loop's lag).
        for m in [
            Mode::Asyncio,
            Mode::Threads,
            Mode::Sequential,
            Mode::Tokio,
            Mode::AsyncioUvloop,
            Mode::AsyncioToThread,
            Mode::AsyncioBlocking,
        ] {
            assert!(m.read_by_claims(10_000, 10_000), "{m:?}");
        }
    }
}
