//! dataframe_memory end to end: every variant as the real process it runs as, on malformed
//! files (the policy: skip and count exactly as the reference reader does, or stop with one
//! line — never a different answer), and a quick run through the CLI.

use dataframe_memory::data::{Dataset, HEADER, ensure_dataset, find_ragged, scan};
use dataframe_memory::runs::{convert_to_parquet, parquet_path, spill_dir};
use dataframe_memory::worker::{WORKER_ENV, WorkerReport, set_aside_ragged};
use dataframe_memory::{Plan, Variant};
use pyproof_harness::Scale;
use pyproof_python::{Interpreter, python_command};
use std::path::Path;
use std::process::Command;

fn worker(variant: Variant, csv: &Path) -> (i32, String, String) {
    let mut cmd = if variant.is_rust_polars() {
        let mut c = Command::new(env!("CARGO_BIN_EXE_pyproof"));
        c.env(WORKER_ENV, "polars").arg(variant.id());
        c
    } else {
        let mut c = python_command(Interpreter::get().expect("python"));
        c.args(["-m", "pyproof.dataframe_memory", variant.id()]);
        if variant == Variant::DuckdbCsvLimited {
            c.arg("--spill-dir").arg(spill_dir(csv));
        }
        c
    };
    let out = cmd.arg(csv).output().expect("worker runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The variants that read the CSV (the Parquet readers read the strict conversion's output,
/// tested on its own).
fn csv_readers() -> Vec<Variant> {
    Variant::ALL
        .into_iter()
        .filter(|v| !v.reads_parquet())
        .collect()
}

/// Runs every CSV reader on `csv`; each must either match the reference reader exactly
/// (answer and skipped rows) or stop with exit code 3 and one `error:` line. Returns the
/// variants that stopped.
fn check_policy(csv: &Path) -> Vec<Variant> {
    let reference = scan(csv).ok();
    let ragged = find_ragged(csv).unwrap_or_default();
    let mut stopped = Vec::new();
    for v in csv_readers() {
        let (code, stdout, stderr) = worker(v, csv);
        if code == 0 {
            let mut report: WorkerReport = serde_json::from_str(stdout.trim())
                .unwrap_or_else(|e| panic!("{}: {e}: {stdout}", v.id()));
            set_aside_ragged(&mut report, &ragged);
            match &reference {
                Some(r) => {
                    report
                        .answer
                        .check_against(&r.answer, v.tolerance())
                        .unwrap_or_else(|e| panic!("{} on {}: {e}", v.id(), csv.display()));
                    assert_eq!(report.skipped, r.skipped(), "{}", v.id());
                }
                None => assert_eq!(report.answer.rows, 0, "{}", v.id()),
            }
        } else {
            assert_eq!(code, 3, "{}: {stderr}", v.id());
            assert_eq!(stdout, "", "{}", v.id());
            assert!(stderr.starts_with("error: "), "{}: {stderr}", v.id());
            assert_eq!(stderr.trim_end().lines().count(), 1, "{}: {stderr}", v.id());
            stopped.push(v);
        }
    }
    stopped
}

fn file_with(dir: &Path, name: &str, tail: &[u8]) -> std::path::PathBuf {
    // Real generated rows first (past polars' 100-row schema inference), the damage after.
    let ds = ensure_dataset(&dir.join("cache"), 60_000, 5, &|_, _| {}).expect("dataset");
    let mut bytes = std::fs::read(&ds.path).expect("read");
    bytes.extend_from_slice(tail);
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write");
    path
}

#[test]
fn structural_damage_is_skipped_and_counted_or_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let csv = file_with(
        dir.path(),
        "structural.csv",
        b"900001,1.00,toys,2021-01-01,unquoted, comma\n\
          900002,2.00,toys\n\
          900003,3.00,,2021-01-01,no category\n\
          900004,,pets,2021-01-01,no price\n\
          900005,9.99,pets,2021-01-01,trailing,extra,fields\n",
    );
    let reference = scan(&csv).expect("scan");
    assert_eq!(reference.bad_rows(), 4);
    let stopped = check_policy(&csv);
    // polars' eager reader refuses rows with extra fields, Arrow's reader rows with fewer
    // (it cannot pad them); everything else skips and counts — DuckDB pads short rows and
    // keeps long ones truncated, which the harness sets aside.
    assert_eq!(
        stopped,
        [
            Variant::PolarsEager,
            Variant::PolarsEagerOverrides,
            Variant::PandasArrow,
            Variant::PandasArrowUsecols
        ]
    );
}

#[test]
fn a_non_numeric_price_is_counted_by_pandas_and_refused_by_typed_readers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let csv = file_with(
        dir.path(),
        "price.csv",
        b"900001,n/a,books,2021-01-01,no price\n",
    );
    // "n/a" is one of pandas' default missing-value markers: every pandas variant, the
    // float32 one included, reads it as NaN and counts the row; polars' typed readers (Rust
    // and Python alike) refuse it.
    assert_eq!(
        check_policy(&csv),
        [
            Variant::PolarsEager,
            Variant::PolarsEagerOverrides,
            Variant::PolarsStreaming,
            Variant::PolarsBatches,
            Variant::PyPolarsStreaming
        ]
    );
    let csv = file_with(
        dir.path(),
        "abc.csv",
        b"900001,abc,books,2021-01-01,no price\n",
    );
    assert_eq!(
        check_policy(&csv),
        [
            Variant::PandasDowncast,
            Variant::PolarsEager,
            Variant::PolarsEagerOverrides,
            Variant::PolarsStreaming,
            Variant::PolarsBatches,
            Variant::PyPolarsStreaming
        ]
    );
}

#[test]
fn invalid_utf8_and_empty_files_stop_every_variant_in_one_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let csv = file_with(
        dir.path(),
        "latin1.csv",
        b"900001,1.00,b\xf6oks,2021-01-01,latin-1\n",
    );
    assert_eq!(check_policy(&csv), csv_readers());
    let empty = dir.path().join("empty.csv");
    std::fs::write(&empty, b"").expect("write");
    check_policy(&empty);
    let header_only = dir.path().join("header.csv");
    std::fs::write(&header_only, format!("{HEADER}\n")).expect("write");
    check_policy(&header_only);
    let missing = dir.path().join("missing.csv");
    assert_eq!(check_policy(&missing), csv_readers());
}

#[test]
fn the_polars_worker_refuses_bad_arguments_in_one_line() {
    for (role, args) in [
        ("polars", vec![]),
        ("polars", vec!["polars_nope", "x.csv"]),
        ("bogus", vec!["a", "b"]),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_pyproof"))
            .env(WORKER_ENV, role)
            .args(&args)
            .output()
            .expect("runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{role} {args:?}");
        assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
        assert!(stderr.starts_with("error: "), "{stderr}");
    }
}

#[test]
fn a_quick_run_through_the_cli_checks_every_answer() {
    let out_dir = tempfile::tempdir().expect("tempdir");
    let json = out_dir.path().join("df.json");
    let out = Command::new(env!("CARGO_BIN_EXE_pyproof"))
        .args(["run", "dataframe_memory", "--scale", "quick"])
        .args(["--csv-size", "3MB", "--json"])
        .arg(&json)
        .env("PYPROOF_OUTPUT_DIR", out_dir.path())
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let results: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&json).expect("results")).expect("json");
    let outcome = &results["outcomes"][0];
    assert_eq!(outcome["id"], "dataframe_memory");
    assert_eq!(outcome["parameters"]["file"], "3.00 MB");
    let verdict = |id: &str| {
        outcome["verdicts"]
            .as_array()
            .expect("verdicts")
            .iter()
            .find(|v| v["claim"]["id"] == id)
            .map(|v| v["verdict"].as_str().unwrap_or("").to_string())
            .expect("judged")
    };
    // Byte counts are deterministic; so is a 1.5 MB file being too small for chunks.
    assert_eq!(verdict("float32_halves"), "demonstrated");
    assert_eq!(verdict("category_cuts"), "confirmed");
    assert_eq!(verdict("chunksize_bounded"), "inconclusive");
    for key in [
        "pandas_default.file.multiple",
        "polars_streaming.half.net_anon_mib",
    ] {
        assert!(
            outcome["measurements"]
                .as_array()
                .expect("measurements")
                .iter()
                .any(|m| m["key"] == key),
            "{key}"
        );
    }
    let cache = out_dir.path().join("cache/dataframe_memory");
    let mut names: Vec<String> = std::fs::read_dir(&cache)
        .expect("cache")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "sales-1500000-seed2026.answer.json",
            "sales-1500000-seed2026.csv",
            "sales-3000000-seed2026.answer.json",
            "sales-3000000-seed2026.csv",
            // The Parquet copy, whole (no partial file, no DuckDB spill directory left).
            "sales-3000000-seed2026.parquet"
        ]
    );
    for id in ["duckdb_limited", "pandas_arrow", "parquet_columns"] {
        assert_ne!(
            verdict(id),
            "skipped",
            "{id}: duckdb and pyarrow are in the venv"
        );
    }
}

#[test]
fn the_parquet_copy_is_whole_or_absent() {
    let dir = tempfile::tempdir().expect("tempdir");
    let plan = Plan::new(Scale::Quick, None);
    let ds = ensure_dataset(&dir.path().join("cache"), 60_000, 5, &|_, _| {}).expect("dataset");
    let done = convert_to_parquet(&ds, &plan).expect("a clean file converts");
    assert_eq!(done.rows, ds.info.answer.rows);
    assert_eq!(
        std::fs::metadata(parquet_path(&ds.path))
            .expect("written")
            .len(),
        done.bytes
    );
    // A damaged file is refused whole: no Parquet copy, no partial file beside it.
    let bad = file_with(dir.path(), "bad.csv", b"900001,1.00,toys,2021-01-01,a, b\n");
    let bad_ds = Dataset {
        path: bad.clone(),
        ..ds.clone()
    };
    let err = convert_to_parquet(&bad_ds, &plan).expect_err("refused");
    assert!(err.to_string().contains("DuckDB"), "{err}");
    let left: Vec<String> = std::fs::read_dir(dir.path())
        .expect("dir")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.starts_with("bad."))
        .collect();
    assert_eq!(left, ["bad.csv"]);
}

#[test]
fn an_absurd_size_is_refused_before_anything_is_written() {
    let out_dir = tempfile::tempdir().expect("tempdir");
    let out = Command::new(env!("CARGO_BIN_EXE_pyproof"))
        .args(["run", "dataframe_memory", "--csv-size", "900GB"])
        .env("PYPROOF_OUTPUT_DIR", out_dir.path())
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr
            .contains("dataframe_memory failed: pandas' default read of a 900 GB CSV needs about"),
        "{stderr}"
    );
    assert!(!out_dir.path().join("cache/dataframe_memory").exists());
}

#[test]
fn sigint_while_generating_leaves_no_partial_dataset() {
    let out_dir = tempfile::tempdir().expect("tempdir");
    let log_dir = tempfile::tempdir().expect("tempdir");
    let log = log_dir.path().join("stderr.log");
    // Big enough that generation (the first thing the run does) is still going when the
    // signal arrives, even in a release build.
    let mut child = Command::new(env!("CARGO_BIN_EXE_pyproof"))
        .args(["run", "dataframe_memory", "--csv-size", "1GB"])
        .env("PYPROOF_OUTPUT_DIR", out_dir.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(&log).expect("log file"))
        .spawn()
        .expect("starts");
    let cache = out_dir.path().join("cache/dataframe_memory");
    let partial = || -> Vec<String> {
        std::fs::read_dir(&cache)
            .map(|d| {
                d.filter_map(|e| e.ok()?.file_name().into_string().ok())
                    .filter(|n| n.contains(".partial-"))
                    .collect()
            })
            .unwrap_or_default()
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while partial().is_empty() {
        if std::time::Instant::now() > deadline || child.try_wait().expect("poll").is_some() {
            let _ = child.kill();
            panic!(
                "no partial file appeared: {}",
                std::fs::read_to_string(&log).unwrap_or_default()
            );
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    // SAFETY: signalling our own child.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let status = child.wait().expect("exits");
    assert_eq!(status.code(), Some(130));
    assert_eq!(
        partial(),
        Vec::<String>::new(),
        "the partial file was removed"
    );
    let left: Vec<_> = std::fs::read_dir(&cache)
        .expect("cache dir")
        .filter_map(|e| e.ok())
        .collect();
    assert!(left.is_empty(), "nothing half-made is left: {left:?}");
    assert!(!out_dir.path().join("results.json").exists());
}
