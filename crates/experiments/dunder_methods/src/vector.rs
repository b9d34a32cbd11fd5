//! `pyproof_native.Vector`: the operator dunders in Rust, each call counted.

use pyo3::prelude::*;
use pyo3::types::{PyInt, PyList};
use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};
use std::sync::Mutex;

static CALLS: Mutex<BTreeMap<&'static str, u64>> = Mutex::new(BTreeMap::new());

fn count(name: &'static str) {
    if let Ok(mut calls) = CALLS.lock() {
        *calls.entry(name).or_default() += 1;
    }
}

/// The counts since the last call, by dunder name; resets them.
pub fn take_dunder_calls() -> BTreeMap<String, u64> {
    CALLS
        .lock()
        .map(|mut c| {
            std::mem::take(&mut *c)
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect()
        })
        .unwrap_or_default()
}

/// A vector of floats with the operator protocol implemented in Rust.
#[pyclass(frozen, module = "pyproof_native")]
#[derive(Clone, Debug, PartialEq)]
pub struct Vector {
    comps: Vec<f64>,
}

impl Vector {
    fn into_object(self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        Ok(Py::new(py, self)?.into_any())
    }
}

#[pymethods]
impl Vector {
    #[new]
    fn new(comps: Vec<f64>) -> Self {
        Vector { comps }
    }

    fn __repr__(&self) -> String {
        count("__repr__");
        format!("Vector({:?})", self.comps)
    }

    fn __str__(&self) -> String {
        count("__str__");
        let parts: Vec<String> = self.comps.iter().map(|c| c.to_string()).collect();
        format!("({})", parts.join(", "))
    }

    fn __len__(&self) -> usize {
        count("__len__");
        self.comps.len()
    }

    /// Element-wise sum with another Vector of the same length; anything else is
    /// NotImplemented, which hands the operation to the other operand's `__radd__`.
    fn __add__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        count("__add__");
        match other.cast::<Vector>() {
            Ok(o) if o.get().comps.len() == self.comps.len() => {
                let comps = self
                    .comps
                    .iter()
                    .zip(&o.get().comps)
                    .map(|(a, b)| a + b)
                    .collect();
                Vector { comps }.into_object(py)
            }
            _ => Ok(py.NotImplemented()),
        }
    }

    /// `0 + v` is `v`: what `sum()` needs for its start value; anything else NotImplemented.
    fn __radd__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        count("__radd__");
        let zero = other.is_instance_of::<PyInt>() && other.extract::<i64>().ok() == Some(0);
        if zero {
            self.clone().into_object(py)
        } else {
            Ok(py.NotImplemented())
        }
    }

    fn __mul__(&self, factor: f64) -> Vector {
        count("__mul__");
        Vector {
            comps: self.comps.iter().map(|c| c * factor).collect(),
        }
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        count("__eq__");
        other
            .cast::<Vector>()
            .is_ok_and(|o| o.get().comps == self.comps)
    }

    fn __hash__(&self) -> u64 {
        count("__hash__");
        let mut h = std::collections::hash_map::DefaultHasher::new();
        for c in &self.comps {
            c.to_bits().hash(&mut h);
        }
        h.finish()
    }

    /// Calling a vector gives its Euclidean length.
    fn __call__(&self) -> f64 {
        count("__call__");
        self.comps.iter().map(|c| c * c).sum::<f64>().sqrt()
    }

    fn __iter__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        count("__iter__");
        PyList::new(py, &self.comps)?.call_method0("__iter__")
    }

    fn __getitem__(&self, index: isize) -> PyResult<f64> {
        count("__getitem__");
        let n = self.comps.len() as isize;
        let i = if index < 0 { index + n } else { index };
        if (0..n).contains(&i) {
            Ok(self.comps[i as usize])
        } else {
            Err(pyo3::exceptions::PyIndexError::new_err(
                "Vector index out of range",
            ))
        }
    }

    fn __contains__(&self, x: f64) -> bool {
        count("__contains__");
        self.comps.contains(&x)
    }

    fn __bool__(&self) -> bool {
        count("__bool__");
        self.comps.iter().any(|c| *c != 0.0)
    }
}

/// The dunder calls `Vector` counted since the last call of this function, by name (the
/// counters are reset).
#[pyfunction]
fn dunder_calls() -> BTreeMap<String, u64> {
    take_dunder_calls()
}

fn add(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Vector>()?;
    m.add_function(wrap_pyfunction!(dunder_calls, m)?)
}

/// dunder_methods' part of `pyproof_native`: the class `Vector` and its call counter.
pub static PART: pyproof_python::NativePart = pyproof_python::NativePart {
    name: "dunder_methods",
    add,
};
