"""perf (issue 16): the vectorised paths around the engines give what the cell-by-cell
reading gives. Expected values are worked out by hand from the tables below."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import event, given, settings
from sql_paths import same_with_and_without
from strategies import table_cases
from test_differential import compile_text, frames, rejected

from endpointdsl.api import CompiledFile, check_text
from endpointdsl.data.datecheck import column_problem, distinct_values, usable
from endpointdsl.data.dates import FORMATS, ISO
from endpointdsl.engines.sql import prepare
from endpointdsl.engines.sql import run as sql_run
from endpointdsl.engines.sql.proofs import fact

PROGRAM = """table adsl: one row per subject
table adrs: many rows per subject
event rand = adsl.RANDDT
event alive = adsl.LSTALVDT
event death = adrs.ADT where PARAMCD = "DEATH"
endpoint OS "Overall survival"
  from rand
  to death
  censor at alive cnsr 1
end
keep AGE, ARM as TRTP from adsl
"""


@pytest.mark.parametrize("engine", ["compiled", "sql"])
@pytest.mark.parametrize(
    "keys",
    [
        pd.Series([" S1", "S2\u3000", "S3"], dtype=object),  # blanks around keys: texts, trimmed
        pd.Series([" S1", "S2\u3000", "S3"], dtype="string[pyarrow]"),
        pd.Series([1.0, 2.0, 3.0]),  # whole numbers read as "1": the cell-by-cell path
    ],
)
def test_kept_columns_follow_each_record_to_its_subject_row(engine, keys):
    names = ["S1", "S2", "S3"] if keys.dtype != "float64" else ["1", "2", "3"]
    adsl = pd.DataFrame(
        {
            "USUBJID": keys,
            "RANDDT": ["2020-01-01"] * 3,
            "LSTALVDT": ["2020-03-01", "2020-04-01", "2020-05-01"],
            "AGE": [61, 52, 43],
            "ARM": ["A", "B", "A"],
        }
    )
    adrs = pd.DataFrame({"USUBJID": [names[1]], "PARAMCD": ["DEATH"], "ADT": ["2020-02-01"]})
    adrs["USUBJID"] = adrs.USUBJID.astype(object)
    result = CompiledFile.from_model(check_text(PROGRAM)).run({"adsl": adsl, "adrs": adrs}, engine=engine)
    adtte = result.adtte
    assert adtte.USUBJID.tolist() == names
    assert adtte.AGE.tolist() == [61, 52, 43]
    assert adtte.TRTP.tolist() == ["A", "B", "A"]
    assert adtte.PARAMN.tolist() == [1, 1, 1]
    # origin is day 1 (the default): S2 dies 31 days after, on day 32; S1 and S3 censored
    assert adtte.AVAL.tolist() == [61.0, 32.0, 122.0]


@pytest.mark.parametrize(
    "values",
    [
        ["2020-01-02", None, "2020-01-02 ", "x", "", "2020-01-02"],
        [dt.date(2020, 1, 2), None, dt.date(2020, 1, 1), dt.date(2020, 1, 2)],
        [3, 1, None, 3, 3],
        [True, False, None, True],
    ],
)
def test_date_check_counts_an_arrow_column_as_its_python_values(values):
    """datecheck.distinct_values counts an Arrow column with Arrow's kernel; the cell-by-cell
    count of the same values as Python objects is the oracle (a blank text is missing)."""
    arrow = pd.Series(pa.array(values).to_pandas(types_mapper=pd.ArrowDtype))
    python = pd.Series(values, dtype=object)
    assert isinstance(arrow.dtype, pd.ArrowDtype)
    expected = {}
    for v in values:
        v = v.rstrip() or None if isinstance(v, str) else v
        if v is not None:
            expected[(type(v), v)] = expected.get((type(v), v), 0) + 1
    assert distinct_values(arrow) == [(v, n) for (_, v), n in expected.items()]
    assert distinct_values(python) == distinct_values(arrow)


@pytest.mark.parametrize("fmt", [None, *(f for f in FORMATS if f != ISO)])
@pytest.mark.parametrize("imputes", [False, True, "day"])
def test_date_check_skips_an_arrow_date_column_where_the_count_finds_nothing(fmt, imputes):
    """datecheck.column_problem skips counting an Arrow date column (every reading takes a
    date as it is); the same dates as Python objects, counted and read one by one, are the
    oracle: no value unusable in any format or imputation, so no problem either way."""
    dates = [dt.date(2020, 1, 2), None, dt.date(1960, 1, 1), dt.date(9999, 12, 31)] * 3
    arrow = pd.DataFrame({"ADT": pa.array(dates, pa.date32()).to_pandas(types_mapper=pd.ArrowDtype)})
    python = pd.DataFrame({"ADT": pd.Series(dates, dtype=object)})
    by_reading = {(fmt, imputes): [("e", 1)]}
    assert all(usable(v, fmt, imputes) for v, _ in distinct_values(python.ADT))
    assert column_problem("adrs", python, "ADT", by_reading, "f.ept") is None
    assert column_problem("adrs", arrow, "ADT", by_reading, "f.ept") is None
    texts = pd.DataFrame({"ADT": pa.array(["x"] * 6, pa.string()).to_pandas(types_mapper=pd.ArrowDtype)})
    assert column_problem("adrs", texts, "ADT", by_reading, "f.ept") is not None  # not a date column: counted


# ---- facts (generate.Facts, proofs.fact): a check is skipped only when it finds nothing ----


def prepared(keys: list, dates: list | None = None) -> pa.Table:
    columns = {"__key": pa.array(keys, pa.string())}
    if dates is not None:
        columns["ADT__date"] = pa.array(dates, pa.date32())
    return pa.table(columns)


def test_each_fact_is_proven_only_when_it_holds():
    day = dt.date(2024, 1, 1)
    subject = prepared(["A", "B", None])
    assert fact("complete", prepared(["A", "A"], [day, day]), "ADT__date", subject) is True
    assert fact("complete", prepared(["A", "A"], [day, None]), "ADT__date", subject) is False
    assert fact("complete", prepared(["A", None]), "__key", subject) is False
    assert fact("unique", prepared([None, "A", None, "B"]), None, subject) is True
    assert fact("unique", prepared(["A", "A"]), None, subject) is False
    assert fact("unique", prepared(["B", "A"]), None, subject) is False  # not sorted: not proven
    assert fact("within", prepared(["A", "A", None, "B", "B"]), None, subject) is True
    assert fact("within", prepared(["A", "C", "C"]), None, subject) is False
    assert fact("within", prepared(["B", "A", "C", "A"]), None, subject) is False  # unsorted, C orphan
    assert fact("within", prepared(["B", "A", "B"]), None, prepared(["A", "B"])) is True


@settings(max_examples=20)
@given(table_cases())
def test_a_run_with_facts_proven_equals_the_run_that_checks_everything(case):
    """The generated tables (duplicate subjects, rows without a key, orphans, unusable dates
    in some cases, clean in others): the run that skips proven checks gives what the run
    without any fact proven gives."""
    desc, tables = case
    if rejected(desc):
        return
    compiled = compile_text(desc.text)
    data = frames(desc, tables)
    proven = same_with_and_without(compiled, data, "fact", lambda *_: False)
    if proven is not None:
        event(f"facts proven: {sorted(set(proven))}")  # both kinds of run: hypothesis' statistics


def test_duckdb_gets_half_the_memory_unless_told(monkeypatch):
    """The default memory limit is half of MemTotal (/proc/meminfo, read here independently);
    ENDPOINTDSL_MEMORY_LIMIT overrides it."""
    import pathlib

    meminfo = pathlib.Path("/proc/meminfo")
    if not meminfo.exists():
        pytest.skip("no /proc/meminfo on this system")
    total_kib = next(int(line.split()[1]) for line in meminfo.read_text().splitlines() if "MemTotal" in line)
    units = {"KiB": 2**10, "MiB": 2**20, "GiB": 2**30, "TiB": 2**40}

    def limit() -> float:
        con = sql_run.connect()
        try:
            number, unit = con.sql("SELECT current_setting('memory_limit')").fetchall()[0][0].split()
        finally:
            con.close()
        return float(number) * units[unit]

    monkeypatch.delenv("ENDPOINTDSL_MEMORY_LIMIT", raising=False)
    assert limit() == pytest.approx(total_kib * 1024 / 2, rel=0.01)
    monkeypatch.setenv("ENDPOINTDSL_MEMORY_LIMIT", "300MB")
    assert limit() == pytest.approx(300e6, rel=0.01)


@pytest.mark.parametrize(
    "text, needs",
    [
        (pa.array(["a", "b"]), False),
        (pa.array(["a", ""]), True),  # an empty text is missing
        (pa.array([None, "a"]), False),  # a null at offset 0 (its "last byte": the buffer's)
        (pa.array([None, ""]), True),
        (pa.array(["a ", "b"]), True),
        (pa.array(["a", "b\u3000"]), True),  # a blank of three UTF-8 bytes
        (pa.array(["x ", "a", "b"]).slice(1), False),  # a slice: its own texts only
        (pa.array(["a", "b", "c "]).slice(0, 2), False),
        (pa.array(["a", "b\t"], pa.large_string()), True),
        (pa.array(["a", ""], pa.large_string()), True),
        (pa.array(["a", "\u00fc"]), False),  # ends in 0xBC: looked up in the mask, not a blank's last byte
        (pa.array(["a", "b\u00a0"]), True),  # a no-break space (C2 A0)
        (pa.array(["a", "b\x1f"]), True),  # a control byte Python strips
        (pa.array(["a", "b", None]), False),  # a null last
    ],
)
def test_a_text_column_is_stripped_when_some_text_may_end_in_a_blank(text, needs):
    """prepare._needs_strip reads the Arrow buffers; rstrip() of each Python text is the oracle
    (a false True would only cost a strip: these cases are exact)."""
    assert any((v is not None and v.rstrip() != v) or v == "" for v in text.to_pylist()) == needs
    assert prepare._needs_strip(text) is needs


def test_the_blank_byte_masks_mark_only_control_space_or_multibyte_bytes():
    # prepare._any_of skips the masks for printable ASCII (0x21-0x7F): no blank has such a byte
    for mask in (prepare._BLANK_LAST, prepare._BLANK_FIRST):
        marked = [b for b in range(256) if mask[b]]
        assert marked and all(b <= 0x20 or b >= 0x80 for b in marked)
    for ch in prepare.PY_WHITESPACE:
        assert prepare._BLANK_LAST[ch.encode()[-1]] and prepare._BLANK_FIRST[ch.encode()[0]]


@pytest.mark.parametrize(
    "texts",
    [["A", " B", None], ["A", "\u3000B"], ["\u00fcA", "B"], ["A", "B", ""], [None, "A"], ["A", None, None]],
)
def test_subject_keys_lose_their_leading_blanks_as_python_strips_them(texts):
    text = pa.array(texts, pa.string())
    expected = [None if v is None else v.lstrip() for v in texts]
    assert prepare._lstrip(text).to_pylist() == expected
    assert prepare._lstrip(pa.array(["x", *texts], pa.string()).slice(1)).to_pylist() == expected


# ---- the subject-level events read in place when the subject keys are proven unique ------------

_PROVEN_PROGRAM = sql_run._proven_program


def _without_unique_keys(model, only, force_fallback, proven, programs):
    """The script with every fact proven but the subject keys' uniqueness: p0 joins occ_<event>."""
    return _PROVEN_PROGRAM(
        model, only, force_fallback, frozenset(p for p in proven if not p.startswith("unique keys:")), {}
    )


IN_PLACE = """table adsl: one row per subject
table adrs: many rows per subject
event rand = adsl.RANDDT label "Randomization"
event death = adsl.DTHDT where DTHFL = "Y" label "Death"
event pd = adrs.ADT where AVALC = "PD" sequence ASEQ
endpoint PFS "PFS"
  from rand
  to first of pd, death
  censor at rand cnsr 1
end
"""


def test_subject_level_events_are_read_in_place_when_the_keys_are_unique():
    """Worked out by hand: S1's death is selected (DTHFL Y), S2's is not (N), S3 has no
    usable date (a finding), S4 has no RANDDT (excluded); the run that reads adsl's rows in
    place equals the run that joins the occurrence views, and the compiled functions."""
    adsl = pd.DataFrame(
        {
            "USUBJID": ["S1", "S2", "S3", "S4"],
            "RANDDT": ["2020-01-01", "2020-01-01", "2020-01-01", None],
            "DTHDT": ["2020-03-01", "2020-02-01", "2020-02-31", None],
            "DTHFL": ["Y", "N", "Y", None],
        }
    )
    adrs = pd.DataFrame({"USUBJID": ["S2", "S3"], "ADT": ["2020-04-01", "2020-05-01"], "AVALC": ["PD", "SD"],
                         "ASEQ": ["1", "2"]})  # fmt: skip
    compiled = CompiledFile.from_model(check_text(IN_PLACE))
    data = {"adsl": adsl, "adrs": adrs}
    texts = same_with_and_without(compiled, data, "_proven_program", _without_unique_keys, lambda p: p.text)
    assert texts is not None and len(texts) == 1
    assert 'FROM (SELECT t.__key AS key, t.* FROM "src_adsl" AS t' in texts[0]
    sql = compiled.run(data, engine="sql")
    per_subject = compiled.run(data, engine="compiled")
    pd.testing.assert_frame_equal(sql.adtte, per_subject.adtte)
    pd.testing.assert_frame_equal(sql.report, per_subject.report)
    assert sql.adtte.AVAL.tolist() == [61.0, 92.0, 1.0]  # S1 death on day 61, S2 PD on day 92, S3 censored
    assert sql.adtte.CNSR.tolist() == [0, 0, 1]


@settings(max_examples=20)
@given(table_cases())
def test_a_run_reading_subject_rows_in_place_equals_the_run_that_joins_them(case):
    """Generated programs and tables: the script that reads the subject-level events in the
    subject rows (keys proven unique) gives what the script joining occ_<event> gives."""
    desc, tables = case
    if rejected(desc):
        return
    compiled = compile_text(desc.text)
    data = frames(desc, tables)
    in_place = same_with_and_without(
        compiled, data, "_proven_program", _without_unique_keys, lambda p: 't.* FROM "src_' in p.text
    )
    if in_place is not None:
        event(f"subject rows read in place: {in_place}")
