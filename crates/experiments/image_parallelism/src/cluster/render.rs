//! The cluster's measurements and tables: Dask beside the process pool on this machine, and
//! the projection of when a cluster pays for a million images.

use super::projection::{self, Inputs, PER_IMAGE_COSTS};
use super::{ClusterStats, KillOutcome, dask_config};
use crate::plan::{Config, Executor, Workload};
use crate::stats::Stats;
use crate::{MILLION, TIE};
use pyproof_harness::{Measurement, Outcome, Table, format_number, median, median_interval};

/// The cluster's own figures as measurements of the run (every round's sample kept).
pub fn record(outcome: &mut Outcome, cluster: &ClusterStats) {
    let mut put = |key: &str, label: &str, unit: &str, samples: &[f64]| {
        if !samples.is_empty() {
            outcome.measurements.push(Measurement::new(
                format!("dask.{key}"),
                label,
                unit,
                samples.to_vec(),
            ));
        }
    };
    put(
        "empty_task_s",
        "Dask cluster, seconds per empty task",
        "s",
        &cluster.task_s,
    );
    put(
        "pool_empty_task_s",
        "process pool, seconds per empty task (same runs)",
        "s",
        &cluster.pool_task_s,
    );
    put(
        "worker_rss_mib",
        "Dask workers' resident memory as Dask reports it",
        "MiB",
        &cluster.rss_mib,
    );
    for (batch, rates) in &cluster.sweep {
        put(
            &format!("sweep.b{batch}.images_per_s"),
            &format!("Dask cluster, {batch} images per task"),
            "images/s",
            rates,
        );
    }
}

fn interval(samples: &[f64], unit: &str) -> String {
    match samples {
        [] => "—".to_string(),
        // The extras (empty tasks, the batch sweep) run in round 1 alone: no interval.
        [one] => format!("{} (one round)", pyproof_harness::format_value(*one, unit)),
        _ => median_interval(samples).describe(unit),
    }
}

fn ms(samples: &[f64]) -> Vec<f64> {
    samples.iter().map(|s| s * 1000.0).collect()
}

/// Dask on this machine beside the process pool: per-task cost, start-up, images/s, memory,
/// the batch sweep and the killed worker.
pub fn table(
    stats: &Stats,
    cluster: &ClusterStats,
    kill: Option<&KillOutcome>,
    sweep_images: u64,
    cores: usize,
) -> Table {
    let dask = dask_config(cores);
    let pool = Config {
        workload: Workload::PillowThumbnail,
        executor: Executor::Processes(cores),
    };
    let get = |m: &std::collections::BTreeMap<Config, Vec<f64>>, c: &Config| {
        m.get(c).cloned().unwrap_or_default()
    };
    let mut t = Table::new(
        format!(
            "The Pillow thumbnail on a Dask cluster ({} workers of one thread, scheduler {}) \
             beside ProcessPoolExecutor(k = {cores}); medians with 95% intervals over the \
             rounds",
            cores, cluster.scheduler
        ),
        &["figure", "Dask cluster", "process pool", "what it means"],
    );
    t.row(vec![
        "per empty task".into(),
        interval(&ms(&cluster.task_s), "ms"),
        interval(&ms(&cluster.pool_task_s), "ms"),
        "what the coordinator spends on a task that does nothing: the scheduler's round trip \
         against a pipe to a child process"
            .into(),
    ]);
    t.row(vec![
        "per task carrying its images".into(),
        interval(&ms(&cluster.loaded_task_s), "ms"),
        "—".into(),
        format!(
            "from the batch sweep: the extra time of one image per task over {} per task, per \
             extra task — the bytes travel client → scheduler → worker and back",
            cluster.sweep.keys().last().copied().unwrap_or(0)
        ),
    ]);
    t.row(vec![
        "start-up".into(),
        interval(&cluster.startup_s, "s"),
        interval(&get(&stats.startup, &pool), "s"),
        "paid once per job: processes started, imports, workers registered".into(),
    ]);
    t.row(vec![
        format!(
            "images/s, {} images per task",
            stats.batch.get(&dask).copied().unwrap_or(0)
        ),
        interval(&get(&stats.rates, &dask), "images/s"),
        interval(&get(&stats.rates, &pool), "images/s"),
        "the same batches through both (claim (6))".into(),
    ]);
    t.row(vec![
        "peak memory of the process group".into(),
        interval(&cluster.peak_anon_mib, "MiB"),
        interval(&get(&stats.memory, &pool), "MiB"),
        if cluster.scheduler == "local" {
            "anonymous memory: driver, scheduler, nannies and workers against driver and pool \
             workers"
                .into()
        } else {
            "the driver only: an external cluster's processes are not ours to sample".into()
        },
    ]);
    t.row(vec![
        "workers' resident memory (Dask's figure)".into(),
        interval(&cluster.rss_mib, "MiB"),
        "—".into(),
        "what Dask's dashboard would show, summed over the workers".into(),
    ]);
    let best = cluster.amortising_batch(TIE);
    for (batch, rates) in &cluster.sweep {
        t.row(vec![
            format!("images/s, {batch} images per task (first {sweep_images} images)"),
            interval(rates, "images/s"),
            "—".into(),
            if Some(*batch) == best {
                format!(
                    "the smallest batch within {:.0}% of the best: amortises the per-task cost",
                    100.0 * (TIE - 1.0)
                )
            } else {
                String::new()
            },
        ]);
    }
    if let Some(k) = kill {
        let r = &k.report;
        t.row(vec![
            "one worker SIGKILLed mid-run".into(),
            if r.recovered && k.same_outputs {
                format!(
                    "every image out, equal outputs; {} task(s) rerun; {} s",
                    r.tasks_lost_with_worker,
                    format_number(r.work_s)
                )
            } else {
                format!("failed: {}", r.error.as_deref().unwrap_or("outputs differ"))
            },
            "the run fails (BrokenProcessPool)".into(),
            "the engine reruns a lost worker's tasks; a pool cannot".into(),
        ]);
    }
    t
}

/// The projection's inputs from this run: the per-task costs and start-up measured, the
/// amortising batch.
pub fn inputs(stats: &Stats, cluster: &ClusterStats, cores: usize) -> Option<Inputs> {
    if cluster.task_s.is_empty() || cluster.pool_task_s.is_empty() {
        return None;
    }
    let batch = cluster
        .amortising_batch(TIE)
        .or_else(|| stats.batch.get(&dask_config(cores)).copied())?;
    Some(Inputs {
        cores,
        images: MILLION,
        pool_task_s: median(&cluster.pool_task_s),
        dask_task_s: median(&cluster.task_s),
        dask_startup_s: median(&cluster.startup_s),
        batch,
    })
}

fn hours(h: f64) -> String {
    if h < 1.0 / 60.0 {
        format!("{} s", format_number(h * 3600.0))
    } else if h < 1.0 {
        format!("{} min", format_number(h * 60.0))
    } else {
        format!("{} h", format_number(h))
    }
}

/// When a cluster pays: the model of [`projection`] over per-image costs from 1 ms to 1 s,
/// and the same model's prediction of this run's own images/s beside the measured figure.
pub fn projection_table(stats: &Stats, cluster: &ClusterStats, cores: usize) -> Option<Table> {
    let inputs = inputs(stats, cluster, cores)?;
    let mut t = Table::new(
        format!(
            "A million images: hours on one {cores}-core machine against a Dask cluster of \
             such machines — model: the larger of compute (images × cost / cores) and the \
             coordinator's per-task time (measured here: pool {} ms, Dask {} ms per task), \
             tasks of {} images, cluster start-up {} s",
            format_number(inputs.pool_task_s * 1000.0),
            format_number(inputs.dask_task_s * 1000.0),
            inputs.batch,
            format_number(inputs.dask_startup_s)
        ),
        &[
            "cost per image (one core)",
            "one machine, process pool",
            "Dask scheduler alone, 1 image per task",
            "Dask scheduler alone, batched",
            "machines for < 1 h",
            "a cluster pays?",
        ],
    );
    let seq = Config {
        workload: Workload::PillowThumbnail,
        executor: Executor::Sequential,
    };
    let measured_cost = stats
        .rates
        .get(&seq)
        .map(|r| 1.0 / median(r).max(1e-9))
        .filter(|c| c.is_finite());
    let costs = measured_cost.into_iter().chain(PER_IMAGE_COSTS);
    for (i, c) in costs.enumerate() {
        let r = projection::row(&inputs, c);
        let label = if i == 0 && measured_cost.is_some() {
            format!(
                "{} ms (this thumbnail, measured)",
                format_number(c * 1000.0)
            )
        } else {
            format!("{} ms", format_number(c * 1000.0))
        };
        t.row(vec![
            label,
            hours(r.one_machine_h),
            hours(r.dask_floor_one_per_task_h),
            hours(r.dask_floor_batched_h),
            r.machines
                .map_or("none: bigger tasks needed".into(), |m| m.to_string()),
            if r.cluster_pays() {
                "yes".into()
            } else if r.one_machine_h <= 1.0 {
                "no: one machine is done within the hour".into()
            } else {
                "no: the scheduler is the bottleneck".into()
            },
        ]);
    }
    if let (Some(c), Some(d)) = (measured_cost, stats.rates.get(&dask_config(cores))) {
        let batch = stats.batch.get(&dask_config(cores)).copied().unwrap_or(1);
        let predicted = projection::predicted_rate(c, cores, inputs.dask_task_s, batch);
        t.row(vec![
            "model check, this run".into(),
            format!(
                "Dask at {batch} images per task: predicted {} images/s, measured {}",
                format_number(predicted),
                format_number(median(d))
            ),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
        ]);
    }
    Some(t)
}
