//! api_frameworks: "Best for API: FastAPI + Pydantic", on trial.
//!
//! Three real servers on 127.0.0.1, started and stopped by the experiment, serve the same two
//! endpoints: `POST /validate` (a nested order, validated and echoed; bad bodies answered 422
//! with the faulty fields named) and `GET /wait` (20 ms of waiting, an I/O-bound handler):
//!
//! - FastAPI + Pydantic on uvicorn (uvloop, httptools; one process) —
//!   `python/pyproof/api_frameworks.py`;
//! - Flask with hand-written checks on waitress, a production WSGI server with a thread pool:
//!   at waitress' default of 4 threads, and with one thread per client of the highest level;
//! - axum with serde ([`axum_server`]), the Rust reference;
//! - the stacks of 2026 (`python/pyproof/api_stacks.py`): Litestar with msgspec models and
//!   bare Starlette with the same Pydantic model, both on uvicorn, and the FastAPI app on
//!   Granian — each skipped alone when its package is missing.
//!
//! Before any load, each server must echo the valid order exactly and answer every bad body
//! ([`payload`]); then a Rust load generator ([`load`]) drives each endpoint of each server
//! at 1, 16 and 128 concurrent keep-alive clients for a fixed window after a warm-up, cells
//! interleaved over rounds: requests/s, latency percentiles, errors, and the server's CPU per
//! request and peak memory. Pydantic's validation throughput is also timed in-process
//! against the hand-written checks, msgspec (and serde).

pub mod axum_server;
pub mod judge;
pub mod load;
pub mod payload;
pub mod plan;
mod render;
pub mod servers;
mod today;
mod validation;

use judge::ids;
use judge::judge;
pub use plan::{Endpoint, Plan, Server};
use pyproof_harness::{
    Claim, Experiment, ExperimentError, Meta, Outcome, RunContext, Section, Threshold,
};
use pyproof_python::{Interpreter, RunOptions, python_worker, run_measured};
use render::tables;
pub use servers::{Answer, Cell, check_answers, run_cell, start};
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;
pub use validation::VALIDATORS;
use validation::{BenchReport, rust_rates};

/// The experiment.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiFrameworks;

/// The sheet's question (the cheat sheet's last line).
pub const QUESTION: &str = "Cheat sheet: what is best for building an API?";

/// The sheet's answer, word for word.
pub const SHEET_ANSWER: &str = "**Best for API**: `FastAPI` + `Pydantic`.";

/// What this experiment is about.
pub const META: Meta = Meta {
    id: "api_frameworks",
    section: Section::CheatSheet,
    question: QUESTION,
    sheet_answer: SHEET_ANSWER,
};

/// The smallest difference between two servers that matters to a user: ±10%.
pub const TIE: f64 = 1.10;

/// Claim (1): "more requests/s" means at least this factor, on the paired per-round ratio.
pub const FASTER: Threshold = Threshold::at_least(1.5).tie_within(TIE);

/// Claim (3): axum counts as the ceiling when it serves at least this fraction of the best
/// Python server's requests/s in every cell that ranks them (a tie is a tie: it holds).
pub const CEILING_TOLERANCE: Threshold = Threshold::at_least(0.95).tie_within(TIE);

/// Claim (3): a wait-endpoint level where the best Python server reaches this fraction of the
/// rate the wait allows (the ideal clients / 20 ms, or axum's own when its timer holds it
/// lower) is bound by the wait itself, and does not rank servers.
pub const WAIT_BOUND: f64 = 0.9;

/// Claim (4): Pydantic's payloads/s over the hand-written checks', per round ("costs no
/// more": a tie holds).
pub const PYDANTIC_MIN_RATIO: Threshold = Threshold::at_least(1.0).tie_within(TIE);

/// Claim (5): msgspec's payloads/s over Pydantic's `model_validate_json`, per round (declared
/// 2026-11-30 before any run judged it: half as fast again is what a user notices).
pub const MSGSPEC_FASTER: Threshold = Threshold::at_least(1.5).tie_within(TIE);

/// Claims (6), (7): a stack of 2026 serves POST /validate faster than FastAPI on uvicorn when
/// its requests/s are at least this factor, paired per round (declared 2026-11-30 before any
/// run judged it).
pub const STACK_FASTER: Threshold = Threshold::at_least(1.2).tie_within(TIE);

/// waitress' own default thread count.
pub const WAITRESS_DEFAULT_THREADS: usize = 4;

/// How long a server may take to say where it listens (FastAPI's imports take a second).
pub const START_TIMEOUT: Duration = Duration::from_secs(60);

/// Each request's limit under load.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

impl Experiment for ApiFrameworks {
    fn answer_today(&self, outcome: &Outcome) -> Option<String> {
        today::answer(outcome)
    }

    fn meta(&self) -> &'static Meta {
        &META
    }

    fn workers(&self) -> &'static [&'static dyn pyproof_harness::Worker] {
        &[&axum_server::AxumServer]
    }

    fn python_modules(&self) -> &'static [&'static str] {
        &[
            "fastapi",
            "pydantic",
            "uvicorn",
            "uvloop",
            "httptools",
            "flask",
            "waitress",
        ]
    }

    fn claims(&self, ctx: &RunContext<'_>) -> Vec<Claim> {
        let plan = Plan::new(ctx.scale);
        let top = plan.top();
        vec![
            Claim::new(
                ids::FASTAPI_OUTSERVES_FLASK,
                "(1)",
                "on an I/O-bound endpoint under many concurrent clients, FastAPI serves more \
                 requests/s than threaded Flask",
                format!(
                    "GET /wait (20 ms) at {top} clients, the paired per-round ratio of \
                     requests/s {} in four cases: FastAPI as usually written (`async def`, \
                     `await asyncio.sleep` — async against threads, not only one framework \
                     against another) and FastAPI with a plain `def` endpoint blocking in \
                     `time.sleep` like Flask's (run in FastAPI's thread pool: the frameworks \
                     with the same code), each against Flask on waitress' default \
                     {WAITRESS_DEFAULT_THREADS} threads and with {} threads; Confirmed in every \
                     case, Nuanced in some (named), Refuted in none",
                    FASTER.describe("×"),
                    plan.wide_threads()
                ),
            ),
            Claim::new(
                ids::VALIDATION_ERRORS_PRECISE,
                "(2)",
                "Pydantic rejects bad payloads with precise errors",
                format!(
                    "FastAPI answers each of the {} bad bodies with 422 naming exactly the \
                     fields at fault (all of them, when there are several; for a body that is \
                     not JSON, one error of type json_invalid) — {} of them chosen because \
                     hand-written checks commonly let them through (NaN and Infinity prices, \
                     true as a quantity)",
                    payload::bad_cases().len(),
                    payload::bad_cases()
                        .iter()
                        .filter(|c| c.commonly_missed)
                        .count()
                ),
            ),
            Claim::new(
                ids::AXUM_CEILING,
                "(3)",
                "beyond the sheet: axum (Rust) shows the ceiling",
                format!(
                    "in every cell where serving bounds the rate (POST /validate at every level; \
                     GET /wait where the best Python server stays under {WAIT_BOUND} × the \
                     rate the wait allows: the ideal clients / 20 ms, or axum's own where its \
                     timer holds it lower), the paired per-round ratio of axum's requests/s \
                     to the best of the sheet's Python servers (FastAPI and Flask) {}; \
                     Confirmed in every such cell, Nuanced in some (named), Refuted in none",
                    CEILING_TOLERANCE.describe("×")
                ),
            ),
            Claim::new(
                ids::PYDANTIC_FAST,
                "(4)",
                "Pydantic v2's compiled validation costs no more than checking by hand",
                format!(
                    "payloads/s in-process, paired per interleaved round: \
                     `model_validate_json` over `json.loads` + hand-written checks {}",
                    PYDANTIC_MIN_RATIO.describe("×")
                ),
            ),
            Claim::new(
                ids::MSGSPEC_FASTER,
                "(5) msgspec",
                "beyond the sheet: msgspec validates the same order faster than Pydantic v2",
                format!(
                    "payloads/s in-process, paired per interleaved round: msgspec \
                     `json.decode(body, type=OrderStruct)` (the same constraints) over \
                     Pydantic's `model_validate_json` {}; how precisely it names the faulty \
                     fields of the {} bad bodies (through Litestar) is reported beside",
                    MSGSPEC_FASTER.describe("×"),
                    payload::bad_cases().len()
                ),
            ),
            Claim::new(
                ids::LEANER_FRAMEWORKS,
                "(6) Litestar, Starlette",
                "beyond the sheet: leaner frameworks on the same server serve POST /validate \
                 faster than FastAPI — Litestar with msgspec models, and bare Starlette with \
                 the same Pydantic model",
                format!(
                    "POST /validate at {top} clients, all on uvicorn: the paired per-round ratio \
                     of requests/s to FastAPI's {} for Litestar + msgspec and for bare Starlette \
                     + Pydantic; Confirmed when both hold, Nuanced when one does",
                    STACK_FASTER.describe("×")
                ),
            ),
            Claim::new(
                ids::GRANIAN_FASTER,
                "(7) Granian",
                "beyond the sheet: the same FastAPI app serves more on Granian than on uvicorn",
                format!(
                    "POST /validate at {top} clients, one worker process each: the paired \
                     per-round ratio of requests/s on Granian to uvicorn's {}; GET /wait \
                     (bound by its 20 ms wait) reported beside",
                    STACK_FASTER.describe("×")
                ),
            ),
        ]
    }

    fn run(&self, ctx: &RunContext<'_>) -> Result<Outcome, ExperimentError> {
        let plan = Plan::new(ctx.scale);
        let mut outcome = Outcome::of(&META, ctx.scale);

        // The stacks of 2026 need packages the sheet's servers do not: a missing one skips
        // only the servers that import it (and their claims).
        let missing = Interpreter::get()?.missing_modules(&["msgspec", "litestar", "granian"])?;
        let servers: Vec<Server> = Server::ALL
            .into_iter()
            .filter(|s| {
                !s.extra_modules()
                    .iter()
                    .any(|m| missing.iter().any(|x| x == m))
            })
            .collect();
        if !missing.is_empty() {
            outcome.notes.push(format!(
                "Python module(s) {} not installed in the venv: {} not run, their claims \
                 Skipped.",
                missing.join(", "),
                Server::ALL
                    .iter()
                    .filter(|s| !servers.contains(s))
                    .map(|s| s.id())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        // Servers up, each checked for its address, its echo and its answers to bad bodies.
        let mut services = BTreeMap::new();
        let mut answers = BTreeMap::new();
        for (i, server) in servers.iter().copied().enumerate() {
            ctx.progress.update(
                &format!("starting {}", server.label(&plan)),
                i,
                servers.len(),
            );
            let service = start(server, &plan)?;
            answers.insert(server, check_answers(&service, &server.label(&plan))?);
            services.insert(server, service);
        }

        // Load, cells interleaved: each round visits every cell, starting one further along.
        let mut jobs = Vec::new();
        for &c in &plan.levels {
            for endpoint in Endpoint::ALL {
                for &server in &servers {
                    jobs.push((server, endpoint, c));
                }
            }
        }
        // The cells some claim reads; the others feed tables only, and one round of them is
        // enough.
        let read_after = |cells: &BTreeMap<(Server, Endpoint, usize), Vec<Cell>>| {
            judge::ids::ALL
                .iter()
                .flat_map(|id| judge::cells_to_revisit(id, &plan, &servers, cells))
                .collect::<BTreeSet<(Server, Endpoint, usize)>>()
        };
        let mut cells: BTreeMap<(Server, Endpoint, usize), Vec<Cell>> = BTreeMap::new();
        let no_rates = BTreeMap::new();
        let mut round = 0;
        let mut visits = 0;
        // The load claims decide whether another round is needed; the in-process rates come
        // later and have their own rounds. Round 1 visits every cell (the tables show each),
        // the rounds up to the minimum the cells some claim reads, and past it only those of
        // the cases still within noise of a claim within noise: rounds that cannot move a
        // verdict are not run.
        loop {
            // Judged once the minimum of rounds is in: the rounds before it are taken anyway.
            let judged = if round < plan.rounds.min {
                Vec::new()
            } else {
                judge::judge(&plan, &cells, &answers, &no_rates)
            };
            if !plan.rounds.more(round, || judged.clone()) {
                break;
            }
            let noisy: BTreeSet<(Server, Endpoint, usize)> = judged
                .iter()
                .filter(|j| plan.rounds.wants_more(j))
                .flat_map(|j| {
                    judge::cells_within_noise(&j.claim_id, &plan, &servers, &cells, &plan.rounds)
                })
                .collect();
            // After round 1, claim (3)'s wait cells at a level bound by the wait drop out.
            let read = read_after(&cells);
            let this_round = plan.rounds.round_jobs(round, &jobs, &read, &noisy);
            let count = this_round.len();
            for (i, (server, endpoint, c)) in this_round.into_iter().enumerate() {
                ctx.progress.update(
                    &format!(
                        "round {} · {} {} × {c} clients",
                        round + 1,
                        server.id(),
                        endpoint.label()
                    ),
                    visits,
                    visits + count - i,
                );
                let service = services
                    .get_mut(&server)
                    .ok_or_else(|| ExperimentError::Inconsistent("server missing".into()))?;
                // Round 1 at most the level's timing, fitted to the queue its first 0.2 s
                // show (Little's law); later rounds fitted to the latency round 1 measured
                // in this cell (its queue), within the level's bounds.
                let (timing, fit) = match cells.get(&(server, endpoint, c)).and_then(|v| v.first())
                {
                    Some(first) => {
                        let p50 = first.load.latency_ms(0.5);
                        let p50 = p50
                            .is_finite()
                            .then(|| Duration::from_secs_f64(p50 / 1000.0));
                        (plan.timing_after(c, p50), None)
                    }
                    None => (plan.timing_at(c), Some(plan.shortest)),
                };
                let mut cell = run_cell(service, endpoint, c, timing, fit)?;
                cell.round = round;
                cells.entry((server, endpoint, c)).or_default().push(cell);
                visits += 1;
            }
            round += 1;
        }
        let (done, total) = (visits, visits);
        drop(services);

        // In-process validation throughput.
        ctx.progress
            .update("timing validation in process", done, total + 1);
        let dir = ctx.cache_dir.join("api_frameworks");
        std::fs::create_dir_all(&dir).map_err(|e| ExperimentError::Io {
            context: format!("creating {}", dir.display()),
            source: e,
        })?;
        let raw = serde_json::to_vec(&payload::valid_order(payload::LOAD_ITEMS))
            .map_err(|e| ExperimentError::Inconsistent(e.to_string()))?;
        let payload_file = dir.join(format!("order-{}.json", payload::LOAD_ITEMS));
        std::fs::write(&payload_file, &raw).map_err(|e| ExperimentError::Io {
            context: format!("writing {}", payload_file.display()),
            source: e,
        })?;
        let mut cmd = python_worker(Interpreter::get()?, "api_frameworks");
        cmd.args(["validate-bench"])
            .arg(&payload_file)
            .args(["--rounds", &plan.bench_rounds.to_string()])
            .args(["--seconds", &plan.bench_seconds.to_string()]);
        let timeout =
            Duration::from_secs_f64(60.0 + 10.0 * plan.bench_rounds as f64 * plan.bench_seconds);
        let report =
            run_measured(cmd, &RunOptions::new("the validation timing", timeout))?.check()?;
        let bench: BenchReport = serde_json::from_str(report.stdout.lines().last().unwrap_or(""))
            .map_err(|e| {
            ExperimentError::Inconsistent(format!("unreadable validation report: {e}"))
        })?;
        let mut rates = bench.rates;
        rates.insert(
            "rust_serde".to_string(),
            rust_rates(&raw, plan.bench_rounds, plan.bench_seconds),
        );

        outcome.param(
            "servers",
            "FastAPI/uvicorn ×2, Flask/waitress ×2, axum, Litestar/uvicorn, Starlette/uvicorn, \
             FastAPI/Granian — 127.0.0.1, kernel-chosen ports",
        );
        outcome.param(
            "concurrency levels",
            plan.levels
                .iter()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
                .join(", "),
        );
        outcome.param(
            "warm-up + window",
            format!(
                "{} per cell in round 1 at most, fitted after {} s to the queue the answers \
                 show (clients ÷ answers/s: one latency of warm-up, three of window, at least \
                 {} + {} s); later rounds one median latency of the cell's first round + three, \
                 within those bounds and at least {} + {} s",
                plan.describe_timing(),
                plan.shortest.0.as_secs_f64(),
                plan.shortest.0.as_secs_f64(),
                plan.shortest.1.as_secs_f64(),
                plan.shortest_later.0.as_secs_f64(),
                plan.shortest_later.1.as_secs_f64()
            ),
        );
        outcome.param("rounds", plan.rounds.describe_targeted(round, "cells"));
        outcome.param(
            "order payload",
            format!(
                "{} lines, {} bytes",
                payload::LOAD_ITEMS,
                bench.payload_bytes
            ),
        );
        outcome.param("cores", ctx.cores);

        tables(&mut outcome, &plan, &cells, &answers, &rates);
        let judgements = judge(&plan, &cells, &answers, &rates);
        outcome.judgements.extend(judgements);
        outcome.notes.push(format!(
            "The load generator is one thread of this process (a current-thread tokio runtime, \
             hyper HTTP/1.1 client connections, one keep-alive connection per client, the next \
             request sent when the last answer is read): on {} cores it shares the machine with \
             the server, so every figure is client + server on the same box, and axum's is a \
             floor of its ceiling. The Python servers are one process each, as deployed with \
             one worker; more worker processes would multiply them on more cores. Latencies are \
             per request, from sending to the last byte of the answer; percentiles are medians \
             over rounds, and leave out each connection's first request, which also waits for \
             the server to take the connection on (a busy uvicorn takes the last of 128 late: \
             the slowest such wait of each cell is in the results as first_answer_ms). An \
             answer counts when it arrives inside the window, a connection's first too; errors \
             count whenever they happen.",
            ctx.cores
        ));
        outcome.notes.push(
            "tokio's timer ticks in whole milliseconds and rounds a sleep up, so axum's 20 ms \
             wait lasts a little longer than asyncio's or time.sleep's: where every server reaches \
             the ideal rate of the wait endpoint, the cell measures the timers, not the \
             frameworks, and claim (3) leaves it out (listed in its evidence)."
                .to_string(),
        );
        Ok(outcome)
    }
}
