//! Where a sheet's answer stands, derived by one rule from its claims' verdicts.
//!
//! The study guide's scorecard gives each question one word — Right, Right with caveats,
//! Outdated (on named builds), Wrong — and this module is the only place that word is
//! computed. The rule is written out in `docs/verdicts.md` ("Where an answer stands"); the
//! tests below walk every branch with made-up verdicts.

use crate::claim::{ClaimVerdict, Verdict};
use serde::{Deserialize, Serialize};
use std::fmt;

/// What a claim's statement starts with when it goes past what the sheet says (a Rust
/// counterpart, a tool of 2026): such claims inform the answer to give today but do not
/// decide whether the sheet's answer stands.
pub const BEYOND_THE_SHEET: &str = "beyond the sheet";

/// One interpreter build's verdict on a claim judged per build (gil_contention (i), and the
/// interpreter matrix): which build, and whether the claim held there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuildVerdict {
    /// The build as a reader names it: `3.11`, `3.13t` (a `t` for free-threaded).
    pub build: String,
    /// A free-threaded build running with the GIL off.
    pub free_threaded: bool,
    /// Held there (`Some(true)`), failed there (`Some(false)`), or this build showed neither
    /// side or lay within noise (`None`).
    pub holds: Option<bool>,
}

/// The one word the scorecard gives a question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "standing", content = "builds")]
pub enum AnswerStanding {
    /// Every decided claim of the sheet's answer held (Confirmed, or Demonstrated).
    Right,
    /// The answer holds in part: some of its claims are Nuanced, or some hold and some fail.
    RightWithCaveats,
    /// It holds on the GIL builds measured and fails on these (newer) builds.
    Outdated(Vec<String>),
    /// Every decided claim of the sheet's answer was Refuted.
    Wrong,
    /// No claim of the sheet's answer was decided on this run (within noise, one core,
    /// skipped): the run cannot say.
    Unsettled,
}

impl AnswerStanding {
    /// The word or phrase shown on the scorecard.
    pub fn words(&self) -> String {
        match self {
            AnswerStanding::Right => "Right".to_string(),
            AnswerStanding::RightWithCaveats => "Right with caveats".to_string(),
            AnswerStanding::Outdated(builds) => format!("Outdated on {}", builds.join(", ")),
            AnswerStanding::Wrong => "Wrong".to_string(),
            AnswerStanding::Unsettled => "Unsettled".to_string(),
        }
    }

    /// A CSS-friendly class name.
    pub fn class(&self) -> &'static str {
        match self {
            AnswerStanding::Right => "right",
            AnswerStanding::RightWithCaveats => "caveats",
            AnswerStanding::Outdated(_) => "outdated",
            AnswerStanding::Wrong => "wrong",
            AnswerStanding::Unsettled => "unsettled",
        }
    }
}

impl fmt::Display for AnswerStanding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.words())
    }
}

/// Whether a claim tests the sheet's own answer (its statement does not start
/// [`BEYOND_THE_SHEET`]).
pub fn tests_the_sheet(v: &ClaimVerdict) -> bool {
    !v.claim
        .statement
        .trim_start()
        .to_lowercase()
        .starts_with(BEYOND_THE_SHEET)
}

/// The standing of an answer from its claims' verdicts, with the reason in words (which
/// claims decided it).
///
/// The rule: only the claims that test the sheet's answer count; Skipped and Inconclusive
/// ones are not decided and are named in the reason. With none decided the answer is
/// Unsettled. A claim judged per build that holds on every GIL build measured and fails on
/// some build makes it Outdated on those builds, unless every decided claim is Refuted
/// (Wrong). Otherwise: Right when every decided claim is Confirmed or Demonstrated, Wrong
/// when every one is Refuted, Right with caveats in between (a Nuanced claim, or some
/// holding and some failing).
pub fn answer_standing(verdicts: &[ClaimVerdict]) -> (AnswerStanding, String) {
    let sheet: Vec<&ClaimVerdict> = verdicts.iter().filter(|v| tests_the_sheet(v)).collect();
    let decided: Vec<&ClaimVerdict> = sheet
        .iter()
        .copied()
        .filter(|v| {
            matches!(
                v.verdict,
                Verdict::Confirmed | Verdict::Demonstrated | Verdict::Refuted | Verdict::Nuanced
            )
        })
        .collect();
    let labels = |pick: &dyn Fn(Verdict) -> bool| {
        sheet
            .iter()
            .filter(|v| pick(v.verdict))
            .map(|v| v.claim.label.clone())
            .collect::<Vec<_>>()
    };
    let open = labels(&|v| matches!(v, Verdict::Inconclusive | Verdict::Skipped));
    let open_note = if open.is_empty() {
        String::new()
    } else {
        format!("; not decided on this run: {}", open.join(", "))
    };
    if decided.is_empty() {
        let reason = if sheet.is_empty() {
            "no claim tests the sheet's answer".to_string()
        } else {
            format!(
                "no claim of the sheet's answer was decided ({})",
                open.join(", ")
            )
        };
        return (AnswerStanding::Unsettled, reason);
    }
    let holds = labels(&|v| matches!(v, Verdict::Confirmed | Verdict::Demonstrated));
    let refuted = labels(&|v| v == Verdict::Refuted);
    let nuanced = labels(&|v| v == Verdict::Nuanced);
    if refuted.len() == decided.len() {
        return (
            AnswerStanding::Wrong,
            format!("refuted: {}{open_note}", refuted.join(", ")),
        );
    }
    let outdated: Vec<String> = sheet
        .iter()
        .filter(|v| v.verdict == Verdict::Nuanced)
        .flat_map(|v| outdated_on(&v.builds))
        .fold(Vec::new(), |mut acc, b| {
            if !acc.contains(&b) {
                acc.push(b);
            }
            acc
        });
    if !outdated.is_empty() {
        return (
            AnswerStanding::Outdated(outdated.clone()),
            format!(
                "holds on every GIL build measured, fails on {}{open_note}",
                outdated.join(", ")
            ),
        );
    }
    if holds.len() == decided.len() {
        return (
            AnswerStanding::Right,
            format!("holds: {}{open_note}", holds.join(", ")),
        );
    }
    let mut parts = Vec::new();
    if !holds.is_empty() {
        parts.push(format!("holds: {}", holds.join(", ")));
    }
    if !nuanced.is_empty() {
        parts.push(format!("holds in part: {}", nuanced.join(", ")));
    }
    if !refuted.is_empty() {
        parts.push(format!("refuted: {}", refuted.join(", ")));
    }
    (
        AnswerStanding::RightWithCaveats,
        format!("{}{open_note}", parts.join("; ")),
    )
}

/// The builds a per-build claim fails on, when it holds on every GIL build that decided it
/// (at least one); empty otherwise.
fn outdated_on(builds: &[BuildVerdict]) -> Vec<String> {
    let gil: Vec<&BuildVerdict> = builds
        .iter()
        .filter(|b| !b.free_threaded && b.holds.is_some())
        .collect();
    let held_on_gil = !gil.is_empty() && gil.iter().all(|b| b.holds == Some(true));
    if !held_on_gil {
        return Vec::new();
    }
    builds
        .iter()
        .filter(|b| b.holds == Some(false))
        .map(|b| b.build.clone())
        .collect()
}

/// The builds a per-build claim holds on and fails on, as the report shows them
/// ("Confirmed on 3.11, 3.12 · Refuted on 3.13t"); None when it was not judged per build.
pub fn per_build_line(builds: &[BuildVerdict]) -> Option<String> {
    if builds.is_empty() {
        return None;
    }
    let pick = |h: Option<bool>| {
        builds
            .iter()
            .filter(|b| b.holds == h)
            .map(|b| b.build.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let parts: Vec<String> = [
        ("holds on", pick(Some(true))),
        ("fails on", pick(Some(false))),
        ("not decided on", pick(None)),
    ]
    .into_iter()
    .filter(|(_, list)| !list.is_empty())
    .map(|(what, list)| format!("{what} {list}"))
    .collect();
    Some(parts.join(" · "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claim::Claim;

    fn v(label: &str, statement: &str, verdict: Verdict) -> ClaimVerdict {
        ClaimVerdict {
            claim: Claim::new(label, label, statement, "t"),
            verdict,
            evidence: String::new(),
            builds: Vec::new(),
        }
    }

    fn build(name: &str, ft: bool, holds: Option<bool>) -> BuildVerdict {
        BuildVerdict {
            build: name.to_string(),
            free_threaded: ft,
            holds,
        }
    }

    #[test]
    fn every_decided_claim_holding_is_right_and_undecided_ones_are_named() {
        let (s, why) = answer_standing(&[
            v("(a)", "x", Verdict::Confirmed),
            v("(b)", "y", Verdict::Demonstrated),
            v("(c)", "z", Verdict::Inconclusive),
        ]);
        assert_eq!(s, AnswerStanding::Right);
        assert_eq!(why, "holds: (a), (b); not decided on this run: (c)");
    }

    #[test]
    fn claims_beyond_the_sheet_do_not_count() {
        let (s, _) = answer_standing(&[
            v("(a)", "x", Verdict::Confirmed),
            v("(b)", "beyond the sheet: rust", Verdict::Refuted),
            v("(c)", "Beyond the sheet: more", Verdict::Nuanced),
        ]);
        assert_eq!(s, AnswerStanding::Right);
    }

    #[test]
    fn all_refuted_is_wrong_and_a_mix_is_right_with_caveats() {
        let (s, why) = answer_standing(&[
            v("(a)", "x", Verdict::Refuted),
            v("(b)", "y", Verdict::Skipped),
        ]);
        assert_eq!(s, AnswerStanding::Wrong);
        assert_eq!(why, "refuted: (a); not decided on this run: (b)");
        let (s, why) = answer_standing(&[
            v("(a)", "x", Verdict::Refuted),
            v("(b)", "y", Verdict::Confirmed),
            v("(c)", "z", Verdict::Nuanced),
        ]);
        assert_eq!(s, AnswerStanding::RightWithCaveats);
        assert_eq!(why, "holds: (b); holds in part: (c); refuted: (a)");
        let (s, _) = answer_standing(&[v("(a)", "x", Verdict::Nuanced)]);
        assert_eq!(s, AnswerStanding::RightWithCaveats);
    }

    #[test]
    fn nothing_decided_is_unsettled() {
        let (s, why) = answer_standing(&[
            v("(a)", "x", Verdict::Inconclusive),
            v("(b)", "beyond the sheet: y", Verdict::Confirmed),
        ]);
        assert_eq!(s, AnswerStanding::Unsettled);
        assert_eq!(why, "no claim of the sheet's answer was decided ((a))");
        assert_eq!(answer_standing(&[]).0, AnswerStanding::Unsettled);
    }

    #[test]
    fn holding_on_gil_builds_and_failing_on_free_threaded_ones_is_outdated() {
        let mut per_build = v(
            "(i)",
            "the GIL prevents parallel bytecode",
            Verdict::Nuanced,
        );
        per_build.builds = vec![
            build("3.11", false, Some(true)),
            build("3.13", false, Some(true)),
            build("3.12", false, None),
            build("3.13t", true, Some(false)),
            build("3.14t", true, Some(false)),
        ];
        let (s, why) = answer_standing(&[v("(a)", "x", Verdict::Confirmed), per_build.clone()]);
        assert_eq!(
            s,
            AnswerStanding::Outdated(vec!["3.13t".into(), "3.14t".into()])
        );
        assert_eq!(s.words(), "Outdated on 3.13t, 3.14t");
        assert_eq!(
            why,
            "holds on every GIL build measured, fails on 3.13t, 3.14t"
        );
        assert_eq!(
            per_build_line(&per_build.builds).as_deref(),
            Some("holds on 3.11, 3.13 · fails on 3.13t, 3.14t · not decided on 3.12")
        );
        // A GIL build that fails too: not a matter of newer builds, so caveats.
        per_build.builds[1].holds = Some(false);
        assert_eq!(
            answer_standing(&[per_build.clone()]).0,
            AnswerStanding::RightWithCaveats
        );
        // Every decided claim refuted stays Wrong.
        per_build.builds[1].holds = Some(true);
        per_build.verdict = Verdict::Refuted;
        assert_eq!(answer_standing(&[per_build]).0, AnswerStanding::Wrong);
        assert_eq!(per_build_line(&[]), None);
    }
}
