//! Facts: what an interpreter showed when asked a precise question.
//!
//! Answers about semantics ("a classmethod receives the class") are not timed; they are
//! observed. An experiment's Python side returns one [`Fact`] per check — what it did, what
//! the interpreter showed, and whether that agrees with the claim it bears on — and
//! [`record_facts`] lays them out and judges each claim over its facts: Confirmed when all
//! agree, Refuted when none does, Nuanced when some do.

use crate::claim::{Case, Claim, judge_cases};
use crate::outcome::{Outcome, Table};
use serde::{Deserialize, Serialize};

/// One observed fact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fact {
    /// The claim it bears on.
    pub claim: String,
    /// What was done, e.g. "`Calzone.margherita()`".
    pub check: String,
    /// What the interpreter showed, e.g. "a Calzone".
    pub observed: String,
    /// Whether that agrees with the claim.
    pub holds: bool,
}

/// Adds a table of `facts` to `outcome` and one judgement per claim in `claims`, judged
/// over that claim's facts. A claim with no fact is Inconclusive.
pub fn record_facts(outcome: &mut Outcome, title: &str, claims: &[Claim], facts: &[Fact]) {
    let mut table = Table::new(title, &["claim", "check", "observed", "agrees"]);
    for f in facts {
        let label = claims
            .iter()
            .find(|c| c.id == f.claim)
            .map(|c| c.label.clone())
            .unwrap_or_else(|| f.claim.clone());
        table.row(vec![
            label,
            f.check.clone(),
            f.observed.clone(),
            if f.holds { "yes" } else { "NO" }.to_string(),
        ]);
    }
    outcome.tables.push(table);
    for claim in claims {
        let id = claim.id.as_str();
        let cases: Vec<Case> = facts
            .iter()
            .filter(|f| f.claim == id)
            .map(|f| Case::new(f.check.clone(), f.holds, f.observed.clone()))
            .collect();
        outcome.judgements.push(judge_cases(id, &cases));
    }
    outcome.facts.extend_from_slice(facts);
}

/// Why a list of facts cannot be trusted: a fact for an undeclared claim.
pub fn unknown_claims<'a>(claims: &[&str], facts: &'a [Fact]) -> Vec<&'a str> {
    facts
        .iter()
        .map(|f| f.claim.as_str())
        .filter(|c| !claims.contains(c))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Scale, Section, Verdict};

    fn fact(claim: &str, holds: bool) -> Fact {
        Fact {
            claim: claim.into(),
            check: format!("check {claim}"),
            observed: "seen".into(),
            holds,
        }
    }

    #[test]
    fn claims_are_judged_over_their_facts() {
        let mut o = Outcome::new("x", Section::AdvancedFeatures, "Q", "A", Scale::Quick);
        let facts = [
            fact("a", true),
            fact("a", true),
            fact("b", true),
            fact("b", false),
        ];
        let claims: Vec<Claim> = ["a", "b", "c"]
            .iter()
            .map(|id| Claim::new(*id, format!("({id})"), "s", "t"))
            .collect();
        record_facts(&mut o, "T", &claims, &facts);
        let verdicts: Vec<Verdict> = o.judgements.iter().map(|j| j.verdict).collect();
        assert_eq!(
            verdicts,
            [Verdict::Confirmed, Verdict::Nuanced, Verdict::Inconclusive]
        );
        assert_eq!(o.tables[0].rows.len(), 4);
        assert_eq!(o.tables[0].rows[3][3], "NO");
        assert_eq!(o.tables[0].rows[0][0], "(a)");
        assert_eq!(o.observed("check b"), Some("seen"));
        assert_eq!(o.facts.len(), 4);
        assert_eq!(unknown_claims(&["a"], &facts), ["b", "b"]);
    }
}
