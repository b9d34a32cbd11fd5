//! pyproof-scenarios: §3 of the sheet, Engineering Scenarios, on trial.
//!
//! - [`dataframe_memory`]: "pandas uses 10 GB for a 2 GB CSV: use chunksize, downcast,
//!   category" — every part measured at the sheet's own size, beside polars.

pub mod dataframe_memory;
mod error;

pub use dataframe_memory::worker::worker_main;
pub use error::ScenarioError;

use pyproof_core::Experiment;

/// Every experiment of this section, in the sheet's order.
pub fn experiments() -> Vec<Box<dyn Experiment>> {
    vec![Box::new(dataframe_memory::DataframeMemory)]
}
