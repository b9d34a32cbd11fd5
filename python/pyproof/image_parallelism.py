"""image_parallelism: "1 million images — threads or processes?" on trial.

The sheet answers "Multiprocessing. Image processing is CPU-bound. Threading would be
throttled by the GIL." This module runs one workload over an image corpus with one executor
and prints what it measured as one JSON line; the Rust harness runs it in a fresh process per
(workload, executor, k) and samples the memory of the whole process group from outside::

    python -m pyproof.image_parallelism thumbnail threads 2 corpus.pack

Workloads, each taking an encoded image and returning bytes (``None`` when the file cannot
be decoded — damaged files are skipped and counted, never fatal):

- ``threshold``: pure-Python pixel code — grey = (77·R + 150·G + 29·B) >> 8, white at 128 —
  over the decoded pixels. Bytecode all the way: the GIL is held throughout.
- ``thumbnail``: Pillow — decode, halve (bilinear), ``GaussianBlur(2)``, encode JPEG q85.
  Pillow releases the GIL inside decode, resize, filter and encode.
- ``echo``: returns its input: what moving the bytes costs, with no work.
- ``thumbnail_draft`` / ``thumbnail_reduce``: the thumbnail with a smarter decode — a JPEG
  decoded at half size by libjpeg (``Image.draft``) — or a cheaper halving
  (``Image.reduce(2)``): does the decode move images/s more than the executor does?

Executors: ``sequential``; ``threads`` (``ThreadPoolExecutor(k)``); ``processes``
(``ProcessPoolExecutor(k)`` started with ``spawn``). Pools get batches of images (bytes in,
bytes out), at most ``2·k`` batches in flight, and a deadline: a pool that does not finish
in time, or whose worker dies, ends the run with one ``error:`` line and exit code 3.

The corpus is a *pack* written by the Rust generator (``MAGIC``, then per image a
little-endian u32 length and the bytes); ``write_pack`` writes one from Python.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import multiprocessing
import os
import struct
import sys
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import (
    FIRST_COMPLETED,
    Executor,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    wait,
)
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field

from pyproof._env import anon_kib

#: The first bytes of a pack.
MAGIC = b"PYPROOF-IMAGES1\n"
#: Records larger than this mean a corrupt pack, not an image.
MAX_RECORD = 64 << 20
#: Workloads of ``run``.
WORKLOADS = (
    "threshold",
    "thumbnail",
    "echo",
    "thumbnail_draft",
    "thumbnail_reduce",
    "thumbnail_vips",
)
#: Executors of ``run``.
EXECUTORS = ("sequential", "threads", "processes")
#: JPEG quality of the thumbnails (the corpus uses the same).
JPEG_QUALITY = 85
#: Standard deviation of the blur, pixels of the halved image.
BLUR_RADIUS = 2
#: Images per pool task when streaming a pack of unknown length.
STREAM_BATCH = 64


class PackError(ValueError):
    """The pack file is not a pack, or is truncated."""


class WorkerDied(RuntimeError):
    """A pool worker process died (killed, crashed); the pool is broken."""


# --------------------------------------------------------------------------- the corpus


def iter_pack(path: str, limit: int | None = None) -> Iterator[bytes]:
    """Yields the records of the pack at ``path`` (the first ``limit`` when given)."""
    with open(path, "rb") as f:
        if f.read(len(MAGIC)) != MAGIC:
            raise PackError(f"{path} is not an image pack (bad magic)")
        index = 0
        while limit is None or index < limit:
            head = f.read(4)
            if not head:
                return
            if len(head) < 4:
                raise PackError(f"{path}: the pack ends inside record {index}; it is truncated")
            (n,) = struct.unpack("<I", head)
            if n > MAX_RECORD:
                raise PackError(f"{path}: record {index} claims {n} bytes; the pack is corrupt")
            data = f.read(n)
            if len(data) < n:
                raise PackError(f"{path}: the pack ends inside record {index}; it is truncated")
            yield data
            index += 1


def read_pack(path: str, limit: int | None = None) -> list[bytes]:
    """The records of the pack at ``path`` (the first ``limit`` when given), in memory."""
    return list(iter_pack(path, limit))


def write_pack(path: str, records: Iterable[bytes]) -> int:
    """Writes ``records`` as a pack at ``path`` (via a temporary name); returns the count."""
    tmp = f"{path}.partial-{os.getpid()}"
    count = 0
    try:
        with open(tmp, "wb") as f:
            f.write(MAGIC)
            for r in records:
                f.write(struct.pack("<I", len(r)))
                f.write(r)
                count += 1
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return count


# --------------------------------------------------------------------------- the workloads

#: What Pillow raises for a file it cannot decode (unknown format, truncated, corrupt).
_DECODE_ERRORS: tuple[type[BaseException], ...] = (OSError, ValueError, SyntaxError, EOFError)


def threshold(data: bytes) -> bytes | None:
    """Pure-Python pixel code: Pillow only decodes; the per-pixel work is bytecode."""
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as im:
            px = im.convert("RGB").tobytes()
    except _DECODE_ERRORS:
        return None
    return bytes(
        255 if (77 * r + 150 * g + 29 * b) >> 8 >= 128 else 0
        for r, g, b in zip(px[0::3], px[1::3], px[2::3])
    )


def _no_lap() -> None:
    pass


def thumbnail(data: bytes, lap: Callable[[], object] = _no_lap) -> bytes | None:
    """Pillow: decode, halve (bilinear), GaussianBlur(2), encode JPEG at quality 85.

    ``lap`` is called as each of the four stages ends (``stage_profile`` passes a clock);
    a file that does not decode returns None before the first call.
    """
    from PIL import Image, ImageFilter

    try:
        with Image.open(io.BytesIO(data)) as im:
            rgb = im.convert("RGB")
    except _DECODE_ERRORS:
        return None
    lap()
    small = rgb.resize((max(1, rgb.width // 2), max(1, rgb.height // 2)), Image.Resampling.BILINEAR)
    lap()
    blurred = small.filter(ImageFilter.GaussianBlur(BLUR_RADIUS))
    lap()
    out = io.BytesIO()
    blurred.save(out, "JPEG", quality=JPEG_QUALITY)
    lap()
    return out.getvalue()


def _blur_encode(image: object) -> bytes:
    """The thumbnail's last two stages: GaussianBlur(2), JPEG at quality 85."""
    from PIL import ImageFilter

    out = io.BytesIO()
    image.filter(ImageFilter.GaussianBlur(BLUR_RADIUS)).save(out, "JPEG", quality=JPEG_QUALITY)
    return out.getvalue()


def thumbnail_draft(data: bytes) -> bytes | None:
    """``thumbnail`` with a smarter decode: ``Image.draft`` asks libjpeg for the picture at
    half size, which it decodes at that size (DCT scaling) rather than whole; a size draft
    cannot hit exactly is finished with the same bilinear resize. A PNG has no draft mode
    and is decoded whole, as in ``thumbnail``."""
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as im:
            target = (max(1, im.width // 2), max(1, im.height // 2))
            im.draft("RGB", target)
            rgb = im.convert("RGB")
    except _DECODE_ERRORS:
        return None
    if rgb.size != target:
        rgb = rgb.resize(target, Image.Resampling.BILINEAR)
    return _blur_encode(rgb)


def thumbnail_reduce(data: bytes) -> bytes | None:
    """``thumbnail`` halved by ``Image.reduce(2)`` — the mean of each 2x2 box, the cheap
    integer-factor step ``Image.thumbnail``'s ``reducing_gap`` uses — rather than by a
    bilinear resize."""
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as im:
            rgb = im.convert("RGB")
    except _DECODE_ERRORS:
        return None
    target = (max(1, rgb.width // 2), max(1, rgb.height // 2))
    small = rgb.reduce(2)
    if small.size != target:  # odd sides: reduce rounds up
        small = small.crop((0, 0, *target))
    return _blur_encode(small)


#: Decode options of the pyvips workload: a truncated or corrupt file is an error (libvips'
#: default is to warn and return what it could decode — a silently different answer).
VIPS_LOAD_OPTIONS = "fail_on=truncated"


def _vips() -> object:
    """pyvips, set up as the workload needs it: one libvips thread per call (the executors
    are what is compared, not libvips' own pool) and no operation cache (a repeated input
    must be decoded again, as every other workload decodes it)."""
    import pyvips

    if not getattr(_vips, "ready", False):
        pyvips.concurrency_set(1)
        pyvips.cache_set_max(0)
        _vips.ready = True
    return pyvips


def thumbnail_vips(data: bytes) -> bytes | None:
    """The thumbnail with pyvips (libvips from the ``pyvips-binary`` wheel): ``thumbnail``
    decodes a JPEG already shrunk (libjpeg's shrink-on-load) and resizes to exactly half,
    then ``gaussblur(2)`` and JPEG at quality 85 — the same job, libvips' way."""
    pyvips = _vips()
    try:
        header = pyvips.Image.new_from_buffer(data, VIPS_LOAD_OPTIONS)
        target = (max(1, header.width // 2), max(1, header.height // 2))
        small = pyvips.Image.thumbnail_buffer(
            data,
            target[0],
            height=target[1],
            size="force",
            option_string=VIPS_LOAD_OPTIONS,
        )
        if small.bands > 3:
            small = small.extract_band(0, n=3)
        out = small.gaussblur(BLUR_RADIUS).jpegsave_buffer(Q=JPEG_QUALITY, strip=True)
    except pyvips.Error:
        return None
    return bytes(out)


#: The stages of ``thumbnail``, in order (the Rust profile uses the same names).
STAGES = ("decode", "resize", "blur", "encode")
#: Images run untimed before a stage profile (imports, first allocations).
STAGE_WARM_UP = 16


def format_of(data: bytes) -> str:
    """The input format of an encoded image, from its first bytes."""
    if data.startswith(b"\xff\xd8"):
        return "jpeg"
    if data.startswith(b"\x89PNG"):
        return "png"
    return "other"


def stage_profile(pack: str, count: int | None = None) -> dict:
    """Times each stage of ``thumbnail`` per image on this thread, per input format: the
    seconds summed over the images that came out, and how many were skipped."""
    images = read_pack(pack, count)
    for data in images[:STAGE_WARM_UP]:
        thumbnail(data)
    formats: dict[str, dict] = {}
    skipped = 0
    clock = time.perf_counter
    laps: list[float] = []

    def lap() -> None:
        laps.append(clock())

    for data in images:
        laps.clear()
        start = clock()
        if thumbnail(data, lap) is None:
            skipped += 1
            continue
        entry = formats.setdefault(
            format_of(data), {"images": 0, "seconds": dict.fromkeys(STAGES, 0.0)}
        )
        entry["images"] += 1
        for stage, end in zip(STAGES, laps, strict=True):
            entry["seconds"][stage] += end - start
            start = end
    return {
        "pipeline": "pillow",
        "formats": formats,
        "skipped": skipped,
        "library": library_versions(),
    }


def echo(data: bytes) -> bytes:
    """No work: the bytes go back as they came (the cost of moving them)."""
    return data


_FUNCS: dict[str, Callable[[bytes], bytes | None]] = {
    "threshold": threshold,
    "thumbnail": thumbnail,
    "echo": echo,
    "thumbnail_draft": thumbnail_draft,
    "thumbnail_reduce": thumbnail_reduce,
    "thumbnail_vips": thumbnail_vips,
}


def process_batch(workload: str, items: Sequence[bytes]) -> list[bytes | None]:
    """Runs ``workload`` over a batch; the task a pool worker gets (bytes in, bytes out)."""
    func = _FUNCS[workload]
    return [func(item) for item in items]


def _init_worker() -> None:
    """Imports Pillow in each pool process before any timed work."""
    import PIL.Image
    import PIL.ImageFilter  # noqa: F401


def _ready(delay: float) -> int:
    """Holds a worker for ``delay`` seconds so that the pool must start all of them."""
    time.sleep(delay)
    return os.getpid()


# --------------------------------------------------------------------------- the executors


@dataclass
class Tally:
    """Counts and an order-independent checksum of every output (sum of CRC-32s)."""

    processed: int = 0
    skipped: int = 0
    crc_sum: int = 0
    out_bytes: int = 0
    in_bytes: int = 0

    def add(self, in_len: int, out: bytes | None) -> None:
        """Counts one image: its input size and its output (None: skipped)."""
        self.in_bytes += in_len
        if out is None:
            self.skipped += 1
        else:
            self.processed += 1
            self.crc_sum += zlib.crc32(out)
            self.out_bytes += len(out)


@dataclass
class Result:
    """One run: what came out, how long it took, what the executor cost to start."""

    tally: Tally
    work_s: float
    startup_s: float
    worker_pids: list[int] = field(default_factory=list)


def batches_of(images: Iterable[bytes], size: int) -> Iterator[list[bytes]]:
    """Cuts ``images`` into lists of ``size`` (the last may be shorter)."""
    batch: list[bytes] = []
    for image in images:
        batch.append(image)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def batch_size(count: int, k: int) -> int:
    """Images per pool task: about 16 tasks per worker, at most 64 images each."""
    return max(1, min(64, math.ceil(count / (16 * k))))


def _drive(
    executor: Executor,
    workload: str,
    batches: Iterable[list[bytes]],
    k: int,
    deadline: float,
    tally: Tally,
    in_flight: int | None = None,
) -> None:
    """Feeds ``batches`` to the pool with at most ``in_flight`` (default ``2·k``) in flight,
    tallying as they end."""
    pending: dict[Future, list[int]] = {}
    source = iter(batches)
    exhausted = False
    limit = in_flight or 2 * k
    while True:
        while not exhausted and len(pending) < limit:
            batch = next(source, None)
            if batch is None:
                exhausted = True
                break
            pending[executor.submit(process_batch, workload, batch)] = [len(b) for b in batch]
        if not pending:
            return
        remaining = deadline - time.monotonic()
        done, _ = wait(list(pending), timeout=max(0.0, remaining), return_when=FIRST_COMPLETED)
        if not done:
            raise TimeoutError("the pool did not finish in time")
        for f in done:
            lens = pending.pop(f)
            try:
                outs = f.result()
            except BrokenProcessPool as exc:
                raise WorkerDied(f"a worker process died ({exc})") from exc
            for n, out in zip(lens, outs):
                tally.add(n, out)


def _kill_pool(pool: ProcessPoolExecutor) -> None:
    """Kills every worker of ``pool`` at once (timeouts, errors)."""
    procs = list((getattr(pool, "_processes", None) or {}).values())
    for p in procs:
        if p.is_alive():
            p.kill()
    pool.shutdown(wait=False, cancel_futures=True)
    for p in procs:
        p.join(timeout=2)


def run(
    workload: str,
    executor: str,
    k: int,
    batches: Iterable[list[bytes]],
    warm: Sequence[bytes],
    timeout: float,
    cold: bool = False,
) -> Result:
    """Runs ``workload`` over ``batches`` with ``executor`` and ``k`` workers.

    ``warm`` is a few images processed first, untimed, so the timed part starts with warm
    code and started workers. With ``cold``, nothing is warmed: the timed part is what a user
    running the job once pays — the pool's start (spawning, imports), moving the bytes, the
    work and the pool's shutdown (``startup_s`` is then 0). Raises ``TimeoutError`` after
    ``timeout`` seconds and ``WorkerDied`` when a pool process dies; a process pool is killed
    either way.
    """
    if workload not in _FUNCS:
        raise ValueError(f"unknown workload {workload!r} (expected one of {WORKLOADS})")
    if executor not in EXECUTORS:
        raise ValueError(f"unknown executor {executor!r} (expected one of {EXECUTORS})")
    if k < 1 or (executor == "sequential" and k != 1):
        raise ValueError(f"bad worker count {k} for {executor}")
    deadline = time.monotonic() + timeout
    tally = Tally()
    if executor == "sequential":
        started = time.perf_counter()
        process_batch(workload, warm)
        startup_s = time.perf_counter() - started
        started = time.perf_counter()
        for batch in batches:
            for item, out in zip(batch, process_batch(workload, batch)):
                tally.add(len(item), out)
            if time.monotonic() > deadline:
                raise TimeoutError("the sequential run did not finish in time")
        return Result(tally, time.perf_counter() - started, startup_s, [os.getpid()])

    started = time.perf_counter()
    if executor == "threads":
        pool: Executor = ThreadPoolExecutor(max_workers=k, thread_name_prefix="pyproof-img")
        pids = [os.getpid()]
    else:
        pool = ProcessPoolExecutor(
            max_workers=k,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_worker,
        )
        pids = []
    try:
        if cold:
            _drive(pool, workload, batches, k, deadline, tally)
            pool.shutdown(wait=True)
            # The pool's processes are gone by now: none to report.
            return Result(tally, time.perf_counter() - started, 0.0, pids)
        if executor == "processes":
            ready = [pool.submit(_ready, 0.05) for _ in range(2 * k)]
            done, pending = wait(ready, timeout=max(0.0, deadline - time.monotonic()))
            if pending:
                raise TimeoutError("the process pool did not start in time")
            try:
                pids = sorted({f.result() for f in done})
            except BrokenProcessPool as exc:
                raise WorkerDied(f"a worker process died while starting ({exc})") from exc
        warm_tally = Tally()
        _drive(pool, workload, [list(warm)] * k, k, deadline, warm_tally)
        startup_s = time.perf_counter() - started
        started = time.perf_counter()
        _drive(pool, workload, batches, k, deadline, tally)
        work_s = time.perf_counter() - started
    except BaseException:
        if isinstance(pool, ProcessPoolExecutor):
            _kill_pool(pool)
        else:
            pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    return Result(tally, work_s, startup_s, pids)


# --------------------------------------------------------------------------- the CLI


def library_versions() -> dict[str, str]:
    """Python, Pillow and the codec libraries Pillow was built with."""
    import PIL
    from PIL import features

    out = {
        "python": sys.version.split()[0],
        "pillow": PIL.__version__,
    }
    for name, key in (("libjpeg-turbo", "libjpeg_turbo"), ("zlib", "zlib")):
        try:
            version = features.version_feature(key) or features.version_codec(key)
        except ValueError:
            version = None
        if version:
            out[name] = version
    return out


def measure(
    workload: str,
    executor: str,
    k: int,
    pack: str,
    count: int | None,
    batch: int | None,
    timeout: float,
    stream: bool,
    cold: bool = False,
) -> dict:
    """The whole measured run the harness asks for; returns the report as a dict."""
    baseline = anon_kib()
    warm = read_pack(pack, min(count or 2, 2))
    if stream:
        # Read while working: only the batches in flight are in memory.
        source: Iterable[bytes] = iter_pack(pack, count)
        n = count or STREAM_BATCH * 16 * k
    else:
        images = read_pack(pack, count)
        source = images
        n = len(images)
    size = batch or batch_size(n, k)
    result = run(workload, executor, k, batches_of(source, size), warm, timeout, cold)
    return {
        "workload": workload,
        "executor": executor,
        "k": k,
        "batch": size,
        **asdict(result.tally),
        "work_s": result.work_s,
        "startup_s": result.startup_s,
        "baseline_anon_kib": baseline,
        "streamed": stream,
        "cold": cold,
        "worker_pids": result.worker_pids,
        "library": library_versions(),
    }


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text} is not a positive number")
    return value


def stages_main(argv: list[str]) -> int:
    """``python -m pyproof.image_parallelism stages PACK [--count N]``."""
    parser = argparse.ArgumentParser(prog="python -m pyproof.image_parallelism stages")
    parser.add_argument("pack")
    parser.add_argument("--count", type=_positive_int, help="the first N images only")
    args = parser.parse_args(argv)
    try:
        report = stage_profile(args.pack, args.count)
    except (PackError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr, flush=True)
        return 3
    print(json.dumps(report), flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    """``python -m pyproof.image_parallelism WORKLOAD EXECUTOR K PACK [options]``, or
    ``stages PACK [--count N]`` for the per-stage profile of the thumbnail."""
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["stages"]:
        return stages_main(argv[1:])
    parser = argparse.ArgumentParser(prog="python -m pyproof.image_parallelism")
    parser.add_argument("workload", choices=WORKLOADS)
    parser.add_argument("executor", choices=(*EXECUTORS, "dask"))
    parser.add_argument("k", type=_positive_int)
    parser.add_argument("pack")
    parser.add_argument("--count", type=_positive_int, help="the first N images only")
    parser.add_argument("--batch", type=_positive_int, help="images per pool task")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds (default 600)")
    parser.add_argument("--stream", action="store_true", help="read the pack while working")
    parser.add_argument(
        "--cold",
        action="store_true",
        help="time the pool's start and shutdown with the work (a job run once)",
    )
    parser.add_argument(
        "--scheduler",
        metavar="ADDR",
        help="dask: an existing cluster's scheduler instead of a fresh local one",
    )
    parser.add_argument(
        "--no-cluster-extras",
        action="store_true",
        help="dask: skip the empty-task costs and the batch sweep (the run's images/s only)",
    )
    parser.add_argument(
        "--kill-one-worker",
        action="store_true",
        help="dask: SIGKILL one worker a third of the way through and report what followed",
    )
    args = parser.parse_args(argv)
    if args.executor == "dask":
        return dask_main(args)
    try:
        report = measure(
            args.workload,
            args.executor,
            args.k,
            args.pack,
            args.count,
            args.batch,
            args.timeout,
            args.stream,
            args.cold,
        )
    except TimeoutError as exc:
        print(f"error: {exc} (timeout {args.timeout:g} s)", file=sys.stderr, flush=True)
        # Threads cannot be stopped and would keep the interpreter from exiting.
        os._exit(3)
    except (WorkerDied, PackError, OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr, flush=True)
        return 3
    print(json.dumps(report), flush=True)
    return 0


def dask_main(args: argparse.Namespace) -> int:
    """The ``dask`` executor: the job on a Dask cluster (``pyproof.image_cluster``, imported
    only here so that the other executors need no Dask)."""
    try:
        from pyproof import image_cluster
    except ImportError as exc:
        print(f"error: Dask is not installed ({exc})", file=sys.stderr, flush=True)
        return 3
    try:
        if args.kill_one_worker:
            if args.scheduler:
                raise ValueError("--kill-one-worker starts its own cluster: no --scheduler")
            report = image_cluster.kill_one_worker(
                args.workload, args.k, args.pack, args.count, args.timeout
            )
        else:
            report = image_cluster.measure(
                args.workload,
                args.k,
                args.pack,
                args.count,
                args.batch,
                args.timeout,
                args.stream,
                args.scheduler,
                **({"sweep": (), "empty_tasks": 0} if args.no_cluster_extras else {}),
            )
    except (TimeoutError, image_cluster.ClusterError, PackError, OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr, flush=True)
        return 3
    print(json.dumps(report), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
