//! pyproof-proc: everything pyproof does with processes and files, Python or not.
//!
//! - [`process`]: a program as a subprocess in its own process group, with a timeout, wall
//!   and CPU time, peak RSS and peak anonymous memory; the Ctrl-C / SIGTERM handler that
//!   kills every child group and removes pending files.
//! - [`service`]: a server process on 127.0.0.1 that an experiment starts, measures and
//!   stops (killed with its process group on drop, on error and on Ctrl-C).
//! - [`pending`] and [`files`]: files written under a temporary name and renamed when
//!   complete ([`write_atomic`] is the one atomic write), removed on error and on Ctrl-C; the
//!   disk-space check before a large file.
//! - [`memory`]: memory warmed just before a measured child starts, so that a VM balloon's
//!   free page reporting does not time the host's page faults at random.
//! - [`workers`]: re-executing this binary as one of the workers the experiments declare.
//! - [`paths`]: where the checkout, `python/`, the venv and the outputs are.
//!
//! Everything returns [`ProcError`], which renders as one line.

mod error;
pub mod files;
pub mod memory;
pub mod paths;
pub mod pending;
pub mod process;
pub mod service;
pub mod workers;

pub use error::ProcError;
pub use files::write_atomic;
pub use memory::warm_free_memory;
pub use process::{
    ProcessReport, RunOptions, install_interrupt_handler, interrupted, own_anon_kib,
    quiet_broken_pipe, raise_fd_limit, run_measured,
};
pub use service::Service;
pub use workers::{WORKER_ENV, worker_command, worker_main};
