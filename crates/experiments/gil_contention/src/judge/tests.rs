//! The judges of gil_contention on made-up numbers: every branch of every claim.

use super::*;

fn cell(spinners: usize, interval_s: f64, median_s: f64) -> gil_wait::WaitCell {
    gil_wait::WaitCell {
        spinners,
        interval_s,
        waits_s: vec![median_s; 5],
        elapsed_s: 1.0,
    }
}

fn io(
    load: convoy::Load,
    interval_s: f64,
    n: usize,
    latency_s: f64,
    cpu: Option<f64>,
) -> convoy::IoCell {
    convoy::IoCell {
        load,
        interval_s,
        latencies_s: vec![latency_s; n],
        window_s: 1.0,
        cpu_chunks_per_s: cpu,
    }
}

/// Three rounds of the same cells.
fn rounds(cells: Vec<convoy::IoCell>) -> Vec<Vec<convoy::IoCell>> {
    vec![cells; 3]
}

#[test]
fn the_convoy_needs_a_10x_thread_slowdown_and_a_small_process_one() {
    use convoy::Load;
    let cells = |thread: usize, process: usize| {
        vec![
            io(Load::Alone, 0.005, 30_000, 0.00003, None),
            io(Load::Threads(1), 0.005, thread, 0.005, Some(1.0)),
            io(Load::Threads(2), 0.005, 100, 0.01, Some(1.0)),
            io(Load::Process, 0.005, process, 0.00004, None),
        ]
    };
    assert_eq!(
        judge_convoy(&rounds(cells(200, 25_000)), 2).verdict,
        Verdict::Confirmed
    );
    let j = judge_convoy(&rounds(cells(10_000, 25_000)), 2);
    assert_eq!(j.verdict, Verdict::Nuanced);
    assert!(
        j.evidence
            .contains("3.00× (95% CI 3.00–3.00, 3 rounds) — needs ≥ 10.0×")
            && j.evidence
                .ends_with("Beside 2 CPU-bound threads (not judged): 300× fewer requests/s"),
        "{}",
        j.evidence
    );
    assert_eq!(
        judge_convoy(&rounds(cells(10_000, 1_000)), 2).verdict,
        Verdict::Refuted
    );
    // A process slowdown near the bar in one round, not in the others: within noise.
    let j = judge_convoy(&rounds(cells(200, 15_500)), 2);
    assert_eq!(j.verdict, Verdict::Confirmed, "{}", j.evidence);
    let mut noisy = rounds(cells(200, 15_500));
    noisy[1][3].window_s = 1.1;
    let j = judge_convoy(&noisy, 2);
    assert_eq!(
        (j.verdict, j.within_noise),
        (Verdict::Inconclusive, true),
        "{}",
        j.evidence
    );
    assert_eq!(
        judge_convoy(&rounds(cells(200, 25_000)), 1).verdict,
        Verdict::Inconclusive
    );
    assert_eq!(judge_convoy(&[], 2).verdict, Verdict::Inconclusive);
}

#[test]
fn the_switch_tradeoff_needs_tracking_latency_and_a_cpu_cost() {
    use convoy::Load;
    let sweep = |lat_ratio: f64, short_cpu: f64| {
        let cells = [0.1, 0.005, 0.001, 0.0001]
            .into_iter()
            .map(|i| {
                let cpu = if i < 0.001 { short_cpu } else { 100.0 };
                io(Load::Threads(1), i, 10, i * lat_ratio, Some(cpu))
            })
            .collect::<Vec<_>>();
        rounds(cells)
    };
    assert_eq!(
        judge_switch(&sweep(4.0, 80.0), 2).verdict,
        Verdict::Confirmed
    );
    assert_eq!(
        judge_switch(&sweep(0.01, 80.0), 2).verdict,
        Verdict::Nuanced
    );
    // No cost, or one inside the ±10% that matters: the throughput half fails.
    assert_eq!(judge_switch(&sweep(4.0, 99.0), 2).verdict, Verdict::Nuanced);
    assert_eq!(judge_switch(&sweep(4.0, 93.0), 2).verdict, Verdict::Nuanced);
    assert_eq!(
        judge_switch(&sweep(0.01, 99.0), 2).verdict,
        Verdict::Refuted
    );
    assert_eq!(judge_switch(&sweep(7.0, 99.0), 2).verdict, Verdict::Refuted);
    assert_eq!(
        judge_switch(&sweep(4.0, 80.0), 1).verdict,
        Verdict::Inconclusive
    );
    // A latency ratio that crosses the ceiling from round to round: within noise.
    let mut noisy = sweep(4.0, 80.0);
    for (r, factor) in [(0, 5.0), (1, 6.5), (2, 7.0)] {
        noisy[r][0].latencies_s = vec![0.1 * factor; 10];
    }
    let j = judge_switch(&noisy, 2);
    assert_eq!(
        (j.verdict, j.within_noise),
        (Verdict::Inconclusive, true),
        "{}",
        j.evidence
    );
}

#[test]
fn the_latency_half_reads_the_requests_that_waited_and_reports_the_share_that_did_not() {
    use convoy::Load;
    // Per round, at 1 ms, `fast[round]` of 10 requests answered in 20 µs and the rest after
    // 1.1 intervals; at the other intervals 4 of 10 so answered. The CPU thread pays at short
    // intervals.
    let sweep = |fast: [usize; 3]| {
        (0..3)
            .map(|r| {
                [0.1, 0.005, 0.001, 0.0001]
                    .into_iter()
                    .map(|i| {
                        let mut c = io(
                            Load::Threads(1),
                            i,
                            10,
                            1.1 * i,
                            Some(if i < 0.001 { 80.0 } else { 100.0 }),
                        );
                        let n = if i == 0.001 { fast[r] } else { 4 };
                        c.latencies_s[..n].fill(2e-5);
                        c
                    })
                    .collect::<Vec<_>>()
            })
            .collect::<Vec<_>>()
    };
    // 4, 6 and 5 of 10 answered at once: the rounds' medians of all requests (nearest rank,
    // the fifth of ten) would be 1.1×, 0.02× and 0.02×; the requests that waited waited
    // 1.1× in each, so the latency half holds, and the share is reported.
    let j = judge_switch(&sweep([4, 6, 5]), 2);
    assert_eq!(j.verdict, Verdict::Confirmed, "{}", j.evidence);
    assert!(
        j.evidence.contains(
            "the median latency of the requests that waited ÷ the interval — 100 ms: 1.10×"
        ) && j.evidence.contains(
            "answered without a wait (under 5% of the interval, reported, not judged): \
                 100 ms 40%, 5.00 ms 40%, 1.00 ms 50%"
        ),
        "{}",
        j.evidence
    );
    // Nine in ten answered at once in every round (where a 90th percentile would be one of
    // them): the one that waited still waited 1.1×, and the share says how few paid it.
    let j = judge_switch(&sweep([9, 9, 9]), 2);
    assert_eq!(j.verdict, Verdict::Confirmed, "{}", j.evidence);
    assert!(j.evidence.contains("1.00 ms 90%"), "{}", j.evidence);
    // No request waited at 1 ms in any round: the latency does not track the interval there,
    // and the latency half fails (the claim holds by its throughput half alone).
    let j = judge_switch(&sweep([10, 10, 10]), 2);
    assert_eq!(j.verdict, Verdict::Nuanced, "{}", j.evidence);
    assert!(j.evidence.contains("1.00 ms 100%"), "{}", j.evidence);
    // None waited in one round of three: its interval spans the floor, within noise.
    let j = judge_switch(&sweep([5, 10, 5]), 2);
    assert_eq!(
        (j.verdict, j.within_noise),
        (Verdict::Inconclusive, true),
        "{}",
        j.evidence
    );
}

#[test]
fn gil_waits_are_judged_at_intervals_of_a_millisecond_and_more_with_one_spinner() {
    let good = [
        cell(1, 0.1, 0.12),
        cell(1, 0.005, 0.007),
        cell(1, 0.0001, 0.000_002),
    ];
    assert_eq!(judge_gil_wait(&good, 2).verdict, Verdict::Confirmed);
    let mixed = [
        cell(1, 0.005, 0.007),
        cell(1, 0.001, 0.000_007),
        cell(2, 0.005, 0.5),
    ];
    let j = judge_gil_wait(&mixed, 2);
    assert_eq!(j.verdict, Verdict::Nuanced);
    assert!(j.evidence.contains("but not for 1.00 ms"), "{}", j.evidence);
    // The two-spinner cell is reported beside the verdict, never judged.
    assert!(
        j.evidence
            .ends_with("Beside 2 spinning threads (not judged): median wait 5.00 ms: 100×"),
        "{}",
        j.evidence
    );
    assert_eq!(judge_gil_wait(&good, 1).verdict, Verdict::Inconclusive);
    assert_eq!(judge_gil_wait(&[], 2).verdict, Verdict::Inconclusive);
}

#[test]
fn an_attach_that_found_the_gil_free_is_counted_apart_from_the_waits() {
    // A dozen attaches at 100 ms that waited about an interval, and one that found the GIL
    // free (10 µs). Over all thirteen the t interval on the logarithms reached far below the
    // 0.5× floor until the harness's fence (2026-12-03) left such a round out of the t half;
    // an attach that found the GIL free still measures no hand-over, and is counted apart.
    let mut waits: Vec<f64> = [
        0.09, 0.1, 0.11, 0.1, 0.095, 0.105, 0.1, 0.12, 0.085, 0.1, 0.11, 0.1,
    ]
    .to_vec();
    waits.push(0.000_01);
    let all: Vec<f64> = waits.iter().map(|w| w / 0.1).collect();
    assert!(pyproof_harness::median_interval(&all).lo > 0.5, "the fence");
    let slow = gil_wait::WaitCell {
        spinners: 1,
        interval_s: 0.1,
        waits_s: waits,
        elapsed_s: 1.3,
    };
    let j = judge_gil_wait(&[slow.clone(), cell(1, 0.005, 0.005)], 2);
    assert_eq!(j.verdict, Verdict::Confirmed, "{}", j.evidence);
    assert!(
        j.evidence.contains("12 held attaches")
            && j.evidence
                .contains("7.69% found the GIL free, counted apart"),
        "{}",
        j.evidence
    );
    // Most attaches free: the typical one waited for nothing, which fails on the count.
    let mostly_free = gil_wait::WaitCell {
        waits_s: vec![0.000_01, 0.000_02, 0.1, 0.000_01],
        ..slow
    };
    let j = judge_gil_wait(&[mostly_free, cell(1, 0.005, 0.005)], 2);
    assert_eq!(j.verdict, Verdict::Nuanced, "{}", j.evidence);
    assert!(
        j.evidence
            .contains("but not for 100 ms: 3 of 4 attaches found the GIL free — the typical"),
        "{}",
        j.evidence
    );
}

fn case(label: &str, free: bool, speedup: f64) -> InterpreterCase {
    InterpreterCase {
        label: label.to_string(),
        build: label.split(' ').next().unwrap_or(label).to_string(),
        gil_off: free,
        speedups: vec![speedup * 0.99, speedup, speedup * 1.01],
    }
}

#[test]
fn an_interpreter_gets_more_rounds_only_while_its_case_straddles_its_bar() {
    let with = |free: bool, speedups: &[f64]| InterpreterCase {
        speedups: speedups.to_vec(),
        ..case("3.12", free, 1.0)
    };
    // A GIL build: ratios across the no-speedup bar (1.2×) are within noise (one round at
    // 1.3× stretches the interval over it), and more rounds could settle them; level ones
    // hold.
    assert!(interpreter_within_noise(
        &with(false, &[0.9, 1.0, 1.3, 0.95, 1.05]),
        2,
        15
    ));
    // Scattered as widely as they are far from the bar: no budget of 15 would settle them.
    assert!(!interpreter_within_noise(
        &with(false, &[0.7, 1.0, 1.3, 0.9, 1.25]),
        2,
        15
    ));
    assert!(!interpreter_within_noise(
        &with(false, &[0.95, 0.97, 1.0, 0.98, 0.96]),
        2,
        15
    ));
    // A free-threaded build: judged against the scaling floor instead.
    assert!(!interpreter_within_noise(
        &with(true, &[1.8, 1.9, 1.85]),
        2,
        15
    ));
    assert!(interpreter_within_noise(
        &with(true, &[1.0, 1.5, 2.0]),
        2,
        15
    ));
    // One core: nothing more rounds could show.
    assert!(!interpreter_within_noise(
        &with(false, &[0.7, 1.0, 1.3, 0.9, 1.25]),
        1,
        15
    ));
    // Sitting on the bar (median 1.20 over five rounds): no budget would decide it.
    let on_bar = with(false, &[1.10, 1.30, 1.20, 1.15, 1.25]);
    assert!(!interpreter_within_noise(&on_bar, 2, 15));
    // Near it, projected to settle within 15 rounds but not within 5 more.
    let near = with(false, &[1.02, 1.30, 1.10, 1.05, 1.12]);
    assert!(interpreter_within_noise(&near, 2, 1_000));
    assert!(!interpreter_within_noise(&near, 2, 5));
}

#[test]
fn gil_builds_alone_confirm_and_a_scaling_free_threaded_build_nuances() {
    let gil = [case("3.11", false, 0.98), case("3.12", false, 1.05)];
    assert_eq!(judge_interpreters(&gil, 2).verdict, Verdict::Confirmed);
    let mut both = gil.to_vec();
    both.push(case("3.13t (free-threaded, GIL off)", true, 1.9));
    let j = judge_interpreters(&both, 2);
    assert_eq!(j.verdict, Verdict::Nuanced);
    assert!(
        j.evidence
            .contains("not for 3.13t (free-threaded, GIL off): 2 threads"),
        "{}",
        j.evidence
    );
    // Each build's verdict is kept: the scorecard calls the answer outdated on 3.13t.
    let held: Vec<(&str, Option<bool>)> = j
        .builds
        .iter()
        .map(|b| (b.build.as_str(), b.holds))
        .collect();
    assert_eq!(
        held,
        [
            ("3.11", Some(true)),
            ("3.12", Some(true)),
            ("3.13t", Some(false))
        ]
    );
    // A GIL build that scaled is one more case against, named, not a blanket refutation.
    both.push(case("3.6", false, 1.6));
    let j = judge_interpreters(&both, 2);
    assert_eq!(j.verdict, Verdict::Nuanced);
    assert!(j.evidence.contains("3.6"), "{}", j.evidence);
    let none = [case("3.13t", true, 1.9), case("3.14t", true, 1.8)];
    assert_eq!(judge_interpreters(&none, 2).verdict, Verdict::Refuted);
    // A free-threaded build that did not scale shows neither side: reported, not counted.
    let slow_free = [case("3.11", false, 1.0), case("3.13t", true, 1.1)];
    let j = judge_interpreters(&slow_free, 2);
    assert_eq!(j.verdict, Verdict::Confirmed);
    assert!(
        j.evidence.contains("showing neither side"),
        "{}",
        j.evidence
    );
    assert_eq!(
        judge_interpreters(&[case("3.13t", true, 1.1)], 2).verdict,
        Verdict::Inconclusive
    );
    assert_eq!(judge_interpreters(&gil, 1).verdict, Verdict::Inconclusive);
    assert_eq!(judge_interpreters(&[], 2).verdict, Verdict::Inconclusive);
}

/// A family, its executor, and its speedup at every k.
type Speedup = (Family, fn(usize) -> Mode, f64);

/// Samples where, at every k in {2, 4}, each family's k-worker run is `speedup` times
/// faster than its sequential run (three rounds, one second sequentially).
fn samples(speedups: &[Speedup]) -> Samples {
    let mut seconds = std::collections::BTreeMap::new();
    for &(family, mode, speedup) in speedups {
        seconds.insert(
            Variant {
                family,
                mode: Mode::Sequential,
            },
            vec![1.0; 3],
        );
        for k in [2, 4] {
            seconds.insert(
                Variant {
                    family,
                    mode: mode(k),
                },
                vec![1.0 / speedup; 3],
            );
        }
    }
    Samples {
        seconds,
        cold: std::collections::BTreeMap::new(),
    }
}

fn timeline(overlap_ns: u64, stamps: usize) -> TimelineStats {
    TimelineStats {
        lanes: Vec::new(),
        origin: 0,
        span_ns: 1_000_000_000,
        gap_ns: 20_000,
        switches: 200,
        runs_ns: vec![5_000_000; 200],
        overlap_ns,
        stamps,
    }
}

/// The textbook GIL build on two cores: threads flat, processes, the released kernel and
/// NumPy scaling, the held kernel flat, no overlap.
fn textbook(threads: f64, release: f64) -> Samples {
    samples(&[
        (Family::Python, Mode::Threads, threads),
        (Family::Python, Mode::Processes, 1.9),
        (Family::NativeRelease, Mode::Threads, release),
        (Family::NativeHold, Mode::Threads, 1.0),
        (Family::Numpy, Mode::Threads, 1.8),
    ])
}

fn main_verdicts(s: &Samples, tl: &TimelineStats, cores: usize, numpy: bool) -> Vec<Verdict> {
    judge(s, tl, 0.005, &[2, 4], cores, numpy)
        .iter()
        .map(|j| j.verdict)
        .collect()
}

#[test]
fn the_textbook_gil_confirms_all_five() {
    let v = main_verdicts(&textbook(1.0, 1.9), &timeline(0, 10_000), 2, true);
    assert_eq!(v, [Verdict::Confirmed; 5]);
}

#[test]
fn scaling_threads_and_overlapping_bytecode_refute_the_gil_claims() {
    // What a free-threaded build shows: threads scale, two threads run at once.
    let v = main_verdicts(&textbook(1.9, 1.9), &timeline(500_000_000, 10_000), 2, true);
    assert_eq!(v[0], Verdict::Refuted, "threads scale");
    assert_eq!(v[3], Verdict::Refuted, "bytecode overlapped half the time");
    // A GIL-releasing kernel that does not scale at one k only: holds for some k.
    let mut s = textbook(1.0, 1.9);
    s.seconds.insert(
        Variant {
            family: Family::NativeRelease,
            mode: Mode::Threads(4),
        },
        vec![1.0; 3],
    );
    assert_eq!(
        main_verdicts(&s, &timeline(0, 10_000), 2, true)[2],
        Verdict::Nuanced
    );
}

#[test]
fn a_job_run_once_pays_the_pools_start() {
    // Warm, processes scale; a cold pool costing as much as the work halves the speedup.
    let mut s = textbook(1.0, 1.9);
    s.cold = [(2, vec![0.5; 3]), (4, vec![0.5; 3])].into_iter().collect();
    let j = &judge(&s, &timeline(0, 10_000), 0.005, &[2, 4], 2, true)[1];
    assert_eq!(j.verdict, Verdict::Nuanced, "{}", j.evidence);
    assert!(
        j.evidence
            .contains("k=2, run once: with the pool's start 0.97"),
        "{}",
        j.evidence
    );
}

#[test]
fn no_stamps_no_numpy_and_one_core_are_said_as_such() {
    let v = main_verdicts(&textbook(1.0, 1.9), &timeline(0, 0), 2, false);
    assert_eq!(v[3], Verdict::Inconclusive, "no timeline stamps");
    assert_eq!(v[4], Verdict::Skipped, "numpy missing");
    let v = main_verdicts(&textbook(1.0, 1.0), &timeline(0, 10_000), 1, true);
    assert_eq!(v, [Verdict::Inconclusive; 5]);
}

fn race(call_between: u64, in_place: u64, locked: u64) -> crate::interpreters::Race {
    crate::interpreters::Race {
        threads: 2,
        per_thread: 1_000_000,
        locked_per_thread: 100_000,
        switch_interval_s: 0.005,
        lost: crate::interpreters::Lost {
            call_between,
            in_place,
            locked,
        },
    }
}

#[test]
fn a_race_holds_per_build_only_when_unlocked_loses_and_locked_does_not() {
    let j = judge_race(&[
        ("Python 3.11.7 (GIL)".into(), race(640_000, 0, 0)),
        (
            "Python 3.13.15 (free-threaded)".into(),
            race(620_000, 510_000, 0),
        ),
    ]);
    assert_eq!(j.verdict, Verdict::Confirmed);
    assert_eq!(
        j.evidence,
        "holds for every case — Python 3.11.7 (GIL): without a lock 640000 of 2000000 updates \
         lost (32.0%), `+=` 0 lost; with a lock 0 of 200000 lost; Python 3.13.15 \
         (free-threaded): without a lock 620000 of 2000000 updates lost (31.0%), `+=` 510000 \
         lost; with a lock 0 of 200000 lost"
    );
    // A build where nothing was lost (the GIL happened to hand over outside the window)
    // fails the claim for that build; a lock that lost updates fails it too.
    let some = judge_race(&[
        ("a".into(), race(640_000, 0, 0)),
        ("b".into(), race(0, 0, 0)),
    ]);
    assert_eq!(some.verdict, Verdict::Nuanced);
    assert!(
        some.evidence.contains("but not for b:"),
        "{}",
        some.evidence
    );
    let none = judge_race(&[("a".into(), race(5, 0, 3))]);
    assert_eq!(none.verdict, Verdict::Refuted);
    assert_eq!(judge_race(&[]).verdict, Verdict::Inconclusive);
}

#[test]
fn rounds_past_the_minimum_run_only_the_families_of_claims_within_noise() {
    let budget = RoundBudget { min: 3, max: 10 };
    let noisy = |id: &str, rounds: Option<usize>| {
        let mut j = Judgement::new(id, Verdict::Inconclusive, "within noise");
        j.within_noise = true;
        j.rounds_to_settle = rounds;
        j
    };
    let decided = |id: &str| Judgement::new(id, Verdict::Confirmed, "holds");
    // Nothing within noise: no family.
    let all_decided: Vec<Judgement> = ids::ALL.iter().map(|id| decided(id)).collect();
    assert!(families_within_noise(&all_decided, &budget).is_empty());
    // (a) and (b) both bring pure Python, once; (c) the kernel both ways and plain Rust.
    let judged = [
        noisy(ids::THREADS_NO_SPEEDUP, None),
        noisy(ids::PROCESSES_SCALE, Some(6)),
        noisy(ids::NATIVE_RELEASE_SCALES, Some(8)),
        decided(ids::NUMPY_THREADS_SCALE),
    ];
    assert_eq!(
        families_within_noise(&judged, &budget),
        vec![
            Family::Python,
            Family::NativeHold,
            Family::NativeRelease,
            Family::RustOnly
        ]
    );
    // (e) on its bar past the budget's maximum: no round for it; within it: NumPy.
    assert!(
        families_within_noise(&[noisy(ids::NUMPY_THREADS_SCALE, Some(40))], &budget).is_empty()
    );
    assert_eq!(
        families_within_noise(&[noisy(ids::NUMPY_THREADS_SCALE, Some(5))], &budget),
        vec![Family::Numpy]
    );
}
