//! The verdict rules of cpu_parallelism: pure functions over the speedups per task size.

use crate::{BEAT_THREADS, BEST, MAX_ROUND_TRIPS, THREADS_FLAT};
use pyproof_harness::{
    Case, Judgement, RoundBudget, Verdict, format_number, judge_cases, median, one_core,
    pairwise_ratios,
};
use std::collections::BTreeMap;

/// The claims' ids, declared once: `claims()` declares them, the judges judge them.
pub mod ids {
    /// Claim (1).
    pub const MULTIPROCESSING_BEST: &str = "multiprocessing_best";
    /// Claim (2).
    pub const THREADS_NO_SPEEDUP: &str = "threads_no_speedup";
    /// Claim (3).
    pub const CHUNKSIZE_MOVES_CROSSOVER: &str = "chunksize_moves_crossover";
    /// Claim (4): the sheet's answer on each build (free-threaded ones and their GIL twins).
    pub const EVERY_BUILD: &str = "every_build";
    /// Claim (5): PEP 779's single-thread bar, free-threaded against its GIL twin.
    pub const SINGLE_THREAD_COST: &str = "single_thread_cost";
    /// The claims judged over the main run's speedups ([`super::judge`]), in the order
    /// declared; (4) and (5) are judged over the builds ([`super::judge_builds`],
    /// [`super::judge_single_thread`]).
    pub const ALL: [&str; 3] = [
        MULTIPROCESSING_BEST,
        THREADS_NO_SPEEDUP,
        CHUNKSIZE_MOVES_CROSSOVER,
    ];
}

mod builds;
pub use builds::{
    BuildCase, builds_wanting_rounds, gil_twin, judge_builds, judge_single_thread,
    single_thread_cost,
};

/// Speedups over sequential, every round, by (executor, task size in µs as bits): executors
/// `threads`, `processes:1` (chunksize 1), `processes:auto` (four chunks per worker).
pub type Speedups = BTreeMap<(&'static str, u64), Vec<f64>>;

/// Where the speedup of a pool crosses 1 as tasks grow.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Crossover {
    /// Faster than sequential at every size measured.
    BelowSmallest(f64),
    /// Slower below, faster from here on: (largest slower size, smallest faster size,
    /// log-interpolated size where the speedup is 1).
    Between(f64, f64, f64),
    /// Never faster than sequential.
    AboveLargest(f64),
}

impl Crossover {
    /// The crossover as a size in µs (the interpolated one, or the bound).
    pub fn size_us(&self) -> f64 {
        match *self {
            Crossover::BelowSmallest(s) | Crossover::AboveLargest(s) => s,
            Crossover::Between(_, _, at) => at,
        }
    }

    /// In words.
    pub fn describe(&self) -> String {
        match *self {
            Crossover::BelowSmallest(s) => format!("below {} (faster at every size)", us(s)),
            Crossover::Between(lo, hi, at) => {
                format!("≈ {} (between {} and {})", us(at), us(lo), us(hi))
            }
            Crossover::AboveLargest(s) => format!("above {} (never faster)", us(s)),
        }
    }
}

/// A task size in words: µs below a millisecond, ms above.
pub fn us(x: f64) -> String {
    if x >= 1000.0 {
        format!("{} ms", format_number(x / 1000.0))
    } else {
        format!("{} µs", format_number(x))
    }
}

/// The crossover of a speedup curve given as (size, speedup) sorted by size: the smallest
/// size from which the pool stays faster than sequential.
pub fn crossover(curve: &[(f64, f64)]) -> Option<Crossover> {
    let (first, last) = (curve.first()?, curve.last()?);
    // The last size at which the pool was not faster.
    let Some(i) = curve.iter().rposition(|&(_, s)| s < 1.0) else {
        return Some(Crossover::BelowSmallest(first.0));
    };
    if i + 1 == curve.len() {
        return Some(Crossover::AboveLargest(last.0));
    }
    let ((x0, y0), (x1, y1)) = (curve[i], curve[i + 1]);
    // Interpolate where the speedup reaches 1, linearly in log(size).
    let t = ((1.0 - y0) / (y1 - y0)).clamp(0.0, 1.0);
    let at = (x0.ln() + t * (x1.ln() - x0.ln())).exp();
    Some(Crossover::Between(x0, x1, at))
}

/// Whether crossover `lower` lies below crossover `upper`: compared at their interpolated
/// sizes when both lie between two sizes run; otherwise by the ranges the sizes run allow
/// (below the smallest size: anywhere under it; above the largest: anywhere over it).
/// Confirmed when certainly below, Refuted when certainly not, Inconclusive when the ranges
/// overlap.
pub fn order(lower: Crossover, upper: Crossover) -> Verdict {
    let range = |c: Crossover| match c {
        Crossover::BelowSmallest(s) => (0.0, s),
        Crossover::Between(lo, hi, _) => (lo, hi),
        Crossover::AboveLargest(s) => (s, f64::INFINITY),
    };
    match (lower, upper) {
        (Crossover::Between(_, _, a), Crossover::Between(_, _, b)) => {
            if a < b {
                Verdict::Confirmed
            } else {
                Verdict::Refuted
            }
        }
        _ => {
            let ((_, l_hi), (u_lo, _)) = (range(lower), range(upper));
            let ((l_lo, _), (_, u_hi)) = (range(lower), range(upper));
            if l_hi <= u_lo {
                Verdict::Confirmed
            } else if l_lo >= u_hi {
                Verdict::Refuted
            } else {
                Verdict::Inconclusive
            }
        }
    }
}

/// The three claims over the speedups: (1) a process pool is best at every size, (2) threads
/// give no speedup, (3) bigger chunks move the crossover down.
pub fn judge(
    sizes_us: &[f64],
    speedups: &Speedups,
    cross_one: Option<Crossover>,
    cross_auto: Option<Crossover>,
    cores: usize,
) -> Vec<Judgement> {
    let mut judgements = Vec::new();
    let why = "no pool can run two tasks at once";
    if cores < 2 {
        return ids::ALL
            .iter()
            .filter_map(|id| one_core(id, cores, why))
            .collect();
    }

    let cases: Vec<Case> = best_cases(sizes_us, speedups)
        .into_iter()
        .map(|(_, c)| c)
        .collect();
    let mut j = judge_cases(ids::MULTIPROCESSING_BEST, &cases);
    if let Some(c) = cross_auto {
        j.evidence.push_str(&format!(
            "; crossover (4 chunks per worker) {}",
            c.describe()
        ));
    }
    if let Some(c) = cross_one {
        j.evidence
            .push_str(&format!("; crossover (chunksize 1) {}", c.describe()));
    }
    judgements.push(j);

    // (2) threads.
    let cases: Vec<Case> = threads_cases(sizes_us, speedups)
        .into_iter()
        .map(|(_, c)| c)
        .collect();
    judgements.push(judge_cases(ids::THREADS_NO_SPEEDUP, &cases));

    // (3) chunksize moves the crossover.
    let verdict = match (cross_one, cross_auto) {
        (Some(one), Some(auto)) => order(auto, one),
        _ => Verdict::Inconclusive,
    };
    let describe = |c: Option<Crossover>| c.map_or("—".to_string(), |c| c.describe());
    judgements.push(Judgement::new(
        ids::CHUNKSIZE_MOVES_CROSSOVER,
        verdict,
        format!(
            "crossover with 4 chunks per worker {}; with chunksize 1 {}{}",
            describe(cross_auto),
            describe(cross_one),
            if verdict == Verdict::Inconclusive {
                " — the sizes run cannot order the two"
            } else {
                ""
            }
        ),
    ));
    judgements
}

/// Claim (1)'s cases with the task size each reads: per size, the better process pool (by
/// median) against sequential and, where the thread pool ran, against threads — each on the
/// 95% interval of its per-round figures; then per size the same pool run once (a cold
/// pool's start and shutdown in its time).
fn best_cases(sizes_us: &[f64], speedups: &Speedups) -> Vec<(f64, Case)> {
    let warm = sizes_us.iter().filter_map(|&s| {
        let pool = |ex: &'static str| speedups.get(&(ex, s.to_bits()));
        let best = [pool("processes:1"), pool("processes:auto")]
            .into_iter()
            .flatten()
            .max_by(|a, b| median(a).total_cmp(&median(b)))?;
        let fast = BEST.case("", "processes", best, "×");
        let Some(threads) = pool("threads") else {
            let detail = format!(
                "{} (threads not run: over {MAX_ROUND_TRIPS} round trips)",
                fast.detail
            );
            return Some((
                s,
                Case {
                    label: us(s),
                    detail,
                    ..fast
                },
            ));
        };
        let beats = BEAT_THREADS.case("", "vs threads", &pairwise_ratios(best, threads), "×");
        let detail = format!("{}; {}", fast.detail, beats.detail);
        let case = Case::both(us(s), &fast, &beats, detail);
        Some((s, case))
    });
    let once = sizes_us.iter().filter_map(|&s| {
        let once = speedups.get(&("processes:cold", s.to_bits()))?;
        Some((
            s,
            BEST.case(
                format!("{}, run once", us(s)),
                "processes with the pool's start",
                once,
                "×",
            ),
        ))
    });
    warm.chain(once).collect()
}

/// Claim (2)'s cases with the task size each reads: the thread pool's speedup at each size
/// it ran.
fn threads_cases(sizes_us: &[f64], speedups: &Speedups) -> Vec<(f64, Case)> {
    sizes_us
        .iter()
        .filter_map(|&s| {
            let sp = speedups.get(&("threads", s.to_bits()))?;
            Some((s, THREADS_FLAT.case(us(s), "", sp, "×")))
        })
        .collect()
}

/// Past the budget's minimum, the task sizes the next round runs: the sizes of the cases
/// within noise of claims (1) and (2), when that claim is itself within noise and could leave
/// it within `budget` ([`RoundBudget::wants_more`]). A Nuanced claim's case within noise
/// cannot move its verdict (some sizes hold, some fail either way), and claim (3) is judged
/// on medians, never within noise: neither earns a round. Empty when no round is wanted.
pub fn sizes_wanting_rounds(
    sizes_us: &[f64],
    speedups: &Speedups,
    budget: &RoundBudget,
) -> Vec<f64> {
    let mut wanted: Vec<f64> = Vec::new();
    for (id, cases) in [
        (ids::MULTIPROCESSING_BEST, best_cases(sizes_us, speedups)),
        (ids::THREADS_NO_SPEEDUP, threads_cases(sizes_us, speedups)),
    ] {
        let judged: Vec<Case> = cases.iter().map(|(_, c)| c.clone()).collect();
        if !budget.wants_more(&judge_cases(id, &judged)) {
            continue;
        }
        for (size, case) in cases {
            if budget.wants_more_of(&case) && !wanted.contains(&size) {
                wanted.push(size);
            }
        }
    }
    // In the plan's order (smallest first), as the worker runs its sizes.
    wanted.sort_by(f64::total_cmp);
    wanted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crossovers_are_located_between_the_right_sizes() {
        let c = crossover(&[(1.0, 0.2), (10.0, 0.5), (100.0, 2.0), (1000.0, 1.9)]).expect("some");
        match c {
            Crossover::Between(lo, hi, at) => {
                assert_eq!((lo, hi), (10.0, 100.0));
                // 0.5 → 2.0: 1.0 is a third of the way, in log(size).
                assert!((at - 10f64.powf(1.0 + 1.0 / 3.0)).abs() < 1e-9, "{at}");
            }
            other => panic!("{other:?}"),
        }
        // A dip back below 1 at a larger size moves the crossover up.
        let c = crossover(&[(1.0, 1.5), (10.0, 0.9), (100.0, 1.5)]).expect("some");
        assert!(matches!(c, Crossover::Between(10.0, 100.0, _)));
        assert_eq!(
            crossover(&[(1.0, 1.5), (10.0, 2.0)]),
            Some(Crossover::BelowSmallest(1.0))
        );
        assert_eq!(
            crossover(&[(1.0, 0.5), (10.0, 0.9)]),
            Some(Crossover::AboveLargest(10.0))
        );
        assert_eq!(crossover(&[]), None);
    }

    /// Speedups at three sizes (1, 100, 10,000 µs): threads, chunksize 1, four chunks.
    fn speedups(threads: [f64; 3], one: [f64; 3], auto: [f64; 3]) -> Speedups {
        let mut s = Speedups::new();
        for (i, size) in [1.0f64, 100.0, 10_000.0].iter().enumerate() {
            s.insert(("threads", size.to_bits()), vec![threads[i]; 3]);
            s.insert(("processes:1", size.to_bits()), vec![one[i]; 3]);
            s.insert(("processes:auto", size.to_bits()), vec![auto[i]; 3]);
        }
        s
    }

    const SIZES: [f64; 3] = [1.0, 100.0, 10_000.0];

    fn verdicts(s: &Speedups, one: Option<Crossover>, auto: Option<Crossover>) -> Vec<Verdict> {
        judge(&SIZES, s, one, auto, 2)
            .into_iter()
            .map(|j| j.verdict)
            .collect()
    }

    #[test]
    fn one_core_makes_every_claim_inconclusive() {
        let s = speedups([1.0; 3], [1.9; 3], [1.9; 3]);
        let j = judge(&SIZES, &s, None, None, 1);
        assert_eq!(j.len(), 3);
        assert!(j.iter().all(|j| j.verdict == Verdict::Inconclusive));
    }

    #[test]
    fn processes_best_everywhere_confirms_and_a_slow_small_size_nuances() {
        let fast = speedups([1.0; 3], [1.9; 3], [1.9; 3]);
        let below = Some(Crossover::BelowSmallest(1.0));
        assert_eq!(verdicts(&fast, below, below)[0], Verdict::Confirmed);
        // Slower than sequential at 1 µs, faster above: holds for some sizes only.
        let mixed = speedups([1.0; 3], [0.2, 1.5, 1.9], [0.5, 1.8, 1.9]);
        assert_eq!(verdicts(&mixed, None, None)[0], Verdict::Nuanced);
        // Never faster than sequential.
        let slow = speedups([1.0; 3], [0.2; 3], [0.5; 3]);
        assert_eq!(verdicts(&slow, None, None)[0], Verdict::Refuted);
    }

    #[test]
    fn a_tie_with_threads_is_not_faster_and_noise_is_said() {
        // Processes 1.5× sequential but level with threads (which scaled): not "best".
        let level = speedups([1.45; 3], [1.5; 3], [1.5; 3]);
        let j = &judge(&SIZES, &level, None, None, 2)[0];
        assert_eq!(j.verdict, Verdict::Refuted, "{}", j.evidence);
        assert!(j.evidence.contains("a tie (inside ±10%)"), "{}", j.evidence);
        // One size whose speedup straddles 1.2× from round to round: within noise.
        let mut noisy = speedups([1.0; 3], [1.9; 3], [1.9; 3]);
        for ex in ["processes:1", "processes:auto"] {
            noisy.insert((ex, 1f64.to_bits()), vec![1.0, 1.3, 1.25]);
        }
        let j = &judge(&SIZES, &noisy, None, None, 2)[0];
        assert_eq!(
            (j.verdict, j.within_noise),
            (Verdict::Inconclusive, true),
            "{}",
            j.evidence
        );
        // Threads not run at a size: judged on the speedup alone, and said so.
        let mut partial = speedups([1.0; 3], [1.9; 3], [1.9; 3]);
        partial.remove(&("threads", 1f64.to_bits()));
        let j = &judge(&SIZES, &partial, None, None, 2)[0];
        assert_eq!(j.verdict, Verdict::Confirmed);
        assert!(
            j.evidence
                .contains("threads not run: over 50000 round trips"),
            "{}",
            j.evidence
        );
    }

    #[test]
    fn rounds_past_the_minimum_run_only_the_sizes_within_noise_of_an_undecided_claim() {
        let budget = RoundBudget { min: 3, max: 6 };
        // Everything decided: no size wants a round.
        let decided = speedups([1.0; 3], [1.9; 3], [1.9; 3]);
        assert!(sizes_wanting_rounds(&SIZES, &decided, &budget).is_empty());
        // (2) within noise at 100 µs alone (threads straddle 1.2×), (1) decided: that size.
        let mut threads = decided.clone();
        threads.insert(("threads", 100f64.to_bits()), vec![1.0, 1.3, 1.15]);
        assert_eq!(sizes_wanting_rounds(&SIZES, &threads, &budget), vec![100.0]);
        // (1) within noise at 1 µs and (2) at 10,000 µs: both sizes, smallest first.
        let mut both = decided.clone();
        for ex in ["processes:1", "processes:auto"] {
            both.insert((ex, 1f64.to_bits()), vec![1.0, 1.3, 1.25]);
        }
        both.insert(("threads", 10_000f64.to_bits()), vec![1.0, 1.3, 1.15]);
        assert_eq!(
            sizes_wanting_rounds(&SIZES, &both, &budget),
            vec![1.0, 10_000.0]
        );
        // (1) Nuanced (1 µs fails clearly) with a case within noise at 100 µs: no round can
        // move its verdict, so none is taken for it.
        let mut nuanced = decided.clone();
        for ex in ["processes:1", "processes:auto"] {
            nuanced.insert((ex, 1f64.to_bits()), vec![0.3, 0.31, 0.29]);
            nuanced.insert((ex, 100f64.to_bits()), vec![1.0, 1.3, 1.25]);
        }
        let j = &judge(&SIZES, &nuanced, None, None, 2)[0];
        assert_eq!(j.verdict, Verdict::Nuanced, "{}", j.evidence);
        assert!(sizes_wanting_rounds(&SIZES, &nuanced, &budget).is_empty());
        // A case sitting on its bar over five rounds cannot leave the noise within the
        // budget: no round for it either.
        let mut stuck = decided;
        stuck.insert(
            ("threads", 100f64.to_bits()),
            vec![1.1, 1.3, 1.2, 1.19, 1.21],
        );
        assert!(sizes_wanting_rounds(&SIZES, &stuck, &budget).is_empty());
    }

    #[test]
    fn a_job_run_once_pays_the_pool_start() {
        // Warm the pool wins at every size; with its start in the time it does not.
        let mut s = speedups([1.0; 3], [1.9; 3], [1.9; 3]);
        for size in SIZES {
            s.insert(("processes:cold", size.to_bits()), vec![1.0, 1.02, 0.98]);
        }
        let j = &judge(&SIZES, &s, None, None, 2)[0];
        assert_eq!(j.verdict, Verdict::Nuanced, "{}", j.evidence);
        assert!(
            j.evidence
                .contains("1.00 µs, run once: processes with the pool's start")
        );
    }

    #[test]
    fn threads_are_judged_against_their_ceiling() {
        let flat = speedups([1.0, 0.98, 1.05], [1.9; 3], [1.9; 3]);
        assert_eq!(verdicts(&flat, None, None)[1], Verdict::Confirmed);
        let scaling = speedups([1.8; 3], [1.9; 3], [1.9; 3]);
        assert_eq!(verdicts(&scaling, None, None)[1], Verdict::Refuted);
    }

    #[test]
    fn crossovers_are_ordered_by_point_or_by_the_ranges_their_bounds_allow() {
        use Crossover::{AboveLargest, BelowSmallest, Between};
        let mid = Between(10.0, 100.0, 30.0);
        assert_eq!(order(Between(10.0, 100.0, 20.0), mid), Verdict::Confirmed);
        assert_eq!(order(mid, Between(10.0, 100.0, 20.0)), Verdict::Refuted);
        // A bound orders the two when the ranges do not overlap.
        assert_eq!(order(BelowSmallest(1.0), mid), Verdict::Confirmed);
        assert_eq!(order(mid, AboveLargest(1000.0)), Verdict::Confirmed);
        assert_eq!(
            order(BelowSmallest(1.0), AboveLargest(1000.0)),
            Verdict::Confirmed
        );
        assert_eq!(order(AboveLargest(1000.0), mid), Verdict::Refuted);
        assert_eq!(order(mid, BelowSmallest(1.0)), Verdict::Refuted);
        // Both below the smallest size, or both above the largest: the sizes cannot tell.
        assert_eq!(
            order(BelowSmallest(1.0), BelowSmallest(1.0)),
            Verdict::Inconclusive
        );
        assert_eq!(
            order(AboveLargest(1000.0), AboveLargest(1000.0)),
            Verdict::Inconclusive
        );
    }

    #[test]
    fn the_chunksize_claim_orders_the_two_crossovers() {
        let s = speedups([1.0; 3], [0.2, 0.8, 1.9], [0.5, 1.5, 1.9]);
        let one = Some(Crossover::Between(100.0, 10_000.0, 1_000.0));
        let auto = Some(Crossover::Between(1.0, 100.0, 10.0));
        assert_eq!(verdicts(&s, one, auto)[2], Verdict::Confirmed);
        assert_eq!(verdicts(&s, auto, one)[2], Verdict::Refuted);
        assert_eq!(verdicts(&s, None, auto)[2], Verdict::Inconclusive);
        assert_eq!(
            verdicts(&s, one, Some(Crossover::AboveLargest(10_000.0)))[2],
            Verdict::Refuted,
            "four chunks never pay off, chunksize 1 does from 1 ms: certainly not lower"
        );
    }
}
