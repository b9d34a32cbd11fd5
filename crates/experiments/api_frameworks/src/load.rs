//! The load generator: closed-loop HTTP/1.1 clients on hyper's client connections.
//!
//! `concurrency` simulated clients each hold one keep-alive connection and send the next
//! request as soon as the previous answer is read in full (the way `wrk` works). The run
//! lasts warm-up + measured window — or, with [`LoadSpec::fit`], at most that, both fitted
//! to the server's queue after the shortest warm-up ([`fitted`]); a request counts in the
//! window when its answer arrives inside it, and in the latencies unless it was its
//! connection's first (that one also waited for a busy server to take the connection on:
//! [`LoadReport::slowest_first_ms`]). Every request has its own timeout; a failed or
//! timed-out request is counted as an error and its connection replaced. Clients stop
//! sending at the end of the window, and the number of requests per client is capped, so a
//! run is bounded in time and memory.
//! The whole generator runs on one thread (a current-thread tokio runtime): on a machine of
//! two cores it leaves the other to the server, and its own CPU time is measured.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{Method, Request, StatusCode, header};
use hyper_util::rt::TokioIo;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::TcpStream;

/// One load run.
#[derive(Debug, Clone)]
pub struct LoadSpec {
    /// The server.
    pub addr: SocketAddr,
    /// GET or POST.
    pub method: Method,
    /// Path and query.
    pub path: String,
    /// Request body (empty for GET).
    pub body: Bytes,
    /// Simulated clients, each with one connection.
    pub concurrency: usize,
    /// Run before the window; its answers are not counted.
    pub warmup: Duration,
    /// The measured window.
    pub window: Duration,
    /// Each request's own limit.
    pub request_timeout: Duration,
    /// Requests per client at most.
    pub max_per_client: u64,
    /// Fit the warm-up and window to the server's queue: `warmup` and `window` are then
    /// upper bounds, and these the shortest ([`fitted`]). None: exactly `warmup` + `window`.
    pub fit: Option<(Duration, Duration)>,
}

/// Warm-up and window fitted to a server's queue after `elapsed` of warm-up in which the
/// `clients` got `answers`: by Little's law a closed-loop client waits clients ÷ throughput,
/// so the warm-up lasts one such latency and the window three, each between `shortest` and
/// `longest`. A server answering 128 clients at 200/s (Flask on 4 threads: 0.64 s each)
/// keeps the longest; one at 5,000/s gets the shortest. No answer yet: the longest.
pub fn fitted(
    clients: usize,
    answers: u64,
    elapsed: Duration,
    shortest: (Duration, Duration),
    longest: (Duration, Duration),
) -> (Duration, Duration) {
    if answers == 0 || elapsed.is_zero() {
        return longest;
    }
    let latency = elapsed.mul_f64(clients as f64 / answers as f64);
    (
        latency.clamp(shortest.0.min(longest.0), longest.0),
        (latency * 3).clamp(shortest.1.min(longest.1), longest.1),
    )
}

/// What a load run measured.
#[derive(Debug, Clone, Default)]
pub struct LoadReport {
    /// Simulated clients.
    pub concurrency: usize,
    /// Answers with status 200 that arrived in the window.
    pub ok: u64,
    /// Requests that failed (status not 200, transport error, timeout), warm-up included:
    /// a failure is a failure whenever it happens.
    pub errors: u64,
    /// The first failure, for the reader.
    pub first_error: Option<String>,
    /// Requests sent in all (warm-up included).
    pub sent: u64,
    /// Length of the window, s.
    pub window_s: f64,
    /// Latency of every answer counted in the window but its connection's first, µs, sorted.
    pub latencies_us: Vec<u32>,
    /// The longest a connection's first answer took, anywhere in the run, ms (NaN with none):
    /// a server busy with the clients already connected takes a new connection on late
    /// (uvicorn under 128 clients: the last to connect waited most of a second), a start-up
    /// wait the latency percentiles leave out.
    pub slowest_first_ms: f64,
    /// CPU time of the load generator's thread over the whole run, s.
    pub client_cpu_s: f64,
}

impl LoadReport {
    /// Answers per second in the window.
    pub fn rps(&self) -> f64 {
        if self.window_s > 0.0 {
            self.ok as f64 / self.window_s
        } else {
            0.0
        }
    }

    /// The `q`-quantile of the latencies (nearest rank), ms; NaN with no answers.
    pub fn latency_ms(&self, q: f64) -> f64 {
        if self.latencies_us.is_empty() {
            return f64::NAN;
        }
        let n = self.latencies_us.len();
        let rank = ((q * n as f64).ceil() as usize).clamp(1, n);
        self.latencies_us[rank - 1] as f64 / 1000.0
    }
}

#[derive(Default)]
struct ClientTally {
    errors: u64,
    first_error: Option<String>,
    sent: u64,
    /// Every answer with status 200: when it arrived, its latency (µs) and whether it was
    /// its connection's first. Which fall in the window is decided at the end, once a
    /// fitted window is known.
    answers: Vec<(Instant, u32, bool)>,
}

/// The run's clock, shared by its clients: when the window starts and ends (moved once, by
/// the fit), and the answers so far.
struct Clock {
    bounds: std::sync::Mutex<(Instant, Instant)>,
    answers: std::sync::atomic::AtomicU64,
}

impl Clock {
    fn bounds(&self) -> (Instant, Instant) {
        *self.bounds.lock().unwrap_or_else(|e| e.into_inner())
    }
}

type Sender = hyper::client::conn::http1::SendRequest<Full<Bytes>>;

async fn connect(addr: SocketAddr) -> Result<Sender, String> {
    let stream = TcpStream::connect(addr)
        .await
        .map_err(|e| format!("connect: {e}"))?;
    let _ = stream.set_nodelay(true);
    let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| format!("handshake: {e}"))?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    Ok(sender)
}

fn request(spec: &LoadSpec) -> Result<Request<Full<Bytes>>, String> {
    let mut b = Request::builder()
        .method(spec.method.clone())
        .uri(spec.path.as_str())
        .header(header::HOST, spec.addr.to_string());
    if !spec.body.is_empty() {
        b = b.header(header::CONTENT_TYPE, "application/json");
    }
    b.body(Full::new(spec.body.clone()))
        .map_err(|e| format!("building the request: {e}"))
}

async fn exchange(
    sender: &mut Sender,
    req: Request<Full<Bytes>>,
) -> Result<(StatusCode, Bytes), String> {
    sender
        .ready()
        .await
        .map_err(|e| format!("connection: {e}"))?;
    let resp = sender
        .send_request(req)
        .await
        .map_err(|e| format!("request: {e}"))?;
    let status = resp.status();
    let body = resp
        .into_body()
        .collect()
        .await
        .map_err(|e| format!("reading the answer: {e}"))?
        .to_bytes();
    Ok((status, body))
}

async fn client(spec: Arc<LoadSpec>, clock: Arc<Clock>) -> ClientTally {
    let mut tally = ClientTally::default();
    let mut sender: Option<Sender> = None;
    let fail = |tally: &mut ClientTally, e: String| {
        tally.errors += 1;
        tally.first_error.get_or_insert(e);
    };
    while Instant::now() < clock.bounds().1 && tally.sent < spec.max_per_client {
        let fresh = sender.is_none();
        let mut s = match sender.take() {
            Some(s) => s,
            None => match tokio::time::timeout(spec.request_timeout, connect(spec.addr)).await {
                Ok(Ok(s)) => s,
                Ok(Err(e)) => {
                    tally.sent += 1;
                    fail(&mut tally, e);
                    // A refused connection returns at once: do not spin on it.
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
                Err(_) => {
                    tally.sent += 1;
                    fail(&mut tally, "connect: timed out".into());
                    continue;
                }
            },
        };
        let req = match request(&spec) {
            Ok(r) => r,
            Err(e) => {
                fail(&mut tally, e);
                break;
            }
        };
        tally.sent += 1;
        let started = Instant::now();
        let outcome = tokio::time::timeout(spec.request_timeout, exchange(&mut s, req)).await;
        let done = Instant::now();
        match outcome {
            Ok(Ok((StatusCode::OK, _))) => {
                let us = done.duration_since(started).as_micros();
                tally
                    .answers
                    .push((done, us.min(u32::MAX as u128) as u32, fresh));
                clock
                    .answers
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                sender = Some(s);
            }
            Ok(Ok((status, body))) => {
                let text = String::from_utf8_lossy(&body[..body.len().min(80)]).to_string();
                fail(&mut tally, format!("HTTP {status}: {text}"));
                sender = Some(s);
            }
            Ok(Err(e)) => fail(&mut tally, e),
            Err(_) => fail(
                &mut tally,
                format!("no answer within {} s", spec.request_timeout.as_secs_f64()),
            ),
        }
    }
    tally
}

fn thread_cpu_s() -> f64 {
    // SAFETY: getrusage with a valid out-pointer.
    unsafe {
        let mut ru: libc::rusage = std::mem::zeroed();
        if libc::getrusage(libc::RUSAGE_THREAD, &mut ru) != 0 {
            return f64::NAN;
        }
        let t = |tv: libc::timeval| tv.tv_sec as f64 + tv.tv_usec as f64 / 1e6;
        t(ru.ru_utime) + t(ru.ru_stime)
    }
}

/// Runs the load described by `spec` on this thread and reports what it measured.
pub fn run(spec: &LoadSpec) -> Result<LoadReport, String> {
    if spec.concurrency == 0 || spec.window.is_zero() {
        return Err("a load needs at least one client and a window".into());
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("starting tokio: {e}"))?;
    let cpu_before = thread_cpu_s();
    let spec = Arc::new(spec.clone());
    let begun = Instant::now();
    let clock = Arc::new(Clock {
        bounds: std::sync::Mutex::new((begun + spec.warmup, begun + spec.warmup + spec.window)),
        answers: std::sync::atomic::AtomicU64::new(0),
    });
    let tallies = rt.block_on(async {
        let mut set = tokio::task::JoinSet::new();
        for _ in 0..spec.concurrency {
            set.spawn(client(spec.clone(), clock.clone()));
        }
        if let Some(shortest) = spec.fit {
            // After the shortest warm-up, fit both to the queue the answers so far show.
            tokio::time::sleep(shortest.0.min(spec.warmup)).await;
            let (warmup, window) = fitted(
                spec.concurrency,
                clock.answers.load(std::sync::atomic::Ordering::Relaxed),
                begun.elapsed(),
                shortest,
                (spec.warmup, spec.window),
            );
            let start = (begun + warmup).max(Instant::now());
            *clock.bounds.lock().unwrap_or_else(|e| e.into_inner()) = (start, start + window);
        }
        let mut all = Vec::new();
        while let Some(t) = set.join_next().await {
            all.push(t.map_err(|e| format!("a load client failed: {e}"))?);
        }
        Ok::<_, String>(all)
    })?;
    let (start, end) = clock.bounds();
    let mut report = LoadReport {
        concurrency: spec.concurrency,
        window_s: end.duration_since(start).as_secs_f64(),
        client_cpu_s: thread_cpu_s() - cpu_before,
        ..LoadReport::default()
    };
    let mut slowest_first_us: Option<u32> = None;
    for t in tallies {
        report.errors += t.errors;
        report.sent += t.sent;
        if report.first_error.is_none() {
            report.first_error = t.first_error;
        }
        for (done, us, first) in t.answers {
            if first {
                slowest_first_us = slowest_first_us.max(Some(us));
            }
            if done >= start && done <= end {
                report.ok += 1;
                if !first {
                    report.latencies_us.push(us);
                }
            }
        }
    }
    report.slowest_first_ms = slowest_first_us.map_or(f64::NAN, |us| us as f64 / 1000.0);
    report.latencies_us.sort_unstable();
    Ok(report)
}

/// One request on a fresh connection: the status and the body.
pub fn probe(
    addr: SocketAddr,
    method: Method,
    path: &str,
    body: &[u8],
    timeout: Duration,
) -> Result<(u16, Bytes), String> {
    let spec = LoadSpec {
        addr,
        method,
        path: path.to_string(),
        body: Bytes::copy_from_slice(body),
        concurrency: 1,
        warmup: Duration::ZERO,
        window: timeout,
        request_timeout: timeout,
        max_per_client: 1,
        fit: None,
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("starting tokio: {e}"))?;
    rt.block_on(async {
        let req = request(&spec)?;
        tokio::time::timeout(timeout, async {
            let mut s = connect(addr).await?;
            exchange(&mut s, req).await
        })
        .await
        .map_err(|_| {
            format!(
                "no answer from {addr}{path} within {} s",
                timeout.as_secs_f64()
            )
        })?
        .map(|(status, body)| (status.as_u16(), body))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latency_quantiles_use_the_nearest_rank() {
        let r = LoadReport {
            latencies_us: (1..=100).map(|i| i * 1000).collect(),
            ok: 100,
            window_s: 2.0,
            ..LoadReport::default()
        };
        assert_eq!(r.latency_ms(0.5), 50.0);
        assert_eq!(r.latency_ms(0.99), 99.0);
        assert_eq!(r.latency_ms(1.0), 100.0);
        assert_eq!(r.rps(), 50.0);
        assert!(LoadReport::default().latency_ms(0.5).is_nan());
    }

    #[test]
    fn the_window_fits_the_queue_by_littles_law() {
        let ms = Duration::from_millis;
        let (shortest, longest) = ((ms(200), ms(600)), (ms(500), ms(1500)));
        let fit = |answers, elapsed| {
            let (w, m) = fitted(128, answers, ms(elapsed), shortest, longest);
            (w.as_millis(), m.as_millis())
        };
        // Flask on 4 threads: 40 answers in 0.2 s, 0.64 s each: the longest.
        assert_eq!(fit(40, 200), (500, 1500));
        // 0.3 s a latency: one of warm-up, three of window.
        assert_eq!(fit(64, 150), (300, 900));
        // FastAPI: 1,100 answers in 0.2 s, 23 ms each: the shortest.
        assert_eq!(fit(1100, 200), (200, 600));
        // Nothing answered yet, or no time passed: the longest, not a guess.
        assert_eq!(fit(0, 200), (500, 1500));
        assert_eq!(fit(10, 0), (500, 1500));
    }

    /// A server on 127.0.0.1 that answers every GET at once, except the first request on
    /// every second connection, which it answers after `slow` (a connection taken on late).
    fn server_slow_to_start(slow: Duration) -> SocketAddr {
        use std::io::{Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr");
        std::thread::spawn(move || {
            for (i, stream) in listener.incoming().enumerate() {
                let Ok(mut stream) = stream else { return };
                std::thread::spawn(move || {
                    let (mut buf, mut first) = (Vec::new(), true);
                    let mut chunk = [0u8; 1024];
                    while let Ok(n) = stream.read(&mut chunk) {
                        if n == 0 {
                            return;
                        }
                        buf.extend_from_slice(&chunk[..n]);
                        while let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                            buf.drain(..end + 4);
                            if std::mem::take(&mut first) && i % 2 == 1 {
                                std::thread::sleep(slow);
                            }
                            let answer = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok";
                            if stream.write_all(answer).is_err() {
                                return;
                            }
                        }
                    }
                });
            }
        });
        addr
    }

    #[test]
    fn a_connections_first_answer_counts_in_the_rate_not_in_the_latencies() {
        let slow = Duration::from_millis(400);
        let ms = Duration::from_millis;
        // Half the clients are answered at once: a 20 ms warm-up opens the window before the
        // slow ones' first answers (400 ms), which then arrive inside it.
        let spec = LoadSpec {
            addr: server_slow_to_start(slow),
            method: Method::GET,
            path: "/".into(),
            body: Bytes::new(),
            concurrency: 4,
            warmup: ms(20),
            window: ms(800),
            request_timeout: Duration::from_secs(5),
            max_per_client: 1_000_000,
            fit: None,
        };
        let r = run(&spec).expect("runs");
        assert_eq!(r.errors, 0, "{r:?}");
        // Two first answers fell in the window: counted as answers, not as latencies.
        assert_eq!(r.ok - r.latencies_us.len() as u64, 2, "{}", r.ok);
        assert!(r.latency_ms(1.0) < slow.as_secs_f64() * 1000.0);
        assert!(r.slowest_first_ms >= slow.as_secs_f64() * 1000.0);
    }

    #[test]
    fn a_closed_port_gives_errors_not_a_hang() {
        // A port nobody listens on: bind, note it, close.
        let addr = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("port");
        let spec = LoadSpec {
            addr,
            method: Method::GET,
            path: "/wait".into(),
            body: Bytes::new(),
            concurrency: 4,
            warmup: Duration::from_millis(20),
            window: Duration::from_millis(200),
            request_timeout: Duration::from_secs(1),
            max_per_client: 1000,
            fit: Some((Duration::from_millis(10), Duration::from_millis(50))),
        };
        let started = Instant::now();
        let r = run(&spec).expect("runs");
        assert!(started.elapsed() < Duration::from_secs(5));
        assert_eq!(r.ok, 0);
        assert!(r.errors > 0 && r.errors == r.sent, "{r:?}");
        assert!(r.first_error.as_deref().unwrap_or("").contains("connect"));
    }
}
