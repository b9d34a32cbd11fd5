//! The answer to give today about CPU-bound work, its figures read from a run's outcome.

use pyproof_harness::{Outcome, format_number};

/// "100 ms", "1 µs".
fn size_words(us: u64) -> String {
    if us >= 1_000_000 {
        format!("{} s", format_number(us as f64 / 1e6))
    } else if us >= 1000 {
        format!("{} ms", format_number(us as f64 / 1e3))
    } else {
        format!("{us} µs")
    }
}

/// The process pool's speedup on the largest tasks (warm and run once) beside threads', on
/// the smallest, and what batching did where it mattered.
pub fn answer(o: &Outcome) -> Option<String> {
    let sizes = o.numbers_in_keys("size", "us.sequential.seconds");
    let (&small, &large) = (sizes.first()?, sizes.last()?);
    let at = |us: u64, v: &str| o.figure(&format!("size{us}us.{v}.speedup"), "×");
    let procs = at(large, "processes_chunks_auto")?;
    let mut s = format!(
        "A process pool, for tasks big enough to pay for it: on {} tasks 2 processes gave \
         {procs}",
        size_words(large)
    );
    if let Some(cold) = at(large, "processes_cold") {
        s.push_str(&format!(
            " ({cold} for a job run once, the pool's start included)"
        ));
    }
    if let Some(threads) = at(large, "threads") {
        s.push_str(&format!(", threads {threads}"));
    }
    if let Some(tiny) = at(small, "processes_chunks_auto") {
        s.push_str(&format!(
            "; on {} tasks even a batched pool gave {tiny}",
            size_words(small)
        ));
    }
    // Where chunksize 1 was measured beside the batched pool, the smallest such size shows
    // what batching buys.
    if let Some((us, one, batched)) = sizes.iter().find_map(|&us| {
        Some((
            us,
            at(us, "processes_chunks_1")?,
            at(us, "processes_chunks_auto")?,
        ))
    }) {
        s.push_str(&format!(
            ". Batch small tasks: on {} tasks chunksize 1 gave {one}, batched {batched}",
            size_words(us)
        ));
    }
    // Claim (4)'s builds: what a free-threaded build changes.
    let free_threaded: Vec<String> = o
        .key_parts("builds.", "t.threads.speedup")
        .into_iter()
        .filter_map(|build| {
            let threads = o.figure(&format!("builds.{build}t.threads.speedup"), "×")?;
            let procs = o.figure(&format!("builds.{build}t.processes.speedup"), "×")?;
            let single = o
                .figure(&format!("builds.{build}t.single_thread_cost"), "×")
                .map(|x| format!(" (one thread: {x} the GIL build's time)"))
                .unwrap_or_default();
            Some(format!(
                "{build}t threads {threads}, processes {procs}{single}"
            ))
        })
        .collect();
    if !free_threaded.is_empty() {
        s.push_str(&format!(
            ". Over sequential on a free-threaded build: {}",
            free_threaded.join("; ")
        ));
    }
    s.push('.');
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use pyproof_harness::testing::made_up_outcome;

    #[test]
    fn the_sentence_reads_the_sizes_measured() {
        let o = made_up_outcome(
            &[
                ("size1us.sequential.seconds", 0.78),
                ("size1us.processes_chunks_auto.speedup", 0.956),
                ("size100us.sequential.seconds", 0.62),
                ("size100us.processes_chunks_1.speedup", 0.43),
                ("size100us.processes_chunks_auto.speedup", 2.0),
                ("size100000us.sequential.seconds", 0.86),
                ("size100000us.processes_chunks_auto.speedup", 1.83),
                ("size100000us.processes_cold.speedup", 1.48),
                ("size100000us.threads.speedup", 1.02),
                ("builds.3.13.15t.threads.speedup", 1.9),
                ("builds.3.13.15t.processes.speedup", 1.85),
                ("builds.3.13.15.threads.speedup", 1.0),
                ("builds.3.13.15t.single_thread_cost", 1.31),
            ],
            &[],
            &[],
        );
        assert_eq!(
            answer(&o).as_deref(),
            Some(
                "A process pool, for tasks big enough to pay for it: on 100 ms tasks 2 processes \
                 gave 1.83× (1.48× for a job run once, the pool's start included), threads \
                 1.02×; on 1 µs tasks even a batched pool gave 0.956×. Batch small tasks: on 100 \
                 µs tasks chunksize 1 gave 0.430×, batched 2.00×. Over sequential on a free-threaded \
                 build: 3.13.15t threads 1.90×, processes 1.85× (one thread: 1.31× the GIL \
                 build's time)."
            )
        );
        assert_eq!(answer(&made_up_outcome(&[], &[], &[])), None);
        assert_eq!(size_words(1_000_000), "1.00 s");
    }
}
