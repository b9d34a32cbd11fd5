//! pyproof-python: real CPython for the experiments.
//!
//! - [`venv`]: the `.venv` at the repository root, made from the interpreter pyo3 was built
//!   against and filled from `python/requirements.txt`, created on first use with visible
//!   progress and refilled when the file changes.
//! - [`Interpreter`]: CPython embedded and started by us through `PyConfig` from that venv,
//!   with `python/` on `sys.path` and the native module `pyproof_native` ([`native`])
//!   registered before start-up; the experiments add their Rust classes and kernels to it.
//! - [`python_command`]: the venv's real interpreter as a subprocess (run and measured with
//!   `pyproof-proc`); [`python_worker`]: an experiment's module through `python -m pyproof <id>`.
//! - [`pythons`]: every other CPython on the machine (pyenv, `PATH`, pyproof's own builds),
//!   probed for version and build (GIL or free-threaded), selected by `--python SPEC`, each
//!   with its own venv; [`cpython_build`] builds 3.13t and friends from Debian's source
//!   packages into pyproof's cache.
//! - [`fact_outcome`]: the whole run of an experiment whose claims are facts observed in
//!   Python.
//!
//! Everything returns [`PythonError`], which renders as one actionable line.

pub mod cpython_build;
mod error;
mod interp;
pub mod native;
pub mod pythons;
pub mod requirements;
pub mod venv;

pub use error::PythonError;
pub use interp::{Interpreter, py_error};
pub use native::{NativePart, add_part};
// Kept beside the interpreter for the experiments' convenience: one import path for "run a
// Python subprocess and measure it".
pub use pyproof_proc::{ProcessReport, RunOptions, Service, paths, run_measured};

use std::path::PathBuf;
use std::process::Command;

/// The interpreter pyo3 was built against (`PYO3_PYTHON` at build time, else the `python3`
/// pyo3 found): the venv must be made from it, or the embedded libpython and the venv's
/// stdlib and packages disagree. `PYPROOF_BASE_PYTHON` overrides it. Recorded by this
/// crate's build script — the only crate that links pyo3 sees which interpreter it chose.
pub fn base_python() -> PathBuf {
    if let Some(p) = std::env::var_os("PYPROOF_BASE_PYTHON") {
        return PathBuf::from(p);
    }
    PathBuf::from(option_env!("PYPROOF_BUILD_PYTHON").unwrap_or("python3"))
}

/// A command that runs the venv's real interpreter with `python/` importable: for work that
/// must happen in another process (memory-isolated measurements, other interpreters).
pub fn python_command(interp: &Interpreter) -> Command {
    let mut cmd = Command::new(&interp.executable);
    cmd.env("PYTHONPATH", &interp.python_dir)
        .env("PYTHONUNBUFFERED", "1");
    cmd
}

/// A command that runs experiment `id`'s Python module in a fresh process of the venv's
/// interpreter, through the one worker entry point (`python -m pyproof <id> ...`); the
/// caller adds the module's own arguments.
pub fn python_worker(interp: &Interpreter, id: &str) -> Command {
    worker_on(&interp.executable, &interp.python_dir, id)
}

/// Experiment `id`'s Python module run by another interpreter (`executable`, e.g. a
/// free-threaded build `pythons` found) with `python_dir` importable: for workers that need
/// only the standard library, so no venv of that interpreter is needed.
pub fn worker_on(executable: &std::path::Path, python_dir: &std::path::Path, id: &str) -> Command {
    let mut cmd = Command::new(executable);
    cmd.env("PYTHONPATH", python_dir)
        .env("PYTHONUNBUFFERED", "1")
        .args(["-m", "pyproof", id]);
    cmd
}

/// The whole run of a fact-based experiment: its declared claims, judged by `judge` over the
/// facts that `<module>.facts()` observes on the embedded interpreter, laid out in one table.
pub fn fact_outcome(
    experiment: &dyn pyproof_harness::Experiment,
    ctx: &pyproof_harness::RunContext<'_>,
    module: &str,
    title: &str,
    judge: fn(&[pyproof_harness::Fact]) -> Vec<pyproof_harness::Judgement>,
) -> Result<pyproof_harness::Outcome, PythonError> {
    let interp = Interpreter::get()?;
    let claims = experiment.claims(ctx);
    let ids: Vec<&str> = claims.iter().map(|c| c.id.as_str()).collect();
    ctx.progress.update(&format!("asking {module}"), 0, 1);
    let facts = interp.facts(module, &ids)?;
    let mut outcome = pyproof_harness::Outcome::of(experiment.meta(), ctx.scale);
    pyproof_harness::record_facts(&mut outcome, title, &claims, &facts);
    outcome.judgements = judge(&facts);
    Ok(outcome)
}
