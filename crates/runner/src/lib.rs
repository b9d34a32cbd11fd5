//! pyproof-runner: runs a selection of experiments, for the CLI and for every example.
//!
//! Data flow: a binary parses its arguments with [`args`] (the CLI over all twelve answers'
//! options, an example over its own), then [`run_selection`] checks everything that can be
//! refused, starts the embedded interpreter, runs each experiment through
//! `pyproof_harness::run_experiment` (an experiment whose Python modules are missing is
//! Skipped, a failing one is recorded and the rest still run), prints each outcome as it
//! arrives, and saves the results atomically. [`example_main`] is the whole body of every
//! `examples/<id>.rs`; [`worker_main`] lets any binary re-execute itself as one of the
//! workers its experiments declare.
//!
//! This crate depends on no experiment: the CLI passes the registry, an example its one
//! answer, so an example compiles only its own answer's dependencies.

pub mod args;
#[cfg(feature = "bench")]
pub mod bench;
pub mod cold_start;
pub mod estimate;
pub mod pythons;
mod session;

pub use args::{RunArgs, parse_example_args, report_clap_error, run_args, with_run_args};
pub use session::{run, run_selection, save_results};

use pyproof_harness::Experiment;
use pyproof_report::TerminalProgress;
use std::path::PathBuf;
use std::process::ExitCode;

/// Where runs leave their results and charts: `target/pyproof`.
pub fn output_dir() -> PathBuf {
    pyproof_proc::paths::work_dir()
}

/// When this process was started as a worker of one of `experiments`
/// (`PYPROOF_WORKER=<role>`), does that work and returns its exit code; None for a normal
/// start. Every binary and bench calls it first.
pub fn worker_main(experiments: &[&'static dyn Experiment]) -> Option<ExitCode> {
    pyproof_proc::worker_main(experiments.iter().flat_map(|e| e.workers().iter().copied()))
}

/// The body of `examples/<id>.rs`: runs `experiment` with the run arguments (`--scale`,
/// `--json`, `--repeat` and its own options), prints it, writes its charts and results
/// (`target/pyproof/<id>.json`); exits 1 if it failed and 2 on bad arguments.
pub fn example_main(experiment: &'static dyn Experiment) -> ExitCode {
    pyproof_proc::quiet_broken_pipe();
    if let Some(code) = worker_main(&[experiment]) {
        return code;
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    let run_args = match parse_example_args(experiment, &args) {
        Ok(a) => a,
        Err(e) => return report_clap_error(&e),
    };
    let path = output_dir().join(format!("{}.json", experiment.id()));
    match run_selection(&[experiment], run_args, &path) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Terminal progress for an experiment id.
pub fn terminal_progress(id: &str) -> Box<dyn pyproof_harness::Progress> {
    Box::new(TerminalProgress::new(id))
}
