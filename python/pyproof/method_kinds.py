"""@classmethod vs @staticmethod on trial, down to the descriptor protocol.

Every fact is observed now, on this interpreter: a factory classmethod called on a subclass,
a staticmethod from the class and from an instance, what each kind's ``__get__`` returns, and
the same three kinds on a Rust ``#[pyclass]`` (``pyproof_native.Shape``) and a Python subclass
of it. Runs alone (without the Rust facts): ``python -m pyproof.method_kinds``.
"""

from __future__ import annotations

import importlib.util

from pyproof._facts import Facts


class Pizza:
    """The classic example: a factory classmethod, a staticmethod, a plain method."""

    def __init__(self, toppings: list[str]) -> None:
        self.toppings = toppings

    @classmethod
    def margherita(cls) -> Pizza:
        return cls(["mozzarella", "tomato"])

    @staticmethod
    def area(radius: float) -> float:
        return 3.0 * radius * radius

    def describe(self) -> str:
        return f"{type(self).__name__} with {', '.join(self.toppings)}"


class Calzone(Pizza):
    """A subclass that adds nothing: the factory must still build a Calzone."""


def _python_facts(f: Facts) -> None:
    made = Calzone.margherita()
    f.add(
        "classmethod_gets_class",
        "Calzone.margherita()",
        f"a {type(made).__name__}",
        type(made) is Calzone,
    )
    via_instance = Calzone(["ham"]).margherita()
    f.add(
        "classmethod_gets_class",
        "Calzone(['ham']).margherita() (called on an instance)",
        f"a {type(via_instance).__name__}",
        type(via_instance) is Calzone,
    )
    bound = Pizza.__dict__["margherita"].__get__(None, Calzone)
    f.add(
        "classmethod_gets_class",
        "Pizza.__dict__['margherita'].__get__(None, Calzone).__self__",
        bound.__self__.__name__,
        bound.__self__ is Calzone,
    )

    p = Pizza(["olives"])
    same = Pizza.area(2.0) == p.area(2.0)
    f.add("staticmethod_plain", "Pizza.area(2.0) == Pizza(...).area(2.0)", same, same)
    raw = Pizza.__dict__["area"]
    got = raw.__get__(None, Pizza)
    f.add(
        "staticmethod_plain",
        "Pizza.__dict__['area'].__get__(None, Pizza) is the bare function",
        got is raw.__func__,
        got is raw.__func__,
    )
    f.add("staticmethod_plain", "Pizza.area is p.area", Pizza.area is p.area, Pizza.area is p.area)

    method = Pizza.__dict__["describe"].__get__(p, Pizza)
    f.add(
        "plain_method_binds_instance",
        "Pizza.__dict__['describe'].__get__(p, Pizza).__self__ is p",
        method.__self__ is p,
        method.__self__ is p,
    )
    f.add(
        "plain_method_binds_instance",
        "Pizza.describe (looked up on the class)",
        type(Pizza.describe).__name__,
        Pizza.describe is Pizza.__dict__["describe"],
    )


def _rust_facts(f: Facts) -> None:
    import pyproof_native

    class Square(pyproof_native.Shape):
        """A Python subclass of a Rust class."""

    made = Square.unit()
    f.add(
        "classmethod_gets_class",
        "Square.unit() (Rust #[classmethod], Python subclass)",
        f"a {type(made).__name__} of side {made.side}",
        type(made) is Square,
    )
    bound = pyproof_native.Shape.__dict__["unit"].__get__(None, Square)
    f.add(
        "classmethod_gets_class",
        "Shape.__dict__['unit'].__get__(None, Square).__self__ (Rust)",
        bound.__self__.__name__,
        bound.__self__ is Square,
    )
    s = pyproof_native.Shape(2.0)
    same = pyproof_native.Shape.scale(2.0, 3.0) == s.scale(2.0, 3.0)
    f.add("staticmethod_plain", "Shape.scale(2, 3) == Shape(2).scale(2, 3) (Rust)", same, same)
    method = s.area
    f.add(
        "plain_method_binds_instance",
        "Shape(2).area.__self__ is the instance (Rust)",
        method.__self__ is s,
        method.__self__ is s,
    )


def facts() -> list[dict]:
    """Every fact, observed now; the Rust ones only inside the harness."""
    f = Facts()
    _python_facts(f)
    if importlib.util.find_spec("pyproof_native") is not None:
        _rust_facts(f)
    return f.items


if __name__ == "__main__":
    for item in facts():
        print(item)
