//! The Rust thumbnail with a smarter decode: a JPEG is decoded straight to half size by the
//! codec — jpeg-decoder's IDCT scaling, the equivalent of Pillow's `draft()` with libjpeg —
//! instead of decoded whole and then halved. The blur and the encode are
//! [`super::pipeline`]'s. A PNG (no such scaling in its codec) goes the ordinary way.
//!
//! jpeg-decoder stops with an error at the end of a truncated file (it does not pad with
//! grey), so the damaged files of the corpus are skipped here as by the strict decoder.

use super::pipeline::{BLUR_SIGMA, ImageFailure, box_blur_rgb, encode_jpeg, resize_rgb, thumbnail};

/// Decode (JPEG at half size in the codec) → blur → JPEG; the same output size as
/// [`thumbnail`].
pub fn thumbnail_scaled(bytes: &[u8]) -> Result<Vec<u8>, ImageFailure> {
    if !bytes.starts_with(&[0xff, 0xd8]) {
        return thumbnail(bytes);
    }
    let jpeg = |e: jpeg_decoder::Error| ImageFailure::Jpeg(e.to_string());
    let mut decoder = jpeg_decoder::Decoder::new(bytes);
    decoder.read_info().map_err(jpeg)?;
    let info = decoder
        .info()
        .ok_or_else(|| ImageFailure::Jpeg("no header".into()))?;
    let (w, h) = (
        (u32::from(info.width) / 2).max(1),
        (u32::from(info.height) / 2).max(1),
    );
    // The smallest scale (1/8, 1/4, 1/2, 1) giving at least the requested size.
    let (sw, sh) = decoder.scale(w as u16, h as u16).map_err(jpeg)?;
    let raw = decoder.decode().map_err(jpeg)?;
    let rgb = match decoder.info().map(|i| i.pixel_format) {
        Some(jpeg_decoder::PixelFormat::RGB24) => raw,
        Some(jpeg_decoder::PixelFormat::L8) => raw.iter().flat_map(|&l| [l, l, l]).collect(),
        other => {
            return Err(ImageFailure::Jpeg(format!(
                "pixel format {other:?} is not handled"
            )));
        }
    };
    let (sw, sh) = (u32::from(sw), u32::from(sh));
    let mut pixels = if (sw, sh) == (w, h) {
        rgb
    } else {
        resize_rgb(rgb, sw, sh, w, h)?
    };
    box_blur_rgb(&mut pixels, w as usize, h as usize, BLUR_SIGMA);
    encode_jpeg(&pixels, w, h)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::JPEG_QUALITY;

    fn jpeg(w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbImage::from_fn(w, h, |x, y| {
            image::Rgb([
                (x * 7 % 256) as u8,
                (y * 5 % 256) as u8,
                ((x + y) % 256) as u8,
            ])
        });
        let mut out = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY)
            .encode_image(&img)
            .expect("encodes");
        out
    }

    #[test]
    fn the_scaled_thumbnail_has_the_ordinary_ones_size() {
        for (w, h) in [(256, 256), (96, 64), (65, 33)] {
            let bytes = jpeg(w, h);
            let scaled = image::load_from_memory(&thumbnail_scaled(&bytes).expect("scaled"))
                .expect("a JPEG");
            let plain = image::load_from_memory(&thumbnail(&bytes).expect("plain")).expect("ok");
            assert_eq!(
                (scaled.width(), scaled.height()),
                (plain.width(), plain.height())
            );
            assert_eq!((scaled.width(), scaled.height()), (w / 2, h / 2));
        }
    }

    #[test]
    fn a_truncated_jpeg_is_refused_as_by_the_strict_decoder() {
        let bytes = jpeg(128, 128);
        let cut = &bytes[..bytes.len() * 2 / 3];
        assert!(matches!(thumbnail_scaled(cut), Err(ImageFailure::Jpeg(_))));
        assert!(thumbnail(cut).is_err());
        assert!(thumbnail_scaled(b"not an image").is_err());
    }
}
