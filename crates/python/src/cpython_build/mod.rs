//! `pyproof pythons --build 3.13t`: CPython built from Debian's source package into
//! pyproof's cache, with progress, reused afterwards.
//!
//! Debian packages every CPython it ships as a source package (`python3.13`, `python3.14`,
//! `python3.15`) whose `.orig.tar.xz` is the upstream release. The mirror is the machine's
//! own (its apt sources; `PYPROOF_DEBIAN_MIRROR` overrides it), read through `apt-get` with a
//! private state directory — no root, nothing changed in the machine's apt. apt checks the
//! signed index; the tarball's SHA-256 is then checked again against the package's `.dsc`.
//! The newest version the index lists is tried first, older ones after it: a mirror that
//! lists a version but does not serve its files (seen here: HTTP 404) falls back instead of
//! failing.
//!
//! The build goes to a scratch directory and is installed with `DESTDIR` into a staging
//! directory, then renamed into `<cache>/cpython-<tag>` in one step: the cache never holds a
//! half-built interpreter, whatever stops the build (an error, a timeout, Ctrl-C). The
//! download is kept for the next try; scratch directories are removed after, and wiped
//! before a new build.

mod apt;
mod binary;
pub mod debian;
pub mod embed;
mod fetch;

pub use fetch::{mirror, sha256_file};

use crate::pythons::{self, Found, Probe, PythonSpec};
use pyproof_proc::process::{LineSink, RunOptions, Stream, run_measured, tail};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The environment variable that names the Debian mirror instead of the machine's apt
/// sources.
pub const MIRROR_ENV: &str = "PYPROOF_DEBIAN_MIRROR";

/// The suites searched for the source package, in one index: unstable has the newest
/// CPythons, testing and stable older ones a partial mirror may still serve.
pub const SUITES: [&str; 3] = ["unstable", "testing", "stable"];

/// Why a build did not happen; each renders as one line that says what to do.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// `--build` takes a version, not `all` or a path.
    #[error("--build takes a version like 3.13t or 3.15, not '{0}'")]
    NotAVersion(String),
    /// A tool the build needs is missing.
    #[error("building CPython needs {tool}: {fix}")]
    MissingTool {
        /// The tool.
        tool: &'static str,
        /// How to get it.
        fix: &'static str,
    },
    /// No Debian mirror is configured.
    #[error(
        "no Debian mirror found in /etc/apt/sources.list or /etc/apt/sources.list.d; set {MIRROR_ENV}"
    )]
    NoMirror,
    /// The source package could not be had.
    #[error("{0}")]
    Source(String),
    /// The downloaded tarball is not the one the .dsc names.
    #[error("{file}: SHA-256 {got} is not the {want} its .dsc gives; the download was removed")]
    Checksum {
        /// The tarball.
        file: String,
        /// What it hashed to.
        got: String,
        /// What the .dsc says.
        want: String,
    },
    /// A build step failed.
    #[error("{step} failed: {detail} (full log: {log})")]
    Step {
        /// configure, make, make install...
        step: String,
        /// The end of its output.
        detail: String,
        /// The log file.
        log: String,
    },
    /// The built interpreter does not run as the build asked.
    #[error("the built {path} {why}; it was removed")]
    Verify {
        /// Its path.
        path: String,
        /// What was wrong.
        why: String,
    },
    /// A file operation failed.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// The error.
        source: std::io::Error,
    },
}

fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> BuildError {
    let what = what.into();
    move |source| BuildError::Io { what, source }
}

/// What to build: `3.<minor>`, free-threaded or not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Target {
    /// The minor version.
    pub minor: u32,
    /// `--disable-gil`.
    pub free_threaded: bool,
}

impl Target {
    /// From a `--build` value.
    pub fn of(spec: &PythonSpec) -> Result<Target, BuildError> {
        match spec {
            PythonSpec::Version {
                major: 3,
                minor,
                free_threaded,
            } => Ok(Target {
                minor: *minor,
                free_threaded: *free_threaded,
            }),
            other => Err(BuildError::NotAVersion(other.to_string())),
        }
    }

    /// `3.13t`.
    pub fn tag(self) -> String {
        format!(
            "3.{}{}",
            self.minor,
            if self.free_threaded { "t" } else { "" }
        )
    }

    /// Debian's source package: `python3.13`.
    pub fn package(self) -> String {
        format!("python3.{}", self.minor)
    }

    /// Where it is installed: `<cache>/cpython-3.13t`.
    pub fn prefix(self, cache: &Path) -> PathBuf {
        cache.join(format!("cpython-{}", self.tag()))
    }

    /// The installed interpreter: `<prefix>/bin/python3.13t`.
    pub fn python(self, cache: &Path) -> PathBuf {
        self.prefix(cache)
            .join("bin")
            .join(format!("python{}", self.tag()))
    }

    /// Whether `found` is this build.
    pub fn is(self, found: &Found) -> bool {
        found.tag() == self.tag() && (!self.free_threaded || !found.gil_enabled)
    }

    /// `./configure`'s arguments.
    pub fn configure_args(self, prefix: &Path) -> Vec<String> {
        let mut args = vec![
            format!("--prefix={}", prefix.display()),
            "--enable-shared".to_string(),
            // pip in the prefix: each interpreter gets a venv with the pinned packages.
            "--with-ensurepip=install".to_string(),
            format!("LDFLAGS=-Wl,-rpath,{}/lib", prefix.display()),
        ];
        if self.free_threaded {
            args.insert(1, "--disable-gil".to_string());
        }
        args
    }
}

/// Progress lines, with the seconds since the build started.
struct Say {
    log: LineSink,
    started: Instant,
}

impl Say {
    fn line(&self, msg: &str) {
        (self.log)(
            Stream::Stderr,
            &format!(
                "[build {:>4.0}s] {msg}",
                self.started.elapsed().as_secs_f64()
            ),
        );
    }
}

/// Builds `target` into `cache` (nothing to do when it is there and runs): the interpreter.
pub fn build(target: Target, cache: &Path, log: &LineSink) -> Result<PathBuf, BuildError> {
    let say = Say {
        log: log.clone(),
        started: Instant::now(),
    };
    let python = target.python(cache);
    if let Probe::Usable(found) = pythons::probe(&python)
        && target.is(&found)
    {
        say.line(&format!(
            "{} {} is already built: {} (delete {} to rebuild)",
            target.tag(),
            found.version_text(),
            python.display(),
            target.prefix(cache).display()
        ));
        return Ok(python);
    }
    for (tool, fix) in [
        ("apt-get", "a Debian or Ubuntu machine"),
        ("gcc", "apt-get install build-essential"),
        ("make", "apt-get install build-essential"),
        ("tar", "apt-get install tar xz-utils"),
    ] {
        if !on_path(tool) {
            return Err(BuildError::MissingTool { tool, fix });
        }
    }
    let work = cache.join(format!("build-{}", target.tag()));
    let scratch = [work.join("src"), work.join("stage")];
    for dir in &scratch {
        remove_dir(dir)?;
    }
    let result = (|| match fetch::fetch(target, &work, &say) {
        Ok(tarball) => compile_and_install(target, cache, &work, &tarball, &say),
        // No source to build from: a GIL build can still come from Debian's binaries.
        Err(BuildError::Source(no_source)) => {
            say.line(&no_source);
            let staged = binary::stage(target, cache, &work, &say).map_err(|e| match e {
                BuildError::Source(no_binary) => {
                    BuildError::Source(format!("{no_source}; {no_binary}"))
                }
                other => other,
            })?;
            install_staged(target, cache, &staged, &say)
        }
        Err(e) => Err(e),
    })();
    for dir in &scratch {
        let _ = fs::remove_dir_all(dir);
    }
    result
}

pub(super) fn on_path(tool: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(tool).is_file()))
}

fn remove_dir(dir: &Path) -> Result<(), BuildError> {
    match fs::remove_dir_all(dir) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(io(format!("removing {}", dir.display()))(e))
        }
        _ => Ok(()),
    }
}

/// A command run to completion with a timeout, its output appended to `log_file`; the error
/// names the step and the end of its output.
fn step(
    what: &str,
    cmd: Command,
    timeout: Duration,
    log_file: &Path,
    on_line: Option<LineSink>,
) -> Result<String, BuildError> {
    let mut opts = RunOptions::new(what, timeout);
    opts.sample_every = Duration::from_millis(200);
    if let Some(sink) = on_line {
        opts = opts.with_lines(sink);
    }
    let fail = |detail: String| BuildError::Step {
        step: what.to_string(),
        detail,
        log: log_file.display().to_string(),
    };
    let out = run_measured(cmd, &opts).map_err(|e| fail(e.to_string()))?;
    let text = format!("$ {what}\n{}{}", out.stdout, out.stderr);
    let _ = fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log_file)
        .and_then(|mut f| std::io::Write::write_all(&mut f, text.as_bytes()));
    if !out.success() {
        let end = tail(&format!("{}{}", out.stdout, out.stderr), 2);
        return Err(fail(format!(
            "{} — {}",
            out.status_text(),
            end.trim().replace('\n', " | ")
        )));
    }
    Ok(out.stdout)
}

fn compile_and_install(
    target: Target,
    cache: &Path,
    work: &Path,
    tarball: &Path,
    say: &Say,
) -> Result<PathBuf, BuildError> {
    let src = work.join("src");
    let stage = work.join("stage");
    let log_file = work.join("build.log");
    let _ = fs::remove_file(&log_file);
    let prefix = target.prefix(cache);
    fs::create_dir_all(&src).map_err(io(format!("creating {}", src.display())))?;
    say.line(&format!(
        "unpacking {}",
        tarball.file_name().unwrap_or_default().to_string_lossy()
    ));
    let mut untar = Command::new("tar");
    untar
        .arg("-xf")
        .arg(tarball)
        .arg("-C")
        .arg(&src)
        .arg("--strip-components=1");
    step("tar", untar, Duration::from_secs(600), &log_file, None)?;

    let args = target.configure_args(&prefix);
    say.line(&format!("configuring: {}", args.join(" ")));
    let mut configure = Command::new("./configure");
    configure.current_dir(&src).args(&args);
    step(
        "configure",
        configure,
        Duration::from_secs(900),
        &log_file,
        None,
    )?;

    let jobs = std::thread::available_parallelism().map_or(2, |n| n.get());
    say.line(&format!(
        "compiling with {jobs} jobs (a line every 15 s; full log: {})",
        log_file.display()
    ));
    let mut make = Command::new("make");
    make.current_dir(&src).arg(format!("-j{jobs}"));
    step(
        "make",
        make,
        Duration::from_secs(3600),
        &log_file,
        Some(compile_progress(say)),
    )?;

    say.line("installing into a staging directory");
    let mut install = Command::new("make");
    install
        .current_dir(&src)
        .arg("install")
        .arg(format!("DESTDIR={}", stage.display()));
    step(
        "make install",
        install,
        Duration::from_secs(1200),
        &log_file,
        None,
    )?;
    // DESTDIR keeps the full prefix path under the staging directory.
    let staged = stage.join(prefix.strip_prefix("/").unwrap_or(&prefix));
    install_staged(target, cache, &staged, say)
}

/// Renames a staged prefix into place in one step, then checks that it runs as `target`
/// asked; one that does not is removed.
fn install_staged(
    target: Target,
    cache: &Path,
    staged: &Path,
    say: &Say,
) -> Result<PathBuf, BuildError> {
    let prefix = target.prefix(cache);
    remove_dir(&prefix)?;
    fs::rename(staged, &prefix).map_err(io(format!(
        "moving {} to {}",
        staged.display(),
        prefix.display()
    )))?;
    let python = target.python(cache);
    let fail = |why: String| {
        let _ = fs::remove_dir_all(&prefix);
        BuildError::Verify {
            path: python.display().to_string(),
            why,
        }
    };
    match pythons::probe(&python) {
        Probe::Usable(found) if target.is(&found) => {
            say.line(&format!(
                "built CPython {} ({}): {}",
                found.version_text(),
                found.build_label(),
                python.display()
            ));
            Ok(python)
        }
        Probe::Usable(found) => Err(fail(format!(
            "runs as {} ({}), not {}",
            found.tag(),
            found.build_label(),
            target.tag()
        ))),
        Probe::Refused(why) => Err(fail(format!("does not run: {why}"))),
    }
}

/// A line sink that counts compiler calls and says how many every 15 s.
fn compile_progress(say: &Say) -> LineSink {
    let state = Arc::new(Mutex::new((0u64, Instant::now())));
    let log = say.log.clone();
    let started = say.started;
    Arc::new(move |_, line| {
        let Ok(mut s) = state.lock() else { return };
        if line.starts_with("gcc ") || line.starts_with("cc ") {
            s.0 += 1;
        }
        if s.1.elapsed() >= Duration::from_secs(15) {
            s.1 = Instant::now();
            log(
                Stream::Stderr,
                &format!(
                    "[build {:>4.0}s]   … {} compiler calls so far",
                    started.elapsed().as_secs_f64(),
                    s.0
                ),
            );
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_target_names_its_package_prefix_and_configure_flags() {
        let t = Target::of(&"3.15t".parse().expect("spec")).expect("target");
        assert_eq!(
            (t.tag(), t.package()),
            ("3.15t".into(), "python3.15".into())
        );
        let cache = Path::new("/c");
        assert_eq!(
            t.python(cache),
            Path::new("/c/cpython-3.15t/bin/python3.15t")
        );
        assert_eq!(
            t.configure_args(&t.prefix(cache)),
            [
                "--prefix=/c/cpython-3.15t",
                "--disable-gil",
                "--enable-shared",
                "--with-ensurepip=install",
                "LDFLAGS=-Wl,-rpath,/c/cpython-3.15t/lib"
            ]
        );
        let gil = Target::of(&"3.14".parse().expect("spec")).expect("target");
        assert!(
            !gil.configure_args(&gil.prefix(cache))
                .iter()
                .any(|a| a == "--disable-gil")
        );
        for bad in ["all", "/usr/bin/python3"] {
            assert_eq!(
                Target::of(&bad.parse().expect("spec"))
                    .expect_err(bad)
                    .to_string(),
                format!("--build takes a version like 3.13t or 3.15, not '{bad}'")
            );
        }
    }

    #[test]
    fn a_target_recognises_its_own_build_only() {
        let t = Target {
            minor: 13,
            free_threaded: true,
        };
        let f = |line: &str| crate::pythons::probe::parse_probe(line).expect("parses");
        assert!(t.is(&f("3 13 5 1 0 /x")));
        assert!(
            !t.is(&f("3 13 5 1 1 /x")),
            "GIL re-enabled is not what was built"
        );
        assert!(!t.is(&f("3 13 5 0 1 /x")));
        assert!(!t.is(&f("3 14 0 1 0 /x")));
    }
}
