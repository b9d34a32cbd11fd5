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
//! - [`snippets`]: code quoted in the docs, pulled from the real source files.
//! - [`write_atomic`]: every file is written to a temporary name and renamed, so an
//!   interrupted run never leaves half a report in place of a good one.
//! - [`TerminalProgress`]: progress on stderr for anything that takes more than a second.

pub mod blocks;
pub mod compare;
pub mod document;
mod progress;
pub mod snippets;
pub mod svg;
pub mod terminal;

pub use progress::TerminalProgress;

use pyproof_core::Outcome;
use std::io;
use std::path::{Path, PathBuf};

/// Writes `bytes` to `path` atomically: a temporary file in the same directory, then a
/// rename. Creates the parent directory when missing.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let parent = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "output".to_string());
    let tmp = parent.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = std::fs::write(&tmp, bytes).and_then(|()| std::fs::rename(&tmp, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_and_leaves_no_temp_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("sub").join("r.json");
        write_atomic(&path, b"one").expect("write");
        write_atomic(&path, b"two").expect("rewrite");
        assert_eq!(std::fs::read(&path).expect("read"), b"two");
        let names: Vec<_> = std::fs::read_dir(path.parent().expect("parent"))
            .expect("list")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("r.json")]);
    }

    #[test]
    fn a_failed_write_keeps_the_old_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("r.json");
        write_atomic(&path, b"good").expect("write");
        // A directory where the temp file would go makes the write fail.
        let blocker = dir
            .path()
            .join(format!(".r.json.tmp-{}", std::process::id()));
        std::fs::create_dir(&blocker).expect("blocker");
        assert!(write_atomic(&path, b"bad").is_err());
        assert_eq!(std::fs::read(&path).expect("read"), b"good");
    }
}
