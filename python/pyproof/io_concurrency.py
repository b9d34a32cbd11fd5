"""io_concurrency: "Best for I/O: asyncio" on trial.

N requests to a delay server on 127.0.0.1 (it answers each after D ms), made four ways:

- ``asyncio``: one coroutine per request on one thread (``asyncio.open_connection``), the
  batch under one deadline (``asyncio.timeout`` from 3.11, one ``wait_for`` before) — as an
  asyncio programmer writes it;
- ``asyncio_wait_for``: the same, each request wrapped in its own ``asyncio.wait_for`` (an
  extra Task per request on 3.11): a labelled variant, to show what that habit costs;
- ``threads``: one OS thread per request;
- ``pool``: a ``ThreadPoolExecutor`` of ``--pool`` threads (64 by default);
- ``sequential``: one request after another;
- ``asyncio_uvloop``: the ``asyncio`` client on uvloop's event loop (libuv underneath), the
  drop-in a senior engineer reaches for;
- ``asyncio_to_thread``: a *blocking* library inside asyncio, done right: each blocking request
  handed to ``asyncio.to_thread`` (the loop's default executor, ``min(32, cores + 4)``
  threads), while a probe coroutine measures how late the loop wakes it;
- ``asyncio_blocking``: the same blocking request called straight from a coroutine — the
  mistake — with the same probe.

Each request connects, sends ``x\\n``, reads the reply line and closes. The Rust harness runs
``python -m pyproof.io_concurrency MODE PORT N`` in a fresh process (its memory sampled from
outside) and reads one JSON line: requests answered, errors, the first error, wall time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import socket
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor, wait

MODES = (
    "asyncio",
    "asyncio_wait_for",
    "threads",
    "pool",
    "sequential",
    "asyncio_uvloop",
    "asyncio_to_thread",
    "asyncio_blocking",
)
#: The probe's sleep, s: it asks to wake every millisecond and records how late it wakes.
PROBE_TICK = 0.001
REPLY = b"ok\n"


def raise_fd_limit() -> int:
    """Raises the open-file limit to its hard limit (10,000 sockets need 10,000 fds)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def request(port: int, timeout: float) -> None:
    """One blocking request; raises on any failure."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(b"x\n")
        data = b""
        while not data.endswith(b"\n"):
            chunk = s.recv(16)
            if not chunk:
                break
            data += chunk
    if data != REPLY:
        raise ConnectionError(f"unexpected reply {data!r}")


async def request_async(port: int) -> None:
    """One request on the event loop; raises on any failure."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(b"x\n")
        await writer.drain()
        data = await reader.readline()
    finally:
        writer.close()
    if data != REPLY:
        raise ConnectionError(f"unexpected reply {data!r}")


class Tally:
    """Answers, errors and the most requests in flight at once; thread-safe."""

    def __init__(self) -> None:
        self.ok = 0
        self.errors = 0
        self.first_error: str | None = None
        self.active = 0
        self.max_active = 0
        self._lock = threading.Lock()

    def begin(self) -> None:
        with self._lock:
            self.active += 1
            self.max_active = max(self.max_active, self.active)

    def record(self, error: BaseException | None) -> None:
        with self._lock:
            self.active -= 1
            if error is None:
                self.ok += 1
            else:
                self.errors += 1
                if self.first_error is None:
                    self.first_error = f"{type(error).__name__}: {error}"


def _one(port: int, timeout: float, tally: Tally) -> None:
    tally.begin()
    try:
        request(port, timeout)
    except Exception as exc:  # noqa: BLE001 - every failure is counted, not fatal
        tally.record(exc)
    else:
        tally.record(None)


def run_asyncio(
    port: int, n: int, timeout: float, tally: Tally, per_request: bool = False, uvloop: bool = False
) -> None:
    """``n`` coroutines under one deadline for the batch (a request's timeout plus 5 ms per
    request, as the thread client allows); with ``per_request``, each wrapped in its own
    ``asyncio.wait_for`` instead. A request cancelled by the batch deadline is counted as a
    timeout error, never lost."""
    deadline = timeout + n * 0.005

    async def one() -> None:
        tally.begin()
        try:
            if per_request:
                await asyncio.wait_for(request_async(port), timeout)
            else:
                await request_async(port)
        except asyncio.CancelledError:
            tally.record(TimeoutError(f"the batch missed its {deadline:g} s deadline"))
            raise
        except Exception as exc:  # noqa: BLE001 - counted
            tally.record(exc)
        else:
            tally.record(None)

    async def batch() -> None:
        await asyncio.gather(*(one() for _ in range(n)))

    async def main() -> None:
        try:
            if per_request:
                await batch()
            elif hasattr(asyncio, "timeout"):  # 3.11+
                async with asyncio.timeout(deadline):
                    await batch()
            else:
                await asyncio.wait_for(batch(), deadline)
        except (asyncio.TimeoutError, asyncio.CancelledError):
            pass  # every request still open was counted as it was cancelled

    if uvloop:
        import uvloop as uv

        uv.run(main())
    else:
        asyncio.run(main())


async def _probe(stop: asyncio.Event) -> float:
    """Sleeps :data:`PROBE_TICK` again and again until ``stop``; returns the worst lateness
    of a wake-up, s — how long the loop could not run anything else."""
    loop = asyncio.get_running_loop()
    worst = 0.0
    while not stop.is_set():
        asked = loop.time()
        await asyncio.sleep(PROBE_TICK)
        worst = max(worst, loop.time() - asked - PROBE_TICK)
    return worst


def run_blocking_in_asyncio(
    port: int, n: int, timeout: float, tally: Tally, to_thread: bool
) -> float:
    """``n`` blocking requests from coroutines — via ``asyncio.to_thread``, or called straight
    (blocking the loop) — under a probe; returns the loop's worst lag, s."""

    async def one() -> None:
        # ``_one`` counts a request in flight from its connect, in whichever thread makes it:
        # a request queued for the executor is not yet in flight.
        if to_thread:
            await asyncio.to_thread(_one, port, timeout, tally)
        else:
            _one(port, timeout, tally)  # the mistake: the whole loop waits here

    async def main() -> float:
        stop = asyncio.Event()
        probe = asyncio.create_task(_probe(stop))
        await asyncio.sleep(0)  # the probe is running before the first request
        try:
            deadline = timeout + n * timeout / executor_width()
            await asyncio.wait_for(asyncio.gather(*(one() for _ in range(n))), deadline)
        finally:
            stop.set()
        return await probe

    return asyncio.run(main())


def executor_width() -> int:
    """Threads of asyncio's default executor: ThreadPoolExecutor's default since 3.8."""
    return min(32, (os.cpu_count() or 1) + 4)


def run_threads(port: int, n: int, timeout: float, tally: Tally) -> None:
    # Starting a thread takes time too (~0.3 ms here, more on a busy machine): the deadline
    # covers every start, then one request's timeout.
    deadline = time.monotonic() + timeout + n * 0.005
    threads = [
        threading.Thread(target=_one, args=(port, timeout, tally), daemon=True) for _ in range(n)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(max(0.0, deadline - time.monotonic()))
    if any(t.is_alive() for t in threads):
        raise TimeoutError(f"threads still waiting after {timeout:g} s")


def run_pool(port: int, n: int, timeout: float, tally: Tally, size: int) -> None:
    with ThreadPoolExecutor(max_workers=size) as pool:
        futures = [pool.submit(_one, port, timeout, tally) for _ in range(n)]
        _, pending = wait(futures, timeout=timeout * (1 + n / size))
        if pending:
            raise TimeoutError("the pool did not finish in time")


def run_sequential(port: int, n: int, timeout: float, tally: Tally) -> None:
    for _ in range(n):
        _one(port, timeout, tally)


def measure(mode: str, port: int, n: int, timeout: float, pool_size: int) -> dict:
    """Makes ``n`` requests the ``mode`` way; returns the report."""
    limit = raise_fd_limit()
    tally = Tally()
    lag = None
    start = time.perf_counter()
    if mode == "asyncio":
        run_asyncio(port, n, timeout, tally)
    elif mode == "asyncio_uvloop":
        run_asyncio(port, n, timeout, tally, uvloop=True)
    elif mode in ("asyncio_to_thread", "asyncio_blocking"):
        lag = run_blocking_in_asyncio(
            port, n, timeout, tally, to_thread=mode == "asyncio_to_thread"
        )
    elif mode == "asyncio_wait_for":
        run_asyncio(port, n, timeout, tally, per_request=True)
    elif mode == "threads":
        run_threads(port, n, timeout, tally)
    elif mode == "pool":
        run_pool(port, n, timeout, tally, pool_size)
    elif mode == "sequential":
        run_sequential(port, n, timeout, tally)
    else:
        raise ValueError(f"unknown mode {mode!r} (expected one of {MODES})")
    wall = time.perf_counter() - start
    return {
        "mode": mode,
        "n": n,
        "ok": tally.ok,
        "errors": tally.errors,
        "first_error": tally.first_error,
        "wall_s": wall,
        "max_in_flight": tally.max_active,
        "fd_limit": limit,
        "pool": pool_size if mode == "pool" else None,
        "loop_lag_max_ms": None if lag is None else lag * 1000,
        "executor_width": executor_width() if mode == "asyncio_to_thread" else None,
    }


def main(argv: list[str] | None = None) -> int:
    """``python -m pyproof.io_concurrency MODE PORT N [--timeout S] [--pool K]``."""
    parser = argparse.ArgumentParser(prog="python -m pyproof.io_concurrency")
    parser.add_argument("mode", choices=MODES)
    parser.add_argument("port", type=int)
    parser.add_argument("n", type=int)
    parser.add_argument("--timeout", type=float, default=30.0, help="per request, s")
    parser.add_argument("--pool", type=int, default=64, help="threads of the bounded pool")
    args = parser.parse_args(argv)
    if args.n < 1 or args.pool < 1 or not 0 < args.port < 65536:
        print("error: n and --pool must be positive, port 1-65535", file=sys.stderr)
        return 2
    try:
        report = measure(args.mode, args.port, args.n, args.timeout, args.pool)
    except TimeoutError as exc:
        print(f"error: {exc or 'the requests did not finish in time'}", file=sys.stderr, flush=True)
        os._exit(3)
    except ModuleNotFoundError as exc:
        print(f"error: Python package '{exc.name}' is not installed", file=sys.stderr)
        return 3
    print(json.dumps(report), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
