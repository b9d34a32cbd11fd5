//! image_parallelism: "You have to process 1 million images. Threading or multiprocessing?"
//! — "Multiprocessing. Image processing is CPU-bound. Threading would be throttled by the
//! GIL." On trial with real image code.
//!
//! A seeded corpus of JPEG and PNG pictures ([`corpus`]) goes through three kinds of code:
//! pure-Python pixel work (the GIL held throughout), Pillow (C that releases the GIL in
//! decode, resize, filter and encode), and the same jobs in Rust ([`pipeline`]). Each
//! (workload, executor, k) runs in a fresh process whose whole process group is sampled for
//! memory: Python with `python -m pyproof.image_parallelism`, Rust as this binary re-executed
//! as a worker ([`worker`]). Rounds interleave every configuration; every run's outputs are
//! checksummed and must agree across executors. At `--scale full` Pillow and Rust process
//! 1,000,000 small images for real, and pure Python is projected from a sample.

pub mod corpus;
pub mod options;
pub mod pipeline;
pub mod stages;
pub mod worker;

use corpus::{Corpus, CorpusSpec, damage_of, ensure_corpus, group_digits};
use pipeline::Stage;
use pyproof_harness::{
    Bar, Case, Chart, Claim, Experiment, ExperimentError, Judgement, Measurement, Meta, Outcome,
    RunContext, Scale, Section, Table, Verdict, format_number, judge_cases, median,
    pairwise_ratios, quantile,
};
use pyproof_python::{Interpreter, RunOptions, python_command, run_measured};
use std::collections::BTreeMap;
use std::process::Command;
use std::time::Duration;
use worker::RunReport;

/// The experiment.
#[derive(Debug, Clone, Copy, Default)]
pub struct ImageParallelism;

/// The sheet's question.
pub const QUESTION: &str =
    "Scenario: You have to process 1 million images. Do you use Threading or Multiprocessing?";
/// The sheet's answer, word for word.
pub const SHEET_ANSWER: &str = "**Multiprocessing**. Image processing is CPU-bound. Threading \
would be throttled by the GIL.";

/// What this experiment is about.
pub const META: Meta = Meta {
    id: "image_parallelism",
    section: Section::EngineeringScenarios,
    question: QUESTION,
    sheet_answer: SHEET_ANSWER,
};

/// The corpus seed: every run, every machine, the same pictures.
pub const SEED: u64 = 1_000_000;
/// One image in this many is damaged on purpose (truncated, garbage, empty in turn).
pub const DAMAGE_EVERY: u64 = 250;
/// The sheet's count.
pub const MILLION: u64 = 1_000_000;
/// Claim (1): a thread speedup below this at k = cores counts as throttled.
pub const THROTTLED_BELOW: f64 = 1.25;
/// Claim (2): a process pool scales when its speedup at k = cores reaches this × cores.
pub const PROCESS_EFFICIENCY: f64 = 0.7;
/// Claim (3): rayon's parallel efficiency at k = cores.
pub const RAYON_EFFICIENCY: f64 = 0.9;
/// Claim (4): processes must beat threads by more than this factor to be "the answer".
pub const PROCESSES_MARGIN: f64 = 1.05;
/// The project's performance target: Rust + rayon over the best Python path, images/s.
pub const RUST_TARGET: f64 = 5.0;

/// What runs over each image, and in which language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Workload {
    /// Pure-Python grey + threshold over decoded pixels (the GIL held throughout).
    PythonThreshold,
    /// Pillow: decode → halve → blur → JPEG.
    PillowThumbnail,
    /// Bytes to a pool worker and back, no work: the cost of moving them.
    Echo,
    /// The threshold job in Rust.
    RustThreshold,
    /// The thumbnail job in Rust (`image` crate).
    RustThumbnail,
}

impl Workload {
    /// Every workload, in table order.
    pub const ALL: [Workload; 5] = [
        Workload::PythonThreshold,
        Workload::PillowThumbnail,
        Workload::Echo,
        Workload::RustThreshold,
        Workload::RustThumbnail,
    ];

    /// Its id in measurement keys.
    pub fn id(self) -> &'static str {
        match self {
            Workload::PythonThreshold => "python_threshold",
            Workload::PillowThumbnail => "pillow_thumbnail",
            Workload::Echo => "echo",
            Workload::RustThreshold => "rust_threshold",
            Workload::RustThumbnail => "rust_thumbnail",
        }
    }

    /// What it is, for tables.
    pub fn label(self) -> &'static str {
        match self {
            Workload::PythonThreshold => "pure-Python threshold",
            Workload::PillowThumbnail => "Pillow thumbnail",
            Workload::Echo => "echo (bytes only)",
            Workload::RustThreshold => "Rust threshold",
            Workload::RustThumbnail => "Rust thumbnail",
        }
    }

    /// The job's name as the workers know it.
    pub fn job(self) -> &'static str {
        match self {
            Workload::PythonThreshold | Workload::RustThreshold => "threshold",
            Workload::PillowThumbnail | Workload::RustThumbnail => "thumbnail",
            Workload::Echo => "echo",
        }
    }

    /// Whether it runs in Rust (rayon) rather than Python.
    pub fn is_rust(self) -> bool {
        matches!(self, Workload::RustThreshold | Workload::RustThumbnail)
    }
}

/// How the images are spread over workers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Executor {
    /// One after another on one thread.
    Sequential,
    /// `ThreadPoolExecutor(k)`.
    Threads(usize),
    /// `ProcessPoolExecutor(k)`, spawn.
    Processes(usize),
    /// A rayon pool of k threads.
    Rayon(usize),
}

impl Executor {
    /// Its name as the workers know it.
    pub fn name(self) -> &'static str {
        match self {
            Executor::Sequential => "sequential",
            Executor::Threads(_) => "threads",
            Executor::Processes(_) => "processes",
            Executor::Rayon(_) => "rayon",
        }
    }

    /// Its number of workers.
    pub fn k(self) -> usize {
        match self {
            Executor::Sequential => 1,
            Executor::Threads(k) | Executor::Processes(k) | Executor::Rayon(k) => k,
        }
    }

    /// "threads k=2".
    pub fn label(self) -> String {
        match self {
            Executor::Sequential => "sequential".to_string(),
            other => format!("{} k={}", other.name(), other.k()),
        }
    }
}

/// One measured configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Config {
    /// What runs.
    pub workload: Workload,
    /// How it is spread.
    pub executor: Executor,
}

impl Config {
    /// Key prefix of its measurements: `pillow_thumbnail.threads.k2`.
    pub fn key(&self) -> String {
        format!(
            "{}.{}.k{}",
            self.workload.id(),
            self.executor.name(),
            self.executor.k()
        )
    }
}

/// The 1,000,000-image part of a full run.
#[derive(Debug, Clone, PartialEq)]
pub struct MillionPlan {
    /// The million small images.
    pub corpus: CorpusSpec,
    /// Images of it the pure-Python path really processes (the rest is projected).
    pub python_sample: u64,
    /// Deadline of one million-image run.
    pub timeout: Duration,
}

/// Sizes of one run.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// The corpus every executor runs over.
    pub corpus: CorpusSpec,
    /// Images the pure-Python workload processes (its first images): it is ~10× slower.
    pub python_count: u64,
    /// Measured rounds; each runs every configuration once, in a rotated order.
    pub reps: usize,
    /// Worker counts: 1, 2, 4 and the core count.
    pub ks: Vec<usize>,
    /// The million-image runs (full scale only).
    pub million: Option<MillionPlan>,
}

impl Plan {
    /// The plan for `scale` on `cores` cores; `images` and `side` override the corpus.
    pub fn new(scale: Scale, cores: usize, images: Option<u64>, side: Option<(u32, u32)>) -> Self {
        let (count, (w, h), python_count, reps) = match scale {
            Scale::Quick => (48, (96, 96), 12, 1),
            Scale::Default | Scale::Full => (1000, (256, 256), 48, 3),
        };
        let count = images.unwrap_or(count);
        let (width, height) = side.unwrap_or((w, h));
        // Keep the pure-Python share near one second per pass whatever the image size.
        let per_image_px = u64::from(width) * u64::from(height);
        let python_count = if side.is_some() {
            (3_000_000 / per_image_px.max(1)).clamp(4, 2000)
        } else {
            python_count
        }
        .min(count);
        let mut ks = vec![1, 2, 4, cores.max(1)];
        ks.sort_unstable();
        ks.dedup();
        Plan {
            corpus: CorpusSpec {
                count,
                width,
                height,
                seed: SEED,
                // A small corpus still holds a few damaged files (at least four, up to one in
                // DAMAGE_EVERY): the skip policy is exercised at every scale.
                damage_every: (count / 4).clamp(2, DAMAGE_EVERY),
            },
            python_count,
            reps,
            ks,
            million: (scale == Scale::Full).then_some(MillionPlan {
                corpus: CorpusSpec {
                    count: MILLION,
                    width: 64,
                    height: 64,
                    seed: SEED,
                    damage_every: DAMAGE_EVERY,
                },
                python_sample: 2000,
                timeout: Duration::from_secs(45 * 60),
            }),
        }
    }

    /// Images `workload` processes per run.
    pub fn count_of(&self, workload: Workload) -> u64 {
        match workload {
            Workload::PythonThreshold => self.python_count,
            _ => self.corpus.count,
        }
    }

    /// Every configuration of one round, in table order.
    pub fn configs(&self, cores: usize) -> Vec<Config> {
        let mut out = Vec::new();
        for workload in Workload::ALL {
            let mut executors = vec![Executor::Sequential];
            match workload {
                Workload::PythonThreshold | Workload::PillowThumbnail => {
                    executors.extend(self.ks.iter().map(|&k| Executor::Threads(k)));
                    executors.extend(self.ks.iter().map(|&k| Executor::Processes(k)));
                }
                Workload::Echo => executors.push(Executor::Processes(cores.max(1))),
                Workload::RustThreshold | Workload::RustThumbnail => {
                    executors.extend(self.ks.iter().map(|&k| Executor::Rayon(k)));
                }
            }
            out.extend(
                executors
                    .into_iter()
                    .map(|executor| Config { workload, executor }),
            );
        }
        out
    }

    /// Deadline of one run of `config`: generous (pure Python here handles ~4 Mpx/s) but
    /// bounded, so a hung pool ends.
    pub fn timeout(&self, config: &Config) -> Duration {
        let px = u64::from(self.corpus.width) * u64::from(self.corpus.height);
        let per_image_us = match config.workload {
            Workload::PythonThreshold => px,
            _ => px / 8 + 100,
        };
        Duration::from_secs(60)
            + Duration::from_micros(per_image_us * self.count_of(config.workload))
    }
}

/// One run of one configuration.
#[derive(Debug, Clone)]
pub struct Sample {
    /// What ran.
    pub config: Config,
    /// The round it belonged to.
    pub round: usize,
    /// What the worker reported.
    pub report: RunReport,
    /// Peak anonymous memory of the whole process group (pool workers included), MiB.
    pub peak_anon_mib: f64,
    /// CPU time of the process and its reaped children, s.
    pub cpu_s: f64,
}

const MIB: f64 = 1024.0 * 1024.0;

/// A fresh worker process, before its arguments: this binary re-executed as the images
/// worker (`rust`), or the venv's Python running `pyproof.image_parallelism`.
pub(crate) fn worker_command(rust: bool) -> Result<Command, ExperimentError> {
    if rust {
        Ok(pyproof_proc::worker_command(pyproof_harness::Worker::role(&worker::ImagesWorker))?)
    } else {
        let mut cmd = python_command(Interpreter::get()?);
        cmd.args(["-m", "pyproof.image_parallelism"]);
        Ok(cmd)
    }
}

/// The command that runs `config` over the pack in a fresh process.
fn command(
    config: &Config,
    pack: &std::path::Path,
    count: u64,
    timeout: Duration,
    stream: bool,
) -> Result<Command, ExperimentError> {
    let k = config.executor.k().to_string();
    let mut cmd = worker_command(config.workload.is_rust())?;
    cmd.args([config.workload.job(), config.executor.name(), &k])
        .arg(pack);
    if !config.workload.is_rust() {
        // A little less than the harness's own deadline: the worker says what timed out.
        cmd.args([
            "--timeout",
            &format!(
                "{:.0}",
                timeout.saturating_sub(Duration::from_secs(5)).as_secs_f64()
            ),
        ]);
    }
    cmd.args(["--count", &count.to_string()]);
    if stream {
        cmd.arg("--stream");
    }
    Ok(cmd)
}

/// Runs one configuration over the first `count` images of `corpus` in a fresh process.
pub fn run_config(
    config: &Config,
    corpus: &Corpus,
    count: u64,
    timeout: Duration,
    stream: bool,
) -> Result<(RunReport, f64, f64), ExperimentError> {
    let what = format!(
        "{} {} over {} images",
        config.workload.label(),
        config.executor.label(),
        group_digits(count)
    );
    let report = run_measured(
        command(config, &corpus.path, count, timeout, stream)?,
        &RunOptions::new(what.clone(), timeout),
    )?
    .check()?;
    let line = report.stdout.lines().last().unwrap_or("");
    let parsed: RunReport = serde_json::from_str(line).map_err(|e| {
        ExperimentError::Inconsistent(format!(
            "{what}: unreadable report ({e}); did the binary call \
             pyproof::worker_main() first?"
        ))
    })?;
    if parsed.tally.images() != count.min(corpus.info.spec.count) {
        return Err(ExperimentError::Inconsistent(format!(
            "{what}: saw {} images, expected {count}",
            parsed.tally.images()
        )));
    }
    Ok((
        parsed,
        report.peak_group_anon_kib as f64 * 1024.0 / MIB,
        report.cpu_s(),
    ))
}

/// Images among the first `count` of `spec` that are damaged on purpose.
pub fn damaged_among(spec: &CorpusSpec, count: u64) -> u64 {
    (0..count.min(spec.count))
        .filter(|&i| damage_of(spec, i).is_some())
        .count() as u64
}

impl Experiment for ImageParallelism {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn options(&self) -> &'static [&'static dyn pyproof_harness::RunOption] {
        &[&options::Images, &options::ImageSize]
    }

    fn workers(&self) -> &'static [&'static dyn pyproof_harness::Worker] {
        &[&worker::ImagesWorker]
    }

    fn bench(&self) -> Option<&'static str> {
        Some("image_parallelism")
    }

    fn python_modules(&self) -> &'static [&'static str] {
        &["PIL"]
    }

    fn claims(&self, ctx: &RunContext<'_>) -> Vec<Claim> {
        let cores = ctx.cores;
        vec![
            Claim::new(
                "threads_throttled",
                "(1)",
                "threads are throttled by the GIL for image processing: k threads give no real \
                 speedup",
                format!(
                    "judged separately for pure-Python pixel code and for Pillow: throttled = \
                     thread speedup at k = {cores} (the core count) below {THROTTLED_BELOW}× \
                     (ideal {cores}×); Confirmed when both are throttled, Refuted when neither \
                     is, Nuanced when they differ; Inconclusive on one core"
                ),
            ),
            Claim::new(
                "processes_scale",
                "(2)",
                "multiprocessing scales CPU-bound image work",
                format!(
                    "process-pool speedup at k = {cores} ≥ {PROCESS_EFFICIENCY} × {cores} = {:.2}× \
                     for pure-Python code and for Pillow (timed after the pool started; start-up \
                     and the cost of moving bytes reported beside it); Inconclusive on one core",
                    PROCESS_EFFICIENCY * cores as f64
                ),
            ),
            Claim::new(
                "multiprocessing_is_the_answer",
                "(3)",
                "the sheet's answer: for image work, a process pool beats threads",
                format!(
                    "per workload (pure Python, Pillow), the best process-pool images/s over all \
                     k > {PROCESSES_MARGIN} × the best thread-pool images/s{}; Confirmed for \
                     every case, Refuted for none, Nuanced otherwise; Inconclusive on one core",
                    if ctx.scale == Scale::Full {
                        format!(
                            ", and the same for Pillow's million-image runs (processes vs \
                             threads, k = {cores})"
                        )
                    } else {
                        String::new()
                    }
                ),
            ),
            Claim::new(
                "rayon_beyond",
                "(4)",
                "beyond the sheet: Rust with rayon scales almost perfectly and does more per core \
                 than the best Python path",
                format!(
                    "Rust thumbnail: rayon parallel efficiency (speedup / {cores}) at k = {cores} \
                     ≥ {RAYON_EFFICIENCY}, and its images/s per core > the best Pillow \
                     executor's images/s per busy core (the factor is reported); Inconclusive \
                     on one core"
                ),
            ),
        ]
    }

    fn run(&self, ctx: &RunContext<'_>) -> Result<Outcome, ExperimentError> {
        run(ctx).map_err(Into::into)
    }
}

fn corpus_progress<'a>(ctx: &'a RunContext<'_>, label: &'a str) -> impl Fn(u64, u64) + 'a {
    move |done: u64, total: u64| ctx.progress.update(label, done as usize, total as usize)
}

fn run(ctx: &RunContext<'_>) -> Result<Outcome, ExperimentError> {
    let cores = ctx.cores;
    let plan = Plan::new(
        ctx.scale,
        cores,
        ctx.options.one::<u64>(&options::Images).copied(),
        ctx.options.one::<(u32, u32)>(&options::ImageSize).copied(),
    );
    let mut outcome = Outcome::of(&META, ctx.scale);
    let dir = ctx.cache_dir.join("image_parallelism");
    let label = format!("generating the corpus ({})", plan.corpus.describe());
    let corpus = ensure_corpus(&dir, &plan.corpus, &corpus_progress(ctx, &label))?;
    if corpus.generated {
        outcome.notes.push(format!(
            "Generated {} ({}) in {:.1} s.",
            corpus.path.display(),
            pyproof_harness::format_bytes(corpus.info.bytes),
            corpus.generation_s
        ));
    }

    // Warm-up, untimed: the pack into the page cache, Pillow's imports compiled.
    ctx.progress.update("warming up", 0, 1);
    std::fs::read(&corpus.path)
        .map_err(|e| ExperimentError::io(format!("reading {}", corpus.path.display()), e))?;
    let mut warm = python_command(Interpreter::get()?);
    warm.args([
        "-c",
        "import PIL.Image, PIL.ImageFilter, pyproof.image_parallelism",
    ]);
    run_measured(
        warm,
        &RunOptions::new("importing Pillow", Duration::from_secs(60)),
    )?
    .check()?;

    let configs = plan.configs(cores);
    let total = (configs.len() + 1) * plan.reps;
    let mut samples: Vec<Sample> = Vec::with_capacity(total);
    let mut profiles = stages::Profiles::default();
    let pillow_sequential = Config {
        workload: Workload::PillowThumbnail,
        executor: Executor::Sequential,
    };
    for round in 0..plan.reps {
        // Rotate the order every round: no configuration always runs first or last.
        let shift = round * configs.len() / plan.reps.max(1);
        for i in 0..configs.len() {
            let config = configs[(i + shift) % configs.len()];
            ctx.progress.update(
                &format!("{} {}", config.workload.label(), config.executor.label()),
                samples.len(),
                total,
            );
            let count = plan.count_of(config.workload);
            let (report, peak_anon_mib, cpu_s) =
                run_config(&config, &corpus, count, plan.timeout(&config), false)?;
            samples.push(Sample {
                config,
                round,
                report,
                peak_anon_mib,
                cpu_s,
            });
        }
        ctx.progress.update(
            "thumbnail stage profiles (Pillow, Rust)",
            samples.len() + round,
            total,
        );
        profiles.run_round(
            round,
            &corpus.path,
            plan.count_of(Workload::PillowThumbnail),
            plan.timeout(&pillow_sequential),
        )?;
    }
    check_outputs(&samples)?;
    profiles.check()?;

    let million = match &plan.million {
        Some(m) => Some(run_million(ctx, &dir, m, cores)?),
        None => None,
    };

    outcome.param("corpus", plan.corpus.describe());
    outcome.param(
        "corpus files",
        format!(
            "{} JPEG, {} PNG, {} damaged on purpose ({} truncated, {} garbage, {} empty)",
            corpus.info.jpeg,
            corpus.info.png,
            corpus.info.damaged(),
            corpus.info.truncated,
            corpus.info.garbage,
            corpus.info.empty
        ),
    );
    outcome.param(
        "corpus bytes",
        pyproof_harness::format_bytes(corpus.info.image_bytes),
    );
    outcome.param("pure-Python images per run", plan.python_count);
    outcome.param("seed", SEED);
    outcome.param("rounds", plan.reps);
    outcome.param(
        "k",
        plan.ks
            .iter()
            .map(|k| k.to_string())
            .collect::<Vec<_>>()
            .join(", "),
    );
    outcome.param("cores", cores);
    let mut libraries = BTreeMap::new();
    for s in &samples {
        for (k, v) in &s.report.library {
            libraries.entry(k.clone()).or_insert_with(|| v.clone());
        }
    }
    for (k, v) in libraries {
        outcome.param(&k, v);
    }

    let stats = Stats::new(&samples, &plan, cores);
    record(&mut outcome, &stats, &samples);
    tables_and_charts(
        &mut outcome,
        &stats,
        &plan,
        &corpus,
        million.as_ref(),
        cores,
    );
    profiles.record(&mut outcome);
    outcome.tables.push(profiles.table());
    judge(&mut outcome, &stats, million.as_ref(), cores);
    notes(&mut outcome, &stats, &profiles, &plan, &corpus, cores);
    Ok(outcome)
}

/// Every run of a workload must produce the same outputs whatever the executor and round:
/// checked, not assumed.
fn check_outputs(samples: &[Sample]) -> Result<(), ExperimentError> {
    let mut first: BTreeMap<Workload, &Sample> = BTreeMap::new();
    for s in samples {
        let reference = *first.entry(s.config.workload).or_insert(s);
        if !reference.report.tally.same_outputs(&s.report.tally) {
            return Err(ExperimentError::Inconsistent(format!(
                "{}: {} gave {:?} but {} gave {:?}",
                s.config.workload.label(),
                reference.config.executor.label(),
                reference.report.tally,
                s.config.executor.label(),
                s.report.tally
            )));
        }
    }
    Ok(())
}

/// Medians and per-round ratios of every configuration.
struct Stats {
    /// Per configuration: images/s per round (run order).
    rates: BTreeMap<Config, Vec<f64>>,
    /// Per configuration: speedup over the same workload's sequential run of the same round.
    speedups: BTreeMap<Config, Vec<f64>>,
    /// Per configuration: peak anonymous memory of the process group, MiB.
    memory: BTreeMap<Config, Vec<f64>>,
    /// Per configuration: executor start-up, s.
    startup: BTreeMap<Config, Vec<f64>>,
    /// Per workload: what its runs produced (all equal, checked before).
    tallies: BTreeMap<Workload, pipeline::Tally>,
    /// Per configuration: the batch size it used.
    batch: BTreeMap<Config, u64>,
}

impl Stats {
    fn new(samples: &[Sample], plan: &Plan, cores: usize) -> Self {
        let mut rates: BTreeMap<Config, Vec<f64>> = BTreeMap::new();
        let mut memory: BTreeMap<Config, Vec<f64>> = BTreeMap::new();
        let mut startup: BTreeMap<Config, Vec<f64>> = BTreeMap::new();
        let mut tallies = BTreeMap::new();
        let mut batch = BTreeMap::new();
        let mut by_round: BTreeMap<(Config, usize), f64> = BTreeMap::new();
        for s in samples {
            rates.entry(s.config).or_default().push(s.report.rate());
            memory.entry(s.config).or_default().push(s.peak_anon_mib);
            startup
                .entry(s.config)
                .or_default()
                .push(s.report.startup_s);
            tallies.insert(s.config.workload, s.report.tally);
            batch.insert(s.config, s.report.batch);
            by_round.insert((s.config, s.round), s.report.work_s);
        }
        let mut speedups = BTreeMap::new();
        for config in plan.configs(cores) {
            if config.executor == Executor::Sequential {
                continue;
            }
            let seq = Config {
                workload: config.workload,
                executor: Executor::Sequential,
            };
            let (mut num, mut den) = (Vec::new(), Vec::new());
            for round in 0..plan.reps {
                if let (Some(&s), Some(&c)) =
                    (by_round.get(&(seq, round)), by_round.get(&(config, round)))
                {
                    num.push(s);
                    den.push(c);
                }
            }
            speedups.insert(config, pairwise_ratios(&num, &den));
        }
        Stats {
            rates,
            speedups,
            memory,
            startup,
            tallies,
            batch,
        }
    }

    fn rate(&self, config: &Config) -> f64 {
        self.rates.get(config).map_or(f64::NAN, |r| median(r))
    }

    fn speedup(&self, config: &Config) -> f64 {
        self.speedups.get(config).map_or(f64::NAN, |r| median(r))
    }

    fn spread(&self, config: &Config) -> String {
        match self.speedups.get(config) {
            Some(s) if s.len() > 1 => format!(
                " (IQR {}–{})",
                format_number(quantile(s, 0.25)),
                format_number(quantile(s, 0.75))
            ),
            _ => String::new(),
        }
    }

    /// The configuration of `workload` with the most images/s, and its rate.
    fn best(&self, workload: Workload) -> Option<(Config, f64)> {
        self.rates
            .keys()
            .filter(|c| c.workload == workload)
            .map(|c| (*c, self.rate(c)))
            .filter(|(_, r)| r.is_finite())
            .max_by(|a, b| a.1.total_cmp(&b.1))
    }

    /// The best rate of `workload` under executors of one kind.
    fn best_of(&self, workload: Workload, kind: &str) -> Option<(Config, f64)> {
        self.rates
            .keys()
            .filter(|c| c.workload == workload && c.executor.name() == kind)
            .map(|c| (*c, self.rate(c)))
            .filter(|(_, r)| r.is_finite())
            .max_by(|a, b| a.1.total_cmp(&b.1))
    }
}

fn record(outcome: &mut Outcome, stats: &Stats, samples: &[Sample]) {
    for (config, rates) in &stats.rates {
        let key = config.key();
        let label = format!("{}, {}", config.workload.label(), config.executor.label());
        outcome.measurements.push(Measurement::new(
            format!("{key}.images_per_s"),
            label.clone(),
            "images/s",
            rates.clone(),
        ));
        if let Some(s) = stats.speedups.get(config) {
            outcome.measurements.push(Measurement::new(
                format!("{key}.speedup"),
                label.clone(),
                "×",
                s.clone(),
            ));
        }
        outcome.measurements.push(Measurement::new(
            format!("{key}.peak_anon_mib"),
            label.clone(),
            "MiB",
            stats.memory[config].clone(),
        ));
        outcome.measurements.push(Measurement::new(
            format!("{key}.startup_s"),
            label.clone(),
            "s",
            stats.startup[config].clone(),
        ));
        let cpu: Vec<f64> = samples
            .iter()
            .filter(|s| s.config == *config)
            .map(|s| s.cpu_s)
            .collect();
        outcome.measurements.push(Measurement::new(
            format!("{key}.process_cpu_s"),
            label,
            "s",
            cpu,
        ));
    }
}

/// The parallel efficiency of a speedup with `k` workers on `cores` cores.
fn efficiency(speedup: f64, k: usize, cores: usize) -> f64 {
    speedup / k.min(cores).max(1) as f64
}

fn duration_words(seconds: f64) -> String {
    if !seconds.is_finite() {
        "—".to_string()
    } else if seconds >= 2.0 * 3600.0 {
        format!("{:.1} h", seconds / 3600.0)
    } else if seconds >= 120.0 {
        format!("{:.1} min", seconds / 60.0)
    } else {
        format!("{seconds:.1} s")
    }
}

fn tables_and_charts(
    outcome: &mut Outcome,
    stats: &Stats,
    plan: &Plan,
    corpus: &Corpus,
    million: Option<&MillionOutcome>,
    cores: usize,
) {
    let mut table = Table::new(
        format!(
            "Images/s by workload and executor ({}; median of {} round{}; speedup against the \
             same workload's sequential run of the same round)",
            plan.corpus.describe(),
            plan.reps,
            if plan.reps == 1 { "" } else { "s" }
        ),
        &[
            "workload",
            "executor",
            "images/s",
            "speedup",
            "efficiency",
            "peak memory (group)",
            "start-up",
            "batch",
            "skipped",
        ],
    );
    for config in plan.configs(cores) {
        let Some(rates) = stats.rates.get(&config) else {
            continue;
        };
        let speedup = stats.speedup(&config);
        let k = config.executor.k();
        table.row(vec![
            config.workload.label().to_string(),
            config.executor.label(),
            format!(
                "{} (IQR {}–{})",
                format_number(median(rates)),
                format_number(quantile(rates, 0.25)),
                format_number(quantile(rates, 0.75))
            ),
            if config.executor == Executor::Sequential {
                "1 (baseline)".to_string()
            } else {
                format!("{}×{}", format_number(speedup), stats.spread(&config))
            },
            if config.executor == Executor::Sequential {
                "—".to_string()
            } else {
                format!("{:.0}%", 100.0 * efficiency(speedup, k, cores))
            },
            format!("{} MiB", format_number(median(&stats.memory[&config]))),
            format!("{} s", format_number(median(&stats.startup[&config]))),
            stats.batch.get(&config).copied().unwrap_or(1).to_string(),
            stats
                .tallies
                .get(&config.workload)
                .map_or("—".to_string(), |t| {
                    format!("{} of {}", t.skipped, group_digits(t.images()))
                }),
        ]);
    }
    outcome.tables.push(table);

    // Moving bytes between processes: the echo workload through a pool, against no pool.
    let echo_seq = Config {
        workload: Workload::Echo,
        executor: Executor::Sequential,
    };
    let echo_pool = Config {
        workload: Workload::Echo,
        executor: Executor::Processes(cores.max(1)),
    };
    if let (Some(t), true) = (
        stats.tallies.get(&Workload::Echo),
        stats.rates.contains_key(&echo_pool),
    ) {
        let mut ipc = Table::new(
            "What moving the bytes costs: each image to a pool worker and back, no work",
            &[
                "executor",
                "images/s",
                "µs per image",
                "MB/s moved (in + out)",
            ],
        );
        for config in [echo_seq, echo_pool] {
            let rate = stats.rate(&config);
            let moved = (t.in_bytes + t.out_bytes) as f64 / t.images().max(1) as f64 * rate / 1e6;
            ipc.row(vec![
                config.executor.label(),
                format_number(rate),
                format_number(1e6 / rate),
                if config == echo_seq {
                    "— (nothing moves)".to_string()
                } else {
                    format_number(moved)
                },
            ]);
        }
        outcome.tables.push(ipc);
    }

    // The projection to the sheet's million.
    let mut projection = Table::new(
        format!(
            "1,000,000 images: the best executor of each workload ({}×{} images)",
            plan.corpus.width, plan.corpus.height
        ),
        &[
            "workload",
            "best executor",
            "images/s",
            "1,000,000 images",
            "how",
        ],
    );
    for workload in [
        Workload::PythonThreshold,
        Workload::PillowThumbnail,
        Workload::RustThreshold,
        Workload::RustThumbnail,
    ] {
        if let Some((config, rate)) = stats.best(workload) {
            projection.row(vec![
                workload.label().to_string(),
                config.executor.label(),
                format_number(rate),
                duration_words(MILLION as f64 / rate),
                "projected from this run".to_string(),
            ]);
        }
    }
    outcome.tables.push(projection);
    if let Some(m) = million {
        let mut t = Table::new(
            format!(
                "The million, for real: {} (streamed from disk in batches; one run each)",
                m.corpus.describe()
            ),
            &[
                "workload",
                "executor",
                "images",
                "wall",
                "images/s",
                "peak memory (group)",
                "how",
            ],
        );
        for r in &m.runs {
            t.row(vec![
                r.config.workload.label().to_string(),
                r.config.executor.label(),
                group_digits(r.report.tally.images()),
                duration_words(r.report.work_s),
                format_number(r.report.rate()),
                format!("{} MiB", format_number(r.peak_anon_mib)),
                if r.projected {
                    format!(
                        "projected: {} for 1,000,000 from a {}-image sample",
                        duration_words(MILLION as f64 / r.report.rate()),
                        group_digits(r.report.tally.images())
                    )
                } else {
                    format!(
                        "measured; {} skipped (damaged)",
                        group_digits(r.report.tally.skipped)
                    )
                },
            ]);
        }
        outcome.tables.push(t);
        for line in &m.notes {
            outcome.notes.push(line.clone());
        }
    }

    // Charts: the speedup of each executor, per workload, with its spread.
    for (workload, id) in [
        (Workload::PythonThreshold, "python_speedup"),
        (Workload::PillowThumbnail, "pillow_speedup"),
        (Workload::RustThumbnail, "rust_speedup"),
    ] {
        let bars: Vec<Bar> = plan
            .configs(cores)
            .into_iter()
            .filter(|c| c.workload == workload && c.executor != Executor::Sequential)
            .filter_map(|c| {
                let s = stats.speedups.get(&c)?;
                Some(Bar {
                    label: c.executor.label(),
                    value: median(s),
                    low: quantile(s, 0.25),
                    high: quantile(s, 0.75),
                })
            })
            .collect();
        outcome.charts.push(Chart::Bars {
            id: id.to_string(),
            title: format!(
                "{}: speedup over sequential ({} cores; 1 = no gain)",
                workload.label(),
                cores
            ),
            unit: "×".to_string(),
            bars,
            reference: Some(1.0),
        });
    }
    let bars: Vec<Bar> = [
        Workload::PythonThreshold,
        Workload::PillowThumbnail,
        Workload::RustThreshold,
        Workload::RustThumbnail,
    ]
    .into_iter()
    .filter_map(|w| {
        let (config, _) = stats.best(w)?;
        let r = &stats.rates[&config];
        Some(Bar {
            label: format!("{} ({})", w.label(), config.executor.label()),
            value: median(r),
            low: quantile(r, 0.25),
            high: quantile(r, 0.75),
        })
    })
    .collect();
    outcome.charts.push(Chart::Bars {
        id: "best_rates".to_string(),
        title: format!(
            "Images/s, best executor per workload ({})",
            corpus.info.spec.describe()
        ),
        unit: "images/s".to_string(),
        bars,
        reference: None,
    });
}

fn judge(outcome: &mut Outcome, stats: &Stats, million: Option<&MillionOutcome>, cores: usize) {
    let python = [Workload::PythonThreshold, Workload::PillowThumbnail];
    if cores < 2 {
        for id in [
            "threads_throttled",
            "processes_scale",
            "multiprocessing_is_the_answer",
            "rayon_beyond",
        ] {
            outcome.judgements.push(Judgement::new(
                id,
                Verdict::Inconclusive,
                format!(
                    "this machine gives the run {cores} core: no executor can run two images at \
                     once, so no parallel speedup can be shown either way"
                ),
            ));
        }
        return;
    }

    // (1) Threads throttled, per workload.
    let cases: Vec<Case> = python
        .iter()
        .map(|&w| {
            let c = Config {
                workload: w,
                executor: Executor::Threads(cores),
            };
            let s = stats.speedup(&c);
            Case::new(
                w.label(),
                s < THROTTLED_BELOW,
                format!(
                    "{} threads {}×{}{}",
                    cores,
                    format_number(s),
                    stats.spread(&c),
                    if s < THROTTLED_BELOW {
                        " — throttled"
                    } else {
                        " — not throttled"
                    }
                ),
            )
        })
        .collect();
    outcome
        .judgements
        .push(judge_cases("threads_throttled", &cases));

    // (2) Processes scale, per workload.
    let needed = PROCESS_EFFICIENCY * cores as f64;
    let cases: Vec<Case> = python
        .iter()
        .map(|&w| {
            let c = Config {
                workload: w,
                executor: Executor::Processes(cores),
            };
            let s = stats.speedup(&c);
            let startup = median(&stats.startup[&c]);
            Case::new(
                w.label(),
                s >= needed,
                format!(
                    "{} processes {}×{} (needs {:.2}×; pool start-up {} s, untimed)",
                    cores,
                    format_number(s),
                    stats.spread(&c),
                    needed,
                    format_number(startup)
                ),
            )
        })
        .collect();
    outcome
        .judgements
        .push(judge_cases("processes_scale", &cases));

    // (3) Processes beat threads.
    let mut cases: Vec<Case> = python
        .iter()
        .filter_map(|&w| {
            let (pc, p) = stats.best_of(w, "processes")?;
            let (tc, t) = stats.best_of(w, "threads")?;
            Some(Case::new(
                w.label(),
                p > PROCESSES_MARGIN * t,
                format!(
                    "best processes ({}) {} images/s vs best threads ({}) {} images/s = {}×",
                    pc.executor.label(),
                    format_number(p),
                    tc.executor.label(),
                    format_number(t),
                    format_number(p / t)
                ),
            ))
        })
        .collect();
    if let Some(m) = million {
        let rate = |kind: &str| {
            m.runs
                .iter()
                .find(|r| {
                    r.config.workload == Workload::PillowThumbnail
                        && r.config.executor.name() == kind
                        && !r.projected
                })
                .map(|r| r.report.rate())
        };
        if let (Some(p), Some(t)) = (rate("processes"), rate("threads")) {
            cases.push(Case::new(
                format!("Pillow, the million ({})", m.corpus.describe()),
                p > PROCESSES_MARGIN * t,
                format!(
                    "{cores} processes {} images/s vs {cores} threads {} images/s = {}×",
                    format_number(p),
                    format_number(t),
                    format_number(p / t)
                ),
            ));
        }
    }
    outcome
        .judgements
        .push(judge_cases("multiprocessing_is_the_answer", &cases));

    // (4) rayon.
    let rayon = Config {
        workload: Workload::RustThumbnail,
        executor: Executor::Rayon(cores),
    };
    let eff = efficiency(stats.speedup(&rayon), cores, cores);
    let rust_rate = stats.rate(&rayon);
    let mut cases = vec![Case::new(
        "efficiency",
        eff >= RAYON_EFFICIENCY,
        format!(
            "{} rayon threads: speedup {}×{} = {:.0}% efficiency",
            cores,
            format_number(stats.speedup(&rayon)),
            stats.spread(&rayon),
            100.0 * eff
        ),
    )];
    if let Some((best, rate)) = stats.best(Workload::PillowThumbnail) {
        let per_core_py = rate / best.executor.k().min(cores) as f64;
        let per_core_rust = rust_rate / cores as f64;
        cases.push(Case::new(
            "per core",
            per_core_rust > per_core_py,
            format!(
                "Rust {} images/s per core vs Pillow's best ({}) {} = {}×",
                format_number(per_core_rust),
                best.executor.label(),
                format_number(per_core_py),
                format_number(per_core_rust / per_core_py)
            ),
        ));
    }
    outcome.judgements.push(judge_cases("rayon_beyond", &cases));
}

fn notes(
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
        let factor = stats.rate(&rayon) / rate;
        let eff = efficiency(stats.speedup(&rayon), cores, cores);
        outcome.notes.push(format!(
            "Performance target (Rust + rayon ≥ {RUST_TARGET}× the best Python path, with ≥ \
             {:.0}% parallel efficiency at k = cores): Rust thumbnail with {} rayon threads ran \
             {} images/s, the best Python path ({}, {}) {} images/s: {}× — {}; efficiency \
             {:.0}% — {}.",
            100.0 * RAYON_EFFICIENCY,
            cores,
            format_number(stats.rate(&rayon)),
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
            if eff >= RAYON_EFFICIENCY {
                "met"
            } else {
                "not met"
            },
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

/// One of the million-image runs.
#[derive(Debug, Clone)]
pub struct MillionRun {
    /// What ran.
    pub config: Config,
    /// What it reported.
    pub report: RunReport,
    /// Peak anonymous memory of its process group, MiB.
    pub peak_anon_mib: f64,
    /// Whether it ran over a sample only (the figure for a million is projected).
    pub projected: bool,
}

/// The million-image part of a full run.
#[derive(Debug, Clone)]
pub struct MillionOutcome {
    /// The corpus.
    pub corpus: CorpusSpec,
    /// Each run.
    pub runs: Vec<MillionRun>,
    /// What the reader should know.
    pub notes: Vec<String>,
}

fn run_million(
    ctx: &RunContext<'_>,
    dir: &std::path::Path,
    plan: &MillionPlan,
    cores: usize,
) -> Result<MillionOutcome, ExperimentError> {
    let label = format!("generating the million ({})", plan.corpus.describe());
    let corpus = ensure_corpus(dir, &plan.corpus, &corpus_progress(ctx, &label))?;
    let mut notes = Vec::new();
    if corpus.generated {
        notes.push(format!(
            "Generated the million-image pack {} ({}) in {:.0} s.",
            corpus.path.display(),
            pyproof_harness::format_bytes(corpus.info.bytes),
            corpus.generation_s
        ));
    }
    let k = cores.max(1);
    let runs = [
        (Workload::PillowThumbnail, Executor::Processes(k), false),
        (Workload::PillowThumbnail, Executor::Threads(k), false),
        (Workload::RustThumbnail, Executor::Rayon(k), false),
        (Workload::PythonThreshold, Executor::Processes(k), true),
    ];
    let mut out = Vec::new();
    for (i, (workload, executor, projected)) in runs.into_iter().enumerate() {
        let config = Config { workload, executor };
        let count = if projected {
            plan.python_sample
        } else {
            plan.corpus.count
        };
        ctx.progress.update(
            &format!(
                "the million: {} {} over {} images",
                workload.label(),
                executor.label(),
                group_digits(count)
            ),
            i,
            runs.len(),
        );
        let (report, peak_anon_mib, _) =
            run_config(&config, &corpus, count, plan.timeout, !projected)?;
        out.push(MillionRun {
            config,
            report,
            peak_anon_mib,
            projected,
        });
    }
    Ok(MillionOutcome {
        corpus: plan.corpus,
        runs: out,
        notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_cover_every_k_and_the_core_count_once() {
        let p = Plan::new(Scale::Default, 2, None, None);
        assert_eq!(p.ks, vec![1, 2, 4]);
        assert_eq!(
            Plan::new(Scale::Default, 8, None, None).ks,
            vec![1, 2, 4, 8]
        );
        let configs = p.configs(2);
        // Two Python workloads × (1 + 3 threads + 3 processes), echo × 2, two Rust × (1 + 3).
        assert_eq!(configs.len(), 2 * 7 + 2 + 2 * 4);
        assert!(p.million.is_none());
        let full = Plan::new(Scale::Full, 2, None, None);
        assert_eq!(
            full.million.expect("full has the million").corpus.count,
            MILLION
        );
        let custom = Plan::new(Scale::Quick, 2, Some(10), Some((512, 256)));
        assert_eq!((custom.corpus.count, custom.corpus.width), (10, 512));
        assert!(custom.python_count <= 10);
    }

    #[test]
    fn damaged_images_are_counted_from_the_spec() {
        let spec = CorpusSpec {
            count: 1000,
            width: 8,
            height: 8,
            seed: 1,
            damage_every: 250,
        };
        assert_eq!(damaged_among(&spec, 1000), 4);
        assert_eq!(damaged_among(&spec, 249), 0);
        assert_eq!(damaged_among(&spec, 250), 1);
    }
}
