//! `cargo run --release --example mro`
//!
//! The MRO on trial: an independent C3 linearization in Rust against CPython's own decision
//! for every class of the published hierarchies (Simionato's "The Python 2.3 MRO", CPython's
//! test_descr) and of 10,000 seeded random ones — same order, or same refusal — plus
//! `mro()` vs `__mro__` and `super()` through a diamond.

fn main() -> std::process::ExitCode {
    pyproof_runner::example_main(&mro::Mro)
}
