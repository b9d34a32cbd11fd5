//! What every executor run reports, and the Rust worker that runs rayon over the corpus.
//!
//! Python runs are `python -m pyproof image_parallelism`; Rust runs are this very binary
//! re-executed with `PYPROOF_WORKER=images` (see `pyproof_proc::worker_main`). Both print one
//! [`RunReport`] as JSON, so the harness compares them field by field.

use super::corpus::{PackReader, read_pack};
use super::pipeline::{ImageFailure, Tally, threshold, thumbnail};
use super::scaled::thumbnail_scaled;
use pyproof_proc::own_anon_kib;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

/// Images read per step when streaming the pack from disk.
pub const STREAM_BATCH: usize = 4096;

/// One executor's run over the corpus, as printed by a worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunReport {
    /// `threshold`, `thumbnail` or `echo`.
    pub workload: String,
    /// `sequential`, `threads`, `processes` or `rayon`.
    pub executor: String,
    /// Workers (threads or processes); 1 for sequential.
    pub k: usize,
    /// Images per task handed to a pool (1 when there is no pool).
    #[serde(default = "one")]
    pub batch: u64,
    /// What came out.
    #[serde(flatten)]
    pub tally: Tally,
    /// Seconds from the first image to the last output, measured inside the worker; for a
    /// Rust run of several passes, their mean.
    pub work_s: f64,
    /// Rust only, when timed warm: each timed pass's seconds (`work_s` is their mean).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pass_s: Vec<f64>,
    /// A paired rayon run only: the sequential pipeline's passes in the same process, each
    /// beside `pass_s`'s pass of the same index (before it in even pairs, after it in odd).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sequential_pass_s: Vec<f64>,
    /// Seconds to start the executor and warm it (pool processes, imports; rayon's threads
    /// and one pass over the corpus), untimed.
    pub startup_s: f64,
    /// Anonymous memory of the worker before the corpus was loaded, KiB.
    pub baseline_anon_kib: u64,
    /// Whether the corpus was streamed from disk (read inside the timed part) rather than
    /// held in memory.
    #[serde(default)]
    pub streamed: bool,
    /// Library versions.
    #[serde(default)]
    pub library: BTreeMap<String, String>,
    /// Rust only, when timed warm: seconds of the job run once — the rayon threads' start and
    /// the first pass over the corpus, untimed in `work_s` (the pass after it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cold_s: Option<f64>,
    /// A Dask run's cluster figures (none for the other executors).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster: Option<super::cluster::ClusterReport>,
}

fn one() -> u64 {
    1
}

impl RunReport {
    /// Images per second.
    pub fn rate(&self) -> f64 {
        self.tally.images() as f64 / self.work_s.max(1e-9)
    }
}

/// A Rust workload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RustWorkload {
    /// Decode → halve → blur → JPEG ([`thumbnail`]).
    Thumbnail,
    /// Decode → grey → threshold ([`threshold`]).
    Threshold,
    /// The thumbnail with the JPEG decoded at half size ([`thumbnail_scaled`]).
    ThumbnailScaled,
}

impl RustWorkload {
    fn parse(s: &str) -> Result<Self, String> {
        match s {
            "thumbnail" => Ok(RustWorkload::Thumbnail),
            "threshold" => Ok(RustWorkload::Threshold),
            "thumbnail_scaled" => Ok(RustWorkload::ThumbnailScaled),
            other => Err(format!(
                "unknown workload '{other}' (expected: thumbnail, threshold, thumbnail_scaled)"
            )),
        }
    }

    fn func(self) -> fn(&[u8]) -> Result<Vec<u8>, ImageFailure> {
        match self {
            RustWorkload::Thumbnail => thumbnail,
            RustWorkload::Threshold => threshold,
            RustWorkload::ThumbnailScaled => thumbnail_scaled,
        }
    }

    fn name(self) -> &'static str {
        match self {
            RustWorkload::Thumbnail => "thumbnail",
            RustWorkload::Threshold => "threshold",
            RustWorkload::ThumbnailScaled => "thumbnail_scaled",
        }
    }
}

/// The fewest pairs of passes a paired run times: with three, the median of the pairs'
/// ratios leaves out one pass the machine disturbed (two pairs until 2026-12-03, fourth
/// session: docs/image_parallelism.md).
pub const PAIRS_AT_LEAST: usize = 3;

/// How a Rust run is timed.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Timing {
    /// The pack read while working, one pass, cold.
    Streamed,
    /// The pack read first, one untimed pass, then whole timed passes filling `window`
    /// seconds; `paired`, each beside a sequential pass.
    Passes { window: f64, paired: bool },
}

/// The arguments of the images worker.
const USAGE: &str = "usage: PYPROOF_WORKER=images <binary> \
<thumbnail|threshold|thumbnail_scaled> \
<sequential|rayon> <k> <pack> [--count N] [--stream | [--paired] --window SECONDS]";

/// The images worker: `<workload> <sequential|rayon> <k> <pack> [--count N] [--stream |
/// [--paired] --window SECONDS]`, or `stages <pack> [--count N]` for the stage profile
/// ([`super::stages`]). Runs the workload over the first N images of the pack (all by
/// default) and returns its report as JSON, or a one-line error. With `--window`, whole timed
/// passes over those images repeat until the window has passed (one pass at least); with
/// `--paired` (rayon only), each rayon pass comes with a sequential pass in the same process,
/// alternately before and after it ([`PAIRS_AT_LEAST`] pairs at least).
pub fn run_worker(args: &[String]) -> Result<String, String> {
    if let [first, rest @ ..] = args
        && first == "stages"
    {
        return super::stages::run_worker(rest);
    }
    let [workload, executor, k, pack, rest @ ..] = args else {
        return Err(USAGE.to_string());
    };
    let workload = RustWorkload::parse(workload)?;
    let k: usize = k
        .parse()
        .ok()
        .filter(|&k| (1..=1024).contains(&k))
        .ok_or_else(|| format!("bad worker count '{k}' (expected 1 to 1024)"))?;
    let rayon = match executor.as_str() {
        "sequential" if k == 1 => false,
        "sequential" => return Err("sequential runs with k = 1".to_string()),
        "rayon" => true,
        other => {
            return Err(format!(
                "unknown executor '{other}' (expected: sequential, rayon)"
            ));
        }
    };
    let mut count = u64::MAX;
    let mut stream = false;
    let mut window = 0.0;
    let mut paired = false;
    let mut rest = rest.iter();
    while let Some(flag) = rest.next() {
        match flag.as_str() {
            "--count" => {
                count = rest
                    .next()
                    .and_then(|c| c.parse().ok())
                    .filter(|&c| c > 0)
                    .ok_or("--count needs a positive number")?;
            }
            "--stream" => stream = true,
            "--paired" => paired = true,
            "--window" => {
                window = rest
                    .next()
                    .and_then(|w| w.parse::<f64>().ok())
                    .filter(|w| w.is_finite() && (0.0..=600.0).contains(w))
                    .ok_or("--window needs seconds from 0 to 600")?;
            }
            other => return Err(format!("unknown argument '{other}'; {USAGE}")),
        }
    }
    if stream && (window > 0.0 || paired) {
        return Err("--stream goes with neither --window nor --paired".to_string());
    }
    if paired && !rayon {
        return Err("--paired pairs rayon's passes with sequential ones".to_string());
    }
    let timing = if stream {
        Timing::Streamed
    } else {
        Timing::Passes { window, paired }
    };
    let report = run(workload, rayon, k, Path::new(pack), count, timing)?;
    serde_json::to_string(&report).map_err(|e| e.to_string())
}

/// The `images` worker role: the Rust pipeline (sequential or rayon) or its stage profile, in
/// a fresh process.
pub struct ImagesWorker;

impl pyproof_harness::Worker for ImagesWorker {
    fn role(&self) -> &'static str {
        "images"
    }
    fn run(&self, args: &[String]) -> Result<String, String> {
        run_worker(args)
    }
}

/// The locked versions of the Rust libraries doing the work.
pub fn rust_libraries() -> BTreeMap<String, String> {
    [
        ("image", env!("PYPROOF_VERSION_IMAGE")),
        ("zune-jpeg", env!("PYPROOF_VERSION_ZUNE_JPEG")),
        ("png", env!("PYPROOF_VERSION_PNG")),
        (
            "fast_image_resize",
            env!("PYPROOF_VERSION_FAST_IMAGE_RESIZE"),
        ),
        ("jpeg-encoder", env!("PYPROOF_VERSION_JPEG_ENCODER")),
        ("rayon", env!("PYPROOF_VERSION_RAYON")),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

fn tally_of(
    images: &[Vec<u8>],
    func: fn(&[u8]) -> Result<Vec<u8>, ImageFailure>,
    par: bool,
) -> Tally {
    let one = |b: &Vec<u8>| {
        let mut t = Tally::default();
        t.add(b.len(), func(b).ok().as_deref());
        t
    };
    let merge = |mut a: Tally, b: Tally| {
        a.merge(&b);
        a
    };
    if par {
        images.par_iter().map(one).reduce(Tally::default, merge)
    } else {
        images.iter().map(one).fold(Tally::default(), merge)
    }
}

fn run(
    workload: RustWorkload,
    rayon: bool,
    k: usize,
    pack: &Path,
    count: u64,
    timing: Timing,
) -> Result<RunReport, String> {
    let baseline_anon_kib = own_anon_kib();
    let started = Instant::now();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(k)
        .thread_name(|i| format!("pyproof-rayon-{i}"))
        .build()
        .map_err(|e| format!("starting {k} rayon threads: {e}"))?;
    let pool_s = started.elapsed().as_secs_f64();
    let func = workload.func();
    let mut sequential_pass_s = Vec::new();
    let (tally, work_s, startup_s, cold_s, pass_s) =
        if let Timing::Passes { window, paired } = timing {
            let images = read_pack(pack, count).map_err(|e| e.to_string())?;
            // Warm, like the Python pools (started and fed before their clock starts): one
            // untimed pass over the corpus, counted in the start-up. A fresh process's first pass
            // under several rayon threads runs slower than its later ones (one thread's does
            // not), so a timed first pass put that one-off cost into rayon's efficiency and its
            // round-to-round spread (docs/image_parallelism.md, 2026-12-03 (fourth session)).
            // It is also what running the job once costs: reported beside, as `cold_s`.
            let warming = Instant::now();
            let tally = pool.install(|| tally_of(&images, func, rayon));
            let cold_s = pool_s + warming.elapsed().as_secs_f64();
            // Paired, the sequential passes run as the sequential configuration does: on a pool
            // of one thread (not the main thread, whose allocator arena differs), warmed too.
            let sequential = if paired {
                let one = rayon::ThreadPoolBuilder::new()
                    .num_threads(1)
                    .build()
                    .map_err(|e| format!("starting 1 rayon thread: {e}"))?;
                one.install(|| tally_of(&images, func, false));
                Some(one)
            } else {
                None
            };
            let startup_s = pool_s + warming.elapsed().as_secs_f64();
            // Whole passes until the window has passed: a longer window averages over the
            // machine's short swings, which one pass of a fraction of a second does not. Paired,
            // a sequential pass goes before the rayon pass in even pairs and after it in odd ones
            // (ABBA), so a drift of the machine's speed does not favour either side.
            let pass = |par: bool, into: &mut Vec<f64>| -> Result<(), String> {
                let started = Instant::now();
                let t = match (&sequential, par) {
                    (Some(one), false) => one.install(|| tally_of(&images, func, false)),
                    _ => pool.install(|| tally_of(&images, func, rayon)),
                };
                into.push(started.elapsed().as_secs_f64());
                if t == tally {
                    Ok(())
                } else {
                    Err("two passes over the same images gave different outputs".to_string())
                }
            };
            let started = Instant::now();
            let mut pass_s = Vec::new();
            let least = if paired { PAIRS_AT_LEAST } else { 1 };
            while pass_s.len() < least || started.elapsed().as_secs_f64() < window {
                let sequential_first = paired && pass_s.len() % 2 == 0;
                if sequential_first {
                    pass(false, &mut sequential_pass_s)?;
                }
                pass(true, &mut pass_s)?;
                if paired && !sequential_first {
                    pass(false, &mut sequential_pass_s)?;
                }
            }
            let work_s = pass_s.iter().sum::<f64>() / pass_s.len() as f64;
            (
                tally,
                work_s,
                startup_s,
                (!paired).then_some(cold_s),
                pass_s,
            )
        } else {
            let mut reader = PackReader::open(pack).map_err(|e| e.to_string())?;
            let started = Instant::now();
            let mut tally = Tally::default();
            let mut left = count;
            while left > 0 {
                let n = usize::try_from(left.min(STREAM_BATCH as u64)).unwrap_or(STREAM_BATCH);
                let batch = reader.next_batch(n).map_err(|e| e.to_string())?;
                if batch.is_empty() {
                    break;
                }
                left -= batch.len() as u64;
                tally.merge(&pool.install(|| tally_of(&batch, func, rayon)));
            }
            (
                tally,
                started.elapsed().as_secs_f64(),
                pool_s,
                None,
                Vec::new(),
            )
        };
    let library = rust_libraries();
    Ok(RunReport {
        workload: workload.name().to_string(),
        executor: if rayon { "rayon" } else { "sequential" }.to_string(),
        k,
        batch: 1,
        tally,
        work_s,
        startup_s,
        baseline_anon_kib,
        streamed: timing == Timing::Streamed,
        library,
        cold_s,
        pass_s,
        sequential_pass_s,
        cluster: None,
    })
}
