//! The verdict rules of api_frameworks: pure functions over the load cells, the answers to
//! the bad bodies and the validation rates.

use crate::{
    CEILING_TOLERANCE, FASTER, PYDANTIC_MIN_RATIO, WAIT_BOUND, plan::Endpoint, plan::Plan,
    plan::Server, servers::Answer, servers::Cells, servers::med_rps,
};
use crate::{WAITRESS_DEFAULT_THREADS, payload};
use pyproof_harness::{Case, Judgement, Verdict, format_number, judge_cases, median};
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
    /// Every claim, in the order declared.
    pub const ALL: [&str; 4] = [
        FASTAPI_OUTSERVES_FLASK,
        VALIDATION_ERRORS_PRECISE,
        AXUM_CEILING,
        PYDANTIC_FAST,
    ];
}

/// The four claims over the load cells, the answers to the bad bodies and the in-process
/// validation rates.
pub fn judge(
    plan: &Plan,
    cells: &Cells,
    answers: &BTreeMap<Server, Vec<Answer>>,
    rates: &BTreeMap<String, Vec<f64>>,
) -> Vec<Judgement> {
    let mut judgements = Vec::new();
    let top = plan.top();
    // (1)
    let fast = med_rps(cells, (Server::FastApi, Endpoint::Wait, top));
    let flask = med_rps(cells, (Server::Flask, Endpoint::Wait, top));
    let wide = med_rps(cells, (Server::FlaskWide, Endpoint::Wait, top));
    let evidence = format!(
        "GET /wait at {top} clients: FastAPI {} requests/s; Flask ({WAITRESS_DEFAULT_THREADS} \
         threads) {} ({}×); Flask ({} threads) {} ({}×)",
        format_number(fast),
        format_number(flask),
        format_number(fast / flask),
        plan.wide_threads(),
        format_number(wide),
        format_number(fast / wide),
    );
    let verdict = if !(fast > 0.0 && flask > 0.0 && wide > 0.0) {
        Verdict::Inconclusive
    } else if fast >= FASTER * flask && fast >= FASTER * wide {
        Verdict::Confirmed
    } else if fast >= FASTER * flask {
        Verdict::Nuanced
    } else {
        Verdict::Refuted
    };
    judgements.push(Judgement::new(
        ids::FASTAPI_OUTSERVES_FLASK,
        verdict,
        evidence,
    ));

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
                c.id,
                a.precise(&c.expected),
                format!(
                    "{} naming {}",
                    a.status,
                    a.named
                        .as_ref()
                        .map_or("nothing".to_string(), |n| format!("{n:?}"))
                ),
            )
        })
        .collect();
    let mut j = judge_cases(ids::VALIDATION_ERRORS_PRECISE, &cases);
    let others: Vec<String> = [Server::Flask, Server::Axum]
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
    // WAIT_BOUND of the ideal (clients / 20 ms) measures the timers' 20 ms, not the
    // frameworks, and is left out (listed in the evidence).
    let mut cases = Vec::new();
    let mut wait_bound = Vec::new();
    for endpoint in Endpoint::ALL {
        for &c in &plan.levels {
            let axum = med_rps(cells, (Server::Axum, endpoint, c));
            let (best, best_server) = Server::ALL
                .into_iter()
                .filter(|s| s.is_python())
                .map(|s| (med_rps(cells, (s, endpoint, c)), s))
                .fold((f64::NAN, Server::FastApi), |acc, x| {
                    if acc.0.is_nan() || x.0 > acc.0 {
                        x
                    } else {
                        acc
                    }
                });
            let ideal = c as f64 / 0.020;
            if endpoint == Endpoint::Wait && best >= WAIT_BOUND * ideal {
                wait_bound.push(format!(
                    "wait × {c} (best Python {} of an ideal {}, axum {})",
                    format_number(best),
                    format_number(ideal),
                    format_number(axum)
                ));
                continue;
            }
            cases.push(Case::new(
                format!("{} × {c}", endpoint.id()),
                axum >= CEILING_TOLERANCE * best,
                format!(
                    "axum {} vs {} {} ({}×)",
                    format_number(axum),
                    best_server.id(),
                    format_number(best),
                    format_number(axum / best)
                ),
            ));
        }
    }
    let mut j = judge_cases(ids::AXUM_CEILING, &cases);
    if j.verdict == Verdict::Nuanced {
        // The claim is "in every cell": a cell that fails refutes it.
        j.verdict = Verdict::Refuted;
    }
    if !wait_bound.is_empty() {
        j.evidence = format!(
            "{}. Not ranked, bound by the 20 ms wait: {}",
            j.evidence,
            wait_bound.join("; ")
        );
    }
    judgements.push(j);

    // (4)
    let m = |k: &str| rates.get(k).map_or(f64::NAN, |r| median(r));
    let (pj, hw) = (m("pydantic_json"), m("handwritten"));
    let ratio = pj / hw;
    judgements.push(Judgement::new(
        ids::PYDANTIC_FAST,
        if !ratio.is_finite() {
            Verdict::Inconclusive
        } else if ratio >= PYDANTIC_MIN_RATIO {
            Verdict::Confirmed
        } else {
            Verdict::Refuted
        },
        format!(
            "model_validate_json {} payloads/s, json.loads + hand-written checks {} ({}×); \
             model_validate(json.loads) {}; serde {}",
            format_number(pj),
            format_number(hw),
            format_number(ratio),
            format_number(m("pydantic_dict")),
            format_number(m("rust_serde")),
        ),
    ));
    judgements
}
