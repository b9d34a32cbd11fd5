//! `cargo bench --bench io_concurrency`: criterion timings of N = 1,000 concurrent requests to the
//! delay server (D = 50 ms each) from asyncio, one thread per request, and tokio tasks.
//!
//! The server is this bench re-executed as the delay-server worker, on 127.0.0.1. Each
//! iteration is the experiment's own client run (a fresh process); the time is the client's
//! own measure from the first connect to the last reply (`iter_custom`), so interpreter
//! start-up stays outside. N is 100 when run as a test by `cargo test --benches`.

use criterion::{Criterion, SamplingMode, Throughput};
use io_concurrency::net::start_delay_server;
use io_concurrency::{DELAY_MS, Mode, run_client};
use std::process::ExitCode;
use std::time::Duration;

fn io_concurrency(c: &mut Criterion) {
    let benchmarking = std::env::args().any(|a| a == "--bench");
    let n = if benchmarking { 1000 } else { 100 };
    let server = match start_delay_server(DELAY_MS) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("io_concurrency bench skipped: {e}");
            return;
        }
    };
    let port = server.addr.port();
    let mut group = c.benchmark_group(format!("io_concurrency/n{n}"));
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .throughput(Throughput::Elements(n))
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(5));
    for mode in [Mode::Asyncio, Mode::Threads, Mode::Tokio] {
        group.bench_function(mode.id(), |b| {
            b.iter_custom(|iters| {
                pyproof_runner::bench::sum_of(iters, || {
                    let s =
                        run_client(mode, port, n).unwrap_or_else(|e| panic!("{}: {e}", mode.id()));
                    assert_eq!(s.report.errors, 0, "{:?}", s.report.first_error);
                    s.report.wall_s
                })
            })
        });
    }
    group.finish();
    drop(server);
}

fn main() -> ExitCode {
    // The delay server and the tokio client re-execute this bench as worker processes.
    pyproof_runner::bench::main(&io_concurrency::IoConcurrency, io_concurrency)
}
