//! generator_memory through the CLI: a quick run judges both claims from the memory it
//! counted (deterministic: tracemalloc's and the allocator's counts, not timings).

use std::process::Command;

#[test]
fn a_quick_run_finds_lists_linear_and_generators_flat() {
    let dir = tempfile::tempdir().expect("tempdir");
    let json = dir.path().join("results.json");
    let out = Command::new(env!("CARGO_BIN_EXE_pyproof"))
        .env("PYPROOF_OUTPUT_DIR", dir.path())
        .args(["run", "generator_memory", "--scale", "quick", "--json"])
        .arg(&json)
        .output()
        .expect("runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let results: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&json).expect("results written")).expect("json");
    let outcome = &results["outcomes"][0];
    let verdicts: Vec<(&str, &str)> = outcome["verdicts"]
        .as_array()
        .expect("verdicts")
        .iter()
        .map(|v| {
            (
                v["claim"]["id"].as_str().expect("id"),
                v["verdict"].as_str().expect("verdict"),
            )
        })
        .collect();
    assert_eq!(
        verdicts,
        [
            ("lists_grow_linearly", "confirmed"),
            ("generators_stay_flat", "confirmed")
        ]
    );
    let peak = |key: &str| -> f64 {
        outcome["measurements"]
            .as_array()
            .expect("measurements")
            .iter()
            .find(|m| m["key"] == key)
            .unwrap_or_else(|| panic!("{key} missing"))["samples"][0]
            .as_f64()
            .expect("a number")
    };
    // A Vec<u64> of n items is exactly 8n bytes; the iterator allocates nothing.
    assert_eq!(peak("rust.vec.n100000.peak_bytes"), 800_000.0);
    assert_eq!(peak("rust.iter.n100000.peak_bytes"), 0.0);
    // A Python list of n ints above 256: an 8-byte slot and a 32-byte int each.
    let per_item =
        (peak("python.list.n100000.peak_bytes") - peak("python.list.n10000.peak_bytes")) / 90_000.0;
    assert!((35.0..45.0).contains(&per_item), "{per_item}");
    assert_eq!(
        peak("python.generator.n1000.peak_bytes"),
        peak("python.generator.n100000.peak_bytes")
    );
}
