//! `--python SPEC`: which interpreters a command means.

use super::probe::Installed;
use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

/// One `--python` value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PythonSpec {
    /// `all`: every interpreter found.
    All,
    /// `3.15t`, `3.14`: the newest found of that minor version and build.
    Version {
        /// `3`.
        major: u32,
        /// `15`.
        minor: u32,
        /// A trailing `t`: the free-threaded build.
        free_threaded: bool,
    },
    /// A path to an interpreter (anything with a `/`).
    Path(PathBuf),
}

/// A `--python` value that is none of the three forms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadSpec(pub String);

impl fmt::Display for BadSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "bad Python '{}' (expected a version like 3.15t or 3.14, a path to an interpreter, \
             or all)",
            self.0
        )
    }
}

impl std::error::Error for BadSpec {}

impl FromStr for PythonSpec {
    type Err = BadSpec;

    fn from_str(s: &str) -> Result<Self, BadSpec> {
        let t = s.trim();
        if t.eq_ignore_ascii_case("all") {
            return Ok(PythonSpec::All);
        }
        if t.contains('/') {
            return Ok(PythonSpec::Path(PathBuf::from(t)));
        }
        let (digits, free_threaded) = match t.strip_suffix('t') {
            Some(d) => (d, true),
            None => (t, false),
        };
        let bad = || BadSpec(s.to_string());
        let (major, minor) = digits.split_once('.').ok_or_else(bad)?;
        let num = |n: &str| {
            (!n.is_empty() && n.len() <= 3 && n.chars().all(|c| c.is_ascii_digit()))
                .then(|| n.parse::<u32>().ok())
                .flatten()
        };
        match (num(major), num(minor)) {
            (Some(3), Some(minor)) => Ok(PythonSpec::Version {
                major: 3,
                minor,
                free_threaded,
            }),
            _ => Err(bad()),
        }
    }
}

impl fmt::Display for PythonSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PythonSpec::All => write!(f, "all"),
            PythonSpec::Version {
                major,
                minor,
                free_threaded,
            } => write!(
                f,
                "{major}.{minor}{}",
                if *free_threaded { "t" } else { "" }
            ),
            PythonSpec::Path(p) => write!(f, "{}", p.display()),
        }
    }
}

impl PythonSpec {
    /// Whether `i` is what this spec names (for a path: the same file, or the same
    /// executable once resolved).
    pub fn matches(&self, i: &Installed) -> bool {
        match self {
            PythonSpec::All => true,
            PythonSpec::Version {
                major,
                minor,
                free_threaded,
            } => {
                (i.found.version.0, i.found.version.1) == (*major, *minor)
                    && i.found.free_threaded == *free_threaded
            }
            PythonSpec::Path(p) => {
                i.candidate.path == *p
                    || std::fs::canonicalize(p).is_ok_and(|c| c == i.found.executable)
            }
        }
    }
}

/// The interpreters `specs` name among `installed`, in `installed`'s order, each once: a
/// version names the newest of its kind (pyenv's 3.13.0 and a build of 3.13.5: the 3.13.5);
/// `all` names every one. A spec that names nothing is an error that says what was found.
pub fn select<'a>(
    specs: &[PythonSpec],
    installed: &'a [Installed],
) -> Result<Vec<&'a Installed>, String> {
    let mut chosen: Vec<&Installed> = Vec::new();
    for spec in specs {
        let hits: Vec<&Installed> = installed.iter().filter(|i| spec.matches(i)).collect();
        let picked: Vec<&Installed> = match spec {
            PythonSpec::Version { .. } => hits
                .iter()
                .max_by_key(|i| i.found.version)
                .copied()
                .into_iter()
                .collect(),
            _ => hits,
        };
        if picked.is_empty() {
            let have: Vec<String> = installed.iter().map(|i| i.found.tag()).collect();
            let hint = match spec {
                PythonSpec::Version { .. } => format!(
                    " (`pyproof pythons --build {spec}` builds it; found: {})",
                    if have.is_empty() {
                        "none".to_string()
                    } else {
                        have.join(", ")
                    }
                ),
                _ => " (`pyproof pythons` lists what was found)".to_string(),
            };
            return Err(format!("no interpreter found is {spec}{hint}"));
        }
        for p in picked {
            if !chosen.iter().any(|c| std::ptr::eq(*c, p)) {
                chosen.push(p);
            }
        }
    }
    chosen.sort_by_key(|c| installed.iter().position(|i| std::ptr::eq(i, *c)));
    Ok(chosen)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pythons::discover::{Candidate, Source};
    use crate::pythons::probe::parse_probe;

    fn spec(s: &str) -> PythonSpec {
        s.parse().expect(s)
    }

    #[test]
    fn every_form_parses_and_prints_back() {
        assert_eq!(spec("all"), PythonSpec::All);
        assert_eq!(
            spec("3.15t"),
            PythonSpec::Version {
                major: 3,
                minor: 15,
                free_threaded: true
            }
        );
        assert_eq!(
            spec(" 3.14 "),
            PythonSpec::Version {
                major: 3,
                minor: 14,
                free_threaded: false
            }
        );
        assert_eq!(
            spec("/opt/py/bin/python3"),
            PythonSpec::Path("/opt/py/bin/python3".into())
        );
        assert_eq!(spec("./python"), PythonSpec::Path("./python".into()));
        for s in ["all", "3.15t", "3.9", "/usr/bin/python3"] {
            assert_eq!(spec(s).to_string(), s);
        }
    }

    #[test]
    fn bad_values_are_refused_with_the_forms_named() {
        for bad in [
            "", "3", "3.", ".15", "2.7", "3.15tt", "3.x", "python3", "4.0", "3.1234",
        ] {
            let e = bad.parse::<PythonSpec>().expect_err(bad);
            assert_eq!(
                e.to_string(),
                format!(
                    "bad Python '{bad}' (expected a version like 3.15t or 3.14, a path to an \
                     interpreter, or all)"
                )
            );
        }
    }

    fn installed(line: &str, path: &str) -> Installed {
        Installed {
            candidate: Candidate {
                path: path.into(),
                source: Source::Pyenv,
            },
            found: parse_probe(line).expect("parses"),
        }
    }

    #[test]
    fn a_version_picks_the_newest_of_its_build_and_all_picks_each() {
        let list = vec![
            installed("3 11 7 0 1 /a", "/a"),
            installed("3 13 0 0 1 /b", "/b"),
            installed("3 13 5 0 1 /c", "/c"),
            installed("3 13 5 1 0 /d", "/d"),
        ];
        let paths = |v: Vec<&Installed>| -> Vec<String> {
            v.iter()
                .map(|i| i.candidate.path.display().to_string())
                .collect()
        };
        assert_eq!(paths(select(&[spec("3.13")], &list).expect("ok")), ["/c"]);
        assert_eq!(paths(select(&[spec("3.13t")], &list).expect("ok")), ["/d"]);
        assert_eq!(
            paths(select(&[spec("3.13t"), spec("3.11"), spec("3.13t")], &list).expect("ok")),
            ["/a", "/d"],
            "in the list's order, each once"
        );
        assert_eq!(
            paths(select(&[spec("all")], &list).expect("ok")),
            ["/a", "/b", "/c", "/d"]
        );
        assert_eq!(
            paths(select(&[spec("/b")], &list).expect("ok")),
            ["/b"],
            "a path names that file"
        );
        assert_eq!(
            select(&[spec("3.15t")], &list).expect_err("none"),
            "no interpreter found is 3.15t (`pyproof pythons --build 3.15t` builds it; found: \
             3.11, 3.13, 3.13, 3.13t)"
        );
        assert_eq!(
            select(&[spec("/nowhere/python")], &list).expect_err("none"),
            "no interpreter found is /nowhere/python (`pyproof pythons` lists what was found)"
        );
    }
}
