//! The verdict rules of dataframe_memory: pure functions over the samples of the run.

use crate::data::Dataset;
use crate::worker::ColumnMemory;
use crate::{
    CATEGORY_CEILING, CHUNKED_TARGET_FRACTION, FLAT, HALF, HALF_TOLERANCE, MIN_CHUNKS, MULTIPLE,
    POLARS_FAST, POLARS_LIKE_FOR_LIKE, POLARS_SPEEDUP, SHEET_MULTIPLE, STREAMING_TARGET_MIB,
    plan::FileSize, plan::Plan, plan::Variant, render::column, render::med, render::mib,
    render::of, render::param, render::per_round, render::polars_columns, runs::ColumnLoad,
    runs::ColumnReport, runs::MIB, runs::Sample,
};
use pyproof_harness::{Case, Judgement, Verdict, format_bytes, format_number, judge_cases};
use std::collections::BTreeMap;

/// The claims' ids, declared once: `claims()` declares them, the judges judge them.
pub mod ids {
    /// Claim (1).
    pub const DEFAULT_MULTIPLE: &str = "default_multiple";
    /// Claim (2).
    pub const CHUNKSIZE_BOUNDED: &str = "chunksize_bounded";
    /// Claim (3).
    pub const FLOAT32_HALVES: &str = "float32_halves";
    /// Claim (4).
    pub const CATEGORY_CUTS: &str = "category_cuts";
    /// Claim (5): polars as a Python user installs it (the PyPI wheel).
    pub const POLARS_STREAMING: &str = "polars_streaming";
    /// Claim (6): the same query on the Rust crate as stable cargo builds it here.
    pub const POLARS_CRATE: &str = "polars_crate";
    /// Claim (7): DuckDB straight from the CSV under a memory limit.
    pub const DUCKDB_LIMITED: &str = "duckdb_limited";
    /// Claim (8): pandas with Arrow (engine and dtypes).
    pub const PANDAS_ARROW: &str = "pandas_arrow";
    /// Claim (9): two columns of Parquet instead of the CSV.
    pub const PARQUET_COLUMNS: &str = "parquet_columns";
    /// Every claim, in the order declared.
    pub const ALL: [&str; 9] = [
        DEFAULT_MULTIPLE,
        CHUNKSIZE_BOUNDED,
        FLOAT32_HALVES,
        CATEGORY_CUTS,
        POLARS_STREAMING,
        POLARS_CRATE,
        DUCKDB_LIMITED,
        PANDAS_ARROW,
        PARQUET_COLUMNS,
    ];
}

pub mod tools;
pub use tools::ToolsRun;

/// The runs (variant, file) claim `id` reads — in its cases or its evidence — so a round
/// past the minimum runs only what the claims within noise read. (3) and (4) are judged on
/// the per-column measurement, not on rounds; an unknown id reads nothing.
pub fn reads(id: &str) -> Vec<(Variant, FileSize)> {
    use FileSize::{Full, Half};
    let both = |v: Variant| [(v, Half), (v, Full)];
    let pandas_time = [
        (Variant::PandasDefault, Full),
        (Variant::PandasUsecols, Full),
    ];
    match id {
        ids::DEFAULT_MULTIPLE => both(Variant::PandasDefault).to_vec(),
        ids::CHUNKSIZE_BOUNDED => {
            [both(Variant::PandasChunked), both(Variant::PandasDefault)].concat()
        }
        // Judged on the per-column accounting; the downcast read is evidence from round 1.
        ids::FLOAT32_HALVES => Vec::new(),
        ids::POLARS_STREAMING => [
            &both(Variant::PyPolarsStreaming)[..],
            &both(Variant::PolarsStreaming)[..],
            &pandas_time[..],
        ]
        .concat(),
        ids::POLARS_CRATE => [
            &both(Variant::PolarsStreaming)[..],
            &both(Variant::PyPolarsStreaming)[..],
            &pandas_time[..],
        ]
        .concat(),
        // Its evidence quotes DuckDB's defaults and pandas' default read from the minimum
        // rounds only: the rounds it adds run its limited reads alone.
        ids::DUCKDB_LIMITED => both(Variant::DuckdbCsvLimited).to_vec(),
        ids::PANDAS_ARROW => [
            &pandas_time[..],
            &[
                (Variant::PandasArrow, Full),
                (Variant::PandasArrowUsecols, Full),
                (Variant::PandasArrowStrings, Full),
            ][..],
        ]
        .concat(),
        ids::PARQUET_COLUMNS => Variant::PARQUET
            .iter()
            .map(|&v| (v, Full))
            .chain([(Variant::PandasDefault, Full)])
            .collect(),
        _ => Vec::new(),
    }
}

/// The runs a round past the minimum brings back while claim `id` is within noise: what it
/// [`reads`], less the runs only its evidence quotes — (h)'s pandas with Arrow strings
/// alone (reported beside it, not judged) — which keep their minimum rounds.
pub fn revisits(id: &str) -> Vec<(Variant, FileSize)> {
    let mut runs = reads(id);
    if id == ids::PANDAS_ARROW {
        runs.retain(|(v, _)| *v != Variant::PandasArrowStrings);
    }
    runs
}

/// What the judges hand back: one judgement per claim, and the note on the performance
/// targets.
#[derive(Debug, Clone)]
pub struct Judged {
    /// One per claim.
    pub judgements: Vec<Judgement>,
    /// The performance targets, met or not, for each polars build.
    pub targets_note: String,
}

/// The nine claims over the samples of the run; `parameters` are the run's recorded
/// parameters (library versions, polars builds), quoted in the evidence; `tools` what the
/// claims beyond the sheet need besides (the Parquet conversion, missing modules).
pub fn judge(
    parameters: &BTreeMap<String, String>,
    samples: &[Sample],
    full: &Dataset,
    half: &Dataset,
    columns: &ColumnReport,
    tools: &ToolsRun,
    plan: &Plan,
) -> Judged {
    let mut judgements = Vec::new();
    let net = |v: Variant, f: FileSize| med(&of(samples, v, f), Sample::net_anon_mib);
    let time = |v: Variant, f: FileSize| med(&of(samples, v, f), |s| s.report.work_s);

    // (1) the multiple, at both sizes: each round's net peak over the file, its interval
    // inside the band.
    let multiples = |f: FileSize, ds: &Dataset| -> Vec<f64> {
        of(samples, Variant::PandasDefault, f)
            .iter()
            .map(|s| s.net_anon_mib() * MIB / ds.info.bytes as f64)
            .collect()
    };
    let cases: Vec<Case> = [(FileSize::Half, half), (FileSize::Full, full)]
        .into_iter()
        .map(|(f, ds)| {
            MULTIPLE.case(
                format_bytes(ds.info.bytes),
                "net peak over the file",
                &multiples(f, ds),
                "×",
                "round",
            )
        })
        .collect();
    let storage = param(parameters, "pandas string storage", "").to_string();
    let mut j = judge_cases(ids::DEFAULT_MULTIPLE, &cases);
    j.evidence = format!(
        "pandas' default read_csv: {} ({} MiB net for {}); the sheet's ratio is \
         {SHEET_MULTIPLE:.0}x. pandas {} stores strings as {storage}.",
        j.evidence,
        mib(net(Variant::PandasDefault, FileSize::Full)),
        format_bytes(full.info.bytes),
        param(parameters, "pandas", "?"),
    );
    judgements.push(j);

    let growth = |v: Variant| net_growth(samples, v, half, full);

    // (2) chunksize: flat when the file doubles.
    let half_chunks = half.info.answer.rows / plan.chunksize.max(1);
    let (ch, cf) = (
        net(Variant::PandasChunked, FileSize::Half),
        net(Variant::PandasChunked, FileSize::Full),
    );
    let (dh, df) = (
        net(Variant::PandasDefault, FileSize::Half),
        net(Variant::PandasDefault, FileSize::Full),
    );
    let added = (full.info.bytes - half.info.bytes) as f64 / MIB;
    let growth_text = format!(
        "pandas chunked: {} MiB on {} -> {} MiB on {} ({:.2}x; {:+.1}% of the added bytes), \
         against the default read's {} -> {} MiB ({:.2}x; {:+.0}%)",
        mib(ch),
        format_bytes(half.info.bytes),
        mib(cf),
        format_bytes(full.info.bytes),
        cf / ch.max(1e-9),
        100.0 * (cf - ch) / added,
        mib(dh),
        mib(df),
        df / dh.max(1e-9),
        100.0 * (df - dh) / added
    );
    let judgement = if half_chunks < MIN_CHUNKS {
        Judgement::new(
            ids::CHUNKSIZE_BOUNDED,
            Verdict::Inconclusive,
            format!(
                "the {} file holds only {half_chunks} chunks of {}: too small to show a bound \
                 (run a bigger scale); {growth_text}",
                format_bytes(half.info.bytes),
                plan.chunksize
            ),
        )
    } else {
        let mut j = judge_cases(
            ids::CHUNKSIZE_BOUNDED,
            &[FLAT.case(
                "chunked",
                "of the added bytes, kept at the net peak, per round:",
                &growth(Variant::PandasChunked),
                "%",
            )],
        );
        j.evidence = format!("{}. {growth_text}", j.evidence);
        j
    };
    judgements.push(judgement);

    // (3) float32 halves the price column: pandas' and polars' own accounting.
    let ratio_of =
        |a: Option<&ColumnMemory>, b: Option<&ColumnMemory>, rows_a: u64, rows_b: u64| match (a, b)
        {
            (Some(a), Some(b)) if a.bytes > 0 && rows_a > 0 && rows_b > 0 => {
                Some((b.bytes as f64 / rows_b as f64) / (a.bytes as f64 / rows_a as f64))
            }
            _ => None,
        };
    let pd_default = columns.loads.get("default");
    let pd_down = columns.loads.get("downcast");
    let pandas_ratio = match (pd_default, pd_down) {
        (Some(a), Some(b)) => ratio_of(
            column(&a.columns, "price"),
            column(&b.columns, "price"),
            a.rows,
            b.rows,
        ),
        _ => None,
    };
    let polars_ratio = match (
        polars_columns(samples, Variant::PolarsEager),
        polars_columns(samples, Variant::PolarsEagerOverrides),
    ) {
        (Some((a, ra)), Some((b, rb))) => ratio_of(column(a, "price"), column(b, "price"), ra, rb),
        _ => None,
    };
    let halves = |r: Option<f64>| r.is_some_and(|r| (r - HALF).abs() <= HALF_TOLERANCE);
    // The downcast read itself is evidence beside the column accounting, from round 1 (the
    // one round it runs in: no claim's interval reads it), paired with the default read of
    // the same round.
    let first_round = |v: Variant| {
        samples
            .iter()
            .find(|s| s.variant == v && s.file == FileSize::Full && s.round == 0)
    };
    let precision = first_round(Variant::PandasDowncast).map_or(0.0, |s| {
        s.report.answer.max_sum_difference(&full.info.answer)
    });
    let whole = match (
        first_round(Variant::PandasDowncast),
        first_round(Variant::PandasDefault),
    ) {
        (Some(d), Some(p)) => d.net_anon_mib() / p.net_anon_mib().max(1e-9),
        _ => f64::NAN,
    };
    let fmt_ratio = |r: Option<f64>| r.map_or("not measured".to_string(), |r| format!("{r:.3}"));
    let verdict = match (halves(pandas_ratio), halves(polars_ratio)) {
        (true, true) => Verdict::Demonstrated,
        (false, false) => Verdict::Refuted,
        _ => Verdict::Nuanced,
    };
    judgements.push(Judgement::new(
        ids::FLOAT32_HALVES,
        verdict,
        format!(
            "price column float32/float64: pandas {}, polars {}. The cost: group sums moved by \
             up to {precision:.1e} relative (float32 keeps ~7 digits). The whole downcast read \
             (int32, float32, category together) peaked at {whole:.2}x the default read's net \
             memory (round 1).",
            fmt_ratio(pandas_ratio),
            fmt_ratio(polars_ratio)
        ),
    ));

    // (4) category: by deep=True and by distinct objects.
    let cat = |load: Option<&ColumnLoad>| {
        load.and_then(|l| column(&l.columns, "category").map(|c| (c.clone(), l.rows)))
    };
    let (verdict, evidence) = match (cat(pd_default), cat(pd_down)) {
        (Some((d, rd)), Some((c, rc))) if rd > 0 && rc > 0 => {
            let per = |b: u64, r: u64| b as f64 / r as f64;
            let cat_row = per(c.bytes, rc);
            let deep = cat_row / per(d.bytes, rd);
            let unique = d.unique_bytes.map(|u| cat_row / per(u, rd));
            let verdict = match (
                deep <= CATEGORY_CEILING,
                unique.map(|u| u <= CATEGORY_CEILING),
            ) {
                (true, Some(true)) => Verdict::Confirmed,
                (true, _) => Verdict::Nuanced,
                (false, _) => Verdict::Refuted,
            };
            (
                verdict,
                format!(
                    "category column: {:.1} B/row as {} vs {:.1} B/row as {} by deep=True \
                     ({:.1}x smaller){}",
                    cat_row,
                    c.dtype,
                    per(d.bytes, rd),
                    d.dtype,
                    1.0 / deep,
                    match (d.unique_bytes, unique) {
                        (Some(u), Some(f)) => format!(
                            "; counting each distinct string object once the string column holds \
                             {:.1} B/row, so the real cut is {:.1}x (the parser reuses one object \
                             per repeated value, which deep=True counts again for every row)",
                            per(u, rd),
                            1.0 / f
                        ),
                        _ => String::new(),
                    }
                ),
            )
        }
        _ => (
            Verdict::Inconclusive,
            "the per-column measurement did not report the category column".to_string(),
        ),
    };
    judgements.push(Judgement::new(ids::CATEGORY_CUTS, verdict, evidence));

    // (5) and (6): polars streaming, flat and fast, each build its own claim. "Fast" is
    // judged against pandas' default read (what the sheet's user runs) and against pandas
    // reading the same two columns (usecols: like for like, as polars' projection pushdown
    // reads only those), each on per-round ratios.
    let (py, rs) = (Variant::PyPolarsStreaming, Variant::PolarsStreaming);
    let pandas_time = time(Variant::PandasDefault, FileSize::Full);
    let speedup = |v: Variant| pandas_time / time(v, FileSize::Full).max(1e-9);
    let build = format!(
        "{}, simd {}",
        param(parameters, "polars (Rust) compiler", "compiler unknown"),
        param(parameters, "polars (Rust) simd feature", "unknown")
    );
    let vs_wheel = time(rs, FileSize::Full) / time(py, FileSize::Full).max(1e-9);
    let vs_wheel = if vs_wheel >= 1.0 {
        format!("{vs_wheel:.1}x slower than")
    } else {
        format!("{:.1}x faster than", 1.0 / vs_wheel.max(1e-9))
    };
    for (id, v, note) in [
        (
            ids::POLARS_STREAMING,
            py,
            format!("the Rust crate built here ({build}) ran it {vs_wheel} this wheel"),
        ),
        (
            ids::POLARS_CRATE,
            rs,
            format!("built here by stable cargo ({build}); {vs_wheel} the PyPI wheel"),
        ),
    ] {
        judgements.push(judge_polars(id, v, samples, half, full, &note));
    }

    // (7)-(9): the tools of 2026.
    judgements.push(tools::duckdb_limited(samples, full, half, plan, tools));
    judgements.push(tools::pandas_arrow(samples, tools));
    judgements.push(tools::parquet(samples, full, tools));

    // The project's performance targets, stated every run (judged at the 2 GB size).
    let peak = |v: Variant| med(&of(samples, v, FileSize::Full), |s| s.peak_anon_mib);
    let chunked_fraction =
        net(Variant::PandasChunked, FileSize::Full) * MIB / full.info.bytes as f64;
    let met = |ok: bool| if ok { "met" } else { "not met" };
    let targets_note = format!(
        "Performance targets (set for 2 GB; this file is {}): polars streaming peak anonymous \
         memory {} MiB for the PyPI build, {} MiB for the crate built here (target <= \
         {STREAMING_TARGET_MIB:.0}: {}, {}); {:.1}x pandas' default for the PyPI build, {:.1}x \
         for the crate built here (target >= {POLARS_SPEEDUP:.0}x: {}, {}); pandas chunked net \
         peak {:.3}x the file size (target <= {CHUNKED_TARGET_FRACTION}: {}).",
        format_bytes(full.info.bytes),
        mib(peak(py)),
        mib(peak(rs)),
        met(peak(py) <= STREAMING_TARGET_MIB),
        met(peak(rs) <= STREAMING_TARGET_MIB),
        speedup(py),
        speedup(rs),
        met(speedup(py) >= POLARS_SPEEDUP),
        met(speedup(rs) >= POLARS_SPEEDUP),
        chunked_fraction,
        met(chunked_fraction <= CHUNKED_TARGET_FRACTION),
    );
    Judged {
        judgements,
        targets_note,
    }
}

/// Of the bytes the full file adds to the half, the share (%) `v` keeps at its net peak:
/// its net peak on the full file minus on the half, paired round by round, over the added
/// bytes — what "flat when the file doubles" is judged on ([`crate::FLAT`]).
pub(crate) fn net_growth(
    samples: &[Sample],
    v: Variant,
    half: &Dataset,
    full: &Dataset,
) -> Vec<f64> {
    let added_mib = full.info.bytes.saturating_sub(half.info.bytes) as f64 / MIB;
    if added_mib <= 0.0 {
        return Vec::new();
    }
    per_round(samples, (v, FileSize::Full), (v, FileSize::Half), |f, h| {
        100.0 * (f.net_anon_mib() - h.net_anon_mib()) / added_mib
    })
}

/// Claim (5) or (6) for one polars build: flat (its net peak on the doubled file over the
/// half), fast against pandas' default read and against pandas reading the same two columns
/// — three cases on per-round ratios; the evidence names which comparison each is.
fn judge_polars(
    id: &str,
    v: Variant,
    samples: &[Sample],
    half: &Dataset,
    full: &Dataset,
    note: &str,
) -> Judgement {
    let work = |s: &Sample| s.report.work_s.max(1e-9);
    let growth = net_growth(samples, v, half, full);
    let against = |base: Variant| {
        per_round(
            samples,
            (base, FileSize::Full),
            (v, FileSize::Full),
            |b, s| work(b) / work(s),
        )
    };
    let cases = [
        FLAT.case(
            "flat",
            &format!(
                "net peak {} MiB on {} -> {} MiB on {}; of the added bytes, kept per round",
                mib(med(&of(samples, v, FileSize::Half), Sample::net_anon_mib)),
                format_bytes(half.info.bytes),
                mib(med(&of(samples, v, FileSize::Full), Sample::net_anon_mib)),
                format_bytes(full.info.bytes),
            ),
            &growth,
            "%",
        ),
        POLARS_FAST.case(
            "vs pandas' default read (all five columns, the sheet's case)",
            "pandas time ÷ polars time",
            &against(Variant::PandasDefault),
            "×",
        ),
        POLARS_LIKE_FOR_LIKE.case(
            "vs pandas usecols (the same two columns, like for like)",
            "pandas time ÷ polars time",
            &against(Variant::PandasUsecols),
            "×",
        ),
    ];
    let mut j = judge_cases(id, &cases);
    let cpu = |v: Variant| med(&of(samples, v, FileSize::Full), |s| s.cpu_s);
    j.evidence = format!(
        "{}. {} s and {} CPU-s on {} against pandas' default {} s / {} CPU-s and pandas \
         usecols {} s, whose net peak was {} MiB; {note}",
        j.evidence,
        format_number(med(&of(samples, v, FileSize::Full), |s| s.report.work_s)),
        format_number(cpu(v)),
        format_bytes(full.info.bytes),
        format_number(med(
            &of(samples, Variant::PandasDefault, FileSize::Full),
            |s| s.report.work_s
        )),
        format_number(cpu(Variant::PandasDefault)),
        format_number(med(
            &of(samples, Variant::PandasUsecols, FileSize::Full),
            |s| s.report.work_s
        )),
        mib(med(
            &of(samples, Variant::PandasUsecols, FileSize::Full),
            Sample::net_anon_mib
        )),
    );
    j
}

#[cfg(test)]
mod tests;
