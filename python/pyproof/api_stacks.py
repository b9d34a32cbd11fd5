"""The API stacks a senior engineer reaches for in 2026, beside the sheet's FastAPI + Pydantic.

The same two endpoints as :mod:`pyproof.api_frameworks` (``POST /validate`` echoing a nested
order, ``GET /wait`` waiting 20 ms), served by:

- **Litestar** with **msgspec** models (:class:`OrderStruct`), on uvicorn like FastAPI;
- bare **Starlette** — the layer FastAPI is built on — with the same Pydantic model, so the
  difference from FastAPI is FastAPI's own machinery;
- the very same FastAPI app on **Granian** (a Rust HTTP server) instead of uvicorn.

Every stack answers a bad body in FastAPI's error shape (status 422, ``{"detail": [{"loc":
["body", ...], "type": ..., "msg": ...}]}``) so that what is compared is *which fields* each
names, not how its JSON is laid out: Litestar's own answer (400, the faulty key in
``extra``) is translated, field for field, by :func:`litestar_validation_handler`.
msgspec stops at the first fault, so a body with two faults is answered with one.
"""

from __future__ import annotations

import asyncio
import json
import re
import socket
import threading
import time
from typing import Annotated, Any

import msgspec
from msgspec import Meta, Struct

from pyproof.api_frameworks import EMAIL, MAX_ITEMS, WAIT_S, Order

# --- msgspec: the same order, the same constraints ---------------------------------------------


class ItemStruct(Struct):
    """One line of an order."""

    sku: Annotated[str, Meta(min_length=1, max_length=32)]
    qty: Annotated[int, Meta(ge=1, le=1000)]
    price: Annotated[float, Meta(ge=0)]


class CustomerStruct(Struct):
    """Who ordered."""

    name: Annotated[str, Meta(min_length=1, max_length=100)]
    email: Annotated[str, Meta(pattern=EMAIL)]


class OrderStruct(Struct):
    """The nested payload, as msgspec validates it while decoding."""

    order_id: Annotated[int, Meta(ge=1)]
    customer: CustomerStruct
    items: Annotated[list[ItemStruct], Meta(min_length=1, max_length=MAX_ITEMS)]
    note: str | None = None


def msgspec_validate(raw: bytes) -> OrderStruct:
    """Decodes and validates in one pass (raises msgspec's errors)."""
    return msgspec.json.decode(raw, type=OrderStruct)


_PATH_PART = re.compile(r"\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]")


def msgspec_loc(path: str) -> list[Any]:
    """``$.items[1].qty`` (or ``items[1].qty``, Litestar's key) as ``["items", 1, "qty"]``."""
    path = path.removeprefix("$")
    if path and not path.startswith((".", "[")):
        path = "." + path
    return [name if name else int(index) for name, index in _PATH_PART.findall(path)]


_MISSING = re.compile(r"missing required field `([^`]+)`")


def msgspec_fault_loc(message: str, path: str) -> list[Any]:
    """Where a msgspec error points: its path — and, for a missing field, the field itself
    (msgspec names it in the message and points at the object that lacks it)."""
    loc = msgspec_loc(path)
    missing = _MISSING.search(message)
    return [*loc, missing.group(1)] if missing else loc


def msgspec_error_detail(exc: Exception) -> list[dict[str, Any]]:
    """A msgspec error in FastAPI's shape: one entry (msgspec reports the first fault)."""
    text = str(exc)
    if isinstance(exc, msgspec.DecodeError) and not isinstance(exc, msgspec.ValidationError):
        return [{"loc": ["body"], "type": "json_invalid", "msg": text}]
    message, _, where = text.partition(" - at `")
    loc = msgspec_fault_loc(message, where.rstrip("`"))
    return [{"loc": ["body", *loc], "type": "msgspec_validation", "msg": message}]


# --- Litestar + msgspec -------------------------------------------------------------------------


def litestar_validation_handler(request: Any, exc: Any) -> Any:
    """Litestar's validation failure (400, ``extra: [{"key": "items[1].qty", ...}]``, or no
    ``extra`` for a body that is not JSON) as a 422 in FastAPI's shape."""
    from litestar import Response

    extra = getattr(exc, "extra", None)
    extra = extra if isinstance(extra, list) else []
    if extra:
        detail = [
            {
                "loc": [
                    "body",
                    *msgspec_fault_loc(str(e.get("message", "")), _litestar_key(e)),
                ],
                "type": "msgspec_validation",
                "msg": str(e.get("message", "")),
            }
            for e in extra
        ]
    else:
        # No faulty key: msgspec could not decode the body at all ("JSON is malformed",
        # "Input data was truncated", NaN or Infinity, which JSON has no literal for).
        detail = [{"loc": ["body"], "type": "json_invalid", "msg": str(exc.detail)}]
    return Response(content={"detail": detail}, status_code=422)


def _litestar_key(error: dict[str, Any]) -> str:
    """The faulty key Litestar gives, as a msgspec path; ``data`` — the handler's parameter,
    Litestar's name for the whole body — is the body itself."""
    key = str(error.get("key") or "")
    return "" if key == "data" else key


def litestar_app() -> Any:
    """Litestar: msgspec models, ``async def`` handlers."""
    from litestar import Litestar, get, post
    from litestar.params import JSONBody

    @post("/validate", status_code=200)
    async def validate(data: JSONBody[OrderStruct]) -> OrderStruct:
        return data

    @get("/wait")
    async def wait() -> dict[str, int]:
        await asyncio.sleep(WAIT_S)
        return {"waited_ms": round(WAIT_S * 1000)}

    # Every 400 — a validation failure, and a body that is not JSON (a ClientException) —
    # goes through the one translation.
    return Litestar(
        [validate, wait],
        exception_handlers={400: litestar_validation_handler},
        logging_config=None,
    )


# --- bare Starlette + Pydantic ------------------------------------------------------------------


def starlette_app() -> Any:
    """Starlette: FastAPI's foundation, with the same Pydantic model called by hand."""
    from pydantic import ValidationError
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse, Response
    from starlette.routing import Route

    async def validate(request: Request) -> Response:
        raw = await request.body()
        try:
            order = Order.model_validate_json(raw)
        except ValidationError as exc:
            detail = [
                {"loc": ["body", *e["loc"]], "type": e["type"], "msg": e["msg"]}
                for e in exc.errors(include_url=False, include_context=False, include_input=False)
            ]
            return JSONResponse({"detail": detail}, status_code=422)
        return Response(order.model_dump_json(), media_type="application/json")

    async def wait(request: Request) -> Response:
        await asyncio.sleep(WAIT_S)
        return JSONResponse({"waited_ms": round(WAIT_S * 1000)})

    return Starlette(routes=[Route("/validate", validate, methods=["POST"]), Route("/wait", wait)])


# --- Granian ------------------------------------------------------------------------------------


def free_loopback_port() -> int:
    """A port on 127.0.0.1 the kernel just handed out (Granian binds by number, not socket)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def announce_when_accepting(port: int, timeout: float = 60.0) -> None:
    """Prints ``listening 127.0.0.1:<port>`` once the port accepts connections (Granian's
    workers start after ``serve`` is called, which does not return)."""

    def wait() -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    print(f"listening 127.0.0.1:{port}", flush=True)
                    return
            except OSError:
                time.sleep(0.05)

    threading.Thread(target=wait, daemon=True).start()


def serve_granian() -> None:
    """The FastAPI app of :mod:`pyproof.api_frameworks` on Granian: one worker process, its
    uvloop event loop, ASGI."""
    from granian import Granian
    from granian.constants import Interfaces, Loops

    port = free_loopback_port()
    announce_when_accepting(port)
    Granian(
        "pyproof.api_frameworks:fastapi_app",
        address="127.0.0.1",
        port=port,
        interface=Interfaces.ASGI,
        workers=1,
        loop=Loops.uvloop,
        factory=True,
        log_enabled=False,
    ).serve()


def validate_rates_extra(raw: bytes) -> dict[str, Any]:
    """The msgspec variant for the in-process timing, checked against the order first."""
    decoded = msgspec.to_builtins(msgspec_validate(raw))
    if decoded != json.loads(raw):
        raise ValueError("msgspec and the payload disagree")
    return {"msgspec_json": lambda: msgspec_validate(raw)}
