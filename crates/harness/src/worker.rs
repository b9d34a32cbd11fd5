//! Worker roles: work an experiment runs in a fresh process of the very binary that runs it.
//!
//! An experiment that measures Rust code in a process of its own (a polars variant, a rayon
//! run, a server on loopback) declares each role as a unit struct implementing [`Worker`]
//! and lists it in [`crate::Experiment::workers`]. Every pyproof binary (the CLI, each
//! example, each bench) first asks `pyproof_proc::workers::worker_main` whether it was
//! started as one of the roles it knows, so the registry is the experiments' own lists.

/// One worker role.
pub trait Worker: Sync {
    /// The role's name, the value of `PYPROOF_WORKER` that selects it.
    fn role(&self) -> &'static str;
    /// Does the work with the process's arguments: its JSON report (printed on stdout), or
    /// the error (printed as one `error:` line, exit 3).
    fn run(&self, args: &[String]) -> Result<String, String>;
}
