"""The set-based SQL backend agrees with the per-subject compiled code and the interpreter.

Three implementations of docs/semantics.md: the reference interpreter, the generated
per-subject Python functions and the generated SQL run by DuckDB. On generated
programs (every construct of the language, tests/strategies.py) and generated
tables (odd cells, duplicate subjects, orphan rows, rows without a key), the three
table runs must give identical ADTTE frames and identical reports: same rows, same
dtypes, same order, same message texts.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import pathlib
import sys
import tempfile
import warnings

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import EXAMPLES
from hypothesis import given, note, settings
from hypothesis import strategies as st
from strategies import table_cases, value_cases
from test_differential import compile_text, frames, rejected

import endpointdsl
from endpointdsl.data.dates import parse_date
from endpointdsl.data.errors import DataError
from endpointdsl.data.read import read_tables
from endpointdsl.data.values import as_number, as_text, normalise, subject_key
from endpointdsl.engines.sql.generate import generate_sql
from endpointdsl.engines.sql.prepare import PY_WHITESPACE, prepare_table
from endpointdsl.engines.sql.proofs import sorted_proof
from endpointdsl.engines.sql.run import run_sql
from endpointdsl.engines.sql.writer import text


def assert_same(got, want) -> None:
    pd.testing.assert_frame_equal(got.adtte, want.adtte)
    pd.testing.assert_frame_equal(got.report, want.report)


def typed_frames(desc, tables, arrow: bool) -> dict[str, pd.DataFrame]:
    """The generated tables as object columns, or (`arrow`) with the Arrow-backed dtypes that
    pandas infers where a column allows one (text, dates, numbers), as Parquet gives them."""
    out = frames(desc, tables)
    return {name: arrow_typed(f) for name, f in out.items()} if arrow else out


def arrow_typed(frame: pd.DataFrame) -> pd.DataFrame:
    """`convert_dtypes` to Arrow-backed dtypes. Its test of whether a float column holds integers
    casts NaN and inf to int, and numpy warns of that cast (not a fault: such a column stays
    floats); only that warning of this typing is silenced, not the engines' warnings."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "invalid value encountered in cast", RuntimeWarning)
        return frame.convert_dtypes(dtype_backend="pyarrow")


def run_or_error(compiled, frames, engine):
    """The run's result, or the DataError that stopped it (a column of non-dates)."""
    try:
        return compiled.run(frames, engine=engine)
    except DataError as exc:
        return exc


def parquet_frames(desc, tables) -> tuple[dict, dict]:
    """The generated tables written as Parquet and read back as `endpointdsl run` reads them:
    Arrow-backed for the SQL engine, pandas' own dtypes for the others (an integer key with a
    null is then a float column). A column of mixed cells is written as their text."""
    with tempfile.TemporaryDirectory() as folder:
        for name, frame in frames(desc, tables).items():
            columns = {}
            for column in frame.columns:
                try:
                    columns[column] = pa.Array.from_pandas(frame[column])
                except (pa.ArrowException, TypeError, ValueError):
                    columns[column] = pa.array(
                        [None if pd.isna(v) else str(v) for v in frame[column]], pa.string()
                    )
            pq.write_table(pa.table(columns), pathlib.Path(folder) / f"{name}.parquet")
        return read_tables(folder, list(tables), arrow=True), read_tables(folder, list(tables))


FORMS = st.sampled_from(["objects", "arrow", "parquet"])


def three_way(case, form) -> None:
    """`form`: the tables as object columns, as Arrow-backed columns, or as `endpointdsl run`
    reads the same Parquet files for each engine (`parquet_frames`)."""
    desc, tables = case
    if rejected(desc):  # names that differ only in case: no engine derives anything
        return
    note(f"tables: {tables!r}")
    compiled = compile_text(desc.text)
    note(generate_sql(compiled.model).text)
    if form == "parquet":
        for_sql, for_python = parquet_frames(desc, tables)
    else:
        for_sql = for_python = typed_frames(desc, tables, form == "arrow")
    sql = run_or_error(compiled, for_sql, "sql")
    for engine in ("compiled", "interpreter"):
        other = run_or_error(compiled, for_python, engine)
        if isinstance(sql, DataError) or isinstance(other, DataError):
            assert str(sql) == str(other), engine  # every engine stops with the same error
        else:
            assert_same(sql, other)
    if not isinstance(sql, DataError):
        assert_keys(desc, tables, sql)
        assert_carried(desc, tables, sql)


def assert_keys(desc, tables, result) -> None:
    """Subjects and orphan keys are the generated keys read by the one rule of subject_key:
    an agreement of the engines on a wrong key would be no comfort."""
    subject = next(t for t in desc.tables if t.per_subject)
    subjects = {subject_key(r[subject.key]) for r in tables[subject.name]} - {None}
    assert set(result.adtte.USUBJID) | set(result.excluded.USUBJID) == subjects
    others = {subject_key(r[t.key]) for t in desc.tables if not t.per_subject for r in tables[t.name]}
    orphans = result.report[result.report.MESSAGE.str.contains(" but none in ")]
    assert set(orphans.USUBJID) == others - subjects - {None}


def assert_carried(desc, tables, result) -> None:
    """adam: a kept column holds the subject's own cell of the subject table, missing only
    when that cell is (the text of it, or the number)."""
    subject = next(t for t in desc.tables if t.per_subject)
    rows: dict = {}
    for r in tables[subject.name]:
        rows.setdefault(subject_key(r[subject.key]), []).append(r)
    for record in result.adtte.to_dict("records"):
        (row,) = rows[record["USUBJID"]]  # a subject with two rows has no record
        for column, name in desc.keep:
            cell, out = normalise(row.get(column)), record[name or column]
            if cell is None:
                assert out is None or pd.isna(out), (column, out)
            elif isinstance(out, str):
                assert out in (as_text(cell), str(cell)), (column, cell, out)
            else:
                assert float(out) == float(cell), (column, cell, out)


@given(table_cases(clashes=True), FORMS)
def test_sql_compiled_and_interpreter_agree_on_generated_programs_and_tables(case, form):
    three_way(case, form)


def in_occurrence_order(model, tables: dict[str, list[dict]]) -> dict[str, list[dict]]:
    """The record tables sorted by subject, then date and sequence of the first event read
    from them, as ADaM data are: sqlprep can then prove the order (sorted_proof) and the
    script picks occurrences by row number."""
    out = dict(tables)
    for ev in model.events:
        if ev.derived or ev.date is not None:  # another endpoint's rows, a derived date: no input table
            continue
        table = model.table(ev.table)
        if table.per_subject or ev.table not in tables or out[ev.table] is not tables[ev.table]:
            continue

        def order(row, ev=ev, key=table.key):
            day = parse_date(normalise(row.get(ev.column)))[0]
            seq = as_number(normalise(row.get(ev.sequence))) if ev.sequence else 0.0
            return (subject_key(row.get(key)) or "", day or dt.date.max, math.inf if seq is None else seq)

        out[ev.table] = sorted(tables[ev.table], key=order)
    return out


# The sorted-table runs repeat the three-way test on another input order: a third of the
# profile's examples keeps the default suite under five minutes (heavy: 1000 each).
SORTED_RUNS = settings(max_examples=max(20, settings.default.max_examples // 3))


@SORTED_RUNS
@given(table_cases(), FORMS)
def test_sql_picks_by_row_number_on_sorted_tables_as_the_others_do(case, form):
    desc, tables = case
    three_way((desc, in_occurrence_order(compile_text(desc.text).model, tables)), form)


IMPUTED = """
table adsl: one row per subject
table adrs: many rows per subject
event rand = adsl.RANDDT
event death = adsl.DTHDT
event assessment = adrs.ADTC sequence ASEQ impute first
endpoint FIRST "to the first assessment"
  from rand
  to assessment
  censor at origin cnsr 1
end
endpoint LAST "censored at the last assessment"
  from rand
  to death
  censor at last assessment cnsr 1
end
"""


@pytest.mark.parametrize("partial", ["first", "last"])
def test_row_number_picks_keep_a_missing_imputation_flag(partial):
    """Sorted input picks by row number; the flag of a complete date is missing (NULL), and
    must stay missing even when another row of the subject has a flag (D)."""
    compiled = compile_text(IMPUTED)
    dates = ["2024-02", "2024-03-10"] if partial == "first" else ["2024-02-10", "2024-03"]
    adsl = pd.DataFrame({"USUBJID": ["S1"], "RANDDT": ["2024-01-01"], "DTHDT": [None]})
    adrs = pd.DataFrame({"USUBJID": ["S1", "S1"], "ADTC": dates, "ASEQ": [1, 2]})
    tables = {"adsl": adsl, "adrs": adrs}
    program = generate_sql(compiled.model)
    assert any(t == "adrs" for t, _, _ in program.sorted_checks.values())
    sql = compiled.run(tables, engine="sql")
    assert_same(sql, compiled.run(tables, engine="compiled"))
    flags = {
        code: None if pd.isna(f) else f for code, f in zip(sql.adtte.PARAMCD, sql.adtte.ADTF, strict=True)
    }
    assert flags == ({"FIRST": "D", "LAST": None} if partial == "first" else {"FIRST": None, "LAST": "D"})


@SORTED_RUNS
@given(table_cases(responses=True, reldates=True), FORMS)
def test_the_three_agree_on_relative_dates(case, form):
    """reldates: `date NAME = ...` and inline relative dates (`first E after F`, `the 2nd E`,
    `D + 30 days`) in every date position; the SQL engine derives them set-based."""
    three_way(case, form)


# Half the profile's examples (75 in CI; heavy: 1500): the suite's slowest test, each case a
# whole file of response and derived-event endpoints on three engines.
@settings(max_examples=max(20, settings.default.max_examples // 2))
@given(table_cases(responses=True), FORMS)
def test_the_three_agree_on_files_with_response_endpoints_and_derived_events(case, form):
    """Response and incidence endpoints, and endpoints reading their rows, are derived per
    subject inside an SQL run: the merged output must be the whole-file output."""
    three_way(case, form)


@SORTED_RUNS
@given(table_cases(responses=True), FORMS)
def test_incidence_picks_by_row_number_on_sorted_tables_as_the_others_do(case, form):
    """Incidence endpoints are derived in SQL: on tables in occurrence order their first
    occurrence in the window is picked by row number (generate_sql's `proven`)."""
    desc, tables = case
    three_way((desc, in_occurrence_order(compile_text(desc.text).model, tables)), form)


@pytest.mark.parametrize(
    ("ept", "data"),
    [
        ("her2_cart_trastuzumab.ept", "data"),
        ("fda_pfs.ept", "fda_data"),
        ("pharmaverse/adtte.ept", "pharmaverse/data"),
        ("pharmaverse/adrs.ept", "pharmaverse/data"),
        ("her2_pdl1_cart.ept", "her2_pdl1_cart"),
    ],
)
def test_sql_backend_reproduces_the_examples(ept, data):
    compiled = endpointdsl.load(EXAMPLES / ept)
    tables = read_tables(EXAMPLES / data, list(compiled.namespace["TABLES"]))
    sql = compiled.run(tables, engine="sql")
    assert len(sql.adtte) > 0
    assert_same(sql, compiled.run(tables, engine="compiled"))


def test_an_endpoint_the_sql_backend_does_not_translate_is_derived_per_subject():
    compiled = endpointdsl.load(EXAMPLES / "her2_cart_trastuzumab.ept")
    tables = read_tables(EXAMPLES / "data", list(compiled.namespace["TABLES"]))
    program = generate_sql(compiled.model, force_fallback=("PFS", "OS"))
    # CBR and ORR (best overall response) are translated since issue 13 (engines/sql/best.py)
    assert program.fallback == {"PFS": "forced", "OS": "forced"}
    assert "-- PFS: derived by the per-subject functions (forced)" in program.text
    mixed = run_sql(compiled.model, tables, compiled.namespace["ENDPOINTS"], force_fallback=("PFS", "OS"))
    # adam: CompiledFile.run completes any engine's records (STUDYID, PARAMN) in one place
    assert_same(compiled.complete(tables, mixed), compiled.run(tables, engine="compiled"))


def test_python_whitespace_is_what_rstrip_strips():
    assert PY_WHITESPACE == "".join(chr(i) for i in range(sys.maxunicode + 1) if chr(i).isspace())


# ---- nothing from a .ept file is SQL ----------------------------------------------------------

INJECTION = """
table adsl: one row per subject
table adrs: many rows per subject
event rand = adsl.RANDDT label "{label}"
event resp = adrs.ADT where AVALC = "{value}" or AVALC in ("{value}", "x") sequence ASEQ label "{label}"
endpoint X "{label}"
  from rand
  to resp evntdesc "{label}"
  censor at origin cnsr 1 evntdesc "{label}" cnsdtdsc "{label}"
end
"""
PIECES = [
    "'",
    "''",
    ";",
    "--",
    "/*",
    "*/",
    "\\\\",
    '\\"',
    "\x00",
    "\n",
    "é",
    "a",
    " ",
    "$$",
    "DROP TABLE adtte",
]
NASTY = st.lists(st.sampled_from(PIECES), min_size=1, max_size=8).map("".join)


@settings(max_examples=25)
@given(label=NASTY, value=NASTY)
def test_texts_from_the_file_reach_sql_only_as_literals(label, value):
    program = INJECTION.format(label=label, value=value)
    try:
        compiled = compile_text(program)
    except endpointdsl.EptError:
        return  # a text the language itself refuses
    rows = compiled.model.event("resp").where.left.literal.value
    tables = {
        "adsl": pd.DataFrame({"USUBJID": ["S1", "S2"], "RANDDT": ["2020-01-01", "2020-01-01"]}),
        "adrs": pd.DataFrame({"USUBJID": ["S1"], "ADT": ["2020-01-05"], "AVALC": [rows], "ASEQ": [1]}),
    }
    sql = compiled.run(tables, engine="sql")
    assert_same(sql, compiled.run(tables, engine="compiled"))
    matched = value == value.rstrip()  # a cell's trailing blanks are not part of its value
    assert sql.adtte.CNSR.tolist() == [0 if matched else 1, 1]


def test_a_file_name_cannot_leave_its_comment():
    model = endpointdsl.check_text(INJECTION.format(label="a", value="b"), "x\nDROP TABLE adtte; --.ept")
    program = generate_sql(model)
    assert "\nDROP" not in program.text
    for line in program.text.splitlines():
        assert "DROP" not in line or line.index("DROP") > line.index("--"), line


def test_text_literals():
    assert text("it's") == "'it''s'"
    assert text("a\x00b") == "'a' || chr(0) || 'b'"
    assert text(None) == "CAST(NULL AS VARCHAR)"


# ---- the ends of the calendar ------------------------------------------------------------------

EDGES = """
table adsl: one row per subject
event rand = adsl.RANDDT
event death = adsl.DTHDT
endpoint A "fixed"
  from rand
  to death
  censor at death cnsr 1
  horizon 3 years
  ascertainment: continuous
end
endpoint B "calendar, exclusive"
  from rand
  to death
  censor at death cnsr 1
  horizon 2 calendar months exclusive cnsr 7
  ascertainment: continuous
end
endpoint C "cut-off"
  from rand
  to death
  censor at origin cnsr 1
  cutoff 0001-01-01 exclusive
end
"""


def test_dates_at_the_ends_of_the_calendar_agree():
    compiled = compile_text(EDGES)
    adsl = pd.DataFrame(
        {
            "USUBJID": ["S1", "S2", "S3", "S4", "S5"],
            "RANDDT": [
                dt.date(9999, 12, 20),
                dt.date(9999, 11, 30),
                dt.date(1, 1, 1),
                "2024-01-31",
                "2023-12-31",
            ],
            "DTHDT": [dt.date(9999, 12, 31), None, None, "2024-05-01", "2024-02-29"],
        }
    )
    sql = compiled.run({"adsl": adsl}, engine="sql")
    assert_same(sql, compiled.run({"adsl": adsl}, engine="interpreter"))


INCIDENCE = """
table adsl: one row per subject
table adae: many rows per subject
event trt = adsl.TRTSDT
event base = adsl.BLDT
event alive = adsl.LSTALVDT
event death = adsl.DTHDT
event ae = adae.ASTDT where AEREL = "Y" sequence AESEQ
endpoint D0 "day 0 numbering"
  from trt
  origin is day 0
  occurrence of ae from day 0 through day 28
end
endpoint D1 "day 1 numbering, from before the origin"
  from trt
  origin is day 1
  occurrence of ae from day -7 through day 28
end
endpoint EV "from baseline, evaluable if alive at the window end"
  from trt
  origin is day 0
  occurrence of ae from base through day 28
  evaluable if occurred or alive reaches window end
end
endpoint H "window cut by the end of observation"
  from trt
  origin is day 0
  horizon 14 days
  occurrence of ae from day 0 through day 28
end
endpoint DTH "a subject-level event in the window"
  from trt
  origin is day 1
  occurrence of death from day 1 through day 28
end
"""

# origin 2024-01-10 (except S09: none): day 28 is 2024-02-07 under `origin is day 0`,
# 2024-02-06 under `origin is day 1`; day -7 is 2024-01-03 under both.
INCIDENCE_ADSL = [
    # USUBJID, TRTSDT, BLDT, LSTALVDT, DTHDT
    ("S01", "2024-01-10", "2024-01-05", "2024-06-01", "2024-02-06"),
    ("S02", "2024-01-10", "2024-01-05", "2024-06-01", "2024-02-07"),
    ("S03", "2024-01-10", "2024-01-05", "2024-06-01", None),
    ("S04", "2024-01-10", "2024-01-03", "2024-06-01", None),
    ("S05", "2024-01-10", "2024-01-05", "2024-06-01", None),
    ("S06", "2024-01-10", "2024-01-05", None, None),
    ("S07", "2024-01-10", "2024-01-05", "2024-02-06", None),
    ("S08", "2024-01-10", "2024-01-05", "2024-02-07", None),
    ("S09", None, "2024-01-05", "2024-06-01", None),
    ("S10", "2024-01-10", None, "2024-06-01", None),
    ("S11", "2024-01-10", "2024-01-05", "2024-06-01", None),
    ("S12", "2024-01-10", "2024-01-05", "2024-06-01", None),
]
INCIDENCE_ADAE = [
    # USUBJID, AESEQ, ASTDT, AEREL
    ("S01", 1, "2024-01-10", "Y"),  # day 0 / day 1: the window's first day
    ("S02", 1, "2024-02-07", "Y"),  # day 28 (origin is day 0), day 29 (day 1); after the horizon
    ("S03", 1, "2024-02-08", "Y"),  # one day after every window
    ("S04", 1, "2024-01-03", "Y"),  # day -7: the first day of D1's window, and the baseline
    ("S05", 1, "2024-01-02", "Y"),  # day -8: before every window
    ("S11", 2, "2024-01-20", "Y"),
    ("S11", 5, "2024-01-15", "Y"),
    ("S11", 3, "2024-01-15", "Y"),  # the first occurrence: earliest date, then lowest sequence
    ("S11", 4, "2024-01-12", "N"),  # not related
    ("S12", 1, "2024-01-11", "N"),
    ("S12", 2, "2024-13-01", "Y"),  # no usable date: a finding
]


@pytest.mark.parametrize("arrow", [False, True])
@pytest.mark.parametrize("in_order", [False, True])
def test_incidence_windows_in_sql_agree_with_the_compiled_functions(arrow, in_order):
    """Window ends, day 0 and day 1 numbering, a window from before the origin, the end of
    observation inside the window, the evaluable rule and its texts, a missing origin or
    window start: set-wise as per subject. `in_order`: adae sorted by subject, date and
    sequence, so that the script picks the first occurrence by row number."""
    compiled = compile_text(INCIDENCE)
    program = generate_sql(compiled.model)
    assert program.fallback == {}
    assert program.endpoints == ("D0", "D1", "EV", "H", "DTH")
    adsl = pd.DataFrame(INCIDENCE_ADSL, columns=["USUBJID", "TRTSDT", "BLDT", "LSTALVDT", "DTHDT"])
    adae = pd.DataFrame(INCIDENCE_ADAE, columns=["USUBJID", "AESEQ", "ASTDT", "AEREL"])
    if in_order:
        adae = adae.sort_values(["USUBJID", "ASTDT", "AESEQ"], ignore_index=True)
    [(table, day, seq)] = program.sorted_checks.values()
    assert table == "adae"
    prepared = prepare_table(adae, "USUBJID", program.needs["adae"])
    assert sorted_proof(prepared, day, seq) is in_order

    def tables():
        out = {"adsl": adsl.copy(), "adae": adae.copy()}
        return {n: f.convert_dtypes(dtype_backend="pyarrow") for n, f in out.items()} if arrow else out

    sql = compiled.run(tables(), engine="sql")
    assert_same(sql, compiled.run(tables(), engine="compiled"))
    assert_same(sql, compiled.run(tables(), engine="interpreter"))
    got = {
        (r.USUBJID, r.PARAMCD): (r.AVALC, None if pd.isna(r.ADT) else str(r.ADT))
        for r in sql.adtte.itertuples()
    }
    assert got[("S01", "D0")] == got[("S01", "D1")] == got[("S01", "H")] == ("Y", "2024-01-10")
    assert got[("S02", "D0")] == ("Y", "2024-02-07") and got[("S02", "D1")] == ("N", None)
    assert got[("S02", "H")] == ("N", None)
    assert got[("S03", "D0")] == got[("S03", "D1")] == ("N", None)
    assert got[("S04", "D0")] == ("N", None)
    assert got[("S04", "D1")] == got[("S04", "EV")] == ("Y", "2024-01-03")
    assert got[("S05", "D1")] == ("N", None)
    assert got[("S08", "EV")] == ("N", None)
    assert got[("S11", "D0")] == ("Y", "2024-01-15")
    assert sql.adtte.set_index(["USUBJID", "PARAMCD"]).loc[("S11", "D0"), "SRCSEQ"] == 3
    assert got[("S01", "DTH")] == ("Y", "2024-02-06") and got[("S02", "DTH")] == ("N", None)
    excluded = {(r.USUBJID, r.PARAMCD): r.MESSAGE for r in sql.excluded.itertuples()}
    window = "not evaluable: no ae from base through day 28, and alive"
    assert excluded[("S06", "EV")] == f"{window} has no date"
    assert excluded[("S07", "EV")] == f"{window} is 2024-02-06, before the window end 2024-02-07"
    assert excluded[("S09", "D0")] == "no origin date: trt has no usable date"
    assert excluded[("S10", "EV")] == "no window start date: base has no usable date"
    assert ("S10", "D0") not in excluded
    assert any("S12" == r.USUBJID and "no usable ASTDT" in r.MESSAGE for r in sql.findings.itertuples())


INCIDENCE_EDGES = """
table adsl: one row per subject
table adae: many rows per subject
event trt = adsl.TRTSDT
event alive = adsl.LSTALVDT
event ae = adae.ASTDT sequence AESEQ
endpoint A "days before and after the origin"
  from trt
  origin is day 1
  occurrence of ae from day -7 through day 28
end
endpoint B "a window wider than the observation"
  from trt
  origin is day 0
  horizon 10 days
  occurrence of ae from day -40 through day 40
end
endpoint C "evaluable if alive on the last day"
  from trt
  origin is day 0
  occurrence of ae from day 1 through day 28
  evaluable if occurred or alive reaches window end
end
"""


def test_incidence_windows_at_the_ends_of_the_calendar_agree():
    """A window day beyond the calendar is held at its first or last day (the runtime's shift)."""
    compiled = compile_text(INCIDENCE_EDGES)
    first, last = dt.date(1, 1, 1), dt.date(9999, 12, 31)
    late = dt.date(9999, 12, 20)
    adsl = pd.DataFrame({"USUBJID": ["S1", "S2", "S3", "S4", "S5", "S6"],
                         "TRTSDT": [dt.date(1, 1, 3), late, first, last, late, late],
                         "LSTALVDT": [first, last, first, last, dt.date(9999, 12, 30), last]})  # fmt: skip
    adae = pd.DataFrame({"USUBJID": ["S1", "S1", "S2", "S2", "S3", "S4"], "AESEQ": [1, 2, 1, 2, 1, 1],
                         "ASTDT": [first, dt.date(1, 1, 2), last, dt.date(9999, 12, 29), first, last]})  # fmt: skip
    sql = compiled.run({"adsl": adsl, "adae": adae}, engine="sql")
    got = dict(zip(sql.adtte.USUBJID + sql.adtte.PARAMCD, sql.adtte.AVALC, strict=True))
    assert got == {"S1A": "Y", "S1B": "Y", "S2A": "Y", "S2B": "Y", "S2C": "Y", "S3A": "Y", "S3B": "Y",
                   "S4A": "Y", "S4B": "Y", "S4C": "Y", "S5A": "N", "S5B": "N", "S6A": "N", "S6B": "N",
                   "S6C": "N"}  # fmt: skip
    # S1, S3: no AE from day 1; S6: day 28 is held at 9999-12-31, the day it is alive: N
    excluded = dict(zip(sql.excluded.USUBJID + sql.excluded.PARAMCD, sql.excluded.MESSAGE, strict=True))
    assert set(excluded) == {"S1C", "S3C", "S5C"}
    assert excluded["S5C"].endswith("alive is 9999-12-30, before the window end 9999-12-31")
    assert_same(sql, compiled.run({"adsl": adsl, "adae": adae}, engine="compiled"))
    assert_same(sql, compiled.run({"adsl": adsl, "adae": adae}, engine="interpreter"))


def test_an_incidence_endpoint_has_no_no_origin_clause():
    """`no origin: not assessed` belongs to best response only: a subject without an origin
    is always excluded from an incidence endpoint, so the SQL needs no such branch."""
    text = INCIDENCE.replace("occurrence of death from day 1 through day 28",
                             "occurrence of death from day 1 through day 28\n  no origin: not assessed")  # fmt: skip
    with pytest.raises(endpointdsl.EptError, match="E183"):
        compile_text(text)


def test_incidence_endpoints_reading_derived_events_are_derived_in_sql():
    compiled = endpointdsl.load(EXAMPLES / "her2_pdl1_cart.ept")
    program = generate_sql(compiled.model)
    assert "TRAE28" in program.endpoints and "DLT" in program.endpoints
    assert "TRAE28" not in program.fallback and "DLT" not in program.fallback
    assert 'CREATE OR REPLACE TEMP TABLE "res_TRAE28"' in program.text
    text = (
        (EXAMPLES / "her2_pdl1_cart.ept").read_text()
        + """
event responded = ORRM1.ADT where AVALC = "Y"
endpoint RAE "related AE within 28 days of a month-1 response"
  from infusion
  origin is day 0
  occurrence of responded from day 0 through day 28
end
"""
    )
    program = generate_sql(compile_text(text).model)
    # issue 16: ORRM1 is derived first, and RAE reads its records (engines/sql/derived.py)
    assert "RAE" in program.endpoints and program.fallback == {}
    assert program.text.index('VIEW "rows_ORRM1"') < program.text.index('VIEW "occ_responded"')


# ---- command line ------------------------------------------------------------------------------


def test_compile_target_sql_prints_the_script_with_ept_lines(tmp_path, capsys):
    from endpointdsl.cli import main

    seed = EXAMPLES / "her2_cart_trastuzumab.ept"
    assert main(["compile", str(seed), "--target", "sql"]) == 0
    printed = capsys.readouterr().out
    program = generate_sql(endpointdsl.load(seed).model)
    assert printed == program.text
    lines = printed.splitlines()
    for gen_line, ept_line in program.line_map.items():
        assert lines[gen_line - 1].endswith(f"-- her2_cart_trastuzumab.ept:{ept_line}")
    assert 'CREATE OR REPLACE TEMP TABLE "res_PFS"' in printed
    target = tmp_path / "her2.sql"
    assert main(["compile", str(seed), "--target", "sql", "-o", str(target)]) == 0
    assert target.read_text() == printed


def test_run_engines_write_the_same_files(tmp_path):
    from endpointdsl.cli import main

    seed, data = EXAMPLES / "fda_pfs.ept", EXAMPLES / "fda_data"
    outputs = {}
    for engine in ("sql", "compiled", "interpreter"):
        out = tmp_path / f"{engine}.csv"
        assert main(["run", str(seed), "--data", str(data), "--out", str(out), "--engine", engine]) == 0
        outputs[engine] = (out.read_text(), out.with_suffix(".report.csv").read_text())
    assert outputs["sql"] == outputs["compiled"] == outputs["interpreter"]


def test_run_from_parquet_with_response_endpoints_writes_what_the_compiled_engine_writes(tmp_path):
    """Parquet columns reach the SQL engine as Arrow arrays, and the per-subject functions
    that derive its response and incidence endpoints must read them the same."""
    from endpointdsl.cli import main

    seed = EXAMPLES / "her2_pdl1_cart.ept"
    names = list(endpointdsl.load(seed).namespace["TABLES"])
    data = tmp_path / "data"
    data.mkdir()
    typed = 0
    for name, frame in read_tables(EXAMPLES / "her2_pdl1_cart", names).items():
        for column in frame.columns:  # full ISO dates as Parquet dates, the rest as text
            dates = pd.to_datetime(frame[column], format="%Y-%m-%d", errors="coerce")
            if column.endswith("DT") and dates.notna().sum() == frame[column].notna().sum():
                frame[column] = dates.dt.date
                typed += 1
        frame.to_parquet(data / f"{name}.parquet")
    assert typed >= 3
    outputs = {}
    for engine, folder in (("sql", data), ("compiled", data), ("interpreter", EXAMPLES / "her2_pdl1_cart")):
        out = tmp_path / f"{engine}.csv"
        assert main(["run", str(seed), "--data", str(folder), "--out", str(out), "--engine", engine]) == 0
        outputs[engine] = [out.with_suffix(s).read_text() for s in (".csv", ".report.csv", ".summary.csv")]
    assert "TRAE28" in outputs["sql"][0] and "DDC" in outputs["sql"][0]
    assert outputs["sql"] == outputs["compiled"] == outputs["interpreter"]


def test_help_starts_without_importing_duckdb_or_pandas():
    import subprocess

    probe = "import sys, endpointdsl.cli; print(sorted({'duckdb', 'pandas', 'pyarrow'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_many_subjects_on_several_threads_come_back_in_order():
    """Above engines.sql.run.SMALL rows DuckDB runs on every core and no table keeps its row order:
    the output must still be sorted as run_tables sorts it."""
    import numpy as np

    compiled = endpointdsl.load(EXAMPLES.parent / "benchmarks" / "pfs.ept")
    rng = np.random.default_rng(5)
    n, visits = 6000, 9
    ids = [f"P{i:05d}" for i in rng.permutation(n)]
    start = pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 365, n), unit="D")
    adsl = pd.DataFrame({"USUBJID": ids, "RANDDT": start.date, "DTHDT": None})
    dead = rng.random(n) < 0.3
    adsl.loc[dead, "DTHDT"] = (start[dead] + pd.Timedelta(days=300)).date
    rows = np.repeat(np.arange(n), visits)
    adrs = pd.DataFrame(
        {
            "USUBJID": np.array(ids)[rows],
            "PARAMCD": "OVR",
            "ADT": (start[rows] + pd.to_timedelta(42 * (np.tile(np.arange(visits), n) + 1), unit="D")).date,
            "AVALC": rng.choice(["CR", "PR", "SD", "NE", "PD"], size=n * visits),
            "ASEQ": np.tile(np.arange(1, visits + 1), n),
        }
    ).sample(frac=1, random_state=1)
    tables = {"adsl": adsl, "adrs": adrs}
    sql = compiled.run(tables, engine="sql")
    assert len(sql.adtte) == n and sql.adtte.USUBJID.is_monotonic_increasing
    assert_same(sql, compiled.run(tables, engine="compiled"))


def test_a_large_result_comes_back_sorted():
    """A result DuckDB writes in parallel (500,000 records) still comes back in run_tables' order:
    a table keeps no row order, so the order is the reading query's (found at 1M subjects)."""
    import numpy as np

    compiled = compile_text(EDGES)
    n = 250_000
    ids = np.array([f"S{i:06d}" for i in np.random.default_rng(3).permutation(n)])
    adsl = pd.DataFrame({"USUBJID": ids, "RANDDT": "2020-01-01", "DTHDT": "2021-01-01"})
    adtte = compiled.run({"adsl": adsl}, engine="sql").adtte
    assert len(adtte) == 2 * n  # C: the cut-off ends observation before every origin
    keys = list(zip(adtte.USUBJID, adtte.PARAMCD.map({"A": 0, "B": 1, "C": 2}), strict=True))
    assert keys == sorted(keys)


def test_text_columns_with_no_character_at_all():
    from endpointdsl.engines.sql.prepare import prepare_table

    # pandas 3's default "str" dtype, and StringDtype (before pandas 3, "str" means object
    # and turns None into the text 'None')
    dtypes = ["string", "str"] if int(pd.__version__.split(".")[0]) >= 3 else ["string"]
    for dtype, values in itertools.product(dtypes, ([None, None], ["", None], ["", ""])):
        frame = pd.DataFrame({"USUBJID": pd.array(values, dtype=dtype), "X": pd.array(values, dtype=dtype)})
        table = prepare_table(frame, "USUBJID", {("X", "text")})
        assert table["__key"].to_pylist() == [None, None]
        assert table["X__text"].to_pylist() == [None, None]


@SORTED_RUNS
@given(table_cases(responses=True, groups=True), FORMS)
def test_the_three_agree_on_grouped_endpoints(case, form):
    """groups (issue 13): `for each COLUMN of EVENT` endpoints, one parameter per value; the
    SQL engine derives them set-based, in a second pass keyed by (value, subject)."""
    three_way(case, form)


@SORTED_RUNS
@given(value_cases(), FORMS)
def test_the_three_agree_on_value_endpoints(case, form):
    """value endpoints (issue 14): generated series with duplicate times, BLQ runs, subjects
    all below the LLOQ or with one sample, odd cells and shuffled rows; every statistic."""
    three_way(case, form)
