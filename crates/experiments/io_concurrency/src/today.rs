//! The answer to give today about I/O-bound work, its figures read from a run's outcome.

use pyproof_harness::Outcome;

/// Wall time and memory at the largest N for asyncio against threads, then uvloop, tokio
/// and asyncio.to_thread for a blocking library.
pub fn answer(o: &Outcome) -> Option<String> {
    let n = *o.numbers_in_keys("asyncio.n", ".wall_s").last()?;
    let at = |v: &str, figure: &str, unit: &str| o.figure(&format!("{v}.n{n}.{figure}"), unit);
    let wall = at("asyncio", "wall_s", "s")?;
    let delay = o
        .parameters
        .get("delay D")
        .map_or(String::new(), |d| format!(" {d}"));
    let mut s = format!("asyncio ran {n} concurrent{delay} requests in {wall}");
    if let Some(mem) = at("asyncio", "peak_anon_mib", "MiB") {
        s.push_str(&format!(" ({mem} peak)"));
    }
    if let (Some(tw), Some(tm)) = (
        at("threads", "wall_s", "s"),
        at("threads", "peak_anon_mib", "MiB"),
    ) {
        s.push_str(&format!(", one thread per request {tw} ({tm} peak)"));
    }
    let faster: Vec<String> = [("asyncio_uvloop", "on uvloop"), ("tokio", "Rust tokio")]
        .iter()
        .filter_map(|(v, what)| at(v, "wall_s", "s").map(|w| format!("{what} {w}")))
        .collect();
    if !faster.is_empty() {
        s.push_str(&format!("; {}", faster.join(", ")));
    }
    if let (Some(to_thread), Some(blocking)) = (
        o.figure("asyncio_to_thread.n100.wall_s", "s"),
        o.figure("asyncio_blocking.n100.wall_s", "s"),
    ) {
        s.push_str(&format!(
            ". A blocking library inside asyncio belongs in asyncio.to_thread: 100 blocking \
             calls took {to_thread} that way and {blocking} called in coroutines"
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
    fn the_sentence_reads_the_largest_n() {
        let mut o = made_up_outcome(
            &[
                ("asyncio.n100.wall_s", 0.07),
                ("asyncio.n10000.wall_s", 3.0),
                ("asyncio.n10000.peak_anon_mib", 82.0),
                ("threads.n10000.wall_s", 3.29),
                ("threads.n10000.peak_anon_mib", 37.9),
                ("tokio.n10000.wall_s", 0.59),
                ("asyncio_to_thread.n100.wall_s", 0.9),
                ("asyncio_blocking.n100.wall_s", 5.2),
            ],
            &[],
            &[],
        );
        o.param("delay D", "50 ms");
        assert_eq!(
            answer(&o).as_deref(),
            Some(
                "asyncio ran 10000 concurrent 50 ms requests in 3.00 s (82.0 MiB peak), one \
                 thread per request 3.29 s (37.9 MiB peak); Rust tokio 0.590 s. A blocking library inside asyncio belongs in \
                 asyncio.to_thread: 100 blocking calls took 0.900 s that way and 5.20 s called \
                 in coroutines."
            )
        );
        assert_eq!(answer(&made_up_outcome(&[], &[], &[])), None);
    }
}
