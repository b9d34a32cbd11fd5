//! Every CPython build on the machine: the same Python pipelines under each interpreter
//! `pyproof pythons` finds (pyenv's, PATH's, pyproof's own free-threaded builds), in a
//! subprocess of that interpreter, so claim (2) is judged per build and the table shows what
//! an item costs on each — a free-threaded build's objects are larger.
//!
//! The worker needs only the standard library (tracemalloc, `reset_peak` where the version
//! has it), so no venv of the other interpreter is needed; 3.6 cannot import it (`from
//! __future__ import annotations`) and is named in a note. Peaks are deterministic, so one
//! run per build is the measurement.

use crate::judge::{BuildFits, Point, build_holds, fits_of};
use crate::pipelines::Pipeline;
use crate::{PyReport, points_of};
use pyproof_harness::{
    BuildVerdict, ExperimentError, Measurement, Outcome, RunContext, Table, format_bytes,
    format_number,
};
use pyproof_python::pythons::{Installed, for_run};
use pyproof_python::{Interpreter, worker_on};
use pyproof_python::{RunOptions, run_measured};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

/// The oldest version the worker module imports under.
pub const OLDEST: (u32, u32) = (3, 7);

/// One build's run: its name, its fits and what claim (3) pairs.
#[derive(Debug, Clone)]
pub(crate) struct BuildRun {
    /// "3.13.15t".
    pub build: String,
    /// Free-threaded with the GIL off.
    pub gil_off: bool,
    /// Its label, version and build, and each Python pipeline's fit over n.
    pub fits: BuildFits,
}

impl BuildRun {
    /// Its verdict on claim (2).
    pub fn verdict(&self) -> BuildVerdict {
        BuildVerdict {
            build: self.build.clone(),
            free_threaded: self.gil_off,
            holds: build_holds(&self.fits.fits),
        }
    }
}

/// Runs the Python pipelines under every build found, over `ns` items and the lines files
/// of `files` (n → path and size); a build that fails is named in a note and left out
/// (Ctrl-C still stops the run). Adds the table and the measurements.
pub(crate) fn every_build(
    outcome: &mut Outcome,
    ctx: &RunContext<'_>,
    ns: &[u64],
    files: &BTreeMap<u64, (PathBuf, u64)>,
) -> Result<Vec<BuildRun>, ExperimentError> {
    ctx.progress
        .update("finding the CPython builds on this machine", 0, 1);
    let (found, _refused) = for_run(&ctx.options).map_err(ExperimentError::Input)?;
    let python_dir = Interpreter::get()?.python_dir.clone();
    let (old, usable): (Vec<&Installed>, Vec<&Installed>) = found
        .iter()
        .partition(|i| (i.found.version.0, i.found.version.1) < OLDEST);
    if !old.is_empty() {
        outcome.notes.push(format!(
            "Not measured per build: {} — the worker needs Python {}.{} or newer.",
            old.iter()
                .map(|i| format!("Python {}", i.found.version_text()))
                .collect::<Vec<_>>()
                .join(", "),
            OLDEST.0,
            OLDEST.1
        ));
    }
    let mut runs = Vec::new();
    for (i, b) in usable.iter().enumerate() {
        let name = b.found.build_name();
        ctx.progress.update(
            &format!("the pipelines under Python {name}"),
            i,
            usable.len(),
        );
        let mut cmd = worker_on(&b.candidate.path, &python_dir, "generator_memory");
        cmd.arg("--ns")
            .arg(ns.iter().map(u64::to_string).collect::<Vec<_>>().join(","))
            .args(["--rounds", "1"]);
        for (n, (path, _)) in files {
            cmd.arg("--file").arg(format!("{n}:{}", path.display()));
        }
        let what = format!("the pipelines under Python {name}");
        let report = match run_measured(cmd, &RunOptions::new(&what, Duration::from_secs(120)))
            .and_then(|r| r.check())
        {
            Ok(r) => r,
            Err(e) if pyproof_proc::process::interrupted() => return Err(e.into()),
            Err(e) => {
                outcome.notes.push(format!(
                    "Not measured per build: Python {name} ({}): {e}",
                    b.candidate.path.display()
                ));
                continue;
            }
        };
        let parsed: Result<PyReport, _> =
            serde_json::from_str(report.stdout.lines().last().unwrap_or(""));
        let points = match parsed
            .map_err(|e| ExperimentError::Inconsistent(format!("{what}: unreadable report: {e}")))
            .and_then(|py| points_of(&py, files))
        {
            Ok(p) => p,
            Err(e) => {
                outcome
                    .notes
                    .push(format!("Not measured per build: Python {name}: {e}"));
                continue;
            }
        };
        record(outcome, &name, &points);
        let v = b.found.version;
        runs.push(BuildRun {
            build: name,
            gil_off: b.found.free_threaded && !b.found.gil_enabled,
            fits: BuildFits {
                label: format!(
                    "Python {} ({})",
                    b.found.version_text(),
                    b.found.build_label()
                ),
                version: (v.0, v.1, v.2),
                free_threaded: b.found.free_threaded,
                fits: fits_of(&points),
            },
        });
    }
    if !runs.is_empty() {
        outcome.tables.push(table(&runs, ns, files));
    }
    Ok(runs)
}

/// Each build's peaks as measurements, keyed by build: `builds.3.13.15t.python.list`.
fn record(outcome: &mut Outcome, build: &str, points: &BTreeMap<(Pipeline, u64), Point>) {
    let mut by_pipeline: BTreeMap<Pipeline, Vec<f64>> = BTreeMap::new();
    for ((p, _), pt) in points {
        by_pipeline
            .entry(*p)
            .or_default()
            .push(pt.peak_bytes as f64);
    }
    for (p, peaks) in by_pipeline {
        outcome.measurements.push(Measurement::new(
            format!("builds.{build}.{}.peak_bytes", p.id()),
            format!("Python {build}: {} (n ascending)", p.label()),
            "bytes",
            peaks,
        ));
    }
}

/// The per-build table: what a materialised item costs, and the streaming pipelines' peaks.
fn table(runs: &[BuildRun], ns: &[u64], files: &BTreeMap<u64, (PathBuf, u64)>) -> Table {
    let range = |v: &[u64]| {
        format!(
            "{}…{}",
            format_number(*v.first().unwrap_or(&0) as f64),
            format_number(*v.last().unwrap_or(&0) as f64)
        )
    };
    let file_ns: Vec<u64> = files.keys().copied().collect();
    let mut table = Table::new(
        format!(
            "Every CPython build on this machine: bytes per item (fitted, tracemalloc) of the \
             pipelines that materialise, and the peak of those that stream (n = {} items, {} \
             lines)",
            range(ns),
            range(&file_ns)
        ),
        &[
            "interpreter",
            "list: bytes per item",
            "readlines(): bytes per line",
            "generator expression: peak",
            "yield: peak",
            "for line in f: peak",
            "(2) flat",
        ],
    );
    for r in runs {
        let slope = |p: Pipeline| {
            r.fits
                .fits
                .get(&p)
                .map_or("—".to_string(), |(f, _)| format_number(f.slope))
        };
        let last_peak = |p: Pipeline| {
            r.fits
                .fits
                .get(&p)
                .and_then(|(_, s)| s.last())
                .map_or("—".to_string(), |&(_, b)| format_bytes(b))
        };
        table.row(vec![
            r.fits.label.clone(),
            slope(Pipeline::PyList),
            slope(Pipeline::PyReadlines),
            last_peak(Pipeline::PyGenerator),
            last_peak(Pipeline::PyYield),
            last_peak(Pipeline::PyLines),
            match build_holds(&r.fits.fits) {
                Some(true) => "holds",
                Some(false) => "grew",
                None => "—",
            }
            .to_string(),
        ]);
    }
    table
}
