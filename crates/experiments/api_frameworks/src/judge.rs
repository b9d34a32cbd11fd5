//! The verdict rules of api_frameworks: pure functions over the load cells, the answers to
//! the bad bodies and the validation rates.

use crate::{
    CEILING_TOLERANCE, FASTER, PYDANTIC_MIN_RATIO, WAIT_BOUND, plan::Endpoint, plan::Plan,
    plan::Server, servers::Answer, servers::Cells, servers::Key, servers::med_rps,
    servers::paired_rps,
};
use crate::{WAITRESS_DEFAULT_THREADS, payload};
use pyproof_harness::{
    Case, Judgement, format_number, judge_cases, judge_one, median, pairwise_ratios,
};
use std::collections::BTreeMap;

/// The claims' ids, declared once: `claims()` declares them, the judges judge them.
pub mod ids {
    /// Claim (1).
    pub const FASTAPI_OUTSERVES_FLASK: &str = "fastapi_outserves_flask";
    /// Claim (2).
    pub const VALIDATION_ERRORS_PRECISE: &str = "validation_errors_precise";
    /// Claim (3).
    pub const AXUM_CEILING: &str = "axum_ceiling";
    /// Claim (4).
    pub const PYDANTIC_FAST: &str = "pydantic_fast";
    /// Claim (5).
    pub const MSGSPEC_FASTER: &str = "msgspec_faster";
    /// Claim (6).
    pub const LEANER_FRAMEWORKS: &str = "leaner_frameworks";
    /// Claim (7).
    pub const GRANIAN_FASTER: &str = "granian_faster";
    /// Every claim, in the order declared.
    pub const ALL: [&str; 7] = [
        FASTAPI_OUTSERVES_FLASK,
        VALIDATION_ERRORS_PRECISE,
        AXUM_CEILING,
        PYDANTIC_FAST,
        MSGSPEC_FASTER,
        LEANER_FRAMEWORKS,
        GRANIAN_FASTER,
    ];
}

/// Requests/s of cell `a` over cell `b`, paired round by round.
pub(crate) fn ratio(cells: &Cells, a: Key, b: Key) -> Vec<f64> {
    let (x, y) = paired_rps(cells, a, b);
    pairwise_ratios(&x, &y)
}

/// The load cells claim `claim_id` is judged on, among `servers` (none for the claims that
/// are not judged on load): the rounds up to the budget's minimum visit them; past it only
/// those of the cases still within noise ([`cells_within_noise`]).
pub fn cells_for(claim_id: &str, plan: &Plan, servers: &[Server]) -> Vec<Key> {
    let top = plan.top();
    let at_top = |list: &[Server], endpoint: Endpoint| -> Vec<Key> {
        list.iter().map(|&s| (s, endpoint, top)).collect()
    };
    let keys: Vec<Key> = match claim_id {
        ids::FASTAPI_OUTSERVES_FLASK => at_top(
            &[
                Server::FastApi,
                Server::FastApiSync,
                Server::Flask,
                Server::FlaskWide,
            ],
            Endpoint::Wait,
        ),
        ids::AXUM_CEILING => Endpoint::ALL
            .into_iter()
            .flat_map(|e| {
                plan.levels.iter().flat_map(move |&c| {
                    std::iter::once(Server::Axum)
                        .chain(Server::SHEET_PYTHON)
                        .map(move |s| (s, e, c))
                })
            })
            .collect(),
        ids::LEANER_FRAMEWORKS => at_top(
            &[Server::FastApi, Server::Litestar, Server::Starlette],
            Endpoint::Validate,
        ),
        ids::GRANIAN_FASTER => at_top(
            &[Server::FastApi, Server::FastApiGranian],
            Endpoint::Validate,
        ),
        _ => Vec::new(),
    };
    keys.into_iter()
        .filter(|(s, _, _)| servers.contains(s))
        .collect()
}

/// The best of the sheet's Python servers (FastAPI and Flask, claim (3)'s comparison) in
/// one cell column: its median requests/s and which server it is (NaN when none ran).
fn best_sheet_python(cells: &Cells, endpoint: Endpoint, c: usize) -> (f64, Server) {
    Server::SHEET_PYTHON
        .into_iter()
        .map(|s| (med_rps(cells, (s, endpoint, c)), s))
        .fold((f64::NAN, Server::FastApi), |acc, x| {
            if acc.0.is_nan() || x.0 > acc.0 {
                x
            } else {
                acc
            }
        })
}

/// The rate GET /wait at `c` clients allows: the ideal clients / 20 ms, or axum's own rate
/// there when its timer holds it lower (tokio rounds a 20 ms sleep up: 5,760 requests/s at
/// 128 clients, 0.9 × the ideal). `axum` NaN (not measured): the ideal.
fn wait_allows(c: usize, axum: f64) -> f64 {
    let ideal = c as f64 / 0.020;
    if axum.is_finite() && axum > 0.0 {
        ideal.min(axum)
    } else {
        ideal
    }
}

/// Whether GET /wait at `c` clients is bound by its 20 ms wait: even the best of the sheet's
/// Python servers reaches [`WAIT_BOUND`] of what the wait allows ([`wait_allows`]), so the
/// cell measures the timers, not the frameworks, and claim (3) does not rank it. Against the
/// ideal alone until 2026-12-03 (docs/api_frameworks.md): axum's timer-held rate at 128
/// clients was that bound itself, and FastAPI's noise around it decided the cell.
fn bound_by_wait(best: f64, c: usize, axum: f64) -> bool {
    best >= WAIT_BOUND * wait_allows(c, axum)
}

/// The cells of `claim_id` worth another visit given the cells measured so far: those of
/// [`cells_for`], less claim (3)'s GET /wait cells at a level already bound by the wait (its
/// judge leaves such a level out, so more rounds of it cannot move the verdict; one round
/// decides it, and the evidence lists it with that round's figures). A level no cell of
/// which has run yet is kept.
pub fn cells_to_revisit(
    claim_id: &str,
    plan: &Plan,
    servers: &[Server],
    cells: &Cells,
) -> Vec<Key> {
    let mut keys = cells_for(claim_id, plan, servers);
    if claim_id == ids::AXUM_CEILING {
        keys.retain(|&(_, endpoint, c)| {
            endpoint != Endpoint::Wait
                || !bound_by_wait(
                    best_sheet_python(cells, endpoint, c).0,
                    c,
                    med_rps(cells, (Server::Axum, endpoint, c)),
                )
        });
    }
    keys
}

/// A case with the load cells it reads (the two whose requests/s it pairs).
pub(crate) type CellCase = ([Key; 2], Case);

/// The cases of a list of [`CellCase`]s, for [`judge_cases`].
fn cases_of(list: Vec<CellCase>) -> Vec<Case> {
    list.into_iter().map(|(_, c)| c).collect()
}

/// Claim (1)'s four cases: FastAPI (async, and def on its thread pool) against Flask
/// (waitress' default threads, and as many threads as clients), GET /wait at the top level.
fn flask_cases(plan: &Plan, cells: &Cells) -> Vec<CellCase> {
    let top = plan.top();
    [
        (Server::FastApi, "async def + asyncio.sleep"),
        (Server::FastApiSync, "def + time.sleep (its thread pool)"),
    ]
    .into_iter()
    .flat_map(|(fast, how)| {
        [Server::Flask, Server::FlaskWide].map(|flask| {
            let threads = match flask {
                Server::Flask => WAITRESS_DEFAULT_THREADS,
                _ => plan.wide_threads(),
            };
            let keys = [(fast, Endpoint::Wait, top), (flask, Endpoint::Wait, top)];
            let case = FASTER.case(
                format!("FastAPI {how} vs Flask ({threads} threads)"),
                &format!(
                    "{} vs {} requests/s:",
                    format_number(med_rps(cells, keys[0])),
                    format_number(med_rps(cells, keys[1]))
                ),
                &ratio(cells, keys[0], keys[1]),
                "×",
            );
            (keys, case)
        })
    })
    .collect()
}

/// Claim (3)'s cases — axum against the best of the sheet's Python servers at each endpoint
/// and level — and the GET /wait levels left out as bound by the wait, in words.
fn ceiling_cases(plan: &Plan, cells: &Cells) -> (Vec<CellCase>, Vec<String>) {
    let mut cases = Vec::new();
    let mut wait_bound = Vec::new();
    for endpoint in Endpoint::ALL {
        for &c in &plan.levels {
            let axum = med_rps(cells, (Server::Axum, endpoint, c));
            let (best, best_server) = best_sheet_python(cells, endpoint, c);
            let ideal = c as f64 / 0.020;
            if endpoint == Endpoint::Wait && bound_by_wait(best, c, axum) {
                wait_bound.push(format!(
                    "wait × {c} (best Python {} of an ideal {}, axum {})",
                    format_number(best),
                    format_number(ideal),
                    format_number(axum)
                ));
                continue;
            }
            let keys = [(Server::Axum, endpoint, c), (best_server, endpoint, c)];
            let case = CEILING_TOLERANCE.case(
                format!("{} × {c}", endpoint.id()),
                &format!(
                    "axum {} vs {} {}:",
                    format_number(axum),
                    best_server.id(),
                    format_number(best)
                ),
                &ratio(cells, keys[0], keys[1]),
                "×",
            );
            cases.push((keys, case));
        }
    }
    (cases, wait_bound)
}

/// Past the budget's minimum, the cells a round revisits for `claim_id` while that claim is
/// within noise: those of its cases within noise that could still leave it within `budget`
/// (a case already decided keeps its rounds; rounds of its cells could not move it). For
/// claim (3) a case's column brings every sheet Python server at that endpoint and level
/// (which of them is best may change). Empty for the claims not judged on load.
pub fn cells_within_noise(
    claim_id: &str,
    plan: &Plan,
    servers: &[Server],
    cells: &Cells,
    budget: &pyproof_harness::RoundBudget,
) -> Vec<Key> {
    let cases = match claim_id {
        ids::FASTAPI_OUTSERVES_FLASK => flask_cases(plan, cells),
        ids::AXUM_CEILING => ceiling_cases(plan, cells).0,
        ids::LEANER_FRAMEWORKS | ids::GRANIAN_FASTER => stacks::stack_cases(claim_id, plan, cells),
        _ => Vec::new(),
    };
    let mut keys: Vec<Key> = Vec::new();
    for (pair, case) in cases {
        if !budget.wants_more_of(&case) {
            continue;
        }
        let column: Vec<Key> = if claim_id == ids::AXUM_CEILING {
            let (_, endpoint, c) = pair[0];
            std::iter::once(Server::Axum)
                .chain(Server::SHEET_PYTHON)
                .map(|s| (s, endpoint, c))
                .collect()
        } else {
            pair.to_vec()
        };
        for k in column {
            if servers.contains(&k.0) && !keys.contains(&k) {
                keys.push(k);
            }
        }
    }
    keys
}

/// The seven claims over the load cells, the answers to the bad bodies and the in-process
/// validation rates.
pub fn judge(
    plan: &Plan,
    cells: &Cells,
    answers: &BTreeMap<Server, Vec<Answer>>,
    rates: &BTreeMap<String, Vec<f64>>,
) -> Vec<Judgement> {
    let mut judgements = Vec::new();
    let top = plan.top();
    // (1) four cases, each a paired per-round ratio of requests/s at the top level.
    let cases = cases_of(flask_cases(plan, cells));
    let mut j = judge_cases(ids::FASTAPI_OUTSERVES_FLASK, &cases);
    j.evidence = format!("GET /wait at {top} clients: {}", j.evidence);
    judgements.push(j);

    // (2)
    let bad = payload::bad_cases();
    let precise = |server: Server| -> (usize, Vec<&'static str>) {
        let a = answers.get(&server).map(Vec::as_slice).unwrap_or(&[]);
        let misses: Vec<&'static str> = bad
            .iter()
            .zip(a)
            .filter(|(c, a)| !a.precise(&c.expected))
            .map(|(c, _)| c.id)
            .collect();
        (a.len(), misses)
    };
    let cases: Vec<Case> = bad
        .iter()
        .zip(
            answers
                .get(&Server::FastApi)
                .map(Vec::as_slice)
                .unwrap_or(&[]),
        )
        .map(|(c, a)| {
            Case::new(
                if c.commonly_missed {
                    format!("{} (often missed by hand)", c.id)
                } else {
                    c.id.to_string()
                },
                a.precise(&c.expected),
                a.describe(),
            )
        })
        .collect();
    let mut j = judge_cases(ids::VALIDATION_ERRORS_PRECISE, &cases);
    let others: Vec<String> = [
        Server::Flask,
        Server::Axum,
        Server::Litestar,
        Server::Starlette,
        Server::FastApiGranian,
    ]
    .into_iter()
    .map(|s| {
        let (n, misses) = precise(s);
        if misses.is_empty() {
            format!("{}: {n} of {n} precise", s.label(plan))
        } else {
            format!(
                "{}: {} of {n} precise (not: {})",
                s.label(plan),
                n - misses.len(),
                misses.join(", ")
            )
        }
    })
    .collect();
    j.evidence = format!("{}. Beside it — {}", j.evidence, others.join("; "));
    judgements.push(j);

    // (3) Only cells where serving, not waiting, bounds the rate can rank servers: on
    // the wait endpoint, a level where even the best Python server reaches
    // WAIT_BOUND of what the wait allows (the ideal clients / 20 ms, or axum's
    // timer-held rate when lower) measures the timers' 20 ms, not the frameworks, and is
    // left out (listed in the evidence).
    let (cases, wait_bound) = ceiling_cases(plan, cells);
    let cases = cases_of(cases);
    // One convention (docs/verdicts.md): some cells and not others is Nuanced, named.
    let mut j = judge_cases(ids::AXUM_CEILING, &cases);
    if !wait_bound.is_empty() {
        j.evidence = format!(
            "{}. Not ranked, bound by the 20 ms wait: {}",
            j.evidence,
            wait_bound.join("; ")
        );
    }
    judgements.push(j);

    // (4) the interleaved rounds paired.
    let m = |k: &str| rates.get(k).map_or(f64::NAN, |r| median(r));
    let round = |k: &str| rates.get(k).cloned().unwrap_or_default();
    let ratios = pairwise_ratios(&round("pydantic_json"), &round("handwritten"));
    let context = format!(
        "model_validate_json {} payloads/s, json.loads + hand-written checks {}; \
         model_validate(json.loads) {}; serde {}",
        format_number(m("pydantic_json")),
        format_number(m("handwritten")),
        format_number(m("pydantic_dict")),
        format_number(m("rust_serde")),
    );
    judgements.push(judge_one(
        ids::PYDANTIC_FAST,
        ratios
            .iter()
            .any(|r| r.is_finite())
            .then(|| PYDANTIC_MIN_RATIO.case("Pydantic ÷ by hand", "", &ratios, "×")),
        "no paired rate was measured",
        &context,
    ));

    judgements.push(judge_msgspec(rates, answers, plan));
    judgements.extend(judge_stacks(plan, cells));
    judgements
}

mod stacks;
use stacks::{judge_msgspec, judge_stacks};

#[cfg(test)]
mod tests;
