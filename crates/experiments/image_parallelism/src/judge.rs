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
