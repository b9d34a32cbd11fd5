//! The convoy effect and the switch interval, measured on a real socket.
//!
//! An I/O thread in the embedded interpreter runs a blocking echo server on 127.0.0.1
//! (`EchoServer` in `python/pyproof/gil_contention.py`). A Rust client, holding no GIL, sends
//! 16 bytes and reads them back, again and again, for a fixed window: requests/s and the
//! latency of each. Beside the server: nothing; 1 or 2 CPU-bound Python threads
//! (`Spinners`); or the same CPU work in a separate process. Then, with one spinning thread,
//! `sys.setswitchinterval` is swept, and the spinning thread's own throughput is counted too.

use pyo3::prelude::*;
use pyproof_harness::ExperimentError;
use pyproof_python::{Interpreter, py_error};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

/// What runs beside the I/O thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Load {
    /// Nothing.
    Alone,
    /// k CPU-bound Python threads in the same interpreter.
    Threads(usize),
    /// One CPU-bound Python process (its own interpreter and GIL).
    Process,
}

impl Load {
    /// For tables.
    pub fn label(self) -> String {
        match self {
            Load::Alone => "the I/O thread alone".to_string(),
            Load::Threads(1) => "beside 1 CPU-bound thread".to_string(),
            Load::Threads(k) => format!("beside {k} CPU-bound threads"),
            Load::Process => "beside 1 CPU-bound process".to_string(),
        }
    }

    /// Short id for measurement keys.
    pub fn id(self) -> String {
        match self {
            Load::Alone => "alone".to_string(),
            Load::Threads(k) => format!("threads{k}"),
            Load::Process => "process".to_string(),
        }
    }
}

/// One window of echo requests.
#[derive(Debug, Clone, PartialEq)]
pub struct IoCell {
    /// What ran beside the server.
    pub load: Load,
    /// `sys.setswitchinterval` during the window, s.
    pub interval_s: f64,
    /// Every request's round trip, s.
    pub latencies_s: Vec<f64>,
    /// The window, s.
    pub window_s: f64,
    /// Chunks of CPU work the spinning threads did per second (threads only).
    pub cpu_chunks_per_s: Option<f64>,
}

impl IoCell {
    /// Requests answered per second.
    pub fn rps(&self) -> f64 {
        self.latencies_s.len() as f64 / self.window_s
    }

    /// The `q`-quantile of the latencies (nearest rank), s; NaN with none.
    pub fn quantile(&self, q: f64) -> f64 {
        pyproof_harness::nearest_rank(&self.latencies_s, q)
    }

    /// The share of requests answered without waiting for the GIL: a round trip under
    /// [`gil_wait::FREE_BELOW`](crate::gil_wait::FREE_BELOW) of the switch interval, the bar
    /// claim (h) splits its attaches by. Beside a CPU-bound thread, a request that arrives
    /// before that thread has taken the GIL back since the last one is answered in
    /// microseconds; the others wait about an interval. NaN with no requests.
    pub fn answered_at_once(&self) -> f64 {
        crate::gil_wait::free_share(&self.latencies_s, self.interval_s)
    }

    /// The median latency of the requests that waited for the GIL (nearest rank), s — what
    /// the switch interval sets (claim (g)); the median of every request when none waited
    /// (then answered in microseconds, it fails the latency floor); NaN with no requests.
    pub fn waited_median(&self) -> f64 {
        let waited = crate::gil_wait::held(&self.latencies_s, self.interval_s);
        if waited.is_empty() {
            self.quantile(0.5)
        } else {
            pyproof_harness::nearest_rank(&waited, 0.5)
        }
    }
}

/// The cells of one condition over several rounds as one: every request's latency, the
/// windows added, the CPU work/s weighted by window.
pub fn pooled<'a>(cells: impl IntoIterator<Item = &'a IoCell>) -> IoCell {
    let cells: Vec<&IoCell> = cells.into_iter().collect();
    let window_s: f64 = cells.iter().map(|c| c.window_s).sum();
    let cpu: Vec<(f64, f64)> = cells
        .iter()
        .filter_map(|c| Some((c.cpu_chunks_per_s?, c.window_s)))
        .collect();
    IoCell {
        load: cells.first().map_or(Load::Alone, |c| c.load),
        interval_s: cells.first().map_or(f64::NAN, |c| c.interval_s),
        latencies_s: cells
            .iter()
            .flat_map(|c| c.latencies_s.iter().copied())
            .collect(),
        window_s,
        cpu_chunks_per_s: (!cpu.is_empty()).then(|| {
            cpu.iter().map(|(r, w)| r * w).sum::<f64>() / cpu.iter().map(|(_, w)| w).sum::<f64>()
        }),
    }
}

/// Sends 16 bytes and reads them back for `window` (each request may take up to 10 s).
pub fn echo_client(addr: SocketAddr, window: Duration) -> Result<Vec<f64>, String> {
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(10))
        .map_err(|e| format!("connecting to the echo server: {e}"))?;
    let _ = s.set_nodelay(true);
    s.set_read_timeout(Some(Duration::from_secs(10)))
        .map_err(|e| e.to_string())?;
    let msg = *b"pyproof-echo-16b";
    let mut back = [0u8; 16];
    let mut latencies = Vec::new();
    let started = Instant::now();
    while started.elapsed() < window {
        let t = Instant::now();
        s.write_all(&msg)
            .and_then(|()| s.read_exact(&mut back))
            .map_err(|e| format!("echo request: {e}"))?;
        if back != msg {
            return Err("the echo server answered something else".into());
        }
        latencies.push(t.elapsed().as_secs_f64());
    }
    Ok(latencies)
}

/// One window: starts the echo server and the load, sets the switch interval, runs the
/// client for `window` without the GIL, then stops everything and restores the interval —
/// also when the client fails.
pub fn measure(
    interp: &Interpreter,
    load: Load,
    interval: f64,
    window: Duration,
) -> Result<IoCell, ExperimentError> {
    struct Started {
        server: Py<PyAny>,
        spinners: Option<Py<PyAny>>,
        process: Option<Py<PyAny>>,
        previous: f64,
        port: u16,
        chunks: u64,
    }
    let st = interp.attach(|py| -> Result<Started, ExperimentError> {
        let m = interp.import(py, "pyproof.gil_contention")?;
        let server = m
            .call_method0("EchoServer")
            .map_err(|e| py_error(py, e, "starting the echo server"))?;
        let port: u16 = server
            .getattr("port")
            .and_then(|p| p.extract())
            .map_err(|e| py_error(py, e, "the echo server's port"))?;
        let previous: f64 = m
            .call_method1("set_switch_interval", (interval,))
            .and_then(|v| v.extract())
            .map_err(|e| py_error(py, e, "setting the switch interval"))?;
        let spinners = match load {
            Load::Threads(k) => Some(
                m.call_method1("Spinners", (k,))
                    .map_err(|e| py_error(py, e, "starting the spinning threads"))?
                    .unbind(),
            ),
            _ => None,
        };
        let process = match load {
            Load::Process => Some(
                m.call_method0("start_spinning_process")
                    .map_err(|e| py_error(py, e, "starting the spinning process"))?
                    .unbind(),
            ),
            _ => None,
        };
        Ok(Started {
            server: server.unbind(),
            spinners,
            process,
            previous,
            port,
            chunks: 0,
        })
    })?;
    // Counted from just before the window, so spinner start-up is left out.
    let chunks = |py: Python<'_>, s: &Option<Py<PyAny>>| -> u64 {
        s.as_ref()
            .and_then(|s| s.bind(py).call_method0("chunks").ok()?.extract().ok())
            .unwrap_or(0)
    };
    let mut st = st;
    st.chunks = interp.attach(|py| chunks(py, &st.spinners));
    let started = Instant::now();
    let client = echo_client(SocketAddr::from(([127, 0, 0, 1], st.port)), window);
    let elapsed = started.elapsed().as_secs_f64();
    let cleanup = interp.attach(|py| -> Result<u64, ExperimentError> {
        let done = chunks(py, &st.spinners);
        let m = interp.import(py, "pyproof.gil_contention")?;
        if let Some(s) = &st.spinners {
            s.bind(py)
                .call_method0("stop")
                .map_err(|e| py_error(py, e, "stopping the spinning threads"))?;
        }
        if let Some(p) = &st.process {
            let p = p.bind(py);
            p.call_method0("kill")
                .and_then(|_| p.call_method1("wait", (10,)))
                .map_err(|e| py_error(py, e, "stopping the spinning process"))?;
        }
        let stopped: bool = st
            .server
            .bind(py)
            .call_method0("stop")
            .and_then(|v| v.extract())
            .map_err(|e| py_error(py, e, "stopping the echo server"))?;
        m.call_method1("set_switch_interval", (st.previous,))
            .map_err(|e| py_error(py, e, "restoring the switch interval"))?;
        if !stopped {
            return Err(ExperimentError::Timeout {
                what: "stopping the echo server".into(),
                seconds: 10.0,
            });
        }
        Ok(done)
    });
    let latencies = client.map_err(ExperimentError::Inconsistent)?;
    let done = cleanup?;
    Ok(IoCell {
        load,
        interval_s: interval,
        window_s: elapsed,
        cpu_chunks_per_s: st
            .spinners
            .as_ref()
            .map(|_| done.saturating_sub(st.chunks) as f64 / elapsed),
        latencies_s: latencies,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_and_quantiles() {
        let c = IoCell {
            load: Load::Threads(1),
            interval_s: 0.005,
            latencies_s: vec![0.01, 0.002, 0.004, 0.005],
            window_s: 2.0,
            cpu_chunks_per_s: None,
        };
        assert_eq!(c.rps(), 2.0);
        assert_eq!(c.quantile(0.5), 0.004);
        assert_eq!(c.quantile(0.99), 0.01);
        // Under 5% of 5 ms (0.25 ms): none of these four; two of four below.
        assert_eq!(c.answered_at_once(), 0.0);
        let at_once = IoCell {
            latencies_s: vec![0.0001, 0.00002, 0.004, 0.006],
            ..c.clone()
        };
        assert_eq!(at_once.answered_at_once(), 0.5);
        // The waits' median leaves the two answered at once out: 4 ms of {4, 6} ms.
        assert_eq!(at_once.waited_median(), 0.004);
        assert_eq!(c.waited_median(), 0.004);
        // None waited: the median of all, microseconds.
        let none_waited = IoCell {
            latencies_s: vec![0.00001, 0.00002, 0.00003],
            ..c.clone()
        };
        assert_eq!(none_waited.waited_median(), 0.00002);
        assert_eq!(none_waited.answered_at_once(), 1.0);
        assert!(
            IoCell {
                latencies_s: vec![],
                ..c
            }
            .answered_at_once()
            .is_nan()
        );
        assert_eq!(Load::Threads(2).label(), "beside 2 CPU-bound threads");
        assert_eq!(Load::Process.id(), "process");
    }

    #[test]
    fn the_client_fails_in_one_line_when_nothing_listens() {
        let addr = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("port");
        let err = echo_client(addr, Duration::from_millis(50)).expect_err("refused");
        assert!(err.starts_with("connecting to the echo server"), "{err}");
    }
}
