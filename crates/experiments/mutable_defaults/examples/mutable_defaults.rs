//! `cargo run --release --example mutable_defaults`
//!
//! Mutable vs immutable on trial: the sheet's `def add(val, list=[])` observed sharing one
//! list across calls (and its default running once, at `def`), the `None`-sentinel fix, and
//! how far a tuple's immutability reaches.

fn main() -> std::process::ExitCode {
    pyproof_runner::example_main(&mutable_defaults::MutableDefaults)
}
