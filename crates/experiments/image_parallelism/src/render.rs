//! The measurements, tables and charts of a run.

use crate::corpus::{Corpus, group_digits};
use crate::{
    MILLION, plan::Config, plan::Executor, plan::Plan, plan::Workload, runs::MillionOutcome,
    runs::Sample, stats::Stats, stats::duration_words, stats::efficiency,
};
use pyproof_harness::{Bar, Chart, Measurement, Outcome, Table, format_number, median, quantile};

/// The rounds that ran a configuration: the rounds past the minimum run only what an open
/// claim needs, and the statistics mark the others NaN, which are not samples.
fn rounds_run(values: &[f64]) -> Vec<f64> {
    values.iter().copied().filter(|v| !v.is_nan()).collect()
}

pub(crate) fn record(outcome: &mut Outcome, stats: &Stats, samples: &[Sample]) {
    // Run once: the Python pools' cold runs and rayon's first passes, every round kept.
    for (config, rates) in &stats.cold_rates {
        outcome.measurements.push(Measurement::new(
            format!("{}.cold_images_per_s", config.key()),
            format!(
                "{}, {}, run once",
                config.workload.label(),
                config.executor.label()
            ),
            "images/s",
            rounds_run(rates),
        ));
    }
    // (4)'s paired runs: per round, and every pass of every round.
    for (config, speedups) in &stats.paired_speedups {
        let key = format!("{}.paired", config.key());
        let label = format!(
            "{}, {} paired with sequential in one process",
            config.workload.label(),
            config.executor.label()
        );
        outcome.measurements.push(Measurement::new(
            format!("{key}.speedup"),
            label.clone(),
            "×",
            rounds_run(speedups),
        ));
        if let Some(rates) = stats.paired_rates.get(config) {
            outcome.measurements.push(Measurement::new(
                format!("{key}.images_per_s"),
                label.clone(),
                "images/s",
                rounds_run(rates),
            ));
        }
        let passes = |f: fn(&Sample) -> &[f64]| -> Vec<f64> {
            samples
                .iter()
                .filter(|s| s.paired && s.config == *config)
                .flat_map(|s| f(s).iter().copied())
                .collect()
        };
        outcome.measurements.push(Measurement::new(
            format!("{key}.pass_s"),
            format!("{label}: rayon's passes"),
            "s",
            passes(|s| &s.report.pass_s),
        ));
        outcome.measurements.push(Measurement::new(
            format!("{key}.sequential_pass_s"),
            format!("{label}: the sequential passes"),
            "s",
            passes(|s| &s.report.sequential_pass_s),
        ));
    }
    for (config, rates) in &stats.rates {
        let key = config.key();
        let label = format!("{}, {}", config.workload.label(), config.executor.label());
        outcome.measurements.push(Measurement::new(
            format!("{key}.images_per_s"),
            label.clone(),
            "images/s",
            rounds_run(rates),
        ));
        if let Some(s) = stats.speedups.get(config) {
            outcome.measurements.push(Measurement::new(
                format!("{key}.speedup"),
                label.clone(),
                "×",
                s.clone(),
            ));
        }
        outcome.measurements.push(Measurement::new(
            format!("{key}.peak_anon_mib"),
            label.clone(),
            "MiB",
            stats.memory[config].clone(),
        ));
        outcome.measurements.push(Measurement::new(
            format!("{key}.startup_s"),
            label.clone(),
            "s",
            stats.startup[config].clone(),
        ));
        let cpu: Vec<f64> = samples
            .iter()
            .filter(|s| s.config == *config && !s.cold && !s.paired)
            .map(|s| s.cpu_s)
            .collect();
        outcome.measurements.push(Measurement::new(
            format!("{key}.process_cpu_s"),
            label,
            "s",
            cpu,
        ));
    }
}

pub(crate) fn tables_and_charts(
    outcome: &mut Outcome,
    stats: &Stats,
    plan: &Plan,
    corpus: &Corpus,
    million: Option<&MillionOutcome>,
    cores: usize,
) {
    let mut table = Table::new(
        format!(
            "Images/s by workload and executor ({}; median of the rounds each ran — {} for \
             those a claim reads, round 1 alone for the others; speedup against the same \
             workload's sequential run of the same round)",
            plan.corpus.describe(),
            if stats.rounds > plan.rounds.min.min(stats.rounds) {
                format!("{}–{}", plan.rounds.min, stats.rounds)
            } else {
                stats.rounds.to_string()
            }
        ),
        &[
            "workload",
            "executor",
            "images/s",
            "speedup",
            "efficiency",
            "peak memory (group)",
            "start-up",
            "batch",
            "skipped",
        ],
    );
    for config in plan.configs(cores) {
        let Some(rates) = stats.rates.get(&config) else {
            continue;
        };
        let speedup = stats.speedup(&config);
        let k = config.executor.k();
        table.row(vec![
            config.workload.label().to_string(),
            config.executor.label(),
            pyproof_harness::median_iqr(rates, ""),
            if config.executor == Executor::Sequential {
                "1 (baseline)".to_string()
            } else {
                format!("{}×{}", format_number(speedup), stats.spread(&config))
            },
            if config.executor == Executor::Sequential {
                "—".to_string()
            } else {
                format!("{:.0}%", 100.0 * efficiency(speedup, k, cores))
            },
            format!("{} MiB", format_number(median(&stats.memory[&config]))),
            format!("{} s", format_number(median(&stats.startup[&config]))),
            stats.batch.get(&config).copied().unwrap_or(1).to_string(),
            stats
                .tallies
                .get(&config.workload)
                .map_or("—".to_string(), |t| {
                    format!("{} of {}", t.skipped, group_digits(t.images()))
                }),
        ]);
    }
    outcome.tables.push(table);
    outcome.tables.push(cold_table(stats, cores));

    // Moving bytes between processes: the echo workload through a pool, against no pool.
    let echo_seq = Config {
        workload: Workload::Echo,
        executor: Executor::Sequential,
    };
    let echo_pool = Config {
        workload: Workload::Echo,
        executor: Executor::Processes(cores.max(1)),
    };
    if let (Some(t), true) = (
        stats.tallies.get(&Workload::Echo),
        stats.rates.contains_key(&echo_pool),
    ) {
        let mut ipc = Table::new(
            "What moving the bytes costs: each image to a pool worker and back, no work",
            &[
                "executor",
                "images/s",
                "µs per image",
                "MB/s moved (in + out)",
            ],
        );
        for config in [echo_seq, echo_pool] {
            let rate = stats.rate(&config);
            let moved = (t.in_bytes + t.out_bytes) as f64 / t.images().max(1) as f64 * rate / 1e6;
            ipc.row(vec![
                config.executor.label(),
                format_number(rate),
                format_number(1e6 / rate),
                if config == echo_seq {
                    "— (nothing moves)".to_string()
                } else {
                    format_number(moved)
                },
            ]);
        }
        outcome.tables.push(ipc);
    }

    // The projection to the sheet's million.
    let mut projection = Table::new(
        format!(
            "1,000,000 images: the best executor of each workload ({}×{} images)",
            plan.corpus.width, plan.corpus.height
        ),
        &[
            "workload",
            "best executor",
            "images/s",
            "1,000,000 images",
            "how",
        ],
    );
    for workload in [
        Workload::PythonThreshold,
        Workload::PillowThumbnail,
        Workload::RustThreshold,
        Workload::RustThumbnail,
    ] {
        if let Some((config, rate)) = stats.best(workload) {
            projection.row(vec![
                workload.label().to_string(),
                config.executor.label(),
                format_number(rate),
                duration_words(MILLION as f64 / rate),
                "projected from this run".to_string(),
            ]);
        }
    }
    outcome.tables.push(projection);
    if let Some(m) = million {
        let mut t = Table::new(
            format!(
                "The million, for real: {} (streamed from disk in batches; one run each)",
                m.corpus.describe()
            ),
            &[
                "workload",
                "executor",
                "images",
                "wall",
                "images/s",
                "peak memory (group)",
                "how",
            ],
        );
        for r in &m.runs {
            t.row(vec![
                r.config.workload.label().to_string(),
                r.config.executor.label(),
                group_digits(r.report.tally.images()),
                duration_words(r.report.work_s),
                format_number(r.report.rate()),
                format!("{} MiB", format_number(r.peak_anon_mib)),
                if r.projected {
                    format!(
                        "projected: {} for 1,000,000 from a {}-image sample",
                        duration_words(MILLION as f64 / r.report.rate()),
                        group_digits(r.report.tally.images())
                    )
                } else {
                    format!(
                        "measured; {} skipped (damaged)",
                        group_digits(r.report.tally.skipped)
                    )
                },
            ]);
        }
        outcome.tables.push(t);
        for line in &m.notes {
            outcome.notes.push(line.clone());
        }
    }

    // Charts: the speedup of each executor, per workload, with its spread.
    for (workload, id) in [
        (Workload::PythonThreshold, "python_speedup"),
        (Workload::PillowThumbnail, "pillow_speedup"),
        (Workload::RustThumbnail, "rust_speedup"),
    ] {
        let bars: Vec<Bar> = plan
            .configs(cores)
            .into_iter()
            .filter(|c| c.workload == workload && c.executor != Executor::Sequential)
            .filter_map(|c| {
                let s = stats.speedups.get(&c)?;
                Some(Bar {
                    label: c.executor.label(),
                    value: median(s),
                    low: quantile(s, 0.25),
                    high: quantile(s, 0.75),
                })
            })
            .collect();
        outcome.charts.push(Chart::Bars {
            id: id.to_string(),
            title: format!(
                "{}: speedup over sequential ({} cores; 1 = no gain)",
                workload.label(),
                cores
            ),
            unit: "×".to_string(),
            bars,
            reference: Some(1.0),
        });
    }
    let bars: Vec<Bar> = [
        Workload::PythonThreshold,
        Workload::PillowThumbnail,
        Workload::RustThreshold,
        Workload::RustThumbnail,
    ]
    .into_iter()
    .filter_map(|w| {
        let (config, _) = stats.best(w)?;
        let r = &stats.rates[&config];
        Some(Bar {
            label: format!("{} ({})", w.label(), config.executor.label()),
            value: median(r),
            low: quantile(r, 0.25),
            high: quantile(r, 0.75),
        })
    })
    .collect();
    outcome.charts.push(Chart::Bars {
        id: "best_rates".to_string(),
        title: format!(
            "Images/s, best executor per workload ({})",
            corpus.info.spec.describe()
        ),
        unit: "images/s".to_string(),
        bars,
        reference: None,
    });
}

/// Warm against cold at k = cores: what the steady state shows and what a user running the
/// job once pays (the pool's start and shutdown inside the time).
fn cold_table(stats: &Stats, cores: usize) -> Table {
    let mut t = Table::new(
        format!(
            "Run once or run warm, k = {cores}: images/s with the pool already started and \
             warmed, and with its start, the bytes' transfer and its shutdown in the time — \
             for rayon, its threads' start and its first pass over the corpus (medians of the \
             rounds)"
        ),
        &[
            "workload",
            "executor",
            "warm images/s",
            "pool start-up (untimed when warm)",
            "cold images/s",
            "cold speedup over sequential",
        ],
    );
    for (config, cold) in &stats.cold_rates {
        t.row(vec![
            config.workload.label().to_string(),
            config.executor.label(),
            format_number(stats.rate(config)),
            stats.startup.get(config).map_or("—".to_string(), |s| {
                format!("{} s", format_number(median(s)))
            }),
            format_number(median(cold)),
            stats
                .cold_speedups
                .get(config)
                .map_or("—".to_string(), |s| {
                    format!("{}×", format_number(median(s)))
                }),
        ]);
    }
    t
}

/// The run's parameters: the corpus, the rounds, how the Rust runs are timed, the library
/// versions the workers reported.
pub(crate) fn parameters(
    outcome: &mut Outcome,
    plan: &Plan,
    corpus: &Corpus,
    samples: &[Sample],
    round: usize,
    cores: usize,
) {
    outcome.param("corpus", plan.corpus.describe());
    outcome.param(
        "corpus files",
        format!(
            "{} JPEG, {} PNG, {} damaged on purpose ({} truncated, {} garbage, {} empty)",
            corpus.info.jpeg,
            corpus.info.png,
            corpus.info.damaged(),
            corpus.info.truncated,
            corpus.info.garbage,
            corpus.info.empty
        ),
    );
    outcome.param(
        "corpus bytes",
        pyproof_harness::format_bytes(corpus.info.image_bytes),
    );
    outcome.param("pure-Python images per run", plan.python_count);
    outcome.param("seed", crate::SEED);
    outcome.param("rounds", plan.rounds.describe_targeted(round, "runs"));
    outcome.param(
        "Rust runs",
        if plan.paired_configs(cores).is_empty() {
            "one untimed pass over the images, then one timed pass".to_string()
        } else {
            format!(
                "one untimed pass over the images, then one timed pass; (4)'s efficiency from \
                 a run of its own: rayon k={} and the sequential pipeline in one process, \
                 warmed, then pairs of passes (sequential before rayon, then after) filling \
                 {} s, {} pairs at least; a round's speedup is the median of its pairs' ratios",
                cores.max(1),
                format_number(plan.rust_window.as_secs_f64()),
                crate::worker::PAIRS_AT_LEAST
            )
        },
    );
    outcome.param(
        "k",
        plan.ks
            .iter()
            .map(|k| k.to_string())
            .collect::<Vec<_>>()
            .join(", "),
    );
    outcome.param("cores", cores);
    let mut libraries = std::collections::BTreeMap::new();
    for s in samples {
        for (k, v) in &s.report.library {
            libraries.entry(k.clone()).or_insert_with(|| v.clone());
        }
    }
    for (k, v) in libraries {
        outcome.param(&k, v);
    }
}
