//! `dunder_methods`: "Methods like `__init__`, `__str__`, `__call__` that allow custom objects
//! to interact with Python's built-in operators (e.g., `+`, `len()`, `()`)."
//!
//! A Rust `#[pyclass]` (`pyproof_native.Vector`) and a pure-Python twin implement the same
//! protocol and count every dunder call; each operation is run alone and the exact dunders it
//! reached are reported. One level deeper: operators look dunders up on the type (an instance
//! attribute is ignored), `NotImplemented` hands the operation to the other operand, and
//! `sum()` needs `__radd__` for its start value 0.

pub mod judge;
mod today;
pub mod vector;

use judge::ids;
use pyproof_harness::{Claim, Experiment, ExperimentError, Meta, Outcome, RunContext, Section};

/// The experiment.
#[derive(Debug, Clone, Copy, Default)]
pub struct DunderMethods;

/// The sheet's question.
pub const QUESTION: &str = "What are Dunder (Magic) methods?";
/// The sheet's answer, word for word.
pub const SHEET_ANSWER: &str = "Methods like `__init__`, `__str__`, `__call__` that allow custom \
objects to interact with Python's built-in operators (e.g., `+`, `len()`, `()`).";

/// What this experiment is about.
pub const META: Meta = Meta {
    id: "dunder_methods",
    section: Section::AdvancedFeatures,
    question: QUESTION,
    sheet_answer: SHEET_ANSWER,
};

impl Experiment for DunderMethods {
    fn answer_today(&self, outcome: &Outcome) -> Option<String> {
        today::answer(outcome)
    }

    fn meta(&self) -> &'static Meta {
        &META
    }

    fn claims(&self, _ctx: &RunContext<'_>) -> Vec<Claim> {
        vec![
            Claim::new(
                ids::OPERATORS_DISPATCH,
                "(a)",
                "built-in operators and functions (+, *, len(), (), str(), in, bool(), ==, \
                 hash(), [], iteration, sum()) dispatch to the object's dunder methods, for a \
                 Python class and a Rust #[pyclass] alike",
                "each operation reaches exactly the dunders the protocol names, counted",
            ),
            Claim::new(
                ids::LOOKED_UP_ON_TYPE,
                "(b)",
                "operators look the dunder up on the type: an instance attribute of the same \
                 name is ignored by the operator (but not by an explicit call)",
                "every check shows the type's method used by the operator",
            ),
            Claim::new(
                ids::NOTIMPLEMENTED_HANDS_OVER,
                "(c)",
                "a dunder returning NotImplemented hands the operation to the other operand's \
                 reflected method, and only then does Python raise TypeError",
                "every check shows the hand-over",
            ),
            Claim::new(
                ids::SUM_NEEDS_RADD,
                "(d)",
                "sum() starts from 0, so objects need __radd__ (or an explicit start) to be \
                 summed",
                "without __radd__ sum() raises; with a start of its own kind it works",
            ),
        ]
    }

    fn run(&self, ctx: &RunContext<'_>) -> Result<Outcome, ExperimentError> {
        pyproof_python::add_part(&vector::PART)?;
        let mut outcome = pyproof_python::fact_outcome(
            self,
            ctx,
            "pyproof.dunder_methods",
            "Each operation run alone; the dunder calls it made, counted (Python and Rust)",
            judge::judge,
        )?;
        outcome.notes.push(
            "Implicit lookups go straight to the type's slots (tp_as_number->nb_add and \
             friends), which is why an instance attribute named __add__ changes nothing for `+` \
             and why a Rust #[pyclass] takes part in the same protocol: pyo3 fills the same \
             slots. `list(v)` also asks __len__ for a size hint before iterating."
                .to_string(),
        );
        Ok(outcome)
    }
}
