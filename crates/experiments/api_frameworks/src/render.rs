//! The tables and charts of a run.

use crate::payload;
use crate::{
    plan::Endpoint, plan::Plan, plan::Server, servers::Answer, servers::Cells,
    validation::VALIDATORS, validation::iqr_text,
};
use pyproof_harness::{
    Bar, Chart, Measurement, Outcome, Series, Table, format_number, median, quantile,
};
use std::collections::BTreeMap;

pub(crate) fn tables(
    outcome: &mut Outcome,
    plan: &Plan,
    cells: &Cells,
    answers: &BTreeMap<Server, Vec<Answer>>,
    rates: &BTreeMap<String, Vec<f64>>,
) {
    let mut table = Table::new(
        format!(
            "Requests/s and latency under load: warm-up + window at most {} in round 1, \
             fitted to the cell's queue, later rounds to the cell's latency; medians of {}",
            plan.describe_timing(),
            rounds_words(cells, plan.rounds.min)
        ),
        &[
            "endpoint",
            "clients",
            "server",
            "requests/s",
            "p50",
            "p90",
            "p99",
            "errors",
            "server CPU per request",
            "server peak memory",
        ],
    );
    for endpoint in Endpoint::ALL {
        for &c in &plan.levels {
            for server in Server::ALL {
                let Some(cs) = cells.get(&(server, endpoint, c)) else {
                    continue;
                };
                let rps: Vec<f64> = cs.iter().map(|x| x.load.rps()).collect();
                let pct =
                    |q: f64| median(&cs.iter().map(|x| x.load.latency_ms(q)).collect::<Vec<_>>());
                let errors: u64 = cs.iter().map(|x| x.load.errors).sum();
                let cpu_per: Vec<f64> = cs
                    .iter()
                    .map(|x| x.server_cpu_s * 1e6 / (x.load.sent.max(1) as f64))
                    .collect();
                let mem: Vec<f64> = cs
                    .iter()
                    .map(|x| x.server_peak_kib as f64 / 1024.0)
                    .collect();
                let key = format!("{}.{}.c{c}", server.id(), endpoint.id());
                let label = format!("{}, {}, {c} clients", server.label(plan), endpoint.label());
                outcome.measurements.push(Measurement::new(
                    format!("{key}.rps"),
                    label.clone(),
                    "requests/s",
                    rps.clone(),
                ));
                outcome.measurements.push(Measurement::new(
                    format!("{key}.p99_ms"),
                    label.clone(),
                    "ms",
                    cs.iter().map(|x| x.load.latency_ms(0.99)).collect(),
                ));
                outcome.measurements.push(Measurement::new(
                    format!("{key}.first_answer_ms"),
                    label.clone(),
                    "ms",
                    cs.iter().map(|x| x.load.slowest_first_ms).collect(),
                ));
                outcome.measurements.push(Measurement::new(
                    format!("{key}.server_cpu_us_per_request"),
                    label,
                    "µs",
                    cpu_per.clone(),
                ));
                table.row(vec![
                    endpoint.label().to_string(),
                    c.to_string(),
                    server.label(plan),
                    iqr_text(&rps),
                    format!("{} ms", format_number(pct(0.5))),
                    format!("{} ms", format_number(pct(0.9))),
                    format!("{} ms", format_number(pct(0.99))),
                    match cs.iter().find_map(|x| x.load.first_error.clone()) {
                        Some(e) if errors > 0 => format!("{errors} ({e})"),
                        _ => errors.to_string(),
                    },
                    format!("{} µs", format_number(median(&cpu_per))),
                    format!("{} MiB", format_number(median(&mem))),
                ]);
            }
        }
    }
    outcome.tables.push(table);

    let cases = payload::bad_cases();
    let mut headers = vec!["bad body", "fields at fault"];
    // One column per validator: the def-endpoint FastAPI and the wide Flask validate as
    // their siblings do.
    let validators = [Server::FastApi, Server::Flask, Server::Axum];
    let labels: Vec<String> = validators.iter().map(|s| s.label(plan)).collect();
    headers.extend(labels.iter().map(String::as_str));
    let mut precision = Table::new(
        "Bad bodies: status and the fields each server named (✓ = 422 naming exactly the \
         fields at fault)",
        &headers,
    );
    for (i, case) in cases.iter().enumerate() {
        let mut row = vec![
            case.what.to_string(),
            match &case.expected {
                Some(e) => e
                    .iter()
                    .map(|f| {
                        if f.is_empty() {
                            "(the body)".to_string()
                        } else {
                            f.clone()
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(", "),
                None => "(not JSON: an error of type json_invalid)".to_string(),
            },
        ];
        for server in validators {
            let Some(a) = answers.get(&server).and_then(|v| v.get(i)) else {
                row.push("—".into());
                continue;
            };
            let named = a.named.as_ref().map_or("no field list".to_string(), |n| {
                n.iter()
                    .map(|f| {
                        if f.is_empty() {
                            "(the body)".to_string()
                        } else {
                            f.clone()
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            });
            let mark = if a.precise(&case.expected) {
                "✓"
            } else {
                "✗"
            };
            row.push(if a.status == 422 {
                format!("{mark} 422: {named}")
            } else {
                format!("{mark} {}", a.describe())
            });
        }
        precision.row(row);
    }
    outcome.tables.push(precision);

    let base = rates.get("handwritten").map_or(f64::NAN, |r| median(r));
    let mut v = Table::new(
        format!(
            "Validation in process: the {}-line order, payloads/s (medians of interleaved rounds)",
            payload::LOAD_ITEMS
        ),
        &["validator", "payloads/s", "× hand-written"],
    );
    for (key, label) in VALIDATORS {
        let Some(r) = rates.get(key) else { continue };
        outcome.measurements.push(Measurement::new(
            format!("validate.{key}.per_s"),
            label,
            "payloads/s",
            r.clone(),
        ));
        v.row(vec![
            label.to_string(),
            iqr_text(r),
            format!("{}×", format_number(median(r) / base)),
        ]);
    }
    outcome.tables.push(v);

    let top = plan.top();
    for endpoint in Endpoint::ALL {
        outcome.charts.push(Chart::Lines {
            id: format!("rps_vs_clients_{}", endpoint.id()),
            title: format!("{}: requests/s as clients grow", endpoint.label()),
            x_label: "concurrent clients".to_string(),
            y_label: "requests/s".to_string(),
            log_x: true,
            log_y: true,
            series: Server::ALL
                .into_iter()
                .map(|server| {
                    Series::of_rounds(
                        server.label(plan),
                        &plan
                            .levels
                            .iter()
                            .map(|&c| {
                                let rounds = cells
                                    .get(&(server, endpoint, c))
                                    .map_or_else(Vec::new, |cs| {
                                        cs.iter().map(|cell| cell.load.rps()).collect()
                                    });
                                (c as f64, rounds)
                            })
                            .collect::<Vec<_>>(),
                    )
                })
                .collect(),
        });
    }
    for endpoint in Endpoint::ALL {
        outcome.charts.push(Chart::Bars {
            id: format!("rps_{}_c{top}", endpoint.id()),
            title: format!("{} at {top} concurrent clients", endpoint.label()),
            unit: "requests/s".to_string(),
            bars: Server::ALL
                .into_iter()
                .filter_map(|server| {
                    let cs = cells.get(&(server, endpoint, top))?;
                    let r: Vec<f64> = cs.iter().map(|x| x.load.rps()).collect();
                    Some(Bar {
                        label: server.label(plan),
                        value: median(&r),
                        low: quantile(&r, 0.25),
                        high: quantile(&r, 0.75),
                    })
                })
                .collect(),
            // The wait endpoint's ideal: every client waits 20 ms at a time.
            reference: (endpoint == Endpoint::Wait).then(|| top as f64 / 0.020),
        });
    }
}

/// How many rounds the cells were measured in: "3 rounds", or "1–8 rounds (…)" when the
/// cells no claim reads ran in round 1 alone or the rounds past the minimum `min` visited
/// only the cells of claims within noise.
pub(crate) fn rounds_words(cells: &Cells, min: usize) -> String {
    let fewest = cells.values().map(Vec::len).min().unwrap_or(0);
    let most = cells.values().map(Vec::len).max().unwrap_or(0);
    if fewest == most {
        return format!("{most} round{}", if most == 1 { "" } else { "s" });
    }
    let mut why = Vec::new();
    if fewest < min {
        why.push("the cells no claim reads ran in round 1 alone".to_string());
    }
    if most > min {
        why.push(format!(
            "the rounds past {min} visited only the cells of claims within noise"
        ));
    }
    format!("{fewest}–{most} rounds ({})", why.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{Endpoint, Server};
    use crate::servers::Cell;

    #[test]
    fn the_rounds_of_the_cells_are_said_as_they_ran() {
        let cells_of = |counts: &[usize]| -> Cells {
            counts
                .iter()
                .enumerate()
                .map(|(i, &n)| {
                    (
                        (Server::ALL[i], Endpoint::Wait, 1),
                        (0..n)
                            .map(|round| Cell {
                                load: Default::default(),
                                server_cpu_s: 0.5,
                                server_peak_kib: 50_000,
                                round,
                            })
                            .collect(),
                    )
                })
                .collect()
        };
        assert_eq!(rounds_words(&cells_of(&[3, 3]), 3), "3 rounds");
        assert_eq!(
            rounds_words(&cells_of(&[1, 3]), 3),
            "1–3 rounds (the cells no claim reads ran in round 1 alone)"
        );
        assert_eq!(
            rounds_words(&cells_of(&[1, 3, 6]), 3),
            "1–6 rounds (the cells no claim reads ran in round 1 alone; the rounds past 3 \
             visited only the cells of claims within noise)"
        );
    }
}
