//! The answer to give today about a million images, its figures read from a run's outcome.

use pyproof_harness::Outcome;

/// Images/s of `workload` under `executor` at k (`sequential.k1`, `processes.k2`...).
fn rate(o: &Outcome, workload: &str, executor: &str) -> Option<String> {
    o.figure(&format!("{workload}.{executor}.images_per_s"), "")
}

/// Speedup of `workload` under `executor` at k = 2.
fn speedup(o: &Outcome, workload: &str, executor: &str) -> Option<String> {
    o.figure(&format!("{workload}.{executor}.k2.speedup"), "×")
}

/// Which executor per kind of code, with the speedups measured, then what moves images/s
/// more: the decode, Rust, a cluster.
pub fn answer(o: &Outcome) -> Option<String> {
    let py_procs = speedup(o, "python_threshold", "processes")?;
    let py_threads = speedup(o, "python_threshold", "threads")?;
    let mut s = format!(
        "It depends on where the time goes. Pure-Python pixel code: 2 processes gave {py_procs}, \
         2 threads {py_threads}"
    );
    if let (Some(threads), Some(procs)) = (
        speedup(o, "pillow_thumbnail", "threads"),
        speedup(o, "pillow_thumbnail", "processes"),
    ) {
        s.push_str(&format!(
            "; Pillow, whose C code releases the GIL: threads {threads}, processes {procs}"
        ));
    }
    let per_image: Vec<String> = [
        ("pillow_thumbnail", "Pillow"),
        ("pillow_draft", "Pillow with draft()"),
        ("pyvips_thumbnail", "pyvips"),
        ("rust_thumbnail", "Rust"),
    ]
    .iter()
    .filter_map(|(w, what)| rate(o, w, "sequential.k1").map(|r| format!("{what} {r}")))
    .collect();
    if per_image.len() > 1 {
        s.push_str(&format!(
            ". Images/s on one core by decoder: {}",
            per_image.join(", ")
        ));
    }
    let beyond: Vec<String> = [
        ("rust_thumbnail", "rayon.k2", "Rust + rayon on 2 threads"),
        (
            "pillow_thumbnail",
            "dask.k2",
            "a 2-worker Dask cluster on this machine",
        ),
    ]
    .iter()
    .filter_map(|(w, e, what)| {
        // rayon's paired run ((4)'s reading) where the run has it.
        rate(o, w, &format!("{e}.paired"))
            .or_else(|| rate(o, w, e))
            .map(|r| format!("{what} {r}"))
    })
    .collect();
    if !beyond.is_empty() {
        s.push_str(&format!("; {}", beyond.join(", ")));
    }
    s.push('.');
    // Claim (8): where threads run bytecode in parallel, the sheet's reason is gone.
    let free_threaded: Vec<String> = o
        .key_parts("builds.", "t.python.threads.speedup")
        .into_iter()
        .filter_map(|v| {
            let build = format!("{v}t");
            let threads = o.figure(&format!("builds.{build}.python.threads.speedup"), "×")?;
            let procs = o.figure(&format!("builds.{build}.python.processes.speedup"), "×")?;
            Some(format!(
                "on free-threaded {build} threads {threads}, processes {procs}"
            ))
        })
        .collect();
    if !free_threaded.is_empty() {
        s.push_str(&format!(
            " Pure-Python pixel code {}.",
            free_threaded.join("; ")
        ));
    }
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use pyproof_harness::testing::made_up_outcome;

    #[test]
    fn the_sentence_carries_the_runs_figures() {
        let o = made_up_outcome(
            &[
                ("python_threshold.processes.k2.speedup", 1.75),
                ("python_threshold.threads.k2.speedup", 1.1),
                ("pillow_thumbnail.threads.k2.speedup", 1.59),
                ("pillow_thumbnail.processes.k2.speedup", 1.77),
                ("pillow_thumbnail.sequential.k1.images_per_s", 321.0),
                ("pillow_draft.sequential.k1.images_per_s", 368.0),
                ("rust_thumbnail.rayon.k2.images_per_s", 1241.0),
                ("builds.3.13.15t.python.threads.speedup", 2.25),
                ("builds.3.13.15t.python.processes.speedup", 2.11),
                ("builds.3.14.10.python.threads.speedup", 1.19),
            ],
            &[],
            &[],
        );
        assert_eq!(
            answer(&o).as_deref(),
            Some(
                "It depends on where the time goes. Pure-Python pixel code: 2 processes gave \
                 1.75×, 2 threads 1.10×; Pillow, whose C code releases the GIL: threads 1.59×, \
                 processes 1.77×. Images/s on one core by decoder: Pillow 321, Pillow with \
                 draft() 368; Rust + rayon on 2 threads 1241. Pure-Python pixel code on \
                 free-threaded 3.13.15t threads 2.25×, processes 2.11×."
            )
        );
        assert_eq!(answer(&made_up_outcome(&[], &[], &[])), None);
    }
}
