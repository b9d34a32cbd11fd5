//! Who ran when: turning per-thread timestamps into running intervals, switches and overlap.
//!
//! Each spinning thread records a timestamp about every microsecond *while it executes
//! bytecode*. Consecutive stamps closer than a gap threshold belong to one running interval;
//! a longer gap means the thread was waiting (for the GIL, or for a core). From the intervals
//! of all threads follow the number of switches, how long a thread kept running, and the
//! fraction of time two threads ran at once — which the GIL makes zero.

use pyproof_harness::median;

/// A running interval, nanoseconds on the recording clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interval {
    /// First stamp of the run.
    pub start: u64,
    /// Last stamp of the run.
    pub end: u64,
}

impl Interval {
    /// Length in nanoseconds.
    pub fn len(&self) -> u64 {
        self.end - self.start
    }

    /// Whether the interval has zero length (a single stamp).
    pub fn is_empty(&self) -> bool {
        self.end == self.start
    }
}

/// The analysis of one recorded timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct TimelineStats {
    /// Running intervals per thread.
    pub lanes: Vec<Vec<Interval>>,
    /// The earliest stamp of all threads.
    pub origin: u64,
    /// From the earliest to the latest stamp, ns.
    pub span_ns: u64,
    /// Gaps longer than this split a thread's stamps into separate runs, ns.
    pub gap_ns: u64,
    /// How many times the running thread changed (intervals sorted by start).
    pub switches: usize,
    /// Length of every turn, ns: a turn is one thread's consecutive runs with no other
    /// thread's run in between (a hiccup inside a turn — a page fault, a list growing —
    /// splits a run but is not a switch).
    pub runs_ns: Vec<u64>,
    /// Time during which two or more threads were running, ns.
    pub overlap_ns: u64,
    /// Total number of stamps.
    pub stamps: usize,
}

impl TimelineStats {
    /// Overlap as a fraction of the span (0 when the span is empty).
    pub fn overlap_fraction(&self) -> f64 {
        if self.span_ns == 0 {
            0.0
        } else {
            self.overlap_ns as f64 / self.span_ns as f64
        }
    }

    /// Median turn length, seconds: how long a thread typically kept running.
    pub fn median_run_s(&self) -> f64 {
        let runs: Vec<f64> = self.runs_ns.iter().map(|&r| r as f64 / 1e9).collect();
        median(&runs)
    }
}

/// The smallest gap that still splits runs, ns: a run's stamps are ~1 µs apart, a wait for
/// the GIL lasts a switch interval (5 ms by default), so 20× the typical spacing, and never
/// less than 20 µs, separates the two with a wide margin.
pub const MIN_GAP_NS: u64 = 20_000;

/// The gap threshold for these lanes: 20× the median spacing of consecutive stamps, at
/// least [`MIN_GAP_NS`].
pub fn gap_threshold(lanes: &[Vec<u64>]) -> u64 {
    let diffs: Vec<f64> = lanes
        .iter()
        .flat_map(|l| l.windows(2).map(|w| w[1].saturating_sub(w[0]) as f64))
        .collect();
    let typical = median(&diffs);
    if typical.is_nan() {
        MIN_GAP_NS
    } else {
        ((typical * 20.0) as u64).max(MIN_GAP_NS)
    }
}

/// Splits sorted stamps into runs: a gap longer than `gap_ns` starts a new run.
pub fn runs(stamps: &[u64], gap_ns: u64) -> Vec<Interval> {
    let mut out: Vec<Interval> = Vec::new();
    for &t in stamps {
        match out.last_mut() {
            Some(run) if t.saturating_sub(run.end) <= gap_ns => run.end = t.max(run.end),
            _ => out.push(Interval { start: t, end: t }),
        }
    }
    out
}

/// Analyses the stamps of every thread (each lane sorted ascending).
pub fn analyse(lanes: &[Vec<u64>]) -> TimelineStats {
    let gap_ns = gap_threshold(lanes);
    let intervals: Vec<Vec<Interval>> = lanes.iter().map(|l| runs(l, gap_ns)).collect();
    let origin = lanes
        .iter()
        .filter_map(|l| l.first())
        .copied()
        .min()
        .unwrap_or(0);
    let last = lanes
        .iter()
        .filter_map(|l| l.last())
        .copied()
        .max()
        .unwrap_or(0);

    let mut ordered: Vec<(u64, u64, usize)> = intervals
        .iter()
        .enumerate()
        .flat_map(|(lane, runs)| runs.iter().map(move |r| (r.start, r.end, lane)))
        .collect();
    ordered.sort_unstable();
    let switches = ordered.windows(2).filter(|w| w[0].2 != w[1].2).count();
    let mut turns: Vec<(u64, u64, usize)> = Vec::new();
    for (start, end, lane) in ordered {
        match turns.last_mut() {
            Some(turn) if turn.2 == lane => turn.1 = turn.1.max(end),
            _ => turns.push((start, end, lane)),
        }
    }

    // Sweep: +1 at each start, -1 at each end; time with two or more active overlaps.
    let mut events: Vec<(u64, i32)> = intervals
        .iter()
        .flatten()
        .flat_map(|r| [(r.start, 1), (r.end, -1)])
        .collect();
    // Ends before starts at the same instant: touching intervals do not overlap.
    events.sort_unstable_by_key(|&(t, d)| (t, d));
    let (mut active, mut overlap_ns, mut prev) = (0i32, 0u64, origin);
    for (t, d) in events {
        if active >= 2 {
            overlap_ns += t - prev;
        }
        active += d;
        prev = t;
    }

    TimelineStats {
        runs_ns: turns.iter().map(|&(start, end, _)| end - start).collect(),
        lanes: intervals,
        origin,
        span_ns: last.saturating_sub(origin),
        gap_ns,
        switches,
        overlap_ns,
        stamps: lanes.iter().map(Vec::len).sum(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Stamps every `step` ns over [from, to].
    fn spin(from: u64, to: u64, step: u64) -> Vec<u64> {
        (from..=to).step_by(step as usize).collect()
    }

    #[test]
    fn alternating_threads_switch_and_never_overlap() {
        // A runs 0–5 ms and 10–15 ms, B runs 5.1–9.9 ms and 15.1–20 ms, stamps 1 µs apart.
        let a = [
            spin(0, 5_000_000, 1_000),
            spin(10_000_000, 15_000_000, 1_000),
        ]
        .concat();
        let b = [
            spin(5_100_000, 9_900_000, 1_000),
            spin(15_100_000, 20_000_000, 1_000),
        ]
        .concat();
        let s = analyse(&[a, b]);
        assert_eq!(s.gap_ns, 20_000);
        assert_eq!(s.lanes[0].len(), 2);
        assert_eq!(s.lanes[1].len(), 2);
        assert_eq!(s.switches, 3);
        assert_eq!(s.overlap_ns, 0);
        assert_eq!(s.overlap_fraction(), 0.0);
        assert_eq!(s.span_ns, 20_000_000);
        assert_eq!(s.runs_ns, vec![5_000_000, 4_800_000, 5_000_000, 4_900_000]);
        assert!((s.median_run_s() - 0.004_95).abs() < 1e-12);
    }

    #[test]
    fn a_hiccup_inside_a_turn_is_not_a_switch() {
        // A's turn 0–5 ms has a 100 µs hole (no other thread ran), then B runs 5.1–10 ms.
        let a = [spin(0, 2_000_000, 1_000), spin(2_100_000, 5_000_000, 1_000)].concat();
        let s = analyse(&[a, spin(5_100_000, 10_000_000, 1_000)]);
        assert_eq!(s.lanes[0].len(), 2);
        assert_eq!(s.switches, 1);
        assert_eq!(s.runs_ns, vec![5_000_000, 4_900_000]);
    }

    #[test]
    fn parallel_threads_overlap_for_their_common_time() {
        // Free-threaded picture: both run at once, A over 0–10 ms, B over 5–15 ms.
        let s = analyse(&[
            spin(0, 10_000_000, 1_000),
            spin(5_000_000, 15_000_000, 1_000),
        ]);
        assert_eq!(s.switches, 1);
        assert_eq!(s.overlap_ns, 5_000_000);
        assert!((s.overlap_fraction() - 1.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn touching_intervals_do_not_overlap_and_edges_are_safe() {
        let s = analyse(&[vec![0, 1_000, 2_000], vec![2_000, 3_000]]);
        assert_eq!(s.overlap_ns, 0);
        let empty = analyse(&[vec![], vec![]]);
        assert_eq!((empty.switches, empty.span_ns, empty.stamps), (0, 0, 0));
        assert_eq!(empty.overlap_fraction(), 0.0);
        assert_eq!(runs(&[5], 10), vec![Interval { start: 5, end: 5 }]);
    }

    #[test]
    fn gap_threshold_follows_the_stamp_spacing() {
        assert_eq!(gap_threshold(&[spin(0, 1_000_000, 5_000)]), 100_000);
        assert_eq!(gap_threshold(&[spin(0, 1_000, 10)]), MIN_GAP_NS);
        assert_eq!(gap_threshold(&[]), MIN_GAP_NS);
    }
}
