//! Helpers the integration tests share: running the pyproof binary with `--json` and reading
//! what it wrote.

#![allow(dead_code)] // each test file uses its own subset

pub mod browser;

use std::process::Command;

/// Runs `pyproof <args> --json <tmp>` (pinned to core 0 with taskset when `one_core`), asserts
/// it succeeded, and returns the results JSON. None when `one_core` and taskset is missing.
pub fn run_json(args: &[&str], one_core: bool) -> Option<serde_json::Value> {
    let dir = tempfile::tempdir().expect("tempdir");
    run_json_in(dir.path(), args, one_core)
}

/// [`run_json`] with `PYPROOF_OUTPUT_DIR` set to `dir` (the JSON is written there too).
pub fn run_json_in(
    dir: &std::path::Path,
    args: &[&str],
    one_core: bool,
) -> Option<serde_json::Value> {
    let json = dir.join("results-of-test.json");
    let mut cmd = if one_core {
        if Command::new("taskset").arg("--version").output().is_err() {
            eprintln!("taskset not installed: skipped");
            return None;
        }
        let mut c = Command::new("taskset");
        c.args(["-c", "0", env!("CARGO_BIN_EXE_pyproof")]);
        c
    } else {
        Command::new(env!("CARGO_BIN_EXE_pyproof"))
    };
    let out = cmd
        .env("PYPROOF_OUTPUT_DIR", dir)
        .args(args)
        .arg("--json")
        .arg(&json)
        .output()
        .expect("runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(serde_json::from_slice(&std::fs::read(&json).expect("results written")).expect("json"))
}

/// (claim id, verdict) of every verdict of `outcome`, in order.
pub fn verdicts(outcome: &serde_json::Value) -> Vec<(String, String)> {
    outcome["verdicts"]
        .as_array()
        .expect("verdicts")
        .iter()
        .map(|v| {
            (
                v["claim"]["id"].as_str().expect("id").to_string(),
                v["verdict"].as_str().expect("verdict").to_string(),
            )
        })
        .collect()
}

/// The keys of every measurement of `outcome`.
pub fn measurement_keys(outcome: &serde_json::Value) -> Vec<String> {
    outcome["measurements"]
        .as_array()
        .expect("measurements")
        .iter()
        .map(|m| m["key"].as_str().expect("key").to_string())
        .collect()
}

/// Asserts that a one-core run of `id` (quick scale, plus `extra` arguments) found every
/// claim Inconclusive — no parallel effect can be shown on one core — but the claims of
/// `one_core_can_judge`, which need no second core, and must be judged (not Inconclusive).
pub fn assert_inconclusive_on_one_core(id: &str, extra: &[&str], one_core_can_judge: &[&str]) {
    let mut args = vec!["run", id, "--scale", "quick"];
    args.extend_from_slice(extra);
    let Some(results) = run_json(&args, true) else {
        return;
    };
    assert_eq!(results["environment"]["host"]["cores_available"], 1);
    let verdicts = verdicts(&results["outcomes"][0]);
    for (claim, verdict) in &verdicts {
        if one_core_can_judge.contains(&claim.as_str()) {
            assert_ne!(verdict, "inconclusive", "{claim}");
        } else {
            assert_eq!(verdict, "inconclusive", "{claim}");
        }
    }
    for claim in one_core_can_judge {
        assert!(
            verdicts.iter().any(|(c, _)| c == claim),
            "{claim} not judged"
        );
    }
}
