//! `cargo bench --bench image_parallelism`: criterion timings of the image
//! workloads under each executor — pure-Python threshold and Pillow thumbnail sequentially,
//! on a thread pool and on a process pool of k = cores; the Rust thumbnail sequentially and
//! with rayon.
//!
//! Each iteration is the experiment's own run of that configuration: a fresh process (the
//! venv's Python, or this bench re-executed as the rayon worker) whose outputs are counted.
//! The time is the worker's own measure from the first image to the last output
//! (`iter_custom`), so interpreter start-up and pool spawning stay outside the timed part;
//! throughput is in images. The corpus is 200 images of 128×128 (16 of 64×64 when run as a
//! test by `cargo test --benches`), generated once and cached.

use criterion::{Criterion, SamplingMode, Throughput};
use image_parallelism::corpus::{CorpusSpec, ensure_corpus};
use image_parallelism::{Config, Executor, RunMode, SEED, Workload, run_config};
use std::process::ExitCode;
use std::time::Duration;

fn image_parallelism(c: &mut Criterion) {
    let benchmarking = std::env::args().any(|a| a == "--bench");
    let (count, side) = if benchmarking { (200, 128) } else { (16, 64) };
    let spec = CorpusSpec {
        count,
        width: side,
        height: side,
        seed: SEED,
        damage_every: 0,
    };
    let dir = pyproof_python::paths::work_dir().join("cache/image_parallelism");
    let corpus = match ensure_corpus(&dir, &spec, &|_, _| {}) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("image_parallelism bench skipped: {e}");
            return;
        }
    };
    let k = pyproof_harness::available_cores();
    let groups = [
        (
            Workload::PythonThreshold,
            vec![
                Executor::Sequential,
                Executor::Threads(k),
                Executor::Processes(k),
            ],
        ),
        (
            Workload::PillowThumbnail,
            vec![
                Executor::Sequential,
                Executor::Threads(k),
                Executor::Processes(k),
            ],
        ),
        (
            Workload::RustThumbnail,
            vec![Executor::Sequential, Executor::Rayon(k)],
        ),
    ];
    for (workload, executors) in groups {
        // Pure Python is ~10× slower per image: a quarter of the corpus keeps it in step.
        let n = if workload == Workload::PythonThreshold {
            (count / 4).max(4)
        } else {
            count
        };
        let mut group = c.benchmark_group(format!("image_parallelism/{}", workload.id()));
        group
            .sample_size(10)
            .sampling_mode(SamplingMode::Flat)
            .throughput(Throughput::Elements(n))
            .warm_up_time(Duration::from_millis(500))
            .measurement_time(Duration::from_secs(5));
        for executor in executors {
            let config = Config { workload, executor };
            group.bench_function(executor.label().replace(' ', "_"), |b| {
                b.iter_custom(|iters| {
                    pyproof_runner::bench::sum_of(iters, || {
                        run_config(
                            &config,
                            &corpus,
                            n,
                            Duration::from_secs(300),
                            RunMode::Warm,
                            None,
                            false,
                            Duration::ZERO,
                        )
                        .unwrap_or_else(|e| panic!("{}: {e}", config.key()))
                        .0
                        .work_s
                    })
                })
            });
        }
        group.finish();
    }
}

fn main() -> ExitCode {
    // The Rust configurations re-execute this bench as their worker process.
    pyproof_runner::bench::main(&image_parallelism::ImageParallelism, image_parallelism)
}
