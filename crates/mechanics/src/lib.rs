//! pyproof-mechanics: §1 of the sheet, Core Mechanics, on trial.
//!
//! - [`gil_contention`]: "the GIL prevents multiple native threads from executing Python
//!   bytecodes at once … use multiprocessing or C-extensions like NumPy".
//!
//! The other answers of the section (`method_kinds`, `async_under_the_hood`) join here.

pub mod gil_contention;

use pyproof_core::Experiment;

/// Every experiment of this section, in the sheet's order.
pub fn experiments() -> Vec<Box<dyn Experiment>> {
    vec![Box::new(gil_contention::GilContention)]
}
