//! The polars variants: eager default, eager with schema overrides, a lazy scan on the
//! streaming engine, and batch iteration (`sink_batches`) with per-batch aggregation.
//!
//! Every variant follows the policy of [`BadRow`]: a row without a numeric price or a
//! category is set aside and counted, never folded into a different answer; anything polars
//! refuses to parse (a non-numeric price after schema inference, invalid UTF-8, a row with
//! extra fields in an eager read) stops the variant with polars' own one-line message.
//!
//! polars' *lazy* scan keeps rows with extra fields, truncated, and says nothing
//! (pola-rs/polars#21094); pandas with `usecols` does the same. Those variants report
//! `sees_extra_fields: false`, and the harness sets such rows aside after the run
//! ([`super::worker::set_aside_ragged`]).

use super::data::{Answer, BadRow, Group};
use super::worker::{ColumnMemory, WorkerReport, own_anon_kib};
use polars::prelude::*;
use pyproof_harness::ExperimentError;
use std::collections::BTreeMap;
use std::path::Path;
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// One way of answering the query with polars.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PolarsVariant {
    /// `CsvReader` with inferred types, then a group-by.
    EagerDefault,
    /// `CsvReader` with Int32 / Float32 / Categorical overrides, then a group-by.
    EagerOverrides,
    /// `LazyCsvReader` + group-by, collected on the streaming engine.
    LazyStreaming,
    /// `sink_batches` on the streaming engine, aggregating each batch in Rust.
    Batches,
}

impl PolarsVariant {
    /// Every variant, in table order.
    pub const ALL: [PolarsVariant; 4] = [
        PolarsVariant::EagerDefault,
        PolarsVariant::EagerOverrides,
        PolarsVariant::LazyStreaming,
        PolarsVariant::Batches,
    ];

    /// Its id, as the worker's argument and in results.
    pub fn id(self) -> &'static str {
        match self {
            PolarsVariant::EagerDefault => "polars_eager",
            PolarsVariant::EagerOverrides => "polars_eager_overrides",
            PolarsVariant::LazyStreaming => "polars_streaming",
            PolarsVariant::Batches => "polars_batches",
        }
    }
}

impl FromStr for PolarsVariant {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        PolarsVariant::ALL
            .into_iter()
            .find(|v| v.id() == s)
            .ok_or_else(|| {
                format!(
                    "unknown polars variant '{s}' (expected one of: {})",
                    PolarsVariant::ALL.map(|v| v.id()).join(", ")
                )
            })
    }
}

fn overrides() -> Schema {
    Schema::from_iter([
        Field::new("id".into(), DataType::Int32),
        Field::new("price".into(), DataType::Float32),
        Field::new(
            "category".into(),
            DataType::from_categories(Categories::global()),
        ),
    ])
}

/// The query on a frame of (category, price): sum, mean, non-null count and row count per
/// category, the null category included (its rows are set aside by [`answer_from`]).
fn query(lf: LazyFrame) -> LazyFrame {
    lf.group_by([col("category")]).agg([
        col("price").cast(DataType::Float64).sum().alias("sum"),
        col("price").cast(DataType::Float64).mean().alias("mean"),
        col("price").count().alias("count"),
        len().alias("len"),
    ])
}

/// The answer and the rows set aside, from [`query`]'s result.
fn answer_from(df: &DataFrame) -> Result<(Answer, BTreeMap<String, u64>), Failure> {
    let category = df.column("category")?.cast(&DataType::String)?;
    let category = category.str()?;
    let sum = df.column("sum")?.f64()?.clone();
    let mean = df.column("mean")?.f64()?.clone();
    let count = df.column("count")?.cast(&DataType::UInt64)?;
    let count = count.u64()?;
    let rows = df.column("len")?.cast(&DataType::UInt64)?;
    let rows = rows.u64()?;
    let mut answer = Answer::default();
    let mut skipped = BTreeMap::new();
    for i in 0..df.height() {
        let n = count.get(i).unwrap_or(0);
        let all = rows.get(i).unwrap_or(0);
        match category.get(i) {
            Some(name) if !name.is_empty() => {
                if all > n {
                    *skipped
                        .entry(BadRow::BadPrice.reason().to_string())
                        .or_default() += all - n;
                }
                if n == 0 {
                    continue;
                }
                answer.rows += n;
                answer.groups.insert(
                    name.to_string(),
                    Group {
                        count: n,
                        sum: sum.get(i).unwrap_or(0.0),
                        mean: mean.get(i).unwrap_or(f64::NAN),
                    },
                );
            }
            _ => {
                *skipped
                    .entry(BadRow::NoCategory.reason().to_string())
                    .or_default() += all
            }
        }
    }
    Ok((answer, skipped))
}

fn columns_of(df: &DataFrame) -> Vec<ColumnMemory> {
    df.columns()
        .iter()
        .map(|c| ColumnMemory {
            name: c.name().to_string(),
            dtype: c.dtype().to_string(),
            bytes: c.as_materialized_series().estimated_size() as u64,
            unique_bytes: None,
        })
        .collect()
}

fn check_price(schema: &Schema) -> Result<(), ExperimentError> {
    let dtype = schema
        .get("price")
        .ok_or_else(|| ExperimentError::Input("the file has no 'price' column".to_string()))?;
    if schema.get("category").is_none() {
        return Err(ExperimentError::Input(
            "the file has no 'category' column".to_string(),
        ));
    }
    if dtype.is_primitive_numeric() {
        Ok(())
    } else {
        Err(ExperimentError::Input(format!(
            "column 'price' is not numeric (polars read it as {dtype})"
        )))
    }
}

/// An error inside a polars variant: polars' own (its first line), or the input's.
#[derive(Debug)]
pub enum Failure {
    /// polars refused or failed.
    Polars(String),
    /// Anything else.
    Other(ExperimentError),
}

impl From<PolarsError> for Failure {
    fn from(e: PolarsError) -> Self {
        // polars' messages can span lines (hints, context); the first says what happened.
        let text = e.to_string();
        let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
        Failure::Polars(first.trim().to_string())
    }
}

impl From<ExperimentError> for Failure {
    fn from(e: ExperimentError) -> Self {
        Failure::Other(e)
    }
}

impl From<Failure> for ExperimentError {
    fn from(f: Failure) -> Self {
        match f {
            Failure::Polars(message) => ExperimentError::Library {
                library: "polars",
                message,
            },
            Failure::Other(e) => e,
        }
    }
}

/// Runs `variant` on `csv` and reports the answer, timings and memory.
pub fn run(variant: PolarsVariant, csv: &Path) -> Result<WorkerReport, ExperimentError> {
    run_variant(variant, csv).map_err(ExperimentError::from)
}

fn run_variant(variant: PolarsVariant, csv: &Path) -> Result<WorkerReport, Failure> {
    if !csv.is_file() {
        return Err(ExperimentError::Input(format!("no such file: {}", csv.display())).into());
    }
    let baseline_anon_kib = own_anon_kib();
    let started = Instant::now();
    let path = csv.to_path_buf();
    let lazy_scan = || -> Result<LazyFrame, Failure> {
        let p = PlRefPath::try_from_path(&path)?;
        let mut lf = LazyCsvReader::new(p).with_has_header(true).finish()?;
        check_price(lf.collect_schema()?.as_ref())?;
        Ok(lf)
    };
    let (answer, skipped, columns) = match variant {
        PolarsVariant::EagerDefault | PolarsVariant::EagerOverrides => {
            let mut options = CsvReadOptions::default().with_has_header(true);
            if variant == PolarsVariant::EagerOverrides {
                options = options.with_schema_overwrite(Some(Arc::new(overrides())));
            }
            let df = options
                .try_into_reader_with_file_path(Some(path.clone()))?
                .finish()?;
            check_price(df.schema())?;
            let result = query(df.clone().lazy()).collect()?;
            let (answer, skipped) = answer_from(&result)?;
            (answer, skipped, columns_of(&df))
        }
        PolarsVariant::LazyStreaming => {
            let result = query(lazy_scan()?)
                .collect_with_engine(Engine::Streaming)?
                .unwrap_single();
            let (answer, skipped) = answer_from(&result)?;
            (answer, skipped, Vec::new())
        }
        PolarsVariant::Batches => {
            let (answer, skipped) = batches(lazy_scan()?)?;
            (answer, skipped, Vec::new())
        }
    };
    let work_s = started.elapsed().as_secs_f64();
    let mut library = BTreeMap::new();
    library.insert("polars".to_string(), polars::VERSION.to_string());
    library.insert("string storage".to_string(), "arrow utf8-view".to_string());
    library.insert("compiler".to_string(), env!("PYPROOF_RUSTC").to_string());
    library.insert(
        "target features".to_string(),
        if cfg!(target_feature = "avx2") {
            "AVX2"
        } else {
            "baseline x86-64 (no AVX2)"
        }
        .to_string(),
    );
    // polars' `simd` feature (SIMD line splitting in the CSV reader) needs a nightly
    // compiler; pyproof builds without it unless asked (`--features polars-simd`).
    library.insert(
        "simd".to_string(),
        if cfg!(feature = "polars-simd") {
            "on (polars-simd)"
        } else {
            "off"
        }
        .to_string(),
    );
    Ok(WorkerReport {
        variant: variant.id().to_string(),
        answer,
        skipped,
        work_s,
        sees_extra_fields: matches!(
            variant,
            PolarsVariant::EagerDefault | PolarsVariant::EagerOverrides
        ),
        baseline_anon_kib,
        columns,
        library,
        spill_peak_bytes: None,
    })
}

#[derive(Default)]
struct Running {
    groups: BTreeMap<String, (u64, f64)>,
    no_price: u64,
    no_category: u64,
}

/// Batch iteration: polars hands over record batches; each is folded into running sums.
fn batches(lf: LazyFrame) -> Result<(Answer, BTreeMap<String, u64>), Failure> {
    let running = Arc::new(Mutex::new(Running::default()));
    let sink = running.clone();
    let callback = PlanCallback::new(move |df: DataFrame| -> PolarsResult<bool> {
        let category = df.column("category")?.cast(&DataType::String)?;
        let price = df.column("price")?.cast(&DataType::Float64)?;
        let mut r = sink
            .lock()
            .map_err(|_| polars_err!(ComputeError: "batch accumulator poisoned"))?;
        for (c, p) in category.str()?.iter().zip(price.f64()?.iter()) {
            match (c, p) {
                (Some(c), Some(p)) if !c.is_empty() => {
                    let g = r.groups.entry(c.to_string()).or_default();
                    g.0 += 1;
                    g.1 += p;
                }
                (Some(c), None) if !c.is_empty() => r.no_price += 1,
                _ => r.no_category += 1,
            }
        }
        // false: keep the batches coming.
        Ok(false)
    });
    lf.select([col("category"), col("price")])
        .sink_batches(callback, false, None)?
        .collect_with_engine(Engine::Streaming)?;
    let r = running
        .lock()
        .map_err(|_| Failure::Polars("batch accumulator poisoned".into()))?;
    let mut answer = Answer::default();
    for (name, &(count, sum)) in &r.groups {
        answer.rows += count;
        answer.groups.insert(
            name.clone(),
            Group {
                count,
                sum,
                mean: sum / count as f64,
            },
        );
    }
    let mut skipped = BTreeMap::new();
    if r.no_price > 0 {
        skipped.insert(BadRow::BadPrice.reason().to_string(), r.no_price);
    }
    if r.no_category > 0 {
        skipped.insert(BadRow::NoCategory.reason().to_string(), r.no_category);
    }
    Ok((answer, skipped))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{HEADER, ensure_dataset, find_ragged, scan};
    use crate::worker::set_aside_ragged;

    #[test]
    fn every_variant_answers_the_query_exactly() {
        let dir = tempfile::tempdir().expect("tempdir");
        let ds = ensure_dataset(dir.path(), 400_000, 11, &|_, _| {}).expect("dataset");
        for v in PolarsVariant::ALL {
            let r = run(v, &ds.path).expect("runs");
            let tol = if v == PolarsVariant::EagerOverrides {
                1e-5
            } else {
                1e-9
            };
            r.answer
                .check_against(&ds.info.answer, tol)
                .unwrap_or_else(|e| panic!("{}: {e}", v.id()));
            assert!(r.skipped.is_empty(), "{}: {:?}", v.id(), r.skipped);
            assert_eq!(v.id().parse::<PolarsVariant>(), Ok(v));
        }
        let eager = run(PolarsVariant::EagerOverrides, &ds.path).expect("runs");
        let dtypes: Vec<_> = eager
            .columns
            .iter()
            .map(|c| (c.name.as_str(), c.dtype.as_str()))
            .collect();
        assert_eq!(
            dtypes,
            [
                ("id", "i32"),
                ("price", "f32"),
                ("category", "cat"),
                ("date", "str"),
                ("note", "str")
            ]
        );
    }

    fn malformed(dir: &Path) -> std::path::PathBuf {
        // 150 good rows first: the bad ones fall outside polars' 100-row schema inference.
        let mut text = format!("{HEADER}\n");
        for i in 0..150 {
            text.push_str(&format!("{i},{}.25,books,2021-01-01,fine\n", i % 7));
        }
        text.push_str("900,1.00,toys,2021-01-01,unquoted, comma\n");
        text.push_str("901,2.00,toys\n");
        text.push_str("902,3.00,,2021-01-01,no category\n");
        text.push_str("903,,pets,2021-01-01,no price\n");
        let path = dir.join("bad.csv");
        std::fs::write(&path, text).expect("write");
        path
    }

    #[test]
    fn malformed_rows_are_counted_or_refused_never_folded_in() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = malformed(dir.path());
        let reference = scan(&path).expect("scan");
        let ragged = find_ragged(&path).expect("ragged");
        assert_eq!(ragged.len(), 1);
        for v in PolarsVariant::ALL {
            match run(v, &path) {
                Ok(mut r) => {
                    set_aside_ragged(&mut r, &ragged);
                    r.answer
                        .check_against(&reference.answer, 1e-9)
                        .unwrap_or_else(|e| panic!("{}: {e}", v.id()));
                    assert_eq!(r.skipped, reference.skipped(), "{}", v.id());
                }
                Err(e) => {
                    // Eager reads refuse the row with extra fields, in polars' own words.
                    assert!(
                        matches!(
                            v,
                            PolarsVariant::EagerDefault | PolarsVariant::EagerOverrides
                        ),
                        "{}: {e}",
                        v.id()
                    );
                    assert_eq!(
                        e.to_string(),
                        "polars: found more fields than defined in 'Schema'"
                    );
                }
            }
        }
    }

    #[test]
    fn unreadable_inputs_are_one_line_errors() {
        let dir = tempfile::tempdir().expect("tempdir");
        let missing = dir.path().join("nope.csv");
        let utf = dir.path().join("utf.csv");
        let mut bytes = format!("{HEADER}\n").into_bytes();
        bytes.extend_from_slice(b"1,1.0,b\xf6oks,2021-01-01,latin-1 not utf-8\n");
        std::fs::write(&utf, bytes).expect("write");
        for v in PolarsVariant::ALL {
            let e = run(v, &missing).expect_err("missing");
            assert_eq!(
                e.to_string(),
                format!("no such file: {}", missing.display())
            );
            let e = run(v, &utf).expect_err("invalid utf-8").to_string();
            assert_eq!(e, "polars: invalid utf-8 sequence", "{}", v.id());
        }
        assert!(
            "polars_nope"
                .parse::<PolarsVariant>()
                .unwrap_err()
                .starts_with("unknown polars variant 'polars_nope' (expected one of: polars_eager")
        );
    }
}
