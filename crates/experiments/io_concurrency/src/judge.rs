//! The verdict rules of io_concurrency: pure functions over the run's medians and marginal
//! costs.

use crate::{MEMORY_FRACTION, NEAR_IDEAL, TOKIO_FRACTION};
use pyproof_harness::{Case, Judgement, Verdict, format_number, judge_cases};

/// The claims' ids, declared once: `claims()` declares them, the judges judge them.
pub mod ids {
    /// Claim (1).
    pub const ASYNCIO_NEAR_IDEAL: &str = "asyncio_near_ideal";
    /// Claim (2).
    pub const ASYNCIO_LIGHTER_THAN_THREADS: &str = "asyncio_lighter_than_threads";
    /// Claim (3).
    pub const TOKIO_CHEAPER: &str = "tokio_cheaper";
    /// Every claim, in the order declared.
    pub const ALL: [&str; 3] = [
        ASYNCIO_NEAR_IDEAL,
        ASYNCIO_LIGHTER_THAN_THREADS,
        TOKIO_CHEAPER,
    ];
}

/// The asyncio client at one N: its median wall time and the errors of every round.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AsyncioRun {
    /// Concurrent requests.
    pub n: u64,
    /// Median wall seconds for all N.
    pub wall_s: f64,
    /// Failed requests, all rounds together.
    pub errors: u64,
}

/// What the three claims are judged on.
#[derive(Debug, Clone, PartialEq)]
pub struct Evidence {
    /// The server's delay per answer, seconds (the ideal wall time).
    pub delay_s: f64,
    /// The asyncio client at each N.
    pub asyncio: Vec<AsyncioRun>,
    /// The largest N.
    pub largest_n: u64,
    /// Memory per request in flight at the largest N, KiB: asyncio.
    pub mem_asyncio_kib: f64,
    /// The same for one thread per request.
    pub mem_threads_kib: f64,
    /// Marginal CPU per request between the two largest N, µs: asyncio.
    pub cpu_asyncio_us: f64,
    /// The same for tokio.
    pub cpu_tokio_us: f64,
}

/// (1) asyncio near the ideal at every N, (2) lighter than a thread per request, (3) tokio
/// cheaper per connection.
pub fn judge(e: &Evidence) -> Vec<Judgement> {
    let d = e.delay_s;
    let hi = e.largest_n;
    let mut judgements = Vec::new();
    // (1)
    let cases: Vec<Case> = e
        .asyncio
        .iter()
        .map(|r| {
            let (n, w, errors) = (r.n, r.wall_s, r.errors);
            Case::new(
                format!("N = {}", format_number(n as f64)),
                w <= NEAR_IDEAL * d && errors == 0,
                format!(
                    "{} s = {}× D, {errors} errors",
                    format_number(w),
                    format_number(w / d)
                ),
            )
        })
        .collect();
    judgements.push(judge_cases(ids::ASYNCIO_NEAR_IDEAL, &cases));

    // (2)
    let (a, t) = (e.mem_asyncio_kib, e.mem_threads_kib);
    judgements.push(if a.is_finite() && t.is_finite() && t > 0.0 {
        Judgement::new(
            ids::ASYNCIO_LIGHTER_THAN_THREADS,
            if a <= MEMORY_FRACTION * t {
                Verdict::Confirmed
            } else {
                Verdict::Refuted
            },
            format!(
                "asyncio {} KiB per request in flight, one thread per request {} KiB: {}×",
                format_number(a),
                format_number(t),
                format_number(a / t)
            ),
        )
    } else {
        Judgement::new(
            ids::ASYNCIO_LIGHTER_THAN_THREADS,
            Verdict::Inconclusive,
            format!(
                "no memory per request in flight could be measured at N = {hi} (asyncio {} \
                 KiB, threads {} KiB)",
                format_number(a),
                format_number(t)
            ),
        )
    });

    // (3)
    let (a, k) = (e.cpu_asyncio_us, e.cpu_tokio_us);
    judgements.push(if a.is_finite() && k.is_finite() && a > 0.0 {
        Judgement::new(
            ids::TOKIO_CHEAPER,
            if k <= TOKIO_FRACTION * a {
                Verdict::Confirmed
            } else {
                Verdict::Refuted
            },
            format!(
                "tokio {} µs of CPU per connection, asyncio {} µs: {}×",
                format_number(k),
                format_number(a),
                format_number(k / a)
            ),
        )
    } else {
        Judgement::new(
            ids::TOKIO_CHEAPER,
            Verdict::Inconclusive,
            "asyncio's CPU time did not grow measurably with N",
        )
    });
    judgements
}

#[cfg(test)]
mod tests {
    use super::*;

    fn evidence(walls: &[f64], errors: u64) -> Evidence {
        Evidence {
            delay_s: 0.05,
            asyncio: walls
                .iter()
                .zip([100u64, 1_000, 10_000])
                .map(|(&wall_s, n)| AsyncioRun { n, wall_s, errors })
                .collect(),
            largest_n: 10_000,
            mem_asyncio_kib: 5.0,
            mem_threads_kib: 20.0,
            cpu_asyncio_us: 100.0,
            cpu_tokio_us: 10.0,
        }
    }

    fn verdict(e: &Evidence, i: usize) -> Verdict {
        judge(e)[i].verdict
    }

    #[test]
    fn asyncio_near_the_ideal_at_every_n_confirms_and_at_some_nuances() {
        assert_eq!(
            verdict(&evidence(&[0.06, 0.07, 0.09], 0), 0),
            Verdict::Confirmed
        );
        assert_eq!(
            verdict(&evidence(&[0.06, 0.07, 2.0], 0), 0),
            Verdict::Nuanced
        );
        assert_eq!(verdict(&evidence(&[1.0, 2.0, 3.0], 0), 0), Verdict::Refuted);
        // Fast but with failed requests is not near the ideal.
        assert_eq!(
            verdict(&evidence(&[0.06, 0.07, 0.09], 3), 0),
            Verdict::Refuted
        );
    }

    #[test]
    fn memory_per_request_in_flight_is_compared_when_both_were_measured() {
        let mut e = evidence(&[0.06], 0);
        assert_eq!(verdict(&e, 1), Verdict::Confirmed);
        e.mem_asyncio_kib = 19.0;
        assert_eq!(verdict(&e, 1), Verdict::Refuted);
        e.mem_threads_kib = f64::NAN;
        assert_eq!(verdict(&e, 1), Verdict::Inconclusive);
    }

    #[test]
    fn tokio_is_cheaper_only_below_its_fraction_of_asyncio() {
        let mut e = evidence(&[0.06], 0);
        assert_eq!(verdict(&e, 2), Verdict::Confirmed);
        e.cpu_tokio_us = 90.0;
        assert_eq!(verdict(&e, 2), Verdict::Refuted);
        e.cpu_asyncio_us = 0.0;
        assert_eq!(verdict(&e, 2), Verdict::Inconclusive);
    }
}
