//! `pyproof check`: every experiment has all its places; `pyproof check --report`: the
//! committed report covers them and every generated block matches it.
//!
//! One id names an experiment everywhere: its crate `crates/experiments/<id>/` (with
//! `src/lib.rs`, `src/judge.rs`, `examples/<id>.rs`, and `benches/<id>.rs` when it declares a
//! bench), its Python module and tests, its docs page, its section of the committed report.
//! [`structure`] checks the places (and that code quoted in the docs matches its source, and
//! that no Rust file passes the size limit); it needs no run, so `cargo test` runs it.
//! [`report`] checks the committed report against the ids it is given: all of them before a
//! report is committed, the report's own in CI (a new experiment does not turn `cargo test`
//! red before its first full run is committed). Each problem is named with the command that
//! fixes it.

use crate::blocks;
use pyproof_harness::RunResults;
use std::path::{Path, PathBuf};

/// One thing `pyproof check` found wrong, and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// What is missing or stale.
    pub what: String,
    /// The command or action that fixes it.
    pub fix: String,
}

const RERUN: &str = "cargo run --release -- run --scale default && cargo run --release -- report";
const REPORT: &str = "cargo run --release -- report --results docs/report/results.json";

/// The committed results, `docs/report/results.json` under `root`.
pub fn committed_results(root: &Path) -> Result<RunResults, String> {
    let path = root.join("docs").join("report").join("results.json");
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{} is unreadable: {e}", path.display()))
}

/// The most lines a Rust source file may have (one concern per file).
pub const MAX_RUST_LINES: usize = 600;

fn problem(what: String, fix: &str) -> Problem {
    Problem {
        what,
        fix: fix.to_string(),
    }
}

/// The places of the experiments `ids` in the checkout at `root`; `benches` pairs an id with
/// its criterion bench, for those that declare one (named by the id).
pub fn structure(root: &Path, ids: &[&str], benches: &[(&str, &str)]) -> Vec<Problem> {
    let mut problems = Vec::new();
    for id in ids {
        let dir = format!("crates/experiments/{id}");
        for (path, what) in [
            (format!("{dir}/Cargo.toml"), "its crate"),
            (format!("{dir}/src/lib.rs"), "its meta, claims and run"),
            (format!("{dir}/src/judge.rs"), "its pure judges"),
            (format!("{dir}/src/today.rs"), "its answer to give today"),
            (format!("{dir}/examples/{id}.rs"), "its example"),
            (format!("python/pyproof/{id}.py"), "its Python side"),
            (format!("python/tests/test_{id}.py"), "its Python tests"),
            (format!("docs/{id}.md"), "its docs page"),
        ] {
            if !root.join(&path).is_file() {
                problems.push(problem(
                    format!("{id}: no {path} ({what})"),
                    "write it (docs/adding-an-experiment.md)",
                ));
            }
        }
        if !root.join(&dir).join("tests").is_dir() {
            problems.push(problem(
                format!("{id}: no {dir}/tests/ (its integration tests)"),
                "write them",
            ));
        }
    }
    for (id, bench) in benches {
        if bench != id {
            problems.push(problem(
                format!("{id}: its bench is called {bench}; benches are named by the id"),
                "rename it",
            ));
        }
        let dir = format!("crates/experiments/{id}");
        if !root
            .join(&dir)
            .join("benches")
            .join(format!("{bench}.rs"))
            .is_file()
        {
            problems.push(problem(
                format!("{id}: no {dir}/benches/{bench}.rs (its bench)"),
                "write it",
            ));
        }
        let manifest =
            std::fs::read_to_string(root.join(&dir).join("Cargo.toml")).unwrap_or_default();
        if !manifest.contains(&format!("[[bench]]\nname = \"{bench}\"")) {
            problems.push(problem(
                format!("{id}: its bench {bench} is not declared in {dir}/Cargo.toml"),
                "add a [[bench]] entry with harness = false",
            ));
        }
    }
    for file in rust_files(root) {
        let lines = std::fs::read_to_string(&file)
            .map(|t| t.lines().count())
            .unwrap_or(0);
        if lines > MAX_RUST_LINES {
            let name = file
                .strip_prefix(root)
                .unwrap_or(&file)
                .display()
                .to_string();
            problems.push(problem(
                format!("{name} has {lines} lines (the limit is {MAX_RUST_LINES})"),
                "split it by concern",
            ));
        }
    }
    problems.extend(stale_code(root));
    problems.extend(crate::links::outside_links(root, "README.md"));
    problems
}

/// Every `.rs` file of the checkout outside `target/` and hidden directories.
fn rust_files(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') || (dir == root && name == "target") {
                continue;
            }
            if p.is_dir() {
                stack.push(p);
            } else if name.ends_with(".rs") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Code quoted in the docs that no longer matches its source.
fn stale_code(root: &Path) -> Vec<Problem> {
    let mut problems = Vec::new();
    let Ok(dir) = std::fs::read_dir(root.join("docs")) else {
        return problems;
    };
    let mut pages: Vec<PathBuf> = dir
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    pages.sort();
    for page in pages {
        let name = page
            .strip_prefix(root)
            .unwrap_or(&page)
            .display()
            .to_string();
        let Ok(text) = std::fs::read_to_string(&page) else {
            continue;
        };
        match crate::snippets::stale(&text, root) {
            Ok(stale) => {
                for s in stale {
                    problems.push(problem(
                        format!("{name}: the code quoted from {s} is stale"),
                        REPORT,
                    ));
                }
            }
            Err(e) => problems.push(problem(format!("{name}: {e}"), "fix the code marker")),
        }
    }
    problems
}

/// The committed report under `root` against the experiments `ids`: its files, a section
/// for each id, each page's verdicts block and the README's verdict table as the report's
/// results make them.
pub fn report(root: &Path, ids: &[&str]) -> Vec<Problem> {
    let mut problems = Vec::new();
    for name in ["report.md", "index.html", "results.json"] {
        if !root.join("docs/report").join(name).is_file() {
            problems.push(problem(format!("no docs/report/{name}"), RERUN));
        }
    }
    for id in ids {
        for ext in ["md", "html"] {
            if !root
                .join("docs/report")
                .join(format!("{id}.{ext}"))
                .is_file()
            {
                problems.push(problem(format!("no docs/report/{id}.{ext}"), REPORT));
            }
        }
    }
    let results = match committed_results(root) {
        Ok(r) => r,
        Err(e) => {
            problems.push(problem(e, RERUN));
            return problems;
        }
    };
    for id in ids {
        let outcome = results.outcomes.iter().find(|o| o.id == *id);
        let failed = results.failures.iter().any(|f| f.id == *id);
        let Some(outcome) = outcome else {
            problems.push(problem(
                format!(
                    "{id}: {} in docs/report/results.json",
                    if failed { "failed" } else { "no section" }
                ),
                RERUN,
            ));
            continue;
        };
        let page = root.join("docs").join(format!("{id}.md"));
        if let Ok(text) = std::fs::read_to_string(&page) {
            for (name, want) in [
                (blocks::VERDICTS, blocks::verdicts_block(outcome, &results)),
                (blocks::MEASURED, blocks::measured_block(outcome, &results)),
            ] {
                match blocks::current(&text, name) {
                    None => problems.push(problem(
                        format!("{id}: docs/{id}.md has no generated {name} block"),
                        REPORT,
                    )),
                    Some(have) if have != want.trim_matches('\n') => problems.push(problem(
                        format!("{id}: the {name} block of docs/{id}.md is stale"),
                        REPORT,
                    )),
                    Some(_) => {}
                }
            }
        }
    }
    match std::fs::read_to_string(root.join("README.md")) {
        Ok(text) => {
            let want = blocks::scorecard_block(&results);
            match blocks::current(&text, blocks::SCORECARD) {
                None => problems.push(problem(
                    "README.md has no generated scorecard".into(),
                    REPORT,
                )),
                Some(have) if have != want.trim_matches('\n') => problems.push(problem(
                    "the scorecard in README.md is stale".into(),
                    REPORT,
                )),
                Some(_) => {}
            }
            problems.extend(cold_start_problems(root, &text));
        }
        Err(e) => problems.push(problem(format!("cannot read README.md: {e}"), "restore it")),
    }
    problems
}

/// The README's cold time against its committed record: generated from it when there is
/// one, absent when there is none (a cold time no record backs is a typed figure).
fn cold_start_problems(root: &Path, readme: &str) -> Vec<Problem> {
    const MEASURE: &str = "cargo run --release -- cold-start && cargo run --release -- report";
    let have = blocks::current(readme, blocks::COLD_START);
    match (crate::cold_start::load(root), have) {
        (Err(e), _) => vec![problem(e, MEASURE)],
        (Ok(None), None) => Vec::new(),
        (Ok(None), Some(_)) => vec![problem(
            format!(
                "README.md quotes a cold time but {} is missing",
                crate::cold_start::FILE
            ),
            MEASURE,
        )],
        (Ok(Some(_)), None) => vec![problem(
            "README.md has no generated cold-start block".into(),
            REPORT,
        )],
        (Ok(Some(c)), Some(have)) if have != crate::cold_start::block(&c) => vec![problem(
            "the cold-start block in README.md is stale".into(),
            REPORT,
        )],
        (Ok(Some(_)), Some(_)) => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cold_start::{self, ColdStart};

    fn record() -> ColdStart {
        cold_start::tests::made_up()
    }

    #[test]
    fn the_readme_quotes_a_cold_time_only_from_its_record() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        let none = "# pyproof\n";
        assert!(
            cold_start_problems(root, none).is_empty(),
            "no record, no block"
        );
        let quoted = blocks::set(none, blocks::COLD_START, "took **1 min**", &[]);
        let p = cold_start_problems(root, &quoted);
        assert_eq!(p.len(), 1);
        assert!(
            p[0].what.contains("cold-start.json is missing"),
            "{}",
            p[0].what
        );

        let c = record();
        let file = cold_start::path(root);
        std::fs::create_dir_all(file.parent().expect("parent")).expect("mkdir");
        std::fs::write(&file, serde_json::to_string(&c).expect("json")).expect("write");
        assert!(
            cold_start_problems(root, none)[0]
                .what
                .contains("no generated cold-start")
        );
        assert!(
            cold_start_problems(root, &quoted)[0]
                .what
                .contains("is stale")
        );
        let fresh = blocks::set(none, blocks::COLD_START, &cold_start::block(&c), &[]);
        assert!(cold_start_problems(root, &fresh).is_empty());
        std::fs::write(&file, "not json").expect("write");
        assert!(
            cold_start_problems(root, &fresh)[0]
                .what
                .contains("not a cold-start record")
        );
    }
}
