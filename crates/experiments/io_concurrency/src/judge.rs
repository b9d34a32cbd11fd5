//! The verdict rules of io_concurrency: pure functions over the run's per-round wall times,
//! memory per request in flight and marginal CPU per connection.

use crate::{MEMORY_FRACTION, NEAR_IDEAL, TOKIO_FRACTION};
use pyproof_harness::{Case, Judgement, Standing, format_number, judge_cases, judge_one, median};

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

/// The asyncio client at one N: its wall time in each round and the errors of every round.
#[derive(Debug, Clone, PartialEq)]
pub struct AsyncioRun {
    /// Concurrent requests.
    pub n: u64,
    /// Wall seconds for all N, per round.
    pub walls_s: Vec<f64>,
    /// Failed requests, all rounds together.
    pub errors: u64,
}

/// What the three claims are judged on, per round where a figure has rounds.
#[derive(Debug, Clone, PartialEq)]
pub struct Evidence {
    /// The server's delay per answer, seconds (the ideal wall time).
    pub delay_s: f64,
    /// The asyncio client at each N.
    pub asyncio: Vec<AsyncioRun>,
    /// The largest N.
    pub largest_n: u64,
    /// Memory per request in flight at the largest N, KiB, per round: asyncio.
    pub mem_asyncio_kib: Vec<f64>,
    /// The same for one thread per request.
    pub mem_threads_kib: Vec<f64>,
    /// Median peak anonymous memory at the largest N, MiB: asyncio, threads.
    pub peak_mib: [f64; 2],
    /// Median of the most requests in flight at once at the largest N: asyncio, threads.
    pub in_flight: [f64; 2],
    /// Marginal CPU per request between the two largest N, µs, per round: asyncio.
    pub cpu_asyncio_us: Vec<f64>,
    /// The same for tokio.
    pub cpu_tokio_us: Vec<f64>,
}

/// (1) asyncio near the ideal at every N, (2) lighter than a thread per request, (3) tokio
/// cheaper per connection — each on the 95% interval of its per-round figures.
pub fn judge(e: &Evidence) -> Vec<Judgement> {
    let d = e.delay_s;
    let hi = e.largest_n;
    let mut judgements = Vec::new();
    // (1)
    let cases: Vec<Case> = e
        .asyncio
        .iter()
        .map(|r| {
            let in_d: Vec<f64> = r.walls_s.iter().map(|w| w / d).collect();
            let near = NEAR_IDEAL.case("", "wall time in D", &in_d, "");
            let standing = if r.errors > 0 {
                Standing::Fails
            } else {
                near.standing
            };
            Case::judged(
                format!("N = {}", format_number(r.n as f64)),
                standing,
                format!("{}, {} errors", near.detail, r.errors),
            )
        })
        .collect();
    judgements.push(judge_cases(ids::ASYNCIO_NEAR_IDEAL, &cases));

    // (2) paired per round, rounds where either figure could not be measured left out.
    let ratios: Vec<f64> = e
        .mem_asyncio_kib
        .iter()
        .zip(&e.mem_threads_kib)
        .filter(|(a, t)| a.is_finite() && t.is_finite() && **t > 0.0)
        .map(|(a, t)| a / t)
        .collect();
    let [peak_a, peak_t] = e.peak_mib;
    let [flight_a, flight_t] = e.in_flight;
    let context = format!(
        "asyncio {} KiB per request in flight, one thread per request {} KiB (medians). \
         Absolute peaks at N = {hi}: asyncio {} MiB with {} requests in flight at once, \
         threads {} MiB with at most {} in flight — threads that finished early freed their \
         stacks, so the thread client never held N at once",
        format_number(median(&e.mem_asyncio_kib)),
        format_number(median(&e.mem_threads_kib)),
        format_number(peak_a),
        format_number(flight_a),
        format_number(peak_t),
        format_number(flight_t),
    );
    judgements.push(judge_one(
        ids::ASYNCIO_LIGHTER_THAN_THREADS,
        (!ratios.is_empty()).then(|| MEMORY_FRACTION.case("asyncio ÷ threads", "", &ratios, "×")),
        "no memory per request in flight could be measured",
        &context,
    ));

    // (3)
    let ratios: Vec<f64> = e
        .cpu_tokio_us
        .iter()
        .zip(&e.cpu_asyncio_us)
        .filter(|(k, a)| k.is_finite() && a.is_finite() && **a > 0.0)
        .map(|(k, a)| k / a)
        .collect();
    judgements.push(judge_one(
        ids::TOKIO_CHEAPER,
        (!ratios.is_empty())
            .then(|| TOKIO_FRACTION.case("tokio ÷ asyncio", "CPU per connection", &ratios, "×")),
        "asyncio's CPU time did not grow measurably with N",
        &format!(
            "Medians: tokio {} µs, asyncio {} µs",
            format_number(median(&e.cpu_tokio_us)),
            format_number(median(&e.cpu_asyncio_us))
        ),
    ));
    judgements
}

#[cfg(test)]
mod tests {
    use super::*;
    use pyproof_harness::Verdict;

    /// Three rounds: asyncio's walls at N = 100, 1,000, 10,000, memory and CPU per request.
    fn evidence(walls: &[f64], errors: u64) -> Evidence {
        Evidence {
            delay_s: 0.05,
            asyncio: walls
                .iter()
                .zip([100u64, 1_000, 10_000])
                .map(|(&w, n)| AsyncioRun {
                    n,
                    walls_s: vec![w * 0.98, w, w * 1.02],
                    errors,
                })
                .collect(),
            largest_n: 10_000,
            mem_asyncio_kib: vec![5.0, 5.2, 4.9],
            mem_threads_kib: vec![20.0, 21.0, 19.0],
            peak_mib: [96.7, 36.6],
            in_flight: [10_000.0, 237.0],
            cpu_asyncio_us: vec![100.0, 110.0, 95.0],
            cpu_tokio_us: vec![10.0, 11.0, 9.0],
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
        // 2 D in one round, not in the others: within noise of the bar.
        let mut e = evidence(&[0.06, 0.07, 0.09], 0);
        e.asyncio[2].walls_s = vec![0.09, 0.11, 0.095];
        let j = &judge(&e)[0];
        assert_eq!((j.verdict, j.within_noise), (Verdict::Inconclusive, true));
    }

    #[test]
    fn memory_per_request_in_flight_is_compared_round_by_round() {
        let mut e = evidence(&[0.06], 0);
        let j = &judge(&e)[1];
        assert_eq!(j.verdict, Verdict::Confirmed);
        assert!(
            j.evidence
                .contains("threads 36.6 MiB with at most 237 in flight"),
            "{}",
            j.evidence
        );
        e.mem_asyncio_kib = vec![19.0, 19.5, 18.0];
        assert_eq!(verdict(&e, 1), Verdict::Refuted);
        e.mem_asyncio_kib = vec![8.0, 11.0, 12.0];
        assert!(judge(&e)[1].within_noise);
        e.mem_threads_kib = vec![f64::NAN; 3];
        assert_eq!(verdict(&e, 1), Verdict::Inconclusive);
    }

    #[test]
    fn tokio_is_cheaper_only_below_its_fraction_of_asyncio() {
        let mut e = evidence(&[0.06], 0);
        assert_eq!(verdict(&e, 2), Verdict::Confirmed);
        e.cpu_tokio_us = vec![90.0, 95.0, 85.0];
        assert_eq!(verdict(&e, 2), Verdict::Refuted);
        e.cpu_asyncio_us = vec![0.0; 3];
        assert_eq!(verdict(&e, 2), Verdict::Inconclusive);
    }
}
