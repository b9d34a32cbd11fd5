//! Links this crate's test binaries against pyo3's libpython (see crates/python/build.rs), and
//! records the locked versions of the Rust libraries the experiments report (the crates do
//! not export their own version): `PYPROOF_VERSION_<NAME>` from the workspace's Cargo.lock;
//! and the compiler that builds them (`PYPROOF_RUSTC`), which dataframe_memory sets beside
//! the compiler of the polars wheel it also measures.

use std::path::Path;

/// The crates whose versions an outcome names.
const REPORTED: [&str; 6] = [
    "image",
    "rayon",
    "zune-jpeg",
    "png",
    "fast_image_resize",
    "jpeg-encoder",
];

fn main() {
    pyo3_build_config::add_libpython_rpath_link_args();
    let manifest = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default();
    let lock = Path::new(&manifest).join("../../Cargo.lock");
    println!("cargo:rerun-if-changed={}", lock.display());
    let text = std::fs::read_to_string(&lock).unwrap_or_default();
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_string());
    let version = std::process::Command::new(rustc)
        .arg("--version")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "unknown".to_string());
    println!("cargo:rustc-env=PYPROOF_RUSTC={version}");
    for name in REPORTED {
        let version = locked_version(&text, name).unwrap_or_else(|| "unknown".to_string());
        let key = name.to_uppercase().replace('-', "_");
        println!("cargo:rustc-env=PYPROOF_VERSION_{key}={version}");
    }
}

/// The version of the first package called `name` in a Cargo.lock.
fn locked_version(lock: &str, name: &str) -> Option<String> {
    let needle = format!("name = \"{name}\"\n");
    let at = lock.find(&needle)? + needle.len();
    let line = lock[at..].lines().next()?;
    Some(
        line.strip_prefix("version = \"")?
            .trim_end_matches('"')
            .to_string(),
    )
}
