"""The pure-Python threads workload, standalone: run by *any* interpreter on the machine.

gil_contention runs this file (not the ``pyproof`` package, which needs a recent Python)
under every interpreter it finds — pyenv's versions, those on PATH, ``--python`` ones, a
free-threaded build — as ``python gil_threads.py --work N --ks 2,4 --rounds R``. It prints
one JSON line: the interpreter's facts (version, whether it is a free-threaded build and
whether the GIL is on) and, per round, the seconds of one thread doing the whole work and of
k threads splitting it (same total, checksums compared).

It keeps to syntax every Python 3 since 3.6 understands: plain f-strings, no annotations,
no walrus, no f-string ``=``.
"""

import argparse
import json
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


def main(argv=None):
    """Entry point: prints one JSON line."""
    parser = argparse.ArgumentParser(prog="gil_threads.py")
    parser.add_argument("--work", type=int, required=True, help="loop iterations in all")
    parser.add_argument("--ks", required=True, help="thread counts, comma-separated")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--facts-only", action="store_true")
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
    out = {"facts": facts(), "work": args.work, "samples": measure(args.work, ks, args.rounds)}
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
