//! `pyproof pythons`: the interpreters pyproof knows, and `--build` / `--venv` to add to them.
//!
//! The listing says, per interpreter, its tag (`3.13t`), version, build (GIL or
//! free-threaded), where it was found, whether its venv is ready (and which pinned packages
//! have no wheel for that build) and its path; refused candidates get one line each.
//! `--build 3.13t` builds CPython from Debian's source package into pyproof's cache
//! ([`pyproof_python::cpython_build`]) and fills its venv; `--venv SPEC` fills the venvs of
//! interpreters already found; `--embed SPEC` prints the exports under which cargo builds
//! pyproof with that interpreter embedded ([`pyproof_python::cpython_build::embed`]).

use anyhow::{Context, Result, anyhow};
use pyproof_python::cpython_build::{self, Target};
use pyproof_python::pythons::{self, Installed, PythonSpec};
use pyproof_python::venv;
use std::path::PathBuf;

/// What `pyproof pythons` was asked.
#[derive(Debug, Clone, Default)]
pub struct PythonsArgs {
    /// Versions to build (`--build`).
    pub build: Vec<PythonSpec>,
    /// Interpreters whose venvs to fill (`--venv`).
    pub venv: Vec<PythonSpec>,
    /// Interpreters named by path (`--python`).
    pub explicit: Vec<PathBuf>,
    /// The interpreter whose embedding environment to print (`--embed`).
    pub embed: Option<PythonSpec>,
}

/// The listing as text: a header line, one row per interpreter, one line per refused
/// candidate. `embedded` is the interpreter pyo3 was built against.
pub fn listing(
    found: &[Installed],
    refused: &[String],
    embedded: Option<&std::path::Path>,
) -> String {
    let rows: Vec<[String; 6]> = found
        .iter()
        .map(|i| {
            let spec = pythons::venv_for(&i.found, embedded);
            let mut source = i.candidate.source.label().to_string();
            if embedded == Some(i.found.executable.as_path()) {
                source.push_str(", embedded");
            }
            [
                i.found.tag(),
                i.found.version_text(),
                i.found.build_label().to_string(),
                source,
                pythons::venv_text(&i.found, &spec),
                i.candidate.path.display().to_string(),
            ]
        })
        .collect();
    let head = ["tag", "version", "build", "found in", "venv", "path"];
    let mut widths: Vec<usize> = head.iter().map(|h| h.chars().count()).collect();
    for r in &rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cells: Vec<&str>| -> String {
        let mut s: String = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}  "))
            .collect();
        s.truncate(s.trim_end().len());
        s.push('\n');
        s
    };
    let mut out = line(head.to_vec());
    for r in &rows {
        out.push_str(&line(r.iter().map(String::as_str).collect()));
    }
    if rows.is_empty() {
        out.push_str("(none found)\n");
    }
    for why in refused {
        out.push_str(&format!("refused: {why}\n"));
    }
    out
}

/// Runs `pyproof pythons`: builds, fills venvs, then lists. Errors are collected: one failed
/// build does not stop the others, and the whole command fails at the end.
pub fn pythons_main(args: &PythonsArgs) -> Result<()> {
    let log = venv::stderr_log();
    if let Some(spec) = &args.embed {
        return print_embed(spec, &args.explicit, &log);
    }
    let mut failures = Vec::new();
    if !args.build.is_empty() {
        let cache = pythons::cache_dir()
            .ok_or_else(|| anyhow!("neither XDG_CACHE_HOME nor HOME is set: nowhere to build"))?;
        for spec in &args.build {
            let built = Target::of(spec)
                .map_err(anyhow::Error::from)
                .and_then(|t| Ok(cpython_build::build(t, &cache, &log)?))
                .with_context(|| format!("building {spec}"));
            match built {
                Ok(python) => {
                    if let Err(e) = fill_venv(&PythonSpec::Path(python), &[]) {
                        failures.push(e);
                    }
                }
                Err(e) => failures.push(e),
            }
        }
    }
    for spec in &args.venv {
        if let Err(e) = fill_venv(spec, &args.explicit) {
            failures.push(e);
        }
    }
    let (found, refused) = pythons::find_all(&args.explicit);
    let embedded = pythons::embedded_executable();
    print!("{}", listing(&found, &refused, embedded.as_deref()));
    match failures.len() {
        0 => Ok(()),
        1 => Err(failures.remove(0)),
        n => {
            for e in &failures {
                eprintln!("error: {e:#}");
            }
            Err(anyhow!("{n} of the requested builds or venvs failed"))
        }
    }
}

/// Prints, as shell exports on stdout, the environment under which cargo builds pyproof with
/// the interpreter `spec` names embedded (the newest, when it names several); progress and
/// errors go to stderr, so `eval "$(pyproof pythons --embed 3.15)"` takes only the exports.
fn print_embed(
    spec: &PythonSpec,
    explicit: &[PathBuf],
    log: &pyproof_proc::process::LineSink,
) -> Result<()> {
    let chosen = named_by(spec, explicit)?;
    let newest = chosen
        .iter()
        .max_by_key(|i| i.found.version)
        .ok_or_else(|| anyhow!("no interpreter matches {spec}"))?;
    let cache = pythons::cache_dir()
        .ok_or_else(|| anyhow!("neither XDG_CACHE_HOME nor HOME is set: no build cache"))?;
    let vars = cpython_build::embed::prepare(&newest.found, &cache, log)
        .with_context(|| format!("embedding {}", newest.found.build_name()))?;
    print!("{}", cpython_build::embed::exports(&vars));
    Ok(())
}

/// The interpreters `spec` names among those found (a path `spec` names is probed too).
fn named_by(spec: &PythonSpec, explicit: &[PathBuf]) -> Result<Vec<Installed>> {
    let mut named = explicit.to_vec();
    if let PythonSpec::Path(p) = spec {
        named.push(p.clone());
    }
    let (found, _) = pythons::find_all(&named);
    let chosen = pythons::select(std::slice::from_ref(spec), &found).map_err(|e| anyhow!(e))?;
    Ok(chosen.into_iter().cloned().collect())
}

/// Fills the venv of each interpreter `spec` names, wheels only; says which packages have no
/// wheel for that build.
fn fill_venv(spec: &PythonSpec, explicit: &[PathBuf]) -> Result<()> {
    let chosen = named_by(spec, explicit)?;
    let embedded = pythons::embedded_executable();
    for i in chosen {
        if (i.found.version.0, i.found.version.1) < venv::MIN_PYTHON {
            return Err(anyhow!(
                "{} is Python {}: the pinned requirements need {}.{}+, so it gets no venv",
                i.candidate.path.display(),
                i.found.version_text(),
                venv::MIN_PYTHON.0,
                venv::MIN_PYTHON.1
            ));
        }
        let vs = pythons::venv_for(&i.found, embedded.as_deref());
        let report = venv::ensure_each(&vs, &venv::stderr_log())
            .with_context(|| format!("filling the venv of {}", i.found.tag()))?;
        let instead = venv::substitutions(&vs);
        for (line, version) in &instead {
            eprintln!(
                "pyproof: {} holds {} {version} in place of {line} (no wheel of the pin for {})",
                vs.dir.display(),
                venv::requirement_name(line),
                i.found.tag()
            );
        }
        if report.missing.is_empty() && instead.is_empty() {
            eprintln!("pyproof: {} has every pinned package", vs.dir.display());
        } else if report.missing.is_empty() {
            eprintln!(
                "pyproof: {} has every pinned package, {} of them as a stand-in",
                vs.dir.display(),
                instead.len()
            );
        } else {
            let names: Vec<&str> = report.missing.iter().map(|(r, _)| r.as_str()).collect();
            eprintln!(
                "pyproof: {} has no {} (no wheel for {}); only the variants that need them are \
                 skipped under it",
                vs.dir.display(),
                names.join(", "),
                i.found.tag()
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use pyproof_python::pythons::{Candidate, Source, probe::parse_probe};

    #[test]
    fn the_listing_has_a_row_per_interpreter_and_a_line_per_refusal() {
        let found = vec![
            Installed {
                candidate: Candidate {
                    path: "/p/3.8/bin/python3".into(),
                    source: Source::Pyenv,
                },
                found: parse_probe("3 8 18 0 1 /p/3.8/bin/python3.8").expect("parses"),
            },
            Installed {
                candidate: Candidate {
                    path: "/c/cpython-3.13t/bin/python3.13t".into(),
                    source: Source::PyproofBuild,
                },
                found: parse_probe("3 13 5 1 0 /c/cpython-3.13t/bin/python3.13t").expect("parses"),
            },
        ];
        let text = listing(&found, &["/x/python3: not a Python (boom)".into()], None);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 4, "{text}");
        assert!(lines[0].starts_with("tag    version  build"), "{text}");
        assert!(
            lines[1].starts_with(
                "3.8    3.8.18   GIL            pyenv          none (the requirements need 3.9+)"
            ),
            "{text}"
        );
        assert!(
            lines[2].starts_with("3.13t  3.13.5   free-threaded  pyproof build"),
            "{text}"
        );
        assert!(
            lines[2].ends_with("/c/cpython-3.13t/bin/python3.13t"),
            "{text}"
        );
        assert_eq!(lines[3], "refused: /x/python3: not a Python (boom)");
        assert_eq!(
            listing(&[], &[], None),
            "tag  version  build  found in  venv  path\n(none found)\n"
        );
    }
}
