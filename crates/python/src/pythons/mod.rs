//! Every CPython pyproof can run: found, probed, selected by `--python SPEC`, each with its
//! own venv.
//!
//! - [`discover`]: candidates from `--python`/`PYPROOF_PYTHONS`, pyproof's own builds
//!   (`pyproof pythons --build`, see [`crate::cpython_build`]), pyenv's versions and `PATH`.
//! - [`probe`]: one subprocess per candidate asks the interpreter its version, whether it is
//!   a free-threaded build (`Py_GIL_DISABLED`) and whether the GIL is on; the same executable
//!   found twice counts once.
//! - [`spec`]: `3.15t`, `3.14`, a path or `all`.
//! - [`venv_for`]: the interpreter pyo3 embeds keeps the project's `.venv`; every other one
//!   gets `.venvs/<version>` (`.venvs/3.13.5t`: pyenv's 3.13.0 and a built 3.13.5 do not
//!   share one), filled from the same pinned requirements, wheels
//!   only, with each package that has no wheel for that build named rather than fatal.

pub mod discover;
pub mod matrix;
pub mod probe;
pub mod spec;

pub use discover::{Candidate, PYTHONS_ENV, Source, cache_dir, discover, explicit_from_env};
pub use matrix::{PythonOption, TODAY, builds_to_run, for_run, twin_notes};
pub use probe::{Found, Installed, OLDEST, Probe, Version, probe, usable};
pub use spec::{PythonSpec, select};

use crate::venv::{self, VenvSpec, VenvState};
use pyproof_proc::paths;
use std::path::PathBuf;

/// Finds and probes every interpreter (`explicit` ones, then those in `PYPROOF_PYTHONS`,
/// pyproof's builds, pyenv and `PATH`): the usable ones, and a line per refused candidate.
pub fn find_all(explicit: &[PathBuf]) -> (Vec<Installed>, Vec<String>) {
    let mut named = explicit.to_vec();
    named.extend(explicit_from_env());
    usable(discover(&named, None, None, None))
}

/// The executable of the interpreter pyo3 was built against (the embedded one), resolved.
pub fn embedded_executable() -> Option<PathBuf> {
    match probe(&crate::base_python()) {
        Probe::Usable(f) => Some(f.executable),
        Probe::Refused(_) => None,
    }
}

/// The venv of `found`: the project's `.venv` for the embedded interpreter (`embedded`, from
/// [`embedded_executable`]), `.venvs/<version>` at the repository root for any other
/// (`3.13.5t`).
pub fn venv_for(found: &Found, embedded: Option<&std::path::Path>) -> VenvSpec {
    if embedded == Some(found.executable.as_path()) {
        return VenvSpec::project();
    }
    VenvSpec {
        dir: paths::project_root().join(".venvs").join(format!(
            "{}{}",
            found.version_text(),
            if found.free_threaded { "t" } else { "" }
        )),
        requirements: paths::requirements_file(),
        base_python: found.executable.clone(),
    }
}

/// The venv column of `pyproof pythons`: "ready", "stale", "none", "ready but for numpy,
/// pandas", or why none can be made.
pub fn venv_text(found: &Found, spec: &VenvSpec) -> String {
    if (found.version.0, found.version.1) < venv::MIN_PYTHON {
        return format!(
            "none (the requirements need {}.{}+)",
            venv::MIN_PYTHON.0,
            venv::MIN_PYTHON.1
        );
    }
    let instead = || {
        venv::substitutions(spec)
            .iter()
            .map(|(line, v)| {
                let name = venv::requirement_name(line);
                let pin = line
                    .split(';')
                    .next()
                    .and_then(|l| l.split_once("=="))
                    .map_or("", |(_, p)| p.trim());
                format!("; {name} {v} for the pin {pin} (no wheel)")
            })
            .collect::<String>()
    };
    match venv::state(spec) {
        VenvState::Missing => "none".to_string(),
        VenvState::Stale => "stale (refilled on next use)".to_string(),
        VenvState::Ready => format!("ready{}", instead()),
        VenvState::Partial(missing) => {
            let names: Vec<&str> = missing.iter().map(|r| venv::requirement_name(r)).collect();
            format!("ready but for {}{}", names.join(", "), instead())
        }
    }
}

#[cfg(test)]
pub(crate) mod testing {
    use std::path::{Path, PathBuf};

    /// A stand-in executable at `dir/name` running `script` in sh.
    pub fn fake(dir: &Path, name: &str, script: &str) -> PathBuf {
        use std::os::unix::fs::PermissionsExt;
        let p = dir.join(name);
        std::fs::write(&p, format!("#!/bin/sh\n{script}\n")).expect("write");
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        p
    }
}
