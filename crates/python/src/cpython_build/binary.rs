//! A GIL CPython from Debian's binary packages, for when the mirror lists a version's source
//! package but serves none of its files (seen here for 3.14 and 3.15: HTTP 404 on every
//! source file, while the binary `.deb`s of the same versions are served).
//!
//! Debian builds those packages for its unstable suite, against a newer glibc than a stable
//! machine has (3.15.2-1 needs glibc 2.38; Debian 12 has 2.36). So the package and its whole
//! dependency closure — glibc included — are unpacked into a private root, and
//! `bin/python3.X` is a small compiled launcher that starts the real interpreter through
//! that root's own dynamic loader:
//!
//! ```text
//! <root>/usr/lib/<triplet>/ld-linux-*.so.2 --argv0 <as invoked> --library-path <root libs> python3.X.real …
//! ```
//!
//! `--argv0` keeps `sys.executable` the launcher's path (and a venv's own `bin/python` the
//! venv's), so venvs, multiprocessing and `subprocess` re-run it the same way. A compiled
//! launcher rather than a shell script: a process start measured under this interpreter
//! pays one `execve` more, not a shell. Rewriting the binary's interpreter path instead
//! (patchelf 0.18) gave an executable the new loader crashed on at start-up here.
//!
//! apt verifies every `.deb` against Debian's signed index as it downloads it. The build is
//! Debian's (its configure flags differ from a plain `./configure`: `sysconfig`'s
//! `CONFIG_ARGS` records them), which `pythons` shows.

use super::apt::{Index, PrivateApt, packages_in_depends};
use super::{BuildError, Say, Target, io, step};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// The launcher's C source, with the three absolute paths it execs filled in.
fn launcher_source(loader: &str, libs: &str, real: &str) -> String {
    let lit = |s: &str| {
        let mut out = String::from("\"");
        for c in s.chars() {
            match c {
                '"' | '\\' => {
                    out.push('\\');
                    out.push(c);
                }
                _ => out.push(c),
            }
        }
        out.push('"');
        out
    };
    format!(
        r#"/* pyproof: starts Debian's CPython through its private root's dynamic loader. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv) {{
    static char loader[] = {loader};
    static char libs[] = {libs};
    static char real[] = {real};
    char **args = calloc((size_t)argc + 6, sizeof *args);
    if (args == NULL) return 127;
    int n = 0;
    args[n++] = loader;
    args[n++] = "--argv0";
    args[n++] = argv[0];
    args[n++] = "--library-path";
    args[n++] = libs;
    args[n++] = real;
    for (int i = 1; i < argc; i++) args[n++] = argv[i];
    args[n] = NULL;
    execv(loader, args);
    perror(loader);
    return 127;
}}
"#,
        loader = lit(loader),
        libs = lit(libs),
        real = lit(real),
    )
}

/// The `Version:` of the first stanza of `apt-cache show --no-all-versions`.
pub fn shown_version(text: &str) -> Option<String> {
    text.lines()
        .find_map(|l| l.strip_prefix("Version:"))
        .map(|v| v.trim().to_string())
}

/// The dynamic loader among the unpacked files: `<root>/usr/lib/<triplet>/ld-linux*.so.*`.
pub(super) fn find_loader(root: &Path) -> Option<PathBuf> {
    let lib = root.join("usr").join("lib");
    let mut found: Vec<PathBuf> = fs::read_dir(&lib)
        .ok()?
        .flatten()
        .filter(|e| e.path().is_dir())
        .flat_map(|d| fs::read_dir(d.path()).into_iter().flatten().flatten())
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("ld-linux") && n.contains(".so."))
        })
        .collect();
    found.sort();
    found.into_iter().next()
}

/// Sets `WHEEL_PKG_DIR` in the unpacked `sysconfig` data to the root's own wheel directory:
/// Debian's `ensurepip` (so `python -m venv`) takes pip from there, and the compiled-in
/// `/usr/share/python-wheels/` is the machine's, which has no wheels for this version.
fn point_wheels_at_root(stdlib: &Path, wheels: &Path) -> Result<usize, BuildError> {
    let mut patched = 0;
    let from = "/usr/share/python-wheels/";
    let to = format!("{}/", wheels.display());
    for entry in fs::read_dir(stdlib)
        .map_err(io(format!("reading {}", stdlib.display())))?
        .flatten()
    {
        let name = entry.file_name().to_string_lossy().into_owned();
        // One of Debian's two `_sysconfigdata_*` names is a symlink to the other: the file
        // is rewritten once, through its real name.
        let is_link = entry.file_type().is_ok_and(|t| t.is_symlink());
        if is_link || !(name.starts_with("_sysconfigdata_") || name.starts_with("_sysconfig_vars_"))
        {
            continue;
        }
        let text = fs::read_to_string(entry.path())
            .map_err(io(format!("reading {}", entry.path().display())))?;
        // The quoted value only (Python's and JSON's quotes), so a second pass changes nothing.
        let mut new = text.clone();
        for q in ['\'', '"'] {
            new = new.replace(&format!("{q}{from}{q}"), &format!("{q}{to}{q}"));
        }
        if new != text {
            fs::write(entry.path(), new)
                .map_err(io(format!("writing {}", entry.path().display())))?;
            patched += 1;
        }
    }
    Ok(patched)
}

/// Downloads Debian's binary packages of `target` (GIL builds only) and their closure,
/// unpacks them into `<staging>/root` and adds the launcher: the staged prefix, ready to be
/// renamed to `target.prefix(cache)`.
pub(super) fn stage(
    target: Target,
    cache: &Path,
    work: &Path,
    say: &Say,
) -> Result<PathBuf, BuildError> {
    if target.free_threaded {
        return Err(BuildError::Source(format!(
            "Debian ships no free-threaded binary of {} either, so {} can only be built from \
             a served source",
            target.package(),
            target.tag()
        )));
    }
    if !super::on_path("dpkg-deb") {
        return Err(BuildError::MissingTool {
            tool: "dpkg-deb",
            fix: "a Debian or Ubuntu machine (package dpkg)",
        });
    }
    let apt = PrivateApt::update(work, Index::Binaries, say)?;
    let package = target.package();
    let mut show = apt.cmd("apt-cache");
    show.args(["show", "--no-all-versions", &package]);
    let version = apt
        .run("apt-cache show", show, Duration::from_secs(120))
        .ok()
        .as_deref()
        .and_then(shown_version)
        .ok_or_else(|| {
            BuildError::Source(format!(
                "{} has neither a served source nor a binary package {package}",
                apt.mirror
            ))
        })?;
    let mut depends = apt.cmd("apt-cache");
    depends.args([
        "depends",
        "--recurse",
        "--no-recommends",
        "--no-suggests",
        "--no-conflicts",
        "--no-breaks",
        "--no-replaces",
        "--no-enhances",
        &package,
        // Debian's ensurepip and the pip wheel it installs into each venv.
        &format!("{package}-venv"),
    ]);
    let closure =
        packages_in_depends(&apt.run("apt-cache depends", depends, Duration::from_secs(120))?);
    say.line(&format!(
        "no source served: using Debian's binary {package} {version} and the {} packages it \
         needs (its own glibc among them)",
        closure.len()
    ));
    let debs = work.join(format!("debs-{version}"));
    fs::create_dir_all(&debs).map_err(io(format!("creating {}", debs.display())))?;
    let mut download = apt.cmd("apt-get");
    download.current_dir(&debs).arg("download").args(&closure);
    apt.run("apt-get download", download, Duration::from_secs(1200))?;

    let staged = work.join("stage").join("prefix");
    let root = staged.join("root");
    fs::create_dir_all(&root).map_err(io(format!("creating {}", root.display())))?;
    say.line(&format!("unpacking {} packages", closure.len()));
    let mut files: Vec<PathBuf> = fs::read_dir(&debs)
        .map_err(io(format!("reading {}", debs.display())))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "deb"))
        .collect();
    files.sort();
    for deb in &files {
        let mut x = Command::new("dpkg-deb");
        x.arg("-x").arg(deb).arg(&root);
        step(
            "dpkg-deb -x",
            x,
            Duration::from_secs(300),
            &apt.log_file,
            None,
        )?;
    }

    // Paths as they will be once the staged prefix is renamed into place.
    let prefix = target.prefix(cache);
    let final_root = prefix.join("root");
    let loader = find_loader(&root).ok_or_else(|| {
        BuildError::Source(format!(
            "the packages of {package} {version} hold no dynamic loader (ld-linux*.so.*)"
        ))
    })?;
    let rel = |p: &Path| p.strip_prefix(&root).map(|r| final_root.join(r));
    let (Ok(final_loader), Some(lib_dir)) = (rel(&loader), loader.parent()) else {
        return Err(BuildError::Source("the loader is outside the root".into()));
    };
    let final_libs = rel(lib_dir).unwrap_or_default();
    let bin = root.join("usr").join("bin");
    let name = format!("python3.{}", target.minor);
    let real = bin.join(format!("{name}.real"));
    fs::rename(bin.join(&name), &real)
        .map_err(io(format!("moving {} aside", bin.join(&name).display())))?;
    let final_real = rel(&real).unwrap_or_default();
    let source = launcher_source(
        &final_loader.to_string_lossy(),
        &final_libs.to_string_lossy(),
        &final_real.to_string_lossy(),
    );
    let c_file = work.join("stage").join("launcher.c");
    fs::write(&c_file, source).map_err(io("writing the launcher's source"))?;
    let mut cc = Command::new("gcc");
    cc.args(["-O2", "-o"]).arg(bin.join(&name)).arg(&c_file);
    step(
        "compiling the launcher",
        cc,
        Duration::from_secs(120),
        &apt.log_file,
        None,
    )?;
    let stdlib = root.join("usr").join("lib").join(&name);
    point_wheels_at_root(
        &stdlib,
        &final_root.join("usr").join("share").join("python-wheels"),
    )?;
    // `<prefix>/bin/python3.X`, where every pyproof build lives: a symlink to the launcher,
    // which CPython resolves to find its standard library beside the real binary (it
    // resolves a linked file, not a linked directory).
    let bin_dir = staged.join("bin");
    fs::create_dir_all(&bin_dir).map_err(io(format!("creating {}", bin_dir.display())))?;
    std::os::unix::fs::symlink(
        Path::new("..")
            .join("root")
            .join("usr")
            .join("bin")
            .join(&name),
        bin_dir.join(&name),
    )
    .map_err(io("linking bin"))?;
    Ok(staged)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_launcher_quotes_its_paths_as_c_strings() {
        let src = launcher_source("/c/r/ld.so", "/c/\"q\"/lib", "/c/back\\slash");
        assert!(src.contains(r#"static char loader[] = "/c/r/ld.so";"#));
        assert!(src.contains(r#"static char libs[] = "/c/\"q\"/lib";"#));
        assert!(src.contains(r#"static char real[] = "/c/back\\slash";"#));
        assert!(src.contains("\"--argv0\""));
    }

    #[test]
    fn apt_cache_show_gives_the_candidates_version() {
        let text = "Package: python3.15\nSource: python3.15\nVersion: 3.15.2-1\n\
                    Architecture: amd64\n";
        assert_eq!(shown_version(text).as_deref(), Some("3.15.2-1"));
        assert_eq!(shown_version("N: Unable to locate package x\n"), None);
    }

    #[test]
    fn the_wheel_directory_is_pointed_at_the_root() {
        let dir = tempfile::tempdir().expect("tempdir");
        let data = dir.path().join("_sysconfigdata__linux_x86_64-linux-gnu.py");
        fs::write(
            &data,
            "{'WHEEL_PKG_DIR': '/usr/share/python-wheels/', 'X': 1}",
        )
        .expect("w");
        fs::write(dir.path().join("os.py"), "'/usr/share/python-wheels/'").expect("w");
        let json = dir
            .path()
            .join("_sysconfig_vars__linux_x86_64-linux-gnu.json");
        fs::write(&json, r#"{"WHEEL_PKG_DIR": "/usr/share/python-wheels/"}"#).expect("w");
        std::os::unix::fs::symlink(
            &data,
            dir.path().join("_sysconfigdata__x86_64-linux-gnu.py"),
        )
        .expect("link");
        let n = point_wheels_at_root(dir.path(), Path::new("/c/root/usr/share/python-wheels"))
            .expect("patched");
        assert_eq!(
            n, 2,
            "the JSON and the data file, not the data file again by its link"
        );
        assert_eq!(
            fs::read_to_string(&data).expect("read"),
            "{'WHEEL_PKG_DIR': '/c/root/usr/share/python-wheels/', 'X': 1}"
        );
        assert_eq!(
            fs::read_to_string(&json).expect("read"),
            r#"{"WHEEL_PKG_DIR": "/c/root/usr/share/python-wheels/"}"#
        );
        let again = point_wheels_at_root(dir.path(), Path::new("/c/root/usr/share/python-wheels"))
            .expect("patched");
        assert_eq!(again, 0, "a second pass changes nothing");
        assert_eq!(
            fs::read_to_string(dir.path().join("os.py")).expect("read"),
            "'/usr/share/python-wheels/'",
            "only sysconfig's data is touched"
        );
    }
}
