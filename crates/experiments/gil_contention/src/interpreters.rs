//! Every interpreter on the machine: the pure-Python threads workload under each.
//!
//! The interpreters are those [`pyproof_python::pythons`] finds: `PATH`, pyenv's versions,
//! pyproof's own builds (`pyproof pythons --build 3.13t`) and `--python` /
//! `PYPROOF_PYTHONS`; one that is not a Python, or older than 3.6, is reported in one line and
//! left out, and the same executable found twice is measured once. The workload is
//! `python/pyproof/gil_threads.py`, run as a file so that old interpreters need not import
//! the `pyproof` package.

use pyproof_harness::ExperimentError;
use pyproof_python::pythons::Candidate;
use pyproof_python::{RunOptions, run_measured};
use serde::Deserialize;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

/// The interpreter's own facts, as the workload reports them.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Facts {
    /// `major.minor.micro`.
    pub version: String,
    /// `sys.implementation.name`.
    pub implementation: String,
    /// Built with `Py_GIL_DISABLED`.
    pub free_threaded: bool,
    /// The GIL on at run time (`sys._is_gil_enabled()`, true before 3.13).
    pub gil_enabled: bool,
    /// `sys.executable`.
    pub executable: String,
}

impl Facts {
    /// "GIL", "free-threaded, GIL off" or "free-threaded, GIL re-enabled".
    pub fn build_label(&self) -> &'static str {
        match (self.free_threaded, self.gil_enabled) {
            (false, _) => "GIL",
            (true, false) => "free-threaded, GIL off",
            (true, true) => "free-threaded, GIL re-enabled",
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
struct RoundSample {
    one: f64,
    threads: std::collections::BTreeMap<String, f64>,
}

#[derive(Debug, Clone, Deserialize)]
struct Report {
    facts: Facts,
    samples: Vec<RoundSample>,
    #[serde(default)]
    race: Option<Race>,
    #[serde(default)]
    pools: Option<Pools>,
}

/// Cold process pools under one interpreter (`gil_threads.py --pools`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Pools {
    /// `multiprocessing.get_start_method()` as the interpreter defaults it.
    pub start_method: String,
    /// Workers per pool.
    pub workers: u64,
    /// Each pool's start, one task per worker, and shutdown, seconds.
    pub seconds: Vec<f64>,
}

/// Updates lost by a shared counter under threads, counted (`gil_threads.py --race`).
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
pub struct Race {
    /// Threads adding at once.
    pub threads: u64,
    /// Adds per thread without a lock.
    pub per_thread: u64,
    /// Adds per thread under the lock.
    pub locked_per_thread: u64,
    /// The interpreter's switch interval during the count (its default: untouched).
    pub switch_interval_s: f64,
    /// What was lost, each way.
    pub lost: Lost,
}

/// Lost updates of each way of adding.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
pub struct Lost {
    /// Read, call something, write.
    pub call_between: u64,
    /// `counter.value += 1`.
    pub in_place: u64,
    /// The read-call-write under a `threading.Lock`.
    pub locked: u64,
}

/// One interpreter measured.
#[derive(Debug, Clone)]
pub struct Measured {
    /// Where it was found, and the path.
    pub candidate: Candidate,
    /// What it says of itself.
    pub facts: Facts,
    /// Seconds of one thread doing the whole work, per round.
    pub one_s: Vec<f64>,
    /// Speedups (one thread's seconds / k threads'), per k, per round.
    pub speedups: Vec<(usize, Vec<f64>)>,
    /// The lost-update count, when asked for.
    pub race: Option<Race>,
    /// The cold pools, when asked for.
    pub pools: Option<Pools>,
    /// Peak anonymous memory of the workload's process, KiB (the same work on every build).
    pub peak_anon_kib: u64,
}

/// What to run under each interpreter besides the threads workload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Extras {
    /// Adds per thread for the lost-update count (0: none).
    pub race: u64,
    /// Cold 2-process pools to time (0: none).
    pub pools: u64,
}

impl Measured {
    /// Adds the rounds of another pass under the same interpreter: its one-thread times and
    /// its paired speedups (each round pairs its own runs, so rounds from two processes
    /// mix).
    pub fn add_rounds(&mut self, more: Measured) {
        self.one_s.extend(more.one_s);
        for (k, ratios) in more.speedups {
            match self.speedups.iter_mut().find(|(kk, _)| *kk == k) {
                Some((_, v)) => v.extend(ratios),
                None => self.speedups.push((k, ratios)),
            }
        }
        self.peak_anon_kib = self.peak_anon_kib.max(more.peak_anon_kib);
    }
}

/// Runs the workload (`work` iterations, thread counts `ks`, `rounds` rounds, and the
/// `extras`) under one interpreter.
pub fn measure(
    candidate: &Candidate,
    script: &Path,
    work: u64,
    ks: &[usize],
    rounds: usize,
    extras: Extras,
) -> Result<Measured, ExperimentError> {
    let mut cmd = Command::new(&candidate.path);
    cmd.arg(script)
        .args(["--work", &work.to_string()])
        .args([
            "--ks",
            &ks.iter()
                .map(|k| k.to_string())
                .collect::<Vec<_>>()
                .join(","),
        ])
        .args(["--rounds", &rounds.to_string()])
        .args(["--race", &extras.race.to_string()])
        .args(["--pools", &extras.pools.to_string()]);
    let what = format!("the threads workload under {}", candidate.path.display());
    let out = run_measured(
        cmd,
        &RunOptions::new(what.clone(), Duration::from_secs(600)),
    )?
    .check()?;
    let peak_anon_kib = out.peak_anon_kib;
    let report: Report = serde_json::from_str(out.stdout.lines().last().unwrap_or(""))
        .map_err(|e| ExperimentError::Inconsistent(format!("{what}: unreadable report ({e})")))?;
    let one_s: Vec<f64> = report.samples.iter().map(|s| s.one).collect();
    let speedups = ks
        .iter()
        .map(|&k| {
            let ratios = report
                .samples
                .iter()
                .filter_map(|s| Some(s.one / s.threads.get(&k.to_string())?))
                .collect();
            (k, ratios)
        })
        .collect();
    Ok(Measured {
        candidate: candidate.clone(),
        facts: report.facts,
        one_s,
        speedups,
        race: report.race,
        pools: report.pools,
        peak_anon_kib,
    })
}
