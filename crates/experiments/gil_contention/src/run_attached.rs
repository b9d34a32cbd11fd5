//! The first part: the same CPU work sequentially and on k threads, processes, the Rust
//! kernel holding and releasing the GIL, NumPy and plain Rust threads, interleaved round by
//! round after a warm-up, every sample kept.

use crate::timeline;
use crate::workload::{Family, Mode, Pool, Variant, Workload};
use crate::{
    META, Plan, judge::judge, ks_text, record::record, record::record_timeline,
    record::release_target_note, record::speedup_text,
};
use pyo3::prelude::*;
use pyproof_harness::{
    ExperimentError, Measurement, Outcome, RunContext, Summary, Table, format_number, median_iqr,
    pairwise_ratios,
};
use pyproof_python::Interpreter;
use std::collections::BTreeMap;

/// Every sample of every variant, in run order (warm-up excluded).
pub struct Samples {
    /// Every round's wall seconds of each variant, in round order.
    pub seconds: BTreeMap<Variant, Vec<f64>>,
    /// Every round's cost of a cold pool of k processes (start and shutdown), by k.
    pub cold: BTreeMap<usize, Vec<f64>>,
}

impl Samples {
    /// The wall seconds of `v`, round by round.
    pub fn seconds(&self, v: Variant) -> &[f64] {
        self.seconds.get(&v).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Speedups of `v` over its family's sequential run, round by round.
    pub fn speedups(&self, v: Variant) -> Vec<f64> {
        let seq = Variant {
            family: v.family,
            mode: Mode::Sequential,
        };
        pairwise_ratios(self.seconds(seq), self.seconds(v))
    }

    /// Speedups of `k` processes over one thread for a job run once, round by round: the
    /// round's cold pool cost added to the warm pool's time.
    pub fn cold_speedups(&self, k: usize) -> Vec<f64> {
        let v = |mode| Variant {
            family: Family::Python,
            mode,
        };
        let cold = self.cold.get(&k).map(Vec::as_slice).unwrap_or(&[]);
        self.seconds(v(Mode::Sequential))
            .iter()
            .zip(self.seconds(v(Mode::Processes(k))))
            .zip(cold)
            .map(|((s, p), c)| s / (p + c))
            .collect()
    }

    /// The summary of `v`'s speedups.
    pub fn speedup(&self, v: Variant) -> Summary {
        Summary::of(&self.speedups(v))
    }
}

pub(crate) fn run_attached(
    py: Python<'_>,
    interp: &Interpreter,
    ctx: &RunContext<'_>,
    plan: &Plan,
) -> Result<Outcome, ExperimentError> {
    let mut outcome = Outcome::of(&META, ctx.scale);
    let wl = Workload::load(py, interp)?;
    let has_numpy = wl.has_numpy()?;
    let families: Vec<Family> = Family::ALL
        .into_iter()
        .filter(|f| *f != Family::Numpy || has_numpy)
        .collect();

    let mut variants = Vec::new();
    for &family in &families {
        variants.push(Variant {
            family,
            mode: Mode::Sequential,
        });
        for &k in &plan.ks {
            variants.push(Variant {
                family,
                mode: Mode::Threads(k),
            });
            if family == Family::Python {
                variants.push(Variant {
                    family,
                    mode: Mode::Processes(k),
                });
            }
        }
    }
    let total_steps =
        families.len() + plan.ks.len() + (plan.warmup + plan.rounds.min) * variants.len() + 1;
    let mut step = 0;
    let mut progress = |label: &str| {
        ctx.progress.update(label, step, total_steps);
        step += 1;
    };

    // Every worker must get several units, or a split measures idle threads, not the GIL.
    let min_units = 8 * plan.ks.iter().copied().max().unwrap_or(1) as u64;
    let mut units = BTreeMap::new();
    for &family in &families {
        progress(&format!("calibrating {}", family.label()));
        let calibrated = wl.calibrate(family, plan.target_s, plan.timeout_s)?;
        units.insert(family, calibrated.max(min_units));
    }

    let mut pools: Vec<Pool<'_>> = Vec::new();
    let measured = (|| -> Result<Samples, ExperimentError> {
        for &k in &plan.ks {
            progress(&format!("starting a pool of {k} spawned processes"));
            pools.push(wl.open_pool(k, plan.timeout_s)?);
        }
        let mut seconds: BTreeMap<Variant, Vec<f64>> = BTreeMap::new();
        let mut cold: BTreeMap<usize, Vec<f64>> = BTreeMap::new();
        let mut answers: BTreeMap<Family, u64> = BTreeMap::new();
        // Warm-up rounds, then the budget's rounds: more while a claim is within noise, and
        // those run only the families of the claims within noise (the others' rounds stay as
        // they were: more of them could not move a verdict).
        let mut round = 0;
        loop {
            let wanted: Vec<Family> = if round < plan.warmup + plan.rounds.min {
                families.clone()
            } else {
                let so_far = Samples {
                    seconds: seconds.clone(),
                    cold: cold.clone(),
                };
                let judged = judge(
                    &so_far,
                    &timeline::analyse(&[]),
                    0.0,
                    &plan.ks,
                    ctx.cores,
                    has_numpy,
                );
                if !plan.rounds.more(round - plan.warmup, || judged.clone()) {
                    break;
                }
                let noisy = crate::judge::families_within_noise(&judged, &plan.rounds);
                if noisy.is_empty() {
                    families.clone()
                } else {
                    noisy
                }
            };
            let this_round: Vec<Variant> = variants
                .iter()
                .copied()
                .filter(|v| wanted.contains(&v.family))
                .collect();
            // Rotate the order every round so no variant always runs right after another.
            let offset = round % this_round.len().max(1);
            for &v in this_round[offset..].iter().chain(&this_round[..offset]) {
                progress(&if round < plan.warmup {
                    format!("warm-up {}/{}: {v}", round + 1, plan.warmup)
                } else {
                    format!("round {}: {v}", round + 1 - plan.warmup)
                });
                let pool = match v.mode {
                    Mode::Processes(k) => pools.iter().find(|p| p.k == k),
                    _ => None,
                };
                let (secs, answer) = wl.measure(v, units[&v.family], plan.timeout_s, pool)?;
                let expected = *answers.entry(v.family).or_insert(answer);
                if answer != expected {
                    return Err(ExperimentError::Inconsistent(format!(
                        "{v} computed {answer}, the first run of its family {expected}"
                    )));
                }
                if round >= plan.warmup {
                    seconds.entry(v).or_default().push(secs);
                }
            }
            if round >= plan.warmup && wanted.contains(&Family::Python) {
                // A job run once pays a pool's start and shutdown: measured every round the
                // pure-Python family runs, so it pairs with that round's pools.
                for &k in &plan.ks {
                    progress(&format!(
                        "round {}: a cold pool of {k}",
                        round + 1 - plan.warmup
                    ));
                    cold.entry(k)
                        .or_default()
                        .push(wl.cold_pool(k, plan.timeout_s)?);
                }
            }
            round += 1;
        }
        Ok(Samples { seconds, cold })
    })();
    let startups: Vec<(usize, f64)> = pools.iter().map(|p| (p.k, p.startup_s)).collect();
    for pool in pools {
        pool.close()?;
    }
    let samples = measured?;

    progress("recording the GIL timeline of two spinning threads");
    let (stamps, switch_interval) = wl.timeline(plan.timeline_s, 2)?;
    let tl = timeline::analyse(&stamps);

    outcome.param("cores_available", ctx.cores);
    outcome.param("k", ks_text(&plan.ks));
    outcome.param(
        "rounds",
        format!(
            "{}, after {} warm-up{}",
            plan.rounds
                .describe(samples.seconds.values().map(Vec::len).max().unwrap_or(0)),
            plan.warmup,
            if plan.rounds.min < plan.rounds.max {
                format!(
                    "; past {} only the families of work (pure Python, the Rust kernel, NumPy) \
                     of the claims within noise",
                    plan.rounds.min
                )
            } else {
                String::new()
            }
        ),
    );
    outcome.param("target_sequential_s", plan.target_s);
    outcome.param("timeline_s", plan.timeline_s);
    outcome.param("switch_interval_s", switch_interval);
    for (family, n) in &units {
        outcome.param(
            &format!("work.{}", family.name()),
            format!("{n} {}", family.unit()),
        );
    }
    record(&mut outcome, &samples, &variants, ctx.cores);
    record_timeline(&mut outcome, &tl, switch_interval);
    let mut once = Table::new(
        "Run once or run warm: pure-Python work on k spawned processes, with a cold pool's \
         start and shutdown (measured each round) added to the warm pool's time",
        &[
            "k",
            "warm speedup",
            "cold pool (start + shutdown)",
            "run-once speedup",
        ],
    );
    for (k, s) in &startups {
        let cold = samples.cold.get(k).map(Vec::as_slice).unwrap_or(&[]);
        let run_once = samples.cold_speedups(*k);
        outcome.measurements.push(Measurement::new(
            format!("python.processes.k{k}.cold_pool_s"),
            format!("a cold pool of {k} spawned processes: start and shutdown"),
            "s",
            cold.to_vec(),
        ));
        outcome.measurements.push(Measurement::new(
            format!("python.processes.k{k}.run_once_speedup"),
            format!("pure Python, {k} processes, run once"),
            "×",
            run_once.clone(),
        ));
        once.row(vec![
            k.to_string(),
            speedup_text(&samples.speedup(Variant {
                family: Family::Python,
                mode: Mode::Processes(*k),
            })),
            median_iqr(cold, "s"),
            median_iqr(&run_once, "×"),
        ]);
        outcome.notes.push(format!(
            "Starting and warming the pool of {k} spawned processes the warm timings use took \
             {} s (with its readiness checks); the run-once figures add a cold pool's own start \
             and shutdown instead.",
            format_number(*s)
        ));
    }
    outcome.tables.push(once);
    if cfg!(debug_assertions) {
        outcome.notes.push(
            "Debug build: the Rust kernel runs unoptimised here; use --release for figures \
             worth quoting."
                .to_string(),
        );
    }
    outcome.judgements = judge(
        &samples,
        &tl,
        switch_interval,
        &plan.ks,
        ctx.cores,
        has_numpy,
    );
    if let Some(note) = release_target_note(&samples, ctx.cores) {
        outcome.notes.push(note);
    }
    Ok(outcome)
}
