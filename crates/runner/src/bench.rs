//! What every answer's criterion bench shares (`benches/<id>.rs` in its crate): a `main` that
//! first lets the bench re-execute itself as one of the answer's workers, and the sum of the
//! workers' own timings for `iter_custom`.

use criterion::Criterion;
use pyproof_harness::Experiment;
use std::process::ExitCode;
use std::time::Duration;

/// The bench's `main`: runs as a worker of `experiment` when started as one
/// (`PYPROOF_WORKER=...`), otherwise runs `benches` with criterion's command-line
/// configuration.
pub fn main(experiment: &'static dyn Experiment, benches: fn(&mut Criterion)) -> ExitCode {
    if let Some(code) = crate::worker_main(&[experiment]) {
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
