//! The measurements, tables and charts of a run: speedups per task size and executor, and
//! the crossovers.

use crate::judge::{Crossover, Speedups, crossover, us};
use crate::{MAX_ROUND_TRIPS, Plan, PyReport, PySample};
use pyproof_harness::{
    Bar, Chart, Measurement, Outcome, Table, format_number, median, pairwise_ratios, quantile,
};
use std::collections::BTreeMap;

/// Records the run's parameters, a measurement per speedup, the tables and the charts;
/// returns the speedups and the two crossovers (chunksize 1, four chunks per worker).
pub(crate) fn record(
    outcome: &mut Outcome,
    plan: &Plan,
    py: &PyReport,
    by: &BTreeMap<(String, u64), &PySample>,
    cores: usize,
    rounds: usize,
) -> (Speedups, Option<Crossover>, Option<Crossover>) {
    outcome.param("cores", cores);
    outcome.param("k", py.k);
    outcome.param("python", &py.python);
    outcome.param("total work per configuration", us(plan.total_ms * 1000.0));
    outcome.param(
        "rounds",
        if plan.rounds.min == plan.rounds.max {
            plan.rounds.describe(rounds)
        } else {
            format!(
                "{}; every task size in the first {}, past them only the sizes within noise of \
                 a claim they could still move",
                plan.rounds.describe(rounds),
                plan.rounds.min
            )
        },
    );
    outcome.param("calibration", calibration(py));
    outcome.param(
        "pool start-up (untimed)",
        format!("{} s", format_number(py.startup_s)),
    );

    let executors = ["threads", "processes:1", "processes:auto"];
    let mut speedups: Speedups = BTreeMap::new();
    let mut table = Table::new(
        format!(
            "Speedup over sequential by task size (k = {}; median of {}, IQR)",
            py.k,
            rounds_run(plan, py, rounds)
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
                        "{}{}",
                        pyproof_harness::median_iqr(&sp, "×"),
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
    cold(outcome, plan, py, by, &mut speedups);

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
    (speedups, cross_one, cross_auto)
}

/// "3 rounds", or "3 rounds (4 for 1.00 µs)" when rounds past the minimum ran only the sizes
/// within noise.
fn rounds_run(plan: &Plan, py: &PyReport, rounds: usize) -> String {
    let plural = |n: usize| format!("{n} round{}", if n == 1 { "" } else { "s" });
    let fewest = py
        .cold_by_size
        .values()
        .map(Vec::len)
        .min()
        .unwrap_or(rounds);
    let more: Vec<String> = plan
        .sizes_us
        .iter()
        .filter_map(|s| {
            let n = py.cold_by_size.get(&s.to_bits())?.len();
            (n > fewest).then(|| format!("{n} for {}", us(*s)))
        })
        .collect();
    if more.is_empty() {
        plural(fewest)
    } else {
        format!("{} ({})", plural(fewest), more.join(", "))
    }
}

/// Run once: the better process pool at each size (by its warm median) with a cold pool's
/// cost added round by round — spawning the workers, their imports and the shutdown,
/// measured in the same round — as speedups over sequential under `processes:cold`, and a
/// table beside the warm figures.
fn cold(
    outcome: &mut Outcome,
    plan: &Plan,
    py: &PyReport,
    by: &BTreeMap<(String, u64), &PySample>,
    speedups: &mut Speedups,
) {
    if py.cold_pool_s.is_empty() {
        return;
    }
    let mut table = Table::new(
        format!(
            "Run once: the better process pool with its own start and shutdown (a cold pool, \
             {} s median, measured each round) against the warm pool",
            format_number(median(&py.cold_pool_s))
        ),
        &["task size", "warm speedup", "run-once speedup"],
    );
    for &size in &plan.sizes_us {
        let bits = size.to_bits();
        let Some(seq) = by.get(&("sequential".to_string(), bits)) else {
            continue;
        };
        let best = ["processes:1", "processes:auto"]
            .into_iter()
            .filter_map(|ex| Some((ex, by.get(&(ex.to_string(), bits))?)))
            .max_by(|a, b| {
                median(&speedups[&(a.0, bits)]).total_cmp(&median(&speedups[&(b.0, bits)]))
            });
        let Some((ex, pool)) = best else { continue };
        let once: Vec<f64> = seq
            .seconds
            .iter()
            .zip(&pool.seconds)
            .zip(py.cold_by_size.get(&bits).map_or(&[][..], |c| &c[..]))
            .map(|((s, p), c)| s / (p + c))
            .collect();
        outcome.measurements.push(Measurement::new(
            format!("size{size}us.processes_cold.speedup"),
            format!(
                "{ex} run once (a cold pool's start and shutdown added), {}",
                us(size)
            ),
            "×",
            once.clone(),
        ));
        table.row(vec![
            us(size),
            pyproof_harness::median_iqr(&speedups[&(ex, bits)], "×"),
            pyproof_harness::median_iqr(&once, "×"),
        ]);
        speedups.insert(("processes:cold", bits), once);
    }
    outcome.tables.push(table);
}

/// The rounds' calibrations in words: "24.6 loop iterations per µs (median of 3 rounds'
/// workers, 24.1–25.0)", or the one figure of a single round.
pub(crate) fn calibration(py: &PyReport) -> String {
    let all = if py.calibrations.is_empty() {
        std::slice::from_ref(&py.iters_per_us)
    } else {
        &py.calibrations[..]
    };
    let text = format!("{} loop iterations per µs", format_number(median(all)));
    if all.len() < 2 {
        return text;
    }
    let (lo, hi) = all
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| {
            (lo.min(x), hi.max(x))
        });
    format!(
        "{text} (median of {} rounds' workers, {}–{})",
        all.len(),
        format_number(lo),
        format_number(hi)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(calibrations: &[f64]) -> PyReport {
        let mut py: PyReport = serde_json::from_str(
            r#"{"python":"3.11.7","iters_per_us":24.5,"k":2,"startup_s":0.3,"samples":[]}"#,
        )
        .expect("a report");
        py.calibrations = calibrations.to_vec();
        py
    }

    #[test]
    fn calibration_gives_the_rounds_median_and_range() {
        assert_eq!(
            calibration(&report(&[24.0, 17.5, 25.0])),
            "24.0 loop iterations per µs (median of 3 rounds' workers, 17.5–25.0)"
        );
        assert_eq!(calibration(&report(&[])), "24.5 loop iterations per µs");
        assert_eq!(calibration(&report(&[23.0])), "23.0 loop iterations per µs");
    }

    #[test]
    fn rounds_run_names_the_sizes_that_took_more() {
        let plan = Plan::new(pyproof_harness::Scale::Default);
        let mut py = report(&[]);
        for s in &plan.sizes_us {
            py.cold_by_size.insert(s.to_bits(), vec![0.2; 3]);
        }
        assert_eq!(rounds_run(&plan, &py, 3), "3 rounds");
        py.cold_by_size.insert(1f64.to_bits(), vec![0.2; 5]);
        py.cold_by_size.insert(100f64.to_bits(), vec![0.2; 4]);
        assert_eq!(
            rounds_run(&plan, &py, 5),
            "3 rounds (5 for 1.00 µs, 4 for 100 µs)"
        );
        assert_eq!(rounds_run(&plan, &report(&[]), 1), "1 round");
    }
}
