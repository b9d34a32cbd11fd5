//! The cluster's verdict rules, pure over the rounds' figures: (6) on one machine a Dask
//! cluster does not beat a process pool, (7) a worker killed mid-run loses no image.

use super::{ClusterStats, KillOutcome, NotRun, dask_config};
use crate::TIE;
use crate::plan::{Config, Executor, Workload};
use crate::runs::MillionOutcome;
use crate::stats::Stats;
use pyproof_harness::{
    Case, Judgement, Threshold, Verdict, format_number, judge_cases, median, one_core,
    pairwise_ratios,
};

/// The claims' ids.
pub mod ids {
    /// Claim (6).
    pub const ONE_MACHINE: &str = "dask_one_machine";
    /// Claim (7).
    pub const KILLED_WORKER: &str = "dask_killed_worker";
    /// Both, in the order declared.
    pub const ALL: [&str; 2] = [ONE_MACHINE, KILLED_WORKER];
}

/// Claim (6): Dask's images/s over the process pool's, same k, same batches, per round.
/// "Does not beat" holds below +10% — a tie holds — and fails only when the cluster is
/// faster by more than the margin (declared 2026-11-30 before any run judged it).
pub const NO_FASTER: Threshold = Threshold::below(TIE).tie_within(TIE);

/// Both claims. `not_run` says why they cannot be judged this run, if they cannot.
pub fn judge(
    stats: &Stats,
    cluster: &ClusterStats,
    kill: Option<&KillOutcome>,
    not_run: Option<&NotRun>,
    million: Option<&MillionOutcome>,
    cores: usize,
) -> Vec<Judgement> {
    vec![
        judge_one_machine(stats, cluster, not_run, million, cores),
        judge_killed_worker(kill, not_run),
    ]
}

fn skipped(id: &str, not_run: &NotRun) -> Judgement {
    match not_run {
        NotRun::Missing => Judgement::new(
            id,
            Verdict::Skipped,
            format!(
                "not run: Python module {} not installed in the venv (pip install -r \
                 python/requirements.txt)",
                super::MODULE
            ),
        ),
        NotRun::External(addr) => Judgement::new(
            id,
            Verdict::Inconclusive,
            if id == ids::ONE_MACHINE {
                format!(
                    "not judged: the cluster at {addr} is not this machine's, so its speed says \
                     nothing about a cluster on one machine (its figures are in the tables)"
                )
            } else {
                format!(
                    "not run: the cluster at {addr} is someone else's — pyproof kills workers \
                     only of a cluster it started (run without --dask-scheduler)"
                )
            },
        ),
    }
}

fn judge_one_machine(
    stats: &Stats,
    cluster: &ClusterStats,
    not_run: Option<&NotRun>,
    million: Option<&MillionOutcome>,
    cores: usize,
) -> Judgement {
    if let Some(n) = not_run {
        return skipped(ids::ONE_MACHINE, n);
    }
    let why = "a one-worker cluster and a one-process pool run one image at a time: the \
               comparison on one machine needs two cores";
    if let Some(j) = one_core(ids::ONE_MACHINE, cores, why) {
        return j;
    }
    let dask = dask_config(cores);
    let pool = Config {
        workload: Workload::PillowThumbnail,
        executor: Executor::Processes(cores),
    };
    let (Some(d), Some(p)) = (stats.rates.get(&dask), stats.rates.get(&pool)) else {
        return Judgement::new(
            ids::ONE_MACHINE,
            Verdict::Inconclusive,
            "the cluster or the process pool was not measured",
        );
    };
    let batch = stats.batch.get(&dask).copied().unwrap_or(1);
    let mut cases = vec![NO_FASTER.case(
        format!("warm, {batch} images per task"),
        &format!("Dask ({cores} workers) / process pool (k = {cores}) images/s"),
        &pairwise_ratios(d, p),
        "×",
    )];
    if let Some(m) = million {
        let rate = |e: Executor| {
            m.runs
                .iter()
                .find(|r| r.config.workload == Workload::PillowThumbnail && r.config.executor == e)
                .map(|r| r.report.rate())
        };
        // One run each (hours at full scale): a point, labelled so.
        if let (Some(d), Some(p)) = (rate(dask.executor), rate(pool.executor)) {
            cases.push(Case::new(
                format!("the million ({}, one run each)", m.corpus.describe()),
                d / p < NO_FASTER.value,
                format!(
                    "Dask {} images/s vs process pool {} images/s = {}×",
                    format_number(d),
                    format_number(p),
                    format_number(d / p)
                ),
            ));
        }
    }
    let mut j = judge_cases(ids::ONE_MACHINE, &cases);
    let med = |v: &[f64]| format_number(median(v));
    let sweep = cluster
        .sweep
        .iter()
        .map(|(b, r)| format!("{b}: {}", med(r)))
        .collect::<Vec<_>>()
        .join(", ");
    j.evidence = format!(
        "{}. What the cluster costs beside the pool: {} ms per empty task against the pool's \
         {} ms; start-up {} s (scheduler, workers, connection) against the pool's {} s; \
         images/s by images per task {{{sweep}}}",
        j.evidence,
        format_number(1000.0 * median(&cluster.task_s)),
        format_number(1000.0 * median(&cluster.pool_task_s)),
        med(&cluster.startup_s),
        stats.startup.get(&pool).map_or("?".into(), |s| med(s)),
    );
    j
}

fn judge_killed_worker(kill: Option<&KillOutcome>, not_run: Option<&NotRun>) -> Judgement {
    if let Some(n) = not_run {
        return skipped(ids::KILLED_WORKER, n);
    }
    let Some(k) = kill else {
        return Judgement::new(
            ids::KILLED_WORKER,
            Verdict::Inconclusive,
            "the killed-worker run did not take place",
        );
    };
    let r = &k.report;
    let images = Case::new(
        "every image out",
        r.recovered && k.same_outputs,
        match (&r.error, r.recovered) {
            (Some(e), _) => format!("the run failed: {e}"),
            (None, true) if k.same_outputs => format!(
                "{} images, outputs equal to the undisturbed runs'; the scheduler lost {} task{} \
                 with the worker and ran {} again",
                r.tally.images(),
                r.tasks_lost_with_worker,
                if r.tasks_lost_with_worker == 1 {
                    ""
                } else {
                    "s"
                },
                if r.tasks_lost_with_worker == 1 {
                    "it"
                } else {
                    "them"
                },
            ),
            _ => format!(
                "the outputs differ from the undisturbed runs' ({} images processed, {} \
                 skipped)",
                r.tally.processed, r.tally.skipped
            ),
        },
    );
    let stopped = Case::new(
        "nothing left behind",
        r.left_behind.is_empty(),
        if r.left_behind.is_empty() {
            "every process of the cluster gone after it stopped".to_string()
        } else {
            format!("still alive after the stop: pids {:?}", r.left_behind)
        },
    );
    let mut j = judge_cases(ids::KILLED_WORKER, &[images, stopped]);
    j.evidence = format!(
        "{}. Killed as task {} of {} was handed out; {} worker{} in the cluster at the end (the \
         nanny restarts a killed worker); the disturbed job took {} s",
        j.evidence,
        r.killed_at_batch
            .map_or("?".into(), |b| (b + 1).to_string()),
        r.batches,
        r.workers_after,
        if r.workers_after == 1 { "" } else { "s" },
        format_number(r.work_s),
    );
    j
}

#[cfg(test)]
#[path = "judge_tests.rs"]
mod tests;
