//! Typed errors of the scenarios.

use pyproof_core::ExperimentError;
use pyproof_python::PythonError;
use thiserror::Error;

/// What can go wrong making a dataset or running a variant. Each renders as one line.
#[derive(Debug, Error)]
pub enum ScenarioError {
    /// The input is unusable: a missing or malformed file, a bad argument.
    #[error("{0}")]
    Input(String),
    /// Not enough disk for a file we were about to write; nothing was written.
    #[error(
        "not enough disk space for {what}: needs {} in {dir}, {} free",
        pyproof_core::format_bytes(*needed),
        pyproof_core::format_bytes(*free)
    )]
    NoSpace {
        /// What was to be written.
        what: String,
        /// Where.
        dir: String,
        /// Bytes needed, headroom included.
        needed: u64,
        /// Bytes free.
        free: u64,
    },
    /// polars refused or failed.
    #[error("polars: {0}")]
    Polars(String),
    /// Python, or a subprocess, failed.
    #[error(transparent)]
    Python(#[from] PythonError),
    /// Variants that must agree did not.
    #[error("variants disagree: {0}")]
    Inconsistent(String),
    /// An I/O operation failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
}

impl ScenarioError {
    /// An I/O error with its context.
    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        ScenarioError::Io {
            context: context.into(),
            source,
        }
    }
}

impl From<polars::prelude::PolarsError> for ScenarioError {
    fn from(e: polars::prelude::PolarsError) -> Self {
        // polars' messages can span lines (hints, context); the first says what happened.
        let text = e.to_string();
        let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
        ScenarioError::Polars(first.trim().to_string())
    }
}

impl From<ScenarioError> for ExperimentError {
    fn from(e: ScenarioError) -> Self {
        match e {
            ScenarioError::Python(p) => p.into(),
            ScenarioError::Inconsistent(m) => ExperimentError::Inconsistent(m),
            ScenarioError::Io { context, source } => ExperimentError::Io { context, source },
            other => ExperimentError::Input(other.to_string()),
        }
    }
}
