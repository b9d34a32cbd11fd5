//! pyproof: every answer of a Python interview sheet, on trial.
//!
//! This crate wires the sections together: [`registry`] lists every experiment (the CLI, the
//! examples and the report all read it), [`run`] runs a selection and stamps the results
//! with the environment, and [`example_main`] is the whole body of every `examples/<id>.rs`.

pub mod check;

use anyhow::{Context, Result};
use pyproof_core::{
    Environment, Experiment, Host, Outcome, Overrides, Progress, RunContext, RunFailure,
    RunResults, Scale, run_experiment, validate_ids,
};
use pyproof_python::{Interpreter, paths};
use pyproof_report::TerminalProgress;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Every experiment, in the sheet's order.
pub fn registry() -> Vec<Box<dyn Experiment>> {
    let mut all = pyproof_mechanics::experiments();
    all.extend(pyproof_features::experiments());
    all.extend(pyproof_scenarios::experiments());
    all.extend(pyproof_cheatsheet::experiments());
    all
}

/// The ids of every experiment, in the sheet's order.
pub fn ids() -> Vec<&'static str> {
    registry().iter().map(|e| e.id()).collect()
}

/// The experiments named by `requested` (all of them when empty), in the sheet's order;
/// an unknown id is an error listing the valid ones.
pub fn select(requested: &[String]) -> Result<Vec<Box<dyn Experiment>>, String> {
    let all = registry();
    let known: Vec<&str> = all.iter().map(|e| e.id()).collect();
    validate_ids(requested, &known)?;
    Ok(all
        .into_iter()
        .filter(|e| requested.is_empty() || requested.iter().any(|r| r == e.id()))
        .collect())
}

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
        date_utc: pyproof_core::time::utc_now(),
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

/// Where runs leave their results and charts: `target/pyproof`.
pub fn output_dir() -> PathBuf {
    paths::work_dir()
}

/// Runs `experiments` at `scale` (with the sizes in `overrides`), one after another. An
/// experiment that fails is recorded with its error and the others still run. `on_outcome`
/// sees each result as it arrives.
pub fn run(
    experiments: &[Box<dyn Experiment>],
    scale: Scale,
    overrides: Overrides,
    progress_for: &dyn Fn(&str) -> Box<dyn Progress>,
    on_outcome: &mut dyn FnMut(Result<&Outcome, &RunFailure>),
) -> RunResults {
    let environment = environment(scale);
    let mut outcomes = Vec::new();
    let mut failures = Vec::new();
    for exp in experiments {
        let progress = progress_for(exp.id());
        let mut ctx = RunContext::new(scale, output_dir().join("cache"), progress.as_ref());
        ctx.overrides = overrides;
        if let Some(reason) = missing_python_modules(exp.as_ref()) {
            let outcome = pyproof_core::skipped_outcome(exp.as_ref(), &ctx, &reason);
            on_outcome(Ok(&outcome));
            outcomes.push(outcome);
            continue;
        }
        match run_experiment(exp.as_ref(), &ctx) {
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
    if !pyproof_python::process::interrupted() {
        return Ok(());
    }
    std::thread::sleep(std::time::Duration::from_secs(10));
    anyhow::bail!("interrupted; nothing written")
}

/// Saves `results` as pretty JSON at `path`, atomically — never for an interrupted run.
pub fn save_results(results: &RunResults, path: &Path) -> Result<()> {
    refuse_if_interrupted()?;
    let json = serde_json::to_vec_pretty(results).context("serialising the results")?;
    pyproof_report::write_atomic(path, &json).with_context(|| format!("writing {}", path.display()))
}

/// Terminal progress for an experiment id.
pub fn terminal_progress(id: &str) -> Box<dyn Progress> {
    Box::new(TerminalProgress::new(id))
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

/// Parses an example's arguments: `--scale quick|default|full`, `--csv-size SIZE`,
/// `--images N` and `--image-size WxH`, each at most once, in any order.
pub fn parse_example_args(args: &[String]) -> Result<(Scale, Overrides), String> {
    let mut scale = None;
    let mut overrides = Overrides::default();
    let mut rest = args.iter();
    while let Some(flag) = rest.next() {
        let value = rest.next();
        match (flag.as_str(), value) {
            ("--scale", Some(v)) if scale.is_none() => scale = Some(v.parse::<Scale>()?),
            ("--csv-size", Some(v)) if overrides.csv_bytes.is_none() => {
                overrides.csv_bytes = Some(pyproof_core::parse_bytes(v)?);
            }
            ("--images", Some(v)) if overrides.images.is_none() => {
                overrides.images = Some(pyproof_core::parse_count(v)?);
            }
            ("--image-size", Some(v)) if overrides.image_size.is_none() => {
                overrides.image_size = Some(pyproof_core::parse_image_size(v)?);
            }
            _ => {
                return Err(
                    "usage: cargo run --release --example <id> [-- --scale quick|default|full] \
                     [--csv-size SIZE] [--images N] [--image-size WxH]"
                        .to_string(),
                );
            }
        }
    }
    Ok((scale.unwrap_or_default(), overrides))
}

/// When this process was started as a measured worker (`PYPROOF_WORKER=<role>`: a polars
/// variant, a rayon run, the delay server, the tokio client...), does that work and returns
/// its exit code; None for a normal start. Every binary and bench calls it first, so any of
/// them can re-execute itself as a worker.
pub fn worker_main() -> Option<ExitCode> {
    let role = std::env::var(pyproof_scenarios::WORKER_ENV).ok()?;
    pyproof_scenarios::worker_main()
        .or_else(pyproof_cheatsheet::worker_main)
        .or_else(|| {
            let known: Vec<&str> = pyproof_scenarios::WORKER_ROLES
                .iter()
                .chain(pyproof_cheatsheet::WORKER_ROLES.iter())
                .copied()
                .collect();
            eprintln!(
                "error: unknown {} role '{role}' (expected: {})",
                pyproof_scenarios::WORKER_ENV,
                known.join(", ")
            );
            Some(ExitCode::from(3))
        })
}

/// The body of `examples/<id>.rs`: runs that one experiment (`--scale quick|default|full`,
/// default `default`; `--csv-size SIZE`, `--images N`, `--image-size WxH`), prints it, writes its charts, exits 1 if it failed
/// and 2 on bad arguments.
pub fn example_main(id: &str) -> ExitCode {
    // Re-executed as a measured worker (a polars variant, a rayon run, in a fresh process)?
    if let Some(code) = worker_main() {
        return code;
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (scale, overrides) = match parse_example_args(&args) {
        Ok(parsed) => parsed,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    if let Err(e) = pyproof_python::install_interrupt_handler() {
        eprintln!("warning: {e}");
    }
    let experiments = match select(&[id.to_string()]) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let results = run(
        &experiments,
        scale,
        overrides,
        &terminal_progress,
        &mut print_outcome,
    );
    let path = output_dir().join(format!("{id}.json"));
    if let Err(e) = save_results(&results, &path) {
        eprintln!("error: {e:#}");
        return ExitCode::FAILURE;
    }
    println!("results: {}", path.display());
    if results.failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
