//! Files being written: a temporary name beside the destination, renamed into place only when
//! complete, and removed on error, on drop, and by the interrupt handler. A dataset that was
//! half generated when the user pressed Ctrl-C is never left behind, nor mistaken for a
//! finished one.

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// The registry, even after a panic elsewhere poisoned it: a path pushed or retained is
/// whole either way, and losing registrations would leave files behind on Ctrl-C.
fn registry() -> MutexGuard<'static, Vec<PathBuf>> {
    PENDING.lock().unwrap_or_else(|e| e.into_inner())
}

/// A file under construction at a temporary path. [`PendingFile::commit`] renames it to its
/// destination; dropping it uncommitted removes it.
#[derive(Debug)]
pub struct PendingFile {
    path: PathBuf,
    committed: bool,
}

impl PendingFile {
    /// Creates `<dest>.partial-<pid>` beside `dest` and registers it for removal on interrupt.
    pub fn create(dest: &Path) -> io::Result<(PendingFile, File)> {
        let name = dest
            .file_name()
            .ok_or_else(|| io::Error::other(format!("{} has no file name", dest.display())))?;
        let mut tmp_name = name.to_os_string();
        tmp_name.push(format!(".partial-{}", std::process::id()));
        let path = dest.with_file_name(tmp_name);
        // Register before creating: an interrupt between the two must not leak the file.
        registry().push(path.clone());
        let pending = PendingFile {
            path,
            committed: false,
        };
        let file = File::create(&pending.path)?;
        Ok((pending, file))
    }

    /// The temporary path being written.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Renames the finished file to `dest`.
    pub fn commit(mut self, dest: &Path) -> io::Result<()> {
        std::fs::rename(&self.path, dest)?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for PendingFile {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_file(&self.path);
        }
        registry().retain(|q| q != &self.path);
    }
}

/// A scratch directory (a fresh clone and its build: gigabytes) removed with everything in
/// it when dropped, and by the interrupt handler.
#[derive(Debug)]
pub struct ScratchDir {
    path: PathBuf,
}

impl ScratchDir {
    /// Creates `path` (which must not exist yet) and registers it for removal on interrupt.
    pub fn create(path: &Path) -> io::Result<ScratchDir> {
        registry().push(path.to_path_buf());
        let dir = ScratchDir {
            path: path.to_path_buf(),
        };
        std::fs::create_dir(&dir.path)?;
        Ok(dir)
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
        registry().retain(|q| q != &self.path);
    }
}

/// Removes every file still being written and every scratch directory. Called by the
/// interrupt handler, which runs on its own thread and must never hang: the lock is only
/// ever held for a push or a retain, so it is retried for up to a second (giving up once
/// meant a file registered a moment earlier stayed behind); a poisoned lock is still read.
pub fn remove_pending_files() {
    remove_registered(|_| true);
}

/// The interrupt path's work over the registered paths `which` accepts. Tests pass their own
/// directory: the registry is process-wide, and removing every path would remove the files
/// other tests (running in parallel threads) are still writing.
fn remove_registered(which: impl Fn(&Path) -> bool) {
    use std::sync::TryLockError;
    for _ in 0..200 {
        let p = match PENDING.try_lock() {
            Ok(p) => p,
            Err(TryLockError::Poisoned(p)) => p.into_inner(),
            Err(TryLockError::WouldBlock) => {
                std::thread::sleep(std::time::Duration::from_millis(5));
                continue;
            }
        };
        for path in p.iter().filter(|p| which(p)) {
            if path.is_dir() {
                let _ = std::fs::remove_dir_all(path);
            } else {
                let _ = std::fs::remove_file(path);
            }
        }
        return;
    }
}

/// Removes `<dest>.partial-<pid>` files beside `dest` left by processes that no longer run
/// (a crash or a SIGKILL, where no handler ran).
pub fn remove_stale_partials(dest: &Path) {
    let (Some(dir), Some(name)) = (dest.parent(), dest.file_name().and_then(|n| n.to_str())) else {
        return;
    };
    let prefix = format!("{name}.partial-");
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(pid) = file_name
            .to_str()
            .and_then(|n| n.strip_prefix(&prefix))
            .and_then(|p| p.parse::<i32>().ok())
        else {
            continue;
        };
        if !crate::process::is_alive(pid) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn commit_renames_and_drop_removes() {
        let dir = tempfile::tempdir().expect("tempdir");
        let dest = dir.path().join("data.csv");
        let (pending, mut f) = PendingFile::create(&dest).expect("create");
        f.write_all(b"a,b\n").expect("write");
        let tmp = pending.path().to_path_buf();
        assert!(tmp.exists() && !dest.exists());
        pending.commit(&dest).expect("commit");
        assert!(!tmp.exists());
        assert_eq!(std::fs::read(&dest).expect("read"), b"a,b\n");

        let (pending, _f) = PendingFile::create(&dest).expect("create");
        let tmp = pending.path().to_path_buf();
        drop(pending);
        assert!(!tmp.exists(), "an uncommitted file is removed");
        assert_eq!(
            std::fs::read(&dest).expect("read"),
            b"a,b\n",
            "dest untouched"
        );
    }

    #[test]
    fn the_interrupt_path_removes_pending_files() {
        let dir = tempfile::tempdir().expect("tempdir");
        let dest = dir.path().join("big.csv");
        let (pending, _f) = PendingFile::create(&dest).expect("create");
        remove_registered(|p| p.starts_with(dir.path()));
        assert!(!pending.path().exists());
    }

    #[test]
    fn a_scratch_dir_goes_with_its_contents_on_drop_and_on_interrupt() {
        let dir = tempfile::tempdir().expect("tempdir");
        let scratch = ScratchDir::create(&dir.path().join("clone")).expect("create");
        std::fs::create_dir_all(scratch.path().join("target/release")).expect("mkdir");
        std::fs::write(scratch.path().join("target/release/x"), b"x").expect("write");
        let path = scratch.path().to_path_buf();
        drop(scratch);
        assert!(!path.exists());
        let again = ScratchDir::create(&path).expect("create again");
        std::fs::write(again.path().join("f"), b"x").expect("write");
        remove_registered(|p| p.starts_with(dir.path()));
        assert!(!path.exists(), "the interrupt path removes it too");
        assert!(
            ScratchDir::create(&dir.path().join("missing/parent")).is_err(),
            "never creates parents: a typo must not scatter directories"
        );
    }

    #[test]
    fn stale_partials_of_dead_processes_go() {
        let dir = tempfile::tempdir().expect("tempdir");
        let dest = dir.path().join("big.csv");
        // pid 0x7ffffffe is never a live process here; our own pid is.
        let dead = dir.path().join(format!("big.csv.partial-{}", 0x7fff_fffe));
        let live = dir
            .path()
            .join(format!("big.csv.partial-{}", std::process::id()));
        std::fs::write(&dead, b"x").expect("write");
        std::fs::write(&live, b"x").expect("write");
        remove_stale_partials(&dest);
        assert!(!dead.exists());
        assert!(live.exists());
    }
}
