//! The pipelines on trial (Python list, generator expression, `yield`, file readlines and
//! iteration; Rust collect and iterate) and the Rust side measured with the counting
//! allocator.

use pyproof_harness::ExperimentError;
use pyproof_proc::pending::PendingFile;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// How an item sequence is consumed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Pipeline {
    /// Python `sum([x * 3 + 1 for x in range(n)])`.
    PyList,
    /// Python `sum(x * 3 + 1 for x in range(n))`.
    PyGenerator,
    /// Python: the same through a `def ...: yield` generator function.
    PyYield,
    /// Python `f.readlines()`, then the total length.
    PyReadlines,
    /// Python `for line in f`.
    PyLines,
    /// Rust `collect::<Vec<u64>>()` then `sum`.
    RustVec,
    /// Rust `Iterator::sum` over the mapped range.
    RustIter,
    /// Rust `BufRead::lines().collect::<Vec<String>>()`, then the total length.
    RustLinesVec,
    /// Rust `read_line` into one reused `String`.
    RustReadLine,
}

impl Pipeline {
    /// Every pipeline, in table order.
    pub const ALL: [Pipeline; 9] = [
        Pipeline::PyList,
        Pipeline::PyGenerator,
        Pipeline::PyYield,
        Pipeline::PyReadlines,
        Pipeline::PyLines,
        Pipeline::RustVec,
        Pipeline::RustIter,
        Pipeline::RustLinesVec,
        Pipeline::RustReadLine,
    ];

    /// Its id in measurement keys.
    pub fn id(self) -> &'static str {
        match self {
            Pipeline::PyList => "python.list",
            Pipeline::PyGenerator => "python.generator",
            Pipeline::PyYield => "python.yield",
            Pipeline::PyReadlines => "python.readlines",
            Pipeline::PyLines => "python.lines",
            Pipeline::RustVec => "rust.vec",
            Pipeline::RustIter => "rust.iter",
            Pipeline::RustLinesVec => "rust.lines_vec",
            Pipeline::RustReadLine => "rust.read_line",
        }
    }

    /// What it runs.
    pub fn label(self) -> &'static str {
        match self {
            Pipeline::PyList => "Python sum([x*3+1 for x in range(n)])",
            Pipeline::PyGenerator => "Python sum(x*3+1 for x in range(n))",
            Pipeline::PyYield => "Python sum(gen()) with yield",
            Pipeline::PyReadlines => "Python f.readlines()",
            Pipeline::PyLines => "Python for line in f",
            Pipeline::RustVec => "Rust collect::<Vec<u64>>() then sum",
            Pipeline::RustIter => "Rust .map().sum()",
            Pipeline::RustLinesVec => "Rust lines().collect::<Vec<String>>()",
            Pipeline::RustReadLine => "Rust read_line into one buffer",
        }
    }

    /// Whether it holds every item at once (the list side of the claim).
    pub fn materialises(self) -> bool {
        matches!(
            self,
            Pipeline::PyList | Pipeline::PyReadlines | Pipeline::RustVec | Pipeline::RustLinesVec
        )
    }

    /// Whether it reads the lines file rather than a range.
    pub fn reads_file(self) -> bool {
        matches!(
            self,
            Pipeline::PyReadlines
                | Pipeline::PyLines
                | Pipeline::RustLinesVec
                | Pipeline::RustReadLine
        )
    }

    pub(crate) fn python_kind(self) -> Option<&'static str> {
        match self {
            Pipeline::PyList => Some("list"),
            Pipeline::PyGenerator => Some("generator"),
            Pipeline::PyYield => Some("yield"),
            Pipeline::PyReadlines => Some("readlines"),
            Pipeline::PyLines => Some("lines"),
            _ => None,
        }
    }
}

/// The exact answer of the range pipelines: Σ (3x + 1) for x < n.
pub fn expected_sum(n: u64) -> u128 {
    let n = u128::from(n);
    3 * n * n.saturating_sub(1) / 2 + n
}

/// Writes (or reuses) a text file of `n` ASCII lines; returns its path and size in bytes.
pub fn lines_file(dir: &Path, n: u64) -> Result<(PathBuf, u64), ExperimentError> {
    std::fs::create_dir_all(dir).map_err(|e| ExperimentError::Io {
        context: format!("creating {}", dir.display()),
        source: e,
    })?;
    let path = dir.join(format!("lines-v1-{n}.txt"));
    if let Ok(meta) = std::fs::metadata(&path) {
        return Ok((path, meta.len()));
    }
    let io = |e: std::io::Error| ExperimentError::Io {
        context: format!("writing {}", path.display()),
        source: e,
    };
    let (pending, file) = PendingFile::create(&path).map_err(io)?;
    let mut out = BufWriter::new(file);
    const WORDS: [&str; 8] = [
        "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel",
    ];
    let mut state = 0x2545_f491_4f6c_dd1du64;
    for i in 0..n {
        write!(out, "{i:08}").map_err(io)?;
        for _ in 0..5 {
            // xorshift: any deterministic mix of words will do.
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            write!(out, " {}", WORDS[(state % 8) as usize]).map_err(io)?;
        }
        out.write_all(b"\n").map_err(io)?;
    }
    let file = out.into_inner().map_err(|e| io(e.into_error()))?;
    file.sync_all().map_err(io)?;
    pending.commit(&path).map_err(io)?;
    let len = std::fs::metadata(&path).map_err(io)?.len();
    Ok((path, len))
}

/// One Rust pipeline once: (result, peak bytes, seconds).
pub(crate) fn run_rust(
    p: Pipeline,
    n: u64,
    file: Option<&Path>,
) -> std::io::Result<(u128, u64, f64)> {
    let started = Instant::now();
    let (result, peak) = match p {
        Pipeline::RustVec => {
            let (r, peak) = crate::alloc::measure_peak(|| {
                let items: Vec<u64> = std::hint::black_box((0..n).map(|x| x * 3 + 1).collect());
                items.iter().map(|&x| u128::from(x)).sum::<u128>()
            });
            (r, peak)
        }
        Pipeline::RustIter => crate::alloc::measure_peak(|| {
            std::hint::black_box(0..n)
                .map(|x| u128::from(x * 3 + 1))
                .sum::<u128>()
        }),
        Pipeline::RustLinesVec => {
            let path = file.ok_or_else(|| std::io::Error::other("no file"))?;
            let (r, peak) = crate::alloc::measure_peak(|| -> std::io::Result<u128> {
                let f = std::fs::File::open(path)?;
                let lines: Vec<String> = BufReader::new(f).lines().collect::<Result<_, _>>()?;
                // `lines()` drops the "\n": count it back, as Python's len(line) does.
                Ok(lines.iter().map(|l| l.len() as u128 + 1).sum())
            });
            (r?, peak)
        }
        Pipeline::RustReadLine => {
            let path = file.ok_or_else(|| std::io::Error::other("no file"))?;
            let (r, peak) = crate::alloc::measure_peak(|| -> std::io::Result<u128> {
                let mut reader = BufReader::new(std::fs::File::open(path)?);
                let mut line = String::new();
                let mut total = 0u128;
                loop {
                    line.clear();
                    let read = reader.read_line(&mut line)?;
                    if read == 0 {
                        break;
                    }
                    total += line.len() as u128;
                }
                Ok(total)
            });
            (r?, peak)
        }
        _ => return Err(std::io::Error::other("not a Rust pipeline")),
    };
    Ok((result, peak, started.elapsed().as_secs_f64()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_sums_and_rust_pipelines() {
        assert_eq!(expected_sum(0), 0);
        assert_eq!(expected_sum(3), 1 + 4 + 7);
        let (r, peak, _) = run_rust(Pipeline::RustVec, 1000, None).expect("runs");
        assert_eq!((r, peak), (expected_sum(1000), 8000));
        let (r, peak, _) = run_rust(Pipeline::RustIter, 1000, None).expect("runs");
        assert_eq!((r, peak), (expected_sum(1000), 0));
    }

    #[test]
    fn lines_files_are_deterministic_and_read_the_same_both_ways() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (path, bytes) = lines_file(dir.path(), 500).expect("written");
        let text = std::fs::read_to_string(&path).expect("read");
        assert_eq!(text.lines().count(), 500);
        assert_eq!(text.len() as u64, bytes);
        assert!(text.starts_with("00000000 "));
        let again = lines_file(dir.path(), 500).expect("cached");
        assert_eq!(again.1, bytes);
        let (a, peak_vec, _) = run_rust(Pipeline::RustLinesVec, 500, Some(&path)).expect("runs");
        let (b, peak_line, _) = run_rust(Pipeline::RustReadLine, 500, Some(&path)).expect("runs");
        assert_eq!((a, b), (u128::from(bytes), u128::from(bytes)));
        assert!(peak_vec > bytes / 2, "{peak_vec}");
        assert!(peak_line < 16 * 1024, "{peak_line}");
    }
}
