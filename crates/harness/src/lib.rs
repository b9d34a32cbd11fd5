//! pyproof-core: the experiment model every trial shares.
//!
//! An answer of the interview sheet becomes one or more [`Claim`]s, each worded so a
//! measurement could prove it wrong and each with its threshold declared *before* the run.
//! An [`Experiment`] runs real code and returns an [`Outcome`]: every sample it took
//! ([`Measurement`]), tables and chart series for the renderers, and one [`Judgement`] per
//! claim. [`run_experiment`] is the only way the harness runs an experiment: it records the
//! declared claims first, runs, then refuses an outcome whose judgements do not cover exactly
//! the declared claims — so an experiment cannot quietly drop or invent a claim.
//!
//! It also holds what every experiment declares about itself: its command-line options
//! ([`options`], one registry the CLI and the examples parse from) and its worker roles
//! ([`worker`]); the one seeded generator ([`rng`]); and [`one_core`], the verdict every
//! parallel claim gives when this process has a single core.
//!
//! This crate has no Python and no heavy dependencies; processes live in `pyproof-proc`, the
//! interpreter in `pyproof-python`, the renderers in `pyproof-report`.

pub mod band;
mod bytes;
mod claim;
mod env;
mod error;
mod experiment;
pub mod expiry;
mod fact;
pub mod interval;
mod measure;
pub mod options;
mod outcome;
pub mod rng;
pub mod rounds;
mod scale;
mod standing;
pub mod steps;
mod student;
pub mod testing;
pub mod time;
pub mod worker;

pub use band::Band;
pub use bytes::{MAX_BYTES, format_bytes, parse_bytes};
pub use claim::{
    Case, Claim, ClaimVerdict, Judgement, Standing, Verdict, demonstrated, judge_cases, judge_one,
    judge_per_build,
};
pub use env::{Environment, Host, PythonInfo, available_cores};
pub use error::ExperimentError;
pub use experiment::{
    Experiment, Meta, NoProgress, Progress, RunContext, Section, run_experiment, skipped_outcome,
    validate_ids,
};
pub use expiry::{Expiry, expiry};
pub use fact::{Fact, assert_judges_facts, judge_facts, record_facts, unknown_claims};
pub use interval::{
    FENCE_FROM, FENCE_SDS, Interval, PROJECT_FROM, Position, Sense, Threshold, median_interval,
    rounds_to_settle,
};
pub use measure::{
    Measurement, Summary, format_number, format_value, median, median_iqr, nearest_rank,
    pairwise_ratios, quantile,
};
pub use options::{Options, Parsed, RunOption};
pub use outcome::{
    Bar, Chart, Lane, Outcome, RepeatedClaim, RunFailure, RunResults, Series, Table, repeatability,
};
pub use rng::Rng;
pub use rounds::RoundBudget;
pub use scale::Scale;
pub use standing::{
    AnswerStanding, BEYOND_THE_SHEET, BuildVerdict, answer_standing, per_build_line,
    tests_the_sheet,
};
pub use student::t95;
pub use worker::Worker;

/// The verdict of a claim that needs two cores, on a machine that gives this process one:
/// Inconclusive, saying why this machine cannot show it. None when there are two or more.
pub fn one_core(claim_id: &str, cores: usize, why: &str) -> Option<Judgement> {
    (cores < 2).then(|| {
        Judgement::new(
            claim_id,
            Verdict::Inconclusive,
            format!("only {cores} core is available to this process: {why}"),
        )
    })
}
