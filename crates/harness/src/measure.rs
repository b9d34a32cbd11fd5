//! Measurements keep every sample; summaries quote the median and the spread.

use serde::{Deserialize, Serialize};

/// One measured quantity of one variant: every sample, in run order, with its unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Measurement {
    /// Stable key within the outcome, e.g. `python.threads.k4.seconds`.
    pub key: String,
    /// Human label, e.g. "pure Python, 4 threads".
    pub label: String,
    /// Unit of the samples: "s", "×", "MiB", "req/s", ...
    pub unit: String,
    /// Every sample, in the order taken (warm-up excluded).
    pub samples: Vec<f64>,
    /// Median and spread of the samples, computed at construction.
    pub summary: Summary,
}

impl Measurement {
    /// A measurement from its samples; the summary is computed here.
    pub fn new(
        key: impl Into<String>,
        label: impl Into<String>,
        unit: impl Into<String>,
        samples: Vec<f64>,
    ) -> Self {
        let summary = Summary::of(&samples);
        Measurement {
            key: key.into(),
            label: label.into(),
            unit: unit.into(),
            samples,
            summary,
        }
    }

    /// "1.93× (IQR 1.90–1.95, n=5)", or "—" with no samples.
    pub fn describe(&self) -> String {
        self.summary.describe(&self.unit)
    }
}

/// Median, quartiles and extremes of a sample set. NaN samples are ignored.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
pub struct Summary {
    /// Number of (non-NaN) samples.
    pub n: usize,
    /// The median.
    pub median: f64,
    /// First quartile (linear interpolation).
    pub q1: f64,
    /// Third quartile.
    pub q3: f64,
    /// Smallest sample.
    pub min: f64,
    /// Largest sample.
    pub max: f64,
    /// Arithmetic mean.
    pub mean: f64,
}

impl Summary {
    /// Summarises `samples`; all fields are NaN when there is no usable sample.
    pub fn of(samples: &[f64]) -> Self {
        let mut sorted: Vec<f64> = samples.iter().copied().filter(|x| !x.is_nan()).collect();
        if sorted.is_empty() {
            return Summary {
                n: 0,
                median: f64::NAN,
                q1: f64::NAN,
                q3: f64::NAN,
                min: f64::NAN,
                max: f64::NAN,
                mean: f64::NAN,
            };
        }
        sorted.sort_by(f64::total_cmp);
        Summary {
            n: sorted.len(),
            median: quantile_sorted(&sorted, 0.5),
            q1: quantile_sorted(&sorted, 0.25),
            q3: quantile_sorted(&sorted, 0.75),
            min: sorted[0],
            max: sorted[sorted.len() - 1],
            mean: sorted.iter().sum::<f64>() / sorted.len() as f64,
        }
    }

    /// "1.93× (IQR 1.90–1.95)": the median with its unit and the interquartile range.
    pub fn median_iqr(&self, unit: &str) -> String {
        format!(
            "{} (IQR {}–{})",
            format_value(self.median, unit),
            format_number(self.q1),
            format_number(self.q3)
        )
    }

    /// "1.93× (IQR 1.90–1.95, n=5)".
    pub fn describe(&self, unit: &str) -> String {
        if self.n == 0 {
            return "—".to_string();
        }
        let f = |x: f64| format_value(x, unit);
        format!(
            "{} (IQR {}–{}, n={})",
            f(self.median),
            format_number(self.q1),
            format_number(self.q3),
            self.n
        )
    }
}

/// "1.93× (IQR 1.90–1.95)": the median of `samples` with its unit and the interquartile
/// range, the way every table quotes a spread.
pub fn median_iqr(samples: &[f64], unit: &str) -> String {
    Summary::of(samples).median_iqr(unit)
}

/// A value with its unit, with as many significant digits as a reader needs.
pub fn format_value(x: f64, unit: &str) -> String {
    match unit {
        "×" => format!("{}×", format_number(x)),
        "" => format_number(x),
        "%" => format!("{}%", format_number(x)),
        _ => format!("{} {unit}", format_number(x)),
    }
}

/// Three significant digits, no exponent for everyday magnitudes.
pub fn format_number(x: f64) -> String {
    if !x.is_finite() {
        return format!("{x}");
    }
    let a = x.abs();
    if a == 0.0 {
        "0".to_string()
    } else if a >= 100.0 {
        format!("{x:.0}")
    } else if a >= 10.0 {
        format!("{x:.1}")
    } else if a >= 1.0 {
        format!("{x:.2}")
    } else if a >= 0.001 {
        format!("{x:.3}")
    } else {
        format!("{x:.2e}")
    }
}

/// The median of `samples` (NaN when empty).
pub fn median(samples: &[f64]) -> f64 {
    Summary::of(samples).median
}

/// The `q` quantile (0..=1) of `samples`, linearly interpolated; NaN when empty.
pub fn quantile(samples: &[f64], q: f64) -> f64 {
    let mut sorted: Vec<f64> = samples.iter().copied().filter(|x| !x.is_nan()).collect();
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted.sort_by(f64::total_cmp);
    quantile_sorted(&sorted, q)
}

/// The `q`-quantile of `samples` by nearest rank (a value that was observed, as latency
/// percentiles are quoted: p99 of 100 samples is the 99th smallest). NaN samples are
/// ignored; NaN when none is left.
pub fn nearest_rank(samples: &[f64], q: f64) -> f64 {
    let mut sorted: Vec<f64> = samples.iter().copied().filter(|x| !x.is_nan()).collect();
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted.sort_by(f64::total_cmp);
    let rank = ((q.clamp(0.0, 1.0) * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    let q = q.clamp(0.0, 1.0);
    let pos = q * (sorted.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    let frac = pos - lo as f64;
    sorted[lo] + (sorted[hi] - sorted[lo]) * frac
}

/// Ratios `numerators[i] / denominators[i]`, pair by pair: a speedup is computed within one
/// repetition round, so that a slow moment of the machine affects both sides of the ratio.
///
/// Panics never; unequal lengths use the shorter one.
pub fn pairwise_ratios(numerators: &[f64], denominators: &[f64]) -> Vec<f64> {
    numerators
        .iter()
        .zip(denominators)
        .map(|(n, d)| n / d)
        .collect()
}

#[cfg(test)]
mod tests {

    #[test]
    fn nearest_rank_returns_an_observed_value() {
        let xs: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(nearest_rank(&xs, 0.5), 50.0);
        assert_eq!(nearest_rank(&xs, 0.99), 99.0);
        assert_eq!(nearest_rank(&xs, 1.0), 100.0);
        assert_eq!(nearest_rank(&[3.0, f64::NAN, 1.0], 0.0), 1.0);
        assert!(nearest_rank(&[], 0.5).is_nan());
    }
    use super::*;

    #[test]
    fn summary_of_known_samples() {
        let s = Summary::of(&[5.0, 1.0, 3.0, 2.0, 4.0]);
        assert_eq!(
            (s.n, s.median, s.q1, s.q3, s.min, s.max),
            (5, 3.0, 2.0, 4.0, 1.0, 5.0)
        );
        assert_eq!(s.mean, 3.0);
        assert_eq!(median(&[1.0, 2.0, 3.0, 4.0]), 2.5);
        assert_eq!(quantile(&[0.0, 10.0], 0.9), 9.0);
        assert!(Summary::of(&[]).median.is_nan());
        assert_eq!(Summary::of(&[f64::NAN, 2.0]).n, 1);
    }

    #[test]
    fn ratios_pair_by_pair() {
        assert_eq!(
            pairwise_ratios(&[2.0, 3.0, 9.0], &[1.0, 3.0]),
            vec![2.0, 1.0]
        );
    }

    #[test]
    fn describes_with_unit() {
        let m = Measurement::new("k", "l", "×", vec![1.0, 2.0, 3.0]);
        assert_eq!(m.describe(), "2.00× (IQR 1.50–2.50, n=3)");
        assert_eq!(format_value(0.25, "s"), "0.250 s");
        assert_eq!(format_number(1234.4), "1234");
        assert_eq!(format_number(0.00012), "1.20e-4");
    }

    #[test]
    fn a_spread_is_quoted_as_the_median_and_its_quartiles() {
        assert_eq!(
            median_iqr(&[1.0, 2.0, 3.0, 4.0, 5.0], "×"),
            "3.00× (IQR 2.00–4.00)"
        );
        assert_eq!(median_iqr(&[0.5, 0.5], "s"), "0.500 s (IQR 0.500–0.500)");
    }
}
