"""No silent empty events (issue 19, part 3): an event whose condition matches no row is
reported, a likely typo or a best response without any assessment is a finding, and every
engine reports alike (data.emptyevents, applied once in CompiledFile.complete)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from endpointdsl.api import CompiledFile, check_text, empty_events
from endpointdsl.cli import main
from endpointdsl.data import emptyevents
from endpointdsl.data.emptyevents import Probe
from endpointdsl.data.values import normalise

ENGINES = ("compiled", "interpreter", "sql")

ADSL = "USUBJID,RANDDT,LSTALVDT\n1,2020-01-01,2020-12-31\n2,2020-01-01,2021-03-01\n"
ADRS = (
    "USUBJID,PARAMCD,ADT,AVALC,ASEQ\n"
    "1,OVR,2020-03-01,PR,1\n1,OVR,2020-05-01,iCR,2\n2,OVR,2020-02-20,SD,3\n2,OVR,2020-04-20,PD,4\n"
)


def program(paramcd: str = "OVR", death: str = "DEATH") -> str:
    return f"""table adsl: one row per subject
table adrs: many rows per subject
event rand = adsl.RANDDT
event alive = adsl.LSTALVDT
event ovr = adrs.ADT where PARAMCD = "{paramcd}" response AVALC sequence ASEQ
event death = adrs.ADT where PARAMCD = "{death}" and AVALC in ("Y", "DEAD") sequence ASEQ
endpoint BOR "Best overall response"
  from rand
  best response of ovr
  sd at least 42 days after origin
end
endpoint OS "Overall survival"
  from rand
  to death
  censor at alive cnsr 1
end
"""


def tables() -> dict[str, pd.DataFrame]:
    from io import StringIO

    return {
        "adsl": pd.read_csv(StringIO(ADSL), dtype=str),
        "adrs": pd.read_csv(StringIO(ADRS), dtype=str),
    }


def reports(text: str) -> list[pd.DataFrame]:
    compiled = CompiledFile.from_model(check_text(text))
    return [compiled.run(tables(), engine=e).report for e in ENGINES]


def mine(report: pd.DataFrame) -> list[tuple[str, str]]:
    rows = report[report.MESSAGE.str.startswith("no row matches event ")]
    return list(zip(rows.STATUS, rows.MESSAGE, strict=True))


def test_an_event_without_rows_and_no_typo_is_a_warning_in_every_engine():
    found = [mine(r) for r in reports(program())]
    assert found[0] == found[1] == found[2]
    assert found[0] == [
        (
            "warning",
            'no row matches event death: adrs where PARAMCD = "DEATH" and AVALC in ("Y", "DEAD"); '
            '"DEATH" never occurs in PARAMCD (nearest: "OVR"); "Y" never occurs in AVALC (nearest: '
            '"PD", "PR", "SD"); "DEAD" never occurs in AVALC (nearest: "PD", "SD", "PR")',
        )
    ]
    a, b, c = reports(program())
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(a, c)


def test_a_misspelt_value_is_a_finding():
    (status, message), *_ = mine(reports(program(paramcd="OVR "))[0])
    assert status == "finding"
    assert '"OVR " never occurs in PARAMCD (nearest: "OVR")' in message
    assert "best response BOR has no assessment for any subject" in message


def test_an_event_with_rows_is_not_reported():
    text = program(death="OVR")  # OVR rows exist, but no AVALC "Y": still no row for death
    assert [s for s, _ in mine(reports(text)[0])] == ["warning"]
    text = text.replace('AVALC in ("Y", "DEAD")', 'AVALC in ("PD", "DEAD")')
    assert mine(reports(text)[0]) == []


def test_a_response_outside_the_criteria_is_a_finding_in_every_engine():
    compiled = CompiledFile.from_model(check_text(program()))
    found = []
    for engine in ENGINES:
        report = compiled.run(tables(), engine=engine).report
        rows = report[(report.STATUS == "finding") & report.MESSAGE.str.contains('"iCR" is not a RECIST 1.1')]
        found.append(rows.to_dict("records"))
    assert found[0] == found[1] == found[2]
    assert len(found[0]) == 1 and found[0][0]["USUBJID"] == "1"


def _files(tmp_path: Path, text: str) -> tuple[Path, Path]:
    data = tmp_path / "data"
    data.mkdir()
    (data / "adsl.csv").write_text(ADSL, encoding="utf-8")
    (data / "adrs.csv").write_text(ADRS, encoding="utf-8")
    ept = tmp_path / "trial.ept"
    ept.write_text(text, encoding="utf-8")
    return ept, data


@pytest.mark.parametrize("engine", ["sql", "compiled"])
def test_cli_a_misspelt_value_exits_3_under_fail_on_findings(tmp_path, capsys, engine):
    ept, data = _files(tmp_path, program(paramcd="OVR "))
    argv = ["run", str(ept), "--data", str(data), "--out", str(tmp_path / "out.csv"), "--engine", engine]
    assert main([*argv, "--fail-on-findings"]) == 3
    err = capsys.readouterr().err
    assert 'finding: no row matches event ovr: adrs where PARAMCD = "OVR "' in err
    assert '(nearest: "OVR")' in err


def test_cli_a_correct_event_without_rows_warns_and_exits_0(tmp_path, capsys):
    text = program().replace('event death = adrs.ADT where PARAMCD = "DEATH" and AVALC in ("Y", "DEAD")',
                             'event death = adrs.ADT where PARAMCD = "OVR" and AVALC = "DEAD"')  # fmt: skip
    ept, data = _files(tmp_path, text)
    argv = ["run", str(ept), "--data", str(data), "--out", str(tmp_path / "out.csv"), "--fail-on-findings"]
    # the iCR response is a finding of its own: without it, the run is clean but for the warning
    (data / "adrs.csv").write_text(ADRS.replace("iCR", "CR"), encoding="utf-8")
    assert main(argv) == 0
    err = capsys.readouterr().err
    assert 'warning: no row matches event death: adrs where PARAMCD = "OVR" and AVALC = "DEAD"' in err
    assert '"OVR" occurs in PARAMCD; "DEAD" never occurs in AVALC' in err
    report = pd.read_csv(tmp_path / "out.report.csv", dtype=str)
    assert (report.STATUS == "warning").sum() == 1


def test_cells_equal_in_python_but_read_apart_are_each_tested():
    """perf (issue 16): the check tests each distinct combination of cells once; True and 1
    are equal in Python (pandas would merge them) but read as "True" and "1", so the row
    with 1 matches `PARAMCD = "1"` and the event is not reported as empty."""
    frames = tables()
    frames["adrs"] = pd.DataFrame(
        {
            "USUBJID": ["1", "1", "2", "2"],
            "PARAMCD": pd.Series(["OVR", True, 1, "OVR"], dtype=object),
            "ADT": ["2020-03-01", "2020-04-01", "2020-02-20", "2020-04-20"],
            "AVALC": ["PR", "Y", "Y", "PD"],
            "ASEQ": ["1", "2", "3", "4"],
        }
    )
    compiled = CompiledFile.from_model(check_text(program(death="1")))
    for engine in ENGINES:
        assert mine(compiled.run(frames, engine=engine).report) == []
    frames["adrs"].loc[2, "PARAMCD"] = True  # now no row reads as "1"
    found = mine(compiled.run(frames, engine="compiled").report)
    assert [status for status, _ in found] == ["warning"]
    assert found[0][1].startswith("no row matches event death: adrs where")


# ---- issue 16: Arrow-backed tables (the SQL engine's) are read in Arrow, with the same result ----

ARROW_COLUMNS = {
    "text": (
        pa.string(),
        st.one_of(st.none(), st.sampled_from(["OVR", "OVR ", " OVR", "", "PD", "pd", "é"])),
    ),
    "large text": (pa.large_string(), st.one_of(st.none(), st.sampled_from(["a", "a ", "b"]))),
    "integer": (pa.int64(), st.one_of(st.none(), st.integers(-3, 3), st.just(2**62))),
    "date": (pa.date32(), st.one_of(st.none(), st.dates(dt.date(1999, 12, 30), dt.date(2000, 1, 2)))),
}


def _arrow_frame(columns: dict[str, tuple[pa.DataType, list]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            name: pd.arrays.ArrowExtensionArray(pa.chunked_array([pa.array(values, kind)]))
            for name, (kind, values) in columns.items()
        }
    )


@st.composite
def arrow_frames(draw):
    n = draw(st.integers(0, 30))
    names = draw(st.lists(st.sampled_from(sorted(ARROW_COLUMNS)), min_size=1, max_size=3, unique=True))
    return _arrow_frame({name: (ARROW_COLUMNS[name][0], draw(st.lists(ARROW_COLUMNS[name][1], min_size=n, max_size=n)))
                         for name in names})  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(arrow_frames(), st.data())
def test_arrow_rows_find_the_combinations_pandas_finds(frame, data):
    """The first row of each distinct combination and its Python values are those of the
    pandas path (distinct_rows, Series.tolist), for any slice of the table."""
    start = data.draw(st.integers(0, len(frame)))
    stop = data.draw(st.integers(start, len(frame)))
    probe = Probe(
        "e", "t", "", lambda row, subject: None, (), columns=tuple(frame.columns), key=frame.columns[0]
    )
    assert emptyevents._ArrowCells.fits(frame, probe)
    cells = emptyevents._ArrowCells(frame, probe)
    arrow, pandas = cells.rows(start, stop), emptyevents._FrameCells(frame).rows(start, stop)
    for columns in ([], list(frame.columns), list(frame.columns)[::-1], list(frame.columns)[:1]):
        at = arrow.distinct(columns)
        assert at.tolist() == pandas.distinct(columns).tolist()
        for name in frame.columns:
            assert [normalise(v) for v in arrow.values(name, at)] == [
                normalise(v) for v in pandas.values(name, at)
            ]
    for name in frame.columns:
        assert cells.seen(name) == emptyevents._FrameCells(frame).seen(name)


def test_arrow_rows_fall_back_to_pandas_when_the_numbers_would_overflow(monkeypatch):
    """Many distinct values in several columns: their codes do not fit one 64-bit number."""
    n = 70_000
    frame = _arrow_frame({c: (pa.int64(), list(range(n))) for c in ("a", "b", "c", "d")})
    calls = []
    monkeypatch.setattr(emptyevents, "distinct_rows", lambda f, c: calls.append(c) or np.arange(len(f)))
    rows = emptyevents._ArrowCells(
        frame, Probe("e", "t", "", None, (), columns=("a", "b", "c", "d"), key="a")
    )
    assert rows.rows(0, n).distinct(["a", "b", "c", "d"]).tolist() == list(range(n))
    assert calls == [["a", "b", "c", "d"]]


@pytest.mark.parametrize(
    ("kind", "arrow"),
    [
        (pd.ArrowDtype(pa.string()), True),
        (pd.ArrowDtype(pa.date32()), True),
        (pd.ArrowDtype(pa.int32()), True),
        (pd.ArrowDtype(pa.float64()), False),  # -0.0 and 0.0 are read apart: pandas' codes
        (pd.ArrowDtype(pa.timestamp("us")), False),  # pandas gives Timestamps
        (object, False),
        ("float64", False),
    ],
)
def test_the_arrow_path_is_taken_for_exact_arrow_types_only(monkeypatch, kind, arrow):
    frame = pd.DataFrame({"USUBJID": pd.Series(["1"], dtype=pd.ArrowDtype(pa.string())),
                          "X": pd.Series([None], dtype=kind)})  # fmt: skip
    probe = Probe("e", "t", "X = 1", lambda row, subject: True, (), columns=("X",))
    taken = []
    monkeypatch.setattr(emptyevents._ArrowRows, "distinct", lambda self, c: taken.append(c) or np.arange(1))
    assert emptyevents.empty_event_rows([probe], {"t": frame}, {}) == []
    assert bool(taken) == arrow


def test_arrow_backed_tables_give_the_report_of_pandas_tables(tmp_path):
    """The same findings and warnings, whether the tables are read as the SQL engine reads
    them (Arrow-backed) or as Python objects (the other engines)."""
    from endpointdsl.data.read import read_tables

    for name in ("adsl", "adrs"):
        pq.write_table(
            pa.Table.from_pandas(tables()[name], preserve_index=False), tmp_path / f"{name}.parquet"
        )
    compiled = CompiledFile.from_model(check_text(program(paramcd="OVR ")))
    report = compiled.run(tables(), engine="sql").report
    report = report[~report.MESSAGE.str.startswith(emptyevents.PREFIX)].reset_index(drop=True)
    arrow = read_tables(tmp_path, ["adsl", "adrs"], arrow=True)
    assert isinstance(arrow["adrs"].PARAMCD.dtype, pd.ArrowDtype)
    want = empty_events(compiled.model, tables(), report)
    got = empty_events(compiled.model, arrow, report)
    pd.testing.assert_frame_equal(got, want)
    assert len(mine(got)) == 2


@pytest.mark.parametrize("at", [0, 1, 2, 3, 4, 6, None])  # in the first rows, the head's rest, after it; none
@pytest.mark.parametrize("arrow", [True, False])
def test_a_matching_row_is_found_wherever_it_is(monkeypatch, at, arrow):
    # issue 16, ninth round: the head is tested in two parts (FIRST rows, then up to HEAD)
    monkeypatch.setattr(emptyevents, "FIRST", 2)
    monkeypatch.setattr(emptyevents, "HEAD", 4)
    values = ["A"] * 7
    if at is not None:
        values[at] = "B"
    kind = pd.ArrowDtype(pa.string()) if arrow else object
    frame = pd.DataFrame({"USUBJID": pd.Series([str(i) for i in range(7)], dtype=kind),
                          "X": pd.Series(values, dtype=kind)})  # fmt: skip
    seen = []
    probe = Probe("e", "t", 'X = "B"', lambda row, subject: seen.append(row.number) or row.get("X") == "B",
                  (("X", ("B",)),), columns=("X",), required=(("X", ("B",)),))  # fmt: skip
    rows = emptyevents.empty_event_rows([probe], {"t": frame}, {})
    assert (rows == []) == (at is not None)
    if at is not None:
        assert seen[-1] == at + 1  # the row's number (from 1), where the condition held
