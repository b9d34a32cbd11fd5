//! The experiment trait, its run context, and the one function that runs an experiment.

use crate::claim::{Claim, ClaimVerdict};
use crate::error::ExperimentError;
use crate::options::{Options, RunOption};
use crate::outcome::Outcome;
use crate::scale::Scale;
use crate::worker::Worker;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fmt;
use std::path::PathBuf;
use std::time::Instant;

/// The sections of the interview sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Section {
    /// §1 Core Mechanics.
    CoreMechanics,
    /// §2 Advanced Features.
    AdvancedFeatures,
    /// §3 Engineering Scenarios.
    EngineeringScenarios,
    /// The closing cheat sheet.
    CheatSheet,
}

impl fmt::Display for Section {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Section::CoreMechanics => "1. Core Mechanics",
            Section::AdvancedFeatures => "2. Advanced Features",
            Section::EngineeringScenarios => "3. Engineering Scenarios",
            Section::CheatSheet => "Cheat Sheet",
        })
    }
}

/// Progress of anything that takes longer than a second. Implementations must be cheap:
/// experiments call `update` from their measuring loops (never while timing).
pub trait Progress: Send + Sync {
    /// `done` of `total` steps are finished; `label` says what runs now.
    fn update(&self, label: &str, done: usize, total: usize);
}

/// Progress that goes nowhere (tests, benches).
#[derive(Debug, Default, Clone, Copy)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn update(&self, _label: &str, _done: usize, _total: usize) {}
}

/// What an experiment gets to run with.
pub struct RunContext<'a> {
    /// The scale of the run.
    pub scale: Scale,
    /// Cores this process may use (affinity respected).
    pub cores: usize,
    /// Where the experiment may cache inputs it generates (datasets, corpora).
    pub cache_dir: PathBuf,
    /// Where progress goes.
    pub progress: &'a dyn Progress,
    /// The values of the options the experiment declared ([`Experiment::options`]) that the
    /// command line gave.
    pub options: Options,
}

impl<'a> RunContext<'a> {
    /// A context for `scale` on this machine, caching under `cache_dir`.
    pub fn new(scale: Scale, cache_dir: PathBuf, progress: &'a dyn Progress) -> Self {
        RunContext {
            scale,
            cores: crate::env::available_cores(),
            cache_dir,
            progress,
            options: Options::new(),
        }
    }
}

/// What an experiment is about: its id, and the sheet's section, question and answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Meta {
    /// The snake_case id that names its module, Python file, example, bench and docs page.
    pub id: &'static str,
    /// The section of the sheet.
    pub section: Section,
    /// The sheet's question.
    pub question: &'static str,
    /// The sheet's answer, word for word.
    pub sheet_answer: &'static str,
}

/// One answer of the sheet on trial.
pub trait Experiment: Send + Sync {
    /// Its id, and the sheet's section, question and answer.
    fn meta(&self) -> &'static Meta;
    /// The snake_case id that names its module, Python file, example, bench and docs page.
    fn id(&self) -> &'static str {
        self.meta().id
    }
    /// The section of the sheet.
    fn section(&self) -> Section {
        self.meta().section
    }
    /// The sheet's question.
    fn question(&self) -> &'static str {
        self.meta().question
    }
    /// The sheet's answer, word for word.
    fn sheet_answer(&self) -> &'static str {
        self.meta().sheet_answer
    }
    /// The claims with their thresholds, declared before the run. They may depend on the
    /// context (e.g. the core count), never on measurements.
    fn claims(&self, ctx: &RunContext<'_>) -> Vec<Claim>;
    /// Runs the experiment: measurements, tables, charts and one judgement per claim.
    /// Never prints; progress goes to `ctx.progress`.
    fn run(&self, ctx: &RunContext<'_>) -> Result<Outcome, ExperimentError>;
    /// The third-party Python modules it imports (import names: `PIL`, not `pillow`). The
    /// harness checks them before the run: when one is missing from the venv, every claim is
    /// Skipped with the reason ([`skipped_outcome`]) and the other experiments still run.
    fn python_modules(&self) -> &'static [&'static str] {
        &[]
    }
    /// Its criterion bench (`benches/<name>.rs` in its crate), when it has one; named by its
    /// id.
    fn bench(&self) -> Option<&'static str> {
        None
    }
    /// The command-line options it takes (see [`crate::options`]); the CLI and its example
    /// parse exactly these beside the common ones.
    fn options(&self) -> &'static [&'static dyn RunOption] {
        &[]
    }
    /// The worker roles it runs in fresh processes of the same binary (see
    /// [`crate::worker`]).
    fn workers(&self) -> &'static [&'static dyn Worker] {
        &[]
    }
    /// The answer to give today, in one or two sentences whose figures come from `outcome`
    /// (this run's, or a results file's): what the study guide's scorecard shows beside the
    /// sheet's answer. A pure function of the outcome, so `pyproof report` can recompute it
    /// from a saved run; None when the outcome lacks what it needs (e.g. every claim
    /// Skipped).
    fn answer_today(&self, _outcome: &Outcome) -> Option<String> {
        None
    }
}

/// The outcome of an experiment that could not run for a reason outside it (a Python package
/// missing from the venv): every declared claim Skipped, with the reason as evidence and note.
pub fn skipped_outcome(experiment: &dyn Experiment, ctx: &RunContext<'_>, reason: &str) -> Outcome {
    let mut outcome = Outcome::of(experiment.meta(), ctx.scale);
    outcome.verdicts = experiment
        .claims(ctx)
        .into_iter()
        .map(|claim| ClaimVerdict {
            claim,
            verdict: crate::Verdict::Skipped,
            evidence: reason.to_string(),
            builds: Vec::new(),
        })
        .collect();
    outcome.notes.push(format!("Skipped: {reason}"));
    outcome
}

/// Runs `experiment`: declares its claims, runs it, and checks that its judgements cover
/// exactly the declared claims before attaching them as verdicts.
pub fn run_experiment(
    experiment: &dyn Experiment,
    ctx: &RunContext<'_>,
) -> Result<Outcome, ExperimentError> {
    let claims = experiment.claims(ctx);
    let started = Instant::now();
    let clock = crate::steps::StepClock::new(ctx.progress);
    let timed = RunContext {
        scale: ctx.scale,
        cores: ctx.cores,
        cache_dir: ctx.cache_dir.clone(),
        progress: &clock,
        options: ctx.options.clone(),
    };
    let mut outcome = experiment.run(&timed)?;
    outcome.duration_s = started.elapsed().as_secs_f64();
    outcome.steps = clock.finish();

    let declared: BTreeSet<&str> = claims.iter().map(|c| c.id.as_str()).collect();
    let judged: Vec<&str> = outcome
        .judgements
        .iter()
        .map(|j| j.claim_id.as_str())
        .collect();
    let judged_set: BTreeSet<&str> = judged.iter().copied().collect();
    if judged.len() != judged_set.len() {
        return Err(ExperimentError::InvalidOutcome(format!(
            "{}: a claim was judged twice",
            experiment.id()
        )));
    }
    if declared != judged_set {
        let missing: Vec<_> = declared.difference(&judged_set).collect();
        let extra: Vec<_> = judged_set.difference(&declared).collect();
        return Err(ExperimentError::InvalidOutcome(format!(
            "{}: unjudged claims {missing:?}, undeclared judgements {extra:?}",
            experiment.id()
        )));
    }
    let judgements = std::mem::take(&mut outcome.judgements);
    outcome.verdicts = claims
        .into_iter()
        .map(|claim| {
            let j = judgements
                .iter()
                .find(|j| j.claim_id == claim.id)
                .expect("coverage checked above");
            ClaimVerdict {
                claim,
                verdict: j.verdict,
                evidence: j.evidence.clone(),
                builds: j.builds.clone(),
            }
        })
        .collect();
    outcome.today = experiment.answer_today(&outcome);
    Ok(outcome)
}

/// Checks requested ids against the known ones; the error lists the valid ids.
pub fn validate_ids<'a>(requested: &'a [String], known: &[&str]) -> Result<(), String> {
    let unknown: Vec<&'a str> = requested
        .iter()
        .map(String::as_str)
        .filter(|id| !known.contains(id))
        .collect();
    if unknown.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "unknown experiment id{} {} (valid ids: {})",
            if unknown.len() > 1 { "s" } else { "" },
            unknown
                .iter()
                .map(|u| format!("'{u}'"))
                .collect::<Vec<_>>()
                .join(", "),
            known.join(", ")
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claim::{Judgement, Verdict};

    struct Fake(Vec<&'static str>);

    const FAKE: Meta = Meta {
        id: "fake",
        section: Section::CoreMechanics,
        question: "Q?",
        sheet_answer: "A.",
    };

    impl Experiment for Fake {
        fn meta(&self) -> &'static Meta {
            &FAKE
        }
        fn claims(&self, _ctx: &RunContext<'_>) -> Vec<Claim> {
            vec![
                Claim::new("one", "(a)", "s", "t"),
                Claim::new("two", "(b)", "s", "t"),
            ]
        }
        fn run(&self, ctx: &RunContext<'_>) -> Result<Outcome, ExperimentError> {
            let mut o = Outcome::of(&FAKE, ctx.scale);
            for id in &self.0 {
                o.judgements
                    .push(Judgement::new(*id, Verdict::Confirmed, "e"));
            }
            Ok(o)
        }
    }

    fn ctx() -> RunContext<'static> {
        RunContext::new(Scale::Quick, std::env::temp_dir(), &NoProgress)
    }

    #[test]
    fn verdicts_follow_declared_claims() {
        let o = run_experiment(&Fake(vec!["two", "one"]), &ctx()).expect("valid outcome");
        let ids: Vec<_> = o.verdicts.iter().map(|v| v.claim.id.as_str()).collect();
        assert_eq!(ids, ["one", "two"]);
        assert!(o.judgements.is_empty());
    }

    #[test]
    fn missing_extra_or_double_judgements_are_refused() {
        for judged in [
            vec!["one"],
            vec!["one", "two", "three"],
            vec!["one", "one", "two"],
        ] {
            let err = run_experiment(&Fake(judged), &ctx()).unwrap_err();
            assert!(matches!(err, ExperimentError::InvalidOutcome(_)), "{err}");
        }
    }

    #[test]
    fn unknown_ids_are_listed_with_the_valid_ones() {
        let known = ["gil_contention", "mro"];
        assert!(validate_ids(&["mro".to_string()], &known).is_ok());
        let err = validate_ids(&["nope".to_string()], &known).unwrap_err();
        assert_eq!(
            err,
            "unknown experiment id 'nope' (valid ids: gil_contention, mro)"
        );
    }
}
