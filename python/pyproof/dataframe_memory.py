"""The sheet's pandas advice on trial: chunksize, downcasts, categories — one variant a process.

The sheet: "Your Pandas code is too slow and uses 10GB of RAM for a 2GB CSV. Use chunksize,
downcast numeric types (float64 to float32), convert low-cardinality strings to category."

Every variant answers the same query — per category: sum, mean and count of ``price``; and the
rows counted — and prints one JSON object. The Rust harness starts each in a fresh process and
samples its memory from the outside::

    python -m pyproof.dataframe_memory pandas_default data.csv
    python -m pyproof.dataframe_memory pandas_chunked data.csv --chunksize 100000
    python -m pyproof.dataframe_memory pypolars_streaming data.csv
    python -m pyproof.dataframe_memory columns data.csv --nrows 500000

The tools a senior engineer reaches for today — pandas with Arrow, DuckDB, Parquet — run
through the same command line from :mod:`pyproof.dataframe_engines`.

The sheet's pandas variants (and the per-column measurement) store strings as ``pip install
pandas`` alone does — Python objects — even when pyarrow is installed beside it, which would
make pandas 3 store them in Arrow: :func:`sheet_pandas` pins that, so the sheet's subject stays
put; ``pandas_arrow_strings`` measures what installing pyarrow changes.

``pypolars_streaming`` is polars as a Python user installs it (the PyPI wheel), on its
streaming engine: the same polars source as the Rust crate the harness links (Python polars
1.43.2 is Rust polars 0.55), built by the polars project rather than by cargo here.

Malformed rows follow one policy in every variant (the Rust reference reader's): a row with
more fields than the header is skipped (``on_bad_lines``, counted from pandas' warnings); a
row counts when it has a category and a numeric price, else it is skipped and counted. With
``usecols`` pandas parses only the fields it needs and keeps rows with extra fields without a
warning: that variant reports ``sees_extra_fields: false`` and the harness sets them aside. A file
pandas cannot read at all (invalid UTF-8, a non-numeric price under ``dtype=float32``) stops
the variant with a one-line ``error:`` and exit code 3 — never a traceback, never a
quietly different answer.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import warnings
from pathlib import Path
from typing import Any

from pyproof._env import anon_kib

#: The timed variants, in table order.
VARIANTS = (
    "pandas_default",
    "pandas_usecols",
    "pandas_downcast",
    "pandas_chunked",
    "pypolars_streaming",
)
#: Rows per chunk of ``pandas_chunked``.
CHUNKSIZE = 100_000
#: The columns the query needs.
QUERY_COLUMNS = ["category", "price"]
#: The sheet's advice as ``read_csv`` arguments: int32 ids, float32 prices, a category.
DOWNCAST = {"id": "int32", "price": "float32", "category": "category"}

TOO_MANY_FIELDS = "too many fields"
NO_PRICE = "no numeric price"
NO_CATEGORY = "no category"

_SKIPPING = re.compile(r"^Skipping line \d+", re.MULTILINE)


class Partial:
    """Per-category running sums and counts, and the rows set aside, over one or more frames."""

    def __init__(self) -> None:
        self.sums: dict[str, float] = {}
        self.counts: dict[str, int] = {}
        self.skipped: dict[str, int] = {}

    def skip(self, reason: str, n: int) -> None:
        """Counts ``n`` rows set aside for ``reason``."""
        if n:
            self.skipped[reason] = self.skipped.get(reason, 0) + int(n)

    def add(self, frame: Any) -> None:
        """Folds a frame holding ``category`` and ``price`` into the running sums."""
        import pandas as pd

        price = frame["price"]
        category = frame["category"]
        if not pd.api.types.is_numeric_dtype(price):
            # One non-numeric value makes the whole column text: coerce, and count the rows
            # that had something that is not a number.
            price = pd.to_numeric(price, errors="coerce")
        if isinstance(price.dtype, pd.ArrowDtype):
            # Arrow tells a missing value (NA) from a failed number (NaN): both are "no price"
            # here, as NaN is in NumPy columns.
            price = pd.Series(price.to_numpy(dtype="float64", na_value=float("nan")), price.index)
        has_category = category.notna() & (category.astype("str") != "")
        has_price = price.notna()
        self.skip(NO_CATEGORY, (~has_category).sum())
        self.skip(NO_PRICE, (has_category & ~has_price).sum())
        keep = has_category & has_price
        grouped = price[keep].groupby(category[keep], observed=True).agg(["sum", "count"])
        for name, row in grouped.iterrows():
            key = str(name)
            self.sums[key] = self.sums.get(key, 0.0) + float(row["sum"])
            self.counts[key] = self.counts.get(key, 0) + int(row["count"])

    def answer(self) -> dict[str, Any]:
        """The query's answer in the harness's shape."""
        groups = {
            name: {
                "count": self.counts[name],
                "sum": self.sums[name],
                "mean": self.sums[name] / self.counts[name],
            }
            for name in sorted(self.counts)
            if self.counts[name] > 0
        }
        return {"rows": sum(g["count"] for g in groups.values()), "groups": groups}


def _read_kwargs(variant: str) -> dict[str, Any]:
    if variant == "pandas_default":
        return {}
    if variant == "pandas_usecols":
        return {"usecols": QUERY_COLUMNS}
    if variant == "pandas_downcast":
        return {"dtype": DOWNCAST}
    if variant == "pandas_chunked":
        return {}
    raise ValueError(f"unknown variant '{variant}' (expected one of: {', '.join(VARIANTS)})")


def _count_skipped_lines(caught: list[warnings.WarningMessage]) -> int:
    return sum(len(_SKIPPING.findall(str(w.message))) for w in caught)


def sheet_pandas() -> Any:
    """pandas, storing strings as Python objects as it does when pyarrow is not installed
    (pandas 3 picks Arrow storage whenever pyarrow is importable)."""
    import pandas as pd

    pd.set_option("mode.string_storage", "python")
    return pd


def run_variant(variant: str, path: str, chunksize: int = CHUNKSIZE) -> dict[str, Any]:
    """Runs one variant on ``path`` and returns its report (answer, timings, memory)."""
    kwargs = {} if variant == "pypolars_streaming" else _read_kwargs(variant)
    if not Path(path).is_file():
        raise FileNotFoundError(f"no such file: {path}")
    if variant == "pypolars_streaming":
        return _run_pypolars_streaming(path)
    pd = sheet_pandas()

    baseline = anon_kib()
    partial = Partial()
    started = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", pd.errors.ParserWarning)
        if variant == "pandas_chunked":
            with pd.read_csv(path, chunksize=chunksize, on_bad_lines="warn") as reader:
                for chunk in reader:
                    partial.add(chunk)
        else:
            frame = pd.read_csv(path, on_bad_lines="warn", **kwargs)
            partial.add(frame)
    partial.skip(TOO_MANY_FIELDS, _count_skipped_lines(caught))
    work_s = time.perf_counter() - started
    return {
        "variant": variant,
        "answer": partial.answer(),
        "skipped": partial.skipped,
        "work_s": work_s,
        "sees_extra_fields": variant != "pandas_usecols",
        "baseline_anon_kib": baseline,
        "columns": [],
        "library": library_facts(),
    }


class PolarsFailure(Exception):
    """polars refused the file (a non-numeric price, invalid UTF-8...): its one-line reason."""


def _run_pypolars_streaming(path: str, parquet: bool = False) -> dict[str, Any]:
    """The query with Python polars: ``scan_csv`` (``scan_parquet`` when ``parquet``) +
    group-by, collected on the streaming engine.

    The bad-row policy is the Rust polars variants': a row without a category or without a
    price is counted, never folded in; a price column polars does not read as numbers, or
    anything polars refuses to parse, stops the variant. The lazy scan truncates rows with
    extra fields without a word (as pandas does with ``usecols``): ``sees_extra_fields`` is
    false and the harness sets them aside.
    """
    import polars as pl

    baseline = anon_kib()
    started = time.perf_counter()
    try:
        frame = pl.scan_parquet(path) if parquet else pl.scan_csv(path)
        schema = frame.collect_schema()
        for name in QUERY_COLUMNS:
            if name not in schema:
                raise PolarsFailure(f"the file has no '{name}' column")
        if not schema["price"].is_numeric():
            raise PolarsFailure(
                f"column 'price' is not numeric (polars read it as {schema['price']})"
            )
        price = pl.col("price").cast(pl.Float64)
        result = (
            frame.group_by("category")
            .agg(
                price.sum().alias("sum"),
                price.count().alias("count"),
                pl.len().alias("len"),
            )
            .collect(engine="streaming")
        )
    except pl.exceptions.PolarsError as exc:
        text = " ".join(str(exc).split()) or type(exc).__name__
        if "utf-8" in text.lower():
            text = f"the file is not valid UTF-8 (polars: {text})"
        raise PolarsFailure(text) from exc
    partial = Partial()
    for category, total, count, rows in result.iter_rows():
        if not category:
            partial.skip(NO_CATEGORY, rows)
            continue
        partial.skip(NO_PRICE, rows - count)
        if count:
            partial.sums[category] = partial.sums.get(category, 0.0) + float(total)
            partial.counts[category] = partial.counts.get(category, 0) + int(count)
    work_s = time.perf_counter() - started
    return {
        "variant": "pypolars_streaming",
        "answer": partial.answer(),
        "skipped": partial.skipped,
        "work_s": work_s,
        "sees_extra_fields": False,
        "baseline_anon_kib": baseline,
        "columns": [],
        "library": polars_facts(),
    }


def polars_facts() -> dict[str, str]:
    """Python polars' version, its compiled runtime and the target features it was built for
    (cheap: read from package metadata in every run of the variant)."""
    import importlib
    from importlib import metadata

    import polars as pl

    facts = {"polars": pl.__version__, "string storage": "arrow utf8-view"}
    for dist, module in _POLARS_RUNTIMES:
        try:
            facts["polars runtime"] = f"{dist} {metadata.version(dist)}"
        except metadata.PackageNotFoundError:
            continue
        try:
            flags = importlib.import_module(f"{module}.build_feature_flags")
            facts["polars target features"] = str(flags.BUILD_FEATURE_FLAGS)
        except ImportError:
            pass
        break
    return facts


#: The wheels polars ships its compiled library in, and their modules.
_POLARS_RUNTIMES = (
    ("polars-runtime-32", "_polars_runtime_32"),
    ("polars-runtime-64", "_polars_runtime_64"),
    ("polars-runtime-compat", "_polars_runtime_compat"),
)


def polars_compiler() -> str | None:
    """The rustc version recorded in Python polars' compiled library, if it says. Reading it
    means scanning a ~200 MB file (a fifth of a second), so it is asked once per experiment
    (with the per-column measurement), never inside a timed variant's process."""
    import importlib
    import mmap

    for _, module in _POLARS_RUNTIMES:
        try:
            found = importlib.import_module(module)
        except ImportError:
            continue
        for library in Path(found.__file__ or "").parent.glob("*.so"):
            with library.open("rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as m:
                at = m.find(b"rustc version ")
                if at >= 0:
                    end = m.find(b")", at)
                    return "rustc " + m[at + 14 : end + 1].decode("ascii", "replace")
    return None


def library_facts() -> dict[str, str]:
    """pandas' and NumPy's versions and how pandas stores strings."""
    import numpy as np
    import pandas as pd

    storage = getattr(pd.Series(["x"]).dtype, "storage", "object")
    try:
        import pyarrow  # noqa: F401

        arrow = "installed"
    except ImportError:
        arrow = "not installed"
    return {
        "pandas": pd.__version__,
        "numpy": np.__version__,
        "string storage": f"{storage} (pyarrow {arrow})",
    }


def _object_values(series: Any) -> Any:
    """The Python objects a string column holds (the same objects, not copies)."""
    array = series.array
    backing = getattr(array, "_ndarray", None)
    return backing if backing is not None else series.to_numpy(dtype=object)


def column_memory(frame: Any) -> list[dict[str, Any]]:
    """Per-column memory: pandas' ``memory_usage(deep=True)``, and for string columns the
    bytes counting each distinct object once (the parser reuses one object for repeated
    values within a chunk, so ``deep=True`` overstates them)."""
    import pandas as pd

    usage = frame.memory_usage(deep=True, index=False)
    out = []
    for name in frame.columns:
        series = frame[name]
        entry: dict[str, Any] = {
            "name": str(name),
            "dtype": str(series.dtype),
            "bytes": int(usage[name]),
            "unique_bytes": None,
        }
        dtype = series.dtype
        if not isinstance(dtype, pd.CategoricalDtype) and not pd.api.types.is_numeric_dtype(dtype):
            values = _object_values(series)
            seen: dict[int, int] = {}
            for v in values:
                if id(v) not in seen:
                    seen[id(v)] = sys.getsizeof(v)
            entry["unique_bytes"] = int(values.nbytes + sum(seen.values()))
        out.append(entry)
    return out


def measure_columns(path: str, nrows: int) -> dict[str, Any]:
    """Per-column memory of the first ``nrows`` rows read three ways: pandas' defaults, the
    sheet's downcasts, and the sheet's downcasts without the category (to isolate it)."""
    pd = sheet_pandas()

    loads = {
        "default": {},
        "downcast": {"dtype": DOWNCAST},
    }
    report: dict[str, Any] = {"nrows": nrows, "loads": {}, "library": library_facts()}
    try:
        compiler = polars_compiler()
    except ImportError:
        compiler = None
    if compiler:
        report["library"]["polars compiler"] = compiler
    for label, kwargs in loads.items():
        frame = pd.read_csv(path, nrows=nrows, on_bad_lines="skip", **kwargs)
        report["loads"][label] = {"rows": len(frame), "columns": column_memory(frame)}
        del frame
    return report


def _one_line(exc: BaseException) -> str:
    if isinstance(exc, UnicodeDecodeError):
        return (
            f"the file is not valid UTF-8 (byte 0x{exc.object[exc.start]:02x} at offset "
            f"{exc.start} of a block): {exc.reason}"
        )
    text = " ".join(str(exc).split()) or type(exc).__name__
    return f"{type(exc).__name__}: {text}"


def main(argv: list[str] | None = None) -> int:
    """Command line: run one variant (or ``columns``, or ``to_parquet``) and print its JSON
    report."""
    from pyproof import dataframe_engines as engines

    parser = argparse.ArgumentParser(prog="python -m pyproof.dataframe_memory")
    parser.add_argument("variant", choices=[*VARIANTS, *engines.VARIANTS, "columns", "to_parquet"])
    parser.add_argument("csv", help="the CSV (the Parquet file for the parquet_* variants)")
    parser.add_argument("out", nargs="?", help="to_parquet: the Parquet file to write")
    parser.add_argument("--chunksize", type=int, default=CHUNKSIZE)
    parser.add_argument("--nrows", type=int, default=500_000)
    parser.add_argument("--memory-limit", type=int, default=engines.MEMORY_LIMIT_MIB, help="MiB")
    parser.add_argument("--spill-dir", help="duckdb_csv_limited: DuckDB's temp_directory")
    args = parser.parse_args(argv)
    if args.chunksize <= 0 or args.nrows <= 0 or args.memory_limit <= 0:
        print("error: --chunksize, --nrows and --memory-limit must be positive", file=sys.stderr)
        return 2
    if (args.variant == "to_parquet") != (args.out is not None):
        print(
            "error: to_parquet takes a CSV and an output path; variants take one file",
            file=sys.stderr,
        )
        return 2
    try:
        if not Path(args.csv).is_file():
            raise FileNotFoundError(f"no such file: {args.csv}")
        if args.variant == "columns":
            report = measure_columns(args.csv, args.nrows)
        elif args.variant == "to_parquet":
            report = engines.to_parquet(args.csv, args.out)
        elif args.variant in engines.VARIANTS:
            report = engines.run_engine_variant(
                args.variant, args.csv, args.memory_limit, args.spill_dir
            )
        else:
            report = run_variant(args.variant, args.csv, args.chunksize)
    except ModuleNotFoundError as exc:
        print(f"error: Python package '{exc.name}' is not installed", file=sys.stderr)
        return 3
    except FileNotFoundError as exc:
        print(f"error: {exc.args[0] if exc.args else exc}", file=sys.stderr)
        return 3
    except (PolarsFailure, engines.EngineFailure) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3
    except (ValueError, UnicodeDecodeError, OSError) as exc:
        print(f"error: {_one_line(exc)}", file=sys.stderr)
        return 3
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
