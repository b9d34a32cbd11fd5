//! The worker registry at run time: re-executing this binary as a worker, and dispatching a
//! process that was started as one.
//!
//! Roles are declared by the experiments ([`pyproof_harness::Worker`]); a binary passes the
//! roles it knows (the CLI all of them, an example its own answer's) to [`worker_main`]
//! before anything else, and an experiment starts one with [`worker_command`].

use crate::error::ProcError;
use pyproof_harness::Worker;
use std::process::{Command, ExitCode};

/// The environment variable that makes a pyproof binary run as a worker
/// (`PYPROOF_WORKER=<role>`).
pub const WORKER_ENV: &str = "PYPROOF_WORKER";

/// A command that re-executes this very binary as the worker `role`.
pub fn worker_command(role: &str) -> Result<Command, ProcError> {
    let exe = std::env::current_exe().map_err(|e| {
        ProcError::io(
            format!("finding this program to start its {role} worker"),
            e,
        )
    })?;
    let mut cmd = Command::new(exe);
    cmd.env(WORKER_ENV, role);
    Ok(cmd)
}

/// How a worker process ends: its JSON report on stdout and exit 0, or its error in one
/// `error:` line on stderr and exit 3.
pub fn worker_exit(result: Result<String, String>) -> ExitCode {
    match result {
        Ok(json) => {
            println!("{json}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {}", e.lines().next().unwrap_or("unknown error"));
            ExitCode::from(3)
        }
    }
}

/// When this process was started as a worker (`PYPROOF_WORKER` set), runs the role among
/// `known` with the process's arguments and returns its exit code; an unknown role is one
/// `error:` line and exit 3. None for a normal start.
pub fn worker_main<'a>(known: impl IntoIterator<Item = &'a dyn Worker>) -> Option<ExitCode> {
    let role = std::env::var(WORKER_ENV).ok()?;
    let known: Vec<&dyn Worker> = known.into_iter().collect();
    let args: Vec<String> = std::env::args().skip(1).collect();
    match known.iter().find(|w| w.role() == role) {
        Some(worker) => Some(worker_exit(worker.run(&args))),
        None => {
            let names: Vec<&str> = known.iter().map(|w| w.role()).collect();
            eprintln!(
                "error: unknown {WORKER_ENV} role '{role}' (expected: {})",
                if names.is_empty() {
                    "none in this binary".to_string()
                } else {
                    names.join(", ")
                }
            );
            Some(ExitCode::from(3))
        }
    }
}
