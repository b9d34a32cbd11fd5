//! `mutable_defaults`: "Lists are mutable; Tuples are immutable … `def add(val, list=[])`
//! will reuse the *same* list object across all calls!"
//!
//! Every part is observed on the running interpreter (`python/pyproof/mutable_defaults.py`):
//! the shared default and when its expression runs, the `None`-sentinel fix, and how far a
//! tuple's immutability reaches — one level: a tuple holding a list is not hashable, its list
//! can change, and `t[0] += [x]` both raises and mutates.

pub mod judge;
mod today;

use judge::ids;
use pyproof_harness::{Claim, Experiment, ExperimentError, Meta, Outcome, RunContext, Section};

/// The experiment.
#[derive(Debug, Clone, Copy, Default)]
pub struct MutableDefaults;

/// The sheet's question.
pub const QUESTION: &str = "Mutable vs. Immutable: Why does it matter?";
/// The sheet's answer, word for word.
pub const SHEET_ANSWER: &str = "Lists are mutable; Tuples are immutable. Using mutable objects as \
default arguments in functions is a common bug: `def add(val, list=[])` will reuse the *same* \
list object across all calls!";

/// What this experiment is about.
pub const META: Meta = Meta {
    id: "mutable_defaults",
    section: Section::AdvancedFeatures,
    question: QUESTION,
    sheet_answer: SHEET_ANSWER,
};

impl Experiment for MutableDefaults {
    fn answer_today(&self, outcome: &Outcome) -> Option<String> {
        today::answer(outcome)
    }

    fn meta(&self) -> &'static Meta {
        &META
    }

    fn claims(&self, _ctx: &RunContext<'_>) -> Vec<Claim> {
        vec![
            Claim::new(
                ids::DEFAULT_SHARED,
                "(a)",
                "a mutable default argument is one object, made once when `def` runs, and \
                 shared by every call",
                "every check shows the same object and a single evaluation",
            ),
            Claim::new(
                ids::NONE_SENTINEL_FIXES_IT,
                "(b)",
                "the None-sentinel idiom gives each call a fresh list",
                "two calls return different lists with only their own item",
            ),
            Claim::new(
                ids::TUPLES_IMMUTABLE,
                "(c)",
                "tuples are immutable (lists are mutable)",
                "every check shows the tuple unchanged and usable as a dict key",
            ),
        ]
    }

    fn run(&self, ctx: &RunContext<'_>) -> Result<Outcome, ExperimentError> {
        let mut outcome = pyproof_python::fact_outcome(
            self,
            ctx,
            "pyproof.mutable_defaults",
            "Observed on this interpreter",
            judge::judge,
        )?;
        outcome.notes.push(
            "A tuple is immutable one level deep: it always holds the same objects, but an \
             object it holds may itself be mutable. Such a tuple cannot be hashed, and \
             `t[0] += [x]` first extends the list in place and then fails to store it back."
                .to_string(),
        );
        outcome.notes.push(
            "Rust cannot have the shared-default bug: it has no default arguments, and the \
             usual stand-in, `Default::default()` or an `Option` argument with \
             `unwrap_or_default()`, builds a new value on every call."
                .to_string(),
        );
        Ok(outcome)
    }
}
