//! `pyproof_native`: the Rust module registered into the embedded interpreter, assembled
//! from the parts the experiments contribute.
//!
//! The module itself is common and empty; each experiment that shows something from the
//! Rust side (gil_contention's kernels, method_kinds' `Shape`, dunder_methods' `Vector`)
//! declares a [`NativePart`] in its own crate and calls [`add_part`] before its Python code
//! imports `pyproof_native`. A part added before the first import is installed by the
//! module's initialiser; one added later is installed into the live module at once. Either
//! way every part is installed exactly once, and this crate depends on no experiment.

use crate::error::PythonError;
use pyo3::prelude::*;
use std::sync::Mutex;

/// What one experiment adds to `pyproof_native`.
pub struct NativePart {
    /// The experiment's id (a part is installed once per name).
    pub name: &'static str,
    /// Adds the part's functions and classes to the module.
    pub add: fn(&Bound<'_, PyModule>) -> PyResult<()>,
}

struct State {
    parts: Vec<&'static NativePart>,
    /// The module once Python has imported it.
    module: Option<Py<PyModule>>,
}

// Lock order: this mutex is never held while waiting for the interpreter, so the module's
// initialiser (which runs attached) and `add_part` cannot deadlock.
static STATE: Mutex<State> = Mutex::new(State {
    parts: Vec::new(),
    module: None,
});

fn lock() -> std::sync::MutexGuard<'static, State> {
    STATE
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Adds `part` to `pyproof_native`: now when the module is already imported, else when it
/// is. Adding the same part again does nothing.
pub fn add_part(part: &'static NativePart) -> Result<(), PythonError> {
    let live = {
        let mut state = lock();
        if state.parts.iter().any(|p| p.name == part.name) {
            return Ok(());
        }
        state.parts.push(part);
        state.module.is_some()
    };
    if !live {
        return Ok(());
    }
    Python::attach(|py| {
        let module = lock().module.as_ref().map(|m| m.bind(py).clone());
        match module {
            Some(m) => (part.add)(&m).map_err(|e| {
                crate::py_error(py, e, &format!("adding {} to pyproof_native", part.name))
            }),
            None => Ok(()),
        }
    })
}

/// The module as Python sees it: `import pyproof_native`.
#[pymodule]
pub mod pyproof_native {
    use pyo3::prelude::*;

    #[pymodule_init]
    fn init(m: &Bound<'_, PyModule>) -> PyResult<()> {
        let parts = {
            let mut state = super::lock();
            state.module = Some(m.clone().unbind());
            state.parts.clone()
        };
        for part in parts {
            (part.add)(m)?;
        }
        Ok(())
    }
}
