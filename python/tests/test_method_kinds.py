"""method_kinds: the Python facts (the Rust ones run under cargo test)."""

from __future__ import annotations

from pyproof import method_kinds as mk


def test_factory_builds_the_subclass() -> None:
    assert type(mk.Calzone.margherita()) is mk.Calzone


def test_every_python_fact_holds() -> None:
    facts = mk.facts()
    assert len(facts) >= 8
    assert all(f["holds"] for f in facts), [f for f in facts if not f["holds"]]
