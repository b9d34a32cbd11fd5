//! The request bodies of `POST /validate`: one valid nested order (the load), and bad ones
//! whose offending fields are known in advance (the precision check). Also: reading the
//! fields a 422 response names, in FastAPI's error shape, which all three servers answer in.

use serde_json::{Value, json};
use std::collections::BTreeSet;

/// Lines in the load's order.
pub const LOAD_ITEMS: usize = 10;

/// A valid order with `items` lines, the same bytes every run. Prices are multiples of 1/4, so
/// every server echoes them exactly.
pub fn valid_order(items: usize) -> Value {
    json!({
        "order_id": 40_417,
        "customer": {"name": "Ada Lovelace", "email": "ada@example.org"},
        "items": (0..items)
            .map(|i| json!({
                "sku": format!("SKU-{:05}", 7 * i + 3),
                "qty": 1 + (i * 7) % 12,
                "price": (i * 37 % 400) as f64 / 4.0 + 0.25,
            }))
            .collect::<Vec<_>>(),
        "note": "leave at the door",
    })
}

/// A bad request body and the fields a precise answer names.
#[derive(Debug, Clone)]
pub struct BadCase {
    /// Short id.
    pub id: &'static str,
    /// What is wrong with it.
    pub what: &'static str,
    /// The body sent.
    pub body: Vec<u8>,
    /// Every field at fault, as dotted paths (`items.1.qty`; "" for the body itself); None
    /// when the body is not JSON at all (then the answer must say so: an error of type
    /// [`JSON_INVALID`]).
    pub expected: Option<BTreeSet<String>>,
    /// Whether hand-written checks commonly let it through (said in the docs and evidence).
    pub commonly_missed: bool,
}

/// The error type every server answers a body that is not JSON with.
pub const JSON_INVALID: &str = "json_invalid";

/// A valid order with the first line's `field` replaced by a literal that JSON itself has
/// no value for (`NaN`, `Infinity`) or that serde_json would not write from a number.
fn with_literal(field: &str, literal: &str) -> Vec<u8> {
    let body = with(|v| v["items"][0][field] = json!("__literal__"));
    String::from_utf8_lossy(&body)
        .replacen("\"__literal__\"", literal, 1)
        .into_bytes()
}

fn with(edit: impl FnOnce(&mut Value)) -> Vec<u8> {
    let mut v = valid_order(3);
    edit(&mut v);
    serde_json::to_vec(&v).unwrap_or_default()
}

fn locs(paths: &[&str]) -> Option<BTreeSet<String>> {
    Some(paths.iter().map(|p| p.to_string()).collect())
}

/// The bad bodies, each with the fields at fault.
pub fn bad_cases() -> Vec<BadCase> {
    vec![
        BadCase {
            id: "missing_nested",
            what: "a nested field missing (customer.email)",
            body: with(|v| {
                if let Some(c) = v["customer"].as_object_mut() {
                    c.remove("email");
                }
            }),
            expected: locs(&["customer.email"]),
            commonly_missed: false,
        },
        BadCase {
            id: "wrong_type_in_list",
            what: "a wrong type deep in the list (items[1].qty = \"three\")",
            body: with(|v| v["items"][1]["qty"] = json!("three")),
            expected: locs(&["items.1.qty"]),
            commonly_missed: false,
        },
        BadCase {
            id: "out_of_range",
            what: "a value out of range (items[0].qty = 0, must be ≥ 1)",
            body: with(|v| v["items"][0]["qty"] = json!(0)),
            expected: locs(&["items.0.qty"]),
            commonly_missed: false,
        },
        BadCase {
            id: "bad_email",
            what: "a string not matching its pattern (customer.email = \"ada\")",
            body: with(|v| v["customer"]["email"] = json!("ada")),
            expected: locs(&["customer.email"]),
            commonly_missed: false,
        },
        BadCase {
            id: "two_faults",
            what: "two faults at once (customer.name empty, items[2].price = -1)",
            body: with(|v| {
                v["customer"]["name"] = json!("");
                v["items"][2]["price"] = json!(-1.0);
            }),
            expected: locs(&["customer.name", "items.2.price"]),
            commonly_missed: false,
        },
        BadCase {
            id: "type_and_range",
            what: "a range fault and a type fault (customer.name empty, items[1].qty = \"three\")",
            body: with(|v| {
                v["customer"]["name"] = json!("");
                v["items"][1]["qty"] = json!("three");
            }),
            expected: locs(&["customer.name", "items.1.qty"]),
            commonly_missed: false,
        },
        BadCase {
            id: "not_an_object",
            what: "a JSON list where the order should be",
            body: b"[1, 2, 3]".to_vec(),
            expected: locs(&[""]),
            commonly_missed: false,
        },
        BadCase {
            id: "not_json",
            what: "a body that is not JSON (cut off)",
            body: b"{\"order_id\": 1, \"customer\": {".to_vec(),
            expected: None,
            commonly_missed: false,
        },
        BadCase {
            id: "nan_price",
            what: "a price of NaN (Python's json module accepts the literal, and `price < 0` is \
                   false for it, so a hand-written range check lets it through)",
            body: with_literal("price", "NaN"),
            expected: locs(&["items.0.price"]),
            commonly_missed: true,
        },
        BadCase {
            id: "infinite_price",
            what: "a price of Infinity (no JSON value; Python's json module accepts the literal, \
                   and `price >= 0` holds for it)",
            body: with_literal("price", "Infinity"),
            expected: locs(&["items.0.price"]),
            commonly_missed: true,
        },
        BadCase {
            id: "bool_qty",
            what: "true where the quantity should be an integer (in Python a bool is an int, \
                   so `isinstance(qty, int)` accepts it)",
            body: with(|v| v["items"][0]["qty"] = json!(true)),
            expected: locs(&["items.0.qty"]),
            commonly_missed: true,
        },
    ]
}

/// The `detail[*]` entries of a 422 body in FastAPI's shape; None when it is not.
fn details(body: &[u8]) -> Option<Vec<Value>> {
    let v: Value = serde_json::from_slice(body).ok()?;
    Some(v.get("detail")?.as_array()?.clone())
}

/// The fields a 422 body names: `detail[*].loc` without its leading `"body"`, joined with
/// dots. None when the body is not in that shape.
pub fn named_fields(body: &[u8]) -> Option<BTreeSet<String>> {
    details(body)?
        .iter()
        .map(|d| {
            let loc = d.get("loc")?.as_array()?;
            let parts: Vec<String> = loc
                .iter()
                .skip_while(|p| p.as_str() == Some("body"))
                .map(|p| match p {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect();
            Some(parts.join("."))
        })
        .collect()
}

/// The error types a 422 body gives (`detail[*].type`); empty when it gives none.
pub fn error_kinds(body: &[u8]) -> BTreeSet<String> {
    details(body)
        .unwrap_or_default()
        .iter()
        .filter_map(|d| Some(d.get("type")?.as_str()?.to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_valid_order_is_deterministic_and_nested() {
        let a = valid_order(LOAD_ITEMS);
        assert_eq!(a, valid_order(LOAD_ITEMS));
        assert_eq!(a["items"].as_array().map(Vec::len), Some(LOAD_ITEMS));
        assert_eq!(a["items"][1]["sku"], "SKU-00010");
        assert_eq!(a["items"][1]["price"], 9.5);
    }

    #[test]
    fn every_bad_case_differs_from_the_valid_order() {
        let valid = serde_json::to_vec(&valid_order(3)).expect("json");
        let cases = bad_cases();
        assert_eq!(cases.len(), 11);
        for c in &cases {
            assert_ne!(c.body, valid, "{}", c.id);
        }
        let missed: Vec<&str> = cases
            .iter()
            .filter(|c| c.commonly_missed)
            .map(|c| c.id)
            .collect();
        assert_eq!(missed, ["nan_price", "infinite_price", "bool_qty"]);
        let text = |id: &str| {
            let c = cases.iter().find(|c| c.id == id).expect("case");
            String::from_utf8_lossy(&c.body).into_owned()
        };
        assert!(
            text("nan_price").contains("\"price\":NaN,"),
            "{}",
            text("nan_price")
        );
        assert!(text("infinite_price").contains("\"price\":Infinity,"));
        assert!(text("bool_qty").contains("\"qty\":true"));
    }

    #[test]
    fn fields_are_read_from_fastapi_error_bodies() {
        let body = br#"{"detail":[{"type":"missing","loc":["body","customer","email"]},
                       {"type":"int_parsing","loc":["body","items",1,"qty"]}]}"#;
        assert_eq!(named_fields(body), locs(&["customer.email", "items.1.qty"]));
        assert_eq!(
            named_fields(br#"{"detail":[{"loc":["body"]}]}"#),
            locs(&[""])
        );
        assert_eq!(named_fields(b"Internal Server Error"), None);
        assert_eq!(named_fields(br#"{"detail":"Not Found"}"#), None);
    }
}
