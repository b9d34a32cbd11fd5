//! pyproof-cheatsheet: the sheet's closing cheat sheet on trial.
//!
//! - [`io_concurrency`]: "Best for I/O: asyncio" — N concurrent waits on a real delay server
//!   from asyncio, threads, a bounded pool, sequentially and from tokio.
//! - [`cpu_parallelism`]: "Best for CPU: multiprocessing" — sequential vs threads vs processes
//!   over tasks from 1 µs to 100 ms, and the crossover task size below which a pool loses.
//! - [`generator_memory`]: "Best for memory: Generators (`yield`)" — list vs generator
//!   pipelines in Python (tracemalloc) and Rust (allocation counting), growth fitted over n.
//!
//! [`alloc`] installs the counting allocator that the Rust side of these measurements uses:
//! it counts only on a thread that asked for it, so it costs other code one thread-local read.

pub mod alloc;
pub mod cpu_parallelism;
pub mod generator_memory;
pub mod io_concurrency;

use pyproof_core::{Experiment, WORKER_ENV};
use std::process::ExitCode;

/// The worker roles of this crate: the delay server and the tokio client of io_concurrency.
pub const WORKER_ROLES: [&str; 2] = ["delay-server", "io-client"];

/// When this process was started as one of this crate's workers, does that work (prints its
/// JSON report) and returns the exit code: 0, or 3 with a one-line `error:`. None for a normal
/// start or another crate's role (see `pyproof::worker_main`).
pub fn worker_main() -> Option<ExitCode> {
    let role = std::env::var(WORKER_ENV).ok()?;
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match role.as_str() {
        "delay-server" => io_concurrency::net::serve(&args),
        "io-client" => io_concurrency::net::tokio_client(&args),
        _ => return None,
    };
    Some(pyproof_core::worker_exit(result))
}

/// Every experiment of this section, in the sheet's order.
pub fn experiments() -> Vec<Box<dyn Experiment>> {
    vec![
        Box::new(io_concurrency::IoConcurrency),
        Box::new(cpu_parallelism::CpuParallelism),
        Box::new(generator_memory::GeneratorMemory),
    ]
}
