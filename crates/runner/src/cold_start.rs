//! `pyproof cold-start`: what a new user pays for the fastest proof. Clones the repository's
//! HEAD into a scratch directory, builds `--example gil_contention` from an empty target
//! directory, runs it once (which creates `.venv`), and records the times — the README's cold
//! time is generated from that record ([`pyproof_report::cold_start`]).
//!
//! Every step has a deadline and runs in its own process group; the scratch directory (a
//! clone and its build, a few GB) is removed afterwards, on error and on Ctrl-C.

use anyhow::{Context, Result, bail};
use pyproof_harness::{Host, RunResults};
use pyproof_proc::pending::ScratchDir;
use pyproof_proc::process::{LineSink, Stream};
use pyproof_proc::{RunOptions, run_measured};
use pyproof_report::cold_start::{ColdStart, SCHEMA};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// The example measured: the README's fastest proof.
pub const EXAMPLE: &str = "gil_contention";

/// Space the clone and its release build need (the example's build is ~1.5 GB; margin).
const SPACE_NEEDED: u64 = 5 * 1024 * 1024 * 1024;

const CLONE_TIMEOUT: Duration = Duration::from_secs(10 * 60);
const BUILD_TIMEOUT: Duration = Duration::from_secs(60 * 60);
const RUN_TIMEOUT: Duration = Duration::from_secs(30 * 60);

/// Environment a nested cargo or Python must not inherit: this process may itself run under
/// `cargo run` (its target directory) or inside a venv.
const SCRUBBED: [&str; 8] = [
    "CARGO_TARGET_DIR",
    "CARGO_BUILD_TARGET_DIR",
    "CARGO_MANIFEST_DIR",
    "RUSTFLAGS",
    "VIRTUAL_ENV",
    "PYTHONHOME",
    "PYTHONPATH",
    "PYPROOF_WORKER",
];

fn command(program: &str, dir: &Path) -> Command {
    let mut cmd = Command::new(program);
    cmd.current_dir(dir);
    for var in SCRUBBED {
        cmd.env_remove(var);
    }
    cmd
}

fn output_of(program: &str, args: &[&str], dir: &Path) -> Result<String> {
    let out = command(program, dir)
        .args(args)
        .output()
        .with_context(|| format!("cannot run {program}"))?;
    if !out.status.success() {
        bail!(
            "{program} {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Whether `dir` holds anything (a download cache that spares the network).
fn non_empty(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|mut d| d.next().is_some())
}

/// The user's home, where cargo and pip keep their download caches (none known: no cache).
fn home() -> Option<PathBuf> {
    std::env::home_dir()
}

/// Runs `cmd` to completion within `timeout`, each output line to `sink`; fails with the
/// tail of its output when it fails.
fn step(cmd: Command, what: &str, timeout: Duration, sink: LineSink) -> Result<f64> {
    let report = run_measured(cmd, &RunOptions::new(what, timeout).with_lines(sink))
        .with_context(|| what.to_string())?
        .check()
        .with_context(|| what.to_string())?;
    Ok(report.wall_s)
}

/// Measures the cold start of the repository at `root` (its HEAD commit) in a scratch
/// directory under `scratch_parent`, telling its progress on stderr.
pub fn measure(root: &Path, scratch_parent: &Path) -> Result<ColdStart> {
    let commit = output_of("git", &["rev-parse", "HEAD"], root)
        .context("the cold start measures a commit: is this a git clone?")?;
    if !output_of("git", &["status", "--porcelain"], root)?.is_empty() {
        eprintln!(
            "cold-start: measuring commit {} — uncommitted changes are not in it",
            &commit[..12.min(commit.len())]
        );
    }
    pyproof_proc::files::ensure_space(scratch_parent, SPACE_NEEDED, "a fresh clone and build")?;
    let scratch = ScratchDir::create(
        &scratch_parent.join(format!("pyproof-cold-start-{}", std::process::id())),
    )
    .context("creating the scratch directory")?;
    let clone = scratch.path().join("pyproof");
    let quiet: LineSink = Arc::new(|_, _| {});

    eprintln!("cold-start: cloning {}", root.display());
    let mut git = command("git", scratch.path());
    git.args(["clone", "-q", "--no-hardlinks"])
        .arg(root)
        .arg(&clone);
    step(git, "git clone", CLONE_TIMEOUT, quiet)?;

    let compiled = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&compiled);
    let build_sink: LineSink = Arc::new(move |stream, line| {
        if stream == Stream::Stderr
            && let Some(krate) = line.trim_start().strip_prefix("Compiling ")
        {
            let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
            eprintln!("cold-start: building, {n} crates compiled ({krate})");
        }
    });
    eprintln!("cold-start: cargo build --release --example {EXAMPLE} (empty target directory)");
    let mut build = command("cargo", &clone);
    build.args(["build", "--release", "--example", EXAMPLE]);
    let build_s = step(build, "the cold build", BUILD_TIMEOUT, build_sink)?;

    let results = scratch.path().join("run.json");
    let passthrough: LineSink = Arc::new(|_, line| eprintln!("  {line}"));
    eprintln!("cold-start: cargo run --release --example {EXAMPLE} (creates .venv, then runs)");
    let mut run = command("cargo", &clone);
    run.args(["run", "--release", "--example", EXAMPLE, "--", "--json"])
        .arg(&results);
    let first_run_s = step(run, "the first run", RUN_TIMEOUT, passthrough)?;

    let text = std::fs::read_to_string(&results).context("reading the run's results")?;
    let run: RunResults = serde_json::from_str(&text).context("parsing the run's results")?;
    if let Some(f) = run.failures.first() {
        bail!(
            "the run failed ({}): a cold time of a failed run is not one",
            f.error
        );
    }
    let outcome = run
        .outcomes
        .iter()
        .find(|o| o.id == EXAMPLE)
        .context("the run's results hold no outcome of the example")?;
    Ok(ColdStart {
        schema: SCHEMA,
        example: EXAMPLE.to_string(),
        commit,
        date_utc: run.environment.date_utc.clone(),
        host: Host::detect(),
        rustc: output_of("rustc", &["--version"], &clone)?,
        build_s,
        crates_compiled: compiled.load(Ordering::SeqCst),
        first_run_s,
        run_s: outcome.duration_s,
        cargo_cache_warm: home().is_some_and(|h| non_empty(&h.join(".cargo/registry/cache"))),
        pip_cache_warm: home().is_some_and(|h| non_empty(&h.join(".cache/pip"))),
        verdicts: outcome
            .verdicts
            .iter()
            .map(|v| format!("{} {}", v.claim.label, v.verdict.word()))
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_tools_inherit_no_target_dir_or_venv() {
        let cmd = command("cargo", Path::new("/"));
        let removed: Vec<String> = cmd
            .get_envs()
            .filter(|(_, v)| v.is_none())
            .map(|(k, _)| k.to_string_lossy().into_owned())
            .collect();
        for var in [
            "CARGO_TARGET_DIR",
            "VIRTUAL_ENV",
            "PYTHONHOME",
            "PYPROOF_WORKER",
        ] {
            assert!(removed.iter().any(|r| r == var), "{var}: {removed:?}");
        }
        assert_eq!(cmd.get_current_dir(), Some(Path::new("/")));
    }

    #[test]
    fn a_failing_step_is_named_with_its_output() {
        let dir = tempfile::tempdir().expect("tempdir");
        let e = output_of("git", &["rev-parse", "HEAD"], dir.path()).expect_err("not a repo");
        assert!(
            e.to_string().starts_with("git rev-parse HEAD failed: "),
            "{e}"
        );
        assert!(output_of("no-such-program-pyproof", &[], dir.path()).is_err());
        assert!(!non_empty(dir.path()), "an empty cache spares nothing");
        std::fs::write(dir.path().join("wheel"), b"x").expect("write");
        assert!(non_empty(dir.path()));
        assert!(!non_empty(&dir.path().join("missing")));
    }

    #[test]
    fn a_step_that_fails_says_what_failed() {
        let quiet: LineSink = Arc::new(|_, _| {});
        let mut cmd = command("sh", Path::new("/"));
        cmd.args(["-c", "echo boom >&2; exit 3"]);
        let e = step(
            cmd,
            "the cold build",
            Duration::from_secs(30),
            quiet.clone(),
        )
        .expect_err("exit 3");
        assert!(format!("{e:#}").starts_with("the cold build"), "{e:#}");
        let mut slow = command("sleep", Path::new("/"));
        slow.arg("30");
        let e =
            step(slow, "the first run", Duration::from_millis(200), quiet).expect_err("timed out");
        assert!(format!("{e:#}").contains("the first run"), "{e:#}");
    }
}
