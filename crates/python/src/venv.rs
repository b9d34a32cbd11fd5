//! The virtual environment every Python part of pyproof runs in.
//!
//! [`ensure`] makes it exist and match `python/requirements.txt`: it is created from the
//! interpreter pyo3 was built against when missing, recreated when broken or made from
//! another interpreter, and refilled when the requirements file changed since it was last
//! filled (a stamp inside the venv holds the file's exact content). pip's output is streamed
//! so the first run shows its progress. A file lock beside the venv makes concurrent callers
//! (parallel tests, two terminals) wait for one another instead of racing pip.

use crate::error::PythonError;
use pyproof_proc::paths;
use pyproof_proc::process::{LineSink, RunOptions, Stream, run_measured};
use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The oldest CPython pyproof supports.
pub const MIN_PYTHON: (u32, u32) = (3, 9);

const STAMP: &str = "pyproof-requirements.stamp";

/// What to ensure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VenvSpec {
    /// The venv directory.
    pub dir: PathBuf,
    /// The requirements file that fills it.
    pub requirements: PathBuf,
    /// The interpreter to create it from.
    pub base_python: PathBuf,
}

impl VenvSpec {
    /// The project's own venv (see [`crate::paths`] for the overrides).
    pub fn project() -> Self {
        VenvSpec {
            dir: paths::venv_dir(),
            requirements: paths::requirements_file(),
            base_python: paths::base_python(),
        }
    }

    /// The venv's interpreter.
    pub fn python(&self) -> PathBuf {
        paths::venv_python(&self.dir)
    }
}

/// What [`ensure`] had to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VenvStatus {
    /// Already there and filled from the current requirements.
    UpToDate,
    /// Existed; the requirements were (re)installed because the file changed.
    Updated,
    /// Created (or recreated because broken) and filled.
    Created,
}

/// Facts about an interpreter, asked from the interpreter itself.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Probe {
    major: u32,
    minor: u32,
    /// sys.base_prefix: the installation a venv was made from (its own prefix otherwise).
    base_prefix: String,
}

fn probe(python: &Path) -> Result<Probe, String> {
    let out = Command::new(python)
        .args([
            "-I",
            "-c",
            "import sys; print(sys.version_info[0], sys.version_info[1], sys.base_prefix)",
        ])
        .output()
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        return Err(format!(
            "it exits with {}: {}",
            out.status,
            err.lines().last().unwrap_or("").trim()
        ));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let mut parts = text.trim().splitn(3, ' ');
    let mut num = || parts.next().and_then(|p| p.parse::<u32>().ok());
    let (Some(major), Some(minor)) = (num(), num()) else {
        return Err(format!("unexpected answer {:?}", text.trim()));
    };
    let base_prefix = parts.next().unwrap_or("").to_string();
    Ok(Probe {
        major,
        minor,
        base_prefix,
    })
}

/// Checks that `python` runs and is at least [`MIN_PYTHON`]; returns its probe.
fn check_base(python: &Path) -> Result<Probe, PythonError> {
    let p = probe(python).map_err(|reason| PythonError::NoPython {
        path: python.display().to_string(),
        reason,
    })?;
    if (p.major, p.minor) < MIN_PYTHON {
        return Err(PythonError::TooOld {
            path: python.display().to_string(),
            version: format!("{}.{}", p.major, p.minor),
        });
    }
    Ok(p)
}

/// The requirement lines of a requirements file (comments and blanks dropped).
pub fn requirement_lines(text: &str) -> Vec<&str> {
    text.lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty())
        .collect()
}

/// Whether pip's output shows it could not reach the package index at all (no network, no
/// DNS, a proxy refusing): then "no matching distribution" means "offline", not "no such
/// version", and the error says so.
pub fn network_failed(pip_output: &str) -> bool {
    const MARKERS: [&str; 6] = [
        "Failed to establish a new connection",
        "Temporary failure in name resolution",
        "Network is unreachable",
        "Connection refused",
        "NameResolutionError",
        "ProxyError",
    ];
    pip_output
        .lines()
        .any(|l| MARKERS.iter().any(|m| l.contains(m)))
}

/// What pip's output says it could not install: the requirement it named, else None.
pub fn failed_package(pip_output: &str) -> Option<String> {
    const MARKERS: [&str; 4] = [
        "No matching distribution found for ",
        "Could not find a version that satisfies the requirement ",
        "Failed building wheel for ",
        "Failed to build ",
    ];
    pip_output.lines().find_map(|line| {
        MARKERS.iter().find_map(|m| {
            let at = line.find(m)?;
            let rest = line[at + m.len()..].trim();
            rest.split_whitespace().next().map(str::to_string)
        })
    })
}

fn stamp_text(requirements: &str, base: &Probe) -> String {
    format!(
        "# base: {} {}.{}\n{}",
        base.base_prefix, base.major, base.minor, requirements
    )
}

/// Makes sure the venv exists, works, comes from `spec.base_python`, and is filled from the
/// current requirements file. Progress lines go to `log`.
pub fn ensure(spec: &VenvSpec, log: &LineSink) -> Result<VenvStatus, PythonError> {
    let say = |msg: &str| log(Stream::Stderr, msg);
    let requirements = fs::read_to_string(&spec.requirements)
        .map_err(|e| PythonError::io(format!("reading {}", spec.requirements.display()), e))?;
    // Checked before anything is created: a missing or too old interpreter leaves no trace.
    let base = check_base(&spec.base_python)?;
    if let Some(parent) = spec.dir.parent() {
        fs::create_dir_all(parent)
            .map_err(|e| PythonError::io(format!("creating {}", parent.display()), e))?;
    }
    let lock_path = spec.dir.with_extension("lock");
    let lock = File::create(&lock_path)
        .map_err(|e| PythonError::io(format!("creating {}", lock_path.display()), e))?;
    lock.lock()
        .map_err(|e| PythonError::io(format!("locking {}", lock_path.display()), e))?;

    let venv_err = |reason: String| PythonError::Venv {
        path: spec.dir.display().to_string(),
        reason,
    };

    // A venv is reusable only if its interpreter runs and was made from our base.
    let usable = match probe(&spec.python()) {
        Ok(p) => {
            p.base_prefix == base.base_prefix && (p.major, p.minor) == (base.major, base.minor)
        }
        Err(_) => false,
    };
    let mut status = VenvStatus::UpToDate;
    if !usable {
        if spec.dir.exists() {
            say(&format!(
                "pyproof: {} is broken or was made from another Python; recreating it",
                spec.dir.display()
            ));
            fs::remove_dir_all(&spec.dir)
                .map_err(|e| venv_err(format!("cannot remove the broken venv: {e}")))?;
        }
        say(&format!(
            "pyproof: creating {} from {} (Python {}.{})",
            spec.dir.display(),
            spec.base_python.display(),
            base.major,
            base.minor
        ));
        let mut cmd = Command::new(&spec.base_python);
        cmd.args(["-m", "venv"]).arg(&spec.dir);
        run_measured(
            cmd,
            &RunOptions::new("python -m venv", Duration::from_secs(300)),
        )?
        .check()
        .map_err(|e| venv_err(e.to_string()))?;
        status = VenvStatus::Created;
    }

    let stamp_path = spec.dir.join(STAMP);
    let wanted = stamp_text(&requirements, &base);
    if status == VenvStatus::UpToDate
        && fs::read_to_string(&stamp_path).ok() == Some(wanted.clone())
    {
        return Ok(VenvStatus::UpToDate);
    }
    if status == VenvStatus::UpToDate {
        status = VenvStatus::Updated;
    }

    let lines = requirement_lines(&requirements);
    if !lines.is_empty() {
        say(&format!(
            "pyproof: installing {} pinned packages from {} (first time only; pip's output follows)",
            lines.len(),
            spec.requirements.display()
        ));
        let mut cmd = Command::new(spec.python());
        cmd.args([
            "-m",
            "pip",
            "install",
            "--disable-pip-version-check",
            "--progress-bar",
            "off",
            "-r",
        ])
        .arg(&spec.requirements);
        let seen = Arc::new(Mutex::new(String::new()));
        let echo_log = log.clone();
        let echo_seen = seen.clone();
        let sink: LineSink = Arc::new(move |stream, line| {
            if let Ok(mut all) = echo_seen.lock() {
                all.push_str(line);
                all.push('\n');
            }
            echo_log(stream, &format!("  pip: {line}"));
        });
        let report = run_measured(
            cmd,
            &RunOptions::new("pip install", Duration::from_secs(1800)).with_lines(sink),
        )?;
        if !report.success() {
            let all = seen.lock().map(|s| s.clone()).unwrap_or_default();
            let mut detail = all
                .lines()
                .rev()
                .find(|l| l.starts_with("ERROR"))
                .unwrap_or(&report.status_text())
                .to_string();
            if network_failed(&all) {
                detail = format!(
                    "pip could not reach the package index (no network?): {detail} — connect, \
                     or point pip at a local mirror or wheel directory (PIP_INDEX_URL, \
                     PIP_FIND_LINKS) and run again"
                );
            }
            return Err(PythonError::Pip {
                package: failed_package(&all)
                    .map(|p| format!("'{p}'"))
                    .unwrap_or_else(|| "the requirements".to_string()),
                requirements: spec.requirements.display().to_string(),
                detail,
            });
        }
    }
    // Written only after a successful install, via a temp file: a failed or interrupted
    // install is retried next time instead of being taken for done.
    let tmp = spec.dir.join(format!("{STAMP}.tmp"));
    fs::write(&tmp, wanted)
        .and_then(|()| fs::rename(&tmp, &stamp_path))
        .map_err(|e| PythonError::io(format!("writing {}", stamp_path.display()), e))?;
    say(&format!("pyproof: {} is ready", spec.dir.display()));
    Ok(status)
}

/// A log sink that writes every line to stderr (visible during `cargo run` and `cargo test`).
pub fn stderr_log() -> LineSink {
    Arc::new(|_, line| eprintln!("{line}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requirement_lines_skip_comments_and_blanks() {
        let text = "# pinned\nnumpy==2.4.6  # arrays\n\n  pytest==9.2.0\n";
        assert_eq!(requirement_lines(text), ["numpy==2.4.6", "pytest==9.2.0"]);
    }

    #[test]
    fn failed_package_is_found_in_pip_output() {
        let out = "Collecting x\nERROR: Could not find a version that satisfies the requirement \
                   nosuchpkg==1.0 (from versions: none)\nERROR: No matching distribution found \
                   for nosuchpkg==1.0\n";
        assert_eq!(failed_package(out).as_deref(), Some("nosuchpkg==1.0"));
        assert_eq!(failed_package("all good"), None);
    }

    #[test]
    fn an_unreachable_index_is_told_apart() {
        let offline = "WARNING: Retrying (Retry(total=0...)) after connection broken by \
                       'NewConnectionError(': Failed to establish a new connection: [Errno 111] \
                       Connection refused')': /simple/six/\nERROR: No matching distribution \
                       found for six==1.16.0\n";
        assert!(network_failed(offline));
        assert!(!network_failed(
            "ERROR: No matching distribution found for nosuchpkg==1.0"
        ));
    }
}
