//! The rounds reduced to rates, speedups and spreads per configuration.

use crate::pipeline;
#[cfg(doc)]
use crate::worker::RunReport;
use crate::{plan::Config, plan::Executor, plan::Plan, plan::Workload, runs::Sample};
use pyproof_harness::{format_number, median, pairwise_ratios, quantile};
use std::collections::BTreeMap;

/// Medians and per-round ratios of every configuration.
#[derive(Debug, Default)]
pub struct Stats {
    /// Per configuration: images/s per round, indexed by round — NaN in a round that did not
    /// run it (the rounds past the minimum run only what an open claim needs), so two
    /// configurations' rates pair round by round by position.
    pub rates: BTreeMap<Config, Vec<f64>>,
    /// Per configuration: speedup over the same workload's sequential run of the same round.
    pub speedups: BTreeMap<Config, Vec<f64>>,
    /// Per configuration: peak anonymous memory of the process group, MiB.
    pub memory: BTreeMap<Config, Vec<f64>>,
    /// Per configuration: executor start-up, s.
    pub startup: BTreeMap<Config, Vec<f64>>,
    /// Per workload: what its runs produced (all equal, checked before).
    pub tallies: BTreeMap<Workload, pipeline::Tally>,
    /// Per configuration: the batch size it used.
    pub batch: BTreeMap<Config, u64>,
    /// The rounds taken.
    pub rounds: usize,
    /// Per configuration run cold: images/s per round (indexed by round, NaN where not run),
    /// the pool's start and shutdown in the time; for rayon at k = cores, its threads' start
    /// and first pass (the untimed warm-up of its warm run, [`RunReport::cold_s`]).
    pub cold_rates: BTreeMap<Config, Vec<f64>>,
    /// Per configuration run cold: speedup over the same workload's warm sequential run of
    /// the same round.
    pub cold_speedups: BTreeMap<Config, Vec<f64>>,
    /// Per paired configuration ([`crate::RunMode::Paired`]): rayon's speedup over the
    /// sequential pipeline in the same process per round — the median over its pairs of a
    /// sequential pass's seconds over its rayon pass's (indexed by round, NaN where not run).
    pub paired_speedups: BTreeMap<Config, Vec<f64>>,
    /// Per paired configuration: rayon's images/s per round, its passes' mean (indexed by
    /// round, NaN where not run).
    pub paired_rates: BTreeMap<Config, Vec<f64>>,
    /// The machine's cores (which pools count as "the best pool": [`parallel_pool`]).
    pub cores: usize,
}

impl Stats {
    /// Reduces every sample of the run (`rounds` rounds so far).
    pub fn new(samples: &[Sample], plan: &Plan, cores: usize, rounds: usize) -> Self {
        let mut rates: BTreeMap<Config, Vec<f64>> = BTreeMap::new();
        let mut memory: BTreeMap<Config, Vec<f64>> = BTreeMap::new();
        let mut startup: BTreeMap<Config, Vec<f64>> = BTreeMap::new();
        let mut tallies = BTreeMap::new();
        let mut batch = BTreeMap::new();
        let mut work_by_round: BTreeMap<(Config, usize), f64> = BTreeMap::new();
        let mut cold_rates: BTreeMap<Config, Vec<f64>> = BTreeMap::new();
        let mut cold_by_round: BTreeMap<(Config, usize), f64> = BTreeMap::new();
        // A value in its round's place (NaN in the rounds that did not run it).
        let put = |map: &mut BTreeMap<Config, Vec<f64>>, s: &Sample, value: f64| {
            let row = map
                .entry(s.config)
                .or_insert_with(|| vec![f64::NAN; rounds.max(s.round + 1)]);
            if row.len() <= s.round {
                row.resize(s.round + 1, f64::NAN);
            }
            row[s.round] = value;
        };
        let by_round = |map: &mut BTreeMap<Config, Vec<f64>>, s: &Sample, work_s: f64| {
            put(map, s, s.report.tally.images() as f64 / work_s.max(1e-9));
        };
        let mut paired_speedups: BTreeMap<Config, Vec<f64>> = BTreeMap::new();
        let mut paired_rates: BTreeMap<Config, Vec<f64>> = BTreeMap::new();
        for s in samples.iter().filter(|s| s.paired) {
            // The median of the pairs' ratios: one pass the machine disturbed moves it by
            // one rank, not by its size (the sum of a round's passes did, 2026-12-03).
            let speedup = if s.report.sequential_pass_s.len() == s.report.pass_s.len() {
                median(&pairwise_ratios(
                    &s.report.sequential_pass_s,
                    &s.report.pass_s,
                ))
            } else {
                f64::NAN
            };
            by_round(&mut paired_rates, s, s.report.work_s);
            put(&mut paired_speedups, s, speedup);
        }
        for s in samples.iter().filter(|s| s.cold) {
            by_round(&mut cold_rates, s, s.report.work_s);
            cold_by_round.insert((s.config, s.round), s.report.work_s);
        }
        // rayon's run once comes with its warm run: the first pass, before the timed one.
        for s in samples
            .iter()
            .filter(|s| !s.cold && !s.paired && s.config.executor == Executor::Rayon(cores))
        {
            if let Some(cold_s) = s.report.cold_s {
                by_round(&mut cold_rates, s, cold_s);
                cold_by_round.insert((s.config, s.round), cold_s);
            }
        }
        for s in samples.iter().filter(|s| !s.cold && !s.paired) {
            by_round(&mut rates, s, s.report.work_s);
            memory.entry(s.config).or_default().push(s.peak_anon_mib);
            startup
                .entry(s.config)
                .or_default()
                .push(s.report.startup_s);
            tallies.insert(s.config.workload, s.report.tally);
            batch.insert(s.config, s.report.batch);
            work_by_round.insert((s.config, s.round), s.report.work_s);
        }
        let mut speedups = BTreeMap::new();
        for config in plan.configs(cores) {
            if config.executor == Executor::Sequential {
                continue;
            }
            let seq = Config {
                workload: config.workload,
                executor: Executor::Sequential,
            };
            let (mut num, mut den) = (Vec::new(), Vec::new());
            for round in 0..rounds {
                if let (Some(&s), Some(&c)) = (
                    work_by_round.get(&(seq, round)),
                    work_by_round.get(&(config, round)),
                ) {
                    num.push(s);
                    den.push(c);
                }
            }
            speedups.insert(config, pairwise_ratios(&num, &den));
        }
        let mut cold_speedups = BTreeMap::new();
        for &config in cold_rates.keys() {
            let seq = Config {
                workload: config.workload,
                executor: Executor::Sequential,
            };
            let pairs: Vec<f64> = (0..rounds)
                .filter_map(|r| {
                    Some(work_by_round.get(&(seq, r))? / cold_by_round.get(&(config, r))?.max(1e-9))
                })
                .collect();
            cold_speedups.insert(config, pairs);
        }
        Stats {
            rates,
            speedups,
            memory,
            startup,
            tallies,
            batch,
            rounds,
            cold_rates,
            cold_speedups,
            paired_speedups,
            paired_rates,
            cores,
        }
    }

    /// rayon's median images/s and speedup over sequential from its paired run (claim (4)'s
    /// reading), or from its separate runs where it had none (one core).
    pub(crate) fn rayon_figures(&self, config: &Config) -> (f64, f64) {
        match (
            self.paired_rates.get(config),
            self.paired_speedups.get(config),
        ) {
            (Some(rates), Some(speedups)) => (median(rates), median(speedups)),
            _ => (self.rate(config), self.speedup(config)),
        }
    }

    pub(crate) fn rate(&self, config: &Config) -> f64 {
        self.rates.get(config).map_or(f64::NAN, |r| median(r))
    }

    pub(crate) fn speedup(&self, config: &Config) -> f64 {
        self.speedups.get(config).map_or(f64::NAN, |r| median(r))
    }

    /// The paired per-round speedups of `config` (none for a sequential run).
    pub(crate) fn speedups_of(&self, config: &Config) -> &[f64] {
        self.speedups.get(config).map_or(&[], Vec::as_slice)
    }

    pub(crate) fn spread(&self, config: &Config) -> String {
        match self.speedups.get(config) {
            Some(s) if s.len() > 1 => format!(
                " (IQR {}–{})",
                format_number(quantile(s, 0.25)),
                format_number(quantile(s, 0.75))
            ),
            _ => String::new(),
        }
    }

    /// The configuration of `workload` with the most images/s, and its rate.
    pub(crate) fn best(&self, workload: Workload) -> Option<(Config, f64)> {
        self.best_where(workload, |_| true)
    }

    /// The best rate of `workload` on one machine's executors: sequential, or threads or
    /// processes at 2 ≤ k ≤ cores — not the Dask cluster, which claim (6) weighs on its own,
    /// nor a pool of one worker or of more workers than cores (see [`parallel_pool`]).
    pub(crate) fn best_pool(&self, workload: Workload) -> Option<(Config, f64)> {
        self.best_where(workload, |e| {
            !e.is_cluster() && (e == Executor::Sequential || parallel_pool(e, self.cores))
        })
    }

    /// The best rate of `workload` under pools of one kind at 2 ≤ k ≤ cores
    /// ([`parallel_pool`]).
    pub(crate) fn best_of(&self, workload: Workload, kind: &str) -> Option<(Config, f64)> {
        self.best_where(workload, |e| {
            e.name() == kind && parallel_pool(e, self.cores)
        })
    }

    /// The configuration of `workload` whose executor `keep` accepts with the most images/s.
    fn best_where(
        &self,
        workload: Workload,
        keep: impl Fn(Executor) -> bool,
    ) -> Option<(Config, f64)> {
        self.rates
            .keys()
            .filter(|c| c.workload == workload && keep(c.executor))
            .map(|c| (*c, self.rate(c)))
            .filter(|(_, r)| r.is_finite())
            .max_by(|a, b| a.1.total_cmp(&b.1))
    }
}

/// Whether `executor` is a thread or process pool of two workers or more and no more than
/// the `cores`: the pools the claims weigh as "the best pool" (declared 2026-12-01 before a
/// run judged it). A pool of one worker runs nothing in parallel, and one of more workers
/// than cores time-shares them (CPU-bound work, images already in memory): both are in the
/// tables — what a pool costs over the sequential run, what oversubscribing costs — and run
/// in round 1 alone. On one core no pool qualifies (the claims are Inconclusive there).
pub(crate) fn parallel_pool(executor: Executor, cores: usize) -> bool {
    matches!(executor, Executor::Threads(k) | Executor::Processes(k) if k >= 2 && k <= cores)
}

/// The parallel efficiency of a speedup with `k` workers on `cores` cores.
pub(crate) fn efficiency(speedup: f64, k: usize, cores: usize) -> f64 {
    speedup / k.min(cores).max(1) as f64
}

pub(crate) fn duration_words(seconds: f64) -> String {
    if !seconds.is_finite() {
        "—".to_string()
    } else if seconds >= 2.0 * 3600.0 {
        format!("{:.1} h", seconds / 3600.0)
    } else if seconds >= 120.0 {
        format!("{:.1} min", seconds / 60.0)
    } else {
        format!("{seconds:.1} s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pyproof_harness::Scale;

    /// A paired run of rayon at k = 2 in `round` with these passes (sequential, rayon).
    fn paired(round: usize, sequential: &[f64], rayon: &[f64]) -> Sample {
        let report = serde_json::json!({
            "workload": "thumbnail", "executor": "rayon", "k": 2, "batch": 1,
            "processed": 500, "skipped": 0, "crc_sum": 1, "out_bytes": 1, "in_bytes": 1,
            "work_s": rayon.iter().sum::<f64>() / rayon.len() as f64, "startup_s": 0.5,
            "baseline_anon_kib": 1, "library": {},
            "pass_s": rayon, "sequential_pass_s": sequential
        });
        Sample {
            config: Config {
                workload: Workload::RustThumbnail,
                executor: Executor::Rayon(2),
            },
            round,
            cold: false,
            paired: true,
            report: serde_json::from_value(report).expect("a report"),
            peak_anon_mib: 46.0,
            cpu_s: 1.0,
        }
    }

    #[test]
    fn a_paired_round_is_the_median_of_its_pairs_and_one_disturbed_pass_moves_it_a_rank() {
        let plan = Plan::new(Scale::Default, 2, None, None);
        let rayon = Config {
            workload: Workload::RustThumbnail,
            executor: Executor::Rayon(2),
        };
        // Round 0 undisturbed; in round 2 one rayon pass took 0.36 s among 0.24-0.25 s (the
        // committed report's last run had such a pass). Round 1 did not run it.
        let samples = [
            paired(0, &[0.48, 0.48, 0.48], &[0.24, 0.25, 0.24]),
            paired(2, &[0.46, 0.46, 0.47], &[0.24, 0.36, 0.25]),
        ];
        let stats = Stats::new(&samples, &plan, 2, 3);
        let speedups = &stats.paired_speedups[&rayon];
        assert_eq!(speedups.len(), 3);
        assert!((speedups[0] - 2.0).abs() < 1e-9, "{speedups:?}");
        assert!(speedups[1].is_nan(), "not run in round 1");
        assert!((speedups[2] - 0.47 / 0.25).abs() < 1e-9, "{speedups:?}");
        // The sum of the passes would have said 1.64×: the disturbed pass at its full weight.
        assert!((1.39 / 0.85 - speedups[2]).abs() > 0.2);
        // A paired run is not a warm run of its configuration: its rate stays apart.
        assert!(!stats.rates.contains_key(&rayon));
        assert!((stats.paired_rates[&rayon][0] - 500.0 / (0.73 / 3.0)).abs() < 1e-6);
    }
}
