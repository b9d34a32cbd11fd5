//! The answer to give today about the GIL, its figures read from a run's outcome.

use crate::judge::ids;
use pyproof_harness::{Outcome, Verdict};

/// One or two sentences: threads and processes on pure-Python work (warm, and run once),
/// what scales on threads anyway, each free-threaded build measured, and thread safety.
/// None when the core figures are missing (the experiment did not run).
pub fn answer(o: &Outcome) -> Option<String> {
    let threads = o.figure("python.threads.k2.speedup", "×")?;
    let procs = o.figure("python.processes.k2.speedup", "×")?;
    let mut s = format!(
        "One thread runs Python bytecode at a time on a GIL build: pure-Python work gave \
         {threads} on 2 threads and {procs} on 2 processes"
    );
    if let Some(cold) = o.figure("python.processes.k2.run_once_speedup", "×") {
        s.push_str(&format!(
            " ({cold} for a job run once, the pool's start included)"
        ));
    }
    let released: Vec<String> = [
        ("numpy.threads.k2.speedup", "NumPy"),
        (
            "native_release.threads.k2.speedup",
            "a Rust kernel that releases it",
        ),
    ]
    .iter()
    .filter_map(|(key, what)| o.figure(key, "×").map(|f| format!("{what} {f}")))
    .collect();
    if !released.is_empty() {
        s.push_str(&format!(
            "; code that releases the GIL scales on threads ({})",
            released.join(", ")
        ));
    }
    let free_threaded: Vec<String> = o
        .key_parts("interpreters.", "t.speedup_k2")
        .into_iter()
        .filter_map(|build| {
            o.figure(&format!("interpreters.{build}t.speedup_k2"), "×")
                .map(|f| format!("{build}t {f}"))
        })
        .collect();
    if !free_threaded.is_empty() {
        s.push_str(&format!(
            ". On a free-threaded build, 2 threads gave {}",
            free_threaded.join(", ")
        ));
    }
    if o.verdict(ids::NOT_THREAD_SAFE) == Some(Verdict::Confirmed) {
        s.push_str(
            ". The GIL never made code thread-safe: a shared counter lost updates without a \
             lock on every build measured",
        );
    }
    s.push('.');
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use pyproof_harness::testing::made_up_outcome;

    #[test]
    fn the_sentence_carries_the_runs_figures() {
        let mut o = made_up_outcome(
            &[
                ("python.threads.k2.speedup", 0.97),
                ("python.processes.k2.speedup", 1.78),
                ("python.processes.k2.run_once_speedup", 0.4),
                ("numpy.threads.k2.speedup", 1.9),
                ("interpreters.3.13.15t.speedup_k2", 1.95),
                ("interpreters.3.13.15.speedup_k2", 1.0),
            ],
            &[],
            &[(ids::NOT_THREAD_SAFE, "lost")],
        );
        assert_eq!(
            answer(&o).as_deref(),
            Some(
                "One thread runs Python bytecode at a time on a GIL build: pure-Python work \
                 gave 0.970× on 2 threads and 1.78× on 2 processes (0.400× for a job run once, \
                 the pool's start included); code that releases the GIL scales on threads \
                 (NumPy 1.90×). On a free-threaded build, 2 threads gave 3.13.15t 1.95×. The \
                 GIL never made code thread-safe: a shared counter lost updates without a lock \
                 on every build measured."
            )
        );
        o.measurements
            .retain(|m| m.key != "python.threads.k2.speedup");
        assert_eq!(answer(&o), None);
    }
}
