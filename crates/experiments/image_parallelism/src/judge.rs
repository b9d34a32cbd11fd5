//! The verdict rules of image_parallelism: pure functions over the rounds' statistics.

use crate::{
    PROCESS_EFFICIENCY, PROCESSES_MARGIN, RAYON_EFFICIENCY, THROTTLED_BELOW, plan::Config,
    plan::Executor, plan::Workload, runs::MillionOutcome, stats::Stats, stats::efficiency,
};
use pyproof_harness::{Case, Judgement, format_number, judge_cases, median, one_core};

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
    /// Every claim, in the order declared.
    pub const ALL: [&str; 4] = [
        THREADS_THROTTLED,
        PROCESSES_SCALE,
        MULTIPROCESSING_IS_THE_ANSWER,
        RAYON_BEYOND,
    ];
}

/// The four claims over the rounds' statistics (and the million-image run when there was
/// one): threads throttled, processes scale, multiprocessing the answer, Rust beyond it.
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

    // (1) Threads throttled, per workload.
    let cases: Vec<Case> = python
        .iter()
        .map(|&w| {
            let c = Config {
                workload: w,
                executor: Executor::Threads(cores),
            };
            let s = stats.speedup(&c);
            Case::new(
                w.label(),
                s < THROTTLED_BELOW,
                format!(
                    "{} threads {}×{}{}",
                    cores,
                    format_number(s),
                    stats.spread(&c),
                    if s < THROTTLED_BELOW {
                        " — throttled"
                    } else {
                        " — not throttled"
                    }
                ),
            )
        })
        .collect();
    judgements.push(judge_cases(ids::THREADS_THROTTLED, &cases));

    // (2) Processes scale, per workload.
    let needed = PROCESS_EFFICIENCY * cores as f64;
    let cases: Vec<Case> = python
        .iter()
        .map(|&w| {
            let c = Config {
                workload: w,
                executor: Executor::Processes(cores),
            };
            let s = stats.speedup(&c);
            let startup = median(&stats.startup[&c]);
            Case::new(
                w.label(),
                s >= needed,
                format!(
                    "{} processes {}×{} (needs {:.2}×; pool start-up {} s, untimed)",
                    cores,
                    format_number(s),
                    stats.spread(&c),
                    needed,
                    format_number(startup)
                ),
            )
        })
        .collect();
    judgements.push(judge_cases(ids::PROCESSES_SCALE, &cases));

    // (3) Processes beat threads.
    let mut cases: Vec<Case> = python
        .iter()
        .filter_map(|&w| {
            let (pc, p) = stats.best_of(w, "processes")?;
            let (tc, t) = stats.best_of(w, "threads")?;
            Some(Case::new(
                w.label(),
                p > PROCESSES_MARGIN * t,
                format!(
                    "best processes ({}) {} images/s vs best threads ({}) {} images/s = {}×",
                    pc.executor.label(),
                    format_number(p),
                    tc.executor.label(),
                    format_number(t),
                    format_number(p / t)
                ),
            ))
        })
        .collect();
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
        if let (Some(p), Some(t)) = (rate("processes"), rate("threads")) {
            cases.push(Case::new(
                format!("Pillow, the million ({})", m.corpus.describe()),
                p > PROCESSES_MARGIN * t,
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

    // (4) rayon.
    let rayon = Config {
        workload: Workload::RustThumbnail,
        executor: Executor::Rayon(cores),
    };
    let eff = efficiency(stats.speedup(&rayon), cores, cores);
    let rust_rate = stats.rate(&rayon);
    let mut cases = vec![Case::new(
        "efficiency",
        eff >= RAYON_EFFICIENCY,
        format!(
            "{} rayon threads: speedup {}×{} = {:.0}% efficiency",
            cores,
            format_number(stats.speedup(&rayon)),
            stats.spread(&rayon),
            100.0 * eff
        ),
    )];
    if let Some((best, rate)) = stats.best(Workload::PillowThumbnail) {
        let per_core_py = rate / best.executor.k().min(cores) as f64;
        let per_core_rust = rust_rate / cores as f64;
        cases.push(Case::new(
            "per core",
            per_core_rust > per_core_py,
            format!(
                "Rust {} images/s per core vs Pillow's best ({}) {} = {}×",
                format_number(per_core_rust),
                best.executor.label(),
                format_number(per_core_py),
                format_number(per_core_rust / per_core_py)
            ),
        ));
    }
    judgements.push(judge_cases(ids::RAYON_BEYOND, &cases));
    judgements
}

#[cfg(test)]
mod tests {
    use super::*;
    use pyproof_harness::Verdict;
    use std::collections::BTreeMap;

    const SEQ_RATE: f64 = 100.0;

    /// Made-up statistics on two cores: each Python workload's thread and process pool
    /// speedups, and rayon's speedup, three rounds each, rates in proportion.
    fn stats(threads: [f64; 2], processes: [f64; 2], rayon: f64) -> Stats {
        let mut s = Stats {
            rates: BTreeMap::new(),
            speedups: BTreeMap::new(),
            memory: BTreeMap::new(),
            startup: BTreeMap::new(),
            tallies: BTreeMap::new(),
            batch: BTreeMap::new(),
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
        s
    }

    fn verdicts(s: &Stats, cores: usize) -> Vec<Verdict> {
        judge(s, None, cores).iter().map(|j| j.verdict).collect()
    }

    #[test]
    fn the_sheets_answer_holds_when_threads_stall_and_processes_scale() {
        let s = stats([1.0, 1.0], [1.8, 1.8], 1.95);
        assert_eq!(verdicts(&s, 2), [Verdict::Confirmed; 4]);
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
    fn one_core_makes_every_claim_inconclusive() {
        let s = stats([1.0, 1.0], [1.0, 1.0], 1.0);
        assert_eq!(verdicts(&s, 1), [Verdict::Inconclusive; 4]);
    }
}
