//! Faults of the environment, each made real: a package missing from the venv (a hard-linked
//! copy of `.venv` without Pillow), a venv made from another Python, pip with no network, a
//! disk that fills while a dataset is written (RLIMIT_FSIZE). Each must end in a clear
//! message, the rest of the run going on where it can, and nothing half-written left.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A scratch directory on the same file system as the repository (hard links need one).
fn scratch() -> tempfile::TempDir {
    tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).expect("tempdir")
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("ls") {
        let entry = entry.expect("entry");
        let name = entry.file_name();
        if name == "__pycache__" {
            continue;
        }
        let target = to.join(&name);
        if entry.file_type().expect("type").is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// A repository root holding the real `python/pyproof` and the given requirements.
fn fake_root(requirements: &str) -> tempfile::TempDir {
    let root = scratch();
    copy_tree(
        &repo().join("python").join("pyproof"),
        &root.path().join("python").join("pyproof"),
    );
    std::fs::write(
        root.path().join("python").join("requirements.txt"),
        requirements,
    )
    .expect("requirements");
    root
}

fn pyproof(root: Option<&Path>, out: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_pyproof"));
    cmd.env_remove("PYPROOF_VENV")
        .env("PYPROOF_OUTPUT_DIR", out)
        .args(args);
    if let Some(root) = root {
        cmd.env("PYPROOF_ROOT", root);
    }
    cmd
}

fn text(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).to_string()
}

/// The last non-empty line of stderr: the one-line error.
fn last_line(out: &Output) -> String {
    text(out)
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .to_string()
}

#[test]
fn a_missing_package_skips_its_experiments_and_the_rest_run() {
    // The real venv first (created here when missing), then a copy of it without Pillow.
    common::run_json(&["run", "mutable_defaults", "--scale", "quick"], false);
    let dir = scratch();
    let venv = dir.path().join("venv");
    let status = Command::new("cp")
        .args(["-al"])
        .arg(repo().join(pyproof_proc::paths::venv_name()))
        .arg(&venv)
        .status()
        .expect("cp");
    assert!(status.success());
    let site = std::fs::read_dir(venv.join("lib"))
        .expect("lib")
        .filter_map(|e| e.ok())
        .map(|e| e.path().join("site-packages"))
        .find(|p| p.is_dir())
        .expect("site-packages");
    let mut removed = 0;
    for entry in std::fs::read_dir(&site).expect("ls") {
        let path = entry.expect("entry").path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name == "PIL" || name.starts_with("pillow") {
            // Unlinks the copy's links only; the real venv keeps its files.
            std::fs::remove_dir_all(&path).expect("rm");
            removed += 1;
        }
    }
    assert!(removed >= 2, "PIL and its dist-info");
    assert!(
        site_has_pil(&repo().join(pyproof_proc::paths::venv_name())),
        "the real venv is untouched"
    );

    let out_dir = dir.path().join("out");
    std::fs::create_dir_all(&out_dir).expect("mkdir");
    let json = out_dir.join("results.json");
    let out = pyproof(
        None,
        &out_dir,
        &["run", "image_parallelism", "mutable_defaults"],
    )
    .args(["--scale", "quick", "--json"])
    .arg(&json)
    .env("PYPROOF_VENV", &venv)
    .output()
    .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let results: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&json).expect("written")).expect("json");
    assert_eq!(results["failures"].as_array().map(Vec::len), Some(0));
    let outcomes = results["outcomes"].as_array().expect("outcomes");
    let by_id = |id: &str| {
        outcomes
            .iter()
            .find(|o| o["id"] == id)
            .unwrap_or_else(|| panic!("{id} has an outcome"))
    };
    let images = by_id("image_parallelism");
    for v in images["verdicts"].as_array().expect("verdicts") {
        assert_eq!(v["verdict"], "skipped");
        let why = v["evidence"].as_str().expect("evidence");
        assert!(
            why.contains("'PIL'") && why.contains("pip install"),
            "{why}"
        );
    }
    assert!(
        images["measurements"]
            .as_array()
            .is_some_and(|m| m.is_empty())
    );
    let defaults = by_id("mutable_defaults");
    assert!(
        defaults["verdicts"]
            .as_array()
            .expect("verdicts")
            .iter()
            .all(|v| v["verdict"] != "skipped")
    );
}

fn site_has_pil(venv: &Path) -> bool {
    std::fs::read_dir(venv.join("lib"))
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok())
        .any(|e| e.path().join("site-packages").join("PIL").is_dir())
}

#[test]
fn a_venv_made_from_another_python_is_rebuilt() {
    let root = fake_root("# nothing to install\n");
    // The build's own venv: `.venv`, or the one a build embedding another CPython uses.
    let venv = root.path().join(pyproof_proc::paths::venv_name());
    std::fs::create_dir_all(venv.join("bin")).expect("mkdir");
    // What the probe of a venv made from another interpreter answers.
    let fake = venv.join("bin").join("python");
    std::fs::write(&fake, "#!/bin/sh\necho 3 8 /opt/some-other-python\n").expect("write");
    std::fs::set_permissions(&fake, std::os::unix::fs::PermissionsExt::from_mode(0o755))
        .expect("chmod");
    std::fs::write(venv.join("marker"), "old").expect("marker");

    let out_dir = root.path().join("out");
    let out = pyproof(
        Some(root.path()),
        &out_dir,
        &["run", "mutable_defaults", "--scale", "quick"],
    )
    .output()
    .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        text(&out).contains("was made from another Python; recreating it"),
        "{}",
        text(&out)
    );
    assert!(!venv.join("marker").exists(), "the old venv is gone");
    assert!(
        venv.join("pyvenv.cfg").is_file(),
        "a real venv in its place"
    );
    assert!(venv.join("pyproof-requirements.stamp").is_file());
}

#[test]
fn pip_without_network_is_one_clear_error_and_nothing_is_taken_for_done() {
    let root = fake_root("six==1.16.0\n");
    let out_dir = root.path().join("out");
    let out = pyproof(
        Some(root.path()),
        &out_dir,
        &["run", "mutable_defaults", "--scale", "quick"],
    )
    // Nothing listens on port 1: every connection is refused, as offline.
    .env("PIP_INDEX_URL", "http://127.0.0.1:1/simple")
    // One retry, so pip says why it failed (pip's own default is five).
    .env("PIP_RETRIES", "1")
    .env("PIP_TIMEOUT", "5")
    .env("PIP_NO_CACHE_DIR", "1")
    .env("PIP_CONFIG_FILE", "/dev/null")
    .env_remove("PIP_FIND_LINKS")
    .env_remove("PIP_EXTRA_INDEX_URL")
    .output()
    .expect("runs");
    assert!(
        !out.status.success() && out.status.code() != Some(101),
        "{}",
        text(&out)
    );
    let line = last_line(&out);
    assert!(
        line.contains("pip could not install 'six==1.16.0'")
            && line.contains("could not reach the package index"),
        "{line}"
    );
    // The install is not recorded as done: the next run tries again.
    assert!(
        !root
            .path()
            .join(pyproof_proc::paths::venv_name())
            .join("pyproof-requirements.stamp")
            .exists()
    );
    assert!(!out_dir.join("results.json").exists());
}

#[test]
fn a_full_disk_while_writing_a_dataset_fails_cleanly() {
    use std::os::unix::process::CommandExt;
    common::run_json(&["run", "mutable_defaults", "--scale", "quick"], false);
    let dir = scratch();
    let out_dir = dir.path().join("out");
    let mut cmd = pyproof(
        None,
        &out_dir,
        &["run", "dataframe_memory", "--scale", "quick"],
    );
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            // Files may grow to 4 MiB: the quick CSV (~20 MB) cannot be written. SIGXFSZ is
            // ignored so the write fails with EFBIG, as a full disk fails with ENOSPC.
            let lim = libc::rlimit {
                rlim_cur: 4 << 20,
                rlim_max: 4 << 20,
            };
            libc::setrlimit(libc::RLIMIT_FSIZE, &lim);
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            Ok(())
        });
    }
    let out = cmd.output().expect("runs");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let all = text(&out) + &String::from_utf8_lossy(&out.stdout);
    assert!(all.contains("File too large"), "{all}");
    assert!(!all.contains("panicked"), "{all}");
    // No partial dataset left anywhere under the output directory.
    let mut left = Vec::new();
    let mut stack = vec![out_dir.clone()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.to_string_lossy().contains(".partial-")
                || p.extension().is_some_and(|x| x == "csv")
            {
                left.push(p);
            }
        }
    }
    assert!(left.is_empty(), "{left:?}");
}
