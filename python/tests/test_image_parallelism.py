"""image_parallelism: the pack format, the workloads, the executors and their faults."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PIL import Image

from pyproof import image_parallelism as ip

PYTHON_DIR = Path(__file__).resolve().parents[1]


def picture(i: int, size: tuple[int, int] = (48, 32)) -> Image.Image:
    """A small picture with content: a gradient and some noise, different for every i."""
    gradient = Image.linear_gradient("L").resize(size).convert("RGB")
    noise = Image.effect_noise(size, 30 + i).convert("RGB")
    return Image.blend(gradient, noise, 0.3).rotate(i * 7)


def encoded(im: Image.Image, fmt: str) -> bytes:
    out = io.BytesIO()
    im.save(out, fmt, **({"quality": 85} if fmt == "JPEG" else {}))
    return out.getvalue()


def damaged() -> list[bytes]:
    """A truncated JPEG, a truncated PNG, garbage and an empty file."""
    jpeg = encoded(picture(1), "JPEG")
    png = encoded(picture(2), "PNG")
    return [jpeg[: len(jpeg) * 2 // 5], png[: len(png) * 2 // 5], b"\x00" * 500, b""]


@pytest.fixture
def corpus(tmp_path: Path) -> tuple[str, list[bytes]]:
    records = [encoded(picture(i), "JPEG" if i % 2 else "PNG") for i in range(20)]
    records[5:5] = damaged()
    path = str(tmp_path / "corpus.pack")
    assert ip.write_pack(path, records) == len(records)
    return path, records


def test_pack_round_trip_and_corruption(corpus: tuple[str, list[bytes]], tmp_path: Path) -> None:
    path, records = corpus
    assert ip.read_pack(path) == records
    assert ip.read_pack(path, 3) == records[:3]
    data = Path(path).read_bytes()
    cut = tmp_path / "cut.pack"
    cut.write_bytes(data[:-3])
    with pytest.raises(ip.PackError, match="ends inside record 23"):
        ip.read_pack(str(cut))
    cut.write_bytes(b"not a pack")
    with pytest.raises(ip.PackError, match="bad magic"):
        ip.read_pack(str(cut))
    # No partial file is left behind by write_pack.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus.pack", "cut.pack"]


def test_threshold_is_exact_on_known_pixels() -> None:
    im = Image.new("RGB", (4, 1))
    # grey = (77 R + 150 G + 29 B) >> 8; white at 128 and above.
    im.putdata([(255, 255, 255), (0, 0, 0), (128, 128, 128), (127, 127, 127)])
    assert ip.threshold(encoded(im, "PNG")) == bytes([255, 0, 255, 0])


def test_workloads_on_good_and_damaged_files() -> None:
    png = encoded(picture(3), "PNG")
    out = ip.threshold(png)
    assert out is not None and len(out) == 48 * 32 and set(out) <= {0, 255}
    thumb = ip.thumbnail(png)
    assert thumb is not None
    with Image.open(io.BytesIO(thumb)) as t:
        assert (t.format, t.size) == ("JPEG", (24, 16))
    assert ip.echo(png) == png
    for bad in damaged():
        assert ip.threshold(bad) is None
        assert ip.thumbnail(bad) is None


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
@pytest.mark.parametrize("size", [(48, 32), (33, 17)])
def test_the_smarter_decodes_give_the_thumbnails_size(fmt: str, size: tuple[int, int]) -> None:
    data = encoded(picture(4, size), fmt)
    want = (size[0] // 2, size[1] // 2)
    for func in (ip.thumbnail, ip.thumbnail_draft, ip.thumbnail_reduce):
        out = func(data)
        assert out is not None, func.__name__
        with Image.open(io.BytesIO(out)) as t:
            assert (t.format, t.size) == ("JPEG", want), func.__name__


def test_pyvips_skips_every_damaged_file_and_halves_the_rest() -> None:
    pytest.importorskip("pyvips")
    for fmt in ("JPEG", "PNG"):
        out = ip.thumbnail_vips(encoded(picture(6, (33, 17)), fmt))
        assert out is not None
        with Image.open(io.BytesIO(out)) as t:
            assert (t.format, t.size, t.mode) == ("JPEG", (16, 8), "RGB")
    # A truncated JPEG or PNG, garbage, an empty file: skipped, never a partial picture.
    assert [ip.thumbnail_vips(bad) for bad in damaged()] == [None] * 4
    # JPEGs cut near their end: skipped by both libraries (fail_on=truncated), never decoded
    # in part.
    jpeg = encoded(picture(7, (64, 48)), "JPEG")
    for cut in (2, 10, 100):
        assert (ip.thumbnail(jpeg[:-cut]), ip.thumbnail_vips(jpeg[:-cut])) == (None, None)


def test_draft_decodes_a_jpeg_at_half_size_in_the_codec() -> None:
    data = encoded(picture(5, (96, 64)), "JPEG")
    with Image.open(io.BytesIO(data)) as im:
        im.draft("RGB", (48, 32))
        # libjpeg's scale: the decoder itself now yields the half-size picture.
        assert im.size == (48, 32)
    for bad in damaged():
        assert ip.thumbnail_draft(bad) is None
        assert ip.thumbnail_reduce(bad) is None


def test_every_executor_gives_the_same_outputs(corpus: tuple[str, list[bytes]]) -> None:
    _, records = corpus
    results = {}
    for executor, k in [("sequential", 1), ("threads", 1), ("threads", 3), ("processes", 2)]:
        batches = ip.batches_of(records, ip.batch_size(len(records), k))
        r = ip.run("thumbnail", executor, k, batches, records[:2], timeout=60)
        results[(executor, k)] = r.tally
        assert r.work_s > 0 and r.startup_s >= 0
    tallies = list(results.values())
    assert all(t == tallies[0] for t in tallies), results
    assert (tallies[0].processed, tallies[0].skipped) == (20, 4)


def test_a_cold_run_times_the_pool_with_the_work(corpus: tuple[str, list[bytes]]) -> None:
    """Cold: the same outputs, no separate start-up (the pool's start is inside work_s), and
    no worker left behind."""
    _, records = corpus
    warm = ip.run("thumbnail", "processes", 2, ip.batches_of(records, 4), records[:2], 60)
    cold = ip.run("thumbnail", "processes", 2, ip.batches_of(records, 4), [], 60, cold=True)
    assert cold.tally == warm.tally
    assert cold.startup_s == 0.0 and warm.startup_s > 0
    assert cold.work_s > 0
    assert children(os.getpid()) == []


def test_batches_and_batch_sizes() -> None:
    assert [len(b) for b in ip.batches_of([b"x"] * 10, 4)] == [4, 4, 2]
    assert ip.batch_size(1000, 2) == 32
    assert ip.batch_size(10, 4) == 1
    assert ip.batch_size(10**6, 2) == 64


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown workload"):
        ip.run("sharpen", "sequential", 1, [], [], 1)
    with pytest.raises(ValueError, match="bad worker count"):
        ip.run("echo", "sequential", 2, [], [], 1)


def test_a_pool_past_its_deadline_is_stopped(corpus: tuple[str, list[bytes]]) -> None:
    _, records = corpus
    # Far more work than the deadline allows even on two idle cores (records * 40 once
    # finished inside 0.3 s on a quiet machine); the deadline, not the work, ends the run.
    many = records * 400
    for executor in ("threads", "processes"):
        started = time.monotonic()
        with pytest.raises(TimeoutError):
            ip.run("threshold", executor, 2, ip.batches_of(many, 4), records[:1], timeout=0.3)
        assert time.monotonic() - started < 20
    # The killed process pool left no worker behind.
    time.sleep(0.2)
    assert children(os.getpid()) == []


def alive(pid: int) -> bool:
    """Whether ``pid`` exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def cmdline(pid: int) -> bytes:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read()
    except OSError:
        return b""


def children(pid: int) -> list[int]:
    """Living child processes of ``pid``, but multiprocessing's resource tracker (it lives as
    long as its parent by design)."""
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            if b"resource_tracker" not in cmdline(int(entry)):
                out.append(int(entry))
    return out


def cli(*args: str) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(PYTHON_DIR))
    return subprocess.Popen(
        [sys.executable, "-m", "pyproof.image_parallelism", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def test_cli_reports_one_json_line(corpus: tuple[str, list[bytes]]) -> None:
    path, _ = corpus
    p = cli("thumbnail", "threads", "2", path, "--count", "10")
    out, err = p.communicate(timeout=60)
    assert p.returncode == 0, err
    report = json.loads(out)
    assert (report["workload"], report["executor"], report["k"]) == ("thumbnail", "threads", 2)
    assert report["processed"] + report["skipped"] == 10
    assert report["skipped"] == 4 and report["in_bytes"] > 0
    assert report["library"]["pillow"]


def test_cli_errors_are_one_line(tmp_path: Path) -> None:
    p = cli("thumbnail", "threads", "2", str(tmp_path / "missing.pack"))
    _, err = p.communicate(timeout=60)
    assert p.returncode == 3
    assert err.strip().startswith("error: ") and len(err.strip().splitlines()) == 1
    p = cli("thumbnail", "threads", "0", str(tmp_path / "missing.pack"))
    _, err = p.communicate(timeout=60)
    assert p.returncode == 2 and "not a positive number" in err


def test_a_thumbnail_laps_four_stages_and_a_damaged_file_none() -> None:
    laps: list[int] = []
    out = ip.thumbnail(encoded(picture(3), "PNG"), lambda: laps.append(1))
    assert out is not None and out.startswith(b"\xff\xd8") and len(laps) == 4
    for bad in damaged():
        laps.clear()
        assert ip.thumbnail(bad, lambda: laps.append(1)) is None
        assert laps == []
    # The clock changes nothing: the same bytes come out.
    data = encoded(picture(4), "JPEG")
    assert ip.thumbnail(data) == ip.thumbnail(data, lambda: None)


def test_the_stage_profile_counts_every_format_and_skips_the_damaged(
    corpus: tuple[str, list[bytes]],
) -> None:
    path, records = corpus
    report = ip.stage_profile(path)
    assert report["pipeline"] == "pillow"
    assert report["skipped"] == 4
    assert {f: e["images"] for f, e in report["formats"].items()} == {"jpeg": 10, "png": 10}
    for entry in report["formats"].values():
        assert list(entry["seconds"]) == list(ip.STAGES)
        assert all(seconds > 0 for seconds in entry["seconds"].values())
    assert ip.format_of(records[0]) == "png" and ip.format_of(records[1]) == "jpeg"
    assert ip.format_of(b"") == "other"


def test_the_stages_command_prints_one_json_line_or_one_error(
    corpus: tuple[str, list[bytes]], tmp_path: Path
) -> None:
    path, _ = corpus
    p = cli("stages", path, "--count", "6")
    out, err = p.communicate(timeout=60)
    assert p.returncode == 0, err
    report = json.loads(out)
    assert sum(e["images"] for e in report["formats"].values()) + report["skipped"] == 6
    p = cli("stages", str(tmp_path / "missing.pack"))
    _, err = p.communicate(timeout=60)
    assert p.returncode == 3
    assert err.strip().startswith("error: ") and len(err.strip().splitlines()) == 1


def test_a_killed_worker_fails_the_run_fast(tmp_path: Path) -> None:
    # Long enough to find and kill a worker while the pool is busy.
    records = [encoded(picture(i, (160, 160)), "PNG") for i in range(8)] * 50
    path = str(tmp_path / "big.pack")
    ip.write_pack(path, records)
    p = cli("threshold", "processes", "2", path, "--batch", "2", "--timeout", "120")
    deadline = time.monotonic() + 30
    workers: list[int] = []
    while len(workers) < 2 and time.monotonic() < deadline and p.poll() is None:
        workers = [c for c in children(p.pid) if b"spawn_main" in cmdline(c)]
        time.sleep(0.02)
    assert len(workers) == 2, "the pool's workers did not appear"
    started = time.monotonic()
    os.kill(workers[0], signal.SIGKILL)
    _, err = p.communicate(timeout=60)
    assert time.monotonic() - started < 30
    assert p.returncode == 3, err
    assert "worker process died" in err and len(err.strip().splitlines()) == 1
    # The other worker was stopped too: nothing of the pool survives the run.
    time.sleep(0.2)
    assert not any(alive(w) for w in workers)
