"""Dunder methods on trial: which dunder each operator calls, counted, in Python and Rust.

``PyVector`` (here) and ``pyproof_native.Vector`` (Rust) implement the same protocol and count
every dunder call; each check resets the counters, runs one operation, and reports exactly
which dunders ran. Then one level deeper: operators look dunders up on the *type*,
``NotImplemented`` hands the operation to the other operand, and ``sum()`` needs ``__radd__``.
Runs alone (Python half): ``python -m pyproof.dunder_methods``.
"""

from __future__ import annotations

import importlib.util
import math
from collections import Counter
from typing import Any, Callable, ClassVar

from pyproof._facts import Facts


def _counted(func: Callable) -> Callable:
    name = func.__name__

    def wrapper(self: Any, *args: Any) -> Any:
        PyVector.calls[name] += 1
        return func(self, *args)

    wrapper.__name__ = name
    return wrapper


class PyVector:
    """The same protocol as the Rust ``Vector``, in pure Python."""

    calls: ClassVar[Counter] = Counter()

    def __init__(self, comps: list[float]) -> None:
        self.comps = [float(c) for c in comps]

    @_counted
    def __repr__(self) -> str:
        return f"PyVector({self.comps})"

    @_counted
    def __str__(self) -> str:
        return "(" + ", ".join(str(c) for c in self.comps) + ")"

    @_counted
    def __len__(self) -> int:
        return len(self.comps)

    @_counted
    def __add__(self, other: object) -> Any:
        if isinstance(other, PyVector) and len(other.comps) == len(self.comps):
            return PyVector([a + b for a, b in zip(self.comps, other.comps)])
        return NotImplemented

    @_counted
    def __radd__(self, other: object) -> Any:
        if type(other) is int and other == 0:
            return self
        return NotImplemented

    @_counted
    def __mul__(self, factor: float) -> PyVector:
        return PyVector([c * factor for c in self.comps])

    @_counted
    def __eq__(self, other: object) -> bool:
        return isinstance(other, PyVector) and other.comps == self.comps

    @_counted
    def __hash__(self) -> int:
        return hash(tuple(self.comps))

    @_counted
    def __call__(self) -> float:
        return math.sqrt(sum(c * c for c in self.comps))

    @_counted
    def __iter__(self) -> Any:
        return iter(self.comps)

    @_counted
    def __getitem__(self, index: int) -> float:
        return self.comps[index]

    @_counted
    def __contains__(self, x: float) -> bool:
        return x in self.comps

    @_counted
    def __bool__(self) -> bool:
        return any(self.comps)


#: (check, operation on (v, w), the dunder calls the protocol predicts)
OPERATIONS: list[tuple[str, Callable[[Any, Any], Any], dict[str, int]]] = [
    ("v + w", lambda v, w: v + w, {"__add__": 1}),
    ("v * 2", lambda v, w: v * 2, {"__mul__": 1}),
    ("len(v)", lambda v, w: len(v), {"__len__": 1}),
    ("v()", lambda v, w: v(), {"__call__": 1}),
    ("str(v)", lambda v, w: str(v), {"__str__": 1}),
    ("repr(v)", lambda v, w: repr(v), {"__repr__": 1}),
    ("2.0 in v", lambda v, w: 2.0 in v, {"__contains__": 1}),
    ("bool(v)", lambda v, w: bool(v), {"__bool__": 1}),
    ("v == w", lambda v, w: v == w, {"__eq__": 1}),
    ("hash(v)", lambda v, w: hash(v), {"__hash__": 1}),
    ("v[0]", lambda v, w: v[0], {"__getitem__": 1}),
    ("list(v)", lambda v, w: list(v), {"__iter__": 1}),
    ("sum([v, w])", lambda v, w: sum([v, w]), {"__radd__": 1, "__add__": 1}),
]


def _calls_text(calls: dict[str, int]) -> str:
    return ", ".join(f"{k}: {n}" for k, n in sorted(calls.items())) or "none"


def _dispatch_facts(
    f: Facts, label: str, make: Callable, take_calls: Callable[[], dict[str, int]]
) -> None:
    for check, op, expected in OPERATIONS:
        v, w = make([1.0, 2.0]), make([3.0, 4.0])
        take_calls()
        result = op(v, w)
        calls = take_calls()
        shown = (
            result if isinstance(result, (bool, int, float, list, str)) else type(result).__name__
        )
        f.add(
            "operators_dispatch",
            f"{check} ({label})",
            f"{_calls_text(calls)} → {shown!r}",
            all(calls.get(k) == n for k, n in expected.items()),
        )


def _take_python_calls() -> dict[str, int]:
    calls = dict(PyVector.calls)
    PyVector.calls.clear()
    return calls


class Left:
    def __add__(self, other: object) -> Any:
        return NotImplemented


class Right:
    def __radd__(self, other: object) -> str:
        return "Right.__radd__"


class NoRadd:
    """Adds to its own kind only, and has no ``__radd__``."""

    def __init__(self, n: int) -> None:
        self.n = n

    def __add__(self, other: NoRadd) -> NoRadd:
        return NoRadd(self.n + other.n)


def _deeper_facts(f: Facts, native: Any) -> None:
    v, w = PyVector([1.0, 2.0]), PyVector([3.0, 4.0])
    v.__add__ = lambda other: "the instance attribute"  # type: ignore[method-assign]
    _take_python_calls()
    result = v + w
    calls = _take_python_calls()
    f.add(
        "looked_up_on_type",
        "v.__add__ = lambda o: ...; v + w (Python)",
        f"{_calls_text(calls)} → {type(result).__name__}",
        type(result) is PyVector and calls.get("__add__") == 1,
    )
    explicit = v.__add__(w)
    f.add(
        "looked_up_on_type",
        "v.__add__(w) called explicitly (Python)",
        explicit,
        explicit == "the instance attribute",
    )
    if native is not None:
        rv = native.Vector([1.0, 2.0])

        def set_attr() -> None:
            rv.__add__ = lambda other: "instance"

        error = f.raised(set_attr)
        f.add(
            "looked_up_on_type",
            "v.__add__ = ... on the Rust Vector",
            error,
            error.startswith("AttributeError"),
        )

    handed = Left() + Right()
    f.add(
        "notimplemented_hands_over",
        "Left() + Right() (Left.__add__ returns NotImplemented)",
        handed,
        handed == "Right.__radd__",
    )
    if native is not None:
        native.dunder_calls()
        error = f.raised(lambda: native.Vector([1.0]) + 1)
        calls = native.dunder_calls()
        f.add(
            "notimplemented_hands_over",
            "Vector([1.0]) + 1 (Rust __add__ returns NotImplemented, int has no answer)",
            f"{_calls_text(calls)} → {error}",
            calls.get("__add__") == 1 and error.startswith("TypeError"),
        )

    plain = f.raised(lambda: sum([NoRadd(1), NoRadd(2)]))
    f.add(
        "sum_needs_radd",
        "sum([NoRadd(1), NoRadd(2)]) (no __radd__)",
        plain,
        plain.startswith("TypeError"),
    )
    started = sum([NoRadd(1), NoRadd(2)], NoRadd(0))
    f.add(
        "sum_needs_radd",
        "sum([NoRadd(1), NoRadd(2)], NoRadd(0)) (a start of its own kind)",
        f"NoRadd({started.n})",
        started.n == 3,
    )


def facts() -> list[dict]:
    """Every fact, observed now; the Rust ones only inside the harness."""
    f = Facts()
    native = None
    if importlib.util.find_spec("pyproof_native") is not None:
        import pyproof_native as native
    _dispatch_facts(f, "Python", PyVector, _take_python_calls)
    if native is not None:
        _dispatch_facts(f, "Rust", native.Vector, native.dunder_calls)
    _deeper_facts(f, native)
    return f.items


if __name__ == "__main__":
    for item in facts():
        print(item)
