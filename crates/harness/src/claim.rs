//! Claims, verdicts and the judging of a claim over several cases.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A falsifiable sentence about what a measurement will show, with its threshold declared
/// before the run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Claim {
    /// Stable snake_case id, unique within its experiment (e.g. `threads_no_speedup`).
    pub id: String,
    /// Short label used in tables ("(a)").
    pub label: String,
    /// The claim, worded so that a measurement could prove it wrong.
    pub statement: String,
    /// The threshold, in words and numbers, fixed before the run.
    pub threshold: String,
}

impl Claim {
    /// A claim with its id, label, statement and threshold.
    pub fn new(
        id: impl Into<String>,
        label: impl Into<String>,
        statement: impl Into<String>,
        threshold: impl Into<String>,
    ) -> Self {
        Claim {
            id: id.into(),
            label: label.into(),
            statement: statement.into(),
            threshold: threshold.into(),
        }
    }
}

/// What the measurements say about a claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Every case met the threshold.
    Confirmed,
    /// No case met the threshold.
    Refuted,
    /// Holds for some cases, not for others; the evidence says which.
    Nuanced,
    /// This machine cannot show the effect (e.g. one core for a parallel speedup).
    Inconclusive,
    /// Not run, with the reason (e.g. a package missing).
    Skipped,
    /// A statement that cannot come out false (true by construction or by definition), shown
    /// by this run: a demonstrated fact, not a trial, and never counted as Confirmed.
    Demonstrated,
}

impl Verdict {
    /// The capitalised word shown in tables.
    pub fn word(self) -> &'static str {
        match self {
            Verdict::Confirmed => "Confirmed",
            Verdict::Refuted => "Refuted",
            Verdict::Nuanced => "Nuanced",
            Verdict::Inconclusive => "Inconclusive",
            Verdict::Skipped => "Skipped",
            Verdict::Demonstrated => "Demonstrated",
        }
    }

    /// Every verdict, in the order tallies list them.
    pub const ALL: [Verdict; 6] = [
        Verdict::Confirmed,
        Verdict::Refuted,
        Verdict::Nuanced,
        Verdict::Inconclusive,
        Verdict::Skipped,
        Verdict::Demonstrated,
    ];
}

/// A judgement of a claim that cannot come out false: what would be Confirmed is
/// Demonstrated (shown, not tried); every other verdict stays as judged.
pub fn demonstrated(mut j: Judgement) -> Judgement {
    if j.verdict == Verdict::Confirmed {
        j.verdict = Verdict::Demonstrated;
    }
    j
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.word())
    }
}

/// An experiment's judgement of one of its declared claims.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Judgement {
    /// The id of the claim judged.
    pub claim_id: String,
    /// The verdict.
    pub verdict: Verdict,
    /// One or two sentences computed from the numbers of this run.
    pub evidence: String,
}

impl Judgement {
    /// A judgement of claim `claim_id`.
    pub fn new(claim_id: impl Into<String>, verdict: Verdict, evidence: impl Into<String>) -> Self {
        Judgement {
            claim_id: claim_id.into(),
            verdict,
            evidence: evidence.into(),
        }
    }
}

/// A declared claim together with its judgement, as stored in an outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClaimVerdict {
    /// The claim as declared before the run.
    pub claim: Claim,
    /// The verdict.
    pub verdict: Verdict,
    /// The evidence sentence.
    pub evidence: String,
}

/// One case of a claim that is judged over several (e.g. one per thread count).
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    /// What distinguishes this case ("k=4").
    pub label: String,
    /// Whether the measured value met the threshold.
    pub passed: bool,
    /// The measured value in words ("1.93× (1.90–1.95)").
    pub detail: String,
}

impl Case {
    /// A case with its label, outcome and measured detail.
    pub fn new(label: impl Into<String>, passed: bool, detail: impl Into<String>) -> Self {
        Case {
            label: label.into(),
            passed,
            detail: detail.into(),
        }
    }
}

/// Judges a claim over its cases: Confirmed when all pass, Refuted when none does, Nuanced
/// otherwise; the evidence lists every case with its number so the reader sees why.
///
/// An empty list of cases cannot support any verdict and is Inconclusive.
pub fn judge_cases(claim_id: &str, cases: &[Case]) -> Judgement {
    if cases.is_empty() {
        return Judgement::new(claim_id, Verdict::Inconclusive, "no case was measured");
    }
    let list = |pass: bool| {
        cases
            .iter()
            .filter(|c| c.passed == pass)
            .map(|c| format!("{}: {}", c.label, c.detail))
            .collect::<Vec<_>>()
            .join("; ")
    };
    let passed = cases.iter().filter(|c| c.passed).count();
    let (verdict, evidence) = if passed == cases.len() {
        (
            Verdict::Confirmed,
            format!("holds for every case — {}", list(true)),
        )
    } else if passed == 0 {
        (
            Verdict::Refuted,
            format!("fails for every case — {}", list(false)),
        )
    } else {
        (
            Verdict::Nuanced,
            format!("holds for {} — but not for {}", list(true), list(false)),
        )
    };
    Judgement::new(claim_id, verdict, evidence)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_none_and_some_cases() {
        let yes = Case::new("k=2", true, "1.0×");
        let no = Case::new("k=4", false, "2.0×");
        assert_eq!(
            judge_cases("c", &[yes.clone(), yes.clone()]).verdict,
            Verdict::Confirmed
        );
        assert_eq!(
            judge_cases("c", std::slice::from_ref(&no)).verdict,
            Verdict::Refuted
        );
        let mixed = judge_cases("c", &[yes, no]);
        assert_eq!(mixed.verdict, Verdict::Nuanced);
        assert_eq!(
            mixed.evidence,
            "holds for k=2: 1.0× — but not for k=4: 2.0×"
        );
        assert_eq!(judge_cases("c", &[]).verdict, Verdict::Inconclusive);
    }
}
