//! cpu_parallelism in process: a quick run measures every executor at every size (the same
//! checksums, checked inside the run) and judges the three claims.

use cpu_parallelism::CpuParallelism;
use cpu_parallelism::judge::ids;
use pyproof_harness::testing::run_quick;

#[test]
fn a_quick_run_measures_every_executor_and_judges_every_claim() {
    let outcome = run_quick(&CpuParallelism);
    let claims: Vec<&str> = outcome
        .verdicts
        .iter()
        .map(|v| v.claim.id.as_str())
        .collect();
    assert_eq!(claims, ids::ALL);
    for key in [
        "size10us.sequential.seconds",
        "size1000us.threads.speedup",
        "size1000us.processes_chunks_1.speedup",
        "size100000us.processes_chunks_auto.speedup",
    ] {
        let m = outcome
            .measurement(key)
            .unwrap_or_else(|| panic!("{key} missing"));
        assert!(!m.samples.is_empty(), "{key} has every round's samples");
    }
}
