//! Links against pyo3's libpython (see crates/python/link_libpython.rs), and records the
//! locked versions of the Rust libraries the outcome names (the crates do not export their
//! own version): `PYPROOF_VERSION_<NAME>` from the workspace's Cargo.lock.

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
    let lock = Path::new(&manifest).join("../../../Cargo.lock");
    println!("cargo:rerun-if-changed={}", lock.display());
    let text = std::fs::read_to_string(&lock).unwrap_or_default();
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
