"""What a senior engineer reaches for instead of the sheet's pandas tweaks: Arrow, DuckDB, Parquet.

The same query as :mod:`pyproof.dataframe_memory` — per category: sum, mean and count of
``price`` — answered by the tools of 2026, one variant a process, each printing one JSON
report in the same shape (the harness samples memory from outside and checks the answer)::

    python -m pyproof.dataframe_memory pandas_arrow data.csv
    python -m pyproof.dataframe_memory duckdb_csv_limited data.csv --spill-dir /tmp/spill
    python -m pyproof.dataframe_memory to_parquet data.csv data.parquet
    python -m pyproof.dataframe_memory parquet_duckdb data.parquet

* ``pandas_arrow_strings``: ``read_csv`` with its defaults once pyarrow is installed: pandas 3
  then stores strings in Arrow (the sheet's variants pin the storage ``pip install pandas``
  alone gives, Python objects, so that their subject does not move when pyarrow arrives).
* ``pandas_arrow`` / ``pandas_arrow_usecols``: ``engine="pyarrow"`` (Arrow's multi-threaded
  CSV reader) and ``dtype_backend="pyarrow"`` (Arrow columns throughout), without and with
  ``usecols``.
* ``duckdb_csv``: the group-by in SQL straight from the CSV, DuckDB's defaults (all cores,
  80% of RAM). ``duckdb_csv_limited``: the same under ``memory_limit`` (``--memory-limit``,
  MiB) with a spill directory whose peak size is watched while the query runs.
* ``to_parquet``: the CSV converted once by DuckDB (streaming, bounded memory).
  ``parquet_pandas`` / ``parquet_polars`` / ``parquet_duckdb``: only the two columns the query
  needs, read from that file.

Malformed rows follow :mod:`pyproof.dataframe_memory`'s one policy — skip and count exactly as
the reference reader does, or stop with a one-line ``error:``; never a quietly different
answer. DuckDB is told the dialect and the header's columns (its sniffer guesses nothing), reads
every field as text and casts the price in the query (a non-numeric price counts as none),
pads short rows with NULLs, and skips and counts rows with extra fields; any other row it
rejects (invalid UTF-8, a stray quote) stops it, naming the line. Arrow's reader skips and
counts rows with extra fields but cannot pad short ones: those stop it. The conversion is
strict: a file DuckDB cannot read whole is refused, not converted in part.
"""

from __future__ import annotations

import os
import re
import threading
import time
import warnings
from pathlib import Path
from typing import Any

from pyproof._env import anon_kib

#: The variants this module runs, in table order.
VARIANTS = (
    "pandas_arrow_strings",
    "pandas_arrow",
    "pandas_arrow_usecols",
    "duckdb_csv",
    "duckdb_csv_limited",
    "parquet_pandas",
    "parquet_polars",
    "parquet_duckdb",
)
#: The variants that read the Parquet file (the others read the CSV).
PARQUET_VARIANTS = ("parquet_pandas", "parquet_polars", "parquet_duckdb")
#: ``duckdb_csv_limited``'s default memory limit, MiB.
MEMORY_LIMIT_MIB = 128

QUERY_COLUMNS = ["category", "price"]
TOO_MANY_FIELDS = "too many fields"
NO_PRICE = "no numeric price"
NO_CATEGORY = "no category"

_ARROW_ROW = re.compile(r"Expected (\d+) columns, but found (\d+)")

#: The file's dialect, declared, with skip = 0: left to guess, DuckDB's sniffer took a file
#: whose last row had one field too many for one whose header is that row — skipping every
#: row before it and answering with 0 rows, without a word — and took a small damaged file
#: for one column split on '|'.
_DIALECT = "delim = ',', quote = '\"', escape = '\"', header = true, skip = 0"


def _header(path: str) -> list[str]:
    """The CSV's column names, read by the csv module from its first line."""
    import csv

    # The first line alone: a damaged byte further on is DuckDB's to find and report.
    with open(path, "rb") as f:
        first = f.readline().decode("utf-8")
    names = next(csv.reader([first]), None)
    if not names:
        raise EngineFailure("the file has no header line")
    return names


#: The group-by, over any DuckDB relation named ``source``: a price that is not a number
#: counts as no price, as every reader here counts it. ``TRY(CAST(...))``, not ``TRY_CAST``:
#: DuckDB 2.0 pushes a TRY_CAST into the CSV reader as a hard cast, which then fails the
#: file on the first dirty cell (duckdb/duckdb#23818, open when this was written).
_GROUP_BY = (
    "SELECT category, sum(p), count(p), count(*) "
    "FROM (SELECT category, TRY(CAST(price AS DOUBLE)) AS p FROM {source}) GROUP BY category"
)


class EngineFailure(Exception):
    """A reader refused the file; its one-line reason."""


def _report(
    variant: str, partial: Any, work_s: float, baseline: int, library: dict[str, str], **extra: Any
) -> dict[str, Any]:
    report = {
        "variant": variant,
        "answer": partial.answer(),
        "skipped": partial.skipped,
        "work_s": work_s,
        "sees_extra_fields": True,
        "baseline_anon_kib": baseline,
        "columns": [],
        "library": library,
    }
    report.update(extra)
    return report


def _fold_groups(partial: Any, rows: Any) -> None:
    """Folds (category, sum, count of prices, count of rows) tuples into ``partial``."""
    for category, total, count, n in rows:
        if category is None or category == "":
            partial.skip(NO_CATEGORY, n)
            continue
        partial.skip(NO_PRICE, n - count)
        if count:
            key = str(category)
            partial.sums[key] = partial.sums.get(key, 0.0) + float(total)
            partial.counts[key] = partial.counts.get(key, 0) + int(count)


def run_pandas_arrow(variant: str, path: str) -> dict[str, Any]:
    """One of the pandas-with-Arrow variants on the CSV at ``path``."""
    import pandas as pd

    from pyproof.dataframe_memory import Partial, _count_skipped_lines, library_facts

    kwargs: dict[str, Any] = {}
    if variant in ("pandas_arrow", "pandas_arrow_usecols"):
        kwargs = {"engine": "pyarrow", "dtype_backend": "pyarrow"}
    if variant == "pandas_arrow_usecols":
        kwargs["usecols"] = QUERY_COLUMNS
    # pandas' own choice of string storage (Arrow, pyarrow being installed), whatever a
    # sheet variant run earlier in this process pinned.
    pd.reset_option("mode.string_storage")
    baseline = anon_kib()
    partial = Partial()
    started = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", pd.errors.ParserWarning)
        frame = pd.read_csv(path, on_bad_lines="warn", **kwargs)
        partial.add(frame)
    for w in caught:
        for want, found in _ARROW_ROW.findall(str(w.message)):
            if int(found) < int(want):
                # Arrow cannot pad a short row as pandas' own parser does: refusing the file
                # is the one answer that is not quietly different.
                raise EngineFailure(
                    f"a row has {found} fields, the header {want}: Arrow's reader cannot pad "
                    "it as the other readers do"
                )
            partial.skip(TOO_MANY_FIELDS, 1)
    partial.skip(TOO_MANY_FIELDS, _count_skipped_lines(caught))
    work_s = time.perf_counter() - started
    library = library_facts()
    library["pyarrow"] = _version("pyarrow")
    # Arrow counts every row's fields, with usecols too: rows with extra fields are skipped
    # and counted here, as pandas' own parser does without usecols.
    return _report(variant, partial, work_s, baseline, library)


def _version(dist: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "missing"


def _duckdb_library(con: Any) -> dict[str, str]:
    threads, limit = con.execute(
        "SELECT current_setting('threads'), current_setting('memory_limit')"
    ).fetchone()
    return {
        "duckdb": _version("duckdb"),
        "duckdb threads": str(threads),
        "duckdb memory_limit": limit,
    }


class _DirWatcher:
    """The peak total size of the files under a directory, sampled every 10 ms on a thread
    while DuckDB (which releases the GIL) runs the query: the spill it wrote."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _size(self) -> int:
        total = 0
        for root, _, files in os.walk(self.directory):
            for name in files:
                try:
                    total += os.stat(os.path.join(root, name)).st_size
                except FileNotFoundError:
                    pass
        return total

    def _run(self) -> None:
        while not self._stop.wait(0.01):
            self.peak = max(self.peak, self._size())

    def __enter__(self) -> _DirWatcher:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.peak = max(self.peak, self._size())


def _duckdb_error(exc: Exception) -> EngineFailure:
    text = " ".join(str(exc).split("\n")[0].split()) or type(exc).__name__
    return EngineFailure(f"DuckDB: {text}")


def run_duckdb(
    variant: str,
    path: str,
    memory_limit_mib: int = MEMORY_LIMIT_MIB,
    spill_dir: str | None = None,
) -> dict[str, Any]:
    """``duckdb_csv``, ``duckdb_csv_limited`` or ``parquet_duckdb`` on ``path``."""
    import duckdb

    from pyproof.dataframe_memory import Partial

    baseline = anon_kib()
    partial = Partial()
    started = time.perf_counter()
    con = duckdb.connect()
    spill = Path(spill_dir) if spill_dir else None
    try:
        if variant == "duckdb_csv_limited":
            if spill is None:
                raise EngineFailure("duckdb_csv_limited needs --spill-dir")
            spill.mkdir(parents=True, exist_ok=True)
            con.execute(f"SET memory_limit = '{int(memory_limit_mib)}MiB'")
            con.execute("SET temp_directory = $dir", {"dir": str(spill)})
        params: dict[str, Any] = {"path": path}
        if variant == "parquet_duckdb":
            source = "read_parquet($path)"
        else:
            # Nothing guessed: the header's columns, every one as text (the query casts the
            # price itself); short rows padded with NULLs as pandas pads them; rows with extra
            # fields and anything else DuckDB cannot read stored as rejects — counted or
            # refused below, never folded in.
            source = (
                f"read_csv($path, {_DIALECT}, auto_detect = false, columns = $columns, "
                "null_padding = true, store_rejects = true)"
            )
            params["columns"] = {name: "VARCHAR" for name in _header(path)}
        watcher = _DirWatcher(spill) if spill is not None else None
        query = _GROUP_BY.format(source=source)
        if watcher is not None:
            with watcher:
                rows = con.execute(query, params).fetchall()
        else:
            rows = con.execute(query, params).fetchall()
        _fold_groups(partial, rows)
        if variant != "parquet_duckdb":
            long_rows = set()  # DuckDB stores one reject per extra field
            for line, error_type, message in con.execute(
                "SELECT line, error_type, error_message FROM reject_errors ORDER BY line"
            ).fetchall():
                if error_type == "TOO MANY COLUMNS":
                    long_rows.add(line)
                    continue
                text = " ".join(str(message).split())
                raise EngineFailure(f"DuckDB cannot read line {line} ({error_type}): {text}")
            partial.skip(TOO_MANY_FIELDS, len(long_rows))
        work_s = time.perf_counter() - started
        library = _duckdb_library(con)
    except duckdb.Error as exc:
        raise _duckdb_error(exc) from exc
    finally:
        con.close()
    extra: dict[str, Any] = {}
    if watcher is not None:
        extra["spill_peak_bytes"] = watcher.peak
    return _report(variant, partial, work_s, baseline, library, **extra)


def to_parquet(csv_path: str, out: str) -> dict[str, Any]:
    """Converts the CSV to Parquet with DuckDB (types inferred, strict: a malformed row stops
    it), writing ``out``; returns rows, bytes and seconds."""
    import duckdb

    started = time.perf_counter()
    con = duckdb.connect()
    try:
        con.execute(
            f"COPY (SELECT * FROM read_csv($path, {_DIALECT})) TO $out (FORMAT parquet)",
            {"path": csv_path, "out": out},
        )
        (rows,) = con.execute("SELECT count(*) FROM read_parquet($out)", {"out": out}).fetchone()
        library = _duckdb_library(con)
    except duckdb.Error as exc:
        raise _duckdb_error(exc) from exc
    finally:
        con.close()
    return {
        "rows": rows,
        "bytes": Path(out).stat().st_size,
        "seconds": time.perf_counter() - started,
        "library": library,
    }


def run_parquet_pandas(path: str) -> dict[str, Any]:
    """pandas reading the two columns from Parquet (pyarrow underneath)."""
    import pandas as pd

    from pyproof.dataframe_memory import Partial, library_facts

    baseline = anon_kib()
    partial = Partial()
    started = time.perf_counter()
    partial.add(pd.read_parquet(path, columns=QUERY_COLUMNS))
    work_s = time.perf_counter() - started
    library = library_facts()
    library["pyarrow"] = _version("pyarrow")
    return _report("parquet_pandas", partial, work_s, baseline, library)


def run_parquet_polars(path: str) -> dict[str, Any]:
    """Python polars scanning the Parquet file on its streaming engine."""
    from pyproof.dataframe_memory import _run_pypolars_streaming

    report = _run_pypolars_streaming(path, parquet=True)
    report["variant"] = "parquet_polars"
    report["sees_extra_fields"] = True
    return report


def run_engine_variant(
    variant: str, path: str, memory_limit_mib: int = MEMORY_LIMIT_MIB, spill_dir: str | None = None
) -> dict[str, Any]:
    """Runs one of :data:`VARIANTS` on ``path`` (the Parquet file for the ``parquet_*`` ones)."""
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant '{variant}' (expected one of: {', '.join(VARIANTS)})")
    if not Path(path).is_file():
        raise FileNotFoundError(f"no such file: {path}")
    if variant.startswith("pandas_"):
        return run_pandas_arrow(variant, path)
    if variant == "parquet_pandas":
        return run_parquet_pandas(path)
    if variant == "parquet_polars":
        return run_parquet_polars(path)
    return run_duckdb(variant, path, memory_limit_mib, spill_dir)
