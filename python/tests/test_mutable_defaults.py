"""Mutable defaults and tuples: the exact facts CPython shows."""

from __future__ import annotations

from pyproof import mutable_defaults as md


def observed() -> dict[str, str]:
    return {f["check"]: f["observed"] for f in md.facts()}


def test_every_call_of_facts_sees_a_fresh_definition() -> None:
    assert md.facts() == md.facts()


def test_the_default_is_shared_and_made_once() -> None:
    seen = observed()
    assert seen["add(1) then add(2)"] == "[1], then [1, 2]"
    assert seen["add(3) is add.__defaults__[0]"] == "True"
    assert seen["a default expression with a side effect, after def and 3 calls"] == (
        "evaluated 1 time(s)"
    )
    assert seen["add_fresh(1), add_fresh(2)"] == "[1], [2]"


def test_tuples_are_immutable_only_one_level_deep() -> None:
    seen = observed()
    assert seen["t = (1, 2); t[0] = 9"] == (
        "TypeError: 'tuple' object does not support item assignment"
    )
    assert seen["hash(([1],))"] == "TypeError: unhashable type: 'list'"
    assert seen["t = ([1],); t[0].append(2); t"] == "([1, 2],)"
    assert seen["t = ([1, 2],); t[0] += [3]"] == (
        "TypeError: 'tuple' object does not support item assignment; afterwards t == ([1, 2, 3],)"
    )
    verdicts = {f["check"]: f["holds"] for f in md.facts() if f["claim"] == "tuples_immutable"}
    assert list(verdicts.values()) == [True, True, True, False, False, False]
