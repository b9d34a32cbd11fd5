//! Typed errors of processes and files.

use pyproof_harness::ExperimentError;
use thiserror::Error;

/// What can go wrong running a subprocess or a server, or writing a file. Every variant
/// renders as one line.
#[derive(Debug, Error)]
pub enum ProcError {
    /// A subprocess did not finish in time and was killed with its process group.
    #[error("{what} timed out after {seconds:.1} s and was killed{}", tail_suffix(.stderr_tail))]
    Timeout {
        /// What was run.
        what: String,
        /// The limit.
        seconds: f64,
        /// The end of its stderr.
        stderr_tail: String,
    },
    /// A subprocess exited unsuccessfully.
    #[error("{what} failed ({status}){}", tail_suffix(.stderr_tail))]
    ProcessFailed {
        /// What was run.
        what: String,
        /// "exit code 3" or "killed by signal 9".
        status: String,
        /// The end of its stderr.
        stderr_tail: String,
    },
    /// A server process failed to start or stopped while it was needed.
    #[error("{what} {reason}{}", if .stderr_tail.is_empty() { String::new() } else { format!(" (its stderr ends: {})", .stderr_tail) })]
    Service {
        /// Which server.
        what: String,
        /// What happened.
        reason: String,
        /// The end of its stderr, on one line.
        stderr_tail: String,
    },
    /// Not enough disk for a file about to be written; nothing was written.
    #[error(
        "not enough disk space for {what}: needs {} in {dir}, {} free",
        pyproof_harness::format_bytes(*needed),
        pyproof_harness::format_bytes(*free)
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

fn tail_suffix(tail: &str) -> String {
    let last = tail.lines().rev().find(|l| !l.trim().is_empty());
    match last {
        Some(line) => format!(": {}", line.trim()),
        None => String::new(),
    }
}

impl ProcError {
    /// An I/O error with its context.
    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        ProcError::Io {
            context: context.into(),
            source,
        }
    }
}

impl From<ProcError> for ExperimentError {
    fn from(e: ProcError) -> Self {
        match e {
            ProcError::Timeout { what, seconds, .. } => ExperimentError::Timeout { what, seconds },
            ProcError::ProcessFailed { .. } | ProcError::Service { .. } => {
                ExperimentError::Process(e.to_string())
            }
            ProcError::NoSpace { .. } => ExperimentError::Input(e.to_string()),
            ProcError::Io { context, source } => ExperimentError::Io { context, source },
        }
    }
}
