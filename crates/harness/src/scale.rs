//! How big a run is.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The size of a run. Every experiment maps it to its own workload sizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Scale {
    /// Seconds at most: for tests and smoke runs. One round where a round costs seconds, so
    /// the claims judged on intervals are Inconclusive (docs/verdicts.md, "Quick is one
    /// round"); numbers are noisy.
    Quick,
    /// A run of a few minutes for the whole trial; what the examples use.
    #[default]
    Default,
    /// The sheet's own sizes (a 2 GB CSV, a million images): long.
    Full,
}

impl Scale {
    /// Every scale, smallest first.
    pub const ALL: [Scale; 3] = [Scale::Quick, Scale::Default, Scale::Full];

    /// The lowercase name used on the command line and in JSON.
    pub fn name(self) -> &'static str {
        match self {
            Scale::Quick => "quick",
            Scale::Default => "default",
            Scale::Full => "full",
        }
    }
}

impl fmt::Display for Scale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Scale {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Scale::ALL
            .into_iter()
            .find(|scale| scale.name() == s)
            .ok_or_else(|| format!("unknown scale '{s}' (expected one of: quick, default, full)"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_name_and_rejects_others() {
        for scale in Scale::ALL {
            assert_eq!(scale.name().parse::<Scale>(), Ok(scale));
        }
        let err = "huge".parse::<Scale>().unwrap_err();
        assert_eq!(
            err,
            "unknown scale 'huge' (expected one of: quick, default, full)"
        );
    }
}
