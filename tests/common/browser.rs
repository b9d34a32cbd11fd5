//! A generated report read as a reader would, in headless Chromium: each page is copied with a
//! probe script injected (the report itself has none) and loaded in a frame exactly 390 px (a
//! phone) and 1400 px (a laptop) wide — a headless window cannot be narrower than about 500
//! px, a frame can — and the probe's findings are read back from the dumped DOM: errors the
//! page raised, elements wider than the page, every chart's box, the scorecard's rows. A
//! screenshot of each page is saved at both widths.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The widths every page is read at: a phone and a laptop.
pub const WIDTHS: [u32; 2] = [390, 1400];

/// Records errors from the start (a capturing listener also sees resources that fail to
/// load), then on load measures the page and writes the findings as JSON into
/// `<pre id="pyproof-probe">`.
const PROBE: &str = r#"<script>
(() => {
  const errors = [];
  window.addEventListener('error', e => errors.push(String(e.message || (e.target && (e.target.src || e.target.href)) || 'error')), true);
  const original = console.error;
  console.error = (...a) => { errors.push(a.join(' ')); original.apply(console, a); };
  window.addEventListener('load', () => {
    const width = document.documentElement.clientWidth;
    const scrolls = el => {
      for (let p = el.parentElement; p; p = p.parentElement) {
        const x = getComputedStyle(p).overflowX;
        if (x === 'auto' || x === 'scroll') return true;
      }
      return false;
    };
    const overflow = [];
    for (const el of document.body.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      if (r.width > 0 && r.right > width + 1 && !scrolls(el)) {
        overflow.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + ' right=' + Math.round(r.right));
      }
    }
    const charts = [...document.querySelectorAll('figure.chart')].map(f => {
      const svg = f.querySelector('svg');
      const r = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
      return [f.id, r.width, r.height];
    });
    const standings = [...document.querySelectorAll('#scorecard tbody tr')]
      .map(tr => (tr.querySelector('.standing') || {}).textContent || '');
    const out = {width, scrollWidth: document.documentElement.scrollWidth, overflow, charts, standings, errors};
    // The page runs in a frame of the exact width (a headless window has a minimum width
    // wider than a phone); the frame's parent writes the findings where --dump-dom sees them.
    parent.postMessage(JSON.stringify(out), '*');
  });
})();
</script>"#;

/// Where a test's screenshots go: `target/report-screenshots/<name>/`.
pub fn shots_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target")
        .join("report-screenshots")
        .join(name);
    std::fs::create_dir_all(&dir).expect("screenshot dir");
    dir
}

/// A page that shows `page` in a frame `width` px wide and keeps what the frame's probe
/// posts in `<pre id="pyproof-probe">`.
fn frame(page: &str, width: u32) -> String {
    format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body style=\"margin:0\">\
         <iframe src=\"{page}\" style=\"width:{width}px;height:2400px;border:0;display:block\"></iframe>\
         <pre id=\"pyproof-probe\"></pre><script>window.addEventListener('message', e => {{\
         document.getElementById('pyproof-probe').textContent = e.data; }});</script></body></html>"
    )
}

fn chromium(browser: &str, width: u32, extra: &[&str], url: &str) -> std::process::Output {
    let profile = tempfile::tempdir().expect("profile");
    let out = Command::new("timeout")
        .arg("60")
        .arg(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
            "--virtual-time-budget=5000",
        ])
        .arg(format!("--window-size={},2400", width.max(600)))
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(url)
        .output()
        .expect("chromium runs");
    assert!(
        out.status.success(),
        "chromium on {url}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// What the probe found on one page at one width.
pub fn probe(browser: &str, page: &Path, width: u32) -> serde_json::Value {
    let html = std::fs::read_to_string(page).expect("page");
    let probed = html.replacen("<head>", &format!("<head>{PROBE}"), 1);
    assert_ne!(probed, html, "{} has a <head>", page.display());
    let dir = tempfile::tempdir().expect("tempdir");
    let name = page
        .file_name()
        .and_then(|n| n.to_str())
        .expect("file name");
    std::fs::write(dir.path().join(name), probed).expect("write");
    let wrapper = dir.path().join("frame.html");
    std::fs::write(&wrapper, frame(name, width)).expect("write");
    let out = chromium(
        browser,
        width,
        &["--dump-dom"],
        &format!("file://{}", wrapper.display()),
    );
    let dom = String::from_utf8_lossy(&out.stdout);
    let json = dom
        .split("<pre id=\"pyproof-probe\">")
        .nth(1)
        .and_then(|rest| rest.split("</pre>").next())
        .unwrap_or_else(|| panic!("no probe output on {} at {width} px", page.display()));
    let json = json
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    let mut found: serde_json::Value = serde_json::from_str(&json).expect("probe json");
    // Messages Chromium logged from the page's console, beside what the probe caught.
    let logged: Vec<String> = String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter(|l| l.contains(":CONSOLE"))
        .map(str::to_string)
        .collect();
    found["console"] = serde_json::json!(logged);
    found
}

/// Reads every HTML page of the report in `dir` at both widths: no error, nothing wider than
/// a phone's screen, every chart a non-empty box; the scorecard (in `index.html`) has a
/// standing on every row (`rows` of them, when given) and a page per row. Saves a screenshot
/// of each page at each width under `shots`.
pub fn check_report(browser: &str, dir: &Path, shots: &Path, rows: Option<usize>) {
    let mut pages: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("report dir")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "html"))
        .collect();
    pages.sort();
    assert!(pages.iter().any(|p| p.ends_with("index.html")), "{pages:?}");
    for page in &pages {
        let name = page.file_stem().and_then(|s| s.to_str()).expect("name");
        for width in WIDTHS {
            let found = probe(browser, page, width);
            let at = format!("{name}.html at {width} px");
            assert_eq!(found["width"].as_f64(), Some(f64::from(width)), "{at}");
            assert_eq!(found["errors"], serde_json::json!([]), "{at}");
            assert_eq!(found["console"], serde_json::json!([]), "{at}");
            assert_eq!(found["overflow"], serde_json::json!([]), "{at}: {found}");
            assert!(
                found["scrollWidth"].as_f64() <= found["width"].as_f64(),
                "{at} scrolls sideways: {found}"
            );
            for chart in found["charts"].as_array().expect("charts") {
                let (w, h) = (chart[1].as_f64(), chart[2].as_f64());
                assert!(
                    w.is_some_and(|w| w > 50.0) && h.is_some_and(|h| h > 50.0),
                    "{at}: chart {chart} has an empty box"
                );
            }
            if name == "index" {
                let standings: Vec<&str> = found["standings"]
                    .as_array()
                    .expect("standings")
                    .iter()
                    .filter_map(|s| s.as_str())
                    .collect();
                if let Some(rows) = rows {
                    assert_eq!(standings.len(), rows, "{at}: {standings:?}");
                }
                assert!(!standings.is_empty(), "{at}: no scorecard");
                for s in &standings {
                    assert!(
                        [
                            "Right",
                            "Right with caveats",
                            "Wrong",
                            "Unsettled",
                            "Failed"
                        ]
                        .contains(s)
                            || s.starts_with("Outdated on "),
                        "{at}: standing {s:?}"
                    );
                }
                assert_eq!(
                    pages.len(),
                    standings.len() + 1,
                    "a page per scorecard row, and the scorecard"
                );
            }
            let shot = shots.join(format!("{name}-{width}.png"));
            let framed = tempfile::tempdir().expect("tempdir");
            let wrapper = framed.path().join("frame.html");
            std::fs::write(
                &wrapper,
                frame(&format!("file://{}", page.display()), width),
            )
            .expect("write");
            chromium(
                browser,
                width,
                &[&format!("--screenshot={}", shot.display())],
                &format!("file://{}", wrapper.display()),
            );
            let png = std::fs::read(&shot).expect("screenshot written");
            assert!(png.starts_with(b"\x89PNG") && png.len() > 5_000, "{at}");
        }
    }
}
