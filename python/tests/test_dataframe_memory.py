"""The pandas variants of dataframe_memory: answers, the malformed-row policy, column memory."""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

import pytest

from pyproof import dataframe_memory as dm

HEADER = "id,price,category,date,note"
CATEGORIES = ["books", "toys", "pets"]


def write_clean(path: Path, rows: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    lines = [HEADER]
    for i in range(1, rows + 1):
        cents = rng.randrange(100, 1_000_000)
        note = '"a, quoted note"' if i % 9 == 0 else "plain note"
        price = f"{cents // 100}.{cents % 100:02d}"
        lines.append(f"{i},{price},{rng.choice(CATEGORIES)},2021-01-01,{note}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def reference(path: Path) -> dict:
    """The answer by the csv module, exact enough for the comparison below."""
    sums: dict[str, float] = {}
    counts: dict[str, int] = {}
    with path.open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            sums[row["category"]] = sums.get(row["category"], 0.0) + float(row["price"])
            counts[row["category"]] = counts.get(row["category"], 0) + 1
    return {"rows": sum(counts.values()), "sums": sums, "counts": counts}


@pytest.mark.parametrize("variant", dm.VARIANTS)
def test_every_variant_answers_the_query(tmp_path: Path, variant: str) -> None:
    path = tmp_path / "sales.csv"
    write_clean(path, 2_500)
    want = reference(path)
    report = dm.run_variant(variant, str(path), chunksize=300)
    answer = report["answer"]
    assert answer["rows"] == want["rows"] == 2_500
    assert report["skipped"] == {}
    tolerance = 1e-5 if variant == "pandas_downcast" else 1e-9
    for name, group in answer["groups"].items():
        assert group["count"] == want["counts"][name]
        assert group["sum"] == pytest.approx(want["sums"][name], rel=tolerance)
        assert group["mean"] == pytest.approx(group["sum"] / group["count"], rel=1e-12)
    assert report["sees_extra_fields"] == (variant not in ("pandas_usecols", "pypolars_streaming"))
    library = "polars" if variant == "pypolars_streaming" else "pandas"
    assert report["library"][library].count(".") == 2


def write_malformed(path: Path) -> None:
    path.write_text(
        "\n".join(
            [
                HEADER,
                "1,10.50,books,2021-01-01,ok",
                "2,abc,books,2021-01-01,not a number",
                "3,1.00,toys,2021-01-01,unquoted, comma",  # six fields
                "4,2.00,toys",  # three fields: date and note are empty, the row counts
                "5,3.00,,2021-01-01,no category",
                "6,,pets,2021-01-01,no price",
                '7,4.25,toys,2021-01-02,"quoted, fine"',
            ]
        )
        + "\n",
        encoding="utf-8",
    )


@pytest.mark.parametrize("variant", ["pandas_default", "pandas_chunked"])
def test_malformed_rows_are_skipped_and_counted(tmp_path: Path, variant: str) -> None:
    path = tmp_path / "bad.csv"
    write_malformed(path)
    report = dm.run_variant(variant, str(path), chunksize=2)
    assert report["skipped"] == {
        "too many fields": 1,
        "no numeric price": 2,
        "no category": 1,
    }
    assert report["answer"]["rows"] == 3
    assert report["answer"]["groups"]["books"]["sum"] == 10.5
    assert report["answer"]["groups"]["toys"] == {"count": 2, "sum": 6.25, "mean": 3.125}


def test_usecols_keeps_rows_with_extra_fields_and_says_so(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    write_malformed(path)
    report = dm.run_variant("pandas_usecols", str(path))
    # pandas parses only the two columns and never sees the sixth field: the row counts.
    assert report["answer"]["groups"]["toys"]["count"] == 3
    assert "too many fields" not in report["skipped"]
    assert report["sees_extra_fields"] is False


def test_python_polars_skips_counts_and_truncates_like_the_rust_lazy_scan(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    write_malformed(path)
    lines = path.read_text(encoding="utf-8").splitlines()
    # Without the non-numeric price (in polars' inference window it makes the column text).
    path.write_text("\n".join(line for line in lines if ",abc," not in line) + "\n")
    report = dm.run_variant("pypolars_streaming", str(path))
    assert report["skipped"] == {"no numeric price": 1, "no category": 1}
    # The six-field row is truncated and counted, as the Rust lazy scan does: the harness
    # sets it aside because the report says it cannot see extra fields.
    assert report["sees_extra_fields"] is False
    assert report["answer"]["groups"]["toys"] == {"count": 3, "sum": 7.25, "mean": 7.25 / 3}
    assert report["answer"]["groups"]["books"] == {"count": 1, "sum": 10.5, "mean": 10.5}
    assert report["library"]["polars runtime"].startswith("polars-runtime-")


def test_python_polars_refuses_a_text_price_column_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.csv"
    write_malformed(path)
    code, out, err = run_main(["pypolars_streaming", str(path)], capsys)
    assert (code, out) == (3, "")
    assert err == "error: column 'price' is not numeric (polars read it as String)\n"


def run_main(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = dm.main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_a_non_numeric_price_stops_the_downcast_read_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.csv"
    write_malformed(path)
    code, out, err = run_main(["pandas_downcast", str(path)], capsys)
    assert (code, out) == (3, "")
    assert err == "error: ValueError: could not convert string to float: 'abc'\n"


def test_invalid_utf8_and_missing_files_are_one_line_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes(HEADER.encode() + b"\n1,1.00,b\xf6oks,2021-01-01,x\n")
    for variant in dm.VARIANTS:
        code, out, err = run_main([variant, str(path)], capsys)
        assert (code, out) == (3, ""), variant
        if variant == "pypolars_streaming":
            assert err == "error: the file is not valid UTF-8 (polars: invalid utf-8 sequence)\n"
        else:
            assert err.startswith("error: the file is not valid UTF-8 (byte 0xf6"), err
        assert err.count("\n") == 1
    code, _, err = run_main(["pandas_default", str(tmp_path / "nope.csv")], capsys)
    assert (code, err) == (3, f"error: no such file: {tmp_path / 'nope.csv'}\n")
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    code, _, err = run_main(["pandas_chunked", str(empty)], capsys)
    assert code == 3
    assert err == "error: EmptyDataError: No columns to parse from file\n"


def test_main_prints_one_json_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "sales.csv"
    write_clean(path, 50)
    code, out, err = run_main(["pandas_chunked", str(path), "--chunksize", "7"], capsys)
    assert (code, err) == (0, "")
    report = json.loads(out)
    assert report["variant"] == "pandas_chunked"
    assert report["answer"]["rows"] == 50
    assert report["work_s"] > 0
    assert report["baseline_anon_kib"] > 0


def test_category_and_float32_column_memory(tmp_path: Path) -> None:
    path = tmp_path / "sales.csv"
    write_clean(path, 3_000)
    report = dm.measure_columns(str(path), nrows=2_000)
    default = {c["name"]: c for c in report["loads"]["default"]["columns"]}
    down = {c["name"]: c for c in report["loads"]["downcast"]["columns"]}
    assert report["loads"]["default"]["rows"] == 2_000
    # float64 -> float32 and int64 -> int32: exactly half, 8 -> 4 bytes a row.
    assert (default["price"]["bytes"], down["price"]["bytes"]) == (16_000, 8_000)
    assert (default["id"]["bytes"], down["id"]["bytes"]) == (16_000, 8_000)
    assert down["category"]["dtype"] == "category"
    # Three categories: one code byte a row plus the three strings.
    assert 2_000 <= down["category"]["bytes"] < 2_500
    # The parser shares one object per repeated string: counted once, the column is mostly
    # its 8-byte pointers; deep=True counts every reference as a copy.
    unique = default["category"]["unique_bytes"]
    assert 16_000 <= unique < 17_000
    assert default["category"]["bytes"] > 3 * unique
    assert default["price"]["unique_bytes"] is None


def test_the_polars_wheel_is_described_and_its_compiler_read_once(tmp_path: Path) -> None:
    facts = dm.polars_facts()
    assert facts["polars"].count(".") == 2
    assert facts["polars runtime"].startswith("polars-runtime-")
    # The library scan is not done in the timed variant's process...
    assert "polars compiler" not in facts
    # ...but once, with the per-column measurement.
    path = tmp_path / "sales.csv"
    write_clean(path, 100)
    compiler = dm.measure_columns(str(path), nrows=50)["library"]["polars compiler"]
    assert compiler.startswith("rustc 1.") and compiler.endswith(")")
