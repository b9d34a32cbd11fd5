//! `pyproof`: the command line of the trial.
//!
//! `pyproof` with no command runs every experiment at the default scale. `pyproof list`
//! shows them; `pyproof run [ID...] [--scale S] [--repeat N] [--json PATH] [options]` runs a
//! selection (the options are those the experiments declare, e.g. `--csv-size`, `--images`,
//! `--image-size`, `--python`), prints each outcome and the verdict table, and saves the
//! results JSON under target/pyproof/. `pyproof report` turns the last results into
//! docs/report/ (Markdown, a self-contained HTML page, charts); `pyproof compare A B` puts
//! two results files side by side; `pyproof check` checks every experiment's places
//! (`--report`: and the committed report); `pyproof pythons` lists the CPythons pyproof can
//! run (`--build 3.13t` builds one from Debian's source package, `--venv SPEC` fills a venv,
//! `--embed 3.15` prints what cargo needs to embed one);
//! `pyproof cold-start` measures the fastest proof from a fresh clone for the README.

use anyhow::{Context, Result};
use clap::{Arg, ArgAction, ArgMatches, Command};
use pyproof_python::pythons::PythonSpec;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The command line, built from the registry: `run` takes every experiment's options.
fn cli() -> Command {
    let run = pyproof_runner::with_run_args(
        Command::new("run")
            .about("Run experiments (all when no id is given) and print their verdicts")
            .arg(
                Arg::new("ids")
                    .value_name("ID")
                    .num_args(0..)
                    .help("Experiment ids (see `pyproof list`); none means all"),
            ),
        pyproof::EXPERIMENTS,
    );
    Command::new("pyproof")
        .version(env!("CARGO_PKG_VERSION"))
        .about(
            "Puts every answer of a Python interview sheet on trial: real CPython, real \
             packages, measured, with a verdict per claim and the numbers behind it.",
        )
        .subcommand(Command::new("list").about("List every experiment with its section and question"))
        .subcommand(run)
        .subcommand(
            Command::new("report")
                .about(
                    "Write the report of a run: report.md, a self-contained index.html with its \
                     charts, results.json (and criterion's estimates when `cargo bench` left them)",
                )
                .arg(
                    Arg::new("results")
                        .long("results")
                        .value_name("PATH")
                        .value_parser(clap::value_parser!(PathBuf))
                        .help("The results to report (default: target/pyproof/results.json)"),
                )
                .arg(
                    Arg::new("out")
                        .long("out")
                        .value_name("DIR")
                        .value_parser(clap::value_parser!(PathBuf))
                        .help("Where to write it (default: docs/report, refreshing the docs' generated blocks too)"),
                )
                .arg(
                    Arg::new("no-criterion")
                        .long("no-criterion")
                        .action(ArgAction::SetTrue)
                        .help("Leave criterion's estimates out"),
                ),
        )
        .subcommand(
            Command::new("check")
                .about(
                    "Check that every experiment has its crate, judges, example, Python module, \
                     tests and docs page (and, with --report, that the committed report covers it)",
                )
                .arg(
                    Arg::new("report")
                        .long("report")
                        .action(ArgAction::SetTrue)
                        .help("Also check docs/report against every experiment (before committing a report)"),
                )
                .arg(
                    Arg::new("reported-only")
                        .long("reported-only")
                        .action(ArgAction::SetTrue)
                        .requires("report")
                        .help("With --report: only the experiments the committed report has (CI)"),
                ),
        )
        .subcommand(
            Command::new("pythons")
                .about(
                    "List the CPythons pyproof can run (version, GIL or free-threaded, where \
                     found, venv); --build one from Debian's source package, --venv fill one's \
                     venv",
                )
                .arg(
                    Arg::new("build")
                        .long("build")
                        .value_name("VERSION")
                        .action(ArgAction::Append)
                        .value_parser(|s: &str| s.parse::<PythonSpec>())
                        .help("Build CPython VERSION (3.13t, 3.14, 3.15t...) into ~/.cache/pyproof and fill its venv (repeatable)"),
                )
                .arg(
                    Arg::new("venv")
                        .long("venv")
                        .value_name("SPEC")
                        .action(ArgAction::Append)
                        .value_parser(|s: &str| s.parse::<PythonSpec>())
                        .help("Fill the venv of the interpreter(s) SPEC names: a version, a path or all (repeatable)"),
                )
                .arg(
                    Arg::new("embed")
                        .long("embed")
                        .value_name("SPEC")
                        .value_parser(|s: &str| s.parse::<PythonSpec>())
                        .conflicts_with_all(["build", "venv"])
                        .help("Print the shell exports under which cargo builds pyproof with SPEC's CPython embedded (eval \"$(pyproof pythons --embed 3.15)\"; docs/pythons.md)"),
                )
                .arg(
                    Arg::new("python")
                        .long("python")
                        .value_name("PATH")
                        .action(ArgAction::Append)
                        .value_parser(clap::value_parser!(PathBuf))
                        .help("One more interpreter to list (repeatable)"),
                ),
        )
        .subcommand(
            Command::new("cold-start")
                .about(
                    "Measure what the fastest proof costs a new user: clone HEAD into a scratch \
                     directory, build --example gil_contention from an empty target directory, \
                     run it once (creating .venv), record the times for the README",
                )
                .arg(
                    Arg::new("out")
                        .long("out")
                        .value_name("PATH")
                        .value_parser(clap::value_parser!(PathBuf))
                        .help("Write the record here instead of docs/report/cold-start.json"),
                )
                .arg(
                    Arg::new("scratch")
                        .long("scratch")
                        .value_name("DIR")
                        .value_parser(clap::value_parser!(PathBuf))
                        .help("Clone and build under DIR (needs ~5 GB free; default: the system's temporary directory)"),
                ),
        )
        .subcommand(
            Command::new("compare")
                .about(
                    "Two results files side by side: each measurement's ratio and whether it \
                     moved beyond its spread, and every verdict that changed",
                )
                .arg(Arg::new("a").required(true).value_parser(clap::value_parser!(PathBuf)))
                .arg(Arg::new("b").required(true).value_parser(clap::value_parser!(PathBuf))),
        )
}

fn main() -> ExitCode {
    pyproof_proc::quiet_broken_pipe();
    // Re-executed as a measured worker (a polars variant in a fresh process)?
    if let Some(code) = pyproof::worker_main() {
        return code;
    }
    let matches = match cli().try_get_matches() {
        Ok(m) => m,
        Err(e) => return pyproof_runner::report_clap_error(&e),
    };
    match matches.subcommand() {
        Some(("list", _)) => {
            list();
            ExitCode::SUCCESS
        }
        Some(("report", m)) => report(
            m.get_one::<PathBuf>("results").cloned(),
            m.get_one::<PathBuf>("out").cloned(),
            m.get_flag("no-criterion"),
        ),
        Some(("compare", m)) => match (m.get_one::<PathBuf>("a"), m.get_one::<PathBuf>("b")) {
            (Some(a), Some(b)) => compare(a, b),
            _ => ExitCode::from(2),
        },
        Some(("check", m)) => check(m.get_flag("report"), m.get_flag("reported-only")),
        Some(("run", m)) => run(m),
        Some(("cold-start", m)) => match cold_start(
            m.get_one::<PathBuf>("out").cloned(),
            m.get_one::<PathBuf>("scratch").cloned(),
        ) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e:#}");
                ExitCode::FAILURE
            }
        },
        Some(("pythons", m)) => {
            let args = pyproof_runner::pythons::PythonsArgs {
                build: m
                    .get_many::<PythonSpec>("build")
                    .map(|v| v.cloned().collect())
                    .unwrap_or_default(),
                venv: m
                    .get_many::<PythonSpec>("venv")
                    .map(|v| v.cloned().collect())
                    .unwrap_or_default(),
                explicit: m
                    .get_many::<PathBuf>("python")
                    .map(|v| v.cloned().collect())
                    .unwrap_or_default(),
                embed: m.get_one::<PythonSpec>("embed").cloned(),
            };
            match pyproof_runner::pythons::pythons_main(&args) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("error: {e:#}");
                    ExitCode::FAILURE
                }
            }
        }
        _ => run(&cli()
            .try_get_matches_from(["pyproof", "run"])
            .ok()
            .and_then(|m| m.subcommand_matches("run").cloned())
            .unwrap_or_default()),
    }
}

/// `pyproof cold-start`: measures, then writes the record atomically (nothing on failure).
fn cold_start(out: Option<PathBuf>, scratch: Option<PathBuf>) -> Result<()> {
    pyproof_proc::install_interrupt_handler()?;
    let root = pyproof_proc::paths::project_root();
    let scratch = scratch.unwrap_or_else(std::env::temp_dir);
    let record = pyproof_runner::cold_start::measure(&root, &scratch)?;
    let out = out.unwrap_or_else(|| pyproof_report::cold_start::path(&root));
    let json = serde_json::to_string_pretty(&record).context("serialising the record")?;
    pyproof_report::write_atomic(&out, json.as_bytes())
        .with_context(|| format!("writing {}", out.display()))?;
    println!("{}", pyproof_report::cold_start::block(&record));
    println!(
        "written to {}; `pyproof report` puts it in the README",
        out.display()
    );
    Ok(())
}

fn run(m: &ArgMatches) -> ExitCode {
    let ids: Vec<String> = m
        .get_many::<String>("ids")
        .map(|v| v.cloned().collect())
        .unwrap_or_default();
    let experiments = match pyproof::select(&ids) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let args = match pyproof_runner::run_args(m, pyproof::EXPERIMENTS) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let path = pyproof_runner::output_dir().join("results.json");
    match pyproof_runner::run_selection(&experiments, args, &path) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn check(with_report: bool, reported_only: bool) -> ExitCode {
    use pyproof_report::check;
    let root = pyproof_proc::paths::project_root();
    let ids = pyproof::ids();
    let benches: Vec<(&str, &str)> = pyproof::EXPERIMENTS
        .iter()
        .filter_map(|e| Some((e.id(), e.bench()?)))
        .collect();
    let mut problems = check::structure(&root, &ids, &benches);
    if with_report {
        let reported: Vec<String> = check::committed_results(&root)
            .map(|r| r.outcomes.iter().map(|o| o.id.clone()).collect())
            .unwrap_or_default();
        let against: Vec<&str> = if reported_only {
            ids.iter()
                .copied()
                .filter(|id| reported.iter().any(|r| r == id))
                .collect()
        } else {
            ids.clone()
        };
        problems.extend(check::report(&root, &against));
    }
    if problems.is_empty() {
        println!(
            "pyproof check: all {} experiments have their places{}",
            ids.len(),
            if with_report {
                "; the generated blocks match docs/report/results.json"
            } else {
                ""
            }
        );
        return ExitCode::SUCCESS;
    }
    for p in &problems {
        eprintln!("{} — fix: {}", p.what, p.fix);
    }
    eprintln!("pyproof check: {} problem(s)", problems.len());
    ExitCode::FAILURE
}

/// Reads a results JSON: one line saying what is wrong otherwise.
fn load_results(path: &Path) -> std::result::Result<pyproof_harness::RunResults, String> {
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
    let source = results.unwrap_or_else(|| pyproof_runner::output_dir().join("results.json"));
    let mut run = match load_results(&source) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    // The answer to give today is recomputed from the saved figures by the experiment's own
    // pure function, so a results file from before a sentence changed reads as today's code
    // words it.
    for o in &mut run.outcomes {
        if let Some(e) = pyproof::EXPERIMENTS.iter().find(|e| e.id() == o.id) {
            o.today = e.answer_today(o);
        }
    }
    let root = pyproof_proc::paths::project_root();
    let code = quoted_code(&root, &run);
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
    match pyproof_report::document::write_report(&run, &benches, &code, &out, &shown) {
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

/// The code each experiment's docs page quotes from the sources (read off `docs/<id>.md`;
/// none for a page that is missing).
fn quoted_code(
    root: &Path,
    run: &pyproof_harness::RunResults,
) -> std::collections::BTreeMap<String, Vec<pyproof_report::document::page::Code>> {
    run.outcomes
        .iter()
        .map(|o| {
            let page = root.join("docs").join(format!("{}.md", o.id));
            let code = std::fs::read_to_string(page)
                .map(|text| pyproof_report::document::page::code_of_page(&text))
                .unwrap_or_default();
            (o.id.clone(), code)
        })
        .collect()
}

/// Rewrites the generated verdicts block of each docs/<id>.md and the README's scorecard.
fn update_doc_blocks(root: &Path, run: &pyproof_harness::RunResults) -> Result<()> {
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
        let new = blocks::set(
            &new,
            blocks::MEASURED,
            &blocks::measured_block(o, run),
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
        blocks::SCORECARD,
        &blocks::scorecard_block(run),
        &["## Two commands"],
    );
    // The cold time, when a record of one is committed (`pyproof cold-start`).
    let new = match pyproof_report::cold_start::load(root).map_err(anyhow::Error::msg)? {
        Some(c) => blocks::set(
            &new,
            blocks::COLD_START,
            &pyproof_report::cold_start::block(&c),
            &["## Scorecard"],
        ),
        None => new,
    };
    if new != text {
        pyproof_report::write_atomic(&readme, new.as_bytes()).context("writing README.md")?;
    }
    Ok(())
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
    for e in pyproof::EXPERIMENTS {
        println!(
            "{:<24} {:<26} {}",
            e.id(),
            e.section().to_string(),
            e.question()
        );
    }
}
