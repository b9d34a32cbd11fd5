//! Writing files so that nothing half-written is ever left in place: the one atomic write,
//! a generated file committed together with its JSON description, and the disk-space check
//! made before a large file is started.

use crate::error::ProcError;
use crate::pending::PendingFile;
use serde::Serialize;
use std::io::{self, Write};
use std::path::Path;

/// Space kept free beyond a generated file itself, so a dataset never fills the disk.
pub const DISK_HEADROOM: u64 = 64 << 20;

/// Writes `bytes` to `path` atomically: a pending file beside it (removed on error and by
/// the Ctrl-C handler), then a rename. Creates the parent directory when missing.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    let (pending, mut file) = PendingFile::create(path)?;
    file.write_all(bytes)?;
    file.flush()?;
    drop(file);
    pending.commit(path)
}

/// Bytes free for an unprivileged writer on the file system holding `dir`.
pub fn free_bytes(dir: &Path) -> Result<u64, ProcError> {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(dir.as_os_str().as_bytes()).map_err(|_| {
        ProcError::io(
            format!("checking free space in {}", dir.display()),
            io::Error::other("the path holds a NUL byte"),
        )
    })?;
    // SAFETY: statvfs is plain old data; zeroed is a valid value to be overwritten.
    let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: `c` is a valid C string and `st` a valid out-pointer.
    let r = unsafe { libc::statvfs(c.as_ptr(), &mut st) };
    if r != 0 {
        return Err(ProcError::io(
            format!("checking free space in {}", dir.display()),
            io::Error::last_os_error(),
        ));
    }
    Ok(st.f_bavail as u64 * st.f_frsize as u64)
}

/// Refuses, before anything is written, a file of `needed` bytes (plus [`DISK_HEADROOM`])
/// in `dir` when the disk does not have it.
pub fn ensure_space(dir: &Path, needed: u64, what: &str) -> Result<(), ProcError> {
    let free = free_bytes(dir)?;
    let needed = needed.saturating_add(DISK_HEADROOM);
    if free < needed {
        return Err(ProcError::NoSpace {
            what: what.to_string(),
            dir: dir.display().to_string(),
            needed,
            free,
        });
    }
    Ok(())
}

/// Makes a generated file and its JSON description visible together: writes `info` to
/// `info_dest` under a temporary name, renames it into place, then renames the finished data
/// file (`pending`) to `dest`. The sidecar goes first, so a data file in place always has its
/// description beside it; a failure leaves neither half behind.
pub fn commit_with_sidecar(
    pending: PendingFile,
    dest: &Path,
    info: &impl Serialize,
    info_dest: &Path,
) -> Result<(), ProcError> {
    let json = serde_json::to_vec_pretty(info).map_err(|e| {
        ProcError::io(
            format!("describing {}", dest.display()),
            io::Error::other(e),
        )
    })?;
    write_atomic(info_dest, &json)
        .map_err(|e| ProcError::io(format!("writing {}", info_dest.display()), e))?;
    pending.commit(dest).map_err(|e| {
        let _ = std::fs::remove_file(info_dest);
        ProcError::io(format!("renaming into {}", dest.display()), e)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_writes_replace_whole_files_and_leave_no_temporary() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("sub").join("out.json");
        write_atomic(&path, b"one").expect("write");
        write_atomic(&path, b"two").expect("write");
        assert_eq!(std::fs::read(&path).expect("read"), b"two");
        let names: Vec<_> = std::fs::read_dir(path.parent().expect("parent"))
            .expect("ls")
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(names.len(), 1, "{names:?}");
    }

    #[test]
    fn a_failed_write_keeps_the_old_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("r.json");
        write_atomic(&path, b"good").expect("write");
        // A directory where the pending file would go makes the write fail.
        let blocker = dir
            .path()
            .join(format!("r.json.partial-{}", std::process::id()));
        std::fs::create_dir(&blocker).expect("blocker");
        assert!(write_atomic(&path, b"bad").is_err());
        assert_eq!(std::fs::read(&path).expect("read"), b"good");
    }

    #[test]
    fn a_file_larger_than_the_disk_is_refused_before_writing() {
        let dir = tempfile::tempdir().expect("tempdir");
        let err = ensure_space(dir.path(), u64::MAX / 2, "a huge file").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("not enough disk space for a huge file"),
            "{err}"
        );
        ensure_space(dir.path(), 1, "a byte").expect("fits");
    }

    #[test]
    fn sidecar_and_data_arrive_together() {
        let dir = tempfile::tempdir().expect("tempdir");
        let dest = dir.path().join("data.csv");
        let info = dir.path().join("data.json");
        let (pending, mut f) = PendingFile::create(&dest).expect("create");
        f.write_all(b"a\n").expect("write");
        commit_with_sidecar(pending, &dest, &vec![1, 2], &info).expect("commit");
        assert_eq!(std::fs::read(&dest).expect("read"), b"a\n");
        assert_eq!(
            std::fs::read_to_string(&info).expect("read"),
            "[\n  1,\n  2\n]"
        );
    }
}
