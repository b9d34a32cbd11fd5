//! Requirements and pip's output, read as text: the pinned lines of `requirements.txt`, their
//! names and environment markers, and what an install failure says (no network, no wheel of
//! the pin for this build, which package) — pure functions, each tested on its own.

/// The requirement lines of a requirements file (comments and blanks dropped).
pub fn requirement_lines(text: &str) -> Vec<&str> {
    text.lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty())
        .collect()
}

/// The distribution name of a requirement line: `numpy` of `numpy==2.4.6; python_version < "3.15"`.
pub fn requirement_name(line: &str) -> &str {
    line.split(['=', '<', '>', '!', '~', '[', ';', ' '])
        .next()
        .unwrap_or(line)
}

/// A requirement line without its environment marker, and whether the marker holds for
/// Python `version` (`(3, 11)`). Only `python_version <op> "3.N"` markers are understood (the
/// only kind the requirements use); a line without one always holds.
pub fn requirement_for(line: &str, version: (u32, u32)) -> (&str, bool) {
    let Some((req, marker)) = line.split_once(';') else {
        return (line.trim(), true);
    };
    let marker = marker.trim();
    let holds = marker
        .strip_prefix("python_version")
        .and_then(|rest| {
            let rest = rest.trim();
            let op_len = rest
                .find(|c: char| !matches!(c, '<' | '>' | '=' | '!'))
                .unwrap_or(0);
            let (op, value) = rest.split_at(op_len);
            let value = value.trim().trim_matches(['"', '\'']);
            let (major, minor) = value.split_once('.')?;
            let want = (major.parse::<u32>().ok()?, minor.parse::<u32>().ok()?);
            Some(match op {
                "<" => version < want,
                "<=" => version <= want,
                ">" => version > want,
                ">=" => version >= want,
                "==" => version == want,
                "!=" => version != want,
                _ => return None,
            })
        })
        .unwrap_or(true);
    (req.trim(), holds)
}

/// Whether pip's output shows it could not reach the package index at all (no network, no
/// DNS, a proxy refusing): then "no matching distribution" means "offline", not "no such
/// version", and the error says so.
pub fn network_failed(pip_output: &str) -> bool {
    const MARKERS: [&str; 6] = [
        "Failed to establish a new connection",
        "Temporary failure in name resolution",
        "Network is unreachable",
        "Connection refused",
        "NameResolutionError",
        "ProxyError",
    ];
    pip_output
        .lines()
        .any(|l| MARKERS.iter().any(|m| l.contains(m)))
}

/// What pip's output says it could not install: the requirement it named, else None.
pub fn failed_package(pip_output: &str) -> Option<String> {
    const MARKERS: [&str; 4] = [
        "No matching distribution found for ",
        "Could not find a version that satisfies the requirement ",
        "Failed building wheel for ",
        "Failed to build ",
    ];
    pip_output.lines().find_map(|line| {
        MARKERS.iter().find_map(|m| {
            let at = line.find(m)?;
            let rest = line[at + m.len()..].trim();
            rest.split_whitespace().next().map(str::to_string)
        })
    })
}

/// pip found the package but no wheel of the pinned version for this interpreter (as
/// opposed to a network failure or a broken package).
pub fn no_wheel_of_pin(pip_output: &str) -> bool {
    pip_output.contains("No matching distribution found")
        && pip_output.contains("from versions:")
        && !pip_output.contains("from versions: none")
}

/// Whether `version` may stand in for the pin of `line`: the same major version or the one
/// before it (Pillow 12 for 13), never a 0.x for a pin of 1 or more (placeholder releases,
/// like polars-runtime-32 0.0.0, install but hold nothing).
pub fn acceptable_stand_in(line: &str, version: &str) -> bool {
    let major = |v: &str| {
        v.trim()
            .split('.')
            .next()
            .and_then(|m| m.parse::<u64>().ok())
    };
    let pin = line
        .split(';')
        .next()
        .and_then(|l| l.split_once("=="))
        .map(|(_, p)| p);
    match (pin.and_then(major), major(version)) {
        (Some(p), Some(v)) => v + 1 >= p && !(v == 0 && p >= 1),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requirement_lines_skip_comments_and_blanks() {
        let text = "# pinned\nnumpy==2.4.6  # arrays\n\n  pytest==9.2.0\n";
        assert_eq!(requirement_lines(text), ["numpy==2.4.6", "pytest==9.2.0"]);
    }

    #[test]
    fn requirement_names_drop_pins_extras_and_markers() {
        assert_eq!(
            requirement_name("numpy==2.5.5; python_version >= '3.15'"),
            "numpy"
        );
        assert_eq!(requirement_name("uvicorn[standard]>=0.5"), "uvicorn");
        assert_eq!(requirement_name("pytest"), "pytest");
    }

    #[test]
    fn python_version_markers_are_evaluated() {
        let lt = "numpy==2.4.6; python_version < \"3.15\"";
        let ge = "numpy==2.5.5; python_version >= '3.15'";
        assert_eq!(requirement_for(lt, (3, 11)), ("numpy==2.4.6", true));
        assert_eq!(requirement_for(lt, (3, 15)), ("numpy==2.4.6", false));
        assert_eq!(requirement_for(ge, (3, 15)), ("numpy==2.5.5", true));
        assert_eq!(requirement_for(ge, (3, 9)), ("numpy==2.5.5", false));
        assert_eq!(
            requirement_for("pytest==9.2.0", (3, 6)),
            ("pytest==9.2.0", true)
        );
        assert_eq!(
            requirement_for("x==1; sys_platform == 'linux'", (3, 11)),
            ("x==1", true),
            "a marker it does not know is left to pip"
        );
    }

    #[test]
    fn failed_package_is_found_in_pip_output() {
        let out = "Collecting x\nERROR: Could not find a version that satisfies the requirement \
                   nosuchpkg==1.0 (from versions: none)\nERROR: No matching distribution found \
                   for nosuchpkg==1.0\n";
        assert_eq!(failed_package(out).as_deref(), Some("nosuchpkg==1.0"));
        assert_eq!(failed_package("all good"), None);
    }

    #[test]
    fn an_unreachable_index_is_told_apart() {
        let offline = "WARNING: Retrying (Retry(total=0...)) after connection broken by \
                       'NewConnectionError(': Failed to establish a new connection: [Errno 111] \
                       Connection refused')': /simple/six/\nERROR: No matching distribution \
                       found for six==1.16.0\n";
        assert!(network_failed(offline));
        assert!(!network_failed(
            "ERROR: No matching distribution found for nosuchpkg==1.0"
        ));
    }

    #[test]
    fn a_pin_without_a_wheel_for_the_build_is_told_from_a_package_without_any() {
        let older_only = "ERROR: Could not find a version that satisfies the requirement \
                          pillow==13.0.0 (from versions: 11.0.0, 12.2.0)\nERROR: No matching \
                          distribution found for pillow==13.0.0\n";
        assert!(no_wheel_of_pin(older_only));
        let none = "ERROR: Could not find a version that satisfies the requirement \
                    msgspec==0.19.0 (from versions: none)\nERROR: No matching distribution \
                    found for msgspec==0.19.0\n";
        assert!(
            !no_wheel_of_pin(none),
            "no version at all: nothing to stand in"
        );
        assert!(!no_wheel_of_pin("Successfully installed pillow-13.0.0"));
    }

    #[test]
    fn a_stand_in_is_at_most_one_major_version_behind_and_never_a_placeholder() {
        assert!(acceptable_stand_in("pillow==13.0.0", "12.2.0"));
        assert!(acceptable_stand_in("pandas==3.1.1", "3.0.3"));
        assert!(acceptable_stand_in(
            "numpy==2.4.6; python_version < \"3.15\"",
            "2.3.0"
        ));
        assert!(!acceptable_stand_in("pyarrow==26.0.1", "24.0.0"));
        assert!(!acceptable_stand_in("polars-runtime-32==1.43.2", "0.0.0"));
        assert!(acceptable_stand_in("pyvips==0.3.2", "0.2.0"));
        assert!(
            !acceptable_stand_in("pillow", "12.2.0"),
            "no pin, nothing to stand in for"
        );
    }
}
