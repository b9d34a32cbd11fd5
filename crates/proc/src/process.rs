//! Running a real process with a timeout, and measuring what it cost.
//!
//! Every child gets its own process group, so a timeout, an error or an interrupt kills the
//! child *and everything it started* (multiprocessing workers, a server's threads) — nothing is
//! left behind. While it runs, `/proc/<pid>/status` is sampled for the peak resident set
//! (VmHWM) and the peak anonymous memory (RssAnon): the first counts the pages of a
//! memory-mapped input, the second is the program's own data. The whole group is sampled
//! too, for pools of worker processes. Wall time is measured here, CPU time and the kernel's
//! own peak RSS come from `wait4`'s rusage (which includes reaped grandchildren).

use crate::error::ProcError;
use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// Which output stream a line came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    /// Standard output.
    Stdout,
    /// Standard error.
    Stderr,
}

/// A callback that sees every output line as it arrives (e.g. to show pip's progress).
pub type LineSink = Arc<dyn Fn(Stream, &str) + Send + Sync>;

/// How to run a process.
#[derive(Clone)]
pub struct RunOptions {
    /// What is being run, for messages ("pip install", "polars eager").
    pub what: String,
    /// Kill the process group when this runs out.
    pub timeout: Duration,
    /// How often to sample memory.
    pub sample_every: Duration,
    /// Sample the whole process group every this many samples (a /proc scan costs more).
    pub group_every: u32,
    /// Sees each output line as it arrives, if set.
    pub on_line: Option<LineSink>,
}

impl RunOptions {
    /// Options with a timeout, sampling every 5 ms and the group every 50 ms.
    pub fn new(what: impl Into<String>, timeout: Duration) -> Self {
        RunOptions {
            what: what.into(),
            timeout,
            sample_every: Duration::from_millis(5),
            group_every: 10,
            on_line: None,
        }
    }

    /// Sends every output line to `sink` as it arrives.
    pub fn with_lines(mut self, sink: LineSink) -> Self {
        self.on_line = Some(sink);
        self
    }
}

/// What a finished process cost.
#[derive(Debug, Clone, PartialEq)]
pub struct ProcessReport {
    /// What was run.
    pub what: String,
    /// Exit code, when it exited normally.
    pub code: Option<i32>,
    /// The signal that killed it, if one did.
    pub signal: Option<i32>,
    /// Everything it wrote to stdout (lossy UTF-8).
    pub stdout: String,
    /// Everything it wrote to stderr (lossy UTF-8).
    pub stderr: String,
    /// Wall time from spawn to exit, seconds.
    pub wall_s: f64,
    /// User CPU time of the process and its reaped descendants, seconds.
    pub user_s: f64,
    /// System CPU time of the process and its reaped descendants, seconds.
    pub sys_s: f64,
    /// The kernel's peak RSS (ru_maxrss) over the process and its reaped descendants, KiB.
    pub max_rss_kib: u64,
    /// The largest sampled VmHWM of the process itself, KiB.
    pub peak_hwm_kib: u64,
    /// The largest sampled RssAnon of the process itself, KiB.
    pub peak_anon_kib: u64,
    /// The largest sampled sum of RssAnon over the whole process group, KiB.
    pub peak_group_anon_kib: u64,
    /// How many memory samples were taken.
    pub samples: u32,
}

impl ProcessReport {
    /// Whether it exited with code 0.
    pub fn success(&self) -> bool {
        self.code == Some(0)
    }

    /// "exit code 3" or "killed by signal 9".
    pub fn status_text(&self) -> String {
        match (self.code, self.signal) {
            (Some(c), _) => format!("exit code {c}"),
            (None, Some(s)) => format!("killed by signal {s}"),
            (None, None) => "unknown status".to_string(),
        }
    }

    /// This report when the process succeeded, else a [`ProcError::ProcessFailed`] naming
    /// the status and the end of stderr.
    pub fn check(self) -> Result<Self, ProcError> {
        if self.success() {
            Ok(self)
        } else {
            Err(ProcError::ProcessFailed {
                what: self.what.clone(),
                status: self.status_text(),
                stderr_tail: tail(&self.stderr, 20),
            })
        }
    }

    /// CPU time (user + system), seconds.
    pub fn cpu_s(&self) -> f64 {
        self.user_s + self.sys_s
    }
}

/// The last `n` lines of `text`.
pub fn tail(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

static LIVE_GROUPS: Mutex<Vec<i32>> = Mutex::new(Vec::new());
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Registers a live process group; unregisters (and kills what is left of it) on drop.
pub(crate) struct GroupGuard(i32);

impl GroupGuard {
    pub(crate) fn new(pgid: i32) -> Self {
        if let Ok(mut live) = LIVE_GROUPS.lock() {
            live.push(pgid);
        }
        GroupGuard(pgid)
    }
}

impl Drop for GroupGuard {
    fn drop(&mut self) {
        kill_group(self.0);
        if let Ok(mut live) = LIVE_GROUPS.lock() {
            live.retain(|&g| g != self.0);
        }
    }
}

fn kill_group(pgid: i32) {
    // SAFETY: killpg has no memory-safety preconditions; a stale group is ESRCH.
    unsafe {
        libc::killpg(pgid, libc::SIGKILL);
    }
}

/// Kills every process group started by [`run_measured`] that is still alive.
pub fn kill_live_groups() {
    // try_lock: this runs from a signal-handling thread and must never wait on a lock.
    if let Ok(live) = LIVE_GROUPS.try_lock() {
        for &g in live.iter() {
            kill_group(g);
        }
    }
}

/// The fields of `/proc/<pid>/stat` after the command name (which may itself hold spaces
/// and ')'): state, parent pid, process group, ...
fn stat_fields(pid: i32) -> Option<Vec<String>> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = stat.get(stat.rfind(')')? + 2..)?;
    Some(rest.split_whitespace().map(str::to_string).collect())
}

/// The scheduler state of `pid` ('R', 'S', 'Z'...), None when it is gone.
pub fn state_of(pid: i32) -> Option<char> {
    stat_fields(pid)?.first()?.chars().next()
}

/// Whether `pid` exists and is not a zombie.
pub fn is_alive(pid: i32) -> bool {
    state_of(pid).is_some_and(|s| s != 'Z')
}

/// The parent pid of `pid`.
pub fn parent_of(pid: i32) -> Option<i32> {
    stat_fields(pid)?.get(1)?.parse().ok()
}

fn group_of(pid: i32) -> Option<i32> {
    stat_fields(pid)?.get(2)?.parse().ok()
}

/// Every living descendant of this process, parents before children.
pub fn descendants() -> Vec<i32> {
    let me = std::process::id() as i32;
    let all: Vec<(i32, i32)> = std::fs::read_dir("/proc")
        .map(|dir| {
            dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<i32>().ok())
                .filter_map(|pid| Some((pid, parent_of(pid)?)))
                .collect()
        })
        .unwrap_or_default();
    let mut found = vec![me];
    let mut i = 0;
    while i < found.len() {
        let parent = found[i];
        found.extend(
            all.iter()
                .filter(|(_, pp)| *pp == parent)
                .map(|(pid, _)| *pid),
        );
        i += 1;
    }
    found.remove(0);
    found
}

/// Kills every descendant of this process (multiprocessing pool workers started by the
/// embedded interpreter live in our own process group, out of reach of [`kill_live_groups`]).
/// multiprocessing's resource tracker is spared: once every writer of its pipe is gone it
/// unlinks the semaphores the pool left and exits by itself; killing it would leak them.
pub fn kill_descendants() {
    for pid in descendants() {
        let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
        if String::from_utf8_lossy(&cmdline).contains("multiprocessing.resource_tracker") {
            continue;
        }
        // SAFETY: kill has no memory-safety preconditions; a vanished pid is ESRCH.
        unsafe {
            libc::kill(pid, libc::SIGKILL);
        }
    }
}

/// Whether an interrupt (Ctrl-C, SIGTERM) was received.
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

/// Installs the Ctrl-C / SIGTERM handler of the binaries: kill every child process group and
/// every descendant process (pool workers), say so in one line, exit 130 without running exit hooks (which could wait for a GIL held
/// by a thread that will never release it). Results are written atomically, so an interrupt
/// never leaves a half-written file in place of a good one.
pub fn install_interrupt_handler() -> Result<(), ProcError> {
    ctrlc::set_handler(|| {
        INTERRUPTED.store(true, Ordering::SeqCst);
        kill_live_groups();
        kill_descendants();
        crate::pending::remove_pending_files();
        eprintln!("\npyproof: interrupted; child processes stopped, nothing written");
        // SAFETY: _exit ends the process at once; nothing runs after it.
        unsafe { libc::_exit(130) }
    })
    .map_err(|e| ProcError::io("installing the Ctrl-C handler", std::io::Error::other(e)))
}

/// Makes a closed stdout (`pyproof list | head -1`) end the process as a Unix tool ends:
/// quietly, with exit code 141 (128 + SIGPIPE), its child process groups and descendants
/// stopped and its pending files removed, as on Ctrl-C — not with a panic's backtrace
/// (`println!` panics when stdout's reader is gone). Every other panic keeps the default
/// report.
pub fn quiet_broken_pipe() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let text = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or("");
        if is_broken_stdout(text) {
            kill_live_groups();
            kill_descendants();
            crate::pending::remove_pending_files();
            // SAFETY: _exit ends the process at once; nothing runs after it.
            unsafe { libc::_exit(141) }
        }
        default(info);
    }));
}

/// Whether a panic message is std's for a write to a stdout nobody reads.
fn is_broken_stdout(message: &str) -> bool {
    message.starts_with("failed printing to stdout") && message.contains("Broken pipe")
}

#[derive(Default)]
struct Peaks {
    hwm_kib: u64,
    anon_kib: u64,
    group_anon_kib: u64,
    samples: u32,
}

/// Reads `VmHWM` and `RssAnon` (KiB) from `/proc/<pid>/status`.
fn read_status(pid: i32) -> Option<(u64, u64)> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
    };
    Some((field("VmHWM:")?, field("RssAnon:")?))
}

/// This process's anonymous resident memory, KiB (0 when /proc is unreadable).
pub fn own_anon_kib() -> u64 {
    read_status(std::process::id() as i32)
        .map(|(_, anon)| anon)
        .unwrap_or(0)
}

/// Raises this process's open-file limit to its hard limit (thousands of sockets at once);
/// returns the limit now in force, 0 when it cannot be read.
pub fn raise_fd_limit() -> u64 {
    // SAFETY: getrlimit/setrlimit with a valid out-pointer; no memory is shared.
    unsafe {
        let mut lim: libc::rlimit = std::mem::zeroed();
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) != 0 {
            return 0;
        }
        lim.rlim_cur = lim.rlim_max;
        libc::setrlimit(libc::RLIMIT_NOFILE, &lim);
        libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim);
        lim.rlim_cur
    }
}

/// The pids whose process group is `pgid`.
pub fn group_members(pgid: i32) -> Vec<i32> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<i32>().ok())
        .filter(|&pid| group_of(pid) == Some(pgid))
        .collect()
}

/// Anonymous memory resident now in every process of group `pgid`, KiB.
pub fn group_anon_kib(pgid: i32) -> u64 {
    group_members(pgid)
        .into_iter()
        .filter_map(read_status)
        .map(|(_, anon)| anon)
        .sum()
}

fn spawn_reader<R: Read + Send + 'static>(
    pipe: Option<R>,
    stream: Stream,
    sink: Option<LineSink>,
) -> thread::JoinHandle<String> {
    thread::spawn(move || {
        let mut all = String::new();
        let Some(pipe) = pipe else { return all };
        let mut reader = BufReader::new(pipe);
        let mut buf = Vec::new();
        loop {
            buf.clear();
            match reader.read_until(b'\n', &mut buf) {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    let line = String::from_utf8_lossy(&buf);
                    if let Some(sink) = &sink {
                        sink(stream, line.trim_end_matches(['\n', '\r']));
                    }
                    all.push_str(&line);
                }
            }
        }
        all
    })
}

/// Runs `cmd` to completion in its own process group, killing the group on timeout, and
/// reports its wall time, CPU time and memory peaks. A non-zero exit is *not* an error here:
/// call [`ProcessReport::check`] when it should be.
pub fn run_measured(mut cmd: Command, opts: &RunOptions) -> Result<ProcessReport, ProcError> {
    use std::os::unix::process::CommandExt;
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    let started = Instant::now();
    let mut child = cmd
        .spawn()
        .map_err(|e| ProcError::io(format!("cannot start {}", opts.what), e))?;
    let pid = child.id() as i32;
    let guard = GroupGuard::new(pid);
    let out = spawn_reader(child.stdout.take(), Stream::Stdout, opts.on_line.clone());
    let err = spawn_reader(child.stderr.take(), Stream::Stderr, opts.on_line.clone());

    let mut peaks = Peaks::default();
    let mut status: libc::c_int = 0;
    // SAFETY: rusage is plain old data; zeroed is a valid value.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let mut timed_out = false;
    loop {
        // SAFETY: pid is our own unreaped child; status and usage are valid out-pointers.
        let r = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
        if r == pid {
            break;
        }
        if r < 0 {
            let e = std::io::Error::last_os_error();
            if e.kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            drop(guard);
            return Err(ProcError::io(format!("waiting for {}", opts.what), e));
        }
        if let Some((hwm, anon)) = read_status(pid) {
            peaks.hwm_kib = peaks.hwm_kib.max(hwm);
            peaks.anon_kib = peaks.anon_kib.max(anon);
            if peaks.samples % opts.group_every.max(1) == 0 {
                peaks.group_anon_kib = peaks.group_anon_kib.max(group_anon_kib(pid));
            }
            peaks.samples += 1;
        }
        if started.elapsed() >= opts.timeout {
            timed_out = true;
            kill_group(pid);
            // SAFETY: as above; blocking reap of the child we just killed.
            unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
            break;
        }
        thread::sleep(opts.sample_every);
    }
    let wall_s = started.elapsed().as_secs_f64();
    // Whatever the child left in its group (orphaned workers) goes now, or the pipes would
    // stay open and the readers below would wait for ever.
    drop(guard);
    let stdout = out.join().unwrap_or_default();
    let stderr = err.join().unwrap_or_default();
    if timed_out {
        return Err(ProcError::Timeout {
            what: opts.what.clone(),
            seconds: opts.timeout.as_secs_f64(),
            stderr_tail: tail(&stderr, 20),
        });
    }
    let (code, signal) = if libc::WIFEXITED(status) {
        (Some(libc::WEXITSTATUS(status)), None)
    } else if libc::WIFSIGNALED(status) {
        (None, Some(libc::WTERMSIG(status)))
    } else {
        (None, None)
    };
    let secs = |tv: libc::timeval| tv.tv_sec as f64 + tv.tv_usec as f64 / 1e6;
    Ok(ProcessReport {
        what: opts.what.clone(),
        code,
        signal,
        stdout,
        stderr,
        wall_s,
        user_s: secs(usage.ru_utime),
        sys_s: secs(usage.ru_stime),
        max_rss_kib: usage.ru_maxrss.max(0) as u64,
        peak_hwm_kib: peaks.hwm_kib,
        peak_anon_kib: peaks.anon_kib,
        peak_group_anon_kib: peaks.group_anon_kib.max(peaks.anon_kib),
        samples: peaks.samples,
    })
}

#[cfg(test)]
mod tests {

    #[test]
    fn only_a_broken_stdout_is_quiet() {
        assert!(is_broken_stdout(
            "failed printing to stdout: Broken pipe (os error 32)"
        ));
        assert!(!is_broken_stdout(
            "failed printing to stdout: No space left on device"
        ));
        assert!(!is_broken_stdout("index out of bounds: Broken pipe"));
    }

    use super::*;

    fn sh(script: &str) -> Command {
        let mut c = Command::new("sh");
        c.arg("-c").arg(script);
        c
    }

    #[test]
    fn captures_output_and_exit_code() {
        let r = run_measured(
            sh("echo out; echo err >&2; exit 3"),
            &RunOptions::new("sh", Duration::from_secs(10)),
        )
        .expect("runs");
        assert_eq!(
            (r.code, r.stdout.as_str(), r.stderr.as_str()),
            (Some(3), "out\n", "err\n")
        );
        let e = r.check().unwrap_err().to_string();
        assert_eq!(e, "sh failed (exit code 3): err");
    }

    #[test]
    fn timeout_kills_the_whole_group() {
        // The child starts a grandchild in the same group; both must be gone afterwards.
        let dir = tempfile::tempdir().expect("tempdir");
        let pidfile = dir.path().join("grandchild.pid");
        let script = format!("sleep 30 & echo $! > {}; wait", pidfile.display());
        let started = Instant::now();
        let err = run_measured(
            sh(&script),
            &RunOptions::new("sleeper", Duration::from_millis(300)),
        )
        .unwrap_err();
        assert!(matches!(err, ProcError::Timeout { .. }), "{err}");
        assert!(started.elapsed() < Duration::from_secs(10));
        let grandchild: i32 = std::fs::read_to_string(&pidfile)
            .expect("pid written")
            .trim()
            .parse()
            .expect("a pid");
        thread::sleep(Duration::from_millis(100));
        // The grandchild was reparented and killed: it is gone or a zombie awaiting init.
        assert!(!is_alive(grandchild), "grandchild {grandchild} survived");
    }

    #[test]
    fn a_killed_child_is_reported_with_its_signal() {
        let r = run_measured(
            sh("kill -9 $$"),
            &RunOptions::new("victim", Duration::from_secs(10)),
        )
        .expect("runs");
        assert_eq!(r.signal, Some(9));
        assert_eq!(r.status_text(), "killed by signal 9");
    }

    #[test]
    fn descendants_include_grandchildren_and_can_be_killed() {
        use std::os::unix::process::CommandExt;
        // sh (child) starts sleep (grandchild), both in a group of their own.
        let mut child = sh("sleep 30 & wait")
            .process_group(0)
            .spawn()
            .expect("spawn");
        let pid = child.id() as i32;
        let deadline = Instant::now() + Duration::from_secs(10);
        let grandchild = loop {
            let d = descendants();
            if let Some(&g) = d.iter().find(|&&p| parent_of(p) == Some(pid)) {
                assert!(d.contains(&pid));
                break g;
            }
            assert!(Instant::now() < deadline, "no grandchild appeared");
            thread::sleep(Duration::from_millis(20));
        };
        // Only this test's tree: killing all descendants here would hit other tests' children.
        for p in [grandchild, pid] {
            // SAFETY: our own child and grandchild.
            unsafe { libc::kill(p, libc::SIGKILL) };
        }
        child.wait().expect("reaped");
        assert!(!descendants().contains(&pid));
    }

    #[test]
    fn tail_keeps_the_last_lines() {
        assert_eq!(tail("a\nb\nc\n", 2), "b\nc");
        assert_eq!(tail("", 2), "");
    }
}
