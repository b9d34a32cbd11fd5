//! Each server started on loopback, its answers to the valid and the bad bodies checked, and
//! one load cell (a client count on an endpoint) measured against it.

use crate::load::{LoadReport, LoadSpec};
use crate::{
    REQUEST_TIMEOUT, START_TIMEOUT, WAITRESS_DEFAULT_THREADS, plan::Endpoint, plan::Plan,
    plan::Server,
};
use crate::{axum_server, load, payload};
use bytes::Bytes;
use hyper::Method;
use pyproof_harness::{ExperimentError, median};
use pyproof_python::{Interpreter, Service, python_worker};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

/// Starts `server` and checks, from the kernel's socket tables, that it listens on the
/// loopback interface only.
pub fn start(server: Server, plan: &Plan) -> Result<Service, ExperimentError> {
    let label = server.label(plan);
    let cmd = match server {
        Server::Axum => {
            pyproof_proc::worker_command(pyproof_harness::Worker::role(&axum_server::AxumServer))?
        }
        _ => {
            let mut cmd = python_worker(Interpreter::get()?, "api_frameworks");
            cmd.args(["serve"]);
            match server {
                Server::FastApi => cmd.arg("fastapi"),
                Server::FastApiSync => cmd.arg("fastapi_sync"),
                Server::Litestar => cmd.arg("litestar"),
                Server::Starlette => cmd.arg("starlette"),
                Server::FastApiGranian => cmd.arg("fastapi_granian"),
                Server::Flask => cmd.args([
                    "flask".to_string(),
                    "--threads".to_string(),
                    WAITRESS_DEFAULT_THREADS.to_string(),
                ]),
                _ => cmd.args([
                    "flask".to_string(),
                    "--threads".to_string(),
                    plan.wide_threads().to_string(),
                ]),
            };
            cmd
        }
    };
    let service = Service::start(cmd, &label, START_TIMEOUT)?;
    let listening = service.listening();
    if listening.is_empty() || listening.iter().any(|a| !a.ip().is_loopback()) {
        return Err(ExperimentError::Inconsistent(format!(
            "{label} listens on {listening:?}: expected 127.0.0.1 only"
        )));
    }
    Ok(service)
}

/// How a server answered one bad body.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    /// HTTP status.
    pub status: u16,
    /// The fields its 422 body names (None when the body is not in FastAPI's shape).
    pub named: Option<BTreeSet<String>>,
    /// The error types its body gives.
    pub kinds: BTreeSet<String>,
}

impl Answer {
    /// Rejected with 422, naming exactly the fields at fault; for a body that is not JSON,
    /// saying exactly that (one error of type `json_invalid`), not only the status.
    pub fn precise(&self, expected: &Option<BTreeSet<String>>) -> bool {
        self.status == 422
            && match expected {
                Some(e) => self.named.as_ref() == Some(e),
                None => {
                    self.named.is_some()
                        && self.kinds == BTreeSet::from([payload::JSON_INVALID.to_string()])
                }
            }
    }

    /// What it answered, for evidence: "422 naming {…}" or "200 (accepted)".
    pub fn describe(&self) -> String {
        if self.status == 200 {
            return "200 (accepted)".to_string();
        }
        if self.status >= 500 {
            return format!("{} (a server error)", self.status);
        }
        format!(
            "{} naming {}",
            self.status,
            self.named
                .as_ref()
                .map_or("nothing".to_string(), |n| format!("{n:?}"))
        )
    }
}

/// Checks that `service` echoes the valid order exactly and waits as told, then sends every
/// bad body and returns the answers.
pub fn check_answers(service: &Service, label: &str) -> Result<Vec<Answer>, ExperimentError> {
    let t = Duration::from_secs(10);
    let fail = |e: String| ExperimentError::Inconsistent(format!("{label}: {e}"));
    let order = payload::valid_order(payload::LOAD_ITEMS);
    let body = serde_json::to_vec(&order).map_err(|e| fail(e.to_string()))?;
    let (status, echo) =
        load::probe(service.addr, Method::POST, "/validate", &body, t).map_err(fail)?;
    let echoed: serde_json::Value =
        serde_json::from_slice(&echo).map_err(|e| fail(format!("the echo is not JSON ({e})")))?;
    if status != 200 || echoed != order {
        return Err(fail(format!(
            "the valid order was not echoed unchanged (HTTP {status}: {})",
            String::from_utf8_lossy(&echo[..echo.len().min(120)])
        )));
    }
    let (status, waited) = load::probe(service.addr, Method::GET, "/wait", b"", t).map_err(fail)?;
    if status != 200 || !waited.starts_with(b"{\"waited_ms\":20") {
        return Err(fail(format!("GET /wait answered HTTP {status}")));
    }
    payload::bad_cases()
        .iter()
        .map(|case| {
            let (status, body) =
                load::probe(service.addr, Method::POST, "/validate", &case.body, t)
                    .map_err(fail)?;
            Ok(Answer {
                status,
                named: payload::named_fields(&body),
                kinds: payload::error_kinds(&body),
            })
        })
        .collect()
}

/// One load cell as measured: the generator's report and the server's side.
#[derive(Debug, Clone)]
pub struct Cell {
    /// What the load generator saw.
    pub load: LoadReport,
    /// Server CPU time over the cell, s.
    pub server_cpu_s: f64,
    /// The server's peak anonymous memory during the cell, KiB.
    pub server_peak_kib: u64,
    /// The round it was measured in: ratios pair cells of the same round (the rounds past
    /// the budget's minimum visit only the cells of claims still within noise).
    pub round: usize,
}

/// Drives `endpoint` of `service` at `concurrency` clients for `timing` (warm-up, window:
/// [`Plan::timing_at`] or, past the first round, [`Plan::timing_after`]) — with `fit`, at
/// most that, fitted to the server's queue after the shortest warm-up
/// ([`crate::load::fitted`]) — sampling the server's memory meanwhile.
pub fn run_cell(
    service: &mut Service,
    endpoint: Endpoint,
    concurrency: usize,
    timing: (std::time::Duration, std::time::Duration),
    fit: Option<(std::time::Duration, std::time::Duration)>,
) -> Result<Cell, ExperimentError> {
    service.check_alive()?;
    let (method, path, body) = match endpoint {
        Endpoint::Validate => (
            Method::POST,
            "/validate",
            Bytes::from(
                serde_json::to_vec(&payload::valid_order(payload::LOAD_ITEMS))
                    .map_err(|e| ExperimentError::Inconsistent(e.to_string()))?,
            ),
        ),
        Endpoint::Wait => (Method::GET, "/wait", Bytes::new()),
    };
    let spec = LoadSpec {
        addr: service.addr,
        method,
        path: path.to_string(),
        body,
        concurrency,
        warmup: timing.0,
        window: timing.1,
        request_timeout: REQUEST_TIMEOUT,
        // Far above what a window can hold here (axum: ~30k/s on two cores); a cap, not a
        // target: it keeps the latency list bounded.
        max_per_client: 2_000_000 / concurrency as u64,
        fit,
    };
    let cpu_before = service.cpu_s();
    let pid = service.pid();
    let peak = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let sampler = {
        let (peak, stop) = (peak.clone(), stop.clone());
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                peak.fetch_max(
                    pyproof_proc::process::group_anon_kib(pid),
                    Ordering::Relaxed,
                );
                std::thread::sleep(Duration::from_millis(50));
            }
        })
    };
    let report = load::run(&spec);
    stop.store(true, Ordering::Relaxed);
    let _ = sampler.join();
    let load = report.map_err(ExperimentError::Inconsistent)?;
    service.check_alive()?;
    Ok(Cell {
        load,
        server_cpu_s: service.cpu_s() - cpu_before,
        server_peak_kib: peak.load(Ordering::Relaxed),
        round: 0,
    })
}

/// A load cell's place: (server, endpoint, clients).
pub type Key = (Server, Endpoint, usize);

/// Every load cell measured, by (server, endpoint, clients), round by round.
pub type Cells = BTreeMap<Key, Vec<Cell>>;

/// Requests/s of cells `a` and `b` in the rounds both were measured in, paired by round.
pub(crate) fn paired_rps(cells: &Cells, a: Key, b: Key) -> (Vec<f64>, Vec<f64>) {
    let (Some(xs), Some(ys)) = (cells.get(&a), cells.get(&b)) else {
        return (Vec::new(), Vec::new());
    };
    xs.iter()
        .filter_map(|x| {
            ys.iter()
                .find(|y| y.round == x.round)
                .map(|y| (x.load.rps(), y.load.rps()))
        })
        .unzip()
}

pub(crate) fn med_rps(cells: &Cells, key: (Server, Endpoint, usize)) -> f64 {
    cells.get(&key).map_or(f64::NAN, |cs| {
        median(&cs.iter().map(|c| c.load.rps()).collect::<Vec<_>>())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precision_needs_422_and_exactly_the_fields() {
        let want = Some(BTreeSet::from(["items.1.qty".to_string()]));
        let a = |status, fields: &[&str], kind: &str| Answer {
            status,
            named: Some(fields.iter().map(|f| f.to_string()).collect()),
            kinds: BTreeSet::from([kind.to_string()]),
        };
        assert!(a(422, &["items.1.qty"], "int_parsing").precise(&want));
        assert!(!a(400, &["items.1.qty"], "int_parsing").precise(&want));
        assert!(!a(422, &["items.1.qty", "customer.name"], "int_parsing").precise(&want));
        assert!(!a(422, &["items"], "list_type").precise(&want));
        // A body that is not JSON: the answer must say so, not only carry the status.
        assert!(a(422, &["7"], "json_invalid").precise(&None));
        assert!(!a(422, &["7"], "missing").precise(&None));
        assert!(
            !Answer {
                status: 422,
                named: None,
                kinds: BTreeSet::from(["json_invalid".to_string()]),
            }
            .precise(&None)
        );
        assert_eq!(a(200, &[], "").describe(), "200 (accepted)");
        assert_eq!(a(500, &[], "").describe(), "500 (a server error)");
        assert_eq!(a(422, &["x"], "").describe(), "422 naming {\"x\"}");
    }
}
