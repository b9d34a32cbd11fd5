//! Where things are: the repository, python/, the .venv, the base interpreter.
//!
//! Each has an environment override so the binaries also work outside a checkout:
//! `PYPROOF_ROOT` (the repository), `PYPROOF_VENV` (another virtual environment),
//! `PYPROOF_OUTPUT_DIR` (where results and charts go). The interpreter the venv is made from
//! is `pyproof_python::base_python()`: only the crate that links pyo3 knows which it is.

use std::path::PathBuf;

/// The repository root: `PYPROOF_ROOT`, else the checkout this crate was built from.
pub fn project_root() -> PathBuf {
    if let Some(root) = std::env::var_os("PYPROOF_ROOT") {
        return PathBuf::from(root);
    }
    // crates/proc -> the workspace root, fixed at build time: cargo run/test/bench always
    // run from the checkout that built them.
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    here.parent()
        .and_then(|p| p.parent())
        .map(PathBuf::from)
        .unwrap_or(here)
}

/// `python/` in the repository: the `pyproof` Python package and its tests.
pub fn python_dir() -> PathBuf {
    project_root().join("python")
}

/// The pinned requirements of every Python package the suite uses.
pub fn requirements_file() -> PathBuf {
    python_dir().join("requirements.txt")
}

/// The virtual environment: `PYPROOF_VENV`, else the one this build was told to use
/// (`PYPROOF_EMBED_VENV` at build time, relative to the repository root: a build embedding
/// another CPython, see `pyproof pythons --embed`, must never take over `.venv`, even when a
/// test clears `PYPROOF_VENV` to get the project's own), else `.venv` at the repository
/// root.
pub fn venv_dir() -> PathBuf {
    match std::env::var_os("PYPROOF_VENV") {
        Some(dir) => PathBuf::from(dir),
        None => project_root().join(venv_name()),
    }
}

/// This build's own venv under the repository root when `PYPROOF_VENV` is unset: `.venv`,
/// or `PYPROOF_EMBED_VENV` as it was at build time (see [`venv_dir`]).
pub fn venv_name() -> &'static str {
    option_env!("PYPROOF_EMBED_VENV").unwrap_or(".venv")
}

/// The interpreter of a venv.
pub fn venv_python(venv: &std::path::Path) -> PathBuf {
    venv.join("bin").join("python")
}

/// Where results, charts and generated inputs go: `PYPROOF_OUTPUT_DIR`, else
/// `target/pyproof` under the repository.
pub fn work_dir() -> PathBuf {
    match std::env::var_os("PYPROOF_OUTPUT_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => project_root().join("target").join("pyproof"),
    }
}
