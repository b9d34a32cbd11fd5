"""Facts about the running interpreter (the environment stamp of every run) and its memory."""

from __future__ import annotations

import sys
import sysconfig
from importlib import metadata


def describe() -> dict[str, str]:
    """Version, implementation, build (GIL or free-threaded) and paths of this interpreter."""
    free_threaded = bool(sysconfig.get_config_var("Py_GIL_DISABLED"))
    is_gil_enabled = getattr(sys, "_is_gil_enabled", None)
    gil_enabled = is_gil_enabled() if is_gil_enabled is not None else True
    return {
        "version": sys.version.splitlines()[0],
        "implementation": sys.implementation.name,
        "build": "free-threaded" if free_threaded else "GIL",
        "gil_enabled": str(gil_enabled),
        "executable": sys.executable,
        "prefix": sys.prefix,
    }


def package_versions(names: list[str]) -> dict[str, str]:
    """Installed version of each distribution name, or ``"missing"``."""
    versions = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "missing"
    return versions


def missing_modules(names: list[str]) -> list[str]:
    """The import names among ``names`` that this interpreter cannot find (not imported:
    finding is enough to tell a package that is not installed)."""
    import importlib.util

    return [name for name in names if importlib.util.find_spec(name) is None]


def anon_kib() -> int:
    """This process's anonymous resident memory (RssAnon), KiB; 0 off Linux."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("RssAnon:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0
