//! Two runs side by side (`pyproof compare A B`): per measurement, the ratio of medians and
//! whether the difference is beyond the spread (the interquartile ranges do not overlap);
//! per claim, whether the verdict changed.

use crate::terminal::table;
use pyproof_harness::{RunResults, Summary, Table, Verdict, format_number};
use std::collections::BTreeMap;

/// One measurement present in both runs.
#[derive(Debug, Clone, PartialEq)]
pub struct MeasurementDiff {
    /// Experiment id.
    pub experiment: String,
    /// Measurement key.
    pub key: String,
    /// Unit.
    pub unit: String,
    /// Run A's summary.
    pub a: Summary,
    /// Run B's summary.
    pub b: Summary,
    /// Median B / median A.
    pub ratio: f64,
    /// Whether the IQRs do not overlap; None when a run has fewer than two samples (no
    /// spread to judge by).
    pub beyond_spread: Option<bool>,
}

/// One claim's verdict in each run (None where the run did not judge it).
#[derive(Debug, Clone, PartialEq)]
pub struct VerdictChange {
    /// Experiment id.
    pub experiment: String,
    /// Claim id.
    pub claim: String,
    /// Run A's verdict.
    pub a: Option<Verdict>,
    /// Run B's verdict.
    pub b: Option<Verdict>,
}

impl VerdictChange {
    /// Whether the verdicts differ.
    pub fn changed(&self) -> bool {
        self.a != self.b
    }
}

/// What [`compare`] found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Comparison {
    /// Measurements in both runs, in A's order.
    pub measurements: Vec<MeasurementDiff>,
    /// `experiment/key` of measurements only one run has.
    pub only_in_a: Vec<String>,
    /// The same for B.
    pub only_in_b: Vec<String>,
    /// Every claim of either run.
    pub verdicts: Vec<VerdictChange>,
}

/// Compares run A with run B.
pub fn compare(a: &RunResults, b: &RunResults) -> Comparison {
    let index = |r: &RunResults| {
        let mut m = BTreeMap::new();
        for o in &r.outcomes {
            for x in &o.measurements {
                m.insert((o.id.clone(), x.key.clone()), x.clone());
            }
        }
        m
    };
    let (ia, ib) = (index(a), index(b));
    let mut c = Comparison::default();
    for o in &a.outcomes {
        for x in &o.measurements {
            let k = (o.id.clone(), x.key.clone());
            match ib.get(&k) {
                Some(y) => {
                    let (sa, sb) = (x.summary, y.summary);
                    c.measurements.push(MeasurementDiff {
                        experiment: o.id.clone(),
                        key: x.key.clone(),
                        unit: x.unit.clone(),
                        a: sa,
                        b: sb,
                        ratio: sb.median / sa.median,
                        beyond_spread: (sa.n >= 2 && sb.n >= 2)
                            .then_some(sa.q3 < sb.q1 || sb.q3 < sa.q1),
                    });
                }
                None => c.only_in_a.push(format!("{}/{}", o.id, x.key)),
            }
        }
    }
    for (id, key) in ib.keys() {
        if !ia.contains_key(&(id.clone(), key.clone())) {
            c.only_in_b.push(format!("{id}/{key}"));
        }
    }
    let verdicts = |r: &RunResults| {
        let mut m = BTreeMap::new();
        for o in &r.outcomes {
            for v in &o.verdicts {
                m.insert((o.id.clone(), v.claim.id.clone()), v.verdict);
            }
        }
        m
    };
    let (va, vb) = (verdicts(a), verdicts(b));
    let mut claims: Vec<&(String, String)> = va.keys().chain(vb.keys()).collect();
    claims.sort();
    claims.dedup();
    for k in claims {
        c.verdicts.push(VerdictChange {
            experiment: k.0.clone(),
            claim: k.1.clone(),
            a: va.get(k).copied(),
            b: vb.get(k).copied(),
        });
    }
    c
}

fn iqr(s: &Summary, unit: &str) -> String {
    format!(
        "{} {unit} ({}–{}, n={})",
        format_number(s.median),
        format_number(s.q1),
        format_number(s.q3),
        s.n
    )
}

/// The comparison as terminal text.
pub fn render(c: &Comparison, a_name: &str, b_name: &str) -> String {
    let mut m = Table::new(
        format!("Measurements: A = {a_name}, B = {b_name} (medians, IQR)"),
        &[
            "experiment",
            "measurement",
            "A",
            "B",
            "B / A",
            "beyond the spread",
        ],
    );
    for d in &c.measurements {
        m.row(vec![
            d.experiment.clone(),
            d.key.clone(),
            iqr(&d.a, &d.unit),
            iqr(&d.b, &d.unit),
            format!("{}×", format_number(d.ratio)),
            match d.beyond_spread {
                Some(true) => "yes".to_string(),
                Some(false) => "no".to_string(),
                None => "— (one sample)".to_string(),
            },
        ]);
    }
    let word = |v: Option<Verdict>| v.map_or("—".to_string(), |v| v.word().to_string());
    let mut v = Table::new("Verdicts that changed", &["experiment", "claim", "A", "B"]);
    for x in c.verdicts.iter().filter(|x| x.changed()) {
        v.row(vec![
            x.experiment.clone(),
            x.claim.clone(),
            word(x.a),
            word(x.b),
        ]);
    }
    let beyond = c
        .measurements
        .iter()
        .filter(|d| d.beyond_spread == Some(true))
        .count();
    let changed = c.verdicts.iter().filter(|x| x.changed()).count();
    let mut out = table(&m);
    out.push('\n');
    if changed > 0 {
        out.push_str(&table(&v));
        out.push('\n');
    }
    out.push_str(&format!(
        "{} measurements in both runs, {beyond} different beyond their spread; {} only in A, {} \
         only in B; {changed} of {} verdicts changed.\n",
        c.measurements.len(),
        c.only_in_a.len(),
        c.only_in_b.len(),
        c.verdicts.len()
    ));
    out
}
