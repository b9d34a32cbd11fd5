//! pyproof-scenarios: §3 of the sheet, Engineering Scenarios, on trial.
//!
//! - [`dataframe_memory`]: "pandas uses 10 GB for a 2 GB CSV: use chunksize, downcast,
//!   category" — every part measured at the sheet's own size, beside polars.
//! - [`image_parallelism`]: "1 million images — threads or processes?" — pure-Python pixel
//!   code and Pillow under threads and processes, beside Rust with rayon.
//!
//! Both measure their Rust side in a fresh process too: this crate's binaries re-execute
//! themselves as a worker ([`worker_main`], dispatched by `pyproof::worker_main`), so each
//! variant's memory is its own.

pub mod dataframe_memory;
mod error;
pub mod image_parallelism;
pub mod shared;

pub use dataframe_memory::worker::WORKER_ENV;
pub use error::ScenarioError;

use pyproof_core::Experiment;
use std::process::ExitCode;

/// Every experiment of this section, in the sheet's order.
pub fn experiments() -> Vec<Box<dyn Experiment>> {
    vec![
        Box::new(dataframe_memory::DataframeMemory),
        Box::new(image_parallelism::ImageParallelism),
    ]
}

/// The worker roles of this crate.
pub const WORKER_ROLES: [&str; 2] = ["polars", "images"];

/// When this process was started as one of this crate's measured workers
/// (`PYPROOF_WORKER=polars` or `PYPROOF_WORKER=images`), does that work, prints its report
/// as one JSON line and returns the exit code: 0, or 3 with a one-line `error:` on stderr.
/// Returns None for a normal start or another crate's role (see `pyproof::worker_main`).
pub fn worker_main() -> Option<ExitCode> {
    let role = std::env::var(WORKER_ENV).ok()?;
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match role.as_str() {
        "polars" => dataframe_memory::worker::run_worker(&args),
        "images" => image_parallelism::worker::run_worker(&args),
        _ => return None,
    };
    Some(pyproof_core::worker_exit(result))
}
