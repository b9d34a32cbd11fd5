//! Reading Debian's files: the machine's apt sources (which mirror), `apt-cache showsrc`'s
//! versions, a `.dsc`'s checksums, and Debian's version order.

use std::cmp::Ordering;

/// The first Debian archive among apt source files' texts, one-line (`sources.list`) or
/// deb822 (`*.sources`): a URI whose path ends in `/debian` (security and ports archives do
/// not hold the main suites' sources). Disabled entries (`#`, `Enabled: no`) are skipped.
pub fn mirror_from_sources(texts: &[String]) -> Option<String> {
    let is_archive = |uri: &str| {
        let u = uri.trim_end_matches('/');
        (u.starts_with("http://") || u.starts_with("https://")) && u.ends_with("/debian")
    };
    for text in texts {
        // deb822: stanzas separated by blank lines, `URIs:` may list several.
        for stanza in text.split("\n\n") {
            let field = |name: &str| {
                stanza.lines().find_map(|l| {
                    let (k, v) = l.split_once(':')?;
                    (k.trim().eq_ignore_ascii_case(name)).then(|| v.trim().to_string())
                })
            };
            if field("Enabled").is_some_and(|v| v.eq_ignore_ascii_case("no")) {
                continue;
            }
            if let Some(uris) = field("URIs")
                && let Some(u) = uris.split_whitespace().find(|u| is_archive(u))
            {
                return Some(u.trim_end_matches('/').to_string());
            }
        }
        // One-line: `deb [options] URI suite components`.
        for line in text.lines().map(str::trim) {
            let mut words = line.split_whitespace();
            if !matches!(words.next(), Some("deb" | "deb-src")) {
                continue;
            }
            let mut rest: Vec<&str> = words.collect();
            if rest.first().is_some_and(|w| w.starts_with('[')) {
                let end = rest.iter().position(|w| w.ends_with(']')).unwrap_or(0);
                rest.drain(..=end);
            }
            if let Some(u) = rest.first().filter(|u| is_archive(u)) {
                return Some(u.trim_end_matches('/').to_string());
            }
        }
    }
    None
}

/// The versions `apt-cache showsrc` lists, newest first, each once.
pub fn versions_in_showsrc(text: &str) -> Vec<String> {
    let mut v: Vec<String> = text
        .lines()
        .filter_map(|l| l.strip_prefix("Version:"))
        .map(|v| v.trim().to_string())
        .collect();
    v.sort_by(|a, b| compare_versions(b, a));
    v.dedup();
    v
}

/// The `Checksums-Sha256` entries of a `.dsc`: `(sha256, size, file name)`.
pub fn sha256_entries(dsc: &str) -> Vec<(String, u64, String)> {
    let mut out = Vec::new();
    let mut inside = false;
    for line in dsc.lines() {
        if line.starts_with("Checksums-Sha256:") {
            inside = true;
            continue;
        }
        if inside {
            // Continuation lines start with a space; anything else ends the field.
            if !line.starts_with(' ') {
                break;
            }
            let parts: Vec<&str> = line.split_whitespace().collect();
            if let [hash, size, name] = parts[..]
                && let Ok(size) = size.parse()
            {
                out.push((hash.to_ascii_lowercase(), size, name.to_string()));
            }
        }
    }
    out
}

/// Debian's version order (epoch, upstream, revision; `~` sorts before anything, digits
/// numerically), as `dpkg --compare-versions` has it.
pub fn compare_versions(a: &str, b: &str) -> Ordering {
    let split = |v: &str| -> (u64, String, String) {
        let (epoch, rest) = match v.split_once(':') {
            Some((e, r)) => (e.parse().unwrap_or(0), r),
            None => (0, v),
        };
        match rest.rsplit_once('-') {
            Some((u, r)) => (epoch, u.to_string(), r.to_string()),
            None => (epoch, rest.to_string(), String::new()),
        }
    };
    let (ea, ua, ra) = split(a);
    let (eb, ub, rb) = split(b);
    ea.cmp(&eb)
        .then_with(|| compare_part(&ua, &ub))
        .then_with(|| compare_part(&ra, &rb))
}

fn order(c: Option<char>) -> i32 {
    match c {
        None => 0,
        Some('~') => -1,
        Some(c) if c.is_ascii_alphabetic() => c as i32,
        Some(c) => c as i32 + 256,
    }
}

fn compare_part(a: &str, b: &str) -> Ordering {
    let (mut a, mut b) = (a.chars().peekable(), b.chars().peekable());
    loop {
        // The non-digit run, character by character.
        loop {
            let ca = a.peek().copied().filter(|c| !c.is_ascii_digit());
            let cb = b.peek().copied().filter(|c| !c.is_ascii_digit());
            if ca.is_none() && cb.is_none() {
                break;
            }
            match order(ca).cmp(&order(cb)) {
                Ordering::Equal => {
                    a.next();
                    b.next();
                }
                other => return other,
            }
        }
        // The digit run, as a number.
        let num = |it: &mut std::iter::Peekable<std::str::Chars<'_>>| {
            let mut n: u128 = 0;
            while let Some(d) = it.peek().and_then(|c| c.to_digit(10)) {
                n = n.saturating_mul(10).saturating_add(u128::from(d));
                it.next();
            }
            n
        };
        match num(&mut a).cmp(&num(&mut b)) {
            Ordering::Equal => {}
            other => return other,
        }
        if a.peek().is_none() && b.peek().is_none() {
            return Ordering::Equal;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mirror_comes_from_deb822_or_one_line_sources() {
        let deb822 = "Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm\n\
                      Components: main\n\nTypes: deb\nURIs: http://deb.debian.org/debian-security\n\
                      Suites: bookworm-security\n"
            .to_string();
        assert_eq!(
            mirror_from_sources(&[deb822]).as_deref(),
            Some("http://deb.debian.org/debian")
        );
        let disabled = "Types: deb\nURIs: http://a.example/debian\nEnabled: no\n".to_string();
        let one_line = "# deb http://old.example/debian bookworm main\n\
                        deb https://packages.cloud.google.com/apt cloud-sdk main\n\
                        deb [arch=amd64 signed-by=/k.gpg] https://mirror.example/debian/ bookworm main\n"
            .to_string();
        assert_eq!(
            mirror_from_sources(&[disabled, one_line]).as_deref(),
            Some("https://mirror.example/debian")
        );
        assert_eq!(
            mirror_from_sources(&["deb http://deb.debian.org/debian-security x main".into()]),
            None
        );
        assert_eq!(mirror_from_sources(&[]), None);
    }

    #[test]
    fn debian_versions_order_as_dpkg_does() {
        use Ordering::*;
        for (a, b, want) in [
            ("3.13.18-1", "3.13.5-2", Greater),
            ("3.14.0~rc3-1", "3.14.0-1", Less),
            ("3.14.0-1", "3.14.0-1", Equal),
            ("3.14.0-2", "3.14.0-10", Less),
            ("1:3.0-1", "9.9-1", Greater),
            ("3.13.5-2+b1", "3.13.5-2", Greater),
            ("3.15.0~a1-1", "3.15.0~b1-1", Less),
        ] {
            assert_eq!(compare_versions(a, b), want, "{a} vs {b}");
        }
    }

    #[test]
    fn showsrc_versions_are_listed_newest_first() {
        let text = "Package: python3.13\nVersion: 3.13.5-2\nDirectory: pool/main/p/python3.13\n\n\
                    Package: python3.13\nVersion: 3.13.18-1\n\nPackage: python3.13\nVersion: 3.13.5-2\n";
        assert_eq!(versions_in_showsrc(text), ["3.13.18-1", "3.13.5-2"]);
    }

    #[test]
    fn the_dsc_gives_each_files_sha256() {
        let dsc = "Format: 3.0 (quilt)\nSource: python3.13\nChecksums-Sha1:\n \
                   aaaa 10 python3.13_3.13.5.orig.tar.xz\nChecksums-Sha256:\n \
                   1E66A7 23160540 python3.13_3.13.5.orig.tar.xz\n \
                   beef 833 python3.13_3.13.5-2.debian.tar.xz\nFiles:\n \
                   cccc 10 python3.13_3.13.5.orig.tar.xz\n";
        assert_eq!(
            sha256_entries(dsc),
            [
                (
                    "1e66a7".to_string(),
                    23160540,
                    "python3.13_3.13.5.orig.tar.xz".to_string()
                ),
                (
                    "beef".to_string(),
                    833,
                    "python3.13_3.13.5-2.debian.tar.xz".to_string()
                ),
            ]
        );
        assert!(sha256_entries("Format: 3.0\n").is_empty());
    }
}
