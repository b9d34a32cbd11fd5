//! What every variant process reports, and the entry point that turns a pyproof binary into
//! the polars worker.
//!
//! Each variant runs in a fresh process so its memory is its own. The Python variants are
//! `python -m pyproof dataframe_memory`; the polars variants are this very binary re-executed
//! with `PYPROOF_WORKER=polars` (examples, the CLI and benches all call `pyproof_proc::worker_main`
//! first), so no separate executable has to be found or built.

use super::data::{Answer, BadRow, RaggedRow};
use super::polars_side::{self, PolarsVariant};
pub use pyproof_proc::own_anon_kib;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// The environment variable that makes a pyproof binary run as a worker.
pub use pyproof_proc::WORKER_ENV;

/// Memory held by one column after loading.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnMemory {
    /// Column name.
    pub name: String,
    /// Its dtype as the library names it.
    pub dtype: String,
    /// Bytes as the library reports them (pandas: `memory_usage(deep=True)`; polars:
    /// `estimated_size`).
    pub bytes: u64,
    /// Bytes counting each distinct Python object once (pandas string columns share
    /// repeated strings; `deep=True` counts every reference as a copy). None when equal.
    #[serde(default)]
    pub unique_bytes: Option<u64>,
}

/// One variant's report, printed by the worker as one JSON object on stdout.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkerReport {
    /// Variant id, e.g. `pandas_default`.
    pub variant: String,
    /// The query's answer.
    pub answer: Answer,
    /// Rows the variant set aside (malformed), by reason.
    #[serde(default)]
    pub skipped: BTreeMap<String, u64>,
    /// Seconds from the start of reading to the answer, measured inside the worker.
    pub work_s: f64,
    /// Whether the reader notices rows with more fields than the header. polars' lazy scan
    /// and pandas with `usecols` read only the fields they need and keep such rows silently;
    /// the harness then sets them aside with [`set_aside_ragged`].
    #[serde(default = "yes")]
    pub sees_extra_fields: bool,
    /// Anonymous memory before reading (interpreter, libraries), KiB.
    pub baseline_anon_kib: u64,
    /// Per-column memory after loading, for the variants that hold the whole table.
    #[serde(default)]
    pub columns: Vec<ColumnMemory>,
    /// Library versions and settings (string storage...).
    #[serde(default)]
    pub library: BTreeMap<String, String>,
    /// `duckdb_csv_limited`: the largest its spill directory grew while the query ran, bytes.
    #[serde(default)]
    pub spill_peak_bytes: Option<u64>,
}

fn yes() -> bool {
    true
}

impl WorkerReport {
    /// Rows set aside, all reasons.
    pub fn skipped_rows(&self) -> u64 {
        self.skipped.values().sum()
    }
}

/// Takes the rows with extra fields that a reader kept (truncated) back out of `report`'s
/// answer, and counts them as skipped for that reason instead: the policy every variant
/// follows. Does nothing for a reader that notices such rows itself.
pub fn set_aside_ragged(report: &mut WorkerReport, ragged: &[RaggedRow]) {
    if report.sees_extra_fields || ragged.is_empty() {
        return;
    }
    let answer = &mut report.answer;
    let skipped = &mut report.skipped;
    let mut uncount = |reason: BadRow| {
        if let Some(n) = skipped.get_mut(reason.reason()) {
            *n = n.saturating_sub(1);
        }
    };
    for row in ragged {
        match (answer.groups.get_mut(&row.category), row.price) {
            (Some(g), Some(price)) if !row.category.is_empty() => {
                g.count = g.count.saturating_sub(1);
                g.sum -= price;
                answer.rows = answer.rows.saturating_sub(1);
            }
            _ if row.category.is_empty() => uncount(BadRow::NoCategory),
            _ => uncount(BadRow::BadPrice),
        }
    }
    *skipped
        .entry(BadRow::TooManyFields.reason().to_string())
        .or_default() += ragged.len() as u64;
    answer.groups.retain(|_, g| g.count > 0);
    for g in answer.groups.values_mut() {
        g.mean = g.sum / g.count as f64;
    }
    skipped.retain(|_, n| *n > 0);
    report.sees_extra_fields = true;
}

/// The polars worker (`PYPROOF_WORKER=polars <binary> <variant> <csv>`): runs that variant
/// and returns its report as JSON, or a one-line error.
pub fn run_worker(args: &[String]) -> Result<String, String> {
    let report = match args {
        [variant, csv] => variant
            .parse::<PolarsVariant>()
            .map_err(|e| e.to_string())
            .and_then(|v| polars_side::run(v, Path::new(csv)).map_err(|e| e.to_string()))?,
        _ => {
            return Err(format!(
                "usage: {WORKER_ENV}=polars <binary> <variant> <csv> (variants: {})",
                PolarsVariant::ALL.map(|v| v.id()).join(", ")
            ));
        }
    };
    serde_json::to_string(&report).map_err(|e| e.to_string())
}

/// The `polars` worker role: one Rust polars variant in a fresh process.
pub struct PolarsWorker;

impl pyproof_harness::Worker for PolarsWorker {
    fn role(&self) -> &'static str {
        "polars"
    }
    fn run(&self, args: &[String]) -> Result<String, String> {
        run_worker(args)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Group;

    fn report(sees: bool) -> WorkerReport {
        let mut answer = Answer {
            rows: 3,
            ..Default::default()
        };
        answer.groups.insert(
            "toys".into(),
            Group {
                count: 3,
                sum: 6.0,
                mean: 2.0,
            },
        );
        let mut skipped = BTreeMap::new();
        skipped.insert("no numeric price".to_string(), 1);
        WorkerReport {
            variant: "x".into(),
            answer,
            skipped,
            work_s: 1.0,
            sees_extra_fields: sees,
            baseline_anon_kib: 0,
            columns: Vec::new(),
            library: BTreeMap::new(),
            spill_peak_bytes: None,
        }
    }

    #[test]
    fn ragged_rows_move_from_the_answer_to_the_skipped_count() {
        let ragged = [
            RaggedRow {
                category: "toys".into(),
                price: Some(1.5),
            },
            RaggedRow {
                category: "toys".into(),
                price: None,
            },
        ];
        let mut r = report(false);
        set_aside_ragged(&mut r, &ragged);
        assert_eq!(r.answer.rows, 2);
        let g = r.answer.groups["toys"];
        assert_eq!((g.count, g.sum, g.mean), (2, 4.5, 2.25));
        // The priceless ragged row had been counted as "no numeric price": now it is ragged.
        assert_eq!(
            r.skipped.into_iter().collect::<Vec<_>>(),
            [("too many fields".to_string(), 2)]
        );
        // A reader that saw the extra fields itself is left alone.
        let mut seen = report(true);
        set_aside_ragged(&mut seen, &ragged);
        assert_eq!(seen, report(true));
    }
}
