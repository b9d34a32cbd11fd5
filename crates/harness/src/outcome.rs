//! What an experiment returns and what a run saves.

use crate::claim::{ClaimVerdict, Judgement, Verdict};
use crate::env::Environment;
use crate::experiment::{Meta, Section};
use crate::fact::Fact;
use crate::measure::Measurement;
use crate::scale::Scale;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Everything one experiment measured and concluded in one run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    /// The experiment's id.
    pub id: String,
    /// The sheet's section.
    pub section: Section,
    /// The sheet's question.
    pub question: String,
    /// The sheet's answer, word for word.
    pub sheet_answer: String,
    /// The scale the run used.
    pub scale: Scale,
    /// Workload parameters chosen for this run (sizes, thread counts, repetitions...).
    pub parameters: BTreeMap<String, String>,
    /// Every measurement, every sample kept.
    pub measurements: Vec<Measurement>,
    /// Tables for the renderers, already laid out by the experiment.
    pub tables: Vec<Table>,
    /// Chart data for the renderers.
    pub charts: Vec<Chart>,
    /// The experiment's judgements; [`crate::run_experiment`] turns them into `verdicts`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub judgements: Vec<Judgement>,
    /// Declared claims with their verdicts (filled by [`crate::run_experiment`]).
    #[serde(default)]
    pub verdicts: Vec<ClaimVerdict>,
    /// Facts observed on the interpreter, for experiments about semantics.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub facts: Vec<Fact>,
    /// Caveats and side observations worth a reader's attention.
    pub notes: Vec<String>,
    /// Wall time of the whole experiment, seconds.
    pub duration_s: f64,
    /// Where that time went: the seconds under each progress label, longest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<crate::steps::Step>,
    /// The answer to give today, its figures from this outcome
    /// ([`crate::Experiment::answer_today`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub today: Option<String>,
}

impl Outcome {
    /// An empty outcome for experiment `id`; the experiment fills it.
    pub fn new(
        id: &str,
        section: Section,
        question: &str,
        sheet_answer: &str,
        scale: Scale,
    ) -> Self {
        Outcome {
            id: id.to_string(),
            section,
            question: question.to_string(),
            sheet_answer: sheet_answer.to_string(),
            scale,
            parameters: BTreeMap::new(),
            measurements: Vec::new(),
            tables: Vec::new(),
            charts: Vec::new(),
            judgements: Vec::new(),
            verdicts: Vec::new(),
            facts: Vec::new(),
            notes: Vec::new(),
            duration_s: 0.0,
            steps: Vec::new(),
            today: None,
        }
    }

    /// An empty outcome for the experiment described by `meta`.
    pub fn of(meta: &Meta, scale: Scale) -> Self {
        Outcome::new(
            meta.id,
            meta.section,
            meta.question,
            meta.sheet_answer,
            scale,
        )
    }

    /// Records a workload parameter.
    pub fn param(&mut self, name: &str, value: impl ToString) {
        self.parameters.insert(name.to_string(), value.to_string());
    }

    /// The measurement with this key, if any.
    pub fn measurement(&self, key: &str) -> Option<&Measurement> {
        self.measurements.iter().find(|m| m.key == key)
    }

    /// What the interpreter showed for the fact with this check, if any.
    pub fn observed(&self, check: &str) -> Option<&str> {
        self.facts
            .iter()
            .find(|f| f.check == check)
            .map(|f| f.observed.as_str())
    }

    /// The median of the measurement with this key, when it has a finite one.
    pub fn median_of(&self, key: &str) -> Option<f64> {
        self.measurement(key)
            .map(|m| m.summary.median)
            .filter(|m| m.is_finite())
    }

    /// The median of the measurement with this key as the study guide quotes it: three
    /// significant figures and `unit` right after ("1.79×", "0.373 s").
    pub fn figure(&self, key: &str, unit: &str) -> Option<String> {
        self.median_of(key).map(|m| {
            let sep = if unit.is_empty() || unit == "×" || unit == "%" {
                ""
            } else {
                " "
            };
            format!("{}{sep}{unit}", crate::measure::format_number(m))
        })
    }

    /// The middle `X` of every measurement key `<prefix>X<suffix>`, in the outcome's order:
    /// the builds, variants or sizes a run measured (`interpreters.`, `t.speedup_k2` gives
    /// each free-threaded build's version).
    pub fn key_parts(&self, prefix: &str, suffix: &str) -> Vec<&str> {
        self.measurements
            .iter()
            .filter_map(|m| m.key.strip_prefix(prefix)?.strip_suffix(suffix))
            .collect()
    }

    /// The numbers `N` of every measurement key `<prefix>N<suffix>`, ascending and without
    /// repeats: the sizes, counts or concurrencies a run measured (`asyncio.n`, `.wall_s`
    /// gives every N of `asyncio.n<N>.wall_s`).
    pub fn numbers_in_keys(&self, prefix: &str, suffix: &str) -> Vec<u64> {
        let mut found: Vec<u64> = self
            .key_parts(prefix, suffix)
            .into_iter()
            .filter_map(|part| part.parse().ok())
            .collect();
        found.sort_unstable();
        found.dedup();
        found
    }

    /// The evidence of the claim with this id, once verdicts are attached.
    pub fn evidence(&self, claim_id: &str) -> Option<&str> {
        self.verdicts
            .iter()
            .find(|v| v.claim.id == claim_id)
            .map(|v| v.evidence.as_str())
    }

    /// The verdict of the claim with this id, once [`crate::run_experiment`] attached them.
    pub fn verdict(&self, claim_id: &str) -> Option<Verdict> {
        self.verdicts
            .iter()
            .find(|v| v.claim.id == claim_id)
            .map(|v| v.verdict)
    }
}

/// A table laid out by the experiment: a title, column headers and rows of cells.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Table {
    /// Title shown above the table.
    pub title: String,
    /// Column headers.
    pub headers: Vec<String>,
    /// Rows; each has as many cells as there are headers.
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// An empty table with these headers.
    pub fn new(title: impl Into<String>, headers: &[&str]) -> Self {
        Table {
            title: title.into(),
            headers: headers.iter().map(|h| h.to_string()).collect(),
            rows: Vec::new(),
        }
    }

    /// Appends a row (cells beyond the header count are kept; renderers pad short rows).
    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }
}

/// Chart data; renderers decide how to draw it (terminal, SVG).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Chart {
    /// Horizontal bars, one per labelled value, with an optional reference line.
    Bars {
        /// Chart id, unique within the outcome (used for file names).
        id: String,
        /// Title.
        title: String,
        /// Unit of the values.
        unit: String,
        /// The bars.
        bars: Vec<Bar>,
        /// A reference value drawn as a line (e.g. ideal speedup), if any.
        reference: Option<f64>,
    },
    /// Which lane (thread) was running when: intervals in seconds from the start.
    Timeline {
        /// Chart id, unique within the outcome.
        id: String,
        /// Title.
        title: String,
        /// One lane per thread.
        lanes: Vec<Lane>,
        /// A window (seconds from the start) worth showing zoomed in, if any.
        zoom_s: Option<f64>,
    },
    /// One line per series over a shared x axis (requests/s vs concurrency, memory vs size).
    Lines {
        /// Chart id, unique within the outcome.
        id: String,
        /// Title.
        title: String,
        /// What x is, with its unit ("concurrent clients").
        x_label: String,
        /// What y is, with its unit ("requests/s").
        y_label: String,
        /// Draw x on a log scale (sizes spanning decades).
        log_x: bool,
        /// Draw y on a log scale.
        log_y: bool,
        /// The lines.
        series: Vec<Series>,
    },
}

/// One line of a [`Chart::Lines`]: (x, y) points in x order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Series {
    /// Legend label.
    pub name: String,
    /// The points.
    pub points: Vec<(f64, f64)>,
    /// Each point's spread over the rounds, (first quartile, third quartile), in the order of
    /// `points`; drawn as an error bar. Empty for a line without rounds (counts, fits).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub spread: Vec<(f64, f64)>,
}

impl Series {
    /// A line through each x's median of its rounds, with their quartiles as its spread.
    pub fn of_rounds(name: impl Into<String>, rounds: &[(f64, Vec<f64>)]) -> Self {
        let summaries: Vec<(f64, crate::measure::Summary)> = rounds
            .iter()
            .map(|(x, ys)| (*x, crate::measure::Summary::of(ys)))
            .collect();
        Series {
            name: name.into(),
            points: summaries.iter().map(|(x, s)| (*x, s.median)).collect(),
            spread: summaries.iter().map(|(_, s)| (s.q1, s.q3)).collect(),
        }
    }
}

impl Chart {
    /// The chart's id.
    pub fn id(&self) -> &str {
        match self {
            Chart::Bars { id, .. } | Chart::Timeline { id, .. } | Chart::Lines { id, .. } => id,
        }
    }
}

/// One bar of a bar chart: a value with its spread.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bar {
    /// Label of the bar.
    pub label: String,
    /// Median value.
    pub value: f64,
    /// First quartile, for an error bar.
    pub low: f64,
    /// Third quartile, for an error bar.
    pub high: f64,
}

/// One lane of a timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Lane {
    /// Lane name ("thread 1").
    pub name: String,
    /// Running intervals as (start, end) in seconds from the timeline's start.
    pub intervals: Vec<(f64, f64)>,
}

/// An experiment that failed to produce an outcome, kept in the results beside the others.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunFailure {
    /// The experiment's id.
    pub id: String,
    /// The error, one line.
    pub error: String,
}

/// What `pyproof run` saves: the environment stamp, every outcome, every failure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunResults {
    /// Schema version of this file.
    pub schema: u32,
    /// Where and how the run happened.
    pub environment: Environment,
    /// One outcome per experiment that finished.
    pub outcomes: Vec<Outcome>,
    /// Experiments that failed, with their errors.
    pub failures: Vec<RunFailure>,
    /// With `--repeat N` (N > 1): every claim's verdict in each of the N runs, flapping ones
    /// marked. `outcomes` are those of the last run.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub repeats: Vec<RepeatedClaim>,
    /// Wall time of the (last) run from its first experiment to its last, seconds: what the
    /// trial costs, with everything between the experiments counted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wall_s: Option<f64>,
    /// With `--repeat N` (N > 1): each run's wall time, seconds, in order (the last is
    /// `wall_s`): whether the trial fits its time run after run, not once.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub run_walls_s: Vec<f64>,
}

impl RunResults {
    /// The current schema version.
    pub const SCHEMA: u32 = 1;
}

/// One claim's verdicts over repeated runs of the same trial.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RepeatedClaim {
    /// The experiment's id.
    pub experiment: String,
    /// The claim's id.
    pub claim: String,
    /// The claim's label ("(1)").
    pub label: String,
    /// Its verdict in each run, in run order; None where the experiment failed in that run.
    pub verdicts: Vec<Option<Verdict>>,
    /// Whether the verdict was not the same in every run (a failed run counts as a change).
    pub flapping: bool,
}

impl RepeatedClaim {
    /// Whether two runs gave verdicts that contradict each other (Confirmed in one, Refuted
    /// or Nuanced in another) — the worst kind of flapping — rather than a verdict in some
    /// runs and Inconclusive (or a failed run) in others, where the claim was only left
    /// undecided.
    pub fn contradicts(&self) -> bool {
        let mut decided = self
            .verdicts
            .iter()
            .flatten()
            .filter(|v| **v != Verdict::Inconclusive);
        decided
            .next()
            .is_some_and(|first| decided.any(|v| v != first))
    }
}

/// Every claim's verdicts across `runs` (the same experiments run several times), in the
/// order the claims first appear; a claim whose verdict changed between runs — or that has
/// no verdict in some run because its experiment failed there — is flapping.
pub fn repeatability(runs: &[RunResults]) -> Vec<RepeatedClaim> {
    let mut order: Vec<(String, String, String)> = Vec::new();
    for run in runs {
        for o in &run.outcomes {
            for v in &o.verdicts {
                let key = (o.id.clone(), v.claim.id.clone(), v.claim.label.clone());
                if !order.contains(&key) {
                    order.push(key);
                }
            }
        }
    }
    order
        .into_iter()
        .map(|(experiment, claim, label)| {
            let verdicts: Vec<Option<Verdict>> = runs
                .iter()
                .map(|run| {
                    run.outcomes
                        .iter()
                        .find(|o| o.id == experiment)
                        .and_then(|o| o.verdict(&claim))
                })
                .collect();
            let flapping = verdicts.windows(2).any(|w| w[0] != w[1]) || verdicts.contains(&None);
            RepeatedClaim {
                experiment,
                claim,
                label,
                verdicts,
                flapping,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_series_of_rounds_is_its_medians_with_their_quartiles() {
        let s = Series::of_rounds("x", &[(1.0, vec![1.0, 3.0, 2.0]), (10.0, vec![5.0])]);
        assert_eq!(s.points, vec![(1.0, 2.0), (10.0, 5.0)]);
        assert_eq!(s.spread, vec![(1.5, 2.5), (5.0, 5.0)]);
    }

    use super::*;
    use crate::claim::{Claim, ClaimVerdict};
    use crate::experiment::Section;

    fn run_with(verdicts: &[(&str, &str, Verdict)]) -> RunResults {
        let mut outcomes: Vec<Outcome> = Vec::new();
        for (exp, claim, verdict) in verdicts {
            if !outcomes.iter().any(|o| o.id == *exp) {
                outcomes.push(Outcome::new(
                    exp,
                    Section::CheatSheet,
                    "q",
                    "a",
                    Scale::Quick,
                ));
            }
            let o = outcomes.iter_mut().find(|o| o.id == *exp).expect("pushed");
            o.verdicts.push(ClaimVerdict {
                claim: Claim::new(*claim, "(1)", "s", "t"),
                verdict: *verdict,
                evidence: String::new(),
                builds: Vec::new(),
            });
        }
        crate::testing::made_up_results(outcomes)
    }

    #[test]
    fn flapping_claims_are_the_ones_whose_verdict_changed_or_went_missing() {
        use Verdict::*;
        let runs = [
            run_with(&[
                ("a", "x", Confirmed),
                ("a", "y", Nuanced),
                ("b", "z", Refuted),
            ]),
            run_with(&[("a", "x", Confirmed), ("a", "y", Confirmed)]),
        ];
        let r = repeatability(&runs);
        let summary: Vec<(&str, &str, bool)> = r
            .iter()
            .map(|c| (c.experiment.as_str(), c.claim.as_str(), c.flapping))
            .collect();
        assert_eq!(
            summary,
            [("a", "x", false), ("a", "y", true), ("b", "z", true)]
        );
        assert_eq!(r[1].verdicts, vec![Some(Nuanced), Some(Confirmed)]);
        assert_eq!(r[2].verdicts, vec![Some(Refuted), None]);
    }

    #[test]
    fn only_two_different_verdicts_contradict() {
        use Verdict::*;
        let claim = |verdicts: Vec<Option<Verdict>>| RepeatedClaim {
            experiment: "a".into(),
            claim: "x".into(),
            label: "(x)".into(),
            verdicts,
            flapping: true,
        };
        assert!(claim(vec![Some(Confirmed), Some(Nuanced)]).contradicts());
        assert!(claim(vec![Some(Refuted), Some(Inconclusive), Some(Confirmed)]).contradicts());
        assert!(!claim(vec![Some(Confirmed), Some(Inconclusive), Some(Confirmed)]).contradicts());
        assert!(!claim(vec![Some(Refuted), None]).contradicts());
        assert!(!claim(vec![Some(Inconclusive), Some(Inconclusive)]).contradicts());
        assert!(!claim(vec![]).contradicts());
    }
}
