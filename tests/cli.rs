//! The `pyproof` binary's refusals: one line, exit code 2, nothing written.

use pyproof_proc::process;
use std::process::Command;

fn pyproof(root: &std::path::Path, args: &[&str]) -> (i32, String, String) {
    // PYPROOF_ROOT points at an empty directory: any file the run wrote would land there.
    let out = Command::new(env!("CARGO_BIN_EXE_pyproof"))
        .args(args)
        .env("PYPROOF_ROOT", root)
        .output()
        .expect("pyproof runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn assert_refused(args: &[&str], expected_stderr: &str) {
    let dir = tempfile::tempdir().expect("tempdir");
    let (code, stdout, stderr) = pyproof(dir.path(), args);
    assert_eq!(code, 2, "{args:?}: {stderr}");
    assert_eq!(stdout, "", "{args:?}");
    assert_eq!(
        stderr.trim_end().lines().count(),
        1,
        "{args:?}: one line, got {stderr}"
    );
    assert!(stderr.contains(expected_stderr), "{args:?}: {stderr}");
    let written: Vec<_> = std::fs::read_dir(dir.path()).expect("list").collect();
    assert!(written.is_empty(), "{args:?} wrote {written:?}");
}

#[test]
fn an_unknown_id_lists_the_valid_ones() {
    assert_refused(
        &["run", "gil_contention", "nope"],
        &format!(
            "error: unknown experiment id 'nope' (valid ids: {})",
            pyproof::ids().join(", ")
        ),
    );
}

#[test]
fn a_bad_scale_is_refused() {
    assert_refused(
        &["run", "--scale", "huge"],
        "unknown scale 'huge' (expected one of: quick, default, full)",
    );
}

#[test]
fn bad_csv_sizes_are_refused() {
    for (size, why) in [
        ("-5", "must be greater than zero"),
        ("0", "must be greater than zero"),
        ("2XB", "unknown unit 'xb'"),
        ("5TB", "larger than the 1 TiB limit"),
        ("lots", "bad size 'lots'"),
    ] {
        assert_refused(&["run", "dataframe_memory", "--csv-size", size], why);
    }
}

#[test]
fn bad_image_counts_and_sizes_are_refused() {
    for (flag, value, why) in [
        ("--images", "0", "must be greater than zero"),
        ("--images", "-5", "must be greater than zero"),
        ("--images", "many", "bad image count 'many'"),
        ("--images", "20M", "larger than the 10000000 limit"),
        ("--image-size", "4", "each side must be 8 to 8192 pixels"),
        ("--image-size", "256x", "bad image size '256x'"),
        ("--image-size", "-8", "bad image size '-8'"),
        ("--dask-scheduler", "8786", "bad Dask scheduler '8786'"),
        ("--dask-scheduler", "tls://h:1", "only tcp:// is supported"),
    ] {
        assert_refused(&["run", "image_parallelism", flag, value], why);
    }
}

#[test]
fn bad_repeat_counts_are_refused() {
    for value in ["0", "21", "-1", "twice"] {
        assert_refused(
            &["run", "mro", "--repeat", value],
            &format!("bad repeat count '{value}' (expected 1 to 20)"),
        );
    }
}

#[test]
fn unwritable_output_paths_are_refused_before_the_run() {
    // /proc takes no new files, even for root (CI runs as root: a read-only mode bit would
    // not stop it).
    assert_refused(
        &["run", "mro", "--json", "/proc/pyproof-results.json"],
        "error: --json: cannot write in /proc",
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let as_dir = dir.path().to_str().expect("utf-8 path");
    assert_refused(&["run", "mro", "--json", as_dir], "is a directory");
    let root = tempfile::tempdir().expect("tempdir");
    let out = Command::new(env!("CARGO_BIN_EXE_pyproof"))
        .args(["run", "mro", "--scale", "quick"])
        .env("PYPROOF_ROOT", root.path())
        .env("PYPROOF_OUTPUT_DIR", "/proc/pyproof-output")
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("error: output directory: cannot create /proc/pyproof-output"),
        "{stderr}"
    );
    assert_eq!(std::fs::read_dir(root.path()).expect("ls").count(), 0);
}

#[test]
fn a_json_path_in_a_missing_directory_is_refused() {
    assert_refused(
        &["run", "--json", "/nonexistent-pyproof-dir/results.json"],
        "error: --json: directory /nonexistent-pyproof-dir does not exist",
    );
}

#[test]
fn an_unknown_flag_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (code, _, stderr) = pyproof(dir.path(), &["run", "--frobnicate"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("unexpected argument '--frobnicate'"),
        "{stderr}"
    );
}

#[test]
fn pythons_lists_the_interpreters_and_refuses_bad_specs() {
    assert_refused(
        &["pythons", "--build", "2.7"],
        "bad Python '2.7' (expected a version like 3.15t or 3.14, a path to an interpreter, or all)",
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let (code, stdout, stderr) = pyproof(dir.path(), &["pythons"]);
    assert_eq!(code, 0, "{stderr}");
    let mut lines = stdout.lines();
    assert_eq!(
        lines
            .next()
            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" ")),
        Some("tag version build found in venv path".to_string())
    );
    assert!(
        stdout.lines().any(|l| l.contains(", embedded")),
        "the interpreter pyo3 embeds is found: {stdout}"
    );
    for (args, line) in [
        (
            &["pythons", "--build", "all"][..],
            "error: building all: --build takes a version like 3.13t or 3.15, not 'all'",
        ),
        (
            &["pythons", "--venv", "/nowhere/python3"][..],
            "error: no interpreter found is /nowhere/python3 (`pyproof pythons` lists what was \
             found)",
        ),
        (
            &["pythons", "--embed", "/nowhere/python3"][..],
            "error: no interpreter found is /nowhere/python3 (`pyproof pythons` lists what was \
             found)",
        ),
    ] {
        let (code, _, stderr) = pyproof(dir.path(), args);
        assert_eq!(code, 1, "{args:?}: {stderr}");
        assert_eq!(stderr.trim_end(), line, "{args:?}");
    }
    let written: Vec<_> = std::fs::read_dir(dir.path()).expect("list").collect();
    assert!(written.is_empty(), "pythons wrote {written:?}");
    // --embed prints exports only, for `eval`: for the interpreter pyo3 embeds here, at
    // least PYO3_PYTHON and the venv and target directory it gets.
    let embedded = pyproof_python::base_python();
    let (code, stdout, stderr) = pyproof(
        dir.path(),
        &["pythons", "--embed", &embedded.display().to_string()],
    );
    assert_eq!(code, 0, "{stderr}");
    let names: Vec<&str> = stdout
        .lines()
        .map(|l| {
            l.strip_prefix("export ")
                .and_then(|l| l.split_once('='))
                .map_or(l, |(k, _)| k)
        })
        .collect();
    // (A build that embeds Debian's binary 3.14 or 3.15 adds PYO3_CONFIG_FILE and RUSTFLAGS.)
    for name in ["PYO3_PYTHON", "PYPROOF_EMBED_VENV", "CARGO_TARGET_DIR"] {
        assert!(names.contains(&name), "{name} missing: {stdout}");
    }
    assert!(stdout.lines().all(|l| l.starts_with("export ")), "{stdout}");
}

#[test]
fn list_shows_every_registered_experiment() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (code, stdout, _) = pyproof(dir.path(), &["list"]);
    assert_eq!(code, 0);
    for id in pyproof::ids() {
        assert!(
            stdout.lines().any(|l| l.starts_with(id)),
            "{id} missing from:\n{stdout}"
        );
    }
    assert!(stdout.contains("What is the GIL (Global Interpreter Lock)?"));
}

#[test]
fn select_refuses_unknown_ids_and_keeps_the_sheet_order() {
    let err = pyproof::select(&["mro_typo".to_string()])
        .err()
        .expect("refused");
    assert!(
        err.starts_with("unknown experiment id 'mro_typo' (valid ids: "),
        "{err}"
    );
    let all = pyproof::select(&[]).expect("all");
    let ids: Vec<_> = all.iter().map(|e| e.id()).collect();
    assert_eq!(ids, pyproof::ids());
}

#[test]
fn on_one_core_every_gil_claim_is_inconclusive() {
    // taskset pins the run (and every thread and process it starts) to core 0: no parallel
    // speedup is possible, so no claim about one may be Confirmed or Refuted. Claim (j)
    // counts lost updates, which one core shows as well as two: it is judged, and its lock
    // loses nothing.
    if Command::new("taskset").arg("--version").output().is_err() {
        eprintln!("taskset not installed: skipped");
        return;
    }
    let out_dir = tempfile::tempdir().expect("tempdir");
    let json = out_dir.path().join("one-core.json");
    let out = Command::new("taskset")
        .args([
            "-c",
            "0",
            env!("CARGO_BIN_EXE_pyproof"),
            "run",
            "gil_contention",
        ])
        .args(["--scale", "quick", "--json"])
        .arg(&json)
        .env("PYPROOF_OUTPUT_DIR", out_dir.path())
        .output()
        .expect("runs under taskset");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let results: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&json).expect("results written")).expect("json");
    assert_eq!(results["environment"]["host"]["cores_available"], 1);
    let verdicts = results["outcomes"][0]["verdicts"]
        .as_array()
        .expect("verdicts");
    assert_eq!(verdicts.len(), 10);
    for v in verdicts {
        if v["claim"]["id"] == "gil_not_thread_safe" {
            assert!(
                v["evidence"]
                    .as_str()
                    .expect("evidence")
                    .contains("with a lock 0 of 200000 lost"),
                "{v}"
            );
            continue;
        }
        assert_eq!(v["verdict"], "inconclusive", "{v}");
        assert!(
            v["evidence"]
                .as_str()
                .expect("evidence")
                .starts_with("only 1 core"),
            "{v}"
        );
    }
    assert!(out_dir.path().join("results.json").exists());
}

/// Children of `pid` whose command line contains `needle`.
fn children_matching(pid: i32, needle: &str) -> Vec<i32> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<i32>().ok())
        .filter(|&p| {
            let cmd = std::fs::read(format!("/proc/{p}/cmdline")).unwrap_or_default();
            process::parent_of(p) == Some(pid) && String::from_utf8_lossy(&cmd).contains(needle)
        })
        .collect()
}

#[test]
fn sigint_stops_the_run_and_its_pool_workers_and_writes_nothing() {
    let out_dir = tempfile::tempdir().expect("tempdir");
    // stderr goes to a file, not a pipe: surviving workers would hold a pipe open for ever,
    // and this test must fail on a regression, not hang.
    let log_dir = tempfile::tempdir().expect("tempdir");
    let log = log_dir.path().join("stderr.log");
    // A previous run's results: an interrupted run must leave them byte for byte.
    let previous = out_dir.path().join("results.json");
    let old_report = b"{\"schema\": \"a previous run\", \"outcomes\": []}\n";
    std::fs::write(&previous, old_report).expect("old report");
    let mut child = Command::new(env!("CARGO_BIN_EXE_pyproof"))
        .args(["run", "gil_contention", "--scale", "default"])
        .env("PYPROOF_OUTPUT_DIR", out_dir.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(&log).expect("log file"))
        .spawn()
        .expect("starts");
    let pid = child.id() as i32;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    let workers = loop {
        let w = children_matching(pid, "multiprocessing.spawn");
        if !w.is_empty() {
            break w;
        }
        if std::time::Instant::now() > deadline || child.try_wait().expect("poll").is_some() {
            let _ = child.kill();
            panic!("no pool worker appeared");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    // SAFETY: signalling our own child.
    unsafe { libc::kill(pid, libc::SIGINT) };
    let status = child.wait().expect("exits");
    assert_eq!(status.code(), Some(130));
    std::thread::sleep(std::time::Duration::from_millis(300));
    let survivors: Vec<_> = workers
        .iter()
        .copied()
        .filter(|&w| process::is_alive(w))
        .collect();
    for &w in &survivors {
        // SAFETY: clean up after a failing run; these were our child's workers.
        unsafe { libc::kill(w, libc::SIGKILL) };
    }
    assert!(survivors.is_empty(), "pool workers survived: {survivors:?}");
    let stderr = std::fs::read_to_string(&log).expect("stderr log");
    assert!(stderr.contains("pyproof: interrupted"), "{stderr}");
    assert_eq!(
        std::fs::read(&previous).expect("old report still there"),
        old_report,
        "the previous results are untouched"
    );
    let others: Vec<_> = std::fs::read_dir(out_dir.path())
        .expect("ls")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name())
        .filter(|n| n != "results.json" && n != "cache")
        .collect();
    assert!(others.is_empty(), "nothing else may be written: {others:?}");
}

#[test]
fn a_closed_stdout_ends_quietly_with_141() {
    use std::os::fd::FromRawFd;
    // A pipe whose read end is closed before pyproof starts: its first line meets EPIPE,
    // as `pyproof list | head -0` would, deterministically.
    let mut fds = [0; 2];
    // Close-on-exec: a child another test spawns meanwhile must not inherit the read end
    // (it would keep the pipe open, the write would succeed and the test fail by chance).
    // SAFETY: pipe2 fills the two descriptors; each is closed or handed to Stdio once.
    assert_eq!(unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) }, 0);
    unsafe { libc::close(fds[0]) };
    let write_end = unsafe { std::process::Stdio::from_raw_fd(fds[1]) };
    let out = Command::new(env!("CARGO_BIN_EXE_pyproof"))
        .arg("list")
        .stdout(write_end)
        .stderr(std::process::Stdio::piped())
        .output()
        .expect("pyproof runs");
    assert_eq!(out.status.code(), Some(141), "{out:?}");
    assert!(
        out.stderr.is_empty(),
        "no panic report: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}
