//! A long-running server process started and stopped by an experiment.
//!
//! The protocol every pyproof server follows (the tokio delay server, the axum API server, the
//! FastAPI and Flask servers in `python/pyproof/api_frameworks.py`): bind 127.0.0.1 on port 0,
//! so the kernel picks a free port and a port in use is never a problem; print one line
//! `listening 127.0.0.1:<port>`; serve until stdin closes. The harness holds that stdin, so
//! the server goes when the [`Service`] is dropped *or* when the harness dies in any way —
//! no orphan. The process gets its own process group, registered with the Ctrl-C handler,
//! and the whole group is killed on drop. Its stderr is drained continuously (a server that
//! logs must never block on a full pipe) and its tail is kept for error messages.

use crate::error::ProcError;
use crate::process::{GroupGuard, group_anon_kib, group_members, tail};
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How much of a server's stderr is kept for its error messages.
const STDERR_KEEP: usize = 16 * 1024;

/// A running server; dropping it stops its whole process group.
pub struct Service {
    what: String,
    child: Child,
    _group: GroupGuard,
    stderr: Arc<Mutex<String>>,
    /// Where it listens (always on 127.0.0.1).
    pub addr: SocketAddr,
}

impl Service {
    /// Starts `cmd` (stdin, stdout and stderr are taken over) and waits up to `timeout` for
    /// its `listening <addr>` line. A server that exits, prints something else, announces a
    /// non-loopback address or stays silent is killed, and the error carries its stderr tail.
    pub fn start(mut cmd: Command, what: &str, timeout: Duration) -> Result<Self, ProcError> {
        use std::os::unix::process::CommandExt;
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0)
            .spawn()
            .map_err(|e| ProcError::io(format!("starting {what}"), e))?;
        let group = GroupGuard::new(child.id() as i32);
        let stderr = Arc::new(Mutex::new(String::new()));
        if let Some(pipe) = child.stderr.take() {
            let keep = stderr.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(pipe).lines() {
                    let Ok(line) = line else { break };
                    if let Ok(mut k) = keep.lock() {
                        k.push_str(&line);
                        k.push('\n');
                        if k.len() > STDERR_KEEP {
                            let cut = k.len() - STDERR_KEEP / 2;
                            let cut = (cut..k.len()).find(|&i| k.is_char_boundary(i)).unwrap_or(0);
                            k.drain(..cut);
                        }
                    }
                }
            });
        }
        let (tx, rx) = std::sync::mpsc::channel();
        if let Some(out) = child.stdout.take() {
            std::thread::spawn(move || {
                let mut reader = BufReader::new(out);
                let mut line = String::new();
                let _ = reader.read_line(&mut line);
                let _ = tx.send(line);
                // Keep draining: a server that prints more must not block on a full pipe.
                let mut sink = String::new();
                while matches!(reader.read_line(&mut sink), Ok(n) if n > 0) {
                    sink.clear();
                }
            });
        }
        let mut service = Service {
            what: what.to_string(),
            child,
            _group: group,
            stderr,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        };
        let line = rx.recv_timeout(timeout).ok();
        let addr = line.as_deref().and_then(|l| {
            l.trim()
                .strip_prefix("listening ")
                .and_then(|a| a.parse::<SocketAddr>().ok())
        });
        match addr {
            Some(addr) if addr.ip().is_loopback() => {
                service.addr = addr;
                Ok(service)
            }
            Some(addr) => {
                service.kill();
                Err(service.failure(&format!("announced {addr}, not a loopback address")))
            }
            None => {
                let why = match line {
                    None => format!("did not say where it listens within {timeout:?}"),
                    Some(l) if l.is_empty() => "exited before listening".to_string(),
                    Some(l) => format!("said {:?} instead of `listening <addr>`", l.trim()),
                };
                service.kill();
                // Give the stderr reader a moment to collect the last lines.
                std::thread::sleep(Duration::from_millis(100));
                Err(service.failure(&why))
            }
        }
    }

    /// The process id of the server (its process group id too).
    pub fn pid(&self) -> i32 {
        self.child.id() as i32
    }

    /// The last `n` lines of its stderr.
    pub fn stderr_tail(&self, n: usize) -> String {
        self.stderr.lock().map(|s| tail(&s, n)).unwrap_or_default()
    }

    /// An error saying the server failed, with its stderr tail on the same line.
    pub fn failure(&self, why: &str) -> ProcError {
        ProcError::Service {
            what: self.what.clone(),
            reason: why.to_string(),
            stderr_tail: self.stderr_tail(4).replace('\n', " | "),
        }
    }

    /// Ok while the server runs; its exit status as an error once it has stopped.
    pub fn check_alive(&mut self) -> Result<(), ProcError> {
        match self.child.try_wait() {
            Ok(None) => Ok(()),
            Ok(Some(status)) => Err(self.failure(&format!("stopped ({status})"))),
            Err(e) => Err(ProcError::io(format!("checking on {}", self.what), e)),
        }
    }

    /// CPU time used so far by every live thread of every process of its group, s — from
    /// the scheduler's nanosecond counters (`/proc/<pid>/task/<tid>/schedstat`), not the
    /// 10 ms ticks of `stat`: a short load window would round to a few ticks.
    pub fn cpu_s(&self) -> f64 {
        group_members(self.pid())
            .into_iter()
            .flat_map(|pid| {
                std::fs::read_dir(format!("/proc/{pid}/task"))
                    .into_iter()
                    .flatten()
                    .filter_map(|t| {
                        let text =
                            std::fs::read_to_string(t.ok()?.path().join("schedstat")).ok()?;
                        text.split_whitespace().next()?.parse::<u64>().ok()
                    })
            })
            .sum::<u64>() as f64
            / 1e9
    }

    /// Anonymous memory resident now in every process of its group, KiB.
    pub fn anon_kib(&self) -> u64 {
        group_anon_kib(self.pid())
    }

    /// Every TCP address a process of its group is listening on, read from the kernel's
    /// socket tables (not from what the server says).
    pub fn listening(&self) -> Vec<SocketAddr> {
        group_members(self.pid())
            .into_iter()
            .flat_map(listening_sockets)
            .collect()
    }

    fn kill(&mut self) {
        // SAFETY: killpg on the group we created; a stale group is ESRCH.
        unsafe {
            libc::killpg(self.pid(), libc::SIGKILL);
        }
        let _ = self.child.wait();
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The TCP sockets `pid` holds in the LISTEN state, with their local addresses (IPv4 and
/// IPv6), from `/proc/<pid>/fd` and `/proc/<pid>/net/tcp{,6}`.
pub fn listening_sockets(pid: i32) -> Vec<SocketAddr> {
    let inodes: Vec<String> = std::fs::read_dir(format!("/proc/{pid}/fd"))
        .map(|dir| {
            dir.filter_map(|e| {
                let target = std::fs::read_link(e.ok()?.path()).ok()?;
                let t = target.to_str()?;
                Some(t.strip_prefix("socket:[")?.strip_suffix(']')?.to_string())
            })
            .collect()
        })
        .unwrap_or_default();
    let mut found = Vec::new();
    for table in ["tcp", "tcp6"] {
        let Ok(text) = std::fs::read_to_string(format!("/proc/{pid}/net/{table}")) else {
            continue;
        };
        for row in text.lines().skip(1) {
            let f: Vec<&str> = row.split_whitespace().collect();
            // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
            let (Some(local), Some(state), Some(inode)) = (f.get(1), f.get(3), f.get(9)) else {
                continue;
            };
            if *state == "0A"
                && inodes.iter().any(|i| i == inode)
                && let Some(addr) = parse_proc_addr(local)
            {
                found.push(addr);
            }
        }
    }
    found
}

/// `0100007F:1F90` (IPv4, or 32 hex digits for IPv6, each 32-bit word in host order) → addr.
fn parse_proc_addr(text: &str) -> Option<SocketAddr> {
    let (ip, port) = text.split_once(':')?;
    let port = u16::from_str_radix(port, 16).ok()?;
    let words: Vec<u32> = (0..ip.len() / 8)
        .map(|i| u32::from_str_radix(ip.get(i * 8..i * 8 + 8)?, 16).ok())
        .collect::<Option<_>>()?;
    match words.as_slice() {
        [w] => Some(SocketAddr::from((w.to_ne_bytes(), port))),
        [a, b, c, d] => {
            let mut bytes = [0u8; 16];
            for (i, w) in [a, b, c, d].into_iter().enumerate() {
                bytes[i * 4..i * 4 + 4].copy_from_slice(&w.to_ne_bytes());
            }
            Some(SocketAddr::from((std::net::Ipv6Addr::from(bytes), port)))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proc_addresses_parse() {
        assert_eq!(
            parse_proc_addr("0100007F:1F90"),
            Some("127.0.0.1:8080".parse().expect("addr"))
        );
        assert_eq!(
            parse_proc_addr("00000000:0050"),
            Some("0.0.0.0:80".parse().expect("addr"))
        );
        assert_eq!(
            parse_proc_addr("00000000000000000000000001000000:0016"),
            Some("[::1]:22".parse().expect("addr"))
        );
        assert_eq!(parse_proc_addr("zz:1"), None);
    }

    #[test]
    fn a_listener_is_found_in_the_kernel_tables() {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = l.local_addr().expect("addr");
        assert!(listening_sockets(std::process::id() as i32).contains(&addr));
    }

    #[test]
    fn a_server_that_exits_is_a_one_line_error_with_its_stderr() {
        let mut cmd = Command::new("sh");
        cmd.args(["-c", "echo 'port 1 is busy' >&2; exit 3"]);
        let err = Service::start(cmd, "the test server", Duration::from_secs(10))
            .err()
            .expect("fails");
        let text = err.to_string();
        assert!(text.contains("the test server") && text.contains("exited before listening"));
        assert!(text.contains("port 1 is busy"), "{text}");
        assert!(!text.contains('\n'));
    }

    #[test]
    fn a_silent_server_times_out_and_is_killed() {
        let mut cmd = Command::new("sh");
        cmd.args(["-c", "sleep 30"]);
        let started = std::time::Instant::now();
        let err = Service::start(cmd, "a silent server", Duration::from_millis(300))
            .err()
            .expect("fails");
        assert!(err.to_string().contains("did not say where it listens"));
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn a_server_stops_when_dropped() {
        let mut cmd = Command::new("sh");
        cmd.args(["-c", "echo listening 127.0.0.1:9; exec sleep 30"]);
        let service = Service::start(cmd, "sleep", Duration::from_secs(10)).expect("starts");
        let pid = service.pid();
        assert_eq!(service.addr, "127.0.0.1:9".parse().expect("addr"));
        assert!(crate::process::is_alive(pid));
        drop(service);
        assert!(!crate::process::is_alive(pid));
    }

    #[test]
    fn cpu_time_is_counted_while_it_runs() {
        let mut cmd = Command::new("sh");
        cmd.args(["-c", "echo listening 127.0.0.1:9; while :; do :; done"]);
        let service = Service::start(cmd, "a busy loop", Duration::from_secs(10)).expect("starts");
        let before = service.cpu_s();
        std::thread::sleep(Duration::from_millis(300));
        assert!(service.cpu_s() > before);
        assert!(service.anon_kib() > 0);
    }

    #[test]
    fn a_public_address_is_refused() {
        let mut cmd = Command::new("sh");
        cmd.args(["-c", "echo listening 0.0.0.0:9; exec sleep 30"]);
        let err = Service::start(cmd, "open server", Duration::from_secs(10))
            .err()
            .expect("refused");
        assert!(err.to_string().contains("not a loopback address"));
    }
}
