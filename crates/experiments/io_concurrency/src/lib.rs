//! io_concurrency: "Best for I/O: `asyncio`", on trial.
//!
//! A real delay server on 127.0.0.1 ([`net`], tokio, this binary re-executed) answers each
//! request after D ms. N concurrent requests, N = 100, 1,000 and 10,000, are made by asyncio
//! coroutines, by one thread per request, by a bounded thread pool, one after another
//! (a few, the rest projected and labelled so), and by tokio tasks — each client a fresh
//! process whose CPU time and peak memory are measured from outside, rounds interleaved.
//! The ideal wall time is D: every request waits at once.

pub mod judge;
pub mod net;

use judge::ids;
use judge::{AsyncioRun, Evidence};
use net::ClientReport;
use pyproof_harness::{
    Bar, Chart, Claim, Experiment, ExperimentError, Measurement, Meta, Outcome, RunContext, Scale,
    Section, Series, Table, format_number, median, quantile,
};
use pyproof_python::{Interpreter, RunOptions, python_worker, run_measured};
use std::collections::BTreeMap;
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
/// Claim (1): "≈ D" means a wall time within this many D.
pub const NEAR_IDEAL: f64 = 2.0;
/// Claim (2): asyncio's memory per connection at most this fraction of a thread's.
pub const MEMORY_FRACTION: f64 = 0.5;
/// Claim (3): tokio's CPU per connection at most this fraction of asyncio's.
pub const TOKIO_FRACTION: f64 = 0.5;
/// Sequential runs make at most this many requests; the rest is projected.
pub const SEQUENTIAL_MAX: u64 = 20;
/// Threads of the bounded pool.
pub const POOL_SIZE: u64 = 64;

/// How the requests are made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Mode {
    /// asyncio coroutines on one thread.
    Asyncio,
    /// One OS thread per request.
    Threads,
    /// A ThreadPoolExecutor of [`POOL_SIZE`].
    Pool,
    /// One after another.
    Sequential,
    /// tokio tasks (Rust).
    Tokio,
}

impl Mode {
    /// Every mode, in table order.
    pub const ALL: [Mode; 5] = [
        Mode::Asyncio,
        Mode::Threads,
        Mode::Pool,
        Mode::Sequential,
        Mode::Tokio,
    ];

    /// Its id (the Python client's mode name).
    pub fn id(self) -> &'static str {
        match self {
            Mode::Asyncio => "asyncio",
            Mode::Threads => "threads",
            Mode::Pool => "pool",
            Mode::Sequential => "sequential",
            Mode::Tokio => "tokio",
        }
    }

    /// What it is.
    pub fn label(self) -> String {
        match self {
            Mode::Asyncio => "Python asyncio (one coroutine per request)".to_string(),
            Mode::Threads => "Python, one thread per request".to_string(),
            Mode::Pool => format!("Python ThreadPoolExecutor({POOL_SIZE})"),
            Mode::Sequential => "Python, one after another".to_string(),
            Mode::Tokio => "Rust tokio (one task per request)".to_string(),
        }
    }
}

/// Sizes of one run.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// Concurrent requests.
    pub ns: Vec<u64>,
    /// Interleaved rounds.
    pub rounds: usize,
}

impl Plan {
    /// The plan for `scale`.
    pub fn new(scale: Scale) -> Self {
        match scale {
            Scale::Quick => Plan {
                ns: vec![100, 1000],
                rounds: 1,
            },
            Scale::Default => Plan {
                ns: vec![100, 1000, 10_000],
                rounds: 3,
            },
            Scale::Full => Plan {
                ns: vec![100, 1000, 10_000],
                rounds: 5,
            },
        }
    }
}

/// One client run, as the client process reported it and as it was measured from outside.
#[derive(Debug, Clone)]
pub struct Sample {
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
    let made = if mode == Mode::Sequential {
        n.min(SEQUENTIAL_MAX)
    } else {
        n
    };
    let timeout = Duration::from_secs(60) + Duration::from_millis(made * 10);
    let what = format!("{} × {made}", mode.id());
    let report = run_measured(
        client_command(mode, port, made)?,
        &RunOptions::new(what.clone(), timeout),
    )?
    .check()?;
    let parsed: ClientReport = serde_json::from_str(report.stdout.lines().last().unwrap_or(""))
        .map_err(|e| ExperimentError::Inconsistent(format!("{what}: unreadable report ({e})")))?;
    if parsed.ok + parsed.errors != made {
        return Err(ExperimentError::Inconsistent(format!(
            "{what}: {} answers and {} errors for {made} requests",
            parsed.ok, parsed.errors
        )));
    }
    Ok(Sample {
        report: parsed,
        cpu_s: report.cpu_s(),
        peak_anon_kib: report.peak_anon_kib as f64,
    })
}

impl Experiment for IoConcurrency {
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
                    "at each N ({ns}), asyncio's wall time ≤ {NEAR_IDEAL} × D (D = {DELAY_MS} ms) \
                     with no request failed"
                ),
            ),
            Claim::new(
                ids::ASYNCIO_LIGHTER_THAN_THREADS,
                "(2)",
                "asyncio holds a connection for a fraction of the memory a thread needs",
                format!(
                    "memory per request in flight at N = {hi} ((peak anonymous memory − the \
                     sequential client's) / (most requests in flight at once − 1)): asyncio ≤ \
                     {MEMORY_FRACTION} × one thread per request"
                ),
            ),
            Claim::new(
                ids::TOKIO_CHEAPER,
                "(3)",
                "beyond the sheet: tokio serves a connection for much less CPU than asyncio",
                format!(
                    "CPU time per connection, marginal from N = {lo} to N = {hi}: tokio ≤ \
                     {TOKIO_FRACTION} × asyncio"
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

        let total = plan.rounds * plan.ns.len() * Mode::ALL.len();
        let mut samples: BTreeMap<(Mode, u64), Vec<Sample>> = BTreeMap::new();
        let mut jobs = Vec::new();
        for &n in &plan.ns {
            for mode in Mode::ALL {
                jobs.push((mode, n));
            }
        }
        let mut done = 0;
        for round in 0..plan.rounds {
            let shift = round * jobs.len() / plan.rounds.max(1);
            for i in 0..jobs.len() {
                let (mode, n) = jobs[(i + shift) % jobs.len()];
                ctx.progress.update(
                    &format!("{} × {}", mode.id(), format_number(n as f64)),
                    done,
                    total,
                );
                samples
                    .entry((mode, n))
                    .or_default()
                    .push(run_client(mode, port, n)?);
                done += 1;
            }
        }
        drop(server);

        outcome.param("server", "tokio on 127.0.0.1, an ephemeral port");
        outcome.param("delay D", format!("{DELAY_MS} ms"));
        outcome.param("rounds", plan.rounds);
        outcome.param("bounded pool", POOL_SIZE);
        outcome.param("cores", ctx.cores);

        let d = DELAY_MS as f64 / 1000.0;
        // The wall time a configuration took for all n (sequential: projected from its few).
        let wall = |mode: Mode, n: u64, s: &Sample| {
            if mode == Mode::Sequential {
                s.report.wall_s * n as f64 / s.report.n.max(1) as f64
            } else {
                s.report.wall_s
            }
        };
        let mut table = Table::new(
            format!(
                "N concurrent requests, each answered after D = {DELAY_MS} ms (ideal wall time: \
                 D); medians of {} round{}",
                plan.rounds,
                if plan.rounds == 1 { "" } else { "s" }
            ),
            &[
                "N",
                "client",
                "wall",
                "× D",
                "most in flight",
                "errors",
                "CPU",
                "peak memory",
            ],
        );
        for &n in &plan.ns {
            for mode in Mode::ALL {
                let Some(ss) = samples.get(&(mode, n)) else {
                    continue;
                };
                let walls: Vec<f64> = ss.iter().map(|s| wall(mode, n, s)).collect();
                let cpus: Vec<f64> = ss.iter().map(|s| s.cpu_s).collect();
                let mems: Vec<f64> = ss.iter().map(|s| s.peak_anon_kib / 1024.0).collect();
                let errors: u64 = ss.iter().map(|s| s.report.errors).sum();
                let key = format!("{}.n{n}", mode.id());
                outcome.measurements.push(Measurement::new(
                    format!("{key}.wall_s"),
                    format!("{}, N = {n}", mode.label()),
                    "s",
                    walls.clone(),
                ));
                outcome.measurements.push(Measurement::new(
                    format!("{key}.cpu_s"),
                    format!("{}, N = {n}", mode.label()),
                    "s",
                    cpus.clone(),
                ));
                outcome.measurements.push(Measurement::new(
                    format!("{key}.peak_anon_mib"),
                    format!("{}, N = {n}", mode.label()),
                    "MiB",
                    mems.clone(),
                ));
                let projected = mode == Mode::Sequential && n > SEQUENTIAL_MAX;
                table.row(vec![
                    format_number(n as f64),
                    mode.label(),
                    format!(
                        "{}{}",
                        pyproof_harness::median_iqr(&walls, "s"),
                        if projected {
                            format!(" — projected from {SEQUENTIAL_MAX} requests")
                        } else {
                            String::new()
                        }
                    ),
                    format!("{}×", format_number(median(&walls) / d)),
                    format_number(median(
                        &ss.iter()
                            .map(|s| s.report.max_in_flight as f64)
                            .collect::<Vec<_>>(),
                    )),
                    match ss.iter().find_map(|s| s.report.first_error.clone()) {
                        Some(e) if errors > 0 => format!("{errors} ({e})"),
                        _ => errors.to_string(),
                    },
                    format!("{} s", format_number(median(&cpus))),
                    format!("{} MiB", format_number(median(&mems))),
                ]);
            }
        }
        outcome.tables.push(table);

        // Marginal costs per connection between the two largest N: fixed costs (interpreter
        // start-up, imports) cancel out.
        let (lo, hi) = (plan.ns[plan.ns.len() - 2], plan.ns[plan.ns.len() - 1]);
        let med = |mode: Mode, n: u64, f: &dyn Fn(&Sample) -> f64| {
            samples
                .get(&(mode, n))
                .map_or(f64::NAN, |ss| median(&ss.iter().map(f).collect::<Vec<_>>()))
        };
        // CPU per request made, marginal between the two largest N.
        let cpu_marginal = |mode: Mode| {
            (med(mode, hi, &|s| s.cpu_s) - med(mode, lo, &|s| s.cpu_s)) / (hi - lo) as f64
        };
        // Memory per request *in flight* at the largest N, above a baseline with (almost)
        // nothing in flight: the sequential client (one request at a time, same interpreter
        // and imports) for Python, tokio's own smallest N for tokio. A request that has
        // already finished holds nothing, so dividing by N would flatter slow starters.
        let mem_per_in_flight = |mode: Mode| {
            let (base_mode, base_n) = if mode == Mode::Tokio {
                (Mode::Tokio, plan.ns[0])
            } else {
                (Mode::Sequential, hi)
            };
            let in_flight = |m: Mode, n: u64| med(m, n, &|s| s.report.max_in_flight as f64);
            let d_mem =
                med(mode, hi, &|s| s.peak_anon_kib) - med(base_mode, base_n, &|s| s.peak_anon_kib);
            let d_flight = in_flight(mode, hi) - in_flight(base_mode, base_n);
            if d_flight >= 1.0 {
                d_mem / d_flight
            } else {
                f64::NAN
            }
        };
        let mut per = Table::new(
            format!(
                "Cost per request: CPU marginal from N = {lo} to N = {hi}; memory per request \
                 in flight at N = {hi}, above a client with one in flight"
            ),
            &[
                "client",
                "most in flight at N = lo → hi",
                "CPU per request",
                "memory per request in flight",
            ],
        );
        let mut cpu_per = BTreeMap::new();
        let mut mem_per = BTreeMap::new();
        for mode in [Mode::Asyncio, Mode::Threads, Mode::Pool, Mode::Tokio] {
            let cpu = cpu_marginal(mode) * 1e6;
            // The pool holds 64 in flight whatever N: its memory grows with the queue of
            // futures, not with connections.
            let mem = if mode == Mode::Pool {
                f64::NAN
            } else {
                mem_per_in_flight(mode)
            };
            cpu_per.insert(mode, cpu);
            mem_per.insert(mode, mem);
            per.row(vec![
                mode.label(),
                format!(
                    "{} → {}",
                    format_number(med(mode, lo, &|s| s.report.max_in_flight as f64)),
                    format_number(med(mode, hi, &|s| s.report.max_in_flight as f64))
                ),
                format!("{} µs", format_number(cpu)),
                if mem.is_nan() {
                    "— (in flight does not grow with N)".to_string()
                } else {
                    format!("{} KiB", format_number(mem))
                },
            ]);
        }
        outcome.tables.push(per);
        outcome.charts.push(Chart::Lines {
            id: "wall_vs_n".to_string(),
            title: format!("Wall time for N requests of D = {DELAY_MS} ms each, as N grows"),
            x_label: "N concurrent requests".to_string(),
            y_label: "wall time (s)".to_string(),
            log_x: true,
            log_y: true,
            series: Mode::ALL
                .into_iter()
                .map(|mode| Series {
                    name: mode.label(),
                    points: plan
                        .ns
                        .iter()
                        .filter_map(|&n| {
                            let ss = samples.get(&(mode, n))?;
                            let w: Vec<f64> = ss.iter().map(|s| wall(mode, n, s)).collect();
                            Some((n as f64, median(&w)))
                        })
                        .collect(),
                })
                .collect(),
        });
        outcome.charts.push(Chart::Bars {
            id: "wall_at_largest_n".to_string(),
            title: format!(
                "Wall time for N = {} requests of D = {DELAY_MS} ms each",
                format_number(hi as f64)
            ),
            unit: "s".to_string(),
            bars: Mode::ALL
                .into_iter()
                .filter_map(|mode| {
                    let ss = samples.get(&(mode, hi))?;
                    let w: Vec<f64> = ss.iter().map(|s| wall(mode, hi, s)).collect();
                    Some(Bar {
                        label: mode.label(),
                        value: median(&w),
                        low: quantile(&w, 0.25),
                        high: quantile(&w, 0.75),
                    })
                })
                .collect(),
            reference: Some(d),
        });

        let asyncio: Vec<AsyncioRun> = plan
            .ns
            .iter()
            .filter_map(|&n| {
                let ss = samples.get(&(Mode::Asyncio, n))?;
                Some(AsyncioRun {
                    n,
                    wall_s: median(&ss.iter().map(|s| s.report.wall_s).collect::<Vec<_>>()),
                    errors: ss.iter().map(|s| s.report.errors).sum(),
                })
            })
            .collect();
        outcome.judgements.extend(judge::judge(&Evidence {
            delay_s: d,
            asyncio,
            largest_n: hi,
            mem_asyncio_kib: mem_per[&Mode::Asyncio],
            mem_threads_kib: mem_per[&Mode::Threads],
            cpu_asyncio_us: cpu_per[&Mode::Asyncio],
            cpu_tokio_us: cpu_per[&Mode::Tokio],
        }));
        outcome.notes.push(format!(
            "Each client is a fresh process; CPU time and peak anonymous memory are the whole \
             process's, sampled from outside, so they include the interpreter (Python) — the \
             per-request table takes CPU differences between N = {lo} and N = {hi}, where that \
             fixed part cancels, and memory above the sequential client's (same interpreter, one \
             request in flight), divided by the most requests each client had open at once. The server is a separate process and is not counted. Sequential \
             runs make {SEQUENTIAL_MAX} requests; larger N are projected (× N / \
             {SEQUENTIAL_MAX}) and labelled."
        ));
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
}
