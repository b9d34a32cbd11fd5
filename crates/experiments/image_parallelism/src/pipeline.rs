//! The Rust side of the per-image work, and the tally every executor keeps.
//!
//! [`thumbnail`] is the same job as the Pillow workload — decode, halve with a bilinear
//! filter, Gaussian blur of σ = 2 (three box-blur passes, the approximation Pillow uses too),
//! encode JPEG at quality 85. Decoding is zune-jpeg (strict) and the `image` crate's PNG;
//! resizing is `fast_image_resize` (Pillow's convolution scheme, in SIMD); the blur is written
//! here on bytes; encoding is `jpeg-encoder` (AVX2 when the CPU has it). `image`'s own
//! `resize`, `fast_blur` and JPEG encoder were 3× slower than Pillow per image here: a fair
//! Rust pipeline uses the crates a Rust developer would pick for speed.
//!
//! [`threshold`] is the same job as the pure-Python workload: decode, then grey =
//! (77·R + 150·G + 29·B) >> 8 and white when grey ≥ 128, one byte per pixel. On a PNG
//! (lossless) its output is byte-for-byte the pure-Python one.

use super::corpus::JPEG_QUALITY;
use fast_image_resize::images::Image as FirImage;
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};
use image::{ImageError, RgbImage};
use serde::{Deserialize, Serialize};
use thiserror::Error;
use zune_core::bytestream::ZCursor;
use zune_core::colorspace::ColorSpace;
use zune_core::options::DecoderOptions;
use zune_jpeg::JpegDecoder;

/// σ of the blur, in pixels of the halved image (Pillow's `GaussianBlur(2)`).
pub const BLUR_SIGMA: f32 = 2.0;
/// Grey level at or above which a pixel is white.
pub const THRESHOLD: u32 = 128;

/// Why an image produced no output.
#[derive(Debug, Error)]
pub enum ImageFailure {
    /// The JPEG decoder refused the file (truncated, corrupt).
    #[error("jpeg: {0}")]
    Jpeg(String),
    /// The `image` crate refused the file (unknown format, corrupt PNG).
    #[error(transparent)]
    Image(#[from] ImageError),
    /// Resizing or encoding failed (an image too large for JPEG, say).
    #[error("{0}")]
    Output(String),
}

/// Decodes `bytes` to RGB. JPEGs go to zune-jpeg in strict mode, so a truncated file is an
/// error as it is for libjpeg-turbo, not a picture padded with grey; everything else to the
/// `image` crate's own detection.
pub fn decode_rgb(bytes: &[u8]) -> Result<RgbImage, ImageFailure> {
    if !bytes.starts_with(&[0xff, 0xd8]) {
        return Ok(image::load_from_memory(bytes)?.to_rgb8());
    }
    let options = DecoderOptions::default()
        .jpeg_set_out_colorspace(ColorSpace::RGB)
        .set_strict_mode(true);
    let mut decoder = JpegDecoder::new_with_options(ZCursor::new(bytes), options);
    let pixels = decoder
        .decode()
        .map_err(|e| ImageFailure::Jpeg(e.to_string()))?;
    let info = decoder
        .info()
        .ok_or_else(|| ImageFailure::Jpeg("no image information after decoding".into()))?;
    RgbImage::from_raw(u32::from(info.width), u32::from(info.height), pixels)
        .ok_or_else(|| ImageFailure::Jpeg("decoded size does not match the header".into()))
}

/// The four stages of [`thumbnail`], in order: what [`thumbnail_timed`] reports time for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    /// Compressed bytes to RGB pixels.
    Decode,
    /// Halving, bilinear.
    Resize,
    /// The Gaussian blur (three box passes).
    Blur,
    /// RGB pixels to a JPEG at quality 85.
    Encode,
}

impl Stage {
    /// Every stage, in pipeline order.
    pub const ALL: [Stage; 4] = [Stage::Decode, Stage::Resize, Stage::Blur, Stage::Encode];

    /// Its name, as in reports (the Python side uses the same names).
    pub fn name(self) -> &'static str {
        match self {
            Stage::Decode => "decode",
            Stage::Resize => "resize",
            Stage::Blur => "blur",
            Stage::Encode => "encode",
        }
    }
}

/// Decodes `bytes`, halves, blurs and re-encodes as JPEG.
pub fn thumbnail(bytes: &[u8]) -> Result<Vec<u8>, ImageFailure> {
    thumbnail_with(bytes, |_| {})
}

/// [`thumbnail`], with the seconds each stage took (the same code: `thumbnail` is this with
/// the clock left out). A stage that fails leaves the later ones at zero.
pub fn thumbnail_timed(bytes: &[u8]) -> (Result<Vec<u8>, ImageFailure>, [f64; 4]) {
    let mut seconds = [0.0; 4];
    let mut last = std::time::Instant::now();
    let out = thumbnail_with(bytes, |stage| {
        let now = std::time::Instant::now();
        seconds[stage as usize] = (now - last).as_secs_f64();
        last = now;
    });
    (out, seconds)
}

/// The thumbnail pipeline; `done` is called as each stage finishes.
fn thumbnail_with(bytes: &[u8], mut done: impl FnMut(Stage)) -> Result<Vec<u8>, ImageFailure> {
    let img = decode_rgb(bytes)?;
    done(Stage::Decode);
    let (w, h) = ((img.width() / 2).max(1), (img.height() / 2).max(1));
    let (iw, ih) = img.dimensions();
    let mut pixels = resize_rgb(img.into_raw(), iw, ih, w, h)?;
    done(Stage::Resize);
    box_blur_rgb(&mut pixels, w as usize, h as usize, BLUR_SIGMA);
    done(Stage::Blur);
    let out = encode_jpeg(&pixels, w, h)?;
    done(Stage::Encode);
    Ok(out)
}

/// RGB pixels of `w`×`h` resized to `to_w`×`to_h` with the bilinear filter (Pillow's
/// convolution scheme, in SIMD).
pub(crate) fn resize_rgb(
    pixels: Vec<u8>,
    w: u32,
    h: u32,
    to_w: u32,
    to_h: u32,
) -> Result<Vec<u8>, ImageFailure> {
    let src = FirImage::from_vec_u8(w, h, pixels, PixelType::U8x3)
        .map_err(|e| ImageFailure::Output(e.to_string()))?;
    let mut small = FirImage::new(to_w, to_h, PixelType::U8x3);
    Resizer::new()
        .resize(
            &src,
            &mut small,
            &ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Bilinear)),
        )
        .map_err(|e| ImageFailure::Output(e.to_string()))?;
    Ok(small.into_vec())
}

/// RGB pixels of `w`×`h` as a JPEG at [`JPEG_QUALITY`].
pub(crate) fn encode_jpeg(pixels: &[u8], w: u32, h: u32) -> Result<Vec<u8>, ImageFailure> {
    let (w16, h16) = match (u16::try_from(w), u16::try_from(h)) {
        (Ok(w), Ok(h)) => (w, h),
        _ => {
            return Err(ImageFailure::Output(format!(
                "{w}×{h} is too large for JPEG"
            )));
        }
    };
    let mut out = Vec::with_capacity(pixels.len() / 4);
    jpeg_encoder::Encoder::new(&mut out, JPEG_QUALITY)
        .encode(pixels, w16, h16, jpeg_encoder::ColorType::Rgb)
        .map_err(|e| ImageFailure::Output(e.to_string()))?;
    Ok(out)
}

/// Widths of `n` successive box blurs whose result approximates a Gaussian of `sigma`
/// (W. Jarosz / I. Kutskir's construction; Pillow's `GaussianBlur` uses the same idea).
pub fn boxes_for_gauss(sigma: f32, n: usize) -> Vec<usize> {
    let nf = n as f32;
    let ideal = (12.0 * sigma * sigma / nf + 1.0).sqrt();
    let mut lower = ideal.floor() as i64;
    if lower % 2 == 0 {
        lower -= 1;
    }
    let lower = lower.max(1);
    let upper = lower + 2;
    let lf = lower as f32;
    let m = ((12.0 * sigma * sigma - nf * lf * lf - 4.0 * nf * lf - 3.0 * nf) / (-4.0 * lf - 4.0))
        .round()
        .clamp(0.0, nf) as usize;
    (0..n)
        .map(|i| if i < m { lower } else { upper } as usize)
        .collect()
}

/// Blurs packed RGB bytes in place: three box passes, each horizontal then vertical, edges
/// clamped, integer sums rounded to nearest.
///
/// Written for speed the way Pillow's C is: the horizontal pass slides one window per
/// channel along a row; the vertical pass slides a whole row of sums down the image (a loop
/// the compiler vectorizes); the division by the window is a multiply and a shift
/// ([`Divider`], exact for every sum a byte image can produce).
pub fn box_blur_rgb(pixels: &mut [u8], width: usize, height: usize, sigma: f32) {
    if width == 0 || height == 0 || pixels.len() < width * height * 3 {
        return;
    }
    let row = width * 3;
    let pixels = &mut pixels[..row * height];
    let mut tmp = vec![0u8; row * height];
    let mut sums = vec![0u32; row];
    for size in boxes_for_gauss(sigma, 3) {
        let r = (size - 1) / 2;
        let div = Divider::new(2 * r as u32 + 1);
        for (src, dst) in pixels.chunks_exact(row).zip(tmp.chunks_exact_mut(row)) {
            blur_row(src, dst, r, div);
        }
        blur_columns(&tmp, pixels, row, r, div, &mut sums);
    }
}

/// Rounded division of a window sum by the window's size: `(n + d/2) / d` as a multiply by
/// ⌈2³²/d⌉ and a shift. The error is below n/2³², so the quotient is exact while
/// n < 2³²/d — for byte sums (n ≤ 255·d + d/2) up to windows of 4,000 pixels.
#[derive(Debug, Clone, Copy)]
struct Divider {
    half: u32,
    multiplier: u64,
}

impl Divider {
    fn new(d: u32) -> Self {
        let d = d.max(1);
        Divider {
            half: d / 2,
            multiplier: (1u64 << 32).div_ceil(u64::from(d)),
        }
    }

    #[inline]
    fn apply(self, sum: u32) -> u8 {
        ((u64::from(sum + self.half) * self.multiplier) >> 32) as u8
    }
}

/// A sliding-window mean of radius `r` along one row of RGB pixels, the three channels at
/// once.
fn blur_row(src: &[u8], dst: &mut [u8], r: usize, div: Divider) {
    let last = src.len() / 3 - 1;
    let px = |x: usize| {
        let p = &src[x.min(last) * 3..][..3];
        [u32::from(p[0]), u32::from(p[1]), u32::from(p[2])]
    };
    let mut sum = [0u32; 3];
    for i in 0..=2 * r {
        let p = px(i.saturating_sub(r));
        for c in 0..3 {
            sum[c] += p[c];
        }
    }
    for (x, out) in dst.chunks_exact_mut(3).enumerate() {
        let (add, sub) = (px(x + r + 1), px(x.saturating_sub(r)));
        for c in 0..3 {
            out[c] = div.apply(sum[c]);
            sum[c] = sum[c] + add[c] - sub[c];
        }
    }
}

/// A sliding-window mean of radius `r` down every column: one row of sums slides down.
fn blur_columns(src: &[u8], dst: &mut [u8], row: usize, r: usize, div: Divider, sums: &mut [u32]) {
    let height = src.len() / row;
    let line = |y: usize| &src[y.min(height - 1) * row..][..row];
    sums.fill(0);
    for i in 0..=2 * r {
        for (s, &v) in sums.iter_mut().zip(line(i.saturating_sub(r))) {
            *s += u32::from(v);
        }
    }
    for (y, out) in dst.chunks_exact_mut(row).enumerate() {
        for (o, &s) in out.iter_mut().zip(sums.iter()) {
            *o = div.apply(s);
        }
        for ((s, &add), &sub) in sums
            .iter_mut()
            .zip(line(y + r + 1))
            .zip(line(y.saturating_sub(r)))
        {
            *s = *s + u32::from(add) - u32::from(sub);
        }
    }
}

/// Decodes `bytes` and thresholds its grey levels: one byte (0 or 255) per pixel.
pub fn threshold(bytes: &[u8]) -> Result<Vec<u8>, ImageFailure> {
    let img = decode_rgb(bytes)?;
    Ok(img
        .as_raw()
        .chunks_exact(3)
        .map(|p| {
            let grey = (77 * u32::from(p[0]) + 150 * u32::from(p[1]) + 29 * u32::from(p[2])) >> 8;
            if grey >= THRESHOLD { 255 } else { 0 }
        })
        .collect())
}

/// What an executor did with its images: counts and an order-independent checksum of every
/// output, so executors that finish images in different orders can still be compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Tally {
    /// Images that produced an output.
    pub processed: u64,
    /// Images that could not be decoded (damaged), skipped and counted.
    pub skipped: u64,
    /// Sum of the CRC-32 of every output.
    pub crc_sum: u64,
    /// Bytes of every output.
    pub out_bytes: u64,
    /// Bytes of every input.
    pub in_bytes: u64,
}

impl Tally {
    /// Counts one image: its input size and its output, or None when it was skipped.
    pub fn add(&mut self, input_len: usize, output: Option<&[u8]>) {
        self.in_bytes += input_len as u64;
        match output {
            Some(out) => {
                self.processed += 1;
                self.crc_sum += u64::from(crc32fast::hash(out));
                self.out_bytes += out.len() as u64;
            }
            None => self.skipped += 1,
        }
    }

    /// Adds another tally's counts to this one.
    pub fn merge(&mut self, other: &Tally) {
        self.processed += other.processed;
        self.skipped += other.skipped;
        self.crc_sum += other.crc_sum;
        self.out_bytes += other.out_bytes;
        self.in_bytes += other.in_bytes;
    }

    /// Images seen.
    pub fn images(&self) -> u64 {
        self.processed + self.skipped
    }

    /// Whether two runs produced the same outputs (counts and checksums; not timing).
    pub fn same_outputs(&self, other: &Tally) -> bool {
        self == other
    }
}

#[cfg(test)]
mod tests {
    use super::super::corpus::{CorpusSpec, image_file};
    use super::*;
    use image::ImageEncoder;
    use image::codecs::jpeg::JpegEncoder;

    #[test]
    fn thumbnails_are_half_size_jpegs_and_damage_is_an_error() {
        let spec = CorpusSpec {
            count: 12,
            width: 64,
            height: 48,
            seed: 3,
            damage_every: 4,
        };
        let mut tally = Tally::default();
        for i in 0..12 {
            let (bytes, _) = image_file(&spec, i).expect("encodes");
            let out = thumbnail(&bytes).ok();
            if let Some(out) = &out {
                let img = image::load_from_memory(out).expect("a valid JPEG");
                assert_eq!((img.width(), img.height()), (32, 24));
                assert_eq!(
                    image::guess_format(out).expect("format"),
                    image::ImageFormat::Jpeg
                );
            }
            tally.add(bytes.len(), out.as_deref());
        }
        // Records 3, 7, 11 are damaged (truncated, garbage, empty): all three are skipped.
        assert_eq!((tally.processed, tally.skipped), (9, 3));
    }

    #[test]
    fn a_truncated_jpeg_is_refused_though_image_would_pad_it_with_grey() {
        let img = super::super::corpus::render(
            &CorpusSpec {
                count: 1,
                width: 64,
                height: 64,
                seed: 5,
                damage_every: 0,
            },
            0,
        );
        let mut jpeg = Vec::new();
        JpegEncoder::new_with_quality(&mut jpeg, 85)
            .write_image(img.as_raw(), 64, 64, image::ExtendedColorType::Rgb8)
            .expect("encodes");
        assert!(decode_rgb(&jpeg).is_ok());
        jpeg.truncate(jpeg.len() * 2 / 5);
        // The `image` crate's own path accepts it (zune-jpeg's lenient default)...
        assert!(image::load_from_memory(&jpeg).is_ok());
        // ...ours refuses it, as libjpeg-turbo does.
        assert!(matches!(decode_rgb(&jpeg), Err(ImageFailure::Jpeg(_))));
        assert!(thumbnail(&jpeg).is_err() && threshold(&jpeg).is_err());
    }

    #[test]
    fn the_divider_rounds_exactly_like_integer_division() {
        for d in (1..=101).step_by(2) {
            let div = Divider::new(d);
            for n in 0..=255 * d {
                assert_eq!(u32::from(div.apply(n)), (n + d / 2) / d, "{n} / {d}");
            }
        }
    }

    /// The blur written the obvious way: every output a clamped window sum, divided.
    fn reference_blur(pixels: &mut [u8], width: usize, height: usize, sigma: f32) {
        let mut tmp = vec![0u8; pixels.len()];
        let px = |img: &[u8], x: isize, y: isize, c: usize| {
            let x = x.clamp(0, width as isize - 1) as usize;
            let y = y.clamp(0, height as isize - 1) as usize;
            u32::from(img[(y * width + x) * 3 + c])
        };
        for size in boxes_for_gauss(sigma, 3) {
            let r = ((size - 1) / 2) as isize;
            let d = size as u32;
            for y in 0..height {
                for x in 0..width {
                    for c in 0..3 {
                        let s: u32 = (-r..=r)
                            .map(|i| px(pixels, x as isize + i, y as isize, c))
                            .sum();
                        tmp[(y * width + x) * 3 + c] = ((s + d / 2) / d) as u8;
                    }
                }
            }
            for y in 0..height {
                for x in 0..width {
                    for c in 0..3 {
                        let s: u32 = (-r..=r)
                            .map(|i| px(&tmp, x as isize, y as isize + i, c))
                            .sum();
                        pixels[(y * width + x) * 3 + c] = ((s + d / 2) / d) as u8;
                    }
                }
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn the_fast_blur_equals_the_obvious_one(
            width in 1usize..24,
            height in 1usize..24,
            sigma in 0.5f32..4.0,
            seed in proptest::prelude::any::<u64>(),
        ) {
            let mut state = seed | 1;
            let mut img: Vec<u8> = (0..width * height * 3)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    state as u8
                })
                .collect();
            let mut want = img.clone();
            reference_blur(&mut want, width, height, sigma);
            box_blur_rgb(&mut img, width, height, sigma);
            proptest::prop_assert_eq!(img, want);
        }
    }

    #[test]
    fn box_blur_keeps_flat_areas_and_spreads_an_edge() {
        assert_eq!(boxes_for_gauss(2.0, 3), vec![3, 3, 5]);
        // A flat image stays exactly flat (edges clamped, sums rounded).
        let mut flat = vec![77u8; 9 * 5 * 3];
        box_blur_rgb(&mut flat, 9, 5, 2.0);
        assert!(flat.iter().all(|&v| v == 77));
        // A single white column spreads symmetrically and keeps its mass roughly.
        let (w, h) = (21, 3);
        let mut img = vec![0u8; w * h * 3];
        for y in 0..h {
            for c in 0..3 {
                img[(y * w + 10) * 3 + c] = 210;
            }
        }
        box_blur_rgb(&mut img, w, h, 2.0);
        let row: Vec<u8> = (0..w).map(|x| img[x * 3]).collect();
        assert!(row[10] < 210 && row[10] > 0);
        for d in 1..=4 {
            assert_eq!(row[10 - d], row[10 + d], "symmetric at ±{d}");
            assert!(row[10 - d] <= row[10 - d + 1], "falls off at ±{d}");
        }
        let mass: u32 = row.iter().map(|&v| u32::from(v)).sum();
        assert!((200..=220).contains(&mass), "mass {mass}");
    }

    #[test]
    fn threshold_is_one_byte_per_pixel_of_black_or_white() {
        let spec = CorpusSpec {
            count: 1,
            width: 20,
            height: 10,
            seed: 9,
            damage_every: 0,
        };
        let (bytes, _) = image_file(&spec, 0).expect("encodes");
        let out = threshold(&bytes).expect("decodes");
        assert_eq!(out.len(), 200);
        assert!(out.iter().all(|&b| b == 0 || b == 255));
    }

    #[test]
    fn tallies_do_not_depend_on_order() {
        let (mut a, mut b) = (Tally::default(), Tally::default());
        a.add(3, Some(b"one"));
        a.add(4, None);
        b.add(4, None);
        b.add(3, Some(b"one"));
        assert!(a.same_outputs(&b));
        let mut c = a;
        c.merge(&b);
        assert_eq!((c.processed, c.skipped, c.in_bytes), (2, 2, 14));
    }
}
