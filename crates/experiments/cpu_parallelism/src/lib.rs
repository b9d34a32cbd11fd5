//! cpu_parallelism: "Best for CPU: `multiprocessing`", on trial task size by task size.
//!
//! The same total amount of pure-Python CPU work is cut into tasks from ~1 µs to ~100 ms and
//! run sequentially, on `ThreadPoolExecutor(k)` and on `ProcessPoolExecutor(k)` (spawn) with
//! chunksize 1 and with four chunks per worker (`python/pyproof/cpu_parallelism.py`, one fresh
//! process, pools started before timing, rounds interleaved). Every run's checksum must match
//! the sequential one. From the speedups the experiment finds the **crossover**: the task size
//! below which a process pool is slower than doing the work on one thread.

use pyproof_harness::{
    Bar, Case, Chart, Claim, Experiment, ExperimentError, Judgement, Measurement, Meta, Outcome,
    RunContext, Scale, Section, Table, Verdict, format_number, judge_cases, median,
    pairwise_ratios, quantile,
};
use pyproof_python::{Interpreter, RunOptions, python_command, run_measured};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::time::Duration;

/// The experiment.
#[derive(Debug, Clone, Copy, Default)]
pub struct CpuParallelism;

/// The sheet's question (the cheat sheet's second line).
pub const QUESTION: &str = "Cheat sheet: what is best for CPU-bound work?";
/// The sheet's answer, word for word.
pub const SHEET_ANSWER: &str = "**Best for CPU**: `multiprocessing`.";

/// What this experiment is about.
pub const META: Meta = Meta {
    id: "cpu_parallelism",
    section: Section::CheatSheet,
    question: QUESTION,
    sheet_answer: SHEET_ANSWER,
};

/// Claim (1): "best" = a process pool at least this much faster than sequential...
pub const BEST_MIN_SPEEDUP: f64 = 1.2;
/// Claim (2): threads count as no speedup up to this.
pub const THREADS_MAX_SPEEDUP: f64 = 1.1;
/// Pool round trips (chunks, or thread tasks) beyond which a configuration is not run.
pub const MAX_ROUND_TRIPS: u64 = 50_000;

/// Sizes of one run.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// Task sizes, µs of sequential CPU each.
    pub sizes_us: Vec<f64>,
    /// Total work per configuration, ms of sequential CPU.
    pub total_ms: f64,
    /// Interleaved rounds.
    pub rounds: usize,
}

impl Plan {
    /// The plan for `scale`.
    pub fn new(scale: Scale) -> Self {
        let sizes_us = vec![1.0, 10.0, 100.0, 1_000.0, 10_000.0, 100_000.0];
        match scale {
            Scale::Quick => Plan {
                sizes_us: vec![10.0, 1_000.0, 100_000.0],
                total_ms: 200.0,
                rounds: 1,
            },
            Scale::Default => Plan {
                sizes_us,
                total_ms: 800.0,
                rounds: 3,
            },
            Scale::Full => Plan {
                sizes_us,
                total_ms: 3_000.0,
                rounds: 5,
            },
        }
    }
}

#[derive(Debug, Deserialize)]
struct PySample {
    executor: String,
    size_us: f64,
    tasks: u64,
    chunksize: u64,
    seconds: Vec<f64>,
    checksum: u64,
}

#[derive(Debug, Deserialize)]
struct PyReport {
    python: String,
    iters_per_us: f64,
    k: usize,
    startup_s: f64,
    samples: Vec<PySample>,
}

/// Where the speedup of a pool crosses 1 as tasks grow.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Crossover {
    /// Faster than sequential at every size measured.
    BelowSmallest(f64),
    /// Slower below, faster from here on: (largest slower size, smallest faster size,
    /// log-interpolated size where the speedup is 1).
    Between(f64, f64, f64),
    /// Never faster than sequential.
    AboveLargest(f64),
}

impl Crossover {
    /// The crossover as a size in µs (the interpolated one, or the bound).
    pub fn size_us(&self) -> f64 {
        match *self {
            Crossover::BelowSmallest(s) | Crossover::AboveLargest(s) => s,
            Crossover::Between(_, _, at) => at,
        }
    }

    /// In words.
    pub fn describe(&self) -> String {
        match *self {
            Crossover::BelowSmallest(s) => format!("below {} (faster at every size)", us(s)),
            Crossover::Between(lo, hi, at) => {
                format!("≈ {} (between {} and {})", us(at), us(lo), us(hi))
            }
            Crossover::AboveLargest(s) => format!("above {} (never faster)", us(s)),
        }
    }
}

fn us(x: f64) -> String {
    if x >= 1000.0 {
        format!("{} ms", format_number(x / 1000.0))
    } else {
        format!("{} µs", format_number(x))
    }
}

/// The crossover of a speedup curve given as (size, speedup) sorted by size: the smallest
/// size from which the pool stays faster than sequential.
pub fn crossover(curve: &[(f64, f64)]) -> Option<Crossover> {
    let (first, last) = (curve.first()?, curve.last()?);
    // The last size at which the pool was not faster.
    let Some(i) = curve.iter().rposition(|&(_, s)| s < 1.0) else {
        return Some(Crossover::BelowSmallest(first.0));
    };
    if i + 1 == curve.len() {
        return Some(Crossover::AboveLargest(last.0));
    }
    let ((x0, y0), (x1, y1)) = (curve[i], curve[i + 1]);
    // Interpolate where the speedup reaches 1, linearly in log(size).
    let t = ((1.0 - y0) / (y1 - y0)).clamp(0.0, 1.0);
    let at = (x0.ln() + t * (x1.ln() - x0.ln())).exp();
    Some(Crossover::Between(x0, x1, at))
}

impl Experiment for CpuParallelism {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn claims(&self, ctx: &RunContext<'_>) -> Vec<Claim> {
        let plan = Plan::new(ctx.scale);
        let cores = ctx.cores;
        let sizes = plan
            .sizes_us
            .iter()
            .map(|&s| us(s))
            .collect::<Vec<_>>()
            .join(", ");
        vec![
            Claim::new(
                "multiprocessing_best",
                "(1)",
                "a process pool is the best way to run CPU-bound Python work",
                format!(
                    "at each task size ({sizes}; {} ms of work in all), the process pool of k = \
                     {cores} with its better chunksize is ≥ {BEST_MIN_SPEEDUP}× faster than \
                     sequential and faster than the thread pool; Confirmed at every size, \
                     Nuanced when only above a crossover (reported), Inconclusive on one core",
                    format_number(plan.total_ms)
                ),
            ),
            Claim::new(
                "threads_no_speedup",
                "(2)",
                "threads do not speed up CPU-bound Python work (the GIL)",
                format!(
                    "thread-pool speedup ≤ {THREADS_MAX_SPEEDUP}× at every task size run; \
                     Inconclusive on one core"
                ),
            ),
            Claim::new(
                "chunksize_moves_crossover",
                "(3)",
                "batching tasks (chunksize) lowers the task size a process pool needs to pay off",
                "the crossover with four chunks per worker lies below the crossover with \
                 chunksize 1; Inconclusive when either cannot be located or on one core",
            ),
        ]
    }

    fn run(&self, ctx: &RunContext<'_>) -> Result<Outcome, ExperimentError> {
        let plan = Plan::new(ctx.scale);
        let cores = ctx.cores.max(1);
        let mut outcome = Outcome::of(&META, ctx.scale);
        ctx.progress
            .update("pure-Python tasks: sequential, threads, processes", 0, 1);
        let timeout = Duration::from_secs(120)
            + Duration::from_secs_f64(plan.total_ms / 1000.0 * 20.0 * plan.rounds as f64);
        let mut cmd = python_command(Interpreter::get()?);
        cmd.args(["-m", "pyproof.cpu_parallelism", "--sizes-us"])
            .arg(
                plan.sizes_us
                    .iter()
                    .map(|s| s.to_string())
                    .collect::<Vec<_>>()
                    .join(","),
            )
            .args(["--total-ms", &plan.total_ms.to_string()])
            .args(["--k", &cores.to_string()])
            .args(["--rounds", &plan.rounds.to_string()])
            .args(["--chunksizes", "1,auto"])
            .args(["--max-round-trips", &MAX_ROUND_TRIPS.to_string()])
            .args(["--timeout", &format!("{:.0}", timeout.as_secs_f64() - 10.0)]);
        let report = run_measured(cmd, &RunOptions::new("the CPU tasks", timeout))?.check()?;
        let py: PyReport = serde_json::from_str(report.stdout.lines().last().unwrap_or(""))
            .map_err(|e| ExperimentError::Inconsistent(format!("unreadable report: {e}")))?;

        // Every executor's checksum at a size must be the sequential one.
        let mut by: BTreeMap<(String, u64), &PySample> = BTreeMap::new();
        for s in &py.samples {
            by.insert((s.executor.clone(), s.size_us.to_bits()), s);
        }
        for s in &py.samples {
            let seq = by
                .get(&("sequential".to_string(), s.size_us.to_bits()))
                .ok_or_else(|| {
                    ExperimentError::Inconsistent(format!("no sequential run at {}", us(s.size_us)))
                })?;
            if s.checksum != seq.checksum {
                return Err(ExperimentError::Inconsistent(format!(
                    "{} at {}: checksum {} differs from sequential {}",
                    s.executor,
                    us(s.size_us),
                    s.checksum,
                    seq.checksum
                )));
            }
        }

        outcome.param("cores", cores);
        outcome.param("k", py.k);
        outcome.param("python", &py.python);
        outcome.param("total work per configuration", us(plan.total_ms * 1000.0));
        outcome.param("rounds", plan.rounds);
        outcome.param(
            "calibration",
            format!("{} loop iterations per µs", format_number(py.iters_per_us)),
        );
        outcome.param(
            "pool start-up (untimed)",
            format!("{} s", format_number(py.startup_s)),
        );

        let executors = ["threads", "processes:1", "processes:auto"];
        let mut speedups: BTreeMap<(&str, u64), Vec<f64>> = BTreeMap::new();
        let mut table = Table::new(
            format!(
                "Speedup over sequential by task size (k = {}; median of {} round{}, IQR)",
                py.k,
                plan.rounds,
                if plan.rounds == 1 { "" } else { "s" }
            ),
            &[
                "task size",
                "tasks",
                "sequential",
                "threads",
                "processes, chunksize 1",
                "processes, 4 chunks per worker",
            ],
        );
        for &size in &plan.sizes_us {
            let Some(seq) = by.get(&("sequential".to_string(), size.to_bits())) else {
                continue;
            };
            let key = format!("size{}us", size);
            outcome.measurements.push(Measurement::new(
                format!("{key}.sequential.seconds"),
                format!("sequential, {} tasks", us(size)),
                "s",
                seq.seconds.clone(),
            ));
            let mut row = vec![
                us(size),
                seq.tasks.to_string(),
                format!("{} s", format_number(median(&seq.seconds))),
            ];
            for ex in executors {
                match by.get(&(ex.to_string(), size.to_bits())) {
                    Some(s) => {
                        let sp = pairwise_ratios(&seq.seconds, &s.seconds);
                        outcome.measurements.push(Measurement::new(
                            format!("{key}.{}.speedup", ex.replace(':', "_chunks_")),
                            format!("{ex}, {} tasks, chunksize {}", us(size), s.chunksize),
                            "×",
                            sp.clone(),
                        ));
                        row.push(format!(
                            "{}× (IQR {}–{}){}",
                            format_number(median(&sp)),
                            format_number(quantile(&sp, 0.25)),
                            format_number(quantile(&sp, 0.75)),
                            if ex.starts_with("processes") {
                                format!(", chunksize {}", s.chunksize)
                            } else {
                                String::new()
                            }
                        ));
                        speedups.insert((ex, size.to_bits()), sp);
                    }
                    None => row.push(format!(
                        "not run (> {} round trips)",
                        format_number(MAX_ROUND_TRIPS as f64)
                    )),
                }
            }
            table.row(row);
        }
        outcome.tables.push(table);

        let curve = |ex: &str| -> Vec<(f64, f64)> {
            plan.sizes_us
                .iter()
                .filter_map(|&s| Some((s, median(speedups.get(&(ex, s.to_bits()))?))))
                .collect()
        };
        let cross_one = crossover(&curve("processes:1"));
        let cross_auto = crossover(&curve("processes:auto"));
        let mut crosses = Table::new(
            "Crossover: the task size from which the process pool beats sequential",
            &["process pool", "crossover"],
        );
        for (label, c) in [
            ("chunksize 1", cross_one),
            ("4 chunks per worker", cross_auto),
        ] {
            crosses.row(vec![
                label.to_string(),
                c.map_or("— (not enough sizes run)".to_string(), |c| c.describe()),
            ]);
        }
        outcome.tables.push(crosses);
        for (ex, id, title) in [
            (
                "processes:auto",
                "processes_speedup",
                "Process pool (4 chunks per worker)",
            ),
            (
                "processes:1",
                "processes_chunksize1_speedup",
                "Process pool (chunksize 1)",
            ),
            ("threads", "threads_speedup", "Thread pool"),
        ] {
            let bars = plan
                .sizes_us
                .iter()
                .filter_map(|&s| {
                    let sp = speedups.get(&(ex, s.to_bits()))?;
                    Some(Bar {
                        label: us(s),
                        value: median(sp),
                        low: quantile(sp, 0.25),
                        high: quantile(sp, 0.75),
                    })
                })
                .collect();
            outcome.charts.push(Chart::Bars {
                id: id.to_string(),
                title: format!("{title}: speedup over sequential by task size (1 = break-even)"),
                unit: "×".to_string(),
                bars,
                reference: Some(1.0),
            });
        }

        if cores < 2 {
            for id in [
                "multiprocessing_best",
                "threads_no_speedup",
                "chunksize_moves_crossover",
            ] {
                outcome.judgements.push(Judgement::new(
                    id,
                    Verdict::Inconclusive,
                    format!("this run has {cores} core: no pool can run two tasks at once"),
                ));
            }
            return Ok(outcome);
        }

        // (1) per task size: the better process pool vs sequential and threads.
        let cases: Vec<Case> = plan
            .sizes_us
            .iter()
            .filter_map(|&s| {
                let one = speedups
                    .get(&("processes:1", s.to_bits()))
                    .map(|v| median(v));
                let auto = speedups
                    .get(&("processes:auto", s.to_bits()))
                    .map(|v| median(v));
                let best = one.into_iter().chain(auto).fold(f64::NAN, f64::max);
                if best.is_nan() {
                    return None;
                }
                let threads = speedups.get(&("threads", s.to_bits())).map(|v| median(v));
                let ok = best >= BEST_MIN_SPEEDUP && threads.is_none_or(|t| best > t);
                Some(Case::new(
                    us(s),
                    ok,
                    format!(
                        "processes {}×{}",
                        format_number(best),
                        threads.map_or(String::new(), |t| format!(
                            " vs threads {}×",
                            format_number(t)
                        ))
                    ),
                ))
            })
            .collect();
        let mut j = judge_cases("multiprocessing_best", &cases);
        if let Some(c) = cross_auto {
            j.evidence.push_str(&format!(
                "; crossover (4 chunks per worker) {}",
                c.describe()
            ));
        }
        if let Some(c) = cross_one {
            j.evidence
                .push_str(&format!("; crossover (chunksize 1) {}", c.describe()));
        }
        outcome.judgements.push(j);

        // (2) threads.
        let cases: Vec<Case> = plan
            .sizes_us
            .iter()
            .filter_map(|&s| {
                let sp = speedups.get(&("threads", s.to_bits()))?;
                let m = median(sp);
                Some(Case::new(
                    us(s),
                    m <= THREADS_MAX_SPEEDUP,
                    format!("{}×", format_number(m)),
                ))
            })
            .collect();
        outcome
            .judgements
            .push(judge_cases("threads_no_speedup", &cases));

        // (3) chunksize moves the crossover.
        outcome.judgements.push(match (cross_one, cross_auto) {
            (Some(one), Some(auto))
                if !matches!(one, Crossover::BelowSmallest(_))
                    && !matches!(auto, Crossover::AboveLargest(_)) =>
            {
                let ok = auto.size_us() < one.size_us();
                Judgement::new(
                    "chunksize_moves_crossover",
                    if ok {
                        Verdict::Confirmed
                    } else {
                        Verdict::Refuted
                    },
                    format!(
                        "crossover with 4 chunks per worker {}; with chunksize 1 {}",
                        auto.describe(),
                        one.describe()
                    ),
                )
            }
            (one, auto) => Judgement::new(
                "chunksize_moves_crossover",
                Verdict::Inconclusive,
                format!(
                    "a crossover could not be located within the sizes run (chunksize 1: {}; 4 \
                     chunks per worker: {})",
                    one.map_or("—".to_string(), |c| c.describe()),
                    auto.map_or("—".to_string(), |c| c.describe())
                ),
            ),
        });
        outcome.notes.push(format!(
            "Each task is a pure-Python loop calibrated on this machine ({} iterations per µs); \
             every configuration does the same total work, so a speedup is the same work done \
             faster. Pools are spawned and warmed before timing (start-up {} s). Configurations \
             that would need more than {} pool round trips are not run: they would measure only \
             the per-task overhead, for minutes.",
            format_number(py.iters_per_us),
            format_number(py.startup_s),
            format_number(MAX_ROUND_TRIPS as f64)
        ));
        Ok(outcome)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crossovers_are_located_between_the_right_sizes() {
        let c = crossover(&[(1.0, 0.2), (10.0, 0.5), (100.0, 2.0), (1000.0, 1.9)]).expect("some");
        match c {
            Crossover::Between(lo, hi, at) => {
                assert_eq!((lo, hi), (10.0, 100.0));
                // 0.5 → 2.0: 1.0 is a third of the way, in log(size).
                assert!((at - 10f64.powf(1.0 + 1.0 / 3.0)).abs() < 1e-9, "{at}");
            }
            other => panic!("{other:?}"),
        }
        // A dip back below 1 at a larger size moves the crossover up.
        let c = crossover(&[(1.0, 1.5), (10.0, 0.9), (100.0, 1.5)]).expect("some");
        assert!(matches!(c, Crossover::Between(10.0, 100.0, _)));
        assert_eq!(
            crossover(&[(1.0, 1.5), (10.0, 2.0)]),
            Some(Crossover::BelowSmallest(1.0))
        );
        assert_eq!(
            crossover(&[(1.0, 0.5), (10.0, 0.9)]),
            Some(Crossover::AboveLargest(10.0))
        );
        assert_eq!(crossover(&[]), None);
    }
}
