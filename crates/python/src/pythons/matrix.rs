//! Which builds a per-build claim measures, chosen once for every experiment that has one
//! (cpu_parallelism (4), image_parallelism (8)): every free-threaded build running with the
//! GIL off beside the newest GIL build of the same version (its twin), then the newest GIL
//! build of each release from [`TODAY`] on — the CPython a candidate is asked about today.

use super::{Installed, PythonSpec, find_all, select};
use std::path::PathBuf;

/// `--python SPEC` (repeatable), shared by every experiment with a per-interpreter part: the
/// interpreters those parts measure — a version (`3.15t`, `3.14`: the newest found of it), a
/// path, or `all`. Without it they measure every interpreter found.
#[derive(Debug, Clone, Copy, Default)]
pub struct PythonOption;

impl pyproof_harness::RunOption for PythonOption {
    fn name(&self) -> &'static str {
        "python"
    }
    fn value_name(&self) -> &'static str {
        "SPEC"
    }
    fn help(&self) -> &'static str {
        "The interpreters the per-interpreter parts measure: a version (3.15t, 3.14), a path, \
         or all (repeatable; default: every interpreter found — `pyproof pythons` lists them)"
    }
    fn repeatable(&self) -> bool {
        true
    }
    fn parse(&self, value: &str) -> Result<pyproof_harness::Parsed, String> {
        let spec: PythonSpec = value
            .parse()
            .map_err(|e: super::spec::BadSpec| e.to_string())?;
        Ok(std::sync::Arc::new(spec))
    }
}

/// The interpreters a run's per-interpreter parts measure: those `--python` selected (paths
/// among them are probed too), or every one found; and a line per refused candidate. A
/// version no interpreter found matches is an error naming what was found.
pub fn for_run(
    options: &pyproof_harness::Options,
) -> Result<(Vec<Installed>, Vec<String>), String> {
    let specs: Vec<PythonSpec> = options
        .all::<PythonSpec>(&PythonOption)
        .into_iter()
        .cloned()
        .collect();
    let explicit: Vec<PathBuf> = specs
        .iter()
        .filter_map(|s| match s {
            PythonSpec::Path(p) => Some(p.clone()),
            _ => None,
        })
        .collect();
    let (found, refused) = find_all(&explicit);
    if specs.is_empty() || specs.contains(&PythonSpec::All) {
        return Ok((found, refused));
    }
    let chosen: Vec<Installed> = select(&specs, &found)
        .map_err(|e| {
            // A path that is no usable Python: say why it was refused, not only that it
            // matched nothing.
            let why: Vec<&str> = refused
                .iter()
                .filter(|r| {
                    explicit
                        .iter()
                        .any(|p| r.contains(p.display().to_string().as_str()))
                })
                .map(String::as_str)
                .collect();
            if why.is_empty() {
                e
            } else {
                format!("{e} — {}", why.join("; "))
            }
        })?
        .into_iter()
        .cloned()
        .collect();
    Ok((chosen, refused))
}

/// The first CPython "of today": `InterpreterPoolExecutor` (PEP 734) and forkserver as
/// Linux's default start method arrived in 3.14, and the free-threaded build became
/// supported (PEP 779).
pub const TODAY: (u32, u32, u32) = (3, 14, 0);

/// The builds a per-build claim measures, in order: each free-threaded build (GIL off)
/// preceded by its twin, then the newest GIL build of each version from [`TODAY`] on not
/// chosen yet. A free-threaded build whose GIL an extension re-enabled runs like a GIL build
/// and is not chosen as free-threaded.
pub fn builds_to_run(found: &[Installed]) -> Vec<&Installed> {
    let minor = |i: &Installed| (i.found.version.0, i.found.version.1);
    let newest_gil = |m: (u32, u32)| {
        found
            .iter()
            .filter(|i| !i.found.free_threaded && minor(i) == m)
            .max_by_key(|i| i.found.version)
    };
    let mut chosen: Vec<&Installed> = Vec::new();
    for ft in found
        .iter()
        .filter(|i| i.found.free_threaded && !i.found.gil_enabled)
    {
        // The same release when there is one (like with like), else the newest of its minor.
        let same = found
            .iter()
            .find(|i| !i.found.free_threaded && i.found.version == ft.found.version);
        if let Some(twin) = same.or_else(|| newest_gil(minor(ft))) {
            push(twin, &mut chosen);
        }
        push(ft, &mut chosen);
    }
    let mut today: Vec<(u32, u32)> = found
        .iter()
        .filter(|i| !i.found.free_threaded && i.found.version >= TODAY)
        .map(minor)
        .collect();
    today.sort_unstable();
    today.dedup();
    for m in today {
        if let Some(i) = newest_gil(m) {
            push(i, &mut chosen);
        }
    }
    chosen
}

/// A line per free-threaded build of `chosen` not set beside the GIL build of its own
/// release: what its single-thread cost and speedups are compared with instead, and the
/// command that builds the twin. Empty when every pair is like with like.
pub fn twin_notes(chosen: &[&Installed]) -> Vec<String> {
    let mut notes = Vec::new();
    for ft in chosen
        .iter()
        .filter(|i| i.found.free_threaded && !i.found.gil_enabled)
    {
        let (major, minor, _) = ft.found.version;
        let twin = chosen
            .iter()
            .filter(|i| {
                !i.found.free_threaded && (i.found.version.0, i.found.version.1) == (major, minor)
            })
            .max_by_key(|i| i.found.version);
        let build = format!("`pyproof pythons --build {major}.{minor}`");
        match twin {
            Some(t) if t.found.version == ft.found.version => {}
            Some(t) => notes.push(format!(
                "Python {} is set beside {}, the nearest GIL build of {major}.{minor} here, not \
                 the GIL build of its own release: {build} makes that one (compared like with \
                 like from the next run)",
                ft.found.build_name(),
                t.found.build_name()
            )),
            None => notes.push(format!(
                "Python {} has no GIL build of {major}.{minor} beside it: {build} makes one",
                ft.found.build_name()
            )),
        }
    }
    notes
}

/// Adds `i` unless it is chosen already.
fn push<'a>(i: &'a Installed, chosen: &mut Vec<&'a Installed>) {
    if !chosen
        .iter()
        .any(|c| c.found.executable == i.found.executable)
    {
        chosen.push(i);
    }
}

/// A made-up interpreter for tests of code that chooses among interpreters: found by pyenv
/// at `path`, `version`, free-threaded or not, its GIL on or off.
pub fn made_up(path: &str, version: (u32, u32, u32), free_threaded: bool, gil: bool) -> Installed {
    use super::{Candidate, Found, Source};
    Installed {
        candidate: Candidate {
            path: path.into(),
            source: Source::Pyenv,
        },
        found: Found {
            version,
            free_threaded,
            gil_enabled: gil,
            executable: path.into(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(chosen: Vec<&Installed>) -> Vec<String> {
        chosen
            .iter()
            .map(|i| i.candidate.path.display().to_string())
            .collect()
    }

    #[test]
    fn free_threaded_builds_come_with_their_twin_then_todays_releases() {
        let found = [
            made_up("/a/3.11", (3, 11, 7), false, true),
            made_up("/a/3.13.0", (3, 13, 0), false, true),
            made_up("/a/3.13.15", (3, 13, 15), false, true),
            made_up("/a/3.13.15t", (3, 13, 15), true, false),
            // A free-threaded build whose GIL an extension re-enabled runs like a GIL build.
            made_up("/a/3.14t-gil", (3, 14, 1), true, true),
            made_up("/a/3.15t", (3, 15, 2), true, false),
        ];
        assert_eq!(
            paths(builds_to_run(&found)),
            ["/a/3.13.15", "/a/3.13.15t", "/a/3.15t"]
        );
        assert!(
            builds_to_run(&found[..3]).is_empty(),
            "no 3.14+, no free-threaded"
        );
        let mut more = found.to_vec();
        more.extend([
            made_up("/a/3.14.9", (3, 14, 9), false, true),
            made_up("/a/3.14.10", (3, 14, 10), false, true),
            made_up("/a/3.15.2", (3, 15, 2), false, true),
        ]);
        assert_eq!(
            paths(builds_to_run(&more)),
            [
                "/a/3.13.15",
                "/a/3.13.15t",
                "/a/3.15.2",
                "/a/3.15t",
                "/a/3.14.10"
            ],
            "a twin is not repeated among today's releases"
        );
        let only_today = [made_up("/a/3.14.10", (3, 14, 10), false, true)];
        assert_eq!(paths(builds_to_run(&only_today)), ["/a/3.14.10"]);
    }

    #[test]
    fn a_twin_of_the_same_release_is_preferred_and_a_mismatch_is_said() {
        let newer = made_up("/a/3.13.18", (3, 13, 18), false, true);
        let older = made_up("/a/3.13.0", (3, 13, 0), false, true);
        let same = made_up("/a/3.13.15", (3, 13, 15), false, true);
        let ft = made_up("/a/3.13.15t", (3, 13, 15), true, false);
        let all = [newer.clone(), older.clone(), same, ft.clone()];
        let chosen = builds_to_run(&all);
        assert_eq!(paths(chosen.clone()), ["/a/3.13.15", "/a/3.13.15t"]);
        assert!(twin_notes(&chosen).is_empty());
        let apart = [older, ft.clone()];
        let chosen = builds_to_run(&apart);
        assert_eq!(paths(chosen.clone()), ["/a/3.13.0", "/a/3.13.15t"]);
        let notes = twin_notes(&chosen);
        assert_eq!(notes.len(), 1);
        assert!(
            notes[0].starts_with("Python 3.13.15t is set beside 3.13.0,")
                && notes[0].contains("`pyproof pythons --build 3.13`"),
            "{notes:?}"
        );
        let alone = [ft];
        assert_eq!(
            twin_notes(&builds_to_run(&alone)),
            [
                "Python 3.13.15t has no GIL build of 3.13 beside it: `pyproof pythons --build \
              3.13` makes one"
            ]
        );
    }

    #[test]
    fn the_option_selects_and_refuses_in_one_line() {
        use pyproof_harness::{Options, RunOption};
        let mut o = Options::new();
        assert!(
            PythonOption.parse("3.x").is_err(),
            "a bad spec is refused when parsed"
        );
        o.set(&PythonOption, "3.99t").expect("parses");
        let err = for_run(&o).expect_err("no 3.99t here");
        assert!(err.starts_with("no interpreter found is 3.99t"), "{err}");
        assert!(!err.contains('\n'), "{err}");
        // A path that is not a Python is refused by the probe, and selecting it alone finds
        // nothing: one line, not a panic.
        let mut o = Options::new();
        o.set(&PythonOption, "/nonexistent/python3")
            .expect("parses");
        assert!(for_run(&o).is_err());
        // `all` is every interpreter found, as with no option.
        let mut all = Options::new();
        all.set(&PythonOption, "all").expect("parses");
        assert_eq!(
            for_run(&all).expect("all").0.len(),
            for_run(&Options::new()).expect("default").0.len()
        );
    }
}
