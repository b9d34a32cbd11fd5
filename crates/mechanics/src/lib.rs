//! pyproof-mechanics: §1 of the sheet, Core Mechanics, on trial.
//!
//! - [`gil_contention`]: "the GIL prevents multiple native threads from executing Python
//!   bytecodes at once … use multiprocessing or C-extensions like NumPy".
//!
//! - [`async_under_the_hood`]: coroutines driven by hand, a generator-only event loop, and a
//!   hand-written Rust Future.
//! - [`method_kinds`]: `@classmethod` vs `@staticmethod`, down to the descriptor protocol.

pub mod async_under_the_hood;
pub mod gil_contention;
pub mod method_kinds;

use pyproof_core::Experiment;

/// Every experiment of this section, in the sheet's order.
pub fn experiments() -> Vec<Box<dyn Experiment>> {
    vec![
        Box::new(gil_contention::GilContention),
        Box::new(method_kinds::MethodKinds),
        Box::new(async_under_the_hood::AsyncUnderTheHood),
    ]
}
