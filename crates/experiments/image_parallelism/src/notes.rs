//! The notes under the verdicts: the stage profile's codec ceiling, the performance targets
//! and what the run could not show.

use crate::corpus::{Corpus, group_digits};
use crate::pipeline::Stage;
use crate::{
    RAYON, RUST_TARGET, plan::Config, plan::Executor, plan::Plan, plan::Workload,
    runs::damaged_among, stats::Stats, stats::efficiency,
};
use crate::{SEED, stages};
use pyproof_harness::{Outcome, format_number};

pub(crate) fn notes(
    outcome: &mut Outcome,
    stats: &Stats,
    profiles: &stages::Profiles,
    plan: &Plan,
    corpus: &Corpus,
    cores: usize,
) {
    let rayon = Config {
        workload: Workload::RustThumbnail,
        executor: Executor::Rayon(cores.max(1)),
    };
    let best_python = [Workload::PythonThreshold, Workload::PillowThumbnail]
        .into_iter()
        .filter_map(|w| stats.best(w))
        .max_by(|a, b| a.1.total_cmp(&b.1));
    if let Some((best, rate)) = best_python {
        let (rayon_rate, rayon_speedup) = stats.rayon_figures(&rayon);
        let factor = rayon_rate / rate;
        let eff = efficiency(rayon_speedup, cores, cores);
        outcome.notes.push(format!(
            "Performance target (Rust + rayon ≥ {RUST_TARGET}× the best Python path, with ≥ \
             {:.0}% parallel efficiency at k = cores): Rust thumbnail with {} rayon threads ran \
             {} images/s, the best Python path ({}, {}) {} images/s: {}× — {}; efficiency \
             {:.0}% — {}.",
            100.0 * RAYON.value,
            cores,
            format_number(rayon_rate),
            best.workload.label(),
            best.executor.label(),
            format_number(rate),
            format_number(factor),
            if factor >= RUST_TARGET {
                "met"
            } else {
                "not met"
            },
            100.0 * eff,
            if eff >= RAYON.value { "met" } else { "not met" },
        ));
        if let (Some(floor), Some(decode), Some(encode)) = (
            profiles.rust_codec_floor(),
            profiles.rust_per_image(Stage::Decode),
            profiles.rust_per_image(Stage::Encode),
        ) {
            let eff = if eff.is_finite() { eff.min(1.0) } else { 1.0 };
            let bound = stages::codec_bound(floor, cores, eff, rate);
            outcome.notes.push(format!(
                "Where the ceiling is (the stage profile): Rust's decode ({} µs) and JPEG encode \
                 ({} µs) alone take {} µs per image on one thread. Even if resizing and \
                 blurring cost nothing, {cores} rayon threads at {:.0}% efficiency could reach \
                 at most {} images/s = {}× the best Python path — {}",
                format_number(1e6 * decode),
                format_number(1e6 * encode),
                format_number(1e6 * floor),
                100.0 * eff,
                format_number(cores as f64 * eff / floor),
                format_number(bound),
                if bound < RUST_TARGET {
                    format!(
                        "so no Rust pipeline on these codecs (zune-jpeg, png, jpeg-encoder) can \
                         meet the {RUST_TARGET}× target on this corpus; Pillow's codecs \
                         (libjpeg-turbo, zlib) are compiled SIMD C too."
                    )
                } else {
                    format!(
                        "the codecs alone do not rule out the {RUST_TARGET}× target; the rest \
                         of the gap is resizing and blurring."
                    )
                }
            ));
        }
    }
    let expected_python = damaged_among(&plan.corpus, plan.python_count);
    let expected_all = damaged_among(&plan.corpus, plan.corpus.count);
    let mut skips = Vec::new();
    for (w, t) in &stats.tallies {
        if *w == Workload::Echo {
            continue;
        }
        let expected = if *w == Workload::PythonThreshold {
            expected_python
        } else {
            expected_all
        };
        skips.push(format!(
            "{} skipped {} of {} (damaged on purpose: {expected}{})",
            w.label(),
            t.skipped,
            group_digits(t.images()),
            if t.skipped == expected {
                ""
            } else {
                " — MISMATCH: this decoder treats damaged files differently"
            }
        ));
    }
    outcome.notes.push(format!(
        "Damaged files are skipped and counted, and every executor of a workload skipped the \
         same ones (outputs checksummed and compared every run): {}.",
        skips.join("; ")
    ));
    outcome.notes.push(format!(
        "Corpus: {} JPEG and PNG pictures (gradient, 3-6 filled shapes, ±12 levels of noise), \
         seed {SEED}, one in {} damaged on purpose; {} on disk, read into memory \
         by each run before timing. Pool tasks carry a batch of images as bytes and return \
         the outputs as bytes; pools are spawned and warmed before timing (start-up shown).",
        corpus.info.spec.describe(),
        corpus.info.spec.damage_every,
        pyproof_harness::format_bytes(corpus.info.bytes)
    ));
    outcome.notes.push(
        "Memory is the peak anonymous memory of the whole process group, sampled from /proc: \
         a process pool counts every worker interpreter, each with its own copy of Pillow and \
         of the batches in flight."
            .to_string(),
    );
    if cores < 4 {
        outcome.notes.push(format!(
            "k = 4 on {cores} cores oversubscribes the machine: it shows the cost of more \
             workers than cores, not more parallelism (efficiency counts min(k, cores))."
        ));
    }
}
