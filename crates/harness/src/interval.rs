//! Confidence intervals and the comparisons a verdict rests on.
//!
//! A timing, throughput or memory claim is judged on per-round figures (a paired ratio per
//! round, or one figure per round), never on a single number: [`median_interval`] gives the
//! median of those rounds with a 95% interval — the hull of a bootstrap percentile interval
//! of the median (resampling the rounds with the one seeded generator, so the same samples
//! always give the same interval) and a Student-t interval on the rounds' logarithms
//! ([`crate::t95`], which keeps its 95% at three rounds, where the bootstrap's is the
//! rounds' range and covers 75%; from [`FENCE_FROM`] rounds on, computed without rounds
//! more than [`FENCE_SDS`] robust standard deviations from the median, which would otherwise
//! inflate it without bound) — and [`Interval::against`] says where it lies relative to
//! a threshold and to the smallest difference that matters:
//!
//! - wholly beyond the threshold: a result ([`Position::Above`] / [`Position::Below`]);
//! - wholly inside the margin around parity: a tie ([`Position::Tie`]), also a result, and
//!   stable from run to run;
//! - across the threshold and the margin's edge: [`Position::WithinNoise`], Inconclusive.
//!
//! A case within noise also says how many rounds it would take to leave the noise if its
//! median stayed where it is ([`rounds_to_settle`]): a round budget stops adding rounds
//! that cannot decide anything (a claim sitting on its bar), which both saves trial time and
//! avoids testing again and again until an interval happens to clear its bar.

use crate::claim::{Case, Standing};
use crate::measure::median;
use crate::rng::Rng;
use crate::student::{Axis, Z95, t_interval, t95};
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

/// The fewest rounds a projection is made from.
pub const PROJECT_FROM: usize = 5;

/// A robust standard deviation is about 1.4826 × the median absolute deviation (for a
/// roughly normal spread), and the bootstrap interval of a median is about 1.2533 times as
/// wide as the t interval of a mean (the median's efficiency against the mean).
const MAD_SD: f64 = 1.4826;
const MEDIAN_EFFICIENCY: f64 = 1.2533;

/// The half-width, in standard deviations over √n, of the interval [`median_interval`] gives
/// over n rounds: the t interval's t(n−1) at few rounds, the bootstrap's 1.96 × 1.2533 from
/// seven rounds on (whichever of the hull's two is the wider).
fn half_width_units(n: usize) -> f64 {
    t95(n.saturating_sub(1)).max(Z95 * MEDIAN_EFFICIENCY)
}

/// The median of `ys` and their robust standard deviation, 1.4826 × the median absolute
/// deviation: the yardstick of both the projection of rounds and the fence, untouched by
/// the odd gross round.
fn robust_centre_and_sd(ys: &[f64]) -> (f64, f64) {
    let m = median(ys);
    let deviations: Vec<f64> = ys.iter().map(|y| (y - m).abs()).collect();
    (m, MAD_SD * median(&deviations))
}

/// How many rounds in all the per-round `samples`, now within noise of `threshold` (with
/// `margin` around parity, as in [`Interval::against`]), would need to leave the noise were
/// their median to stay where it is. It works on the axis the interval does (logarithms when
/// the rounds and the bar are positive): the interval over N rounds is about ±q(N) × σ / √N,
/// q(N) the larger of t(N−1) and 1.96 × 1.2533 ([`half_width_units`]), and σ is taken as
/// 1.4826 × the rounds' median absolute deviation — robust to the odd outlier that widens an
/// interval of few rounds. It leaves the noise by lying wholly on one side of the threshold
/// or, when a margin is declared, wholly inside it. `None` with fewer than [`PROJECT_FROM`]
/// finite rounds (no projection is trusted); `Some(usize::MAX)` when no number of rounds
/// would do (the median sits on the threshold).
pub fn rounds_to_settle(samples: &[f64], threshold: f64, margin: f64) -> Option<usize> {
    let xs: Vec<f64> = samples.iter().copied().filter(|x| x.is_finite()).collect();
    let n = xs.len();
    if n < PROJECT_FROM {
        return None;
    }
    let axis = Axis::of(&xs, &[threshold]);
    let ys: Vec<f64> = xs.iter().map(|x| axis.to(*x)).collect();
    let (m, sigma) = robust_centre_and_sd(&ys);
    // The fewest rounds, more than now (this many gave an interval within noise), whose
    // projected half-width fits in `d`.
    let needed = |d: f64| -> usize {
        if d <= 0.0 {
            return usize::MAX;
        }
        let r = (Z95 * MEDIAN_EFFICIENCY * sigma / d).powi(2);
        if r >= usize::MAX as f64 {
            return usize::MAX;
        }
        let mut rounds = (r.floor() as usize + 1).max(n + 1);
        // Below seven rounds t(N−1) is the wider: step up until it fits.
        while half_width_units(rounds) * sigma / (rounds as f64).sqrt() > d {
            rounds += 1;
        }
        rounds
    };
    let side = needed((m - axis.to(threshold)).abs());
    let tie = if margin > 1.0 {
        needed((m - axis.to(1.0 / margin)).min(axis.to(margin) - m))
    } else {
        usize::MAX
    };
    Some(side.min(tie))
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

/// The median of `samples` (NaN ones ignored) with its 95% interval, reproducible for the
/// same samples: the hull of the bootstrap percentile interval of the median and the
/// Student-t interval on the rounds' logarithms (on the rounds themselves when not all are
/// positive; from [`FENCE_FROM`] rounds on, without gross rounds: [`within_fence`]). The
/// bootstrap's alone is, up to five rounds, the rounds' range, which covers their true
/// median with probability 1 − 2^(1−n) — 75% at three rounds; the t interval
/// keeps 95% at every number of rounds for log-normal noise, and the bootstrap's keeps the
/// interval honest where the rounds are skewed. With fewer than two samples the interval is
/// the median itself, so nothing can be judged beyond noise from it ([`Interval::is_point`]).
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
    let (boot_lo, boot_hi) = bootstrap_interval(&xs);
    let (t_lo, t_hi) = t_interval(&within_fence(&xs));
    Interval {
        median: m,
        lo: boot_lo.min(t_lo),
        hi: boot_hi.max(t_hi),
        n: xs.len(),
    }
}

/// From this many rounds on, the t half of [`median_interval`] leaves out gross rounds
/// ([`within_fence`]); below it every round counts (the median absolute deviation of fewer
/// rounds is too noisy a yardstick: the fence would drop honest rounds and cost coverage).
pub const FENCE_FROM: usize = 8;

/// How far from the median, in robust standard deviations (1.4826 × the median absolute
/// deviation), a round may lie and still count in the t half of [`median_interval`].
pub const FENCE_SDS: f64 = 5.0;

/// The rounds of `xs` (none NaN) that the t half of [`median_interval`] is computed on: from
/// [`FENCE_FROM`] rounds on, those within [`FENCE_SDS`] robust standard deviations of their
/// median on the interval's axis (logarithms for positive figures); every round below that,
/// or when one is infinite (the t interval then says so by being unbounded), or when the
/// median absolute deviation is zero (no yardstick). A t interval is a mean ± t × s/√n, and
/// one gross round inflates s without bound, where the bootstrap half — a median's — shrugs
/// it off: declared on docs/verdicts.md ("One gross round does not undo eight").
pub(crate) fn within_fence(xs: &[f64]) -> Vec<f64> {
    if xs.len() < FENCE_FROM || xs.iter().any(|x| x.is_infinite()) {
        return xs.to_vec();
    }
    let axis = Axis::of(xs, &[]);
    let ys: Vec<f64> = xs.iter().map(|x| axis.to(*x)).collect();
    let (m, sigma) = robust_centre_and_sd(&ys);
    if sigma <= 0.0 {
        return xs.to_vec();
    }
    xs.iter()
        .zip(&ys)
        .filter(|(_, y)| (*y - m).abs() <= FENCE_SDS * sigma)
        .map(|(x, _)| *x)
        .collect()
}

/// The 95% bootstrap percentile interval of the median of `xs` (two or more, none NaN).
pub(crate) fn bootstrap_interval(xs: &[f64]) -> (f64, f64) {
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
    (at(tail), at(1.0 - tail))
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
        self.describe_of(unit, "round")
    }

    /// The same, naming what the samples are: "1.03× (95% CI 1.02–1.05, 53 attaches)"; a
    /// single sample has no interval and says so: "1.03× (1 attach, no interval)".
    pub fn describe_of(&self, unit: &str, sample: &str) -> String {
        let plural = if self.n == 1 {
            ""
        } else if sample.ends_with('h') {
            "es"
        } else {
            "s"
        };
        let value = crate::format_value(self.median, unit);
        if self.n == 1 {
            return format!("{value} (1 {sample}, no interval)");
        }
        format!(
            "{value} (95% CI {}–{}, {} {sample}{plural})",
            crate::format_number(self.lo),
            crate::format_number(self.hi),
            self.n,
        )
    }
}

/// Which side of its threshold a claim's figure must lie on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Sense {
    /// The claim holds when the figure is at least the threshold ("a speedup ≥ 1.4×").
    AtLeast,
    /// The claim holds when the figure is below the threshold ("a speedup < 1.25×").
    Below,
}

/// A claim's bar on a per-round figure, declared before the run: the threshold, the side
/// the claim needs, and the smallest difference from parity that matters to a user (1 for
/// figures that are not ratios, where every difference matters).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Threshold {
    /// The threshold.
    pub value: f64,
    /// The side the claim needs.
    pub sense: Sense,
    /// The margin around parity: 1.10 makes any ratio between 1/1.10 and 1.10 a tie.
    pub margin: f64,
}

impl Threshold {
    /// "The figure is at least `value`", every difference mattering.
    pub const fn at_least(value: f64) -> Self {
        Threshold {
            value,
            sense: Sense::AtLeast,
            margin: 1.0,
        }
    }

    /// "The figure is below `value`", every difference mattering.
    pub const fn below(value: f64) -> Self {
        Threshold {
            value,
            sense: Sense::Below,
            margin: 1.0,
        }
    }

    /// The same bar with a margin around parity (a ratio between 1/`margin` and `margin` is
    /// a tie).
    pub const fn tie_within(self, margin: f64) -> Self {
        Threshold { margin, ..self }
    }

    /// Whether parity (a ratio of 1, no difference) meets the claim: what a tie means for it.
    /// "X beats Y by ≥ 10%" is refuted by a tie; "threads give < 1.25×" is met by one.
    pub fn parity_holds(&self) -> bool {
        match self.sense {
            Sense::AtLeast => 1.0 >= self.value,
            Sense::Below => 1.0 < self.value,
        }
    }

    /// How a case with this interval comes out.
    pub fn standing(&self, interval: &Interval) -> Standing {
        let holds = |yes: bool| {
            if yes {
                Standing::Holds
            } else {
                Standing::Fails
            }
        };
        match (interval.against(self.value, self.margin), self.sense) {
            (Position::WithinNoise, _) => Standing::WithinNoise,
            (Position::Tie, _) => holds(self.parity_holds()),
            (Position::Above, sense) => holds(sense == Sense::AtLeast),
            (Position::Below, sense) => holds(sense == Sense::Below),
        }
    }

    /// "≥ 1.40×", "< 1.25× (±10% a tie)".
    pub fn describe(&self, unit: &str) -> String {
        let side = match self.sense {
            Sense::AtLeast => "≥",
            Sense::Below => "<",
        };
        let tie = if self.margin > 1.0 {
            format!(" (±{:.0}% a tie)", 100.0 * (self.margin - 1.0))
        } else {
            String::new()
        };
        format!("{side} {}{tie}", crate::format_value(self.value, unit))
    }

    /// One case of a claim, judged on the per-round `samples`: "{what} 1.93× (95% CI
    /// 1.88–1.97, 5 rounds)", and why it does not hold when it does not ("needs ≥ 1.40×",
    /// "a tie", "within noise of 1.40×").
    pub fn case(&self, label: impl Into<String>, what: &str, samples: &[f64], unit: &str) -> Case {
        let interval = median_interval(samples);
        let standing = self.standing(&interval);
        let why = match (standing, interval.against(self.value, self.margin)) {
            (Standing::Holds, _) => String::new(),
            // One round gives no interval: nothing is decided (quick scale runs one).
            (Standing::WithinNoise, _) if interval.is_point() => {
                " — one round decides nothing".to_string()
            }
            (Standing::WithinNoise, _) => format!(
                " — within noise of {}",
                crate::format_value(self.value, unit)
            ),
            (Standing::Fails, Position::Tie) => {
                format!(" — a tie (inside ±{:.0}%)", 100.0 * (self.margin - 1.0))
            }
            (Standing::Fails, _) => format!(" — needs {}", self.describe(unit)),
        };
        let mut case = interval_case(label, standing, what, &interval.describe(unit), &why);
        if standing == Standing::WithinNoise {
            case.rounds_to_settle = rounds_to_settle(samples, self.value, self.margin);
        }
        case
    }
}

/// A case whose detail reads "{what} {interval}{why}" (no leading space without `what`).
pub(crate) fn interval_case(
    label: impl Into<String>,
    standing: Standing,
    what: &str,
    interval: &str,
    why: &str,
) -> Case {
    let detail = if what.is_empty() {
        format!("{interval}{why}")
    } else {
        format!("{what} {interval}{why}")
    };
    Case::judged(label, standing, detail)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::band::Band;

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
        // Said as such, not as an interval of zero width; a case on it decides nothing.
        assert_eq!(one.describe("×"), "2.00× (1 round, no interval)");
        let case = Threshold::at_least(1.5).case("k=2", "2 processes", &[2.0], "×");
        assert_eq!(case.standing, Standing::WithinNoise);
        assert_eq!(
            case.detail,
            "2 processes 2.00× (1 round, no interval) — one round decides nothing"
        );
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
    fn rounds_to_settle_projects_the_medians_standard_error() {
        // On logarithms: median ln 1.30, MAD 0.039 (σ ≈ 0.058): the half-width over N ≥ 7
        // rounds is ~2.456 × 0.058 / √N; the bar is ln(1.40/1.30) = 0.074 away, so N > 3.7:
        // the next round (the 8th) would do.
        let near = [1.25, 1.30, 1.35, 1.28, 1.32, 1.20, 1.40];
        assert_eq!(rounds_to_settle(&near, 1.40, 1.0), Some(8));
        // A wide spread (MAD of the logarithms 0.20) 0.036 from the bar: 404 rounds, beyond
        // any budget.
        let wide = [1.0, 1.35, 1.65, 1.05, 1.6];
        assert_eq!(rounds_to_settle(&wide, 1.40, 1.0), Some(404));
        // One outlier widens an interval of five rounds, not the projection.
        let outlier = [0.98, 1.00, 0.99, 1.55, 0.97];
        assert_eq!(rounds_to_settle(&outlier, 1.25, 1.0), Some(6));
        // Below seven rounds t(N−1) is the wider quantile, and the projection counts it:
        // σ over √N must fit t(N−1), not the 2.456 of many rounds.
        assert!(half_width_units(6) > half_width_units(7));
        assert_eq!(half_width_units(7), Z95 * MEDIAN_EFFICIENCY);
        assert_eq!(half_width_units(3), 4.3027);
        // Figures that are not all positive are projected as they are: median 0.10, MAD
        // 0.05 (σ 0.074), the bar 0.05 away: (2.456 × 0.074 / 0.05)² → 14 rounds.
        let shares = [0.10, 0.05, 0.15, -0.02, 0.12];
        assert_eq!(rounds_to_settle(&shares, 0.05, 1.0), Some(14));
        // On the bar: no number of rounds.
        assert_eq!(
            rounds_to_settle(&[1.3, 1.4, 1.5, 1.35, 1.45], 1.40, 1.0),
            Some(usize::MAX)
        );
        // Too few finite rounds to project from.
        assert_eq!(rounds_to_settle(&near[..4], 1.40, 1.0), None);
        assert_eq!(
            rounds_to_settle(&[1.2, 1.3, f64::NAN, 1.25, 1.28], 1.40, 1.0),
            None
        );
    }

    #[test]
    fn a_tie_is_a_way_out_of_the_noise_too() {
        // "beats by ≥ 10%", ±10% a tie: a median of 1.06 sits 0.04 from the bar and from the
        // tie's edge alike; a median of 1.00 is 0.10 from the bar but only 0.091 from 1/1.10,
        // and a tie (which refutes "beats") settles it sooner than either side of the bar.
        let parity = [1.00, 0.95, 1.05, 0.97, 1.03, 0.99, 1.01];
        let side = rounds_to_settle(&parity, 1.10, 1.0).expect("projected");
        let with_tie = rounds_to_settle(&parity, 1.10, 1.10).expect("projected");
        assert!(with_tie <= side, "{with_tie} vs {side}");
        // A median outside the tie cannot settle into it: the bar's side alone decides.
        let out = [1.15, 1.05, 1.25, 1.12, 1.18];
        assert_eq!(
            rounds_to_settle(&out, 1.10, 1.10),
            rounds_to_settle(&out, 1.10, 1.0)
        );
    }

    #[test]
    fn cases_within_noise_carry_their_projection() {
        let bar = Threshold::at_least(1.40);
        // Rounds scattered around 1.38: within noise, with a projection once there are five.
        let straddling = [1.30, 1.45, 1.38, 1.50, 1.25, 1.41, 1.36];
        let case = bar.case("c", "x", &straddling, "×");
        assert_eq!(case.standing, Standing::WithinNoise);
        assert!(case.rounds_to_settle.is_some());
        assert_eq!(
            bar.case("c", "x", &straddling[..3], "×").rounds_to_settle,
            None
        );
        // A decided case has none.
        let decided = bar.case("c", "x", &[2.0, 2.1, 2.05, 1.98, 2.2], "×");
        assert_eq!(
            (decided.standing, decided.rounds_to_settle),
            (Standing::Holds, None)
        );
        // A band within noise of its floor only: the floor's projection.
        let band = Band::new(1.35, 3.0);
        let c = band.case("b", "x", &straddling, "×", "round");
        assert_eq!(c.standing, Standing::WithinNoise);
        assert_eq!(c.rounds_to_settle, rounds_to_settle(&straddling, 1.35, 1.0));
    }

    #[test]
    fn intervals_are_described_with_their_rounds() {
        assert_eq!(
            at(1.0, 2.0).describe("×"),
            "1.50× (95% CI 1.00–2.00, 5 rounds)"
        );
        assert_eq!(
            at(1.0, 2.0).describe_of("×", "attach"),
            "1.50× (95% CI 1.00–2.00, 5 attaches)"
        );
    }

    #[test]
    fn a_threshold_judges_an_interval_as_its_claim_reads() {
        let beats = Threshold::at_least(1.10).tie_within(1.10);
        assert!(!beats.parity_holds());
        assert_eq!(beats.standing(&at(1.12, 1.3)), Standing::Holds);
        assert_eq!(beats.standing(&at(0.97, 1.06)), Standing::Fails, "a tie");
        assert_eq!(beats.standing(&at(1.02, 1.2)), Standing::WithinNoise);
        assert_eq!(beats.standing(&at(0.5, 0.7)), Standing::Fails);
        // The flapping case of old: 1.05× was the bar; a tie now refutes "beats".
        let old = Threshold::at_least(1.05).tie_within(1.10);
        assert_eq!(old.standing(&at(1.06, 1.09)), Standing::Fails);
        let throttled = Threshold::below(1.25).tie_within(1.10);
        assert!(throttled.parity_holds());
        assert_eq!(throttled.standing(&at(0.95, 1.05)), Standing::Holds);
        assert_eq!(throttled.standing(&at(1.15, 1.2)), Standing::Holds);
        assert_eq!(throttled.standing(&at(1.3, 1.5)), Standing::Fails);
        assert_eq!(throttled.standing(&at(1.2, 1.3)), Standing::WithinNoise);
        let slower = Threshold::below(0.95).tie_within(1.10);
        assert_eq!(slower.standing(&at(0.95, 1.05)), Standing::Fails, "a tie");
        let efficiency = Threshold::at_least(0.9);
        assert_eq!(efficiency.standing(&at(0.92, 0.99)), Standing::Holds);
        assert_eq!(efficiency.standing(&at(0.80, 0.99)), Standing::WithinNoise);
    }

    #[test]
    fn cases_say_why_they_fail() {
        let beats = Threshold::at_least(1.10).tie_within(1.10);
        let c = beats.case("Pillow", "processes/threads", &[1.0, 1.02, 1.01], "×");
        assert_eq!(c.standing, Standing::Fails);
        assert_eq!(
            c.detail,
            "processes/threads 1.01× (95% CI 0.985–1.04, 3 rounds) — a tie (inside ±10%)"
        );
        let c = beats.case("Pillow", "", &[1.0, 1.3, 1.2], "×");
        assert_eq!(c.standing, Standing::WithinNoise);
        assert!(
            c.detail.ends_with("— within noise of 1.10×"),
            "{}",
            c.detail
        );
        let c = Threshold::at_least(2.0).case("x", "", &[1.0, 1.1, 1.2], "×");
        assert!(c.detail.ends_with("— needs ≥ 2.00×"), "{}", c.detail);
        assert_eq!(beats.describe("×"), "≥ 1.10× (±10% a tie)");
    }
}
