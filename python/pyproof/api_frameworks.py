"""api_frameworks: "Best for API: FastAPI + Pydantic" on trial.

Real servers with the same two endpoints (the Rust harness adds axum; Litestar, bare Starlette
and FastAPI on Granian — the stacks of 2026 — are in :mod:`pyproof.api_stacks`):

- ``POST /validate``: a nested JSON order is validated and echoed back; a bad one is
  rejected with status 422 and ``{"detail": [{"loc": [...], "msg": ..., "type": ...}]}``
  naming every offending field (FastAPI's own error shape, which the Flask app copies).
- ``GET /wait``: waits 20 ms (an I/O-bound endpoint: a database or an upstream call).

FastAPI validates with Pydantic models (``Order`` below) and runs on uvicorn (uvloop and
httptools, one process). Flask validates by hand (``check_order``, a dataclass and explicit
checks) and runs on waitress, a production WSGI server with a pool of threads.

``python -m pyproof.api_frameworks serve {fastapi,flask} [--threads N]`` binds 127.0.0.1 on
a port the kernel picks, prints ``listening 127.0.0.1:<port>`` and serves until stdin closes
(the harness holds it: when the harness goes, so does the server).

``python -m pyproof.api_frameworks validate-bench PAYLOAD --rounds R --seconds S`` times
Pydantic against the hand-written checks in this process and prints one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import socket
import sys
import threading
import time
from dataclasses import asdict, dataclass
from typing import Any

from pydantic import BaseModel, Field

WAIT_S = 0.020
EMAIL = r"^[^@\s]+@[^@\s]+$"
EMAIL_RE = re.compile(EMAIL)
MAX_ITEMS = 1000


# --- Pydantic: the models FastAPI validates with ---------------------------------------------


class ItemModel(BaseModel):
    """One line of an order."""

    sku: str = Field(min_length=1, max_length=32)
    qty: int = Field(ge=1, le=1000)
    price: float = Field(ge=0)


class CustomerModel(BaseModel):
    """Who ordered."""

    name: str = Field(min_length=1, max_length=100)
    email: str = Field(pattern=EMAIL)


class Order(BaseModel):
    """The nested payload of ``POST /validate``."""

    order_id: int = Field(ge=1)
    customer: CustomerModel
    items: list[ItemModel] = Field(min_length=1, max_length=MAX_ITEMS)
    note: str | None = None


# --- By hand: a dataclass and explicit checks, as a Flask app would ------------------------


@dataclass
class Item:
    """One line of an order."""

    sku: str
    qty: int
    price: float


@dataclass
class Customer:
    """Who ordered."""

    name: str
    email: str


@dataclass
class PlainOrder:
    """The nested payload, checked by :func:`check_order`."""

    order_id: int
    customer: Customer
    items: list[Item]
    note: str | None


def _error(loc: list[Any], kind: str, msg: str) -> dict[str, Any]:
    return {"loc": ["body", *loc], "type": kind, "msg": msg}


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _check_str(obj: dict, key: str, loc: list[Any], errors: list, lo: int, hi: int) -> str | None:
    if key not in obj:
        errors.append(_error([*loc, key], "missing", "Field required"))
        return None
    v = obj[key]
    if not isinstance(v, str):
        errors.append(_error([*loc, key], "string_type", "Input should be a valid string"))
        return None
    if len(v) < lo:
        errors.append(_error([*loc, key], "string_too_short", f"at least {lo} characters"))
    elif len(v) > hi:
        errors.append(_error([*loc, key], "string_too_long", f"at most {hi} characters"))
    return v


def _check_int(obj: dict, key: str, loc: list[Any], errors: list, lo: int, hi: int) -> int | None:
    if key not in obj:
        errors.append(_error([*loc, key], "missing", "Field required"))
        return None
    v = obj[key]
    if not _is_int(v):
        errors.append(_error([*loc, key], "int_type", "Input should be a valid integer"))
        return None
    if v < lo:
        errors.append(_error([*loc, key], "greater_than_equal", f"Input should be >= {lo}"))
    elif v > hi:
        errors.append(_error([*loc, key], "less_than_equal", f"Input should be <= {hi}"))
    return v


def check_order(data: Any) -> tuple[PlainOrder | None, list[dict[str, Any]]]:
    """Checks a decoded JSON order by hand: the order, or every error found."""
    errors: list[dict[str, Any]] = []
    if not isinstance(data, dict):
        return None, [_error([], "model_type", "Input should be an object")]
    order_id = _check_int(data, "order_id", [], errors, 1, sys.maxsize)
    customer = None
    c = data.get("customer")
    if "customer" not in data:
        errors.append(_error(["customer"], "missing", "Field required"))
    elif not isinstance(c, dict):
        errors.append(_error(["customer"], "model_type", "Input should be an object"))
    else:
        name = _check_str(c, "name", ["customer"], errors, 1, 100)
        email = _check_str(c, "email", ["customer"], errors, 0, sys.maxsize)
        if isinstance(email, str) and not EMAIL_RE.match(email):
            errors.append(
                _error(["customer", "email"], "string_pattern_mismatch", "not an email address")
            )
        customer = Customer(name or "", email or "")
    items: list[Item] = []
    raw_items = data.get("items")
    if "items" not in data:
        errors.append(_error(["items"], "missing", "Field required"))
    elif not isinstance(raw_items, list):
        errors.append(_error(["items"], "list_type", "Input should be a valid list"))
    elif not 1 <= len(raw_items) <= MAX_ITEMS:
        errors.append(_error(["items"], "too_short", f"1 to {MAX_ITEMS} items"))
    else:
        for i, it in enumerate(raw_items):
            loc = ["items", i]
            if not isinstance(it, dict):
                errors.append(_error(loc, "model_type", "Input should be an object"))
                continue
            sku = _check_str(it, "sku", loc, errors, 1, 32)
            qty = _check_int(it, "qty", loc, errors, 1, 1000)
            price = it.get("price")
            if "price" not in it:
                errors.append(_error([*loc, "price"], "missing", "Field required"))
            elif not (_is_int(price) or isinstance(price, float)):
                errors.append(_error([*loc, "price"], "float_type", "Input should be a number"))
            elif price < 0:
                errors.append(_error([*loc, "price"], "greater_than_equal", "Input should be >= 0"))
            items.append(Item(sku or "", qty or 0, float(price or 0)))
    note = data.get("note")
    if note is not None and not isinstance(note, str):
        errors.append(_error(["note"], "string_type", "Input should be a valid string"))
    if errors:
        return None, errors
    assert customer is not None and order_id is not None
    return PlainOrder(order_id, customer, items, note), []


# --- The two apps -----------------------------------------------------------------------------


def fastapi_app(sync: bool = False):
    """FastAPI: Pydantic validates the body; ``async def`` handlers on the event loop — or,
    with ``sync``, plain ``def`` handlers that FastAPI runs in its thread pool, ``/wait``
    blocking in ``time.sleep`` exactly as Flask's does (framework against framework, the same
    blocking code)."""
    from fastapi import FastAPI

    app = FastAPI()
    if sync:

        @app.post("/validate")
        def validate_sync(order: Order) -> Order:
            return order

        @app.get("/wait")
        def wait_sync() -> dict[str, int]:
            time.sleep(WAIT_S)
            return {"waited_ms": round(WAIT_S * 1000)}

        return app

    @app.post("/validate")
    async def validate(order: Order) -> Order:
        return order

    @app.get("/wait")
    async def wait() -> dict[str, int]:
        await asyncio.sleep(WAIT_S)
        return {"waited_ms": round(WAIT_S * 1000)}

    return app


def flask_app():
    """Flask: hand-written checks; plain ``def`` handlers on the WSGI server's threads."""
    from flask import Flask, jsonify, request

    app = Flask(__name__)

    @app.post("/validate")
    def validate():
        data = request.get_json(silent=True)
        if data is None:
            detail = [_error([], "json_invalid", "the body is not valid JSON")]
            return jsonify(detail=detail), 422
        order, errors = check_order(data)
        if errors:
            return jsonify(detail=errors), 422
        return jsonify(asdict(order))

    @app.get("/wait")
    def wait():
        time.sleep(WAIT_S)
        return jsonify(waited_ms=round(WAIT_S * 1000))

    return app


def loopback_socket() -> socket.socket:
    """A listening socket on 127.0.0.1, on a port the kernel picks (never one in use)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(2048)
    return sock


def exit_when_stdin_closes(group: bool = False) -> None:
    """The harness holds our stdin; when it closes (harness done or dead), stop at once —
    with ``group``, the whole process group (a server with worker processes of its own)."""

    def watch() -> None:
        # os.read on the descriptor, not sys.stdin: a blocked read of sys.stdin holds its
        # buffer's lock, and a worker forked meanwhile (Granian's) inherits that lock held and
        # deadlocks when multiprocessing closes its stdin at start-up.
        while os.read(0, 64):
            pass
        if group:
            os.killpg(0, 9)
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()


def serve(framework: str, threads: int) -> None:
    """Serves ``framework`` until stdin closes; prints where it listens first."""
    import logging

    if framework == "fastapi_granian":
        from pyproof.api_stacks import serve_granian

        # Granian binds the port itself and runs its worker in a child process: the group
        # goes when stdin closes (and the harness kills the group on any error).
        exit_when_stdin_closes(group=True)
        serve_granian()
        return
    sock = loopback_socket()
    host, port = sock.getsockname()
    exit_when_stdin_closes()
    if framework in ("fastapi", "fastapi_sync", "litestar", "starlette"):
        import uvicorn

        from pyproof import api_stacks

        apps = {
            "fastapi": fastapi_app,
            "fastapi_sync": lambda: fastapi_app(sync=True),
            "litestar": api_stacks.litestar_app,
            "starlette": api_stacks.starlette_app,
        }
        config = uvicorn.Config(
            apps[framework](),
            loop="uvloop",
            http="httptools",
            lifespan="off",
            access_log=False,
            log_level="warning",
        )
        server = uvicorn.Server(config)
        print(f"listening {host}:{port}", flush=True)
        server.run(sockets=[sock])
    else:
        import waitress

        # With more clients than threads waitress queues requests and logs each time it
        # does; the queueing is what we measure, the log lines are noise.
        logging.getLogger("waitress.queue").setLevel(logging.ERROR)
        print(f"listening {host}:{port}", flush=True)
        waitress.serve(
            flask_app(),
            sockets=[sock],
            threads=threads,
            # waitress' default of 100 connections would cap the 128-client level.
            connection_limit=4096,
            # poll() rather than select(): no 1,024-descriptor ceiling.
            asyncore_use_poll=True,
            _quiet=True,
        )


# --- Validation throughput, in process ------------------------------------------------------


def validate_variants(raw: bytes) -> dict[str, Any]:
    """The ways of turning the request body into a checked order, each a no-argument call."""
    return {
        "pydantic_json": lambda: Order.model_validate_json(raw),
        "pydantic_dict": lambda: Order.model_validate(json.loads(raw)),
        "handwritten": lambda: check_order(json.loads(raw)),
        "json_only": lambda: json.loads(raw),
    }


def validate_bench(raw: bytes, rounds: int, seconds: float) -> dict[str, Any]:
    """Payloads per second of each variant: ``rounds`` interleaved rounds of ``seconds`` each,
    after a warm-up; every variant must accept the payload and agree on it."""
    variants = validate_variants(raw)
    plain = check_order(json.loads(raw))
    if plain[1]:
        raise ValueError(f"the payload is invalid: {plain[1][0]}")
    model = Order.model_validate_json(raw)
    if model.model_dump() != asdict(plain[0]):
        raise ValueError("Pydantic and the hand-written checks disagree on the payload")
    try:
        from pyproof.api_stacks import validate_rates_extra
    except ImportError:  # msgspec missing: its variant is not timed, the rest is
        pass
    else:
        variants.update(validate_rates_extra(raw))
    names = list(variants)
    rates: dict[str, list[float]] = {n: [] for n in names}
    for name in names:  # warm-up
        for _ in range(200):
            variants[name]()
    for r in range(rounds):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            call = variants[name]
            done, start = 0, time.perf_counter()
            deadline = start + seconds
            while True:
                for _ in range(50):
                    call()
                done += 50
                now = time.perf_counter()
                if now >= deadline:
                    break
            rates[name].append(done / (now - start))
    return {"rates": rates, "payload_bytes": len(raw)}


def main(argv: list[str] | None = None) -> int:
    """Entry point: ``serve`` or ``validate-bench``."""
    parser = argparse.ArgumentParser(prog="python -m pyproof.api_frameworks")
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("serve", help="serve one framework on 127.0.0.1 until stdin closes")
    s.add_argument(
        "framework",
        choices=("fastapi", "fastapi_sync", "flask", "litestar", "starlette", "fastapi_granian"),
    )
    s.add_argument("--threads", type=int, default=4, help="waitress threads (Flask)")
    b = sub.add_parser("validate-bench", help="Pydantic vs hand-written checks, in process")
    b.add_argument("payload", help="a JSON file holding one valid order")
    b.add_argument("--rounds", type=int, default=3)
    b.add_argument("--seconds", type=float, default=0.5)
    args = parser.parse_args(argv)
    if args.command == "serve":
        if not 1 <= args.threads <= 1024:
            parser.error(f"--threads must be 1 to 1024, not {args.threads}")
        serve(args.framework, args.threads)
        return 0
    if args.rounds < 1 or not 0 < args.seconds <= 60:
        parser.error("--rounds must be >= 1 and --seconds in (0, 60]")
    with open(args.payload, "rb") as f:
        raw = f.read()
    print(json.dumps(validate_bench(raw, args.rounds, args.seconds)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
