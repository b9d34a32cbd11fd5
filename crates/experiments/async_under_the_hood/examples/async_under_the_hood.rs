//! `cargo run --release --example async_under_the_hood`
//!
//! async/await on trial: coroutines driven by hand (send/throw/close), where `await` pauses
//! and where it does not, the bytecode shared with generators, an event loop made only of
//! generators and `select` timed against asyncio, and a hand-written Rust Future polled by
//! hand and by tokio.

fn main() -> std::process::ExitCode {
    pyproof_runner::example_main(&async_under_the_hood::AsyncUnderTheHood)
}
