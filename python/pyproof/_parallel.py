"""Running one piece of work split over threads or processes, with timeouts.

Shared by the experiments that compare executors. Everything here has a deadline: a thread
that does not finish, a pool that does not answer, or a worker process that dies ends the
call with an exception instead of a hang.
"""

from __future__ import annotations

import multiprocessing
import threading
import time
from collections.abc import Sequence
from concurrent.futures import FIRST_EXCEPTION, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Callable


def split_range(n: int, k: int) -> list[tuple[int, int]]:
    """``range(n)`` cut into ``k`` contiguous parts whose sizes differ by at most one."""
    if k < 1:
        raise ValueError(f"k must be at least 1, not {k}")
    base, extra = divmod(n, k)
    parts, start = [], 0
    for i in range(k):
        end = start + base + (1 if i < extra else 0)
        parts.append((start, end))
        start = end
    return parts


def run_threads(
    func: Callable[..., Any], args_list: Sequence[tuple], timeout: float
) -> tuple[float, list[Any]]:
    """Runs ``func(*args)`` for each args on its own thread; returns (seconds, results).

    Thread start-up is inside the timed part: it is part of what using threads costs.
    Raises ``TimeoutError`` when a thread is still running after ``timeout`` seconds, and
    re-raises the first exception a thread raised.
    """
    results: list[Any] = [None] * len(args_list)
    errors: list[BaseException] = []

    def target(index: int, args: tuple) -> None:
        try:
            results[index] = func(*args)
        except BaseException as exc:  # noqa: BLE001 - handed to the caller below
            errors.append(exc)

    threads = [
        threading.Thread(target=target, args=(i, a), daemon=True, name=f"pyproof-{i}")
        for i, a in enumerate(args_list)
    ]
    deadline = time.monotonic() + timeout
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(max(0.0, deadline - time.monotonic()))
    elapsed = time.perf_counter() - start
    if any(t.is_alive() for t in threads):
        raise TimeoutError(f"threads still running after {timeout:.1f} s")
    if errors:
        raise errors[0]
    return elapsed, results


def _ready(delay: float) -> int:
    """A task that holds its worker for ``delay`` seconds, so a pool must start them all."""
    import os

    time.sleep(delay)
    return os.getpid()


def cold_pool_s(k: int, func: Callable[..., Any], args: tuple, timeout: float) -> float:
    """What a process pool costs a job run once beyond its work: spawning ``k`` fresh
    interpreters, each importing ``func``'s module to run it on ``args`` a few times, and
    shutting them down. No artificial wait: the figure a user running the job once pays on
    top of the work itself."""
    start = time.perf_counter()
    executor = ProcessPoolExecutor(max_workers=k, mp_context=multiprocessing.get_context("spawn"))
    try:
        futures = [executor.submit(func, *args) for _ in range(4 * k)]
        _, pending = wait(futures, timeout=timeout, return_when=FIRST_EXCEPTION)
        if pending:
            raise TimeoutError(f"a cold pool of {k} was not up after {timeout:.1f} s")
        for f in futures:
            f.result()
    except BaseException:
        for p in list(getattr(executor, "_processes", {}).values()):
            if p.is_alive():
                p.kill()
        executor.shutdown(wait=False, cancel_futures=True)
        raise
    executor.shutdown(wait=True)
    return time.perf_counter() - start


class ProcessRunner:
    """A warm pool of ``k`` spawned worker processes with deadlines on everything.

    ``spawn`` (not ``fork``) starts each worker as a fresh interpreter: it is the only start
    method that is safe from an embedded, multi-threaded host, and the default on macOS and
    Windows. The pool is started and warmed in the constructor so that measurements do not
    include interpreter start-up; ``startup_s`` says what that cost.
    """

    def __init__(self, k: int, timeout: float) -> None:
        self.k = k
        self.timeout = timeout
        start = time.perf_counter()
        self.executor = ProcessPoolExecutor(
            max_workers=k, mp_context=multiprocessing.get_context("spawn")
        )
        try:
            pids = self.map(_ready, [(0.05,)] * (2 * k))[1]
        except BaseException:
            self.kill()
            raise
        self.startup_s = time.perf_counter() - start
        self.worker_pids = sorted(set(pids))

    def map(self, func: Callable[..., Any], args_list: Sequence[tuple]) -> tuple[float, list[Any]]:
        """Runs ``func(*args)`` for each args in the pool; returns (seconds, results in order).

        A worker that dies raises ``BrokenProcessPool`` at once; a pool that does not finish
        within the timeout is killed and raises ``TimeoutError``.
        """
        start = time.perf_counter()
        futures = [self.executor.submit(func, *args) for args in args_list]
        done, pending = wait(futures, timeout=self.timeout, return_when=FIRST_EXCEPTION)
        elapsed = time.perf_counter() - start
        if pending:
            failed = [f for f in done if f.exception() is not None]
            self.kill()
            if failed:
                raise failed[0].exception()  # type: ignore[misc]
            raise TimeoutError(f"process pool still busy after {self.timeout:.1f} s")
        return elapsed, [f.result() for f in futures]

    def kill(self) -> None:
        """Kills every worker now and drops the pool (used on timeouts and errors)."""
        processes = list(getattr(self.executor, "_processes", {}).values())
        for p in processes:
            if p.is_alive():
                p.kill()
        self.executor.shutdown(wait=False, cancel_futures=True)
        for p in processes:
            p.join(timeout=2)

    def close(self) -> None:
        """Shuts the pool down, waiting for its workers to exit."""
        try:
            self.executor.shutdown(wait=True, cancel_futures=True)
        except BrokenProcessPool:
            self.kill()

    def __enter__(self) -> ProcessRunner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
