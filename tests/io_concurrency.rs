//! io_concurrency end to end: the delay server as the real worker process (loopback only,
//! the protocol, gone when its stdin closes), the workers' refusals, and a quick run through
//! the CLI.

mod common;

use pyproof_core::WORKER_ENV;
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
    let results =
        common::run_json(&["run", "io_concurrency", "--scale", "quick"], false).expect("ran");
    let outcome = &results["outcomes"][0];
    let claims: Vec<String> = common::verdicts(outcome).into_iter().map(|v| v.0).collect();
    assert_eq!(
        claims,
        [
            "asyncio_near_ideal",
            "asyncio_lighter_than_threads",
            "tokio_cheaper"
        ]
    );
    let keys = common::measurement_keys(outcome);
    for key in [
        "asyncio.n100.wall_s",
        "threads.n1000.peak_anon_mib",
        "tokio.n1000.cpu_s",
        "sequential.n100.wall_s",
    ] {
        assert!(keys.iter().any(|k| k == key), "{key} missing from {keys:?}");
    }
    // No server process is left once the run is over.
    let leftover = std::fs::read_dir("/proc")
        .expect("proc")
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/environ"))
                .map(|env| {
                    // The run's servers inherit its PYPROOF_OUTPUT_DIR; the server the test
                    // above starts by itself does not, and may be alive in parallel.
                    let vars: Vec<&[u8]> = env.split(|&b| b == 0).collect();
                    vars.contains(&&b"PYPROOF_WORKER=delay-server"[..])
                        && vars.iter().any(|kv| kv.starts_with(b"PYPROOF_OUTPUT_DIR="))
                })
                .unwrap_or(false)
        })
        .count();
    assert_eq!(leftover, 0, "a delay server survived the run");
}
