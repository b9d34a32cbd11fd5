//! generator_memory through the CLI: a quick run judges both claims from the memory it
//! counted (deterministic: tracemalloc's and the allocator's counts, not timings).

mod common;

#[test]
fn a_quick_run_finds_lists_linear_and_generators_flat() {
    let results =
        common::run_json(&["run", "generator_memory", "--scale", "quick"], false).expect("ran");
    let outcome = &results["outcomes"][0];
    assert_eq!(
        common::verdicts(outcome),
        [
            ("lists_grow_linearly".to_string(), "confirmed".to_string()),
            ("generators_stay_flat".to_string(), "confirmed".to_string())
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
