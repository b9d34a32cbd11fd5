//! Facts: what an interpreter showed when asked a precise question.
//!
//! Answers about semantics ("a classmethod receives the class") are not timed; they are
//! observed. An experiment's Python side returns one [`Fact`] per check — what it did, what
//! the interpreter showed, and whether that agrees with the claim it bears on — then
//! [`record_facts`] lays them out, and the experiment's judge ([`judge_facts`] for most)
//! judges each claim over its facts: Confirmed when all agree, Refuted when none does,
//! Nuanced when some do, Inconclusive when none was observed.

use crate::claim::{Case, Claim, Judgement, Verdict, judge_cases};
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

/// Adds a table of `facts` to `outcome`, and the facts themselves.
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
    outcome.facts.extend_from_slice(facts);
}

/// One judgement per claim id, over that claim's facts: Confirmed when every fact agrees,
/// Refuted when none does, Nuanced when some do, Inconclusive when none was observed.
pub fn judge_facts(claim_ids: &[&str], facts: &[Fact]) -> Vec<Judgement> {
    claim_ids
        .iter()
        .map(|id| {
            let cases: Vec<Case> = facts
                .iter()
                .filter(|f| f.claim == *id)
                .map(|f| Case::new(f.check.clone(), f.holds, f.observed.clone()))
                .collect();
            judge_cases(id, &cases)
        })
        .collect()
}

/// For an experiment's judge tests: checks that `judge` gives each claim of `claim_ids`
/// every verdict a fact-judged claim can have (all facts agree, none does, some do, no
/// fact). Panics with the claim and the case that went wrong.
pub fn assert_judges_facts(judge: fn(&[Fact]) -> Vec<Judgement>, claim_ids: &[&str]) {
    let fact = |claim: &str, holds: bool| Fact {
        claim: claim.to_string(),
        check: format!("a check of {claim}"),
        observed: "made up".to_string(),
        holds,
    };
    for id in claim_ids {
        for (facts, want) in [
            (vec![fact(id, true), fact(id, true)], Verdict::Confirmed),
            (vec![fact(id, false), fact(id, false)], Verdict::Refuted),
            (vec![fact(id, true), fact(id, false)], Verdict::Nuanced),
            (Vec::new(), Verdict::Inconclusive),
        ] {
            let judged = judge(&facts);
            let got = judged.iter().find(|j| j.claim_id == *id).map(|j| j.verdict);
            assert_eq!(got, Some(want), "claim {id} over {facts:?}");
        }
    }
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
    use crate::{Scale, Section};

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
        let verdicts: Vec<Verdict> = judge_facts(&["a", "b", "c"], &facts)
            .iter()
            .map(|j| j.verdict)
            .collect();
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

    #[test]
    fn the_fact_judge_gives_every_verdict() {
        assert_judges_facts(|facts| judge_facts(&["x", "y"], facts), &["x", "y"]);
    }
}
