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
}

impl Variant {
    /// Every variant, in table order.
    pub const ALL: [Variant; 9] = [
        Variant::PandasDefault,
        Variant::PandasUsecols,
        Variant::PandasDowncast,
        Variant::PandasChunked,
        Variant::PolarsEager,
        Variant::PolarsEagerOverrides,
        Variant::PolarsStreaming,
        Variant::PolarsBatches,
        Variant::PyPolarsStreaming,
    ];

    /// The variants that also run on the half-size file (the growth claims need them).
    pub const GROWTH: [Variant; 5] = [
        Variant::PandasDefault,
        Variant::PandasChunked,
        Variant::PolarsStreaming,
        Variant::PolarsBatches,
        Variant::PyPolarsStreaming,
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
        }
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
}

impl Plan {
    /// The plan for `scale`, with the file size overridden by `csv_bytes` if given.
    pub fn new(scale: Scale, csv_bytes: Option<u64>) -> Self {
        let (bytes, rounds, column_rows) = match scale {
            Scale::Quick => (20_000_000, RoundBudget::exactly(2), 100_000),
            Scale::Default => (200_000_000, RoundBudget { min: 3, max: 5 }, 500_000),
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
        }
    }

    /// The half-size file's size.
    pub fn half_bytes(&self) -> u64 {
        (self.bytes / 2).max(1024)
    }
}
