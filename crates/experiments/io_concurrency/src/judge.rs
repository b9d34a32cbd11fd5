//! The verdict rules of io_concurrency: pure functions over the run's per-round wall times,
//! memory per request in flight and marginal CPU per connection.

use crate::{
    BLOCKING_LAG, MEMORY_FRACTION, NEAR_IDEAL, TO_THREAD_LAG, TOKIO_FRACTION, UVLOOP_FRACTION,
};
use pyproof_harness::{
    Case, Judgement, Standing, Verdict, format_number, judge_cases, judge_one, median,
};

/// The claims' ids, declared once: `claims()` declares them, the judges judge them.
pub mod ids {
    /// Claim (1).
    pub const ASYNCIO_NEAR_IDEAL: &str = "asyncio_near_ideal";
    /// Claim (2).
    pub const ASYNCIO_LIGHTER_THAN_THREADS: &str = "asyncio_lighter_than_threads";
    /// Claim (3).
    pub const TOKIO_CHEAPER: &str = "tokio_cheaper";
    /// Claim (4).
    pub const UVLOOP_CHEAPER: &str = "uvloop_cheaper";
    /// Claim (5).
    pub const TO_THREAD_RESPONSIVE: &str = "to_thread_responsive";
    /// Every claim, in the order declared.
    pub const ALL: [&str; 5] = [
        ASYNCIO_NEAR_IDEAL,
        ASYNCIO_LIGHTER_THAN_THREADS,
        TOKIO_CHEAPER,
        UVLOOP_CHEAPER,
        TO_THREAD_RESPONSIVE,
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
    /// The same for asyncio on uvloop (empty: uvloop not installed).
    pub cpu_uvloop_us: Vec<f64>,
    /// Median wall time at the largest N, s: the default loop, uvloop.
    pub wall_hi_s: [f64; 2],
    /// The blocking-in-asyncio clients at the smallest N.
    pub blocking: Blocking,
}

/// The two clients that make blocking requests from asyncio, at the smallest N.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Blocking {
    /// Requests asked for (the to_thread client makes them all).
    pub n: u64,
    /// The loop's worst lag per round, ms, with `asyncio.to_thread`.
    pub lag_to_thread_ms: Vec<f64>,
    /// The same, the calls blocking the coroutines.
    pub lag_blocking_ms: Vec<f64>,
    /// The default executor's threads.
    pub executor_width: Option<u64>,
    /// The to_thread client's median wall time, s, and most requests in flight.
    pub to_thread_wall_s: f64,
    /// Most requests in flight at once under to_thread (median).
    pub to_thread_in_flight: f64,
    /// Requests that failed in either client, all rounds.
    pub errors: u64,
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
    let ratios = measured_ratios(&e.mem_asyncio_kib, &e.mem_threads_kib);
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
    let ratios = measured_ratios(&e.cpu_tokio_us, &e.cpu_asyncio_us);
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
    judgements.push(judge_uvloop(e));
    judgements.push(judge_to_thread(e));
    judgements
}

/// (4) uvloop's marginal CPU per connection over the default loop's, per round.
fn judge_uvloop(e: &Evidence) -> Judgement {
    if e.cpu_uvloop_us.is_empty() {
        return Judgement::new(
            ids::UVLOOP_CHEAPER,
            Verdict::Skipped,
            "uvloop is not installed in the venv: its client was not run",
        );
    }
    let ratios = measured_ratios(&e.cpu_uvloop_us, &e.cpu_asyncio_us);
    let [wall_default, wall_uvloop] = e.wall_hi_s;
    judge_one(
        ids::UVLOOP_CHEAPER,
        (!ratios.is_empty()).then(|| {
            UVLOOP_FRACTION.case("uvloop ÷ default loop", "CPU per connection", &ratios, "×")
        }),
        "asyncio's CPU time did not grow measurably with N",
        &format!(
            "Medians: uvloop {} µs, the default loop {} µs per connection; wall time at N = \
             {}: uvloop {} s, the default loop {} s",
            format_number(median(&e.cpu_uvloop_us)),
            format_number(median(&e.cpu_asyncio_us)),
            format_number(e.largest_n as f64),
            format_number(wall_uvloop),
            format_number(wall_default),
        ),
    )
}

/// (5) the loop's worst lag with `asyncio.to_thread` below its bar, and with the call
/// blocking a coroutine above its own (the control); failed requests fail the case.
fn judge_to_thread(e: &Evidence) -> Judgement {
    let b = &e.blocking;
    if b.lag_to_thread_ms.is_empty() || b.lag_blocking_ms.is_empty() {
        return Judgement::new(
            ids::TO_THREAD_RESPONSIVE,
            Verdict::Inconclusive,
            "the blocking-in-asyncio clients were not measured",
        );
    }
    let mut cases = vec![
        TO_THREAD_LAG.case(
            "asyncio.to_thread",
            "the loop's worst lag",
            &b.lag_to_thread_ms,
            " ms",
        ),
        BLOCKING_LAG.case(
            "called in the coroutine (the control)",
            "the loop's worst lag",
            &b.lag_blocking_ms,
            " ms",
        ),
    ];
    if b.errors > 0 {
        cases.push(Case::new(
            "every request answered",
            false,
            format!("{} failed", b.errors),
        ));
    }
    let mut j = judge_cases(ids::TO_THREAD_RESPONSIVE, &cases);
    let width = b.executor_width.map_or("?".to_string(), |w| w.to_string());
    j.evidence = format!(
        "{}. The default executor runs {width} at a time (min(32, cores + 4)): {} requests \
         took {} s with at most {} in flight — a blocking library caps concurrency at the \
         executor's width, which a bigger executor or a native async client removes",
        j.evidence,
        b.n,
        format_number(b.to_thread_wall_s),
        format_number(b.to_thread_in_flight),
    );
    j
}

/// `a ÷ b` round by round, the rounds where either figure could not be measured left out.
fn measured_ratios(a: &[f64], b: &[f64]) -> Vec<f64> {
    a.iter()
        .zip(b)
        .filter(|(a, b)| a.is_finite() && b.is_finite() && **b > 0.0)
        .map(|(a, b)| a / b)
        .collect()
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
            cpu_uvloop_us: vec![60.0, 66.0, 57.0],
            wall_hi_s: [0.4, 0.3],
            blocking: Blocking {
                n: 100,
                lag_to_thread_ms: vec![1.0, 2.0, 1.5],
                lag_blocking_ms: vec![50.5, 51.0, 50.2],
                executor_width: Some(6),
                to_thread_wall_s: 0.85,
                to_thread_in_flight: 6.0,
                errors: 0,
            },
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

    #[test]
    fn uvloop_must_save_a_fifth_of_the_cpu_and_is_skipped_when_missing() {
        let mut e = evidence(&[0.06], 0);
        assert_eq!(verdict(&e, 3), Verdict::Confirmed);
        let j = &judge(&e)[3];
        assert!(j.evidence.contains("uvloop 0.300 s"), "{}", j.evidence);
        e.cpu_uvloop_us = vec![97.0, 108.0, 96.0];
        assert_eq!(verdict(&e, 3), Verdict::Refuted, "a tie");
        e.cpu_uvloop_us = vec![70.0, 90.0, 82.0];
        assert!(judge(&e)[3].within_noise);
        e.cpu_uvloop_us = Vec::new();
        assert_eq!(verdict(&e, 3), Verdict::Skipped);
    }

    #[test]
    fn to_thread_must_keep_the_loop_responsive_where_blocking_stalls_it() {
        let mut e = evidence(&[0.06], 0);
        assert_eq!(verdict(&e, 4), Verdict::Confirmed);
        assert!(judge(&e)[4].evidence.contains("runs 6 at a time"));
        e.blocking.lag_to_thread_ms = vec![30.0, 40.0, 35.0];
        assert_eq!(verdict(&e, 4), Verdict::Nuanced, "to_thread stalled too");
        e.blocking.lag_blocking_ms = vec![2.0, 3.0, 2.5];
        e.blocking.lag_to_thread_ms = vec![1.0, 2.0, 1.5];
        assert_eq!(
            verdict(&e, 4),
            Verdict::Nuanced,
            "the control did not stall"
        );
        e.blocking.lag_blocking_ms = vec![50.0; 3];
        e.blocking.errors = 2;
        assert_eq!(verdict(&e, 4), Verdict::Nuanced, "failed requests");
        e.blocking.lag_to_thread_ms = Vec::new();
        assert_eq!(verdict(&e, 4), Verdict::Inconclusive);
    }
}
