//! `pyproof_native.Shape`: the three kinds of method, on a Rust class Python can subclass.

use pyo3::prelude::*;
use pyo3::types::PyType;

/// A square of a given side.
#[pyclass(subclass, module = "pyproof_native")]
pub struct Shape {
    /// The side length.
    #[pyo3(get)]
    pub side: f64,
}

#[pymethods]
impl Shape {
    #[new]
    #[pyo3(signature = (side = 1.0))]
    fn new(side: f64) -> Self {
        Shape { side }
    }

    /// A factory (`#[classmethod]`): receives the class it is called on and calls it, so on
    /// a Python subclass it builds the subclass.
    #[classmethod]
    fn unit<'py>(cls: &Bound<'py, PyType>) -> PyResult<Bound<'py, PyAny>> {
        cls.call1((1.0,))
    }

    /// A plain function in the class namespace (`#[staticmethod]`): no class, no instance.
    #[staticmethod]
    fn scale(x: f64, factor: f64) -> f64 {
        x * factor
    }

    /// A plain method: receives the instance.
    fn area(&self) -> f64 {
        self.side * self.side
    }
}

fn add(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Shape>()
}

/// method_kinds' part of `pyproof_native`: the class `Shape`.
pub static PART: pyproof_python::NativePart = pyproof_python::NativePart {
    name: "method_kinds",
    add,
};
