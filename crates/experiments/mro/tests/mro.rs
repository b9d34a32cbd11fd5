//! The MRO facts, asserted exactly against the running CPython.

use mro::c3::ClassGraph;
use mro::judge::ids;
use mro::{Mro, NAMED, compare, cpython_decisions};
use pyproof_harness::Verdict;
use pyproof_harness::testing::{run_quick, verdicts};
use pyproof_python::Interpreter;

fn cpython_mro(spec: &str, class: &str) -> Option<Vec<String>> {
    let interp = Interpreter::get().expect("interpreter");
    let graph = ClassGraph::parse(spec).expect("graph");
    let decisions = interp
        .attach(|py| cpython_decisions(py, interp, &[graph.defs().to_vec()]))
        .expect("built");
    decisions[0]
        .iter()
        .find(|d| d.name == class)
        .and_then(|d| d.mro.clone())
}

#[test]
fn cpython_gives_the_published_orders() {
    let spec = |name: &str| NAMED.iter().find(|n| n.0 == name).expect("named").2;
    assert_eq!(
        cpython_mro(spec("boats (monotonicity)"), "Pedalo").expect("ordered"),
        [
            "Pedalo",
            "PedalWheelBoat",
            "EngineLess",
            "SmallCatamaran",
            "SmallMultihull",
            "DayBoat",
            "WheelBoat",
            "Boat",
            "object"
        ]
    );
    assert_eq!(
        cpython_mro(spec("ex5 from the C3 switch"), "Z").expect("ordered"),
        ["Z", "X", "B", "Y", "A", "C", "object"]
    );
    assert_eq!(
        cpython_mro(spec("K1, K2, K3, Z"), "Z").expect("ordered"),
        ["Z", "K1", "K2", "K3", "D", "A", "B", "C", "E", "object"]
    );
    assert_eq!(cpython_mro(spec("serious order disagreement"), "C"), None);
    assert_eq!(
        cpython_mro(spec("food: local precedence"), "GoodFood"),
        None
    );
}

#[test]
fn every_published_class_agrees_with_c3() {
    let interp = Interpreter::get().expect("interpreter");
    for (name, _, spec) in NAMED {
        let graph = ClassGraph::parse(spec).expect("graph");
        let decisions = interp
            .attach(|py| cpython_decisions(py, interp, &[graph.defs().to_vec()]))
            .expect("built");
        assert_eq!(compare(&graph, &decisions[0]), vec![], "{name}");
    }
}

#[test]
fn the_quick_run_agrees_everywhere() {
    // Agreement is a deterministic fact (fixed seed), so the verdicts are asserted exactly.
    let outcome = run_quick(&Mro);
    assert_eq!(
        verdicts(&outcome),
        [
            (ids::C3_MATCHES_CPYTHON, Verdict::Confirmed),
            (ids::MRO_METHOD_REPORTS_IT, Verdict::Demonstrated),
            (ids::SUPER_FOLLOWS_MRO, Verdict::Confirmed),
        ]
    );
    assert!(
        outcome.verdicts[0]
            .evidence
            .starts_with("64618 of 64618 classes agree")
    );
}
