//! What the benches that time fresh worker processes share: a `main` that first lets the
//! bench re-execute itself as a worker, and the sum of the workers' own timings for
//! `iter_custom`.

use criterion::Criterion;
use std::process::ExitCode;
use std::time::Duration;

/// The bench's `main`: runs as a worker when started as one (`PYPROOF_WORKER=...`),
/// otherwise runs `benches` with criterion's command-line configuration.
pub fn main(benches: fn(&mut Criterion)) -> ExitCode {
    if let Some(code) = pyproof::worker_main() {
        return code;
    }
    let mut criterion = Criterion::default().configure_from_args();
    benches(&mut criterion);
    criterion.final_summary();
    ExitCode::SUCCESS
}

/// For `iter_custom`: runs `one` `iters` times and adds up the seconds each run measured
/// itself (the work only, not the process start-up around it).
pub fn sum_of(iters: u64, mut one: impl FnMut() -> f64) -> Duration {
    (0..iters).map(|_| Duration::from_secs_f64(one())).sum()
}
