//! apt with a private state directory: Debian's signed indexes read and packages downloaded
//! without root and without touching the machine's own apt (its lists, its lock, its record
//! of what is installed).

use super::{BuildError, SUITES, Say, fetch::mirror, io, step};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// Which index a private apt reads: source packages (`deb-src`) or binary ones (`deb`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Index {
    /// `deb-src`: for `apt-cache showsrc` and `apt-get source`.
    Sources,
    /// `deb`, for the machine's own architecture: `apt-cache depends` and `apt-get download`.
    Binaries,
}

/// An apt whose state lives under `<work>/apt-<index>`.
pub(super) struct PrivateApt {
    dir: PathBuf,
    work: PathBuf,
    /// The mirror its lines name.
    pub mirror: String,
    /// Where each step's output is appended.
    pub log_file: PathBuf,
}

impl PrivateApt {
    /// Writes the private `sources.list` (the suites of [`SUITES`] on the machine's mirror,
    /// checked against Debian's keyring when the machine has it) and reads the index.
    pub fn update(work: &Path, index: Index, say: &Say) -> Result<PrivateApt, BuildError> {
        let (kind, name) = match index {
            Index::Sources => ("deb-src", "apt"),
            Index::Binaries => ("deb", "apt-binaries"),
        };
        let dir = work.join(name);
        for d in ["lists/partial", "archives/partial"] {
            fs::create_dir_all(dir.join(d)).map_err(io(format!("creating {}", dir.display())))?;
        }
        let mirror = mirror()?;
        let keyring = Path::new("/usr/share/keyrings/debian-archive-keyring.gpg");
        let signed = if keyring.exists() {
            format!("[signed-by={}] ", keyring.display())
        } else {
            String::new()
        };
        let list: String = SUITES
            .iter()
            .map(|s| format!("{kind} {signed}{mirror} {s} main\n"))
            .collect();
        fs::write(dir.join("sources.list"), list)
            .map_err(io("writing the private sources.list"))?;
        let apt = PrivateApt {
            dir,
            work: work.to_path_buf(),
            mirror,
            log_file: work.join("apt.log"),
        };
        say.line(&format!(
            "reading the {} index of {} from {}",
            match index {
                Index::Sources => "source",
                Index::Binaries => "binary",
            },
            SUITES.join(", "),
            apt.mirror
        ));
        let mut update = apt.cmd("apt-get");
        update.arg("update");
        step(
            "apt-get update",
            update,
            Duration::from_secs(600),
            &apt.log_file,
            None,
        )?;
        Ok(apt)
    }

    /// `apt-get` or `apt-cache` with the private configuration, run in the work directory.
    pub fn cmd(&self, tool: &str) -> Command {
        let mut c = Command::new(tool);
        c.current_dir(&self.work).args([
            "-q",
            "-o",
            &format!(
                "Dir::Etc::SourceList={}",
                self.dir.join("sources.list").display()
            ),
            "-o",
            "Dir::Etc::SourceParts=/dev/null",
            "-o",
            &format!("Dir::State::Lists={}", self.dir.join("lists").display()),
            "-o",
            &format!(
                "Dir::Cache::Archives={}",
                self.dir.join("archives").display()
            ),
            // What the machine has installed must not cut a dependency closure short.
            "-o",
            "Dir::State::Status=/dev/null",
            "-o",
            "Debug::NoLocking=1",
        ]);
        c
    }

    /// Runs `cmd` to completion (its output appended to the log): its stdout.
    pub fn run(&self, what: &str, cmd: Command, timeout: Duration) -> Result<String, BuildError> {
        step(what, cmd, timeout, &self.log_file, None)
    }
}

/// The packages `apt-cache depends --recurse` names: every line that is not indented and
/// not a virtual package (`<mime-support>`, which some real package provides and which is
/// listed on its own line too).
pub fn packages_in_depends(text: &str) -> Vec<String> {
    let mut v: Vec<String> = text
        .lines()
        .filter(|l| !l.starts_with([' ', '\t', '<', '|']) && !l.trim().is_empty())
        .map(|l| l.trim().to_string())
        .collect();
    v.sort();
    v.dedup();
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dependency_closure_lists_real_packages_once() {
        let text = "python3.15\n  Depends: python3.15-minimal\n  Depends: <mime-support>\n\
                    \x20|Depends: media-types\npython3.15-minimal\n  PreDepends: libc6\n\
                    <mime-support>\nlibc6\n  Depends: libgcc-s1\nlibgcc-s1\nlibc6\n";
        assert_eq!(
            packages_in_depends(text),
            ["libc6", "libgcc-s1", "python3.15", "python3.15-minimal"]
        );
        assert!(packages_in_depends("").is_empty());
    }
}
