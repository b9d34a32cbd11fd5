//! pyproof-cheatsheet: the sheet's closing cheat sheet on trial.
//!
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

use pyproof_core::Experiment;

/// Every experiment of this section, in the sheet's order.
pub fn experiments() -> Vec<Box<dyn Experiment>> {
    vec![
        Box::new(cpu_parallelism::CpuParallelism),
        Box::new(generator_memory::GeneratorMemory),
    ]
}
