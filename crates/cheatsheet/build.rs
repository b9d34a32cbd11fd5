//! Links this crate's test binaries against pyo3's libpython (see crates/python/build.rs).

fn main() {
    pyo3_build_config::add_libpython_rpath_link_args();
}
