//! Pieces both scenarios use: a seeded generator, free disk space, own memory.

use crate::error::ScenarioError;
use pyproof_python::pending::PendingFile;
use serde::Serialize;
use std::io::Write;
use std::path::Path;

/// SplitMix64: tiny, fast, and the same sequence everywhere for a seed.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (n > 0), by multiply-shift: no modulo bias worth the name here.
    pub fn below(&mut self, n: u64) -> u64 {
        ((self.next_u64() >> 32) * n) >> 32
    }
}

/// Bytes free for an unprivileged writer on the file system holding `dir`.
pub fn free_bytes(dir: &Path) -> Result<u64, ScenarioError> {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(dir.as_os_str().as_bytes())
        .map_err(|_| ScenarioError::Input(format!("{} holds a NUL byte", dir.display())))?;
    // SAFETY: statvfs is plain old data; zeroed is a valid value to be overwritten.
    let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: `c` is a valid C string and `st` a valid out-pointer.
    let r = unsafe { libc::statvfs(c.as_ptr(), &mut st) };
    if r != 0 {
        return Err(ScenarioError::io(
            format!("checking free space in {}", dir.display()),
            std::io::Error::last_os_error(),
        ));
    }
    Ok(st.f_bavail as u64 * st.f_frsize as u64)
}

/// Space kept free beyond the file itself, so a dataset never fills the disk to the brim.
pub const DISK_HEADROOM: u64 = 64 << 20;

/// This process's anonymous resident memory, KiB (0 when /proc is unreadable).
pub fn own_anon_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("RssAnon:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
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
) -> Result<(), ScenarioError> {
    let (info_pending, mut info_file) = PendingFile::create(info_dest)
        .map_err(|e| ScenarioError::io(format!("creating {}", info_dest.display()), e))?;
    let json = serde_json::to_vec_pretty(info).map_err(|e| ScenarioError::Input(e.to_string()))?;
    info_file
        .write_all(&json)
        .and_then(|()| info_file.sync_all())
        .and_then(|()| info_pending.commit(info_dest))
        .and_then(|()| pending.commit(dest))
        .map_err(|e| ScenarioError::io(format!("finishing {}", dest.display()), e))
}
