//! Claim (4)'s runs: the same worker (standard library only, so no venv is needed) under the
//! free-threaded CPythons on this machine, the GIL build of the same version, and today's
//! releases (the newest GIL build of each version from 3.14 on), at the largest task size:
//! is a process pool still better than threads when threads are free to run in parallel?
//!
//! From 3.14 on the same runs add a fourth executor, `InterpreterPoolExecutor` (PEP 734:
//! subinterpreters, each with its own GIL, in one process) — its speedup and start-up
//! reported beside the judged pair, not judged — and whether NumPy imports inside a
//! subinterpreter (asked of that interpreter's venv), reported as observed. Every build also
//! times [`OVERHEAD_TASKS`] near-empty tasks per executor and round: the per-task cost of
//! threads, processes and subinterpreters, reported.

use crate::judge::{BuildCase, builds_wanting_rounds, gil_twin, single_thread_cost, us};
use crate::{Plan, run_on};
use pyproof_harness::{
    ExperimentError, Measurement, Outcome, RunContext, Table, format_number, median,
    median_interval, pairwise_ratios,
};
use pyproof_python::pythons::{Installed, for_run};
use pyproof_python::{Interpreter, worker_on};
use std::path::Path;
use std::time::Duration;

/// The builds claim (4) measures, and where "today's" releases start: chosen once for every
/// per-build claim ([`pyproof_python::pythons::matrix`]).
pub use pyproof_python::pythons::{TODAY, builds_to_run};

/// What a build's runs add beside the judged case: reported, not judged.
#[derive(Default)]
struct Extras {
    /// `InterpreterPoolExecutor` seconds per round (3.14+).
    interpreters: Vec<f64>,
    /// Its start-up, once per worker.
    interpreters_startup: Vec<f64>,
    /// multiprocessing's default start method there.
    start_method: Option<String>,
    /// µs per near-empty task, per round, by executor (threads, processes, interpreters).
    per_task_us: std::collections::BTreeMap<String, Vec<f64>>,
}

/// Near-empty tasks each build's worker times per executor and round: what one task costs
/// the executor itself (a process pool's pickling and pipe, a subinterpreter's call across
/// interpreters), the small-task side the 100 ms tasks of the judged case hide. ~0.1 s a
/// round on a process pool here.
pub const OVERHEAD_TASKS: u64 = 2000;

/// The executors whose per-task cost is timed, as the worker names them, with their labels.
const PER_TASK: [(&str, &str); 3] = [
    ("threads", "threads"),
    ("processes", "processes"),
    ("interpreters", "subinterpreters"),
];

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
    let (found, _refused) = for_run(&ctx.options).map_err(ExperimentError::Input)?;
    let mut builds = builds_to_run(&found);
    outcome
        .notes
        .extend(pyproof_python::pythons::twin_notes(&builds));
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
            "start method",
            "subinterpreters over sequential",
            "subinterpreter pool start-up",
            "µs per near-empty task: threads · processes · subinterpreters",
        ],
    );
    // Round by round, every build in turn (the builds interleaved, so a pair's rounds run
    // seconds apart), up to the minimum; then one more round at a time under each build still
    // within noise ([`builds_wanting_rounds`]), up to the builds' maximum. Each round in a
    // fresh worker (its own pools, its figures paired within it): rounds in one process agree
    // more closely than runs do, and the interval would miss the run-to-run spread.
    let budget = plan.build_rounds;
    let mut cases: Vec<BuildCase> = Vec::new();
    let mut extras: Vec<Extras> = Vec::new();
    let mut same_work: Option<f64> = None;
    // A build whose later round failed keeps the rounds it has and takes no more.
    let mut given_up: Vec<bool> = vec![false; builds.len()];
    let mut want = vec![true; builds.len()];
    while want.iter().any(|w| *w) {
        let mut i = 0;
        while i < builds.len() {
            if !want[i] {
                i += 1;
                continue;
            }
            let b = builds[i];
            let name = b.found.build_name();
            let done = cases.get(i).map_or(0, |c| c.threads.len());
            ctx.progress.update(
                &format!(
                    "round {} · threads and processes under Python {name}",
                    done + 1
                ),
                i,
                builds.len(),
            );
            let mut cmd = worker_on(&b.candidate.path, &python_dir, "cpu_parallelism");
            // The job order rotated round by round, as in the main run's fresh workers.
            cmd.args(["--round-index", &done.to_string()])
                .args(["--rounds-planned", &budget.min.to_string()]);
            // Every build does the same work: the loop calibrated once, by the first build
            // run (a GIL twin comes before its free-threaded build), so sequential times
            // compare across builds (claim (5)); a build calibrating itself would take the
            // same time by construction.
            if let Some(per_us) = same_work {
                cmd.args(["--iters-per-us", &per_us.to_string()]);
            }
            if b.found.version >= TODAY {
                cmd.arg("--interpreters");
            }
            cmd.args(["--overhead-tasks", &OVERHEAD_TASKS.to_string()]);
            let report = match run_on(cmd, &[size], "1", plan, cores, 1) {
                Ok(report) => {
                    same_work.get_or_insert(report.iters_per_us);
                    report
                }
                // Ctrl-C stops the run; a build that fails (broken, killed, timed out) is
                // named; one with no rounds yet is left out, the other builds still run.
                Err(e) if pyproof_proc::process::interrupted() => return Err(e),
                Err(e) => {
                    outcome.notes.push(format!(
                        "Not measured for claim (4){}: Python {name} ({}): {e}",
                        if done > 0 {
                            format!(" past round {done} (its {done} rounds are kept)")
                        } else {
                            String::new()
                        },
                        b.candidate.path.display()
                    ));
                    if done > 0 {
                        given_up[i] = true;
                        i += 1;
                    } else {
                        builds.remove(i);
                        want.remove(i);
                        given_up.remove(i);
                        if i < cases.len() {
                            cases.remove(i);
                            extras.remove(i);
                        }
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
                extras.push(Extras::default());
            }
            let extra = &mut extras[i];
            extra.interpreters.extend(seconds("interpreters"));
            extra
                .interpreters_startup
                .extend(report.interpreters_startup_s);
            extra.start_method.clone_from(&report.start_method);
            for (executor, _) in PER_TASK {
                let per_task = seconds(&format!("{}{executor}", crate::OVERHEAD_PREFIX))
                    .into_iter()
                    .map(|s| s * 1e6 / OVERHEAD_TASKS as f64);
                extra
                    .per_task_us
                    .entry(executor.to_string())
                    .or_default()
                    .extend(per_task);
            }
            let case = &mut cases[i];
            case.sequential.extend(seconds("sequential"));
            case.threads.extend(seconds("threads"));
            case.processes.extend(seconds("processes:1"));
            i += 1;
        }
        // Below the minimum every build takes the next round (a build given up on waits for
        // no one); then only the undecided ones.
        let below: Vec<bool> = cases.iter().map(|c| c.threads.len() < budget.min).collect();
        want = if below.iter().zip(&given_up).any(|(b, g)| *b && !*g) {
            below
        } else {
            builds_wanting_rounds(&cases, &budget)
        };
        for (w, gave_up) in want.iter_mut().zip(&given_up) {
            *w &= !gave_up;
        }
    }
    table.title = format!(
        "The sheet's answer per build: {} tasks, k = {cores}, chunksize 1 (medians; {})",
        us(size),
        if budget.min == budget.max {
            format!("{} rounds per build", budget.min)
        } else {
            format!(
                "{} rounds per build, then one at a time up to {} for a build within noise",
                budget.min, budget.max
            )
        }
    );
    for ((b, case), extra) in builds.iter().zip(&cases).zip(&extras) {
        let name = &case.build;
        let subs_speedup = (!extra.interpreters.is_empty())
            .then(|| median(&pairwise_ratios(&case.sequential, &extra.interpreters)));
        if let Some(v) = subs_speedup {
            outcome.measurements.push(Measurement::new(
                format!("builds.{name}.interpreters.speedup"),
                format!(
                    "InterpreterPoolExecutor on Python {name}, {} tasks",
                    us(size)
                ),
                "×",
                vec![v],
            ));
            outcome.measurements.push(Measurement::new(
                format!("builds.{name}.interpreters.startup"),
                format!(
                    "InterpreterPoolExecutor's start-up on Python {name}: the pool and a first \
                     task on each of its {cores} subinterpreters"
                ),
                "s",
                extra.interpreters_startup.clone(),
            ));
        }
        for (executor, label) in PER_TASK {
            if let Some(v) = extra.per_task_us.get(executor).filter(|v| !v.is_empty()) {
                outcome.measurements.push(Measurement::new(
                    format!("builds.{name}.{executor}.per_task_us"),
                    format!(
                        "one near-empty task on {label}, Python {name} ({OVERHEAD_TASKS} a round, \
                         k = {cores}, chunksize 1)"
                    ),
                    "µs",
                    v.clone(),
                ));
            }
        }
        let per_task = PER_TASK
            .iter()
            .map(|(executor, _)| {
                extra
                    .per_task_us
                    .get(*executor)
                    .filter(|v| !v.is_empty())
                    .map_or_else(|| "—".to_string(), |v| format_number(median(v)))
            })
            .collect::<Vec<_>>()
            .join(" · ");
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
            ratio.describe("×"),
            extra.start_method.clone().unwrap_or_else(|| "—".into()),
            subs_speedup.map_or_else(|| "—".into(), |v| format!("{}×", format_number(v))),
            if extra.interpreters_startup.is_empty() {
                "—".into()
            } else {
                format!("{} s", format_number(median(&extra.interpreters_startup)))
            },
            per_task,
        ]);
    }
    if !cases.is_empty() {
        outcome.tables.push(table);
    }
    subinterpreter_imports(outcome, &builds, &python_dir);
    Ok(cases)
}

/// Whether NumPy imports inside a subinterpreter, on each build from [`TODAY`] on, asked of
/// that build's venv (where NumPy is installed): one note each, as observed.
fn subinterpreter_imports(outcome: &mut Outcome, builds: &[&Installed], python_dir: &Path) {
    use pyproof_proc::process::{RunOptions, run_measured};
    use pyproof_python::pythons::{embedded_executable, venv_for};
    use pyproof_python::venv::{VenvState, state};
    let embedded = embedded_executable();
    for b in builds.iter().filter(|b| b.found.version >= TODAY) {
        let name = b.found.build_name();
        let spec = venv_for(&b.found, embedded.as_deref());
        match state(&spec) {
            VenvState::Ready => {}
            VenvState::Partial(missing) if !missing.iter().any(|m| m == "numpy") => {}
            _ => {
                outcome.notes.push(format!(
                    "Python {name}: NumPy in a subinterpreter not tried — its venv ({}) has no \
                     NumPy (`pyproof pythons --venv {}` fills it).",
                    spec.dir.display(),
                    b.found.tag()
                ));
                continue;
            }
        }
        let mut cmd = worker_on(&spec.python(), python_dir, "cpu_parallelism");
        cmd.args(["--probe-import", "numpy", "--timeout", "60"]);
        let observed = run_measured(
            cmd,
            &RunOptions::new("a subinterpreter importing numpy", Duration::from_secs(90)),
        )
        .map_err(|e| e.to_string())
        .and_then(|out| {
            if !out.success() {
                return Err(out.status_text());
            }
            serde_json::from_str::<ImportProbe>(out.stdout.lines().last().unwrap_or(""))
                .map_err(|e| format!("unreadable answer: {e}"))
        });
        outcome.notes.push(match observed {
            Ok(p) if p.ok => format!(
                "Python {name}: `import {}` inside a subinterpreter (InterpreterPoolExecutor) \
                 works.",
                p.module
            ),
            Ok(p) => format!(
                "Python {name}: `import {}` inside a subinterpreter (InterpreterPoolExecutor) \
                 fails — {}. Subinterpreters run pure-Python work; an extension module must \
                 declare that it supports them.",
                p.module, p.error
            ),
            Err(e) => format!("Python {name}: NumPy in a subinterpreter could not be tried: {e}"),
        });
    }
}

/// The worker's answer to `--probe-import`.
#[derive(serde::Deserialize)]
struct ImportProbe {
    module: String,
    ok: bool,
    error: String,
}
