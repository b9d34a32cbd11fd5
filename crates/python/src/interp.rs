//! The embedded interpreter: started once, by us, from the venv.
//!
//! CPython is started through `PyConfig` with `program_name` set to the venv's python, so
//! `sys.prefix` is the venv, `sys.executable` is a real interpreter (multiprocessing's
//! `spawn` re-executes it) and site-packages are the venv's. `pyproof_native` is added to the
//! init table before start-up, `python/` is put on `sys.path`, and a C `atexit` hook runs
//! Python's `atexit` handlers when the process exits (pyo3 never finalizes the interpreter,
//! and without them multiprocessing leaks semaphores and warns).

use crate::error::PythonError;
use crate::native::pyproof_native;
use crate::venv::{self, VenvSpec};
use pyo3::exceptions::PyModuleNotFoundError;
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::PyList;
use pyproof_harness::PythonInfo;
use pyproof_proc::paths;
use std::collections::BTreeMap;
use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;
use std::sync::OnceLock;

/// The running embedded interpreter. Get it with [`Interpreter::get`]; every call into Python
/// goes through [`Interpreter::attach`], which guarantees it was started first.
#[derive(Debug)]
pub struct Interpreter {
    /// The venv it runs from.
    pub venv: PathBuf,
    /// `python/`, on `sys.path`.
    pub python_dir: PathBuf,
    /// The venv's interpreter (also `sys.executable`).
    pub executable: PathBuf,
}

static INTERPRETER: OnceLock<Result<Interpreter, String>> = OnceLock::new();

impl Interpreter {
    /// The interpreter, started on first use: ensures the venv (creating it with visible
    /// progress when missing), then starts CPython from it. Later calls are free.
    pub fn get() -> Result<&'static Interpreter, PythonError> {
        INTERPRETER
            .get_or_init(|| start().map_err(|e| e.to_string()))
            .as_ref()
            .map_err(|e| PythonError::Startup(e.clone()))
    }

    /// Runs `f` attached to the interpreter (holding the GIL).
    pub fn attach<F, R>(&self, f: F) -> R
    where
        F: for<'py> FnOnce(Python<'py>) -> R,
    {
        Python::attach(f)
    }

    /// Imports a module, turning a missing package into [`PythonError::MissingPackage`].
    pub fn import<'py>(
        &self,
        py: Python<'py>,
        module: &str,
    ) -> Result<Bound<'py, PyModule>, PythonError> {
        PyModule::import(py, module).map_err(|e| py_error(py, e, &format!("import {module}")))
    }

    /// The interpreter's version and build, asked from the running interpreter.
    pub fn info(&self) -> Result<PythonInfo, PythonError> {
        self.attach(|py| {
            let env = self.import(py, "pyproof._env")?;
            let d = env
                .call_method0("describe")
                .map_err(|e| py_error(py, e, "pyproof._env.describe"))?;
            let get = |k: &str| -> Result<String, PythonError> {
                d.get_item(k)
                    .and_then(|v| v.str().map(|s| s.to_string()))
                    .map_err(|e| py_error(py, e, "pyproof._env.describe"))
            };
            Ok(PythonInfo {
                version: get("version")?,
                implementation: get("implementation")?,
                build: get("build")?,
                gil_enabled: get("gil_enabled")? == "True",
                executable: get("executable")?,
                prefix: get("prefix")?,
            })
        })
    }

    /// Installed versions of every package pinned in `python/requirements.txt`
    /// ("missing" for one that is not installed).
    pub fn package_versions(&self) -> Result<BTreeMap<String, String>, PythonError> {
        let requirements = std::fs::read_to_string(paths::requirements_file())
            .map_err(|e| PythonError::io("reading python/requirements.txt", e))?;
        let names: Vec<String> = venv::requirement_lines(&requirements)
            .into_iter()
            .map(|l| venv::requirement_name(l).to_string())
            .collect();
        self.attach(|py| {
            let env = self.import(py, "pyproof._env")?;
            env.call_method1("package_versions", (names,))
                .and_then(|v| v.extract::<BTreeMap<String, String>>())
                .map_err(|e| py_error(py, e, "pyproof._env.package_versions"))
        })
    }

    /// The import names among `modules` that the venv's interpreter cannot find.
    pub fn missing_modules(&self, modules: &[&str]) -> Result<Vec<String>, PythonError> {
        if modules.is_empty() {
            return Ok(Vec::new());
        }
        let names: Vec<String> = modules.iter().map(|m| m.to_string()).collect();
        self.attach(|py| {
            let env = self.import(py, "pyproof._env")?;
            env.call_method1("missing_modules", (names,))
                .and_then(|v| v.extract::<Vec<String>>())
                .map_err(|e| py_error(py, e, "pyproof._env.missing_modules"))
        })
    }
}

/// Turns a Python exception into a one-line [`PythonError`]: a missing module becomes
/// [`PythonError::MissingPackage`], anything else `Type: message (file:line)` of the
/// innermost frame.
pub fn py_error(py: Python<'_>, err: PyErr, context: &str) -> PythonError {
    if err.is_instance_of::<PyModuleNotFoundError>(py) {
        let name = err
            .value(py)
            .getattr("name")
            .and_then(|n| n.extract::<String>())
            .unwrap_or_else(|_| "?".to_string());
        return PythonError::MissingPackage {
            package: name,
            context: context.to_string(),
        };
    }
    let kind = err
        .get_type(py)
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "Exception".to_string());
    let text = err.value(py).to_string();
    let mut location = String::new();
    if let Some(mut tb) = err.traceback(py) {
        while let Ok(Some(next)) = tb.getattr("tb_next").and_then(|n| {
            if n.is_none() {
                Ok(None)
            } else {
                n.cast_into::<pyo3::types::PyTraceback>()
                    .map(Some)
                    .map_err(Into::into)
            }
        }) {
            tb = next;
        }
        let file = tb
            .getattr("tb_frame")
            .and_then(|f| f.getattr("f_code"))
            .and_then(|c| c.getattr("co_filename"))
            .and_then(|f| f.extract::<String>())
            .unwrap_or_default();
        let line = tb
            .getattr("tb_lineno")
            .and_then(|l| l.extract::<u32>())
            .unwrap_or(0);
        let short = file.rsplit('/').next().unwrap_or(&file).to_string();
        location = format!(" ({short}:{line})");
    }
    let first = text.lines().next().unwrap_or("");
    PythonError::Exception {
        context: context.to_string(),
        message: format!("{kind}: {first}{location}"),
    }
}

/// Runs Python's `atexit` handlers at process exit. Raw FFI, not pyo3: at this point Rust's
/// thread-locals may already be gone.
extern "C" fn run_python_exit_hooks() {
    if pyproof_proc::process::interrupted() {
        // The interrupt path exits with _exit and never gets here; belt and braces.
        return;
    }
    // SAFETY: the interpreter was initialized before this hook was registered and is never
    // finalized; PyGILState_Ensure attaches this thread whatever its state.
    unsafe {
        let gil = ffi::PyGILState_Ensure();
        let code = c"import atexit\natexit._run_exitfuncs()\n";
        ffi::PyRun_SimpleString(code.as_ptr());
        ffi::PyGILState_Release(gil);
    }
}

fn start() -> Result<Interpreter, PythonError> {
    let spec = VenvSpec::project();
    venv::ensure(&spec, &venv::stderr_log())?;
    let executable = spec.python();
    let python_dir = paths::python_dir();
    let program = CString::new(executable.as_os_str().as_bytes())
        .map_err(|_| PythonError::Startup("venv path contains a NUL byte".to_string()))?;

    // SAFETY: called once (OnceLock), before any other use of the C API in this process;
    // config is initialised by PyConfig_InitPythonConfig before use and cleared after.
    unsafe {
        if ffi::Py_IsInitialized() != 0 {
            return Err(PythonError::Startup(
                "an interpreter was already started outside pyproof".to_string(),
            ));
        }
        pyo3::append_to_inittab!(pyproof_native);
        let mut config = std::mem::MaybeUninit::<ffi::PyConfig>::uninit();
        ffi::PyConfig_InitPythonConfig(config.as_mut_ptr());
        let mut config = config.assume_init();
        // Signals stay with Rust: the binaries' handler kills child process groups on Ctrl-C.
        config.install_signal_handlers = 0;
        config.parse_argv = 0;
        let status =
            ffi::PyConfig_SetBytesString(&mut config, &mut config.program_name, program.as_ptr());
        if ffi::PyStatus_Exception(status) != 0 {
            ffi::PyConfig_Clear(&mut config);
            return Err(PythonError::Startup(status_message(&status)));
        }
        let status = ffi::Py_InitializeFromConfig(&config);
        ffi::PyConfig_Clear(&mut config);
        if ffi::PyStatus_Exception(status) != 0 {
            return Err(PythonError::Startup(status_message(&status)));
        }
        // Release the GIL this thread holds after start-up, so any thread can attach.
        ffi::PyEval_SaveThread();
        libc::atexit(run_python_exit_hooks);
    }

    let interp = Interpreter {
        venv: spec.dir.clone(),
        python_dir: python_dir.clone(),
        executable,
    };
    Python::attach(|py| -> Result<(), PythonError> {
        let sys = PyModule::import(py, "sys").map_err(|e| py_error(py, e, "import sys"))?;
        let path = sys
            .getattr("path")
            .and_then(|p| p.cast_into::<PyList>().map_err(Into::into))
            .map_err(|e| py_error(py, e, "sys.path"))?;
        path.insert(0, python_dir.to_string_lossy().as_ref())
            .map_err(|e| py_error(py, e, "sys.path.insert"))?;
        let prefix: String = sys
            .getattr("prefix")
            .and_then(|p| p.extract())
            .map_err(|e| py_error(py, e, "sys.prefix"))?;
        let want = std::fs::canonicalize(&spec.dir).unwrap_or(spec.dir.clone());
        let got = std::fs::canonicalize(&prefix).unwrap_or(PathBuf::from(&prefix));
        if want != got {
            return Err(PythonError::Startup(format!(
                "sys.prefix is {prefix}, not the venv {}",
                spec.dir.display()
            )));
        }
        Ok(())
    })?;
    Ok(interp)
}

fn status_message(status: &ffi::PyStatus) -> String {
    if status.err_msg.is_null() {
        return "unknown PyStatus error".to_string();
    }
    // SAFETY: err_msg is a static NUL-terminated C string set by CPython.
    unsafe { std::ffi::CStr::from_ptr(status.err_msg) }
        .to_string_lossy()
        .into_owned()
}

impl Interpreter {
    /// Calls `<module>.facts()` and returns its facts (dicts with `claim`, `check`,
    /// `observed`, `holds`); a fact for a claim not in `claims` is an error, so a typo in the
    /// Python side cannot slip a fact past its claim.
    pub fn facts(
        &self,
        module: &str,
        claims: &[&str],
    ) -> Result<Vec<pyproof_harness::Fact>, PythonError> {
        let facts = self.attach(|py| {
            let m = self.import(py, module)?;
            let context = format!("{module}.facts()");
            let list = m
                .call_method0("facts")
                .map_err(|e| py_error(py, e, &context))?;
            let raw: Vec<BTreeMap<String, Bound<'_, PyAny>>> =
                list.extract().map_err(|e| py_error(py, e, &context))?;
            raw.into_iter()
                .map(|d| {
                    let field = |k: &str| -> Result<Bound<'_, PyAny>, PythonError> {
                        d.get(k).cloned().ok_or_else(|| PythonError::Exception {
                            context: context.clone(),
                            message: format!("a fact has no '{k}'"),
                        })
                    };
                    let text = |k: &str| -> Result<String, PythonError> {
                        field(k)?
                            .extract::<String>()
                            .map_err(|e| py_error(py, e, &context))
                    };
                    Ok(pyproof_harness::Fact {
                        claim: text("claim")?,
                        check: text("check")?,
                        observed: text("observed")?,
                        holds: field("holds")?
                            .extract::<bool>()
                            .map_err(|e| py_error(py, e, &context))?,
                    })
                })
                .collect::<Result<Vec<_>, PythonError>>()
        })?;
        let unknown = pyproof_harness::unknown_claims(claims, &facts);
        if let Some(first) = unknown.first() {
            return Err(PythonError::Exception {
                context: format!("{module}.facts()"),
                message: format!("fact for undeclared claim '{first}'"),
            });
        }
        Ok(facts)
    }
}
