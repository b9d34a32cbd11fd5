//! `cargo run --release --example dunder_methods`
//!
//! Dunder methods on trial: a Rust `#[pyclass]` Vector and a pure-Python twin count every
//! dunder call; each operator (`+`, `len()`, `()`, `str()`, `in`, `bool()`, `sum()`, ...) is
//! run alone and the dunders it reached are shown, then the deeper facts: lookup on the type,
//! `NotImplemented`, and `sum()` needing `__radd__`.

fn main() -> std::process::ExitCode {
    pyproof_runner::example_main(&dunder_methods::DunderMethods)
}
