"""The GIL on trial: the same CPU work on one thread, k threads, k processes, in Rust, NumPy.

The sheet says the GIL "prevents multiple native threads from executing Python bytecodes at
once", so CPU-bound threads do not speed up, and that multiprocessing or C extensions like
NumPy are the way out. This module holds the workloads and one ``measure`` entry point the
Rust harness calls for every variant; it also runs on its own::

    python -m pyproof.gil_contention          # a quick table, no Rust needed

Every workload can be split: the parts of a split compute the same total as the whole, so
each variant's answer is checked against the sequential one.
"""

from __future__ import annotations

import importlib.util
import socket
import sys
import threading
import time
from typing import Any

from pyproof._parallel import ProcessRunner, cold_pool_s, run_threads, split_range

#: Modes of ``measure``.
MODES = ("sequential", "threads", "processes")
#: Workload families of ``measure``.
FAMILIES = ("python", "native_hold", "native_release", "numpy")


def py_spin(start: int, end: int) -> int:
    """Pure-Python CPU work: bytecode in a loop, nothing that releases the GIL."""
    total = 0
    for i in range(start, end):
        total += (i * i) % 7
    return total


def has_numpy() -> bool:
    """Whether NumPy is importable (the NumPy variant is skipped without it)."""
    return importlib.util.find_spec("numpy") is not None


_NUMPY_SIZE = 1 << 18  # 256 Ki float64 = 2 MiB per array: big enough to release the GIL


def numpy_ops(ops: int, seed: int = 0) -> int:
    """``ops`` NumPy ufunc calls (``sin`` over 256 Ki doubles) on this thread's own arrays.

    NumPy releases the GIL inside ufunc loops over arrays this large. Returns ``ops`` as the
    checksum: every op does the same work, so the total count must match across splits.
    """
    import numpy as np

    a = np.linspace(seed, seed + 1.0, _NUMPY_SIZE)
    out = np.empty_like(a)
    for _ in range(ops):
        np.sin(a, out=out)
    return ops


def _native(name: str) -> Any:
    import pyproof_native  # only inside the Rust harness

    return getattr(pyproof_native, name)


def _worker_func(family: str):
    if family == "python":
        return py_spin
    if family == "native_hold":
        return _native("spin_hold")
    if family == "native_release":
        return _native("spin_release")
    if family == "numpy":
        return lambda start, end: numpy_ops(end - start)
    raise ValueError(f"unknown family {family!r} (expected one of {FAMILIES})")


def combine(family: str, parts: list[int]) -> int:
    """Combines the answers of the parts like the sequential run would have."""
    if family.startswith("native"):
        return sum(parts) % (1 << 64)  # the Rust kernel adds with wrap-around
    return sum(parts)


def measure(
    family: str, mode: str, k: int, n: int, timeout: float, pool: ProcessRunner | None = None
) -> tuple[float, int]:
    """Runs ``n`` units of ``family`` work in ``mode`` over ``k`` workers.

    Returns (wall seconds, checksum). ``sequential`` runs on the calling thread; ``threads``
    starts ``k`` threads; ``processes`` uses ``pool`` (a warm ``ProcessRunner`` of k workers,
    only for the pure-Python family: Rust kernels do not exist in a spawned interpreter).
    """
    func = _worker_func(family)
    if mode == "sequential":
        start = time.perf_counter()
        answer = func(0, n)
        return time.perf_counter() - start, combine(family, [answer])
    ranges = split_range(n, k)
    if mode == "threads":
        seconds, parts = run_threads(func, ranges, timeout)
    elif mode == "processes":
        if pool is None or family != "python":
            raise ValueError("processes mode needs a ProcessRunner and the python family")
        seconds, parts = pool.map(py_spin, ranges)
    else:
        raise ValueError(f"unknown mode {mode!r} (expected one of {MODES})")
    return seconds, combine(family, parts)


def cold_pool(k: int, timeout: float) -> float:
    """A cold pool's cost for the pure-Python work: start, imports, shutdown (see
    ``pyproof._parallel.cold_pool_s``)."""
    return cold_pool_s(k, py_spin, (0, 1), timeout)


def open_pool(k: int, timeout: float) -> ProcessRunner:
    """A warm pool of ``k`` spawned workers (see ``ProcessRunner``)."""
    return ProcessRunner(k, timeout)


def gil_timeline(duration_s: float, threads: int = 2) -> tuple[list[list[int]], float]:
    """Records when each of ``threads`` pure-Python spinning threads was executing bytecode.

    Each thread appends ``time.perf_counter_ns()`` about every microsecond while it runs; a
    thread that waits for the GIL appends nothing, so the gaps in its stamps are the times
    another thread held the GIL. Returns (stamps per thread, ``sys.getswitchinterval()``).
    """
    barrier = threading.Barrier(threads)
    stamps: list[list[int]] = [[] for _ in range(threads)]
    duration_ns = int(duration_s * 1e9)

    def spin(own: list[int]) -> None:
        now = time.perf_counter_ns
        append = own.append
        barrier.wait()
        stop = now() + duration_ns
        while True:
            t = now()
            append(t)
            if t >= stop:
                break
            for _ in range(8):
                pass

    _, _ = run_threads(spin, [(s,) for s in stamps], timeout=duration_s + 30.0)
    return stamps, sys.getswitchinterval()


class Spinners:
    """``k`` daemon threads spinning pure-Python bytecode until ``stop()``: the load under which
    the Rust harness times how long another thread waits for the GIL. ``chunks()`` counts the
    work done so far (one chunk = ``py_spin(0, 2000)``), for the CPU side's throughput."""

    def __init__(self, k: int) -> None:
        self._stop = threading.Event()
        self._counts = [0] * k
        self._threads = [
            threading.Thread(target=self._spin, args=(i,), name=f"spinner-{i}", daemon=True)
            for i in range(k)
        ]
        for t in self._threads:
            t.start()

    def _spin(self, i: int) -> None:
        counts = self._counts
        while not self._stop.is_set():
            py_spin(0, 2_000)
            counts[i] += 1

    def chunks(self) -> int:
        """Chunks of work done by all threads so far."""
        return sum(self._counts)

    def stop(self, timeout: float = 10.0) -> bool:
        """Stops every thread; whether all ended within ``timeout``."""
        self._stop.set()
        for t in self._threads:
            t.join(timeout)
        return not any(t.is_alive() for t in self._threads)


class EchoServer:
    """An I/O thread: a blocking echo server on 127.0.0.1 (a port the kernel picks), one
    client at a time, every message sent straight back. Blocking ``recv`` releases the GIL;
    each message received needs it back — the convoy effect is what that costs when a
    CPU-bound thread holds it."""

    def __init__(self) -> None:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(8)
        self._sock.settimeout(0.2)
        self.port = self._sock.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="echo-server", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(0.5)
                while not self._stop.is_set():
                    try:
                        data = conn.recv(4096)
                    except socket.timeout:  # TimeoutError only from 3.10
                        continue
                    except OSError:
                        break
                    if not data:
                        break
                    conn.sendall(data)

    def stop(self, timeout: float = 10.0) -> bool:
        """Stops serving; whether the thread ended within ``timeout``."""
        self._stop.set()
        self._thread.join(timeout)
        self._sock.close()
        return not self._thread.is_alive()


def start_spinning_process() -> Any:
    """A separate interpreter process spinning pure-Python bytecode (its own GIL)."""
    import subprocess

    return subprocess.Popen([sys.executable, "-c", "while True:\n    pass"])


def set_switch_interval(seconds: float) -> float:
    """Sets ``sys.setswitchinterval`` and returns the previous value."""
    old = sys.getswitchinterval()
    sys.setswitchinterval(seconds)
    return old


def _main() -> None:
    n = 2_000_000
    base, _ = measure("python", "sequential", 1, n, 60)
    print(f"pure Python, sequential: {base:.3f} s")
    for k in (2, 4):
        secs, _ = measure("python", "threads", k, n, 60)
        print(f"pure Python, {k} threads: {secs:.3f} s ({base / secs:.2f}x)")
        with open_pool(k, 60) as pool:
            secs, _ = measure("python", "processes", k, n, 60, pool)
        print(f"pure Python, {k} processes: {secs:.3f} s ({base / secs:.2f}x)")


if __name__ == "__main__":
    _main()
