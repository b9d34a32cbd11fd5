//! image_parallelism end to end: the Python and Rust workers as the real processes they run
//! as — the same pixels give the same bytes in both languages, damaged files are skipped the
//! same way — bad worker arguments, and a quick run through the CLI.

mod common;

use image_parallelism::corpus::{CorpusSpec, Damage, Kind, MAGIC, ensure_corpus, image_file};
use image_parallelism::stages::{Profiles, StageReport, run_profile};
use image_parallelism::worker::RunReport;
use pyproof_proc::WORKER_ENV;
use pyproof_python::{Interpreter, python_command};
use std::io::Write;
use std::path::Path;
use std::process::Command;

fn spec(count: u64) -> CorpusSpec {
    CorpusSpec {
        count,
        width: 40,
        height: 30,
        seed: 11,
        damage_every: 0,
    }
}

fn write_pack(path: &Path, records: &[Vec<u8>]) {
    let mut f = std::fs::File::create(path).expect("create pack");
    f.write_all(MAGIC).expect("magic");
    for r in records {
        f.write_all(&(r.len() as u32).to_le_bytes()).expect("len");
        f.write_all(r).expect("record");
    }
}

/// Runs one worker; returns (exit code, parsed report if any, stderr).
fn worker(rust: bool, args: &[&str], pack: &Path) -> (i32, Option<RunReport>, String) {
    let mut cmd = if rust {
        let mut c = Command::new(env!("CARGO_BIN_EXE_pyproof"));
        c.env(WORKER_ENV, "images");
        c
    } else {
        let mut c = python_command(Interpreter::get().expect("python"));
        c.args(["-m", "pyproof.image_parallelism"]);
        c
    };
    let out = cmd
        .args(&args[..3])
        .arg(pack)
        .args(&args[3..])
        .output()
        .expect("worker runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    (
        out.status.code().unwrap_or(-1),
        serde_json::from_str(stdout.trim()).ok(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn python_and_rust_threshold_agree_byte_for_byte_on_png_and_skip_the_same_damage() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = spec(40);
    let mut pngs = Vec::new();
    let mut jpeg = None;
    for i in 0..s.count {
        match image_file(&s, i).expect("encodes") {
            (bytes, Kind::Png) => pngs.push(bytes),
            (bytes, Kind::Jpeg) => jpeg = Some(bytes),
            _ => {}
        }
    }
    assert!(pngs.len() >= 10, "only {} PNGs", pngs.len());
    let jpeg = jpeg.expect("a JPEG among 40");
    let png = pngs[0].clone();
    // Damage of every kind: truncated JPEG and PNG, garbage, empty.
    let damaged = vec![
        jpeg[..jpeg.len() * 2 / 5].to_vec(),
        png[..png.len() * 2 / 5].to_vec(),
        vec![0u8; 300],
        Vec::new(),
    ];
    let mut records = pngs.clone();
    records.extend(damaged);
    let pack = dir.path().join("png.pack");
    write_pack(&pack, &records);

    let (code, py, err) = worker(false, &["threshold", "sequential", "1"], &pack);
    assert_eq!(code, 0, "{err}");
    let (code, rs, err) = worker(true, &["threshold", "sequential", "1"], &pack);
    assert_eq!(code, 0, "{err}");
    let (py, rs) = (py.expect("python report"), rs.expect("rust report"));
    assert_eq!(py.tally, rs.tally, "same outputs, same skips");
    assert_eq!(
        (py.tally.processed, py.tally.skipped),
        (pngs.len() as u64, 4)
    );
    // Thumbnails differ between the libraries (other filters, other encoder) but both skip
    // exactly the four damaged files.
    let (_, py, _) = worker(false, &["thumbnail", "threads", "2"], &pack);
    let (_, rs, _) = worker(true, &["thumbnail", "rayon", "2"], &pack);
    assert_eq!(py.expect("python").tally.skipped, 4);
    assert_eq!(rs.expect("rust").tally.skipped, 4);
}

#[test]
fn rayon_gives_the_same_outputs_for_every_k_and_streaming() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut s = spec(30);
    s.damage_every = 7;
    let corpus = ensure_corpus(dir.path(), &s, &|_, _| {}).expect("corpus");
    assert_eq!(corpus.info.damaged(), 4);
    let mut tallies = Vec::new();
    for args in [
        vec!["thumbnail", "sequential", "1"],
        vec!["thumbnail", "rayon", "1"],
        vec!["thumbnail", "rayon", "3"],
        vec!["thumbnail", "rayon", "2", "--stream"],
        vec!["thumbnail", "rayon", "2", "--count", "30"],
    ] {
        let (code, report, err) = worker(true, &args, &corpus.path);
        assert_eq!(code, 0, "{args:?}: {err}");
        let report = report.expect("report");
        assert_eq!(report.tally.images(), 30);
        tallies.push(report.tally);
    }
    assert!(tallies.windows(2).all(|w| w[0] == w[1]), "{tallies:?}");
    assert_eq!(tallies[0].skipped, 4);
    assert!(matches!(
        image_parallelism::corpus::damage_of(&s, 6),
        Some(Damage::Truncated)
    ));
}

#[test]
fn a_paired_run_times_rayon_and_sequential_pass_by_pass_on_the_same_outputs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let corpus = ensure_corpus(dir.path(), &spec(24), &|_, _| {}).expect("corpus");
    let (code, sequential, err) = worker(true, &["thumbnail", "sequential", "1"], &corpus.path);
    assert_eq!(code, 0, "{err}");
    let sequential = sequential.expect("report");
    // Warm: one untimed pass (in the start-up, and reported as what running once costs),
    // then one timed pass.
    assert_eq!(sequential.pass_s.len(), 1);
    assert!(sequential.sequential_pass_s.is_empty());
    let cold = sequential
        .cold_s
        .expect("a warm run reports its first pass");
    assert!(cold > 0.0 && cold <= sequential.startup_s, "{sequential:?}");
    // Paired with no window: three pairs, rayon's and the sequential pipeline's passes side by
    // side, every one on the same outputs.
    let args = ["thumbnail", "rayon", "2", "--paired", "--window", "0"];
    let (code, paired, err) = worker(true, &args, &corpus.path);
    assert_eq!(code, 0, "{err}");
    let paired = paired.expect("report");
    assert_eq!(paired.tally, sequential.tally);
    assert_eq!(
        paired.pass_s.len(),
        image_parallelism::worker::PAIRS_AT_LEAST
    );
    assert_eq!(paired.sequential_pass_s.len(), paired.pass_s.len());
    assert!(
        paired.cold_s.is_none(),
        "its start-up warmed both pipelines"
    );
    let mean = paired.pass_s.iter().sum::<f64>() / paired.pass_s.len() as f64;
    assert!(
        (paired.work_s - mean).abs() < 1e-9,
        "work_s is rayon's mean pass"
    );
    // A window is filled with whole pairs: at least as long as asked.
    let args = ["thumbnail", "rayon", "2", "--paired", "--window", "0.3"];
    let (code, windowed, err) = worker(true, &args, &corpus.path);
    assert_eq!(code, 0, "{err}");
    let windowed = windowed.expect("report");
    let timed: f64 = windowed
        .pass_s
        .iter()
        .chain(&windowed.sequential_pass_s)
        .sum();
    assert!(timed >= 0.3 * 0.95, "{timed} s of passes in a 0.3 s window");
    assert_eq!(windowed.pass_s.len(), windowed.sequential_pass_s.len());
}

#[test]
fn bad_worker_arguments_are_one_line_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("missing.pack");
    for (args, why) in [
        (vec!["sharpen", "rayon", "2"], "unknown workload 'sharpen'"),
        (vec!["thumbnail", "forks", "2"], "unknown executor 'forks'"),
        (vec!["thumbnail", "rayon", "0"], "bad worker count '0'"),
        (
            vec!["thumbnail", "sequential", "2"],
            "sequential runs with k = 1",
        ),
        (vec!["thumbnail", "rayon", "2"], "opening"),
        (
            vec!["thumbnail", "rayon", "2", "--count", "-1"],
            "--count needs",
        ),
        (
            vec!["thumbnail", "sequential", "1", "--paired"],
            "--paired pairs rayon's passes",
        ),
        (
            vec!["thumbnail", "rayon", "2", "--stream", "--paired"],
            "--stream goes with neither",
        ),
        (
            vec!["thumbnail", "rayon", "2", "--window", "-1"],
            "--window needs",
        ),
        (
            vec!["thumbnail", "rayon", "2", "--window", "NaN"],
            "--window needs",
        ),
    ] {
        let (code, report, err) = worker(true, &args, &missing);
        assert_eq!(code, 3, "{args:?}");
        assert!(report.is_none());
        assert!(
            err.starts_with("error: ") && err.contains(why) && err.trim().lines().count() == 1,
            "{args:?}: {err}"
        );
    }
    // A pack that is not one.
    let bogus = dir.path().join("bogus.pack");
    std::fs::write(&bogus, b"hello").expect("write");
    let (code, _, err) = worker(true, &["thumbnail", "rayon", "2"], &bogus);
    assert_eq!(code, 3);
    assert!(err.contains("not an image pack"), "{err}");
    let (code, _, err) = worker(false, &["thumbnail", "threads", "2"], &bogus);
    assert_eq!(code, 3);
    assert!(err.contains("not an image pack"), "{err}");
}

#[test]
fn both_stage_profiles_see_the_same_images_and_bad_arguments_are_one_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let spec = CorpusSpec {
        damage_every: 7,
        ..spec(21)
    };
    let corpus = ensure_corpus(dir.path(), &spec, &|_, _| {}).expect("corpus");
    let timeout = std::time::Duration::from_secs(120);
    let pillow = run_profile("pillow", &corpus.path, 21, timeout).expect("pillow profile");
    // The harness re-executes itself; here the worker is the pyproof binary.
    let out = Command::new(env!("CARGO_BIN_EXE_pyproof"))
        .env(WORKER_ENV, "images")
        .arg("stages")
        .arg(&corpus.path)
        .args(["--count", "21"])
        .output()
        .expect("rust profile runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rust: StageReport = serde_json::from_slice(&out.stdout).expect("one JSON report");
    assert_eq!(rust.pipeline, "rust");
    assert_eq!(pillow.skipped, corpus.info.damaged());
    for (a, b) in [(&pillow, &rust), (&rust, &pillow)] {
        for (format, f) in &a.formats {
            assert_eq!(f.images, b.formats[format].images, "{format}");
        }
    }
    assert_eq!(pillow.skipped, rust.skipped);
    let profiles = Profiles {
        pillow: vec![pillow],
        rust: vec![rust],
    };
    profiles.check().expect("same images");
    assert_eq!(
        profiles.table().rows.len(),
        2 + 4 + 1,
        "jpeg, png, 4 stages, total"
    );
    for args in [
        vec!["stages"],
        vec!["stages", "a.pack", "--count"],
        vec!["stages", "a.pack", "--count", "0"],
        vec!["stages", "a.pack", "--stream"],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_pyproof"))
            .env(WORKER_ENV, "images")
            .args(&args)
            .output()
            .expect("runs");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{args:?}");
        assert!(
            err.starts_with("error: ") && err.trim().lines().count() == 1,
            "{args:?}: {err}"
        );
    }
}

#[test]
fn a_quick_run_through_the_cli_judges_every_claim() {
    let args = [
        "run",
        "image_parallelism",
        "--scale",
        "quick",
        "--images",
        "24",
        "--image-size",
        "48x40",
    ];
    let results = common::run_json(&args, false).expect("ran");
    let outcome = &results["outcomes"][0];
    assert_eq!(outcome["id"], "image_parallelism");
    assert_eq!(outcome["parameters"]["corpus"], "24 × 48×40");
    let claims: Vec<String> = common::verdicts(outcome).into_iter().map(|v| v.0).collect();
    assert_eq!(
        claims,
        [
            "threads_throttled",
            "processes_scale",
            "multiprocessing_is_the_answer",
            "rayon_beyond",
            "decode_before_executor",
            "dask_one_machine",
            "dask_killed_worker",
            "every_build"
        ]
    );
    // A worker killed mid-run. Stopping the cluster whole is our code's job: tested exactly.
    // Rerunning the lost tasks is Dask's, and what claim (7) measures: Dask has known races
    // where a killed worker's task ends cancelled (dask/distributed#1352), so the test accepts
    // a run Dask failed — named in the evidence — but never outputs that differ silently.
    let killed = outcome["verdicts"]
        .as_array()
        .expect("verdicts")
        .iter()
        .find(|v| v["claim"]["id"] == "dask_killed_worker")
        .expect("judged");
    let evidence = killed["evidence"].as_str().expect("evidence");
    assert!(
        evidence
            .contains("nothing left behind: every process of the cluster gone after it stopped"),
        "{evidence}"
    );
    assert!(
        killed["verdict"] == "confirmed" || evidence.contains("every image out: the run failed: "),
        "{}: {evidence}",
        killed["verdict"]
    );
    let keys = common::measurement_keys(outcome);
    for key in [
        "pillow_draft.processes.k2.images_per_s",
        "pillow_reduce.sequential.k1.images_per_s",
        "rust_thumbnail_scaled.rayon.k2.images_per_s",
        "python_threshold.threads.k2.speedup",
        "pillow_thumbnail.processes.k4.images_per_s",
        "echo.sequential.k1.images_per_s",
        "rust_thumbnail.rayon.k2.peak_anon_mib",
        "stages.pillow.decode_us",
        "stages.rust.encode_us",
        "pillow_thumbnail.dask.k2.images_per_s",
        "pyvips_thumbnail.threads.k2.images_per_s",
        "pyvips_thumbnail.sequential.k1.images_per_s",
        "pillow_thumbnail.dask.k2.peak_anon_mib",
        "dask.empty_task_s",
        "dask.pool_empty_task_s",
        "dask.sweep.b1.images_per_s",
        "dask.sweep.b32.images_per_s",
    ] {
        assert!(keys.iter().any(|k| k == key), "{key} missing from {keys:?}");
    }
}

#[test]
fn an_unreachable_dask_scheduler_is_one_line_and_a_non_zero_exit() {
    let dir = tempfile::tempdir().expect("tempdir");
    let started = std::time::Instant::now();
    // Port 1 on loopback: nothing listens there.
    let out = Command::new(env!("CARGO_BIN_EXE_pyproof"))
        .env("PYPROOF_OUTPUT_DIR", dir.path())
        .args(["run", "image_parallelism", "--scale", "quick"])
        .args(["--images", "8", "--dask-scheduler", "127.0.0.1:1"])
        .output()
        .expect("runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    let lines: Vec<&str> = err
        .lines()
        .filter(|l| l.contains("no Dask scheduler answers there"))
        .collect();
    assert_eq!(lines.len(), 1, "{err}");
    assert!(lines[0].contains("--dask-scheduler 127.0.0.1:1"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(started.elapsed() < std::time::Duration::from_secs(60));
}

#[test]
fn on_one_core_every_claim_is_inconclusive() {
    // taskset pins the run and everything it starts to core 0: no speedup can be shown. A
    // killed Dask worker's tasks are rerun (or not) on one core as on two.
    common::assert_inconclusive_on_one_core(
        "image_parallelism",
        &["--images", "12", "--image-size", "32"],
        &["dask_killed_worker"],
    );
}
