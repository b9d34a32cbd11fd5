//! The verdict rules of api_frameworks: pure functions over the load cells, the answers to
//! the bad bodies and the validation rates.

use crate::{
    CEILING_TOLERANCE, FASTER, MSGSPEC_FASTER, PYDANTIC_MIN_RATIO, STACK_FASTER, WAIT_BOUND,
    plan::Endpoint, plan::Plan, plan::Server, servers::Answer, servers::Cells, servers::med_rps,
};
use crate::{WAITRESS_DEFAULT_THREADS, payload};
use pyproof_harness::{
    Case, Judgement, Verdict, format_number, judge_cases, judge_one, median, pairwise_ratios,
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
    let per_round = |server: Server| -> Vec<f64> {
        cells
            .get(&(server, Endpoint::Wait, top))
            .map_or_else(Vec::new, |cs| cs.iter().map(|c| c.load.rps()).collect())
    };
    let cases: Vec<Case> = [
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
            FASTER.case(
                format!("FastAPI {how} vs Flask ({threads} threads)"),
                &format!(
                    "{} vs {} requests/s:",
                    format_number(med_rps(cells, (fast, Endpoint::Wait, top))),
                    format_number(med_rps(cells, (flask, Endpoint::Wait, top)))
                ),
                &pairwise_ratios(&per_round(fast), &per_round(flask)),
                "×",
            )
        })
    })
    .collect();
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
    // WAIT_BOUND of the ideal (clients / 20 ms) measures the timers' 20 ms, not the
    // frameworks, and is left out (listed in the evidence).
    let mut cases = Vec::new();
    let mut wait_bound = Vec::new();
    for endpoint in Endpoint::ALL {
        for &c in &plan.levels {
            let axum = med_rps(cells, (Server::Axum, endpoint, c));
            let (best, best_server) = Server::SHEET_PYTHON
                .into_iter()
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
            let rounds = |server| {
                cells
                    .get(&(server, endpoint, c))
                    .map_or_else(Vec::new, |cs| cs.iter().map(|c| c.load.rps()).collect())
            };
            cases.push(CEILING_TOLERANCE.case(
                format!("{} × {c}", endpoint.id()),
                &format!(
                    "axum {} vs {} {}:",
                    format_number(axum),
                    best_server.id(),
                    format_number(best)
                ),
                &pairwise_ratios(&rounds(Server::Axum), &rounds(best_server)),
                "×",
            ));
        }
    }
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

/// (5) msgspec's payloads/s over Pydantic's `model_validate_json`, paired per round; how
/// precisely it names faulty fields (through Litestar) in the evidence.
fn judge_msgspec(
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
fn judge_stacks(plan: &Plan, cells: &Cells) -> [Judgement; 2] {
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
    if let Some(j) = not_run(
        ids::LEANER_FRAMEWORKS,
        &[Server::Litestar, Server::Starlette],
    ) {
        let granian = not_run(ids::GRANIAN_FASTER, &[Server::FastApiGranian]);
        return [j, granian.unwrap_or_else(|| judge_granian(plan, cells))];
    }
    if let Some(j) = not_run(ids::GRANIAN_FASTER, &[Server::FastApiGranian]) {
        return [judge_leaner(plan, cells), j];
    }
    [judge_leaner(plan, cells), judge_granian(plan, cells)]
}

/// A "`server` serves more than `base`" case on `endpoint` at the top level.
fn stack_case(plan: &Plan, cells: &Cells, server: Server, base: Server, label: &str) -> Case {
    let top = plan.top();
    let v = Endpoint::Validate;
    let rounds = |server: Server| -> Vec<f64> {
        cells
            .get(&(server, v, top))
            .map_or_else(Vec::new, |cs| cs.iter().map(|c| c.load.rps()).collect())
    };
    STACK_FASTER.case(
        label,
        &format!(
            "{} vs {} requests/s:",
            format_number(med_rps(cells, (server, v, top))),
            format_number(med_rps(cells, (base, v, top)))
        ),
        &pairwise_ratios(&rounds(server), &rounds(base)),
        "×",
    )
}

/// (6) Litestar + msgspec and bare Starlette against FastAPI.
fn judge_leaner(plan: &Plan, cells: &Cells) -> Judgement {
    let top = plan.top();
    let mut leaner = judge_cases(
        ids::LEANER_FRAMEWORKS,
        &[
            stack_case(
                plan,
                cells,
                Server::Litestar,
                Server::FastApi,
                "Litestar + msgspec vs FastAPI",
            ),
            stack_case(
                plan,
                cells,
                Server::Starlette,
                Server::FastApi,
                "bare Starlette + Pydantic vs FastAPI",
            ),
        ],
    );
    leaner.evidence = format!("POST /validate at {top} clients: {}", leaner.evidence);
    leaner
}

/// (7) the FastAPI app on Granian against uvicorn.
fn judge_granian(plan: &Plan, cells: &Cells) -> Judgement {
    let top = plan.top();
    let mut granian = judge_cases(
        ids::GRANIAN_FASTER,
        &[stack_case(
            plan,
            cells,
            Server::FastApiGranian,
            Server::FastApi,
            "Granian vs uvicorn",
        )],
    );
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

#[cfg(test)]
mod tests {
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
                    let cell = Cell {
                        load,
                        server_cpu_s: 0.5,
                        server_peak_kib: 50_000,
                    };
                    cells.insert((server, endpoint, c), vec![cell; 3]);
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
}
