//! Confidence intervals and the comparisons a verdict rests on.
//!
//! A timing, throughput or memory claim is judged on per-round figures (a paired ratio per
//! round, or one figure per round), never on a single number: [`median_interval`] gives the
//! median of those rounds with a 95% bootstrap percentile interval (resampling the rounds
//! with the one seeded generator, so the same samples always give the same interval), and
//! [`Interval::against`] says where it lies relative to a threshold and to the smallest
//! difference that matters:
//!
//! - wholly beyond the threshold: a result ([`Position::Above`] / [`Position::Below`]);
//! - wholly inside the margin around parity: a tie ([`Position::Tie`]), also a result, and
//!   stable from run to run;
//! - across the threshold and the margin's edge: [`Position::WithinNoise`], Inconclusive.

use crate::measure::median;
use crate::rng::Rng;
use serde::{Deserialize, Serialize};

/// How many bootstrap resamples an interval is computed from.
pub const RESAMPLES: usize = 2_000;

/// The confidence level of every interval.
pub const LEVEL: f64 = 0.95;

/// The median of per-round figures and its confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    /// The median of the rounds.
    pub median: f64,
    /// Lower end of the interval.
    pub lo: f64,
    /// Upper end of the interval.
    pub hi: f64,
    /// The rounds it rests on.
    pub n: usize,
}

/// Where an interval lies, for a claim with a threshold and a margin around parity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Position {
    /// Wholly at or above the threshold.
    Above,
    /// Wholly below the threshold, and not a tie.
    Below,
    /// Wholly inside the margin: no difference that matters.
    Tie,
    /// Across the threshold and the margin's edge: more rounds could decide it.
    WithinNoise,
}

/// The median of `samples` (NaN ones ignored) with its 95% bootstrap percentile interval,
/// reproducible for the same samples. With fewer than two samples the interval is the
/// median itself, so nothing can be judged beyond noise from it ([`Interval::is_point`]).
pub fn median_interval(samples: &[f64]) -> Interval {
    let xs: Vec<f64> = samples.iter().copied().filter(|x| !x.is_nan()).collect();
    let m = median(&xs);
    if xs.len() < 2 {
        return Interval {
            median: m,
            lo: m,
            hi: m,
            n: xs.len(),
        };
    }
    // Seeded by the data: the same rounds always give the same interval.
    let seed = xs
        .iter()
        .fold(0x5eed_u64, |h, x| crate::rng::mix64(h ^ x.to_bits()));
    let mut rng = Rng::new(seed);
    let mut medians: Vec<f64> = (0..RESAMPLES)
        .map(|_| {
            let resample: Vec<f64> = (0..xs.len())
                .map(|_| xs[rng.below(xs.len() as u64) as usize])
                .collect();
            median(&resample)
        })
        .collect();
    medians.sort_by(f64::total_cmp);
    let tail = (1.0 - LEVEL) / 2.0;
    let at = |q: f64| medians[((q * RESAMPLES as f64) as usize).min(RESAMPLES - 1)];
    Interval {
        median: m,
        lo: at(tail),
        hi: at(1.0 - tail),
        n: xs.len(),
    }
}

impl Interval {
    /// Whether the interval is a single point (fewer than two rounds).
    pub fn is_point(&self) -> bool {
        self.n < 2
    }

    /// Where the interval lies for a claim "the figure is at least `threshold`", with
    /// `margin` the smallest difference from parity (1) that matters, e.g. 1.10 for ±10%:
    /// an interval wholly between 1/margin and margin is a tie (whatever the threshold); else
    /// wholly at or above the threshold is Above, wholly below it Below, and one that
    /// crosses the threshold (and so the margin's edge) is within noise. A margin of 1 means
    /// every difference matters (no tie).
    pub fn against(&self, threshold: f64, margin: f64) -> Position {
        let (tie_lo, tie_hi) = (1.0 / margin, margin);
        if self.is_point() || !(self.lo.is_finite() && self.hi.is_finite()) {
            return Position::WithinNoise;
        }
        if margin > 1.0 && self.lo >= tie_lo && self.hi <= tie_hi {
            Position::Tie
        } else if self.lo >= threshold {
            Position::Above
        } else if self.hi < threshold {
            Position::Below
        } else {
            Position::WithinNoise
        }
    }

    /// "1.93× (95% CI 1.88–1.97, 5 rounds)".
    pub fn describe(&self, unit: &str) -> String {
        format!(
            "{} (95% CI {}–{}, {} round{})",
            crate::format_value(self.median, unit),
            crate::format_number(self.lo),
            crate::format_number(self.hi),
            self.n,
            if self.n == 1 { "" } else { "s" }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_interval_holds_the_median_and_is_reproducible() {
        let xs = [1.02, 0.98, 1.05, 1.01, 0.99, 1.03, 1.00];
        let a = median_interval(&xs);
        assert_eq!(a, median_interval(&xs), "same samples, same interval");
        assert_eq!(a.median, 1.01);
        assert!(a.lo <= a.median && a.median <= a.hi, "{a:?}");
        assert!(a.lo >= 0.98 && a.hi <= 1.05, "{a:?}");
        assert_eq!(a.n, 7);
    }

    #[test]
    fn fewer_than_two_rounds_decide_nothing() {
        let one = median_interval(&[2.0, f64::NAN]);
        assert!(one.is_point());
        assert_eq!(one.against(1.5, 1.1), Position::WithinNoise);
        assert_eq!(median_interval(&[]).n, 0);
    }

    fn at(lo: f64, hi: f64) -> Interval {
        Interval {
            median: (lo + hi) / 2.0,
            lo,
            hi,
            n: 5,
        }
    }

    #[test]
    fn positions_against_a_threshold_and_a_margin() {
        // "processes beat threads by ≥ 10%", margin ±10%.
        assert_eq!(at(1.15, 1.30).against(1.1, 1.1), Position::Above);
        assert_eq!(at(0.95, 1.06).against(1.1, 1.1), Position::Tie);
        assert_eq!(at(0.60, 0.80).against(1.1, 1.1), Position::Below);
        assert_eq!(at(1.02, 1.20).against(1.1, 1.1), Position::WithinNoise);
        assert_eq!(
            at(0.85, 0.95).against(1.1, 1.1),
            Position::Below,
            "below, tie or not"
        );
        // A tie wins over a threshold inside the margin: the difference does not matter.
        assert_eq!(at(1.06, 1.08).against(1.05, 1.1), Position::Tie);
        // No margin: every difference matters.
        assert_eq!(at(0.95, 1.06).against(1.2, 1.0), Position::Below);
        assert_eq!(at(1.25, 1.3).against(1.2, 1.0), Position::Above);
        assert_eq!(at(1.1, 1.3).against(1.2, 1.0), Position::WithinNoise);
    }

    #[test]
    fn intervals_are_described_with_their_rounds() {
        assert_eq!(
            at(1.0, 2.0).describe("×"),
            "1.50× (95% CI 1.00–2.00, 5 rounds)"
        );
    }
}
