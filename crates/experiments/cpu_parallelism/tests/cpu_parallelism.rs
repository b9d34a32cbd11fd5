//! cpu_parallelism in process: a quick run measures every executor at every size (the same
//! checksums, checked inside the run) and judges the five claims — (4) and (5) under the
//! free-threaded builds on the machine and their GIL twins, when there are any (CI builds one
//! first).

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
    let mut declared = ids::ALL.to_vec();
    declared.extend([ids::EVERY_BUILD, ids::SINGLE_THREAD_COST]);
    assert_eq!(claims, declared);
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

    // (4): each free-threaded build and its GIL twin measured, each build's verdict kept.
    let (found, _) = pyproof_python::pythons::find_all(&[]);
    // Today's releases: InterpreterPoolExecutor beside the pools, and what NumPy does in a
    // subinterpreter (CI installs 3.15 first: PYPROOF_REQUIRE_TODAY).
    let today: Vec<String> = cpu_parallelism::builds::builds_to_run(&found)
        .iter()
        .filter(|i| i.found.version >= cpu_parallelism::builds::TODAY)
        .map(|i| i.found.build_name())
        .collect();
    if std::env::var_os("PYPROOF_REQUIRE_TODAY").is_some() {
        assert!(
            !today.is_empty(),
            "CI installs 3.15 before the tests; none was found"
        );
    }
    for name in &today {
        let key = format!("builds.{name}.interpreters.speedup");
        assert!(outcome.measurement(&key).is_some(), "{key} missing");
        assert!(
            outcome
                .notes
                .iter()
                .any(|n| n.starts_with(&format!("Python {name}: ")) && n.contains("subinterpreter")),
            "no subinterpreter note for {name}: {:?}",
            outcome.notes
        );
    }
    let free_threaded = found
        .iter()
        .any(|i| i.found.free_threaded && !i.found.gil_enabled);
    if std::env::var_os("PYPROOF_REQUIRE_FREE_THREADED").is_some() {
        assert!(
            free_threaded,
            "CI builds 3.13t before the tests; none was found"
        );
    }
    let every_build = outcome
        .verdicts
        .iter()
        .find(|v| v.claim.id == ids::EVERY_BUILD)
        .expect("judged");
    // (5): the free-threaded build's sequential time against its twin's, when there is one.
    let single = outcome
        .verdicts
        .iter()
        .find(|v| v.claim.id == ids::SINGLE_THREAD_COST)
        .expect("judged");
    let minor = |i: &pyproof_python::pythons::Installed| (i.found.version.0, i.found.version.1);
    let paired = found.iter().any(|ft| {
        ft.found.free_threaded
            && !ft.found.gil_enabled
            && found
                .iter()
                .any(|g| !g.found.free_threaded && minor(g) == minor(ft))
    });
    assert_eq!(
        single.evidence.starts_with("no free-threaded build"),
        !paired,
        "{}",
        single.evidence
    );
    if free_threaded {
        assert!(
            every_build.builds.iter().any(|b| b.free_threaded),
            "{}",
            every_build.evidence
        );
        assert!(
            outcome.measurements.iter().any(
                |m| m.key.starts_with("builds.") && m.key.ends_with("t.processes_over_threads")
            ),
            "the free-threaded build's rounds are kept"
        );
    } else {
        assert!(
            every_build
                .evidence
                .contains("no free-threaded CPython was found"),
            "{}",
            every_build.evidence
        );
    }
}
