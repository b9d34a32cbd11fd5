//! `cargo bench --bench gil_contention`: criterion timings of the gil_contention variants.
//!
//! The same workload functions as the experiment (`pyproof_mechanics::gil_contention`),
//! with a fixed amount of work per iteration so that runs compare across machines and
//! commits. Pools are started outside the timed part; each iteration's time is the wall time
//! Python measured around the work (`iter_custom`).

use criterion::Criterion;
use gil_contention::{Family, Mode, Variant, Workload};
use pyproof_python::Interpreter;
use std::time::Duration;

/// Work per iteration: a few tens of milliseconds sequentially in a release build.
fn units(family: Family) -> u64 {
    match family {
        Family::Python => 1_000_000,
        Family::NativeHold | Family::NativeRelease | Family::RustOnly => 20_000_000,
        Family::Numpy => 32,
    }
}

fn gil_contention(c: &mut Criterion) {
    let interp = match Interpreter::get() {
        Ok(i) => i,
        Err(e) => {
            eprintln!("gil_contention bench skipped: {e}");
            return;
        }
    };
    interp.attach(|py| {
        let wl = match Workload::load(py, interp) {
            Ok(wl) => wl,
            Err(e) => {
                eprintln!("gil_contention bench skipped: {e}");
                return;
            }
        };
        let has_numpy = wl.has_numpy().unwrap_or(false);
        let timeout = 120.0;
        let mut group = c.benchmark_group("gil_contention");
        group
            .sample_size(10)
            .warm_up_time(Duration::from_millis(500))
            .measurement_time(Duration::from_secs(3));
        for family in Family::ALL {
            if family == Family::Numpy && !has_numpy {
                continue;
            }
            let mut modes = vec![Mode::Sequential, Mode::Threads(2), Mode::Threads(4)];
            if family == Family::Python {
                modes.extend([Mode::Processes(2), Mode::Processes(4)]);
            }
            for mode in modes {
                let variant = Variant { family, mode };
                let pool = match mode {
                    Mode::Processes(k) => match wl.open_pool(k, timeout) {
                        Ok(p) => Some(p),
                        Err(e) => {
                            eprintln!("{variant}: skipped: {e}");
                            continue;
                        }
                    },
                    _ => None,
                };
                group.bench_function(variant.key(), |b| {
                    b.iter_custom(|iters| {
                        let mut total = Duration::ZERO;
                        for _ in 0..iters {
                            let (secs, _) = wl
                                .measure(variant, units(family), timeout, pool.as_ref())
                                .unwrap_or_else(|e| panic!("{variant}: {e}"));
                            total += Duration::from_secs_f64(secs);
                        }
                        total
                    })
                });
                if let Some(p) = pool
                    && let Err(e) = p.close()
                {
                    eprintln!("{variant}: {e}");
                }
            }
        }
        group.finish();
    });
}

fn main() -> std::process::ExitCode {
    pyproof_runner::bench::main(&gil_contention::GilContention, gil_contention)
}
