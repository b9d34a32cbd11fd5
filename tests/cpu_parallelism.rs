//! cpu_parallelism through the CLI: a quick run measures every executor at every size (same
//! checksums, checked inside the run) and judges the three claims; on one core all three are
//! Inconclusive.

use std::process::Command;

fn run(args: &[&str], taskset: bool) -> serde_json::Value {
    let dir = tempfile::tempdir().expect("tempdir");
    let json = dir.path().join("results.json");
    let mut cmd = if taskset {
        let mut c = Command::new("taskset");
        c.args(["-c", "0", env!("CARGO_BIN_EXE_pyproof")]);
        c
    } else {
        Command::new(env!("CARGO_BIN_EXE_pyproof"))
    };
    let out = cmd
        .env("PYPROOF_OUTPUT_DIR", dir.path())
        .args(args)
        .arg("--json")
        .arg(&json)
        .output()
        .expect("runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&std::fs::read(&json).expect("results written")).expect("json")
}

#[test]
fn a_quick_run_measures_every_executor_and_judges_every_claim() {
    let results = run(&["run", "cpu_parallelism", "--scale", "quick"], false);
    let outcome = &results["outcomes"][0];
    let claims: Vec<&str> = outcome["verdicts"]
        .as_array()
        .expect("verdicts")
        .iter()
        .map(|v| v["claim"]["id"].as_str().expect("id"))
        .collect();
    assert_eq!(
        claims,
        [
            "multiprocessing_best",
            "threads_no_speedup",
            "chunksize_moves_crossover"
        ]
    );
    let keys: Vec<&str> = outcome["measurements"]
        .as_array()
        .expect("measurements")
        .iter()
        .map(|m| m["key"].as_str().expect("key"))
        .collect();
    for key in [
        "size10us.sequential.seconds",
        "size1000us.threads.speedup",
        "size1000us.processes_chunks_1.speedup",
        "size100000us.processes_chunks_auto.speedup",
    ] {
        assert!(keys.contains(&key), "{key} missing from {keys:?}");
    }
}

#[test]
fn on_one_core_every_claim_is_inconclusive() {
    if Command::new("taskset").arg("--version").output().is_err() {
        eprintln!("taskset not installed: skipped");
        return;
    }
    let results = run(&["run", "cpu_parallelism", "--scale", "quick"], true);
    assert_eq!(results["environment"]["host"]["cores_available"], 1);
    for v in results["outcomes"][0]["verdicts"]
        .as_array()
        .expect("verdicts")
    {
        assert_eq!(v["verdict"], "inconclusive", "{v}");
    }
}
