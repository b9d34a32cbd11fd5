//! The Rust handle on `python/pyproof/gil_contention.py`: the same workload functions serve
//! the experiment and the criterion bench.

use crate::native::spin;
use pyo3::prelude::*;
use pyproof_python::{Interpreter, PythonError, py_error};
use std::fmt;

/// A kind of CPU work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Family {
    /// Pure-Python bytecode in a loop.
    Python,
    /// The Rust kernel of `pyproof_native`, holding the GIL.
    NativeHold,
    /// The same kernel releasing the GIL (`py.detach`).
    NativeRelease,
    /// NumPy `sin` over 256 Ki doubles per call.
    Numpy,
    /// The same Rust kernel on plain Rust threads, no Python involved: the machine's own
    /// ceiling for this work in this run, the yardstick for the GIL-releasing kernel.
    RustOnly,
}

impl Family {
    /// Every family, in table order.
    pub const ALL: [Family; 5] = [
        Family::Python,
        Family::NativeHold,
        Family::NativeRelease,
        Family::Numpy,
        Family::RustOnly,
    ];

    /// The name the Python module uses.
    pub fn name(self) -> &'static str {
        match self {
            Family::Python => "python",
            Family::NativeHold => "native_hold",
            Family::NativeRelease => "native_release",
            Family::Numpy => "numpy",
            Family::RustOnly => "rust_only",
        }
    }

    /// A reader's name for it.
    pub fn label(self) -> &'static str {
        match self {
            Family::Python => "pure Python loop",
            Family::NativeHold => "Rust kernel, GIL held",
            Family::NativeRelease => "Rust kernel, GIL released",
            Family::Numpy => "NumPy ufunc (sin)",
            Family::RustOnly => "Rust threads, no Python",
        }
    }

    /// What one unit of work is.
    pub fn unit(self) -> &'static str {
        match self {
            Family::Python => "loop iterations",
            Family::NativeHold | Family::NativeRelease | Family::RustOnly => "kernel iterations",
            Family::Numpy => "sin() calls over 256 Ki doubles",
        }
    }

    /// A first guess at the work for calibration: small enough to be quick anywhere.
    fn initial_units(self) -> u64 {
        match self {
            Family::Python => 20_000,
            Family::NativeHold | Family::NativeRelease | Family::RustOnly => 200_000,
            Family::Numpy => 2,
        }
    }
}

/// How the work is spread.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Mode {
    /// On the calling thread.
    Sequential,
    /// Split over k Python threads.
    Threads(usize),
    /// Split over a warm pool of k spawned processes.
    Processes(usize),
}

impl Mode {
    /// The Python module's name for the mode.
    pub fn name(self) -> &'static str {
        match self {
            Mode::Sequential => "sequential",
            Mode::Threads(_) => "threads",
            Mode::Processes(_) => "processes",
        }
    }

    /// The number of workers.
    pub fn k(self) -> usize {
        match self {
            Mode::Sequential => 1,
            Mode::Threads(k) | Mode::Processes(k) => k,
        }
    }
}

/// One measured combination of work and executor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Variant {
    /// The work.
    pub family: Family,
    /// The executor.
    pub mode: Mode,
}

impl Variant {
    /// Stable key, e.g. `python.threads.k4`.
    pub fn key(&self) -> String {
        match self.mode {
            Mode::Sequential => format!("{}.sequential", self.family.name()),
            m => format!("{}.{}.k{}", self.family.name(), m.name(), m.k()),
        }
    }
}

impl fmt::Display for Variant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.mode {
            Mode::Sequential => write!(f, "{}, one thread", self.family.label()),
            Mode::Threads(k) => write!(f, "{}, {k} threads", self.family.label()),
            Mode::Processes(k) => write!(f, "{}, {k} processes", self.family.label()),
        }
    }
}

/// The loaded Python module.
pub struct Workload<'py> {
    py: Python<'py>,
    module: Bound<'py, PyModule>,
}

impl<'py> Workload<'py> {
    /// Imports `pyproof.gil_contention` into the embedded interpreter, with this answer's
    /// kernels added to `pyproof_native`.
    pub fn load(py: Python<'py>, interp: &Interpreter) -> Result<Self, PythonError> {
        pyproof_python::add_part(&crate::native::PART)?;
        Ok(Workload {
            py,
            module: interp.import(py, "pyproof.gil_contention")?,
        })
    }

    fn call(
        &self,
        name: &str,
        args: impl pyo3::call::PyCallArgs<'py>,
        context: &str,
    ) -> Result<Bound<'py, PyAny>, PythonError> {
        self.module
            .call_method1(name, args)
            .map_err(|e| py_error(self.py, e, context))
    }

    /// Whether NumPy is installed in the venv.
    pub fn has_numpy(&self) -> Result<bool, PythonError> {
        self.call("has_numpy", (), "has_numpy")?
            .extract()
            .map_err(|e| py_error(self.py, e, "has_numpy"))
    }

    /// Runs `units` of `variant`'s work; returns (wall seconds, checksum).
    pub fn measure(
        &self,
        variant: Variant,
        units: u64,
        timeout_s: f64,
        pool: Option<&Pool<'py>>,
    ) -> Result<(f64, u64), PythonError> {
        if variant.family == Family::RustOnly {
            return Ok(measure_rust(variant.mode, units));
        }
        let context = format!("measuring {variant}");
        let pool = pool.map(|p| p.handle.clone());
        self.call(
            "measure",
            (
                variant.family.name(),
                variant.mode.name(),
                variant.mode.k(),
                units,
                timeout_s,
                pool,
            ),
            &context,
        )?
        .extract()
        .map_err(|e| py_error(self.py, e, &context))
    }

    /// The units of work that take about `target_s` seconds sequentially on this machine.
    pub fn calibrate(
        &self,
        family: Family,
        target_s: f64,
        timeout_s: f64,
    ) -> Result<u64, PythonError> {
        let variant = Variant {
            family,
            mode: Mode::Sequential,
        };
        let mut units = family.initial_units();
        loop {
            let (secs, _) = self.measure(variant, units, timeout_s, None)?;
            // Grow until one run is long enough to time well, then scale linearly.
            if secs >= target_s / 8.0 || units > u64::MAX / 16 {
                let scaled = (units as f64 * target_s / secs.max(1e-9)).ceil();
                return Ok((scaled as u64).max(1));
            }
            units *= 4;
        }
    }

    /// What a job run once pays for a pool of `k` processes beyond its work: the pool's
    /// start (spawning, imports) and shutdown, s.
    pub fn cold_pool(&self, k: usize, timeout_s: f64) -> Result<f64, PythonError> {
        let context = format!("a cold pool of {k} processes");
        self.call("cold_pool", (k, timeout_s), &context)?
            .extract()
            .map_err(|e| py_error(self.py, e, &context))
    }

    /// A warm pool of `k` spawned processes (started and warmed here; its start-up is
    /// reported, not timed with the work).
    pub fn open_pool(&self, k: usize, timeout_s: f64) -> Result<Pool<'py>, PythonError> {
        let context = format!("starting a pool of {k} processes");
        let handle = self.call("open_pool", (k, timeout_s), &context)?;
        let startup_s = handle
            .getattr("startup_s")
            .and_then(|s| s.extract())
            .map_err(|e| py_error(self.py, e, &context))?;
        Ok(Pool {
            handle,
            k,
            startup_s,
        })
    }

    /// Records which of `threads` spinning threads ran when, for `duration_s`; returns the
    /// stamps (ns) per thread and `sys.getswitchinterval()`.
    pub fn timeline(
        &self,
        duration_s: f64,
        threads: usize,
    ) -> Result<(Vec<Vec<u64>>, f64), PythonError> {
        self.call(
            "gil_timeline",
            (duration_s, threads),
            "recording the GIL timeline",
        )?
        .extract()
        .map_err(|e| py_error(self.py, e, "recording the GIL timeline"))
    }
}

/// `0..n` cut into `k` contiguous parts whose sizes differ by at most one (the split
/// `pyproof._parallel.split_range` makes on the Python side).
pub fn split_range(n: u64, k: usize) -> Vec<(u64, u64)> {
    let k = k.max(1) as u64;
    let (base, extra) = (n / k, n % k);
    let mut start = 0;
    (0..k)
        .map(|i| {
            let end = start + base + u64::from(i < extra);
            let part = (start, end);
            start = end;
            part
        })
        .collect()
}

/// The kernel on the calling thread or on `k` scoped Rust threads; (wall seconds, checksum).
pub fn measure_rust(mode: Mode, units: u64) -> (f64, u64) {
    let started = std::time::Instant::now();
    let answer = match mode {
        Mode::Sequential => spin(0, units),
        Mode::Threads(k) | Mode::Processes(k) => std::thread::scope(|scope| {
            let handles: Vec<_> = split_range(units, k)
                .into_iter()
                .map(|(a, b)| scope.spawn(move || spin(a, b)))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
                .fold(0u64, u64::wrapping_add)
        }),
    };
    (started.elapsed().as_secs_f64(), answer)
}

/// A warm pool of spawned workers; close it with [`Pool::close`].
pub struct Pool<'py> {
    handle: Bound<'py, PyAny>,
    /// Its number of workers.
    pub k: usize,
    /// What starting and warming it took, seconds.
    pub startup_s: f64,
}

impl Pool<'_> {
    /// Shuts the workers down (waits for them to exit).
    pub fn close(self) -> Result<(), PythonError> {
        let py = self.handle.py();
        self.handle
            .call_method0("close")
            .map(|_| ())
            .map_err(|e| py_error(py, e, "closing a process pool"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_matches_the_python_split() {
        assert_eq!(split_range(10, 3), vec![(0, 4), (4, 7), (7, 10)]);
        assert_eq!(split_range(2, 4), vec![(0, 1), (1, 2), (2, 2), (2, 2)]);
    }

    #[test]
    fn rust_threads_compute_the_sequential_answer() {
        let (_, seq) = measure_rust(Mode::Sequential, 100_003);
        for k in [2, 3, 4] {
            assert_eq!(measure_rust(Mode::Threads(k), 100_003).1, seq);
        }
    }
}
