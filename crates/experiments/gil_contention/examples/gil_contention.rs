//! `cargo run --release --example gil_contention [-- --scale quick|default|full]`
//!
//! The GIL on trial: the same CPU work sequentially, on k threads, on k processes, as a Rust
//! kernel holding or releasing the GIL, and as NumPy; then a timeline of which of two
//! spinning threads executed bytecode when. Prints the question, the sheet's answer, the
//! table, the timeline and each verdict with its evidence; writes the charts as SVG under
//! target/pyproof/gil_contention/.

fn main() -> std::process::ExitCode {
    pyproof_runner::example_main(&gil_contention::GilContention)
}
