//! The Rust reference server: axum on tokio, the same two endpoints as the Python apps.
//!
//! `POST /validate` deserializes the order with serde (through `serde_path_to_error`, so a
//! type error names its field), then checks ranges and patterns by hand, and answers a bad
//! body with 422 and FastAPI's error shape. serde stops at the first type error; the range
//! checks after it report every fault — the precision table shows the difference.
//! `GET /wait` sleeps 20 ms on the runtime's timer.
//!
//! It runs as this binary re-executed (`PYPROOF_WORKER=api-server`), bound to 127.0.0.1 on
//! a kernel-chosen port, and exits when its stdin closes.

use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use bytes::Bytes;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::io::Read;
use std::time::Duration;

/// The wait of `GET /wait`.
pub const WAIT: Duration = Duration::from_millis(20);
/// The most lines an order may have.
pub const MAX_ITEMS: usize = 1000;

/// One line of an order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    /// Stock-keeping unit, 1 to 32 characters.
    pub sku: String,
    /// 1 to 1,000.
    pub qty: i64,
    /// ≥ 0.
    pub price: f64,
}

/// Who ordered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Customer {
    /// 1 to 100 characters.
    pub name: String,
    /// `^[^@\s]+@[^@\s]+$`.
    pub email: String,
}

/// The nested payload of `POST /validate`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Order {
    /// ≥ 1.
    pub order_id: i64,
    /// Who ordered.
    pub customer: Customer,
    /// 1 to [`MAX_ITEMS`] lines.
    pub items: Vec<Item>,
    /// Optional free text.
    #[serde(default)]
    pub note: Option<String>,
}

fn error(loc: Vec<Value>, kind: &str, msg: String) -> Value {
    let mut full = vec![json!("body")];
    full.extend(loc);
    json!({"loc": full, "type": kind, "msg": msg})
}

fn is_email(s: &str) -> bool {
    let ok = |part: &str| !part.is_empty() && !part.contains(char::is_whitespace);
    matches!(s.split_once('@'), Some((user, host)) if ok(user) && ok(host) && !host.contains('@'))
}

fn check_len(errors: &mut Vec<Value>, loc: Vec<Value>, s: &str, lo: usize, hi: usize) {
    let n = s.chars().count();
    if n < lo {
        errors.push(error(
            loc,
            "string_too_short",
            format!("at least {lo} characters"),
        ));
    } else if n > hi {
        errors.push(error(
            loc,
            "string_too_long",
            format!("at most {hi} characters"),
        ));
    }
}

fn check_range(errors: &mut Vec<Value>, loc: Vec<Value>, v: i64, lo: i64, hi: i64) {
    if v < lo {
        errors.push(error(
            loc,
            "greater_than_equal",
            format!("should be >= {lo}"),
        ));
    } else if v > hi {
        errors.push(error(loc, "less_than_equal", format!("should be <= {hi}")));
    }
}

/// Validates a request body: the order, or the errors (FastAPI's `detail` entries).
pub fn validate(body: &[u8]) -> Result<Order, Vec<Value>> {
    let mut de = serde_json::Deserializer::from_slice(body);
    let order: Order = match serde_path_to_error::deserialize(&mut de) {
        Ok(o) => match de.end() {
            Ok(()) => o,
            Err(e) => return Err(vec![error(vec![], "json_invalid", e.to_string())]),
        },
        Err(e) => {
            let inner = e.inner();
            if inner.is_syntax() || inner.is_eof() {
                return Err(vec![error(vec![], "json_invalid", inner.to_string())]);
            }
            let mut loc: Vec<Value> = e
                .path()
                .iter()
                .filter_map(|seg| match seg {
                    serde_path_to_error::Segment::Seq { index } => Some(json!(index)),
                    serde_path_to_error::Segment::Map { key } => Some(json!(key)),
                    serde_path_to_error::Segment::Enum { variant } => Some(json!(variant)),
                    serde_path_to_error::Segment::Unknown => None,
                })
                .collect();
            let msg = inner.to_string();
            // serde reports a missing field at its parent; name the field itself.
            if let Some(field) = msg
                .strip_prefix("missing field `")
                .and_then(|r| r.split('`').next())
            {
                loc.push(json!(field));
                return Err(vec![error(loc, "missing", "Field required".into())]);
            }
            return Err(vec![error(loc, "type_error", msg)]);
        }
    };
    let mut errors = Vec::new();
    check_range(
        &mut errors,
        vec![json!("order_id")],
        order.order_id,
        1,
        i64::MAX,
    );
    check_len(
        &mut errors,
        vec![json!("customer"), json!("name")],
        &order.customer.name,
        1,
        100,
    );
    if !is_email(&order.customer.email) {
        errors.push(error(
            vec![json!("customer"), json!("email")],
            "string_pattern_mismatch",
            "not an email address".into(),
        ));
    }
    if order.items.is_empty() || order.items.len() > MAX_ITEMS {
        errors.push(error(
            vec![json!("items")],
            "too_short",
            format!("1 to {MAX_ITEMS} items"),
        ));
    }
    for (i, item) in order.items.iter().enumerate() {
        let at = |f: &str| vec![json!("items"), json!(i), json!(f)];
        check_len(&mut errors, at("sku"), &item.sku, 1, 32);
        check_range(&mut errors, at("qty"), item.qty, 1, 1000);
        if item.price.is_nan() || item.price < 0.0 {
            errors.push(error(
                at("price"),
                "greater_than_equal",
                "should be >= 0".into(),
            ));
        }
    }
    if errors.is_empty() {
        Ok(order)
    } else {
        Err(errors)
    }
}

fn json_response(status: StatusCode, body: Vec<u8>) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

async fn validate_handler(body: Bytes) -> Response {
    match validate(&body) {
        Ok(order) => json_response(
            StatusCode::OK,
            serde_json::to_vec(&order).unwrap_or_default(),
        ),
        Err(detail) => json_response(
            StatusCode::UNPROCESSABLE_ENTITY,
            serde_json::to_vec(&json!({ "detail": detail })).unwrap_or_default(),
        ),
    }
}

async fn wait_handler() -> Response {
    tokio::time::sleep(WAIT).await;
    json_response(
        StatusCode::OK,
        format!("{{\"waited_ms\":{}}}", WAIT.as_millis()).into_bytes(),
    )
}

/// The app: both routes.
pub fn app() -> Router {
    Router::new()
        .route("/validate", post(validate_handler))
        .route("/wait", get(wait_handler))
}

/// The worker: serves until stdin closes; never returns Ok.
pub fn serve(args: &[String]) -> Result<String, String> {
    if !args.is_empty() {
        return Err("usage: PYPROOF_WORKER=api-server <binary>".into());
    }
    pyproof_proc::raise_fd_limit();
    std::thread::spawn(|| {
        let mut sink = [0u8; 64];
        while matches!(std::io::stdin().read(&mut sink), Ok(n) if n > 0) {}
        std::process::exit(0);
    });
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("starting tokio: {e}"))?;
    rt.block_on(async {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
            .await
            .map_err(|e| format!("binding 127.0.0.1: {e}"))?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        println!("listening {addr}");
        axum::serve(listener, app())
            .await
            .map_err(|e| format!("serving: {e}"))?;
        Err("the server stopped".to_string())
    })
}

/// The `api-server` worker role: the axum reference server.
pub struct AxumServer;

impl pyproof_harness::Worker for AxumServer {
    fn role(&self) -> &'static str {
        "api-server"
    }
    fn run(&self, args: &[String]) -> Result<String, String> {
        serve(args)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::payload::{LOAD_ITEMS, bad_cases, named_fields, valid_order};

    #[test]
    fn the_valid_order_round_trips() {
        let v = valid_order(LOAD_ITEMS);
        let body = serde_json::to_vec(&v).expect("json");
        let order = validate(&body).expect("valid");
        assert_eq!(serde_json::to_value(&order).expect("json"), v);
    }

    #[test]
    fn bad_bodies_name_their_fields() {
        for case in bad_cases() {
            let errors = validate(&case.body).expect_err(case.id);
            let body = serde_json::to_vec(&json!({ "detail": errors })).expect("json");
            let named = named_fields(&body).expect("FastAPI's shape");
            match (case.id, &case.expected) {
                // serde stops at the type error: the range fault beside it is not reached.
                ("type_and_range", _) => {
                    assert_eq!(named.into_iter().collect::<Vec<_>>(), ["items.1.qty"])
                }
                // serde_json fills a struct from a JSON list, field by field: 1 is taken as
                // the order_id, and the 2 that follows fails as the customer.
                ("not_an_object", _) => assert_eq!(named.into_iter().collect::<Vec<_>>(), ["1"]),
                // NaN and Infinity are not JSON: serde_json refuses the whole body, naming no
                // field (strictly right about the JSON, but not the field at fault).
                ("nan_price" | "infinite_price", _) => {
                    assert_eq!(named.into_iter().collect::<Vec<_>>(), [""], "{}", case.id)
                }
                (_, Some(expected)) => assert_eq!(&named, expected, "{}", case.id),
                (_, None) => assert_eq!(named.into_iter().collect::<Vec<_>>(), [""]),
            }
        }
    }

    #[test]
    fn emails_follow_the_pattern() {
        assert!(is_email("a@b"));
        for bad in ["ada", "@b", "a@", "a@b@c", "a b@c", ""] {
            assert!(!is_email(bad), "{bad}");
        }
    }
}
