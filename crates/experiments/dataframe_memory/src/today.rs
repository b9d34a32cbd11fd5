//! The answer to give today about the 2 GB CSV, its figures read from a run's outcome.

use crate::judge::ids;
use pyproof_harness::{Outcome, Verdict};

/// `figure` of variant `v` on the full file: its key is `<v>.file.<figure>`.
fn of(o: &Outcome, v: &str, figure: &str, unit: &str) -> Option<String> {
    o.figure(&format!("{v}.file.{figure}"), unit)
}

/// The sheet's premise against the measured multiple, its three pieces of advice with
/// their memory, and the tools that answer the query without loading the file.
pub fn answer(o: &Outcome) -> Option<String> {
    let multiple = of(o, "pandas_default", "multiple", "×")?;
    let net = of(o, "pandas_default", "net_anon_mib", "MiB")?;
    let secs = of(o, "pandas_default", "work_s", "s")?;
    let file = o
        .parameters
        .get("file")
        .map_or("the file".to_string(), |f| format!("a {f} CSV"));
    let premise = match o.verdict(ids::DEFAULT_MULTIPLE) {
        Some(Verdict::Refuted) => ", not the sheet's 5×",
        Some(Verdict::Confirmed) => ", about the sheet's 5×",
        _ => "",
    };
    let mut s = format!(
        "pandas' default read_csv needed {multiple} the file's size ({net} net for {file}, \
         {secs}){premise}"
    );
    let advice: Vec<String> = [
        ("pandas_chunked", "chunksize"),
        ("pandas_downcast", "float32 + category dtypes"),
        ("pandas_usecols", "usecols (only the two columns needed)"),
    ]
    .iter()
    .filter_map(|(v, what)| of(o, v, "net_anon_mib", "MiB").map(|m| format!("{what} {m}")))
    .collect();
    if !advice.is_empty() {
        s.push_str(&format!(
            "; with the sheet's advice the net peak was {}",
            advice.join(", ")
        ));
    }
    let tools: Vec<String> = [
        ("duckdb_csv", "DuckDB straight from the CSV"),
        ("pypolars_streaming", "polars' streaming engine"),
        ("parquet_duckdb", "DuckDB on a Parquet copy"),
    ]
    .iter()
    .filter_map(|(v, what)| {
        let t = of(o, v, "work_s", "s")?;
        let m = of(o, v, "net_anon_mib", "MiB")?;
        Some(format!("{what} {t} in {m}"))
    })
    .collect();
    if !tools.is_empty() {
        s.push_str(&format!(
            ". Today, don't load what the query doesn't need: {}",
            tools.join(", ")
        ));
    }
    s.push('.');
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use pyproof_harness::testing::made_up_outcome;

    #[test]
    fn the_sentence_carries_the_runs_figures_and_skips_what_did_not_run() {
        let mut o = made_up_outcome(
            &[
                ("pandas_default.file.multiple", 2.4),
                ("pandas_default.file.net_anon_mib", 458.0),
                ("pandas_default.file.work_s", 3.33),
                ("pandas_chunked.file.net_anon_mib", 43.9),
                ("duckdb_csv.file.work_s", 0.6),
                ("duckdb_csv.file.net_anon_mib", 113.0),
                // No memory figure: this tool is left out.
                ("parquet_duckdb.file.work_s", 0.09),
            ],
            &[],
            &[(ids::DEFAULT_MULTIPLE, "2.40×")],
        );
        o.verdicts[0].verdict = Verdict::Refuted;
        o.param("file", "200 MB");
        assert_eq!(
            answer(&o).as_deref(),
            Some(
                "pandas' default read_csv needed 2.40× the file's size (458 MiB net for a 200 MB \
                 CSV, 3.33 s), not the sheet's 5×; with the sheet's advice the net peak was \
                 chunksize 43.9 MiB. Today, don't load what the query doesn't need: DuckDB straight from the \
                 CSV 0.600 s in 113 MiB."
            )
        );
        assert_eq!(answer(&made_up_outcome(&[], &[], &[])), None);
    }
}
