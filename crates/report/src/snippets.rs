//! Code in the docs pulled from the real source, never retyped.
//!
//! A docs page names a symbol of a source file between two markers:
//!
//! ```text
//! <!-- code python/pyproof/mro.py::c3 -->
//! ...generated fenced block...
//! <!-- /code -->
//! ```
//!
//! `pyproof report` fills each such block with the symbol's current source (a Python `def` or
//! `class` with its decorators; a Rust `fn`, `struct`, `enum` or `impl` with its doc comments
//! and attributes), and `pyproof check` says when a block no longer matches the file.

use std::path::Path;

const OPEN: &str = "<!-- code ";
const CLOSE: &str = "<!-- /code -->";

/// One code block of a page: where it is and what it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// Byte range of the text between the opening marker's line and the closing marker.
    pub body: std::ops::Range<usize>,
    /// The source file, relative to the repository root.
    pub file: String,
    /// The symbol in it.
    pub symbol: String,
}

/// Every code block of `text`, in order. A marker without its closing one is an error.
pub fn blocks(text: &str) -> Result<Vec<Block>, String> {
    let mut found = Vec::new();
    let mut at = 0;
    while let Some(i) = text[at..].find(OPEN) {
        let open = at + i;
        let line_end = text[open..]
            .find("-->")
            .map(|e| open + e + 3)
            .ok_or_else(|| "a code marker is not closed with -->".to_string())?;
        let spec = text[open + OPEN.len()..line_end - 3].trim();
        let (file, symbol) = spec
            .split_once("::")
            .ok_or_else(|| format!("code marker '{spec}': expected FILE::SYMBOL"))?;
        let body_start = text[line_end..]
            .find('\n')
            .map_or(text.len(), |n| line_end + n + 1);
        let close = text[body_start..]
            .find(CLOSE)
            .map(|c| body_start + c)
            .ok_or_else(|| format!("code block {spec} has no {CLOSE}"))?;
        found.push(Block {
            body: body_start..close,
            file: file.trim().to_string(),
            symbol: symbol.trim().to_string(),
        });
        at = close + CLOSE.len();
    }
    Ok(found)
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// A Python `def`/`async def`/`class` named `symbol`, with its decorators.
fn python_symbol(source: &str, symbol: &str) -> Option<String> {
    let lines: Vec<&str> = source.lines().collect();
    let head = lines.iter().position(|l| {
        let t = l.trim_start();
        [
            format!("def {symbol}("),
            format!("async def {symbol}("),
            format!("class {symbol}("),
            format!("class {symbol}:"),
        ]
        .iter()
        .any(|p| t.starts_with(p.as_str()))
    })?;
    let base = indent(lines[head]);
    let mut first = head;
    while first > 0
        && lines[first - 1].trim_start().starts_with('@')
        && indent(lines[first - 1]) == base
    {
        first -= 1;
    }
    let mut last = head;
    for (i, l) in lines.iter().enumerate().skip(head + 1) {
        if l.trim().is_empty() {
            continue;
        }
        if indent(l) <= base {
            break;
        }
        last = i;
    }
    Some(lines[first..=last].join("\n"))
}

/// A Rust `fn`/`struct`/`enum`/`impl`/`trait` named `symbol` (for `impl`, `symbol` is the
/// text after `impl `, e.g. `Experiment for Mro`), with its doc comments and attributes,
/// up to the closing brace at its own indentation.
fn rust_symbol(source: &str, symbol: &str) -> Option<String> {
    let lines: Vec<&str> = source.lines().collect();
    let head = lines.iter().position(|l| {
        let mut t = l.trim_start();
        for prefix in ["pub(crate) ", "pub(super) ", "pub "] {
            t = t.strip_prefix(prefix).unwrap_or(t);
        }
        t = t.strip_prefix("async ").unwrap_or(t);
        ["fn ", "struct ", "enum ", "trait ", "impl "]
            .iter()
            .any(|kw| {
                t.strip_prefix(kw).is_some_and(|rest| {
                    rest.strip_prefix(symbol).is_some_and(|after| {
                        after.is_empty() || after.starts_with(['(', '<', ' ', '{', ';'])
                    })
                })
            })
    })?;
    let base = indent(lines[head]);
    let mut first = head;
    while first > 0 {
        let prev = lines[first - 1].trim_start();
        if (prev.starts_with("///") || prev.starts_with("#[")) && indent(lines[first - 1]) == base {
            first -= 1;
        } else {
            break;
        }
    }
    if lines[head].trim_end().ends_with(';') {
        return Some(lines[first..=head].join("\n"));
    }
    let closing = format!("{}}}", " ".repeat(base));
    let last = lines
        .iter()
        .enumerate()
        .skip(head)
        .find(|(_, l)| l.trim_end() == closing || l.trim_end() == format!("{closing};"))
        .map(|(i, _)| i)?;
    Some(lines[first..=last].join("\n"))
}

/// The fenced block for `file::symbol`, read from `root`.
pub fn render(root: &Path, file: &str, symbol: &str) -> Result<String, String> {
    let source = std::fs::read_to_string(root.join(file))
        .map_err(|e| format!("{file}: cannot read it ({e})"))?;
    let (code, lang) = if file.ends_with(".py") {
        (python_symbol(&source, symbol), "python")
    } else if file.ends_with(".rs") {
        (rust_symbol(&source, symbol), "rust")
    } else {
        return Err(format!("{file}: only .py and .rs files can be quoted"));
    };
    let code = code.ok_or_else(|| format!("{file} has no symbol '{symbol}'"))?;
    let comment = if lang == "python" { "#" } else { "//" };
    Ok(format!("```{lang}\n{comment} {file}\n{code}\n```\n"))
}

/// `text` with every code block filled from the sources under `root`.
pub fn refresh(text: &str, root: &Path) -> Result<String, String> {
    let mut out = String::new();
    let mut at = 0;
    for b in blocks(text)? {
        out.push_str(&text[at..b.body.start]);
        out.push_str(&render(root, &b.file, &b.symbol)?);
        at = b.body.end;
    }
    out.push_str(&text[at..]);
    Ok(out)
}

/// The blocks of `text` whose content differs from their source now, as `file::symbol`.
pub fn stale(text: &str, root: &Path) -> Result<Vec<String>, String> {
    let mut found = Vec::new();
    for b in blocks(text)? {
        if render(root, &b.file, &b.symbol)? != text[b.body.clone()] {
            found.push(format!("{}::{}", b.file, b.symbol));
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PY: &str = "import x\n\n\n@decorate\ndef work(n):\n    total = 0\n\n    for i in range(n):\n        total += i\n    return total\n\n\ndef other():\n    pass\n\n\nclass Shape:\n    def area(self):\n        return 0\n";
    const RS: &str = "/// Adds.\n#[inline]\npub fn add(a: u32, b: u32) -> u32 {\n    a + b\n}\n\nfn adder() {}\n\nimpl Experiment for Mro {\n    fn id(&self) {\n        x\n    }\n}\n";

    #[test]
    fn python_symbols_come_with_decorators_and_their_body_only() {
        assert_eq!(
            python_symbol(PY, "work").as_deref(),
            Some(
                "@decorate\ndef work(n):\n    total = 0\n\n    for i in range(n):\n        total += i\n    return total"
            )
        );
        assert_eq!(
            python_symbol(PY, "Shape").as_deref(),
            Some("class Shape:\n    def area(self):\n        return 0")
        );
        assert_eq!(python_symbol(PY, "wor"), None);
    }

    #[test]
    fn rust_symbols_come_with_docs_and_attributes_to_their_brace() {
        assert_eq!(
            rust_symbol(RS, "add").as_deref(),
            Some("/// Adds.\n#[inline]\npub fn add(a: u32, b: u32) -> u32 {\n    a + b\n}")
        );
        assert_eq!(
            rust_symbol(RS, "Experiment for Mro").as_deref(),
            Some("impl Experiment for Mro {\n    fn id(&self) {\n        x\n    }\n}")
        );
        // `add` is not `adder`: a name must end where the symbol does.
        assert_eq!(rust_symbol(RS, "adde"), None);
    }

    #[test]
    fn blocks_are_refreshed_and_staleness_is_found() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("w.py"), PY).expect("write");
        let page = "intro\n<!-- code w.py::other -->\nold\n<!-- /code -->\nend\n";
        assert_eq!(stale(page, dir.path()).expect("ok"), ["w.py::other"]);
        let fresh = refresh(page, dir.path()).expect("ok");
        assert_eq!(
            fresh,
            "intro\n<!-- code w.py::other -->\n```python\n# w.py\ndef other():\n    pass\n```\n<!-- /code -->\nend\n"
        );
        assert!(stale(&fresh, dir.path()).expect("ok").is_empty());
        assert_eq!(
            refresh(&fresh, dir.path()).expect("ok"),
            fresh,
            "idempotent"
        );
        let missing = "<!-- code w.py::nothing -->\n<!-- /code -->";
        assert_eq!(
            refresh(missing, dir.path()).expect_err("no such symbol"),
            "w.py has no symbol 'nothing'"
        );
        assert!(blocks("<!-- code w.py::other -->\nno end").is_err());
    }
}
