//! A claim that a figure lies inside a range ("the median wait is between 0.5× and 3× the
//! switch interval"): both edges judged on the same interval ([`crate::interval`]).

use crate::claim::{Case, Standing};
use crate::interval::{Interval, Threshold, interval_case, median_interval, rounds_to_settle};
use serde::{Deserialize, Serialize};

/// A claim that a figure lies inside a range ("between 0.5× and 3× the interval"): both
/// bars judged on the same interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Band {
    /// The figure must be at least this...
    pub floor: Threshold,
    /// ...and below this.
    pub ceiling: Threshold,
}

impl Band {
    /// The band [`lo`, `hi`).
    pub const fn new(lo: f64, hi: f64) -> Self {
        Band {
            floor: Threshold::at_least(lo),
            ceiling: Threshold::below(hi),
        }
    }

    /// How a case with this interval comes out: fails when it lies wholly outside either
    /// edge, holds when wholly inside, within noise otherwise.
    pub fn standing(&self, interval: &Interval) -> Standing {
        self.floor
            .standing(interval)
            .and(self.ceiling.standing(interval))
    }

    /// One case on per-`sample` figures (rounds, attaches...): "{what} 1.03× (95% CI
    /// 1.02–1.05, 53 attaches)", and "— outside 0.5–3×" or "— within noise of an edge".
    pub fn case(
        &self,
        label: impl Into<String>,
        what: &str,
        samples: &[f64],
        unit: &str,
        sample: &str,
    ) -> Case {
        let interval = median_interval(samples);
        let standing = self.standing(&interval);
        let why = match standing {
            Standing::Holds => String::new(),
            Standing::Fails => format!(
                " — outside {}–{}",
                crate::format_number(self.floor.value),
                crate::format_value(self.ceiling.value, unit)
            ),
            Standing::WithinNoise if interval.is_point() => {
                format!(" — one {sample} decides nothing")
            }
            Standing::WithinNoise => " — within noise of an edge".to_string(),
        };
        let mut case = interval_case(
            label,
            standing,
            what,
            &interval.describe_of(unit, sample),
            &why,
        );
        if standing == Standing::WithinNoise {
            // The nearer of the edges it straddles decides first.
            case.rounds_to_settle = [self.floor, self.ceiling]
                .iter()
                .filter(|t| t.standing(&interval) == Standing::WithinNoise)
                .map(|t| rounds_to_settle(samples, t.value, t.margin))
                .try_fold(usize::MAX, |best, r| r.map(|r| best.min(r)));
        }
        case
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(lo: f64, hi: f64) -> Interval {
        Interval {
            median: (lo + hi) / 2.0,
            lo,
            hi,
            n: 5,
        }
    }

    #[test]
    fn a_band_holds_inside_fails_outside_and_is_noisy_across_an_edge() {
        let band = Band::new(0.5, 3.0);
        assert_eq!(band.standing(&at(0.9, 1.2)), Standing::Holds);
        assert_eq!(band.standing(&at(3.5, 4.0)), Standing::Fails);
        assert_eq!(band.standing(&at(0.1, 0.3)), Standing::Fails);
        assert_eq!(band.standing(&at(2.5, 3.5)), Standing::WithinNoise);
        let c = band.case("5 ms", "wait", &[4.0, 4.1, 4.2], "×", "attach");
        assert_eq!(
            c.detail,
            "wait 4.10× (95% CI 3.86–4.36, 3 attaches) — outside 0.500–3.00×"
        );
        let c = band.case("5 ms", "", &[2.0, 3.0, 4.0], "×", "round");
        assert!(
            c.detail.ends_with("— within noise of an edge"),
            "{}",
            c.detail
        );
    }

    #[test]
    fn one_sample_decides_nothing_and_says_so() {
        let band = Band::new(0.5, 3.0).case("100 ms", "wait", &[1.0], "×", "attach");
        assert_eq!(band.standing, Standing::WithinNoise);
        assert_eq!(
            band.detail,
            "wait 1.00× (1 attach, no interval) — one attach decides nothing"
        );
    }
}
