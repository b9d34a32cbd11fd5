//! `cargo run --release --example generator_memory [-- --scale quick|full]`
//!
//! "Best for memory: Generators (`yield`)" on trial: a list comprehension vs a generator
//! expression vs a `yield` generator over n items, `readlines()` vs iterating a file of n
//! lines — peak memory by tracemalloc, growth fitted over n from 10^3 to 10^6 (10^7 at
//! `--scale full`) — beside the Rust analog (collect vs iterate) measured by allocation
//! counting.

use std::process::ExitCode;

fn main() -> ExitCode {
    pyproof_runner::example_main(&generator_memory::GeneratorMemory)
}
