"""gil_threads.py: the standalone workload every interpreter runs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from pyproof import gil_threads as gt

SCRIPT = Path(gt.__file__)


def test_splits_cover_the_range_and_threads_agree_with_one() -> None:
    assert gt.split(10, 3) == [(0, 4), (4, 7), (7, 10)]
    assert sum(hi - lo for lo, hi in gt.split(7, 7)) == 7
    seconds, total = gt.on_threads(5000, 3)
    assert seconds > 0 and total == gt.spin(0, 5000)


def test_facts_describe_this_interpreter() -> None:
    facts = gt.facts()
    assert facts["version"] == ".".join(str(v) for v in sys.version_info[:3])
    assert facts["implementation"] == sys.implementation.name
    assert isinstance(facts["free_threaded"], bool) and isinstance(facts["gil_enabled"], bool)


def test_the_script_prints_one_json_line_with_every_round() -> None:
    out = subprocess.run(
        [sys.executable, str(SCRIPT), "--work", "20000", "--ks", "2,3", "--rounds", "2"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert report["work"] == 20000
    assert len(report["samples"]) == 2
    for s in report["samples"]:
        assert s["one"] > 0 and set(s["threads"]) == {"2", "3"}


def test_a_lock_makes_the_count_exact_and_without_one_updates_are_lost() -> None:
    # Counted, not timed. With the lock the count is exact on any build, by construction of
    # a lock; without one, a million adds per thread give the default 5 ms switch interval
    # dozens of hand-overs, and about half of the loop's switch points lie between the read
    # and the write, so no lost update at all would take ~2^-30 luck.
    assert gt.lost_updates(2, 20_000, gt.add_locked, gt.threading.Lock()) == 0
    assert gt.lost_updates(2, 1_000_000, gt.add_call_between) > 0
    report = gt.race(2, 1_000)
    assert report["threads"] == 2 and report["locked_per_thread"] == 100
    assert report["lost"]["locked"] == 0
    assert set(report["lost"]) == {"call_between", "in_place", "locked"}


def test_cold_pools_name_the_start_method_and_time_each_pool() -> None:
    report = gt.cold_pools(2, 2)
    assert report["start_method"] == gt.multiprocessing.get_start_method()
    assert report["workers"] == 2
    assert len(report["seconds"]) == 2 and all(s > 0 for s in report["seconds"])


def test_the_script_counts_races_and_pools_when_asked() -> None:
    out = subprocess.run(
        [
            *(sys.executable, str(SCRIPT), "--work", "2000", "--ks", "2", "--rounds", "1"),
            *("--race", "1000", "--pools", "1"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert report["race"]["lost"]["locked"] == 0
    assert report["pools"]["workers"] == 2 and len(report["pools"]["seconds"]) == 1


def test_bad_arguments_exit_2() -> None:
    for args in (
        ["--work", "0", "--ks", "2"],
        ["--work", "10", "--ks", "two"],
        ["--work", "10", "--ks", "2", "--race", "-1"],
        ["--work", "10", "--ks", "2", "--pools", "-1"],
    ):
        out = subprocess.run(
            [sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=60
        )
        assert out.returncode == 2 and "error:" in out.stderr
