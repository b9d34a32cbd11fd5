//! `pyproof run --repeat N`: every claim's verdict in each run is saved, and claims whose
//! verdict changed are flagged (here none can: the experiments judge deterministic facts).

mod common;

use std::process::Command;

#[test]
fn repeated_runs_record_every_verdict_of_every_run() {
    let dir = tempfile::tempdir().expect("tempdir");
    let results = common::run_json_in(
        dir.path(),
        &[
            "run",
            "mro",
            "mutable_defaults",
            "--scale",
            "quick",
            "--repeat",
            "2",
        ],
        false,
    )
    .expect("ran");
    let repeats = results["repeats"].as_array().expect("repeats saved");
    let claims: usize = results["outcomes"]
        .as_array()
        .expect("outcomes")
        .iter()
        .map(|o| o["verdicts"].as_array().expect("verdicts").len())
        .sum();
    assert_eq!(repeats.len(), claims);
    for r in repeats {
        let verdicts = r["verdicts"].as_array().expect("verdicts");
        assert_eq!(verdicts.len(), 2, "{r}");
        assert_eq!(verdicts[0], verdicts[1], "{r}");
        assert_eq!(r["flapping"], false, "{r}");
    }
}

#[test]
fn the_terminal_says_whether_any_verdict_changed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = Command::new(env!("CARGO_BIN_EXE_pyproof"))
        .env("PYPROOF_OUTPUT_DIR", dir.path())
        .args(["run", "mro", "--scale", "quick", "--repeat", "2"])
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("━━ run 2 of 2 ━━"), "{stdout}");
    assert!(
        stdout.contains("verdicts was the same in all 2 runs."),
        "{stdout}"
    );
}
