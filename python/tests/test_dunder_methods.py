"""dunder_methods: exact dunder calls per operation (Python half; Rust runs under cargo)."""

from __future__ import annotations

from pyproof import dunder_methods as dm


def observed() -> dict[str, str]:
    return {f["check"]: f["observed"] for f in dm.facts()}


def test_each_operator_calls_its_dunder() -> None:
    seen = observed()
    assert seen["v + w (Python)"] == "__add__: 1 → 'PyVector'"
    assert seen["len(v) (Python)"] == "__len__: 1 → 2"
    assert seen["str(v) (Python)"] == "__str__: 1 → '(1.0, 2.0)'"
    # list() asks __len__ for a size hint before iterating.
    assert seen["list(v) (Python)"] == "__iter__: 1, __len__: 1 → [1.0, 2.0]"
    # sum() starts from 0: 0 + v is v.__radd__(0), then v + w.
    assert seen["sum([v, w]) (Python)"] == "__add__: 1, __radd__: 1 → 'PyVector'"


def test_the_deeper_facts() -> None:
    seen = observed()
    assert seen["v.__add__ = lambda o: ...; v + w (Python)"] == "__add__: 1 → PyVector"
    assert seen["Left() + Right() (Left.__add__ returns NotImplemented)"] == "Right.__radd__"
    assert seen["sum([NoRadd(1), NoRadd(2)]) (no __radd__)"] == (
        "TypeError: unsupported operand type(s) for +: 'int' and 'NoRadd'"
    )
    assert all(f["holds"] for f in dm.facts())
