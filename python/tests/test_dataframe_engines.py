"""The tools beyond the sheet in dataframe_memory: pandas with Arrow, DuckDB, Parquet — the
same answer on a clean file, every malformed row counted or refused in one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pyproof import dataframe_engines as engines
from pyproof import dataframe_memory as dm
from tests.test_dataframe_memory import reference, run_main, write_clean, write_malformed


@pytest.fixture
def clean(tmp_path: Path) -> tuple[Path, Path]:
    """A clean CSV and its Parquet copy, written by the converter under test."""
    csv = tmp_path / "sales.csv"
    write_clean(csv, 2_500)
    parquet = tmp_path / "sales.parquet"
    done = engines.to_parquet(str(csv), str(parquet))
    assert done["rows"] == 2_500
    assert done["bytes"] == parquet.stat().st_size > 0
    assert done["library"]["duckdb"].count(".") == 2
    return csv, parquet


@pytest.mark.parametrize("variant", engines.VARIANTS)
def test_every_tool_answers_the_query_exactly(
    tmp_path: Path, clean: tuple[Path, Path], variant: str
) -> None:
    csv, parquet = clean
    want = reference(csv)
    path = parquet if variant in engines.PARQUET_VARIANTS else csv
    report = engines.run_engine_variant(variant, str(path), spill_dir=str(tmp_path / "spill"))
    assert report["variant"] == variant
    assert report["skipped"] == {}
    answer = report["answer"]
    assert answer["rows"] == want["rows"] == 2_500
    for name, group in answer["groups"].items():
        assert group["count"] == want["counts"][name]
        assert group["sum"] == pytest.approx(want["sums"][name], rel=1e-9)
    assert report["work_s"] > 0
    assert report["baseline_anon_kib"] > 0
    if variant == "duckdb_csv_limited":
        assert report["library"]["duckdb memory_limit"] == "128.0 MiB"
        # Eight-ish groups never outgrow 128 MiB: nothing spilled, and the watcher says so.
        assert report["spill_peak_bytes"] == 0


def test_the_sheets_pandas_keeps_python_strings_when_pyarrow_is_installed(
    clean: tuple[Path, Path],
) -> None:
    csv, _ = clean
    sheet = dm.run_variant("pandas_default", str(csv))
    arrow = engines.run_engine_variant("pandas_arrow_strings", str(csv))
    assert sheet["library"]["string storage"] == "python (pyarrow installed)"
    assert arrow["library"]["string storage"] == "pyarrow (pyarrow installed)"
    assert sheet["answer"]["rows"] == arrow["answer"]["rows"] == 2_500
    for name, group in sheet["answer"]["groups"].items():
        assert arrow["answer"]["groups"][name]["sum"] == pytest.approx(group["sum"], rel=1e-12)


def test_duckdb_pads_short_rows_and_counts_long_ones_like_pandas(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    write_malformed(path)
    report = engines.run_engine_variant("duckdb_csv", str(path))
    assert report["skipped"] == {"too many fields": 1, "no numeric price": 2, "no category": 1}
    assert report["sees_extra_fields"] is True
    # The three-field row counts (padded with NULLs, as pandas pads it).
    assert report["answer"]["groups"]["toys"] == {"count": 2, "sum": 6.25, "mean": 3.125}
    assert report["answer"]["groups"]["books"] == {"count": 1, "sum": 10.5, "mean": 10.5}


def test_duckdb_guesses_nothing_about_a_file_whose_last_row_is_long(tmp_path: Path) -> None:
    # Left to its sniffer, DuckDB 2.0 took the last, six-field row for the header and
    # answered with 0 rows.
    path = tmp_path / "sales.csv"
    write_clean(path, 300)
    with path.open("a", encoding="utf-8") as f:
        f.write("301,1.00,toys,2021-01-01,a, b\n")
    report = engines.run_engine_variant("duckdb_csv", str(path))
    assert report["answer"]["rows"] == 300
    assert report["skipped"] == {"too many fields": 1}


@pytest.mark.parametrize("variant", ["pandas_arrow", "pandas_arrow_usecols"])
def test_arrow_skips_long_rows_and_refuses_short_ones(
    tmp_path: Path, variant: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.csv"
    write_malformed(path)
    lines = path.read_text(encoding="utf-8").splitlines()
    code, out, err = run_main([variant, str(path)], capsys)
    assert (code, out) == (3, "")
    assert err == (
        "error: a row has 3 fields, the header 5: Arrow's reader cannot pad it as the other "
        "readers do\n"
    )
    path.write_text("\n".join(line for line in lines if line != "4,2.00,toys") + "\n")
    report = engines.run_engine_variant(variant, str(path))
    assert report["skipped"] == {"too many fields": 1, "no numeric price": 2, "no category": 1}
    assert report["sees_extra_fields"] is True
    assert report["answer"]["groups"]["toys"] == {"count": 1, "sum": 4.25, "mean": 4.25}


def test_a_malformed_file_is_never_converted_in_part(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.csv"
    write_malformed(path)
    code, out, err = run_main(["to_parquet", str(path), str(tmp_path / "x.parquet")], capsys)
    assert (code, out) == (3, "")
    assert err.startswith("error: DuckDB: ") and err.count("\n") == 1


def test_invalid_utf8_stops_duckdb_naming_the_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes(
        b"id,price,category,date,note\n1,1.00,b\xf6oks,2021-01-01,x\n2,2.00,toys,2021-01-01,y\n"
    )
    code, out, err = run_main(["duckdb_csv", str(path)], capsys)
    assert (code, out) == (3, "")
    assert err.startswith("error: DuckDB cannot read line 2 (INVALID ENCODING)"), err
    assert err.count("\n") == 1


def test_the_command_line_refuses_bad_arguments_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    csv = tmp_path / "sales.csv"
    write_clean(csv, 10)
    assert run_main(["to_parquet", str(csv)], capsys)[0] == 2
    assert run_main(["duckdb_csv", str(csv), str(tmp_path / "extra")], capsys)[0] == 2
    code, _, err = run_main(["duckdb_csv", str(csv), "--memory-limit", "0"], capsys)
    assert (code, err.count("\n")) == (2, 1)
    code, _, err = run_main(["duckdb_csv_limited", str(csv)], capsys)
    assert (code, err) == (3, "error: duckdb_csv_limited needs --spill-dir\n")
    code, _, err = run_main(["parquet_duckdb", str(tmp_path / "nope.parquet")], capsys)
    assert (code, err) == (3, f"error: no such file: {tmp_path / 'nope.parquet'}\n")
    code, out, _ = run_main(["pandas_arrow", str(csv)], capsys)
    assert code == 0 and json.loads(out)["answer"]["rows"] == 10
