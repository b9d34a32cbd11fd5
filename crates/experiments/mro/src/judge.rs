//! The verdict rules of mro: pure functions over what C3 in Rust and CPython decided, and
//! the order `super()` took.

use crate::Disagreement;
use pyproof_harness::{Judgement, Verdict};
use std::collections::BTreeMap;

/// The claims' ids, declared once: `claims()` declares them, the judges judge them.
pub mod ids {
    /// Claim (a).
    pub const C3_MATCHES_CPYTHON: &str = "c3_matches_cpython";
    /// Claim (b).
    pub const MRO_METHOD_REPORTS_IT: &str = "mro_method_reports_it";
    /// Claim (c).
    pub const SUPER_FOLLOWS_MRO: &str = "super_follows_mro";
    /// Every claim, in the order declared.
    pub const ALL: [&str; 3] = [C3_MATCHES_CPYTHON, MRO_METHOD_REPORTS_IT, SUPER_FOLLOWS_MRO];
}

/// What the three claims are judged on.
#[derive(Debug, Clone, Copy)]
pub struct Evidence<'a> {
    /// Classes of the published hierarchies: (agreeing with C3, all).
    pub published: (usize, usize),
    /// Classes of the random hierarchies: (agreeing with C3, all).
    pub random: (usize, usize),
    /// How many random hierarchies.
    pub random_hierarchies: usize,
    /// Random classes CPython refused as inconsistent.
    pub inconsistent: usize,
    /// Random classes CPython refused for a duplicate base.
    pub duplicate: usize,
    /// Every class on which they disagree.
    pub disagreements: &'a [Disagreement],
    /// Classes whose `Class.mro()` equals `list(Class.__mro__)`.
    pub mro_method_ok: usize,
    /// The classes `super()` visited, in order.
    pub super_trail: &'a [String],
    /// The `__mro__` of the class `super()` started from.
    pub mro: &'a [String],
    /// Each class's direct bases.
    pub bases: &'a BTreeMap<String, Vec<String>>,
}

/// Each step of `trail` (a `super()` call from one class to the next) that lands in a class
/// the caller does not inherit from, as (caller, callee).
pub fn strangers(trail: &[String], bases: &BTreeMap<String, Vec<String>>) -> Vec<(String, String)> {
    let inherits = |from: &str, to: &str| {
        let mut stack = vec![from.to_string()];
        let mut seen = std::collections::BTreeSet::new();
        while let Some(c) = stack.pop() {
            for b in bases.get(&c).into_iter().flatten() {
                if b == to {
                    return true;
                }
                if seen.insert(b.clone()) {
                    stack.push(b.clone());
                }
            }
        }
        false
    };
    trail
        .windows(2)
        .filter(|w| !inherits(&w[0], &w[1]))
        .map(|w| (w[0].clone(), w[1].clone()))
        .collect()
}

/// (a) C3 matches CPython on every class, (b) `Class.mro()` reports it, (c) `super()` follows it.
pub fn judge(e: &Evidence<'_>) -> Vec<Judgement> {
    let (agreeing, classes) = e.published;
    let (r_agree, r_classes) = e.random;
    let n = e.random_hierarchies;
    let (disagreements, mro_method_ok, trail, mro) =
        (e.disagreements, e.mro_method_ok, e.super_trail, e.mro);
    let mut judgements = Vec::new();
    let total = classes + r_classes;
    let all_agree = agreeing + r_agree;
    let list = |ds: &[Disagreement]| {
        ds.iter()
            .take(5)
            .map(|d| format!("{}: C3 {} vs CPython {}", d.class, d.c3, d.cpython))
            .collect::<Vec<_>>()
            .join("; ")
    };
    judgements.push(Judgement::new(
        ids::C3_MATCHES_CPYTHON,
        if disagreements.is_empty() {
            Verdict::Confirmed
        } else {
            Verdict::Refuted
        },
        format!(
            "{all_agree} of {total} classes agree ({agreeing}/{classes} in the published \
             hierarchies, {r_agree}/{r_classes} in {n} random ones, of which {} refused as \
             inconsistent and {} for a duplicate base){}",
            e.inconsistent,
            e.duplicate,
            if disagreements.is_empty() {
                String::new()
            } else {
                format!("; disagreements: {}", list(disagreements))
            }
        ),
    ));
    judgements.push(Judgement::new(
        ids::MRO_METHOD_REPORTS_IT,
        if mro_method_ok == total {
            Verdict::Demonstrated
        } else {
            Verdict::Refuted
        },
        format!("Class.mro() == list(Class.__mro__) for {mro_method_ok} of {total} classes"),
    ));
    judgements.push(Judgement::new(
        ids::SUPER_FOLLOWS_MRO,
        if trail == mro {
            Verdict::Confirmed
        } else {
            Verdict::Refuted
        },
        format!(
            "super() visited {} — __mro__ is {}; {}",
            trail.join(" → "),
            mro.join(" → "),
            match strangers(trail, e.bases).as_slice() {
                [] => "every super() call went to a base of its class".to_string(),
                found => found
                    .iter()
                    .map(|(a, b)| format!(
                        "{a}'s super() went to {b}, a class {a} does not inherit from"
                    ))
                    .collect::<Vec<_>>()
                    .join("; "),
            }
        ),
    ));
    judgements
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(xs: &[&str]) -> Vec<String> {
        xs.iter().map(|s| s.to_string()).collect()
    }

    fn verdicts(disagree: usize, mro_ok: usize, trail: &[&str]) -> Vec<Verdict> {
        let ds: Vec<Disagreement> = (0..disagree)
            .map(|i| Disagreement {
                class: format!("C{i}"),
                c3: "C A".into(),
                cpython: "C B".into(),
            })
            .collect();
        let (trail, mro) = (
            names(trail),
            names(&["D", "Left", "Right", "Base", "object"]),
        );
        let bases = diamond();
        judge(&Evidence {
            published: (10 - disagree, 10),
            random: (90, 90),
            random_hierarchies: 30,
            inconsistent: 5,
            duplicate: 2,
            disagreements: &ds,
            mro_method_ok: mro_ok,
            super_trail: &trail,
            mro: &mro,
            bases: &bases,
        })
        .iter()
        .map(|j| j.verdict)
        .collect()
    }

    fn diamond() -> BTreeMap<String, Vec<String>> {
        [
            ("D", vec!["Left", "Right"]),
            ("Left", vec!["Base"]),
            ("Right", vec!["Base"]),
            ("Base", vec![]),
        ]
        .into_iter()
        .map(|(c, bs)| (c.to_string(), names(&bs)))
        .collect()
    }

    #[test]
    fn the_evidence_names_each_call_into_a_class_not_inherited_from() {
        let trail = names(&["D", "Left", "Right", "Base"]);
        assert_eq!(
            strangers(&trail, &diamond()),
            [("Left".to_string(), "Right".to_string())]
        );
        assert!(strangers(&names(&["D", "Left", "Base"]), &diamond()).is_empty());
        let j = &judge(&Evidence {
            published: (1, 1),
            random: (0, 0),
            random_hierarchies: 0,
            inconsistent: 0,
            duplicate: 0,
            disagreements: &[],
            mro_method_ok: 1,
            super_trail: &trail,
            mro: &trail,
            bases: &diamond(),
        })[2];
        assert!(
            j.evidence
                .ends_with("Left's super() went to Right, a class Left does not inherit from"),
            "{}",
            j.evidence
        );
    }

    #[test]
    fn every_claim_confirms_or_refutes_on_its_own_evidence() {
        let agree = ["D", "Left", "Right", "Base", "object"];
        use Verdict::{Confirmed, Demonstrated, Refuted};
        assert_eq!(
            verdicts(0, 100, &agree),
            [Confirmed, Demonstrated, Confirmed]
        );
        assert_eq!(verdicts(1, 100, &agree), [Refuted, Demonstrated, Confirmed]);
        assert_eq!(verdicts(0, 99, &agree), [Confirmed, Refuted, Confirmed]);
        assert_eq!(
            verdicts(0, 100, &["D", "Left", "Base", "object"]),
            [Confirmed, Demonstrated, Refuted]
        );
    }
}
