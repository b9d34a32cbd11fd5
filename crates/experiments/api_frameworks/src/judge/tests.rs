//! The judges of api_frameworks on made-up numbers: every branch of every claim.

use super::*;
use crate::load::LoadReport;
use crate::servers::Cell;
use pyproof_harness::Scale;
use pyproof_harness::Verdict;

/// Requests/s of each server on /wait and /validate at every client count of the quick
/// plan (1 and 16), three rounds each.
fn cells(plan: &Plan, rps: &dyn Fn(Server, Endpoint, usize) -> f64) -> Cells {
    let mut cells = Cells::new();
    for server in Server::ALL {
        for endpoint in Endpoint::ALL {
            for &c in &plan.levels {
                let load = LoadReport {
                    concurrency: c,
                    ok: rps(server, endpoint, c) as u64,
                    window_s: 1.0,
                    ..LoadReport::default()
                };
                let rounds = (0..3)
                    .map(|round| Cell {
                        load: load.clone(),
                        server_cpu_s: 0.5,
                        server_peak_kib: 50_000,
                        round,
                    })
                    .collect();
                cells.insert((server, endpoint, c), rounds);
            }
        }
    }
    cells
}

/// Answers to the bad bodies: precise ones, or `status` naming nothing.
fn answers(precise: bool, status: u16) -> Vec<Answer> {
    payload::bad_cases()
        .into_iter()
        .map(|c| Answer {
            status,
            // A body that is not JSON names no field of the order: any location will do,
            // and its error says the JSON is invalid.
            kinds: if precise && c.expected.is_none() {
                std::collections::BTreeSet::from([payload::JSON_INVALID.to_string()])
            } else {
                Default::default()
            },
            named: if precise {
                c.expected
                    .or_else(|| Some(std::collections::BTreeSet::from(["body".to_string()])))
            } else {
                None
            },
        })
        .collect()
}

fn rates(pydantic: f64, handwritten: f64) -> BTreeMap<String, Vec<f64>> {
    BTreeMap::from([
        ("pydantic_json".to_string(), vec![pydantic; 5]),
        ("handwritten".to_string(), vec![handwritten; 5]),
    ])
}

/// FastAPI `fast` requests/s on /wait, Flask 4 threads `flask`, Flask wide `wide`; axum
/// `axum_factor` times the best Python server everywhere (on /validate; /wait under its
/// 20 ms bound).
fn verdicts(
    fast: f64,
    flask: f64,
    wide: f64,
    axum_factor: f64,
    precise: bool,
    pyd: f64,
) -> Vec<Verdict> {
    let plan = Plan::new(Scale::Quick);
    let python = |s: Server| match s {
        Server::FastApi | Server::FastApiSync => fast,
        Server::Flask => flask,
        _ => wide,
    };
    let rps = |s: Server, e: Endpoint, c: usize| {
        // /wait stays under 90% of its ideal (c / 20 ms) so every cell is ranked.
        let scale = if e == Endpoint::Wait { 1.0 } else { 10.0 };
        let best = fast.max(flask).max(wide) * scale * c as f64 / 16.0;
        if s == Server::Axum {
            axum_factor * best
        } else {
            python(s) * scale * c as f64 / 16.0
        }
    };
    let answers = BTreeMap::from([
        (Server::FastApi, answers(precise, 422)),
        (Server::Flask, answers(true, 422)),
        (Server::Axum, answers(false, 400)),
    ]);
    judge(&plan, &cells(&plan, &rps), &answers, &rates(pyd, 1.0))
        .iter()
        .map(|j| j.verdict)
        .take(4)
        .collect()
}

#[test]
fn fastapi_ahead_of_both_flasks_confirms_and_of_one_nuances() {
    use Verdict::*;
    assert_eq!(
        verdicts(500.0, 100.0, 200.0, 1.5, true, 2.0),
        [Confirmed; 4]
    );
    assert_eq!(verdicts(500.0, 100.0, 400.0, 1.5, true, 2.0)[0], Nuanced);
    assert_eq!(verdicts(500.0, 450.0, 450.0, 1.5, true, 2.0)[0], Refuted);
    // A Flask that served nothing: no ratio can be formed, nothing is decided.
    assert_eq!(verdicts(500.0, 0.0, 450.0, 1.5, true, 2.0)[0], Inconclusive);
}

#[test]
fn the_same_blocking_code_is_a_case_of_its_own_and_noise_is_said() {
    let plan = Plan::new(Scale::Quick);
    let top = plan.top();
    // async FastAPI well ahead; the def endpoint level with Flask (128 threads): a tie.
    let rps = |s: Server, _e: Endpoint, c: usize| {
        let per = match s {
            Server::FastApi => 800.0,
            Server::FastApiSync => 300.0,
            Server::Flask => 100.0,
            Server::FlaskWide => 290.0,
            Server::Axum => 900.0,
            _ => 300.0,
        };
        per * c as f64 / 16.0
    };
    let answers = BTreeMap::from([(Server::FastApi, answers(true, 422))]);
    let mut cs = cells(&plan, &rps);
    let j = &judge(&plan, &cs, &answers, &rates(2.0, 1.0))[0];
    assert_eq!(j.verdict, Verdict::Nuanced, "{}", j.evidence);
    assert!(
        j.evidence
            .contains("def + time.sleep (its thread pool) vs Flask (16 threads)")
            && j.evidence.contains("a tie (inside ±10%)"),
        "{}",
        j.evidence
    );
    // FastAPI ahead by 1.5× in one round, not in the others: within noise.
    let key = (Server::FastApiSync, Endpoint::Wait, top);
    for (r, rps) in [(0, 140.0), (1, 160.0), (2, 200.0)] {
        cs.get_mut(&key).expect("cell")[r].load.ok = rps as u64;
    }
    cs.insert(
        (Server::FlaskWide, Endpoint::Wait, top),
        cs[&(Server::Flask, Endpoint::Wait, top)].clone(),
    );
    let j = &judge(&plan, &cs, &answers, &rates(2.0, 1.0))[0];
    assert_eq!(
        (j.verdict, j.within_noise),
        (Verdict::Inconclusive, true),
        "{}",
        j.evidence
    );
}

#[test]
fn imprecise_errors_refute_and_a_slower_rust_server_refutes_the_ceiling() {
    use Verdict::*;
    let v = verdicts(500.0, 100.0, 200.0, 0.5, false, 2.0);
    assert_eq!(v[1], Refuted, "FastAPI named no field");
    assert_eq!(v[2], Refuted, "axum below the Python servers");
}

#[test]
fn axum_at_the_ceiling_in_some_cells_only_is_nuanced() {
    let plan = Plan::new(Scale::Quick);
    let rps = |s: Server, e: Endpoint, c: usize| {
        let python = 100.0 * c as f64 / 16.0;
        match (s, e) {
            (Server::Axum, Endpoint::Validate) => 0.5 * python,
            (Server::Axum, Endpoint::Wait) => 1.5 * python,
            _ => python,
        }
    };
    let answers = BTreeMap::from([(Server::FastApi, answers(true, 422))]);
    let j = &judge(&plan, &cells(&plan, &rps), &answers, &rates(2.0, 1.0))[2];
    assert_eq!(j.verdict, Verdict::Nuanced, "{}", j.evidence);
}

#[test]
fn msgspec_must_be_half_as_fast_again_and_is_skipped_when_missing() {
    let plan = Plan::new(Scale::Quick);
    let cs = cells(&plan, &|_, _, c| 100.0 * c as f64);
    let answers = BTreeMap::from([(Server::FastApi, answers(true, 422))]);
    let with = |msgspec: f64| {
        let mut r = rates(2.0, 1.0);
        r.insert("msgspec_json".to_string(), vec![msgspec; 5]);
        judge(&plan, &cs, &answers, &r)[4].clone()
    };
    assert_eq!(with(4.0).verdict, Verdict::Confirmed);
    assert_eq!(with(2.1).verdict, Verdict::Refuted, "a tie");
    assert!(with(4.0).evidence.contains("Precision: Litestar"));
    let j = &judge(&plan, &cs, &answers, &rates(2.0, 1.0))[4];
    assert_eq!(j.verdict, Verdict::Skipped);
}

#[test]
fn the_stacks_of_2026_are_judged_against_fastapi_on_uvicorn() {
    let plan = Plan::new(Scale::Quick);
    let answers = BTreeMap::from([(Server::FastApi, answers(true, 422))]);
    let rps = |litestar: f64, starlette: f64, granian: f64| {
        move |s: Server, _e: Endpoint, c: usize| {
            c as f64
                * match s {
                    Server::Litestar => litestar,
                    Server::Starlette => starlette,
                    Server::FastApiGranian => granian,
                    _ => 100.0,
                }
        }
    };
    let verdicts = |cs: &Cells| -> (Verdict, Verdict) {
        let j = judge(&plan, cs, &answers, &rates(2.0, 1.0));
        (j[5].verdict, j[6].verdict)
    };
    use Verdict::*;
    assert_eq!(
        verdicts(&cells(&plan, &rps(200.0, 130.0, 150.0))),
        (Confirmed, Confirmed)
    );
    assert_eq!(
        verdicts(&cells(&plan, &rps(200.0, 105.0, 104.0))),
        (Nuanced, Refuted),
        "Starlette and Granian level with FastAPI: ties"
    );
    let mut cs = cells(&plan, &rps(200.0, 130.0, 150.0));
    cs.retain(|k, _| k.0 != Server::Litestar && k.0 != Server::FastApiGranian);
    assert_eq!(verdicts(&cs), (Skipped, Skipped));
}

#[test]
fn pydantic_is_judged_against_hand_written_checks() {
    use Verdict::*;
    assert_eq!(verdicts(500.0, 100.0, 200.0, 1.5, true, 0.5)[3], Refuted);
    assert_eq!(
        verdicts(500.0, 100.0, 200.0, 1.5, true, f64::NAN)[3],
        Inconclusive
    );
    // Level with the hand-written checks: a tie, which "costs no more" allows.
    assert_eq!(verdicts(500.0, 100.0, 200.0, 1.5, true, 0.95)[3], Confirmed);
}

#[test]
fn the_rounds_past_the_minimum_visit_only_the_cells_of_claims_within_noise() {
    let plan = Plan::new(Scale::Quick);
    let top = plan.top();
    let all = Server::ALL.to_vec();
    assert_eq!(
        cells_for(ids::GRANIAN_FASTER, &plan, &all),
        [
            (Server::FastApi, Endpoint::Validate, top),
            (Server::FastApiGranian, Endpoint::Validate, top)
        ]
    );
    assert_eq!(cells_for(ids::LEANER_FRAMEWORKS, &plan, &all).len(), 3);
    assert_eq!(
        cells_for(ids::FASTAPI_OUTSERVES_FLASK, &plan, &all).len(),
        4
    );
    // axum and every Python server of the sheet, at every level, on both endpoints.
    assert_eq!(
        cells_for(ids::AXUM_CEILING, &plan, &all).len(),
        (1 + Server::SHEET_PYTHON.len()) * 2 * plan.levels.len()
    );
    for id in [
        ids::VALIDATION_ERRORS_PRECISE,
        ids::PYDANTIC_FAST,
        ids::MSGSPEC_FASTER,
    ] {
        assert!(cells_for(id, &plan, &all).is_empty(), "{id}");
    }
    // A server that did not run has no cells.
    assert_eq!(
        cells_for(ids::GRANIAN_FASTER, &plan, &[Server::FastApi]),
        [(Server::FastApi, Endpoint::Validate, top)]
    );
}

#[test]
fn the_cells_no_claim_reads_are_the_tables_own() {
    // At the default scale 33 of the 48 cells are judged; the 15 others (Litestar, Starlette
    // and Granian away from POST /validate at the top level) run in round 1 alone.
    let plan = Plan::new(Scale::Default);
    let all = Server::ALL.to_vec();
    let read: std::collections::BTreeSet<Key> = ids::ALL
        .iter()
        .flat_map(|id| cells_for(id, &plan, &all))
        .collect();
    assert_eq!(all.len() * Endpoint::ALL.len() * plan.levels.len(), 48);
    assert_eq!(read.len(), 33);
    assert!(!read.contains(&(Server::Litestar, Endpoint::Wait, plan.top())));
    assert!(read.contains(&(Server::Flask, Endpoint::Validate, 1)));
}

#[test]
fn ratios_pair_cells_of_the_same_round() {
    let plan = Plan::new(Scale::Quick);
    let top = plan.top();
    let mut c = cells(&plan, &|_, _, _| 100.0);
    let a = (Server::Litestar, Endpoint::Validate, top);
    let b = (Server::FastApi, Endpoint::Validate, top);
    // Two more rounds for a only, then round 5 for both: b's round 5 pairs with a's.
    for round in [3, 4, 5] {
        let mut cell = c[&a][0].clone();
        cell.round = round;
        cell.load.ok = 300;
        c.get_mut(&a).expect("a").push(cell);
    }
    let mut late = c[&b][0].clone();
    late.round = 5;
    late.load.ok = 150;
    c.get_mut(&b).expect("b").push(late);
    assert_eq!(ratio(&c, a, b), [1.0, 1.0, 1.0, 2.0]);
}

#[test]
fn a_wait_level_bound_by_its_wait_is_not_revisited_for_the_ceiling() {
    let plan = Plan::new(Scale::Quick);
    // At 1 client the best sheet server makes 49 of an ideal 50 requests/s (bound); at 16,
    // 600 of an ideal 800 where axum makes 780 (0.77 of what the wait allows: it ranks).
    let rps = |s: Server, e: Endpoint, c: usize| match (s, e, c) {
        (_, Endpoint::Wait, 1) => 49.0,
        (Server::Axum, Endpoint::Wait, _) => 780.0,
        (_, Endpoint::Wait, _) => 600.0,
        _ => 5000.0,
    };
    let measured = cells(&plan, &rps);
    let all = cells_for(ids::AXUM_CEILING, &plan, &Server::ALL);
    let revisit = cells_to_revisit(ids::AXUM_CEILING, &plan, &Server::ALL, &measured);
    let dropped: Vec<Key> = all
        .iter()
        .copied()
        .filter(|k| !revisit.contains(k))
        .collect();
    // axum and the four sheet servers at GET /wait × 1, and nothing else.
    assert_eq!(dropped.len(), 5);
    assert!(
        dropped
            .iter()
            .all(|&(_, e, c)| e == Endpoint::Wait && c == 1)
    );
    // Before any round nothing is known, so nothing is dropped; other claims keep theirs.
    assert_eq!(
        cells_to_revisit(ids::AXUM_CEILING, &plan, &Server::ALL, &Cells::new()),
        all
    );
    assert_eq!(
        cells_to_revisit(ids::FASTAPI_OUTSERVES_FLASK, &plan, &Server::ALL, &measured),
        cells_for(ids::FASTAPI_OUTSERVES_FLASK, &plan, &Server::ALL)
    );
    // The judge leaves the same level out of its cases and lists it.
    let j = judge(&plan, &measured, &BTreeMap::new(), &rates(2.0, 1.0));
    let ceiling = j
        .iter()
        .find(|j| j.claim_id == ids::AXUM_CEILING)
        .expect("judged");
    assert!(
        ceiling
            .evidence
            .contains("Not ranked, bound by the 20 ms wait: wait × 1 ")
    );
    assert!(!ceiling.evidence.contains("wait × 16 ("));
}

#[test]
fn a_wait_level_held_by_axums_timer_is_measured_against_axums_rate() {
    // tokio rounds a 20 ms sleep up: at 16 clients axum makes 720 of an ideal 800 (0.9 × the
    // ideal). A best Python server at 700 is under 0.9 × the ideal (720) but reaches 0.9 ×
    // axum's 720 (648): the level measures the timers and is not ranked. At 500 it is
    // under both, and ranks: axum 720 ÷ 500 holds the ceiling.
    let plan = Plan::new(Scale::Quick);
    let ceiling = |python_wait: f64| {
        let rps = move |s: Server, e: Endpoint, c: usize| match (s, e, c) {
            (_, Endpoint::Wait, 1) => 49.0,
            (Server::Axum, Endpoint::Wait, _) => 720.0,
            (_, Endpoint::Wait, _) => python_wait,
            (Server::Axum, _, _) => 20_000.0,
            _ => 5000.0,
        };
        let measured = cells(&plan, &rps);
        let revisit = cells_to_revisit(ids::AXUM_CEILING, &plan, &Server::ALL, &measured);
        let j = judge(&plan, &measured, &BTreeMap::new(), &rates(2.0, 1.0))
            .into_iter()
            .find(|j| j.claim_id == ids::AXUM_CEILING)
            .expect("judged");
        let wait16 = revisit
            .iter()
            .any(|&(_, e, c)| e == Endpoint::Wait && c == 16);
        (j, wait16)
    };
    let (held, revisited) = ceiling(700.0);
    assert!(
        held.evidence
            .contains("Not ranked, bound by the 20 ms wait: wait × 1 (best Python 49.0 of an ideal 50.0, axum 49.0); wait × 16 (best Python 700 of an ideal 800, axum 720)"),
        "{}",
        held.evidence
    );
    assert!(!revisited, "a level left out earns no rounds");
    assert_eq!(held.verdict, Verdict::Confirmed, "{}", held.evidence);
    let (ranked, revisited) = ceiling(500.0);
    assert!(
        ranked.evidence.contains("wait × 16: axum 720 vs"),
        "{}",
        ranked.evidence
    );
    assert!(revisited);
    assert_eq!(ranked.verdict, Verdict::Confirmed, "{}", ranked.evidence);
}

/// Sets the requests/s of `key`'s rounds, one figure per round.
fn set_rounds(cells: &mut Cells, key: Key, per_round: &[f64]) {
    for (cell, rps) in cells
        .get_mut(&key)
        .expect("a cell")
        .iter_mut()
        .zip(per_round)
    {
        cell.load.ok = *rps as u64;
    }
}

#[test]
fn rounds_past_the_minimum_revisit_only_the_cases_within_noise() {
    let plan = Plan::new(Scale::Quick);
    let top = plan.top();
    let budget = pyproof_harness::RoundBudget { min: 3, max: 8 };
    let within =
        |measured: &Cells, id: &str| cells_within_noise(id, &plan, &Server::ALL, measured, &budget);
    let mut measured = cells(&plan, &|s, _, _| match s {
        Server::Axum => 9000.0,
        Server::Starlette => 2000.0,
        Server::Flask => 100.0,
        _ => 1000.0,
    });
    // Every case decided: nothing to revisit.
    for id in ids::ALL {
        assert!(within(&measured, id).is_empty(), "{id}");
    }
    // (1): FastAPI def against wide Flask straddles 1.5× (1.0, 1.8, 1.5); the three other
    // cases are decided, so only its two cells come back — not Flask on 4 threads.
    let sync = (Server::FastApiSync, Endpoint::Wait, top);
    set_rounds(&mut measured, sync, &[1000.0, 1800.0, 1500.0]);
    assert_eq!(
        within(&measured, ids::FASTAPI_OUTSERVES_FLASK),
        vec![sync, (Server::FlaskWide, Endpoint::Wait, top)]
    );
    // (6): Litestar straddles 1.2× (1.0, 1.5, 1.3), Starlette holds at 2×: Litestar and
    // FastAPI's cell.
    let litestar = (Server::Litestar, Endpoint::Validate, top);
    set_rounds(&mut measured, litestar, &[1000.0, 1500.0, 1300.0]);
    assert_eq!(
        within(&measured, ids::LEANER_FRAMEWORKS),
        vec![litestar, (Server::FastApi, Endpoint::Validate, top)]
    );
    // (3): axum near the best Python server at /validate × 1 brings back that column, axum
    // and every sheet server, and nothing else.
    let axum = (Server::Axum, Endpoint::Validate, 1);
    set_rounds(&mut measured, axum, &[500.0, 1000.0, 900.0]);
    let column = within(&measured, ids::AXUM_CEILING);
    assert_eq!(column.len(), 1 + Server::SHEET_PYTHON.len(), "{column:?}");
    assert!(column.contains(&axum));
    assert!(
        column
            .iter()
            .all(|&(_, e, c)| e == Endpoint::Validate && c == 1)
    );
    // A server not run brings nothing of its own.
    assert_eq!(
        cells_within_noise(
            ids::LEANER_FRAMEWORKS,
            &plan,
            &[Server::FastApi],
            &measured,
            &budget
        ),
        vec![(Server::FastApi, Endpoint::Validate, top)]
    );
}
