//! pyproof-cheatsheet: the sheet's closing cheat sheet on trial.
//!
//! - [`io_concurrency`]: "Best for I/O: asyncio" — N concurrent waits on a real delay server
//!   from asyncio, threads, a bounded pool, sequentially and from tokio.
//! - [`cpu_parallelism`]: "Best for CPU: multiprocessing" — sequential vs threads vs processes
//!   over tasks from 1 µs to 100 ms, and the crossover task size below which a pool loses.
//! - [`generator_memory`]: "Best for memory: Generators (`yield`)" — list vs generator
//!   pipelines in Python (tracemalloc) and Rust (allocation counting), growth fitted over n.
//! - [`api_frameworks`]: "Best for API: FastAPI + Pydantic" — FastAPI on uvicorn, Flask on
//!   waitress and axum under the same load, validation errors compared, Pydantic timed.
//!
//! [`alloc`] installs the counting allocator that the Rust side of these measurements uses:
//! it counts only on a thread that asked for it, so it costs other code one thread-local read.

pub mod alloc;
pub mod api_frameworks;
pub mod cpu_parallelism;
pub mod generator_memory;
pub mod io_concurrency;

use pyproof_core::{Experiment, ExperimentError, WORKER_ENV};
use std::process::ExitCode;

/// The worker roles of this crate: the delay server and the tokio client of io_concurrency,
/// the axum server of api_frameworks.
pub const WORKER_ROLES: [&str; 3] = ["delay-server", "io-client", "api-server"];

/// When this process was started as one of this crate's workers, does that work (prints its
/// JSON report) and returns the exit code: 0, or 3 with a one-line `error:`. None for a normal
/// start or another crate's role (see `pyproof::worker_main`).
pub fn worker_main() -> Option<ExitCode> {
    let role = std::env::var(WORKER_ENV).ok()?;
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match role.as_str() {
        "delay-server" => io_concurrency::net::serve(&args),
        "io-client" => io_concurrency::net::tokio_client(&args),
        "api-server" => api_frameworks::axum_server::serve(&args),
        _ => return None,
    };
    Some(pyproof_core::worker_exit(result))
}

/// A command that re-executes this program as the worker `role` (see [`worker_main`]).
pub fn own_worker(role: &str) -> Result<std::process::Command, ExperimentError> {
    let exe = std::env::current_exe().map_err(|e| ExperimentError::Io {
        context: format!("finding this program to start its {role} worker"),
        source: e,
    })?;
    let mut cmd = std::process::Command::new(exe);
    cmd.env(WORKER_ENV, role);
    Ok(cmd)
}

/// Every experiment of this section, in the sheet's order.
pub fn experiments() -> Vec<Box<dyn Experiment>> {
    vec![
        Box::new(io_concurrency::IoConcurrency),
        Box::new(cpu_parallelism::CpuParallelism),
        Box::new(generator_memory::GeneratorMemory),
        Box::new(api_frameworks::ApiFrameworks),
    ]
}
