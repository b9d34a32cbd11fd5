//! The GIL-wait part: how long a plain Rust thread waits for the GIL while Python threads
//! spin, over a sweep of switch intervals ([`crate::gil_wait`] samples it).

use crate::gil_wait;
use crate::judge::judge_gil_wait;
use pyproof_harness::{
    Chart, ExperimentError, Measurement, Outcome, RunContext, Scale, Table, format_number,
};
use pyproof_python::Interpreter;

/// The GIL-wait part: the wait of a Rust thread while Python threads spin, over switch
/// intervals; adds its table, chart and the judgement of claim (h).
pub(crate) fn gil_wait_part(
    outcome: &mut Outcome,
    ctx: &RunContext<'_>,
    interp: &Interpreter,
) -> Result<(), ExperimentError> {
    // Each cell lasts a dozen intervals between a floor and a cap (`gil_wait::cell_budget`):
    // 1.2 s at 100 ms, 0.3 s — still 50 to 1,500 attaches — from 5 ms down.
    let (intervals, spinners, floor, cap): (Vec<f64>, Vec<usize>, f64, f64) = match ctx.scale {
        Scale::Quick => (vec![0.005, 0.001], vec![1], 0.3, 0.3),
        Scale::Default => (vec![0.1, 0.005, 0.001, 0.0001], vec![1, 2], 0.3, 1.2),
        Scale::Full => (vec![0.1, 0.02, 0.005, 0.001, 0.0001], vec![1, 2], 1.0, 3.0),
    };
    let mut cells = Vec::new();
    for (i, &k) in spinners.iter().enumerate() {
        ctx.progress.update(
            &format!("GIL wait of a Rust thread beside {k} spinning Python thread(s)"),
            i,
            spinners.len(),
        );
        cells.extend(gil_wait::measure(
            interp,
            k,
            &intervals,
            (
                std::time::Duration::from_secs_f64(floor),
                std::time::Duration::from_secs_f64(cap),
            ),
            5_000,
        )?);
    }
    let mut table = Table::new(
        format!(
            "GIL wait of a Rust thread (Python::attach, then 0.5 ms asleep; a dozen switch \
             intervals per cell, {floor}–{cap} s) while Python threads spin"
        ),
        &[
            "spinning threads",
            "switch interval",
            "attaches",
            "median wait",
            "p99 wait",
            "median / interval",
            "found it free",
            "time spent waiting",
        ],
    );
    let ms = |s: f64| format!("{} ms", format_number(s * 1e3));
    let mut series = Vec::new();
    for &k in &spinners {
        let mine: Vec<&gil_wait::WaitCell> = cells.iter().filter(|c| c.spinners == k).collect();
        for c in &mine {
            let key = format!("gil_wait.k{k}.interval{}us", (c.interval_s * 1e6).round());
            outcome.measurements.push(Measurement::new(
                format!("{key}.wait_ms"),
                format!(
                    "Rust thread's GIL wait, {k} spinning, interval {}",
                    ms(c.interval_s)
                ),
                "ms",
                c.waits_s.iter().map(|w| w * 1e3).collect(),
            ));
            table.row(vec![
                k.to_string(),
                ms(c.interval_s),
                c.waits_s.len().to_string(),
                ms(c.quantile(0.5)),
                ms(c.quantile(0.99)),
                format!("{}×", format_number(c.quantile(0.5) / c.interval_s)),
                format!("{}%", format_number(c.found_free() * 100.0)),
                format!("{}%", format_number(c.waiting_fraction() * 100.0)),
            ]);
        }
        for (q, name) in [(0.5, "median"), (0.99, "p99")] {
            series.push(pyproof_harness::Series {
                name: format!("{name} wait, {k} spinning"),
                points: mine
                    .iter()
                    .map(|c| (c.interval_s * 1e3, c.quantile(q) * 1e3))
                    .collect(),
                // The median's spread: the waits' quartiles.
                spread: if q == 0.5 {
                    mine.iter()
                        .map(|c| (c.quantile(0.25) * 1e3, c.quantile(0.75) * 1e3))
                        .collect()
                } else {
                    Vec::new()
                },
            });
        }
    }
    series.push(pyproof_harness::Series {
        name: "the switch interval itself".to_string(),
        points: intervals.iter().map(|i| (i * 1e3, i * 1e3)).collect(),
        spread: Vec::new(),
    });
    outcome.tables.push(table);
    outcome.charts.push(Chart::Lines {
        id: "gil_wait".to_string(),
        title: "A Rust thread's wait for the GIL vs sys.setswitchinterval".to_string(),
        x_label: "switch interval (ms)".to_string(),
        y_label: "wait (ms)".to_string(),
        log_x: true,
        log_y: true,
        series,
    });
    outcome.judgements.push(judge_gil_wait(&cells, ctx.cores));
    Ok(())
}
