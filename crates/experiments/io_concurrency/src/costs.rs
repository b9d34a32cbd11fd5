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

/// The figure `f` of `mode` at `n` in each round that ran it.
fn per_round(samples: &Samples, mode: Mode, n: u64, f: impl Fn(&Sample) -> f64) -> Vec<f64> {
    samples
        .get(&(mode, n))
        .map_or_else(Vec::new, |ss| ss.iter().map(f).collect())
}

/// The figure `f` of `mode` at `n` indexed by round: NaN in a round that did not run it
/// (rounds past the minimum run only the clients of the claims within noise), so figures of
/// two clients pair by round and a pair with a NaN is left out. Empty when it never ran.
fn by_round(samples: &Samples, mode: Mode, n: u64, f: impl Fn(&Sample) -> f64) -> Vec<f64> {
    let Some(ss) = samples.get(&(mode, n)) else {
        return Vec::new();
    };
    let taken = samples
        .values()
        .flatten()
        .map(|s| s.round + 1)
        .max()
        .unwrap_or(0);
    let mut out = vec![f64::NAN; taken];
    for s in ss {
        out[s.round] = f(s);
    }
    out
}

/// The clients (mode, N) claim `id` reads — in its cases or its evidence — so a round past
/// the minimum runs only what the claims within noise read. An unknown id reads nothing.
pub fn reads(id: &str, plan: &Plan) -> Vec<(Mode, u64)> {
    use crate::judge::ids;
    let (lo, hi) = plan.largest_two();
    let both = |m: Mode| [(m, lo), (m, hi)];
    match id {
        ids::ASYNCIO_NEAR_IDEAL => plan.ns.iter().map(|&n| (Mode::Asyncio, n)).collect(),
        ids::ASYNCIO_LIGHTER_THAN_THREADS => vec![
            (Mode::Asyncio, hi),
            (Mode::Threads, hi),
            (Mode::Sequential, hi),
        ],
        ids::TOKIO_CHEAPER => [both(Mode::Tokio), both(Mode::Asyncio)].concat(),
        ids::UVLOOP_CHEAPER => [both(Mode::AsyncioUvloop), both(Mode::Asyncio)].concat(),
        ids::TO_THREAD_RESPONSIVE => vec![
            (Mode::AsyncioToThread, plan.ns[0]),
            (Mode::AsyncioBlocking, plan.ns[0]),
        ],
        _ => Vec::new(),
    }
}

/// CPU per request made, µs, marginal between the two largest N, by round (NaN where the
/// round did not run both): fixed costs (interpreter start-up, imports) cancel out.
pub fn cpu_marginal_us(samples: &Samples, plan: &Plan, mode: Mode) -> Vec<f64> {
    let (lo, hi) = plan.largest_two();
    cpu_marginal_between(samples, mode, lo, hi)
}

/// CPU per request made, µs, marginal from `lo` to `hi` requests, by round (NaN where the
/// round did not run both).
pub fn cpu_marginal_between(samples: &Samples, mode: Mode, lo: u64, hi: u64) -> Vec<f64> {
    let (a, b) = (
        by_round(samples, mode, lo, |s| s.cpu_s),
        by_round(samples, mode, hi, |s| s.cpu_s),
    );
    a.iter()
        .zip(&b)
        .map(|(a, b)| (b - a) / (hi - lo) as f64 * 1e6)
        .collect()
}

/// Memory per request *in flight* at the largest N, KiB, by round, above a baseline with
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
        by_round(samples, mode, hi, |s| s.peak_anon_kib),
        by_round(samples, mode, hi, |s| s.report.max_in_flight as f64),
    );
    let (base_mem, base_flight) = (
        by_round(samples, base_mode, base_n, |s| s.peak_anon_kib),
        by_round(samples, base_mode, base_n, |s| {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::judge::{self, ids};
    use crate::net::ClientReport;
    use pyproof_harness::Scale;

    /// Six rounds of every client of the default plan, each (mode, N, round) with its own
    /// figures, so any sample a judge reads moves its text.
    fn six_rounds(plan: &Plan) -> Samples {
        let mut samples = Samples::new();
        for round in 0..6 {
            for (i, &n) in plan.ns.iter().enumerate() {
                for (j, mode) in Mode::ALL.into_iter().enumerate() {
                    let x = (1.0 + 0.05 * (i * 10 + j) as f64) * (1.0 + 0.13 * round as f64);
                    let sample = Sample {
                        round,
                        report: ClientReport {
                            mode: mode.id().into(),
                            n,
                            ok: n,
                            errors: 0,
                            first_error: None,
                            wall_s: 0.05 * x,
                            // One at a time for the sequential client (the memory
                            // baseline), a share of N for the others.
                            max_in_flight: if mode == Mode::Sequential {
                                1
                            } else {
                                (n as f64 * x / 3.0) as u64
                            },
                            loop_lag_max_ms: Some(x),
                            executor_width: Some(6),
                        },
                        cpu_s: n as f64 * 1e-5 * x,
                        peak_anon_kib: n as f64
                            * x
                            * if mode == Mode::Sequential { 0.1 } else { 1.0 },
                    };
                    samples.entry((mode, n)).or_default().push(sample);
                }
            }
        }
        samples
    }

    #[test]
    fn each_claim_reads_only_the_clients_it_names_so_later_rounds_can_skip_the_rest() {
        let plan = Plan::new(Scale::Default);
        let all = six_rounds(&plan);
        let judged = |samples: &Samples, id: &str| {
            judge::judge(&evidence(samples, &plan, 0.05))
                .into_iter()
                .find(|j| j.claim_id == id)
                .unwrap()
        };
        for id in ids::ALL {
            let named = reads(id, &plan);
            assert!(!named.is_empty(), "{id} names no client");
            // Rounds 4–6 of what the claim names only, as a targeted run takes them…
            let targeted: Samples = all
                .iter()
                .map(|(key, ss)| {
                    let kept = ss
                        .iter()
                        .filter(|s| s.round < 3 || named.contains(key))
                        .cloned()
                        .collect();
                    (*key, kept)
                })
                .collect();
            // …against every client in every round: the claim must not see the difference.
            assert_eq!(
                judged(&targeted, id),
                judged(&all, id),
                "{id} reads more than it names"
            );
        }
    }

    #[test]
    fn figures_of_two_clients_pair_by_round_not_by_position() {
        let plan = Plan::new(Scale::Default);
        let mut samples = six_rounds(&plan);
        // Tokio ran in rounds 1–3 and 6 only: its marginal CPU has NaN in rounds 4 and 5.
        let (lo, hi) = plan.largest_two();
        for n in [lo, hi] {
            samples
                .get_mut(&(Mode::Tokio, n))
                .unwrap()
                .retain(|s| s.round < 3 || s.round == 5);
        }
        let tokio = cpu_marginal_us(&samples, &plan, Mode::Tokio);
        assert_eq!(tokio.len(), 6);
        assert!(tokio[3].is_nan() && tokio[4].is_nan() && tokio[5].is_finite());
        let asyncio = cpu_marginal_us(&samples, &plan, Mode::Asyncio);
        assert!(asyncio.iter().all(|x| x.is_finite()));
        // A client that never ran has no figures at all (uvloop not installed: skipped).
        samples.retain(|(m, _), _| *m != Mode::AsyncioUvloop);
        assert!(cpu_marginal_us(&samples, &plan, Mode::AsyncioUvloop).is_empty());
    }
}
