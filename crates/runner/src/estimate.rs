//! The time a run is expected to take, said before it starts: each experiment's time in an
//! earlier run at the same scale (this machine's last results or a committed report's, the
//! nearest in interpreters first: [`preference`]), its per-interpreter steps scaled to the
//! number of interpreters selected now. A run over every interpreter (`--python all`) can
//! take far longer than the default; the user learns it before waiting, not after.

use pyproof_harness::{Outcome, RunResults, Scale};
use std::collections::BTreeSet;

/// Steps that run once per interpreter carry this in their progress label
/// ("threads under Python 3.13.0 (…)"), by the experiments' convention.
const PER_INTERPRETER: &str = "under Python ";

/// What an earlier run says this one will take.
#[derive(Debug, Clone, PartialEq)]
pub struct Estimate {
    /// Expected seconds of the experiments that have an earlier time.
    pub seconds: f64,
    /// The experiments with no earlier time at this scale.
    pub unknown: Vec<String>,
    /// Interpreters the per-interpreter steps ran over then, and are selected now.
    pub interpreters: Option<(usize, usize)>,
}

/// A later pass over an interpreter already measured ("threads under Python 3.13.0 — within
/// noise, 3 more rounds (pass 2)") carries this after the interpreter's name.
const LATER_PASS: &str = " — ";

/// The interpreters of `o`'s per-interpreter steps: what follows "under Python " whole, as
/// the version alone is not a name — a free-threaded build and the GIL build of the same
/// version both say "3.13.15" where the label adds their paths. A later pass names no new
/// interpreter (its time still scales with the rest): counted, the committed run's 13
/// interpreters read as 23, and a run over the same 13 had its per-interpreter steps scaled
/// by 13/23.
fn interpreters_of(o: &Outcome) -> BTreeSet<&str> {
    o.steps
        .iter()
        .filter_map(|s| {
            s.label
                .split_once(PER_INTERPRETER)
                .map(|(_, rest)| rest.trim())
        })
        .filter(|rest| !rest.contains(LATER_PASS))
        .collect()
}

/// The estimate for `ids` at `scale`, run `repeat` times, from `earlier`; `selected` is how
/// many interpreters the per-interpreter parts measure now (None: as many as then). None
/// when `earlier` holds none of them at this scale.
pub fn estimate(
    earlier: &RunResults,
    ids: &[&str],
    scale: Scale,
    selected: Option<usize>,
    repeat: usize,
) -> Option<Estimate> {
    let then = earlier
        .outcomes
        .iter()
        .filter(|o| o.scale == scale)
        .map(|o| interpreters_of(o).len())
        .max()
        .unwrap_or(0);
    let factor = match selected {
        Some(now) if then > 0 => now as f64 / then as f64,
        _ => 1.0,
    };
    let mut seconds = 0.0;
    let mut unknown = Vec::new();
    for id in ids {
        let Some(o) = earlier
            .outcomes
            .iter()
            .find(|o| o.id == *id && o.scale == scale)
        else {
            unknown.push(id.to_string());
            continue;
        };
        let per_interpreter: f64 = o
            .steps
            .iter()
            .filter(|s| s.label.contains(PER_INTERPRETER))
            .map(|s| s.seconds)
            .sum();
        seconds += o.duration_s - per_interpreter + per_interpreter * factor;
    }
    if unknown.len() == ids.len() {
        return None;
    }
    Some(Estimate {
        seconds: seconds * repeat.max(1) as f64,
        unknown,
        interpreters: selected.filter(|_| then > 0).map(|now| (then, now)),
    })
}

/// How an estimate ranks among those from several earlier runs (the smallest is said): the
/// one that knows most of the selection; among those, the one whose run went over the number
/// of interpreters nearest the selected ones — a default run is estimated from a run over a
/// fresh machine's interpreters, not from one over thirteen, whose free-threaded builds add
/// steps that scaling by the count of interpreters misses; then this machine's own results
/// (`local`) before a committed report's.
pub fn preference(e: &Estimate, local: bool) -> (usize, usize, bool) {
    let distance = e.interpreters.map_or(0, |(then, now)| then.abs_diff(now));
    (e.unknown.len(), distance, !local)
}

/// "expected ≈ 6.2 min, from the run of 2026-11-30 (docs/report/results.json); …".
pub fn describe(e: &Estimate, source: &str, date: &str) -> String {
    // With experiments of unknown time the known part is a floor, not an estimate.
    let mut line = format!(
        "expected {} {}, from the run of {} ({source})",
        if e.unknown.is_empty() { "≈" } else { "≥" },
        duration_words(e.seconds),
        date.get(..10).unwrap_or(date)
    );
    if let Some((then, now)) = e.interpreters.filter(|(a, b)| a != b) {
        line.push_str(&format!(
            "; its per-interpreter steps scaled from {then} interpreters to the {now} selected"
        ));
    }
    if !e.unknown.is_empty() {
        line.push_str(&format!(
            "; no earlier time for {} at this scale",
            e.unknown.join(", ")
        ));
    }
    line
}

/// "45 s", "6.2 min".
fn duration_words(seconds: f64) -> String {
    if seconds < 90.0 {
        format!("{seconds:.0} s")
    } else {
        format!("{:.1} min", seconds / 60.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pyproof_harness::steps::Step;
    use pyproof_harness::{Outcome, Section};

    fn outcome(id: &str, scale: Scale, duration_s: f64, steps: &[(&str, f64)]) -> Outcome {
        let mut o = Outcome::new(id, Section::CoreMechanics, "q", "a", scale);
        o.duration_s = duration_s;
        o.steps = steps
            .iter()
            .map(|(label, seconds)| Step {
                label: label.to_string(),
                seconds: *seconds,
                times: 1,
            })
            .collect();
        o
    }

    fn earlier() -> RunResults {
        pyproof_harness::testing::made_up_results(vec![
            outcome(
                "gil",
                Scale::Default,
                100.0,
                &[
                    ("threads under Python 3.11.7 (/a)", 10.0),
                    ("threads under Python 3.13.0 (/b)", 10.0),
                    ("round · echo", 80.0),
                ],
            ),
            outcome("api", Scale::Default, 50.0, &[("round · cell", 50.0)]),
            outcome("quick_only", Scale::Quick, 5.0, &[]),
        ])
    }

    #[test]
    fn the_earlier_times_add_up_and_per_interpreter_steps_scale() {
        let r = earlier();
        let same = estimate(&r, &["gil", "api"], Scale::Default, None, 1).expect("known");
        assert_eq!((same.seconds, same.unknown.len()), (150.0, 0));
        // Two interpreters then, four now: the 20 s of per-interpreter steps double.
        let more = estimate(&r, &["gil", "api"], Scale::Default, Some(4), 2).expect("known");
        assert_eq!(more.seconds, 2.0 * 170.0);
        assert_eq!(more.interpreters, Some((2, 4)));
        assert_eq!(
            describe(&more, "docs/report/results.json", "2026-11-30T20:05:07Z"),
            "expected ≈ 5.7 min, from the run of 2026-11-30 (docs/report/results.json); its \
             per-interpreter steps scaled from 2 interpreters to the 4 selected"
        );
    }

    #[test]
    fn the_estimate_said_knows_most_then_is_nearest_in_interpreters_then_local() {
        let e = |unknown: usize, interpreters: Option<(usize, usize)>| Estimate {
            seconds: 1.0,
            unknown: vec!["x".to_string(); unknown],
            interpreters,
        };
        let pick = |candidates: &[(Estimate, bool)]| {
            candidates
                .iter()
                .enumerate()
                .min_by_key(|(_, (e, local))| preference(e, *local))
                .map(|(i, _)| i)
        };
        // A fresh machine's nine selected: the fresh-machine repeat (nine) before the
        // committed run over thirteen, whichever comes first.
        let fresh = e(0, Some((9, 9)));
        let all = e(0, Some((13, 9)));
        assert_eq!(
            pick(&[(all.clone(), false), (fresh.clone(), false)]),
            Some(1)
        );
        assert_eq!(
            pick(&[(fresh.clone(), false), (all.clone(), false)]),
            Some(0)
        );
        // Nearer in interpreters before this machine's own results; at the same distance,
        // this machine's own first.
        assert_eq!(
            pick(&[(fresh.clone(), false), (all.clone(), true)]),
            Some(0)
        );
        assert_eq!(
            pick(&[(fresh.clone(), false), (fresh.clone(), true)]),
            Some(1)
        );
        // But not when they know less of the selection.
        assert_eq!(pick(&[(e(1, None), true), (all, false)]), Some(1));
    }

    #[test]
    fn an_experiment_without_an_earlier_time_at_this_scale_is_named() {
        let r = earlier();
        let e = estimate(&r, &["api", "quick_only"], Scale::Default, None, 1).expect("api");
        assert_eq!(
            (e.seconds, e.unknown.clone()),
            (50.0, vec!["quick_only".to_string()])
        );
        assert_eq!(
            describe(&e, "x.json", "2026-11-30"),
            "expected ≥ 50 s, from the run of 2026-11-30 (x.json); no earlier time for \
             quick_only at this scale"
        );
        assert!(estimate(&r, &["quick_only"], Scale::Default, None, 1).is_none());
    }

    #[test]
    fn two_builds_of_one_version_are_two_interpreters() {
        let r = pyproof_harness::testing::made_up_results(vec![outcome(
            "gil",
            Scale::Default,
            30.0,
            &[
                (
                    "threads under Python 3.13.15 (/c/cpython-3.13t/bin/python3.13t)",
                    10.0,
                ),
                (
                    "threads under Python 3.13.15 (/c/cpython-3.13/bin/python3.13)",
                    10.0,
                ),
                ("threads under Python 3.11.7 (/p/3.11.7/bin/python3)", 10.0),
            ],
        )]);
        let e = estimate(&r, &["gil"], Scale::Default, Some(3), 1).expect("known");
        assert_eq!((e.seconds, e.interpreters), (30.0, Some((3, 3))));
    }

    #[test]
    fn a_later_pass_over_an_interpreter_is_not_another_interpreter() {
        let r = pyproof_harness::testing::made_up_results(vec![outcome(
            "gil",
            Scale::Default,
            40.0,
            &[
                ("threads under Python 3.11.7 (/p/3.11.7/bin/python3)", 10.0),
                ("threads under Python 3.13.0 (/p/3.13.0/bin/python3)", 10.0),
                (
                    "threads under Python 3.13.0 — within noise, 3 more rounds (pass 2)",
                    5.0,
                ),
                ("round · echo", 15.0),
            ],
        )]);
        // Two interpreters then, four now: all 25 s of their steps (the pass's too) double.
        let e = estimate(&r, &["gil"], Scale::Default, Some(4), 1).expect("known");
        assert_eq!((e.seconds, e.interpreters), (65.0, Some((2, 4))));
    }
}
