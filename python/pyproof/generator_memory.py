"""generator_memory: "Best for memory: Generators (yield)" on trial.

Two pipelines over the same items, one materialising a list, one streaming through a
generator, each measured by ``tracemalloc`` (the peak of Python-level allocations while it
runs) and timed without it:

- ``list``: ``sum([x * 3 + 1 for x in range(n)])``
- ``generator``: ``sum(x * 3 + 1 for x in range(n))``
- ``readlines``: ``sum(len(line) for line in f.readlines())`` over a text file of n lines
- ``lines``: ``sum(len(line) for line in f)`` over the same file

The Rust harness runs ``python -m pyproof.generator_memory`` in a fresh process and reads one
JSON line; every result is checked against the exact one (the arithmetic sum, the file's
character count).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import tracemalloc
from collections.abc import Callable

#: Pipelines over ``range(n)``.
RANGE_KINDS = ("list", "generator")
#: Pipelines over a text file of n lines.
FILE_KINDS = ("readlines", "lines")


def list_pipeline(n: int) -> int:
    """Every transformed item in a list first, then the sum."""
    return sum([x * 3 + 1 for x in range(n)])


def generator_pipeline(n: int) -> int:
    """The same sum, each item made when ``sum`` asks for it."""
    return sum(x * 3 + 1 for x in range(n))


def yield_pipeline(n: int) -> int:
    """The same sum through a generator function with ``yield`` (the sheet's wording)."""

    def items():
        for x in range(n):
            yield x * 3 + 1

    return sum(items())


def readlines_pipeline(path: str) -> int:
    """All lines in a list first, then the total length."""
    with open(path, encoding="utf-8") as f:
        return sum(len(line) for line in f.readlines())


def lines_pipeline(path: str) -> int:
    """The file iterated line by line."""
    with open(path, encoding="utf-8") as f:
        return sum(len(line) for line in f)


_RANGE: dict[str, Callable[[int], int]] = {
    "list": list_pipeline,
    "generator": generator_pipeline,
    "yield": yield_pipeline,
}
_FILE: dict[str, Callable[[str], int]] = {
    "readlines": readlines_pipeline,
    "lines": lines_pipeline,
}


def expected_sum(n: int) -> int:
    """The exact answer of the range pipelines: sum of 3x + 1 for x < n."""
    return 3 * n * (n - 1) // 2 + n


def peak(func: Callable[[], int]) -> tuple[int, int]:
    """(result, peak bytes traced by tracemalloc while ``func`` ran, above what was there)."""
    tracemalloc.start()
    try:
        # A fresh start() has a fresh peak already; reset_peak() (3.9+) makes sure of it.
        if hasattr(tracemalloc, "reset_peak"):
            tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        result = func()
        return result, tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()


def timed(func: Callable[[], int]) -> tuple[int, float]:
    """(result, seconds), without tracemalloc."""
    start = time.perf_counter()
    result = func()
    return result, time.perf_counter() - start


def measure(ns: list[int], files: list[tuple[int, str]], rounds: int) -> dict:
    """Peaks once per (kind, n) — tracemalloc's count is deterministic — and times over
    ``rounds`` interleaved rounds. Returns every sample."""
    jobs: list[tuple[str, int, Callable[[], int]]] = []
    for n in ns:
        for kind in ("list", "generator", "yield"):
            jobs.append((kind, n, lambda k=kind, n=n: _RANGE[k](n)))
    for n, path in files:
        for kind in FILE_KINDS:
            jobs.append((kind, n, lambda k=kind, p=path: _FILE[k](p)))
    samples = []
    for kind, n, func in jobs:
        result, peak_bytes = peak(func)
        samples.append({"kind": kind, "n": n, "peak_bytes": peak_bytes, "result": result})
    times: dict[tuple[str, int], list[float]] = {}
    for r in range(rounds):
        # Rotate the order each round: no job always runs first.
        shift = r * len(jobs) // max(1, rounds)
        for kind, n, func in jobs[shift:] + jobs[:shift]:
            _, seconds = timed(func)
            times.setdefault((kind, n), []).append(seconds)
    for s in samples:
        s["seconds"] = times.get((s["kind"], s["n"]), [])
    return {"python": sys.version.split()[0], "samples": samples}


def _ints(text: str) -> list[int]:
    try:
        values = [int(v) for v in text.split(",") if v]
    except ValueError:
        raise argparse.ArgumentTypeError(f"bad list of counts '{text}'") from None
    if any(v < 1 for v in values):
        raise argparse.ArgumentTypeError(f"counts must be positive: '{text}'")
    return values


def main(argv: list[str] | None = None) -> int:
    """``python -m pyproof.generator_memory --ns 1000,10000 [--file N:PATH ...] [--rounds R]``."""
    parser = argparse.ArgumentParser(prog="python -m pyproof.generator_memory")
    parser.add_argument("--ns", type=_ints, default=[])
    parser.add_argument("--file", action="append", default=[], help="N:PATH, a file of N lines")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    files = []
    for spec in args.file:
        n, _, path = spec.partition(":")
        if not n.isdigit() or not path:
            print(f"error: bad --file '{spec}' (expected N:PATH)", file=sys.stderr)
            return 2
        files.append((int(n), path))
    try:
        report = measure(args.ns, files, max(1, args.rounds))
    except OSError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3
    print(json.dumps(report), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
