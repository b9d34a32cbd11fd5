//! Which builds a per-build claim measures, chosen once for every experiment that has one
//! (cpu_parallelism (4), image_parallelism (8)): every free-threaded build running with the
//! GIL off beside the newest GIL build of the same version (its twin), then the newest GIL
//! build of each release from [`TODAY`] on — the CPython a candidate is asked about today.

use super::Installed;

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
        if let Some(twin) = newest_gil(minor(ft)) {
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
}
