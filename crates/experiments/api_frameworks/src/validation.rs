//! Validation timed in process: Pydantic and hand-written checks (in Python), serde (in
//! Rust), on the same payload.

use crate::axum_server;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::time::Instant;

#[derive(Debug, Deserialize)]
pub(crate) struct BenchReport {
    pub(crate) rates: BTreeMap<String, Vec<f64>>,
    pub(crate) payload_bytes: u64,
}

/// The in-process validation variants, in table order: (key, label).
pub const VALIDATORS: [(&str, &str); 6] = [
    (
        "pydantic_json",
        "Pydantic v2 `Order.model_validate_json(body)`",
    ),
    (
        "msgspec_json",
        "msgspec `json.decode(body, type=OrderStruct)`",
    ),
    (
        "pydantic_dict",
        "Pydantic v2 `Order.model_validate(json.loads(body))`",
    ),
    (
        "handwritten",
        "dataclasses + hand-written checks over `json.loads(body)`",
    ),
    ("json_only", "`json.loads(body)` alone (no checks)"),
    ("rust_serde", "Rust: serde + the same checks (axum's)"),
];

/// Times [`axum_server::validate`] over `raw` like the Python variants: `rounds` × `seconds`.
pub(crate) fn rust_rates(raw: &[u8], rounds: usize, seconds: f64) -> Vec<f64> {
    (0..rounds)
        .map(|_| {
            let start = Instant::now();
            let mut done = 0u64;
            loop {
                for _ in 0..50 {
                    std::hint::black_box(axum_server::validate(std::hint::black_box(raw)).is_ok());
                }
                done += 50;
                if start.elapsed().as_secs_f64() >= seconds {
                    break;
                }
            }
            done as f64 / start.elapsed().as_secs_f64()
        })
        .collect()
}

pub(crate) fn iqr_text(xs: &[f64]) -> String {
    pyproof_harness::median_iqr(xs, "")
}
