//! `pyproof check`: the checkout passes it (every id has its places, the quoted code matches
//! its source, no Rust file is too long) and `pyproof check --report --reported-only` (every
//! generated block matches the committed results); a copy with a page missing, a bench
//! missing, a judge missing, a long file, a block edited and a quoted function changed fails,
//! each problem named with the command that fixes it.

use std::path::Path;
use std::process::Command;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn check(root: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_pyproof"))
        .arg("check")
        .args(args)
        .env("PYPROOF_ROOT", root)
        .output()
        .expect("runs")
}

fn copy_tree(from: &Path, to: &Path, keep: &dyn Fn(&Path) -> bool) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("ls").flatten() {
        let p = e.path();
        if !keep(&p) {
            continue;
        }
        let target = to.join(e.file_name());
        if p.is_dir() {
            copy_tree(&p, &target, keep);
        } else {
            std::fs::copy(&p, &target).expect("copy");
        }
    }
}

#[test]
fn the_checkout_passes_check() {
    for args in [&[][..], &["--report", "--reported-only"][..]] {
        let out = check(repo(), args);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn a_missing_page_and_an_edited_block_are_named_with_their_fix() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    // Only what check reads: sources (no target/, no .venv), docs, examples, manifests.
    let sources = |p: &Path| {
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        !matches!(
            name,
            "target" | ".venv" | ".git" | "__pycache__" | ".ruff_cache" | ".pytest_cache"
        )
    };
    for sub in ["crates", "docs", "python", "src", "tests"] {
        copy_tree(&repo().join(sub), &root.join(sub), &sources);
    }
    for file in ["README.md", "Cargo.toml"] {
        std::fs::copy(repo().join(file), root.join(file)).expect("copy");
    }
    assert!(
        check(root, &["--report", "--reported-only"])
            .status
            .success(),
        "the copy passes as the checkout does"
    );

    std::fs::remove_file(root.join("docs/mro.md")).expect("rm");
    std::fs::remove_file(root.join("crates/experiments/io_concurrency/benches/io_concurrency.rs"))
        .expect("rm");
    std::fs::remove_file(root.join("crates/experiments/mro/src/judge.rs")).expect("rm");
    std::fs::write(root.join("src/long.rs"), "//\n".repeat(601)).expect("write");
    let page = root.join("docs/gil_contention.md");
    let text = std::fs::read_to_string(&page).expect("page");
    let edited = text.replacen("| **", "| **Not ", 1);
    assert_ne!(edited, text, "the page has a generated verdict");
    std::fs::write(&page, edited).expect("write");
    // A quoted function changes under its docs page.
    let source = root.join("python/pyproof/cpu_parallelism.py");
    let code = std::fs::read_to_string(&source).expect("source");
    let changed = code.replacen(
        "def spin(iters: int) -> int:\n",
        "def spin(iters: int) -> int:\n    # changed\n",
        1,
    );
    assert_ne!(changed, code, "spin is quoted as it was");
    std::fs::write(&source, changed).expect("write");

    // Without --report, only the places are checked: the stale block is not a problem yet.
    let out = check(root, &[]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("verdicts block"), "{err}");
    assert!(
        err.trim_end().ends_with("pyproof check: 5 problem(s)"),
        "{err}"
    );

    let out = check(root, &["--report"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("mro: no docs/mro.md (its docs page) — fix: write it"),
        "{err}"
    );
    assert!(
        err.contains("io_concurrency: no crates/experiments/io_concurrency/benches/io_concurrency.rs (its bench) — fix: write it"),
        "{err}"
    );
    assert!(
        err.contains("mro: no crates/experiments/mro/src/judge.rs (its pure judges)"),
        "{err}"
    );
    assert!(
        err.contains("src/long.rs has 601 lines (the limit is 600) — fix: split it by concern"),
        "{err}"
    );
    assert!(
        err.contains("gil_contention: the verdicts block of docs/gil_contention.md is stale — fix: cargo run --release -- report"),
        "{err}"
    );
    assert!(
        err.contains(
            "docs/cpu_parallelism.md: the code quoted from python/pyproof/cpu_parallelism.py::spin is stale"
        ),
        "{err}"
    );
    assert!(
        err.trim_end().ends_with("pyproof check: 6 problem(s)"),
        "{err}"
    );
}
