"""Mutable defaults and immutability on trial: what CPython shows, fact by fact.

Runs alone: ``python -m pyproof.mutable_defaults`` prints every fact.
"""

from __future__ import annotations

from pyproof._facts import Facts


def define_add():
    """Runs the sheet's ``def`` anew and returns the function: its default list is created
    here, once, when ``def`` executes (a fresh one per call of this function)."""

    def add(val, lst=[]):  # noqa: B006 - the sheet's bug, on purpose
        lst.append(val)
        return lst

    return add


def add_fresh(val, lst=None):
    """The usual fix: ``None`` as a sentinel, a new list per call."""
    if lst is None:
        lst = []
    lst.append(val)
    return lst


def facts() -> list[dict]:
    """Every fact of the experiment, observed now."""
    f = Facts()

    add = define_add()
    first = list(add(1))
    second = add(2)
    f.add("default_shared", "add(1) then add(2)", f"{first}, then {second}", second == [1, 2])
    same = add(3) is add.__defaults__[0]
    f.add("default_shared", "add(3) is add.__defaults__[0]", same, same)
    evaluations = []

    def make() -> list:
        evaluations.append(1)
        return []

    def side(x, acc=make()):  # noqa: B008 - counting when the default runs
        acc.append(x)
        return acc

    for i in range(3):
        side(i)
    f.add(
        "default_shared",
        "a default expression with a side effect, after def and 3 calls",
        f"evaluated {len(evaluations)} time(s)",
        len(evaluations) == 1,
    )

    a, b = add_fresh(1), add_fresh(2)
    f.add("none_sentinel_fixes_it", "add_fresh(1), add_fresh(2)", f"{a}, {b}", (a, b) == ([1], [2]))
    f.add("none_sentinel_fixes_it", "add_fresh(1) is add_fresh(2)", a is b, a is not b)

    t = (1, 2)

    def assign() -> None:
        t[0] = 9  # type: ignore[index]

    assigned = f.raised(assign)
    f.add("tuples_immutable", "t = (1, 2); t[0] = 9", assigned, "TypeError" in assigned)
    lst = [1, 2]
    lst[0] = 9
    f.add("tuples_immutable", "l = [1, 2]; l[0] = 9 (a list, for contrast)", lst, lst == [9, 2])
    looked_up = {(1, 2): "ok"}.get((1, 2))
    f.add("tuples_immutable", "{(1, 2): 'ok'}.get((1, 2))", looked_up, looked_up == "ok")

    holder = ([1],)
    hashed = f.raised(lambda: hash(holder))
    f.add("tuples_immutable", "hash(([1],))", hashed, "TypeError" not in hashed)
    holder[0].append(2)
    f.add("tuples_immutable", "t = ([1],); t[0].append(2); t", holder, holder == ([1],))

    both = ([1, 2],)

    def augmented() -> None:
        both[0] += [3]  # type: ignore[index]

    error = f.raised(augmented)
    f.add(
        "tuples_immutable",
        "t = ([1, 2],); t[0] += [3]",
        f"{error}; afterwards t == {both!r}",
        "TypeError" in error and both == ([1, 2],),
    )
    return f.items


if __name__ == "__main__":
    for item in facts():
        print(item)
