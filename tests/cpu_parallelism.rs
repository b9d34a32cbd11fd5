//! cpu_parallelism through the CLI: a quick run measures every executor at every size (same
//! checksums, checked inside the run) and judges the three claims; on one core all three are
//! Inconclusive.

mod common;

#[test]
fn a_quick_run_measures_every_executor_and_judges_every_claim() {
    let results =
        common::run_json(&["run", "cpu_parallelism", "--scale", "quick"], false).expect("ran");
    let outcome = &results["outcomes"][0];
    let claims: Vec<String> = common::verdicts(outcome).into_iter().map(|v| v.0).collect();
    assert_eq!(
        claims,
        [
            "multiprocessing_best",
            "threads_no_speedup",
            "chunksize_moves_crossover"
        ]
    );
    let keys = common::measurement_keys(outcome);
    for key in [
        "size10us.sequential.seconds",
        "size1000us.threads.speedup",
        "size1000us.processes_chunks_1.speedup",
        "size100000us.processes_chunks_auto.speedup",
    ] {
        assert!(keys.iter().any(|k| k == key), "{key} missing from {keys:?}");
    }
}

#[test]
fn on_one_core_every_claim_is_inconclusive() {
    common::assert_inconclusive_on_one_core("cpu_parallelism", &[]);
}
