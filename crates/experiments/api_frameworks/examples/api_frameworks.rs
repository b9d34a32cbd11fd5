//! `cargo run --release --example api_frameworks [-- --scale quick|full]`
//!
//! "Best for API: FastAPI + Pydantic" on trial: FastAPI + Pydantic on uvicorn, Flask on
//! waitress (its default 4 threads, and 128) and axum, each on 127.0.0.1, serve a nested-JSON
//! validation endpoint and a 20 ms waiting endpoint to 1, 16 and 128 keep-alive clients from a
//! Rust load generator — requests/s, p50/p90/p99, errors; bad payloads and the fields each
//! server names; Pydantic's validation throughput against hand-written checks.

use std::process::ExitCode;

fn main() -> ExitCode {
    pyproof_runner::example_main(&api_frameworks::ApiFrameworks)
}
