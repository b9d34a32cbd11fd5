//! The verdict rules of gil_contention: pure functions over the measured numbers, each
//! unit-tested with made-up numbers on every branch.

use crate::timeline::TimelineStats;
use crate::workload::{Family, Mode, Variant};
use crate::{
    CONVOY_FACTOR, LATENCY_HIGH, OVERLAP_CEILING, PROCESS_FACTOR, THREAD_CEILING, THROUGHPUT_COST,
    WAIT_HIGH, WAIT_LOW, record::speedup_text, run_attached::Samples, scaling_floor,
};
use crate::{convoy, gil_wait};
use pyproof_harness::{Case, Judgement, Verdict, format_number, judge_cases, one_core};

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
    /// Every claim, in the order declared.
    pub const ALL: [&str; 9] = [
        THREADS_NO_SPEEDUP,
        PROCESSES_SCALE,
        NATIVE_RELEASE_SCALES,
        NO_PARALLEL_BYTECODE,
        NUMPY_THREADS_SCALE,
        CONVOY_EFFECT,
        SWITCH_INTERVAL_TRADEOFF,
        GIL_WAIT_TRACKS_INTERVAL,
        EVERY_INTERPRETER,
    ];
}

pub(crate) fn judge(
    samples: &Samples,
    tl: &TimelineStats,
    switch_interval: f64,
    ks: &[usize],
    cores: usize,
    has_numpy: bool,
) -> Vec<Judgement> {
    let cases = |family: Family, mode: fn(usize) -> Mode, pass: &dyn Fn(usize, f64) -> bool| {
        ks.iter()
            .map(|&k| {
                let s = samples.speedup(Variant {
                    family,
                    mode: mode(k),
                });
                Case::new(format!("k={k}"), pass(k, s.median), speedup_text(&s))
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
                &cases(Family::Python, Mode::Threads, &|_, x| x <= THREAD_CEILING),
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
            judge_cases(
                ids::PROCESSES_SCALE,
                &cases(Family::Python, Mode::Processes, &|k, x| {
                    x >= scaling_floor(k, cores)
                }),
            )
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
                    let rel = samples.speedup(Variant {
                        family: Family::NativeRelease,
                        mode: Mode::Threads(k),
                    });
                    let hold = samples.speedup(Variant {
                        family: Family::NativeHold,
                        mode: Mode::Threads(k),
                    });
                    Case::new(
                        format!("k={k}"),
                        rel.median >= scaling_floor(k, cores) && hold.median <= THREAD_CEILING,
                        format!(
                            "released {} vs held {}",
                            speedup_text(&rel),
                            speedup_text(&hold)
                        ),
                    )
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
            &cases(Family::Numpy, Mode::Threads, &|k, x| {
                x >= scaling_floor(k, cores)
            }),
        )
    });
    out
}

/// Claim (i) over (label, free-threaded with the GIL off, median speedup at k = 2) per
/// interpreter.
pub fn judge_interpreters(cases: &[(String, bool, f64)], cores: usize) -> Judgement {
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
    // Per build: a GIL build holds the claim at ≤ THREAD_CEILING and fails it above; a
    // free-threaded one fails it when it scales (≥ floor) and, below that, shows neither side
    // (no speedup is not a GIL) — reported, not counted.
    let mut judged = Vec::new();
    let mut neither = Vec::new();
    for (label, free_threaded, speedup) in cases {
        let name = if *free_threaded {
            format!("{label} (free-threaded)")
        } else {
            label.clone()
        };
        let detail = format!("{}× on 2 threads", format_number(*speedup));
        if !free_threaded {
            judged.push(Case::new(name, *speedup <= THREAD_CEILING, detail));
        } else if *speedup >= floor {
            judged.push(Case::new(name, false, format!("{detail} (scaled)")));
        } else {
            neither.push(format!("{name} {detail}"));
        }
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
            let ratio = c.quantile(0.5) / c.interval_s;
            Case::new(
                format!("{} ms", format_number(c.interval_s * 1e3)),
                (WAIT_LOW..=WAIT_HIGH).contains(&ratio),
                format!(
                    "median {} ms = {}× ({} attaches, {}% found the GIL free)",
                    format_number(c.quantile(0.5) * 1e3),
                    format_number(ratio),
                    c.waits_s.len(),
                    format_number(c.found_free() * 100.0)
                ),
            )
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

/// Claim (f) over the convoy cells (alone, 1 thread, 2 threads, process).
pub fn judge_convoy(cells: &[convoy::IoCell], cores: usize) -> Judgement {
    use convoy::Load;
    if let Some(j) = one_core(
        ids::CONVOY_EFFECT,
        cores,
        "a CPU-bound process competes with the I/O thread for the \
             core, so threads and processes cannot be told apart",
    ) {
        return j;
    }
    let rps = |l: Load| {
        cells
            .iter()
            .find(|c| c.load == l)
            .map_or(f64::NAN, |c| c.rps())
    };
    let (alone, thread, process) = (rps(Load::Alone), rps(Load::Threads(1)), rps(Load::Process));
    let two = rps(Load::Threads(2));
    if !(alone > 0.0 && thread.is_finite() && process.is_finite()) {
        return Judgement::new(
            ids::CONVOY_EFFECT,
            Verdict::Inconclusive,
            "a condition was not measured",
        );
    }
    let (t, p) = (alone / thread.max(1e-9), alone / process.max(1e-9));
    let (thread_holds, process_holds) = (t >= CONVOY_FACTOR, p < PROCESS_FACTOR);
    let verdict = match (thread_holds, process_holds) {
        (true, true) => Verdict::Confirmed,
        (false, false) => Verdict::Refuted,
        _ => Verdict::Nuanced,
    };
    Judgement::new(
        ids::CONVOY_EFFECT,
        verdict,
        format!(
            "alone {} requests/s; beside 1 CPU-bound thread {} ({}× fewer{}); beside 2 \
             threads {} ({}× fewer); beside a CPU-bound process {} ({}×{})",
            format_number(alone),
            format_number(thread),
            format_number(t),
            if thread_holds {
                ""
            } else {
                ", under the 10× of the claim"
            },
            format_number(two),
            format_number(alone / two),
            format_number(process),
            format_number(p),
            if process_holds {
                ""
            } else {
                ", a slowdown too"
            },
        ),
    )
}

/// Claim (g) over the switch-interval sweep (1 CPU-bound thread).
pub fn judge_switch(sweep: &[convoy::IoCell], cores: usize) -> Judgement {
    if let Some(j) = one_core(
        ids::SWITCH_INTERVAL_TRADEOFF,
        cores,
        "the OS scheduler, not the switch interval, decides who runs",
    ) {
        return j;
    }
    let judged: Vec<&convoy::IoCell> = sweep.iter().filter(|c| c.interval_s >= 0.001).collect();
    let latency_holds = !judged.is_empty()
        && judged.iter().all(|c| {
            let r = c.quantile(0.5) / c.interval_s;
            (WAIT_LOW..=LATENCY_HIGH).contains(&r)
        });
    let cpu = |pick: fn(f64, f64) -> bool| {
        sweep
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
    let (long, short) = (cpu(|a, b| a > b), cpu(|a, b| a < b));
    let ratio = match (long, short) {
        (Some(l), Some(s)) if l > 0.0 => s / l,
        _ => f64::NAN,
    };
    let throughput_holds = ratio <= THROUGHPUT_COST;
    let verdict = match (latency_holds, throughput_holds) {
        (true, true) => Verdict::Confirmed,
        (false, false) => Verdict::Refuted,
        _ => Verdict::Nuanced,
    };
    let latencies = judged
        .iter()
        .map(|c| {
            format!(
                "{} ms: median {} ms ({}×)",
                format_number(c.interval_s * 1e3),
                format_number(c.quantile(0.5) * 1e3),
                format_number(c.quantile(0.5) / c.interval_s)
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    Judgement::new(
        ids::SWITCH_INTERVAL_TRADEOFF,
        verdict,
        format!(
            "latency {} the interval — {latencies}; the CPU thread did {}× the work/s at the \
             shortest interval that it did at the longest",
            if latency_holds {
                "tracks"
            } else {
                "does not track"
            },
            format_number(ratio)
        ),
    )
}

#[cfg(test)]
mod tests;
