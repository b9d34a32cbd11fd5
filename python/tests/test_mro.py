"""The MRO facts as CPython shows them (exact)."""

from __future__ import annotations

from pyproof import mro


def test_diamond_orders_and_disagreement() -> None:
    decisions = mro.build(
        [
            ("A", []),
            ("B", ["A"]),
            ("C", ["A"]),
            ("D", ["B", "C"]),
            ("E", ["C", "B"]),
            ("F", ["D", "E"]),
            ("G", ["F"]),
        ]
    )
    by_name = {d[0]: d for d in decisions}
    assert by_name["D"][1] == ["D", "B", "C", "A", "object"]
    assert by_name["E"][1] == ["E", "C", "B", "A", "object"]
    assert by_name["F"][1:3] == (None, "inconsistent")
    assert by_name["G"][1:3] == (None, "base_refused")
    assert all(d[3] for d in decisions)


def test_duplicate_base_is_its_own_refusal() -> None:
    assert mro.build([("A", []), ("X", ["A", "A"])])[1][2] == "duplicate"


def test_super_follows_the_mro() -> None:
    trail, order, bases = mro.super_order()
    assert trail == ["Bottom", "Left", "Right", "Base"]
    assert trail == order
    assert bases == {"Bottom": ["Left", "Right"], "Left": ["Base"], "Right": ["Base"], "Base": []}
