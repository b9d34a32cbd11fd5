//! Asking a candidate what it is, in a subprocess, with one line every Python 3 runs.

use super::discover::Candidate;
use pyproof_proc::process::{RunOptions, run_measured, tail};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// The oldest Python pyproof's subprocess workloads support.
pub const OLDEST: (u32, u32) = (3, 6);

/// `(major, minor, micro)`.
pub type Version = (u32, u32, u32);

/// What a usable interpreter says of itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// `major.minor.micro`.
    pub version: Version,
    /// Built with `Py_GIL_DISABLED` (PEP 703, `--disable-gil`).
    pub free_threaded: bool,
    /// The GIL on at start-up (`sys._is_gil_enabled()`; always true before 3.13).
    pub gil_enabled: bool,
    /// `sys.executable`, resolved: two candidates with the same one are the same.
    pub executable: PathBuf,
}

impl Found {
    /// The short name pyproof gives the build: `3.13t` for a free-threaded 3.13, `3.11`.
    pub fn tag(&self) -> String {
        format!(
            "{}.{}{}",
            self.version.0,
            self.version.1,
            if self.free_threaded { "t" } else { "" }
        )
    }

    /// `3.13.5`.
    pub fn version_text(&self) -> String {
        format!("{}.{}.{}", self.version.0, self.version.1, self.version.2)
    }

    /// The build's name in reports and per-build verdicts: the full version, `t` when
    /// free-threaded ("3.13.15t", "3.11.7").
    pub fn build_name(&self) -> String {
        format!(
            "{}{}",
            self.version_text(),
            if self.free_threaded { "t" } else { "" }
        )
    }

    /// "GIL", "free-threaded" or "free-threaded, GIL re-enabled".
    pub fn build_label(&self) -> &'static str {
        match (self.free_threaded, self.gil_enabled) {
            (false, _) => "GIL",
            (true, false) => "free-threaded",
            (true, true) => "free-threaded, GIL re-enabled",
        }
    }
}

/// A usable interpreter or why not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Probe {
    /// A Python 3.6+.
    Usable(Found),
    /// Refused, with the one-line reason.
    Refused(String),
}

/// The probe's line: `major minor micro free_threaded gil_enabled executable`. `%` formatting
/// and `getattr` so that 3.6 runs it too; `sysconfig` answers `None` before 3.13.
const PROBE: &str = "import sys, sysconfig; g = getattr(sys, '_is_gil_enabled', None); \
print('%d %d %d %d %d %s' % (sys.version_info[0], sys.version_info[1], sys.version_info[2], \
int(bool(sysconfig.get_config_var('Py_GIL_DISABLED'))), int(g() if g else 1), sys.executable))";

/// Parses the probe's answer (see [`PROBE`]); `Err` holds what was wrong.
pub fn parse_probe(line: &str) -> Result<Found, String> {
    let mut parts = line.trim().splitn(6, ' ');
    let mut num = || parts.next().and_then(|n| n.parse::<u32>().ok());
    let (Some(major), Some(minor), Some(micro), Some(ft), Some(gil)) =
        (num(), num(), num(), num(), num())
    else {
        return Err(format!("it answered {:?}", line.trim()));
    };
    let exe = parts.next().unwrap_or("").trim();
    Ok(Found {
        version: (major, minor, micro),
        free_threaded: ft == 1,
        gil_enabled: gil == 1,
        executable: PathBuf::from(exe),
    })
}

/// Asks `path` what it is.
pub fn probe(path: &Path) -> Probe {
    let mut cmd = Command::new(path);
    cmd.args(["-I", "-c", PROBE]);
    let out = run_measured(
        cmd,
        &RunOptions::new(
            format!("probing {}", path.display()),
            Duration::from_secs(30),
        ),
    );
    let out = match out {
        Ok(o) if o.success() => o,
        Ok(o) => {
            // Not a Python may echo the probe's whole script back (`/bin/ls -c …`): the
            // start of its complaint says enough.
            let said = tail(&o.stderr, 1);
            let said = said.trim();
            let said = match said.char_indices().nth(120) {
                Some((cut, _)) => format!("{}…", &said[..cut]),
                None => said.to_string(),
            };
            return Probe::Refused(format!("{}: not a Python ({said})", path.display()));
        }
        Err(e) => return Probe::Refused(format!("{}: not a Python ({e})", path.display())),
    };
    let line = out.stdout.lines().next().unwrap_or("");
    let mut found = match parse_probe(line) {
        Ok(f) => f,
        Err(why) => return Probe::Refused(format!("{}: not a Python ({why})", path.display())),
    };
    if (found.version.0, found.version.1) < OLDEST {
        return Probe::Refused(format!(
            "{}: Python {} is too old (pyproof needs {}.{}+)",
            path.display(),
            found.version_text(),
            OLDEST.0,
            OLDEST.1
        ));
    }
    if found.executable.as_os_str().is_empty() {
        found.executable = path.to_path_buf();
    }
    found.executable = std::fs::canonicalize(&found.executable).unwrap_or(found.executable);
    Probe::Usable(found)
}

/// An interpreter found and probed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Installed {
    /// Where it was found, and the path.
    pub candidate: Candidate,
    /// What it says of itself.
    pub found: Found,
}

/// Probes every candidate and drops the same executable found twice (`python3` and
/// `python3.11` on PATH, a symlink or a hard link to it): the interpreters, oldest first
/// (explicit ones first among equals), and one line for each refused candidate.
pub fn usable(candidates: Vec<Candidate>) -> (Vec<Installed>, Vec<String>) {
    let mut seen = BTreeSet::new();
    let mut keep = Vec::new();
    let mut refused = Vec::new();
    for c in candidates {
        match probe(&c.path) {
            Probe::Usable(found) => {
                // A hard link resolves to itself: the file's identity tells it apart.
                let id = std::fs::metadata(&found.executable)
                    .map(|m| {
                        use std::os::unix::fs::MetadataExt;
                        (m.dev(), m.ino())
                    })
                    .ok();
                let key = (id, id.is_none().then(|| found.executable.clone()));
                if seen.insert(key) {
                    keep.push(Installed {
                        candidate: c,
                        found,
                    });
                }
            }
            Probe::Refused(why) => refused.push(why),
        }
    }
    keep.sort_by_key(|i| (i.found.version, i.found.free_threaded));
    (keep, refused)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pythons::discover::Source;
    use crate::pythons::testing::fake;

    #[test]
    fn the_probe_line_is_parsed_exactly() {
        assert_eq!(
            parse_probe("3 13 5 1 0 /opt/py/bin/python3.13t\n"),
            Ok(Found {
                version: (3, 13, 5),
                free_threaded: true,
                gil_enabled: false,
                executable: PathBuf::from("/opt/py/bin/python3.13t"),
            })
        );
        let gil = parse_probe("3 11 7 0 1 /usr/bin/python3").expect("parses");
        assert_eq!(
            (gil.tag(), gil.build_name()),
            ("3.11".into(), "3.11.7".into())
        );
        assert_eq!(gil.build_label(), "GIL");
        assert!(parse_probe("Python 3.11.7").is_err());
        assert!(parse_probe("3 11").is_err());
    }

    #[test]
    fn tags_and_labels_name_the_build() {
        let mut f = parse_probe("3 15 2 1 0 /x").expect("parses");
        assert_eq!(
            (f.tag(), f.version_text(), f.build_name()),
            ("3.15t".into(), "3.15.2".into(), "3.15.2t".into())
        );
        assert_eq!(f.build_label(), "free-threaded");
        f.gil_enabled = true;
        assert_eq!(f.build_label(), "free-threaded, GIL re-enabled");
    }

    #[test]
    fn fakes_are_probed_refused_and_deduplicated() {
        let bin = tempfile::tempdir().expect("tempdir");
        let good = fake(bin.path(), "python3.12", "echo 3 12 4 0 1 /usr/bin/true");
        let same = fake(bin.path(), "python3", "echo 3 12 4 0 1 /usr/bin/true");
        let ft = fake(bin.path(), "python3.13t", "echo 3 13 5 1 0 /bin/sh");
        let old = fake(bin.path(), "python3.5", "echo 3 5 1 0 1 /opt/old");
        let broken = fake(bin.path(), "python3.9", "echo 'not python' >&2; exit 1");
        let cand = |p: &PathBuf| Candidate {
            path: p.clone(),
            source: Source::Path,
        };
        let (keep, refused) = usable(
            [&ft, &good, &same, &old, &broken]
                .into_iter()
                .map(cand)
                .collect(),
        );
        let got: Vec<(PathBuf, String)> = keep
            .iter()
            .map(|i| (i.candidate.path.clone(), i.found.tag()))
            .collect();
        assert_eq!(got, [(good, "3.12".into()), (ft, "3.13t".into())]);
        assert_eq!(refused.len(), 2, "{refused:?}");
        assert!(
            refused[0].ends_with("Python 3.5.1 is too old (pyproof needs 3.6+)"),
            "{refused:?}"
        );
        assert!(
            refused[1].contains("not a Python") && refused[1].contains("not python"),
            "{refused:?}"
        );
        match probe(Path::new("/nonexistent/python3")) {
            Probe::Refused(why) => assert!(why.contains("not a Python"), "{why}"),
            other => panic!("{other:?}"),
        }
    }
}
