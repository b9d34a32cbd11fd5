//! What runs: the variants (pandas and polars, Rust and Python), the file sizes, and the
//! sizes each scale (or `--csv-size`) chooses.

use crate::{TOLERANCE_F32, TOLERANCE_F64};
use pyproof_harness::{RoundBudget, Scale};
use std::time::Duration;

/// One way of answering the query.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Variant {
    /// `pd.read_csv(path)`.
    PandasDefault,
    /// `pd.read_csv(path, usecols=["category", "price"])`.
    PandasUsecols,
    /// `pd.read_csv(path, dtype={"id": "int32", "price": "float32", "category": "category"})`.
    PandasDowncast,
    /// `pd.read_csv(path, chunksize=N)`, aggregating each chunk.
    PandasChunked,
    /// polars `CsvReader`, inferred types.
    PolarsEager,
    /// polars `CsvReader` with Int32 / Float32 / Categorical.
    PolarsEagerOverrides,
    /// polars `LazyCsvReader` + group-by on the streaming engine.
    PolarsStreaming,
    /// polars `sink_batches`, aggregating each batch.
    PolarsBatches,
    /// Python polars (the PyPI wheel: the same polars source, built by the polars project)
    /// `scan_csv` + group-by on the streaming engine, in a Python process.
    PyPolarsStreaming,
    /// `pd.read_csv(path)` with pyarrow installed: pandas 3 then stores strings in Arrow.
    PandasArrowStrings,
    /// `pd.read_csv(path, engine="pyarrow", dtype_backend="pyarrow")`.
    PandasArrow,
    /// The same with `usecols=["category", "price"]`.
    PandasArrowUsecols,
    /// DuckDB: the group-by in SQL over `read_csv`, default settings.
    DuckdbCsv,
    /// The same under `memory_limit` ([`Plan::memory_limit_mib`]), spilling to disk if it must.
    DuckdbCsvLimited,
    /// pandas `read_parquet(columns=[category, price])` of the converted file.
    ParquetPandas,
    /// Python polars `scan_parquet` + group-by, streaming engine.
    ParquetPolars,
    /// DuckDB's group-by over `read_parquet`.
    ParquetDuckdb,
}

impl Variant {
    /// Every variant, in table order.
    pub const ALL: [Variant; 17] = [
        Variant::PandasDefault,
        Variant::PandasUsecols,
        Variant::PandasDowncast,
        Variant::PandasChunked,
        Variant::PolarsEager,
        Variant::PolarsEagerOverrides,
        Variant::PolarsStreaming,
        Variant::PolarsBatches,
        Variant::PyPolarsStreaming,
        Variant::PandasArrowStrings,
        Variant::PandasArrow,
        Variant::PandasArrowUsecols,
        Variant::DuckdbCsv,
        Variant::DuckdbCsvLimited,
        Variant::ParquetPandas,
        Variant::ParquetPolars,
        Variant::ParquetDuckdb,
    ];

    /// The variants that also run on the half-size file (the growth claims need them).
    pub const GROWTH: [Variant; 6] = [
        Variant::PandasDefault,
        Variant::PandasChunked,
        Variant::PolarsStreaming,
        Variant::PolarsBatches,
        Variant::PyPolarsStreaming,
        Variant::DuckdbCsvLimited,
    ];

    /// The readers of the Parquet file, in table order.
    pub const PARQUET: [Variant; 3] = [
        Variant::ParquetPandas,
        Variant::ParquetPolars,
        Variant::ParquetDuckdb,
    ];

    /// Its id, shared with the workers.
    pub fn id(self) -> &'static str {
        match self {
            Variant::PandasDefault => "pandas_default",
            Variant::PandasUsecols => "pandas_usecols",
            Variant::PandasDowncast => "pandas_downcast",
            Variant::PandasChunked => "pandas_chunked",
            Variant::PolarsEager => "polars_eager",
            Variant::PolarsEagerOverrides => "polars_eager_overrides",
            Variant::PolarsStreaming => "polars_streaming",
            Variant::PolarsBatches => "polars_batches",
            Variant::PyPolarsStreaming => "pypolars_streaming",
            Variant::PandasArrowStrings => "pandas_arrow_strings",
            Variant::PandasArrow => "pandas_arrow",
            Variant::PandasArrowUsecols => "pandas_arrow_usecols",
            Variant::DuckdbCsv => "duckdb_csv",
            Variant::DuckdbCsvLimited => "duckdb_csv_limited",
            Variant::ParquetPandas => "parquet_pandas",
            Variant::ParquetPolars => "parquet_polars",
            Variant::ParquetDuckdb => "parquet_duckdb",
        }
    }

    /// What it runs, for tables.
    pub fn label(self) -> &'static str {
        match self {
            Variant::PandasDefault => "pandas read_csv (defaults)",
            Variant::PandasUsecols => "pandas read_csv usecols=[category, price]",
            Variant::PandasDowncast => "pandas read_csv dtype=int32/float32/category",
            Variant::PandasChunked => "pandas read_csv chunksize=100,000",
            Variant::PolarsEager => "polars CsvReader (inferred)",
            Variant::PolarsEagerOverrides => "polars CsvReader Int32/Float32/Categorical",
            Variant::PolarsStreaming => "polars scan_csv, streaming engine",
            Variant::PolarsBatches => "polars sink_batches",
            Variant::PyPolarsStreaming => "Python polars (PyPI) scan_csv, streaming engine",
            Variant::PandasArrowStrings => "pandas read_csv (defaults), pyarrow installed",
            Variant::PandasArrow => "pandas read_csv engine=pyarrow, Arrow dtypes",
            Variant::PandasArrowUsecols => "pandas read_csv engine=pyarrow, Arrow dtypes, usecols",
            Variant::DuckdbCsv => "DuckDB SQL over read_csv (defaults)",
            Variant::DuckdbCsvLimited => "DuckDB SQL over read_csv, memory_limit",
            Variant::ParquetPandas => "Parquet: pandas read_parquet, 2 columns",
            Variant::ParquetPolars => "Parquet: Python polars scan_parquet, streaming",
            Variant::ParquetDuckdb => "Parquet: DuckDB SQL over read_parquet",
        }
    }

    /// The Python modules beyond pandas, NumPy and polars it imports (import names): when one
    /// is missing from the venv, this variant alone is not run and its claims are Skipped.
    pub fn extra_modules(self) -> &'static [&'static str] {
        match self {
            Variant::PandasArrowStrings | Variant::PandasArrow | Variant::PandasArrowUsecols => {
                &["pyarrow"]
            }
            Variant::DuckdbCsv | Variant::DuckdbCsvLimited => &["duckdb"],
            // The Parquet file is written by DuckDB; pandas reads it through pyarrow.
            Variant::ParquetPandas => &["duckdb", "pyarrow"],
            Variant::ParquetPolars | Variant::ParquetDuckdb => &["duckdb"],
            _ => &[],
        }
    }

    /// Whether it reads the Parquet twin of the CSV.
    pub fn reads_parquet(self) -> bool {
        Variant::PARQUET.contains(&self)
    }

    /// Whether it runs the Rust polars linked into this binary (the others run in Python).
    pub fn is_rust_polars(self) -> bool {
        matches!(
            self,
            Variant::PolarsEager
                | Variant::PolarsEagerOverrides
                | Variant::PolarsStreaming
                | Variant::PolarsBatches
        )
    }

    /// Its answer's tolerance: float32 prices carry seven significant digits.
    pub fn tolerance(self) -> f64 {
        match self {
            Variant::PandasDowncast | Variant::PolarsEagerOverrides => TOLERANCE_F32,
            _ => TOLERANCE_F64,
        }
    }
}

/// Which of the two files a run read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FileSize {
    /// The scale's size (or `--csv-size`).
    Full,
    /// Half of it, for the growth claims.
    Half,
}

impl FileSize {
    pub(crate) fn key(self) -> &'static str {
        match self {
            FileSize::Full => "file",
            FileSize::Half => "half",
        }
    }
}

/// Sizes of one run.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// The main file's size, bytes.
    pub bytes: u64,
    /// Measured rounds; each runs every (variant, file) once, in a rotated order. More are
    /// taken, up to the maximum, while a claim is within noise.
    pub rounds: RoundBudget,
    /// Rows of the per-column memory measurement.
    pub column_rows: u64,
    /// Rows per chunk of `pandas_chunked`.
    pub chunksize: u64,
    /// Deadline of one variant's process.
    pub timeout: Duration,
    /// `duckdb_csv_limited`'s `memory_limit`, MiB: what DuckDB's CSV reader needs for its
    /// buffers on two threads and a little more (below ~100 MiB it stops with "out of
    /// memory" here), and the same at every size: the query's state is one row per category.
    pub memory_limit_mib: u64,
}

impl Plan {
    /// The plan for `scale`, with the file size overridden by `csv_bytes` if given.
    pub fn new(scale: Scale, csv_bytes: Option<u64>) -> Self {
        let (bytes, rounds, column_rows) = match scale {
            Scale::Quick => (20_000_000, RoundBudget::exactly(1), 100_000),
            // Past the minimum a round runs only the claims within noise's variants (a few
            // seconds, not the whole round's ~20), so the maximum can be high enough to settle
            // them (it was 5 while every round ran every variant; 8 until (g)'s DuckDB, whose
            // net peak sits at one of three levels, could project past it from 3 rounds).
            // 2 at least (3 until 2026-12-03: docs/verdicts.md, "Two rounds at least").
            Scale::Default => (200_000_000, RoundBudget { min: 2, max: 12 }, 500_000),
            // Three rounds at 2 GB, four at most: an interval needs rounds, and the run stays
            // near a quarter of an hour.
            Scale::Full => (2_000_000_000, RoundBudget { min: 3, max: 4 }, 1_000_000),
        };
        let bytes = csv_bytes.unwrap_or(bytes);
        Plan {
            bytes,
            rounds,
            column_rows,
            chunksize: 100_000,
            // Generous (pandas reads ~20-50 MB/s here) but bounded: a hung worker ends.
            timeout: Duration::from_secs(120 + bytes / 4_000_000),
            memory_limit_mib: 128,
        }
    }

    /// The half-size file's size.
    pub fn half_bytes(&self) -> u64 {
        (self.bytes / 2).max(1024)
    }
}
