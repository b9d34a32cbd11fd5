"""generator_memory: the pipelines' answers, tracemalloc's peaks, the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pyproof import generator_memory as gm

PYTHON_DIR = Path(__file__).resolve().parents[1]


@pytest.fixture
def text_file(tmp_path: Path) -> tuple[str, int]:
    path = tmp_path / "lines.txt"
    path.write_text("".join(f"{i:08} alpha bravo\n" for i in range(2000)), encoding="utf-8")
    return str(path), path.stat().st_size


def test_every_range_pipeline_gives_the_exact_sum() -> None:
    for n in (0, 1, 7, 1000):
        expected = sum(3 * x + 1 for x in range(n))
        assert gm.expected_sum(n) == expected
        assert gm.list_pipeline(n) == gm.generator_pipeline(n) == gm.yield_pipeline(n) == expected


def test_file_pipelines_count_every_character(text_file: tuple[str, int]) -> None:
    path, size = text_file
    assert gm.readlines_pipeline(path) == gm.lines_pipeline(path) == size


def test_a_list_holds_every_item_a_generator_does_not() -> None:
    small = gm.peak(lambda: gm.list_pipeline(10_000))[1]
    big = gm.peak(lambda: gm.list_pipeline(100_000))[1]
    # About 40 bytes per item: an 8-byte slot and a 32-byte int (ints above 256 are objects).
    assert 30 * 90_000 < big - small < 50 * 90_000
    flat_small = gm.peak(lambda: gm.generator_pipeline(10_000))[1]
    flat_big = gm.peak(lambda: gm.generator_pipeline(100_000))[1]
    assert flat_big == flat_small < 4096


def test_peaks_need_no_reset_peak(monkeypatch: pytest.MonkeyPatch) -> None:
    """Before 3.9 tracemalloc has no reset_peak(): a fresh start() is the reset, and the
    other builds pyproof finds (3.7, 3.8) run this module."""
    with_reset = gm.peak(lambda: gm.list_pipeline(10_000))[1]
    monkeypatch.delattr(gm.tracemalloc, "reset_peak")
    assert gm.peak(lambda: gm.list_pipeline(10_000))[1] == with_reset


def test_measure_reports_every_kind_and_time(text_file: tuple[str, int]) -> None:
    path, _ = text_file
    report = gm.measure([100, 1000], [(2000, path)], rounds=2)
    kinds = {(s["kind"], s["n"]) for s in report["samples"]}
    assert kinds == {
        *((k, n) for k in ("list", "generator", "yield") for n in (100, 1000)),
        ("readlines", 2000),
        ("lines", 2000),
    }
    assert all(len(s["seconds"]) == 2 for s in report["samples"])


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pyproof.generator_memory", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(PYTHON_DIR)},
    )


def test_cli_prints_one_json_line_and_refuses_bad_input(tmp_path: Path) -> None:
    ok = run_cli("--ns", "10,100", "--rounds", "1")
    assert ok.returncode == 0, ok.stderr
    assert len(json.loads(ok.stdout)["samples"]) == 6
    bad = run_cli("--ns", "10,-3")
    assert bad.returncode == 2 and "counts must be positive" in bad.stderr
    missing = run_cli("--file", f"10:{tmp_path / 'missing.txt'}")
    assert missing.returncode == 3
    assert missing.stderr.startswith("error: ") and len(missing.stderr.splitlines()) == 1
