//! Typed errors of the interpreter layer.

use pyproof_harness::ExperimentError;
use pyproof_proc::ProcError;
use thiserror::Error;

/// Everything that can go wrong starting Python, filling the venv, calling into Python or
/// running a Python subprocess. Every variant renders as one line that says what to do.
#[derive(Debug, Error)]
pub enum PythonError {
    /// The base interpreter is missing or does not run.
    #[error(
        "no usable Python at {path}: {reason} (pyproof needs the CPython >= 3.9 that pyo3 was \
         built against; set PYO3_PYTHON to one and rebuild, or PYPROOF_BASE_PYTHON to override)"
    )]
    NoPython {
        /// The interpreter that was tried.
        path: String,
        /// Why it is unusable.
        reason: String,
    },
    /// The base interpreter is older than pyproof supports.
    #[error("Python at {path} is {version}; pyproof needs CPython 3.9 or newer")]
    TooOld {
        /// The interpreter that was tried.
        path: String,
        /// Its version.
        version: String,
    },
    /// Creating or checking the virtual environment failed.
    #[error("virtual environment {path}: {reason}")]
    Venv {
        /// The venv directory.
        path: String,
        /// What went wrong.
        reason: String,
    },
    /// pip could not install the requirements.
    #[error("pip could not install {package} from {requirements}: {detail}")]
    Pip {
        /// The package pip named, or "the requirements" when it named none.
        package: String,
        /// The requirements file.
        requirements: String,
        /// pip's last error line.
        detail: String,
    },
    /// The embedded interpreter did not start.
    #[error("embedded Python did not start: {0}")]
    Startup(String),
    /// A Python package the experiment needs is not installed.
    #[error("Python package '{package}' is not installed in the venv ({context})")]
    MissingPackage {
        /// The missing module or package.
        package: String,
        /// What needed it.
        context: String,
    },
    /// Python code raised.
    #[error("{context}: {message}")]
    Exception {
        /// What was being called.
        context: String,
        /// `Type: message (file:line)`.
        message: String,
    },
    /// A subprocess, a server or a file operation failed.
    #[error(transparent)]
    Proc(#[from] ProcError),
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

impl PythonError {
    /// An I/O error with its context.
    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        PythonError::Io {
            context: context.into(),
            source,
        }
    }
}

impl From<PythonError> for ExperimentError {
    fn from(e: PythonError) -> Self {
        match e {
            PythonError::Proc(p) => p.into(),
            PythonError::Io { context, source } => ExperimentError::Io { context, source },
            other => ExperimentError::Python(other.to_string()),
        }
    }
}
