//! cpu_parallelism through the CLI: on one core all three claims are Inconclusive, and a
//! killed pool worker fails the experiment in one line while the next one still runs (the
//! quick run itself is tested in process, in the answer's crate).

mod common;

#[test]
fn on_one_core_every_claim_is_inconclusive() {
    common::assert_inconclusive_on_one_core("cpu_parallelism", &[], &[]);
}

/// Processes descended from `pid` whose command line contains `needle`.
fn descendants_matching(pid: i32, needle: &str) -> Vec<i32> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<i32>().ok())
        .filter(|&p| {
            let cmd = std::fs::read(format!("/proc/{p}/cmdline")).unwrap_or_default();
            if !String::from_utf8_lossy(&cmd).contains(needle) {
                return false;
            }
            let mut at = p;
            while let Some(parent) = pyproof_proc::process::parent_of(at) {
                if parent == pid {
                    return true;
                }
                if parent <= 1 {
                    return false;
                }
                at = parent;
            }
            false
        })
        .collect()
}

#[test]
fn a_killed_pool_worker_fails_its_experiment_and_the_next_one_still_runs() {
    use std::time::{Duration, Instant};
    let out_dir = tempfile::tempdir().expect("tempdir");
    let json = out_dir.path().join("results-of-test.json");
    // Output to files, not pipes: a surviving worker must not be able to hang this test.
    let log = out_dir.path().join("log.txt");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_pyproof"))
        .args([
            "run",
            "cpu_parallelism",
            "generator_memory",
            "--scale",
            "quick",
        ])
        .arg("--json")
        .arg(&json)
        .env("PYPROOF_OUTPUT_DIR", out_dir.path())
        .stdout(std::fs::File::create(&log).expect("log"))
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("starts");
    let pid = child.id() as i32;
    let deadline = Instant::now() + Duration::from_secs(180);
    let workers = loop {
        let w = descendants_matching(pid, "multiprocessing.spawn");
        if !w.is_empty() {
            break w;
        }
        if Instant::now() > deadline || child.try_wait().expect("poll").is_some() {
            let _ = child.kill();
            panic!("no pool worker appeared");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    // SAFETY: a pool worker descended from our own child.
    unsafe { libc::kill(workers[0], libc::SIGKILL) };
    let status = loop {
        if let Some(s) = child.try_wait().expect("poll") {
            break s;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the run hung after its worker was killed");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let out = std::fs::read_to_string(&log).expect("log");
    assert_eq!(status.code(), Some(1), "{out}");
    let results: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&json).expect("results")).expect("json");
    let failed: Vec<&str> = results["failures"]
        .as_array()
        .expect("failures")
        .iter()
        .map(|f| f["id"].as_str().expect("id"))
        .collect();
    assert_eq!(failed, ["cpu_parallelism"]);
    let ran: Vec<&str> = results["outcomes"]
        .as_array()
        .expect("outcomes")
        .iter()
        .map(|o| o["id"].as_str().expect("id"))
        .collect();
    assert_eq!(ran, ["generator_memory"]);
    // The summary names the failure.
    assert!(out.contains("cpu_parallelism"), "{out}");
    std::thread::sleep(Duration::from_millis(300));
    let left: Vec<i32> = workers
        .into_iter()
        .filter(|&w| pyproof_proc::process::is_alive(w))
        .collect();
    assert!(left.is_empty(), "pool workers survived: {left:?}");
}
