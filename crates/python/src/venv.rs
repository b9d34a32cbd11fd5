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

pub use crate::requirements::{
    acceptable_stand_in, failed_package, network_failed, no_wheel_of_pin, requirement_for,
    requirement_lines, requirement_name,
};

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
            base_python: crate::base_python(),
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

fn stamp_text(requirements: &str, base: &Probe) -> String {
    format!(
        "# base: {} {}.{}\n{}",
        base.base_prefix, base.major, base.minor, requirements
    )
}

/// How [`fill`] treats a requirement pip cannot install.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fill {
    /// The project's `.venv`: every package is needed, one failure is the error.
    Strict,
    /// Another interpreter's venv: wheels only (no compiling sdists for a build that has no
    /// wheel), and a requirement that cannot be installed is named and left out, so only the
    /// variants that need it are skipped under that build.
    PerPackage,
}

/// What [`ensure_each`] did, and what it could not install.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VenvReport {
    /// What had to be done.
    pub status: VenvStatus,
    /// Each requirement line pip could not install, with pip's last error line.
    pub missing: Vec<(String, String)>,
}

/// Makes sure the venv exists, works, comes from `spec.base_python`, and is filled from the
/// current requirements file. Progress lines go to `log`.
pub fn ensure(spec: &VenvSpec, log: &LineSink) -> Result<VenvStatus, PythonError> {
    fill(spec, log, Fill::Strict).map(|r| r.status)
}

/// [`ensure`] for another interpreter's venv: wheels only, and each requirement that has none
/// for this build (or fails) is named in the report instead of failing the whole venv. The
/// stamp records them, so [`state`] tells a partial venv from a complete one.
pub fn ensure_each(spec: &VenvSpec, log: &LineSink) -> Result<VenvReport, PythonError> {
    fill(spec, log, Fill::PerPackage)
}

/// What a venv holds, read from its stamp without running anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VenvState {
    /// No venv (or no interpreter in it).
    Missing,
    /// Filled from an older requirements file: the next use refills it.
    Stale,
    /// Filled from the current requirements.
    Ready,
    /// Filled from the current requirements but for these packages (no wheel for the build).
    Partial(Vec<String>),
}

/// The state of the venv `spec` describes.
pub fn state(spec: &VenvSpec) -> VenvState {
    if !spec.python().exists() {
        return VenvState::Missing;
    }
    let (Ok(stamp), Ok(requirements)) = (
        fs::read_to_string(spec.dir.join(STAMP)),
        fs::read_to_string(&spec.requirements),
    ) else {
        return VenvState::Stale;
    };
    // The stamp is the base line, the requirements verbatim, then any `# missing:` lines.
    let body = stamp.split_once('\n').map(|(_, b)| b).unwrap_or("");
    let Some(rest) = body.strip_prefix(requirements.as_str()) else {
        return VenvState::Stale;
    };
    let missing: Vec<String> = rest
        .lines()
        .filter_map(|l| l.strip_prefix(MISSING))
        .map(|l| l.split(" — ").next().unwrap_or(l).trim().to_string())
        .collect();
    if missing.is_empty() {
        VenvState::Ready
    } else {
        VenvState::Partial(missing)
    }
}

const MISSING: &str = "# missing: ";
const SUBSTITUTED: &str = "# substituted: ";

/// The pins a venv holds another version of (no wheel of the pin for its build): `(pin
/// line, version installed)`, from its stamp.
pub fn substitutions(spec: &VenvSpec) -> Vec<(String, String)> {
    fs::read_to_string(spec.dir.join(STAMP))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.strip_prefix(SUBSTITUTED))
        .filter_map(|l| l.split_once(" — "))
        .map(|(line, v)| (line.trim().to_string(), v.trim().to_string()))
        .collect()
}

/// Removes `name` from the venv (a stand-in that was refused).
fn uninstall(spec: &VenvSpec, name: &str) {
    let _ = Command::new(spec.python())
        .args(["-m", "pip", "uninstall", "-y", "-q", name])
        .output();
}

/// The version of `name` installed in the venv, asked of the venv itself.
fn installed_version(spec: &VenvSpec, name: &str) -> Option<String> {
    let out = Command::new(spec.python())
        .args([
            "-I",
            "-c",
            "import sys, importlib.metadata as m; print(m.version(sys.argv[1]))",
            name,
        ])
        .output()
        .ok()?;
    let v = String::from_utf8_lossy(&out.stdout).trim().to_string();
    (out.status.success() && !v.is_empty()).then_some(v)
}

fn fill(spec: &VenvSpec, log: &LineSink, mode: Fill) -> Result<VenvReport, PythonError> {
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
        && let Ok(stamp) = fs::read_to_string(&stamp_path)
        && stamp.starts_with(&wanted)
        && (mode == Fill::PerPackage || stamp == wanted)
    {
        let missing = stamp[wanted.len()..]
            .lines()
            .filter_map(|l| l.strip_prefix(MISSING))
            .map(|l| match l.split_once(" — ") {
                Some((r, why)) => (r.to_string(), why.to_string()),
                None => (l.to_string(), String::new()),
            })
            .collect();
        return Ok(VenvReport { status, missing });
    }
    if status == VenvStatus::UpToDate {
        status = VenvStatus::Updated;
    }

    let lines = requirement_lines(&requirements);
    let mut missing = Vec::new();
    let mut substituted: Vec<(String, String)> = Vec::new();
    if !lines.is_empty() {
        say(&format!(
            "pyproof: installing {} pinned packages from {} into {} (first time only; pip's \
             output follows)",
            lines.len(),
            spec.requirements.display(),
            spec.dir.display()
        ));
        let file = spec.requirements.as_os_str().to_owned();
        let whole = pip_install(spec, mode, &["-r".into(), file], log)?;
        if let Err(failure) = whole {
            if mode == Fill::Strict || network_failed(&failure.output) {
                return Err(failure.into_error(spec));
            }
            say("pyproof: not every package installs for this build; trying them one by one");
            for line in &lines {
                if let Err(f) = pip_install(spec, mode, &[(*line).into()], log)? {
                    if network_failed(&f.output) {
                        return Err(f.into_error(spec));
                    }
                    // No wheel of the pin for this build: the newest version that has one
                    // stands in, named in the stamp and the listing (results depend on
                    // versions), so the variants that need the package still run.
                    let name = requirement_name(line);
                    if no_wheel_of_pin(&f.output)
                        && pip_install(spec, mode, &[name.into()], log)?.is_ok()
                        && let Some(version) = installed_version(spec, name)
                    {
                        if acceptable_stand_in(line, &version) {
                            say(&format!(
                                "pyproof: {line} has no wheel for this build; installed \
                                 {name} {version} instead, the newest that has one"
                            ));
                            substituted.push((line.to_string(), version));
                            continue;
                        }
                        uninstall(spec, name);
                        say(&format!(
                            "pyproof: {line}: the newest {name} with a wheel for this build \
                             is {version}, too far from the pin to stand in"
                        ));
                    }
                    say(&format!(
                        "pyproof: {line} cannot be installed: {}",
                        f.detail()
                    ));
                    missing.push((line.to_string(), f.detail()));
                }
            }
        }
    }
    // Written only after a successful install, via a temp file: a failed or interrupted
    // install is retried next time instead of being taken for done.
    let mut stamp = wanted;
    for (line, why) in &missing {
        stamp.push_str(&format!("{MISSING}{line} — {why}\n"));
    }
    for (line, version) in &substituted {
        stamp.push_str(&format!("{SUBSTITUTED}{line} — {version}\n"));
    }
    let tmp = spec.dir.join(format!("{STAMP}.tmp"));
    fs::write(&tmp, stamp)
        .and_then(|()| fs::rename(&tmp, &stamp_path))
        .map_err(|e| PythonError::io(format!("writing {}", stamp_path.display()), e))?;
    say(&format!("pyproof: {} is ready", spec.dir.display()));
    Ok(VenvReport { status, missing })
}

/// pip's output and exit of an install that failed.
struct PipFailure {
    output: String,
    status: String,
}

impl PipFailure {
    /// pip's last error line (or its exit status).
    fn detail(&self) -> String {
        self.output
            .lines()
            .rev()
            .find(|l| l.starts_with("ERROR"))
            .unwrap_or(&self.status)
            .to_string()
    }

    fn into_error(self, spec: &VenvSpec) -> PythonError {
        let mut detail = self.detail();
        if network_failed(&self.output) {
            detail = format!(
                "pip could not reach the package index (no network?): {detail} — connect, \
                 or point pip at a local mirror or wheel directory (PIP_INDEX_URL, \
                 PIP_FIND_LINKS) and run again"
            );
        }
        PythonError::Pip {
            package: failed_package(&self.output)
                .map(|p| format!("'{p}'"))
                .unwrap_or_else(|| "the requirements".to_string()),
            requirements: spec.requirements.display().to_string(),
            detail,
        }
    }
}

/// Runs the venv's pip on `args`, streaming its output to `log`; the outer error is pip not
/// running at all, the inner one pip failing.
fn pip_install(
    spec: &VenvSpec,
    mode: Fill,
    args: &[std::ffi::OsString],
    log: &LineSink,
) -> Result<Result<(), PipFailure>, PythonError> {
    let mut cmd = Command::new(spec.python());
    cmd.args([
        "-m",
        "pip",
        "install",
        "--disable-pip-version-check",
        "--progress-bar",
        "off",
    ]);
    if mode == Fill::PerPackage {
        cmd.args(["--only-binary", ":all:"]);
    }
    cmd.args(args);
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
    if report.success() {
        return Ok(Ok(()));
    }
    Ok(Err(PipFailure {
        output: seen.lock().map(|s| s.clone()).unwrap_or_default(),
        status: report.status_text(),
    }))
}

/// A log sink that writes every line to stderr (visible during `cargo run` and `cargo test`).
pub fn stderr_log() -> LineSink {
    Arc::new(|_, line| eprintln!("{line}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_venvs_state_is_read_from_its_stamp() {
        let dir = tempfile::tempdir().expect("tempdir");
        let requirements = dir.path().join("requirements.txt");
        fs::write(&requirements, "numpy==2.4.6\npandas==3.1.1\n").expect("write");
        let spec = VenvSpec {
            dir: dir.path().join("venv"),
            requirements: requirements.clone(),
            base_python: PathBuf::from("/unused"),
        };
        assert_eq!(state(&spec), VenvState::Missing);
        fs::create_dir_all(spec.dir.join("bin")).expect("mkdir");
        fs::write(spec.python(), "").expect("write");
        assert_eq!(state(&spec), VenvState::Stale, "no stamp yet");
        let stamp = spec.dir.join(STAMP);
        let base = "# base: /opt/py 3.13\n";
        fs::write(&stamp, format!("{base}numpy==2.4.6\npandas==3.1.1\n")).expect("write");
        assert_eq!(state(&spec), VenvState::Ready);
        fs::write(
            &stamp,
            format!(
                "{base}numpy==2.4.6\npandas==3.1.1\n{MISSING}pandas==3.1.1 — ERROR: No matching \
                 distribution found for pandas==3.1.1\n"
            ),
        )
        .expect("write");
        assert_eq!(
            state(&spec),
            VenvState::Partial(vec!["pandas==3.1.1".into()])
        );
        fs::write(&requirements, "numpy==2.5.5\n").expect("write");
        assert_eq!(state(&spec), VenvState::Stale, "the requirements changed");
    }

    #[test]
    fn substitutions_are_read_back_from_the_stamp() {
        let dir = tempfile::tempdir().expect("tempdir");
        let spec = VenvSpec {
            dir: dir.path().to_path_buf(),
            requirements: dir.path().join("requirements.txt"),
            base_python: PathBuf::from("/usr/bin/python3"),
        };
        fs::write(
            dir.path().join(STAMP),
            "base\npillow==13.0.0\n# missing: msgspec==0.19.0 — ERROR: none\n\
             # substituted: pillow==13.0.0 — 12.2.0\n",
        )
        .expect("write");
        assert_eq!(
            substitutions(&spec),
            [("pillow==13.0.0".to_string(), "12.2.0".to_string())]
        );
    }
}
