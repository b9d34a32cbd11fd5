"""The thread and process runners: answers, order, deadlines and dying workers."""

from __future__ import annotations

import os
import signal
import time
from concurrent.futures.process import BrokenProcessPool

import pytest

from pyproof._parallel import ProcessRunner, cold_pool_s, run_threads, split_range


def _square(x: int) -> int:
    return x * x


def _die(_: int) -> int:
    os.kill(os.getpid(), signal.SIGKILL)
    return 0


def _sleep(seconds: float) -> float:
    time.sleep(seconds)
    return seconds


def test_split_range_covers_everything_once() -> None:
    assert split_range(10, 3) == [(0, 4), (4, 7), (7, 10)]
    assert split_range(2, 4) == [(0, 1), (1, 2), (2, 2), (2, 2)]
    with pytest.raises(ValueError):
        split_range(10, 0)


def test_run_threads_keeps_order_and_raises_errors() -> None:
    _, results = run_threads(_square, [(i,) for i in range(5)], timeout=10)
    assert results == [0, 1, 4, 9, 16]
    with pytest.raises(ZeroDivisionError):
        run_threads(lambda: 1 / 0, [()], timeout=10)


def test_run_threads_times_out() -> None:
    with pytest.raises(TimeoutError):
        run_threads(_sleep, [(2.0,)], timeout=0.1)


def test_pool_maps_in_order() -> None:
    with ProcessRunner(2, timeout=60) as pool:
        _, results = pool.map(_square, [(i,) for i in range(6)])
    assert results == [0, 1, 4, 9, 16, 25]


def test_a_killed_worker_fails_fast() -> None:
    pool = ProcessRunner(2, timeout=60)
    start = time.monotonic()
    with pytest.raises(BrokenProcessPool):
        pool.map(_die, [(0,)])
    assert time.monotonic() - start < 30
    pool.close()


def test_a_stuck_pool_times_out_and_is_killed() -> None:
    pool = ProcessRunner(1, timeout=0.5)
    with pytest.raises(TimeoutError):
        pool.map(_sleep, [(30.0,)])
    for pid in pool.worker_pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def test_a_cold_pool_is_timed_and_gone_after() -> None:
    assert cold_pool_s(2, _square, (3,), timeout=60) > 0
    import multiprocessing

    assert multiprocessing.active_children() == []


def test_a_cold_pool_that_hangs_times_out_and_a_dying_one_raises() -> None:
    with pytest.raises(TimeoutError):
        cold_pool_s(1, _sleep, (30.0,), timeout=0.5)
    with pytest.raises(BrokenProcessPool):
        cold_pool_s(1, _die, (0,), timeout=60)
