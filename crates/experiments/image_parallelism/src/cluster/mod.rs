//! The thumbnail job on a real Dask cluster, beside the process pool: what a cluster costs
//! on one machine, the batch size that amortises it, a worker killed mid-run, and when a
//! cluster pays for a million images.
//!
//! Each round's `Executor::Dask` run (`python -m pyproof image_parallelism thumbnail dask k`)
//! starts a scheduler and k workers as separate processes on 127.0.0.1 — or connects to
//! `--dask-scheduler ADDR` — and reports a [`ClusterReport`] beside the usual figures; its
//! process group, cluster included, is sampled for memory like every other run. Once per
//! run, a fresh local cluster has one worker killed mid-job ([`run_kill`]). Judged by
//! [`judge`], laid out by [`render`].

pub mod judge;
pub mod projection;
pub mod render;

use crate::corpus::Corpus;
use crate::pipeline::Tally;
use crate::runs::{RunMode, Sample, command};
use crate::{plan::Executor, plan::Workload};
use pyproof_harness::{ExperimentError, median};
use pyproof_python::{RunOptions, run_measured};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::Duration;

/// The Python module that must import for the cluster's runs and claims.
pub const MODULE: &str = "distributed";

/// Images the batch sweep runs over (the pack's first; `pyproof.image_cluster.SWEEP_IMAGES`).
pub const SWEEP_IMAGES: u64 = 256;

/// How long the check of `--dask-scheduler` waits for a TCP connection.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// One images/s figure of the batch sweep.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepPoint {
    /// Images per task.
    pub batch: u64,
    /// Seconds from the first task to the last output.
    pub work_s: f64,
    /// What came out (the sweep runs over the pack's first images).
    #[serde(flatten)]
    pub tally: Tally,
}

impl SweepPoint {
    /// Images per second.
    pub fn rate(&self) -> f64 {
        self.tally.images() as f64 / self.work_s.max(1e-9)
    }
}

/// What a Dask run reports beside the figures every executor reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClusterReport {
    /// `local` (started for the run) or the address given.
    pub scheduler: String,
    /// Workers that served the run.
    pub workers: usize,
    /// Seconds per empty task through the cluster (None when not measured).
    pub task_s: Option<f64>,
    /// Seconds per empty task through a `ProcessPoolExecutor` of the same k, same run.
    pub pool_task_s: Option<f64>,
    /// Images/s at each batch size.
    pub sweep: Vec<SweepPoint>,
    /// Resident memory of the workers as Dask reports it, MiB.
    pub rss_mib: f64,
}

/// What the killed-worker run reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KillReport {
    /// Whether every image came out although a worker was killed.
    pub recovered: bool,
    /// What ended the run when it did not recover.
    #[serde(default)]
    pub error: Option<String>,
    /// Tasks of the job.
    pub batches: u64,
    /// The task being handed out when the worker was killed.
    #[serde(default)]
    pub killed_at_batch: Option<u64>,
    /// Tasks the scheduler says were lost with the worker (rerun elsewhere when recovered).
    pub tasks_lost_with_worker: u64,
    /// Workers in the cluster at the end (the nanny restarts a killed worker).
    pub workers_after: u64,
    /// Processes of the cluster still alive after it was stopped.
    pub left_behind: Vec<u32>,
    /// Seconds of the disturbed job.
    pub work_s: f64,
    /// What came out.
    #[serde(flatten)]
    pub tally: Tally,
}

/// The killed-worker run as the judge sees it: its report and the undisturbed runs' tally.
#[derive(Debug, Clone, PartialEq)]
pub struct KillOutcome {
    /// What the run reported.
    pub report: KillReport,
    /// Whether its outputs equal the undisturbed runs'.
    pub same_outputs: bool,
}

/// Why the cluster's claims cannot be judged this run, when they cannot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotRun {
    /// `distributed` is not installed in the venv.
    Missing,
    /// The run used `--dask-scheduler`: pyproof kills no worker of someone else's cluster.
    External(String),
}

/// Checks `--dask-scheduler ADDR` (`host:port`, optionally `tcp://`) by opening a TCP
/// connection to it within [`CONNECT_TIMEOUT`]: a typo or a stopped cluster is one clear
/// line before any measurement starts.
pub fn check_scheduler(addr: &str) -> Result<(), ExperimentError> {
    let bare = addr.strip_prefix("tcp://").unwrap_or(addr);
    let resolved: Vec<SocketAddr> = bare
        .to_socket_addrs()
        .map_err(|e| {
            ExperimentError::Input(format!(
                "--dask-scheduler {addr}: not a reachable host:port ({e})"
            ))
        })?
        .collect();
    let Some(first) = resolved.first() else {
        return Err(ExperimentError::Input(format!(
            "--dask-scheduler {addr}: the name resolves to no address"
        )));
    };
    TcpStream::connect_timeout(first, CONNECT_TIMEOUT).map_err(|e| {
        ExperimentError::Input(format!(
            "--dask-scheduler {addr}: no Dask scheduler answers there within {} s ({e}); \
             start one (`dask scheduler`) or leave the option out to let pyproof start its own",
            CONNECT_TIMEOUT.as_secs()
        ))
    })?;
    Ok(())
}

/// Runs the thumbnail job over the first `count` images on a fresh local cluster of `k`
/// workers, one of which is killed a third of the way through.
pub fn run_kill(
    corpus: &Corpus,
    count: u64,
    k: usize,
    timeout: Duration,
) -> Result<KillReport, ExperimentError> {
    // The Dask run's own command, on a cluster of its own, plus the kill.
    let mut cmd = command(
        &dask_config(k),
        &corpus.path,
        count,
        timeout,
        RunMode::Warm,
        None,
        // The kill path measures no costs (--kill-one-worker reports the disturbed job).
        true,
        Duration::ZERO,
    )?;
    cmd.arg("--kill-one-worker");
    let what = format!("a Dask worker killed mid-run ({k} workers)");
    let report = run_measured(cmd, &RunOptions::new(what.clone(), timeout))?.check()?;
    let line = report.stdout.lines().last().unwrap_or("");
    serde_json::from_str(line)
        .map_err(|e| ExperimentError::Inconsistent(format!("{what}: unreadable report ({e})")))
}

/// The Dask samples of the rounds, warm, in run order.
pub fn dask_samples(samples: &[Sample]) -> Vec<&Sample> {
    samples
        .iter()
        .filter(|s| !s.cold && matches!(s.config.executor, Executor::Dask(_)))
        .collect()
}

/// Every sweep point of every round must give the same outputs per batch size set (the
/// sweep runs over the same first images each time): checked, not assumed.
pub fn check_sweeps(samples: &[Sample]) -> Result<(), ExperimentError> {
    let mut first: Option<Tally> = None;
    for s in dask_samples(samples) {
        for p in s.report.cluster.iter().flat_map(|c| &c.sweep) {
            let reference = *first.get_or_insert(p.tally);
            if !reference.same_outputs(&p.tally) {
                return Err(ExperimentError::Inconsistent(format!(
                    "the Dask batch sweep gave {:?} at {} images per task but {:?} before",
                    p.tally, p.batch, reference
                )));
            }
        }
    }
    Ok(())
}

/// The rounds' cluster figures, per round in run order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ClusterStats {
    /// Seconds per empty task on the cluster.
    pub task_s: Vec<f64>,
    /// Seconds per empty task on the process pool, same runs.
    pub pool_task_s: Vec<f64>,
    /// Seconds per task carrying its images, from each round's sweep: the time the smallest
    /// batch took beyond the largest's, over the tasks it had beyond the largest's.
    pub loaded_task_s: Vec<f64>,
    /// Per batch size: images/s.
    pub sweep: BTreeMap<u64, Vec<f64>>,
    /// Cluster start-up (scheduler, workers, connect, warm), s.
    pub startup_s: Vec<f64>,
    /// Peak anonymous memory of the whole process group, MiB.
    pub peak_anon_mib: Vec<f64>,
    /// Workers' resident memory as Dask reports it, MiB.
    pub rss_mib: Vec<f64>,
    /// The scheduler: `local` or the address given.
    pub scheduler: String,
}

impl ClusterStats {
    /// Reduces the rounds' Dask samples.
    pub fn new(samples: &[Sample]) -> Self {
        let mut out = ClusterStats::default();
        for s in dask_samples(samples) {
            out.startup_s.push(s.report.startup_s);
            out.peak_anon_mib.push(s.peak_anon_mib);
            let Some(c) = &s.report.cluster else { continue };
            out.task_s.extend(c.task_s);
            out.pool_task_s.extend(c.pool_task_s);
            out.rss_mib.push(c.rss_mib);
            out.scheduler.clone_from(&c.scheduler);
            for p in &c.sweep {
                out.sweep.entry(p.batch).or_default().push(p.rate());
            }
            out.loaded_task_s.extend(loaded_task_s(&c.sweep));
        }
        out
    }

    /// The smallest batch whose median images/s is within `tie` (e.g. 1.10) of the best
    /// batch's: where the per-task cost stops mattering.
    pub fn amortising_batch(&self, tie: f64) -> Option<u64> {
        let best = self
            .sweep
            .values()
            .map(|r| median(r))
            .fold(f64::NAN, f64::max);
        self.sweep
            .iter()
            .find(|(_, r)| median(r) * tie >= best)
            .map(|(&b, _)| b)
    }
}

/// The per-task cost of tasks that carry their images, from one sweep: the smallest batch's
/// extra seconds over the largest batch's, divided by its extra tasks. None with fewer than
/// two batch sizes or no extra tasks.
pub fn loaded_task_s(sweep: &[SweepPoint]) -> Option<f64> {
    let small = sweep.iter().min_by_key(|p| p.batch)?;
    let large = sweep.iter().max_by_key(|p| p.batch)?;
    let tasks = |p: &SweepPoint| p.tally.images().div_ceil(p.batch.max(1)) as f64;
    let extra = tasks(small) - tasks(large);
    (extra > 0.0).then(|| (small.work_s - large.work_s) / extra)
}

/// The Dask configuration of the thumbnail on `cores` workers.
pub fn dask_config(cores: usize) -> crate::plan::Config {
    crate::plan::Config {
        workload: Workload::PillowThumbnail,
        executor: Executor::Dask(cores.max(1)),
    }
}

#[cfg(test)]
mod tests;
