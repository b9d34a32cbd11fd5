//! The verdict rules of gil_contention: pure functions over the measured numbers, each
//! unit-tested with made-up numbers on every branch.

use crate::interpreters::Race;
use crate::timeline::TimelineStats;
use crate::workload::{Family, Mode, Variant};
use crate::{
    CONVOY, LATENCY, NO_SPEEDUP, OVERLAP_CEILING, PROCESS_SLOWDOWN, THROUGHPUT, WAIT,
    run_attached::Samples, scales, scaling_floor,
};
use crate::{convoy, gil_wait};
use pyproof_harness::{
    BuildVerdict, Case, Judgement, RoundBudget, Standing, Threshold, Verdict, format_number,
    judge_cases, one_core,
};

/// The claims' ids, declared once: `claims()` declares them, the judges judge them.
pub mod ids {
    /// Claim (a).
    pub const THREADS_NO_SPEEDUP: &str = "threads_no_speedup";
    /// Claim (b).
    pub const PROCESSES_SCALE: &str = "processes_scale";
    /// Claim (c).
    pub const NATIVE_RELEASE_SCALES: &str = "native_release_scales";
    /// Claim (d).
    pub const NO_PARALLEL_BYTECODE: &str = "no_parallel_bytecode";
    /// Claim (e).
    pub const NUMPY_THREADS_SCALE: &str = "numpy_threads_scale";
    /// Claim (f).
    pub const CONVOY_EFFECT: &str = "convoy_effect";
    /// Claim (g).
    pub const SWITCH_INTERVAL_TRADEOFF: &str = "switch_interval_tradeoff";
    /// Claim (h).
    pub const GIL_WAIT_TRACKS_INTERVAL: &str = "gil_wait_tracks_interval";
    /// Claim (i).
    pub const EVERY_INTERPRETER: &str = "every_interpreter";
    /// Claim (j).
    pub const NOT_THREAD_SAFE: &str = "gil_not_thread_safe";
    /// Every claim, in the order declared.
    pub const ALL: [&str; 10] = [
        THREADS_NO_SPEEDUP,
        PROCESSES_SCALE,
        NATIVE_RELEASE_SCALES,
        NO_PARALLEL_BYTECODE,
        NUMPY_THREADS_SCALE,
        CONVOY_EFFECT,
        SWITCH_INTERVAL_TRADEOFF,
        GIL_WAIT_TRACKS_INTERVAL,
        EVERY_INTERPRETER,
        NOT_THREAD_SAFE,
    ];
}

/// Past the budget's minimum, the families of work a round of the first part runs: those
/// of the claims within noise that could still leave it (`budget`'s
/// [`RoundBudget::wants_more`]) — (a) and (b) pure Python (with its cold pools), (c) the
/// Rust kernel holding and releasing the GIL (and plain Rust threads), (e) NumPy. A family runs whole (its sequential
/// run and every pool), so its speedups stay paired round by round. Empty when none.
pub(crate) fn families_within_noise(judged: &[Judgement], budget: &RoundBudget) -> Vec<Family> {
    let mut families = Vec::new();
    for j in judged.iter().filter(|j| budget.wants_more(j)) {
        let of: &[Family] = match j.claim_id.as_str() {
            ids::THREADS_NO_SPEEDUP | ids::PROCESSES_SCALE => &[Family::Python],
            // With the plain Rust threads beside it: the note compares the released kernel
            // with them in the same rounds.
            ids::NATIVE_RELEASE_SCALES => {
                &[Family::NativeHold, Family::NativeRelease, Family::RustOnly]
            }
            ids::NUMPY_THREADS_SCALE => &[Family::Numpy],
            _ => &[],
        };
        for f in of {
            if !families.contains(f) {
                families.push(*f);
            }
        }
    }
    families
}

pub(crate) fn judge(
    samples: &Samples,
    tl: &TimelineStats,
    switch_interval: f64,
    ks: &[usize],
    cores: usize,
    has_numpy: bool,
) -> Vec<Judgement> {
    // Every case on the paired per-round speedups' 95% interval against its bar.
    let cases = |family: Family, mode: fn(usize) -> Mode, bar: &dyn Fn(usize) -> Threshold| {
        ks.iter()
            .map(|&k| {
                let v = Variant {
                    family,
                    mode: mode(k),
                };
                bar(k).case(format!("k={k}"), "", &samples.speedups(v), "×")
            })
            .collect::<Vec<_>>()
    };
    let mut out = Vec::new();

    out.push(
        one_core(
            ids::THREADS_NO_SPEEDUP,
            cores,
            "threads could not run in parallel even without a GIL, so no speedup says nothing",
        )
        .unwrap_or_else(|| {
            judge_cases(
                ids::THREADS_NO_SPEEDUP,
                &cases(Family::Python, Mode::Threads, &|_| NO_SPEEDUP),
            )
        }),
    );

    out.push(
        one_core(
            ids::PROCESSES_SCALE,
            cores,
            "no parallel speedup is possible",
        )
        .unwrap_or_else(|| {
            // Warm (the steady state) and run once (a cold pool's start and shutdown added,
            // measured in the same round).
            let mut all = cases(Family::Python, Mode::Processes, &|k| scales(k, cores));
            for c in &mut all {
                c.label = format!("{}, warm", c.label);
            }
            all.extend(
                ks.iter()
                    .filter(|k| samples.cold.contains_key(k))
                    .map(|&k| {
                        scales(k, cores).case(
                            format!("k={k}, run once"),
                            "with the pool's start",
                            &samples.cold_speedups(k),
                            "×",
                        )
                    }),
            );
            judge_cases(ids::PROCESSES_SCALE, &all)
        }),
    );

    out.push(
        one_core(
            ids::NATIVE_RELEASE_SCALES,
            cores,
            "no parallel speedup is possible",
        )
        .unwrap_or_else(|| {
            let both: Vec<Case> = ks
                .iter()
                .map(|&k| {
                    let threads = |family| Variant {
                        family,
                        mode: Mode::Threads(k),
                    };
                    let rel = scales(k, cores).case(
                        "",
                        "released",
                        &samples.speedups(threads(Family::NativeRelease)),
                        "×",
                    );
                    let hold = NO_SPEEDUP.case(
                        "",
                        "held",
                        &samples.speedups(threads(Family::NativeHold)),
                        "×",
                    );
                    let detail = format!("{} vs {}", rel.detail, hold.detail);
                    Case::both(format!("k={k}"), &rel, &hold, detail)
                })
                .collect();
            judge_cases(ids::NATIVE_RELEASE_SCALES, &both)
        }),
    );

    out.push(
        one_core(
            ids::NO_PARALLEL_BYTECODE,
            cores,
            "two threads cannot run at the same moment on one core, GIL or not",
        )
        .unwrap_or_else(|| {
            let frac = tl.overlap_fraction();
            let detail = format!(
                "the two threads overlapped for {}% of {} s, switched {} times, and kept running \
             for a median {} s per turn (switch interval {} s)",
                format_number(frac * 100.0),
                format_number(tl.span_ns as f64 / 1e9),
                tl.switches,
                format_number(tl.median_run_s()),
                format_number(switch_interval),
            );
            let verdict = if tl.stamps == 0 {
                Verdict::Inconclusive
            } else if frac <= OVERLAP_CEILING {
                Verdict::Confirmed
            } else {
                Verdict::Refuted
            };
            Judgement::new(ids::NO_PARALLEL_BYTECODE, verdict, detail)
        }),
    );

    out.push(if !has_numpy {
        Judgement::new(
            ids::NUMPY_THREADS_SCALE,
            Verdict::Skipped,
            "numpy is not installed in the venv (pip install -r python/requirements.txt)",
        )
    } else if let Some(j) = one_core(
        ids::NUMPY_THREADS_SCALE,
        cores,
        "no parallel speedup is possible",
    ) {
        j
    } else {
        judge_cases(
            ids::NUMPY_THREADS_SCALE,
            &cases(Family::Numpy, Mode::Threads, &|k| scales(k, cores)),
        )
    });
    out
}

/// One interpreter's part of claim (i).
#[derive(Debug, Clone, PartialEq)]
pub struct InterpreterCase {
    /// How the evidence names it ("Python 3.13.15 (free-threaded, GIL off)").
    pub label: String,
    /// Its build as the report lists it: the version, `t` for free-threaded ("3.13.15t").
    pub build: String,
    /// A free-threaded build running with the GIL off.
    pub gil_off: bool,
    /// Per-round speedups of 2 threads over one.
    pub speedups: Vec<f64>,
}

/// Whether one interpreter's case of claim (i) lies within noise of its bar (no speedup
/// for a GIL build, scaling for a free-threaded one with the GIL off) and more rounds, up to
/// `max_rounds` in all, could decide it ([`pyproof_harness::rounds_to_settle`]: a median
/// sitting on the bar gets none).
pub fn interpreter_within_noise(case: &InterpreterCase, cores: usize, max_rounds: usize) -> bool {
    if cores < 2 {
        return false;
    }
    let threshold = if case.gil_off {
        scales(2, cores)
    } else {
        NO_SPEEDUP
    };
    let c = threshold.case(case.label.clone(), "2 threads", &case.speedups, "×");
    c.standing == Standing::WithinNoise && c.rounds_to_settle.is_none_or(|r| r <= max_rounds)
}

/// Claim (i) over every interpreter measured; each build's verdict is kept beside the
/// judgement (the scorecard's "Outdated on …" reads it).
pub fn judge_interpreters(cases: &[InterpreterCase], cores: usize) -> Judgement {
    if let Some(j) = one_core(
        ids::EVERY_INTERPRETER,
        cores,
        "no interpreter can show parallel bytecode here",
    ) {
        return j;
    }
    if cases.is_empty() {
        return Judgement::new(
            ids::EVERY_INTERPRETER,
            Verdict::Inconclusive,
            "no interpreter measured",
        );
    }
    let floor = scaling_floor(2, cores);
    // Per build: a GIL build holds the claim with no speedup and fails it otherwise; a
    // free-threaded one fails it when it scales and, when it clearly does not, shows
    // neither side (no speedup is not a GIL) — reported, not counted.
    let mut judged = Vec::new();
    let mut neither = Vec::new();
    let mut builds = Vec::new();
    // The labels name the build already ("Python 3.13.15 (free-threaded, GIL off)").
    for c in cases {
        let name = c.label.clone();
        let holds = if !c.gil_off {
            let case = NO_SPEEDUP.case(name, "2 threads", &c.speedups, "×");
            let holds = case.standing.decided();
            judged.push(case);
            holds
        } else {
            let scaled = scales(2, cores).case(name.clone(), "2 threads", &c.speedups, "×");
            match scaled.standing {
                Standing::Holds => {
                    judged.push(Case::judged(
                        name,
                        Standing::Fails,
                        format!("{} (scaled)", scaled.detail),
                    ));
                    Some(false)
                }
                Standing::WithinNoise => {
                    judged.push(scaled);
                    None
                }
                Standing::Fails => {
                    neither.push(format!("{name} {}", scaled.detail));
                    None
                }
            }
        };
        builds.push(BuildVerdict {
            build: c.build.clone(),
            free_threaded: c.gil_off,
            holds,
        });
    }
    if judged.is_empty() {
        return Judgement::new(
            ids::EVERY_INTERPRETER,
            Verdict::Inconclusive,
            format!("no build showed either side: {}", neither.join("; ")),
        );
    }
    let mut j = judge_cases(ids::EVERY_INTERPRETER, &judged);
    if !neither.is_empty() {
        j.evidence = format!(
            "{}; showing neither side (free-threaded, below {}×): {}",
            j.evidence,
            format_number(floor),
            neither.join("; ")
        );
    }
    j.builds = builds;
    j
}

/// Claim (h) over the cells with one spinning thread.
pub fn judge_gil_wait(cells: &[gil_wait::WaitCell], cores: usize) -> Judgement {
    if let Some(j) = one_core(
        ids::GIL_WAIT_TRACKS_INTERVAL,
        cores,
        "the waiting thread and the spinning one share it, so the \
             wait measures the scheduler, not the GIL",
    ) {
        return j;
    }
    let cases: Vec<Case> = cells
        .iter()
        .filter(|c| c.spinners == 1 && c.interval_s >= 0.001)
        .map(|c| {
            let label = format!("{} ms", format_number(c.interval_s * 1e3));
            let free = format!(
                "{}% found the GIL free",
                format_number(c.found_free() * 100.0)
            );
            let held = c.held_waits_s();
            // Mostly free: the typical attach did not wait at all, which is not "about one
            // interval" — it fails on the count, whatever the held ones waited.
            if c.found_free() > 0.5 {
                return Case::judged(
                    label,
                    Standing::Fails,
                    format!(
                        "{} of {} attaches found the GIL free — the typical attach waited \
                         for nothing",
                        c.waits_s.len() - held.len(),
                        c.waits_s.len()
                    ),
                );
            }
            // Every attach that found the GIL held is a sample: the interval is of their
            // median, in intervals. Those that found it free are counted apart: a wait of
            // microseconds among waits of an interval sinks the logarithms' mean, and with
            // it the t interval's lower end (a dozen attaches at 100 ms, one of them free,
            // gave 0.060–2.84 around a median of 1.00×).
            let ratios: Vec<f64> = held.iter().map(|w| w / c.interval_s).collect();
            let mut case = WAIT.case(label, "median wait", &ratios, "×", "held attach");
            case.detail.push_str(&format!(" ({free}, counted apart)"));
            case
        })
        .collect();
    let mut j = judge_cases(ids::GIL_WAIT_TRACKS_INTERVAL, &cases);
    // Beside more spinning threads the wait is several intervals: reported, not judged.
    let more: Vec<String> = cells
        .iter()
        .filter(|c| c.spinners > 1 && c.interval_s >= 0.001)
        .map(|c| {
            format!(
                "{} ms: {}×",
                format_number(c.interval_s * 1e3),
                format_number(c.quantile(0.5) / c.interval_s)
            )
        })
        .collect();
    if let Some(n) = cells.iter().map(|c| c.spinners).filter(|&n| n > 1).max() {
        j.evidence = format!(
            "{}. Beside {n} spinning threads (not judged): median wait {}",
            j.evidence,
            more.join(", ")
        );
    }
    j
}

/// Claim (f) over the convoy rounds (each: alone, 1 thread, 2 threads, process), each half
/// on its paired per-round ratio: alone ÷ beside a thread, alone ÷ beside a process.
pub fn judge_convoy(rounds: &[Vec<convoy::IoCell>], cores: usize) -> Judgement {
    use convoy::Load;
    if let Some(j) = one_core(
        ids::CONVOY_EFFECT,
        cores,
        "a CPU-bound process competes with the I/O thread for the \
             core, so threads and processes cannot be told apart",
    ) {
        return j;
    }
    let per_round = |load: Load| -> Vec<f64> {
        rounds
            .iter()
            .filter_map(|cells| {
                let rps = |l: Load| cells.iter().find(|c| c.load == l).map(|c| c.rps());
                Some(rps(Load::Alone)? / rps(load)?.max(1e-9))
            })
            .collect()
    };
    let (thread, process) = (per_round(Load::Threads(1)), per_round(Load::Process));
    if thread.is_empty() || process.is_empty() {
        return Judgement::new(
            ids::CONVOY_EFFECT,
            Verdict::Inconclusive,
            "a condition was not measured",
        );
    }
    let cases = [
        CONVOY.case(
            "the thread half",
            "alone ÷ beside 1 CPU-bound thread",
            &thread,
            "×",
        ),
        PROCESS_SLOWDOWN.case(
            "the process half",
            "alone ÷ beside a CPU-bound process",
            &process,
            "×",
        ),
    ];
    let mut j = judge_cases(ids::CONVOY_EFFECT, &cases);
    let two = per_round(Load::Threads(2));
    if !two.is_empty() {
        j.evidence = format!(
            "{}. Beside 2 CPU-bound threads (not judged): {}× fewer requests/s",
            j.evidence,
            format_number(pyproof_harness::median(&two))
        );
    }
    j
}

/// Claim (g) over the switch-interval sweep's rounds (1 CPU-bound thread): the latency half
/// per interval ≥ 1 ms (the median latency of the requests that waited ÷ interval, per round,
/// within the band; the share of requests answered without a wait reported), the
/// throughput half on the paired per-round ratio of the CPU thread's work/s at the shortest
/// interval to that at the longest.
pub fn judge_switch(rounds: &[Vec<convoy::IoCell>], cores: usize) -> Judgement {
    if let Some(j) = one_core(
        ids::SWITCH_INTERVAL_TRADEOFF,
        cores,
        "the OS scheduler, not the switch interval, decides who runs",
    ) {
        return j;
    }
    let mut intervals: Vec<f64> = rounds
        .iter()
        .flatten()
        .map(|c| c.interval_s)
        .filter(|&i| i >= 0.001)
        .collect();
    intervals.sort_by(|a, b| b.total_cmp(a));
    intervals.dedup();
    // Per interval ≥ 1 ms, the median latency of each round's requests that waited, in switch
    // intervals, and the share of the interval's requests (every round's) answered at once.
    let mut at_once = Vec::new();
    let cases: Vec<Case> = intervals
        .iter()
        .map(|&interval| {
            let cells: Vec<&convoy::IoCell> = rounds
                .iter()
                .flatten()
                .filter(|c| c.interval_s == interval && !c.latencies_s.is_empty())
                .collect();
            let ratios: Vec<f64> = cells.iter().map(|c| c.waited_median() / interval).collect();
            let label = format!("{} ms", format_number(interval * 1e3));
            let share = convoy::pooled(cells).answered_at_once();
            if share.is_finite() {
                at_once.push(format!("{label} {:.0}%", 100.0 * share));
            }
            LATENCY.case(label, "", &ratios, "×", "round")
        })
        .collect();
    let latency_case = Case::judged(
        "the latency half",
        cases
            .iter()
            .map(|c| c.standing)
            .reduce(Standing::and)
            .unwrap_or(Standing::WithinNoise),
        format!(
            "the median latency of the requests that waited ÷ the interval — {}; answered \
             without a wait (under {:.0}% of the interval, reported, not judged): {}",
            cases
                .iter()
                .map(|c| format!("{}: {}", c.label, c.detail))
                .collect::<Vec<_>>()
                .join("; "),
            crate::gil_wait::FREE_BELOW * 100.0,
            if at_once.is_empty() {
                "no requests".to_string()
            } else {
                at_once.join(", ")
            }
        ),
    );
    let throughput: Vec<f64> = rounds
        .iter()
        .filter_map(|cells| {
            let cpu = |pick: fn(f64, f64) -> bool| {
                cells
                    .iter()
                    .filter(|c| c.cpu_chunks_per_s.is_some())
                    .reduce(|a, b| {
                        if pick(b.interval_s, a.interval_s) {
                            b
                        } else {
                            a
                        }
                    })
                    .and_then(|c| c.cpu_chunks_per_s)
            };
            let (long, short) = (cpu(|a, b| a > b)?, cpu(|a, b| a < b)?);
            (long > 0.0).then_some(short / long)
        })
        .collect();
    let cases = [
        latency_case,
        THROUGHPUT.case(
            "the throughput half",
            "the CPU thread's work/s at the shortest interval ÷ at the longest",
            &throughput,
            "×",
        ),
    ];
    judge_cases(ids::SWITCH_INTERVAL_TRADEOFF, &cases)
}

/// Claim (j) over (label, lost-update count) per interpreter: a build holds it when the
/// unlocked read-call-write lost updates and the locked one lost none. Counted, not timed:
/// no interval, no noise margin.
pub fn judge_race(cases: &[(String, Race)]) -> Judgement {
    let judged: Vec<Case> = cases
        .iter()
        .map(|(label, r)| {
            let lost = r.lost.call_between;
            let standing = if lost > 0 && r.lost.locked == 0 {
                Standing::Holds
            } else {
                Standing::Fails
            };
            let of = |n: u64| format_number((r.threads * n) as f64);
            Case::judged(
                label.clone(),
                standing,
                format!(
                    "without a lock {} of {} updates lost ({}%), `+=` {} lost; with a lock {} \
                     of {} lost",
                    format_number(lost as f64),
                    of(r.per_thread),
                    format_number(100.0 * lost as f64 / (r.threads * r.per_thread) as f64),
                    format_number(r.lost.in_place as f64),
                    format_number(r.lost.locked as f64),
                    of(r.locked_per_thread)
                ),
            )
        })
        .collect();
    judge_cases(ids::NOT_THREAD_SAFE, &judged)
}

#[cfg(test)]
mod tests;
