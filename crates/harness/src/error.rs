//! The one error type experiments return.

use thiserror::Error;

/// Why an experiment could not produce an outcome.
///
/// A missing optional package is *not* an error: the experiment returns an outcome whose
/// affected claims are [`crate::Verdict::Skipped`] with the reason.
#[derive(Debug, Error)]
pub enum ExperimentError {
    /// The embedded interpreter or a Python call failed.
    #[error("python: {0}")]
    Python(String),
    /// A subprocess, pool or thread did not finish in time.
    #[error("timed out after {seconds:.0} s: {what}")]
    Timeout {
        /// What was being waited for.
        what: String,
        /// The limit that ran out.
        seconds: f64,
    },
    /// A subprocess or pool worker failed or died.
    #[error("process failed: {0}")]
    Process(String),
    /// Two variants that must compute the same answer did not.
    #[error("variants disagree: {0}")]
    Inconsistent(String),
    /// The outcome broke the harness's rules (e.g. a declared claim left unjudged).
    #[error("invalid outcome: {0}")]
    InvalidOutcome(String),
    /// An input the experiment needs is unusable or cannot be made: a corrupt file, too
    /// little disk for a dataset.
    #[error("{0}")]
    Input(String),
    /// A library the experiment measures (polars, an image codec) refused or failed.
    #[error("{library}: {message}")]
    Library {
        /// Which library.
        library: &'static str,
        /// Its first line of error.
        message: String,
    },
    /// Reading or writing a file failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
}

impl ExperimentError {
    /// An I/O error with what was being done.
    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        ExperimentError::Io {
            context: context.into(),
            source,
        }
    }
}
