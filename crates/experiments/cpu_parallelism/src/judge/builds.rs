//! Claim (4), pure: the sheet's answer judged on each CPython build measured.

use super::ids;
use crate::{BEAT_THREADS, FT_SINGLE_THREAD};
use pyproof_harness::{
    Case, Judgement, RoundBudget, Verdict, format_number, judge_cases, judge_per_build, median,
    one_core, pairwise_ratios,
};

/// One build's rounds at the largest task size, seconds per round (paired by index).
#[derive(Debug, Clone, PartialEq)]
pub struct BuildCase {
    /// How the evidence names it ("Python 3.13.15 (free-threaded)").
    pub label: String,
    /// The build as the report lists it ("3.13.15t").
    pub build: String,
    /// A free-threaded build running with the GIL off.
    pub free_threaded: bool,
    /// The tasks one after another.
    pub sequential: Vec<f64>,
    /// On the thread pool.
    pub threads: Vec<f64>,
    /// On the process pool.
    pub processes: Vec<f64>,
}

impl BuildCase {
    /// Per round: the thread pool's time over the process pool's (> 1: processes faster).
    pub fn processes_over_threads(&self) -> Vec<f64> {
        pairwise_ratios(&self.threads, &self.processes)
    }

    /// Median speedup of the thread pool over sequential.
    pub fn threads_speedup(&self) -> f64 {
        median(&pairwise_ratios(&self.sequential, &self.threads))
    }

    /// Median speedup of the process pool over sequential.
    pub fn processes_speedup(&self) -> f64 {
        median(&pairwise_ratios(&self.sequential, &self.processes))
    }
}

/// Claim (4): per build, processes over threads on the 95% interval of the paired per-round
/// ratio against [`BEAT_THREADS`] (a tie fails "beats"); each build's verdict kept.
pub fn judge_builds(cases: &[BuildCase], cores: usize) -> Judgement {
    if let Some(j) = one_core(
        ids::EVERY_BUILD,
        cores,
        "no pool can run two tasks at once on any build",
    ) {
        return j;
    }
    if !cases.iter().any(|c| c.free_threaded) {
        return Judgement::new(
            ids::EVERY_BUILD,
            Verdict::Inconclusive,
            "no free-threaded CPython was found, so every build measured would be a GIL build \
             like the main run's: `cargo run --release -- pythons --build 3.13t` builds one \
             into ~/.cache/pyproof and the next run measures it",
        );
    }
    let judged: Vec<(String, bool, Case)> = cases
        .iter()
        .map(|c| {
            let case = BEAT_THREADS.case(
                c.label.clone(),
                "thread pool time ÷ process pool time",
                &c.processes_over_threads(),
                "×",
            );
            let case = Case::judged(
                case.label,
                case.standing,
                format!(
                    "{} (over sequential: threads {}×, processes {}×)",
                    case.detail,
                    format_number(c.threads_speedup()),
                    format_number(c.processes_speedup())
                ),
            );
            (c.build.clone(), c.free_threaded, case)
        })
        .collect();
    judge_per_build(ids::EVERY_BUILD, judged)
}

/// Past the minimum, which builds take another round: a build whose claim (4) case is
/// within noise and could leave it within `budget`'s maximum, and both builds of a claim (5)
/// pair within noise likewise (their rounds are paired by index) — never a build that has
/// taken the maximum. The builds already decided wait: a round of all four builds costs
/// about four times one build's, and only the undecided one's interval moves.
pub fn builds_wanting_rounds(cases: &[BuildCase], budget: &RoundBudget) -> Vec<bool> {
    let undecided = |c: &Case| budget.wants_more_of(c);
    let mut want: Vec<bool> = cases
        .iter()
        .map(|c| undecided(&BEAT_THREADS.case("", "", &c.processes_over_threads(), "×")))
        .collect();
    for (i, ft) in cases.iter().enumerate() {
        let Some(gil) = gil_twin(ft, cases) else {
            continue;
        };
        let pair = FT_SINGLE_THREAD.case("", "", &single_thread_cost(ft, gil), "×");
        if undecided(&pair) {
            want[i] = true;
            if let Some(j) = cases.iter().position(|c| std::ptr::eq(c, gil)) {
                want[j] = true;
            }
        }
    }
    for (w, c) in want.iter_mut().zip(cases) {
        *w &= c.threads.len() < budget.max;
    }
    want
}

/// "3.13" of "3.13.15t".
fn minor(build: &str) -> &str {
    let version = build.trim_end_matches('t');
    version.rsplit_once('.').map_or(version, |(m, _)| m)
}

/// The GIL build of the same minor version measured beside `ft`, when `ft` is a
/// free-threaded build running with the GIL off.
pub fn gil_twin<'a>(ft: &BuildCase, cases: &'a [BuildCase]) -> Option<&'a BuildCase> {
    if !ft.free_threaded {
        return None;
    }
    cases.iter().find(|g| {
        !g.free_threaded && !g.build.ends_with('t') && minor(&g.build) == minor(&ft.build)
    })
}

/// Per round: the free-threaded build's sequential time over its GIL twin's.
pub fn single_thread_cost(ft: &BuildCase, gil: &BuildCase) -> Vec<f64> {
    pairwise_ratios(&ft.sequential, &gil.sequential)
}

/// Claim (5): each free-threaded build (GIL off) against the GIL build of the same minor
/// version measured beside it, on the paired per-round ratio of their sequential times
/// against [`FT_SINGLE_THREAD`]; Inconclusive with no such pair.
pub fn judge_single_thread(cases: &[BuildCase]) -> Judgement {
    let judged: Vec<Case> = cases
        .iter()
        .filter_map(|ft| {
            let gil = gil_twin(ft, cases)?;
            Some(FT_SINGLE_THREAD.case(
                format!("{} vs {}", ft.label, gil.label),
                "sequential time, free-threaded ÷ GIL",
                &single_thread_cost(ft, gil),
                "×",
            ))
        })
        .collect();
    if judged.is_empty() {
        return Judgement::new(
            ids::SINGLE_THREAD_COST,
            Verdict::Inconclusive,
            "no free-threaded build was measured beside a GIL build of the same version \
             (`cargo run --release -- pythons --build 3.13t` builds both)",
        );
    }
    judge_cases(ids::SINGLE_THREAD_COST, &judged)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(build: &str, free: bool, threads_s: f64, processes_s: f64) -> BuildCase {
        let spread = |x: f64| vec![x * 0.99, x, x * 1.01, x];
        BuildCase {
            label: format!("Python {build}"),
            build: build.to_string(),
            free_threaded: free,
            sequential: spread(1.0),
            threads: spread(threads_s),
            processes: spread(processes_s),
        }
    }

    #[test]
    fn processes_beat_threads_on_the_gil_build_and_tie_on_the_free_threaded_one() {
        let j = judge_builds(
            &[
                case("3.13.15", false, 1.0, 0.55),
                case("3.13.15t", true, 0.53, 0.55),
            ],
            2,
        );
        assert_eq!(j.verdict, Verdict::Nuanced, "{}", j.evidence);
        let held: Vec<(&str, Option<bool>)> = j
            .builds
            .iter()
            .map(|b| (b.build.as_str(), b.holds))
            .collect();
        assert_eq!(held, [("3.13.15", Some(true)), ("3.13.15t", Some(false))]);
        assert!(
            j.evidence
                .contains("(over sequential: threads 1.89×, processes 1.82×)"),
            "{}",
            j.evidence
        );
        // Both builds behind processes: the sheet holds on both.
        let j = judge_builds(
            &[
                case("3.13.15", false, 1.0, 0.55),
                case("3.13.15t", true, 1.0, 0.6),
            ],
            2,
        );
        assert_eq!(j.verdict, Verdict::Confirmed);
    }

    #[test]
    fn without_a_free_threaded_build_or_a_second_core_nothing_is_decided() {
        let j = judge_builds(&[case("3.11.7", false, 1.0, 0.55)], 2);
        assert_eq!(j.verdict, Verdict::Inconclusive);
        assert!(
            j.evidence.contains("pythons --build 3.13t"),
            "{}",
            j.evidence
        );
        assert!(j.builds.is_empty());
        let j = judge_builds(&[case("3.13.15t", true, 0.5, 0.55)], 1);
        assert_eq!(j.verdict, Verdict::Inconclusive);
        assert_eq!(judge_builds(&[], 2).verdict, Verdict::Inconclusive);
    }

    #[test]
    fn only_the_undecided_builds_take_more_rounds() {
        let budget = RoundBudget { min: 3, max: 10 };
        let gil = case("3.13.15", false, 1.0, 0.55);
        let mut ft = case("3.13.15t", true, 0.55, 0.55);
        // Decided: the GIL build beats threads, the free-threaded one ties.
        assert_eq!(
            builds_wanting_rounds(&[gil.clone(), ft.clone()], &budget),
            [false, false]
        );
        // The free-threaded ratio straddles the bar (0.98–1.20, four rounds): it alone
        // goes on.
        ft.threads = vec![0.54, 0.56, 0.55, 0.66];
        let other = case("3.14.10", false, 1.0, 0.5);
        assert_eq!(
            builds_wanting_rounds(&[gil.clone(), ft.clone(), other.clone()], &budget),
            [false, true, false]
        );
        // At the maximum it stops.
        let mut full = ft.clone();
        for v in [&mut full.threads, &mut full.processes, &mut full.sequential] {
            *v = v.iter().cycle().take(10).copied().collect();
        }
        assert_eq!(
            builds_wanting_rounds(&[gil.clone(), full], &budget),
            [false, false]
        );
        // Claim (5)'s pair within noise (1.10–1.20 against 1.15): both builds go on.
        let mut slow = case("3.13.15t", true, 0.55, 0.55);
        slow.sequential = vec![1.10, 1.20, 1.12, 1.18];
        assert_eq!(
            builds_wanting_rounds(&[gil, slow, other], &budget),
            [true, true, false]
        );
    }

    #[test]
    fn a_noisy_build_is_not_decided() {
        let mut noisy = case("3.13.15t", true, 0.55, 0.55);
        noisy.threads = vec![0.4, 0.8, 0.45, 0.75];
        let j = judge_builds(&[case("3.13.15", false, 1.0, 0.55), noisy], 2);
        assert_eq!(j.builds[1].holds, None, "{}", j.evidence);
    }

    #[test]
    fn the_single_thread_cost_pairs_each_free_threaded_build_with_its_twin() {
        let with_sequential = |build: &str, free: bool, seq: f64| BuildCase {
            sequential: vec![seq * 0.99, seq, seq * 1.01, seq],
            ..case(build, free, 1.0, 0.5)
        };
        let gil = with_sequential("3.13.15", false, 1.0);
        let j = |ft_seq: f64| {
            judge_single_thread(&[gil.clone(), with_sequential("3.13.15t", true, ft_seq)])
        };
        assert_eq!(j(1.05).verdict, Verdict::Confirmed);
        let slow = j(1.40);
        assert_eq!(slow.verdict, Verdict::Refuted);
        assert!(
            slow.evidence
                .contains("Python 3.13.15t vs Python 3.13.15: sequential time"),
            "{}",
            slow.evidence
        );
        // Across the bar: within noise, so Inconclusive.
        let noisy = judge_single_thread(&[
            gil.clone(),
            BuildCase {
                sequential: vec![1.0, 1.3, 1.05, 1.25],
                ..with_sequential("3.13.15t", true, 1.0)
            },
        ]);
        assert_eq!(noisy.verdict, Verdict::Inconclusive, "{}", noisy.evidence);
        // Another minor version is no twin; no pair is Inconclusive.
        let other = with_sequential("3.12.1", false, 1.0);
        let lone = judge_single_thread(&[other, with_sequential("3.13.15t", true, 1.4)]);
        assert_eq!(lone.verdict, Verdict::Inconclusive);
        assert!(
            lone.evidence.starts_with("no free-threaded build"),
            "{}",
            lone.evidence
        );
        assert_eq!(minor("3.13.15t"), "3.13");
    }
}
