//! The cold start of the fastest proof: what `cargo run --release --example gil_contention`
//! costs on a fresh clone — compiling from an empty target directory, creating `.venv`, and
//! the run itself — as `pyproof cold-start` measured it. The record is committed beside the
//! report (`docs/report/cold-start.json`) and the README's block is generated from it, so the
//! cold time the README quotes is a figure a command produced, never one typed by hand.

use pyproof_harness::Host;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Where the committed record lives, relative to the repository root.
pub const FILE: &str = "docs/report/cold-start.json";

/// The schema of the record; bumped when a field changes meaning.
pub const SCHEMA: u32 = 1;

/// One measured cold start.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColdStart {
    /// [`SCHEMA`].
    pub schema: u32,
    /// The example run (`gil_contention`).
    pub example: String,
    /// The commit the fresh clone checked out.
    pub commit: String,
    /// When it was measured (UTC, RFC 3339).
    pub date_utc: String,
    /// The machine.
    pub host: Host,
    /// `rustc --version`.
    pub rustc: String,
    /// Seconds of `cargo build --release --example <example>` from an empty target directory.
    pub build_s: f64,
    /// Crates cargo compiled for it.
    pub crates_compiled: usize,
    /// Seconds of the first `cargo run --release --example <example>` after the build: creating
    /// `.venv` and the run.
    pub first_run_s: f64,
    /// The run's own seconds, as its results file records them (`duration_s`).
    pub run_s: f64,
    /// Whether cargo's download cache already held the crates (downloads not counted).
    pub cargo_cache_warm: bool,
    /// Whether pip's cache already held the wheels (downloads not counted).
    pub pip_cache_warm: bool,
    /// The verdicts of the run, "(a) Confirmed", in the order declared.
    pub verdicts: Vec<String>,
}

impl ColdStart {
    /// Everything a user waits for: the build and the first run.
    pub fn total_s(&self) -> f64 {
        self.build_s + self.first_run_s
    }

    /// The first run's seconds beyond the run itself: creating `.venv`, starting up.
    pub fn setup_s(&self) -> f64 {
        (self.first_run_s - self.run_s).max(0.0)
    }
}

/// The committed record's path under `root`.
pub fn path(root: &Path) -> PathBuf {
    root.join(FILE)
}

/// The committed record under `root`: `None` when there is none, an error when it is there
/// but unreadable.
pub fn load(root: &Path) -> Result<Option<ColdStart>, String> {
    let p = path(root);
    match std::fs::read_to_string(&p) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("cannot read {}: {e}", p.display())),
        Ok(text) => {
            let c: ColdStart = serde_json::from_str(&text)
                .map_err(|e| format!("{} is not a cold-start record: {e}", p.display()))?;
            if c.schema != SCHEMA {
                return Err(format!(
                    "{} has schema {}, this pyproof reads {SCHEMA}: run `pyproof cold-start` again",
                    p.display(),
                    c.schema
                ));
            }
            Ok(Some(c))
        }
    }
}

fn minutes(s: f64) -> String {
    if s >= 90.0 {
        format!("{:.1} min", s / 60.0)
    } else {
        format!("{s:.0} s")
    }
}

/// The README's block: the measured cold time, what it is made of, and what it leaves out.
pub fn block(c: &ColdStart) -> String {
    let caches = match (c.cargo_cache_warm, c.pip_cache_warm) {
        (true, true) => {
            " Crates and wheels came from the machine's download caches: a machine that must \
             download them also waits for the network."
        }
        (true, false) => " Crates came from cargo's download cache (downloads not counted).",
        (false, true) => " Wheels came from pip's cache (downloads not counted).",
        (false, false) => "",
    };
    format!(
        "Measured by `pyproof cold-start` from a fresh clone of {} on {} ({} of {} cores, {}), \
         {}: `cargo run --release --example {}` took **{}** in all — {} compiling {} crates \
         from an empty target directory, then {} creating `.venv` and starting, and {} for the \
         run itself ({}).{caches}",
        c.commit.get(..12).unwrap_or(&c.commit),
        c.host.cpu_model,
        c.host.cores_available,
        c.host.cores_online,
        c.rustc,
        c.date_utc.get(..10).unwrap_or(&c.date_utc),
        c.example,
        minutes(c.total_s()),
        minutes(c.build_s),
        c.crates_compiled,
        minutes(c.setup_s()),
        minutes(c.run_s),
        if c.verdicts.is_empty() {
            "no verdict".to_string()
        } else {
            format!("{} verdicts", c.verdicts.len())
        }
    )
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A made-up record.
    pub(crate) fn made_up() -> ColdStart {
        ColdStart {
            schema: SCHEMA,
            example: "gil_contention".into(),
            commit: "0123456789abcdef0123".into(),
            date_utc: "2026-11-30T17:00:00Z".into(),
            host: Host {
                cores_available: 2,
                cores_online: 2,
                cpu_model: "Test CPU".into(),
                os: "Debian".into(),
                kernel: "6".into(),
                memory_mib: 1024,
            },
            rustc: "rustc 1.95.0".into(),
            build_s: 300.0,
            crates_compiled: 120,
            first_run_s: 150.0,
            run_s: 120.0,
            cargo_cache_warm: true,
            pip_cache_warm: false,
            verdicts: vec!["(a) Confirmed".into(), "(b) Nuanced".into()],
        }
    }

    #[test]
    fn the_block_adds_up_what_a_user_waits_for() {
        let c = made_up();
        assert_eq!(c.total_s(), 450.0);
        assert_eq!(c.setup_s(), 30.0);
        assert_eq!(
            block(&c),
            "Measured by `pyproof cold-start` from a fresh clone of 0123456789ab on Test CPU \
             (2 of 2 cores, rustc 1.95.0), 2026-11-30: `cargo run --release --example \
             gil_contention` took **7.5 min** in all — 5.0 min compiling 120 crates from an \
             empty target directory, then 30 s creating `.venv` and starting, and 2.0 min for \
             the run itself (2 verdicts). Crates came from cargo's download cache (downloads \
             not counted)."
        );
        let none = ColdStart {
            cargo_cache_warm: false,
            verdicts: vec![],
            run_s: 200.0,
            ..c
        };
        assert!(block(&none).ends_with("the run itself (no verdict)."));
        assert_eq!(none.setup_s(), 0.0, "never negative");
    }

    #[test]
    fn a_record_round_trips_and_a_bad_one_is_named() {
        let dir = tempfile::tempdir().expect("tempdir");
        assert_eq!(load(dir.path()), Ok(None));
        let p = path(dir.path());
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(&p, serde_json::to_string(&made_up()).expect("json")).expect("write");
        assert_eq!(load(dir.path()), Ok(Some(made_up())));
        std::fs::write(&p, "{").expect("write");
        assert!(
            load(dir.path())
                .expect_err("corrupt")
                .contains("is not a cold-start record")
        );
        let old = ColdStart {
            schema: 0,
            ..made_up()
        };
        std::fs::write(&p, serde_json::to_string(&old).expect("json")).expect("write");
        assert!(load(dir.path()).expect_err("old").contains("schema 0"));
    }
}
