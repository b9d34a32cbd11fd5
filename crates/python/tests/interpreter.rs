//! The embedded interpreter, the native module and the venv, exercised for real.

use pyo3::prelude::*;
use pyproof_python::venv::{self, VenvSpec, VenvStatus};
use pyproof_python::{
    Interpreter, NativePart, PythonError, RunOptions, add_part, python_command, run_measured,
};
use std::sync::Arc;
use std::time::Duration;

fn interp() -> &'static Interpreter {
    Interpreter::get().expect("the embedded interpreter starts")
}

#[test]
fn starts_from_the_venv_with_a_real_executable() {
    let it = interp();
    let (prefix, executable, on_path): (String, String, bool) = it.attach(|py| {
        let sys = py.import("sys").expect("sys");
        let path: Vec<String> = sys.getattr("path").and_then(|p| p.extract()).expect("path");
        (
            sys.getattr("prefix")
                .and_then(|p| p.extract())
                .expect("prefix"),
            sys.getattr("executable")
                .and_then(|p| p.extract())
                .expect("executable"),
            path.contains(&it.python_dir.to_string_lossy().into_owned()),
        )
    });
    assert_eq!(
        std::fs::canonicalize(prefix).expect("prefix exists"),
        std::fs::canonicalize(&it.venv).expect("venv exists")
    );
    assert_eq!(std::path::PathBuf::from(executable), it.executable);
    assert!(on_path, "python/ is on sys.path");
    let info = it.info().expect("info");
    assert_eq!(info.implementation, "cpython");
    assert_eq!(info.build, "GIL");
}

#[test]
fn native_parts_are_installed_before_and_after_the_first_import() {
    fn add_one(m: &Bound<'_, PyModule>) -> PyResult<()> {
        m.add("part_one", 1)
    }
    fn add_two(m: &Bound<'_, PyModule>) -> PyResult<()> {
        m.add("part_two", 2)
    }
    static ONE: NativePart = NativePart {
        name: "test_one",
        add: add_one,
    };
    static TWO: NativePart = NativePart {
        name: "test_two",
        add: add_two,
    };
    add_part(&ONE).expect("before the import");
    let read = |name: &str| {
        interp().attach(|py| {
            let m = py.import("pyproof_native").expect("pyproof_native imports");
            m.getattr(name)
                .ok()
                .map(|v| v.extract::<i64>().expect("an int"))
        })
    };
    assert_eq!(read("part_one"), Some(1));
    assert_eq!(read("part_two"), None);
    add_part(&TWO).expect("after the import");
    add_part(&TWO).expect("twice is once");
    assert_eq!(read("part_two"), Some(2));
}

#[test]
fn a_missing_module_is_a_missing_package_error() {
    let it = interp();
    let err = it.attach(|py| it.import(py, "pyproof_surely_not_installed").unwrap_err());
    assert!(
        matches!(&err, PythonError::MissingPackage { package, .. } if package == "pyproof_surely_not_installed"),
        "{err}"
    );
}

#[test]
fn python_exceptions_become_one_line_errors() {
    let it = interp();
    let err = it.attach(|py| {
        let e = py.run(c"1/0", None, None).unwrap_err();
        pyproof_python::py_error(py, e, "dividing")
    });
    assert_eq!(
        err.to_string(),
        "dividing: ZeroDivisionError: division by zero (<string>:1)"
    );
}

#[test]
fn the_venv_is_made_from_the_interpreter_pyo3_embeds() {
    // base_python() is what pyo3's build chose (PYO3_PYTHON), not whatever python3 is first
    // on PATH: the two agree on the version the embedded interpreter runs.
    let embedded = interp().info().expect("info").version;
    let base = match pyproof_python::pythons::probe(&pyproof_python::base_python()) {
        pyproof_python::pythons::Probe::Usable(f) => f,
        other => panic!("{other:?}"),
    };
    assert!(
        embedded.starts_with(&format!("{} ", base.version_text())),
        "embedded {embedded}, venv made from {}",
        base.version_text()
    );
}

#[test]
fn pinned_packages_are_reported_with_their_versions() {
    let versions = interp().package_versions().expect("versions");
    let requirements =
        std::fs::read_to_string(pyproof_python::paths::requirements_file()).expect("requirements");
    let embedded = pyproof_python::pythons::embedded_executable().expect("embedded python");
    let found = match pyproof_python::pythons::probe(&embedded) {
        pyproof_python::pythons::Probe::Usable(f) => f,
        other => panic!("{other:?}"),
    };
    for line in venv::requirement_lines(&requirements) {
        let (line, holds) = venv::requirement_for(line, (found.version.0, found.version.1));
        if !holds {
            continue;
        }
        let (name, version) = line
            .split_once("==")
            .expect("every requirement is pinned with ==");
        assert_eq!(
            versions.get(name).map(String::as_str),
            Some(version),
            "{name}"
        );
    }
}

#[test]
fn a_subprocess_reports_its_peak_anonymous_memory() {
    // 256 MiB, every page touched: the sampled peak of anonymous memory must see it.
    let mut cmd = python_command(interp());
    cmd.args([
        "-c",
        "import time; b = bytearray(256 << 20); time.sleep(0.3); print(len(b))",
    ]);
    let r = run_measured(cmd, &RunOptions::new("allocator", Duration::from_secs(60)))
        .expect("runs")
        .check()
        .expect("succeeds");
    assert_eq!(r.stdout.trim(), (256u64 << 20).to_string());
    assert!(
        r.peak_anon_kib >= 256 * 1024,
        "peak anon {} KiB",
        r.peak_anon_kib
    );
    assert!(r.peak_hwm_kib >= r.peak_anon_kib);
    assert!(
        r.max_rss_kib >= 256 * 1024,
        "ru_maxrss {} KiB",
        r.max_rss_kib
    );
    assert!(r.peak_group_anon_kib >= r.peak_anon_kib);
}

#[test]
fn venv_bootstrap_is_idempotent_and_notices_a_changed_requirements_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let requirements = dir.path().join("requirements.txt");
    std::fs::write(&requirements, "# nothing to install yet\n").expect("write");
    let spec = VenvSpec {
        dir: dir.path().join("venv"),
        requirements: requirements.clone(),
        base_python: pyproof_python::base_python(),
    };
    let quiet: pyproof_proc::process::LineSink = Arc::new(|_, _| {});
    assert_eq!(
        venv::ensure(&spec, &quiet).expect("create"),
        VenvStatus::Created
    );
    assert_eq!(
        venv::ensure(&spec, &quiet).expect("again"),
        VenvStatus::UpToDate
    );
    std::fs::write(&requirements, "# changed\n").expect("write");
    assert_eq!(
        venv::ensure(&spec, &quiet).expect("update"),
        VenvStatus::Updated
    );
    assert_eq!(
        venv::ensure(&spec, &quiet).expect("again"),
        VenvStatus::UpToDate
    );
    // A broken venv (its interpreter gone) is recreated, not trusted.
    std::fs::remove_file(spec.python()).expect("break it");
    assert_eq!(
        venv::ensure(&spec, &quiet).expect("recreate"),
        VenvStatus::Created
    );
}

#[test]
fn a_missing_base_python_is_a_clear_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let requirements = dir.path().join("requirements.txt");
    std::fs::write(&requirements, "").expect("write");
    let spec = VenvSpec {
        dir: dir.path().join("venv"),
        requirements,
        base_python: dir.path().join("no-python-here"),
    };
    let quiet: pyproof_proc::process::LineSink = Arc::new(|_, _| {});
    let err = venv::ensure(&spec, &quiet).unwrap_err();
    assert!(matches!(err, PythonError::NoPython { .. }), "{err}");
    assert!(err.to_string().starts_with("no usable Python at "), "{err}");
}

#[test]
fn a_python_older_than_3_9_is_refused_by_name() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tempdir");
    // A stand-in interpreter that answers the version probe like Python 3.8 would.
    let fake = dir.path().join("python3.8");
    std::fs::write(&fake, "#!/bin/sh\necho 3 8 /opt/python3.8\n").expect("write");
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let requirements = dir.path().join("requirements.txt");
    std::fs::write(&requirements, "").expect("write");
    let spec = VenvSpec {
        dir: dir.path().join("venv"),
        requirements,
        base_python: fake.clone(),
    };
    let quiet: pyproof_proc::process::LineSink = Arc::new(|_, _| {});
    let err = venv::ensure(&spec, &quiet).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "Python at {} is 3.8; pyproof needs CPython 3.9 or newer",
            fake.display()
        )
    );
    assert!(!spec.dir.exists(), "nothing was created");
    assert!(
        !spec.dir.with_extension("lock").exists(),
        "not even a lock file"
    );
}
