//! The option dataframe_memory declares: `--csv-size SIZE`, the generated CSV's size instead
//! of the scale's.

use pyproof_harness::{Options, Parsed, RunOption};
use std::sync::Arc;

/// `--csv-size SIZE`: the size of the generated CSV file (e.g. 2GB, 500MB, 64MiB).
pub struct CsvSize;

impl CsvSize {
    /// The size given, bytes.
    pub fn value(options: &Options) -> Option<u64> {
        options.one::<u64>(&CsvSize).copied()
    }
}

impl RunOption for CsvSize {
    fn name(&self) -> &'static str {
        "csv-size"
    }
    fn value_name(&self) -> &'static str {
        "SIZE"
    }
    fn help(&self) -> &'static str {
        "Size of the generated CSV for dataframe_memory instead of the scale's (e.g. 2GB, 500MB, 64MiB)"
    }
    fn parse(&self, value: &str) -> Result<Parsed, String> {
        Ok(Arc::new(pyproof_harness::parse_bytes(value)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_bytes() {
        let mut o = Options::new();
        assert_eq!(CsvSize::value(&o), None);
        o.set(&CsvSize, "2GB").expect("valid");
        assert_eq!(CsvSize::value(&o), Some(2_000_000_000));
        assert!(Options::new().set(&CsvSize, "-1MB").is_err());
    }
}
