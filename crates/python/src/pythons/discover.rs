//! Where interpreters are looked for: `--python` paths and `PYPROOF_PYTHONS`, pyproof's own
//! builds, pyenv's versions and `PATH`.

use std::path::{Path, PathBuf};

/// Environment variable holding extra interpreters (colon-separated paths).
pub const PYTHONS_ENV: &str = "PYPROOF_PYTHONS";

/// Where an interpreter was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Source {
    /// Named with `--python` / `PYPROOF_PYTHONS`.
    Explicit,
    /// Built by `pyproof pythons --build` into pyproof's cache.
    PyproofBuild,
    /// Installed by `pyproof pythons --build` from Debian's binary packages (no source was
    /// served): Debian's build, with its own glibc, under `<cache>/cpython-<tag>/root`.
    DebianBinary,
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
            Source::PyproofBuild => "pyproof build",
            Source::DebianBinary => "Debian binary",
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

/// The interpreter of each build under `builds` (pyproof's cache): `cpython-<tag>/bin/
/// python<tag>` (`cpython-3.13t/bin/python3.13t`; the other names in that `bin` are the same
/// interpreter again), sorted.
fn builds_in(builds: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(builds)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let tag = name.strip_prefix("cpython-")?;
            Some(e.path().join("bin").join(format!("python{tag}")))
        })
        .collect();
    found.sort();
    found
}

/// Every candidate, explicit ones first; `path` is the PATH to search (`None`: this
/// process's), `pyenv_root` pyenv's root (`None`: `$PYENV_ROOT` or `~/.pyenv`), `builds`
/// pyproof's build cache (`None`: [`cache_dir`]).
pub fn discover(
    explicit: &[PathBuf],
    path: Option<&str>,
    pyenv_root: Option<&Path>,
    builds: Option<&Path>,
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
    let cache = builds.map(Path::to_path_buf).or_else(cache_dir);
    if let Some(cache) = &cache {
        for p in builds_in(cache) {
            let prefix = p.parent().and_then(Path::parent);
            let source = if prefix.is_some_and(|d| d.join("root").is_dir()) {
                Source::DebianBinary
            } else {
                Source::PyproofBuild
            };
            push(p, source);
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
    use crate::pythons::testing::fake;

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

    #[test]
    fn path_entries_are_sorted_and_configs_skipped() {
        let bin = tempfile::tempdir().expect("tempdir");
        let good = fake(bin.path(), "python3.12", "echo x");
        let old = fake(bin.path(), "python3.5", "echo x");
        let plain = fake(bin.path(), "python3", "echo x");
        fake(bin.path(), "python3-config", "exit 0");
        let empty = tempfile::tempdir().expect("tempdir");
        let path = bin.path().to_string_lossy().into_owned();
        let found = discover(&[], Some(&path), Some(empty.path()), Some(empty.path()));
        let on_path: Vec<&PathBuf> = found.iter().map(|c| &c.path).collect();
        assert_eq!(on_path, [&plain, &good, &old]);
        assert!(found.iter().all(|c| c.source == Source::Path));
    }

    #[test]
    fn explicit_first_then_builds_then_pyenv_and_shims_skipped() {
        let root = tempfile::tempdir().expect("tempdir");
        let bin = root.path().join("versions").join("3.9.1").join("bin");
        std::fs::create_dir_all(&bin).expect("mkdir");
        let py = fake(&bin, "python3", "echo x");
        let old_bin = root.path().join("versions").join("2.7.18").join("bin");
        std::fs::create_dir_all(&old_bin).expect("mkdir");
        let py2 = fake(&old_bin, "python", "echo x");
        let shims = root.path().join("shims");
        std::fs::create_dir_all(&shims).expect("mkdir");
        fake(&shims, "python3", "exit 1");
        let cache = tempfile::tempdir().expect("tempdir");
        let built_bin = cache.path().join("cpython-3.13t").join("bin");
        std::fs::create_dir_all(&built_bin).expect("mkdir");
        let built = fake(&built_bin, "python3.13t", "echo x");
        fake(&built_bin, "python3", "echo x");
        fake(&built_bin, "python3.13", "echo x");
        // Installed from Debian's binaries: a private root beside bin.
        let deb_prefix = cache.path().join("cpython-3.15");
        std::fs::create_dir_all(deb_prefix.join("root").join("usr")).expect("mkdir");
        std::fs::create_dir_all(deb_prefix.join("bin")).expect("mkdir");
        let deb = fake(&deb_prefix.join("bin"), "python3.15", "echo x");
        // Not a build of ours: the download and scratch directories sit beside them.
        let scratch = cache.path().join("build-3.13t").join("bin");
        std::fs::create_dir_all(&scratch).expect("mkdir");
        fake(&scratch, "python3.13t", "echo x");
        let explicit = PathBuf::from("/opt/mine/python3");
        let path = shims.to_string_lossy().into_owned();
        let found = discover(
            std::slice::from_ref(&explicit),
            Some(&path),
            Some(root.path()),
            Some(cache.path()),
        );
        let got: Vec<(PathBuf, Source)> = found.into_iter().map(|c| (c.path, c.source)).collect();
        assert_eq!(
            got,
            [
                (explicit, Source::Explicit),
                (built, Source::PyproofBuild),
                (deb, Source::DebianBinary),
                (py2, Source::Pyenv),
                (py, Source::Pyenv),
            ]
        );
    }
}
