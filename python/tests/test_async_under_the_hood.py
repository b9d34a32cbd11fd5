"""async under the hood: the protocol facts exactly, and the toy loop's machinery."""

from __future__ import annotations

from pyproof import async_under_the_hood as au


def observed() -> dict[str, str]:
    return {f["check"]: f["observed"] for f in au.facts()}


def test_a_coroutine_is_driven_like_a_generator() -> None:
    yielded, value = au.drive(au.two_steps(), ["A", "B"])
    assert yielded == ["first", "second"]
    assert value == "sent back: ['A', 'B']"
    seen = observed()
    assert seen["send(None), then throw(ValueError('boom')) at the await"] == (
        "paused at 'paused'; returned 'caught boom'; ['finally ran']"
    )


def test_await_pauses_only_where_something_yields() -> None:
    seen = observed()
    assert seen["await a coroutine that returns at once, driven by send(None)"] == (
        "yielded []; returned 42: no pause at all"
    )
    assert seen["asyncio: task a awaits a ready coroutine 3 times; task b waits to log"] == (
        "log ['a', 'a', 'a', 'b']: b ran only after a finished"
    )
    assert seen["asyncio: the same with await asyncio.sleep(0)"].startswith("log ['b', 'a'")


def test_coroutines_share_the_machinery_but_are_not_generators() -> None:
    seen = observed()
    assert (
        "YIELD_VALUE"
        in seen["opcodes an async def shares with a generator and a plain function lacks (dis)"]
    )
    assert seen["is a coroutine object a generator?"] == "GeneratorType: False; iscoroutine: True"


def test_generator_loop_wakes_every_task_in_timer_order() -> None:
    woken: list[int] = []

    def task(i: int, delay: float):
        yield delay
        woken.append(i)
        return i

    au.run_generator_loop([task(0, 0.03), task(1, 0.01), task(2, 0.02)])
    assert woken == [1, 2, 0]
