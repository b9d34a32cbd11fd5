//! `cargo run --release --example dataframe_memory [-- --scale full | --csv-size 2GB]`
//!
//! The sheet's 2 GB CSV on trial: pandas' default read, `usecols`, downcasts + category and
//! `chunksize`, beside polars eager, eager with overrides, streaming and batches — each in a
//! fresh process, its memory sampled from outside, every answer checked. Default scale reads
//! a 200 MB file; `--scale full` reads the sheet's 2 GB.

use std::process::ExitCode;

fn main() -> ExitCode {
    pyproof_runner::example_main(&dataframe_memory::DataframeMemory)
}
