//! The verdict rules of image_parallelism: pure functions over the rounds' statistics.

use crate::{
    DECODE_FIRST, PER_CORE, PROCESSES_BEAT_THREADS, RAYON, THROTTLED, plan::Config, plan::Executor,
    plan::Workload, processes_scale, runs::MillionOutcome, stats::Stats, stats::efficiency,
};
use pyproof_harness::{
    Case, Judgement, format_number, judge_cases, median, one_core, pairwise_ratios,
};

/// The claims' ids, declared once: `claims()` declares them, the judges judge them.
pub mod ids {
    /// Claim (1).
    pub const THREADS_THROTTLED: &str = "threads_throttled";
    /// Claim (2).
    pub const PROCESSES_SCALE: &str = "processes_scale";
    /// Claim (3).
    pub const MULTIPROCESSING_IS_THE_ANSWER: &str = "multiprocessing_is_the_answer";
    /// Claim (4).
    pub const RAYON_BEYOND: &str = "rayon_beyond";
    /// Claim (5).
    pub const DECODE_BEFORE_EXECUTOR: &str = "decode_before_executor";
    /// Claim (8): the sheet's answer on every build (judged by [`crate::builds`]).
    pub const EVERY_BUILD: &str = "every_build";
    /// Every claim, in the order declared.
    pub const ALL: [&str; 5] = [
        THREADS_THROTTLED,
        PROCESSES_SCALE,
        MULTIPROCESSING_IS_THE_ANSWER,
        RAYON_BEYOND,
        DECODE_BEFORE_EXECUTOR,
    ];
}

/// The five claims over the rounds' statistics (and the million-image run when there was
/// one): threads throttled, processes scale, multiprocessing the answer, Rust beyond it, and
/// the decode weighed against the executor.
/// Every case is judged on its per-round figures' 95% interval against a declared
/// [`Threshold`]; a case whose interval straddles its threshold is within noise.
pub fn judge(stats: &Stats, million: Option<&MillionOutcome>, cores: usize) -> Vec<Judgement> {
    let mut judgements = Vec::new();
    let python = [Workload::PythonThreshold, Workload::PillowThumbnail];
    if cores < 2 {
        let why = "no executor can run two images at once, so no parallel speedup can be \
                   shown either way";
        return ids::ALL
            .iter()
            .filter_map(|id| one_core(id, cores, why))
            .collect();
    }
    let at = |workload, executor| Config { workload, executor };

    // (1) Threads throttled, per workload: the paired per-round speedup at k = cores.
    let cases: Vec<Case> = python
        .iter()
        .map(|&w| {
            let c = at(w, Executor::Threads(cores));
            THROTTLED.case(
                w.label(),
                &format!("{cores} threads"),
                stats.speedups_of(&c),
                "×",
            )
        })
        .collect();
    judgements.push(judge_cases(ids::THREADS_THROTTLED, &cases));

    // (2) Processes scale, per workload.
    let scales = processes_scale(cores);
    let cases: Vec<Case> = python
        .iter()
        .map(|&w| {
            let c = at(w, Executor::Processes(cores));
            let mut case = scales.case(
                w.label(),
                &format!("{cores} processes"),
                stats.speedups_of(&c),
                "×",
            );
            case.detail.push_str(&format!(
                " (pool start-up {} s, untimed)",
                format_number(median(&stats.startup[&c]))
            ));
            case.label = format!("{}, warm", case.label);
            case
        })
        .chain(python.iter().filter_map(|&w| {
            // Run once: the pool's start and shutdown inside the time.
            let c = at(w, Executor::Processes(cores));
            let cold = stats.cold_speedups.get(&c)?;
            Some(scales.case(
                format!("{}, cold (run once)", w.label()),
                &format!("{cores} processes, start to shutdown"),
                cold,
                "×",
            ))
        }))
        .collect();
    judgements.push(judge_cases(ids::PROCESSES_SCALE, &cases));

    // (3) Processes beat threads: the best of each kind by median, then their images/s
    // paired round by round.
    let mut cases: Vec<Case> = python
        .iter()
        .filter_map(|&w| {
            let (pc, _) = stats.best_of(w, "processes")?;
            let (tc, _) = stats.best_of(w, "threads")?;
            Some(PROCESSES_BEAT_THREADS.case(
                format!("{}, warm", w.label()),
                &format!(
                    "best processes ({}) / best threads ({}) images/s",
                    pc.executor.label(),
                    tc.executor.label()
                ),
                &pairwise_ratios(&stats.rates[&pc], &stats.rates[&tc]),
                "×",
            ))
        })
        .collect();
    // Run once: each pool at k = cores, its start and shutdown inside the time.
    cases.extend(python.iter().filter_map(|&w| {
        let p = stats.cold_rates.get(&at(w, Executor::Processes(cores)))?;
        let t = stats.cold_rates.get(&at(w, Executor::Threads(cores)))?;
        Some(PROCESSES_BEAT_THREADS.case(
            format!("{}, cold (run once)", w.label()),
            &format!("{cores} processes / {cores} threads images/s, start to shutdown"),
            &pairwise_ratios(p, t),
            "×",
        ))
    }));
    if let Some(m) = million {
        let rate = |kind: &str| {
            m.runs
                .iter()
                .find(|r| {
                    r.config.workload == Workload::PillowThumbnail
                        && r.config.executor.name() == kind
                        && !r.projected
                })
                .map(|r| r.report.rate())
        };
        // One run per executor (hours each at full scale): a point, judged as such and
        // labelled so.
        if let (Some(p), Some(t)) = (rate("processes"), rate("threads")) {
            cases.push(Case::new(
                format!(
                    "Pillow, the million ({}, one run each)",
                    m.corpus.describe()
                ),
                p >= PROCESSES_BEAT_THREADS.value * t,
                format!(
                    "{cores} processes {} images/s vs {cores} threads {} images/s = {}×",
                    format_number(p),
                    format_number(t),
                    format_number(p / t)
                ),
            ));
        }
    }
    judgements.push(judge_cases(ids::MULTIPROCESSING_IS_THE_ANSWER, &cases));

    // (4) rayon: its efficiency per round, and its images/s per core over Pillow's best
    // executor's images/s per busy core, round by round. The best of one machine's
    // executors: the Dask cluster is claim (6)'s (declared 2026-11-30 before a run judged it).
    // Both from the paired run: rayon's passes beside sequential passes in one process
    // (declared 2026-12-03, fourth session, before a run judged with it).
    let rayon = at(Workload::RustThumbnail, Executor::Rayon(cores));
    let no_rounds = Vec::new();
    let efficiencies: Vec<f64> = stats
        .paired_speedups
        .get(&rayon)
        .unwrap_or(&no_rounds)
        .iter()
        .map(|&s| efficiency(s, cores, cores))
        .collect();
    let mut cases = vec![RAYON.case(
        "efficiency",
        &format!("{cores} rayon threads, paired pass by pass with sequential in one process"),
        &efficiencies,
        "",
    )];
    if let Some((best, _)) = stats.best_pool(Workload::PillowThumbnail) {
        let busy = best.executor.k().min(cores) as f64;
        let rayon_rates = stats.paired_rates.get(&rayon).unwrap_or(&no_rounds);
        let per_core: Vec<f64> = pairwise_ratios(rayon_rates, &stats.rates[&best])
            .iter()
            .map(|r| r * busy / cores as f64)
            .collect();
        cases.push(PER_CORE.case(
            "per core",
            &format!(
                "Rust images/s per core / Pillow's best ({}) per busy core",
                best.executor.label()
            ),
            &per_core,
            "×",
        ));
    }
    judgements.push(judge_cases(ids::RAYON_BEYOND, &cases));
    judgements.push(judge_decode(stats, cores));
    judgements
}

/// (5) Pillow's best smarter decode over its plain thumbnail, both sequential, against the
/// best executor's speedup of the plain thumbnail at k = cores — per round, the ratio of the
/// two gains. Rust's scaled decode and the two together are in the evidence.
fn judge_decode(stats: &Stats, cores: usize) -> Judgement {
    let at = |workload, executor| Config { workload, executor };
    let seq = |w| at(w, Executor::Sequential);
    let plain = seq(Workload::PillowThumbnail);
    let gain_of = |w: Workload| -> Vec<f64> {
        match (stats.rates.get(&seq(w)), stats.rates.get(&plain)) {
            (Some(a), Some(b)) => pairwise_ratios(a, b),
            _ => Vec::new(),
        }
    };
    let best_decode = Workload::PYTHON_DECODES
        .into_iter()
        .filter(|w| !gain_of(*w).is_empty())
        .max_by(|a, b| median(&gain_of(*a)).total_cmp(&median(&gain_of(*b))));
    let best_executor = [Executor::Threads(cores), Executor::Processes(cores)]
        .into_iter()
        .map(|e| at(Workload::PillowThumbnail, e))
        .filter(|c| !stats.speedups_of(c).is_empty())
        .max_by(|a, b| stats.speedup(a).total_cmp(&stats.speedup(b)));
    let (Some(decode), Some(executor)) = (best_decode, best_executor) else {
        return Judgement::new(
            ids::DECODE_BEFORE_EXECUTOR,
            pyproof_harness::Verdict::Inconclusive,
            "the decodes or the executors of the Pillow thumbnail were not measured",
        );
    };
    let decode_gain = gain_of(decode);
    let ratios = pairwise_ratios(&decode_gain, stats.speedups_of(&executor));
    let mut j = judge_cases(
        ids::DECODE_BEFORE_EXECUTOR,
        &[DECODE_FIRST.case(
            format!("{} vs {}", decode.label(), executor.executor.label()),
            &format!(
                "decode gain {}× ÷ executor gain {}×, per round:",
                format_number(median(&decode_gain)),
                format_number(stats.speedup(&executor))
            ),
            &ratios,
            "×",
        )],
    );
    let combined = at(decode, executor.executor);
    let rust = pairwise_ratios(
        stats
            .rates
            .get(&seq(Workload::RustThumbnailScaled))
            .map_or(&[][..], Vec::as_slice),
        stats
            .rates
            .get(&seq(Workload::RustThumbnail))
            .map_or(&[][..], Vec::as_slice),
    );
    j.evidence = format!(
        "{}. Sequential images/s over the plain thumbnail's: draft() {}×, reduce(2) {}×, {}; both \
         choices together ({} with {}) {}× the plain sequential run; Rust's scaled JPEG decode \
         {}× its plain decode. draft() only helps JPEGs (the corpus mixes JPEG and PNG)",
        j.evidence,
        format_number(median(&gain_of(Workload::PillowDraft))),
        format_number(median(&gain_of(Workload::PillowReduce))),
        match gain_of(Workload::PyvipsThumbnail) {
            g if g.is_empty() => "pyvips not run".to_string(),
            g => format!("pyvips {}×", format_number(median(&g))),
        },
        decode.label(),
        executor.executor.label(),
        format_number(stats.rate(&combined) / stats.rate(&plain)),
        format_number(median(&rust)),
    );
    j
}

#[cfg(test)]
mod tests {
    use super::*;
    use pyproof_harness::Verdict;

    const SEQ_RATE: f64 = 100.0;

    /// Made-up statistics on two cores: each Python workload's thread and process pool
    /// speedups, and rayon's speedup, three rounds each, rates in proportion.
    fn stats(threads: [f64; 2], processes: [f64; 2], rayon: f64) -> Stats {
        let mut s = Stats {
            rounds: 3,
            cores: 2,
            ..Stats::default()
        };
        let mut put = |workload, executor, speedup: f64| {
            let c = Config { workload, executor };
            s.rates.insert(c, vec![SEQ_RATE * speedup; 3]);
            if executor != Executor::Sequential {
                s.speedups.insert(c, vec![speedup; 3]);
            }
            s.startup.insert(c, vec![0.2; 3]);
        };
        for (i, w) in [Workload::PythonThreshold, Workload::PillowThumbnail]
            .into_iter()
            .enumerate()
        {
            put(w, Executor::Sequential, 1.0);
            put(w, Executor::Threads(2), threads[i]);
            put(w, Executor::Processes(2), processes[i]);
        }
        // Rust is ten times Pillow's sequential rate per core.
        let c = |executor| Config {
            workload: Workload::RustThumbnail,
            executor,
        };
        s.rates
            .insert(c(Executor::Sequential), vec![10.0 * SEQ_RATE; 3]);
        s.rates
            .insert(c(Executor::Rayon(2)), vec![10.0 * SEQ_RATE * rayon; 3]);
        s.speedups.insert(c(Executor::Rayon(2)), vec![rayon; 3]);
        // (4) reads the paired run: the same speedup, measured pass by pass in one process.
        s.paired_speedups
            .insert(c(Executor::Rayon(2)), vec![rayon; 3]);
        s.paired_rates
            .insert(c(Executor::Rayon(2)), vec![10.0 * SEQ_RATE * rayon; 3]);
        // The decodes: draft() 2.5× the plain thumbnail sequentially, reduce(2) 1.2×.
        for (w, gain) in [(Workload::PillowDraft, 2.5), (Workload::PillowReduce, 1.2)] {
            s.rates.insert(
                Config {
                    workload: w,
                    executor: Executor::Sequential,
                },
                vec![SEQ_RATE * gain; 3],
            );
        }
        s
    }

    fn verdicts(s: &Stats, cores: usize) -> Vec<Verdict> {
        judge(s, None, cores).iter().map(|j| j.verdict).collect()
    }

    #[test]
    fn the_sheets_answer_holds_when_threads_stall_and_processes_scale() {
        let s = stats([1.0, 1.0], [1.8, 1.8], 1.95);
        assert_eq!(verdicts(&s, 2), [Verdict::Confirmed; 5]);
    }

    #[test]
    fn the_best_pool_has_two_workers_or_more_and_no_more_than_the_cores() {
        let mut s = stats([1.0, 1.0], [1.8, 1.8], 1.95);
        // Made-up pools of one worker and of four, each faster than any other: neither is a
        // candidate on two cores, so (3) and (4) still weigh the pools of two.
        for k in [1, 4] {
            for (w, e) in [
                (Workload::PillowThumbnail, Executor::Threads(k)),
                (Workload::PillowThumbnail, Executor::Processes(k)),
            ] {
                let c = Config {
                    workload: w,
                    executor: e,
                };
                s.rates.insert(c, vec![SEQ_RATE * 5.0; 3]);
            }
        }
        assert_eq!(
            s.best_of(Workload::PillowThumbnail, "threads")
                .map(|b| b.0.executor),
            Some(Executor::Threads(2))
        );
        let j = judge(&s, None, 2);
        assert!(
            j[2].evidence
                .contains("best processes (processes k=2) / best threads (threads k=2)"),
            "{}",
            j[2].evidence
        );
        assert!(
            j[3].evidence.contains("Pillow's best (processes k=2)"),
            "{}",
            j[3].evidence
        );
        // On four cores the pools of four are candidates again.
        s.cores = 4;
        assert_eq!(
            s.best_of(Workload::PillowThumbnail, "threads")
                .map(|b| b.0.executor),
            Some(Executor::Threads(4))
        );
    }

    #[test]
    fn rayon_is_weighed_against_one_machines_best_executor_not_the_cluster() {
        let mut s = stats([1.0, 1.0], [1.8, 1.8], 1.95);
        // A cluster made up to be 10× the process pool: were it Pillow's "best executor",
        // rayon's per-core factor (10 / 1.8 × 2 / 2 ≈ 5.6× against the pool) would fall
        // below 1.
        s.rates
            .insert(crate::cluster::dask_config(2), vec![SEQ_RATE * 18.0; 3]);
        let four = &judge(&s, None, 2)[3];
        assert_eq!(four.verdict, Verdict::Confirmed, "{}", four.evidence);
        assert!(
            four.evidence.contains("Pillow's best (processes k=2)"),
            "{}",
            four.evidence
        );
    }

    #[test]
    fn the_decode_must_move_images_per_second_more_than_the_executor() {
        // draft() 2.5× against processes' 1.8×: the decode first.
        let s = stats([1.0, 1.0], [1.8, 1.8], 1.95);
        let j = &judge(&s, None, 2)[4];
        assert_eq!(j.verdict, Verdict::Confirmed, "{}", j.evidence);
        assert!(j.evidence.contains("draft() 2.50×"), "{}", j.evidence);
        // draft() 1.9× against 1.8×: a tie, not "more".
        let mut s = stats([1.0, 1.0], [1.8, 1.8], 1.95);
        let draft = Config {
            workload: Workload::PillowDraft,
            executor: Executor::Sequential,
        };
        s.rates.insert(draft, vec![SEQ_RATE * 1.9; 3]);
        assert_eq!(judge(&s, None, 2)[4].verdict, Verdict::Refuted);
        s.rates.remove(&draft);
        s.rates.remove(&Config {
            workload: Workload::PillowReduce,
            executor: Executor::Sequential,
        });
        assert_eq!(judge(&s, None, 2)[4].verdict, Verdict::Inconclusive);
    }

    #[test]
    fn a_workload_that_releases_the_gil_nuances_the_thread_claims() {
        // Pillow releases the GIL in its C code: its threads scale as well as processes.
        let s = stats([1.0, 1.8], [1.8, 1.8], 1.95);
        let v = verdicts(&s, 2);
        assert_eq!(v[0], Verdict::Nuanced, "throttled for pure Python only");
        assert_eq!(v[2], Verdict::Nuanced, "processes win for pure Python only");
        // Neither throttled, nor processes ahead anywhere.
        let s = stats([1.8, 1.8], [1.8, 1.8], 1.95);
        let v = verdicts(&s, 2);
        assert_eq!((v[0], v[2]), (Verdict::Refuted, Verdict::Refuted));
    }

    #[test]
    fn pools_that_do_not_scale_and_an_inefficient_rayon_are_refuted_in_part() {
        let s = stats([1.0, 1.0], [1.1, 1.1], 1.2);
        let v = verdicts(&s, 2);
        assert_eq!(v[1], Verdict::Refuted, "processes below 70% of two cores");
        assert_eq!(
            v[3],
            Verdict::Nuanced,
            "rayon 60% efficient, still faster per core"
        );
    }

    #[test]
    fn a_tie_refutes_beats_and_a_straddling_interval_is_within_noise() {
        // Pillow's processes 1.01–1.06× its threads: a tie, so not "beats" (this flapped
        // between Confirmed and Nuanced at the old 1.05× bar).
        let mut s = stats([1.0, 1.8], [1.8, 1.85], 1.95);
        let pillow = |executor| Config {
            workload: Workload::PillowThumbnail,
            executor,
        };
        s.rates
            .insert(pillow(Executor::Threads(2)), vec![180.0, 185.0, 182.0]);
        s.rates
            .insert(pillow(Executor::Processes(2)), vec![182.0, 196.0, 186.0]);
        let j = &judge(&s, None, 2)[2];
        assert_eq!(j.verdict, Verdict::Nuanced, "{}", j.evidence);
        assert!(j.evidence.contains("a tie (inside ±10%)"), "{}", j.evidence);
        // rayon efficient in two rounds, 80% in one: within noise of 0.9, more rounds wanted.
        let mut s = stats([1.0, 1.0], [1.8, 1.8], 1.95);
        let rayon = Config {
            workload: Workload::RustThumbnail,
            executor: Executor::Rayon(2),
        };
        s.paired_speedups.insert(rayon, vec![1.6, 1.95, 1.97]);
        let j = &judge(&s, None, 2)[3];
        assert_eq!(j.verdict, Verdict::Inconclusive, "{}", j.evidence);
        assert!(j.within_noise);
    }

    #[test]
    fn rayons_efficiency_is_the_paired_runs_not_two_separate_runs() {
        // The separate warm runs say 60% (two processes, seconds apart); the paired run, pass
        // by pass in one process, says 97.5%: (4) reads the paired run.
        let mut s = stats([1.0, 1.0], [1.8, 1.8], 1.95);
        let rayon = Config {
            workload: Workload::RustThumbnail,
            executor: Executor::Rayon(2),
        };
        s.speedups.insert(rayon, vec![1.2; 3]);
        let j = &judge(&s, None, 2)[3];
        assert_eq!(j.verdict, Verdict::Confirmed, "{}", j.evidence);
        assert!(j.evidence.contains("0.975"), "{}", j.evidence);
        assert!(j.evidence.contains("paired pass by pass"), "{}", j.evidence);
        // The rounds that did not run it (NaN) are left out, not counted as failures.
        s.paired_speedups
            .insert(rayon, vec![1.95, f64::NAN, 1.94, 1.96]);
        assert_eq!(judge(&s, None, 2)[3].verdict, Verdict::Confirmed);
        // No paired run at all (one core has none): nothing to judge the efficiency on.
        s.paired_speedups.clear();
        s.paired_rates.clear();
        let j = &judge(&s, None, 2)[3];
        assert_ne!(j.verdict, Verdict::Confirmed, "{}", j.evidence);
    }

    #[test]
    fn run_once_the_pool_start_can_undo_the_warm_win() {
        // Warm, processes 1.8× threads for pure Python; cold, spawning eats it: a tie.
        let mut s = stats([1.0, 1.0], [1.8, 1.8], 1.95);
        for w in [Workload::PythonThreshold, Workload::PillowThumbnail] {
            let c = |executor| Config {
                workload: w,
                executor,
            };
            s.cold_rates
                .insert(c(Executor::Threads(2)), vec![90.0, 92.0, 91.0]);
            s.cold_rates
                .insert(c(Executor::Processes(2)), vec![95.0, 93.0, 94.0]);
            s.cold_speedups
                .insert(c(Executor::Processes(2)), vec![0.95, 0.93, 0.94]);
        }
        let j = judge(&s, None, 2);
        assert_eq!(j[1].verdict, Verdict::Nuanced, "{}", j[1].evidence);
        assert!(
            j[1].evidence
                .contains("but not for pure-Python threshold, cold (run once)"),
            "{}",
            j[1].evidence
        );
        assert_eq!(j[2].verdict, Verdict::Nuanced, "{}", j[2].evidence);
        assert!(
            j[2].evidence
                .contains("cold (run once): 2 processes / 2 threads")
        );
    }

    #[test]
    fn one_core_makes_every_claim_inconclusive() {
        let s = stats([1.0, 1.0], [1.0, 1.0], 1.0);
        assert_eq!(verdicts(&s, 1), [Verdict::Inconclusive; 5]);
    }
}
