//! `cargo run --release --example method_kinds`
//!
//! `@classmethod` vs `@staticmethod` on trial: a factory called on a subclass, a staticmethod
//! from class and instance, what each descriptor's `__get__` returns, and the same kinds on a
//! Rust `#[pyclass]` subclassed in Python.

fn main() -> std::process::ExitCode {
    pyproof_runner::example_main(&method_kinds::MethodKinds)
}
