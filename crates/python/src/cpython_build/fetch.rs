//! Getting the upstream tarball: Debian's source index read by apt with a private state
//! directory, the newest served version downloaded, its SHA-256 checked against the `.dsc`.

use super::apt::{Index, PrivateApt};
use super::{BuildError, MIRROR_ENV, SUITES, Say, Target, debian, io};
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The Debian mirror: [`MIRROR_ENV`], else the first Debian archive in the machine's apt
/// sources.
pub fn mirror() -> Result<String, BuildError> {
    if let Ok(m) = std::env::var(MIRROR_ENV)
        && !m.trim().is_empty()
    {
        return Ok(m.trim().trim_end_matches('/').to_string());
    }
    let mut texts = Vec::new();
    texts.extend(fs::read_to_string("/etc/apt/sources.list"));
    let mut parts: Vec<PathBuf> = fs::read_dir("/etc/apt/sources.list.d")
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "list" || x == "sources"))
        .collect();
    parts.sort();
    texts.extend(parts.iter().filter_map(|p| fs::read_to_string(p).ok()));
    debian::mirror_from_sources(&texts).ok_or(BuildError::NoMirror)
}

/// Downloads (or finds, already verified) the upstream tarball: its path.
pub(super) fn fetch(target: Target, work: &Path, say: &Say) -> Result<PathBuf, BuildError> {
    let apt = PrivateApt::update(work, Index::Sources, say)?;
    let mirror = &apt.mirror;
    let package = target.package();
    let mut showsrc = apt.cmd("apt-cache");
    showsrc.args(["showsrc", &package]);
    let listed = apt
        .run("apt-cache showsrc", showsrc, Duration::from_secs(120))
        .unwrap_or_default();
    let versions = debian::versions_in_showsrc(&listed);
    if versions.is_empty() {
        return Err(BuildError::Source(format!(
            "{mirror} has no source package {package} in {}: CPython 3.{} cannot be built from it",
            SUITES.join(", "),
            target.minor
        )));
    }
    let mut refused = Vec::new();
    for version in &versions {
        let dsc = work.join(format!("{package}_{}.dsc", strip_epoch(version)));
        if !dsc.exists() {
            say.line(&format!("downloading Debian's {package} {version}"));
            let mut source = apt.cmd("apt-get");
            source.args(["source", "--download-only", &format!("{package}={version}")]);
            if let Err(e) = apt.run("apt-get source", source, Duration::from_secs(1200)) {
                let why = if e.to_string().contains("404") {
                    "listed but not served (HTTP 404)".to_string()
                } else {
                    e.to_string()
                };
                say.line(&format!("{package} {version}: {why}"));
                refused.push(format!("{version}: {why}"));
                continue;
            }
        }
        return verify(&dsc, work);
    }
    Err(BuildError::Source(format!(
        "{mirror} lists {package} but serves none of it ({}); set {MIRROR_ENV} to a mirror that \
         does",
        refused.join("; ")
    )))
}

fn strip_epoch(version: &str) -> &str {
    version.split_once(':').map_or(version, |(_, v)| v)
}

/// Checks the `.orig.tar.*` against the SHA-256 the `.dsc` gives: its path.
fn verify(dsc: &Path, work: &Path) -> Result<PathBuf, BuildError> {
    let text = fs::read_to_string(dsc).map_err(io(format!("reading {}", dsc.display())))?;
    let Some((want, _, name)) = debian::sha256_entries(&text)
        .into_iter()
        .find(|(_, _, n)| n.contains(".orig.tar."))
    else {
        return Err(BuildError::Source(format!(
            "{} names no .orig.tar in its Checksums-Sha256",
            dsc.display()
        )));
    };
    let tarball = work.join(&name);
    let got = sha256_file(&tarball)?;
    if got != want {
        let _ = fs::remove_file(&tarball);
        let _ = fs::remove_file(dsc);
        return Err(BuildError::Checksum {
            file: tarball.display().to_string(),
            got,
            want,
        });
    }
    Ok(tarball)
}

/// The SHA-256 of a file, in lower-case hex.
pub fn sha256_file(path: &Path) -> Result<String, BuildError> {
    use sha2::Digest;
    use std::io::Read;
    let mut f = fs::File::open(path).map_err(io(format!("opening {}", path.display())))?;
    let mut h = sha2::Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f
            .read(&mut buf)
            .map_err(io(format!("reading {}", path.display())))?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tarball_is_checked_against_its_dsc_and_removed_when_it_differs() {
        let dir = tempfile::tempdir().expect("tempdir");
        let tar = dir.path().join("python3.13_3.13.5.orig.tar.xz");
        fs::write(&tar, b"abc").expect("write");
        // SHA-256 of "abc".
        let good = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        assert_eq!(sha256_file(&tar).expect("hash"), good);
        let dsc = dir.path().join("python3.13_3.13.5-2.dsc");
        let write_dsc = |hash: &str| {
            fs::write(
                &dsc,
                format!("Checksums-Sha256:\n {hash} 3 python3.13_3.13.5.orig.tar.xz\n"),
            )
            .expect("write");
        };
        write_dsc(good);
        assert_eq!(verify(&dsc, dir.path()).expect("verified"), tar);
        write_dsc("00ff");
        let err = verify(&dsc, dir.path()).expect_err("mismatch");
        assert!(matches!(err, BuildError::Checksum { .. }), "{err}");
        assert!(!tar.exists() && !dsc.exists(), "a bad download is not kept");
    }
}
