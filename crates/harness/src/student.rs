//! The Student-t half of every interval: what keeps a 95% interval 95% at few rounds.
//!
//! A bootstrap percentile interval of a median is, up to five rounds, the rounds' own range,
//! and the range of n rounds covers their true median with probability 1 − 2^(1−n) (75% at
//! three). The t interval on the rounds' logarithms keeps its coverage at any sample size:
//! with n − 1 degrees of freedom it covers the true median 95% of the time at every n when the
//! rounds' noise is log-normal — a ratio's noise is multiplicative, and for a log-normal
//! figure the median is the geometric mean, which is what the t interval on logarithms is
//! about. [`crate::median_interval`] takes the hull of both: the t interval at few rounds,
//! the bootstrap's where the rounds are skewed enough to make it the wider one.
//!
//! Figures that are not all positive (a share of added bytes can be negative) take the t
//! interval on the figures themselves.

/// Two-sided 95% quantiles of Student's t for 1 to 30 degrees of freedom.
const T95: [f64; 30] = [
    12.7062, 4.3027, 3.1824, 2.7764, 2.5706, 2.4469, 2.3646, 2.3060, 2.2622, 2.2281, 2.2010,
    2.1788, 2.1604, 2.1448, 2.1314, 2.1199, 2.1098, 2.1009, 2.0930, 2.0860, 2.0796, 2.0739, 2.0687,
    2.0639, 2.0595, 2.0555, 2.0518, 2.0484, 2.0452, 2.0423,
];

/// The two-sided 95% normal quantile.
pub(crate) const Z95: f64 = 1.959_964;

/// The two-sided 95% quantile of Student's t with `df` degrees of freedom (`df` ≥ 1): the
/// table up to 30, then the Cornish–Fisher expansion around the normal quantile (within
/// 1e-4 of the exact value from 31 on).
pub fn t95(df: usize) -> f64 {
    match df {
        0 => f64::INFINITY,
        1..=30 => T95[df - 1],
        _ => {
            let (z, d) = (Z95, df as f64);
            z + (z.powi(3) + z) / (4.0 * d)
                + (5.0 * z.powi(5) + 16.0 * z.powi(3) + 3.0 * z) / (96.0 * d * d)
                + (3.0 * z.powi(7) + 19.0 * z.powi(5) + 17.0 * z.powi(3) - 15.0 * z)
                    / (384.0 * d.powi(3))
        }
    }
}

/// The axis an interval is computed on: the logarithm when every figure (and, for a
/// projection, the bar) is positive, the figures themselves otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Axis {
    /// Natural logarithms: multiplicative noise, as a ratio or a throughput has.
    Log,
    /// The figures as they are.
    Raw,
}

impl Axis {
    /// The axis for `xs` (and any `also`, e.g. a bar): logarithmic when all are positive.
    pub(crate) fn of(xs: &[f64], also: &[f64]) -> Axis {
        if xs.iter().chain(also).all(|x| *x > 0.0) {
            Axis::Log
        } else {
            Axis::Raw
        }
    }

    /// `x` on this axis.
    pub(crate) fn to(self, x: f64) -> f64 {
        match self {
            Axis::Log => x.ln(),
            Axis::Raw => x,
        }
    }

    /// Back from this axis.
    pub(crate) fn from(self, y: f64) -> f64 {
        match self {
            Axis::Log => y.exp(),
            Axis::Raw => y,
        }
    }
}

/// The 95% t interval `(lo, hi)` of the centre of `xs` (at least two figures, none NaN), on
/// the logarithms when all are positive: mean ± t(n−1) × s / √n, taken back to the figures'
/// scale. A round that is infinite makes the interval unbounded on its side.
pub(crate) fn t_interval(xs: &[f64]) -> (f64, f64) {
    let n = xs.len();
    debug_assert!(n >= 2, "a t interval needs two figures");
    if xs.iter().any(|x| x.is_infinite()) {
        let lo = if xs.contains(&f64::NEG_INFINITY) {
            f64::NEG_INFINITY
        } else {
            xs.iter().copied().fold(f64::INFINITY, f64::min)
        };
        let hi = if xs.contains(&f64::INFINITY) {
            f64::INFINITY
        } else {
            xs.iter().copied().fold(f64::NEG_INFINITY, f64::max)
        };
        return (lo, hi);
    }
    let axis = Axis::of(xs, &[]);
    let ys: Vec<f64> = xs.iter().map(|x| axis.to(*x)).collect();
    let mean = ys.iter().sum::<f64>() / n as f64;
    let var = ys.iter().map(|y| (y - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    if var == 0.0 {
        // Identical rounds: the figure itself, not its round trip through a logarithm.
        return (xs[0], xs[0]);
    }
    let half = t95(n - 1) * (var / n as f64).sqrt();
    (axis.from(mean - half), axis.from(mean + half))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interval::{bootstrap_interval, median_interval};
    use crate::rng::Rng;

    /// A standard normal variate (Box–Muller), from the seeded generator.
    fn normal(rng: &mut Rng) -> f64 {
        let uniform = |rng: &mut Rng| ((rng.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64;
        let (u, v) = (uniform(rng), uniform(rng));
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }

    #[test]
    fn few_rounds_still_give_a_95_percent_interval() {
        // Rounds with log-normal noise around a true median of 1 (a paired ratio at parity):
        // how often does each interval hold 1? The bootstrap's alone, being the rounds' range
        // up to five rounds, holds it 1 − 2^(1−n) of the time (50% at two, 75% at three,
        // 93.75% at five); the hull median_interval gives holds it at least 95% of the time —
        // at two rounds too, the default scale's minimum since 2026-12-03.
        let mut rng = Rng::new(20_261_202);
        for (n, range_coverage) in [(2, 0.5), (3, 0.75), (5, 0.9375)] {
            let trials = 4_000;
            let (mut hull, mut boot) = (0, 0);
            for trial in 0..trials {
                let xs: Vec<f64> = (0..n).map(|_| (0.2 * normal(&mut rng)).exp()).collect();
                let (min, max) = xs
                    .iter()
                    .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
                        (a.min(*x), b.max(*x))
                    });
                let (t_lo, t_hi) = t_interval(&xs);
                let (lo, hi) = (min.min(t_lo), max.max(t_hi));
                // Up to five rounds the bootstrap's is the range, and the interval the hull
                // of the range and the t interval (checked on the first trials: each costs
                // two thousand resamples).
                if trial < 100 {
                    assert_eq!(bootstrap_interval(&xs), (min, max), "the range");
                    let i = median_interval(&xs);
                    assert_eq!((i.lo, i.hi), (lo, hi));
                    assert!(i.lo <= i.median && i.median <= i.hi, "{i:?}");
                }
                hull += usize::from(lo <= 1.0 && 1.0 <= hi);
                boot += usize::from(min <= 1.0 && 1.0 <= max);
            }
            let (hull, boot) = (hull as f64 / trials as f64, boot as f64 / trials as f64);
            assert!(hull >= 0.94, "{n} rounds: hull covers {hull}");
            assert!(
                (boot - range_coverage).abs() < 0.04,
                "{n} rounds: range covers {boot}"
            );
        }
    }

    #[test]
    fn one_gross_round_in_eight_does_not_undo_the_interval() {
        // From eight rounds on the t half leaves out rounds beyond the fence: log-normal
        // rounds (σ = 0.2 on the logarithms) around a true median of 1, clean or with one
        // round `off` σ below. The hull must still hold 1 at least 94% of the time (95% up
        // to the simulation's own noise), and with the gross round be narrower than the
        // hull of every round (what the fence is for: at 10 σ, well under two thirds as
        // wide); clean, it drops a round rarely.
        let mut rng = Rng::new(20_261_203);
        for (n, off) in [(8, 0.0_f64), (8, 10.0), (10, 5.0), (16, 10.0)] {
            let trials = 800;
            let (mut covered, mut dropped) = (0, 0);
            let (mut width, mut width_all) = (0.0, 0.0);
            for _ in 0..trials {
                let mut xs: Vec<f64> = (0..n).map(|_| (0.2 * normal(&mut rng)).exp()).collect();
                if off > 0.0 {
                    xs[0] = (-0.2 * off).exp();
                }
                let kept = crate::interval::within_fence(&xs);
                dropped += usize::from(kept.len() < n);
                let i = median_interval(&xs);
                let (b_lo, b_hi) = bootstrap_interval(&xs);
                let (t_lo, t_hi) = t_interval(&kept);
                assert_eq!((i.lo, i.hi), (b_lo.min(t_lo), b_hi.max(t_hi)));
                let (a_lo, a_hi) = t_interval(&xs);
                covered += usize::from(i.lo <= 1.0 && 1.0 <= i.hi);
                width += (i.hi / i.lo).ln();
                width_all += (b_hi.max(a_hi) / b_lo.min(a_lo)).ln();
            }
            let coverage = covered as f64 / trials as f64;
            let dropped = dropped as f64 / trials as f64;
            assert!(coverage >= 0.94, "{n} rounds, {off} σ: covers {coverage}");
            if off >= 10.0 {
                assert!(dropped > 0.9, "{n} rounds, {off} σ: fenced {dropped}");
                assert!(
                    width < 0.6 * width_all,
                    "{n} rounds, {off} σ: {width} vs {width_all}"
                );
            } else if off > 0.0 {
                // On the fence's edge: dropped about half the time, narrower on average.
                assert!(dropped > 0.3, "{n} rounds, {off} σ: fenced {dropped}");
                assert!(
                    width < width_all,
                    "{n} rounds, {off} σ: {width} vs {width_all}"
                );
            } else {
                assert!(dropped < 0.1, "{n} clean rounds: fenced {dropped}");
            }
        }
        // Below eight rounds, or with an infinite round, every round counts.
        let seven = [1.0, 1.01, 0.99, 1.02, 0.98, 1.0, 9.0];
        assert_eq!(crate::interval::within_fence(&seven), seven.to_vec());
        let mut eight = seven.to_vec();
        eight.push(1.01);
        assert_eq!(crate::interval::within_fence(&eight).len(), 7);
        eight.push(f64::INFINITY);
        assert_eq!(crate::interval::within_fence(&eight).len(), 9);
        // No spread at all: no yardstick, every round.
        let flat = [2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 3.0];
        assert_eq!(crate::interval::within_fence(&flat).len(), 9);
    }

    #[test]
    fn quantiles_are_students() {
        assert_eq!(t95(2), 4.3027);
        assert_eq!(t95(30), 2.0423);
        // The expansion past the table, against exact quantiles (60 and 120 df: 2.0003,
        // 1.97993), and it meets the table without a jump.
        assert!((t95(60) - 2.0003).abs() < 1e-4, "{}", t95(60));
        assert!((t95(120) - 1.97993).abs() < 1e-4, "{}", t95(120));
        assert!((t95(31) - 2.0395).abs() < 1e-4, "{}", t95(31));
        assert!(t95(100_000) > Z95 && t95(100_000) - Z95 < 1e-4);
        assert_eq!(t95(0), f64::INFINITY);
    }

    #[test]
    fn the_interval_is_on_logarithms_for_positive_figures() {
        // ln 1 = 0, ln e = 1, ln e² = 2: mean 1, s = 1, half-width 4.3027 / √3.
        let e = std::f64::consts::E;
        let (lo, hi) = t_interval(&[1.0, e, e * e]);
        let half = 4.3027 / 3f64.sqrt();
        assert!((lo - (1.0 - half).exp()).abs() < 1e-12, "{lo}");
        assert!((hi - (1.0 + half).exp()).abs() < 1e-12, "{hi}");
        // Symmetric in ratio: the interval of the reciprocals is the reciprocal interval.
        let (rlo, rhi) = t_interval(&[1.0, 1.0 / e, 1.0 / (e * e)]);
        assert!((rlo - 1.0 / hi).abs() < 1e-12 && (rhi - 1.0 / lo).abs() < 1e-12);
    }

    #[test]
    fn figures_not_all_positive_are_taken_as_they_are() {
        // Mean 0, s = 1, two rounds: ± 12.7062 / √2.
        let (lo, hi) = t_interval(&[-1.0 / 2f64.sqrt(), 1.0 / 2f64.sqrt()]);
        assert!((hi - 12.7062 / 2f64.sqrt()).abs() < 1e-9 && (lo + hi).abs() < 1e-12);
        // Identical rounds: no spread, a point.
        assert_eq!(t_interval(&[0.0, 0.0, 0.0]), (0.0, 0.0));
        assert_eq!(t_interval(&[2.0, 2.0]), (2.0, 2.0));
    }

    #[test]
    fn an_infinite_round_leaves_its_side_unbounded() {
        assert_eq!(t_interval(&[1.0, f64::INFINITY]), (1.0, f64::INFINITY));
        assert_eq!(
            t_interval(&[f64::NEG_INFINITY, 1.0, 2.0]),
            (f64::NEG_INFINITY, 2.0)
        );
    }
}
