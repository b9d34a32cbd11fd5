//! The GIL wait, seen from Rust.
//!
//! While k Python threads spin pure-Python bytecode in the embedded interpreter, a plain Rust
//! thread asks for the GIL again and again (`Python::attach`, which is `PyGILState_Ensure`),
//! does nothing with it, lets it go and sleeps half a millisecond. The time from asking to
//! holding is its wait. CPython makes a waiting thread sleep one switch interval, then asks
//! the holder to drop the GIL at its next eval-breaker check: the wait should be of the order
//! of `sys.setswitchinterval`, which is swept here.

use pyo3::prelude::*;
use pyproof_harness::ExperimentError;
use pyproof_python::{Interpreter, py_error};
use std::time::{Duration, Instant};

/// The Rust thread's waits at one switch interval with `spinners` spinning threads.
#[derive(Debug, Clone, PartialEq)]
pub struct WaitCell {
    /// Python threads spinning meanwhile.
    pub spinners: usize,
    /// `sys.setswitchinterval`, s.
    pub interval_s: f64,
    /// Every wait, s, in order.
    pub waits_s: Vec<f64>,
    /// Wall time of the sampling, s.
    pub elapsed_s: f64,
}

impl WaitCell {
    /// The `q`-quantile of the waits (nearest rank), s; NaN with none.
    pub fn quantile(&self, q: f64) -> f64 {
        pyproof_harness::nearest_rank(&self.waits_s, q)
    }

    /// The share of attaches that found the GIL free ([`free_share`]).
    pub fn found_free(&self) -> f64 {
        free_share(&self.waits_s, self.interval_s)
    }

    /// The waits of the attaches that found the GIL held, s, in order ([`held`]).
    pub fn held_waits_s(&self) -> Vec<f64> {
        held(&self.waits_s, self.interval_s)
    }

    /// The share of the sampling time the Rust thread spent waiting for the GIL.
    pub fn waiting_fraction(&self) -> f64 {
        if self.elapsed_s > 0.0 {
            self.waits_s.iter().sum::<f64>() / self.elapsed_s
        } else {
            f64::NAN
        }
    }
}

/// How long one cell samples: [`INTERVALS_PER_CELL`] switch intervals, between `floor` and
/// `cap` — a short interval gives hundreds of attaches in a fraction of a second, a long one
/// needs its intervals to give any.
pub fn cell_budget(interval_s: f64, floor: Duration, cap: Duration) -> Duration {
    Duration::from_secs_f64(interval_s * INTERVALS_PER_CELL).clamp(floor.min(cap), cap)
}

/// A wait under this share of the switch interval found the GIL free: the Rust thread asked
/// between the spinner's hand-overs, when no thread held it, and waited microseconds.
pub const FREE_BELOW: f64 = 0.05;

/// Whether a wait of `wait_s` (an attach's, or an echo request's round trip) found the GIL
/// free: under [`FREE_BELOW`] of `interval_s` (a held GIL costs about one interval).
fn is_free(wait_s: f64, interval_s: f64) -> bool {
    wait_s < FREE_BELOW * interval_s
}

/// The share of `waits_s` that found the GIL free ([`is_free`]); NaN with none.
pub fn free_share(waits_s: &[f64], interval_s: f64) -> f64 {
    if waits_s.is_empty() {
        return f64::NAN;
    }
    let free = waits_s.iter().filter(|&&w| is_free(w, interval_s)).count();
    free as f64 / waits_s.len() as f64
}

/// The waits of `waits_s` that found the GIL held, s, in order.
pub fn held(waits_s: &[f64], interval_s: f64) -> Vec<f64> {
    waits_s
        .iter()
        .copied()
        .filter(|&w| !is_free(w, interval_s))
        .collect()
}

/// Switch intervals one cell lasts at least (within its floor and cap): at 100 ms, a dozen
/// attaches.
pub const INTERVALS_PER_CELL: f64 = 12.0;

/// Samples the GIL wait of a Rust thread while `spinners` Python threads spin, at each
/// switch interval of `intervals`, each for [`cell_budget`] (at most `max_samples` waits).
/// Must be called without holding the GIL. The interpreter's switch interval is restored
/// and the spinners stopped before returning, also on error.
pub fn measure(
    interp: &Interpreter,
    spinners: usize,
    intervals: &[f64],
    (floor, cap): (Duration, Duration),
    max_samples: usize,
) -> Result<Vec<WaitCell>, ExperimentError> {
    let (handle, previous) = interp.attach(|py| -> Result<(Py<PyAny>, f64), ExperimentError> {
        let module = interp.import(py, "pyproof.gil_contention")?;
        let handle = module
            .call_method1("Spinners", (spinners,))
            .map_err(|e| py_error(py, e, "starting the spinning threads"))?;
        let previous: f64 = module
            .call_method1("set_switch_interval", (0.005,))
            .and_then(|v| v.extract())
            .map_err(|e| py_error(py, e, "reading the switch interval"))?;
        Ok((handle.unbind(), previous))
    })?;
    let sampled = intervals
        .iter()
        .map(|&interval| {
            let budget = cell_budget(interval, floor, cap);
            sample(interp, spinners, interval, budget, max_samples)
        })
        .collect::<Result<Vec<_>, _>>();
    // Always: restore the interval, stop the spinners.
    let cleanup = interp.attach(|py| -> Result<(), ExperimentError> {
        let module = interp.import(py, "pyproof.gil_contention")?;
        module
            .call_method1("set_switch_interval", (previous,))
            .map_err(|e| py_error(py, e, "restoring the switch interval"))?;
        let stopped: bool = handle
            .bind(py)
            .call_method0("stop")
            .and_then(|v| v.extract())
            .map_err(|e| py_error(py, e, "stopping the spinning threads"))?;
        if stopped {
            Ok(())
        } else {
            Err(ExperimentError::Timeout {
                what: "stopping the spinning threads".into(),
                seconds: 10.0,
            })
        }
    });
    let cells = sampled?;
    cleanup?;
    Ok(cells)
}

fn sample(
    interp: &Interpreter,
    spinners: usize,
    interval: f64,
    budget: Duration,
    max_samples: usize,
) -> Result<WaitCell, ExperimentError> {
    interp.attach(|py| -> Result<(), ExperimentError> {
        let module = interp.import(py, "pyproof.gil_contention")?;
        module
            .call_method1("set_switch_interval", (interval,))
            .map_err(|e| py_error(py, e, "setting the switch interval"))?;
        Ok(())
    })?;
    let sampler = std::thread::spawn(move || {
        // The first attach of a thread creates its thread state: not a wait to count.
        for _ in 0..3 {
            Python::attach(|_py| {});
        }
        let mut waits = Vec::new();
        let started = Instant::now();
        while started.elapsed() < budget && waits.len() < max_samples {
            let asked = Instant::now();
            let waited = Python::attach(|_py| asked.elapsed());
            waits.push(waited.as_secs_f64());
            std::thread::sleep(Duration::from_micros(500));
        }
        (waits, started.elapsed().as_secs_f64())
    });
    let (waits_s, elapsed_s) = sampler
        .join()
        .map_err(|_| ExperimentError::Inconsistent("the GIL-wait sampler panicked".into()))?;
    Ok(WaitCell {
        spinners,
        interval_s: interval,
        waits_s,
        elapsed_s,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cell_lasts_a_dozen_intervals_within_its_floor_and_cap() {
        let (floor, cap) = (Duration::from_millis(300), Duration::from_millis(1200));
        let ms = |i: f64| cell_budget(i, floor, cap).as_millis();
        assert_eq!(
            (ms(0.1), ms(0.05), ms(0.005), ms(0.0001)),
            (1200, 600, 300, 300)
        );
        assert_eq!(ms(0.5), 1200, "never past the cap");
        let quick = cell_budget(0.001, floor, Duration::from_millis(200));
        assert_eq!(
            quick.as_millis(),
            200,
            "a floor above the cap gives way to it"
        );
    }

    #[test]
    fn quantiles_and_waiting_share() {
        let c = WaitCell {
            spinners: 1,
            interval_s: 0.005,
            waits_s: vec![0.004, 0.001, 0.005, 0.006, 0.004],
            elapsed_s: 0.04,
        };
        assert_eq!(c.quantile(0.5), 0.004);
        assert_eq!(c.quantile(0.99), 0.006);
        assert!((c.waiting_fraction() - 0.5).abs() < 1e-12);
        assert_eq!(c.found_free(), 0.0);
        assert_eq!(c.held_waits_s(), c.waits_s);
        // 0.2 ms is 4% of 5 ms: found free, and left out of the held waits.
        let one_free = WaitCell {
            waits_s: vec![0.004, 0.0002, 0.005],
            ..c.clone()
        };
        assert_eq!(one_free.found_free(), 1.0 / 3.0);
        assert_eq!(one_free.held_waits_s(), vec![0.004, 0.005]);
        let empty = WaitCell {
            waits_s: vec![],
            elapsed_s: 0.0,
            ..c
        };
        assert!(empty.quantile(0.5).is_nan() && empty.waiting_fraction().is_nan());
    }
}
