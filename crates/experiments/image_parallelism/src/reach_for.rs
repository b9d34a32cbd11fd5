//! "What to reach for": every way this run made the thumbnail — the decode and the executor
//! chosen together — ranked by images/s against the sheet's answer (Pillow in a process
//! pool at k = cores), from the run's own medians.

use crate::plan::{Config, Executor, Workload};
use crate::stats::Stats;
use pyproof_harness::{Table, format_number, median};

/// The thumbnail's workloads, each a way to make the same half-size blurred JPEG.
const THUMBNAILS: [Workload; 6] = [
    Workload::PillowThumbnail,
    Workload::PillowDraft,
    Workload::PillowReduce,
    Workload::PyvipsThumbnail,
    Workload::RustThumbnail,
    Workload::RustThumbnailScaled,
];

/// What a reader should know about a row.
fn note(config: &Config, sheet: &Config) -> &'static str {
    match (config.workload, config.executor) {
        _ if config == sheet => "the sheet's answer",
        (_, Executor::Dask(_)) => "a cluster on one machine: start-up and memory on top",
        (_, Executor::Threads(_)) => "one process: Pillow and libvips release the GIL",
        (w, _) if w.is_rust() => "Rust, built here",
        _ => "",
    }
}

/// The table, fastest first: images/s, × the sheet's answer, peak memory of the process
/// group, start-up. None when the sheet's answer was not measured.
pub(crate) fn reach_for_table(stats: &Stats, cores: usize) -> Option<Table> {
    let sheet = Config {
        workload: Workload::PillowThumbnail,
        executor: Executor::Processes(cores.max(1)),
    };
    let base = stats.rates.get(&sheet).map(|r| median(r))?;
    let mut rows: Vec<(f64, Vec<String>)> = stats
        .rates
        .iter()
        .filter(|(c, r)| {
            THUMBNAILS.contains(&c.workload)
                && (c.executor == Executor::Sequential || c.executor.k() == cores.max(1))
                && !r.is_empty()
        })
        .map(|(c, r)| {
            let rate = median(r);
            let of = |m: &std::collections::BTreeMap<Config, Vec<f64>>| {
                m.get(c).map_or(f64::NAN, |v| median(v))
            };
            (
                rate,
                vec![
                    c.workload.label().to_string(),
                    c.executor.label(),
                    format_number(rate),
                    format!("{}×", format_number(rate / base.max(1e-9))),
                    format!("{} MiB", format_number(of(&stats.memory))),
                    format!("{} s", format_number(of(&stats.startup))),
                    note(c, &sheet).to_string(),
                ],
            )
        })
        .collect();
    rows.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut table = Table::new(
        format!(
            "What to reach for: every way this run made the thumbnail, fastest first (medians \
             of the rounds; × against the sheet's answer, Pillow in a process pool of {cores})"
        ),
        &[
            "decode / library",
            "executor",
            "images/s",
            "× the sheet's answer",
            "peak memory (group)",
            "start-up",
            "note",
        ],
    );
    for (_, row) in rows {
        table.row(row);
    }
    Some(table)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ways_are_ranked_against_the_sheets_answer() {
        let mut s = Stats {
            rounds: 3,
            ..Stats::default()
        };
        let mut put = |workload, executor, rate: f64| {
            let c = Config { workload, executor };
            s.rates.insert(c, vec![rate; 3]);
            s.memory.insert(c, vec![50.0; 3]);
            s.startup.insert(c, vec![0.25; 3]);
        };
        put(Workload::PillowThumbnail, Executor::Processes(2), 400.0);
        put(Workload::PillowThumbnail, Executor::Processes(4), 900.0);
        put(Workload::PillowDraft, Executor::Threads(2), 600.0);
        put(Workload::PillowThumbnail, Executor::Dask(2), 300.0);
        put(Workload::RustThumbnail, Executor::Rayon(2), 1200.0);
        put(Workload::PythonThreshold, Executor::Processes(2), 100.0);
        let t = reach_for_table(&s, 2).expect("the sheet's answer was measured");
        let firsts: Vec<(&str, &str, &str)> = t
            .rows
            .iter()
            .map(|r| (r[0].as_str(), r[1].as_str(), r[3].as_str()))
            .collect();
        // k = 4 is not k = cores, and the pure-Python threshold is another job: both left out.
        assert_eq!(
            firsts,
            [
                ("Rust thumbnail", "rayon k=2", "3.00×"),
                ("Pillow thumbnail, draft() decode", "threads k=2", "1.50×"),
                ("Pillow thumbnail", "processes k=2", "1.00×"),
                ("Pillow thumbnail", "dask k=2", "0.750×"),
            ]
        );
        assert_eq!(t.rows[2][6], "the sheet's answer");
        assert!(reach_for_table(&Stats::default(), 2).is_none());
    }
}
