//! asyncio by CPython version: the same asyncio client (standard library only, so each
//! interpreter runs it without a venv) against the same delay server, under the newest build
//! of each CPython version on the machine from [`OLDEST`] on — each free-threaded build
//! too. CPU per connection, marginal between the plan's two smallest N within each round
//! ([`Plan::versions_pair`]), and the wall time at the larger; each interpreter's CPU also
//! over the first one's (the oldest version) in the same round. Reported, not judged: no
//! claim of the sheet is about versions, but "asyncio is cheap" is an answer whose price
//! moved with them.

use crate::{POOL_SIZE, Plan, Sample, run_command};
use pyproof_harness::{
    ExperimentError, Measurement, Outcome, RunContext, Table, format_number, median_interval,
    pairwise_ratios,
};
use pyproof_python::pythons::{Installed, for_run};
use pyproof_python::{Interpreter, worker_on};

/// The oldest version measured: the client's one deadline for the batch is
/// `asyncio.timeout`, new in 3.11 (older versions would run another client).
pub const OLDEST: (u32, u32, u32) = (3, 11, 0);

/// The newest build of each (version, free-threaded) from [`OLDEST`] on, oldest version first.
pub fn one_per_version(found: &[Installed]) -> Vec<&Installed> {
    let key = |i: &Installed| {
        (
            i.found.version.0,
            i.found.version.1,
            i.found.free_threaded && !i.found.gil_enabled,
        )
    };
    let mut chosen: Vec<&Installed> = Vec::new();
    for i in found.iter().filter(|i| i.found.version >= OLDEST) {
        match chosen.iter().position(|c| key(c) == key(i)) {
            Some(at) if chosen[at].found.version < i.found.version => chosen[at] = i,
            Some(_) => {}
            None => chosen.push(i),
        }
    }
    chosen.sort_by_key(|i| (key(i), i.found.version.2));
    chosen
}

/// CPU per connection (µs) in each round: the marginal CPU from `lo` to `hi` connections,
/// paired within the round.
pub fn marginal_us(lo: &[Sample], hi: &[Sample], n_lo: u64, n_hi: u64) -> Vec<f64> {
    lo.iter()
        .zip(hi)
        .map(|(a, b)| (b.cpu_s - a.cpu_s) / (n_hi - n_lo) as f64 * 1e6)
        .collect()
}

/// Runs the client under each interpreter of [`one_per_version`], `rounds` rounds (the
/// interpreters' order rotated each round); adds the table, the measurements and a note per
/// interpreter that failed.
pub(crate) fn by_version(
    outcome: &mut Outcome,
    ctx: &RunContext<'_>,
    plan: &Plan,
    port: u16,
    rounds: usize,
) -> Result<(), ExperimentError> {
    let (found, _refused) = for_run(&ctx.options).map_err(ExperimentError::Input)?;
    let mut chosen = one_per_version(&found);
    if chosen.len() < 2 {
        return Ok(());
    }
    let python_dir = Interpreter::get()?.python_dir.clone();
    let (n_lo, n_hi) = plan.versions_pair();
    let mut runs: Vec<(Vec<Sample>, Vec<Sample>)> = vec![(Vec::new(), Vec::new()); chosen.len()];
    let total = rounds * chosen.len();
    for round in 0..rounds {
        let mut order: Vec<usize> = (0..chosen.len()).collect();
        order.rotate_left(round % chosen.len());
        let mut failed: Vec<usize> = Vec::new();
        for (step, &i) in order.iter().enumerate() {
            let name = chosen[i].found.build_name();
            ctx.progress.update(
                &format!("round {} · asyncio under Python {name}", round + 1),
                round * chosen.len() + step,
                total,
            );
            let one = |n: u64| {
                let mut cmd = worker_on(&chosen[i].candidate.path, &python_dir, "io_concurrency");
                cmd.args(["asyncio", &port.to_string(), &n.to_string()])
                    .args(["--timeout", "10", "--pool", &POOL_SIZE.to_string()]);
                run_command(cmd, &format!("asyncio × {n} under Python {name}"), n)
            };
            match one(n_lo).and_then(|lo| Ok((lo, one(n_hi)?))) {
                Ok((lo, hi)) => {
                    runs[i].0.push(lo);
                    runs[i].1.push(hi);
                }
                Err(e) if pyproof_proc::process::interrupted() => return Err(e),
                // A build that fails is named and left out; the others go on.
                Err(e) => {
                    outcome.notes.push(format!(
                        "asyncio by version: Python {name} ({}) not measured: {e}",
                        chosen[i].candidate.path.display()
                    ));
                    failed.push(i);
                }
            }
        }
        failed.sort_unstable();
        for i in failed.into_iter().rev() {
            chosen.remove(i);
            runs.remove(i);
        }
        if chosen.len() < 2 {
            return Ok(());
        }
    }
    let marginals: Vec<Vec<f64>> = runs
        .iter()
        .map(|(lo, hi)| marginal_us(lo, hi, n_lo, n_hi))
        .collect();
    let first = chosen[0].found.build_name();
    let mut table = Table::new(
        format!(
            "asyncio by CPython version: the same client (one coroutine per request, one \
             deadline for the batch) under each interpreter, standard library only — CPU per \
             connection marginal from N = {} to N = {} within each round, and over Python \
             {first}'s in the same round (medians of {rounds} rounds; 95% intervals). \
             Reported, not judged",
            format_number(n_lo as f64),
            format_number(n_hi as f64)
        ),
        &[
            "interpreter",
            "version",
            "build",
            "CPU per connection",
            &format!("÷ Python {first}"),
            &format!("wall time at N = {}", format_number(n_hi as f64)),
        ],
    );
    for (k, ((b, (_, hi)), m)) in chosen.iter().zip(&runs).zip(&marginals).enumerate() {
        let name = b.found.build_name();
        let cpu = median_interval(m);
        let rel = median_interval(&pairwise_ratios(m, &marginals[0]));
        let wall = median_interval(&hi.iter().map(|s| s.report.wall_s).collect::<Vec<_>>());
        outcome.measurements.push(Measurement::new(
            format!("versions.{name}.cpu_per_connection"),
            format!("asyncio's CPU per connection under Python {name}"),
            "µs",
            m.clone(),
        ));
        let ci = |i: &pyproof_harness::Interval, unit: &str| {
            format!(
                "{}{unit} (95% CI {}–{})",
                format_number(i.median),
                format_number(i.lo),
                format_number(i.hi)
            )
        };
        table.row(vec![
            b.candidate.path.display().to_string(),
            b.found.version_text(),
            b.found.build_label().to_string(),
            ci(&cpu, " µs"),
            if k == 0 {
                "(the reference)".to_string()
            } else {
                ci(&rel, "×")
            },
            ci(&wall, " s"),
        ]);
    }
    outcome.tables.push(table);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::ClientReport;
    use pyproof_python::pythons::matrix::made_up as installed;

    #[test]
    fn the_newest_build_of_each_version_from_3_11_on_oldest_first() {
        let found = [
            installed("/a/3.15.2", (3, 15, 2), false, true),
            installed("/a/3.10", (3, 10, 13), false, true),
            installed("/a/3.11.2", (3, 11, 2), false, true),
            installed("/a/3.11.7", (3, 11, 7), false, true),
            installed("/a/3.13.15t", (3, 13, 15), true, false),
            installed("/a/3.13.0", (3, 13, 0), false, true),
            installed("/a/3.13.15", (3, 13, 15), false, true),
        ];
        let got: Vec<String> = one_per_version(&found)
            .iter()
            .map(|i| i.candidate.path.display().to_string())
            .collect();
        assert_eq!(got, ["/a/3.11.7", "/a/3.13.15", "/a/3.13.15t", "/a/3.15.2"]);
    }

    #[test]
    fn cpu_per_connection_is_the_marginal_within_each_round() {
        let report = ClientReport {
            mode: "asyncio".into(),
            n: 0,
            ok: 0,
            errors: 0,
            first_error: None,
            wall_s: 0.0,
            max_in_flight: 0,
            loop_lag_max_ms: None,
            executor_width: None,
        };
        let s = |cpu_s: f64| Sample {
            round: 0,
            report: report.clone(),
            cpu_s,
            peak_anon_kib: 0.0,
        };
        // 1,000 → 10,000 connections: 0.9 s more CPU is 100 µs each; 0.45 s, 50 µs.
        let lo = [s(0.2), s(0.1)];
        let hi = [s(1.1), s(0.55)];
        let m = marginal_us(&lo, &hi, 1000, 10_000);
        assert!(
            (m[0] - 100.0).abs() < 1e-9 && (m[1] - 50.0).abs() < 1e-9,
            "{m:?}"
        );
    }
}
