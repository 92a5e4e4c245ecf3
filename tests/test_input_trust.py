"""Input tables read and keyed alike in every engine: no silent wrong result (issue 10).

Each case runs the command line (`endpointdsl run --engine sql|compiled|interpreter`) on
files written here, and asserts the exit code, the message and the records: ragged CSV
rows and unusable headers stop the run (exit 2) naming the file and line; subject keys
are read by one rule (a whole number as an integer, blanks stripped) whatever the file
type; duplicate subjects and endpoints without any record are findings (exit 3 with
--fail-on-findings); every Arrow type a Parquet file holds reads the same in every engine.
"""

from __future__ import annotations

import datetime as dt
import decimal

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pyreadstat
import pytest

import endpointdsl
from endpointdsl.cli import main
from endpointdsl.data.read import read_tables

ENGINES = ("sql", "compiled", "interpreter")
OS = """
table adsl: one row per subject
table adae: many rows per subject
event randomisation = adsl.RANDDT
event death = adsl.DTHDT label "Death"
event last_alive = adsl.LSTALVDT label "Alive"
event ae = adae.AESTDT where AESER = "Y" and AETOXGR >= 3 label "Serious AE"
endpoint OS "Overall survival"
  from randomisation
  to first of death, ae
  censor at last_alive cnsr 1
end
"""
ADSL = "USUBJID,RANDDT,DTHDT,LSTALVDT\n"
ADAE = "USUBJID,AESTDT,AESER,AETOXGR\n"
MILD = ADAE + "S1,2023-02-01,N,1\n"  # a row that is no event: the table is not empty (no finding)
S1 = "S1,2023-01-01,,2023-06-01\n"  # alive: censored at 2023-06-01
S2 = "S2,2023-01-01,2023-03-01,2023-03-01\n"  # died on 2023-03-01


@pytest.fixture
def ept(tmp_path):
    path = tmp_path / "os.ept"
    path.write_text(OS)
    return path


def write(folder, **files: str | bytes) -> None:
    folder.mkdir(exist_ok=True)
    for name, content in files.items():
        target = folder / name.replace("_", ".")
        target.write_bytes(content if isinstance(content, bytes) else content.encode())


def run(ept, data, engine: str, *extra: str) -> tuple[int, pd.DataFrame | None]:
    """Exit code, stderr and the ADTTE written (as text) of one command-line run."""
    out = data.parent / f"adtte_{engine}.csv"
    out.unlink(missing_ok=True)
    code = main(["run", str(ept), "--data", str(data), "--out", str(out), "--engine", engine, *extra])
    written = pd.read_csv(out, dtype=str, keep_default_na=False) if out.exists() else None
    return code, written


def outcomes(written: pd.DataFrame) -> dict[str, tuple[str, str]]:
    return {s: (adt, cnsr) for s, adt, cnsr in zip(written.USUBJID, written.ADT, written.CNSR, strict=True)}


# ---- 1, 2: CSV rows and headers ----------------------------------------------------------------

BAD_CSV = {
    # a trailing comma: pandas took the first field as the index and shifted every column
    "trailing-comma": (
        ADSL + "S1,2023-01-01,,2023-06-01,\n",
        "adsl.csv, line 2: 5 fields, but the header has 4",
    ),
    "missing-field": (
        ADSL + S1 + "S2,2023-01-01,2023-03-01\n",
        "adsl.csv, line 3: 3 fields, but the header has 4",
    ),
    "after-quoted-line-break": (
        'USUBJID,RANDDT,DTHDT,LSTALVDT\n"S\n1",2023-01-01,,2023-06-01\n\nS2,2023-01-01,,2023-06-01,x\n',
        "adsl.csv, line 5: 5 fields, but the header has 4",
    ),
    "unclosed-quote": (
        ADSL + 'S1,2023-01-01,,"2023-06-01\n' + S2,
        "adsl.csv, line 2: a value opens a double quote that is never closed",
    ),
    "duplicate-column": (
        "USUBJID,RANDDT,DTHDT,RANDDT\nS1,2023-01-01,,2023-06-01\n",
        "adsl.csv: two columns are named RANDDT (columns 2 and 4)",
    ),
    "unnamed-column": ("USUBJID,RANDDT,,LSTALVDT\n" + S1, "adsl.csv: column 3 of 4 has no name; name it"),
    "header-trailing-comma": (
        "USUBJID,RANDDT,DTHDT,LSTALVDT,\nS1,2023-01-01,,2023-06-01,\n",
        "adsl.csv: column 5 of 5 has no name (a comma at the end of the header line?)",
    ),
}


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("case", list(BAD_CSV))
def test_a_csv_file_that_cannot_be_read_as_its_header_says_stops_the_run(ept, tmp_path, capsys, case, engine):
    adsl, message = BAD_CSV[case]
    write(tmp_path / "data", adsl_csv=adsl, adae_csv=ADAE)
    code, written = run(ept, tmp_path / "data", engine)
    err = capsys.readouterr().err
    assert (code, written) == (2, None)
    assert message in err
    assert str(tmp_path / "data" / "adsl.csv") in err
    assert "Traceback" not in err


@pytest.mark.parametrize("engine", ENGINES)
def test_quoted_commas_line_breaks_a_bom_and_crlf_still_read(ept, tmp_path, engine):
    adae = '\ufeffUSUBJID,AESTDT,AESER,AETOXGR,AETERM\r\nS1,2023-02-01,"Y",3,"HEADACHE, SEVERE\r\nsecond line"\r\n'
    write(tmp_path / "data", adsl_csv=ADSL + S1 + S2, adae_csv=adae.encode("utf-8"))
    code, written = run(ept, tmp_path / "data", engine)
    assert code == 0
    assert outcomes(written) == {"S1": ("2023-02-01", "0"), "S2": ("2023-03-01", "0")}


@pytest.mark.parametrize("engine", ENGINES)
def test_names_that_differ_only_in_case_are_different_columns(ept, tmp_path, engine):
    """DTHDT and dthdt are two columns; the file reads DTHDT (S1's dthdt must not kill S1)."""
    adsl = "USUBJID,RANDDT,DTHDT,dthdt,LSTALVDT\nS1,2023-01-01,,2023-02-01,2023-06-01\n"
    write(tmp_path / "data", adsl_csv=adsl, adae_csv=ADAE)
    code, written = run(ept, tmp_path / "data", engine)
    assert code == 0
    assert outcomes(written) == {"S1": ("2023-06-01", "1")}


# ---- 3: subject keys ----------------------------------------------------------------------------


def _parquet(path, columns: dict) -> None:
    pq.write_table(pa.table(columns), path)


def int_keys_with_a_null(data) -> None:
    """int64 keys with a null: pandas reads the column as floats (1002.0)."""
    data.mkdir()
    _parquet(data / "adsl.parquet", {
        "USUBJID": pa.array([1001, 1002]), "RANDDT": pa.array([dt.date(2023, 1, 1)] * 2),
        "DTHDT": pa.array([None, None], pa.date32()), "LSTALVDT": pa.array([dt.date(2023, 6, 1)] * 2),
    })  # fmt: skip
    _parquet(data / "adae.parquet", {
        "USUBJID": pa.array([1002, None], pa.int64()), "AESTDT": pa.array([dt.date(2023, 2, 1)] * 2),
        "AESER": pa.array(["Y", "Y"]), "AETOXGR": pa.array([3, 3]),
    })  # fmt: skip


def xpt_numeric_subjid(data) -> None:
    """A numeric USUBJID from SAS (a double) beside a CSV child table."""
    data.mkdir()
    frame = pd.DataFrame({"USUBJID": [1001.0, 1002.0], "RANDDT": ["2023-01-01"] * 2, "DTHDT": ["", ""],
                          "LSTALVDT": ["2023-06-01"] * 2})  # fmt: skip
    pyreadstat.write_xport(frame, str(data / "adsl.xpt"), table_name="ADSL", file_format_version=5)
    write(data, adae_csv=ADAE + "1002,2023-02-01,Y,3\n")


def blank_padded_keys(data) -> None:
    """A key with a leading blank in one table and a trailing one in the other."""
    write(data, adsl_csv=ADSL + "1001,2023-01-01,,2023-06-01\n 1002,2023-01-01,,2023-06-01\n",
          adae_csv=ADAE + '"1002 ",2023-02-01,Y,3\n')  # fmt: skip


def float_keys_in_the_child_table(data) -> None:
    """Text keys in the subject table, whole-number floats (a null among them) in the other."""
    write(data, adsl_csv=ADSL + "1001,2023-01-01,,2023-06-01\n1002,2023-01-01,,2023-06-01\n")
    _parquet(data / "adae.parquet", {
        "USUBJID": pa.array([1002.0, None]), "AESTDT": pa.array([dt.date(2023, 2, 1)] * 2),
        "AESER": pa.array(["Y", "Y"]), "AETOXGR": pa.array([3.0, 3.0]),
    })  # fmt: skip


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(
    "make", [int_keys_with_a_null, xpt_numeric_subjid, blank_padded_keys, float_keys_in_the_child_table]
)
def test_subject_keys_match_across_tables_and_file_types(tmp_path, ept, make, engine):
    """Subject 1002's serious AE is its event: its rows are not orphans, it is not censored."""
    make(tmp_path / "data")
    code, written = run(ept, tmp_path / "data", engine)
    assert code == 0
    assert outcomes(written) == {"1001": ("2023-06-01", "1"), "1002": ("2023-02-01", "0")}


# ---- 4, 5: findings that --fail-on-findings must see --------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
def test_a_duplicate_subject_is_a_finding(tmp_path, ept, capsys, engine):
    write(tmp_path / "data", adsl_csv=ADSL + S1 + S2 + S2, adae_csv=MILD)
    code, written = run(ept, tmp_path / "data", engine, "--fail-on-findings")
    assert code == 3
    assert outcomes(written) == {"S1": ("2023-06-01", "1")}
    report = pd.read_csv(tmp_path / f"adtte_{engine}.report.csv", dtype=str, keep_default_na=False)
    findings = report[report.STATUS == "finding"]
    assert findings[["USUBJID", "PARAMCD", "MESSAGE"]].values.tolist() == [
        ["S2", "", "duplicate subject: 2 rows in adsl, which has one row per subject; not analysed"]
    ]


NO_RECORD = {
    # every origin blank: silent exclusions only, so the old run exited 0
    "blank-origins": (
        ADSL + "S1,,,2023-06-01\nS2,,2023-03-01,2023-03-01\nS3,2023-01-01,,2022-12-01\n",
        'no record for endpoint OS: all 3 subjects were excluded, most often for "no origin date: '
        'randomisation has no usable date" (2 subjects), then "no event, and no censoring rule applies" (1 subject)',
    ),
    "one-subject": (
        ADSL + "S1,,,2023-06-01\n",
        'no record for endpoint OS: its only subject was excluded for "no origin date: '
        'randomisation has no usable date"',
    ),
    "no-key": (ADSL + ",2023-01-01,,2023-06-01\n", "no record for endpoint OS: no row of adsl has a USUBJID"),
}


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("case", list(NO_RECORD))
def test_an_endpoint_without_any_record_is_a_finding(tmp_path, ept, case, engine):
    adsl, message = NO_RECORD[case]
    write(tmp_path / "data", adsl_csv=adsl, adae_csv=MILD)
    code, written = run(ept, tmp_path / "data", engine, "--fail-on-findings")
    assert code == 3
    assert len(written) == 0
    report = pd.read_csv(tmp_path / f"adtte_{engine}.report.csv", dtype=str, keep_default_na=False)
    assert [("", "OS", "finding", message)] == [
        tuple(r) for r in report.values.tolist() if r[1] == "OS" and r[2] == "finding" and not r[0]
    ]


@pytest.mark.parametrize("engine", ENGINES)
def test_xpt_dates_without_a_date_format_are_named_as_the_reason_for_no_record(tmp_path, ept, engine):
    """SAS dates without a DATE format are numbers: everyone is excluded, and the finding says why."""
    frame = pd.DataFrame({"USUBJID": ["S1", "S2"], "RANDDT": [23011.0, 23012.0], "DTHDT": [float("nan")] * 2,
                          "LSTALVDT": [23200.0, 23201.0]})  # fmt: skip
    (tmp_path / "data").mkdir()
    pyreadstat.write_xport(
        frame, str(tmp_path / "data" / "adsl.xpt"), table_name="ADSL", file_format_version=5
    )
    write(tmp_path / "data", adae_csv=ADAE)
    code, _ = run(ept, tmp_path / "data", engine, "--fail-on-findings")
    assert code == 3
    report = pd.read_csv(tmp_path / f"adtte_{engine}.report.csv", dtype=str, keep_default_na=False)
    assert (
        'no record for endpoint OS: all 2 subjects were excluded for "no origin date: '
        'randomisation has no usable date"'
    ) in set(report.MESSAGE)


# ---- 6: every Arrow type a Parquet file holds ---------------------------------------------------

D = dt.date


def _dates(*days: D | None) -> pa.Array:
    return pa.array(list(days), pa.date32())


BASE_ADSL = {
    "USUBJID": pa.array(["1001", "1002", "1003"]),
    "RANDDT": _dates(D(2023, 1, 1), D(2023, 1, 2), D(2023, 1, 3)),
    "DTHDT": _dates(None, None, D(2023, 5, 1)),
    "LSTALVDT": _dates(D(2023, 6, 1), D(2023, 5, 1), D(2023, 7, 1)),
}
BASE_ADAE = {
    "USUBJID": pa.array(["1001", "1002", "1003", "1003"]),
    "AESTDT": _dates(D(2023, 3, 1), D(2023, 2, 1), D(2023, 4, 1), D(2023, 2, 15)),
    "AESER": pa.array(["Y", "N", "Y", "Y"]),
    "AETOXGR": pa.array([3, 4, 2, 5]),
}
KEYS, DATES, TEXTS, NUMBERS = (
    ("USUBJID",),
    ("RANDDT", "DTHDT", "LSTALVDT", "AESTDT"),
    ("AESER",),
    ("AETOXGR",),
)


def _noon(column: pa.Array, tz: str | None, unit: str = "us") -> pa.Array:
    """Dates as timestamps at noon (naive, or that instant in UTC shown in `tz`: the same day)."""
    return pa.compute.add(
        column.cast(pa.timestamp(unit)), pa.scalar(12 * 3600 * 10**6, pa.duration("us"))
    ).cast(pa.timestamp(unit, tz=tz))


def _text(column: pa.Array) -> pa.Array:
    return column.cast(pa.string())


# (name, columns it changes, how): the values stay the same, only their Arrow type changes
FAITHFUL = [
    ("large_string", KEYS + TEXTS, lambda c: c.cast(pa.large_string())),
    ("dictionary", KEYS + TEXTS, lambda c: c.dictionary_encode()),
    ("binary", KEYS + TEXTS, lambda c: c.cast(pa.binary())),
    ("large_binary", KEYS + TEXTS, lambda c: c.cast(pa.large_binary())),
    *[(f"key_{t}", KEYS, lambda c, t=t: c.cast(getattr(pa, t)())) for t in
      ("int16", "int32", "int64", "uint16", "uint32", "uint64", "float32", "float64")],
    ("key_decimal", KEYS, lambda c: c.cast(pa.decimal128(8, 2))),
    ("date64", DATES, lambda c: c.cast(pa.date64())),
    ("timestamp_s", DATES, lambda c: c.cast(pa.timestamp("s"))),
    ("timestamp_ns", DATES, lambda c: _noon(c, None, "ns")),
    ("timestamp_utc", DATES, lambda c: _noon(c, "UTC")),
    ("timestamp_tz", DATES, lambda c: _noon(c, "Europe/Berlin", "ms")),
    ("iso_text_dates", DATES, _text),
    ("iso_text_dictionary", DATES, lambda c: _text(c).dictionary_encode()),
    *[(f"number_{t}", NUMBERS, lambda c, t=t: c.cast(getattr(pa, t)())) for t in
      ("int8", "uint64", "float32", "float64")],
    ("number_decimal", NUMBERS, lambda c: pa.array(map(decimal.Decimal, c.to_pylist()), pa.decimal128(5, 1))),
]  # fmt: skip
if hasattr(pa, "string_view"):  # pyarrow >= 16
    FAITHFUL.append(("string_view", KEYS + TEXTS + DATES, lambda c: _text(c).cast(pa.string_view())))
# types that cannot hold the values: all engines still read them alike (the subject is excluded)
ODD = [
    ("time", DATES[:1], lambda c: pa.array([dt.time(12, 30)] * len(c))),
    ("null", DATES[1:2], lambda c: pa.nulls(len(c))),
    ("bool", TEXTS, lambda c: pa.array([True, False, None, True])),
    ("integers_with_a_null", DATES[1:2], lambda c: pa.array([20000, None, 20001])),  # pandas: 20000.0
    ("float_keys_not_whole", KEYS, lambda c: pa.array([1001.5, 1002.0, None] + [1003.25] * (len(c) - 3))),
]


def _typed(tables: dict[str, dict], columns: tuple, how) -> dict[str, pa.Table]:
    return {
        name: pa.table({c: how(a) if c in columns else a for c, a in cols.items()})
        for name, cols in tables.items()
    }


def _run_all(ept, data, tables: dict[str, pa.Table]) -> list[tuple[pd.DataFrame, pd.DataFrame]]:
    """(ADTTE, report) of every engine, by the API on read_tables, and the files each CLI run wrote."""
    data.mkdir()
    for name, table in tables.items():
        pq.write_table(table, data / f"{name}.parquet")
    compiled = endpointdsl.load(ept)
    results = []
    for engine in ENGINES:
        result = compiled.run(read_tables(data, list(tables), arrow=engine == "sql"), engine=engine)
        results.append((result.adtte, result.report))
    written = []
    for engine in ENGINES:
        code, adtte = run(ept, data, engine)
        assert code == 0
        written.append(adtte)
    for other in written[1:]:
        pd.testing.assert_frame_equal(other, written[0])
    return results


def _assert_same(results) -> None:
    for adtte, report in results[1:]:
        pd.testing.assert_frame_equal(adtte, results[0][0])
        pd.testing.assert_frame_equal(report, results[0][1])


@pytest.fixture(scope="module")
def baseline(tmp_path_factory):
    folder = tmp_path_factory.mktemp("base")
    ept = folder / "os.ept"
    ept.write_text(OS)
    results = _run_all(ept, folder / "data", _typed({"adsl": BASE_ADSL, "adae": BASE_ADAE}, (), None))
    _assert_same(results)
    adtte = results[0][0]
    assert list(zip(adtte.USUBJID, adtte.CNSR, strict=True)) == [("1001", 0), ("1002", 1), ("1003", 0)]
    return results[0]


@pytest.mark.parametrize(("name", "columns", "how"), FAITHFUL, ids=[c[0] for c in FAITHFUL])
def test_every_arrow_type_reads_its_values_in_every_engine(tmp_path, ept, baseline, name, columns, how):
    results = _run_all(ept, tmp_path / "data", _typed({"adsl": BASE_ADSL, "adae": BASE_ADAE}, columns, how))
    _assert_same(results)
    pd.testing.assert_frame_equal(results[0][0], baseline[0])
    pd.testing.assert_frame_equal(results[0][1], baseline[1])


@pytest.mark.parametrize(("name", "columns", "how"), ODD, ids=[c[0] for c in ODD])
def test_arrow_types_that_hold_no_date_or_text_read_alike_in_every_engine(tmp_path, ept, name, columns, how):
    _assert_same(
        _run_all(ept, tmp_path / "data", _typed({"adsl": BASE_ADSL, "adae": BASE_ADAE}, columns, how))
    )


UNUSABLE = [
    ("list", lambda c: pa.array([[1]] * len(c)), "holds values of Arrow type list<"),
    ("struct", lambda c: pa.array([{"a": 1}] * len(c)), "holds values of Arrow type struct<a: int64>"),
    (
        "duration",
        lambda c: pa.array([dt.timedelta(days=1)] * len(c)),
        "holds values of Arrow type duration[us]",
    ),
    ("not_utf8", lambda c: pa.array([b"\xff"] * len(c)), "holds binary data that is not UTF-8 text"),
]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(("name", "how", "message"), UNUSABLE, ids=[c[0] for c in UNUSABLE])
def test_a_column_of_values_that_are_no_cells_stops_the_run_only_when_used(
    tmp_path, ept, capsys, engine, name, how, message
):
    adae = dict(BASE_ADAE, AESER=how(BASE_ADAE["AESER"]), EXTRA=how(BASE_ADAE["AESER"]))
    (tmp_path / "data").mkdir()
    pq.write_table(pa.table(BASE_ADSL), tmp_path / "data" / "adsl.parquet")
    pq.write_table(pa.table(adae), tmp_path / "data" / "adae.parquet")
    code, _ = run(ept, tmp_path / "data", engine)
    err = capsys.readouterr().err
    assert code == 2
    assert f"adae.parquet): column AESER, used at {ept}:7, {message}" in err
    assert "not text, numbers or dates" in err
    assert "EXTRA" not in err  # a column the file does not read may hold anything


# ---- the SQL engine's key view (prepare): Arrow kernels where they equal subject_key -------------

KEY_COLUMNS = {
    "text": pd.Series([" S1", "S1 ", "\u3000S2\t", "", "  ", None, "S 3", "é"]),
    "str-dtype": pd.Series([" S1", "S2", None, "\tS3"], dtype="string"),
    "large-string": pd.Series(
        pa.array(["  a", "b ", None], pa.large_string()), dtype=pd.ArrowDtype(pa.large_string())
    ),
    "int-with-null": pd.Series([1001, None, 1003], dtype="Int64"),
    "floats": pd.Series([1001.0, float("nan"), -0.0, 1e15, 1003.0]),
    "floats-not-whole": pd.Series([1001.5, 1002.0, None]),
    "floats-inf": pd.Series([float("inf"), 1.0]),
    "floats-huge": pd.Series([1e20, 1.0]),
    "arrow-float-nan": pd.Series(pa.array([1.0, float("nan"), None]), dtype=pd.ArrowDtype(pa.float64())),
    "float32": pd.Series([1001.0, 2.5], dtype="float32"),
    "decimal": pd.Series([decimal.Decimal("1001.00"), decimal.Decimal("2.50"), None]),
    "dates": pd.Series([dt.date(2020, 1, 1), None]),
    "bool": pd.Series([True, False, None]),
    "bytes": pd.Series([b"S1 ", b"\xff", None]),
    "mixed": pd.Series([1001, "1001", " 1002", 1003.0, None]),
}


@pytest.mark.parametrize("name", list(KEY_COLUMNS))
@pytest.mark.parametrize("arrow", [False, True])
def test_the_sql_key_view_is_subject_key(name, arrow):
    from endpointdsl.data.values import subject_key
    from endpointdsl.engines.sql.prepare import prepare_table

    series = KEY_COLUMNS[name]
    if arrow and not isinstance(series.dtype, pd.ArrowDtype):
        try:
            series = series.convert_dtypes(dtype_backend="pyarrow")
        except (pa.ArrowException, TypeError, ValueError):
            pytest.skip("no Arrow type for these values")
    for part in (series, series.iloc[1:]):  # a slice: Arrow buffers with an offset
        frame = pd.DataFrame({"K": part.reset_index(drop=True)})
        got = prepare_table(frame, "K", set())["__key"].to_pylist()
        assert got == [subject_key(v) for v in part.tolist()]


@pytest.mark.parametrize(
    ("names", "message"),
    [
        (
            ["USUBJID", "RANDDT", "DTHDT", "RANDDT"],
            "adsl.parquet: two columns are named RANDDT (columns 2 and 4)",
        ),
        (["USUBJID", "RANDDT", "", "LSTALVDT"], "adsl.parquet: column 3 of 4 has no name; name it"),
    ],
    ids=["duplicate", "unnamed"],
)
def test_a_parquet_file_with_a_repeated_or_empty_column_name_stops_the_run(
    tmp_path, ept, capsys, names, message
):
    (tmp_path / "data").mkdir()
    columns = [pa.array(["S1"]), *[_dates(D(2023, 1, 1))] * 3]
    pq.write_table(pa.Table.from_arrays(columns, names=names), tmp_path / "data" / "adsl.parquet")
    write(tmp_path / "data", adae_csv=MILD)
    code, written = run(ept, tmp_path / "data", "sql")
    assert (code, written) == (2, None)
    assert message in capsys.readouterr().err
