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

use pyproof_harness::{
    Bar, Case, Chart, Claim, Experiment, ExperimentError, Measurement, Meta, Outcome, RunContext,
    Scale, Section, Series, Table, format_bytes, format_number, judge_cases, median,
};
use pyproof_proc::pending::PendingFile;
use pyproof_python::{Interpreter, RunOptions, python_command, run_measured};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

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
/// Claim (2): a streaming pipeline's fitted growth over the whole range of n stays under this.
pub const FLAT_MAX_GROWTH_BYTES: f64 = 64.0 * 1024.0;

/// How an item sequence is consumed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Pipeline {
    /// Python `sum([x * 3 + 1 for x in range(n)])`.
    PyList,
    /// Python `sum(x * 3 + 1 for x in range(n))`.
    PyGenerator,
    /// Python: the same through a `def ...: yield` generator function.
    PyYield,
    /// Python `f.readlines()`, then the total length.
    PyReadlines,
    /// Python `for line in f`.
    PyLines,
    /// Rust `collect::<Vec<u64>>()` then `sum`.
    RustVec,
    /// Rust `Iterator::sum` over the mapped range.
    RustIter,
    /// Rust `BufRead::lines().collect::<Vec<String>>()`, then the total length.
    RustLinesVec,
    /// Rust `read_line` into one reused `String`.
    RustReadLine,
}

impl Pipeline {
    /// Every pipeline, in table order.
    pub const ALL: [Pipeline; 9] = [
        Pipeline::PyList,
        Pipeline::PyGenerator,
        Pipeline::PyYield,
        Pipeline::PyReadlines,
        Pipeline::PyLines,
        Pipeline::RustVec,
        Pipeline::RustIter,
        Pipeline::RustLinesVec,
        Pipeline::RustReadLine,
    ];

    /// Its id in measurement keys.
    pub fn id(self) -> &'static str {
        match self {
            Pipeline::PyList => "python.list",
            Pipeline::PyGenerator => "python.generator",
            Pipeline::PyYield => "python.yield",
            Pipeline::PyReadlines => "python.readlines",
            Pipeline::PyLines => "python.lines",
            Pipeline::RustVec => "rust.vec",
            Pipeline::RustIter => "rust.iter",
            Pipeline::RustLinesVec => "rust.lines_vec",
            Pipeline::RustReadLine => "rust.read_line",
        }
    }

    /// What it runs.
    pub fn label(self) -> &'static str {
        match self {
            Pipeline::PyList => "Python sum([x*3+1 for x in range(n)])",
            Pipeline::PyGenerator => "Python sum(x*3+1 for x in range(n))",
            Pipeline::PyYield => "Python sum(gen()) with yield",
            Pipeline::PyReadlines => "Python f.readlines()",
            Pipeline::PyLines => "Python for line in f",
            Pipeline::RustVec => "Rust collect::<Vec<u64>>() then sum",
            Pipeline::RustIter => "Rust .map().sum()",
            Pipeline::RustLinesVec => "Rust lines().collect::<Vec<String>>()",
            Pipeline::RustReadLine => "Rust read_line into one buffer",
        }
    }

    /// Whether it holds every item at once (the list side of the claim).
    pub fn materialises(self) -> bool {
        matches!(
            self,
            Pipeline::PyList | Pipeline::PyReadlines | Pipeline::RustVec | Pipeline::RustLinesVec
        )
    }

    /// Whether it reads the lines file rather than a range.
    pub fn reads_file(self) -> bool {
        matches!(
            self,
            Pipeline::PyReadlines
                | Pipeline::PyLines
                | Pipeline::RustLinesVec
                | Pipeline::RustReadLine
        )
    }

    fn python_kind(self) -> Option<&'static str> {
        match self {
            Pipeline::PyList => Some("list"),
            Pipeline::PyGenerator => Some("generator"),
            Pipeline::PyYield => Some("yield"),
            Pipeline::PyReadlines => Some("readlines"),
            Pipeline::PyLines => Some("lines"),
            _ => None,
        }
    }
}

/// Sizes of one run.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// Item counts of the range pipelines.
    pub ns: Vec<u64>,
    /// Line counts of the file pipelines.
    pub file_ns: Vec<u64>,
    /// Timing rounds (peaks are deterministic and taken once).
    pub rounds: usize,
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
            },
            // tracemalloc slows allocation-heavy code ~10× (10^7 items: 12 s traced here), and
            // a file of 10^7 lines is 400 MB: that one only at full scale.
            Scale::Default => Plan {
                ns: powers(7),
                file_ns: powers(6),
                rounds: 3,
            },
            Scale::Full => Plan {
                ns: powers(7),
                file_ns: powers(7),
                rounds: 3,
            },
        }
    }
}

/// The exact answer of the range pipelines: Σ (3x + 1) for x < n.
pub fn expected_sum(n: u64) -> u128 {
    let n = u128::from(n);
    3 * n * n.saturating_sub(1) / 2 + n
}

/// Writes (or reuses) a text file of `n` ASCII lines; returns its path and size in bytes.
pub fn lines_file(dir: &Path, n: u64) -> Result<(PathBuf, u64), ExperimentError> {
    std::fs::create_dir_all(dir).map_err(|e| ExperimentError::Io {
        context: format!("creating {}", dir.display()),
        source: e,
    })?;
    let path = dir.join(format!("lines-v1-{n}.txt"));
    if let Ok(meta) = std::fs::metadata(&path) {
        return Ok((path, meta.len()));
    }
    let io = |e: std::io::Error| ExperimentError::Io {
        context: format!("writing {}", path.display()),
        source: e,
    };
    let (pending, file) = PendingFile::create(&path).map_err(io)?;
    let mut out = BufWriter::new(file);
    const WORDS: [&str; 8] = [
        "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel",
    ];
    let mut state = 0x2545_f491_4f6c_dd1du64;
    for i in 0..n {
        write!(out, "{i:08}").map_err(io)?;
        for _ in 0..5 {
            // xorshift: any deterministic mix of words will do.
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            write!(out, " {}", WORDS[(state % 8) as usize]).map_err(io)?;
        }
        out.write_all(b"\n").map_err(io)?;
    }
    let file = out.into_inner().map_err(|e| io(e.into_error()))?;
    file.sync_all().map_err(io)?;
    pending.commit(&path).map_err(io)?;
    let len = std::fs::metadata(&path).map_err(io)?.len();
    Ok((path, len))
}

/// One Rust pipeline once: (result, peak bytes, seconds).
fn run_rust(p: Pipeline, n: u64, file: Option<&Path>) -> std::io::Result<(u128, u64, f64)> {
    let started = Instant::now();
    let (result, peak) = match p {
        Pipeline::RustVec => {
            let (r, peak) = crate::alloc::measure_peak(|| {
                let items: Vec<u64> = std::hint::black_box((0..n).map(|x| x * 3 + 1).collect());
                items.iter().map(|&x| u128::from(x)).sum::<u128>()
            });
            (r, peak)
        }
        Pipeline::RustIter => crate::alloc::measure_peak(|| {
            std::hint::black_box(0..n)
                .map(|x| u128::from(x * 3 + 1))
                .sum::<u128>()
        }),
        Pipeline::RustLinesVec => {
            let path = file.ok_or_else(|| std::io::Error::other("no file"))?;
            let (r, peak) = crate::alloc::measure_peak(|| -> std::io::Result<u128> {
                let f = std::fs::File::open(path)?;
                let lines: Vec<String> = BufReader::new(f).lines().collect::<Result<_, _>>()?;
                // `lines()` drops the "\n": count it back, as Python's len(line) does.
                Ok(lines.iter().map(|l| l.len() as u128 + 1).sum())
            });
            (r?, peak)
        }
        Pipeline::RustReadLine => {
            let path = file.ok_or_else(|| std::io::Error::other("no file"))?;
            let (r, peak) = crate::alloc::measure_peak(|| -> std::io::Result<u128> {
                let mut reader = BufReader::new(std::fs::File::open(path)?);
                let mut line = String::new();
                let mut total = 0u128;
                loop {
                    line.clear();
                    let read = reader.read_line(&mut line)?;
                    if read == 0 {
                        break;
                    }
                    total += line.len() as u128;
                }
                Ok(total)
            });
            (r?, peak)
        }
        _ => return Err(std::io::Error::other("not a Rust pipeline")),
    };
    Ok((result, peak, started.elapsed().as_secs_f64()))
}

#[derive(Debug, Deserialize)]
struct PySample {
    kind: String,
    n: u64,
    peak_bytes: u64,
    result: u128,
    seconds: Vec<f64>,
}

#[derive(Debug, Deserialize)]
struct PyReport {
    python: String,
    samples: Vec<PySample>,
}

/// Every measurement of one (pipeline, n).
#[derive(Debug, Clone, Default)]
struct Point {
    peak_bytes: u64,
    seconds: Vec<f64>,
}

/// A least-squares line through (n, peak): slope in bytes per item, and R².
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fit {
    /// Bytes per item.
    pub slope: f64,
    /// Bytes at n = 0.
    pub intercept: f64,
    /// Coefficient of determination (1 when the points lie on the line; NaN when flat).
    pub r2: f64,
}

/// Fits peak = intercept + slope · n by least squares.
pub fn fit(points: &[(f64, f64)]) -> Fit {
    let k = points.len() as f64;
    if points.len() < 2 {
        return Fit {
            slope: f64::NAN,
            intercept: f64::NAN,
            r2: f64::NAN,
        };
    }
    let mx = points.iter().map(|p| p.0).sum::<f64>() / k;
    let my = points.iter().map(|p| p.1).sum::<f64>() / k;
    let sxx: f64 = points.iter().map(|p| (p.0 - mx).powi(2)).sum();
    let sxy: f64 = points.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    let syy: f64 = points.iter().map(|p| (p.1 - my).powi(2)).sum();
    let slope = sxy / sxx;
    let intercept = my - slope * mx;
    let sse: f64 = points
        .iter()
        .map(|p| (p.1 - intercept - slope * p.0).powi(2))
        .sum();
    Fit {
        slope,
        intercept,
        r2: if syy > 0.0 { 1.0 - sse / syy } else { f64::NAN },
    }
}

impl Experiment for GeneratorMemory {
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
                "lists_grow_linearly",
                "(1)",
                "a pipeline that materialises its items (a list, readlines(), a Vec) needs \
                 memory in proportion to n",
                format!(
                    "least-squares fit of peak memory against n (n = {} items, {} lines): \
                     slope ≥ {LINEAR_MIN_BYTES_PER_ITEM} byte per item and R² ≥ \
                     {LINEAR_MIN_R2}, for Python's list and readlines() and Rust's Vec and \
                     Vec<String>",
                    range(&plan.ns),
                    range(&plan.file_ns)
                ),
            ),
            Claim::new(
                "generators_stay_flat",
                "(2)",
                "the sheet's answer: a generator (or any streaming iterator) keeps memory flat \
                 whatever n",
                format!(
                    "fitted growth (slope × (n_max − n_min)) ≤ {} for Python's generator \
                     expression, yield generator and file iteration, and Rust's iterator and \
                     read_line",
                    format_bytes(FLAT_MAX_GROWTH_BYTES as u64)
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
        let mut cmd = python_command(interp);
        cmd.args(["-m", "pyproof.generator_memory", "--ns"])
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
        judge(&mut outcome, &fits);
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

/// Per pipeline: its fit and its (n, peak bytes) series.
type Fits = BTreeMap<Pipeline, (Fit, Vec<(u64, u64)>)>;

fn join(v: &[u64]) -> String {
    v.iter().map(u64::to_string).collect::<Vec<_>>().join(", ")
}

fn record(outcome: &mut Outcome, points: &BTreeMap<(Pipeline, u64), Point>, plan: &Plan) -> Fits {
    let mut fits = BTreeMap::new();
    let mut peaks = Table::new(
        "Peak memory by n (Python: tracemalloc; Rust: allocation counting), and the fitted \
         growth",
        &["pipeline", "n → peak", "fitted bytes per item", "R²"],
    );
    let mut times = Table::new("Median time by n (no tracing)", &["pipeline", "n → time"]);
    for p in Pipeline::ALL {
        let ns = if p.reads_file() {
            &plan.file_ns
        } else {
            &plan.ns
        };
        let series: Vec<(u64, &Point)> = ns
            .iter()
            .filter_map(|n| points.get(&(p, *n)).map(|pt| (*n, pt)))
            .collect();
        if series.is_empty() {
            continue;
        }
        let xy: Vec<(f64, f64)> = series
            .iter()
            .map(|(n, pt)| (*n as f64, pt.peak_bytes as f64))
            .collect();
        let f = fit(&xy);
        for (n, pt) in &series {
            outcome.measurements.push(Measurement::new(
                format!("{}.n{n}.peak_bytes", p.id()),
                format!("{}, n = {n}", p.label()),
                "bytes",
                vec![pt.peak_bytes as f64],
            ));
            outcome.measurements.push(Measurement::new(
                format!("{}.n{n}.seconds", p.id()),
                format!("{}, n = {n}", p.label()),
                "s",
                pt.seconds.clone(),
            ));
        }
        peaks.row(vec![
            p.label().to_string(),
            series
                .iter()
                .map(|(n, pt)| {
                    format!(
                        "{}: {}",
                        format_number(*n as f64),
                        format_bytes(pt.peak_bytes)
                    )
                })
                .collect::<Vec<_>>()
                .join("; "),
            format_number(f.slope),
            if f.r2.is_nan() {
                "—".to_string()
            } else {
                format!("{:.4}", f.r2)
            },
        ]);
        times.row(vec![
            p.label().to_string(),
            series
                .iter()
                .map(|(n, pt)| {
                    format!(
                        "{}: {} s",
                        format_number(*n as f64),
                        format_number(median(&pt.seconds))
                    )
                })
                .collect::<Vec<_>>()
                .join("; "),
        ]);
        fits.insert(
            p,
            (
                f,
                series
                    .iter()
                    .map(|(n, pt)| (*n, pt.peak_bytes))
                    .collect::<Vec<_>>(),
            ),
        );
    }
    outcome.tables.push(peaks);
    outcome.tables.push(times);
    let bars: Vec<Bar> = fits
        .iter()
        .filter_map(|(p, (_, s))| {
            let (n, peak) = s.last()?;
            let kib = *peak as f64 / 1024.0;
            Some(Bar {
                label: format!("{} (n = {})", p.label(), format_number(*n as f64)),
                value: kib,
                low: kib,
                high: kib,
            })
        })
        .collect();
    outcome.charts.push(Chart::Lines {
        id: "peak_vs_n".to_string(),
        title: "Peak memory as n grows (log–log: a list climbs, a generator stays flat)"
            .to_string(),
        x_label: "n (items or lines)".to_string(),
        y_label: "peak bytes".to_string(),
        log_x: true,
        log_y: true,
        series: fits
            .iter()
            .map(|(p, (_, s))| Series {
                name: p.label().to_string(),
                points: s.iter().map(|&(n, b)| (n as f64, b as f64)).collect(),
            })
            .collect(),
    });
    outcome.charts.push(Chart::Bars {
        id: "peak_at_largest_n".to_string(),
        title: "Peak memory at the largest n".to_string(),
        unit: "KiB".to_string(),
        bars,
        reference: None,
    });
    fits
}

fn judge(outcome: &mut Outcome, fits: &Fits) {
    let mut linear = Vec::new();
    let mut flat = Vec::new();
    for (p, (f, series)) in fits {
        let span = match (series.first(), series.last()) {
            (Some(a), Some(b)) => (b.0 - a.0) as f64,
            _ => 0.0,
        };
        if p.materialises() {
            let ok = f.slope >= LINEAR_MIN_BYTES_PER_ITEM && f.r2 >= LINEAR_MIN_R2;
            linear.push(Case::new(
                p.label(),
                ok,
                format!("{} bytes per item, R² {:.4}", format_number(f.slope), f.r2),
            ));
        } else {
            let growth = (f.slope * span).max(0.0);
            let last = series.last().map_or(0, |s| s.1);
            flat.push(Case::new(
                p.label(),
                growth <= FLAT_MAX_GROWTH_BYTES,
                format!(
                    "fitted growth {} over the range, peak {} at the largest n",
                    format_bytes(growth as u64),
                    format_bytes(last)
                ),
            ));
        }
    }
    outcome
        .judgements
        .push(judge_cases("lists_grow_linearly", &linear));
    outcome
        .judgements
        .push(judge_cases("generators_stay_flat", &flat));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fits_lines_and_flat_series() {
        let line: Vec<(f64, f64)> = (1..=5)
            .map(|n| (n as f64 * 1000.0, 40.0 * n as f64 * 1000.0 + 500.0))
            .collect();
        let f = fit(&line);
        assert!((f.slope - 40.0).abs() < 1e-9 && (f.intercept - 500.0).abs() < 1e-6);
        assert!((f.r2 - 1.0).abs() < 1e-12);
        let flat = fit(&[(1e3, 600.0), (1e4, 600.0), (1e5, 600.0)]);
        assert_eq!(flat.slope, 0.0);
        assert!(flat.r2.is_nan());
    }

    #[test]
    fn exact_sums_and_rust_pipelines() {
        assert_eq!(expected_sum(0), 0);
        assert_eq!(expected_sum(3), 1 + 4 + 7);
        let (r, peak, _) = run_rust(Pipeline::RustVec, 1000, None).expect("runs");
        assert_eq!((r, peak), (expected_sum(1000), 8000));
        let (r, peak, _) = run_rust(Pipeline::RustIter, 1000, None).expect("runs");
        assert_eq!((r, peak), (expected_sum(1000), 0));
    }

    #[test]
    fn lines_files_are_deterministic_and_read_the_same_both_ways() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (path, bytes) = lines_file(dir.path(), 500).expect("written");
        let text = std::fs::read_to_string(&path).expect("read");
        assert_eq!(text.lines().count(), 500);
        assert_eq!(text.len() as u64, bytes);
        assert!(text.starts_with("00000000 "));
        let again = lines_file(dir.path(), 500).expect("cached");
        assert_eq!(again.1, bytes);
        let (a, peak_vec, _) = run_rust(Pipeline::RustLinesVec, 500, Some(&path)).expect("runs");
        let (b, peak_line, _) = run_rust(Pipeline::RustReadLine, 500, Some(&path)).expect("runs");
        assert_eq!((a, b), (u128::from(bytes), u128::from(bytes)));
        assert!(peak_vec > bytes / 2, "{peak_vec}");
        assert!(peak_line < 16 * 1024, "{peak_line}");
    }
}
