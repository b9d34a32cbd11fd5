//! `method_kinds`: "`@classmethod` receives the class itself as the first argument (`cls`),
//! useful for factory methods. `@staticmethod` receives no special first argument".
//!
//! Observed on the running interpreter (`python/pyproof/method_kinds.py`): a factory
//! classmethod called on a subclass, a staticmethod from class and instance, and one level
//! down — what each kind's descriptor `__get__` returns. The same kinds on a Rust
//! `#[pyclass]` (`pyproof_native.Shape`) and a Python subclass of it.

pub mod judge;
pub mod shape;
mod today;

use judge::ids;
use pyproof_harness::{Claim, Experiment, ExperimentError, Meta, Outcome, RunContext, Section};

/// The experiment.
#[derive(Debug, Clone, Copy, Default)]
pub struct MethodKinds;

/// The sheet's question.
pub const QUESTION: &str = "Explain the difference between `@staticmethod` and `@classmethod`.";
/// The sheet's answer, word for word.
pub const SHEET_ANSWER: &str = "`@classmethod` receives the class itself as the first argument \
(`cls`), useful for factory methods. `@staticmethod` receives no special first argument and acts \
like a regular function that lives inside the class's namespace.";

/// What this experiment is about.
pub const META: Meta = Meta {
    id: "method_kinds",
    section: Section::CoreMechanics,
    question: QUESTION,
    sheet_answer: SHEET_ANSWER,
};

impl Experiment for MethodKinds {
    fn answer_today(&self, outcome: &Outcome) -> Option<String> {
        today::answer(outcome)
    }

    fn meta(&self) -> &'static Meta {
        &META
    }

    fn claims(&self, _ctx: &RunContext<'_>) -> Vec<Claim> {
        vec![
            Claim::new(
                ids::CLASSMETHOD_GETS_CLASS,
                "(a)",
                "a classmethod receives the class it is called on, so a factory called on a \
                 subclass builds the subclass — in Python and in a Rust #[pyclass]",
                "every check shows the subclass",
            ),
            Claim::new(
                ids::STATICMETHOD_PLAIN,
                "(b)",
                "a staticmethod receives nothing special: the same plain function from the \
                 class and from an instance",
                "every check shows the same function and result",
            ),
            Claim::new(
                ids::PLAIN_METHOD_BINDS_INSTANCE,
                "(c)",
                "a plain method is bound to the instance by the function's own __get__ (the \
                 descriptor protocol behind all three kinds)",
                "every check shows the instance as __self__",
            ),
        ]
    }

    fn run(&self, ctx: &RunContext<'_>) -> Result<Outcome, ExperimentError> {
        pyproof_python::add_part(&shape::PART)?;
        let mut outcome = pyproof_python::fact_outcome(
            self,
            ctx,
            "pyproof.method_kinds",
            "Observed on this interpreter (Python classes and the Rust pyproof_native.Shape)",
            judge::judge,
        )?;
        outcome.notes.push(
            "All three kinds are descriptors: looking a name up on a class or an instance calls \
             its __get__. A function's __get__ binds the instance; classmethod's binds the class \
             (type(instance) when called through an instance); staticmethod's returns the bare \
             function. The sheet's answer is what these three __get__ methods do."
                .to_string(),
        );
        Ok(outcome)
    }
}
