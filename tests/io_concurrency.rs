//! io_concurrency end to end: the delay server as the real worker process (loopback only,
//! the protocol, gone when its stdin closes), the workers' refusals, and a quick run through
//! the CLI.

mod common;

use pyproof_proc::WORKER_ENV;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[test]
fn the_delay_server_binds_loopback_answers_and_leaves_with_its_stdin() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_pyproof"))
        .env(WORKER_ENV, "delay-server")
        .arg("30")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("server starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("first line");
    let addr: SocketAddr = line
        .trim()
        .strip_prefix("listening ")
        .expect("listening line")
        .parse()
        .expect("an address");
    assert_eq!(addr.ip().to_string(), "127.0.0.1", "loopback only");
    let started = Instant::now();
    let mut s = TcpStream::connect(addr).expect("connects");
    s.write_all(b"x\n").expect("sends");
    let mut reply = String::new();
    s.read_to_string(&mut reply).expect("reads to the close");
    assert_eq!(reply, "ok\n");
    assert!(started.elapsed() >= Duration::from_millis(30), "waited D");
    // Closing its stdin (what happens when the harness drops it, or dies) stops it.
    drop(child.stdin.take());
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            assert!(status.success());
            break;
        }
        assert!(Instant::now() < deadline, "the server outlived its stdin");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn bad_worker_arguments_and_roles_are_one_line_errors() {
    for (role, args, why) in [
        ("delay-server", vec!["soon"], "bad delay 'soon'"),
        ("delay-server", vec![], "usage"),
        ("io-client", vec!["1", "0", "5"], "bad request count '0'"),
        ("io-client", vec!["x", "5", "5"], "bad port 'x'"),
        ("nonsense", vec![], "unknown PYPROOF_WORKER role 'nonsense'"),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_pyproof"))
            .env(WORKER_ENV, role)
            .args(&args)
            .stdin(Stdio::null())
            .output()
            .expect("runs");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{role} {args:?}");
        assert!(
            err.starts_with("error: ") && err.contains(why) && err.trim().lines().count() == 1,
            "{role} {args:?}: {err}"
        );
    }
}

#[test]
fn a_quick_run_answers_every_request_and_judges_every_claim() {
    let dir = tempfile::tempdir().expect("tempdir");
    let results = common::run_json_in(
        dir.path(),
        &["run", "io_concurrency", "--scale", "quick"],
        false,
    )
    .expect("ran");
    let outcome = &results["outcomes"][0];
    let claims: Vec<String> = common::verdicts(outcome).into_iter().map(|v| v.0).collect();
    assert_eq!(
        claims,
        [
            "asyncio_near_ideal",
            "asyncio_lighter_than_threads",
            "tokio_cheaper",
            "uvloop_cheaper",
            "to_thread_responsive"
        ]
    );
    let keys = common::measurement_keys(outcome);
    for key in [
        "asyncio_uvloop.n1000.cpu_s",
        "asyncio_to_thread.n100.wall_s",
        "asyncio_blocking.n100.wall_s",
        "asyncio.n100.wall_s",
        "threads.n1000.peak_anon_mib",
        "tokio.n1000.cpu_s",
        "sequential.n100.wall_s",
    ] {
        assert!(keys.iter().any(|k| k == key), "{key} missing from {keys:?}");
    }
    // asyncio by version: every version from 3.11 on found here has its rounds (CI installs
    // 3.15 first; PYPROOF_REQUIRE_TODAY says so).
    let (found, _) = pyproof_python::pythons::find_all(&[]);
    let mut versions: Vec<(u32, u32, bool)> = found
        .iter()
        .filter(|i| i.found.version >= io_concurrency::versions::OLDEST)
        .map(|i| {
            (
                i.found.version.0,
                i.found.version.1,
                i.found.free_threaded && !i.found.gil_enabled,
            )
        })
        .collect();
    versions.sort();
    versions.dedup();
    if std::env::var_os("PYPROOF_REQUIRE_TODAY").is_some() {
        assert!(
            versions.iter().any(|v| (v.0, v.1) >= (3, 14)),
            "CI installs 3.15 before the tests; no 3.14+ was found"
        );
    }
    let by_version = keys
        .iter()
        .filter(|k| k.starts_with("versions.") && k.ends_with(".cpu_per_connection"))
        .count();
    let expected = if versions.len() >= 2 {
        versions.len()
    } else {
        0
    };
    assert_eq!(by_version, expected, "{keys:?}");
    // No server process of this run is left once it is over.
    assert!(
        servers_of(dir.path()).is_empty(),
        "a delay server survived the run"
    );
}

/// Pids of delay servers started by a run writing to `dir`.
fn servers_of(dir: &std::path::Path) -> Vec<u32> {
    let marker = format!("PYPROOF_OUTPUT_DIR={}", dir.display());
    std::fs::read_dir("/proc")
        .expect("proc")
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            let Ok(env) = std::fs::read(format!("/proc/{pid}/environ")) else {
                return false;
            };
            let vars: Vec<&[u8]> = env.split(|&b| b == 0).collect();
            vars.contains(&&b"PYPROOF_WORKER=delay-server"[..]) && vars.contains(&marker.as_bytes())
        })
        .filter(|pid| pyproof_proc::process::is_alive(*pid as i32))
        .collect()
}

#[test]
fn sigint_mid_run_exits_130_and_stops_the_server() {
    interrupt_mid_run(libc::SIGINT);
}

#[test]
fn sigterm_mid_run_exits_130_and_stops_the_server() {
    interrupt_mid_run(libc::SIGTERM);
}

/// Starts a quick io_concurrency run, sends `signal` once its delay server is up, and checks:
/// exit 130 within 10 s, the server gone, nothing written.
fn interrupt_mid_run(signal: i32) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut child = Command::new(env!("CARGO_BIN_EXE_pyproof"))
        .env("PYPROOF_OUTPUT_DIR", dir.path())
        .args(["run", "io_concurrency", "--scale", "quick"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts");
    let deadline = Instant::now() + Duration::from_secs(60);
    while servers_of(dir.path()).is_empty() {
        assert!(Instant::now() < deadline, "no delay server appeared");
        assert!(
            child.try_wait().expect("wait").is_none(),
            "the run ended early"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    // SAFETY: our own child.
    unsafe { libc::kill(child.id() as i32, signal) };
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "still running 10 s after signal {signal}"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut err = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = e.read_to_string(&mut err);
    }
    assert_eq!(status.code(), Some(130), "{err}");
    std::thread::sleep(Duration::from_millis(200));
    assert!(servers_of(dir.path()).is_empty(), "a delay server survived");
    assert!(!dir.path().join("results.json").exists(), "nothing written");
}
