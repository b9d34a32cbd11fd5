//! When a sheet's answer expires: the first CPython build, in version order, on which it
//! stops holding — computed from the per-build verdicts of the claims that test it.
//!
//! An answer holds on a build when every claim of the sheet's answer that decided that build
//! held there, and fails there when one of them failed. The builds are put in version order
//! (a GIL build before the free-threaded build of the same version); the answer expires with
//! the first failing build when every build before it that decided held. The rule is written
//! out in `docs/verdicts.md` ("When an answer expires"); the tests below walk every branch
//! with made-up verdicts.

use crate::claim::ClaimVerdict;
use crate::standing::tests_the_sheet;
use std::collections::BTreeMap;

/// When the sheet's answer stops holding, over the builds its claims were judged on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expiry {
    /// It holds on every build that decided it (listed in version order).
    HoldsEverywhere(Vec<String>),
    /// It holds on every build before `on` (listed) and fails from `on`: the builds it fails
    /// on are listed too, `on` first.
    ExpiresWith {
        /// The first build it fails on.
        on: String,
        /// The builds before it, all holding.
        held: Vec<String>,
        /// Every build it fails on, in version order.
        fails: Vec<String>,
    },
    /// It fails on every build that decided it.
    FailsEverywhere(Vec<String>),
    /// It fails on some builds and holds on some newer ones: not a matter of version.
    Mixed {
        /// Builds it holds on.
        held: Vec<String>,
        /// Builds it fails on.
        fails: Vec<String>,
    },
    /// Builds were measured but none decided it (within noise, or no side shown).
    Undecided(Vec<String>),
}

impl Expiry {
    /// The line the scorecard and the question's page show.
    pub fn line(&self) -> String {
        let list = |v: &[String]| v.join(", ");
        match self {
            Expiry::HoldsEverywhere(b) => format!("holds on every build measured ({})", list(b)),
            Expiry::ExpiresWith { on, held, fails } => {
                let mut s = format!("expires with {on}: holds on {}", list(held));
                if fails.len() > 1 {
                    s.push_str(&format!(", fails on {}", list(fails)));
                }
                s
            }
            Expiry::FailsEverywhere(b) => format!("fails on every build measured ({})", list(b)),
            Expiry::Mixed { held, fails } => format!(
                "not a matter of version: holds on {}, fails on {}",
                list(held),
                list(fails)
            ),
            Expiry::Undecided(b) => format!("not decided on any build measured ({})", list(b)),
        }
    }
}

/// The order builds are listed in: version numbers, then a GIL build before the
/// free-threaded one of the same version; a name that is not a version sorts last.
fn version_key(build: &str, free_threaded: bool) -> (Vec<u64>, bool, String) {
    let digits = build.trim_end_matches('t');
    let parts: Option<Vec<u64>> = digits.split('.').map(|p| p.parse().ok()).collect();
    (
        parts.unwrap_or_else(|| vec![u64::MAX]),
        free_threaded,
        build.to_string(),
    )
}

/// When the sheet's answer expires, from the per-build verdicts of the claims that test it;
/// `None` when no such claim was judged per build.
pub fn expiry(verdicts: &[ClaimVerdict]) -> Option<Expiry> {
    // Each build's standing over every claim: failed if one failed, held if one held and
    // none failed, undecided otherwise.
    let mut builds: BTreeMap<(Vec<u64>, bool, String), Option<bool>> = BTreeMap::new();
    for v in verdicts.iter().filter(|v| tests_the_sheet(v)) {
        for b in &v.builds {
            let slot = builds
                .entry(version_key(&b.build, b.free_threaded))
                .or_insert(None);
            *slot = match (*slot, b.holds) {
                (Some(false), _) | (_, Some(false)) => Some(false),
                (Some(true), _) | (_, Some(true)) => Some(true),
                _ => None,
            };
        }
    }
    if builds.is_empty() {
        return None;
    }
    let names = |want: Option<bool>| -> Vec<String> {
        builds
            .iter()
            .filter(|(_, h)| **h == want)
            .map(|((_, _, name), _)| name.clone())
            .collect()
    };
    let (held, fails) = (names(Some(true)), names(Some(false)));
    let expiry = match (held.is_empty(), fails.is_empty()) {
        (true, true) => Expiry::Undecided(names(None)),
        (false, true) => Expiry::HoldsEverywhere(held),
        (true, false) => Expiry::FailsEverywhere(fails),
        (false, false) => {
            // Expires when every holding build comes before the first failing one.
            let first_fail = builds
                .iter()
                .position(|(_, h)| *h == Some(false))
                .unwrap_or(0);
            let held_after = builds
                .iter()
                .skip(first_fail)
                .any(|(_, h)| *h == Some(true));
            if held_after {
                Expiry::Mixed { held, fails }
            } else {
                Expiry::ExpiresWith {
                    on: fails[0].clone(),
                    held,
                    fails,
                }
            }
        }
    };
    Some(expiry)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claim::{Claim, Verdict};
    use crate::standing::BuildVerdict;

    fn claim(statement: &str, builds: &[(&str, Option<bool>)]) -> ClaimVerdict {
        ClaimVerdict {
            claim: Claim::new("c", "(c)", statement, "t"),
            verdict: Verdict::Nuanced,
            evidence: String::new(),
            builds: builds
                .iter()
                .map(|&(b, holds)| BuildVerdict {
                    build: b.to_string(),
                    free_threaded: b.ends_with('t'),
                    holds,
                })
                .collect(),
        }
    }

    fn of(builds: &[(&str, Option<bool>)]) -> Option<Expiry> {
        expiry(&[claim("the sheet's answer", builds)])
    }

    #[test]
    fn an_answer_expires_with_the_first_build_it_fails_on() {
        let e = of(&[
            ("3.13t", Some(false)),
            ("3.7", Some(true)),
            ("3.13", Some(true)),
            ("3.15t", Some(false)),
            ("3.12", None),
        ])
        .unwrap();
        assert_eq!(
            e,
            Expiry::ExpiresWith {
                on: "3.13t".into(),
                held: vec!["3.7".into(), "3.13".into()],
                fails: vec!["3.13t".into(), "3.15t".into()],
            }
        );
        assert_eq!(
            e.line(),
            "expires with 3.13t: holds on 3.7, 3.13, fails on 3.13t, 3.15t"
        );
        // Versions compare as numbers (3.9 before 3.13), patch levels too.
        let e = of(&[("3.13.15t", Some(false)), ("3.9.18", Some(true))]).unwrap();
        assert_eq!(e.line(), "expires with 3.13.15t: holds on 3.9.18");
    }

    #[test]
    fn holding_failing_everywhere_mixed_and_undecided() {
        assert_eq!(
            of(&[("3.13t", Some(true)), ("3.11", Some(true))])
                .unwrap()
                .line(),
            "holds on every build measured (3.11, 3.13t)"
        );
        assert_eq!(
            of(&[("3.11", Some(false))]).unwrap().line(),
            "fails on every build measured (3.11)"
        );
        // A failing old build and a holding newer one: no expiry date.
        assert_eq!(
            of(&[("3.8", Some(false)), ("3.12", Some(true))]).unwrap(),
            Expiry::Mixed {
                held: vec!["3.12".into()],
                fails: vec!["3.8".into()],
            }
        );
        assert_eq!(
            of(&[("3.13t", None)]).unwrap().line(),
            "not decided on any build measured (3.13t)"
        );
    }

    #[test]
    fn a_build_fails_when_one_claim_fails_there_and_beyond_the_sheet_does_not_count() {
        let a = claim(
            "the sheet's answer",
            &[("3.13t", Some(true)), ("3.11", Some(true))],
        );
        let b = claim("the sheet's answer", &[("3.13t", Some(false))]);
        let rust = claim("beyond the sheet: rayon", &[("3.11", Some(false))]);
        assert_eq!(
            expiry(&[a.clone(), b, rust.clone()]).unwrap().line(),
            "expires with 3.13t: holds on 3.11"
        );
        // No per-build claim of the sheet: no line at all.
        assert_eq!(expiry(&[rust]), None);
        assert_eq!(expiry(&[]), None);
        // A GIL build sorts before the free-threaded one of the same version.
        assert!(version_key("3.13", false) < version_key("3.13t", true));
        assert!(version_key("3.9.18", false) < version_key("3.13.0", false));
        assert!(version_key("3.13t", true) < version_key("a build", false));
    }
}
