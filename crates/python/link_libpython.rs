//! The build script of every experiment crate that embeds CPython: links its library users,
//! examples, tests and benches against the libpython pyo3 was configured with (an rpath, so
//! the loader cannot pick another libpython3.x with a mismatched stdlib; see build.rs here).

fn main() {
    pyo3_build_config::add_libpython_rpath_link_args();
}
