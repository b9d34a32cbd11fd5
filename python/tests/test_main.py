"""``python -m pyproof <id>``: runs the module as ``python -m pyproof.<id>`` would, and refuses
anything that is not an experiment in one line with exit code 2."""

import subprocess
import sys
from pathlib import Path

PYTHON_DIR = Path(__file__).resolve().parents[1]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pyproof", *args],
        cwd=PYTHON_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_an_experiment_runs_with_its_arguments():
    direct = subprocess.run(
        [sys.executable, "-m", "pyproof.generator_memory", "--ns", "1000"],
        cwd=PYTHON_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )
    via = run("generator_memory", "--ns", "1000")
    assert via.returncode == direct.returncode == 0, via.stderr
    assert via.stdout.strip().splitlines()[-1].startswith("{")


def test_its_exit_code_passes_through():
    bad = run("generator_memory", "--ns", "not-a-number")
    assert bad.returncode != 0


def test_anything_else_is_refused_in_one_line():
    for args in [(), ("-h",), ("nope",), ("_env",), ("a.b",)]:
        r = run(*args)
        assert r.returncode == 2, (args, r.stderr)
        assert len(r.stderr.strip().splitlines()) == 1, (args, r.stderr)
