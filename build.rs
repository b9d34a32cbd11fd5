//! Links the CLI, examples, tests and benches against pyo3's libpython (see
//! crates/python/build.rs for why the rpath matters).

fn main() {
    pyo3_build_config::add_libpython_rpath_link_args();
}
