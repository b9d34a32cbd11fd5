//! Where a thumbnail's time goes: each stage (decode, resize, blur, encode) timed per image on
//! one thread, in Pillow and in Rust, over the same corpus.
//!
//! The executor matrix says how fast each pipeline runs; this says why. It also bounds what
//! any Rust pipeline with these codecs can reach: decoding and encoding cannot be skipped, so
//! even with a free resize and blur, Rust's images/s on `cores` threads cannot exceed
//! `cores × efficiency / (decode + encode)` — set beside the best Python path in the
//! performance-target note.
//!
//! Python: `python -m pyproof image_parallelism stages PACK [--count N]`; Rust: this binary
//! re-executed with `PYPROOF_WORKER=images` and the same arguments. Both print one
//! [`StageReport`]. A first pass over a few images is untimed (imports, first allocations).

use super::corpus::read_pack;
use super::pipeline::{Stage, thumbnail_timed};
use super::worker::rust_libraries;
use pyproof_harness::ExperimentError;
use pyproof_harness::{Measurement, Outcome, Table, format_number, median};
use pyproof_python::{RunOptions, run_measured};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

/// Images run untimed before the profile.
pub const WARM_UP: usize = 16;

/// One pipeline's stage profile over the first images of a pack.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StageReport {
    /// `pillow` or `rust`.
    pub pipeline: String,
    /// Per input format (`jpeg`, `png`, `other`): images that came out, and the seconds spent
    /// in each stage over them.
    pub formats: BTreeMap<String, FormatStages>,
    /// Images that could not be decoded (not in any stage's time).
    pub skipped: u64,
    /// Library versions.
    #[serde(default)]
    pub library: BTreeMap<String, String>,
}

/// The stages of one input format.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FormatStages {
    /// Images of this format that went through every stage.
    pub images: u64,
    /// Seconds per stage name (`decode`, `resize`, `blur`, `encode`), summed over them.
    pub seconds: BTreeMap<String, f64>,
}

impl StageReport {
    /// Images that went through every stage.
    pub fn images(&self) -> u64 {
        self.formats.values().map(|f| f.images).sum()
    }

    /// Mean seconds per image of `stage`, over every format (weighted by count).
    pub fn per_image(&self, stage: Stage) -> f64 {
        let total: f64 = self
            .formats
            .values()
            .map(|f| f.seconds.get(stage.name()).copied().unwrap_or(0.0))
            .sum();
        total / self.images().max(1) as f64
    }

    /// Mean seconds per image of `stage` for one input format, if any image had it.
    pub fn per_image_of(&self, format: &str, stage: Stage) -> Option<f64> {
        let f = self.formats.get(format).filter(|f| f.images > 0)?;
        Some(f.seconds.get(stage.name()).copied().unwrap_or(0.0) / f.images as f64)
    }
}

/// The input format of an encoded image, from its first bytes.
pub fn format_of(bytes: &[u8]) -> &'static str {
    if bytes.starts_with(&[0xff, 0xd8]) {
        "jpeg"
    } else if bytes.starts_with(b"\x89PNG") {
        "png"
    } else {
        "other"
    }
}

/// Images a stage profile runs over (the pack's first): µs per image is a mean, and 250
/// images (half the default corpus, a quarter of the full scale's) give it within a few per
/// cent of 1,000 (the JPEG / PNG mix and a damaged file included) in a quarter of the time.
pub const PROFILE_IMAGES: u64 = 250;

/// Profiles the Rust thumbnail over the first `count` images of `pack`, on this thread.
pub fn profile_rust(pack: &Path, count: u64) -> Result<StageReport, ExperimentError> {
    let images = read_pack(pack, count)?;
    for bytes in images.iter().take(WARM_UP) {
        let _ = thumbnail_timed(bytes);
    }
    let mut report = StageReport {
        pipeline: "rust".to_string(),
        library: rust_libraries(),
        ..StageReport::default()
    };
    for bytes in &images {
        let (out, seconds) = thumbnail_timed(bytes);
        if out.is_err() {
            report.skipped += 1;
            continue;
        }
        let f = report
            .formats
            .entry(format_of(bytes).to_string())
            .or_default();
        f.images += 1;
        for stage in Stage::ALL {
            *f.seconds.entry(stage.name().to_string()).or_default() += seconds[stage as usize];
        }
    }
    Ok(report)
}

/// The worker's `stages <pack> [--count N]`: the Rust profile as JSON, or a one-line error.
pub fn run_worker(args: &[String]) -> Result<String, String> {
    let usage = "usage: PYPROOF_WORKER=images <binary> stages <pack> [--count N]";
    let (pack, count) = match args {
        [pack] => (pack, u64::MAX),
        [pack, flag, n] if flag == "--count" => (
            pack,
            n.parse()
                .ok()
                .filter(|&n: &u64| n > 0)
                .ok_or("--count needs a positive number")?,
        ),
        _ => return Err(usage.to_string()),
    };
    let report = profile_rust(Path::new(pack), count).map_err(|e| e.to_string())?;
    serde_json::to_string(&report).map_err(|e| e.to_string())
}

/// Runs one pipeline's profile (`pillow` or `rust`) in a fresh process.
pub fn run_profile(
    pipeline: &str,
    pack: &Path,
    count: u64,
    timeout: Duration,
) -> Result<StageReport, ExperimentError> {
    let mut cmd = super::worker_command(pipeline == "rust")?;
    cmd.arg("stages")
        .arg(pack)
        .args(["--count", &count.to_string()]);
    let what = format!("the {pipeline} stage profile");
    let report = run_measured(cmd, &RunOptions::new(what.clone(), timeout))?.check()?;
    let line = report.stdout.lines().last().unwrap_or("");
    let parsed: StageReport = serde_json::from_str(line)
        .map_err(|e| ExperimentError::Inconsistent(format!("{what}: unreadable report ({e})")))?;
    if parsed.pipeline != pipeline {
        return Err(ExperimentError::Inconsistent(format!(
            "{what}: the report is of '{}'",
            parsed.pipeline
        )));
    }
    Ok(parsed)
}

/// The profiles of every round, per pipeline.
#[derive(Debug, Clone, Default)]
pub struct Profiles {
    /// Pillow's, one per round.
    pub pillow: Vec<StageReport>,
    /// Rust's, one per round.
    pub rust: Vec<StageReport>,
}

/// Median over rounds of a per-round figure.
fn med(reports: &[StageReport], f: impl Fn(&StageReport) -> Option<f64>) -> Option<f64> {
    let v: Vec<f64> = reports.iter().filter_map(f).collect();
    (!v.is_empty()).then(|| median(&v))
}

impl Profiles {
    /// Runs both pipelines once for `round`, the first alternating between rounds.
    pub fn run_round(
        &mut self,
        round: usize,
        pack: &Path,
        count: u64,
        timeout: Duration,
    ) -> Result<(), ExperimentError> {
        let order = if round.is_multiple_of(2) {
            ["pillow", "rust"]
        } else {
            ["rust", "pillow"]
        };
        for pipeline in order {
            let report = run_profile(pipeline, pack, count, timeout)?;
            if pipeline == "rust" {
                self.rust.push(report);
            } else {
                self.pillow.push(report);
            }
        }
        Ok(())
    }

    /// Checks that both pipelines saw the same images and skipped the same damaged ones.
    pub fn check(&self) -> Result<(), ExperimentError> {
        let all = self.pillow.iter().chain(&self.rust);
        let counts: Vec<(u64, u64, BTreeMap<&str, u64>)> = all
            .map(|r| {
                (
                    r.images(),
                    r.skipped,
                    r.formats
                        .iter()
                        .map(|(k, f)| (k.as_str(), f.images))
                        .collect(),
                )
            })
            .collect();
        match counts.split_first() {
            Some((first, rest)) if rest.iter().any(|c| c != first) => {
                Err(ExperimentError::Inconsistent(format!(
                    "the stage profiles disagree on what they processed (images, skipped, per \
                     format): {counts:?}"
                )))
            }
            _ => Ok(()),
        }
    }

    /// Median seconds per image of `stage` (all formats) for Rust, if measured.
    pub fn rust_per_image(&self, stage: Stage) -> Option<f64> {
        med(&self.rust, |r| Some(r.per_image(stage)))
    }

    /// Rust's decode + encode per image: the part no faster resize or blur can remove.
    pub fn rust_codec_floor(&self) -> Option<f64> {
        med(&self.rust, |r| {
            Some(r.per_image(Stage::Decode) + r.per_image(Stage::Encode))
        })
    }

    /// Records every round's per-image stage times (µs) as measurements.
    pub fn record(&self, outcome: &mut Outcome) {
        for (name, reports) in [("pillow", &self.pillow), ("rust", &self.rust)] {
            for stage in Stage::ALL {
                let samples: Vec<f64> = reports.iter().map(|r| 1e6 * r.per_image(stage)).collect();
                outcome.measurements.push(Measurement::new(
                    format!("stages.{name}.{}_us", stage.name()),
                    format!("{name} thumbnail, {} per image (one thread)", stage.name()),
                    "µs",
                    samples,
                ));
            }
        }
    }

    /// The table: µs per image per stage, Pillow beside Rust.
    pub fn table(&self) -> Table {
        let rounds = self.pillow.len().max(self.rust.len());
        let mut t = Table::new(
            format!(
                "Where a thumbnail's time goes: µs per image on one thread ({})",
                if rounds == 1 {
                    "one round".to_string()
                } else {
                    format!("median of {rounds} rounds")
                }
            ),
            &["stage", "Pillow", "Rust", "Pillow / Rust"],
        );
        let mut row = |label: String, p: Option<f64>, r: Option<f64>| {
            let cell = |x: Option<f64>| x.map_or("—".to_string(), |x| format_number(1e6 * x));
            let ratio = match (p, r) {
                (Some(p), Some(r)) if r > 0.0 => format!("{}×", format_number(p / r)),
                _ => "—".to_string(),
            };
            t.row(vec![label, cell(p), cell(r), ratio]);
        };
        for format in ["jpeg", "png"] {
            let images = self
                .rust
                .first()
                .and_then(|r| r.formats.get(format))
                .map_or(0, |f| f.images);
            if images == 0 {
                continue;
            }
            row(
                format!("decode ({} {format})", format_number(images as f64)),
                med(&self.pillow, |r| r.per_image_of(format, Stage::Decode)),
                med(&self.rust, |r| r.per_image_of(format, Stage::Decode)),
            );
        }
        for stage in Stage::ALL {
            let label = if stage == Stage::Decode {
                "decode (all)".to_string()
            } else {
                stage.name().to_string()
            };
            row(
                label,
                med(&self.pillow, |r| Some(r.per_image(stage))),
                med(&self.rust, |r| Some(r.per_image(stage))),
            );
        }
        let total = |r: &StageReport| Some(Stage::ALL.iter().map(|&s| r.per_image(s)).sum());
        row(
            "whole pipeline".to_string(),
            med(&self.pillow, total),
            med(&self.rust, total),
        );
        t
    }
}

/// The performance-target bound: the most images/s a Rust pipeline with these codecs could
/// reach on `cores` threads at `efficiency`, if resizing and blurring cost nothing, as a
/// multiple of `best_python` images/s.
pub fn codec_bound(floor_s: f64, cores: usize, efficiency: f64, best_python: f64) -> f64 {
    cores as f64 * efficiency / floor_s.max(1e-12) / best_python.max(1e-12)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::{CorpusSpec, ensure_corpus};

    #[test]
    fn formats_are_told_by_their_magic_bytes() {
        assert_eq!(format_of(&[0xff, 0xd8, 0xff]), "jpeg");
        assert_eq!(format_of(b"\x89PNG\r\n"), "png");
        assert_eq!(format_of(b""), "other");
    }

    #[test]
    fn the_rust_profile_times_every_stage_of_every_good_image() {
        let dir = tempfile::tempdir().expect("tempdir");
        let spec = CorpusSpec {
            count: 30,
            width: 48,
            height: 32,
            seed: 3,
            damage_every: 10,
        };
        let corpus = ensure_corpus(dir.path(), &spec, &|_, _| {}).expect("corpus");
        let report = profile_rust(&corpus.path, 30).expect("profile");
        assert_eq!(report.images() + report.skipped, 30);
        assert_eq!(report.skipped, corpus.info.damaged());
        assert!(report.formats["jpeg"].images > 0 && report.formats["png"].images > 0);
        for f in report.formats.values() {
            for stage in Stage::ALL {
                assert!(f.seconds[stage.name()] > 0.0, "{}", stage.name());
            }
        }
    }

    #[test]
    fn profiles_that_saw_different_images_are_refused() {
        let mut a = StageReport::default();
        a.formats.insert(
            "jpeg".into(),
            FormatStages {
                images: 3,
                ..Default::default()
            },
        );
        let mut b = a.clone();
        b.skipped = 1;
        let p = Profiles {
            pillow: vec![a.clone()],
            rust: vec![a.clone()],
        };
        assert!(p.check().is_ok());
        let p = Profiles {
            pillow: vec![a],
            rust: vec![b],
        };
        assert!(p.check().is_err());
    }

    #[test]
    fn the_codec_bound_is_cores_times_efficiency_over_the_floor() {
        // 1 ms of decode + encode, 2 cores at 95%: 1,900 images/s at best; Python 760 → 2.5×.
        let bound = codec_bound(0.001, 2, 0.95, 760.0);
        assert!((bound - 2.5).abs() < 1e-9, "{bound}");
    }
}
