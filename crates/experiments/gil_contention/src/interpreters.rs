//! Every interpreter on the machine: the pure-Python threads workload under each.
//!
//! Interpreters are discovered on `PATH` (`python3`, `python3.N`, `python3.Nt`), in pyenv's
//! versions (`$PYENV_ROOT` or `~/.pyenv`), in pyproof's cache of free-threaded builds
//! (`scripts/build-free-threaded-python.sh` puts them there) and in `PYPROOF_PYTHONS` (the
//! CLI's `--python`, colon-separated). Each is probed in a subprocess with a line any Python
//! runs; one that is not a Python, or older than 3.6, is reported in one line and left out.
//! Interpreters that turn out to be the same executable (`python3` and `python3.11` on PATH)
//! are measured once; pyenv's shims are skipped (they forward to the versions found anyway). The workload is `python/pyproof/gil_threads.py`, run as a file so that old
//! interpreters need not import the `pyproof` package.

use pyproof_harness::ExperimentError;
use pyproof_python::{RunOptions, run_measured};
use serde::Deserialize;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// `--python PATH` (repeatable): one more interpreter for the every-interpreter part; those
/// on PATH, in pyenv and in pyproof's cache are found without it.
pub struct PythonPath;

impl pyproof_harness::RunOption for PythonPath {
    fn name(&self) -> &'static str {
        "python"
    }
    fn value_name(&self) -> &'static str {
        "PATH"
    }
    fn help(&self) -> &'static str {
        "One more interpreter for gil_contention's every-interpreter part (repeatable; those on PATH and in pyenv are found without it)"
    }
    fn repeatable(&self) -> bool {
        true
    }
    fn parse(&self, value: &str) -> Result<pyproof_harness::Parsed, String> {
        if value.trim().is_empty() {
            return Err("--python needs a path to an interpreter".to_string());
        }
        Ok(std::sync::Arc::new(PathBuf::from(value)))
    }
}

/// The oldest Python the workload supports.
pub const OLDEST: (u32, u32) = (3, 6);
/// Environment variable holding extra interpreters (colon-separated paths).
pub const PYTHONS_ENV: &str = "PYPROOF_PYTHONS";

/// Where an interpreter was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Source {
    /// Named with `--python` / `PYPROOF_PYTHONS`.
    Explicit,
    /// pyproof's cache of free-threaded builds.
    FreeThreadedBuild,
    /// pyenv's versions.
    Pyenv,
    /// A directory of `PATH`.
    Path,
}

impl Source {
    /// For tables.
    pub fn label(self) -> &'static str {
        match self {
            Source::Explicit => "--python",
            Source::FreeThreadedBuild => "free-threaded build",
            Source::Pyenv => "pyenv",
            Source::Path => "PATH",
        }
    }
}

/// A path that may be an interpreter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// The file.
    pub path: PathBuf,
    /// Where it was found.
    pub source: Source,
}

/// pyproof's cache directory for builds: `$XDG_CACHE_HOME/pyproof` or `~/.cache/pyproof`.
pub fn cache_dir() -> Option<PathBuf> {
    std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .map(|c| c.join("pyproof"))
}

/// Whether `name` looks like a CPython 3 executable name: `python3`, `python3.12`,
/// `python3.13t`.
pub fn interpreter_name(name: &str) -> bool {
    let Some(rest) = name.strip_prefix("python3") else {
        return false;
    };
    if rest.is_empty() {
        return true;
    }
    let Some(minor) = rest.strip_prefix('.') else {
        return false;
    };
    let minor = minor.strip_suffix('t').unwrap_or(minor);
    !minor.is_empty() && minor.chars().all(|c| c.is_ascii_digit())
}

fn executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// Every candidate, explicit ones first; `path` is the PATH to search (`None`: this
/// process's), `pyenv_root` pyenv's root (`None`: `$PYENV_ROOT` or `~/.pyenv`).
pub fn discover(
    explicit: &[PathBuf],
    path: Option<&str>,
    pyenv_root: Option<&Path>,
) -> Vec<Candidate> {
    let mut found: Vec<Candidate> = explicit
        .iter()
        .map(|p| Candidate {
            path: p.clone(),
            source: Source::Explicit,
        })
        .collect();
    let mut push = |p: PathBuf, source: Source| {
        if executable(&p) && !found.iter().any(|c| c.path == p) {
            found.push(Candidate { path: p, source });
        }
    };
    if let Some(cache) = cache_dir()
        && let Ok(dir) = std::fs::read_dir(&cache)
    {
        let mut builds: Vec<PathBuf> = dir.flatten().map(|e| e.path().join("bin")).collect();
        builds.sort();
        for bin in builds {
            for e in std::fs::read_dir(&bin).into_iter().flatten().flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                if interpreter_name(&name) && name.ends_with('t') {
                    push(e.path(), Source::FreeThreadedBuild);
                }
            }
        }
    }
    let pyenv = pyenv_root.map(Path::to_path_buf).or_else(|| {
        std::env::var_os("PYENV_ROOT")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".pyenv")))
    });
    if let Some(root) = &pyenv {
        let mut versions: Vec<PathBuf> = std::fs::read_dir(root.join("versions"))
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .collect();
        versions.sort();
        for v in versions {
            let bin = v.join("bin");
            // python3 for Python 3; a 2.x install has only `python` — found, and refused.
            let p = if bin.join("python3").exists() {
                bin.join("python3")
            } else {
                bin.join("python")
            };
            push(p, Source::Pyenv);
        }
    }
    let path = path
        .map(str::to_string)
        .or_else(|| std::env::var("PATH").ok())
        .unwrap_or_default();
    // pyenv's shims only forward to the versions found above (and fail for those not
    // selected): skip them.
    let shims = pyenv.as_ref().map(|r| r.join("shims"));
    for dir in path
        .split(':')
        .filter(|d| !d.is_empty() && shims.as_deref() != Some(Path::new(d)))
    {
        let mut names: Vec<PathBuf> = std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| interpreter_name(&e.file_name().to_string_lossy()))
            .map(|e| e.path())
            .collect();
        names.sort();
        for p in names {
            push(p, Source::Path);
        }
    }
    found
}

/// `(major, minor, micro)`.
pub type Version = (u32, u32, u32);

/// What a probe found: a usable interpreter, or why not.
#[derive(Debug, Clone, PartialEq)]
pub enum Probe {
    /// A Python 3.6+.
    Usable {
        /// `major.minor.micro`.
        version: Version,
        /// `sys.executable`, resolved: two candidates with the same one are the same.
        executable: PathBuf,
    },
    /// Refused, with the one-line reason.
    Refused(String),
}

/// Asks `path` for its version and executable, with a line every Python runs.
pub fn probe(path: &Path) -> Probe {
    let out = run_measured(
        {
            let mut c = Command::new(path);
            c.args([
                "-c",
                "import sys; print('%d %d %d %s' % (sys.version_info[0], sys.version_info[1], \
                 sys.version_info[2], sys.executable))",
            ]);
            c
        },
        &RunOptions::new(
            format!("probing {}", path.display()),
            Duration::from_secs(30),
        ),
    );
    let out = match out {
        Ok(o) if o.success() => o,
        Ok(o) => {
            return Probe::Refused(format!(
                "{}: not a Python ({})",
                path.display(),
                pyproof_proc::process::tail(&o.stderr, 1).trim()
            ));
        }
        Err(e) => return Probe::Refused(format!("{}: not a Python ({e})", path.display())),
    };
    let line = out.stdout.lines().next().unwrap_or("").trim().to_string();
    let mut parts = line.splitn(4, ' ');
    let nums: Vec<Option<u32>> = (0..3)
        .map(|_| parts.next().and_then(|n| n.parse().ok()))
        .collect();
    let (Some(major), Some(minor), Some(micro)) = (nums[0], nums[1], nums[2]) else {
        return Probe::Refused(format!(
            "{}: not a Python (it answered {line:?})",
            path.display()
        ));
    };
    if (major, minor) < OLDEST {
        return Probe::Refused(format!(
            "{}: Python {major}.{minor}.{micro} is too old (the workload needs {}.{}+)",
            path.display(),
            OLDEST.0,
            OLDEST.1
        ));
    }
    let exe = parts.next().unwrap_or("").trim();
    let exe = if exe.is_empty() {
        path.to_path_buf()
    } else {
        PathBuf::from(exe)
    };
    Probe::Usable {
        version: (major, minor, micro),
        executable: std::fs::canonicalize(&exe).unwrap_or(exe),
    }
}

/// The interpreter's own facts, as the workload reports them.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Facts {
    /// `major.minor.micro`.
    pub version: String,
    /// `sys.implementation.name`.
    pub implementation: String,
    /// Built with `Py_GIL_DISABLED`.
    pub free_threaded: bool,
    /// The GIL on at run time (`sys._is_gil_enabled()`, true before 3.13).
    pub gil_enabled: bool,
    /// `sys.executable`.
    pub executable: String,
}

#[derive(Debug, Clone, Deserialize)]
struct RoundSample {
    one: f64,
    threads: std::collections::BTreeMap<String, f64>,
}

#[derive(Debug, Clone, Deserialize)]
struct Report {
    facts: Facts,
    samples: Vec<RoundSample>,
}

/// One interpreter measured.
#[derive(Debug, Clone)]
pub struct Measured {
    /// Where it was found, and the path.
    pub candidate: Candidate,
    /// What it says of itself.
    pub facts: Facts,
    /// Seconds of one thread doing the whole work, per round.
    pub one_s: Vec<f64>,
    /// Speedups (one thread's seconds / k threads'), per k, per round.
    pub speedups: Vec<(usize, Vec<f64>)>,
}

/// Runs the workload (`work` iterations, thread counts `ks`, `rounds` rounds) under one
/// interpreter.
pub fn measure(
    candidate: &Candidate,
    script: &Path,
    work: u64,
    ks: &[usize],
    rounds: usize,
) -> Result<Measured, ExperimentError> {
    let mut cmd = Command::new(&candidate.path);
    cmd.arg(script)
        .args(["--work", &work.to_string()])
        .args([
            "--ks",
            &ks.iter()
                .map(|k| k.to_string())
                .collect::<Vec<_>>()
                .join(","),
        ])
        .args(["--rounds", &rounds.to_string()]);
    let what = format!("the threads workload under {}", candidate.path.display());
    let out = run_measured(
        cmd,
        &RunOptions::new(what.clone(), Duration::from_secs(600)),
    )?
    .check()?;
    let report: Report = serde_json::from_str(out.stdout.lines().last().unwrap_or(""))
        .map_err(|e| ExperimentError::Inconsistent(format!("{what}: unreadable report ({e})")))?;
    let one_s: Vec<f64> = report.samples.iter().map(|s| s.one).collect();
    let speedups = ks
        .iter()
        .map(|&k| {
            let ratios = report
                .samples
                .iter()
                .filter_map(|s| Some(s.one / s.threads.get(&k.to_string())?))
                .collect();
            (k, ratios)
        })
        .collect();
    Ok(Measured {
        candidate: candidate.clone(),
        facts: report.facts,
        one_s,
        speedups,
    })
}

/// Discovers, probes and deduplicates: the interpreters to measure, and one line for each
/// refused candidate.
pub fn usable(candidates: Vec<Candidate>) -> (Vec<(Candidate, Version)>, Vec<String>) {
    let mut seen = BTreeSet::new();
    let mut keep = Vec::new();
    let mut refused = Vec::new();
    for c in candidates {
        match probe(&c.path) {
            Probe::Usable {
                version,
                executable,
            } => {
                if seen.insert(executable) {
                    keep.push((c, version));
                }
            }
            Probe::Refused(why) => refused.push(why),
        }
    }
    // Oldest first; explicit ones first among equals (a stable sort).
    keep.sort_by_key(|(_, v)| *v);
    (keep, refused)
}

/// The extra interpreters named in [`PYTHONS_ENV`].
pub fn explicit_from_env() -> Vec<PathBuf> {
    std::env::var(PYTHONS_ENV)
        .map(|v| {
            v.split(':')
                .filter(|p| !p.is_empty())
                .map(PathBuf::from)
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interpreter_names_are_recognised() {
        for ok in ["python3", "python3.11", "python3.13t"] {
            assert!(interpreter_name(ok), "{ok}");
        }
        for no in [
            "python",
            "python2",
            "python3-config",
            "python3.11-config",
            "python3.",
            "python3.x",
            "python3.13tt",
        ] {
            assert!(!interpreter_name(no), "{no}");
        }
    }

    fn fake(dir: &Path, name: &str, script: &str) -> PathBuf {
        use std::os::unix::fs::PermissionsExt;
        let p = dir.join(name);
        std::fs::write(&p, format!("#!/bin/sh\n{script}\n")).expect("write");
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        p
    }

    #[test]
    fn a_fake_interpreter_on_a_temp_path_is_found_probed_and_judged() {
        let bin = tempfile::tempdir().expect("tempdir");
        let good = fake(bin.path(), "python3.12", "echo 3 12 4 /opt/fake/python3.12");
        let old = fake(bin.path(), "python3.5", "echo 3 5 1 /opt/old/python3.5");
        let broken = fake(bin.path(), "python3", "echo 'not python' >&2; exit 1");
        fake(bin.path(), "python3-config", "exit 0");
        let empty_pyenv = tempfile::tempdir().expect("tempdir");
        let path = bin.path().to_string_lossy().into_owned();
        let found = discover(&[], Some(&path), Some(empty_pyenv.path()));
        let on_path: Vec<&PathBuf> = found
            .iter()
            .filter(|c| c.source == Source::Path)
            .map(|c| &c.path)
            .collect();
        assert_eq!(on_path, [&broken, &good, &old], "sorted, no -config");
        assert_eq!(
            probe(&good),
            Probe::Usable {
                version: (3, 12, 4),
                executable: PathBuf::from("/opt/fake/python3.12"),
            }
        );
        match probe(&old) {
            Probe::Refused(why) => assert!(
                why.ends_with("Python 3.5.1 is too old (the workload needs 3.6+)"),
                "{why}"
            ),
            other => panic!("{other:?}"),
        }
        match probe(&broken) {
            Probe::Refused(why) => assert!(
                why.contains("not a Python") && why.contains("not python"),
                "{why}"
            ),
            other => panic!("{other:?}"),
        }
        match probe(Path::new("/nonexistent/python3")) {
            Probe::Refused(why) => assert!(why.contains("not a Python"), "{why}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_same_executable_found_twice_is_measured_once() {
        let bin = tempfile::tempdir().expect("tempdir");
        let a = fake(bin.path(), "python3", "echo 3 11 7 /usr/bin/true");
        let b = fake(bin.path(), "python3.11", "echo 3 11 7 /usr/bin/true");
        let (keep, refused) = usable(vec![
            Candidate {
                path: a.clone(),
                source: Source::Path,
            },
            Candidate {
                path: b,
                source: Source::Path,
            },
        ]);
        assert!(refused.is_empty());
        assert_eq!(keep.len(), 1);
        assert_eq!(keep[0].0.path, a);
    }

    #[test]
    fn explicit_interpreters_come_first_and_pyenv_versions_are_found() {
        let root = tempfile::tempdir().expect("tempdir");
        let bin = root.path().join("versions").join("3.9.1").join("bin");
        std::fs::create_dir_all(&bin).expect("mkdir");
        let py = fake(&bin, "python3", "echo 3 9 1 /x");
        let old_bin = root.path().join("versions").join("2.7.18").join("bin");
        std::fs::create_dir_all(&old_bin).expect("mkdir");
        let py2 = fake(&old_bin, "python", "echo 2 7 18 /y");
        let shims = root.path().join("shims");
        std::fs::create_dir_all(&shims).expect("mkdir");
        fake(&shims, "python3", "exit 1");
        let explicit = PathBuf::from("/opt/mine/python3");
        let path = shims.to_string_lossy().into_owned();
        let found = discover(
            std::slice::from_ref(&explicit),
            Some(&path),
            Some(root.path()),
        );
        assert!(
            found.iter().all(|c| !c.path.starts_with(&shims)),
            "shims skipped"
        );
        assert_eq!(
            found[0],
            Candidate {
                path: explicit,
                source: Source::Explicit
            }
        );
        let pyenv: Vec<&PathBuf> = found
            .iter()
            .filter(|c| c.source == Source::Pyenv)
            .map(|c| &c.path)
            .collect();
        assert_eq!(pyenv, [&py2, &py]);
    }
}
