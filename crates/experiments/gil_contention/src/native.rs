//! gil_contention's part of `pyproof_native`: one CPU kernel in two forms.
//!
//! `spin_hold` keeps the GIL while it computes, so threads calling it queue up exactly like
//! pure-Python threads; `spin_release` releases it around the same computation with
//! `py.detach`, as NumPy does in its ufunc loops, so threads calling it run in parallel.

use pyo3::prelude::*;
use pyproof_python::NativePart;

/// The CPU kernel: a wrapping sum of a 64-bit mix of every integer in `start..end`.
///
/// Splitting the range and adding the parts (wrapping) gives the same total, so any
/// division of work over threads can be checked against the sequential answer exactly.
pub fn spin(start: u64, end: u64) -> u64 {
    (start..end).fold(0u64, |acc, i| {
        acc.wrapping_add(pyproof_harness::rng::mix64(i))
    })
}

/// Runs the kernel over `start..end` holding the GIL: no other Python thread runs
/// meanwhile.
#[pyfunction]
fn spin_hold(start: u64, end: u64) -> u64 {
    spin(start, end)
}

/// Runs the kernel over `start..end` with the GIL released: other Python threads run,
/// and other threads calling this run in parallel.
#[pyfunction]
fn spin_release(py: Python<'_>, start: u64, end: u64) -> u64 {
    py.detach(|| spin(start, end))
}

fn add(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(spin_hold, m)?)?;
    m.add_function(wrap_pyfunction!(spin_release, m)?)
}

/// The part, added before the workload's Python module is loaded.
pub static PART: NativePart = NativePart {
    name: "gil_contention",
    add,
};

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
