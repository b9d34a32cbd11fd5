//! pyproof-features: §2 of the sheet, Advanced Features, on trial.
//!
//! - [`mro`]: "the order in which Python looks for a method … check it with `Class.mro()`" —
//!   an independent C3 in Rust against CPython on every published and ≥ 10,000 random
//!   hierarchies.

pub mod mro;

use pyproof_core::Experiment;

/// Every experiment of this section, in the sheet's order.
pub fn experiments() -> Vec<Box<dyn Experiment>> {
    vec![Box::new(mro::Mro)]
}
