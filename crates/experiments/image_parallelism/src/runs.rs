//! Running one configuration over the corpus in a fresh process (the venv's Python, or this
//! binary as the images worker), and the million-image run of `--scale full`.

use crate::corpus::{Corpus, CorpusSpec, damage_of, ensure_corpus, group_digits};
use crate::worker;
use crate::worker::RunReport;
use crate::{corpus_progress, plan::Config, plan::Executor, plan::MillionPlan, plan::Workload};
use pyproof_harness::{ExperimentError, RunContext};
use pyproof_python::{Interpreter, RunOptions, python_worker, run_measured};
use std::collections::BTreeMap;
use std::process::Command;
use std::time::Duration;

/// One run of one configuration.
#[derive(Debug, Clone)]
pub struct Sample {
    /// What ran.
    pub config: Config,
    /// The round it belonged to.
    pub round: usize,
    /// Whether it was timed cold (pool start and shutdown inside the timed work).
    pub cold: bool,
    /// Whether it was a paired run ([`RunMode::Paired`]): not a warm run of its
    /// configuration, kept apart from them.
    pub paired: bool,
    /// What the worker reported.
    pub report: RunReport,
    /// Peak anonymous memory of the whole process group (pool workers included), MiB.
    pub peak_anon_mib: f64,
    /// CPU time of the process and its reaped children, s.
    pub cpu_s: f64,
}

pub(crate) const MIB: f64 = 1024.0 * 1024.0;

/// A fresh worker process, before its arguments: this binary re-executed as the images
/// worker (`rust`), or the venv's Python running `pyproof.image_parallelism`.
pub(crate) fn worker_command(rust: bool) -> Result<Command, ExperimentError> {
    if rust {
        Ok(pyproof_proc::worker_command(
            pyproof_harness::Worker::role(&worker::ImagesWorker),
        )?)
    } else {
        Ok(python_worker(Interpreter::get()?, "image_parallelism"))
    }
}

/// How a run is timed and fed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum RunMode {
    /// The pack read first; the pool started and warmed before the timed work.
    Warm,
    /// The same, the pack read while working (only the batches in flight in memory).
    Streamed,
    /// Nothing warmed: the timed part is the pool's start, moving the bytes, the work and the
    /// pool's shutdown — what a user running the job once pays (Python executors only).
    Cold,
    /// Warm, and each timed rayon pass beside a sequential pass of the same pipeline in the
    /// same process, alternately before and after it (Rust only): claim (4)'s efficiency,
    /// free of the differences between two processes and of the machine's drift between
    /// two runs.
    Paired,
}

/// The command that runs `config` over the pack in a fresh process (a Dask run on the
/// cluster at `dask_scheduler` when given, else on one it starts; with `cluster_extras`, also
/// its empty-task costs and batch sweep).
#[allow(clippy::too_many_arguments)]
pub(crate) fn command(
    config: &Config,
    pack: &std::path::Path,
    count: u64,
    timeout: Duration,
    mode: RunMode,
    dask_scheduler: Option<&str>,
    cluster_extras: bool,
    window: Duration,
) -> Result<Command, ExperimentError> {
    let mut cmd = worker_command(config.workload.is_rust())?;
    add_args(
        &mut cmd,
        config,
        pack,
        count,
        timeout,
        mode,
        dask_scheduler,
        cluster_extras,
    );
    // A warm Rust run timed over whole passes filling `window` ([`Plan::rust_window`]).
    if config.workload.is_rust()
        && matches!(mode, RunMode::Warm | RunMode::Paired)
        && !window.is_zero()
    {
        cmd.args(["--window", &format!("{:.3}", window.as_secs_f64())]);
    }
    Ok(cmd)
}

/// The worker's arguments for `config` (see [`command`]).
#[allow(clippy::too_many_arguments)]
fn add_args(
    cmd: &mut Command,
    config: &Config,
    pack: &std::path::Path,
    count: u64,
    timeout: Duration,
    mode: RunMode,
    dask_scheduler: Option<&str>,
    cluster_extras: bool,
) {
    let k = config.executor.k().to_string();
    cmd.args([config.workload.job(), config.executor.name(), &k])
        .arg(pack);
    if !config.workload.is_rust() {
        // A little less than the harness's own deadline: the worker says what timed out.
        cmd.args([
            "--timeout",
            &format!(
                "{:.0}",
                timeout.saturating_sub(Duration::from_secs(5)).as_secs_f64()
            ),
        ]);
    }
    cmd.args(["--count", &count.to_string()]);
    if let (Executor::Dask(_), Some(addr)) = (config.executor, dask_scheduler) {
        cmd.args(["--scheduler", addr]);
    }
    if matches!(config.executor, Executor::Dask(_)) && !cluster_extras {
        cmd.arg("--no-cluster-extras");
    }
    match mode {
        RunMode::Warm => {}
        RunMode::Streamed => {
            cmd.arg("--stream");
        }
        RunMode::Cold => {
            cmd.arg("--cold");
        }
        RunMode::Paired => {
            cmd.arg("--paired");
        }
    }
}

/// Runs one configuration over the first `count` images of `corpus` in a fresh process
/// (a Dask configuration on the cluster at `dask_scheduler` when given, its empty-task costs
/// and batch sweep with it when `cluster_extras`; a warm Rust run timed over whole passes
/// until `window` has passed, one pass when it is zero).
#[allow(clippy::too_many_arguments)]
pub fn run_config(
    config: &Config,
    corpus: &Corpus,
    count: u64,
    timeout: Duration,
    mode: RunMode,
    dask_scheduler: Option<&str>,
    cluster_extras: bool,
    window: Duration,
) -> Result<(RunReport, f64, f64), ExperimentError> {
    let what = format!(
        "{} {} over {} images",
        config.workload.label(),
        config.executor.label(),
        group_digits(count)
    );
    let cmd = command(
        config,
        &corpus.path,
        count,
        timeout,
        mode,
        dask_scheduler,
        cluster_extras,
        window,
    )?;
    run_command(cmd, &what, corpus, count, timeout)
}

/// Runs `config` warm over the first `count` images under another interpreter: `python` (a
/// venv's, with Pillow) runs `pyproof.image_parallelism` from `python_dir`.
pub fn run_config_on(
    python: &std::path::Path,
    python_dir: &std::path::Path,
    config: &Config,
    corpus: &Corpus,
    count: u64,
    timeout: Duration,
) -> Result<(RunReport, f64, f64), ExperimentError> {
    let mut cmd = pyproof_python::worker_on(python, python_dir, "image_parallelism");
    add_args(
        &mut cmd,
        config,
        &corpus.path,
        count,
        timeout,
        RunMode::Warm,
        None,
        false,
    );
    let what = format!(
        "{} {} over {} images under {}",
        config.workload.label(),
        config.executor.label(),
        group_digits(count),
        python.display()
    );
    run_command(cmd, &what, corpus, count, timeout)
}

/// Runs a worker command to completion, measured from outside: its report (every image
/// accounted for), the group's peak anonymous memory (MiB) and its CPU time (s).
fn run_command(
    cmd: Command,
    what: &str,
    corpus: &Corpus,
    count: u64,
    timeout: Duration,
) -> Result<(RunReport, f64, f64), ExperimentError> {
    let report = run_measured(cmd, &RunOptions::new(what, timeout))?.check()?;
    let line = report.stdout.lines().last().unwrap_or("");
    let parsed: RunReport = serde_json::from_str(line).map_err(|e| {
        ExperimentError::Inconsistent(format!(
            "{what}: unreadable report ({e}); did the binary call \
             pyproof::worker_main() first?"
        ))
    })?;
    if parsed.tally.images() != count.min(corpus.info.spec.count) {
        return Err(ExperimentError::Inconsistent(format!(
            "{what}: saw {} images, expected {count}",
            parsed.tally.images()
        )));
    }
    Ok((
        parsed,
        report.peak_group_anon_kib as f64 * 1024.0 / MIB,
        report.cpu_s(),
    ))
}

/// Images among the first `count` of `spec` that are damaged on purpose.
pub fn damaged_among(spec: &CorpusSpec, count: u64) -> u64 {
    (0..count.min(spec.count))
        .filter(|&i| damage_of(spec, i).is_some())
        .count() as u64
}

/// Every run of a workload must produce the same outputs whatever the executor and round:
/// checked, not assumed.
pub(crate) fn check_outputs(samples: &[Sample]) -> Result<(), ExperimentError> {
    let mut first: BTreeMap<Workload, &Sample> = BTreeMap::new();
    for s in samples {
        let reference = *first.entry(s.config.workload).or_insert(s);
        if !reference.report.tally.same_outputs(&s.report.tally) {
            return Err(ExperimentError::Inconsistent(format!(
                "{}: {} gave {:?} but {} gave {:?}",
                s.config.workload.label(),
                reference.config.executor.label(),
                reference.report.tally,
                s.config.executor.label(),
                s.report.tally
            )));
        }
    }
    Ok(())
}

/// One of the million-image runs.
#[derive(Debug, Clone)]
pub struct MillionRun {
    /// What ran.
    pub config: Config,
    /// What it reported.
    pub report: RunReport,
    /// Peak anonymous memory of its process group, MiB.
    pub peak_anon_mib: f64,
    /// Whether it ran over a sample only (the figure for a million is projected).
    pub projected: bool,
}

/// The million-image part of a full run.
#[derive(Debug, Clone)]
pub struct MillionOutcome {
    /// The corpus.
    pub corpus: CorpusSpec,
    /// Each run.
    pub runs: Vec<MillionRun>,
    /// What the reader should know.
    pub notes: Vec<String>,
}

/// The million-image runs; the Dask one too when `dask` (on the cluster at
/// `dask_scheduler` when given).
pub(crate) fn run_million(
    ctx: &RunContext<'_>,
    dir: &std::path::Path,
    plan: &MillionPlan,
    cores: usize,
    dask: bool,
    dask_scheduler: Option<&str>,
) -> Result<MillionOutcome, ExperimentError> {
    let label = format!("generating the million ({})", plan.corpus.describe());
    let corpus = ensure_corpus(dir, &plan.corpus, &corpus_progress(ctx, &label))?;
    let mut notes = Vec::new();
    if corpus.generated {
        notes.push(format!(
            "Generated the million-image pack {} ({}) in {:.0} s.",
            corpus.path.display(),
            pyproof_harness::format_bytes(corpus.info.bytes),
            corpus.generation_s
        ));
    }
    let k = cores.max(1);
    let mut runs = vec![
        (Workload::PillowThumbnail, Executor::Processes(k), false),
        (Workload::PillowThumbnail, Executor::Threads(k), false),
        (Workload::RustThumbnail, Executor::Rayon(k), false),
        (Workload::PythonThreshold, Executor::Processes(k), true),
    ];
    if dask {
        runs.insert(2, (Workload::PillowThumbnail, Executor::Dask(k), false));
    }
    let mut out = Vec::new();
    let total = runs.len();
    for (i, (workload, executor, projected)) in runs.into_iter().enumerate() {
        let config = Config { workload, executor };
        let count = if projected {
            plan.python_sample
        } else {
            plan.corpus.count
        };
        ctx.progress.update(
            &format!(
                "the million: {} {} over {} images",
                workload.label(),
                executor.label(),
                group_digits(count)
            ),
            i,
            total,
        );
        let (report, peak_anon_mib, _) = run_config(
            &config,
            &corpus,
            count,
            plan.timeout,
            if projected {
                RunMode::Warm
            } else {
                RunMode::Streamed
            },
            dask_scheduler,
            true,
            Duration::ZERO,
        )?;
        out.push(MillionRun {
            config,
            report,
            peak_anon_mib,
            projected,
        });
    }
    Ok(MillionOutcome {
        corpus: plan.corpus,
        runs: out,
        notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::CorpusSpec;

    #[test]
    fn damaged_images_are_counted_from_the_spec() {
        let spec = CorpusSpec {
            count: 1000,
            width: 8,
            height: 8,
            seed: 1,
            damage_every: 250,
        };
        assert_eq!(damaged_among(&spec, 1000), 4);
        assert_eq!(damaged_among(&spec, 249), 0);
        assert_eq!(damaged_among(&spec, 250), 1);
    }
}
