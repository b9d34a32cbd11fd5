"""The pure-Python threads workload, standalone: run by *any* interpreter on the machine.

gil_contention runs this file (not the ``pyproof`` package, which needs a recent Python)
under every interpreter it finds — pyenv's versions, those on PATH, ``--python`` ones, a
free-threaded build — as ``python gil_threads.py --work N --ks 2,4 --rounds R``. It prints
one JSON line: the interpreter's facts (version, whether it is a free-threaded build and
whether the GIL is on) and, per round, the seconds of one thread doing the whole work and of
k threads splitting it (same total, checksums compared). With ``--race N`` it also counts the
updates a shared counter loses when threads add to it without a lock (the GIL does not make
a read-modify-write atomic), and with one; with ``--pools N`` it records the default
multiprocessing start method (fork until 3.13 on Linux, forkserver from 3.14) and times N
cold process pools from start to shutdown.

It keeps to syntax every Python 3 since 3.6 understands: plain f-strings, no annotations,
no walrus, no f-string ``=``.
"""

import argparse
import concurrent.futures
import json
import multiprocessing
import sys
import sysconfig
import threading
import time


def spin(start, end):
    """Pure-Python CPU work: bytecode in a loop, nothing that releases the GIL."""
    total = 0
    for i in range(start, end):
        total += (i * i) % 7
    return total


def split(n, k):
    """``k`` contiguous ranges covering ``range(n)``."""
    step, extra = divmod(n, k)
    bounds, at = [], 0
    for i in range(k):
        size = step + (1 if i < extra else 0)
        bounds.append((at, at + size))
        at += size
    return bounds


def on_threads(n, k):
    """(seconds, checksum) of ``k`` threads sharing ``spin(0, n)``."""
    results = [0] * k
    ready = threading.Barrier(k + 1)

    def work(i, lo, hi):
        ready.wait()
        results[i] = spin(lo, hi)

    threads = [
        threading.Thread(target=work, args=(i, lo, hi)) for i, (lo, hi) in enumerate(split(n, k))
    ]
    for t in threads:
        t.start()
    ready.wait()
    start = time.perf_counter()
    for t in threads:
        t.join()
    return time.perf_counter() - start, sum(results)


def facts():
    """The interpreter: version, implementation, build and GIL state."""
    free_threaded = bool(sysconfig.get_config_var("Py_GIL_DISABLED"))
    is_enabled = getattr(sys, "_is_gil_enabled", None)
    return {
        "version": "{}.{}.{}".format(*sys.version_info[:3]),
        "implementation": sys.implementation.name,
        "free_threaded": free_threaded,
        "gil_enabled": bool(is_enabled()) if is_enabled is not None else True,
        "executable": sys.executable,
    }


class Counter:
    """A counter shared by threads, kept in an attribute as real code keeps state."""

    def __init__(self):
        self.value = 0


def _pause():
    """Any call: a point where CPython may hand the GIL to another thread."""


def add_call_between(counter, n):
    """Read, call something, write: the read-modify-write of ordinary code."""
    for _ in range(n):
        value = counter.value
        _pause()
        counter.value = value + 1


def add_in_place(counter, n):
    """``counter.value += 1``: one statement, still a load, an add and a store."""
    for _ in range(n):
        counter.value += 1


def add_locked(counter, n, lock):
    """The same read-modify-write as ``add_call_between``, under a lock."""
    for _ in range(n):
        with lock:
            value = counter.value
            _pause()
            counter.value = value + 1


def lost_updates(k, n, add, *extra):
    """Updates lost when ``k`` threads each add ``n`` to one counter with ``add``."""
    counter = Counter()
    ready = threading.Barrier(k)

    def work():
        ready.wait()
        add(counter, n, *extra)

    threads = [threading.Thread(target=work) for _ in range(k)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return k * n - counter.value


def race(k, n):
    """Lost updates of ``k`` threads adding ``n`` each at the interpreter's own switch interval:
    a read, a call and a write; ``+=``; and the first under a lock, with n // 10 adds (a lock
    makes the count exact whatever n, and a contended lock is slow)."""
    return {
        "threads": k,
        "per_thread": n,
        "locked_per_thread": max(1, n // 10),
        "switch_interval_s": sys.getswitchinterval(),
        "lost": {
            "call_between": lost_updates(k, n, add_call_between),
            "in_place": lost_updates(k, n, add_in_place),
            "locked": lost_updates(k, max(1, n // 10), add_locked, threading.Lock()),
        },
    }


def measure(n, ks, rounds):
    """A warm-up, then ``rounds`` rounds of one thread and each k, the order rotating every
    round (one thread does not always run first)."""
    spin(0, n // 10)
    expected = spin(0, n)
    variants = [1, *ks]
    samples = []
    for r in range(rounds):
        order = variants[r % len(variants) :] + variants[: r % len(variants)]
        timed = {}
        for k in order:
            seconds, total = on_threads(n, k)
            if total != expected:
                raise RuntimeError(f"{k} threads computed {total}, not {expected}")
            timed[k] = seconds
        samples.append({"one": timed[1], "threads": {str(k): timed[k] for k in ks}})
    return samples


def _nothing(x):
    """A task for a pool worker: the pool's own cost, not the work's."""
    return x


def cold_pools(workers, times):
    """The default start method, and the seconds a cold process pool of ``workers`` takes to
    start, answer one task per worker and shut down, ``times`` times."""
    seconds = []
    for _ in range(times):
        start = time.perf_counter()
        with concurrent.futures.ProcessPoolExecutor(max_workers=workers) as pool:
            answers = list(pool.map(_nothing, range(workers)))
        seconds.append(time.perf_counter() - start)
        if answers != list(range(workers)):
            raise RuntimeError(f"the pool answered {answers}")
    return {
        "start_method": multiprocessing.get_start_method(),
        "workers": workers,
        "seconds": seconds,
    }


def main(argv=None):
    """Entry point: prints one JSON line."""
    parser = argparse.ArgumentParser(prog="gil_threads.py")
    parser.add_argument("--work", type=int, required=True, help="loop iterations in all")
    parser.add_argument("--ks", required=True, help="thread counts, comma-separated")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--facts-only", action="store_true")
    parser.add_argument(
        "--race", type=int, default=0, help="adds per thread for the lost-update count (0: none)"
    )
    parser.add_argument(
        "--pools", type=int, default=0, help="cold 2-process pools to start and stop (0: none)"
    )
    args = parser.parse_args(argv)
    if args.facts_only:
        print(json.dumps({"facts": facts()}))
        return 0
    try:
        ks = [int(k) for k in args.ks.split(",")]
    except ValueError:
        parser.error(f"--ks: comma-separated integers, not {args.ks!r}")
    if args.work < 1 or args.rounds < 1 or not ks or min(ks) < 1 or max(ks) > 256:
        parser.error("--work and --rounds must be >= 1, thread counts 1 to 256")
    if args.race < 0 or args.pools < 0:
        parser.error("--race and --pools must be >= 0")
    out = {"facts": facts(), "work": args.work, "samples": measure(args.work, ks, args.rounds)}
    if args.race:
        out["race"] = race(2, args.race)
    if args.pools:
        out["pools"] = cold_pools(2, args.pools)
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
