//! The verdict rules of generator_memory: the growth of each pipeline's peak fitted over n,
//! and the two claims judged on the fits.

use crate::{FLAT_MAX_GROWTH_BYTES, LINEAR_MIN_BYTES_PER_ITEM, LINEAR_MIN_R2, pipelines::Pipeline};
use pyproof_harness::{
    BuildVerdict, Case, Judgement, Verdict, format_bytes, format_number, judge_cases,
};
use std::collections::BTreeMap;

/// The claims' ids, declared once: `claims()` declares them, the judges judge them.
pub mod ids {
    /// Claim (1).
    pub const LISTS_GROW_LINEARLY: &str = "lists_grow_linearly";
    /// Claim (2).
    pub const GENERATORS_STAY_FLAT: &str = "generators_stay_flat";
    /// Claim (3).
    pub const FREE_THREADED_MEMORY: &str = "free_threaded_memory";
    /// Every claim, in the order declared.
    pub const ALL: [&str; 3] = [
        LISTS_GROW_LINEARLY,
        GENERATORS_STAY_FLAT,
        FREE_THREADED_MEMORY,
    ];
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

/// Every pipeline's fit over the points it has, n ascending.
pub(crate) fn fits_of(points: &BTreeMap<(Pipeline, u64), Point>) -> Fits {
    let mut fits = Fits::new();
    for ((p, n), pt) in points {
        fits.entry(*p)
            .or_insert_with(|| (fit(&[]), Vec::new()))
            .1
            .push((*n, pt.peak_bytes));
    }
    for (f, series) in fits.values_mut() {
        let xy: Vec<(f64, f64)> = series.iter().map(|&(n, b)| (n as f64, b as f64)).collect();
        *f = fit(&xy);
    }
    fits
}

/// A streaming pipeline's growth over its range of n: the fitted slope times the range.
fn growth(f: &Fit, series: &[(u64, u64)]) -> f64 {
    let span = match (series.first(), series.last()) {
        (Some(a), Some(b)) => (b.0 - a.0) as f64,
        _ => 0.0,
    };
    (f.slope * span).max(0.0)
}

/// One build's side of claim (2): every streaming pipeline it ran stayed flat (`Some(true)`)
/// or one grew past the bar (`Some(false)`); `None` when it ran none.
pub(crate) fn build_holds(fits: &Fits) -> Option<bool> {
    let flat: Vec<bool> = fits
        .iter()
        .filter(|(p, _)| !p.materialises())
        .map(|(_, (f, series))| growth(f, series) <= FLAT_MAX_GROWTH_BYTES)
        .collect();
    (!flat.is_empty()).then(|| flat.iter().all(|&ok| ok))
}

/// Claim (2) with every build's verdict beside it: a build on which a streaming pipeline grew
/// makes a Confirmed claim Nuanced, that build named; the others are listed as holding.
pub(crate) fn with_builds(mut j: Judgement, builds: Vec<BuildVerdict>) -> Judgement {
    if builds.is_empty() {
        return j;
    }
    let names = |want: Option<bool>| {
        builds
            .iter()
            .filter(|b| b.holds == want)
            .map(|b| b.build.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let (held, failed) = (names(Some(true)), names(Some(false)));
    if !failed.is_empty() && j.verdict == Verdict::Confirmed {
        j.verdict = Verdict::Nuanced;
    }
    let mut parts = Vec::new();
    if !held.is_empty() {
        parts.push(format!("flat on {held}"));
    }
    if !failed.is_empty() {
        parts.push(format!("grew on {failed}"));
    }
    j.evidence = format!(
        "{}. Every CPython build on this machine, the same Python pipelines: {}",
        j.evidence,
        parts.join("; ")
    );
    j.builds = builds;
    j
}

/// One build's fitted pipelines, as claim (3) pairs them.
#[derive(Debug, Clone)]
pub struct BuildFits {
    /// "Python 3.13.15 (free-threaded)".
    pub label: String,
    /// `major.minor.micro`.
    pub version: (u32, u32, u32),
    /// Free-threaded (whatever its GIL at start-up: the object layout is the build's).
    pub free_threaded: bool,
    /// Its Python pipelines' fits.
    pub fits: Fits,
}

/// Claim (3): each free-threaded build against the GIL build of the same version (the same
/// micro version when there is one): the bytes per item of the list and per line of
/// readlines(), fitted from tracemalloc's deterministic counts, free-threaded over GIL ≤
/// `bar`. Confirmed when every case holds, Refuted when none, Nuanced otherwise;
/// Inconclusive with no such pair.
pub fn judge_free_threaded_memory(builds: &[BuildFits], bar: f64) -> Judgement {
    let mut cases = Vec::new();
    for ft in builds.iter().filter(|b| b.free_threaded) {
        let twins = builds.iter().filter(|g| {
            !g.free_threaded && (g.version.0, g.version.1) == (ft.version.0, ft.version.1)
        });
        let Some(gil) = twins.max_by_key(|g| (g.version == ft.version, g.version.2)) else {
            continue;
        };
        for (p, what) in [
            (Pipeline::PyList, "list: bytes per item"),
            (Pipeline::PyReadlines, "readlines(): bytes per line"),
        ] {
            let (Some((f, _)), Some((g, _))) = (ft.fits.get(&p), gil.fits.get(&p)) else {
                continue;
            };
            let ratio = f.slope / g.slope;
            cases.push(Case::new(
                format!("{} vs {}", ft.label, gil.label),
                ratio.is_finite() && ratio <= bar,
                format!(
                    "{what} {} vs {}: {}× (needs ≤ {}×)",
                    format_number(f.slope),
                    format_number(g.slope),
                    format_number(ratio),
                    format_number(bar)
                ),
            ));
        }
    }
    if cases.is_empty() {
        return Judgement::new(
            ids::FREE_THREADED_MEMORY,
            Verdict::Inconclusive,
            "no free-threaded build with a GIL build of the same version was measured \
             (`pyproof pythons --build 3.13t` builds both)",
        );
    }
    judge_cases(ids::FREE_THREADED_MEMORY, &cases)
}

/// The two claims over the fits: every materialising pipeline grows linearly, every lazy one
/// stays flat over the range of n.
pub fn judge(fits: &Fits) -> Vec<Judgement> {
    let mut linear = Vec::new();
    let mut flat = Vec::new();
    for (p, (f, series)) in fits {
        if p.materialises() {
            let ok = f.slope >= LINEAR_MIN_BYTES_PER_ITEM && f.r2 >= LINEAR_MIN_R2;
            linear.push(Case::new(
                p.label(),
                ok,
                format!("{} bytes per item, R² {:.4}", format_number(f.slope), f.r2),
            ));
        } else {
            let growth = growth(f, series);
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

    #[test]
    fn points_are_fitted_per_pipeline_in_n_order() {
        let mut points = BTreeMap::new();
        for n in [100_000u64, 1_000, 10_000] {
            let pt = |b: u64| Point {
                peak_bytes: b,
                seconds: Vec::new(),
            };
            points.insert((Pipeline::PyList, n), pt(40 * n + 500));
            points.insert((Pipeline::PyGenerator, n), pt(504));
        }
        let fits = fits_of(&points);
        let (list, series) = &fits[&Pipeline::PyList];
        assert!((list.slope - 40.0).abs() < 1e-9);
        assert_eq!(series.first(), Some(&(1_000, 40_500)));
        assert_eq!(fits[&Pipeline::PyGenerator].0.slope, 0.0);
        assert_eq!(build_holds(&fits), Some(true));
    }

    #[test]
    fn a_build_holds_claim_two_when_every_streaming_pipeline_stays_flat() {
        let mut fits = Fits::new();
        fits.insert(Pipeline::PyList, series(59.0, 1.0));
        // Only materialising pipelines: this build shows neither side.
        assert_eq!(build_holds(&fits), None);
        fits.insert(Pipeline::PyGenerator, series(0.0, f64::NAN));
        fits.insert(Pipeline::PyLines, series(0.0, f64::NAN));
        assert_eq!(build_holds(&fits), Some(true));
        // One byte per item over 99,000 items is past the 64 KiB bar.
        fits.insert(Pipeline::PyYield, series(1.0, 1.0));
        assert_eq!(build_holds(&fits), Some(false));
    }

    #[test]
    fn a_build_that_grows_makes_claim_two_nuanced_and_is_named() {
        let build = |b: &str, holds: Option<bool>| BuildVerdict {
            build: b.to_string(),
            free_threaded: b.ends_with('t'),
            holds,
        };
        let confirmed = || Judgement::new(ids::GENERATORS_STAY_FLAT, Verdict::Confirmed, "flat");
        let j = with_builds(
            confirmed(),
            vec![build("3.11.7", Some(true)), build("3.13.15t", Some(true))],
        );
        assert_eq!(j.verdict, Verdict::Confirmed);
        assert!(
            j.evidence.ends_with("flat on 3.11.7, 3.13.15t"),
            "{}",
            j.evidence
        );
        assert_eq!(j.builds.len(), 2);
        let j = with_builds(
            confirmed(),
            vec![build("3.11.7", Some(true)), build("3.13.15t", Some(false))],
        );
        assert_eq!(j.verdict, Verdict::Nuanced);
        assert!(
            j.evidence.ends_with("flat on 3.11.7; grew on 3.13.15t"),
            "{}",
            j.evidence
        );
        // A Refuted claim stays Refuted; no build measured leaves the judgement as it was.
        let refuted = Judgement::new(ids::GENERATORS_STAY_FLAT, Verdict::Refuted, "grew");
        assert_eq!(
            with_builds(refuted.clone(), vec![build("3.12", Some(false))]).verdict,
            Verdict::Refuted
        );
        assert_eq!(with_builds(refuted.clone(), Vec::new()), refuted);
    }

    fn build_fits(version: (u32, u32, u32), ft: bool, list: f64, lines: f64) -> BuildFits {
        let mut fits = Fits::new();
        fits.insert(Pipeline::PyList, series(list, 1.0));
        fits.insert(Pipeline::PyReadlines, series(lines, 1.0));
        BuildFits {
            label: format!(
                "{}.{}.{}{}",
                version.0,
                version.1,
                version.2,
                if ft { "t" } else { "" }
            ),
            version,
            free_threaded: ft,
            fits,
        }
    }

    #[test]
    fn a_free_threaded_build_is_paired_with_its_gil_twin_against_the_bar() {
        let gil_old = build_fits((3, 13, 0), false, 30.0, 90.0);
        let gil = build_fits((3, 13, 15), false, 40.4, 97.7);
        let ft = |list: f64, lines: f64| build_fits((3, 13, 15), true, list, lines);
        let j = |builds: &[BuildFits]| judge_free_threaded_memory(builds, 1.20);
        // 59.3 / 40.4 = 1.47: past the bar; readlines within it: Nuanced, the twin of the
        // same micro version chosen over 3.13.0.
        let nuanced = j(&[gil_old.clone(), gil.clone(), ft(59.3, 110.0)]);
        assert_eq!(nuanced.verdict, Verdict::Nuanced, "{}", nuanced.evidence);
        assert!(
            nuanced.evidence.contains("59.3 vs 40.4: 1.47×"),
            "{}",
            nuanced.evidence
        );
        assert!(!nuanced.evidence.contains("3.13.0"), "{}", nuanced.evidence);
        assert_eq!(
            j(&[gil.clone(), ft(44.0, 100.0)]).verdict,
            Verdict::Confirmed
        );
        assert_eq!(j(&[gil.clone(), ft(59.3, 130.0)]).verdict, Verdict::Refuted);
        // Another version's GIL build is no twin; no pair at all is Inconclusive.
        let other = build_fits((3, 12, 1), false, 40.0, 97.0);
        assert_eq!(j(&[other, ft(59.3, 130.0)]).verdict, Verdict::Inconclusive);
        assert_eq!(j(&[]).verdict, Verdict::Inconclusive);
        // With only the older micro version, that one is the twin.
        assert_eq!(j(&[gil_old, ft(33.0, 95.0)]).verdict, Verdict::Confirmed);
    }
}
