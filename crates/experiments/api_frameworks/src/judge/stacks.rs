//! The verdict rules of the claims beyond the sheet's stacks — (5) msgspec against Pydantic,
//! (6) Litestar and bare Starlette against FastAPI, (7) Granian against uvicorn: pure
//! functions over the load cells, the answers and the validation rates, like [`super`]'s.

use crate::{
    MSGSPEC_FASTER, STACK_FASTER, payload, plan::Endpoint, plan::Plan, plan::Server,
    servers::Answer, servers::Cells, servers::med_rps,
};
use pyproof_harness::{
    Case, Judgement, Verdict, format_number, judge_cases, judge_one, median, pairwise_ratios,
};
use std::collections::BTreeMap;

use super::ids;

/// (5) msgspec's payloads/s over Pydantic's `model_validate_json`, paired per round; how
/// precisely it names faulty fields (through Litestar) in the evidence.
pub(super) fn judge_msgspec(
    rates: &BTreeMap<String, Vec<f64>>,
    answers: &BTreeMap<Server, Vec<Answer>>,
    plan: &Plan,
) -> Judgement {
    let round = |k: &str| rates.get(k).cloned().unwrap_or_default();
    let ratios = pairwise_ratios(&round("msgspec_json"), &round("pydantic_json"));
    let m = |k: &str| rates.get(k).map_or(f64::NAN, |r| median(r));
    let bad = payload::bad_cases();
    let precision = |server: Server| -> String {
        let a = answers.get(&server).map(Vec::as_slice).unwrap_or(&[]);
        let misses: Vec<String> = bad
            .iter()
            .zip(a)
            .filter(|(c, a)| !a.precise(&c.expected))
            .map(|(c, a)| format!("{}: {}", c.id, a.describe()))
            .collect();
        format!(
            "{} answered {} of {} bad bodies precisely{}",
            server.label(plan),
            a.len() - misses.len(),
            a.len(),
            if misses.is_empty() {
                String::new()
            } else {
                format!(" (not — {})", misses.join("; "))
            }
        )
    };
    if !rates.contains_key("msgspec_json") && !rates.is_empty() {
        return Judgement::new(
            ids::MSGSPEC_FASTER,
            Verdict::Skipped,
            "msgspec is not installed in the venv: it was not timed",
        );
    }
    judge_one(
        ids::MSGSPEC_FASTER,
        ratios
            .iter()
            .any(|r| r.is_finite())
            .then(|| MSGSPEC_FASTER.case("msgspec ÷ Pydantic", "", &ratios, "×")),
        "msgspec was not timed (is it installed?)",
        &format!(
            "msgspec {} payloads/s, Pydantic model_validate_json {}. Precision: {}; {}",
            format_number(m("msgspec_json")),
            format_number(m("pydantic_json")),
            precision(Server::Litestar),
            precision(Server::FastApi),
        ),
    )
}

/// (6) Litestar + msgspec and bare Starlette against FastAPI, and (7) the FastAPI app on
/// Granian against uvicorn — requests/s on POST /validate at the top level, paired per round.
pub(super) fn judge_stacks(plan: &Plan, cells: &Cells) -> [Judgement; 2] {
    let top = plan.top();
    let v = Endpoint::Validate;
    let not_run = |id: &str, servers: &[Server]| -> Option<Judgement> {
        let absent: Vec<&str> = servers
            .iter()
            .filter(|s| !cells.contains_key(&(**s, v, top)))
            .map(|s| s.id())
            .collect();
        (!absent.is_empty() && !cells.is_empty()).then(|| {
            Judgement::new(
                id,
                Verdict::Skipped,
                format!(
                    "not run: {} (a Python package missing, see the notes)",
                    absent.join(", ")
                ),
            )
        })
    };
    [
        not_run(
            ids::LEANER_FRAMEWORKS,
            &[Server::Litestar, Server::Starlette],
        )
        .unwrap_or_else(|| judge_leaner(plan, cells)),
        not_run(ids::GRANIAN_FASTER, &[Server::FastApiGranian])
            .unwrap_or_else(|| judge_granian(plan, cells)),
    ]
}

/// A "`server` serves more than `base`" case on `endpoint` at the top level.
fn stack_case(plan: &Plan, cells: &Cells, server: Server, base: Server, label: &str) -> Case {
    let top = plan.top();
    let v = Endpoint::Validate;
    STACK_FASTER.case(
        label,
        &format!(
            "{} vs {} requests/s:",
            format_number(med_rps(cells, (server, v, top))),
            format_number(med_rps(cells, (base, v, top)))
        ),
        &super::ratio(cells, (server, v, top), (base, v, top)),
        "×",
    )
}

/// The cases of (6) (Litestar + msgspec and bare Starlette against FastAPI) or (7) (the
/// FastAPI app on Granian against uvicorn), each with the two cells it pairs.
pub(super) fn stack_cases(claim_id: &str, plan: &Plan, cells: &Cells) -> Vec<super::CellCase> {
    let pairs: &[(Server, &str)] = if claim_id == ids::LEANER_FRAMEWORKS {
        &[
            (Server::Litestar, "Litestar + msgspec vs FastAPI"),
            (Server::Starlette, "bare Starlette + Pydantic vs FastAPI"),
        ]
    } else {
        &[(Server::FastApiGranian, "Granian vs uvicorn")]
    };
    let (v, top) = (Endpoint::Validate, plan.top());
    pairs
        .iter()
        .map(|&(server, label)| {
            (
                [(server, v, top), (Server::FastApi, v, top)],
                stack_case(plan, cells, server, Server::FastApi, label),
            )
        })
        .collect()
}

/// (6) Litestar + msgspec and bare Starlette against FastAPI.
fn judge_leaner(plan: &Plan, cells: &Cells) -> Judgement {
    let top = plan.top();
    let cases: Vec<Case> = stack_cases(ids::LEANER_FRAMEWORKS, plan, cells)
        .into_iter()
        .map(|(_, c)| c)
        .collect();
    let mut leaner = judge_cases(ids::LEANER_FRAMEWORKS, &cases);
    leaner.evidence = format!("POST /validate at {top} clients: {}", leaner.evidence);
    leaner
}

/// (7) the FastAPI app on Granian against uvicorn.
fn judge_granian(plan: &Plan, cells: &Cells) -> Judgement {
    let top = plan.top();
    let cases: Vec<Case> = stack_cases(ids::GRANIAN_FASTER, plan, cells)
        .into_iter()
        .map(|(_, c)| c)
        .collect();
    let mut granian = judge_cases(ids::GRANIAN_FASTER, &cases);
    granian.evidence = format!(
        "POST /validate at {top} clients: {}. GET /wait at {top} clients (bound by the 20 ms \
         wait near {} requests/s): Granian {}, uvicorn {}",
        granian.evidence,
        format_number(top as f64 / 0.020),
        format_number(med_rps(
            cells,
            (Server::FastApiGranian, Endpoint::Wait, top)
        )),
        format_number(med_rps(cells, (Server::FastApi, Endpoint::Wait, top))),
    );
    granian
}
