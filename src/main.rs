//! `pyproof`: the command line of the trial.
//!
//! `pyproof` with no command runs every experiment at the default scale. `pyproof list`
//! shows them; `pyproof run [ID...] [--scale S] [--csv-size SIZE] [--images N]
//! [--image-size WxH] [--repeat N] [--json PATH]` runs a selection (N times with `--repeat`,
//! reporting verdicts that changed), prints each outcome and the verdict table, and saves the
//! results JSON under target/pyproof/. `pyproof report` turns the last results into
//! docs/report/ (Markdown, a self-contained HTML page, charts); `pyproof compare A B` puts
//! two results files side by side.

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use pyproof_core::{Overrides, Scale};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Puts every answer of a Python interview sheet on trial: real CPython, real packages,
/// measured, with a verdict per claim and the numbers behind it.
#[derive(Parser)]
#[command(name = "pyproof", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// List every experiment with its section and question.
    List,
    /// Run experiments (all when no id is given) and print their verdicts.
    Run {
        /// Experiment ids (see `pyproof list`); none means all.
        ids: Vec<String>,
        /// quick (seconds, noisy), default (a few minutes), full (the sheet's own sizes).
        #[arg(long, default_value = "default", value_parser = parse_scale)]
        scale: Scale,
        /// Also write the results JSON here (always written to target/pyproof/results.json).
        #[arg(long, value_name = "PATH")]
        json: Option<PathBuf>,
        /// Size of the generated CSV for dataframe_memory instead of the scale's (e.g. 2GB,
        /// 500MB, 64MiB).
        #[arg(long, value_name = "SIZE", value_parser = parse_size, allow_hyphen_values = true)]
        csv_size: Option<u64>,
        /// Number of images in image_parallelism's corpus instead of the scale's (e.g. 5000,
        /// 20k, 1M).
        #[arg(long, value_name = "N", value_parser = parse_count, allow_hyphen_values = true)]
        images: Option<u64>,
        /// Run the selection this many times (1 to 20) and report every claim whose verdict
        /// changed between the runs.
        #[arg(long, value_name = "N", default_value_t = 1, value_parser = parse_repeat, allow_hyphen_values = true)]
        repeat: u32,
        /// Size of image_parallelism's images instead of the scale's: 256 or 512x384.
        #[arg(long, value_name = "WxH", value_parser = parse_image_size, allow_hyphen_values = true)]
        image_size: Option<(u32, u32)>,
        /// One more interpreter for gil_contention's every-interpreter part (repeatable;
        /// those on PATH and in pyenv are found without it).
        #[arg(long = "python", value_name = "PATH")]
        pythons: Vec<PathBuf>,
    },
    /// Write the report of a run: report.md, a self-contained index.html with its charts,
    /// results.json (and criterion's estimates when `cargo bench` has left them).
    Report {
        /// The results to report (default: the last run's, target/pyproof/results.json).
        #[arg(long, value_name = "PATH")]
        results: Option<PathBuf>,
        /// Where to write it (default: docs/report, and then the docs' generated blocks are
        /// refreshed too).
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Leave criterion's estimates out (when target/criterion is from another build or
        /// machine than the results).
        #[arg(long)]
        no_criterion: bool,
    },
    /// Check that every experiment has its Rust module, Python file, example, docs page and
    /// report section, and that every generated block matches docs/report/results.json.
    Check,
    /// Two results files side by side: each measurement's ratio and whether it moved beyond
    /// its spread, and every verdict that changed.
    Compare {
        /// The first results JSON (A).
        a: PathBuf,
        /// The second results JSON (B).
        b: PathBuf,
    },
}

fn parse_scale(s: &str) -> Result<Scale, String> {
    s.parse()
}

fn parse_size(s: &str) -> Result<u64, String> {
    pyproof_core::parse_bytes(s)
}

fn parse_repeat(s: &str) -> Result<u32, String> {
    match s.parse::<u32>() {
        Ok(n) if (1..=20).contains(&n) => Ok(n),
        _ => Err(format!("bad repeat count '{s}' (expected 1 to 20)")),
    }
}

fn parse_count(s: &str) -> Result<u64, String> {
    pyproof_core::parse_count(s)
}

fn parse_image_size(s: &str) -> Result<(u32, u32), String> {
    pyproof_core::parse_image_size(s)
}

fn main() -> ExitCode {
    // Re-executed as a measured worker (a polars variant in a fresh process)?
    if let Some(code) = pyproof::worker_main() {
        return code;
    }
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => {
            // --help and --version: clap's own output, exit 0.
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            // One line, not clap's three: the error itself says what was wrong.
            let text = e.render().to_string();
            eprintln!("{}", text.lines().next().unwrap_or("error: bad arguments"));
            return ExitCode::from(2);
        }
    };
    match cli.command.unwrap_or(Command::Run {
        ids: Vec::new(),
        scale: Scale::Default,
        json: None,
        csv_size: None,
        images: None,
        image_size: None,
        repeat: 1,
        pythons: Vec::new(),
    }) {
        Command::List => {
            list();
            ExitCode::SUCCESS
        }
        Command::Report {
            results,
            out,
            no_criterion,
        } => report(results, out, no_criterion),
        Command::Compare { a, b } => compare(&a, &b),
        Command::Check => check(),
        Command::Run {
            ids,
            scale,
            json,
            csv_size,
            images,
            image_size,
            repeat,
            pythons,
        } => match run(
            &ids,
            scale,
            Overrides {
                csv_bytes: csv_size,
                images,
                image_size,
                // Leaked once for the life of the process: keeps Overrides Copy.
                pythons: Box::leak(pythons.into_boxed_slice()),
            },
            json,
            repeat,
        ) {
            Ok(code) => code,
            Err(e) => {
                eprintln!("error: {e:#}");
                ExitCode::FAILURE
            }
        },
    }
}

/// Reads a results JSON: one line saying what is wrong otherwise.
fn load_results(path: &Path) -> std::result::Result<pyproof_core::RunResults, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let text = String::from_utf8_lossy(&bytes);
    serde_json::from_str(&text).map_err(|e| {
        format!(
            "{} is not a pyproof results file ({e}); make one with `pyproof run`",
            path.display()
        )
    })
}

fn report(results: Option<PathBuf>, out: Option<PathBuf>, no_criterion: bool) -> ExitCode {
    let source = results.unwrap_or_else(|| pyproof::output_dir().join("results.json"));
    let run = match load_results(&source) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let root = pyproof_python::paths::project_root();
    let benches = if no_criterion {
        Vec::new()
    } else {
        pyproof_report::document::criterion_estimates(&root.join("target").join("criterion"))
    };
    // Name the source relative to the checkout when it is inside it: the generated files are
    // committed, and an absolute path would differ on every machine.
    let shown = source
        .strip_prefix(&root)
        .unwrap_or(&source)
        .display()
        .to_string();
    let default_out = out.is_none();
    let out = out.unwrap_or_else(|| root.join("docs").join("report"));
    match pyproof_report::document::write_report(&run, &benches, &out, &shown) {
        Ok(written) => {
            // The docs' generated blocks follow the committed report, not a report written
            // elsewhere (--out).
            if default_out && let Err(e) = update_doc_blocks(&root, &run) {
                eprintln!("error: {e:#}");
                return ExitCode::FAILURE;
            }
            println!(
                "report of {} ({} experiments, {} benchmarks): {} files under {}",
                shown,
                run.outcomes.len(),
                benches.len(),
                written.len(),
                out.display()
            );
            println!("open {}", out.join("index.html").display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: writing the report under {}: {e}", out.display());
            ExitCode::FAILURE
        }
    }
}

/// Rewrites the generated verdicts block of each docs/<id>.md and the README's verdict table.
fn update_doc_blocks(root: &Path, run: &pyproof_core::RunResults) -> Result<()> {
    use pyproof_report::{blocks, snippets};
    // Code quoted in any docs page, from the sources as they are now.
    let docs = root.join("docs");
    let pages: Vec<PathBuf> = std::fs::read_dir(&docs)
        .with_context(|| format!("listing {}", docs.display()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    for page in &pages {
        let text =
            std::fs::read_to_string(page).with_context(|| format!("reading {}", page.display()))?;
        let new = snippets::refresh(&text, root)
            .map_err(|e| anyhow::anyhow!("{}: {e}", page.display()))?;
        if new != text {
            pyproof_report::write_atomic(page, new.as_bytes())
                .with_context(|| format!("writing {}", page.display()))?;
        }
    }
    for o in &run.outcomes {
        let page = root.join("docs").join(format!("{}.md", o.id));
        let Ok(text) = std::fs::read_to_string(&page) else {
            continue;
        };
        let new = blocks::set(
            &text,
            blocks::VERDICTS,
            &blocks::verdicts_block(o, run),
            &["## Caveats", "## Further reading"],
        );
        if new != text {
            pyproof_report::write_atomic(&page, new.as_bytes())
                .with_context(|| format!("writing {}", page.display()))?;
        }
    }
    let readme = root.join("README.md");
    let text = std::fs::read_to_string(&readme).context("reading README.md")?;
    let new = blocks::set(
        &text,
        blocks::VERDICT_TABLE,
        &blocks::verdict_table_block(run),
        &["## Layout"],
    );
    if new != text {
        pyproof_report::write_atomic(&readme, new.as_bytes()).context("writing README.md")?;
    }
    Ok(())
}

fn check() -> ExitCode {
    let root = pyproof_python::paths::project_root();
    let registry = pyproof::registry();
    let ids: Vec<&str> = registry.iter().map(|e| e.id()).collect();
    let benches: Vec<(&str, &str)> = registry
        .iter()
        .filter_map(|e| Some((e.id(), e.bench()?)))
        .collect();
    let problems = pyproof::check::check(&root, &ids, &benches);
    if problems.is_empty() {
        println!(
            "pyproof check: all {} experiments have their places; the generated blocks match docs/report/results.json",
            ids.len()
        );
        return ExitCode::SUCCESS;
    }
    for p in &problems {
        eprintln!("{} — fix: {}", p.what, p.fix);
    }
    eprintln!("pyproof check: {} problem(s)", problems.len());
    ExitCode::FAILURE
}

fn compare(a: &Path, b: &Path) -> ExitCode {
    let (ra, rb) = match (load_results(a), load_results(b)) {
        (Ok(ra), Ok(rb)) => (ra, rb),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let c = pyproof_report::compare::compare(&ra, &rb);
    print!(
        "{}",
        pyproof_report::compare::render(&c, &a.display().to_string(), &b.display().to_string())
    );
    ExitCode::SUCCESS
}

fn list() {
    for e in pyproof::registry() {
        println!(
            "{:<24} {:<26} {}",
            e.id(),
            e.section().to_string(),
            e.question()
        );
    }
}

/// Creates and removes a file in `dir`: Ok when results can be written there.
fn probe_writable(dir: &Path) -> std::result::Result<(), String> {
    let probe = dir.join(format!(".pyproof-write-probe-{}", std::process::id()));
    std::fs::File::create(&probe).map_err(|e| format!("cannot write in {}: {e}", dir.display()))?;
    let _ = std::fs::remove_file(&probe);
    Ok(())
}

fn run(
    ids: &[String],
    scale: Scale,
    overrides: Overrides,
    json: Option<PathBuf>,
    repeat: u32,
) -> Result<ExitCode> {
    // Everything that can be refused is checked before anything runs or is written.
    let experiments = match pyproof::select(ids) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(ExitCode::from(2));
        }
    };
    if let Some(path) = &json {
        let parent = path.parent().filter(|p| !p.as_os_str().is_empty());
        if let Some(dir) = parent.filter(|d| !d.is_dir()) {
            eprintln!("error: --json: directory {} does not exist", dir.display());
            return Ok(ExitCode::from(2));
        }
        if path.is_dir() {
            eprintln!("error: --json: {} is a directory", path.display());
            return Ok(ExitCode::from(2));
        }
        if let Err(e) = probe_writable(parent.unwrap_or(Path::new("."))) {
            eprintln!("error: --json: {e}");
            return Ok(ExitCode::from(2));
        }
    }
    // The results land here at the end: a directory that cannot be written is refused now,
    // not after the whole run.
    let out_dir = pyproof::output_dir();
    if let Err(e) = std::fs::create_dir_all(&out_dir)
        .map_err(|e| format!("cannot create {}: {e}", out_dir.display()))
        .and_then(|()| probe_writable(&out_dir))
    {
        eprintln!("error: output directory: {e}");
        return Ok(ExitCode::from(2));
    }
    pyproof_python::install_interrupt_handler().context("installing the Ctrl-C handler")?;
    // Every experiment runs Python: a venv that cannot be made or filled (no network for
    // pip, no base interpreter) stops the run here, in one line, before anything is written.
    pyproof_python::Interpreter::get()?;

    let mut runs = Vec::new();
    for i in 1..=repeat {
        if repeat > 1 {
            println!("━━ run {i} of {repeat} ━━");
        }
        runs.push(pyproof::run(
            &experiments,
            scale,
            overrides,
            &pyproof::terminal_progress,
            &mut pyproof::print_outcome,
        ));
    }
    // The saved results are the last run's, with every run's failures and, when repeated,
    // every claim's verdict in each run.
    let repeats = if repeat > 1 {
        pyproof_core::repeatability(&runs)
    } else {
        Vec::new()
    };
    let mut failures = Vec::new();
    for (i, r) in runs.iter().enumerate() {
        for f in &r.failures {
            let mut f = f.clone();
            if repeat > 1 {
                f.error = format!("run {} of {repeat}: {}", i + 1, f.error);
            }
            failures.push(f);
        }
    }
    let mut results = runs.pop().context("no run was made")?;
    results.failures = failures;
    results.repeats = repeats;
    println!("{}", pyproof_report::terminal::summary(&results));
    if repeat > 1 {
        println!(
            "{}",
            pyproof_report::terminal::repeatability(&results.repeats)
        );
    }
    let default_path = pyproof::output_dir().join("results.json");
    pyproof::save_results(&results, &default_path)?;
    println!("results: {}", default_path.display());
    if let Some(path) = json {
        pyproof::save_results(&results, &path)?;
        println!("results: {}", path.display());
    }
    Ok(if results.failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
