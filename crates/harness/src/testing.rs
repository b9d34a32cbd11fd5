//! What the answers' integration tests share: a quick run in process, and its verdicts read
//! back by claim id. For tests only (they panic with the reason instead of returning errors).

use crate::claim::Verdict;
use crate::experiment::{Experiment, NoProgress, RunContext, run_experiment};
use crate::outcome::Outcome;
use crate::scale::Scale;

/// Runs `experiment` at quick scale in this process (its cache under the system's temporary
/// directory, shared across tests as the datasets are), panicking with the error when it
/// fails.
pub fn run_quick(experiment: &dyn Experiment) -> Outcome {
    let cache = std::env::temp_dir().join("pyproof-tests");
    let ctx = RunContext::new(Scale::Quick, cache, &NoProgress);
    run_experiment(experiment, &ctx).unwrap_or_else(|e| panic!("{} failed: {e}", experiment.id()))
}

/// Each claim's id and verdict, in the order declared.
pub fn verdicts(outcome: &Outcome) -> Vec<(&str, Verdict)> {
    outcome
        .verdicts
        .iter()
        .map(|v| (v.claim.id.as_str(), v.verdict))
        .collect()
}

/// Asserts that every claim of `outcome` got `want`, naming the claim and its evidence
/// otherwise.
pub fn assert_every_verdict(outcome: &Outcome, want: Verdict) {
    for v in &outcome.verdicts {
        assert_eq!(v.verdict, want, "{}: {}", v.claim.id, v.evidence);
    }
}

/// A made-up outcome for testing an answer-today sentence: one sample per measurement key,
/// the facts as (check, observed), and the evidence of claims by id.
pub fn made_up_outcome(
    figures: &[(&str, f64)],
    facts: &[(&str, &str)],
    evidence: &[(&str, &str)],
) -> Outcome {
    use crate::claim::{Claim, ClaimVerdict};
    use crate::experiment::Section;
    use crate::fact::Fact;
    use crate::measure::Measurement;
    let mut o = Outcome::new("made_up", Section::CheatSheet, "q", "a", Scale::Quick);
    for (key, value) in figures {
        o.measurements
            .push(Measurement::new(*key, *key, "", vec![*value]));
    }
    for (check, observed) in facts {
        o.facts.push(Fact {
            claim: String::new(),
            check: check.to_string(),
            observed: observed.to_string(),
            holds: true,
        });
    }
    for (id, text) in evidence {
        o.verdicts.push(ClaimVerdict {
            claim: Claim::new(*id, "(x)", "s", "t"),
            verdict: Verdict::Confirmed,
            evidence: text.to_string(),
            builds: Vec::new(),
        });
    }
    o
}

/// Made-up results holding `outcomes`, for tests of code that reads a run's results: a
/// quick-scale debug run of no date on this host.
pub fn made_up_results(outcomes: Vec<Outcome>) -> crate::RunResults {
    crate::RunResults {
        schema: crate::RunResults::SCHEMA,
        environment: crate::env::Environment {
            date_utc: String::new(),
            host: crate::env::Host::detect(),
            python: None,
            packages: Default::default(),
            scale: Scale::Quick,
            build_profile: "debug".into(),
            pyproof_version: String::new(),
        },
        outcomes,
        failures: Vec::new(),
        repeats: Vec::new(),
        wall_s: None,
        run_walls_s: Vec::new(),
    }
}
