"""async/await under the hood: coroutines driven by hand, and an event loop made of generators.

The sheet: "They are built on Generators. When you await, the function pauses and yields
control back to the event loop". ``facts()`` drives coroutines with ``send``/``throw``/
``close``, shows where ``await`` does and does not pause, and compares the bytecode of an
``async def`` with a generator's. ``overlap_timings()`` runs N waiting tasks on a tiny event
loop built from generators and ``select`` (no asyncio) and on asyncio, and times both.
Runs alone: ``python -m pyproof.async_under_the_hood``.
"""

from __future__ import annotations

import asyncio
import dis
import heapq
import inspect
import select
import time
import types
from collections.abc import Generator
from typing import Any

from pyproof._facts import Facts


class Yielding:
    """An awaitable whose ``__await__`` is a generator: what it yields goes to the driver."""

    def __init__(self, *values: object) -> None:
        self.values = values

    def __await__(self) -> Generator[object, object, str]:
        received = []
        for v in self.values:
            received.append((yield v))
        return f"sent back: {received}"


async def two_steps() -> str:
    return await Yielding("first", "second")


async def guarded(log: list[str]) -> str:
    try:
        await Yielding("paused")
    except ValueError as exc:
        return f"caught {exc}"
    finally:
        log.append("finally ran")
    return "not reached"


async def immediate() -> int:
    return 42


async def awaits_immediate() -> int:
    return await immediate()


def drive(coro: Any, sends: list[object] | None = None) -> tuple[list[object], object]:
    """Drives a coroutine by hand: ``send`` until ``StopIteration``; (yields, return value)."""
    yielded: list[object] = []
    to_send = list(sends or [])
    value: object = None
    while True:
        try:
            yielded.append(coro.send(value))
        except StopIteration as stop:
            return yielded, stop.value
        value = to_send.pop(0) if to_send else None


def _interleaving(step: Any) -> list[str]:
    """Two asyncio tasks: ``a`` awaits ``step()`` three times, ``b`` logs once. The log shows
    whether ``a``'s awaits let ``b`` run."""
    log: list[str] = []

    async def a() -> None:
        for _ in range(3):
            await step()
            log.append("a")

    async def b() -> None:
        log.append("b")

    async def main() -> None:
        await asyncio.gather(a(), b())

    asyncio.run(main())
    return log


def _opnames(func: Any) -> set[str]:
    return {ins.opname for ins in dis.get_instructions(func)}


def _gen(x: int) -> Generator[int, None, None]:
    yield x


async def _coro(x: Any) -> Any:
    return await x


def _plain(x: int) -> int:
    return x


def facts() -> list[dict]:
    """Every fact, observed now."""
    f = Facts()

    yielded, value = drive(two_steps(), ["A", "B"])
    f.add(
        "coroutine_protocol",
        "drive two_steps() with send() until StopIteration",
        f"yielded {yielded}; StopIteration.value = {value!r}",
        yielded == ["first", "second"] and value == "sent back: ['A', 'B']",
    )
    log: list[str] = []
    coro = guarded(log)
    first = coro.send(None)
    try:
        coro.throw(ValueError("boom"))
        thrown = "no StopIteration"
    except StopIteration as stop:
        thrown = stop.value
    f.add(
        "coroutine_protocol",
        "send(None), then throw(ValueError('boom')) at the await",
        f"paused at {first!r}; returned {thrown!r}; {log}",
        thrown == "caught boom" and log == ["finally ran"],
    )
    log = []
    coro = guarded(log)
    coro.send(None)
    coro.close()
    after = f.raised(lambda: coro.send(None))
    f.add(
        "coroutine_protocol",
        "close() at the await, then send(None)",
        f"{log}; then {after}",
        log == ["finally ran"] and after.startswith("RuntimeError"),
    )

    out = Yielding("hello").__await__().send(None)
    f.add(
        "await_pauses",
        "a custom awaitable whose __await__ yields 'hello', driven by send(None)",
        f"the driver received {out!r}: the await paused",
        out == "hello",
    )
    yielded, value = drive(awaits_immediate())
    f.add(
        "await_pauses",
        "await a coroutine that returns at once, driven by send(None)",
        f"yielded {yielded}; returned {value!r}: no pause at all",
        len(yielded) > 0,
    )
    yielded, _ = drive(asyncio.sleep(0))
    f.add(
        "await_pauses",
        "drive asyncio.sleep(0) by hand",
        f"yielded {yielded}: one bare yield, which hands control to the loop",
        yielded == [None],
    )
    fast = _interleaving(immediate)
    f.add(
        "await_pauses",
        "asyncio: task a awaits a ready coroutine 3 times; task b waits to log",
        f"log {fast}: b ran only after a finished",
        fast != ["a", "a", "a", "b"],
    )
    slow = _interleaving(lambda: asyncio.sleep(0))
    f.add(
        "await_pauses",
        "asyncio: the same with await asyncio.sleep(0)",
        f"log {slow}: b ran at a's first pause",
        slow.index("b") < 3,
    )

    @types.coroutine
    def legacy() -> Generator[str, object, str]:
        got = yield "from a generator"
        return f"generator got {got!r}"

    async def uses_legacy() -> str:
        return await legacy()

    yielded, value = drive(uses_legacy(), ["x"])
    f.add(
        "built_on_generators",
        "await a @types.coroutine generator from async def",
        f"yielded {yielded}; returned {value!r}",
        yielded == ["from a generator"] and value == "generator got 'x'",
    )
    shared = sorted((_opnames(_gen) & _opnames(_coro)) - _opnames(_plain))
    f.add(
        "built_on_generators",
        "opcodes an async def shares with a generator and a plain function lacks (dis)",
        ", ".join(shared),
        any("YIELD" in op for op in shared),
    )
    c = _coro(None)
    is_generator = isinstance(c, types.GeneratorType)
    kinds = f"GeneratorType: {is_generator}; iscoroutine: {inspect.iscoroutine(c)}"
    c.close()
    f.add(
        "built_on_generators",
        "is a coroutine object a generator?",
        kinds,
        is_generator,
    )
    return f.items


# --- a tiny event loop, generators and select only -------------------------------------


def sleeper(seconds: float) -> Generator[float, None, float]:
    """A task: asks the loop to wake it after ``seconds``; returns the time it was woken."""
    yield seconds
    return time.monotonic()


def run_generator_loop(tasks: list[Generator[float, None, float]]) -> float:
    """Runs generator tasks to completion; each ``yield seconds`` parks the task on a timer.

    The loop waits with ``select.select([], [], [], timeout)``, the call an I/O loop blocks
    in. Returns the wall time.
    """
    start = time.monotonic()
    timers: list[tuple[float, int, Generator]] = []
    for i, task in enumerate(tasks):
        heapq.heappush(timers, (start + next(task), i, task))
    while timers:
        wake, i, task = heapq.heappop(timers)
        delay = wake - time.monotonic()
        if delay > 0:
            select.select([], [], [], delay)
        try:
            heapq.heappush(timers, (time.monotonic() + task.send(None), i, task))
        except StopIteration:
            pass
    return time.monotonic() - start


def run_asyncio(n: int, seconds: float) -> float:
    """The same N waits on asyncio; returns the wall time."""

    async def main() -> None:
        await asyncio.gather(*(asyncio.sleep(seconds) for _ in range(n)))

    start = time.monotonic()
    asyncio.run(main())
    return time.monotonic() - start


def overlap_timings(n: int, seconds: float, reps: int) -> dict[str, list[float]]:
    """Wall times of N tasks each waiting ``seconds``: generator loop and asyncio,
    interleaved, one warm-up round first."""
    out: dict[str, list[float]] = {"generator_loop": [], "asyncio": []}
    for rep in range(reps + 1):
        g = run_generator_loop([sleeper(seconds) for _ in range(n)])
        a = run_asyncio(n, seconds)
        if rep > 0:
            out["generator_loop"].append(g)
            out["asyncio"].append(a)
    return out


if __name__ == "__main__":
    for item in facts():
        print(item)
    print(overlap_timings(100, 0.05, 3))
