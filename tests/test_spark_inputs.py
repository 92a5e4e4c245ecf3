"""The Spark engine's Parquet inputs read and prepared on the executors (issue 16,
engines/spark/inputs.py).

Without Spark (the default run): each row group prepared alone (`prepare_batches`, what a
task runs) gives, joined, the very table the driver path prepares from the whole file
(`__row`, every view and its type); the row groups' survey gives validate's date counts and
the empty-event check's rows as the whole table does; what the executors cannot serve
exactly is left to the driver path. With Spark (`spark` marker, CI's fourth job): the run
on Parquet files written here (several row groups, a key-less row, an orphan key, bad and
tied dates, an empty table) equals the SQL engine's on the same files read on the driver.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import random
import shutil
import tempfile
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import EXAMPLES
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from strategies import table_cases
from test_differential import compile_text, frames, rejected
from test_sql_backend import assert_same

from endpointdsl import load
from endpointdsl.api import empty_events
from endpointdsl.check.projection import run_columns
from endpointdsl.check.usage import table_usage
from endpointdsl.data.datecheck import distinct_values
from endpointdsl.data.emptyevents import distinct_rows
from endpointdsl.data.errors import DataError
from endpointdsl.data.read import find_table, read_tables
from endpointdsl.data.tables import REPORT_COLUMNS, validate
from endpointdsl.engines.spark import inputs
from endpointdsl.engines.sql.generate import generate_sql
from endpointdsl.engines.sql.prepare import prepare_table

PFS = """
table adsl: one row per subject
table adrs: many rows per subject

event randomisation = adsl.RANDDT label "Randomization"
event death = adsl.DTHDT label "Death"
event progression = adrs.ADT where PARAMCD = "OVR" and AVALC = "PD" sequence ASEQ
    label "Disease Progression"
event adequate = adrs.ADT where PARAMCD = "OVR" and AVALC in ("CR", "PR", "SD", "PD")
    sequence ASEQ label "Last Tumor Assessment"

endpoint PFS "Progression-Free Survival (Days)"
  from randomisation
  to first of progression, death
  censor at latest of
    last adequate cnsr 1 cnsdtdsc "Last Tumor Assessment",
    randomisation cnsr 1 cnsdtdsc "Randomization"
end
"""
D = dt.date
ADSL = pa.table(
    {
        "USUBJID": ["S1", "S2", "S3"],
        "RANDDT": pa.array([D(2021, 1, 1), D(2021, 1, 5), D(2021, 1, 9)], pa.date32()),
        "DTHDT": pa.array([None, None, D(2021, 6, 1)], pa.date32()),
    }
)
# rows 1-3, 4-6, 7-8 in three row groups; row 5 has no key, row 7 belongs to no subject;
# S1 has two PD rows on one day with one ASEQ (the first in the file decides), S2 a bad date
ADRS = {
    "USUBJID": ["S1", "S1", "S2", "S1", None, "S2", "S9", "S3"],
    "PARAMCD": ["OVR"] * 8,
    "AVALC": ["SD", "PD", "PR", "PD", "PD", "SD", "PD", "NE"],
    "ADT": ["2021-02-01", "2021-03-01", "2021-02-10", "2021-03-01", "2021-03-03", "2021-13-45", "2021-03-04",
            "2021-02-20"],
    "ASEQ": [1, 2, 1, 2, 9, 2, 1, 1],
}  # fmt: skip


def write(folder: Path, tables: dict[str, pa.Table], rows_per_group: int = 3) -> None:
    for name, table in tables.items():
        pq.write_table(table, folder / f"{name}.parquet", row_group_size=rows_per_group)


def planned(compiled, folder: Path) -> dict:
    model = compiled.model
    found = {t.name: find_table(folder, t.name) for t in model.tables}
    return inputs.plan(model, found, run_columns(model), generate_sql(model).needs)


@contextlib.contextmanager
def task_rows(rows: int | None):
    """ENDPOINTDSL_SPARK_TASK_ROWS for a `plan` (None: its default)."""
    before = os.environ.pop("ENDPOINTDSL_SPARK_TASK_ROWS", None)
    if rows is not None:
        os.environ["ENDPOINTDSL_SPARK_TASK_ROWS"] = str(rows)
    try:
        yield
    finally:
        os.environ.pop("ENDPOINTDSL_SPARK_TASK_ROWS", None)
        if before is not None:
            os.environ["ENDPOINTDSL_SPARK_TASK_ROWS"] = before


def executors(source: inputs.Source) -> pa.Table:
    """The view the tasks build, pieces in a shuffled order, sorted back by `__row`."""
    pieces = list(source.pieces)
    random.Random(len(pieces)).shuffle(pieces)
    batches = [b for p in pieces for b in inputs.prepare_pieces(source, [p])]
    table = pa.Table.from_batches(batches, schema=source.schema)
    return table.sort_by("__row")


def driver(folder: Path, compiled, name: str) -> pa.Table:
    """The view the driver path builds (run_spark: the whole file read, `prepare_table`)."""
    model = compiled.model
    frame = read_tables(folder, [name], arrow=True, columns=run_columns(model))[name]
    table = prepare_table(frame, model.table(name).key, generate_sql(model).needs[name])
    columns = [c.cast(c.type.value_type) if pa.types.is_dictionary(c.type) else c for c in table.columns]
    return pa.table(columns, names=table.column_names)


# ---- without Spark: the tasks' code against the driver path's ----------------------------------


def test_row_groups_prepared_alone_are_the_whole_files_view(tmp_path):
    compiled = compile_text(PFS)
    big = (
        2**53 + 1
    )  # a sequence beyond exact doubles in the last row group only: every row's C__num is a double
    adrs = pa.table(ADRS | {"ASEQ": pa.array([*ADRS["ASEQ"][:-1], big], pa.int64())})
    write(tmp_path, {"adsl": ADSL, "adrs": adrs})
    sources = planned(compiled, tmp_path)
    assert list(sources) == ["adrs"]  # the subject table stays on the driver
    source = sources["adrs"]
    # (row group, first row read, rows read, rows before them), worked by hand
    assert source.pieces == ((0, 0, 3, 0), (1, 0, 3, 3), (2, 0, 2, 6))
    got = executors(source)
    assert got["__row"].to_pylist() == [1, 2, 3, 4, 5, 6, 7, 8]
    assert got.schema.field("ASEQ__num").type == pa.float64()
    assert got["ASEQ__num"].to_pylist()[-1] == 9007199254740992.0  # float(2**53 + 1): the nearest double
    assert got["ASEQ__num"].to_pylist()[0] == 1.0
    assert got.equals(driver(tmp_path, compiled, "adrs"), check_metadata=False)
    write(tmp_path, {"adrs": pa.table(ADRS)})  # all within 2**53: BIGINT, as the driver path
    (source,) = planned(compiled, tmp_path).values()
    assert source.schema.field("ASEQ__num").type == pa.int64()
    assert executors(source).equals(driver(tmp_path, compiled, "adrs"), check_metadata=False)
    with task_rows(2):  # row groups of 3 rows read as row ranges of at most 2
        (source,) = planned(compiled, tmp_path).values()
    assert source.pieces == ((0, 0, 2, 0), (0, 2, 1, 2), (1, 0, 2, 3), (1, 2, 1, 5), (2, 0, 2, 6))
    assert executors(source).equals(driver(tmp_path, compiled, "adrs"), check_metadata=False)
    write(tmp_path, {"adrs": pa.table(ADRS)}, rows_per_group=8)  # one row group, four tasks
    with task_rows(2):
        (source,) = planned(compiled, tmp_path).values()
    assert [p[3] for p in source.pieces] == [0, 2, 4, 6]
    assert executors(source)["__row"].to_pylist() == list(range(1, 9))
    assert executors(source).equals(driver(tmp_path, compiled, "adrs"), check_metadata=False)
    for bad in ("0", "a lot"):
        with (
            task_rows(bad),
            pytest.raises(DataError, match=f"ENDPOINTDSL_SPARK_TASK_ROWS={bad}: give a whole"),
        ):
            planned(compiled, tmp_path)


def test_the_survey_counts_dates_and_keeps_the_conditions_rows_as_the_whole_table(tmp_path):
    compiled = compile_text(PFS)
    write(tmp_path, {"adsl": ADSL, "adrs": pa.table(ADRS)})
    (source,) = planned(compiled, tmp_path).values()
    assert source.dates == ("ADT",) and source.conditions == ("AVALC", "PARAMCD")
    answers = [inputs.survey_piece(source, p) for p in reversed(source.pieces)]
    got = inputs.gathered(source, answers)
    # first appearance order, "2021-03-01" twice (rows 2 and 4, in two row groups)
    assert got.dates["ADT"] == [("2021-02-01", 1), ("2021-03-01", 2), ("2021-02-10", 1), ("2021-03-03", 1),
                                ("2021-13-45", 1), ("2021-03-04", 1), ("2021-02-20", 1)]  # fmt: skip
    whole = read_tables(tmp_path, ["adrs"], arrow=True)["adrs"]
    assert got.dates["ADT"] == distinct_values(whole["ADT"])
    # each row group's distinct rows (rows 1-3: SD PD PR; 4-6: PD SD; 7-8: PD NE), in file order
    assert got.digest.to_dict("list") == {
        "AVALC": ["SD", "PD", "PR", "PD", "SD", "PD", "NE"],
        "PARAMCD": ["OVR"] * 7,
    }
    with task_rows(2):  # pieces of rows 1-2, 3, 4-5, 6, 7-8: the same whole-table answers
        (split,) = planned(compiled, tmp_path).values()
    again = inputs.gathered(split, [inputs.survey_piece(split, p) for p in reversed(split.pieces)])
    assert again.dates == got.dates
    # each piece's distinct rows: SD PD | PR | PD PD | SD | PD NE
    assert again.digest.to_dict("list") == {
        "AVALC": ["SD", "PD", "PR", "PD", "SD", "PD", "NE"],
        "PARAMCD": ["OVR"] * 7,
    }


def test_plan_leaves_to_the_driver_what_the_executors_cannot_serve_exactly(tmp_path, monkeypatch):
    compiled = compile_text(PFS)
    cases = {
        "csv": None,
        "timestamps": pa.table(ADRS | {"ADT": pa.array([dt.datetime(2021, 2, 1)] * 8, pa.timestamp("us"))}),
        "binary": pa.table(ADRS | {"AVALC": pa.array([b"PD"] * 8, pa.binary())}),
        "no statistics": pa.table(ADRS),
        "missing column": pa.table({k: v for k, v in ADRS.items() if k != "ASEQ"}),
        # pandas' metadata makes USUBJID the index: the driver path's frame has no such column
        "index": pa.Table.from_pandas(pd.DataFrame(ADRS).set_index("USUBJID")),
    }
    for why, adrs in cases.items():
        folder = tmp_path / why.replace(" ", "_")
        folder.mkdir()
        write(folder, {"adsl": ADSL})
        if adrs is None:
            pd.DataFrame(ADRS).to_csv(folder / "adrs.csv", index=False)
        else:
            pq.write_table(adrs, folder / "adrs.parquet", write_statistics=why != "no statistics")
        assert planned(compiled, folder) == {}, why
    write(tmp_path, {"adsl": ADSL, "adrs": pa.table(ADRS)})
    assert list(planned(compiled, tmp_path)) == ["adrs"]
    monkeypatch.setenv("ENDPOINTDSL_SPARK_INPUTS", "driver")
    assert planned(compiled, tmp_path) == {}
    # a condition reading a subject-level cell: its empty-event check reads every key
    other = compile_text(PFS.replace('AVALC = "PD" sequence', 'AVALC = "PD" and ADT > adsl.RANDDT sequence'))
    monkeypatch.delenv("ENDPOINTDSL_SPARK_INPUTS")
    assert planned(other, tmp_path) == {}


@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(table_cases(), st.integers(1, 3), st.integers(1, 4))
def test_generated_tables_in_row_groups_give_the_driver_paths_views_and_checks(case, rows_per_group, most):
    """Views, `__row`, date counts, validate's errors and the empty-event findings, for
    generated programs and tables written in row groups of 1 to 3 rows, read in tasks of
    at most 1 to 4 rows (a row group split into row ranges, or read whole)."""
    desc, tables = case
    if rejected(desc):
        return
    compiled = compile_text(desc.text)
    model = compiled.model
    folder = Path(tempfile.mkdtemp())
    try:
        for name, frame in frames(desc, tables).items():
            columns = {}
            for column in frame.columns:
                try:
                    columns[column] = pa.Array.from_pandas(frame[column])
                except (pa.ArrowException, TypeError, ValueError):  # mixed cells: as their text
                    columns[column] = pa.array(
                        [None if pd.isna(v) else str(v) for v in frame[column]], pa.string()
                    )
            pq.write_table(pa.table(columns), folder / f"{name}.parquet", row_group_size=rows_per_group)
        with task_rows(most):
            sources = planned(compiled, folder)
        note(f"read by the executors: {list(sources)}")
        whole = read_tables(folder, [t.name for t in model.tables], arrow=True, columns=run_columns(model))
        surveyed = {}
        for name, source in sources.items():
            assert executors(source).equals(driver(folder, compiled, name), check_metadata=False)
            surveyed[name] = inputs.gathered(source, [inputs.survey_piece(source, p) for p in source.pieces])
            for column in source.dates:
                assert surveyed[name].dates[column] == distinct_values(whole[name][column])
            digest, conditions = surveyed[name].digest, list(source.conditions)
            if conditions:
                want = (
                    whole[name][conditions]
                    .iloc[distinct_rows(whole[name], conditions)]
                    .reset_index(drop=True)
                )
                assert digest.iloc[distinct_rows(digest, conditions)].reset_index(drop=True).equals(want)
        meta = table_usage(model)
        rest = {name: frame for name, frame in whole.items() if name not in sources}
        assert _error(validate, meta, whole, model.file) == _error(
            inputs.validate_sources, meta, rest, sources, surveyed, model.file
        )
        report = pd.DataFrame({c: pd.Series([], dtype=object) for c in REPORT_COLUMNS})
        digests = rest | {name: s.digest for name, s in surveyed.items()}
        assert empty_events(model, digests, report).equals(empty_events(model, whole, report))
    finally:
        shutil.rmtree(folder)


def _error(check, *args) -> str | None:
    try:
        check(*args)
    except DataError as exc:
        return str(exc)
    return None


# ---- with Spark: the run on the files against the SQL engine's ---------------------------------


@pytest.fixture(scope="module")
def spark():
    pytest.importorskip("pyspark")
    pytest.importorskip("sqlglot")
    if shutil.which("java") is None:
        pytest.skip("the Spark engine needs Java")
    from endpointdsl.engines.spark.run import session

    return session()


def by_files(compiled, folder: Path):
    """(sources, result or DataError) as `endpointdsl run --engine spark` runs the folder."""
    from endpointdsl.engines.spark.files import run_files, spark_sources

    model = compiled.model
    columns = run_columns(model)
    sources = spark_sources(model, {t.name: find_table(folder, t.name) for t in model.tables}, columns)
    tables = read_tables(folder, [t.name for t in model.tables if t.name not in sources], arrow=True,
                         columns=columns)  # fmt: skip
    try:
        return sources, run_files(compiled, tables, sources)
    except DataError as exc:
        return sources, exc


def by_sql(compiled, folder: Path):
    tables = read_tables(folder, [t.name for t in compiled.model.tables], arrow=True,
                         columns=run_columns(compiled.model))  # fmt: skip
    try:
        return compiled.run(tables, engine="sql")
    except DataError as exc:
        return exc


@pytest.mark.spark
def test_spark_reads_the_files_and_agrees_with_the_sql_engine(spark, tmp_path):
    compiled = compile_text(PFS)
    write(tmp_path, {"adsl": ADSL, "adrs": pa.table(ADRS)})
    sources, got = by_files(compiled, tmp_path)
    assert list(sources) == ["adrs"]
    assert_same(got, by_sql(compiled, tmp_path))
    messages = got.report.MESSAGE.tolist()
    assert "adrs row 5 has no USUBJID; not used" in messages  # `__row`: its place in the file
    s1 = got.adtte[got.adtte.USUBJID == "S1"].iloc[0]
    assert (s1.ADT, s1.CNSR, s1.SRCSEQ) == (D(2021, 3, 1), 0, 2)  # S1's first PD (row 2, day 59)
    # no row matches a misspelt event: the empty-event check reads the survey's rows
    typo = compile_text(PFS.replace('AVALC = "PD" sequence', 'AVALC = "PD " sequence'))
    sources, got = by_files(typo, tmp_path)
    assert list(sources) == ["adrs"]
    assert_same(got, by_sql(typo, tmp_path))
    assert any(m.startswith("no row matches event progression") for m in got.report.MESSAGE)


@pytest.mark.spark
def test_an_empty_table_and_a_column_of_bad_dates_on_spark(spark, tmp_path):
    compiled = compile_text(PFS)
    write(tmp_path, {"adsl": ADSL, "adrs": pa.table(ADRS).slice(0, 0)})
    sources, got = by_files(compiled, tmp_path)
    assert list(sources) == ["adrs"] and sources["adrs"].pieces == ((0, 0, 0, 0),)
    assert_same(got, by_sql(compiled, tmp_path))
    bad = pa.table(ADRS | {"ADT": ["01/02/2021"] * 8})  # no ISO date: validate stops the run
    write(tmp_path, {"adrs": bad})
    sources, got = by_files(compiled, tmp_path)
    assert list(sources) == ["adrs"]
    want = by_sql(compiled, tmp_path)
    assert isinstance(got, DataError) and str(got) == str(want)
    assert "8 of its 8 non-empty values are not" in str(got)


@pytest.mark.spark
@pytest.mark.parametrize(
    ("ept", "data"),
    [("her2_cart_trastuzumab.ept", "data"), ("sap/ae_grade3_by_soc.ept", "sap/data/ae_grade3_by_soc")],
)  # three tables, two read by Spark; a grouped endpoint (both passes on the executors' views)
def test_examples_as_parquet_in_row_groups_agree_with_the_sql_engine(spark, tmp_path, ept, data):
    from pyarrow import csv

    compiled = load(EXAMPLES / ept)
    for table in (EXAMPLES / data).glob("*.csv"):
        pq.write_table(csv.read_csv(table), tmp_path / f"{table.stem}.parquet", row_group_size=7)
    sources, got = by_files(compiled, tmp_path)
    many = {t.name for t in compiled.model.tables if not t.per_subject}
    assert set(sources) == many and all(len(s.pieces) > 1 for s in sources.values())
    assert_same(got, by_sql(compiled, tmp_path))
