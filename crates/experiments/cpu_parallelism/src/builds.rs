//! Claim (4)'s runs: the same worker (standard library only, so no venv is needed) under the
//! free-threaded CPythons on this machine and the GIL build of the same version, at the
//! largest task size: is a process pool still better than threads when threads are free to
//! run in parallel?

use crate::judge::{
    BuildCase, gil_twin, judge_builds, judge_single_thread, single_thread_cost, us,
};
use crate::{Plan, run_on};
use pyproof_harness::{
    ExperimentError, Measurement, Outcome, RunContext, Table, format_number, median_interval,
};
use pyproof_python::pythons::{Installed, find_all};
use pyproof_python::{Interpreter, worker_on};

/// The builds claim (4) measures: every free-threaded build running with the GIL off, and for
/// each, the newest GIL build of the same major.minor (its twin), in that order.
pub fn builds_to_run(found: &[Installed]) -> Vec<&Installed> {
    let mut chosen: Vec<&Installed> = Vec::new();
    for ft in found
        .iter()
        .filter(|i| i.found.free_threaded && !i.found.gil_enabled)
    {
        let (major, minor, _) = ft.found.version;
        let twin = found
            .iter()
            .filter(|i| {
                !i.found.free_threaded && (i.found.version.0, i.found.version.1) == (major, minor)
            })
            .max_by_key(|i| i.found.version);
        for i in twin.into_iter().chain([ft]) {
            if !chosen
                .iter()
                .any(|c| c.found.executable == i.found.executable)
            {
                chosen.push(i);
            }
        }
    }
    chosen
}

/// Runs the worker under each build of [`builds_to_run`] at the plan's largest task size — its
/// minimum rounds, more while a build is within noise; adds the measurements and a table;
/// returns the cases for the judge.
pub(crate) fn every_build(
    outcome: &mut Outcome,
    ctx: &RunContext<'_>,
    plan: &Plan,
    cores: usize,
) -> Result<Vec<BuildCase>, ExperimentError> {
    let Some(&size) = plan.sizes_us.last() else {
        return Ok(Vec::new());
    };
    if cores < 2 {
        return Ok(Vec::new());
    }
    ctx.progress
        .update("finding the CPython builds on this machine", 0, 1);
    let (found, _refused) = find_all(&[]);
    let mut builds = builds_to_run(&found);
    let python_dir = Interpreter::get()?.python_dir.clone();
    let mut table = Table::new(
        String::new(),
        &[
            "interpreter",
            "version",
            "build",
            "threads over sequential",
            "processes over sequential",
            "thread time ÷ process time",
        ],
    );
    // The minimum of rounds under every build, then one more round under every build while
    // a build's interval straddles the bar (each round in a fresh worker: its own pools,
    // its figures paired within it), up to the budget's maximum.
    let mut cases: Vec<BuildCase> = Vec::new();
    let mut same_work: Option<f64> = None;
    let mut rounds = 0;
    while plan.rounds.more(rounds, || {
        vec![judge_builds(&cases, cores), judge_single_thread(&cases)]
    }) {
        let take = if rounds == 0 { plan.rounds.min } else { 1 };
        let mut i = 0;
        while i < builds.len() {
            let b = builds[i];
            let name = b.found.build_name();
            ctx.progress.update(
                &format!(
                    "round {} · threads and processes under Python {name}",
                    rounds + 1
                ),
                i,
                builds.len(),
            );
            let mut cmd = worker_on(&b.candidate.path, &python_dir, "cpu_parallelism");
            // Every build does the same work: the loop calibrated once, by the first build
            // run (a GIL twin comes before its free-threaded build), so sequential times
            // compare across builds (claim (5)); a build calibrating itself would take the
            // same time by construction.
            if let Some(per_us) = same_work {
                cmd.args(["--iters-per-us", &per_us.to_string()]);
            }
            let report = match run_on(cmd, &[size], "1", plan, cores, take) {
                Ok(report) => {
                    same_work.get_or_insert(report.iters_per_us);
                    report
                }
                // Ctrl-C stops the run; a build that fails (broken, killed, timed out) is
                // named and left out, and the other builds still run.
                Err(e) if pyproof_proc::process::interrupted() => return Err(e),
                Err(e) => {
                    outcome.notes.push(format!(
                        "Not measured for claim (4): Python {name} ({}): {e}",
                        b.candidate.path.display()
                    ));
                    builds.remove(i);
                    if i < cases.len() {
                        cases.remove(i);
                    }
                    continue;
                }
            };
            let seconds = |executor: &str| {
                report
                    .samples
                    .iter()
                    .find(|s| s.executor == executor)
                    .map(|s| s.seconds.clone())
                    .unwrap_or_default()
            };
            if cases.len() <= i {
                cases.push(BuildCase {
                    label: format!(
                        "Python {} ({})",
                        b.found.version_text(),
                        b.found.build_label()
                    ),
                    build: name,
                    free_threaded: b.found.free_threaded && !b.found.gil_enabled,
                    sequential: Vec::new(),
                    threads: Vec::new(),
                    processes: Vec::new(),
                });
            }
            let case = &mut cases[i];
            case.sequential.extend(seconds("sequential"));
            case.threads.extend(seconds("threads"));
            case.processes.extend(seconds("processes:1"));
            i += 1;
        }
        rounds += take;
    }
    table.title = format!(
        "The sheet's answer per build: {} tasks, k = {cores}, chunksize 1 (medians of {} \
         rounds; the ratio's 95% interval)",
        us(size),
        rounds
    );
    for (b, case) in builds.iter().zip(&cases) {
        let name = &case.build;
        let ratio = median_interval(&case.processes_over_threads());
        for (what, value) in [
            ("threads", case.threads_speedup()),
            ("processes", case.processes_speedup()),
        ] {
            outcome.measurements.push(Measurement::new(
                format!("builds.{name}.{what}.speedup"),
                format!("{} on Python {name}, {} tasks", what, us(size)),
                "×",
                vec![value],
            ));
        }
        if let Some(gil) = gil_twin(case, &cases) {
            outcome.measurements.push(Measurement::new(
                format!("builds.{name}.single_thread_cost"),
                format!(
                    "sequential time on Python {name} ÷ on Python {} (claim (5))",
                    gil.build
                ),
                "×",
                single_thread_cost(case, gil),
            ));
        }
        outcome.measurements.push(Measurement::new(
            format!("builds.{name}.processes_over_threads"),
            format!("thread pool time ÷ process pool time on Python {name}"),
            "×",
            case.processes_over_threads(),
        ));
        table.row(vec![
            b.candidate.path.display().to_string(),
            b.found.version_text(),
            b.found.build_label().to_string(),
            format!("{}×", format_number(case.threads_speedup())),
            format!("{}×", format_number(case.processes_speedup())),
            format!(
                "{}× (95% CI {}–{})",
                format_number(ratio.median),
                format_number(ratio.lo),
                format_number(ratio.hi)
            ),
        ]);
    }
    if !cases.is_empty() {
        outcome.tables.push(table);
    }
    Ok(cases)
}

#[cfg(test)]
mod tests {
    use super::*;
    use pyproof_python::pythons::{Candidate, Found, Source};
    use std::path::PathBuf;

    fn installed(path: &str, version: (u32, u32, u32), ft: bool, gil: bool) -> Installed {
        Installed {
            candidate: Candidate {
                path: PathBuf::from(path),
                source: Source::Pyenv,
            },
            found: Found {
                version,
                free_threaded: ft,
                gil_enabled: gil,
                executable: PathBuf::from(path),
            },
        }
    }

    #[test]
    fn free_threaded_builds_come_with_their_newest_gil_twin() {
        let found = [
            installed("/a/3.11", (3, 11, 7), false, true),
            installed("/a/3.13.0", (3, 13, 0), false, true),
            installed("/a/3.13.15", (3, 13, 15), false, true),
            installed("/a/3.13.15t", (3, 13, 15), true, false),
            // A free-threaded build whose GIL an extension re-enabled runs like a GIL build.
            installed("/a/3.14t-gil", (3, 14, 1), true, true),
            installed("/a/3.15t", (3, 15, 2), true, false),
        ];
        let chosen: Vec<&str> = builds_to_run(&found)
            .iter()
            .map(|i| i.candidate.path.to_str().unwrap_or(""))
            .collect();
        assert_eq!(chosen, ["/a/3.13.15", "/a/3.13.15t", "/a/3.15t"]);
        assert!(builds_to_run(&found[..3]).is_empty());
        assert_eq!(found[3].found.build_name(), "3.13.15t");
    }
}
