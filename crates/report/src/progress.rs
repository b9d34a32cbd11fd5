//! Progress on stderr.

use pyproof_harness::Progress;
use std::io::{IsTerminal, Write};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Shows `[id 12/60] what runs now` on stderr: redrawn in place on a terminal, and at most
/// once every few seconds as plain lines otherwise (CI logs).
pub struct TerminalProgress {
    prefix: String,
    tty: bool,
    last_line: Mutex<Option<Instant>>,
}

impl TerminalProgress {
    /// Progress lines prefixed with `prefix` (the experiment id).
    pub fn new(prefix: impl Into<String>) -> Self {
        TerminalProgress {
            prefix: prefix.into(),
            tty: std::io::stderr().is_terminal(),
            last_line: Mutex::new(None),
        }
    }

    /// Clears the progress line (call before printing results).
    pub fn finish(&self) {
        if self.tty {
            eprint!("\r\x1b[2K");
            let _ = std::io::stderr().flush();
        }
    }
}

/// One progress line. A claim within noise earns rounds beyond the plan, so `done` can pass
/// `total`; the line then says so rather than showing a count past its end.
fn progress_line(prefix: &str, label: &str, done: usize, total: usize) -> String {
    if done > total {
        format!("[{prefix} {done}/{total}, rounds added] {label}")
    } else {
        format!("[{prefix} {done}/{total}] {label}")
    }
}

impl Progress for TerminalProgress {
    fn update(&self, label: &str, done: usize, total: usize) {
        let line = progress_line(&self.prefix, label, done, total);
        if self.tty {
            let width = 110;
            let shown: String = line.chars().take(width).collect();
            eprint!("\r\x1b[2K{shown}");
            let _ = std::io::stderr().flush();
            return;
        }
        let Ok(mut last) = self.last_line.lock() else {
            return;
        };
        if last.is_none_or(|t| t.elapsed() >= Duration::from_secs(3)) {
            eprintln!("{line}");
            *last = Some(Instant::now());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::progress_line;

    #[test]
    fn a_count_past_the_plan_says_rounds_were_added() {
        assert_eq!(progress_line("gil", "round 1", 3, 76), "[gil 3/76] round 1");
        assert_eq!(
            progress_line("gil", "round 4", 76, 76),
            "[gil 76/76] round 4"
        );
        assert_eq!(
            progress_line("gil", "round 5", 86, 76),
            "[gil 86/76, rounds added] round 5"
        );
    }
}
