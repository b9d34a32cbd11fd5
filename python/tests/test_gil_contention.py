"""Deterministic facts of the gil_contention workloads (no timing asserts)."""

from __future__ import annotations

import sys

import pytest

from pyproof import gil_contention as gc


def test_split_parts_compute_the_sequential_answer() -> None:
    n = 50_001
    whole = gc.py_spin(0, n)
    for k in (1, 2, 3, 4, 7):
        parts = [gc.py_spin(a, b) for a, b in gc.split_range(n, k)]
        assert gc.combine("python", parts) == whole


def test_threads_give_the_sequential_answer() -> None:
    n = 20_000
    _, seq = gc.measure("python", "sequential", 1, n, 30)
    for k in (2, 4):
        _, threaded = gc.measure("python", "threads", k, n, 30)
        assert threaded == seq


def test_processes_give_the_sequential_answer() -> None:
    n = 20_000
    _, seq = gc.measure("python", "sequential", 1, n, 30)
    with gc.open_pool(2, 60) as pool:
        assert len(pool.worker_pids) == 2
        _, answer = gc.measure("python", "processes", 2, n, 60, pool)
    assert answer == seq


@pytest.mark.skipif(not gc.has_numpy(), reason="numpy not installed")
def test_numpy_ops_are_counted_across_threads() -> None:
    _, total = gc.measure("numpy", "threads", 3, 10, 30)
    assert total == 10


def test_native_kernels_need_the_rust_harness() -> None:
    if "pyproof_native" in sys.builtin_module_names:
        pytest.skip("running embedded")
    with pytest.raises(ModuleNotFoundError):
        gc.measure("native_hold", "sequential", 1, 10, 30)


def test_unknown_family_and_mode_are_rejected() -> None:
    with pytest.raises(ValueError, match="unknown family"):
        gc.measure("cobol", "sequential", 1, 10, 30)
    with pytest.raises(ValueError, match="unknown mode"):
        gc.measure("python", "fibers", 2, 10, 30)


def test_timeline_records_every_thread_in_order() -> None:
    stamps, interval = gc.gil_timeline(0.05, threads=2)
    assert len(stamps) == 2
    assert interval == sys.getswitchinterval()
    for lane in stamps:
        assert len(lane) > 10
        assert lane == sorted(lane)
