//! The options image_parallelism declares: `--images N` and `--image-size WxH`, the corpus
//! sizes instead of the scale's, and `--dask-scheduler ADDR`, an existing Dask cluster for
//! the cluster's runs instead of one started for the run.

use pyproof_harness::{Parsed, RunOption};
use std::sync::Arc;

/// `--images N`: the number of images in the generated corpus.
pub struct Images;

impl RunOption for Images {
    fn name(&self) -> &'static str {
        "images"
    }
    fn value_name(&self) -> &'static str {
        "N"
    }
    fn help(&self) -> &'static str {
        "Number of images in image_parallelism's corpus instead of the scale's (e.g. 5000, 20k, 1M)"
    }
    fn parse(&self, value: &str) -> Result<Parsed, String> {
        Ok(Arc::new(parse_count(value)?))
    }
}

/// `--image-size WxH`: the side(s) of the generated images.
pub struct ImageSize;

impl RunOption for ImageSize {
    fn name(&self) -> &'static str {
        "image-size"
    }
    fn value_name(&self) -> &'static str {
        "WxH"
    }
    fn help(&self) -> &'static str {
        "Size of image_parallelism's images instead of the scale's: 256 or 512x384"
    }
    fn parse(&self, value: &str) -> Result<Parsed, String> {
        Ok(Arc::new(parse_image_size(value)?))
    }
}

/// `--dask-scheduler ADDR`: the scheduler of an existing Dask cluster.
pub struct DaskScheduler;

impl RunOption for DaskScheduler {
    fn name(&self) -> &'static str {
        "dask-scheduler"
    }
    fn value_name(&self) -> &'static str {
        "ADDR"
    }
    fn help(&self) -> &'static str {
        "Run image_parallelism's Dask part on the existing cluster at ADDR (host:port or \
         tcp://host:port) instead of starting a scheduler and workers on 127.0.0.1"
    }
    fn parse(&self, value: &str) -> Result<Parsed, String> {
        Ok(Arc::new(parse_scheduler(value)?))
    }
}

/// Parses a Dask scheduler address: `host:port` or `tcp://host:port` (Dask's default
/// protocol; `tls://` and others need settings pyproof does not take). Returns it as given,
/// trimmed.
pub fn parse_scheduler(s: &str) -> Result<String, String> {
    let t = s.trim();
    let bare = match t.split_once("://") {
        None => t,
        Some(("tcp", rest)) => rest,
        Some((scheme, _)) => {
            return Err(format!(
                "bad Dask scheduler '{s}': only tcp:// is supported, not {scheme}://"
            ));
        }
    };
    let bad = || format!("bad Dask scheduler '{s}' (expected host:port, e.g. 10.0.0.5:8786)");
    let (host, port) = bare.rsplit_once(':').ok_or_else(bad)?;
    let port: u16 = port.parse().map_err(|_| bad())?;
    if host.is_empty() || port == 0 || host.contains(char::is_whitespace) {
        return Err(bad());
    }
    Ok(t.to_string())
}

/// The largest corpus `--images` accepts: ten times the sheet's million.
pub const MAX_IMAGES: u64 = 10_000_000;
/// The smallest and largest image side `--image-size` accepts, pixels.
pub const IMAGE_SIDE: (u32, u32) = (8, 8192);

/// Parses an image count: `5000`, `1_000_000`, `20k`, `1M`. Must be 1 to [`MAX_IMAGES`].
pub fn parse_count(s: &str) -> Result<u64, String> {
    let t = s.trim().replace('_', "");
    let (digits, factor) = match t.char_indices().last() {
        Some((i, 'k' | 'K')) => (&t[..i], 1_000),
        Some((i, 'm' | 'M')) => (&t[..i], 1_000_000),
        _ => (t.as_str(), 1),
    };
    if digits.starts_with('-') {
        return Err(format!("bad image count '{s}': must be greater than zero"));
    }
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("bad image count '{s}' (expected e.g. 5000, 20k, 1M)"))?;
    let n = n.saturating_mul(factor);
    if n == 0 {
        Err(format!("bad image count '{s}': must be greater than zero"))
    } else if n > MAX_IMAGES {
        Err(format!(
            "bad image count '{s}': larger than the {MAX_IMAGES} limit"
        ))
    } else {
        Ok(n)
    }
}

/// Parses image dimensions: `256` (square) or `512x384`; each side 8 to 8192 pixels.
pub fn parse_image_size(s: &str) -> Result<(u32, u32), String> {
    let t = s.trim().to_ascii_lowercase();
    let (w, h) = match t.split_once('x') {
        Some((w, h)) => (w, h),
        None => (t.as_str(), t.as_str()),
    };
    let side = |v: &str| -> Result<u32, String> {
        let n: u32 = v
            .trim()
            .parse()
            .map_err(|_| format!("bad image size '{s}' (expected e.g. 256 or 512x384)"))?;
        if (IMAGE_SIDE.0..=IMAGE_SIDE.1).contains(&n) {
            Ok(n)
        } else {
            Err(format!(
                "bad image size '{s}': each side must be {} to {} pixels",
                IMAGE_SIDE.0, IMAGE_SIDE.1
            ))
        }
    };
    Ok((side(w)?, side(h)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use pyproof_harness::Options;

    #[test]
    fn the_options_read_back_typed() {
        let mut o = Options::new();
        o.set(&Images, "20k").expect("valid");
        o.set(&ImageSize, "512x384").expect("valid");
        assert_eq!(o.one::<u64>(&Images), Some(&20_000));
        assert_eq!(o.one::<(u32, u32)>(&ImageSize), Some(&(512, 384)));
        assert_eq!(
            o.set(&ImageSize, "64").unwrap_err(),
            "--image-size given more than once"
        );
        assert!(Options::new().set(&Images, "0").is_err());
    }

    #[test]
    fn scheduler_addresses() {
        assert_eq!(
            parse_scheduler(" 10.0.0.5:8786 "),
            Ok("10.0.0.5:8786".into())
        );
        assert_eq!(
            parse_scheduler("tcp://sched.local:8786"),
            Ok("tcp://sched.local:8786".into())
        );
        assert_eq!(parse_scheduler("[::1]:8786"), Ok("[::1]:8786".into()));
        for bad in [
            "",
            "8786",
            "host",
            "host:",
            ":8786",
            "host:0",
            "host:99999",
            "a b:1",
        ] {
            assert!(parse_scheduler(bad).is_err(), "{bad}");
        }
        assert_eq!(
            parse_scheduler("tls://h:1").unwrap_err(),
            "bad Dask scheduler 'tls://h:1': only tcp:// is supported, not tls://"
        );
    }

    #[test]
    fn counts() {
        assert_eq!(parse_count("5000"), Ok(5000));
        assert_eq!(parse_count("1_000_000"), Ok(1_000_000));
        assert_eq!(parse_count("20k"), Ok(20_000));
        assert_eq!(parse_count("1M"), Ok(1_000_000));
        for bad in ["0", "-3", "lots", "", "11M", "1.5k"] {
            assert!(parse_count(bad).is_err(), "{bad}");
        }
        assert_eq!(
            parse_count("-3").unwrap_err(),
            "bad image count '-3': must be greater than zero"
        );
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_image_size("256"), Ok((256, 256)));
        assert_eq!(parse_image_size("512x384"), Ok((512, 384)));
        assert_eq!(parse_image_size("64X32"), Ok((64, 32)));
        for bad in ["4", "9000", "12x", "x12", "big", "-8", "0x0"] {
            assert!(parse_image_size(bad).is_err(), "{bad}");
        }
        assert_eq!(
            parse_image_size("4").unwrap_err(),
            "bad image size '4': each side must be 8 to 8192 pixels"
        );
    }
}
