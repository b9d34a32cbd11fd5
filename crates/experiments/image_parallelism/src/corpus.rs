//! The image corpus: seeded synthetic pictures (a gradient, filled shapes, sensor-like noise),
//! encoded as JPEG or PNG, a few deliberately damaged, packed into one file.
//!
//! A million small files would cost more in the file system than in the decoder, so the
//! corpus is one *pack*: a 16-byte magic, then one record per image — a little-endian `u32`
//! length and that many bytes. Python reads it with `struct`; Rust with [`PackReader`]. A
//! JSON sidecar beside it holds what was generated (formats, damaged files, sizes); the pack
//! is written under a temporary name and renamed when complete, sidecar first, so a pack in
//! place always has its description beside it.

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::{ImageEncoder, Rgb, RgbImage};
use pyproof_harness::ExperimentError;
use pyproof_harness::Rng;
use pyproof_proc::files::{commit_with_sidecar, ensure_space};
use pyproof_proc::pending::{PendingFile, remove_stale_partials};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

/// The first bytes of every pack.
pub const MAGIC: &[u8; 16] = b"PYPROOF-IMAGES1\n";
/// Bumped whenever the generator's output changes, so stale caches are not reused.
pub const GENERATOR_VERSION: u32 = 1;
/// JPEG quality of the corpus (and of every pipeline's output).
pub const JPEG_QUALITY: u8 = 85;
/// The largest record a reader accepts: anything bigger is a corrupt pack, not an image.
pub const MAX_RECORD: u32 = 64 << 20;
/// Amplitude of the per-pixel noise, ± levels.
const NOISE: u64 = 12;
/// Records reserved ahead when reading a batch (a limit may be "all of them").
const STREAM_CAPACITY: usize = 4096;
/// Images generated per parallel step (and per progress update).
const GENERATE_BATCH: u64 = 2048;

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CorpusSpec {
    /// Number of images.
    pub count: u64,
    /// Width, pixels.
    pub width: u32,
    /// Height, pixels.
    pub height: u32,
    /// The seed: the same spec gives the same bytes on every machine.
    pub seed: u64,
    /// Every this many images, one is damaged (truncated, garbage or empty in turn); 0: none.
    pub damage_every: u64,
}

impl CorpusSpec {
    /// Validates the sizes: at least one image, each side 8..=8192 pixels.
    pub fn validate(&self) -> Result<(), ExperimentError> {
        if self.count == 0 {
            return Err(ExperimentError::Input(
                "an image corpus needs at least one image".into(),
            ));
        }
        for side in [self.width, self.height] {
            if !(8..=8192).contains(&side) {
                return Err(ExperimentError::Input(format!(
                    "image side {side} px is out of range (8 to 8192)"
                )));
            }
        }
        Ok(())
    }

    /// "1,000 × 256×256".
    pub fn describe(&self) -> String {
        format!(
            "{} × {}×{}",
            group_digits(self.count),
            self.width,
            self.height
        )
    }
}

/// 1000000 → "1,000,000".
pub fn group_digits(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// How an image was damaged on purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Damage {
    /// The first 40% of a valid file.
    Truncated,
    /// Random bytes with no image header.
    Garbage,
    /// Zero bytes.
    Empty,
}

/// What a generated corpus holds: written beside the pack.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CorpusInfo {
    /// The generator that wrote it.
    pub generator_version: u32,
    /// What was asked for.
    pub spec: CorpusSpec,
    /// Intact JPEG images.
    pub jpeg: u64,
    /// Intact PNG images.
    pub png: u64,
    /// Truncated files (of either format).
    pub truncated: u64,
    /// Garbage files.
    pub garbage: u64,
    /// Empty files.
    pub empty: u64,
    /// Bytes of all images (the pack's payload).
    pub image_bytes: u64,
    /// Size of the pack file.
    pub bytes: u64,
}

impl CorpusInfo {
    /// Files damaged on purpose.
    pub fn damaged(&self) -> u64 {
        self.truncated + self.garbage + self.empty
    }
}

/// A corpus ready on disk.
#[derive(Debug, Clone)]
pub struct Corpus {
    /// The pack file.
    pub path: PathBuf,
    /// What it holds.
    pub info: CorpusInfo,
    /// Whether this call generated it (false: reused from the cache).
    pub generated: bool,
    /// Seconds spent generating (0 when reused).
    pub generation_s: f64,
}

/// Where the pack for `spec` is cached under `dir`.
pub fn pack_path(dir: &Path, spec: &CorpusSpec) -> PathBuf {
    dir.join(format!(
        "images-v{GENERATOR_VERSION}-seed{}-{}x{}-n{}-d{}.pack",
        spec.seed, spec.width, spec.height, spec.count, spec.damage_every
    ))
}

fn info_path(pack: &Path) -> PathBuf {
    pack.with_extension("json")
}

/// The sidecar of a complete, matching pack, if there is one.
fn cached_info(pack: &Path, spec: &CorpusSpec) -> Option<CorpusInfo> {
    let text = std::fs::read(info_path(pack)).ok()?;
    let info: CorpusInfo = serde_json::from_slice(&text).ok()?;
    let len = std::fs::metadata(pack).ok()?.len();
    (info.generator_version == GENERATOR_VERSION && info.spec == *spec && info.bytes == len)
        .then_some(info)
}

/// The corpus for `spec` in `dir`: reused when a complete one is cached, else generated
/// (after checking free space) under a temporary name and renamed when complete.
/// `progress(done, total)` is called after each batch of images.
pub fn ensure_corpus(
    dir: &Path,
    spec: &CorpusSpec,
    progress: &dyn Fn(u64, u64),
) -> Result<Corpus, ExperimentError> {
    spec.validate()?;
    std::fs::create_dir_all(dir)
        .map_err(|e| ExperimentError::io(format!("creating {}", dir.display()), e))?;
    let path = pack_path(dir, spec);
    remove_stale_partials(&path);
    remove_stale_partials(&info_path(&path));
    if let Some(info) = cached_info(&path, spec) {
        return Ok(Corpus {
            path,
            info,
            generated: false,
            generation_s: 0.0,
        });
    }
    // A noisy PNG keeps about 40% of its raw pixels, a JPEG far less: half the raw size is a
    // safe upper estimate of what will be written.
    let estimate = spec
        .count
        .saturating_mul(u64::from(spec.width) * u64::from(spec.height) * 3 / 2 + 4);
    ensure_space(
        dir,
        estimate,
        &format!("the image corpus ({})", spec.describe()),
    )?;
    let started = std::time::Instant::now();
    let (pending, file) = PendingFile::create(&path)
        .map_err(|e| ExperimentError::io(format!("creating {}", path.display()), e))?;
    let mut info = write_pack(file, spec, progress)
        .map_err(|e| ExperimentError::io(format!("writing {}", pending.path().display()), e))?;
    info.bytes = std::fs::metadata(pending.path())
        .map_err(|e| ExperimentError::io(format!("reading {}", pending.path().display()), e))?
        .len();
    let info_dest = info_path(&path);
    commit_with_sidecar(pending, &path, &info, &info_dest)?;
    Ok(Corpus {
        path,
        info,
        generated: true,
        generation_s: started.elapsed().as_secs_f64(),
    })
}

/// Writes the whole pack for `spec` to `file` and says what it holds (`bytes` left 0).
pub fn write_pack(
    file: File,
    spec: &CorpusSpec,
    progress: &dyn Fn(u64, u64),
) -> std::io::Result<CorpusInfo> {
    let mut out = BufWriter::with_capacity(1 << 20, file);
    out.write_all(MAGIC)?;
    let mut info = CorpusInfo {
        generator_version: GENERATOR_VERSION,
        spec: *spec,
        jpeg: 0,
        png: 0,
        truncated: 0,
        garbage: 0,
        empty: 0,
        image_bytes: 0,
        bytes: 0,
    };
    let mut start = 0;
    while start < spec.count {
        let end = (start + GENERATE_BATCH).min(spec.count);
        // Encoding is most of the cost and every image is independent: all cores help.
        let encoded: Vec<(Vec<u8>, Kind)> = (start..end)
            .into_par_iter()
            .map(|i| image_file(spec, i))
            .collect::<std::io::Result<_>>()?;
        for (bytes, kind) in encoded {
            match kind {
                Kind::Jpeg => info.jpeg += 1,
                Kind::Png => info.png += 1,
                Kind::Damaged(Damage::Truncated) => info.truncated += 1,
                Kind::Damaged(Damage::Garbage) => info.garbage += 1,
                Kind::Damaged(Damage::Empty) => info.empty += 1,
            }
            let len = u32::try_from(bytes.len())
                .ok()
                .filter(|&l| l <= MAX_RECORD)
                .ok_or_else(|| std::io::Error::other("an encoded image exceeds 64 MiB"))?;
            out.write_all(&len.to_le_bytes())?;
            out.write_all(&bytes)?;
            info.image_bytes += u64::from(len);
        }
        start = end;
        progress(start, spec.count);
    }
    out.flush()?;
    out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
    Ok(info)
}

/// What one record of the pack is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An intact JPEG.
    Jpeg,
    /// An intact PNG.
    Png,
    /// Damaged on purpose.
    Damaged(Damage),
}

/// The damage planned for image `index`, if any.
pub fn damage_of(spec: &CorpusSpec, index: u64) -> Option<Damage> {
    if spec.damage_every == 0 || !(index + 1).is_multiple_of(spec.damage_every) {
        return None;
    }
    Some(match ((index + 1) / spec.damage_every) % 3 {
        1 => Damage::Truncated,
        2 => Damage::Garbage,
        _ => Damage::Empty,
    })
}

fn rng_for(spec: &CorpusSpec, index: u64) -> Rng {
    Rng::new(spec.seed ^ index.wrapping_mul(0xd6e8_feb8_6659_fd93))
}

/// The picture of image `index`: a two-colour gradient in a random direction, three to six
/// filled circles and rectangles, and ±12 levels of per-pixel noise — content an encoder
/// has to work on, unlike a blank frame.
pub fn render(spec: &CorpusSpec, index: u64) -> RgbImage {
    let mut rng = rng_for(spec, index);
    let (w, h) = (spec.width, spec.height);
    let colour = |rng: &mut Rng| {
        let v = rng.next_u64();
        [v as u8, (v >> 8) as u8, (v >> 16) as u8]
    };
    let c0 = colour(&mut rng);
    let c1 = colour(&mut rng);
    // Direction of the gradient, and its extent so t runs over 0..=1 across the image.
    let dx = rng.below(2001) as f32 / 1000.0 - 1.0;
    let dy = rng.below(2001) as f32 / 1000.0 - 1.0;
    let corners = [
        0.0,
        dx * w as f32,
        dy * h as f32,
        dx * w as f32 + dy * h as f32,
    ];
    let lo = corners.iter().copied().fold(f32::INFINITY, f32::min);
    let hi = corners.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let span = (hi - lo).max(1.0);
    let mut img = RgbImage::from_fn(w, h, |x, y| {
        let t = ((dx * x as f32 + dy * y as f32) - lo) / span;
        let mix = |a: u8, b: u8| (a as f32 + (b as f32 - a as f32) * t).round() as u8;
        Rgb([mix(c0[0], c1[0]), mix(c0[1], c1[1]), mix(c0[2], c1[2])])
    });
    let side = w.min(h).max(1) as u64;
    for _ in 0..3 + rng.below(4) {
        let c = Rgb(colour(&mut rng));
        let cx = rng.below(u64::from(w)) as i64;
        let cy = rng.below(u64::from(h)) as i64;
        let r = (side * (8 + rng.below(23)) / 100).max(1) as i64;
        let circle = rng.below(2) == 0;
        let (x0, x1) = ((cx - r).max(0), (cx + r).min(i64::from(w) - 1));
        let (y0, y1) = ((cy - r).max(0), (cy + r).min(i64::from(h) - 1));
        for y in y0..=y1 {
            for x in x0..=x1 {
                let inside = !circle || (x - cx).pow(2) + (y - cy).pow(2) <= r * r;
                if inside {
                    img.put_pixel(x as u32, y as u32, c);
                }
            }
        }
    }
    for p in img.pixels_mut() {
        let v = rng.next_u64();
        for (ch, shift) in p.0.iter_mut().zip([0, 8, 16]) {
            let n = ((v >> shift) & 0xff) * (2 * NOISE + 1) / 256;
            *ch = (i64::from(*ch) + n as i64 - NOISE as i64).clamp(0, 255) as u8;
        }
    }
    img
}

/// The bytes of record `index` and what they are.
pub fn image_file(spec: &CorpusSpec, index: u64) -> std::io::Result<(Vec<u8>, Kind)> {
    let img = render(spec, index);
    // The format is drawn after the picture, from the same stream: half JPEG, half PNG.
    let mut rng = rng_for(spec, index ^ 0x5555_5555);
    let jpeg = rng.below(2) == 0;
    let mut bytes = Vec::new();
    let result = if jpeg {
        JpegEncoder::new_with_quality(&mut bytes, JPEG_QUALITY).write_image(
            img.as_raw(),
            img.width(),
            img.height(),
            image::ExtendedColorType::Rgb8,
        )
    } else {
        PngEncoder::new(&mut bytes).write_image(
            img.as_raw(),
            img.width(),
            img.height(),
            image::ExtendedColorType::Rgb8,
        )
    };
    result.map_err(std::io::Error::other)?;
    Ok(match damage_of(spec, index) {
        None if jpeg => (bytes, Kind::Jpeg),
        None => (bytes, Kind::Png),
        Some(Damage::Truncated) => {
            bytes.truncate(bytes.len() * 2 / 5);
            (bytes, Kind::Damaged(Damage::Truncated))
        }
        Some(Damage::Garbage) => {
            for b in bytes.iter_mut() {
                *b = rng.next_u64() as u8;
            }
            // No format starts with a zero byte: the garbage can never pass for an image.
            if let Some(first) = bytes.first_mut() {
                *first = 0;
            }
            (bytes, Kind::Damaged(Damage::Garbage))
        }
        Some(Damage::Empty) => (Vec::new(), Kind::Damaged(Damage::Empty)),
    })
}

/// Reads a pack record by record.
pub struct PackReader {
    path: PathBuf,
    input: BufReader<File>,
    index: u64,
}

impl PackReader {
    /// Opens `path` and checks its magic.
    pub fn open(path: &Path) -> Result<Self, ExperimentError> {
        let file = File::open(path)
            .map_err(|e| ExperimentError::io(format!("opening {}", path.display()), e))?;
        let mut input = BufReader::with_capacity(1 << 20, file);
        let mut magic = [0u8; 16];
        input.read_exact(&mut magic).map_err(|_| {
            ExperimentError::Input(format!(
                "{} is not an image pack (too short)",
                path.display()
            ))
        })?;
        if &magic != MAGIC {
            return Err(ExperimentError::Input(format!(
                "{} is not an image pack (bad magic)",
                path.display()
            )));
        }
        Ok(PackReader {
            path: path.to_path_buf(),
            input,
            index: 0,
        })
    }

    /// The next record, None at the clean end of the pack.
    pub fn next_record(&mut self) -> Result<Option<Vec<u8>>, ExperimentError> {
        let mut len = [0u8; 4];
        match self.input.read(&mut len[..1]) {
            Ok(0) => return Ok(None),
            Ok(_) => {}
            Err(e) => {
                return Err(ExperimentError::io(
                    format!("reading {}", self.path.display()),
                    e,
                ));
            }
        }
        self.input
            .read_exact(&mut len[1..])
            .map_err(|_| self.truncated())?;
        let len = u32::from_le_bytes(len);
        if len > MAX_RECORD {
            return Err(ExperimentError::Input(format!(
                "{}: record {} claims {len} bytes; the pack is corrupt",
                self.path.display(),
                self.index
            )));
        }
        let mut bytes = vec![0u8; len as usize];
        self.input
            .read_exact(&mut bytes)
            .map_err(|_| self.truncated())?;
        self.index += 1;
        Ok(Some(bytes))
    }

    /// Up to `n` records (fewer at the end of the pack).
    pub fn next_batch(&mut self, n: usize) -> Result<Vec<Vec<u8>>, ExperimentError> {
        let mut batch = Vec::with_capacity(n.min(STREAM_CAPACITY));
        while batch.len() < n {
            match self.next_record()? {
                Some(r) => batch.push(r),
                None => break,
            }
        }
        Ok(batch)
    }

    fn truncated(&self) -> ExperimentError {
        ExperimentError::Input(format!(
            "{}: the pack ends inside record {}; it is truncated",
            self.path.display(),
            self.index
        ))
    }
}

/// The first `limit` records of the pack (all of them when it holds fewer).
pub fn read_pack(path: &Path, limit: u64) -> Result<Vec<Vec<u8>>, ExperimentError> {
    let mut reader = PackReader::open(path)?;
    reader.next_batch(usize::try_from(limit).unwrap_or(usize::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(count: u64, damage_every: u64) -> CorpusSpec {
        CorpusSpec {
            count,
            width: 32,
            height: 24,
            seed: 7,
            damage_every,
        }
    }

    #[test]
    fn same_seed_same_bytes_and_every_record_reads_back() {
        let dir = tempfile::tempdir().expect("tempdir");
        let s = spec(40, 10);
        let c = ensure_corpus(dir.path(), &s, &|_, _| {}).expect("generated");
        assert!(c.generated);
        let i = &c.info;
        assert_eq!(i.jpeg + i.png + i.damaged(), 40);
        // Damaged: records 9, 19, 29, 39 → truncated, garbage, empty, truncated.
        assert_eq!((i.truncated, i.garbage, i.empty), (2, 1, 1));
        let records = read_pack(&c.path, u64::MAX).expect("reads");
        assert_eq!(records.len(), 40);
        assert!(records[29].is_empty());
        assert_eq!(records[19][0], 0);
        for (index, r) in records.iter().enumerate() {
            assert_eq!(*r, image_file(&s, index as u64).expect("encodes").0);
        }
        let again = ensure_corpus(dir.path(), &s, &|_, _| {}).expect("cached");
        assert!(!again.generated);
        assert_eq!(again.info, c.info);
        // Intact images decode to the requested size.
        let img = image::load_from_memory(&records[0]).expect("decodes");
        assert_eq!((img.width(), img.height()), (32, 24));
    }

    #[test]
    fn a_damaged_pack_is_an_error_not_a_short_corpus() {
        let dir = tempfile::tempdir().expect("tempdir");
        let c = ensure_corpus(dir.path(), &spec(5, 0), &|_, _| {}).expect("generated");
        let bytes = std::fs::read(&c.path).expect("read");
        let cut = dir.path().join("cut.pack");
        std::fs::write(&cut, &bytes[..bytes.len() - 3]).expect("write");
        let err = read_pack(&cut, u64::MAX).unwrap_err().to_string();
        assert!(err.contains("ends inside record 4"), "{err}");
        std::fs::write(&cut, b"not a pack at all").expect("write");
        let err = read_pack(&cut, u64::MAX).unwrap_err().to_string();
        assert!(err.contains("bad magic"), "{err}");
        // A pack whose size no longer matches its sidecar is regenerated, not trusted.
        std::fs::write(&c.path, &bytes[..bytes.len() - 3]).expect("write");
        assert!(
            ensure_corpus(dir.path(), &spec(5, 0), &|_, _| {})
                .expect("regenerated")
                .generated
        );
    }

    #[test]
    fn bad_specs_are_refused() {
        for (count, side) in [(0, 32), (1, 4), (1, 9000)] {
            let s = CorpusSpec {
                count,
                width: side,
                height: side,
                seed: 1,
                damage_every: 0,
            };
            assert!(s.validate().is_err(), "{s:?}");
        }
        assert_eq!(group_digits(1_000_000), "1,000,000");
        assert_eq!(group_digits(999), "999");
    }
}
