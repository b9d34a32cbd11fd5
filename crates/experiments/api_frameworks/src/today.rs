//! The answer to give today about building an API, its figures read from a run's outcome.

use pyproof_harness::Outcome;

/// Requests/s on the waiting endpoint (async against threads) and on validation (the
/// frameworks of 2026 beside FastAPI), then validation in process.
pub fn answer(o: &Outcome) -> Option<String> {
    let c = *o.numbers_in_keys("fastapi.wait.c", ".rps").last()?;
    let rps = |server: &str, endpoint: &str| o.figure(&format!("{server}.{endpoint}.c{c}.rps"), "");
    let fastapi_wait = rps("fastapi", "wait")?;
    let mut s = format!(
        "At {c} clients on an endpoint that waits, FastAPI (async def) served {fastapi_wait} \
         requests/s"
    );
    let others: Vec<String> = [
        ("fastapi_sync", "FastAPI with plain def"),
        ("flask", "Flask on waitress' 4 threads"),
        ("flask_wide", "Flask on 128 threads"),
    ]
    .iter()
    .filter_map(|(server, what)| rps(server, "wait").map(|r| format!("{what} {r}")))
    .collect();
    if !others.is_empty() {
        s.push_str(&format!(" against {}", others.join(", ")));
    }
    let validate: Vec<String> = [
        ("fastapi", "FastAPI"),
        ("starlette", "bare Starlette"),
        ("litestar", "Litestar + msgspec"),
        ("axum", "axum (Rust)"),
    ]
    .iter()
    .filter_map(|(server, what)| rps(server, "validate").map(|r| format!("{what} {r}")))
    .collect();
    if validate.len() > 1 {
        s.push_str(&format!(
            ". Validating a JSON order, requests/s: {}",
            validate.join(", ")
        ));
    }
    if let (Some(pydantic), Some(msgspec)) = (
        o.figure("validate.pydantic_json.per_s", ""),
        o.figure("validate.msgspec_json.per_s", ""),
    ) {
        s.push_str(&format!(
            "; in process, Pydantic v2 {pydantic} payloads/s, msgspec {msgspec}"
        ));
    }
    s.push('.');
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use pyproof_harness::testing::made_up_outcome;

    #[test]
    fn the_sentence_reads_the_most_clients() {
        let o = made_up_outcome(
            &[
                ("fastapi.wait.c16.rps", 700.0),
                ("fastapi.wait.c128.rps", 4125.0),
                ("flask.wait.c128.rps", 50.0),
                ("fastapi.validate.c128.rps", 3569.0),
                ("axum.validate.c128.rps", 34779.0),
                ("validate.pydantic_json.per_s", 60749.0),
                ("validate.msgspec_json.per_s", 170269.0),
            ],
            &[],
            &[],
        );
        assert_eq!(
            answer(&o).as_deref(),
            Some(
                "At 128 clients on an endpoint that waits, FastAPI (async def) served 4125 \
                 requests/s against Flask on waitress' 4 threads 50.0. Validating a JSON order, requests/s: \
                 FastAPI 3569, axum (Rust) 34779; in process, Pydantic v2 60749 payloads/s, \
                 msgspec 170269."
            )
        );
        assert_eq!(answer(&made_up_outcome(&[], &[], &[])), None);
    }
}
