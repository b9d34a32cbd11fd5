//! `mro`: "the order in which Python looks for a method … check it with `Class.mro()`".
//!
//! The answer is right, and says nothing of *which* order. This experiment shows it is the C3
//! linearization: [`c3`] computes C3 in Rust from its definition, independently of CPython,
//! and every class of every hierarchy — the published ones and ≥ 10,000 seeded random ones —
//! is also built as a real class with `type()` in the embedded interpreter. Both must agree
//! on every class: the same order, or the same refusal (an inconsistent order, a duplicate
//! base). `mro()` must equal `__mro__`, and `super()` must follow it through a diamond.

pub mod c3;
pub mod judge;
mod today;

use c3::{ClassDef, ClassGraph, MroError, random_hierarchy};
use judge::ids;
use pyo3::prelude::*;
use pyproof_harness::{
    Claim, Experiment, ExperimentError, Meta, Outcome, RunContext, Scale, Section, Table,
};
use pyproof_python::{Interpreter, py_error};
use std::collections::BTreeMap;

/// The experiment.
#[derive(Debug, Clone, Copy, Default)]
pub struct Mro;

/// The sheet's question.
pub const QUESTION: &str = "What is Method Resolution Order (MRO)?";
/// The sheet's answer, word for word.
pub const SHEET_ANSWER: &str = "The order in which Python looks for a method in a hierarchy of \
classes, especially important for **Multiple Inheritance**. You can check it with `Class.mro()`.";

/// What this experiment is about.
pub const META: Meta = Meta {
    id: "mro",
    section: Section::AdvancedFeatures,
    question: QUESTION,
    sheet_answer: SHEET_ANSWER,
};

/// Seed of the random hierarchies (fixed: a run is repeatable class for class).
pub const SEED: u64 = 2026;

/// The published hierarchies: (name, source, definitions in [`ClassGraph::parse`] form).
pub const NAMED: &[(&str, &str, &str)] = &[
    (
        "first example",
        "Simionato, The Python 2.3 MRO",
        "F; E; D; C(D, F); B(D, E); A(B, C)",
    ),
    (
        "second example (B(E, D))",
        "Simionato, The Python 2.3 MRO",
        "F; E; D; C(D, F); B(E, D); A(B, C)",
    ),
    (
        "serious order disagreement",
        "Simionato, The Python 2.3 MRO",
        "X; Y; A(X, Y); B(Y, X); C(A, B)",
    ),
    (
        "food: local precedence",
        "Simionato, The Python 2.3 MRO",
        "Food; Eggs(Food); GoodFood(Food, Eggs); GoodFood2(Eggs, Food)",
    ),
    (
        "K1, K2, K3, Z",
        "Simionato, The Python 2.3 MRO",
        "A; B; C; D; E; K1(A, B, C); K2(D, B, E); K3(D, A); Z(K1, K2, K3)",
    ),
    (
        "diamond, both orders, and their disagreements",
        "test_descr.test_diamond_inheritance",
        "A; B(A); C(A); D(B, C); E(C, B); F(D, E); G(E, D)",
    ),
    (
        "ex5 from the C3 switch",
        "test_descr.test_ex5_from_c3_switch",
        "A; B; C; X(A); Y(A); Z(X, B, Y, C)",
    ),
    (
        "boats (monotonicity)",
        "test_descr.test_monotonicity",
        "Boat; DayBoat(Boat); WheelBoat(Boat); EngineLess(DayBoat); SmallMultihull(DayBoat); \
         PedalWheelBoat(EngineLess, WheelBoat); SmallCatamaran(SmallMultihull); \
         Pedalo(PedalWheelBoat, SmallCatamaran)",
    ),
    (
        "panes (consistency with EPG)",
        "test_descr.test_consistency_with_epg",
        "Pane; ScrollingMixin; EditingMixin; ScrollablePane(Pane, ScrollingMixin); \
         EditablePane(Pane, EditingMixin); EditableScrollablePane(ScrollablePane, EditablePane)",
    ),
    (
        "simple errors",
        "test_descr.test_mro_disagreement",
        "A; B(A); C; X1(A, A); X2(A, B); X3(A, C, B)",
    ),
    (
        "confused grid",
        "test_descr.test_mro_disagreement",
        "GridLayout; HorizontalGrid(GridLayout); VerticalGrid(GridLayout); \
         HVGrid(HorizontalGrid, VerticalGrid); VHGrid(VerticalGrid, HorizontalGrid); \
         ConfusedGrid(HVGrid, VHGrid)",
    ),
];

/// How many random hierarchies a scale checks.
pub fn random_count(scale: Scale) -> usize {
    match scale {
        Scale::Quick | Scale::Default => 10_000,
        Scale::Full => 100_000,
    }
}

/// What CPython decided for one class.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// The class.
    pub name: String,
    /// Its `__mro__` names, or None when refused.
    pub mro: Option<Vec<String>>,
    /// The refusal kind ("inconsistent", "duplicate", "base_refused"), when refused.
    pub refusal: Option<String>,
    /// Whether `cls.mro() == list(cls.__mro__)`.
    pub mro_method_agrees: bool,
}

/// Builds hierarchies as real classes in the embedded interpreter.
pub fn cpython_decisions(
    py: Python<'_>,
    interp: &Interpreter,
    hierarchies: &[Vec<ClassDef>],
) -> Result<Vec<Vec<Decision>>, ExperimentError> {
    let module = interp.import(py, "pyproof.mro")?;
    let data: Vec<Vec<(String, Vec<String>)>> = hierarchies
        .iter()
        .map(|defs| {
            defs.iter()
                .map(|d| (d.name.clone(), d.bases.clone()))
                .collect()
        })
        .collect();
    type Raw = Vec<Vec<(String, Option<Vec<String>>, Option<String>, bool)>>;
    let raw: Raw = module
        .call_method1("build_all", (data,))
        .and_then(|r| r.extract())
        .map_err(|e| py_error(py, e, "pyproof.mro.build_all"))?;
    Ok(raw
        .into_iter()
        .map(|h| {
            h.into_iter()
                .map(|(name, mro, refusal, ok)| Decision {
                    name,
                    mro,
                    refusal,
                    mro_method_agrees: ok,
                })
                .collect()
        })
        .collect())
}

/// What `pyproof.mro.super_order()` returns: the classes `super()` visited, the `__mro__`
/// it started from, and each class's direct bases.
type SuperOrder = (Vec<String>, Vec<String>, BTreeMap<String, Vec<String>>);

/// One class on which Rust's C3 and CPython disagree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disagreement {
    /// The class.
    pub class: String,
    /// What C3 said.
    pub c3: String,
    /// What CPython said.
    pub cpython: String,
}

fn describe(r: &Result<Vec<String>, MroError>) -> String {
    match r {
        Ok(mro) => mro.join(" "),
        Err(e) => format!("refused ({})", e.kind()),
    }
}

/// Compares C3 with CPython class by class; returns the disagreements.
pub fn compare(graph: &ClassGraph, decisions: &[Decision]) -> Vec<Disagreement> {
    decisions
        .iter()
        .filter_map(|d| {
            let ours = graph.mro(&d.name)?;
            let same = match (ours, &d.mro, &d.refusal) {
                (Ok(a), Some(b), _) => a == b,
                (Err(e), None, Some(kind)) => e.kind() == kind,
                _ => false,
            };
            let theirs = match (&d.mro, &d.refusal) {
                (Some(m), _) => m.join(" "),
                (None, Some(k)) => format!("refused ({k})"),
                (None, None) => "nothing".to_string(),
            };
            (!same).then(|| Disagreement {
                class: d.name.clone(),
                c3: describe(ours),
                cpython: theirs,
            })
        })
        .collect()
}

impl Experiment for Mro {
    fn answer_today(&self, outcome: &Outcome) -> Option<String> {
        today::answer(outcome)
    }

    fn meta(&self) -> &'static Meta {
        &META
    }

    fn claims(&self, ctx: &RunContext<'_>) -> Vec<Claim> {
        vec![
            Claim::new(
                ids::C3_MATCHES_CPYTHON,
                "(a)",
                "Python's MRO is the C3 linearization: an independent C3 gives every class the \
                 same order as CPython, or refuses it when CPython does",
                format!(
                    "100% of classes agree over the {} published hierarchies and {} seeded \
                     random ones (seed {SEED})",
                    NAMED.len(),
                    random_count(ctx.scale)
                ),
            ),
            Claim::new(
                ids::MRO_METHOD_REPORTS_IT,
                "(b)",
                "Class.mro() returns that order",
                "a demonstration, not a trial (type.mro() is what fills __mro__, so without a \
                 metaclass that overrides it the two cannot differ): Class.mro() equals \
                 list(Class.__mro__) for every class built; Demonstrated when it does, Refuted \
                 otherwise",
            ),
            Claim::new(
                ids::SUPER_FOLLOWS_MRO,
                "(c)",
                "super() walks the MRO of the instance's class, not the caller's own bases",
                "the call order of super() through a diamond equals its __mro__ (object aside)",
            ),
        ]
    }

    fn run(&self, ctx: &RunContext<'_>) -> Result<Outcome, ExperimentError> {
        let interp = Interpreter::get()?;
        interp.attach(|py| run_attached(py, interp, ctx))
    }
}

fn run_attached(
    py: Python<'_>,
    interp: &Interpreter,
    ctx: &RunContext<'_>,
) -> Result<Outcome, ExperimentError> {
    let mut outcome = Outcome::new(
        "mro",
        Section::AdvancedFeatures,
        QUESTION,
        SHEET_ANSWER,
        ctx.scale,
    );
    let graph_err = |e: c3::GraphError| ExperimentError::InvalidOutcome(e.to_string());

    ctx.progress.update("published hierarchies", 0, 3);
    let named: Vec<ClassGraph> = NAMED
        .iter()
        .map(|(_, _, spec)| ClassGraph::parse(spec).map_err(graph_err))
        .collect::<Result<_, _>>()?;
    let named_defs: Vec<Vec<ClassDef>> = named.iter().map(|g| g.defs().to_vec()).collect();
    let named_decisions = cpython_decisions(py, interp, &named_defs)?;

    let mut table = Table::new(
        "Published hierarchies, built as real classes: CPython vs an independent C3",
        &[
            "hierarchy",
            "source",
            "classes",
            "agree",
            "CPython's MRO of the last class",
        ],
    );
    let mut disagreements: Vec<Disagreement> = Vec::new();
    let (mut classes, mut agreeing, mut mro_method_ok) = (0usize, 0usize, 0usize);
    for (((name, source, _), graph), decisions) in NAMED.iter().zip(&named).zip(&named_decisions) {
        let d = compare(graph, decisions);
        classes += decisions.len();
        agreeing += decisions.len() - d.len();
        mro_method_ok += decisions.iter().filter(|x| x.mro_method_agrees).count();
        let last = decisions.last().map(|x| match (&x.mro, &x.refusal) {
            (Some(m), _) => format!("{}: {}", x.name, m.join(" ")),
            (None, Some(k)) => format!("{}: refused ({k})", x.name),
            _ => String::new(),
        });
        table.row(vec![
            name.to_string(),
            source.to_string(),
            decisions.len().to_string(),
            format!("{}/{}", decisions.len() - d.len(), decisions.len()),
            last.unwrap_or_default(),
        ]);
        disagreements.extend(d);
    }
    outcome.tables.push(table);

    ctx.progress.update("seeded random hierarchies", 1, 3);
    let n = random_count(ctx.scale);
    let mut rng = pyproof_harness::Rng::new(SEED);
    let random: Vec<ClassGraph> = (0..n)
        .map(|_| ClassGraph::new(random_hierarchy(&mut rng)).map_err(graph_err))
        .collect::<Result<_, _>>()?;
    let random_defs: Vec<Vec<ClassDef>> = random.iter().map(|g| g.defs().to_vec()).collect();
    let random_decisions = cpython_decisions(py, interp, &random_defs)?;
    let mut kinds = std::collections::BTreeMap::<String, usize>::new();
    let (mut r_classes, mut r_agree) = (0usize, 0usize);
    for (graph, decisions) in random.iter().zip(&random_decisions) {
        let d = compare(graph, decisions);
        r_classes += decisions.len();
        r_agree += decisions.len() - d.len();
        mro_method_ok += decisions.iter().filter(|x| x.mro_method_agrees).count();
        for x in decisions {
            *kinds
                .entry(x.refusal.clone().unwrap_or_else(|| "ordered".to_string()))
                .or_default() += 1;
        }
        disagreements.extend(d);
    }
    let mut rt = Table::new(
        format!("{n} random hierarchies (seed {SEED}), {r_classes} classes"),
        &["CPython's decision", "classes"],
    );
    for (k, v) in &kinds {
        rt.row(vec![k.clone(), v.to_string()]);
    }
    rt.row(vec![
        "agreeing with C3".to_string(),
        format!("{r_agree}/{r_classes}"),
    ]);
    outcome.tables.push(rt);

    ctx.progress.update("super() through a diamond", 2, 3);
    let (trail, mro, bases): SuperOrder = interp
        .import(py, "pyproof.mro")?
        .call_method0("super_order")
        .and_then(|r| r.extract())
        .map_err(|e| py_error(py, e, "pyproof.mro.super_order"))?;

    outcome.param("published_hierarchies", NAMED.len());
    outcome.param("random_hierarchies", n);
    outcome.param("seed", SEED);
    outcome.judgements = judge::judge(&judge::Evidence {
        published: (agreeing, classes),
        random: (r_agree, r_classes),
        random_hierarchies: n,
        inconsistent: kinds.get("inconsistent").copied().unwrap_or(0),
        duplicate: kinds.get("duplicate").copied().unwrap_or(0),
        disagreements: &disagreements,
        mro_method_ok,
        super_trail: &trail,
        mro: &mro,
        bases: &bases,
    });
    outcome.notes.push(
        "The sheet's answer is right but stops short: the order is not depth-first nor \
         breadth-first but C3, which keeps each class before its bases and the bases in the \
         order written, and refuses (TypeError) a hierarchy where no order does both."
            .to_string(),
    );
    Ok(outcome)
}
