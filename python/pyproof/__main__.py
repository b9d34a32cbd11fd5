"""The one entry point of every Python worker: ``python -m pyproof <id> [args...]``.

Runs ``pyproof.<id>`` exactly as ``python -m pyproof.<id> [args...]`` would (same ``sys.argv``,
same ``__main__``, so multiprocessing's spawned children import the experiment's own module),
after checking that ``<id>`` names an experiment module. The Rust harness starts every Python
worker through here (``pyproof_python::python_worker``).
"""

from __future__ import annotations

import importlib.util
import runpy
import sys


def main(argv: list[str]) -> int:
    """Runs the experiment module named by ``argv[0]``; 2 with one line when there is none."""
    if not argv or argv[0].startswith("-"):
        print("usage: python -m pyproof <experiment id> [args...]", file=sys.stderr)
        return 2
    name = argv[0]
    if not name.isidentifier() or name.startswith("_"):
        print(f"error: '{name}' is not an experiment id", file=sys.stderr)
        return 2
    module = f"pyproof.{name}"
    if importlib.util.find_spec(module) is None:
        print(f"error: no experiment module {module}", file=sys.stderr)
        return 2
    sys.argv = [module, *argv[1:]]
    try:
        runpy.run_module(module, run_name="__main__", alter_sys=True)
    except SystemExit as e:
        code = e.code
        if code is None:
            return 0
        if isinstance(code, int):
            return code
        print(code, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
