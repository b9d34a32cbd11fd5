//! `cargo run --release --example io_concurrency [-- --scale quick|full]`
//!
//! "Best for I/O: asyncio" on trial: a tokio delay server on 127.0.0.1 answers each request
//! after 50 ms; 100, 1,000 and 10,000 concurrent requests from asyncio, one thread per
//! request, a bounded thread pool, sequentially (projected) and tokio tasks — wall time
//! against the ideal, CPU and memory per connection.

use std::process::ExitCode;

fn main() -> ExitCode {
    pyproof_runner::example_main(&io_concurrency::IoConcurrency)
}
