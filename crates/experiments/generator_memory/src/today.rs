//! The answer to give today about memory and generators, its figures read from a run's
//! outcome.

use crate::judge::ids;
use pyproof_harness::{Outcome, Verdict, format_bytes};

/// The largest n measured for `pipeline` (`<pipeline>.n<N>.peak_bytes` keys).
fn largest_n(o: &Outcome, pipeline: &str) -> Option<u64> {
    o.numbers_in_keys(&format!("{pipeline}.n"), ".peak_bytes")
        .last()
        .copied()
}

/// Peak memory of `pipeline` at n, in bytes as a reader reads them.
fn peak(o: &Outcome, pipeline: &str, n: u64) -> Option<String> {
    o.median_of(&format!("{pipeline}.n{n}.peak_bytes"))
        .map(|b| format_bytes(b.round() as u64))
}

/// A list against a generator at the largest n, and readlines() against iterating a file.
pub fn answer(o: &Outcome) -> Option<String> {
    let n = largest_n(o, "python.generator")?;
    let generator = peak(o, "python.generator", n)?;
    let list = peak(o, "python.list", n)?;
    let right = if o.verdict(ids::GENERATORS_STAY_FLAT) == Some(Verdict::Confirmed) {
        "Right for a single pass: "
    } else {
        ""
    };
    let mut s = format!(
        "{right}summing {n} items, the generator expression peaked at {generator} and the list \
         at {list}"
    );
    if let Some(lines) = largest_n(o, "python.readlines")
        && let (Some(all), Some(iter)) = (
            peak(o, "python.readlines", lines),
            peak(o, "python.lines", lines),
        )
    {
        s.push_str(&format!(
            "; over a {lines}-line file readlines() peaked at {all}, for line in f at {iter}"
        ));
    }
    // Per build: the same pipelines under every CPython measured.
    if let Some(builds) = o
        .verdicts
        .iter()
        .find(|v| v.claim.id == ids::GENERATORS_STAY_FLAT)
        .map(|v| &v.builds)
        .filter(|b| b.len() > 1)
    {
        let flat = builds.iter().filter(|b| b.holds == Some(true)).count();
        s.push_str(&format!(
            "; the generators stayed flat on {flat} of the {} CPython builds measured",
            builds.len()
        ));
    }
    s.push_str(
        ". Say also that a generator is single-use and gives no len() or indexing — \
         materialise when you need those",
    );
    s.push('.');
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use pyproof_harness::testing::made_up_outcome;

    #[test]
    fn the_sentence_reads_the_largest_n() {
        let o = made_up_outcome(
            &[
                ("python.generator.n1000.peak_bytes", 504.0),
                ("python.generator.n10000000.peak_bytes", 504.0),
                ("python.list.n10000000.peak_bytes", 409_092_616.0),
                ("python.readlines.n1000000.peak_bytes", 97_706_543.0),
                ("python.lines.n1000000.peak_bytes", 22_229.0),
            ],
            &[],
            &[(ids::GENERATORS_STAY_FLAT, "flat")],
        );
        let s = answer(&o).expect("sentence");
        assert!(
            s.starts_with(
                "Right for a single pass: summing 10000000 items, the generator expression \
                 peaked at 504 B and the list at "
            ),
            "{s}"
        );
        assert!(
            s.contains("over a 1000000-line file readlines() peaked at"),
            "{s}"
        );
        assert!(!s.contains("CPython builds"), "{s}");
        assert_eq!(answer(&made_up_outcome(&[], &[], &[])), None);
    }

    #[test]
    fn the_builds_measured_are_counted() {
        let mut o = made_up_outcome(
            &[
                ("python.generator.n1000.peak_bytes", 504.0),
                ("python.list.n1000.peak_bytes", 38_000.0),
            ],
            &[],
            &[(ids::GENERATORS_STAY_FLAT, "flat")],
        );
        o.verdicts[0].builds = ["3.11.7", "3.12.1", "3.13.15t"]
            .iter()
            .enumerate()
            .map(|(i, b)| pyproof_harness::BuildVerdict {
                build: b.to_string(),
                free_threaded: b.ends_with('t'),
                holds: (i < 2).then_some(true),
            })
            .collect();
        let s = answer(&o).expect("sentence");
        assert!(
            s.contains("; the generators stayed flat on 2 of the 3 CPython builds measured."),
            "{s}"
        );
    }
}
