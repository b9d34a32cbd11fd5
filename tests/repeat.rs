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

#[test]
fn a_flapping_verdict_is_flagged_in_the_report_not_hidden() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut results = common::run_json_in(
        dir.path(),
        &["run", "mro", "--scale", "quick", "--repeat", "2"],
        false,
    )
    .expect("ran");
    // A verdict that changed between the two runs (facts cannot flap here, so say one did).
    results["repeats"][0]["verdicts"][1] = serde_json::json!("refuted");
    results["repeats"][0]["flapping"] = serde_json::json!(true);
    let claim = results["repeats"][0]["label"]
        .as_str()
        .expect("label")
        .to_string();
    let edited = dir.path().join("flapping.json");
    std::fs::write(&edited, results.to_string()).expect("write");
    let out_dir = dir.path().join("report");
    let out = Command::new(env!("CARGO_BIN_EXE_pyproof"))
        .args(["report", "--results"])
        .arg(&edited)
        .arg("--out")
        .arg(&out_dir)
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let read = |name: &str| std::fs::read_to_string(out_dir.join(name)).expect(name);
    let (html, md) = (read("index.html"), read("report.md"));
    // The claim's page marks it; the scorecard says the standing rests on it.
    assert!(read("mro.html").contains("<span class=\"flapping\">(flapping)</span>"));
    assert!(read("mro.md").contains("**Confirmed** (flapping)"));
    assert!(
        html.contains(&format!("flapping over the repeated runs: {claim}")),
        "{html}"
    );
    assert!(html.contains("id=\"repeatability\""));
    assert!(
        html.contains(
            "1 of 3 verdicts changed between the 2 runs — 1 between two verdicts, 0 between a \
             verdict and Inconclusive or a failed run"
        ),
        "{html}"
    );
    assert!(
        md.contains(&format!("| mro | {claim} | Confirmed → Refuted |")),
        "{md}"
    );
}
