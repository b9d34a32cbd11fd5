//! The tables and charts of a run: every client at every N, and the costs per request.

use crate::costs::{self, Samples};
use crate::{DELAY_MS, Mode, POOL_MAX, Plan, SEQUENTIAL_MAX, Sample};
use pyproof_harness::{
    Bar, Chart, Measurement, Outcome, Series, Table, format_number, median, quantile,
};

/// Records every sample, the two tables, the two charts and the note on method.
pub(crate) fn record(outcome: &mut Outcome, plan: &Plan, samples: &Samples, rounds: usize) {
    let d = DELAY_MS as f64 / 1000.0;
    // The wall time a configuration took for all n (sequential: projected from its few).
    let wall = |mode: Mode, n: u64, s: &Sample| {
        if mode.made(n) < n {
            s.report.wall_s * n as f64 / s.report.n.max(1) as f64
        } else {
            s.report.wall_s
        }
    };
    // The variants no claim reads ran in fewer rounds (round 1 alone): say how many.
    let top = plan.ns.last().copied().unwrap_or(0);
    let variant_rounds: Vec<usize> = samples
        .iter()
        .filter(|((mode, n), _)| !mode.read_by_claims(*n, top))
        .map(|(_, ss)| ss.len())
        .collect();
    let variants = match (variant_rounds.iter().min(), variant_rounds.iter().max()) {
        (Some(&lo), Some(&hi)) if hi < rounds => format!(
            " ({} for the labelled variants and the sequential client below the largest N, \
             which no claim reads)",
            if lo == hi {
                lo.to_string()
            } else {
                format!("{lo}–{hi}")
            }
        ),
        _ => String::new(),
    };
    let mut table = Table::new(
        format!(
            "N concurrent requests, each answered after D = {DELAY_MS} ms (ideal wall time: \
             D); medians of {} round{}{variants}",
            rounds,
            if rounds == 1 { "" } else { "s" }
        ),
        &[
            "N",
            "client",
            "wall",
            "× D",
            "most in flight",
            "errors",
            "CPU",
            "peak memory",
        ],
    );
    for &n in &plan.ns {
        for mode in Mode::ALL {
            let Some(ss) = samples.get(&(mode, n)) else {
                continue;
            };
            let walls: Vec<f64> = ss.iter().map(|s| wall(mode, n, s)).collect();
            let cpus: Vec<f64> = ss.iter().map(|s| s.cpu_s).collect();
            let mems: Vec<f64> = ss.iter().map(|s| s.peak_anon_kib / 1024.0).collect();
            let errors: u64 = ss.iter().map(|s| s.report.errors).sum();
            let key = format!("{}.n{n}", mode.id());
            outcome.measurements.push(Measurement::new(
                format!("{key}.wall_s"),
                format!("{}, N = {n}", mode.label()),
                "s",
                walls.clone(),
            ));
            outcome.measurements.push(Measurement::new(
                format!("{key}.cpu_s"),
                format!("{}, N = {n}", mode.label()),
                "s",
                cpus.clone(),
            ));
            outcome.measurements.push(Measurement::new(
                format!("{key}.peak_anon_mib"),
                format!("{}, N = {n}", mode.label()),
                "MiB",
                mems.clone(),
            ));
            let made = mode.made(n);
            table.row(vec![
                format_number(n as f64),
                mode.label(),
                format!(
                    "{}{}",
                    pyproof_harness::median_iqr(&walls, "s"),
                    if made < n {
                        format!(" — projected from {} requests", format_number(made as f64))
                    } else {
                        String::new()
                    }
                ),
                format!("{}×", format_number(median(&walls) / d)),
                format_number(median(
                    &ss.iter()
                        .map(|s| s.report.max_in_flight as f64)
                        .collect::<Vec<_>>(),
                )),
                match ss.iter().find_map(|s| s.report.first_error.clone()) {
                    Some(e) if errors > 0 => format!("{errors} ({e})"),
                    _ => errors.to_string(),
                },
                format!("{} s", format_number(median(&cpus))),
                format!("{} MiB", format_number(median(&mems))),
            ]);
        }
    }
    outcome.tables.push(table);

    let (lo, hi) = plan.largest_two();
    let med = |mode: Mode, n: u64, f: &dyn Fn(&Sample) -> f64| {
        samples
            .get(&(mode, n))
            .map_or(f64::NAN, |ss| median(&ss.iter().map(f).collect::<Vec<_>>()))
    };
    let mut per = Table::new(
        format!(
            "Cost per request: CPU marginal from N = {lo} to N = {hi}; memory per request \
             in flight at N = {hi}, above a client with one in flight"
        ),
        &[
            "client",
            "most in flight at N = lo → hi",
            "CPU per request",
            "memory per request in flight",
        ],
    );
    for mode in [
        Mode::Asyncio,
        Mode::AsyncioUvloop,
        Mode::AsyncioWaitFor,
        Mode::Threads,
        Mode::Pool,
        Mode::Tokio,
    ] {
        // A client projected above some N (the bounded pool) has its CPU marginal over the
        // two largest N it made in full, and says which.
        let full: Vec<u64> = plan
            .ns
            .iter()
            .copied()
            .filter(|&n| mode.made(n) == n)
            .collect();
        let (cpu, span) = match full.as_slice() {
            [.., a, b] if (*a, *b) != (lo, hi) => (
                median(&costs::cpu_marginal_between(samples, mode, *a, *b)),
                format!(
                    " (N = {} → {}; larger N projected)",
                    format_number(*a as f64),
                    format_number(*b as f64)
                ),
            ),
            _ => (
                median(&costs::cpu_marginal_us(samples, plan, mode)),
                String::new(),
            ),
        };
        // The pool holds 64 in flight whatever N: its memory grows with the queue of
        // futures, not with connections.
        let mem = if mode == Mode::Pool {
            f64::NAN
        } else {
            median(&costs::mem_per_in_flight_kib(samples, plan, mode))
        };
        per.row(vec![
            mode.label(),
            format!(
                "{} → {}",
                format_number(med(mode, lo, &|s| s.report.max_in_flight as f64)),
                format_number(med(mode, hi, &|s| s.report.max_in_flight as f64))
            ),
            format!("{} µs{span}", format_number(cpu)),
            if mem.is_nan() {
                "— (in flight does not grow with N)".to_string()
            } else {
                format!("{} KiB", format_number(mem))
            },
        ]);
    }
    outcome.tables.push(per);
    outcome.charts.push(Chart::Lines {
        id: "wall_vs_n".to_string(),
        title: format!("Wall time for N requests of D = {DELAY_MS} ms each, as N grows"),
        x_label: "N concurrent requests".to_string(),
        y_label: "wall time (s)".to_string(),
        log_x: true,
        log_y: true,
        series: Mode::ALL
            .into_iter()
            .map(|mode| {
                Series::of_rounds(
                    mode.label(),
                    &plan
                        .ns
                        .iter()
                        .filter_map(|&n| {
                            let ss = samples.get(&(mode, n))?;
                            Some((n as f64, ss.iter().map(|s| wall(mode, n, s)).collect()))
                        })
                        .collect::<Vec<_>>(),
                )
            })
            .collect(),
    });
    outcome.charts.push(Chart::Bars {
        id: "wall_at_largest_n".to_string(),
        title: format!(
            "Wall time for N = {} requests of D = {DELAY_MS} ms each",
            format_number(hi as f64)
        ),
        unit: "s".to_string(),
        bars: Mode::ALL
            .into_iter()
            .filter_map(|mode| {
                let ss = samples.get(&(mode, hi))?;
                let w: Vec<f64> = ss.iter().map(|s| wall(mode, hi, s)).collect();
                Some(Bar {
                    label: mode.label(),
                    value: median(&w),
                    low: quantile(&w, 0.25),
                    high: quantile(&w, 0.75),
                })
            })
            .collect(),
        reference: Some(d),
    });

    outcome.notes.push(format!(
        "Each client is a fresh process; CPU time and peak anonymous memory are the whole \
         process's, sampled from outside, so they include the interpreter (Python) — the \
         per-request table takes CPU differences between N = {lo} and N = {hi}, where that \
         fixed part cancels, and memory above the sequential client's (same interpreter, one \
         request in flight), divided by the most requests each client had open at once. The \
         server is a separate process and is not counted. Sequential runs make \
         {SEQUENTIAL_MAX} requests and the bounded pool at most {POOL_MAX} (it answers in \
         waves of its width, one D each); larger N are projected (× N / requests made) and \
         labelled. The asyncio client puts one deadline on the whole batch, as asyncio code is \
         written; the variant that wraps every request in asyncio.wait_for (an extra Task per \
         request on 3.11) is shown beside it, not judged."
    ));
}
