//! `pyproof_native`: the Rust module registered into the embedded interpreter.
//!
//! It holds the Rust kernels experiments call from Python. The first is one CPU kernel in two
//! forms: [`spin_hold`](pyproof_native::spin_hold) keeps the GIL while it computes, so
//! threads calling it queue up exactly like pure-Python threads;
//! [`spin_release`](pyproof_native::spin_release) releases it around the same computation with
//! `py.detach`, as NumPy does in its ufunc loops, so threads calling it run in parallel.
//!
//! The classes show the data model from the Rust side: [`Shape`] has the three kinds of
//! method (`#[classmethod]`, `#[staticmethod]`, plain) and can be subclassed in Python;
//! [`Vector`] implements the operator dunders and counts every call, so an experiment can
//! prove which dunder an operator dispatched to.

mod shape;
mod vector;

pub use shape::Shape;
pub use vector::{Vector, take_dunder_calls};

/// The CPU kernel: a wrapping sum of a 64-bit mix of every integer in `start..end`.
///
/// Splitting the range and adding the parts (wrapping) gives the same total, so any
/// division of work over threads can be checked against the sequential answer exactly.
pub fn spin(start: u64, end: u64) -> u64 {
    (start..end).fold(0u64, |acc, i| acc.wrapping_add(mix(i)))
}

/// SplitMix64's finaliser: cheap, branch-free, and impossible for the compiler to fold into
/// a closed form, so the loop does real work per element.
#[inline]
fn mix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The module as Python sees it: `import pyproof_native`.
#[pyo3::pymodule]
pub mod pyproof_native {
    use pyo3::prelude::*;

    /// Runs the kernel over `start..end` holding the GIL: no other Python thread runs
    /// meanwhile.
    #[pyfunction]
    fn spin_hold(start: u64, end: u64) -> u64 {
        super::spin(start, end)
    }

    /// Runs the kernel over `start..end` with the GIL released: other Python threads run,
    /// and other threads calling this run in parallel.
    #[pyfunction]
    fn spin_release(py: Python<'_>, start: u64, end: u64) -> u64 {
        py.detach(|| super::spin(start, end))
    }

    #[pymodule_export]
    use super::Shape;

    #[pymodule_export]
    use super::Vector;

    /// The dunder calls `Vector` counted since the last call of this function, by name
    /// (the counters are reset).
    #[pyfunction]
    fn dunder_calls() -> std::collections::BTreeMap<String, u64> {
        super::take_dunder_calls()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_ranges_add_up_to_the_whole() {
        let whole = spin(0, 10_000);
        let parts = spin(0, 3_333)
            .wrapping_add(spin(3_333, 6_667))
            .wrapping_add(spin(6_667, 10_000));
        assert_eq!(whole, parts);
        assert_eq!(spin(5, 5), 0);
        assert_ne!(spin(0, 1), spin(1, 2));
    }
}
