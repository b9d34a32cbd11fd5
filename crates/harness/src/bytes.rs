//! Sizes in bytes, as people write them on a command line ("2GB", "200MB", "1.5GiB").

/// The largest size accepted: 1 TiB. Anything larger is a typo on a machine like this one.
pub const MAX_BYTES: u64 = 1 << 40;

/// Parses "2GB", "200MB", "20MiB", "1.5GB", "4096" or "64k" into bytes. Decimal units are
/// powers of 1000 (a "2GB" file is 2,000,000,000 bytes, as the sheet means it), binary
/// units (KiB, MiB, GiB, TiB) powers of 1024. Zero, negative, fractional bytes and sizes
/// over [`MAX_BYTES`] are refused with a message saying why.
pub fn parse_bytes(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-' || c == '+'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let value: f64 = number
        .parse()
        .map_err(|_| format!("bad size '{text}' (expected e.g. 2GB, 200MB, 64MiB or 4096)"))?;
    let factor: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" => 1_000,
        "m" | "mb" => 1_000_000,
        "g" | "gb" => 1_000_000_000,
        "t" | "tb" => 1_000_000_000_000,
        "kib" => 1 << 10,
        "mib" => 1 << 20,
        "gib" => 1 << 30,
        "tib" => 1 << 40,
        other => {
            return Err(format!(
                "bad size '{text}': unknown unit '{other}' (use B, KB, MB, GB, TB, KiB, MiB, GiB or TiB)"
            ));
        }
    };
    if !value.is_finite() || value <= 0.0 {
        return Err(format!("bad size '{text}': must be greater than zero"));
    }
    let bytes = value * factor as f64;
    if bytes > MAX_BYTES as f64 {
        return Err(format!("bad size '{text}': larger than the 1 TiB limit"));
    }
    if bytes.fract() != 0.0 {
        return Err(format!("bad size '{text}': not a whole number of bytes"));
    }
    Ok(bytes as u64)
}

/// "2.00 GB", "200 MB", "512 B": decimal units, three significant digits.
pub fn format_bytes(bytes: u64) -> String {
    const UNITS: [(&str, f64); 4] = [("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3)];
    let b = bytes as f64;
    for (i, (unit, size)) in UNITS.iter().enumerate() {
        // Thresholds on the *rounded* value: 999,999,944 bytes is "1.00 GB", not "1000 MB".
        if b >= size * 0.999_5 {
            let v = b / size;
            if v >= 999.5 && i > 0 {
                continue;
            }
            return if v >= 99.95 {
                format!("{v:.0} {unit}")
            } else if v >= 9.995 {
                format!("{v:.1} {unit}")
            } else {
                format!("{v:.2} {unit}")
            };
        }
    }
    format!("{bytes} B")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_decimal_and_binary_units() {
        assert_eq!(parse_bytes("2GB"), Ok(2_000_000_000));
        assert_eq!(parse_bytes("200MB"), Ok(200_000_000));
        assert_eq!(parse_bytes("20 mb"), Ok(20_000_000));
        assert_eq!(parse_bytes("1.5GB"), Ok(1_500_000_000));
        assert_eq!(parse_bytes("64MiB"), Ok(64 << 20));
        assert_eq!(parse_bytes("4096"), Ok(4096));
        assert_eq!(parse_bytes("64k"), Ok(64_000));
    }

    #[test]
    fn refuses_nonsense_with_a_reason() {
        for (input, why) in [
            ("", "expected e.g."),
            ("GB", "expected e.g."),
            ("-2GB", "greater than zero"),
            ("0", "greater than zero"),
            ("2XB", "unknown unit 'xb'"),
            ("2PB", "unknown unit"),
            ("2000TB", "1 TiB limit"),
            ("1.5", "whole number"),
            ("nanGB", "expected e.g."),
        ] {
            let err = parse_bytes(input).unwrap_err();
            assert!(err.contains(why), "{input}: {err}");
        }
    }

    #[test]
    fn formats_three_significant_digits() {
        assert_eq!(format_bytes(2_000_000_000), "2.00 GB");
        assert_eq!(format_bytes(200_000_000), "200 MB");
        assert_eq!(format_bytes(20_480_000), "20.5 MB");
        assert_eq!(format_bytes(512), "512 B");
        assert_eq!(format_bytes(999_999_944), "1.00 GB");
        assert_eq!(format_bytes(99_999_943), "100 MB");
        assert_eq!(format_bytes(9_999_990), "10.0 MB");
    }
}
