//! generator_memory: "Best for memory: Generators (`yield`)", on trial.
//!
//! The same work done two ways — all items materialised first, or each item made when the
//! consumer asks for it — over n from a thousand to ten million:
//!
//! - Python (`python/pyproof/generator_memory.py`, a fresh process): `sum([...])` vs
//!   `sum(genexpr)` vs a `yield` generator function over `range(n)`; `f.readlines()` vs
//!   iterating the file, over a generated text file of n lines. Peak memory is `tracemalloc`'s
//!   (Python-level allocations above what was held before), time is taken without it.
//! - Rust, the analog: `collect::<Vec<_>>()` then sum vs `Iterator::sum`; `lines().collect()`
//!   vs `read_line` into one reused buffer. Peak memory is counted by this crate's allocator
//!   ([`crate::alloc`]).
//!
//! Every result is checked (the arithmetic sum exactly, the file's character count), and the
//! growth of peak memory in n is fitted by least squares: bytes per item and R².

pub mod alloc;
mod builds;
pub mod judge;
pub mod pipelines;
mod render;
mod today;

use judge::ids;
use judge::{Point, judge};
use pipelines::{Pipeline, expected_sum, lines_file, run_rust};
use pyproof_harness::{
    BuildVerdict, Claim, Experiment, ExperimentError, Meta, Outcome, RunContext, Scale, Section,
    format_bytes, format_number, median,
};
use pyproof_python::{Interpreter, RunOptions, python_worker, run_measured};
use render::{join, record};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::time::Duration;

/// The experiment.
#[derive(Debug, Clone, Copy, Default)]
pub struct GeneratorMemory;

/// The sheet's question (the cheat sheet's third line).
pub const QUESTION: &str = "Cheat sheet: what is best for memory?";

/// The sheet's answer, word for word.
pub const SHEET_ANSWER: &str = "**Best for memory**: Generators (`yield`).";

/// What this experiment is about.
pub const META: Meta = Meta {
    id: "generator_memory",
    section: Section::CheatSheet,
    question: QUESTION,
    sheet_answer: SHEET_ANSWER,
};

/// Claim (1): a materialising pipeline grows by at least this many bytes per item...
pub const LINEAR_MIN_BYTES_PER_ITEM: f64 = 1.0;

/// ...with a straight-line fit at least this good.
pub const LINEAR_MIN_R2: f64 = 0.99;

/// Claim (3): PEP 779's memory bar for the free-threaded build (≤ 20% over the GIL build),
/// here on what one listed item and one read line cost.
pub const FT_MEMORY_BAR: f64 = 1.20;

/// Claim (2): a streaming pipeline's fitted growth over the whole range of n stays under this.
pub const FLAT_MAX_GROWTH_BYTES: f64 = 64.0 * 1024.0;

/// Sizes of one run.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// Item counts of the range pipelines.
    pub ns: Vec<u64>,
    /// Line counts of the file pipelines.
    pub file_ns: Vec<u64>,
    /// Timing rounds (peaks are deterministic and taken once).
    pub rounds: usize,
    /// The largest n run under every other CPython build (claim (2) per build).
    pub build_max: u64,
}

impl Plan {
    /// The plan for `scale`.
    pub fn new(scale: Scale) -> Self {
        let powers = |hi: u32| (3..=hi).map(|e| 10u64.pow(e)).collect::<Vec<_>>();
        match scale {
            Scale::Quick => Plan {
                ns: powers(5),
                file_ns: powers(4),
                rounds: 1,
                build_max: 10_000,
            },
            // tracemalloc slows allocation-heavy code ~10×: 10^7 items took ~60 s traced
            // here over the three range pipelines, most of this experiment's time for peaks
            // that are deterministic and linear in n (a file of 10^7 lines is 400 MB): 10^7
            // only at full scale.
            Scale::Default => Plan {
                ns: powers(6),
                file_ns: powers(6),
                rounds: 3,
                build_max: 100_000,
            },
            Scale::Full => Plan {
                ns: powers(7),
                file_ns: powers(7),
                rounds: 3,
                build_max: 1_000_000,
            },
        }
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct PySample {
    kind: String,
    n: u64,
    peak_bytes: u64,
    result: u128,
    seconds: Vec<f64>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct PyReport {
    python: String,
    samples: Vec<PySample>,
}

/// The Python pipelines' points of one worker report, every answer checked against the exact
/// one (the arithmetic sum, the file's size).
pub(crate) fn points_of(
    py: &PyReport,
    files: &BTreeMap<u64, (std::path::PathBuf, u64)>,
) -> Result<BTreeMap<(Pipeline, u64), Point>, ExperimentError> {
    let mut points: BTreeMap<(Pipeline, u64), Point> = BTreeMap::new();
    for s in &py.samples {
        let Some(p) = Pipeline::ALL
            .into_iter()
            .find(|p| p.python_kind() == Some(s.kind.as_str()))
        else {
            continue;
        };
        let expected = if p.reads_file() {
            files.get(&s.n).map_or(0, |f| u128::from(f.1))
        } else {
            expected_sum(s.n)
        };
        if s.result != expected {
            return Err(ExperimentError::Inconsistent(format!(
                "{} at n = {} answered {}, expected {expected}",
                p.label(),
                s.n,
                s.result
            )));
        }
        points.insert(
            (p, s.n),
            Point {
                peak_bytes: s.peak_bytes,
                seconds: s.seconds.clone(),
            },
        );
    }
    Ok(points)
}

impl Experiment for GeneratorMemory {
    fn answer_today(&self, outcome: &Outcome) -> Option<String> {
        today::answer(outcome)
    }

    fn options(&self) -> &'static [&'static dyn pyproof_harness::RunOption] {
        &[&pyproof_python::pythons::PythonOption]
    }

    fn meta(&self) -> &'static Meta {
        &META
    }

    fn claims(&self, ctx: &RunContext<'_>) -> Vec<Claim> {
        let plan = Plan::new(ctx.scale);
        let range = |v: &[u64]| {
            format!(
                "{}…{}",
                format_number(*v.first().unwrap_or(&0) as f64),
                format_number(*v.last().unwrap_or(&0) as f64)
            )
        };
        vec![
            Claim::new(
                ids::LISTS_GROW_LINEARLY,
                "(1)",
                "a pipeline that materialises its items (a list, readlines(), a Vec) needs \
                 memory in proportion to n",
                format!(
                    "a demonstration, not a trial (a list of n items holds n pointers, so it \
                     cannot grow less than a byte per item): least-squares fit of peak memory \
                     against n (n = {} items, {} lines): \
                     slope ≥ {LINEAR_MIN_BYTES_PER_ITEM} byte per item and R² ≥ \
                     {LINEAR_MIN_R2}, for Python's list and readlines() and Rust's Vec and \
                     Vec<String>",
                    range(&plan.ns),
                    range(&plan.file_ns)
                ),
            ),
            Claim::new(
                ids::GENERATORS_STAY_FLAT,
                "(2)",
                "the sheet's answer: a generator (or any streaming iterator) keeps memory flat \
                 whatever n",
                format!(
                    "fitted growth (slope × (n_max − n_min)) ≤ {} for Python's generator \
                     expression, yield generator and file iteration, and Rust's iterator and \
                     read_line; and per build: the same Python pipelines under every CPython \
                     {}.{} or newer on the machine (n ≤ {}), a build on which one grows past \
                     the bar making it Nuanced (that build named)",
                    format_bytes(FLAT_MAX_GROWTH_BYTES as u64),
                    builds::OLDEST.0,
                    builds::OLDEST.1,
                    format_number(plan.build_max as f64)
                ),
            ),
            Claim::new(
                ids::FREE_THREADED_MEMORY,
                "(3)",
                "beyond the sheet: a free-threaded build keeps a listed item and a read line \
                 within PEP 779's memory bar of the GIL build of the same version",
                format!(
                    "for each free-threaded build found with a GIL build of the same version \
                     (the same micro version when there is one): the fitted bytes per item of \
                     the list and per line of readlines() (tracemalloc's counts, n ≤ {}: exact, \
                     no interval), free-threaded over GIL ≤ {FT_MEMORY_BAR}× (PEP 779 set ≤ \
                     20% memory overhead as a bar for making the build supported); Confirmed \
                     when every case holds, Refuted when none, Nuanced otherwise; Inconclusive \
                     with no such pair",
                    format_number(plan.build_max as f64)
                ),
            ),
        ]
    }

    fn run(&self, ctx: &RunContext<'_>) -> Result<Outcome, ExperimentError> {
        let plan = Plan::new(ctx.scale);
        let mut outcome = Outcome::of(&META, ctx.scale);
        let dir = ctx.cache_dir.join("generator_memory");
        let mut files = BTreeMap::new();
        for (i, &n) in plan.file_ns.iter().enumerate() {
            ctx.progress
                .update("writing the lines files", i, plan.file_ns.len());
            files.insert(n, lines_file(&dir, n)?);
        }

        // Python, in a fresh process: peaks once, times over interleaved rounds.
        ctx.progress.update("Python pipelines (tracemalloc)", 0, 2);
        let interp = Interpreter::get()?;
        let mut cmd = python_worker(interp, "generator_memory");
        cmd.args(["--ns"])
            .arg(
                plan.ns
                    .iter()
                    .map(u64::to_string)
                    .collect::<Vec<_>>()
                    .join(","),
            )
            .args(["--rounds", &plan.rounds.to_string()]);
        for (n, (path, _)) in &files {
            cmd.arg("--file").arg(format!("{n}:{}", path.display()));
        }
        let largest = plan
            .ns
            .iter()
            .chain(&plan.file_ns)
            .max()
            .copied()
            .unwrap_or(0);
        let timeout = Duration::from_secs(120 + largest / 100_000 * 4);
        let report =
            run_measured(cmd, &RunOptions::new("the Python pipelines", timeout))?.check()?;
        let py: PyReport = serde_json::from_str(report.stdout.lines().last().unwrap_or(""))
            .map_err(|e| ExperimentError::Inconsistent(format!("unreadable Python report: {e}")))?;

        let mut points = points_of(&py, &files)?;

        // Rust, in this process: the counting allocator sees only this thread.
        ctx.progress
            .update("Rust pipelines (allocation counting)", 1, 2);
        let rust = [
            Pipeline::RustVec,
            Pipeline::RustIter,
            Pipeline::RustLinesVec,
            Pipeline::RustReadLine,
        ];
        for round in 0..plan.rounds {
            for &p in &rust {
                let ns = if p.reads_file() {
                    &plan.file_ns
                } else {
                    &plan.ns
                };
                for &n in ns {
                    let file = files.get(&n).map(|f| f.0.as_path());
                    let (result, peak, seconds) =
                        run_rust(p, n, file).map_err(|e| ExperimentError::Io {
                            context: format!("{} at n = {n}", p.label()),
                            source: e,
                        })?;
                    let expected = if p.reads_file() {
                        files.get(&n).map_or(0, |f| u128::from(f.1))
                    } else {
                        expected_sum(n)
                    };
                    if result != expected {
                        return Err(ExperimentError::Inconsistent(format!(
                            "{} at n = {n} answered {result}, expected {expected}",
                            p.label()
                        )));
                    }
                    let point = points.entry((p, n)).or_default();
                    if round == 0 {
                        point.peak_bytes = peak;
                    } else if point.peak_bytes != peak {
                        return Err(ExperimentError::Inconsistent(format!(
                            "{} at n = {n}: peak {peak} bytes, {} in round one",
                            p.label(),
                            point.peak_bytes
                        )));
                    }
                    point.seconds.push(seconds);
                }
            }
        }

        outcome.param("n (range)", join(&plan.ns));
        outcome.param("n (file lines)", join(&plan.file_ns));
        outcome.param("timing rounds", plan.rounds);
        outcome.param("python", &py.python);
        if let Some((_, (path, bytes))) = files.iter().next_back() {
            outcome.param(
                "largest file",
                format!("{} ({})", path.display(), format_bytes(*bytes)),
            );
        }

        let fits = record(&mut outcome, &points, &plan);
        // The same Python pipelines under every other build, over the smaller sizes.
        let build_ns: Vec<u64> = plan
            .ns
            .iter()
            .copied()
            .filter(|&n| n <= plan.build_max)
            .collect();
        let build_files: BTreeMap<u64, (std::path::PathBuf, u64)> = files
            .iter()
            .filter(|(n, _)| **n <= plan.build_max)
            .map(|(n, f)| (*n, f.clone()))
            .collect();
        let builds = builds::every_build(&mut outcome, ctx, &build_ns, &build_files)?;
        let verdicts: Vec<BuildVerdict> = builds.iter().map(builds::BuildRun::verdict).collect();
        let paired: Vec<judge::BuildFits> = builds.iter().map(|b| b.fits.clone()).collect();
        outcome.judgements.extend(judge(&fits).into_iter().map(|j| {
            if j.claim_id == ids::GENERATORS_STAY_FLAT {
                judge::with_builds(j, verdicts.clone())
            } else {
                j
            }
        }));
        outcome
            .judgements
            .push(judge::judge_free_threaded_memory(&paired, FT_MEMORY_BAR));
        outcome.notes.push(
            "Python's peak is tracemalloc's: Python-level allocations above what was held \
             when the pipeline started (ints above 256 and strings are objects: ~32 bytes per \
             int plus an 8-byte slot in the list). Rust's is this program's allocator, \
             counting only the measuring thread. Peaks are deterministic and taken once per \
             n; times are medians of the rounds, taken without tracing."
                .to_string(),
        );
        if let Some(&n) = plan.ns.last() {
            let t = |p: Pipeline| {
                points
                    .get(&(p, n))
                    .map_or(f64::NAN, |pt| median(&pt.seconds))
            };
            let (list, generator, yielded) = (
                t(Pipeline::PyList),
                t(Pipeline::PyGenerator),
                t(Pipeline::PyYield),
            );
            outcome.notes.push(format!(
                "Time, measured here at n = {}: the list comprehension {} s, the generator \
                 expression {} s ({}× the list's), the yield generator {} s ({}×). A generator's \
                 items can be consumed only once.",
                format_number(n as f64),
                format_number(list),
                format_number(generator),
                format_number(generator / list),
                format_number(yielded),
                format_number(yielded / list)
            ));
        }
        Ok(outcome)
    }
}
