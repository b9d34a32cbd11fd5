//! What each build costs, reported beside claims (i) and (j): every interpreter's default
//! multiprocessing start method and a cold process pool's start, and each free-threaded
//! build's single-thread time and memory against the GIL build of the same version, set
//! against PEP 779's bars (the acceptance bars that made the free-threaded build supported in
//! 3.14: at most 15% slower on one thread and 20% more memory than the GIL build).

use crate::interpreters::Measured;
use pyproof_harness::{Outcome, Summary, Table, format_number};

/// PEP 779's bar on the free-threaded build's single-thread slowdown.
pub const PEP779_TIME: f64 = 1.15;
/// PEP 779's bar on its memory.
pub const PEP779_MEMORY: f64 = 1.20;

/// The GIL build to compare a free-threaded one with: the same `major.minor.micro` when
/// there is one (a build from the same source), else the newest of the same `major.minor`.
pub fn gil_twin<'a>(ft: &Measured, all: &'a [Measured]) -> Option<&'a Measured> {
    let minor = |v: &str| v.rsplit_once('.').map(|(mm, _)| mm.to_string());
    let gil: Vec<&Measured> = all.iter().filter(|m| !m.facts.free_threaded).collect();
    gil.iter()
        .find(|m| m.facts.version == ft.facts.version)
        .or_else(|| {
            gil.iter()
                .filter(|m| minor(&m.facts.version) == minor(&ft.facts.version))
                .max_by_key(|m| {
                    m.facts
                        .version
                        .rsplit_once('.')
                        .and_then(|(_, micro)| micro.parse::<u32>().ok())
                })
        })
        .copied()
}

/// Adds the start-method table and, when a free-threaded build was measured, its costs.
pub(crate) fn builds_part(outcome: &mut Outcome, measured: &[Measured]) {
    let mut pools = Table::new(
        "Per interpreter: the default multiprocessing start method (fork on Linux until 3.13, \
         forkserver from 3.14), a cold pool of 2 processes from start to shutdown with one task \
         each, and the workload process's peak anonymous memory",
        &[
            "interpreter",
            "version",
            "build",
            "start method",
            "cold pool of 2",
            "peak memory",
        ],
    );
    for m in measured {
        let (method, cold) = match &m.pools {
            Some(p) => (
                p.start_method.clone(),
                Summary::of(&p.seconds).describe("s"),
            ),
            None => ("—".to_string(), "—".to_string()),
        };
        pools.row(vec![
            m.candidate.path.display().to_string(),
            m.facts.version.clone(),
            m.facts.build_label().to_string(),
            method,
            cold,
            format!("{} MiB", format_number(m.peak_anon_kib as f64 / 1024.0)),
        ]);
    }
    outcome.tables.push(pools);

    let mut costs = Table::new(
        format!(
            "The free-threaded build's cost, against the GIL build of the same version: \
             single-thread time of the same loop and peak memory of the same workload, beside \
             the bars PEP 779 accepted the build at for 3.14 (≤ {}× time, ≤ {}× memory). \
             Reported, not judged: the two interpreters run one after the other, not \
             interleaved, so the time ratio carries their run-to-run noise (the IQRs show it)",
            format_number(PEP779_TIME),
            format_number(PEP779_MEMORY)
        ),
        &[
            "free-threaded",
            "GIL build",
            "one thread",
            "time ÷ GIL",
            "peak memory ÷ GIL",
        ],
    );
    for ft in measured.iter().filter(|m| m.facts.free_threaded) {
        let Some(gil) = gil_twin(ft, measured) else {
            outcome.notes.push(format!(
                "Free-threaded Python {} has no GIL build of the same version on this machine \
                 to compare with (`pyproof pythons --build {}` builds one).",
                ft.facts.version,
                ft.facts
                    .version
                    .rsplit_once('.')
                    .map_or(ft.facts.version.as_str(), |(mm, _)| mm)
            ));
            continue;
        };
        let time = Summary::of(&ft.one_s).median / Summary::of(&gil.one_s).median;
        let memory = ft.peak_anon_kib as f64 / gil.peak_anon_kib.max(1) as f64;
        let versus =
            |x: f64, bar: f64| format!("{}× (bar {}×)", format_number(x), format_number(bar));
        costs.row(vec![
            format!("Python {}", ft.facts.version),
            format!("Python {}", gil.facts.version),
            format!(
                "{} vs {}",
                Summary::of(&ft.one_s).describe("s"),
                Summary::of(&gil.one_s).describe("s")
            ),
            versus(time, PEP779_TIME),
            versus(memory, PEP779_MEMORY),
        ]);
    }
    if !costs.rows.is_empty() {
        outcome.tables.push(costs);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interpreters::Facts;
    use pyproof_python::pythons::{Candidate, Source};

    fn m(version: &str, free_threaded: bool) -> Measured {
        Measured {
            candidate: Candidate {
                path: format!("/py/{version}").into(),
                source: Source::Pyenv,
            },
            facts: Facts {
                version: version.to_string(),
                implementation: "cpython".into(),
                free_threaded,
                gil_enabled: !free_threaded,
                executable: String::new(),
            },
            one_s: vec![1.0],
            speedups: Vec::new(),
            race: None,
            pools: None,
            peak_anon_kib: 1024,
        }
    }

    #[test]
    fn the_twin_is_the_same_version_else_the_newest_of_the_minor() {
        let all = [
            m("3.13.0", false),
            m("3.13.15", false),
            m("3.13.15", true),
            m("3.14.2", true),
            m("3.12.9", false),
        ];
        let twin = |i: usize| gil_twin(&all[i], &all).map(|t| t.facts.version.as_str());
        assert_eq!(twin(2), Some("3.13.15"), "built from the same source");
        assert_eq!(twin(3), None, "no GIL 3.14 here");
        let fewer = [m("3.13.0", false), m("3.13.4", false), m("3.13.15", true)];
        assert_eq!(
            gil_twin(&fewer[2], &fewer).map(|t| t.facts.version.as_str()),
            Some("3.13.4")
        );
    }
}
