//! The costs the claims are judged on, round by round: asyncio's wall time at each N, the
//! memory each client holds per request in flight, and the CPU each spends per connection.
//!
//! Every figure is computed within one round (the clients of a round ran minutes apart at
//! most, interleaved), so a slow moment of the machine moves both sides of a ratio.

use crate::judge::{AsyncioRun, Blocking, Evidence};
use crate::{Mode, Plan, Sample};
use pyproof_harness::median;
use std::collections::BTreeMap;

/// The samples of every client, in round order, by (mode, N).
pub type Samples = BTreeMap<(Mode, u64), Vec<Sample>>;

/// The figure `f` of `mode` at `n` in each round.
fn per_round(samples: &Samples, mode: Mode, n: u64, f: impl Fn(&Sample) -> f64) -> Vec<f64> {
    samples
        .get(&(mode, n))
        .map_or_else(Vec::new, |ss| ss.iter().map(f).collect())
}

/// CPU per request made, µs, marginal between the two largest N, per round: fixed costs
/// (interpreter start-up, imports) cancel out.
pub fn cpu_marginal_us(samples: &Samples, plan: &Plan, mode: Mode) -> Vec<f64> {
    let (lo, hi) = plan.largest_two();
    let (a, b) = (
        per_round(samples, mode, lo, |s| s.cpu_s),
        per_round(samples, mode, hi, |s| s.cpu_s),
    );
    a.iter()
        .zip(&b)
        .map(|(a, b)| (b - a) / (hi - lo) as f64 * 1e6)
        .collect()
}

/// Memory per request *in flight* at the largest N, KiB, per round, above a baseline with
/// (almost) nothing in flight in the same round: the sequential client (one request at a
/// time, same interpreter and imports) for Python, tokio's own smallest N for tokio. A
/// request that has already finished holds nothing, so dividing by N would flatter slow
/// starters. NaN in a round where in-flight did not grow.
pub fn mem_per_in_flight_kib(samples: &Samples, plan: &Plan, mode: Mode) -> Vec<f64> {
    let (_, hi) = plan.largest_two();
    let (base_mode, base_n) = if mode == Mode::Tokio {
        (Mode::Tokio, plan.ns[0])
    } else {
        (Mode::Sequential, hi)
    };
    let (mem, flight) = (
        per_round(samples, mode, hi, |s| s.peak_anon_kib),
        per_round(samples, mode, hi, |s| s.report.max_in_flight as f64),
    );
    let (base_mem, base_flight) = (
        per_round(samples, base_mode, base_n, |s| s.peak_anon_kib),
        per_round(samples, base_mode, base_n, |s| {
            s.report.max_in_flight as f64
        }),
    );
    (0..mem.len().min(base_mem.len()))
        .map(|r| {
            let d_flight = flight[r] - base_flight[r];
            if d_flight >= 1.0 {
                (mem[r] - base_mem[r]) / d_flight
            } else {
                f64::NAN
            }
        })
        .collect()
}

/// Everything the three claims are judged on.
pub fn evidence(samples: &Samples, plan: &Plan, delay_s: f64) -> Evidence {
    let (_, hi) = plan.largest_two();
    let asyncio = plan
        .ns
        .iter()
        .filter_map(|&n| {
            let ss = samples.get(&(Mode::Asyncio, n))?;
            Some(AsyncioRun {
                n,
                walls_s: ss.iter().map(|s| s.report.wall_s).collect(),
                errors: ss.iter().map(|s| s.report.errors).sum(),
            })
        })
        .collect();
    let at_hi = |mode, f: fn(&Sample) -> f64| median(&per_round(samples, mode, hi, f));
    Evidence {
        delay_s,
        asyncio,
        largest_n: hi,
        mem_asyncio_kib: mem_per_in_flight_kib(samples, plan, Mode::Asyncio),
        mem_threads_kib: mem_per_in_flight_kib(samples, plan, Mode::Threads),
        peak_mib: [Mode::Asyncio, Mode::Threads].map(|m| at_hi(m, |s| s.peak_anon_kib / 1024.0)),
        in_flight: [Mode::Asyncio, Mode::Threads]
            .map(|m| at_hi(m, |s| s.report.max_in_flight as f64)),
        cpu_asyncio_us: cpu_marginal_us(samples, plan, Mode::Asyncio),
        cpu_tokio_us: cpu_marginal_us(samples, plan, Mode::Tokio),
        cpu_uvloop_us: cpu_marginal_us(samples, plan, Mode::AsyncioUvloop),
        wall_hi_s: [Mode::Asyncio, Mode::AsyncioUvloop].map(|m| at_hi(m, |s| s.report.wall_s)),
        blocking: blocking(samples, plan),
    }
}

/// The blocking-in-asyncio clients at the smallest N.
fn blocking(samples: &Samples, plan: &Plan) -> Blocking {
    let n = plan.ns[0];
    let lag = |mode| {
        per_round(samples, mode, n, |s| {
            s.report.loop_lag_max_ms.unwrap_or(f64::NAN)
        })
    };
    let to_thread = samples.get(&(Mode::AsyncioToThread, n));
    Blocking {
        n,
        lag_to_thread_ms: lag(Mode::AsyncioToThread),
        lag_blocking_ms: lag(Mode::AsyncioBlocking),
        executor_width: to_thread.and_then(|ss| ss.iter().find_map(|s| s.report.executor_width)),
        to_thread_wall_s: median(&per_round(samples, Mode::AsyncioToThread, n, |s| {
            s.report.wall_s
        })),
        to_thread_in_flight: median(&per_round(samples, Mode::AsyncioToThread, n, |s| {
            s.report.max_in_flight as f64
        })),
        errors: [Mode::AsyncioToThread, Mode::AsyncioBlocking]
            .iter()
            .filter_map(|m| samples.get(&(*m, n)))
            .flatten()
            .map(|s| s.report.errors)
            .sum(),
    }
}
