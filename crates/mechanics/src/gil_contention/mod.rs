//! `gil_contention`: the sheet's first answer on trial.
//!
//! The same total CPU work W runs sequentially, split over k Python threads, over k spawned
//! processes, as a Rust kernel called from k threads with the GIL held and released, and as
//! NumPy ufuncs from k threads. Variants are interleaved round by round (the order rotates
//! every round) after a warm-up round, every sample is kept, and each speedup is computed
//! within its round against that round's sequential run. W is calibrated on the spot so the
//! sequential run takes the scale's target time on this machine and build.
//!
//! Beside them, the same Rust kernel on plain Rust threads (no Python at all) gives the
//! machine's own ceiling for this work *in this run*: on a shared virtual machine the second
//! core is not always a whole core, and the GIL-releasing kernel is judged against that.
//!
//! A second part records *which thread executed bytecode when* while two pure-Python threads
//! spin, and measures switches, how long a thread keeps the GIL, and whether they ever ran at
//! the same moment.
//!
//! A convoy part puts an I/O thread (an echo server in the embedded interpreter, driven by a
//! Rust client) beside CPU-bound threads, beside a CPU-bound process, and under a swept
//! switch interval ([`convoy`]).
//!
//! A third part times, from a plain Rust thread, how long it waits for the GIL while Python
//! threads spin, as the switch interval is swept ([`gil_wait`]).
//!
//! A fourth part runs the pure-Python threads workload under every interpreter on the machine
//! ([`interpreters`]): each CPython found on PATH, in pyenv, in `--python`, and a free-threaded
//! build when one is there.

pub mod convoy;
pub mod gil_wait;
pub mod interpreters;
pub mod timeline;
pub mod workload;

use pyo3::prelude::*;
use pyproof_core::{
    Bar, Case, Chart, Claim, Experiment, ExperimentError, Judgement, Lane, Measurement, Meta,
    Outcome, RunContext, Scale, Section, Summary, Table, Verdict, format_number, judge_cases,
    pairwise_ratios,
};
use pyproof_python::Interpreter;
use std::collections::BTreeMap;
use timeline::TimelineStats;
pub use workload::{Family, Mode, Pool, Variant, Workload};

/// The experiment.
#[derive(Debug, Clone, Copy, Default)]
pub struct GilContention;

/// The sheet's question.
pub const QUESTION: &str = "What is the GIL (Global Interpreter Lock)?";
/// The sheet's answer, word for word.
pub const SHEET_ANSWER: &str = "A mutex that prevents multiple native threads from executing \
Python bytecodes at once. This makes Python \"slow\" for CPU-bound multi-threading. Solution: \
Use `multiprocessing` or C-extensions like NumPy.";

/// What this experiment is about.
pub const META: Meta = Meta {
    id: "gil_contention",
    section: Section::CoreMechanics,
    question: QUESTION,
    sheet_answer: SHEET_ANSWER,
};

/// Claims (a) and the holding half of (c): threads give at most this speedup.
pub const THREAD_CEILING: f64 = 1.2;
/// Claims (b), (c), (e): a scaling variant reaches at least this fraction of min(k, cores).
pub const SCALING_FLOOR: f64 = 0.7;
/// Claim (d): two threads' running intervals overlap for at most this fraction of the time.
pub const OVERLAP_CEILING: f64 = 0.01;
/// Claim (f): a CPU-bound thread cuts the I/O thread's requests/s by at least this factor...
pub const CONVOY_FACTOR: f64 = 10.0;
/// ...and a CPU-bound process by less than this one.
pub const PROCESS_FACTOR: f64 = 2.0;
/// Claim (g): the echo's median latency at most this many switch intervals (a request needs
/// the GIL back after `recv` and after `send`).
pub const LATENCY_HIGH: f64 = 4.0;
/// Claim (g): "pays for short intervals" = the CPU thread's work/s at 0.1 ms at most this
/// fraction of its work/s at 100 ms.
pub const THROUGHPUT_COST: f64 = 0.95;
/// Claim (h): the median GIL wait counts as "about one switch interval" within these factors.
pub const WAIT_LOW: f64 = 0.5;
/// See [`WAIT_LOW`].
pub const WAIT_HIGH: f64 = 3.0;
/// The project's performance target for the GIL-releasing kernel at k = cores (a note, not
/// a claim of the sheet).
pub const RELEASE_TARGET: f64 = 0.95;

/// Sizes of one run.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// Thread/process counts: 2, 4 and the core count (≥ 2), deduplicated.
    pub ks: Vec<usize>,
    /// Measured rounds.
    pub reps: usize,
    /// Discarded warm-up rounds.
    pub warmup: usize,
    /// Calibrated time of one sequential run, seconds.
    pub target_s: f64,
    /// Length of the GIL timeline recording, seconds.
    pub timeline_s: f64,
    /// Deadline of any one measured call, seconds.
    pub timeout_s: f64,
}

impl Plan {
    /// The plan for a scale on a machine with `cores` usable cores.
    pub fn new(scale: Scale, cores: usize) -> Self {
        let (reps, target_s, timeline_s) = match scale {
            Scale::Quick => (5, 0.02, 0.05),
            Scale::Default => (5, 0.25, 0.5),
            Scale::Full => (9, 1.0, 2.0),
        };
        Plan {
            ks: thread_counts(cores),
            reps,
            warmup: 1,
            target_s,
            timeline_s,
            timeout_s: (target_s * 40.0).max(60.0),
        }
    }
}

/// 2, 4 and `cores`, without duplicates and without counts below 2.
pub fn thread_counts(cores: usize) -> Vec<usize> {
    let mut ks = vec![2, 4, cores];
    ks.retain(|&k| k >= 2);
    ks.sort_unstable();
    ks.dedup();
    ks
}

/// What a scaling variant must reach at `k` workers on `cores` cores.
pub fn scaling_floor(k: usize, cores: usize) -> f64 {
    SCALING_FLOOR * k.min(cores) as f64
}

fn ks_text(ks: &[usize]) -> String {
    ks.iter()
        .map(|k| k.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

impl Experiment for GilContention {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn bench(&self) -> Option<&'static str> {
        Some("gil_contention")
    }

    fn python_modules(&self) -> &'static [&'static str] {
        &["numpy"]
    }

    fn claims(&self, ctx: &RunContext<'_>) -> Vec<Claim> {
        let ks = ks_text(&thread_counts(ctx.cores));
        vec![
            Claim::new(
                "threads_no_speedup",
                "(a)",
                "k Python threads finish pure-Python CPU work no faster than one thread",
                format!("median speedup ≤ {THREAD_CEILING}× at every k in {{{ks}}}"),
            ),
            Claim::new(
                "processes_scale",
                "(b)",
                "k spawned processes (a warm pool) speed the same work up with the cores they get",
                format!("median speedup ≥ {SCALING_FLOOR}·min(k, cores) at every k in {{{ks}}}"),
            ),
            Claim::new(
                "native_release_scales",
                "(c)",
                "a Rust kernel that releases the GIL scales over k Python threads; the same \
                 kernel holding the GIL does not",
                format!(
                    "releasing: ≥ {SCALING_FLOOR}·min(k, cores); holding: ≤ {THREAD_CEILING}×; \
                     at every k in {{{ks}}}"
                ),
            ),
            Claim::new(
                "no_parallel_bytecode",
                "(d)",
                "two threads never execute Python bytecode at the same moment",
                format!(
                    "their running intervals overlap for ≤ {}% of the recorded time",
                    OVERLAP_CEILING * 100.0
                ),
            ),
            Claim::new(
                "numpy_threads_scale",
                "(e)",
                "NumPy ufuncs on large arrays release the GIL, so k threads speed them up",
                format!("median speedup ≥ {SCALING_FLOOR}·min(k, cores) at every k in {{{ks}}}"),
            ),
            Claim::new(
                "convoy_effect",
                "(f)",
                "beyond the sheet: a CPU-bound thread starves an I/O thread of the same \
                 interpreter (the convoy effect); the same work in a process does not",
                format!(
                    "echo requests/s of an I/O thread at the default 5 ms switch interval: alone ÷ \
                     beside 1 CPU-bound thread ≥ {CONVOY_FACTOR} (the thread half); alone ÷ beside \
                     a CPU-bound process < {PROCESS_FACTOR} (the process half). Confirmed when \
                     both hold, Nuanced when one does, Refuted when neither; Inconclusive on one \
                     core"
                ),
            ),
            Claim::new(
                "switch_interval_tradeoff",
                "(g)",
                "beyond the sheet: the switch interval trades the I/O thread's latency for the \
                 CPU thread's throughput",
                format!(
                    "beside 1 CPU-bound thread: the echo's median latency between {WAIT_LOW}× and \
                     {LATENCY_HIGH}× the interval at every interval ≥ 1 ms (the latency half); \
                     the CPU thread's work/s at 0.1 ms ≤ {THROUGHPUT_COST} × at 100 ms (the \
                     throughput half). Confirmed when both hold, Nuanced when one does, Refuted \
                     when neither; Inconclusive on one core"
                ),
            ),
            Claim::new(
                "gil_wait_tracks_interval",
                "(h)",
                "beyond the sheet: a thread that wants the GIL while Python code runs waits about \
                 one switch interval",
                format!(
                    "a Rust thread calling Python::attach while 1 Python thread spins: median wait \
                     between {WAIT_LOW}× and {WAIT_HIGH}× sys.setswitchinterval at every interval \
                     ≥ 1 ms (shorter ones are reported, not judged: the cost of switching itself \
                     is of their order); Inconclusive on one core"
                ),
            ),
            Claim::new(
                "every_interpreter",
                "(i)",
                "the GIL prevents parallel bytecode — under every CPython on this machine",
                format!(
                    "pure-Python work split over 2 threads, under each interpreter found: a GIL \
                     build holds the claim when its median speedup ≤ {THREAD_CEILING}×; a \
                     free-threaded build with the GIL off refutes it when ≥ {SCALING_FLOOR}·2. \
                     Confirmed when every build measured holds it, Nuanced when the GIL builds \
                     hold it and free-threaded ones refute it, Refuted when a GIL build scales; \
                     Inconclusive on one core"
                ),
            ),
        ]
    }

    fn run(&self, ctx: &RunContext<'_>) -> Result<Outcome, ExperimentError> {
        let interp = Interpreter::get()?;
        let plan = Plan::new(ctx.scale, ctx.cores);
        let mut outcome = interp.attach(|py| run_attached(py, interp, ctx, &plan))?;
        convoy_part(&mut outcome, ctx, interp)?;
        gil_wait_part(&mut outcome, ctx, interp)?;
        every_interpreter(&mut outcome, ctx, &interp.python_dir)?;
        Ok(outcome)
    }
}

/// Every sample of every variant, in run order (warm-up excluded).
struct Samples {
    seconds: BTreeMap<Variant, Vec<f64>>,
}

impl Samples {
    fn seconds(&self, v: Variant) -> &[f64] {
        self.seconds.get(&v).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Speedups of `v` over its family's sequential run, round by round.
    fn speedups(&self, v: Variant) -> Vec<f64> {
        let seq = Variant {
            family: v.family,
            mode: Mode::Sequential,
        };
        pairwise_ratios(self.seconds(seq), self.seconds(v))
    }

    fn speedup(&self, v: Variant) -> Summary {
        Summary::of(&self.speedups(v))
    }
}

fn run_attached(
    py: Python<'_>,
    interp: &Interpreter,
    ctx: &RunContext<'_>,
    plan: &Plan,
) -> Result<Outcome, ExperimentError> {
    let mut outcome = Outcome::of(&META, ctx.scale);
    let wl = Workload::load(py, interp)?;
    let has_numpy = wl.has_numpy()?;
    let families: Vec<Family> = Family::ALL
        .into_iter()
        .filter(|f| *f != Family::Numpy || has_numpy)
        .collect();

    let mut variants = Vec::new();
    for &family in &families {
        variants.push(Variant {
            family,
            mode: Mode::Sequential,
        });
        for &k in &plan.ks {
            variants.push(Variant {
                family,
                mode: Mode::Threads(k),
            });
            if family == Family::Python {
                variants.push(Variant {
                    family,
                    mode: Mode::Processes(k),
                });
            }
        }
    }
    let rounds = plan.warmup + plan.reps;
    let total_steps = families.len() + plan.ks.len() + rounds * variants.len() + 1;
    let mut step = 0;
    let mut progress = |label: &str| {
        ctx.progress.update(label, step, total_steps);
        step += 1;
    };

    // Every worker must get several units, or a split measures idle threads, not the GIL.
    let min_units = 8 * plan.ks.iter().copied().max().unwrap_or(1) as u64;
    let mut units = BTreeMap::new();
    for &family in &families {
        progress(&format!("calibrating {}", family.label()));
        let calibrated = wl.calibrate(family, plan.target_s, plan.timeout_s)?;
        units.insert(family, calibrated.max(min_units));
    }

    let mut pools: Vec<Pool<'_>> = Vec::new();
    let measured = (|| -> Result<Samples, ExperimentError> {
        for &k in &plan.ks {
            progress(&format!("starting a pool of {k} spawned processes"));
            pools.push(wl.open_pool(k, plan.timeout_s)?);
        }
        let mut seconds: BTreeMap<Variant, Vec<f64>> = BTreeMap::new();
        let mut answers: BTreeMap<Family, u64> = BTreeMap::new();
        for round in 0..rounds {
            // Rotate the order every round so no variant always runs right after another.
            let offset = round % variants.len();
            for &v in variants[offset..].iter().chain(&variants[..offset]) {
                progress(&format!(
                    "{} {}/{}: {v}",
                    if round < plan.warmup {
                        "warm-up"
                    } else {
                        "round"
                    },
                    (round + 1).saturating_sub(plan.warmup).max(1),
                    if round < plan.warmup {
                        plan.warmup
                    } else {
                        plan.reps
                    }
                ));
                let pool = match v.mode {
                    Mode::Processes(k) => pools.iter().find(|p| p.k == k),
                    _ => None,
                };
                let (secs, answer) = wl.measure(v, units[&v.family], plan.timeout_s, pool)?;
                let expected = *answers.entry(v.family).or_insert(answer);
                if answer != expected {
                    return Err(ExperimentError::Inconsistent(format!(
                        "{v} computed {answer}, the first run of its family {expected}"
                    )));
                }
                if round >= plan.warmup {
                    seconds.entry(v).or_default().push(secs);
                }
            }
        }
        Ok(Samples { seconds })
    })();
    let startups: Vec<(usize, f64)> = pools.iter().map(|p| (p.k, p.startup_s)).collect();
    for pool in pools {
        pool.close()?;
    }
    let samples = measured?;

    progress("recording the GIL timeline of two spinning threads");
    let (stamps, switch_interval) = wl.timeline(plan.timeline_s, 2)?;
    let tl = timeline::analyse(&stamps);

    outcome.param("cores_available", ctx.cores);
    outcome.param("k", ks_text(&plan.ks));
    outcome.param(
        "rounds",
        format!("{} measured after {} warm-up", plan.reps, plan.warmup),
    );
    outcome.param("target_sequential_s", plan.target_s);
    outcome.param("timeline_s", plan.timeline_s);
    outcome.param("switch_interval_s", switch_interval);
    for (family, n) in &units {
        outcome.param(
            &format!("work.{}", family.name()),
            format!("{n} {}", family.unit()),
        );
    }
    record(&mut outcome, &samples, &variants, ctx.cores);
    record_timeline(&mut outcome, &tl, switch_interval);
    for (k, s) in &startups {
        outcome.notes.push(format!(
            "Starting and warming a pool of {k} spawned processes took {} s; the process \
             timings above use the warm pool and leave that cost out.",
            format_number(*s)
        ));
    }
    if cfg!(debug_assertions) {
        outcome.notes.push(
            "Debug build: the Rust kernel runs unoptimised here; use --release for figures \
             worth quoting."
                .to_string(),
        );
    }
    outcome.judgements = judge(
        &samples,
        &tl,
        switch_interval,
        &plan.ks,
        ctx.cores,
        has_numpy,
    );
    if let Some(note) = release_target_note(&samples, ctx.cores) {
        outcome.notes.push(note);
    }
    Ok(outcome)
}

fn record(outcome: &mut Outcome, samples: &Samples, variants: &[Variant], cores: usize) {
    let mut table = Table::new(
        "Same total work on k workers: time and speedup over one thread (median, IQR)",
        &[
            "workload",
            "executor",
            "k",
            "time",
            "speedup",
            "claim expects",
        ],
    );
    let mut bars = Vec::new();
    for &v in variants {
        let secs = Measurement::new(
            format!("{}.seconds", v.key()),
            v.to_string(),
            "s",
            samples.seconds(v).to_vec(),
        );
        let (executor, expects) = match (v.family, v.mode) {
            (_, Mode::Sequential) => ("one thread", "—".to_string()),
            (Family::RustOnly, _) => ("threads", "reference".to_string()),
            (Family::Python | Family::NativeHold, Mode::Threads(_)) => {
                ("threads", format!("≤ {THREAD_CEILING}×"))
            }
            (_, Mode::Threads(k)) => (
                "threads",
                format!("≥ {}×", format_number(scaling_floor(k, cores))),
            ),
            (_, Mode::Processes(k)) => (
                "processes",
                format!("≥ {}×", format_number(scaling_floor(k, cores))),
            ),
        };
        let speedup_text = if v.mode == Mode::Sequential {
            "1×".to_string()
        } else {
            let s = Measurement::new(
                format!("{}.speedup", v.key()),
                format!("{v}: speedup"),
                "×",
                samples.speedups(v),
            );
            let text = s.describe();
            bars.push(Bar {
                label: format!("{} · {} {}", v.family.label(), v.mode.k(), executor),
                value: s.summary.median,
                low: s.summary.q1,
                high: s.summary.q3,
            });
            outcome.measurements.push(s);
            text
        };
        table.row(vec![
            v.family.label().to_string(),
            executor.to_string(),
            v.mode.k().to_string(),
            secs.describe(),
            speedup_text,
            expects,
        ]);
        outcome.measurements.push(secs);
    }
    outcome.tables.push(table);
    outcome.charts.push(Chart::Bars {
        id: "speedup".to_string(),
        title: format!("Speedup over one thread ({cores} cores available)"),
        unit: "×".to_string(),
        bars,
        reference: Some(cores as f64),
    });
}

fn record_timeline(outcome: &mut Outcome, tl: &TimelineStats, switch_interval: f64) {
    let turns: Vec<f64> = tl.runs_ns.iter().map(|&r| r as f64 / 1e9).collect();
    outcome.measurements.push(Measurement::new(
        "timeline.turn_length",
        "time a thread kept running before the other took over",
        "s",
        turns,
    ));
    let mut table = Table::new(
        "GIL timeline: two threads spinning in pure Python",
        &["quantity", "value"],
    );
    let row = |t: &mut Table, k: &str, v: String| t.row(vec![k.to_string(), v]);
    row(
        &mut table,
        "recorded",
        format!(
            "{} s, {} stamps",
            format_number(tl.span_ns as f64 / 1e9),
            tl.stamps
        ),
    );
    row(
        &mut table,
        "switches between threads",
        tl.switches.to_string(),
    );
    row(
        &mut table,
        "median turn before a switch",
        format!("{} s", format_number(tl.median_run_s())),
    );
    row(
        &mut table,
        "sys.getswitchinterval()",
        format!("{} s", format_number(switch_interval)),
    );
    row(
        &mut table,
        "both threads running at once",
        format!(
            "{}% of the time",
            format_number(tl.overlap_fraction() * 100.0)
        ),
    );
    row(
        &mut table,
        "gap that splits runs",
        format!("{} µs", format_number(tl.gap_ns as f64 / 1e3)),
    );
    outcome.tables.push(table);
    let lanes = tl
        .lanes
        .iter()
        .enumerate()
        .map(|(i, runs)| Lane {
            name: format!("thread {}", i + 1),
            intervals: runs
                .iter()
                .map(|r| {
                    (
                        (r.start - tl.origin) as f64 / 1e9,
                        (r.end - tl.origin) as f64 / 1e9,
                    )
                })
                .collect(),
        })
        .collect();
    outcome.charts.push(Chart::Timeline {
        id: "gil_timeline".to_string(),
        title: "Which thread executed bytecode when".to_string(),
        lanes,
        zoom_s: Some((switch_interval * 12.0).min(tl.span_ns as f64 / 1e9)),
    });
}

fn speedup_text(s: &Summary) -> String {
    format!(
        "{}× (IQR {}–{})",
        format_number(s.median),
        format_number(s.q1),
        format_number(s.q3)
    )
}

fn judge(
    samples: &Samples,
    tl: &TimelineStats,
    switch_interval: f64,
    ks: &[usize],
    cores: usize,
    has_numpy: bool,
) -> Vec<Judgement> {
    let one_core = cores < 2;
    let inconclusive = |id: &str, why: &str| {
        Judgement::new(
            id,
            Verdict::Inconclusive,
            format!("only {cores} core is available to this process: {why}"),
        )
    };
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

    out.push(if one_core {
        inconclusive(
            "threads_no_speedup",
            "threads could not run in parallel even without a GIL, so no speedup says nothing",
        )
    } else {
        judge_cases(
            "threads_no_speedup",
            &cases(Family::Python, Mode::Threads, &|_, x| x <= THREAD_CEILING),
        )
    });

    out.push(if one_core {
        inconclusive("processes_scale", "no parallel speedup is possible")
    } else {
        judge_cases(
            "processes_scale",
            &cases(Family::Python, Mode::Processes, &|k, x| {
                x >= scaling_floor(k, cores)
            }),
        )
    });

    out.push(if one_core {
        inconclusive("native_release_scales", "no parallel speedup is possible")
    } else {
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
        judge_cases("native_release_scales", &both)
    });

    out.push(if one_core {
        inconclusive(
            "no_parallel_bytecode",
            "two threads cannot run at the same moment on one core, GIL or not",
        )
    } else {
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
        Judgement::new("no_parallel_bytecode", verdict, detail)
    });

    out.push(if !has_numpy {
        Judgement::new(
            "numpy_threads_scale",
            Verdict::Skipped,
            "numpy is not installed in the venv (pip install -r python/requirements.txt)",
        )
    } else if one_core {
        inconclusive("numpy_threads_scale", "no parallel speedup is possible")
    } else {
        judge_cases(
            "numpy_threads_scale",
            &cases(Family::Numpy, Mode::Threads, &|k, x| {
                x >= scaling_floor(k, cores)
            }),
        )
    });
    out
}

fn release_target_note(samples: &Samples, cores: usize) -> Option<String> {
    if cores < 2 {
        return None;
    }
    let at_cores = |family| {
        samples.speedup(Variant {
            family,
            mode: Mode::Threads(cores),
        })
    };
    let released = at_cores(Family::NativeRelease);
    let ceiling = at_cores(Family::RustOnly);
    let reached = released.median / cores as f64;
    Some(format!(
        "Performance target: the GIL-releasing kernel at k = cores = {cores} reached {} = \
         {}·cores (target ≥ {RELEASE_TARGET}·cores: {}). The same kernel on plain Rust threads, \
         no Python, reached {} in the same rounds — the machine's own ceiling for this work in \
         this run — so the kernel called from Python threads got {}% of what the machine gave.",
        speedup_text(&released),
        format_number(reached),
        if reached >= RELEASE_TARGET {
            "met"
        } else {
            "not met"
        },
        speedup_text(&ceiling),
        format_number(released.median / ceiling.median * 100.0)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thread_counts_cover_two_four_and_the_cores() {
        assert_eq!(thread_counts(1), vec![2, 4]);
        assert_eq!(thread_counts(2), vec![2, 4]);
        assert_eq!(thread_counts(8), vec![2, 4, 8]);
    }

    #[test]
    fn scaling_floor_is_capped_by_the_cores() {
        assert!((scaling_floor(4, 2) - 1.4).abs() < 1e-12);
        assert!((scaling_floor(2, 8) - 1.4).abs() < 1e-12);
    }
}

/// Part three: the pure-Python threads workload under every interpreter on the machine; adds
/// its table, chart, notes and the judgement of claim (i).
fn every_interpreter(
    outcome: &mut Outcome,
    ctx: &RunContext<'_>,
    python_dir: &std::path::Path,
) -> Result<(), ExperimentError> {
    use interpreters::{Source, discover, explicit_from_env, measure, usable};
    let (work, rounds): (u64, usize) = match ctx.scale {
        Scale::Quick => (1_000_000, 3),
        Scale::Default => (2_000_000, 5),
        Scale::Full => (6_000_000, 5),
    };
    let mut ks = vec![2, ctx.cores.max(2)];
    ks.dedup();
    ctx.progress
        .update("finding the interpreters on this machine", 0, 1);
    let mut explicit = ctx.overrides.pythons.to_vec();
    explicit.extend(explicit_from_env());
    let (found, refused) = usable(discover(&explicit, None, None));
    let script = python_dir.join("pyproof").join("gil_threads.py");
    let mut measured = Vec::new();
    for (i, (candidate, version)) in found.iter().enumerate() {
        ctx.progress.update(
            &format!(
                "threads under Python {}.{}.{} ({})",
                version.0,
                version.1,
                version.2,
                candidate.path.display()
            ),
            i,
            found.len(),
        );
        measured.push(measure(candidate, &script, work, &ks, rounds)?);
    }
    let mut table = Table::new(
        format!(
            "Every interpreter on this machine: {work} iterations of pure-Python work, one \
             thread vs split over k threads (medians of {rounds} round{})",
            if rounds == 1 { "" } else { "s" }
        ),
        &[
            "interpreter",
            "found in",
            "version",
            "build",
            "one thread",
            "speedup at k = 2",
            "speedup at k = cores",
        ],
    );
    let build = |f: &interpreters::Facts| match (f.free_threaded, f.gil_enabled) {
        (false, _) => "GIL",
        (true, false) => "free-threaded, GIL off",
        (true, true) => "free-threaded, GIL re-enabled",
    };
    let mut keys = std::collections::BTreeSet::new();
    let mut bars = Vec::new();
    let mut cases = Vec::new();
    for m in &measured {
        let mut key = format!(
            "interpreters.{}{}",
            m.facts.version,
            if m.facts.free_threaded { "t" } else { "" }
        );
        while !keys.insert(key.clone()) {
            key.push('\'');
        }
        let label = format!("Python {} ({})", m.facts.version, build(&m.facts));
        outcome.measurements.push(Measurement::new(
            format!("{key}.one_thread_s"),
            label.clone(),
            "s",
            m.one_s.clone(),
        ));
        let speed = |k: usize| {
            m.speedups
                .iter()
                .find(|(kk, _)| *kk == k)
                .map(|(_, v)| Summary::of(v))
                .unwrap_or_default()
        };
        for (k, v) in &m.speedups {
            outcome.measurements.push(Measurement::new(
                format!("{key}.speedup_k{k}"),
                label.clone(),
                "×",
                v.clone(),
            ));
        }
        let s2 = speed(2);
        table.row(vec![
            m.candidate.path.display().to_string(),
            m.candidate.source.label().to_string(),
            m.facts.version.clone(),
            build(&m.facts).to_string(),
            format!("{} s", format_number(Summary::of(&m.one_s).median)),
            s2.describe("×"),
            speed(ctx.cores.max(2)).describe("×"),
        ]);
        bars.push(Bar {
            label: label.clone(),
            value: s2.median,
            low: s2.q1,
            high: s2.q3,
        });
        let gil_off = m.facts.free_threaded && !m.facts.gil_enabled;
        cases.push((label, gil_off, s2.median));
    }
    outcome.tables.push(table);
    outcome.charts.push(Chart::Bars {
        id: "every_interpreter".to_string(),
        title: "Pure-Python work on 2 threads: speedup over one thread, per interpreter"
            .to_string(),
        unit: "×".to_string(),
        bars,
        reference: Some(2.0f64.min(ctx.cores as f64)),
    });
    for why in &refused {
        outcome.notes.push(format!("Not measured: {why}."));
    }
    // A free-threaded build beside a GIL build of the same minor version: its single-thread
    // cost (PEP 703 estimated 5–10% for 3.13).
    for ft in measured.iter().filter(|m| m.facts.free_threaded) {
        let minor = ft
            .facts
            .version
            .rsplit_once('.')
            .map(|(mm, _)| mm.to_string());
        if let Some(gil) = measured.iter().find(|m| {
            !m.facts.free_threaded
                && m.facts
                    .version
                    .rsplit_once('.')
                    .map(|(mm, _)| mm.to_string())
                    == minor
        }) {
            let (a, b) = (
                Summary::of(&ft.one_s).median,
                Summary::of(&gil.one_s).median,
            );
            outcome.notes.push(format!(
                "Free-threaded Python {} takes {} s on one thread, Python {} (GIL) {} s: {}% \
                 single-thread overhead on this loop (PEP 703 estimated 5–10%).",
                ft.facts.version,
                format_number(a),
                gil.facts.version,
                format_number(b),
                format_number((a / b - 1.0) * 100.0)
            ));
        }
    }
    if !measured
        .iter()
        .any(|m| m.candidate.source == Source::FreeThreadedBuild || m.facts.free_threaded)
    {
        outcome.notes.push(
            "No free-threaded build was found. `bash scripts/build-free-threaded-python.sh` \
             builds CPython 3.13 with --disable-gil from Debian's source package into \
             ~/.cache/pyproof (about three minutes on two cores), and the next run measures it."
                .to_string(),
        );
    }
    outcome
        .judgements
        .push(judge_interpreters(&cases, ctx.cores));
    Ok(())
}

/// Claim (i) over (label, free-threaded with the GIL off, median speedup at k = 2) per
/// interpreter.
pub fn judge_interpreters(cases: &[(String, bool, f64)], cores: usize) -> Judgement {
    if cores < 2 {
        return Judgement::new(
            "every_interpreter",
            Verdict::Inconclusive,
            "only 1 core available: no interpreter can show parallel bytecode here",
        );
    }
    if cases.is_empty() {
        return Judgement::new(
            "every_interpreter",
            Verdict::Inconclusive,
            "no interpreter measured",
        );
    }
    let floor = scaling_floor(2, cores);
    let text = |c: &(String, bool, f64)| format!("{} {}×", c.0, format_number(c.2));
    let gil: Vec<&(String, bool, f64)> = cases.iter().filter(|c| !c.1).collect();
    let free: Vec<&(String, bool, f64)> = cases.iter().filter(|c| c.1).collect();
    let gil_scaled: Vec<String> = gil
        .iter()
        .filter(|c| c.2 > THREAD_CEILING)
        .map(|c| text(c))
        .collect();
    let free_scaled: Vec<String> = free
        .iter()
        .filter(|c| c.2 >= floor)
        .map(|c| text(c))
        .collect();
    let all = cases.iter().map(text).collect::<Vec<_>>().join("; ");
    let verdict = if !gil_scaled.is_empty() {
        Verdict::Refuted
    } else if free.is_empty() {
        Verdict::Confirmed
    } else if free_scaled.len() == free.len() {
        Verdict::Nuanced
    } else {
        // A free-threaded build that did not scale shows neither side.
        Verdict::Inconclusive
    };
    let lead = match verdict {
        Verdict::Confirmed => format!(
            "every one of {} GIL builds stayed ≤ {THREAD_CEILING}×",
            gil.len()
        ),
        Verdict::Nuanced => format!(
            "Confirmed for the {} GIL builds, Refuted for the free-threaded one(s), which scaled ≥ {}×",
            gil.len(),
            format_number(floor)
        ),
        Verdict::Refuted => format!("GIL builds that scaled: {}", gil_scaled.join("; ")),
        _ => format!("free-threaded build(s) below {}×", format_number(floor)),
    };
    Judgement::new("every_interpreter", verdict, format!("{lead} — {all}"))
}

#[cfg(test)]
mod every_interpreter_tests {
    use super::*;

    fn cell(spinners: usize, interval_s: f64, median_s: f64) -> gil_wait::WaitCell {
        gil_wait::WaitCell {
            spinners,
            interval_s,
            waits_s: vec![median_s; 5],
            elapsed_s: 1.0,
        }
    }

    fn io(
        load: convoy::Load,
        interval_s: f64,
        n: usize,
        latency_s: f64,
        cpu: Option<f64>,
    ) -> convoy::IoCell {
        convoy::IoCell {
            load,
            interval_s,
            latencies_s: vec![latency_s; n],
            window_s: 1.0,
            cpu_chunks_per_s: cpu,
        }
    }

    #[test]
    fn the_convoy_needs_a_10x_thread_slowdown_and_a_small_process_one() {
        use convoy::Load;
        let cells = |thread: usize, process: usize| {
            vec![
                io(Load::Alone, 0.005, 30_000, 0.00003, None),
                io(Load::Threads(1), 0.005, thread, 0.005, Some(1.0)),
                io(Load::Threads(2), 0.005, 100, 0.01, Some(1.0)),
                io(Load::Process, 0.005, process, 0.00004, None),
            ]
        };
        assert_eq!(
            judge_convoy(&cells(200, 25_000), 2).verdict,
            Verdict::Confirmed
        );
        let j = judge_convoy(&cells(10_000, 25_000), 2);
        assert_eq!(j.verdict, Verdict::Nuanced);
        assert!(
            j.evidence.contains("under the 10× of the claim")
                && j.evidence.contains("beside 2 threads 100"),
            "{}",
            j.evidence
        );
        assert_eq!(
            judge_convoy(&cells(10_000, 1_000), 2).verdict,
            Verdict::Refuted
        );
        assert_eq!(
            judge_convoy(&cells(200, 25_000), 1).verdict,
            Verdict::Inconclusive
        );
    }

    #[test]
    fn the_switch_tradeoff_needs_tracking_latency_and_a_cpu_cost() {
        use convoy::Load;
        let sweep = |lat_ratio: f64, short_cpu: f64| {
            [0.1, 0.005, 0.001, 0.0001]
                .into_iter()
                .map(|i| {
                    let cpu = if i < 0.001 { short_cpu } else { 100.0 };
                    io(Load::Threads(1), i, 10, i * lat_ratio, Some(cpu))
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(
            judge_switch(&sweep(1.5, 80.0), 2).verdict,
            Verdict::Confirmed
        );
        assert_eq!(
            judge_switch(&sweep(0.01, 80.0), 2).verdict,
            Verdict::Nuanced
        );
        assert_eq!(judge_switch(&sweep(1.5, 99.0), 2).verdict, Verdict::Nuanced);
        assert_eq!(
            judge_switch(&sweep(0.01, 99.0), 2).verdict,
            Verdict::Refuted
        );
        assert_eq!(
            judge_switch(&sweep(1.5, 80.0), 1).verdict,
            Verdict::Inconclusive
        );
    }

    #[test]
    fn gil_waits_are_judged_at_intervals_of_a_millisecond_and_more_with_one_spinner() {
        let good = [
            cell(1, 0.1, 0.12),
            cell(1, 0.005, 0.007),
            cell(1, 0.0001, 0.000_002),
        ];
        assert_eq!(judge_gil_wait(&good, 2).verdict, Verdict::Confirmed);
        let mixed = [
            cell(1, 0.005, 0.007),
            cell(1, 0.001, 0.000_007),
            cell(2, 0.005, 0.5),
        ];
        let j = judge_gil_wait(&mixed, 2);
        assert_eq!(j.verdict, Verdict::Nuanced);
        assert!(j.evidence.contains("but not for 1.00 ms"), "{}", j.evidence);
        assert_eq!(judge_gil_wait(&good, 1).verdict, Verdict::Inconclusive);
        assert_eq!(judge_gil_wait(&[], 2).verdict, Verdict::Inconclusive);
    }

    fn case(label: &str, free: bool, speedup: f64) -> (String, bool, f64) {
        (label.to_string(), free, speedup)
    }

    #[test]
    fn gil_builds_alone_confirm_and_a_scaling_free_threaded_build_nuances() {
        let gil = [case("3.11", false, 0.98), case("3.12", false, 1.05)];
        assert_eq!(judge_interpreters(&gil, 2).verdict, Verdict::Confirmed);
        let mut both = gil.to_vec();
        both.push(case("3.13t", true, 1.9));
        let j = judge_interpreters(&both, 2);
        assert_eq!(j.verdict, Verdict::Nuanced);
        assert!(
            j.evidence
                .starts_with("Confirmed for the 2 GIL builds, Refuted for the free-threaded")
        );
        both.push(case("3.6", false, 1.6));
        assert_eq!(judge_interpreters(&both, 2).verdict, Verdict::Refuted);
        let slow_free = [case("3.11", false, 1.0), case("3.13t", true, 1.1)];
        assert_eq!(
            judge_interpreters(&slow_free, 2).verdict,
            Verdict::Inconclusive
        );
        assert_eq!(judge_interpreters(&gil, 1).verdict, Verdict::Inconclusive);
        assert_eq!(judge_interpreters(&[], 2).verdict, Verdict::Inconclusive);
    }
}

/// Part three: the GIL wait of a Rust thread while Python threads spin, over switch
/// intervals; adds its table, chart and the judgement of claim (h).
fn gil_wait_part(
    outcome: &mut Outcome,
    ctx: &RunContext<'_>,
    interp: &Interpreter,
) -> Result<(), ExperimentError> {
    let (intervals, spinners, budget): (Vec<f64>, Vec<usize>, f64) = match ctx.scale {
        Scale::Quick => (vec![0.005, 0.001], vec![1], 0.3),
        Scale::Default => (vec![0.1, 0.005, 0.001, 0.0001], vec![1, 2], 1.2),
        Scale::Full => (vec![0.1, 0.02, 0.005, 0.001, 0.0001], vec![1, 2], 3.0),
    };
    let mut cells = Vec::new();
    for (i, &k) in spinners.iter().enumerate() {
        ctx.progress.update(
            &format!("GIL wait of a Rust thread beside {k} spinning Python thread(s)"),
            i,
            spinners.len(),
        );
        cells.extend(gil_wait::measure(
            interp,
            k,
            &intervals,
            std::time::Duration::from_secs_f64(budget),
            5_000,
        )?);
    }
    let mut table = Table::new(
        format!(
            "GIL wait of a Rust thread (Python::attach, then 0.5 ms asleep; {budget} s per cell) \
             while Python threads spin"
        ),
        &[
            "spinning threads",
            "switch interval",
            "attaches",
            "median wait",
            "p99 wait",
            "median / interval",
            "found it free",
            "time spent waiting",
        ],
    );
    let ms = |s: f64| format!("{} ms", format_number(s * 1e3));
    let mut series = Vec::new();
    for &k in &spinners {
        let mine: Vec<&gil_wait::WaitCell> = cells.iter().filter(|c| c.spinners == k).collect();
        for c in &mine {
            let key = format!("gil_wait.k{k}.interval{}us", (c.interval_s * 1e6).round());
            outcome.measurements.push(Measurement::new(
                format!("{key}.wait_ms"),
                format!(
                    "Rust thread's GIL wait, {k} spinning, interval {}",
                    ms(c.interval_s)
                ),
                "ms",
                c.waits_s.iter().map(|w| w * 1e3).collect(),
            ));
            table.row(vec![
                k.to_string(),
                ms(c.interval_s),
                c.waits_s.len().to_string(),
                ms(c.quantile(0.5)),
                ms(c.quantile(0.99)),
                format!("{}×", format_number(c.quantile(0.5) / c.interval_s)),
                format!("{}%", format_number(c.found_free() * 100.0)),
                format!("{}%", format_number(c.waiting_fraction() * 100.0)),
            ]);
        }
        for (q, name) in [(0.5, "median"), (0.99, "p99")] {
            series.push(pyproof_core::Series {
                name: format!("{name} wait, {k} spinning"),
                points: mine
                    .iter()
                    .map(|c| (c.interval_s * 1e3, c.quantile(q) * 1e3))
                    .collect(),
            });
        }
    }
    series.push(pyproof_core::Series {
        name: "the switch interval itself".to_string(),
        points: intervals.iter().map(|i| (i * 1e3, i * 1e3)).collect(),
    });
    outcome.tables.push(table);
    outcome.charts.push(Chart::Lines {
        id: "gil_wait".to_string(),
        title: "A Rust thread's wait for the GIL vs sys.setswitchinterval".to_string(),
        x_label: "switch interval (ms)".to_string(),
        y_label: "wait (ms)".to_string(),
        log_x: true,
        log_y: true,
        series,
    });
    outcome.judgements.push(judge_gil_wait(&cells, ctx.cores));
    Ok(())
}

/// Claim (h) over the cells with one spinning thread.
pub fn judge_gil_wait(cells: &[gil_wait::WaitCell], cores: usize) -> Judgement {
    if cores < 2 {
        return Judgement::new(
            "gil_wait_tracks_interval",
            Verdict::Inconclusive,
            "only 1 core available: the waiting thread and the spinning one share it, so the \
             wait measures the scheduler, not the GIL",
        );
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
    judge_cases("gil_wait_tracks_interval", &cases)
}

/// The convoy part: an echo server's I/O thread beside CPU-bound threads, a CPU-bound
/// process, and under a swept switch interval; tables, charts, claims (f) and (g).
fn convoy_part(
    outcome: &mut Outcome,
    ctx: &RunContext<'_>,
    interp: &Interpreter,
) -> Result<(), ExperimentError> {
    use convoy::{IoCell, Load};
    let (window, intervals): (f64, Vec<f64>) = match ctx.scale {
        Scale::Quick => (0.3, vec![0.005, 0.001]),
        Scale::Default => (1.5, vec![0.1, 0.005, 0.001, 0.0001]),
        Scale::Full => (4.0, vec![0.1, 0.02, 0.005, 0.001, 0.0001]),
    };
    let window = std::time::Duration::from_secs_f64(window);
    let loads = [
        Load::Alone,
        Load::Threads(1),
        Load::Threads(2),
        Load::Process,
    ];
    let total = loads.len() + intervals.len();
    let mut convoy_cells = Vec::new();
    for (i, &load) in loads.iter().enumerate() {
        ctx.progress
            .update(&format!("echo server, {}", load.label()), i, total);
        convoy_cells.push(convoy::measure(interp, load, 0.005, window)?);
    }
    let mut sweep = Vec::new();
    for (i, &interval) in intervals.iter().enumerate() {
        ctx.progress.update(
            &format!(
                "echo beside 1 CPU thread, switch interval {} ms",
                interval * 1e3
            ),
            loads.len() + i,
            total,
        );
        sweep.push(convoy::measure(interp, Load::Threads(1), interval, window)?);
    }
    let ms = |s: f64| format!("{} ms", format_number(s * 1e3));
    let alone = convoy_cells[0].rps();
    let mut t = Table::new(
        format!(
            "The convoy effect: an echo server's I/O thread, 16-byte requests from a Rust client \
             for {} s each, switch interval 5 ms",
            format_number(window.as_secs_f64())
        ),
        &[
            "beside the I/O thread",
            "requests/s",
            "p50",
            "p99",
            "slower than alone",
            "CPU work/s",
        ],
    );
    let record = |outcome: &mut Outcome, c: &IoCell, key: &str| {
        outcome.measurements.push(Measurement::new(
            format!("{key}.latency_ms"),
            format!(
                "echo latency, {}, interval {}",
                c.load.label(),
                ms(c.interval_s)
            ),
            "ms",
            c.latencies_s.iter().map(|l| l * 1e3).collect(),
        ));
        outcome.measurements.push(Measurement::new(
            format!("{key}.rps"),
            format!(
                "echo requests/s, {}, interval {}",
                c.load.label(),
                ms(c.interval_s)
            ),
            "requests/s",
            vec![c.rps()],
        ));
    };
    for c in &convoy_cells {
        record(outcome, c, &format!("convoy.{}", c.load.id()));
        t.row(vec![
            c.load.label(),
            format_number(c.rps()),
            ms(c.quantile(0.5)),
            ms(c.quantile(0.99)),
            format!("{}×", format_number(alone / c.rps())),
            c.cpu_chunks_per_s.map_or("—".to_string(), |x| {
                format!("{} chunks/s", format_number(x))
            }),
        ]);
    }
    outcome.tables.push(t);
    outcome.charts.push(Chart::Bars {
        id: "convoy".to_string(),
        title: "Echo requests/s of an I/O thread (switch interval 5 ms)".to_string(),
        unit: "requests/s".to_string(),
        bars: convoy_cells
            .iter()
            .map(|c| Bar {
                label: c.load.label(),
                value: c.rps(),
                low: c.rps(),
                high: c.rps(),
            })
            .collect(),
        reference: None,
    });

    let base = sweep
        .iter()
        .max_by(|a, b| a.interval_s.total_cmp(&b.interval_s))
        .and_then(|c| c.cpu_chunks_per_s)
        .unwrap_or(f64::NAN);
    let mut t = Table::new(
        "The switch interval swept: the echo beside 1 CPU-bound thread",
        &[
            "switch interval",
            "requests/s",
            "p50",
            "p99",
            "p50 / interval",
            "CPU work/s",
            "vs the longest interval",
        ],
    );
    for c in &sweep {
        record(
            outcome,
            c,
            &format!("switch.interval{}us", (c.interval_s * 1e6).round()),
        );
        let cpu = c.cpu_chunks_per_s.unwrap_or(f64::NAN);
        t.row(vec![
            ms(c.interval_s),
            format_number(c.rps()),
            ms(c.quantile(0.5)),
            ms(c.quantile(0.99)),
            format!("{}×", format_number(c.quantile(0.5) / c.interval_s)),
            format!("{} chunks/s", format_number(cpu)),
            format!("{}×", format_number(cpu / base)),
        ]);
    }
    outcome.tables.push(t);
    outcome.charts.push(Chart::Lines {
        id: "switch_interval".to_string(),
        title: "Echo latency beside a CPU-bound thread vs sys.setswitchinterval".to_string(),
        x_label: "switch interval (ms)".to_string(),
        y_label: "latency (ms)".to_string(),
        log_x: true,
        log_y: true,
        series: vec![
            pyproof_core::Series {
                name: "median".to_string(),
                points: sweep
                    .iter()
                    .map(|c| (c.interval_s * 1e3, c.quantile(0.5) * 1e3))
                    .collect(),
            },
            pyproof_core::Series {
                name: "p99".to_string(),
                points: sweep
                    .iter()
                    .map(|c| (c.interval_s * 1e3, c.quantile(0.99) * 1e3))
                    .collect(),
            },
            pyproof_core::Series {
                name: "the switch interval itself".to_string(),
                points: sweep
                    .iter()
                    .map(|c| (c.interval_s * 1e3, c.interval_s * 1e3))
                    .collect(),
            },
        ],
    });
    outcome.charts.push(Chart::Bars {
        id: "switch_interval_cpu".to_string(),
        title: "The CPU-bound thread's work/s beside the echo, per switch interval".to_string(),
        unit: "chunks/s".to_string(),
        bars: sweep
            .iter()
            .map(|c| {
                let v = c.cpu_chunks_per_s.unwrap_or(f64::NAN);
                Bar {
                    label: format!("switch interval {}", ms(c.interval_s)),
                    value: v,
                    low: v,
                    high: v,
                }
            })
            .collect(),
        reference: None,
    });
    outcome
        .judgements
        .push(judge_convoy(&convoy_cells, ctx.cores));
    outcome.judgements.push(judge_switch(&sweep, ctx.cores));
    Ok(())
}

/// Claim (f) over the convoy cells (alone, 1 thread, 2 threads, process).
pub fn judge_convoy(cells: &[convoy::IoCell], cores: usize) -> Judgement {
    use convoy::Load;
    if cores < 2 {
        return Judgement::new(
            "convoy_effect",
            Verdict::Inconclusive,
            "only 1 core available: a CPU-bound process competes with the I/O thread for the \
             core, so threads and processes cannot be told apart",
        );
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
            "convoy_effect",
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
        "convoy_effect",
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
    if cores < 2 {
        return Judgement::new(
            "switch_interval_tradeoff",
            Verdict::Inconclusive,
            "only 1 core available: the OS scheduler, not the switch interval, decides who runs",
        );
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
        "switch_interval_tradeoff",
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
