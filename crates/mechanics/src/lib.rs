//! pyproof-mechanics: §1 of the sheet, Core Mechanics, on trial.
//!
//! - [`gil_contention`]: "the GIL prevents multiple native threads from executing Python
//!   bytecodes at once … use multiprocessing or C-extensions like NumPy".
//!
//! - [`method_kinds`]: `@classmethod` vs `@staticmethod`, down to the descriptor protocol.

pub mod gil_contention;
pub mod method_kinds;

use pyproof_core::Experiment;

/// Every experiment of this section, in the sheet's order.
pub fn experiments() -> Vec<Box<dyn Experiment>> {
    vec![
        Box::new(gil_contention::GilContention),
        Box::new(method_kinds::MethodKinds),
    ]
}
