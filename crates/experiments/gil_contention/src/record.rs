//! The first part's measurements, tables and charts, and the timeline's.

use crate::timeline::TimelineStats;
use crate::workload::{Family, Mode, Variant};
use crate::{RELEASE_TARGET, THREAD_CEILING, run_attached::Samples, scaling_floor};
use pyproof_harness::{Bar, Chart, Lane, Measurement, Outcome, Summary, Table, format_number};

pub(crate) fn record(outcome: &mut Outcome, samples: &Samples, variants: &[Variant], cores: usize) {
    let mut table = Table::new(
        "Same total work on k workers: time and speedup over one thread (median, IQR)",
        &[
            "workload",
            "executor",
            "k",
            "time",
            "speedup",
            "claim expects",
        ],
    );
    let mut bars = Vec::new();
    for &v in variants {
        let secs = Measurement::new(
            format!("{}.seconds", v.key()),
            v.to_string(),
            "s",
            samples.seconds(v).to_vec(),
        );
        let (executor, expects) = match (v.family, v.mode) {
            (_, Mode::Sequential) => ("one thread", "—".to_string()),
            (Family::RustOnly, _) => ("threads", "reference".to_string()),
            (Family::Python | Family::NativeHold, Mode::Threads(_)) => {
                ("threads", format!("≤ {THREAD_CEILING}×"))
            }
            (_, Mode::Threads(k)) => (
                "threads",
                format!("≥ {}×", format_number(scaling_floor(k, cores))),
            ),
            (_, Mode::Processes(k)) => (
                "processes",
                format!("≥ {}×", format_number(scaling_floor(k, cores))),
            ),
        };
        let speedup_text = if v.mode == Mode::Sequential {
            "1×".to_string()
        } else {
            let s = Measurement::new(
                format!("{}.speedup", v.key()),
                format!("{v}: speedup"),
                "×",
                samples.speedups(v),
            );
            let text = s.describe();
            bars.push(Bar {
                label: format!("{} · {} {}", v.family.label(), v.mode.k(), executor),
                value: s.summary.median,
                low: s.summary.q1,
                high: s.summary.q3,
            });
            outcome.measurements.push(s);
            text
        };
        table.row(vec![
            v.family.label().to_string(),
            executor.to_string(),
            v.mode.k().to_string(),
            secs.describe(),
            speedup_text,
            expects,
        ]);
        outcome.measurements.push(secs);
    }
    outcome.tables.push(table);
    outcome.charts.push(Chart::Bars {
        id: "speedup".to_string(),
        title: format!("Speedup over one thread ({cores} cores available)"),
        unit: "×".to_string(),
        bars,
        reference: Some(cores as f64),
    });
}

pub(crate) fn record_timeline(outcome: &mut Outcome, tl: &TimelineStats, switch_interval: f64) {
    let turns: Vec<f64> = tl.runs_ns.iter().map(|&r| r as f64 / 1e9).collect();
    outcome.measurements.push(Measurement::new(
        "timeline.turn_length",
        "time a thread kept running before the other took over",
        "s",
        turns,
    ));
    let mut table = Table::new(
        "GIL timeline: two threads spinning in pure Python",
        &["quantity", "value"],
    );
    let row = |t: &mut Table, k: &str, v: String| t.row(vec![k.to_string(), v]);
    row(
        &mut table,
        "recorded",
        format!(
            "{} s, {} stamps",
            format_number(tl.span_ns as f64 / 1e9),
            tl.stamps
        ),
    );
    row(
        &mut table,
        "switches between threads",
        tl.switches.to_string(),
    );
    row(
        &mut table,
        "median turn before a switch",
        format!("{} s", format_number(tl.median_run_s())),
    );
    row(
        &mut table,
        "sys.getswitchinterval()",
        format!("{} s", format_number(switch_interval)),
    );
    row(
        &mut table,
        "both threads running at once",
        format!(
            "{}% of the time",
            format_number(tl.overlap_fraction() * 100.0)
        ),
    );
    row(
        &mut table,
        "gap that splits runs",
        format!("{} µs", format_number(tl.gap_ns as f64 / 1e3)),
    );
    outcome.tables.push(table);
    let lanes = tl
        .lanes
        .iter()
        .enumerate()
        .map(|(i, runs)| Lane {
            name: format!("thread {}", i + 1),
            intervals: runs
                .iter()
                .map(|r| {
                    (
                        (r.start - tl.origin) as f64 / 1e9,
                        (r.end - tl.origin) as f64 / 1e9,
                    )
                })
                .collect(),
        })
        .collect();
    outcome.charts.push(Chart::Timeline {
        id: "gil_timeline".to_string(),
        title: "Which thread executed bytecode when".to_string(),
        lanes,
        zoom_s: Some((switch_interval * 12.0).min(tl.span_ns as f64 / 1e9)),
    });
}

pub(crate) fn speedup_text(s: &Summary) -> String {
    s.median_iqr("×")
}

pub(crate) fn release_target_note(samples: &Samples, cores: usize) -> Option<String> {
    if cores < 2 {
        return None;
    }
    let at_cores = |family| {
        samples.speedup(Variant {
            family,
            mode: Mode::Threads(cores),
        })
    };
    let released = at_cores(Family::NativeRelease);
    let ceiling = at_cores(Family::RustOnly);
    let reached = released.median / cores as f64;
    Some(format!(
        "Performance target: the GIL-releasing kernel at k = cores = {cores} reached {} = \
         {}·cores (target ≥ {RELEASE_TARGET}·cores: {}). The same kernel on plain Rust threads, \
         no Python, reached {} in the same rounds — the machine's own ceiling for this work in \
         this run — so the kernel called from Python threads got {}% of what the machine gave.",
        speedup_text(&released),
        format_number(reached),
        if reached >= RELEASE_TARGET {
            "met"
        } else {
            "not met"
        },
        speedup_text(&ceiling),
        format_number(released.median / ceiling.median * 100.0)
    ))
}
