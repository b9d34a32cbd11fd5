//! pyproof-features: §2 of the sheet, Advanced Features, on trial.
//!
//! - [`dunder_methods`]: which dunder each operator reaches, counted, in Python and in Rust.
//! - [`mutable_defaults`]: the shared default list, and how far a tuple's immutability goes.
//! - [`mro`]: "the order in which Python looks for a method … check it with `Class.mro()`" —
//!   an independent C3 in Rust against CPython on every published and ≥ 10,000 random
//!   hierarchies.

pub mod dunder_methods;
pub mod mro;
pub mod mutable_defaults;

use pyproof_core::Experiment;

/// Every experiment of this section, in the sheet's order.
pub fn experiments() -> Vec<Box<dyn Experiment>> {
    vec![
        Box::new(dunder_methods::DunderMethods),
        Box::new(mutable_defaults::MutableDefaults),
        Box::new(mro::Mro),
    ]
}
