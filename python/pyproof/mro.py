"""The MRO on trial: real classes built with ``type()``, their ``__mro__`` and ``mro()``.

The Rust side computes C3 independently and sends hierarchies here as plain data; this module
builds each one as real classes, in order, and reports what CPython decided for every class:
its MRO, or the kind of ``TypeError`` it raised. Runs alone too::

    python -m pyproof.mro
"""

from __future__ import annotations

#: One class: (name, base names). "object" names the built-in root.
ClassDef = tuple[str, list[str]]
#: What CPython decided: (name, MRO names or None, refusal kind or None, mro() == __mro__).
Decision = tuple[str, "list[str] | None", "str | None", bool]


def _refusal(exc: TypeError) -> str:
    text = str(exc)
    if text.startswith("duplicate base class"):
        return "duplicate"
    if "consistent method resolution" in text:
        return "inconsistent"
    return f"other: {text}"


def build(defs: list[ClassDef]) -> list[Decision]:
    """Builds the classes of one hierarchy in order with ``type()``.

    A class whose base was refused earlier cannot be built at all ("base_refused").
    """
    made: dict[str, type] = {"object": object}
    decisions: list[Decision] = []
    for name, bases in defs:
        if any(b not in made for b in bases):
            decisions.append((name, None, "base_refused", True))
            continue
        try:
            cls = type(name, tuple(made[b] for b in bases), {})
        except TypeError as exc:
            decisions.append((name, None, _refusal(exc), True))
            continue
        made[name] = cls
        decisions.append(
            (name, [c.__name__ for c in cls.__mro__], None, cls.mro() == list(cls.__mro__))
        )
    return decisions


def build_all(hierarchies: list[list[ClassDef]]) -> list[list[Decision]]:
    """``build`` for each hierarchy (one call from Rust for thousands of them)."""
    return [build(defs) for defs in hierarchies]


class Base:
    """The top of the diamond below; ends the chain of ``super()`` calls."""

    def visit(self, trail: list[str]) -> None:
        trail.append("Base")


class Left(Base):
    def visit(self, trail: list[str]) -> None:
        trail.append("Left")
        super().visit(trail)


class Right(Base):
    def visit(self, trail: list[str]) -> None:
        trail.append("Right")
        super().visit(trail)


class Bottom(Left, Right):
    def visit(self, trail: list[str]) -> None:
        trail.append("Bottom")
        super().visit(trail)


def super_order() -> tuple[list[str], list[str], dict[str, list[str]]]:
    """(the order ``super()`` calls ran in a diamond, ``Bottom.__mro__`` without object,
    each class's direct bases).

    ``Left`` calls ``super().visit`` and lands in ``Right``, a class it does not inherit
    from: ``super()`` means "next in the MRO of the instance's class", not "my base".
    """
    trail: list[str] = []
    Bottom().visit(trail)
    classes = [c for c in Bottom.__mro__ if c is not object]
    bases = {c.__name__: [b.__name__ for b in c.__bases__ if b is not object] for c in classes}
    return trail, [c.__name__ for c in classes], bases


if __name__ == "__main__":
    print(super_order())
    print(build([("A", []), ("B", ["A"]), ("C", ["A"]), ("D", ["B", "C"]), ("E", ["C", "B"])]))
