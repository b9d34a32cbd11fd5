//! The README reads on its own: it links nothing outside the repository (no web address, no
//! path that leaves the checkout) and every relative link points at a file that is there.
//! `pyproof check` runs this, so `cargo test` fails on a README that breaks it.

use crate::check::Problem;
use std::path::{Component, Path, PathBuf};

/// Every link target of Markdown `text`: `[text](target)` and `<scheme://…>` autolinks.
pub fn targets(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("](") {
        let after = &rest[i + 2..];
        let end = after.find(')').unwrap_or(after.len());
        let target = after[..end].split_whitespace().next().unwrap_or("");
        found.push(target.trim_matches(['<', '>']).to_string());
        rest = &after[end..];
    }
    let mut rest = text;
    while let Some(i) = rest.find('<') {
        let after = &rest[i + 1..];
        let end = after.find('>').unwrap_or(after.len());
        let inner = &after[..end];
        if inner.contains("://") && !inner.contains(' ') {
            found.push(inner.to_string());
        }
        rest = &after[end..];
    }
    found
}

/// What is wrong with the links of `file` (relative to `root`): web addresses anywhere in it
/// (a bare one renders as a link too), targets that leave the checkout, and relative targets
/// that name no file.
pub fn outside_links(root: &Path, file: &str) -> Vec<Problem> {
    let fix = "link a file of the repository (copy what is needed into docs/)";
    let problem = |what: String| Problem {
        what: format!("{file}: {what}"),
        fix: fix.to_string(),
    };
    let Ok(text) = std::fs::read_to_string(root.join(file)) else {
        return vec![problem("cannot be read".to_string())];
    };
    let mut problems = Vec::new();
    for word in text.split(|c: char| c.is_whitespace() || matches!(c, '(' | ')' | '<' | '>')) {
        if word.contains("http://") || word.contains("https://") {
            problems.push(problem(format!("links outside the repository: {word}")));
        }
    }
    let base = Path::new(file).parent().unwrap_or(Path::new(""));
    for target in targets(&text) {
        let path = target.split('#').next().unwrap_or("");
        if path.is_empty() || target.contains("://") || target.starts_with("mailto:") {
            continue;
        }
        match inside(&base.join(path)) {
            None => problems.push(problem(format!("links outside the repository: {target}"))),
            Some(p) if !root.join(&p).exists() => {
                problems.push(problem(format!(
                    "links to a file that is not there: {target}"
                )));
            }
            Some(_) => {}
        }
    }
    problems
}

/// `path` normalised without leaving the root: None when it is absolute or climbs out.
fn inside(path: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::Normal(part) => out.push(part),
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    return None;
                }
            }
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_targets_are_read_from_markdown() {
        assert_eq!(
            targets("see [a](docs/a.md#x) and [b](<c d.md>) or <https://x.org/y> (plain)"),
            vec!["docs/a.md#x", "c", "https://x.org/y"]
        );
    }

    #[test]
    fn web_addresses_escaping_paths_and_dead_links_are_problems() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(dir.path().join("docs")).expect("mkdir");
        std::fs::write(dir.path().join("docs/a.md"), "a").expect("write");
        std::fs::write(
            dir.path().join("README.md"),
            "[ok](docs/a.md#top) [also](./docs/../docs/a.md) [up](../shared/SEED.md) \
             [gone](docs/b.md) [web](https://example.org) bare http://example.org/x\n",
        )
        .expect("write");
        let found: Vec<String> = outside_links(dir.path(), "README.md")
            .into_iter()
            .map(|p| p.what)
            .collect();
        assert_eq!(
            found,
            vec![
                "README.md: links outside the repository: https://example.org",
                "README.md: links outside the repository: http://example.org/x",
                "README.md: links outside the repository: ../shared/SEED.md",
                "README.md: links to a file that is not there: docs/b.md",
            ]
        );
        std::fs::write(dir.path().join("README.md"), "[ok](docs/a.md)\n").expect("write");
        assert!(outside_links(dir.path(), "README.md").is_empty());
    }
}
