"""Deterministic facts of the gil_contention workloads (no timing asserts)."""

from __future__ import annotations

import sys
import time

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


def test_the_echo_server_echoes_on_loopback_and_stops() -> None:
    import socket

    server = gc.EchoServer()
    try:
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as s:
            for msg in (b"pyproof-echo-16b", b"x" * 100):
                s.sendall(msg)
                got = b""
                while len(got) < len(msg):
                    got += s.recv(4096)
                assert got == msg
    finally:
        assert server.stop()


def test_spinners_count_their_work_and_stop() -> None:
    spinners = gc.Spinners(2)
    time.sleep(0.05)
    first = spinners.chunks()
    time.sleep(0.05)
    assert spinners.chunks() > first > 0
    assert spinners.stop()


def test_the_switch_interval_is_set_and_the_old_one_returned() -> None:
    before = sys.getswitchinterval()
    try:
        assert gc.set_switch_interval(0.001) == before
        assert sys.getswitchinterval() == pytest.approx(0.001)
    finally:
        sys.setswitchinterval(before)


def test_the_spinning_process_is_a_separate_interpreter_that_can_be_killed() -> None:
    proc = gc.start_spinning_process()
    try:
        assert proc.poll() is None
    finally:
        proc.kill()
        assert proc.wait(timeout=10) != 0
