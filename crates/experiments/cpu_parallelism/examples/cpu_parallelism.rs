//! `cargo run --release --example cpu_parallelism [-- --scale quick|full]`
//!
//! "Best for CPU: multiprocessing" on trial: the same pure-Python CPU work cut into tasks of
//! 0.3 µs to 100 ms, run sequentially, on a thread pool and on a process pool (chunksize 1 and
//! four chunks per worker); speedups by task size and the crossover below which a process
//! pool is slower than one thread. About a minute at the default scale.

use std::process::ExitCode;

fn main() -> ExitCode {
    pyproof_runner::example_main(&cpu_parallelism::CpuParallelism)
}
