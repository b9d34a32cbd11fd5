//! The delay server, the tokio client, and the handle that starts and stops the server.
//!
//! Protocol, one request per connection: the client sends a line (`x\n`); the server waits
//! D ms, answers `ok\n` and closes. The server is this binary re-executed as a worker
//! (`PYPROOF_WORKER=delay-server <D ms>`), in a process group of its own, bound to 127.0.0.1
//! only, on a port the kernel picks (so a port in use is never a problem). It prints
//! `listening 127.0.0.1:<port>` and serves until its stdin closes — when the harness drops
//! the handle, or dies.

use pyproof_harness::ExperimentError;
use pyproof_python::Service;
use serde::{Deserialize, Serialize};
use std::io::Read;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader as AsyncBufReader};
use tokio::net::{TcpSocket, TcpStream};

/// The reply to every request.
pub const REPLY: &[u8] = b"ok\n";

fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("starting tokio: {e}"))
}

/// The delay server's worker: `<delay ms>`. Serves until stdin closes; never returns Ok.
pub fn serve(args: &[String]) -> Result<String, String> {
    let delay_ms: u64 = match args {
        [d] => d
            .parse()
            .ok()
            .filter(|&d| d <= 60_000)
            .ok_or_else(|| format!("bad delay '{d}' (expected 0 to 60000 ms)"))?,
        _ => return Err("usage: PYPROOF_WORKER=delay-server <binary> <delay ms>".into()),
    };
    pyproof_proc::raise_fd_limit();
    // The harness holds our stdin: when it closes (the handle dropped, the harness gone),
    // the server goes too — no orphan.
    std::thread::spawn(|| {
        let mut sink = [0u8; 64];
        while matches!(std::io::stdin().read(&mut sink), Ok(n) if n > 0) {}
        std::process::exit(0);
    });
    let delay = Duration::from_millis(delay_ms);
    runtime()?.block_on(async move {
        let socket = TcpSocket::new_v4().map_err(|e| e.to_string())?;
        socket
            .bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .map_err(|e| format!("binding 127.0.0.1: {e}"))?;
        // The kernel caps the backlog at net.core.somaxconn; ask for plenty.
        let listener = socket.listen(16_384).map_err(|e| e.to_string())?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        println!("listening {addr}");
        serve_on(listener, delay).await
    })
}

/// Answers every connection on `listener` after `delay`, for ever (the delay server's loop;
/// the tests run it in process).
pub async fn serve_on(listener: tokio::net::TcpListener, delay: Duration) -> ! {
    loop {
        match listener.accept().await {
            Ok((stream, _)) => {
                tokio::spawn(answer(stream, delay));
            }
            // Out of descriptors, say: wait a moment, keep serving the others.
            Err(_) => tokio::time::sleep(Duration::from_millis(5)).await,
        }
    }
}

async fn answer(stream: TcpStream, delay: Duration) {
    let mut reader = AsyncBufReader::new(stream);
    let mut line = String::new();
    if reader.read_line(&mut line).await.is_err() {
        return;
    }
    tokio::time::sleep(delay).await;
    let mut stream = reader.into_inner();
    let _ = stream.write_all(REPLY).await;
    let _ = stream.shutdown().await;
}

/// What a client run reports (the Python clients print the same fields).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClientReport {
    /// `asyncio`, `threads`, `pool`, `sequential` or `tokio`.
    pub mode: String,
    /// Requests made.
    pub n: u64,
    /// Requests answered `ok`.
    pub ok: u64,
    /// Requests that failed (connect refused or timed out, short reply...).
    pub errors: u64,
    /// The first error, for the reader.
    #[serde(default)]
    pub first_error: Option<String>,
    /// From the first connect to the last reply, s.
    pub wall_s: f64,
    /// The most requests in flight at once (connected or connecting, not yet answered).
    pub max_in_flight: u64,
    /// The blocking-in-asyncio clients: the probe's worst lateness, ms.
    #[serde(default)]
    pub loop_lag_max_ms: Option<f64>,
    /// `asyncio_to_thread`: the threads of the loop's default executor.
    #[serde(default)]
    pub executor_width: Option<u64>,
}

/// One request: connect, send a line, read the reply.
async fn request(addr: SocketAddr) -> Result<(), String> {
    let stream = TcpStream::connect(addr)
        .await
        .map_err(|e| format!("connect: {e}"))?;
    let mut reader = AsyncBufReader::new(stream);
    reader
        .get_mut()
        .write_all(b"x\n")
        .await
        .map_err(|e| format!("send: {e}"))?;
    let mut line = Vec::new();
    reader
        .read_until(b'\n', &mut line)
        .await
        .map_err(|e| format!("receive: {e}"))?;
    if line == REPLY {
        Ok(())
    } else {
        Err(format!(
            "unexpected reply {:?}",
            String::from_utf8_lossy(&line)
        ))
    }
}

/// The tokio client's worker: `<port> <n> <timeout s>`: n concurrent requests as tasks.
pub fn tokio_client(args: &[String]) -> Result<String, String> {
    let [port, n, timeout] = args else {
        return Err("usage: PYPROOF_WORKER=io-client <binary> <port> <n> <timeout s>".into());
    };
    let port: u16 = port.parse().map_err(|_| format!("bad port '{port}'"))?;
    let n: u64 = n
        .parse()
        .ok()
        .filter(|&n| n > 0)
        .ok_or_else(|| format!("bad request count '{n}'"))?;
    let timeout = Duration::from_secs_f64(
        timeout
            .parse::<f64>()
            .ok()
            .filter(|t| *t > 0.0)
            .ok_or_else(|| format!("bad timeout '{timeout}'"))?,
    );
    pyproof_proc::raise_fd_limit();
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let report = runtime()?.block_on(async move {
        let started = Instant::now();
        let active = Arc::new(AtomicU64::new(0));
        let most = Arc::new(AtomicU64::new(0));
        let mut set = tokio::task::JoinSet::new();
        for _ in 0..n {
            let (active, most) = (active.clone(), most.clone());
            set.spawn(async move {
                let now = active.fetch_add(1, Ordering::Relaxed) + 1;
                most.fetch_max(now, Ordering::Relaxed);
                let r = tokio::time::timeout(timeout, request(addr)).await;
                active.fetch_sub(1, Ordering::Relaxed);
                r
            });
        }
        let (mut ok, mut errors, mut first_error) = (0, 0, None);
        while let Some(done) = set.join_next().await {
            let outcome = match done {
                Ok(Ok(r)) => r,
                Ok(Err(_)) => Err(format!("no reply within {} s", timeout.as_secs_f64())),
                Err(e) => Err(format!("task failed: {e}")),
            };
            match outcome {
                Ok(()) => ok += 1,
                Err(e) => {
                    errors += 1;
                    first_error.get_or_insert(e);
                }
            }
        }
        ClientReport {
            mode: "tokio".to_string(),
            n,
            ok,
            errors,
            first_error,
            wall_s: started.elapsed().as_secs_f64(),
            max_in_flight: most.load(Ordering::Relaxed),
            loop_lag_max_ms: None,
            executor_width: None,
        }
    });
    serde_json::to_string(&report).map_err(|e| e.to_string())
}

/// The `delay-server` worker role: the tokio server that answers after a fixed delay.
pub struct DelayServer;

impl pyproof_harness::Worker for DelayServer {
    fn role(&self) -> &'static str {
        "delay-server"
    }
    fn run(&self, args: &[String]) -> Result<String, String> {
        serve(args)
    }
}

/// The `io-client` worker role: N concurrent requests from tokio.
pub struct TokioClient;

impl pyproof_harness::Worker for TokioClient {
    fn role(&self) -> &'static str {
        "io-client"
    }
    fn run(&self, args: &[String]) -> Result<String, String> {
        tokio_client(args)
    }
}

/// Starts the delay server (this binary re-executed) and waits up to 10 s for its address;
/// dropping the returned [`Service`] stops it.
pub fn start_delay_server(delay_ms: u64) -> Result<Service, ExperimentError> {
    let mut cmd = pyproof_proc::worker_command(pyproof_harness::Worker::role(&DelayServer))?;
    cmd.arg(delay_ms.to_string());
    Ok(Service::start(
        cmd,
        "the delay server",
        Duration::from_secs(10),
    )?)
}
