"""cpu_parallelism: the task, the chunking, the measured runs and their checks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from pyproof import cpu_parallelism as cp

PYTHON_DIR = Path(__file__).resolve().parents[1]


def test_spin_is_deterministic_and_calibration_positive() -> None:
    assert cp.spin(0) == 0
    assert cp.spin(8) == sum((i * i) % 7 for i in range(8))
    assert cp.calibrate(0.005) > 0


def test_auto_chunksize_gives_four_chunks_per_worker() -> None:
    assert cp.auto_chunksize(800, 2) == 100
    assert cp.auto_chunksize(3, 2) == 1
    assert cp.auto_chunksize(801, 2) == 101


def test_every_executor_does_the_same_work() -> None:
    report = cp.measure([100, 1000], 20, 2, ["1", "auto"], 1, 60, 50_000)
    samples = report["samples"]
    by_size: dict[float, set[int]] = {}
    for s in samples:
        by_size.setdefault(s["size_us"], set()).add(s["checksum"])
        assert len(s["seconds"]) == 1 and s["seconds"][0] > 0
    assert all(len(checksums) == 1 for checksums in by_size.values()), by_size
    executors = {s["executor"] for s in samples}
    assert executors == {"sequential", "threads", "processes:1", "processes:auto"}
    # One cold pool lifecycle per round, timed on its own.
    assert len(report["cold_pool_s"]) == 1 and report["cold_pool_s"][0] > 0


def test_a_given_calibration_is_the_work_every_build_does() -> None:
    """With ``per_us`` the loop is not calibrated here: another build does the same work
    (the same checksums), so its times compare with this one's."""
    given = cp.measure([1000], 20, 2, ["1"], 1, 60, 50_000, per_us=3.0)
    assert given["iters_per_us"] == 3.0
    again = cp.measure([1000], 20, 2, ["1"], 1, 60, 50_000, per_us=3.0)
    checksums = {(s["executor"], s["checksum"]) for s in given["samples"] + again["samples"]}
    assert len(checksums) == len({s["executor"] for s in given["samples"]})


def test_rounds_rotate_the_order_alike_in_one_process_or_one_each() -> None:
    assert [cp.rotation(9, r, 3) for r in range(4)] == [0, 3, 6, 0]
    assert cp.rotation(7, 0, 1) == 0 and cp.rotation(7, 5, 1) == 0
    assert cp.rotation(7, 2, 0) == 0  # no plan: one round, unrotated


def test_a_run_ends_cleanly_with_nothing_on_stderr() -> None:
    """A finished run shuts its pool down in order: no exit hook writing to a closed pipe
    (which printed "Exception ignored ... Bad file descriptor" when workers were killed)."""
    args = "--sizes-us 1000 --total-ms 20 --k 2 --rounds 1 --round-index 2 --rounds-planned 3"
    done = subprocess.run(
        [sys.executable, "-m", "pyproof.cpu_parallelism", *args.split(), "--iters-per-us", "3"],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PYTHONPATH": str(PYTHON_DIR)},
    )
    assert done.returncode == 0 and done.stderr == "", done.stderr
    report = json.loads(done.stdout.splitlines()[-1])
    assert report["iters_per_us"] == 3.0


def test_round_trip_cap_leaves_out_the_hopeless_configurations() -> None:
    report = cp.measure([10], 20, 2, ["1", "auto"], 1, 60, 100)
    # 2,000 tasks of 10 µs: chunksize 1 and threads would need 2,000 round trips > 100.
    assert {s["executor"] for s in report["samples"]} == {"sequential", "processes:auto"}


def test_cli_refuses_bad_arguments() -> None:
    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "pyproof.cpu_parallelism", *args],
            capture_output=True,
            text=True,
            timeout=60,
            env={"PYTHONPATH": str(PYTHON_DIR)},
        )

    assert run("--sizes-us", "0,10").returncode == 2
    bad = run("--chunksizes", "1,lots")
    assert bad.returncode == 2 and bad.stderr.startswith("error: ")
    negative = run("--overhead-tasks", "-1")
    assert negative.returncode == 2 and negative.stderr.startswith("error: ")
    zero = run("--iters-per-us", "0")
    assert zero.returncode == 2 and zero.stderr.startswith("error: ")
    for flag, value in (("--round-index", "-1"), ("--rounds-planned", "0")):
        refused = run(flag, value)
        assert refused.returncode == 2 and refused.stderr.startswith("error: ")


def test_subinterpreters_join_only_where_the_interpreter_has_them() -> None:
    """``interpreters=True`` adds an InterpreterPoolExecutor on 3.14+ (same checksums as the
    other executors); before 3.14 the run is the same as without it, and says so."""
    report = cp.measure([1000], 20, 2, ["1"], 1, 60, 50_000, interpreters=True)
    executors = {s["executor"] for s in report["samples"]}
    assert report["start_method"] == cp.multiprocessing.get_start_method()
    if cp.InterpreterPool is None:
        assert "interpreters" not in executors
        assert report["interpreters_startup_s"] is None
        assert cp.probe_import("json", 10)["error"] == "no InterpreterPoolExecutor here"
    else:
        assert "interpreters" in executors
        assert len({s["checksum"] for s in report["samples"]}) == 1
        assert report["interpreters_startup_s"] > 0
        assert cp.probe_import("json", 60) == {"module": "json", "ok": True, "error": ""}


def test_a_subinterpreter_can_call_spin_by_its_module_name() -> None:
    """Run as ``__main__``, the module's own ``spin`` pickles as ``__main__.spin``; the one a
    subinterpreter gets is imported by module name."""
    assert cp._importable_spin().__module__ == "pyproof.cpu_parallelism"
    assert cp._importable_spin()(8) == cp.spin(8)


def test_overhead_tasks_time_each_executor_on_near_empty_tasks() -> None:
    """``overhead_tasks`` adds, per executor, that many two-iteration tasks: each executor's
    own cost per task; spin(2) == 1, so every checksum counts the tasks."""
    report = cp.measure([1000], 20, 2, ["1"], 1, 60, 50_000, interpreters=True, overhead_tasks=50)
    overhead = {
        s["executor"]: s for s in report["samples"] if s["executor"].startswith("overhead_")
    }
    expected = {"overhead_threads", "overhead_processes"}
    if cp.InterpreterPool is not None:
        expected.add("overhead_interpreters")
    assert set(overhead) == expected
    for s in overhead.values():
        assert (s["tasks"], s["iters"], s["checksum"]) == (50, 2, 50)
        assert s["seconds"][0] > 0
    plain = cp.measure([1000], 20, 2, ["1"], 1, 60, 50_000)
    assert not any(s["executor"].startswith("overhead_") for s in plain["samples"])
