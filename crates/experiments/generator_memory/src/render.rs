//! The measurements, tables and charts of a run.

use crate::{Plan, judge::Fits, judge::Point, judge::fit, pipelines::Pipeline};
use pyproof_harness::{
    Bar, Chart, Measurement, Outcome, Series, Table, format_bytes, format_number, median,
};
use std::collections::BTreeMap;

pub(crate) fn join(v: &[u64]) -> String {
    v.iter().map(u64::to_string).collect::<Vec<_>>().join(", ")
}

pub(crate) fn record(
    outcome: &mut Outcome,
    points: &BTreeMap<(Pipeline, u64), Point>,
    plan: &Plan,
) -> Fits {
    let mut fits = BTreeMap::new();
    let mut peaks = Table::new(
        "Peak memory by n (Python: tracemalloc; Rust: allocation counting), and the fitted \
         growth",
        &["pipeline", "n → peak", "fitted bytes per item", "R²"],
    );
    let mut times = Table::new("Median time by n (no tracing)", &["pipeline", "n → time"]);
    for p in Pipeline::ALL {
        let ns = if p.reads_file() {
            &plan.file_ns
        } else {
            &plan.ns
        };
        let series: Vec<(u64, &Point)> = ns
            .iter()
            .filter_map(|n| points.get(&(p, *n)).map(|pt| (*n, pt)))
            .collect();
        if series.is_empty() {
            continue;
        }
        let xy: Vec<(f64, f64)> = series
            .iter()
            .map(|(n, pt)| (*n as f64, pt.peak_bytes as f64))
            .collect();
        let f = fit(&xy);
        for (n, pt) in &series {
            outcome.measurements.push(Measurement::new(
                format!("{}.n{n}.peak_bytes", p.id()),
                format!("{}, n = {n}", p.label()),
                "bytes",
                vec![pt.peak_bytes as f64],
            ));
            outcome.measurements.push(Measurement::new(
                format!("{}.n{n}.seconds", p.id()),
                format!("{}, n = {n}", p.label()),
                "s",
                pt.seconds.clone(),
            ));
        }
        peaks.row(vec![
            p.label().to_string(),
            series
                .iter()
                .map(|(n, pt)| {
                    format!(
                        "{}: {}",
                        format_number(*n as f64),
                        format_bytes(pt.peak_bytes)
                    )
                })
                .collect::<Vec<_>>()
                .join("; "),
            format_number(f.slope),
            if f.r2.is_nan() {
                "—".to_string()
            } else {
                format!("{:.4}", f.r2)
            },
        ]);
        times.row(vec![
            p.label().to_string(),
            series
                .iter()
                .map(|(n, pt)| {
                    format!(
                        "{}: {} s",
                        format_number(*n as f64),
                        format_number(median(&pt.seconds))
                    )
                })
                .collect::<Vec<_>>()
                .join("; "),
        ]);
        fits.insert(
            p,
            (
                f,
                series
                    .iter()
                    .map(|(n, pt)| (*n, pt.peak_bytes))
                    .collect::<Vec<_>>(),
            ),
        );
    }
    outcome.tables.push(peaks);
    outcome.tables.push(times);
    let bars: Vec<Bar> = fits
        .iter()
        .filter_map(|(p, (_, s))| {
            let (n, peak) = s.last()?;
            let kib = *peak as f64 / 1024.0;
            Some(Bar {
                label: format!("{} (n = {})", p.label(), format_number(*n as f64)),
                value: kib,
                low: kib,
                high: kib,
            })
        })
        .collect();
    outcome.charts.push(Chart::Lines {
        id: "peak_vs_n".to_string(),
        title: "Peak memory as n grows (log–log: a list climbs, a generator stays flat)"
            .to_string(),
        x_label: "n (items or lines)".to_string(),
        y_label: "peak bytes".to_string(),
        log_x: true,
        log_y: true,
        series: fits
            .iter()
            .map(|(p, (_, s))| Series {
                name: p.label().to_string(),
                points: s.iter().map(|&(n, b)| (n as f64, b as f64)).collect(),
                // Counted bytes, the same every run: no spread to draw.
                spread: Vec::new(),
            })
            .collect(),
    });
    outcome.charts.push(Chart::Bars {
        id: "peak_at_largest_n".to_string(),
        title: "Peak memory at the largest n".to_string(),
        unit: "KiB".to_string(),
        bars,
        reference: None,
    });
    fits
}
