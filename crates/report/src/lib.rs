//! pyproof-report: turns outcomes into what people read.
//!
//! - [`terminal`]: an outcome as text for the terminal — the question, the sheet's answer,
//!   tables, bars, the timeline strip, verdicts with their evidence — and the verdict table
//!   of a whole run.
//! - [`svg`]: charts as standalone SVG files, drawn with plotters.
//! - [`document`]: the report of a run — `report.md`, a self-contained `index.html`,
//!   `results.json` and the charts — and criterion's estimates when `cargo bench` left them.
//! - [`compare`]: two runs side by side, measurement by measurement and claim by claim.
//! - [`blocks`]: generated blocks inside the hand-written docs (each page's verdicts, the
//!   README's verdict table).
//! - [`cold_start`]: the fastest proof's measured cold time (`pyproof cold-start`), and the
//!   README block generated from its committed record.
//! - [`snippets`]: code quoted in the docs, pulled from the real source files.
//! - [`check`]: every experiment has its places (`pyproof check`), and the committed report
//!   covers them (`pyproof check --report`); [`links`]: the README links nothing outside the
//!   repository.
//! - [`write_atomic`] (from `pyproof-proc`): every file is written to a temporary name and
//!   renamed, so an interrupted run never leaves half a report in place of a good one.
//! - [`TerminalProgress`]: progress on stderr for anything that takes more than a second.

pub mod blocks;
pub mod check;
pub mod cold_start;
pub mod compare;
pub mod document;
pub mod links;
mod progress;
pub mod snippets;
pub mod svg;
pub mod terminal;

pub use progress::TerminalProgress;

use pyproof_harness::Outcome;
use std::io;
use std::path::{Path, PathBuf};

pub use pyproof_proc::write_atomic;

/// Writes every chart of `outcome` that has a file form (timelines, bars) as SVG under
/// `dir/<id>/<chart>.svg`; returns the paths written.
pub fn write_artifacts(outcome: &Outcome, dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    for chart in &outcome.charts {
        if let Some(svg) = svg::chart(chart) {
            let path = dir.join(&outcome.id).join(format!("{}.svg", chart.id()));
            write_atomic(&path, svg.as_bytes())?;
            written.push(path);
        }
    }
    Ok(written)
}
