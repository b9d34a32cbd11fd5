//! Running one variant on one file in a fresh process (the venv's Python, or this binary as
//! the polars worker), its answer checked; the per-column memory of a loaded frame.

use crate::data::{Dataset, RaggedRow};
use crate::worker;
use crate::worker::{ColumnMemory, WorkerReport, set_aside_ragged};
use crate::{plan::FileSize, plan::Plan, plan::Variant};
use pyproof_harness::{ExperimentError, format_bytes};
use pyproof_python::{Interpreter, RunOptions, python_worker, run_measured};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// One variant's run on one file: what the process cost and what it answered.
#[derive(Debug, Clone)]
pub struct Sample {
    /// The variant.
    pub variant: Variant,
    /// The file.
    pub file: FileSize,
    /// The round it ran in (0-based): ratios pair samples of the same round, as later
    /// rounds run only the claims within noise's variants.
    pub round: usize,
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
        cmd.args([variant.id()]);
        if variant.reads_parquet() {
            cmd.arg(parquet_path(csv));
        } else {
            cmd.arg(csv);
        }
        cmd.arg("--chunksize").arg(plan.chunksize.to_string());
        if variant == Variant::DuckdbCsvLimited {
            cmd.arg("--memory-limit")
                .arg(plan.memory_limit_mib.to_string())
                .arg("--spill-dir")
                .arg(spill_dir(csv));
        }
        Ok(cmd)
    }
}

/// Where the Parquet twin of `csv` is written (by [`convert_to_parquet`]) and read.
pub fn parquet_path(csv: &Path) -> PathBuf {
    csv.with_extension("parquet")
}

/// DuckDB's spill directory for `duckdb_csv_limited` on `csv`: emptied before each run of
/// the variant, removed after.
pub fn spill_dir(csv: &Path) -> PathBuf {
    csv.with_extension("duckdb-spill")
}

/// The one conversion of the CSV to Parquet, measured as a user would pay it.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Conversion {
    /// Rows written.
    pub rows: u64,
    /// The Parquet file's size, bytes.
    pub bytes: u64,
    /// Seconds inside the converter (reading, encoding, writing).
    pub seconds: f64,
    /// Process wall time, s (with the interpreter's start-up).
    #[serde(skip)]
    pub wall_s: f64,
    /// Peak anonymous memory of the converting process, MiB.
    #[serde(skip)]
    pub peak_anon_mib: f64,
    /// DuckDB's version and settings.
    #[serde(default)]
    pub library: BTreeMap<String, String>,
}

/// Converts the dataset to Parquet with DuckDB in a fresh process, written under a temporary
/// name and renamed into place only when whole (a failed or interrupted conversion leaves no
/// Parquet file for the readers to trust).
pub fn convert_to_parquet(dataset: &Dataset, plan: &Plan) -> Result<Conversion, ExperimentError> {
    let out = parquet_path(&dataset.path);
    let _ = std::fs::remove_file(&out);
    // The shared pending-file mechanism: removed on error, on drop and by the Ctrl-C handler.
    let (partial, _) = pyproof_proc::pending::PendingFile::create(&out)
        .map_err(|e| ExperimentError::io(format!("creating {}", out.display()), e))?;
    let interp = Interpreter::get()?;
    let mut cmd = python_worker(interp, "dataframe_memory");
    cmd.arg("to_parquet").arg(&dataset.path).arg(partial.path());
    let what = format!("converting {} to Parquet", format_bytes(dataset.info.bytes));
    let report =
        run_measured(cmd, &RunOptions::new(what.clone(), plan.timeout)).and_then(|r| r.check())?;
    let mut conversion: Conversion = serde_json::from_str(report.stdout.trim())
        .map_err(|e| ExperimentError::Input(format!("{what}: unreadable report ({e})")))?;
    if conversion.rows != dataset.info.answer.rows {
        return Err(ExperimentError::Inconsistent(format!(
            "{what}: wrote {} rows, the file has {}",
            conversion.rows, dataset.info.answer.rows
        )));
    }
    partial
        .commit(&out)
        .map_err(|e| ExperimentError::io(format!("{what}: renaming into place"), e))?;
    conversion.wall_s = report.wall_s;
    conversion.peak_anon_mib = report.peak_anon_kib as f64 / 1024.0;
    Ok(conversion)
}

/// The most memory warmed before one run ([`warm_bytes`]).
const WARM_CAP: u64 = 8 << 30;

/// How much memory to warm just before running `variant` on `file`
/// ([`pyproof_proc::warm_free_memory`]), bytes: 1.25× the largest peak of anonymous memory
/// its runs reached so far, plus 32 MiB; before its first run, 4× the file (pandas with
/// Arrow, the largest, peaks near 3.7× it). At most half of `available` and 8 GiB.
pub fn warm_bytes(
    samples: &[Sample],
    variant: Variant,
    file: FileSize,
    file_bytes: u64,
    available: Option<u64>,
) -> u64 {
    let peak_mib = samples
        .iter()
        .filter(|s| s.variant == variant && s.file == file)
        .map(|s| s.peak_anon_mib)
        .fold(f64::NAN, f64::max);
    let wanted = if peak_mib.is_finite() {
        (peak_mib * 1.25 * MIB) as u64 + (32 << 20)
    } else {
        file_bytes.saturating_mul(4)
    };
    wanted
        .min(WARM_CAP)
        .min(available.map_or(u64::MAX, |a| a / 2))
}

/// Runs one variant on one file, `warm` bytes of memory warmed just before it starts
/// ([`warm_bytes`]), and checks its answer against the exact one.
pub fn run_variant(
    variant: Variant,
    file: FileSize,
    round: usize,
    dataset: &Dataset,
    ragged: &[RaggedRow],
    plan: &Plan,
    warm: u64,
) -> Result<Sample, ExperimentError> {
    let what = format!("{} on {}", variant.id(), format_bytes(dataset.info.bytes));
    let spill = spill_dir(&dataset.path);
    if variant == Variant::DuckdbCsvLimited {
        // Each run starts with an empty spill directory, and none is left behind.
        let _ = std::fs::remove_dir_all(&spill);
    }
    let command = command(variant, &dataset.path, plan)?;
    // Last before the spawn: the child is to find these pages freshly freed.
    pyproof_proc::warm_free_memory(warm)?;
    let report = run_measured(command, &RunOptions::new(what.clone(), plan.timeout))?;
    if variant == Variant::DuckdbCsvLimited {
        let _ = std::fs::remove_dir_all(&spill);
    }
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
        round,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn ran(variant: Variant, file: FileSize, peak_anon_mib: f64) -> Sample {
        Sample {
            variant,
            file,
            round: 0,
            report: WorkerReport {
                variant: variant.id().into(),
                answer: Default::default(),
                skipped: BTreeMap::new(),
                work_s: 1.0,
                sees_extra_fields: true,
                baseline_anon_kib: 0,
                columns: Vec::new(),
                library: BTreeMap::new(),
                spill_peak_bytes: None,
            },
            wall_s: 1.0,
            cpu_s: 1.0,
            peak_anon_mib,
            hwm_mib: peak_anon_mib,
        }
    }

    #[test]
    fn the_memory_warmed_follows_the_variants_own_peak() {
        let (a, d) = (Variant::PandasArrow, Variant::PandasDefault);
        let (full, half) = (FileSize::Full, FileSize::Half);
        let mb = 200_000_000;
        // Before its first run: four times the file.
        assert_eq!(warm_bytes(&[], a, full, mb, None), 800_000_000);
        // Then 1.25× its largest peak on that file, plus 32 MiB; other runs do not count.
        let samples = [
            ran(a, full, 600.0),
            ran(a, full, 744.0),
            ran(a, half, 2000.0),
        ];
        let other = [ran(d, full, 5000.0)];
        assert_eq!(warm_bytes(&samples, a, full, mb, None), (930 + 32) << 20);
        assert_eq!(warm_bytes(&other, a, full, mb, None), 800_000_000);
        // Never more than half of what is available, nor 8 GiB.
        assert_eq!(warm_bytes(&[], a, full, mb, Some(1 << 30)), 1 << 29);
        assert_eq!(warm_bytes(&[], a, full, 1 << 40, None), 8 << 30);
    }
}
