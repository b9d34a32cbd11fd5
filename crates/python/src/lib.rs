//! pyproof-python: real CPython for the experiments.
//!
//! - [`venv`]: the `.venv` at the repository root, made from the interpreter pyo3 was built
//!   against and filled from `python/requirements.txt`, created on first use with visible
//!   progress and refilled when the file changes.
//! - [`Interpreter`]: CPython embedded and started by us through `PyConfig` from that venv,
//!   with `python/` on `sys.path` and the native module `pyproof_native` ([`native`])
//!   registered before start-up.
//! - [`process`]: a real interpreter (or any program) as a subprocess in its own process
//!   group, with a timeout, wall and CPU time, and peak RSS / peak anonymous memory.
//! - [`service`]: a server process on 127.0.0.1 that the experiment starts, measures and
//!   stops (killed with its process group on drop, on error and on Ctrl-C).
//!
//! - [`pending`]: files written under a temporary name and renamed when complete, removed
//!   on error and on Ctrl-C.
//!
//! Everything returns [`PythonError`], which renders as one actionable line.

mod error;
mod interp;
pub mod native;
pub mod paths;
pub mod pending;
pub mod process;
pub mod service;
pub mod venv;

pub use error::PythonError;
pub use interp::{Interpreter, py_error};
pub use process::{ProcessReport, RunOptions, install_interrupt_handler, run_measured};
pub use service::Service;

use std::process::Command;

/// A command that runs the venv's real interpreter with `python/` importable: for work that
/// must happen in another process (memory-isolated measurements, other interpreters).
pub fn python_command(interp: &Interpreter) -> Command {
    let mut cmd = Command::new(&interp.executable);
    cmd.env("PYTHONPATH", &interp.python_dir)
        .env("PYTHONUNBUFFERED", "1");
    cmd
}

/// The whole run of a fact-based experiment: its declared claims, judged over the facts that
/// `<module>.facts()` observes on the embedded interpreter, laid out in one table.
pub fn fact_outcome(
    experiment: &dyn pyproof_core::Experiment,
    ctx: &pyproof_core::RunContext<'_>,
    module: &str,
    title: &str,
) -> Result<pyproof_core::Outcome, PythonError> {
    let interp = Interpreter::get()?;
    let claims = experiment.claims(ctx);
    let ids: Vec<&str> = claims.iter().map(|c| c.id.as_str()).collect();
    ctx.progress.update(&format!("asking {module}"), 0, 1);
    let facts = interp.facts(module, &ids)?;
    let mut outcome = pyproof_core::Outcome::of(experiment.meta(), ctx.scale);
    pyproof_core::record_facts(&mut outcome, title, &claims, &facts);
    Ok(outcome)
}
