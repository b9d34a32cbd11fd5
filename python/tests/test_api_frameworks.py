"""api_frameworks: the hand-written checks against Pydantic, field by field, and both real
servers on loopback sockets (their echo, their 422s, their exit when stdin closes)."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path

import pytest
from pydantic import ValidationError

from pyproof import api_frameworks as api

PYTHON_DIR = Path(__file__).resolve().parents[1]

VALID = {
    "order_id": 7,
    "customer": {"name": "Ada", "email": "ada@example.org"},
    "items": [
        {"sku": "A-1", "qty": 2, "price": 9.5},
        {"sku": "B-2", "qty": 1, "price": 0.25},
        {"sku": "C-3", "qty": 12, "price": 3},
    ],
    "note": None,
}


def edited(**paths: object) -> dict:
    """VALID with dotted paths replaced (`items.1.qty="x"`), or removed when the value is
    the `DROP` sentinel."""
    data = copy.deepcopy(VALID)
    for path, value in paths.items():
        *parents, last = path.split("__")
        node = data
        for p in parents:
            node = node[int(p)] if p.isdigit() else node[p]
        key = int(last) if last.isdigit() else last
        if value is DROP:
            del node[key]
        else:
            node[key] = value
    return data


DROP = object()

BAD = [
    (edited(customer__email=DROP), {"customer.email"}),
    (edited(items__1__qty="three"), {"items.1.qty"}),
    (edited(items__0__qty=0), {"items.0.qty"}),
    (edited(customer__email="ada"), {"customer.email"}),
    (edited(customer__name="", items__2__price=-1.0), {"customer.name", "items.2.price"}),
    (edited(customer__name="", items__1__qty="three"), {"customer.name", "items.1.qty"}),
    (edited(items=[]), {"items"}),
    (edited(order_id=0), {"order_id"}),
    ([1, 2, 3], {""}),
]


def fields(errors: list[dict]) -> set[str]:
    """Dotted paths of FastAPI-shaped error entries, without the leading "body"."""
    return {".".join(str(p) for p in e["loc"] if p != "body") for e in errors}


def test_the_valid_order_passes_both_ways_and_they_agree() -> None:
    order, errors = api.check_order(VALID)
    assert errors == []
    model = api.Order.model_validate(VALID)
    assert model.model_dump() == asdict(order)
    assert asdict(order)["items"][2]["price"] == 3.0


@pytest.mark.parametrize(("data", "expected"), BAD)
def test_hand_written_checks_name_every_faulty_field(data: object, expected: set[str]) -> None:
    order, errors = api.check_order(data)
    assert order is None
    assert fields(errors) == expected


@pytest.mark.parametrize(("data", "expected"), BAD)
def test_pydantic_names_the_same_fields(data: object, expected: set[str]) -> None:
    with pytest.raises(ValidationError) as info:
        api.Order.model_validate(data)
    assert {".".join(str(p) for p in e["loc"]) for e in info.value.errors()} == expected


def test_bools_are_not_integers_by_hand() -> None:
    _, errors = api.check_order(edited(items__0__qty=True))
    assert fields(errors) == {"items.0.qty"}


def test_validate_bench_reports_every_variant(tmp_path: Path) -> None:
    raw = json.dumps(VALID).encode()
    out = api.validate_bench(raw, rounds=2, seconds=0.01)
    assert set(out["rates"]) == {
        "pydantic_json",
        "pydantic_dict",
        "handwritten",
        "json_only",
        "msgspec_json",
    }
    assert all(len(r) == 2 and min(r) > 0 for r in out["rates"].values())
    assert out["payload_bytes"] == len(raw)
    with pytest.raises(ValueError, match="invalid"):
        api.validate_bench(json.dumps(edited(order_id=0)).encode(), rounds=1, seconds=0.01)


@pytest.fixture(params=["fastapi", "flask"])
def server(request: pytest.FixtureRequest) -> Iterator[tuple[str, subprocess.Popen]]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "pyproof.api_frameworks", "serve", request.param],
        cwd=PYTHON_DIR,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline()
        assert line.startswith("listening 127.0.0.1:"), proc.stderr.read()
        yield line.split()[1], proc
    finally:
        proc.kill()
        proc.wait(timeout=10)


def post(addr: str, body: bytes) -> tuple[int, object]:
    req = urllib.request.Request(
        f"http://{addr}/validate", data=body, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def test_servers_echo_reject_wait_and_leave_with_stdin(
    server: tuple[str, subprocess.Popen],
) -> None:
    addr, proc = server
    status, echo = post(addr, json.dumps(VALID).encode())
    assert status == 200
    assert echo == api.Order.model_validate(VALID).model_dump()
    for data, expected in BAD:
        status, body = post(addr, json.dumps(data).encode())
        assert status == 422
        assert fields(body["detail"]) == expected
    status, body = post(addr, b'{"order_id": 1,')
    assert status == 422 and body["detail"][0]["type"] == "json_invalid"
    started = time.monotonic()
    with urllib.request.urlopen(f"http://{addr}/wait", timeout=10) as r:
        assert json.loads(r.read()) == {"waited_ms": 20}
    assert time.monotonic() - started >= api.WAIT_S
    proc.stdin.close()
    assert proc.wait(timeout=10) == 0


def test_a_bad_framework_or_thread_count_is_refused() -> None:
    for args in (["serve", "django"], ["serve", "flask", "--threads", "0"]):
        out = subprocess.run(
            [sys.executable, "-m", "pyproof.api_frameworks", *args],
            cwd=PYTHON_DIR,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert out.returncode == 2
        assert "error:" in out.stderr
