//! The strict reader of the generated CSV: the exact answer every variant is checked against,
//! with malformed rows counted by kind, and the ragged rows (extra fields) found up front.

use crate::data::{Answer, Group, HEADER};
use pyproof_harness::ExperimentError;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::Path;

/// Why a row is set aside. Every variant follows the same policy: a row with more fields than
/// the header is skipped (pandas' `on_bad_lines`), a row with fewer has the missing fields
/// empty (pandas and polars both), and a row counts when it has a category and a numeric
/// price.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BadRow {
    /// Not valid UTF-8 (pandas and polars both stop at such a file).
    BadUtf8,
    /// More fields than the header.
    TooManyFields,
    /// `price` is missing or not a number.
    BadPrice,
    /// `category` is missing or empty.
    NoCategory,
}

impl BadRow {
    /// The reason as the variants report it.
    pub fn reason(self) -> &'static str {
        match self {
            BadRow::BadUtf8 => "invalid utf-8",
            BadRow::TooManyFields => "too many fields",
            BadRow::BadPrice => "no numeric price",
            BadRow::NoCategory => "no category",
        }
    }
}

/// What the strict reader found in a file.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Scan {
    /// The answer over the well-formed rows.
    pub answer: Answer,
    /// Malformed rows by reason.
    pub bad: BTreeMap<BadRow, u64>,
}

impl Scan {
    /// Malformed rows in all.
    pub fn bad_rows(&self) -> u64 {
        self.bad.values().sum()
    }

    /// The rows set aside, keyed by the reasons the variants report.
    pub fn skipped(&self) -> BTreeMap<String, u64> {
        self.bad
            .iter()
            .map(|(k, &n)| (k.reason().to_string(), n))
            .collect()
    }
}

/// Splits one CSV line into fields (RFC 4180 quotes, no embedded newlines).
pub fn split_fields(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', true) => quoted = false,
            ('"', false) if field.is_empty() => quoted = true,
            (',', false) => fields.push(std::mem::take(&mut field)),
            (c, _) => field.push(c),
        }
    }
    fields.push(field);
    fields
}

/// Reads `path` by the policy of [`BadRow`]: the header must be [`HEADER`]; a row counts if
/// it is UTF-8, has at most five fields, a numeric price and a category. Returns the answer
/// over those rows and the others counted by reason. A missing or empty file is an error.
pub fn scan(path: &Path) -> Result<Scan, ExperimentError> {
    let file = std::fs::File::open(path)
        .map_err(|e| ExperimentError::io(format!("opening {}", path.display()), e))?;
    let mut reader = BufReader::with_capacity(1 << 20, file);
    let mut line = Vec::new();
    let read = |reader: &mut BufReader<std::fs::File>, line: &mut Vec<u8>| {
        line.clear();
        reader
            .read_until(b'\n', line)
            .map_err(|e| ExperimentError::io(format!("reading {}", path.display()), e))
    };
    if read(&mut reader, &mut line)? == 0 {
        return Err(ExperimentError::Input(format!(
            "{} is empty (expected the header '{HEADER}')",
            path.display()
        )));
    }
    let header = String::from_utf8_lossy(&line);
    if header.trim_end() != HEADER {
        return Err(ExperimentError::Input(format!(
            "{}: header is '{}', expected '{HEADER}'",
            path.display(),
            header.trim_end()
        )));
    }
    let mut scan = Scan::default();
    let mut sums: BTreeMap<String, (u64, f64, f64)> = BTreeMap::new();
    while read(&mut reader, &mut line)? > 0 {
        let Ok(text) = std::str::from_utf8(&line) else {
            *scan.bad.entry(BadRow::BadUtf8).or_default() += 1;
            continue;
        };
        let text = text.trim_end_matches(['\n', '\r']);
        if text.is_empty() {
            continue;
        }
        let fields = split_fields(text);
        if fields.len() > 5 {
            *scan.bad.entry(BadRow::TooManyFields).or_default() += 1;
            continue;
        }
        let category = fields.get(2).map(String::as_str).unwrap_or("");
        if category.is_empty() {
            *scan.bad.entry(BadRow::NoCategory).or_default() += 1;
            continue;
        }
        let price = fields.get(1).and_then(|p| p.trim().parse::<f64>().ok());
        let Some(price) = price.filter(|p| p.is_finite()) else {
            *scan.bad.entry(BadRow::BadPrice).or_default() += 1;
            continue;
        };
        // Neumaier-compensated sums: the reference must not drift over 26 million rows.
        let (count, sum, comp) = sums.entry(category.to_string()).or_insert((0, 0.0, 0.0));
        *count += 1;
        let t = *sum + price;
        *comp += if sum.abs() >= price.abs() {
            (*sum - t) + price
        } else {
            (price - t) + *sum
        };
        *sum = t;
    }
    for (name, (count, sum, comp)) in sums {
        let sum = sum + comp;
        scan.answer.rows += count;
        scan.answer.groups.insert(
            name,
            Group {
                count,
                sum,
                mean: sum / count as f64,
            },
        );
    }
    Ok(scan)
}

/// A row with more fields than the header, as a reader that truncates it would have read it.
#[derive(Debug, Clone, PartialEq)]
pub struct RaggedRow {
    /// Its third field (the category), empty when missing.
    pub category: String,
    /// Its second field parsed as a number, when it is one.
    pub price: Option<f64>,
}

/// Finds every row of `path` with more than five fields, fast: a byte scan that splits only
/// those rows. polars' lazy CSV scan keeps such rows, truncated, without a word
/// (pola-rs/polars#21094); this is how its variants learn of them and set them aside.
pub fn find_ragged(path: &Path) -> Result<Vec<RaggedRow>, ExperimentError> {
    let file = std::fs::File::open(path)
        .map_err(|e| ExperimentError::io(format!("opening {}", path.display()), e))?;
    let mut reader = BufReader::with_capacity(1 << 22, file);
    let mut line = Vec::with_capacity(256);
    let mut first = true;
    let mut ragged = Vec::new();
    loop {
        line.clear();
        let n = reader
            .read_until(b'\n', &mut line)
            .map_err(|e| ExperimentError::io(format!("reading {}", path.display()), e))?;
        if n == 0 {
            break;
        }
        if std::mem::take(&mut first) {
            continue; // the header
        }
        let commas = if line.contains(&b'"') {
            let mut quoted = false;
            let mut commas = 0;
            for &b in &line {
                match b {
                    b'"' => quoted = !quoted,
                    b',' if !quoted => commas += 1,
                    _ => {}
                }
            }
            commas
        } else {
            line.iter().filter(|&&b| b == b',').count()
        };
        if commas > 4 {
            let text = String::from_utf8_lossy(&line);
            let fields = split_fields(text.trim_end_matches(['\n', '\r']));
            ragged.push(RaggedRow {
                category: fields.get(2).cloned().unwrap_or_default(),
                price: fields.get(1).and_then(|p| p.trim().parse().ok()),
            });
        }
    }
    Ok(ragged)
}
