"""io_concurrency: every client mode against a small delay server, and failures counted."""

from __future__ import annotations

import socket
import socketserver
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pyproof import io_concurrency as ioc

PYTHON_DIR = Path(__file__).resolve().parents[1]


class _Handler(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        self.rfile.readline()
        time.sleep(0.02)
        self.wfile.write(ioc.REPLY)


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 1024


@pytest.fixture
def port() -> Iterator[int]:
    server = _Server(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("mode", ioc.MODES)
def test_every_mode_gets_every_answer(port: int, mode: str) -> None:
    n = 5 if mode in ("sequential", "asyncio_blocking") else 40
    report = ioc.measure(mode, port, n, timeout=10, pool_size=8)
    assert (report["ok"], report["errors"], report["n"]) == (n, 0, n)
    assert report["wall_s"] > 0
    if mode in ("sequential", "asyncio_blocking"):
        assert report["max_in_flight"] == 1
    elif mode == "asyncio_to_thread":
        assert 1 < report["max_in_flight"] <= report["executor_width"] == ioc.executor_width()
    elif mode == "pool":
        assert report["max_in_flight"] <= 8
    elif mode.startswith("asyncio"):
        # Every coroutine starts before any reply is read: all n are in flight at once.
        assert report["max_in_flight"] == n
    if mode in ("asyncio_to_thread", "asyncio_blocking"):
        assert report["loop_lag_max_ms"] >= 0
    else:
        assert report["loop_lag_max_ms"] is None


def test_a_blocking_call_in_a_coroutine_stalls_the_loop_for_the_whole_wait(port: int) -> None:
    # The server answers after 20 ms: while the blocking request waits for it, the probe
    # cannot run — its worst lateness is at least that wait (a lower bound, not a timing).
    report = ioc.measure("asyncio_blocking", port, 3, timeout=10, pool_size=1)
    assert report["loop_lag_max_ms"] >= 15


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_refused_connections_are_counted_not_fatal() -> None:
    port = free_port()  # nothing listens there any more
    for mode in ("asyncio", "asyncio_wait_for", "threads", "sequential"):
        report = ioc.measure(mode, port, 3, timeout=5, pool_size=2)
        assert (report["ok"], report["errors"]) == (0, 3)
        assert "Refused" in report["first_error"]


def test_cli_refuses_bad_arguments() -> None:
    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "pyproof.io_concurrency", *args],
            capture_output=True,
            text=True,
            timeout=60,
            env={"PYTHONPATH": str(PYTHON_DIR)},
        )

    assert run("asyncio", "80", "0").returncode == 2
    assert run("fork", "80", "5").returncode == 2
    assert run("asyncio", "70000", "5").returncode == 2


def test_the_batch_deadline_counts_what_it_cancels() -> None:
    """A server that accepts and never answers: the one deadline cancels every request, and
    each is counted as a timeout error."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        port = silent.getsockname()[1]
        tally = ioc.Tally()
        ioc.run_asyncio(port, 4, 0.2, tally)
    assert (tally.ok, tally.errors) == (0, 4)
    assert tally.first_error is not None and "deadline" in tally.first_error
