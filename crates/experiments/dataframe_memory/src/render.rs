//! The measurements, tables and charts of a run, and the small reductions the judges share.

use crate::data;
use crate::data::Dataset;
use crate::worker::ColumnMemory;
use crate::{
    plan::FileSize, plan::Variant, runs::ColumnLoad, runs::ColumnReport, runs::MIB, runs::Sample,
};
use pyproof_harness::{
    Bar, Chart, Measurement, Outcome, Series, Table, format_bytes, format_number, median,
};
use std::collections::BTreeMap;

/// A run parameter recorded earlier in this run, or `default` when it was not.
pub(crate) fn param<'a>(
    parameters: &'a BTreeMap<String, String>,
    key: &str,
    default: &'a str,
) -> &'a str {
    parameters.get(key).map_or(default, String::as_str)
}

pub(crate) fn of(samples: &[Sample], v: Variant, f: FileSize) -> Vec<&Sample> {
    samples
        .iter()
        .filter(|s| s.variant == v && s.file == f)
        .collect()
}

/// `f(a, b)` for every round that ran both `a` and `b`, in round order: the per-round
/// pairs every ratio is judged on (rounds past the minimum run only some variants, so
/// pairing by position would pair different rounds).
pub(crate) fn per_round(
    samples: &[Sample],
    a: (Variant, FileSize),
    b: (Variant, FileSize),
    f: impl Fn(&Sample, &Sample) -> f64,
) -> Vec<f64> {
    let bs = of(samples, b.0, b.1);
    of(samples, a.0, a.1)
        .into_iter()
        .filter_map(|x| bs.iter().find(|y| y.round == x.round).map(|y| f(x, y)))
        .collect()
}

pub(crate) fn med(samples: &[&Sample], x: impl Fn(&Sample) -> f64) -> f64 {
    median(&samples.iter().map(|s| x(s)).collect::<Vec<_>>())
}

pub(crate) fn record_measurements<'a>(
    outcome: &mut Outcome,
    samples: &[Sample],
    datasets: impl Iterator<Item = (FileSize, &'a Dataset)>,
) {
    for (file, ds) in datasets {
        let mb = ds.info.bytes as f64 / 1e6;
        for v in Variant::ALL {
            let s = of(samples, v, file);
            if s.is_empty() {
                continue;
            }
            let key = |m: &str| format!("{}.{}.{m}", v.id(), file.key());
            let label = format!("{} on {}", v.label(), format_bytes(ds.info.bytes));
            let series = |x: &dyn Fn(&Sample) -> f64| s.iter().map(|s| x(s)).collect::<Vec<_>>();
            for (m, unit, values) in [
                ("work_s", "s", series(&|s| s.report.work_s)),
                ("wall_s", "s", series(&|s| s.wall_s)),
                ("cpu_s", "s", series(&|s| s.cpu_s)),
                ("mb_per_s", "MB/s", series(&|s| mb / s.report.work_s)),
                ("peak_anon_mib", "MiB", series(&|s| s.peak_anon_mib)),
                ("net_anon_mib", "MiB", series(&|s| s.net_anon_mib())),
                ("hwm_mib", "MiB", series(&|s| s.hwm_mib)),
                (
                    "multiple",
                    "×",
                    series(&|s| s.net_anon_mib() * MIB / ds.info.bytes as f64),
                ),
            ] {
                outcome
                    .measurements
                    .push(Measurement::new(key(m), label.clone(), unit, values));
            }
        }
    }
}

/// "What to reach for": every variant that ran on the full file, fastest first, against
/// pandas' default read (the sheet's case) — generated from the run, so the docs page's
/// advice carries this run's numbers.
pub(crate) fn reach_for_table(
    outcome: &mut Outcome,
    samples: &[Sample],
    full: &Dataset,
    conversion: Option<&crate::runs::Conversion>,
) {
    let base = of(samples, Variant::PandasDefault, FileSize::Full);
    if base.is_empty() {
        return;
    }
    let (base_s, base_net) = (
        med(&base, |s| s.report.work_s),
        med(&base, Sample::net_anon_mib),
    );
    let mut rows: Vec<(f64, Vec<String>)> = Variant::ALL
        .iter()
        .filter_map(|&v| {
            let s = of(samples, v, FileSize::Full);
            if s.is_empty() {
                return None;
            }
            let (t, net) = (med(&s, |s| s.report.work_s), med(&s, Sample::net_anon_mib));
            let note = match (v, conversion) {
                (v, Some(c)) if v.reads_parquet() => format!(
                    "reads the Parquet copy ({}; converting took {} s once)",
                    format_bytes(c.bytes),
                    format_number(c.wall_s)
                ),
                (Variant::DuckdbCsvLimited, _) => "memory_limit set".to_string(),
                (v, _) if v.is_rust_polars() => "Rust, built here".to_string(),
                _ => String::new(),
            };
            Some((
                t,
                vec![
                    v.label().to_string(),
                    format!("{t:.2}"),
                    format!("{:.1}×", base_s / t.max(1e-9)),
                    mib(net),
                    format!("{:.1}×", base_net / net.max(1e-9)),
                    note,
                ],
            ))
        })
        .collect();
    rows.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut table = Table::new(
        format!(
            "What to reach for: the same query on the {} CSV, fastest first (medians; × against \
             pandas' default read_csv, the sheet's case)",
            format_bytes(full.info.bytes)
        ),
        &[
            "way",
            "time s",
            "faster",
            "net peak MiB",
            "less memory",
            "note",
        ],
    );
    for (_, row) in rows {
        table.row(row);
    }
    outcome.tables.push(table);
}

pub(crate) fn mib(x: f64) -> String {
    if x >= 100.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.1}")
    }
}

pub(crate) fn spread(samples: &[&Sample], x: impl Fn(&Sample) -> f64, digits: usize) -> String {
    let values: Vec<f64> = samples.iter().map(|s| x(s)).collect();
    let m = median(&values);
    if values.len() < 2 {
        return format!("{m:.digits$}");
    }
    let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    format!("{m:.digits$} ({lo:.digits$}–{hi:.digits$})")
}

pub(crate) fn column<'a>(cols: &'a [ColumnMemory], name: &str) -> Option<&'a ColumnMemory> {
    cols.iter().find(|c| c.name == name)
}

pub(crate) fn polars_columns(samples: &[Sample], v: Variant) -> Option<(&[ColumnMemory], u64)> {
    samples
        .iter()
        .find(|s| s.variant == v && s.file == FileSize::Full && !s.report.columns.is_empty())
        .map(|s| (s.report.columns.as_slice(), s.report.answer.rows))
}

pub(crate) fn tables_and_charts(
    outcome: &mut Outcome,
    samples: &[Sample],
    full: &Dataset,
    half: &Dataset,
    columns: &ColumnReport,
) {
    let mb = full.info.bytes as f64 / 1e6;
    let mut table = Table::new(
        format!(
            "Every variant on the {} file ({} rows), median (min–max) of {} run(s)",
            format_bytes(full.info.bytes),
            format_number(full.info.answer.rows as f64),
            of(samples, Variant::PandasDefault, FileSize::Full).len()
        ),
        &[
            "variant",
            "time s",
            "MB/s",
            "CPU s",
            "peak anon MiB",
            "VmHWM MiB",
            "× file (net anon)",
        ],
    );
    let mut mem_bars = Vec::new();
    let mut time_bars = Vec::new();
    for v in Variant::ALL {
        let s = of(samples, v, FileSize::Full);
        if s.is_empty() {
            continue; // not run: a module missing (the notes say which)
        }
        let m = med(&s, |s| s.report.work_s);
        table.row(vec![
            v.label().to_string(),
            spread(&s, |s| s.report.work_s, 2),
            format!("{:.0}", mb / m),
            format!("{:.2}", med(&s, |s| s.cpu_s)),
            mib(med(&s, |s| s.peak_anon_mib)),
            mib(med(&s, |s| s.hwm_mib)),
            format!(
                "{:.2}",
                med(&s, |s| s.net_anon_mib()) * MIB / full.info.bytes as f64
            ),
        ]);
        let bar = |x: &dyn Fn(&Sample) -> f64| {
            let values: Vec<f64> = s.iter().map(|s| x(s)).collect();
            Bar {
                label: v.id().to_string(),
                value: median(&values),
                low: values.iter().copied().fold(f64::INFINITY, f64::min),
                high: values.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            }
        };
        mem_bars.push(bar(&|s| s.peak_anon_mib));
        time_bars.push(bar(&|s| s.report.work_s));
    }
    outcome.tables.push(table);

    let (half_label, full_label) = (format_bytes(half.info.bytes), format_bytes(full.info.bytes));
    let mut growth = Table::new(
        "Doubling the file: net peak anonymous memory (MiB)",
        &["variant", &half_label, &full_label, "ratio"],
    );
    let mut growth_bars = Vec::new();
    let mut growth_lines = Vec::new();
    for v in Variant::GROWTH {
        if of(samples, v, FileSize::Full).is_empty() {
            continue;
        }
        let h = med(&of(samples, v, FileSize::Half), Sample::net_anon_mib);
        let f = med(&of(samples, v, FileSize::Full), Sample::net_anon_mib);
        let rounds = |size| -> Vec<f64> {
            of(samples, v, size)
                .into_iter()
                .map(Sample::net_anon_mib)
                .collect()
        };
        growth_lines.push(Series::of_rounds(
            v.label(),
            &[
                (half.info.bytes as f64 / MIB, rounds(FileSize::Half)),
                (full.info.bytes as f64 / MIB, rounds(FileSize::Full)),
            ],
        ));
        growth.row(vec![
            v.label().to_string(),
            mib(h),
            mib(f),
            format!("{:.2}×", f / h.max(1e-9)),
        ]);
        for (size, value) in [(half.info.bytes, h), (full.info.bytes, f)] {
            growth_bars.push(Bar {
                label: format!("{} @ {}", v.id(), format_bytes(size)),
                value,
                low: value,
                high: value,
            });
        }
    }
    outcome.tables.push(growth);

    // Per-column memory, bytes per row: pandas from its sample, polars from the whole file.
    let pandas_default = columns.loads.get("default");
    let pandas_down = columns.loads.get("downcast");
    let polars_default = polars_columns(samples, Variant::PolarsEager);
    let polars_over = polars_columns(samples, Variant::PolarsEagerOverrides);
    let mut per_col = Table::new(
        "Memory per column, bytes per row (pandas: memory_usage(deep=True) [each distinct \
         object once] on the first rows; polars: estimated_size on the whole file)",
        &[
            "column",
            "pandas default",
            "pandas downcast",
            "polars default",
            "polars overrides",
        ],
    );
    let per_row = |load: Option<&ColumnLoad>, name: &str| -> String {
        let Some(load) = load else {
            return "—".into();
        };
        match column(&load.columns, name) {
            Some(c) => {
                let deep = c.bytes as f64 / load.rows.max(1) as f64;
                match c.unique_bytes {
                    Some(u) => format!(
                        "{deep:.1} [{:.1}] {}",
                        u as f64 / load.rows.max(1) as f64,
                        c.dtype
                    ),
                    None => format!("{deep:.1} {}", c.dtype),
                }
            }
            None => "—".into(),
        }
    };
    let polars_row = |p: Option<(&[ColumnMemory], u64)>, name: &str| -> String {
        p.and_then(|(cols, rows)| {
            column(cols, name)
                .map(|c| format!("{:.1} {}", c.bytes as f64 / rows.max(1) as f64, c.dtype))
        })
        .unwrap_or_else(|| "—".into())
    };
    for name in data::HEADER.split(',') {
        per_col.row(vec![
            name.to_string(),
            per_row(pandas_default, name),
            per_row(pandas_down, name),
            polars_row(polars_default, name),
            polars_row(polars_over, name),
        ]);
    }
    outcome.tables.push(per_col);

    outcome.charts.push(Chart::Bars {
        id: "peak_memory".into(),
        title: format!(
            "Peak anonymous memory on the {} CSV (MiB)",
            format_bytes(full.info.bytes)
        ),
        unit: "MiB".into(),
        bars: mem_bars,
        reference: Some(full.info.bytes as f64 / MIB),
    });
    outcome.charts.push(Chart::Bars {
        id: "time".into(),
        title: format!(
            "Time to answer the query on the {} CSV (s)",
            format_bytes(full.info.bytes)
        ),
        unit: "s".into(),
        bars: time_bars,
        reference: None,
    });
    outcome.charts.push(Chart::Lines {
        id: "memory_vs_file_size".into(),
        title: "Net peak memory as the file grows".into(),
        x_label: "CSV size (MiB)".into(),
        y_label: "net peak anonymous memory (MiB)".into(),
        log_x: false,
        log_y: true,
        series: growth_lines,
    });
    outcome.charts.push(Chart::Bars {
        id: "memory_vs_size".into(),
        title: "Net peak memory when the file doubles (MiB)".into(),
        unit: "MiB".into(),
        bars: growth_bars,
        reference: None,
    });
}
