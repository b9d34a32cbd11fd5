"""image_parallelism on a real Dask cluster: the same thumbnail job, the same batches.

The sheet's "million images" is the textbook case for a cluster, so the question a senior
engineer is asked next is *when does one pay?* This module answers it with measurements:

- ``LocalCluster``: a Dask scheduler and ``k`` workers (one thread each, each under its
  nanny) started as separate processes on 127.0.0.1 — ``python -m distributed.cli...``, as
  one deploys them by hand — with a deadline on every step; stopped after, killed with all
  their descendants on error, timeout, SIGTERM or Ctrl-C. Guards beyond our own: the
  scheduler closes itself after ``IDLE_TIMEOUT`` idle, workers after losing it for
  ``DEATH_TIMEOUT``.
- ``connect``: the very same code pointed at an existing cluster (``--scheduler ADDR``).
- ``measure``: the thumbnail job over the pack through the cluster (Dask's
  ``concurrent.futures`` executor driving exactly the batches a ``ProcessPoolExecutor``
  gets), the cluster's start-up, the per-task cost of empty tasks on the cluster *and* on a
  process pool, and images/s at several batch sizes (what amortises the per-task cost).
- ``kill_one_worker``: the job with one worker process SIGKILLed a third of the way through:
  the engine reruns its tasks (its nanny restarts it) or the run fails within its deadline —
  the report says which, and how many tasks the scheduler says were lost with the worker.

Memory: the harness samples the whole process group (driver, scheduler, nannies, workers)
from outside; ``cluster_rss_mib`` adds what Dask itself reports for its workers — the only
figure there is for an external cluster.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, wait
from dataclasses import asdict, dataclass, field

from pyproof import image_parallelism as ip
from pyproof._env import anon_kib

#: The scheduler closes itself after this long with nothing to do (a guard: the harness
#: stops it first).
IDLE_TIMEOUT = "120s"
#: A worker exits after this long without its scheduler (a guard, as above).
DEATH_TIMEOUT = "60s"
#: Empty tasks timed per executor for the per-task cost.
EMPTY_TASKS = 400
#: Batch sizes of the sweep (images per task), and the images it runs over (the first of
#: the pack: enough for several tasks per worker at the largest batch, few enough to keep
#: one image per task affordable every round).
SWEEP = (1, 4, 16, 32)
SWEEP_IMAGES = 256
#: Tasks in flight per worker. A pool's task reaches its worker through a pipe in
#: microseconds; a Dask task goes client → scheduler → worker → scheduler → client, a round
#: trip of milliseconds, so 2 per worker (the pools' figure) would leave workers idle between
#: small tasks. Queued on the scheduler, extra tasks cost nothing but their bytes.
IN_FLIGHT_PER_WORKER = 8
#: How long connecting to a scheduler may take, s.
CONNECT_TIMEOUT = 10.0
#: How long killed processes get to be gone (zombies count as gone), s.
STOP_GRACE = 10.0
#: How long a cluster asked to shut down gets before its processes are killed, s. The
#: measurement is over by then; Dask's workers here take ~2 s to close after the scheduler
#: tells them to (a close that measures nothing, once per round), so they are killed.
SHUTDOWN_GRACE = 0.5


class ClusterError(RuntimeError):
    """The cluster could not be started, reached or used in time."""


def _noop(i: int) -> int:
    """An empty task: what a task costs the executor when it does nothing."""
    return i


def _pid() -> int:
    return os.getpid()


@dataclass
class LocalCluster:
    """A scheduler and ``k`` workers as separate processes on 127.0.0.1."""

    procs: list[subprocess.Popen] = field(default_factory=list)
    logs: list = field(default_factory=list)
    #: Every descendant process seen so far (psutil.Process by pid).
    seen: dict = field(default_factory=dict)
    directory: str = ""
    address: str = ""

    @classmethod
    def start(cls, k: int, deadline: float) -> LocalCluster:
        """Starts the scheduler, waits for its address, then starts ``k`` workers (each with
        one thread and a nanny); kills whatever started when anything fails."""
        cluster = cls(directory=tempfile.mkdtemp(prefix="pyproof-dask-"))
        try:
            cluster._start(k, deadline)
        except BaseException:
            cluster.kill()
            raise
        return cluster

    def _start(self, k: int, deadline: float) -> None:
        scheduler_file = os.path.join(self.directory, "scheduler.json")

        # Each process logs to its own file (a pipe nobody reads would block it once full).
        def quiet(name: str) -> dict:
            log = open(os.path.join(self.directory, f"{name}.log"), "wb")
            self.logs.append(log)
            return {"stdout": subprocess.DEVNULL, "stderr": log}

        self.procs.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "distributed.cli.dask_scheduler",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    "0",
                    "--no-dashboard",
                    "--idle-timeout",
                    IDLE_TIMEOUT,
                    "--scheduler-file",
                    scheduler_file,
                ],
                **quiet("scheduler"),
            )
        )
        while not os.path.exists(scheduler_file):
            self._check_alive("the Dask scheduler")
            if time.monotonic() > deadline:
                raise ClusterError("the Dask scheduler did not start in time")
            time.sleep(0.05)
        # The file is written whole by the scheduler; retry while it is being written.
        while True:
            try:
                with open(scheduler_file, encoding="utf-8") as f:
                    self.address = json.load(f)["address"]
                break
            except (ValueError, KeyError):
                if time.monotonic() > deadline:
                    raise ClusterError("unreadable scheduler file") from None
                time.sleep(0.05)
        for i in range(k):
            self.procs.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "distributed.cli.dask_worker",
                        self.address,
                        "--nthreads",
                        "1",
                        "--nworkers",
                        "1",
                        "--name",
                        f"pyproof-{i}",
                        "--no-dashboard",
                        "--death-timeout",
                        DEATH_TIMEOUT,
                        "--local-directory",
                        self.directory,
                    ],
                    **quiet(f"worker-{i}"),
                )
            )

    def _check_alive(self, what: str) -> None:
        for p, log in zip(self.procs, self.logs):
            if p.poll() is not None:
                with open(log.name, "rb") as f:
                    err = f.read().decode(errors="replace")
                last = err.strip().splitlines()[-1:] or ["no output"]
                raise ClusterError(f"{what} exited with code {p.returncode}: {last[0]}")

    def pids(self) -> list[int]:
        """Every process of the cluster now: scheduler, nannies and their worker processes
        (each remembered, so that one a dying nanny orphaned is still stopped)."""
        import psutil

        out = []
        for p in self.procs:
            out.append(p.pid)
            with contextlib.suppress(psutil.Error):
                for c in psutil.Process(p.pid).children(recursive=True):
                    self.seen.setdefault(c.pid, c)
                    out.append(c.pid)
        return out

    def alive(self) -> list[int]:
        """The processes of the cluster, ever seen, that still run (zombies excluded)."""
        import psutil

        out = [p.pid for p in self.procs if p.poll() is None]
        for c in self.seen.values():
            with contextlib.suppress(psutil.Error):
                if c.is_running() and c.status() != psutil.STATUS_ZOMBIE:
                    out.append(c.pid)
        return out

    def kill(self) -> None:
        """SIGKILLs every process of the cluster — and every descendant ever seen, orphaned or
        not — waits until they are gone (``STOP_GRACE`` at most), and removes its files."""
        import shutil

        import psutil

        self.pids()
        # psutil checks each remembered process is still the same one (no reused pid).
        rest = [c for c in self.seen.values() if c.is_running()]
        for c in reversed(rest):
            with contextlib.suppress(psutil.Error):
                c.kill()
        for p in self.procs:
            with contextlib.suppress(ProcessLookupError):
                p.kill()
        for p in self.procs:
            with contextlib.suppress(subprocess.TimeoutExpired):
                p.wait(timeout=STOP_GRACE)
        _wait_dead(rest, STOP_GRACE)
        for log in self.logs:
            log.close()
        shutil.rmtree(self.directory, ignore_errors=True)

    def stop(self, client: object | None) -> None:
        """Asks the scheduler to close the cluster, waits ``SHUTDOWN_GRACE`` for every
        process, then kills what is left."""
        self.pids()  # remember the workers before their nannies go
        if client is not None:
            with contextlib.suppress(Exception):
                client.shutdown()
        end = time.monotonic() + SHUTDOWN_GRACE
        for p in self.procs:
            with contextlib.suppress(subprocess.TimeoutExpired):
                p.wait(timeout=max(0.1, end - time.monotonic()))
        self.kill()


def _wait_dead(procs: list, timeout: float) -> None:
    """Waits until each process is gone or a zombie (dead, holding nothing: an orphan waits
    for PID 1 to reap it, which here can take a second), ``timeout`` at most."""
    import psutil

    end = time.monotonic() + timeout
    while time.monotonic() < end:
        alive = []
        for p in procs:
            with contextlib.suppress(psutil.Error):
                if p.is_running() and p.status() != psutil.STATUS_ZOMBIE:
                    alive.append(p)
        if not alive:
            return
        procs = alive
        time.sleep(0.02)


@contextlib.contextmanager
def cluster_client(
    k: int, scheduler: str | None, deadline: float
) -> Iterator[tuple[object, LocalCluster | None]]:
    """A ``distributed.Client`` on a fresh local cluster of ``k`` workers, or on the cluster at
    ``scheduler``; yields (client, the local cluster or None). The local cluster is stopped
    on the way out, killed if anything went wrong; SIGTERM counts as going wrong."""
    from distributed import Client

    previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    cluster: LocalCluster | None = None
    client = None
    try:
        cluster = None if scheduler else LocalCluster.start(k, deadline)
        address = scheduler or (cluster.address if cluster else "")
        limit = min(CONNECT_TIMEOUT, max(1.0, deadline - time.monotonic()))
        try:
            client = Client(address, timeout=limit, set_as_default=False)
        except OSError:
            raise ClusterError(
                f"cannot reach the Dask scheduler at {address} within {limit:.0f} s"
            ) from None
        try:
            client.wait_for_workers(
                k if cluster else 1, timeout=max(1.0, deadline - time.monotonic())
            )
        except TimeoutError:
            if cluster:
                cluster._check_alive("a Dask worker")
            raise ClusterError(f"fewer than {k} Dask workers joined in time") from None
        yield client, cluster
    except BaseException:
        if cluster:
            cluster.kill()
        if client is not None:
            with contextlib.suppress(Exception):
                client.close(timeout=2)
        raise
    else:
        if cluster:
            cluster.stop(client)
        with contextlib.suppress(Exception):
            client.close(timeout=2)
    finally:
        signal.signal(signal.SIGTERM, previous)


def _raise_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def per_task_seconds(executor: object, n: int, deadline: float) -> float:
    """Seconds per empty task through ``executor`` (a concurrent.futures executor): ``n``
    submitted at once, timed until the last is done, after ``n // 10`` untimed."""
    for f in [executor.submit(_noop, i) for i in range(max(1, n // 10))]:
        f.result(timeout=max(0.1, deadline - time.monotonic()))
    started = time.perf_counter()
    futures = [executor.submit(_noop, i) for i in range(n)]
    done, pending = wait(futures, timeout=max(0.1, deadline - time.monotonic()))
    if pending:
        raise TimeoutError("empty tasks did not finish in time")
    for f in done:
        f.result()
    return (time.perf_counter() - started) / n


def pool_per_task_seconds(k: int, n: int, deadline: float) -> float:
    """``per_task_seconds`` on a ``ProcessPoolExecutor(k)`` started with spawn (as the
    executor runs use), killed if it does not finish in time."""
    pool = ProcessPoolExecutor(max_workers=k, mp_context=multiprocessing.get_context("spawn"))
    try:
        return per_task_seconds(pool, n, deadline)
    except BaseException:
        ip._kill_pool(pool)
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def cluster_rss_mib(client: object) -> float:
    """The resident memory of the cluster's workers as Dask reports it, MiB."""
    workers = client.scheduler_info(n_workers=-1).get("workers", {})
    return sum(w.get("metrics", {}).get("memory", 0) for w in workers.values()) / 2**20


def library_versions() -> dict[str, str]:
    """Pillow's versions and Dask's."""
    import dask
    import distributed

    return {
        **ip.library_versions(),
        "dask": dask.__version__,
        "distributed": distributed.__version__,
    }


def measure(
    workload: str,
    k: int,
    pack: str,
    count: int | None,
    batch: int | None,
    timeout: float,
    stream: bool,
    scheduler: str | None = None,
    sweep: Sequence[int] = SWEEP,
    empty_tasks: int = EMPTY_TASKS,
) -> dict:
    """The job over the pack on a Dask cluster, as ``image_parallelism.measure`` reports a
    pool's run (``work_s`` at the pool's batch size), plus ``cluster``: start-up, per-task
    costs (cluster and process pool), the batch sweep and Dask's memory figure."""
    baseline = anon_kib()
    deadline = time.monotonic() + timeout
    warm = ip.read_pack(pack, min(count or 2, 2))
    # The process pool's per-task cost first, its pool gone before the cluster starts: the
    # cluster's memory peak is the cluster's alone.
    pool_task_s = pool_per_task_seconds(k, empty_tasks, deadline) if empty_tasks else None
    images: list[bytes] = [] if stream else ip.read_pack(pack, count)
    n = (count or ip.STREAM_BATCH * 16 * k) if stream else len(images)
    size = batch or ip.batch_size(n, k)
    in_flight = IN_FLIGHT_PER_WORKER * k
    started = time.perf_counter()
    with cluster_client(k, scheduler, deadline) as (client, cluster):
        executor = client.get_executor(pure=False)
        ip._drive(executor, workload, [list(warm)] * k, k, deadline, ip.Tally())
        startup_s = time.perf_counter() - started
        workers = sorted(client.scheduler_info(n_workers=-1)["workers"])
        task_s = per_task_seconds(executor, empty_tasks, deadline) if empty_tasks else None
        tally = ip.Tally()
        source = ip.iter_pack(pack, count) if stream else images
        started = time.perf_counter()
        ip._drive(executor, workload, ip.batches_of(source, size), k, deadline, tally, in_flight)
        work_s = time.perf_counter() - started
        swept = []
        for b in [] if stream else sweep:
            t = ip.Tally()
            started = time.perf_counter()
            ip._drive(
                executor,
                workload,
                ip.batches_of(images[:SWEEP_IMAGES], b),
                k,
                deadline,
                t,
                in_flight,
            )
            swept.append({"batch": b, "work_s": time.perf_counter() - started, **asdict(t)})
        rss = cluster_rss_mib(client)
        pids = cluster.pids() if cluster else []
    return {
        "workload": workload,
        "executor": "dask",
        "k": k,
        "batch": size,
        **asdict(tally),
        "work_s": work_s,
        "startup_s": startup_s,
        "baseline_anon_kib": baseline,
        "streamed": stream,
        "cold": False,
        "worker_pids": pids,
        "library": library_versions(),
        "cluster": {
            "scheduler": scheduler or "local",
            "workers": len(workers),
            "task_s": task_s,
            "pool_task_s": pool_task_s,
            "sweep": swept,
            "rss_mib": rss,
        },
    }


def kill_one_worker(
    workload: str, k: int, pack: str, count: int | None, timeout: float, at: float = 1 / 3
) -> dict:
    """The job on a fresh local cluster with one worker process SIGKILLed once a fraction
    ``at`` of the batches is done. Reports whether every image still came out (and its
    tally, to compare with an undisturbed run), or the error that ended the run; the tasks
    the scheduler says the worker took with it; and whether any process of the cluster was
    left behind."""

    deadline = time.monotonic() + timeout
    images = ip.read_pack(pack, count)
    size = ip.batch_size(len(images), k)
    batches = list(ip.batches_of(images, size))
    kill_after = max(1, int(len(batches) * at))
    tally = ip.Tally()
    report: dict = {"workload": workload, "k": k, "batch": size, "batches": len(batches)}
    with cluster_client(k, None, deadline) as (client, cluster):
        executor = client.get_executor(pure=False)
        ip._drive(executor, workload, [images[:2]] * k, k, deadline, ip.Tally())
        worker_pids = client.run(_pid)
        victim_addr, victim = sorted(worker_pids.items())[0]
        started = time.perf_counter()
        done = 0

        def batches_then_kill() -> Iterator[list[bytes]]:
            nonlocal done
            for i, b in enumerate(batches):
                if i == kill_after + 2 * k:  # kill_after batches done, 2k in flight
                    os.kill(victim, signal.SIGKILL)
                    report["killed_at_batch"] = i
                done = i
                yield b

        try:
            ip._drive(executor, workload, batches_then_kill(), k, deadline, tally)
            report["recovered"] = True
        except Exception as exc:  # noqa: BLE001 — whatever ended it is the finding
            report["recovered"] = False
            report["error"] = f"{type(exc).__name__}: {exc}".strip()[:300]
        report["work_s"] = time.perf_counter() - started
        report["killed_pid"] = victim
        report["killed_worker"] = victim_addr
        lost = 0
        for _, event in client.get_events("all"):
            if isinstance(event, dict) and event.get("action") == "remove-worker":
                lost += len(event.get("processing-tasks", ())) + len(
                    event.get("lost-computed-tasks", ())
                )
        report["tasks_lost_with_worker"] = lost
        report["workers_after"] = len(client.scheduler_info(n_workers=-1)["workers"])
        if cluster:
            cluster.pids()
    report["left_behind"] = cluster.alive() if cluster else []
    report.update(asdict(tally))
    report["library"] = library_versions()
    return report
