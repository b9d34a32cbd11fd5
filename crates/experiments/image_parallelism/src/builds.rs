//! Claim (8): the sheet's answer on every build. The pure-Python pixel code and the Pillow
//! thumbnail, sequential, on `k = cores` threads and on `k = cores` processes, under the
//! free-threaded CPythons on this machine, the GIL build of the same version, and the newest
//! GIL build of each release from 3.14 on — each from its own venv (Pillow is needed), warm,
//! in rounds. Does "multiprocessing, because threads are throttled by the GIL" still hold
//! where threads run in parallel?
//!
//! Judged on the pure-Python workload (the GIL's business: Pillow releases the GIL on every
//! build, which (1) and (3) already show); the Pillow figures are reported beside it.

use crate::judge::ids;
use crate::plan::{Config, Executor, Plan, Workload};
use crate::runs::run_config_on;
use crate::{PROCESSES_BEAT_THREADS, corpus::Corpus};
use pyproof_harness::{
    Case, ExperimentError, Judgement, Measurement, Outcome, RunContext, Standing, Table, Verdict,
    format_number, judge_per_build, median, median_interval, one_core, pairwise_ratios,
};
use pyproof_python::pythons::{Installed, embedded_executable, for_run, venv_for};
use pyproof_python::venv::{VenvState, state};
use std::path::PathBuf;

/// Pillow thumbnails per run under each build: half the default corpus (a quarter of the
/// full scale's), enough for a second of sequential work here.
pub const THUMBNAILS: u64 = 250;

/// The builds claim (8) measures: the same choice as every per-build claim's
/// ([`pyproof_python::pythons::matrix`]).
pub use pyproof_python::pythons::builds_to_run;

/// One build's paired rounds: images/s per round of each run.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BuildCase {
    /// "Python 3.13.15 (free-threaded)".
    pub label: String,
    /// "3.13.15t".
    pub build: String,
    /// A free-threaded build running with the GIL off.
    pub free_threaded: bool,
    /// Pure Python: sequential, threads, processes (images/s per round).
    pub python: [Vec<f64>; 3],
    /// Pillow: the same.
    pub pillow: [Vec<f64>; 3],
}

/// Per round, process pool over thread pool (images/s; > 1: processes faster).
pub fn processes_over_threads(runs: &[Vec<f64>; 3]) -> Vec<f64> {
    pairwise_ratios(&runs[2], &runs[1])
}

/// Claim (8): per build, the pure-Python workload's processes-over-threads ratio on its 95%
/// interval against [`PROCESSES_BEAT_THREADS`] (a tie refutes "beats"); each build's verdict
/// kept; Inconclusive with no free-threaded build measured, or on one core.
pub fn judge_builds(cases: &[BuildCase], cores: usize) -> Judgement {
    if let Some(j) = one_core(
        ids::EVERY_BUILD,
        cores,
        "no pool can run two images at once on any build",
    ) {
        return j;
    }
    if !cases.iter().any(|c| c.free_threaded) {
        return Judgement::new(
            ids::EVERY_BUILD,
            Verdict::Inconclusive,
            "no free-threaded CPython with Pillow in its venv was measured, so every build \
             would be a GIL build like the main run's: `cargo run --release -- pythons --build \
             3.13t` builds one (its venv gets Pillow) and the next run measures it",
        );
    }
    let judged: Vec<(String, bool, Case)> = cases
        .iter()
        .map(|c| {
            let case = PROCESSES_BEAT_THREADS.case(
                c.label.clone(),
                "pure Python, process pool ÷ thread pool (images/s)",
                &processes_over_threads(&c.python),
                "×",
            );
            let speedup = |i: usize| median(&pairwise_ratios(&c.python[i], &c.python[0]));
            let case = Case::judged(
                case.label,
                case.standing,
                format!(
                    "{} (over sequential: threads {}×, processes {}×)",
                    case.detail,
                    format_number(speedup(1)),
                    format_number(speedup(2))
                ),
            );
            (c.build.clone(), c.free_threaded, case)
        })
        .collect();
    judge_per_build(ids::EVERY_BUILD, judged)
}

/// Whether a build's case of (8) is still within noise: the rounds past the minimum are for
/// such builds only.
fn within_noise(c: &BuildCase) -> bool {
    PROCESSES_BEAT_THREADS
        .case(c.label.clone(), "", &processes_over_threads(&c.python), "×")
        .standing
        == Standing::WithinNoise
}

/// The venv interpreter of each build in `chosen` that has Pillow; a note for each without.
fn with_pillow<'a>(
    chosen: Vec<&'a Installed>,
    outcome: &mut Outcome,
) -> Vec<(&'a Installed, PathBuf)> {
    let embedded = embedded_executable();
    let mut out = Vec::new();
    for b in chosen {
        let spec = venv_for(&b.found, embedded.as_deref());
        let ready = match state(&spec) {
            VenvState::Ready => true,
            VenvState::Partial(missing) => !missing.iter().any(|m| m.starts_with("pillow")),
            VenvState::Missing | VenvState::Stale => false,
        };
        if ready {
            out.push((b, spec.python()));
        } else {
            outcome.notes.push(format!(
                "Not measured for claim (8): Python {} — its venv ({}) is not filled or has no \
                 Pillow (`cargo run --release -- pythons --venv {}` fills it).",
                b.found.build_name(),
                spec.dir.display(),
                b.found.tag()
            ));
        }
    }
    out
}

/// Runs claim (8)'s configurations under each build, `plan.rounds.min` rounds, rotating the
/// builds' order each round; adds the measurements and the table; the cases for the judge.
pub(crate) fn every_build(
    outcome: &mut Outcome,
    ctx: &RunContext<'_>,
    plan: &Plan,
    corpus: &Corpus,
    python_dir: &std::path::Path,
    cores: usize,
) -> Result<Vec<BuildCase>, ExperimentError> {
    if cores < 2 {
        return Ok(Vec::new());
    }
    let (found, _) = for_run(&ctx.options).map_err(ExperimentError::Input)?;
    let mut builds = with_pillow(builds_to_run(&found), outcome);
    let executors = [
        Executor::Sequential,
        Executor::Threads(cores),
        Executor::Processes(cores),
    ];
    let workloads = [
        (
            Workload::PythonThreshold,
            plan.count_of(Workload::PythonThreshold),
        ),
        (
            Workload::PillowThumbnail,
            THUMBNAILS.min(plan.count_of(Workload::PillowThumbnail)),
        ),
    ];
    let mut cases: Vec<BuildCase> = builds
        .iter()
        .map(|(b, _)| BuildCase {
            label: format!(
                "Python {} ({})",
                b.found.version_text(),
                b.found.build_label()
            ),
            build: b.found.build_name(),
            free_threaded: b.found.free_threaded && !b.found.gil_enabled,
            ..BuildCase::default()
        })
        .collect();
    let per_round = workloads.len() * executors.len();
    // The minimum of rounds under every build; past it, one more round under each build whose
    // case is still within noise (and could leave it: `RoundBudget::more`), up to the maximum.
    // A build's rounds pair within themselves, so builds may end with different counts.
    let mut round = 0;
    while plan
        .rounds
        .more(round, || vec![judge_builds(&cases, cores)])
    {
        let n = builds.len();
        let mut order: Vec<usize> = (0..n)
            .filter(|&i| round < plan.rounds.min || within_noise(&cases[i]))
            .collect();
        if !order.is_empty() {
            let k = round % order.len();
            order.rotate_left(k);
        }
        let bound = plan.rounds.max;
        let mut failed = Vec::new();
        for (step, &i) in order.iter().enumerate() {
            let (b, python) = &builds[i];
            let name = b.found.build_name();
            let mut run = || -> Result<(), ExperimentError> {
                for (w, (workload, count)) in workloads.iter().enumerate() {
                    for (e, &executor) in executors.iter().enumerate() {
                        ctx.progress.update(
                            &format!(
                                "round {} · {} {} under Python {name}",
                                round + 1,
                                workload.label(),
                                executor.label()
                            ),
                            (round * builds.len() + step) * per_round + w * executors.len() + e,
                            bound * builds.len() * per_round,
                        );
                        let config = Config {
                            workload: *workload,
                            executor,
                        };
                        let (report, _, _) = run_config_on(
                            python,
                            python_dir,
                            &config,
                            corpus,
                            *count,
                            plan.timeout(&config),
                        )?;
                        let rate = report.tally.images() as f64 / report.work_s.max(1e-9);
                        let slot = if w == 0 {
                            &mut cases[i].python
                        } else {
                            &mut cases[i].pillow
                        };
                        slot[e].push(rate);
                    }
                }
                Ok(())
            };
            match run() {
                Ok(()) => {}
                Err(e) if pyproof_proc::process::interrupted() => return Err(e),
                // A build that fails (broken, killed, timed out) is named and left out; the
                // other builds still run.
                Err(e) => {
                    outcome.notes.push(format!(
                        "Not measured for claim (8): Python {name} ({}): {e}",
                        python.display()
                    ));
                    failed.push(i);
                }
            }
        }
        failed.sort_unstable();
        for i in failed.into_iter().rev() {
            builds.remove(i);
            cases.remove(i);
        }
        round += 1;
    }
    record(outcome, &builds, &cases, cores);
    Ok(cases)
}

/// The measurements and the table of claim (8).
fn record(
    outcome: &mut Outcome,
    builds: &[(&Installed, PathBuf)],
    cases: &[BuildCase],
    cores: usize,
) {
    if cases.is_empty() {
        return;
    }
    let mut table = Table::new(
        format!(
            "The sheet's answer per build: images/s over sequential on {cores} threads and on \
             {cores} processes, warm, each build from its own venv (medians of each build's \
             rounds, given beside its ratio; the process ÷ thread ratio's 95% interval); \
             claim (8) reads the pure-Python column"
        ),
        &[
            "interpreter",
            "version",
            "build",
            "Pillow",
            "pure Python: threads",
            "pure Python: processes",
            "pure Python: processes ÷ threads",
            "Pillow: threads",
            "Pillow: processes",
            "Pillow: processes ÷ threads",
        ],
    );
    for ((b, python), c) in builds.iter().zip(cases) {
        let name = &c.build;
        let mut row = vec![
            python.display().to_string(),
            b.found.version_text(),
            b.found.build_label().to_string(),
            pillow_version(python).unwrap_or_else(|| "?".into()),
        ];
        for (what, runs) in [("python", &c.python), ("pillow", &c.pillow)] {
            let speedup = |i: usize| pairwise_ratios(&runs[i], &runs[0]);
            for (i, executor) in [(1, "threads"), (2, "processes")] {
                outcome.measurements.push(Measurement::new(
                    format!("builds.{name}.{what}.{executor}.speedup"),
                    format!("{what} on {cores} {executor} over sequential, Python {name}"),
                    "×",
                    speedup(i),
                ));
                row.push(format!("{}×", format_number(median(&speedup(i)))));
            }
            let ratio = processes_over_threads(runs);
            outcome.measurements.push(Measurement::new(
                format!("builds.{name}.{what}.processes_over_threads"),
                format!("{what}: process pool ÷ thread pool (images/s), Python {name}"),
                "×",
                ratio.clone(),
            ));
            let ci = median_interval(&ratio);
            row.push(format!(
                "{}× (95% CI {}–{}, {} rounds)",
                format_number(ci.median),
                format_number(ci.lo),
                format_number(ci.hi),
                ci.n
            ));
        }
        table.row(row);
    }
    outcome.tables.push(table);
}

/// Pillow's version in the venv of `python` (a stand-in for the pin shows here).
fn pillow_version(python: &std::path::Path) -> Option<String> {
    let out = std::process::Command::new(python)
        .args([
            "-I",
            "-c",
            "import importlib.metadata as m; print(m.version('pillow'))",
        ])
        .output()
        .ok()?;
    let v = String::from_utf8_lossy(&out.stdout).trim().to_string();
    (out.status.success() && !v.is_empty()).then_some(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use pyproof_harness::Verdict;

    fn case(build: &str, ft: bool, threads: f64, processes: f64) -> BuildCase {
        let rounds = |v: f64| vec![v, v * 1.01, v * 0.99, v];
        BuildCase {
            label: format!("Python {build}"),
            build: build.to_string(),
            free_threaded: ft,
            python: [rounds(50.0), rounds(threads), rounds(processes)],
            pillow: [rounds(400.0), rounds(800.0), rounds(780.0)],
        }
    }

    #[test]
    fn each_build_keeps_its_verdict_and_a_free_threaded_miss_makes_it_nuanced() {
        // GIL: threads 50/s, processes 95/s — processes beat threads. Free-threaded: threads
        // scale as well as processes — a tie, which refutes "beats" there.
        let cases = [
            case("3.13.15", false, 50.0, 95.0),
            case("3.13.15t", true, 96.0, 95.0),
        ];
        let j = judge_builds(&cases, 2);
        assert_eq!(j.verdict, Verdict::Nuanced, "{}", j.evidence);
        assert_eq!(
            j.builds
                .iter()
                .map(|b| (b.build.as_str(), b.holds))
                .collect::<Vec<_>>(),
            [("3.13.15", Some(true)), ("3.13.15t", Some(false))]
        );
        let all = [
            case("3.13.15", false, 50.0, 95.0),
            case("3.13.15t", true, 50.0, 95.0),
        ];
        assert_eq!(judge_builds(&all, 2).verdict, Verdict::Confirmed);
        let none = [
            case("3.13.15", false, 96.0, 95.0),
            case("3.13.15t", true, 96.0, 95.0),
        ];
        assert_eq!(judge_builds(&none, 2).verdict, Verdict::Refuted);
    }

    #[test]
    fn no_free_threaded_build_or_one_core_is_inconclusive() {
        let gil_only = [case("3.14.10", false, 50.0, 95.0)];
        let j = judge_builds(&gil_only, 2);
        assert_eq!(j.verdict, Verdict::Inconclusive);
        assert!(
            j.evidence.contains("no free-threaded CPython"),
            "{}",
            j.evidence
        );
        assert_eq!(
            judge_builds(&[case("3.13.15t", true, 96.0, 95.0)], 1).verdict,
            Verdict::Inconclusive
        );
    }
}
