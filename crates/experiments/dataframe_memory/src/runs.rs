//! Running one variant on one file in a fresh process (the venv's Python, or this binary as
//! the polars worker), its answer checked; the per-column memory of a loaded frame.

use crate::data::{Dataset, RaggedRow};
use crate::worker;
use crate::worker::{ColumnMemory, WorkerReport, set_aside_ragged};
use crate::{plan::FileSize, plan::Plan, plan::Variant};
use pyproof_harness::{ExperimentError, format_bytes};
use pyproof_python::{Interpreter, RunOptions, python_worker, run_measured};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

/// One variant's run on one file: what the process cost and what it answered.
#[derive(Debug, Clone)]
pub struct Sample {
    /// The variant.
    pub variant: Variant,
    /// The file.
    pub file: FileSize,
    /// The worker's report (after setting ragged rows aside).
    pub report: WorkerReport,
    /// Process wall time, s.
    pub wall_s: f64,
    /// Process CPU time, s.
    pub cpu_s: f64,
    /// Peak anonymous memory, MiB.
    pub peak_anon_mib: f64,
    /// Peak VmHWM (counts mapped file pages), MiB.
    pub hwm_mib: f64,
}

impl Sample {
    /// Peak anonymous memory minus the process's memory before reading, MiB.
    pub fn net_anon_mib(&self) -> f64 {
        (self.peak_anon_mib - self.report.baseline_anon_kib as f64 / 1024.0).max(0.0)
    }
}

pub(crate) const MIB: f64 = 1024.0 * 1024.0;

/// The command that runs `variant` on `csv` in a fresh process.
pub(crate) fn command(
    variant: Variant,
    csv: &Path,
    plan: &Plan,
) -> Result<Command, ExperimentError> {
    if variant.is_rust_polars() {
        let mut cmd =
            pyproof_proc::worker_command(pyproof_harness::Worker::role(&worker::PolarsWorker))?;
        cmd.arg(variant.id()).arg(csv);
        Ok(cmd)
    } else {
        let interp = Interpreter::get()?;
        let mut cmd = python_worker(interp, "dataframe_memory");
        cmd.args([variant.id()])
            .arg(csv)
            .arg("--chunksize")
            .arg(plan.chunksize.to_string());
        Ok(cmd)
    }
}

/// Runs one variant on one file and checks its answer against the exact one.
pub fn run_variant(
    variant: Variant,
    file: FileSize,
    dataset: &Dataset,
    ragged: &[RaggedRow],
    plan: &Plan,
) -> Result<Sample, ExperimentError> {
    let what = format!("{} on {}", variant.id(), format_bytes(dataset.info.bytes));
    let report = run_measured(
        command(variant, &dataset.path, plan)?,
        &RunOptions::new(what.clone(), plan.timeout),
    )?;
    let report = report.check()?;
    let mut worker: WorkerReport = serde_json::from_str(report.stdout.trim()).map_err(|e| {
        ExperimentError::Input(format!(
            "{what}: unreadable report ({e}); this binary must call \
             pyproof::worker_main() first"
        ))
    })?;
    set_aside_ragged(&mut worker, ragged);
    worker
        .answer
        .check_against(&dataset.info.answer, variant.tolerance())
        .map_err(|e| ExperimentError::Inconsistent(format!("{what}: {e}")))?;
    if worker.skipped_rows() > 0 {
        return Err(ExperimentError::Inconsistent(format!(
            "{what}: skipped {:?} of a well-formed file",
            worker.skipped
        )));
    }
    Ok(Sample {
        variant,
        file,
        report: worker,
        wall_s: report.wall_s,
        cpu_s: report.cpu_s(),
        peak_anon_mib: report.peak_anon_kib as f64 / 1024.0,
        hwm_mib: report.peak_hwm_kib as f64 / 1024.0,
    })
}

/// MemAvailable from /proc/meminfo, bytes.
pub(crate) fn available_memory() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let kib: u64 = text
        .lines()
        .find_map(|l| l.strip_prefix("MemAvailable:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kib * 1024)
}

/// The per-column memory measurement of pandas (the first rows, read two ways).
#[derive(Debug, Clone, serde::Deserialize)]
pub struct ColumnReport {
    /// Per load (pandas default, downcast + category, polars...): what it held.
    pub loads: BTreeMap<String, ColumnLoad>,
    /// Library facts, among them Python polars' compiler (read once here, not in the timed
    /// variants' processes).
    #[serde(default)]
    pub library: BTreeMap<String, String>,
}

#[derive(Debug, Clone, serde::Deserialize)]
/// One load's rows and per-column memory.
pub struct ColumnLoad {
    /// Rows loaded.
    pub rows: u64,
    /// Memory of each column.
    pub columns: Vec<ColumnMemory>,
}

pub(crate) fn measure_columns(
    dataset: &Dataset,
    plan: &Plan,
) -> Result<ColumnReport, ExperimentError> {
    let interp = Interpreter::get()?;
    let mut cmd = python_worker(interp, "dataframe_memory");
    cmd.args(["columns"])
        .arg(&dataset.path)
        .arg("--nrows")
        .arg(plan.column_rows.to_string());
    let report = run_measured(
        cmd,
        &RunOptions::new("pandas per-column memory", plan.timeout),
    )?
    .check()?;
    serde_json::from_str(report.stdout.trim())
        .map_err(|e| ExperimentError::Input(format!("per-column memory: unreadable report ({e})")))
}
