//! The one parser of run arguments, for the CLI's `run` and for every example.
//!
//! The common arguments (`--scale`, `--json`, `--repeat`) are declared here once; the rest are
//! the options the experiments declare ([`pyproof_harness::RunOption`]), so the CLI takes the
//! union of all twelve answers' options and an example exactly its own.

use clap::{Arg, ArgAction, ArgMatches, Command};
use pyproof_harness::{Experiment, Options, RunOption, Scale, options};
use std::path::PathBuf;

/// The most times `--repeat` runs a selection.
pub const MAX_REPEAT: u32 = 20;

/// What a run was asked for.
#[derive(Debug, Clone)]
pub struct RunArgs {
    /// The scale of the run.
    pub scale: Scale,
    /// Where to write the results JSON as well (always written under target/pyproof/).
    pub json: Option<PathBuf>,
    /// How many times to run the selection.
    pub repeat: u32,
    /// The experiments' options that were given.
    pub options: Options,
}

impl Default for RunArgs {
    fn default() -> Self {
        RunArgs {
            scale: Scale::Default,
            json: None,
            repeat: 1,
            options: Options::new(),
        }
    }
}

fn parse_repeat(s: &str) -> Result<u32, String> {
    match s.parse::<u32>() {
        Ok(n) if (1..=MAX_REPEAT).contains(&n) => Ok(n),
        _ => Err(format!(
            "bad repeat count '{s}' (expected 1 to {MAX_REPEAT})"
        )),
    }
}

/// The options of `experiments`, each once.
pub fn declared_options(experiments: &[&'static dyn Experiment]) -> Vec<&'static dyn RunOption> {
    options::merged(experiments.iter().map(|e| e.options()))
}

/// `cmd` with the run arguments: the common ones and the options of `experiments`.
pub fn with_run_args(cmd: Command, experiments: &[&'static dyn Experiment]) -> Command {
    let mut cmd = cmd
        .arg(
            Arg::new("scale")
                .long("scale")
                .value_name("SCALE")
                .default_value("default")
                .value_parser(|s: &str| s.parse::<Scale>())
                .help("quick (seconds, noisy), default (a few minutes), full (the sheet's own sizes)"),
        )
        .arg(
            Arg::new("json")
                .long("json")
                .value_name("PATH")
                .value_parser(clap::value_parser!(PathBuf))
                .help("Also write the results JSON here (always written under target/pyproof/)"),
        )
        .arg(
            Arg::new("repeat")
                .long("repeat")
                .value_name("N")
                .default_value("1")
                .allow_hyphen_values(true)
                .value_parser(parse_repeat)
                .help("Run the selection N times (1 to 20) and report every claim whose verdict changed"),
        );
    for option in declared_options(experiments) {
        cmd = cmd.arg(
            Arg::new(option.name())
                .long(option.name())
                .value_name(option.value_name())
                .help(option.help())
                .allow_hyphen_values(true)
                .action(if option.repeatable() {
                    ArgAction::Append
                } else {
                    ArgAction::Set
                })
                // Checked here so a bad value is refused before anything runs; parsed again
                // (cheaply) into the typed Options below.
                .value_parser(move |s: &str| option.parse(s).map(|_| s.to_string())),
        );
    }
    cmd
}

/// The run arguments out of `matches` (made by a command built with [`with_run_args`]).
pub fn run_args(
    matches: &ArgMatches,
    experiments: &[&'static dyn Experiment],
) -> Result<RunArgs, String> {
    let mut options = Options::new();
    for option in declared_options(experiments) {
        if let Some(values) = matches.get_many::<String>(option.name()) {
            for v in values {
                options.set(option, v)?;
            }
        }
    }
    Ok(RunArgs {
        scale: matches
            .get_one::<Scale>("scale")
            .copied()
            .unwrap_or_default(),
        json: matches.get_one::<PathBuf>("json").cloned(),
        repeat: matches.get_one::<u32>("repeat").copied().unwrap_or(1),
        options,
    })
}

/// Parses an example's arguments (`args` without the program name) for `experiment`: the
/// common run arguments and its own options. The error is one line.
pub fn parse_example_args(
    experiment: &'static dyn Experiment,
    args: &[String],
) -> Result<RunArgs, clap::Error> {
    let cmd = with_run_args(
        Command::new(experiment.id())
            .bin_name(format!(
                "cargo run --release --example {} --",
                experiment.id()
            ))
            .about(experiment.question())
            .no_binary_name(true),
        &[experiment],
    );
    let matches = cmd.try_get_matches_from(args)?;
    run_args(&matches, &[experiment])
        .map_err(|e| clap::Error::raw(clap::error::ErrorKind::ValueValidation, e))
}

/// A clap error as the one line pyproof prints (clap's own output for --help and
/// --version), with the exit code: 0 for help, 2 for bad arguments.
pub fn report_clap_error(e: &clap::Error) -> std::process::ExitCode {
    if !e.use_stderr() {
        let _ = e.print();
        return std::process::ExitCode::SUCCESS;
    }
    let text = e.render().to_string();
    eprintln!("{}", text.lines().next().unwrap_or("error: bad arguments"));
    std::process::ExitCode::from(2)
}
