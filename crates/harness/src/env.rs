//! The environment stamp: where a run happened, so its numbers can be read in context.

use crate::scale::Scale;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Where and how a run happened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Environment {
    /// When the run started (UTC, ISO-8601).
    pub date_utc: String,
    /// The machine.
    pub host: Host,
    /// The embedded interpreter, when it could be started.
    pub python: Option<PythonInfo>,
    /// Versions of the Python packages the suite pins, as installed.
    pub packages: BTreeMap<String, String>,
    /// The scale of the run.
    pub scale: Scale,
    /// "release" or "debug": timing and memory figures mean little from a debug build.
    pub build_profile: String,
    /// pyproof's own version.
    pub pyproof_version: String,
}

/// The machine a run happened on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Host {
    /// Cores this process may run on (affinity and cgroup quota respected): what a parallel
    /// speedup can use. Under `taskset -c 0` this is 1.
    pub cores_available: usize,
    /// Cores online in the machine.
    pub cores_online: usize,
    /// CPU model name from /proc/cpuinfo.
    pub cpu_model: String,
    /// Operating system (PRETTY_NAME of /etc/os-release).
    pub os: String,
    /// Kernel release.
    pub kernel: String,
    /// Total memory, MiB.
    pub memory_mib: u64,
}

impl Host {
    /// Reads the host's facts; anything unreadable becomes "unknown" rather than an error.
    pub fn detect() -> Self {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let cpu_model = cpuinfo
            .lines()
            .find_map(|l| l.strip_prefix("model name"))
            .and_then(|rest| rest.split_once(':'))
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_else(|| "unknown".to_string());
        let cores_online = cpuinfo
            .lines()
            .filter(|l| l.starts_with("processor"))
            .count()
            .max(1);
        let os = std::fs::read_to_string("/etc/os-release")
            .ok()
            .and_then(|t| {
                t.lines()
                    .find_map(|l| l.strip_prefix("PRETTY_NAME="))
                    .map(|v| v.trim_matches('"').to_string())
            })
            .unwrap_or_else(|| std::env::consts::OS.to_string());
        let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
            .map(|s| s.trim().to_string())
            .unwrap_or_else(|_| "unknown".to_string());
        let memory_mib = std::fs::read_to_string("/proc/meminfo")
            .ok()
            .and_then(|t| {
                t.lines()
                    .find_map(|l| l.strip_prefix("MemTotal:"))
                    .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            })
            .map(|kb| kb / 1024)
            .unwrap_or(0);
        Host {
            cores_available: available_cores(),
            cores_online,
            cpu_model,
            os,
            kernel,
            memory_mib,
        }
    }
}

/// Cores this process may use now (respects `taskset` and cgroup quotas).
pub fn available_cores() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}

/// The interpreter a run used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PythonInfo {
    /// `sys.version`, first line.
    pub version: String,
    /// `sys.implementation.name`.
    pub implementation: String,
    /// "GIL" or "free-threaded" (`Py_GIL_DISABLED`).
    pub build: String,
    /// Whether the GIL is enabled at run time (a free-threaded build can re-enable it).
    pub gil_enabled: bool,
    /// `sys.executable`.
    pub executable: String,
    /// `sys.prefix` (the venv).
    pub prefix: String,
}
