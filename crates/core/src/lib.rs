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
//! This crate has no Python and no heavy dependencies; the interpreter lives in
//! `pyproof-python`, the renderers in `pyproof-report`.

mod bytes;
mod claim;
mod env;
mod error;
mod experiment;
mod fact;
mod measure;
mod outcome;
mod scale;
mod sizes;
pub mod time;

/// How a worker process ends: its JSON report on stdout and exit 0, or its error in one
/// `error:` line on stderr and exit 3.
pub fn worker_exit(result: Result<String, String>) -> std::process::ExitCode {
    match result {
        Ok(json) => {
            println!("{json}");
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {}", e.lines().next().unwrap_or("unknown error"));
            std::process::ExitCode::from(3)
        }
    }
}

/// The environment variable that makes a pyproof binary run as a measured worker process
/// (`PYPROOF_WORKER=<role>`): a polars variant, a rayon run, the delay server...
pub const WORKER_ENV: &str = "PYPROOF_WORKER";

pub use bytes::{MAX_BYTES, format_bytes, parse_bytes};
pub use claim::{Case, Claim, ClaimVerdict, Judgement, Verdict, judge_cases};
pub use env::{Environment, Host, PythonInfo, available_cores};
pub use error::ExperimentError;
pub use experiment::{
    Experiment, Meta, NoProgress, Overrides, Progress, RunContext, Section, run_experiment,
    skipped_outcome, validate_ids,
};
pub use fact::{Fact, record_facts, unknown_claims};
pub use measure::{
    Measurement, Summary, format_number, format_value, median, nearest_rank, pairwise_ratios,
    quantile,
};
pub use outcome::{
    Bar, Chart, Lane, Outcome, RepeatedClaim, RunFailure, RunResults, Series, Table, repeatability,
};
pub use scale::Scale;
pub use sizes::{IMAGE_SIDE, MAX_IMAGES, parse_count, parse_image_size};
