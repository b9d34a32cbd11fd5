//! Links against pyo3's libpython (see crates/python/link_libpython.rs), and records the
//! compiler that builds polars here (`PYPROOF_RUSTC`): the run sets it beside the compiler of
//! the polars wheel it also measures, since the two builds differ in speed.

fn main() {
    pyo3_build_config::add_libpython_rpath_link_args();
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
}
