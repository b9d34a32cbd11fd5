//! One run of a selection: everything refusable refused first, then the experiments one
//! after another, each outcome printed as it arrives, and the results saved atomically.

use crate::args::RunArgs;
use crate::{output_dir, terminal_progress};
use anyhow::{Context, Result};
use pyproof_harness::{
    Environment, Experiment, Host, Options, Outcome, Progress, RunContext, RunFailure, RunOption,
    RunResults, Scale, run_experiment,
};
use pyproof_python::{Interpreter, paths};
use pyproof_report::TerminalProgress;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The environment stamp of a run at `scale`. The interpreter's facts are included when it
/// starts; when it does not, the stamp says so and the experiments report the error.
pub fn environment(scale: Scale) -> Environment {
    let (python, packages) = match Interpreter::get() {
        Ok(interp) => (
            interp.info().ok(),
            interp.package_versions().unwrap_or_default(),
        ),
        Err(_) => (None, Default::default()),
    };
    Environment {
        date_utc: pyproof_harness::time::utc_now(),
        host: Host::detect(),
        python,
        packages,
        scale,
        build_profile: if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        }
        .to_string(),
        pyproof_version: env!("CARGO_PKG_VERSION").to_string(),
    }
}

/// Runs `experiments` at `scale` with `options`, one after another. An experiment that
/// fails is recorded with its error and the others still run. `on_outcome` sees each result
/// as it arrives.
pub fn run(
    experiments: &[&'static dyn Experiment],
    scale: Scale,
    options: &Options,
    progress_for: &dyn Fn(&str) -> Box<dyn Progress>,
    on_outcome: &mut dyn FnMut(Result<&Outcome, &RunFailure>),
) -> RunResults {
    let started = std::time::Instant::now();
    let environment = environment(scale);
    let mut outcomes = Vec::new();
    let mut failures = Vec::new();
    for exp in experiments {
        let progress = progress_for(exp.id());
        let mut ctx = RunContext::new(scale, output_dir().join("cache"), progress.as_ref());
        ctx.options = options.clone();
        if let Some(reason) = missing_python_modules(*exp) {
            let outcome = pyproof_harness::skipped_outcome(*exp, &ctx, &reason);
            on_outcome(Ok(&outcome));
            outcomes.push(outcome);
            continue;
        }
        match run_experiment(*exp, &ctx) {
            Ok(outcome) => {
                on_outcome(Ok(&outcome));
                outcomes.push(outcome);
            }
            Err(e) => {
                let failure = RunFailure {
                    id: exp.id().to_string(),
                    error: e.to_string(),
                };
                on_outcome(Err(&failure));
                failures.push(failure);
            }
        }
    }
    RunResults {
        schema: RunResults::SCHEMA,
        environment,
        outcomes,
        failures,
        repeats: Vec::new(),
        wall_s: Some(started.elapsed().as_secs_f64()),
        run_walls_s: Vec::new(),
    }
}

/// Why `exp` cannot run when a Python module it imports is missing from the venv; None when
/// all are there, or when the interpreter does not start (the experiment then reports that).
fn missing_python_modules(exp: &dyn Experiment) -> Option<String> {
    let wanted = exp.python_modules();
    if wanted.is_empty() {
        return None;
    }
    let missing = Interpreter::get().ok()?.missing_modules(wanted).ok()?;
    if missing.is_empty() {
        return None;
    }
    Some(format!(
        "Python module{} {} not installed in the venv {} — reinstall with `{}/bin/pip install \
         -r python/requirements.txt`, or delete the venv and run again to rebuild it",
        if missing.len() > 1 { "s" } else { "" },
        missing
            .iter()
            .map(|m| format!("'{m}'"))
            .collect::<Vec<_>>()
            .join(", "),
        paths::venv_dir().display(),
        paths::venv_dir().display(),
    ))
}

/// When Ctrl-C or SIGTERM has arrived, waits for the interrupt handler to end the process
/// (it kills the children first, which lets this thread run on for a moment) and returns an
/// error should it not: results of an interrupted run are never written.
fn refuse_if_interrupted() -> Result<()> {
    if !pyproof_proc::interrupted() {
        return Ok(());
    }
    std::thread::sleep(std::time::Duration::from_secs(10));
    anyhow::bail!("interrupted; nothing written")
}

/// Saves `results` as pretty JSON at `path`, atomically — never for an interrupted run.
pub fn save_results(results: &RunResults, path: &Path) -> Result<()> {
    refuse_if_interrupted()?;
    let json = serde_json::to_vec_pretty(results).context("serialising the results")?;
    pyproof_proc::write_atomic(path, &json).with_context(|| format!("writing {}", path.display()))
}

/// Prints an outcome (or a failure) as it arrives, with the charts it wrote.
pub fn print_outcome(result: Result<&Outcome, &RunFailure>) {
    // The progress line lives on stderr; clear it before the result goes to stdout.
    TerminalProgress::new("").finish();
    match result {
        Ok(outcome) => {
            println!("{}", pyproof_report::terminal::outcome(outcome));
            if refuse_if_interrupted().is_err() {
                return;
            }
            match pyproof_report::write_artifacts(outcome, &output_dir()) {
                Ok(paths) => {
                    for p in paths {
                        println!("chart: {}", p.display());
                    }
                }
                Err(e) => eprintln!("warning: charts of {} not written: {e}", outcome.id),
            }
            println!();
        }
        Err(failure) => eprintln!("error: {} failed: {}", failure.id, failure.error),
    }
}

/// Whether some experiment of the selection measures per interpreter (declares `--python`).
fn measures_per_interpreter(experiments: &[&'static dyn Experiment]) -> bool {
    let name = pyproof_python::pythons::matrix::PythonOption.name();
    experiments
        .iter()
        .any(|e| e.options().iter().any(|o| o.name() == name))
}

/// How many interpreters the per-interpreter parts will measure, found once for the whole
/// selection (finding them probes every candidate): None when no selected experiment has
/// such a part; Err with the one line to print when a given `--python` matches nothing.
fn interpreters_selected(
    experiments: &[&'static dyn Experiment],
    args: &RunArgs,
) -> std::result::Result<Option<usize>, String> {
    if !measures_per_interpreter(experiments) {
        return Ok(None);
    }
    let given = !args
        .options
        .all::<pyproof_python::pythons::PythonSpec>(&pyproof_python::pythons::matrix::PythonOption)
        .is_empty();
    match pyproof_python::pythons::matrix::for_run(&args.options) {
        Ok((found, _)) => Ok(Some(found.len())),
        Err(line) if given => Err(line),
        Err(_) => Ok(None),
    }
}

/// The line saying how long this run should take, from earlier results at the same scale:
/// this machine's last (`default_path`) or a committed report — whichever ran over the
/// number of interpreters nearest the `selected` ones (`estimate::preference`): the
/// fresh-machine repeat's (`docs/report/fresh-machine/`) for a default run, the committed
/// report's (every interpreter) for `--python all`, this machine's own at equal distance.
/// The per-interpreter steps scale with the `selected` interpreters. None when no earlier
/// run knows these experiments (the run simply starts).
fn expected_time(
    experiments: &[&'static dyn Experiment],
    args: &RunArgs,
    selected: Option<usize>,
    default_path: &Path,
) -> Option<String> {
    let root = pyproof_proc::paths::project_root();
    let committed = root.join("docs/report/results.json");
    let fresh = root.join("docs/report/fresh-machine/results.json");
    let ids: Vec<&str> = experiments.iter().map(|e| e.id()).collect();
    // The results that know most of the selection, then the nearest in interpreters, then
    // this machine's own (`estimate::preference`); a fresh clone has only the committed.
    let estimates: Vec<(crate::estimate::Estimate, bool, String, String)> = [
        (default_path, true),
        (fresh.as_path(), false),
        (committed.as_path(), false),
    ]
    .iter()
    .filter_map(|(path, local)| {
        let text = std::fs::read(path).ok()?;
        let earlier: RunResults = serde_json::from_slice(&text).ok()?;
        let e =
            crate::estimate::estimate(&earlier, &ids, args.scale, selected, args.repeat as usize)?;
        let shown = path.strip_prefix(&root).unwrap_or(path);
        Some((
            e,
            *local,
            shown.display().to_string(),
            earlier.environment.date_utc,
        ))
    })
    .collect();
    let (e, _, source, date) = estimates
        .iter()
        .min_by_key(|(e, local, _, _)| crate::estimate::preference(e, *local))?;
    Some(crate::estimate::describe(e, source, date))
}

/// Creates and removes a file in `dir`: Ok when results can be written there.
fn probe_writable(dir: &Path) -> std::result::Result<(), String> {
    let probe = dir.join(format!(".pyproof-write-probe-{}", std::process::id()));
    std::fs::File::create(&probe).map_err(|e| format!("cannot write in {}: {e}", dir.display()))?;
    let _ = std::fs::remove_file(&probe);
    Ok(())
}

/// Refuses, before anything runs, a `--json` target or an output directory that cannot be
/// written: the one line to print, or None.
fn refused_outputs(json: Option<&PathBuf>) -> Option<String> {
    if let Some(path) = json {
        let parent = path.parent().filter(|p| !p.as_os_str().is_empty());
        if let Some(dir) = parent.filter(|d| !d.is_dir()) {
            return Some(format!(
                "--json: directory {} does not exist",
                dir.display()
            ));
        }
        if path.is_dir() {
            return Some(format!("--json: {} is a directory", path.display()));
        }
        if let Err(e) = probe_writable(parent.unwrap_or(Path::new("."))) {
            return Some(format!("--json: {e}"));
        }
    }
    // The results land here at the end: a directory that cannot be written is refused now,
    // not after the whole run.
    let out_dir = output_dir();
    std::fs::create_dir_all(&out_dir)
        .map_err(|e| format!("cannot create {}: {e}", out_dir.display()))
        .and_then(|()| probe_writable(&out_dir))
        .err()
        .map(|e| format!("output directory: {e}"))
}

/// Runs `experiments` as `args` asks (`--repeat` times, reporting verdicts that changed),
/// prints every outcome and the verdict table, and saves the results at `default_path` (and
/// at `--json`). Exit code 2 for anything refused before the run, 1 when an experiment
/// failed.
pub fn run_selection(
    experiments: &[&'static dyn Experiment],
    args: RunArgs,
    default_path: &Path,
) -> Result<ExitCode> {
    if let Some(line) = refused_outputs(args.json.as_ref()) {
        eprintln!("error: {line}");
        return Ok(ExitCode::from(2));
    }
    pyproof_proc::install_interrupt_handler().context("installing the Ctrl-C handler")?;
    // Every experiment runs Python: a venv that cannot be made or filled (no network for
    // pip, no base interpreter) stops the run here, in one line, before anything is written.
    Interpreter::get()?;
    // A --python that matches nothing is refused before anything runs, not in the middle of
    // the trial by the first experiment that reads it.
    let selected = match interpreters_selected(experiments, &args) {
        Ok(n) => n,
        Err(line) => {
            eprintln!("error: --python: {line}");
            return Ok(ExitCode::from(2));
        }
    };
    if let Some(line) = expected_time(experiments, &args, selected, default_path) {
        println!("{line}");
    }

    let repeat = args.repeat;
    let mut runs = Vec::new();
    for i in 1..=repeat {
        if repeat > 1 {
            println!("━━ run {i} of {repeat} ━━");
        }
        runs.push(run(
            experiments,
            args.scale,
            &args.options,
            &terminal_progress,
            &mut print_outcome,
        ));
    }
    // The saved results are the last run's, with every run's failures and, when repeated,
    // every claim's verdict in each run.
    let (repeats, run_walls_s) = if repeat > 1 {
        (
            pyproof_harness::repeatability(&runs),
            runs.iter().filter_map(|r| r.wall_s).collect(),
        )
    } else {
        (Vec::new(), Vec::new())
    };
    let mut failures = Vec::new();
    for (i, r) in runs.iter().enumerate() {
        for f in &r.failures {
            let mut f = f.clone();
            if repeat > 1 {
                f.error = format!("run {} of {repeat}: {}", i + 1, f.error);
            }
            failures.push(f);
        }
    }
    let mut results = runs.pop().context("no run was made")?;
    results.failures = failures;
    results.repeats = repeats;
    results.run_walls_s = run_walls_s;
    println!("{}", pyproof_report::terminal::summary(&results));
    if repeat > 1 {
        println!(
            "{}",
            pyproof_report::terminal::repeatability(&results.repeats)
        );
        if let Some(line) = pyproof_report::document::run_walls(&results) {
            println!("{line}");
        }
    }
    save_results(&results, default_path)?;
    println!("results: {}", default_path.display());
    if let Some(path) = &args.json {
        save_results(&results, path)?;
        println!("results: {}", path.display());
    }
    Ok(if results.failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
