//! The verdict rules of generator_memory: the growth of each pipeline's peak fitted over n,
//! and the two claims judged on the fits.

use crate::{FLAT_MAX_GROWTH_BYTES, LINEAR_MIN_BYTES_PER_ITEM, LINEAR_MIN_R2, pipelines::Pipeline};
use pyproof_harness::{Case, Judgement, format_bytes, format_number, judge_cases};
use std::collections::BTreeMap;

/// The claims' ids, declared once: `claims()` declares them, the judges judge them.
pub mod ids {
    /// Claim (1).
    pub const LISTS_GROW_LINEARLY: &str = "lists_grow_linearly";
    /// Claim (2).
    pub const GENERATORS_STAY_FLAT: &str = "generators_stay_flat";
    /// Every claim, in the order declared.
    pub const ALL: [&str; 2] = [LISTS_GROW_LINEARLY, GENERATORS_STAY_FLAT];
}

/// Every measurement of one (pipeline, n).
#[derive(Debug, Clone, Default)]
pub(crate) struct Point {
    pub(crate) peak_bytes: u64,
    pub(crate) seconds: Vec<f64>,
}

/// A least-squares line through (n, peak): slope in bytes per item, and R².
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fit {
    /// Bytes per item.
    pub slope: f64,
    /// Bytes at n = 0.
    pub intercept: f64,
    /// Coefficient of determination (1 when the points lie on the line; NaN when flat).
    pub r2: f64,
}

/// Fits peak = intercept + slope · n by least squares.
pub fn fit(points: &[(f64, f64)]) -> Fit {
    let k = points.len() as f64;
    if points.len() < 2 {
        return Fit {
            slope: f64::NAN,
            intercept: f64::NAN,
            r2: f64::NAN,
        };
    }
    let mx = points.iter().map(|p| p.0).sum::<f64>() / k;
    let my = points.iter().map(|p| p.1).sum::<f64>() / k;
    let sxx: f64 = points.iter().map(|p| (p.0 - mx).powi(2)).sum();
    let sxy: f64 = points.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    let syy: f64 = points.iter().map(|p| (p.1 - my).powi(2)).sum();
    let slope = sxy / sxx;
    let intercept = my - slope * mx;
    let sse: f64 = points
        .iter()
        .map(|p| (p.1 - intercept - slope * p.0).powi(2))
        .sum();
    Fit {
        slope,
        intercept,
        r2: if syy > 0.0 { 1.0 - sse / syy } else { f64::NAN },
    }
}

/// Per pipeline: its fit and its (n, peak bytes) series.
pub type Fits = BTreeMap<Pipeline, (Fit, Vec<(u64, u64)>)>;

/// The two claims over the fits: every materialising pipeline grows linearly, every lazy one
/// stays flat over the range of n.
pub fn judge(fits: &Fits) -> Vec<Judgement> {
    let mut linear = Vec::new();
    let mut flat = Vec::new();
    for (p, (f, series)) in fits {
        let span = match (series.first(), series.last()) {
            (Some(a), Some(b)) => (b.0 - a.0) as f64,
            _ => 0.0,
        };
        if p.materialises() {
            let ok = f.slope >= LINEAR_MIN_BYTES_PER_ITEM && f.r2 >= LINEAR_MIN_R2;
            linear.push(Case::new(
                p.label(),
                ok,
                format!("{} bytes per item, R² {:.4}", format_number(f.slope), f.r2),
            ));
        } else {
            let growth = (f.slope * span).max(0.0);
            let last = series.last().map_or(0, |s| s.1);
            flat.push(Case::new(
                p.label(),
                growth <= FLAT_MAX_GROWTH_BYTES,
                format!(
                    "fitted growth {} over the range, peak {} at the largest n",
                    format_bytes(growth as u64),
                    format_bytes(last)
                ),
            ));
        }
    }
    vec![
        pyproof_harness::demonstrated(judge_cases(ids::LISTS_GROW_LINEARLY, &linear)),
        judge_cases(ids::GENERATORS_STAY_FLAT, &flat),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use pyproof_harness::Verdict;

    #[test]
    fn fits_lines_and_flat_series() {
        let line: Vec<(f64, f64)> = (1..=5)
            .map(|n| (n as f64 * 1000.0, 40.0 * n as f64 * 1000.0 + 500.0))
            .collect();
        let f = fit(&line);
        assert!((f.slope - 40.0).abs() < 1e-9 && (f.intercept - 500.0).abs() < 1e-6);
        assert!((f.r2 - 1.0).abs() < 1e-12);
        let flat = fit(&[(1e3, 600.0), (1e4, 600.0), (1e5, 600.0)]);
        assert_eq!(flat.slope, 0.0);
        assert!(flat.r2.is_nan());
    }

    /// Fits of a straight line of `slope` bytes per item (R² 1) over n = 1,000…100,000.
    fn series(slope: f64, r2: f64) -> (Fit, Vec<(u64, u64)>) {
        let pts: Vec<(u64, u64)> = [1_000u64, 10_000, 100_000]
            .iter()
            .map(|&n| (n, (600.0 + slope * n as f64) as u64))
            .collect();
        (
            Fit {
                slope,
                intercept: 600.0,
                r2,
            },
            pts,
        )
    }

    fn verdicts(list: (f64, f64), generator_slope: f64) -> Vec<Verdict> {
        let mut fits = Fits::new();
        fits.insert(Pipeline::PyList, series(list.0, list.1));
        fits.insert(Pipeline::RustVec, series(8.0, 1.0));
        fits.insert(Pipeline::PyGenerator, series(generator_slope, f64::NAN));
        fits.insert(Pipeline::RustIter, series(0.0, f64::NAN));
        judge(&fits).iter().map(|j| j.verdict).collect()
    }

    #[test]
    fn lists_must_grow_linearly_and_generators_stay_flat() {
        use Verdict::{Confirmed, Demonstrated, Nuanced};
        assert_eq!(verdicts((40.0, 0.999), 0.0), [Demonstrated, Confirmed]);
        // One materialising pipeline that does not grow per item: holds for one only.
        assert_eq!(verdicts((0.0, f64::NAN), 0.0), [Nuanced, Confirmed]);
        // A noisy line is not a linear growth.
        assert_eq!(verdicts((40.0, 0.2), 0.0)[0], Nuanced);
        // A "generator" that grows a byte per item over 99,000 items is not flat.
        assert_eq!(verdicts((40.0, 0.999), 1.0)[1], Nuanced);
    }

    #[test]
    fn nothing_holding_is_a_refutation() {
        let mut fits = Fits::new();
        fits.insert(Pipeline::PyList, series(0.0, f64::NAN));
        fits.insert(Pipeline::PyGenerator, series(50.0, 1.0));
        let v: Vec<Verdict> = judge(&fits).iter().map(|j| j.verdict).collect();
        assert_eq!(v, [Verdict::Refuted, Verdict::Refuted]);
    }
}
