//! `pyproof pythons --embed 3.15`: the environment under which cargo builds pyproof with
//! another CPython embedded (pyo3 links the libpython it is configured with).
//!
//! For an interpreter built from source (`--build 3.13`) or installed by pyenv, pyo3 asks it
//! for its `LIBDIR` and links its `libpython` there: `PYO3_PYTHON` is all it needs.
//!
//! Debian's binary 3.14 and 3.15 (see [`super::binary`]) need more. Their `sysconfig` names
//! Debian's compiled-in `LIBDIR` (`/usr/lib/<triplet>`), where this machine has no
//! `libpython3.X`; and that `libpython` needs the private root's newer glibc, which this
//! machine's loader cannot give. So:
//!
//! - Debian's `libpython3.X` package is unpacked into the root when it is not there yet (apt
//!   checks it against the signed index; its version must be the interpreter's);
//! - a `PYO3_CONFIG_FILE` names the root's library directory (through `<prefix>/embed/lib`,
//!   which holds only `libpython3.X.so`, so the linker finds nothing else of the root's);
//! - the linker reads the root's libraries for libpython's own dependencies and accepts the
//!   glibc symbols that only the root's glibc defines (`--allow-shlib-undefined`);
//! - every binary it links names the root's dynamic loader as its interpreter and the root's
//!   libraries as its run path, so it starts under the glibc libpython was built for however
//!   it is started — by cargo, by a test, or as a worker another binary spawns (a cargo
//!   runner would cover only the first).
//!
//! Each case also gets its own venv (`PYPROOF_EMBED_VENV`, compiled in: the one `--build`
//! filled) and target directory (`CARGO_TARGET_DIR`), so the usual build and `.venv` are
//! left as they are.

use super::binary::find_loader;
use super::{BuildError, Say, Target, io};
use crate::pythons::{Found, venv_for};
use pyproof_proc::paths;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The oldest free-threaded CPython pyo3 0.30 embeds: its build script stops on 3.13t with
/// "PyO3 does not support the free-threaded build of CPython versions below 3.14".
pub const FREE_THREADED_FROM: (u32, u32) = (3, 14);

/// One variable to export, in order.
pub type Var = (String, String);

/// The environment for building and testing pyproof with `found` embedded: variables to
/// export before `cargo`. `cache` is pyproof's build cache, where Debian's `libpython` is
/// fetched into a binary build's root when it is missing.
pub fn prepare(
    found: &Found,
    cache: &Path,
    say_to: &pyproof_proc::process::LineSink,
) -> Result<Vec<Var>, BuildError> {
    if found.free_threaded && (found.version.0, found.version.1) < FREE_THREADED_FROM {
        return Err(BuildError::Source(format!(
            "pyo3 0.30 does not embed a free-threaded CPython below {}.{} (its build script \
             stops: \"PyO3 does not support the free-threaded build of CPython versions below \
             3.14\"); {} runs as a subprocess only",
            FREE_THREADED_FROM.0,
            FREE_THREADED_FROM.1,
            found.build_name()
        )));
    }
    let mut vars = match debian_root(&found.executable) {
        None => vec![(
            "PYO3_PYTHON".to_string(),
            found.executable.display().to_string(),
        )],
        Some(debian) => {
            let say = Say {
                log: say_to.clone(),
                started: std::time::Instant::now(),
            };
            binary_root_vars(found, &debian, cache, &say)?
        }
    };
    // Compiled in (paths::venv_dir), relative to the checkout: the venv `--build` filled,
    // whatever a test does to PYPROOF_VENV.
    let checkout = paths::project_root();
    let venv = venv_for(found, None).dir;
    let venv = venv
        .strip_prefix(&checkout)
        .map(Path::to_path_buf)
        .unwrap_or(venv);
    vars.push(("PYPROOF_EMBED_VENV".to_string(), venv.display().to_string()));
    vars.push((
        "CARGO_TARGET_DIR".to_string(),
        checkout
            .join("target")
            .join(format!("embed-{}", found.build_name()))
            .display()
            .to_string(),
    ));
    Ok(vars)
}

/// A build installed from Debian's binaries (see [`super::binary`]).
struct DebianRoot {
    /// `<cache>/cpython-3.X`, holding `bin/` and `root/`.
    prefix: PathBuf,
    /// The unpacked packages.
    root: PathBuf,
    /// The root's dynamic loader.
    loader: PathBuf,
    /// The loader's directory, where the root's libraries are.
    lib_dir: PathBuf,
}

/// The Debian binary build `executable` belongs to, or None for any other interpreter. Its
/// executable resolves into `<prefix>/root/usr/bin/`; the root is known by its own dynamic
/// loader (a home directory called `/root` has none) and `<prefix>/bin`.
fn debian_root(executable: &Path) -> Option<DebianRoot> {
    executable.ancestors().find_map(|a| {
        let prefix = a.parent()?;
        if a.file_name()? != "root" || !prefix.join("bin").is_dir() {
            return None;
        }
        let loader = find_loader(a)?;
        Some(DebianRoot {
            prefix: prefix.to_path_buf(),
            root: a.to_path_buf(),
            lib_dir: loader.parent()?.to_path_buf(),
            loader,
        })
    })
}

/// The variables of a Debian binary build: its libpython fetched if missing, the pyo3
/// configuration written, the linker pointed at the root.
fn binary_root_vars(
    found: &Found,
    debian: &DebianRoot,
    cache: &Path,
    say: &Say,
) -> Result<Vec<Var>, BuildError> {
    let DebianRoot {
        prefix,
        root,
        loader,
        lib_dir,
    } = debian;
    let minor = found.version.1;
    let soname = format!("libpython3.{minor}.so.1.0");
    if !lib_dir.join(&soname).is_file() {
        fetch_libpython(found, root, lib_dir, cache, say)?;
    }
    let embed = prefix.join("embed");
    let lib = embed.join("lib");
    fs::create_dir_all(&lib).map_err(io(format!("creating {}", lib.display())))?;
    let link = lib.join(format!("libpython3.{minor}.so"));
    let _ = fs::remove_file(&link);
    std::os::unix::fs::symlink(lib_dir.join(&soname), &link)
        .map_err(io(format!("linking {}", link.display())))?;
    let config = embed.join("pyo3-config.txt");
    write_whole(&config, &pyo3_config(found, &lib))?;
    let link = |arg: String| format!("-C link-arg=-Wl,{arg}");
    let rustflags = [
        link(format!("-rpath-link,{}", lib_dir.display())),
        link("--allow-shlib-undefined".to_string()),
        link(format!("--dynamic-linker={}", loader.display())),
        // DT_RPATH, not DT_RUNPATH: an executable's RPATH also serves its libraries'
        // lookups, so libpython's own libexpat, libz… come from the root too (a RUNPATH
        // serves only the executable's direct needs: libpython then got the machine's
        // older libexpat and stopped on "undefined symbol: XML_SetReparseDeferralEnabled").
        link("--disable-new-dtags".to_string()),
        link(format!("-rpath,{}", lib_dir.display())),
    ]
    .join(" ");
    Ok(vec![
        ("PYO3_CONFIG_FILE".to_string(), config.display().to_string()),
        (
            "PYO3_PYTHON".to_string(),
            found.executable.display().to_string(),
        ),
        ("RUSTFLAGS".to_string(), rustflags),
    ])
}

/// pyo3's configuration file for `found`, linking `libpython3.X` from `lib_dir`.
pub fn pyo3_config(found: &Found, lib_dir: &Path) -> String {
    let (major, minor, _) = found.version;
    let abi = if found.free_threaded {
        "gil_disabled"
    } else {
        "gil_enabled"
    };
    let t = if found.free_threaded { "t" } else { "" };
    format!(
        "implementation=CPython\nversion={major}.{minor}\nshared=true\n\
         target_abi=CPython-{abi}-{major}.{minor}\nlib_name=python{major}.{minor}{t}\n\
         lib_dir={}\nexecutable={}\npointer_width=64\nbuild_flags=\n\
         python_framework_prefix=\nsuppress_build_script_link_lines=false\n",
        lib_dir.display(),
        found.executable.display()
    )
}

/// `export NAME='value'` lines for a POSIX shell (`eval "$(pyproof pythons --embed 3.15)"`).
pub fn exports(vars: &[Var]) -> String {
    vars.iter()
        .map(|(k, v)| format!("export {k}='{}'\n", v.replace('\'', r"'\''")))
        .collect()
}

/// Writes `path` through a temporary file renamed over it: never half-written.
fn write_whole(path: &Path, text: &str) -> Result<(), BuildError> {
    let tmp = path.with_extension("tmp");
    fs::write(&tmp, text).map_err(io(format!("writing {}", tmp.display())))?;
    fs::rename(&tmp, path).map_err(io(format!("renaming {}", tmp.display())))
}

/// Downloads Debian's `libpython3.X` (checked by apt against the signed index; its upstream
/// version must be `found`'s) and moves its shared library into the root's `lib_dir`.
fn fetch_libpython(
    found: &Found,
    root: &Path,
    lib_dir: &Path,
    cache: &Path,
    say: &Say,
) -> Result<(), BuildError> {
    use super::apt::{Index, PrivateApt};
    let target = Target {
        minor: found.version.1,
        free_threaded: found.free_threaded,
    };
    let work = cache.join(format!("build-{}", target.tag()));
    let package = format!("lib{}", target.package());
    say.line(&format!(
        "{} has no libpython: fetching Debian's {package}",
        root.display()
    ));
    let apt = PrivateApt::update(&work, Index::Binaries, say)?;
    let debs = work.join("debs-embed");
    let _ = fs::remove_dir_all(&debs);
    fs::create_dir_all(&debs).map_err(io(format!("creating {}", debs.display())))?;
    let mut download = apt.cmd("apt-get");
    download.current_dir(&debs).args(["download", &package]);
    apt.run("apt-get download", download, Duration::from_secs(600))?;
    let deb = fs::read_dir(&debs)
        .map_err(io(format!("reading {}", debs.display())))?
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "deb"))
        .ok_or_else(|| BuildError::Source(format!("apt-get downloaded no {package}")))?;
    let mut field = std::process::Command::new("dpkg-deb");
    field.args(["-f"]).arg(&deb).arg("Version");
    let version = super::step(
        "dpkg-deb -f",
        field,
        Duration::from_secs(60),
        &apt.log_file,
        None,
    )?;
    let upstream = version.trim().split('-').next().unwrap_or("").to_string();
    if upstream != found.version_text() {
        return Err(BuildError::Source(format!(
            "the mirror's {package} is {} but the interpreter is {}: rebuild it (delete {} \
             and run pythons --build {})",
            version.trim(),
            found.version_text(),
            root.parent().unwrap_or(root).display(),
            target.tag()
        )));
    }
    let unpacked = work.join("embed-unpacked");
    let _ = fs::remove_dir_all(&unpacked);
    let mut x = std::process::Command::new("dpkg-deb");
    x.arg("-x").arg(&deb).arg(&unpacked);
    super::step(
        "dpkg-deb -x",
        x,
        Duration::from_secs(300),
        &apt.log_file,
        None,
    )?;
    let rel = lib_dir
        .strip_prefix(root)
        .map_err(|_| BuildError::Source("the loader is outside the root".into()))?;
    let from = unpacked.join(rel);
    let mut moved = 0;
    let mut names: Vec<PathBuf> = fs::read_dir(&from)
        .map_err(io(format!("reading {}", from.display())))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("libpython"))
        })
        .collect();
    // The real file before the links to it: a stop in between leaves a library, not a
    // dangling link.
    names.sort_by_key(|p| p.is_symlink());
    for p in names {
        let name = p.file_name().unwrap_or_default();
        fs::rename(&p, lib_dir.join(name)).map_err(io(format!("moving {}", p.display())))?;
        moved += 1;
    }
    let _ = fs::remove_dir_all(&unpacked);
    say.line(&format!(
        "{package} {} unpacked into the root ({moved} files)",
        version.trim()
    ));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(executable: &Path, version: (u32, u32, u32), free_threaded: bool) -> Found {
        Found {
            version,
            free_threaded,
            gil_enabled: !free_threaded,
            executable: executable.to_path_buf(),
        }
    }

    #[test]
    fn pyo3s_configuration_names_the_library_and_the_abi() {
        let f = found(
            Path::new("/c/cpython-3.15/bin/python3.15"),
            (3, 15, 2),
            false,
        );
        let text = pyo3_config(&f, Path::new("/c/cpython-3.15/embed/lib"));
        assert!(text.contains("version=3.15\n"), "{text}");
        assert!(
            text.contains("target_abi=CPython-gil_enabled-3.15\n"),
            "{text}"
        );
        assert!(text.contains("lib_name=python3.15\n"), "{text}");
        assert!(
            text.contains("lib_dir=/c/cpython-3.15/embed/lib\n"),
            "{text}"
        );
        assert!(
            text.contains("executable=/c/cpython-3.15/bin/python3.15\n"),
            "{text}"
        );
        let t = pyo3_config(&found(Path::new("/p"), (3, 15, 2), true), Path::new("/l"));
        assert!(t.contains("target_abi=CPython-gil_disabled-3.15\nlib_name=python3.15t\n"));
    }

    #[test]
    fn exports_quote_for_a_posix_shell() {
        let vars = vec![
            ("A".to_string(), "/x y/z".to_string()),
            ("B".to_string(), "it's".to_string()),
        ];
        assert_eq!(exports(&vars), "export A='/x y/z'\nexport B='it'\\''s'\n");
    }

    #[test]
    fn a_free_threaded_build_below_314_is_refused_with_pyo3s_reason() {
        let f = found(Path::new("/c/python3.13t"), (3, 13, 15), true);
        let log: pyproof_proc::process::LineSink = std::sync::Arc::new(|_, _| {});
        let e = prepare(&f, Path::new("/nonexistent"), &log).expect_err("refused");
        assert!(e.to_string().contains("below 3.14"), "{e}");
    }

    #[test]
    fn a_plain_build_needs_only_pyo3_python_and_a_binary_root_points_cargo_at_its_loader() {
        let dir = tempfile::tempdir().expect("tempdir");
        let log: pyproof_proc::process::LineSink = std::sync::Arc::new(|_, _| {});
        // pyenv's or a source build: no root beside bin/.
        let plain = dir.path().join("plain").join("bin").join("python3.13");
        fs::create_dir_all(plain.parent().expect("bin")).expect("mkdir");
        let vars = prepare(&found(&plain, (3, 13, 15), false), dir.path(), &log).expect("vars");
        let names: Vec<&str> = vars.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            names,
            ["PYO3_PYTHON", "PYPROOF_EMBED_VENV", "CARGO_TARGET_DIR"]
        );
        assert_eq!(vars[1].1, ".venvs/3.13.15");
        assert!(vars[2].1.ends_with("target/embed-3.13.15"), "{vars:?}");
        // Debian's binary: a root with its loader and libpython already there (no fetch).
        let prefix = dir.path().join("cpython-3.15");
        let libs = prefix.join("root/usr/lib/x86_64-linux-gnu");
        fs::create_dir_all(&libs).expect("mkdir");
        fs::create_dir_all(prefix.join("bin")).expect("mkdir");
        fs::write(libs.join("ld-linux-x86-64.so.2"), "").expect("w");
        fs::write(libs.join("libpython3.15.so.1.0"), "").expect("w");
        // As probed: sys.executable resolves into the root.
        let exe = prefix.join("root/usr/bin/python3.15");
        let vars = prepare(&found(&exe, (3, 15, 2), false), dir.path(), &log).expect("vars");
        let get = |k: &str| {
            vars.iter()
                .find(|(n, _)| n.as_str() == k)
                .map(|(_, v)| v.clone())
                .unwrap_or_else(|| panic!("{k} missing from {vars:?}"))
        };
        let flags = get("RUSTFLAGS");
        for arg in [
            format!("-rpath-link,{}", libs.display()),
            "--allow-shlib-undefined".to_string(),
            "--disable-new-dtags".to_string(),
            format!(
                "--dynamic-linker={}",
                libs.join("ld-linux-x86-64.so.2").display()
            ),
            format!("-rpath,{}", libs.display()),
        ] {
            assert!(
                flags.contains(&format!("-C link-arg=-Wl,{arg}")),
                "{arg} missing from {flags}"
            );
        }
        let config = fs::read_to_string(get("PYO3_CONFIG_FILE")).expect("config written");
        assert!(config.contains(&format!("lib_dir={}\n", prefix.join("embed/lib").display())));
        assert_eq!(
            fs::read_link(prefix.join("embed/lib/libpython3.15.so")).expect("link"),
            libs.join("libpython3.15.so.1.0")
        );
        assert!(get("CARGO_TARGET_DIR").ends_with("target/embed-3.15.2"));
    }
}
