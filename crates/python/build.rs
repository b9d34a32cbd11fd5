//! Links the binaries against the libpython pyo3 was configured with (rpath), and records
//! that interpreter so the .venv is made from the very same Python.

fn main() {
    // Without the rpath the loader may pick Debian's libpython3.x instead of the one whose
    // headers pyo3 used, and the embedded interpreter then runs with a mismatched stdlib.
    pyo3_build_config::add_libpython_rpath_link_args();
    let config = pyo3_build_config::get();
    if let Some(exe) = config.executable() {
        println!("cargo:rustc-env=PYPROOF_BUILD_PYTHON={exe}");
    }
    let version = config.version();
    println!(
        "cargo:rustc-env=PYPROOF_BUILD_PYTHON_VERSION={}.{}",
        version.major, version.minor
    );
    println!("cargo:rerun-if-env-changed=PYO3_PYTHON");
}
