"""The stacks of 2026 in api_frameworks: msgspec's model, its errors in FastAPI's shape, the
Litestar and Starlette apps in process, and the msgspec variant of the validation timing."""

from __future__ import annotations

import json
import warnings

import msgspec
import pytest
from litestar.testing import TestClient as LitestarClient

with warnings.catch_warnings():
    # Starlette 1.x asks for httpx2 in its test client; httpx (Litestar's) does the job.
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient as StarletteClient

from pyproof import api_frameworks as af
from pyproof import api_stacks as st

ORDER = {
    "order_id": 7,
    "customer": {"name": "Ada", "email": "ada@example.org"},
    "items": [{"sku": "A-1", "qty": 2, "price": 1.25}, {"sku": "B-2", "qty": 1, "price": 0.5}],
    "note": None,
}


def body(**changes: object) -> bytes:
    order = json.loads(json.dumps(ORDER))
    order.update(changes)
    return json.dumps(order).encode()


def test_msgspec_accepts_exactly_what_pydantic_accepts_on_a_valid_order() -> None:
    raw = body()
    assert msgspec.to_builtins(st.msgspec_validate(raw)) == ORDER
    assert af.Order.model_validate_json(raw).model_dump() == ORDER


@pytest.mark.parametrize(
    ("path", "loc"),
    [
        ("$.items[1].qty", ["items", 1, "qty"]),
        ("items[0].price", ["items", 0, "price"]),
        ("$.customer", ["customer"]),
        ("$", []),
        ("", []),
    ],
)
def test_msgspec_paths_become_fastapi_locations(path: str, loc: list) -> None:
    assert st.msgspec_loc(path) == loc


def test_msgspec_errors_in_fastapi_shape_name_the_first_fault_only() -> None:
    two = body(
        customer={"name": "", "email": "ada@example.org"},
        items=[{"sku": "A", "qty": 0, "price": 1}],
    )
    with pytest.raises(msgspec.ValidationError) as caught:
        st.msgspec_validate(two)
    [detail] = st.msgspec_error_detail(caught.value)
    assert detail["loc"] == ["body", "customer", "name"]
    missing = body(customer={"name": "Ada"})
    with pytest.raises(msgspec.ValidationError) as caught:
        st.msgspec_validate(missing)
    assert st.msgspec_error_detail(caught.value)[0]["loc"] == ["body", "customer", "email"]
    with pytest.raises(msgspec.DecodeError) as caught:
        st.msgspec_validate(b'{"order_id": 1, "customer": {')
    assert st.msgspec_error_detail(caught.value) == [
        {"loc": ["body"], "type": "json_invalid", "msg": "Input data was truncated"}
    ]


def test_litestar_answers_in_fastapi_shape() -> None:
    with LitestarClient(st.litestar_app()) as client:
        ok = client.post("/validate", content=body())
        assert (ok.status_code, ok.json()) == (200, ORDER)
        bad = client.post("/validate", content=body(items=[{"sku": "A", "qty": 0, "price": 1}]))
        assert bad.status_code == 422
        assert [d["loc"] for d in bad.json()["detail"]] == [["body", "items", 0, "qty"]]
        listed = client.post("/validate", content=b"[1, 2, 3]")
        assert [d["loc"] for d in listed.json()["detail"]] == [["body"]]
        cut = client.post("/validate", content=b'{"order_id": 1')
        assert (cut.status_code, cut.json()["detail"][0]["type"]) == (422, "json_invalid")
        assert client.get("/wait").json() == {"waited_ms": 20}


def test_starlette_answers_like_fastapi_with_every_fault() -> None:
    client = StarletteClient(st.starlette_app())
    ok = client.post("/validate", content=body())
    assert (ok.status_code, ok.json()) == (200, ORDER)
    two = body(
        customer={"name": "", "email": "ada@example.org"},
        items=[{"sku": "A", "qty": 0, "price": 1}],
    )
    bad = client.post("/validate", content=two)
    assert bad.status_code == 422
    assert sorted(d["loc"] for d in bad.json()["detail"]) == [
        ["body", "customer", "name"],
        ["body", "items", 0, "qty"],
    ]
    assert client.get("/wait").json() == {"waited_ms": 20}


def test_a_free_port_is_on_loopback_and_free() -> None:
    port = st.free_loopback_port()
    assert 0 < port < 65536
