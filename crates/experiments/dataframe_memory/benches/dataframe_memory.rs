//! `cargo bench --bench dataframe_memory`: criterion timings of loading and aggregating the
//! generated sales CSV — pandas eager, usecols, downcast and chunked; polars eager, with
//! overrides, streaming and batches; Python polars (the PyPI wheel) streaming; and the tools
//! of 2026: pandas with Arrow, DuckDB, and two columns of the Parquet copy (converted once
//! before the group; when it cannot be, the Parquet readers are left out with a line).
//!
//! Each iteration is the experiment's own run of that variant: a fresh process (the venv's
//! Python, or this bench re-executed as the polars worker), its answer checked against the
//! exact one, memory warmed just before it as in the trial (`warm_bytes`). The time is the
//! worker's own measure from the start of reading to the answer
//! (`iter_custom`), so interpreter start-up and imports stay outside the timed part. The file
//! is 20 MB (2 MB when run as a test by `cargo test --benches`), generated once and cached.

use criterion::{Criterion, SamplingMode};
use dataframe_memory::data::{ensure_dataset, find_ragged};
use dataframe_memory::runs::convert_to_parquet;
use dataframe_memory::{FileSize, Plan, SEED, Variant, run_variant, warm_bytes};
use std::process::ExitCode;
use std::time::Duration;

fn dataframe_memory(c: &mut Criterion) {
    let benchmarking = std::env::args().any(|a| a == "--bench");
    let bytes = if benchmarking { 20_000_000 } else { 2_000_000 };
    let dir = pyproof_python::paths::work_dir().join("cache/dataframe_memory");
    let dataset = match ensure_dataset(&dir, bytes, SEED, &|_, _| {}) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("dataframe_memory bench skipped: {e}");
            return;
        }
    };
    let ragged = find_ragged(&dataset.path).unwrap_or_default();
    let plan = Plan::new(pyproof_harness::Scale::Quick, Some(bytes));
    let parquet = match convert_to_parquet(&dataset, &plan) {
        Ok(_) => true,
        Err(e) => {
            eprintln!("dataframe_memory bench: the Parquet readers are left out: {e}");
            false
        }
    };
    let mut group = c.benchmark_group("dataframe_memory");
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(5));
    for variant in Variant::ALL {
        if variant.reads_parquet() && !parquet {
            continue;
        }
        // Memory warmed before each run as in the trial (before a first run: 4× the file).
        let warm = warm_bytes(&[], variant, FileSize::Full, bytes, None);
        group.bench_function(variant.id(), |b| {
            b.iter_custom(|iters| {
                pyproof_runner::bench::sum_of(iters, || {
                    run_variant(variant, FileSize::Full, 0, &dataset, &ragged, &plan, warm)
                        .unwrap_or_else(|e| panic!("{}: {e}", variant.id()))
                        .report
                        .work_s
                })
            })
        });
    }
    group.finish();
}

fn main() -> ExitCode {
    // The polars variants re-execute this bench as their worker process.
    pyproof_runner::bench::main(&dataframe_memory::DataframeMemory, dataframe_memory)
}
