//! `pyproof check`: every experiment has all its places, and every generated block matches
//! the committed results.
//!
//! One id names an experiment everywhere: its Rust module, its Python file, its example, its
//! docs page, its section of the committed report, and its criterion bench when it has one. A missing place, or a generated block that
//! no longer matches `docs/report/results.json`, or code quoted in the docs that no longer
//! matches its source file, is a problem named with the command that fixes it.

use pyproof_core::RunResults;
use pyproof_report::blocks;
use std::path::Path;

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

/// Checks the checkout at `root` for the experiments `ids`; `benches` pairs an id with its
/// criterion bench, for those that have one.
pub fn check(root: &Path, ids: &[&str], benches: &[(&str, &str)]) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut missing = |what: String, fix: &str| {
        problems.push(Problem {
            what,
            fix: fix.to_string(),
        })
    };
    let crates: Vec<std::path::PathBuf> = std::fs::read_dir(root.join("crates"))
        .map(|d| d.flatten().map(|e| e.path().join("src")).collect())
        .unwrap_or_default();
    for id in ids {
        let module = crates.iter().any(|src| {
            src.join(format!("{id}.rs")).is_file() || src.join(id).join("mod.rs").is_file()
        });
        if !module {
            missing(
                format!("{id}: no Rust module crates/*/src/{id}.rs or crates/*/src/{id}/mod.rs"),
                "write the experiment's module in the crate of its section",
            );
        }
        for (path, what) in [
            (format!("python/pyproof/{id}.py"), "its Python side"),
            (format!("examples/{id}.rs"), "its example"),
            (format!("docs/{id}.md"), "its docs page"),
        ] {
            if !root.join(&path).is_file() {
                missing(format!("{id}: no {path} ({what})"), "write it");
            }
        }
    }
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).unwrap_or_default();
    for (id, bench) in benches {
        if !root.join("benches").join(format!("{bench}.rs")).is_file() {
            missing(
                format!("{id}: no benches/{bench}.rs (its bench)"),
                "write it",
            );
        }
        if !manifest.contains(&format!("[[bench]]\nname = \"{bench}\"")) {
            missing(
                format!("{id}: its bench {bench} is not declared in Cargo.toml"),
                "add a [[bench]] entry with harness = false",
            );
        }
    }
    for name in ["report.md", "index.html", "results.json"] {
        if !root.join("docs/report").join(name).is_file() {
            missing(format!("no docs/report/{name}"), RERUN);
        }
    }
    let results = match committed_results(root) {
        Ok(r) => r,
        Err(e) => {
            missing(e, RERUN);
            return problems;
        }
    };
    for id in ids {
        let outcome = results.outcomes.iter().find(|o| o.id == *id);
        let failed = results.failures.iter().any(|f| f.id == *id);
        let Some(outcome) = outcome else {
            missing(
                format!(
                    "{id}: {} in docs/report/results.json",
                    if failed { "failed" } else { "no section" }
                ),
                RERUN,
            );
            continue;
        };
        let page = root.join("docs").join(format!("{id}.md"));
        if let Ok(text) = std::fs::read_to_string(&page) {
            let want = blocks::verdicts_block(outcome, &results);
            match blocks::current(&text, blocks::VERDICTS) {
                None => missing(
                    format!("{id}: docs/{id}.md has no generated verdicts block"),
                    REPORT,
                ),
                Some(have) if have != want.trim_matches('\n') => missing(
                    format!("{id}: the verdicts block of docs/{id}.md is stale"),
                    REPORT,
                ),
                Some(_) => {}
            }
        }
    }
    // Code quoted in the docs is the code as it is now.
    if let Ok(dir) = std::fs::read_dir(root.join("docs")) {
        let mut pages: Vec<std::path::PathBuf> = dir
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
            match pyproof_report::snippets::stale(&text, root) {
                Ok(stale) => {
                    for s in stale {
                        missing(format!("{name}: the code quoted from {s} is stale"), REPORT);
                    }
                }
                Err(e) => missing(format!("{name}: {e}"), "fix the code marker"),
            }
        }
    }
    match std::fs::read_to_string(root.join("README.md")) {
        Ok(text) => {
            let want = blocks::verdict_table_block(&results);
            match blocks::current(&text, blocks::VERDICT_TABLE) {
                None => missing("README.md has no generated verdict table".into(), REPORT),
                Some(have) if have != want.trim_matches('\n') => {
                    missing("the verdict table in README.md is stale".into(), REPORT)
                }
                Some(_) => {}
            }
        }
        Err(e) => missing(format!("cannot read README.md: {e}"), "restore it"),
    }
    // Every declared bench has its file.
    {
        let mut lines = manifest.lines();
        while let Some(line) = lines.next() {
            if line.trim() != "[[bench]]" {
                continue;
            }
            let name = lines
                .next()
                .and_then(|l| l.trim().strip_prefix("name = \""))
                .and_then(|l| l.strip_suffix('"'));
            // An experiment's own bench was checked above, under its id.
            if let Some(name) = name
                && !benches.iter().any(|(_, b)| *b == name)
                && !root.join("benches").join(format!("{name}.rs")).is_file()
            {
                missing(
                    format!("bench {name}: no benches/{name}.rs"),
                    "write it or drop its [[bench]] entry",
                );
            }
        }
    }
    problems
}
