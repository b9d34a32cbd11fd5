//! Criterion's estimates, read from `target/criterion` when `cargo bench` has left them.

use serde::Deserialize;
use std::path::Path;

/// One criterion benchmark's estimates (nanoseconds per iteration).
#[derive(Debug, Clone, PartialEq)]
pub struct Bench {
    /// `group/function/parameter`, as criterion names its directory.
    pub id: String,
    /// Median per iteration.
    pub median_ns: f64,
    /// Mean per iteration.
    pub mean_ns: f64,
    /// Lower bound of the mean's 95% confidence interval.
    pub mean_low_ns: f64,
    /// Upper bound.
    pub mean_high_ns: f64,
}

#[derive(Deserialize)]
pub(crate) struct Interval {
    pub(crate) lower_bound: f64,
    pub(crate) upper_bound: f64,
}

#[derive(Deserialize)]
pub(crate) struct Estimate {
    pub(crate) point_estimate: f64,
    pub(crate) confidence_interval: Interval,
}

#[derive(Deserialize)]
pub(crate) struct Estimates {
    pub(crate) mean: Estimate,
    pub(crate) median: Estimate,
}

/// Every `<id>/new/estimates.json` under criterion's directory (`target/criterion`), sorted
/// by id. A missing directory gives none; an unreadable file is skipped.
pub fn criterion_estimates(dir: &Path) -> Vec<Bench> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                // criterion's own report pages are not benchmarks.
                if p.file_name().is_some_and(|n| n != "report") {
                    stack.push(p);
                }
                continue;
            }
            let is_estimate = p.file_name().is_some_and(|n| n == "estimates.json")
                && p.parent()
                    .and_then(Path::file_name)
                    .is_some_and(|n| n == "new");
            if !is_estimate {
                continue;
            }
            let Some(bench_dir) = p.parent().and_then(Path::parent) else {
                continue;
            };
            let Ok(text) = std::fs::read_to_string(&p) else {
                continue;
            };
            let Ok(est) = serde_json::from_str::<Estimates>(&text) else {
                continue;
            };
            let id = bench_dir
                .strip_prefix(dir)
                .map(|r| r.to_string_lossy().into_owned())
                .unwrap_or_default();
            found.push(Bench {
                id,
                median_ns: est.median.point_estimate,
                mean_ns: est.mean.point_estimate,
                mean_low_ns: est.mean.confidence_interval.lower_bound,
                mean_high_ns: est.mean.confidence_interval.upper_bound,
            });
        }
    }
    found.sort_by(|a, b| a.id.cmp(&b.id));
    found
}

pub(crate) fn duration(ns: f64) -> String {
    let (v, unit) = if ns >= 1e9 {
        (ns / 1e9, "s")
    } else if ns >= 1e6 {
        (ns / 1e6, "ms")
    } else if ns >= 1e3 {
        (ns / 1e3, "µs")
    } else {
        (ns, "ns")
    };
    format!("{} {unit}", pyproof_harness::format_number(v))
}
