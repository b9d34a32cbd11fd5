"""cpu_parallelism: "Best for CPU: multiprocessing" on trial, task size by task size.

The same total amount of pure-Python CPU work is cut into tasks of ~0.3 µs to ~100 ms and run
sequentially, on a thread pool and on a process pool (``spawn``), with several chunksizes —
and, with ``--interpreters`` on CPython 3.14+, on an ``InterpreterPoolExecutor`` (PEP 734:
one subinterpreter per worker, each with its own GIL, in this one process).
Small tasks drown a process pool in pickling and round trips; large ones let it scale. The
Rust harness runs ``python -m pyproof.cpu_parallelism`` in a fresh process and reads one JSON
line with every sample.

Every run's checksum (the sum of the tasks' results) must equal the sequential one.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import importlib
import json
import multiprocessing
import os
import sys
import time
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from pyproof._parallel import cold_pool_s


def spin(iters: int) -> int:
    """Pure-Python CPU work: ``iters`` rounds of integer arithmetic (the GIL held)."""
    total = 0
    for i in range(iters):
        total += (i * i) % 7
    return total


def calibrate(target_s: float = 0.05) -> float:
    """Iterations of ``spin`` per microsecond on this machine (best of five)."""
    iters = 50_000
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        spin(iters)
        best = min(best, time.perf_counter() - start)
    # Scale up so the measured call lasts about target_s, then measure again.
    iters = max(iters, int(iters * target_s / max(best, 1e-9)))
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        spin(iters)
        best = min(best, time.perf_counter() - start)
    return iters / (best * 1e6)


# CPython 3.14+: a pool of subinterpreters (None before).
InterpreterPool = getattr(concurrent.futures, "InterpreterPoolExecutor", None)


def _importable(name: str = "spin"):
    """This module's function ``name`` as a subinterpreter can unpickle it. Run as
    ``__main__`` (``python -m``), the module's own functions pickle as ``__main__.<name>``,
    which a fresh subinterpreter's ``__main__`` lacks; the same function imported by its
    module name pickles by that name."""
    return getattr(importlib.import_module("pyproof.cpu_parallelism"), name)


def _importable_spin():
    """``spin``, callable in a subinterpreter (see ``_importable``)."""
    return _importable("spin")


def import_in_subinterpreter(module: str) -> str:
    """Imports ``module`` where it runs; returns its name (a module object cannot cross
    interpreters, a string can)."""
    importlib.import_module(module)
    return module


def probe_import(module: str, timeout: float) -> dict:
    """Imports ``module`` inside a subinterpreter: whether it loads, and the last line of the
    error when it does not (extension modules must declare subinterpreter support)."""
    if InterpreterPool is None:
        return {"module": module, "ok": False, "error": "no InterpreterPoolExecutor here"}
    with InterpreterPool(max_workers=1) as pool:
        try:
            pool.submit(_importable("import_in_subinterpreter"), module).result(timeout=timeout)
            return {"module": module, "ok": True, "error": ""}
        except Exception as exc:  # noqa: BLE001 - reported as observed, whatever it is
            lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
            why = next((line for line in lines if "subinterpreter" in line), None)
            return {
                "module": module,
                "ok": False,
                "error": f"{type(exc).__name__}: {why or (lines[-1] if lines else '')}",
            }


def _ready(delay: float) -> int:
    time.sleep(delay)
    return os.getpid()


def auto_chunksize(tasks: int, k: int) -> int:
    """Four chunks per worker (what ``multiprocessing.Pool.map`` does by default)."""
    return max(1, -(-tasks // (4 * k)))


def rotation(jobs: int, round_no: int, planned: int) -> int:
    """Where round ``round_no`` (0-based) starts in the list of ``jobs``: each of the
    ``planned`` rounds one equal step further along, so no job always runs first or last —
    the same order whether the rounds share one process or each has its own."""
    planned = max(1, planned)
    return (round_no % planned) * jobs // planned


def run_pool(
    pool: Executor, iters: int, tasks: int, chunksize: int, timeout: float, fn=spin
) -> tuple[float, int]:
    """``pool.map(fn, ...)`` over ``tasks`` tasks; returns (seconds, checksum)."""
    start = time.perf_counter()
    results = pool.map(fn, [iters] * tasks, timeout=timeout, chunksize=chunksize)
    total = sum(results)
    return time.perf_counter() - start, total


def run_sequential(iters: int, tasks: int) -> tuple[float, int]:
    """The tasks one after another on this thread; returns (seconds, checksum)."""
    start = time.perf_counter()
    total = 0
    for _ in range(tasks):
        total += spin(iters)
    return time.perf_counter() - start, total


def measure(
    sizes_us: list[float],
    total_ms: float,
    k: int,
    chunksizes: list[str],
    rounds: int,
    timeout: float,
    max_round_trips: int,
    per_us: float | None = None,
    interpreters: bool = False,
    overhead_tasks: int = 0,
    round_index: int = 0,
    rounds_planned: int | None = None,
) -> dict:
    """Every (size, executor, chunksize) over ``rounds`` interleaved rounds. The loop is
    calibrated on this interpreter unless ``per_us`` (iterations per µs) is given: another
    build then does exactly the same work, so its times compare. ``interpreters`` adds an
    ``InterpreterPoolExecutor`` where the interpreter has one (3.14+). ``overhead_tasks``
    adds, per executor, that many tasks of two loop iterations each (``overhead_<executor>``,
    chunksize 1): what one task costs an executor beyond its work. ``round_index`` is the
    run's first round and ``rounds_planned`` the rounds its rotation spreads over (default
    ``rounds``): a harness running each round in a fresh process still rotates the order."""
    per_us = per_us or calibrate()
    started = time.perf_counter()
    threads = ThreadPoolExecutor(max_workers=k)
    processes = ProcessPoolExecutor(max_workers=k, mp_context=multiprocessing.get_context("spawn"))
    subs = None
    subs_startup_s = None
    failed = True  # until every round has run: an error or a timeout kills the workers
    try:
        ready = [processes.submit(_ready, 0.05) for _ in range(2 * k)]
        pids = sorted({f.result(timeout=timeout) for f in ready})
        startup_s = time.perf_counter() - started
        if interpreters and InterpreterPool is not None:
            # Start-up: creating the pool and a first task on each of its k subinterpreters
            # (each imports this module: what a user's first map pays).
            begun = time.perf_counter()
            subs = InterpreterPool(max_workers=k)
            spin_sub = _importable_spin()
            list(subs.map(spin_sub, [1] * k, timeout=timeout))
            subs_startup_s = time.perf_counter() - begun
        jobs = []
        for size in sizes_us:
            iters = max(1, round(size * per_us))
            tasks = max(1, round(total_ms * 1000 / size))
            jobs.append(("sequential", size, iters, tasks, 1))
            # A thread pool's map sends every task through its queue: the same cap applies.
            if tasks <= max_round_trips:
                jobs.append(("threads", size, iters, tasks, 1))
                if subs is not None:
                    jobs.append(("interpreters", size, iters, tasks, 1))
            for c in chunksizes:
                chunk = auto_chunksize(tasks, k) if c == "auto" else int(c)
                # One round trip per chunk: beyond the cap the run would only measure the
                # same overhead for minutes; it is reported as not run.
                if -(-tasks // chunk) <= max_round_trips:
                    jobs.append((f"processes:{c}", size, iters, tasks, chunk))
        if overhead_tasks > 0:
            # Two iterations per task (spin(2) == 1, so the checksum counts the tasks): the
            # time is the executor's own, per task.
            jobs.append(("overhead_threads", 0.0, 2, overhead_tasks, 1))
            jobs.append(("overhead_processes", 0.0, 2, overhead_tasks, 1))
            if subs is not None:
                jobs.append(("overhead_interpreters", 0.0, 2, overhead_tasks, 1))
        samples: dict[tuple[str, float], dict] = {}
        cold: list[float] = []
        jobs.append(("cold_pool", 0.0, 0, 0, 0))
        deadline = time.monotonic() + timeout
        for r in range(rounds):
            shift = rotation(len(jobs), round_index + r, rounds_planned or rounds)
            for name, size, iters, tasks, chunk in jobs[shift:] + jobs[:shift]:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"the runs did not finish within {timeout:g} s")
                if name == "cold_pool":
                    cold.append(cold_pool_s(k, spin, (1,), left))
                    continue
                if name == "sequential":
                    seconds, checksum = run_sequential(iters, tasks)
                elif name in ("threads", "overhead_threads"):
                    seconds, checksum = run_pool(threads, iters, tasks, 1, left)
                elif name in ("interpreters", "overhead_interpreters"):
                    seconds, checksum = run_pool(subs, iters, tasks, 1, left, _importable_spin())
                else:
                    seconds, checksum = run_pool(processes, iters, tasks, chunk, left)
                s = samples.setdefault(
                    (name, size),
                    {
                        "executor": name,
                        "size_us": size,
                        "iters": iters,
                        "tasks": tasks,
                        "chunksize": chunk,
                        "seconds": [],
                        "checksum": checksum,
                    },
                )
                if s["checksum"] != checksum:
                    raise RuntimeError(f"{name} at {size} µs gave checksum {checksum}")
                s["seconds"].append(seconds)
        failed = False
    except BrokenProcessPool as exc:
        raise RuntimeError(f"a worker process died ({exc})") from exc
    finally:
        threads.shutdown(wait=False, cancel_futures=True)
        if subs is not None:
            subs.shutdown(wait=True, cancel_futures=True)
        _stop(processes, kill=failed)
    return {
        "python": sys.version.split()[0],
        "iters_per_us": per_us,
        "k": k,
        "startup_s": startup_s,
        "start_method": multiprocessing.get_start_method(),
        "interpreters_startup_s": subs_startup_s,
        "cold_pool_s": cold,
        "worker_pids": pids,
        "samples": list(samples.values()),
    }


def _stop(processes: ProcessPoolExecutor, kill: bool) -> None:
    """Shuts a process pool down: on success by waiting for its idle workers to exit (so no
    pipe is left for the interpreter's exit hook to write to); after an error or a timeout by
    killing them first, since a busy worker would otherwise hold the shutdown."""
    workers = list((getattr(processes, "_processes", None) or {}).values())
    if kill:
        for p in workers:
            if p.is_alive():
                p.kill()
    try:
        processes.shutdown(wait=True, cancel_futures=True)
    except BrokenProcessPool:
        pass
    for p in workers:
        p.join(timeout=2)


def _floats(text: str) -> list[float]:
    try:
        values = [float(v) for v in text.split(",") if v]
    except ValueError:
        raise argparse.ArgumentTypeError(f"bad list of numbers '{text}'") from None
    if not values or any(v <= 0 for v in values):
        raise argparse.ArgumentTypeError(f"numbers must be positive: '{text}'")
    return values


def main(argv: list[str] | None = None) -> int:
    """``python -m pyproof.cpu_parallelism --sizes-us 1,10,... --total-ms 800 --k 2``."""
    parser = argparse.ArgumentParser(prog="python -m pyproof.cpu_parallelism")
    parser.add_argument("--sizes-us", type=_floats, default=[1, 10, 100, 1000, 10000, 100000])
    parser.add_argument("--total-ms", type=float, default=800.0)
    parser.add_argument("--k", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--chunksizes", default="1,auto")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=600.0)
    parser.add_argument("--max-round-trips", type=int, default=50_000)
    parser.add_argument(
        "--iters-per-us",
        type=float,
        default=None,
        help="loop iterations per µs instead of calibrating here (the same work on every build)",
    )
    parser.add_argument(
        "--round-index",
        type=int,
        default=0,
        help="the index of this run's first round (its place in the rotation of job orders)",
    )
    parser.add_argument(
        "--rounds-planned",
        type=int,
        default=None,
        help="the rounds the rotation of job orders spreads over (default: --rounds)",
    )
    parser.add_argument(
        "--interpreters",
        action="store_true",
        help="also run an InterpreterPoolExecutor where there is one (CPython 3.14+)",
    )
    parser.add_argument(
        "--overhead-tasks",
        type=int,
        default=0,
        help="also time this many near-empty tasks on each executor (its per-task cost)",
    )
    parser.add_argument(
        "--probe-import",
        metavar="MODULE",
        default=None,
        help="only import MODULE inside a subinterpreter and print what happened as JSON",
    )
    args = parser.parse_args(argv)
    chunks = [c for c in args.chunksizes.split(",") if c]
    if args.k < 1 or any(c != "auto" and not c.isdigit() for c in chunks):
        print("error: --k must be ≥ 1 and --chunksizes numbers or 'auto'", file=sys.stderr)
        return 2
    if args.overhead_tasks < 0:
        print("error: --overhead-tasks must be ≥ 0", file=sys.stderr)
        return 2
    if args.round_index < 0 or (args.rounds_planned is not None and args.rounds_planned < 1):
        print("error: --round-index must be ≥ 0 and --rounds-planned ≥ 1", file=sys.stderr)
        return 2
    if args.iters_per_us is not None and not args.iters_per_us > 0:
        print("error: --iters-per-us must be > 0", file=sys.stderr)
        return 2
    if args.probe_import:
        print(json.dumps(probe_import(args.probe_import, args.timeout)), flush=True)
        return 0
    try:
        report = measure(
            args.sizes_us,
            args.total_ms,
            args.k,
            chunks,
            max(1, args.rounds),
            args.timeout,
            args.max_round_trips,
            args.iters_per_us,
            args.interpreters,
            args.overhead_tasks,
            args.round_index,
            args.rounds_planned,
        )
    except TimeoutError as exc:
        print(f"error: {exc}", file=sys.stderr, flush=True)
        os._exit(3)
    except (RuntimeError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr, flush=True)
        return 3
    print(json.dumps(report), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
