"""A date column of non-dates is one clear error before deriving, not a finding per row.

More than half of a date column's non-empty values unusable under the event's format
(and at least 5 of them) stops every engine with one DataError, exit code 2, naming the
file, the column, the event and its .ept line, the counts and a few values, and what to
write (`format "DDMONYYYY"`, `impute ...`, or a date format in SAS). Fewer stay findings.
Only the public API and the command line are used here.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pyreadstat
import pytest

import endpointdsl
from endpointdsl.cli import main
from endpointdsl.data.errors import DataError

ENGINES = ["sql", "compiled", "interpreter"]
PROGRAM = """\
table adsl: one row per subject
table adae: many rows per subject
event rand = adsl.RANDDT
event death = adsl.DTHDT{format} label "Death"
event ae = adae.ASTDTC impute first
event ae_day = adae.ASTDTC
endpoint OS "Overall survival"
  from rand
  to death
  censor at origin cnsr 1
end
endpoint AE "Time to first AE"
  from rand
  to ae_day
  censor at first ae cnsr 1
end
"""


def compiled(fmt: str = ""):
    text = PROGRAM.format(format=f' format "{fmt}"' if fmt else "")
    return endpointdsl.CompiledFile.from_model(endpointdsl.check_text(text, "os.ept"))


def tables(deaths: list, onsets: list | None = None) -> dict[str, pd.DataFrame]:
    n = len(deaths)
    adsl = pd.DataFrame(
        {"USUBJID": [f"S{i:02d}" for i in range(n)], "RANDDT": ["2023-01-01"] * n, "DTHDT": deaths}
    )
    adsl.attrs["path"] = "data/adsl.csv"
    onsets = onsets if onsets is not None else ["2023-02-01"] * n
    adae = pd.DataFrame({"USUBJID": [f"S{i:02d}" for i in range(len(onsets))], "ASTDTC": onsets})
    return {"adsl": adsl, "adae": adae}


HEAD = "data/adsl.csv: column DTHDT, read as a date by event death (os.ept:4): "
DATE9 = ["05JAN2023", "06JAN2023", "07feb2023", None, "08JAN2023", "  ", "09JAN2023", "10JAN2023"]
CASES = [
    ("", DATE9, "6 of its 6 non-empty values are not YYYY-MM-DD (ISO 8601) dates, e.g. '05JAN2023', "
     "'06JAN2023', '07feb2023'; they read as DDMONYYYY: add `format \"DDMONYYYY\"` after adsl.DTHDT in the event"),
    ("", ["01/05/2023", "02/05/2023", "03/05/2023", "04/05/2023", "05/05/2023", "06/05/2023"],
     "they read as MM/DD/YYYY or as DD/MM/YYYY, which the values cannot tell apart: "
     "add `format \"MM/DD/YYYY\"` or `format \"DD/MM/YYYY\"` after adsl.DTHDT"),
    ("", ["01/05/2023", "02/05/2023", "03/25/2023", "04/05/2023", "05/05/2023", "06/05/2023"],
     "they read as MM/DD/YYYY: add `format \"MM/DD/YYYY\"`"),
    ("", ["20230105", "20230106", "20230107", "20230108", "20230109"],
     "they read as YYYYMMDD: add `format \"YYYYMMDD\"`"),
    ("", ["23015", "23016", "23017", "23018", "23019"],
     "the values are numbers (SAS date values or Excel serial days?): give the variable a date format in SAS "
     "(`format DTHDT date9.;`) before writing the file, or, for days since 1960-01-01, add "
     "`format \"days since 1960-01-01\"` after adsl.DTHDT in the event; Excel serial days are not read"),
    ("", ["2023-01", "2023-02", "2023", "2023-04", "2023-05", "2023-06-01"],
     "5 of its 6 non-empty values are not YYYY-MM-DD (ISO 8601) dates, e.g. '2023-01', '2023-02', '2023'; "
     "most are partial dates (2021-03, 2021): declare how to complete them with `impute first|mid|last`"),
    ("DDMONYYYY", ["2023-01-05", "2023-01-06", "2023-01-07", "2023-01-08", "2023-01-09"],
     "5 of its 5 non-empty values are not DDMONYYYY dates, e.g. '2023-01-05', '2023-01-06', '2023-01-07'; "
     "they read as YYYY-MM-DD: write `format \"YYYY-MM-DD\"` after adsl.DTHDT in the event"),
    ("DD/MM/YYYY", ["31/02/2023", "30/02/2023", "32/01/2023", "00/01/2023", "15/13/2023"],
     "no known date format reads most of them; known formats: \"YYYY-MM-DD\", \"DDMONYYYY\""),
]  # fmt: skip


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(("fmt", "deaths", "message"), CASES, ids=[f"case{i}" for i in range(len(CASES))])
def test_a_column_of_non_dates_is_one_error(engine, fmt, deaths, message):
    with pytest.raises(DataError) as info:
        compiled(fmt).run(tables(deaths), engine=engine)
    text = str(info.value)
    assert text.startswith(HEAD), text
    assert message in text
    assert "\n" not in text


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(
    ("deaths", "findings"),
    [
        (["05JAN2023"] * 4, 4),  # all unusable, but fewer than 5
        (["05JAN2023"] * 5 + ["2023-02-01"] * 5, 5),  # exactly half: not "mostly"
        (
            ["05JAN2023"] * 2 + ["2023-02-01"] * 2 + [None, "", "   ", float("nan"), None],
            2,
        ),  # blanks are no values
    ],
    ids=["four-of-four", "half", "blanks-do-not-count"],
)
def test_a_few_unusable_dates_stay_findings_per_subject(engine, deaths, findings):
    result = compiled().run(tables(deaths), engine=engine)
    assert len(result.findings) == findings  # one per subject with such a death date (OS reads it)
    assert all(
        "has no usable DTHDT ('05JAN2023' is not an ISO 8601 date)" in m for m in result.findings.MESSAGE
    )


@pytest.mark.parametrize("engine", ENGINES)
def test_five_of_nine_is_an_error(engine):
    deaths = ["05JAN2023"] * 5 + ["2023-02-01"] * 4 + [None, ""]
    with pytest.raises(DataError, match="5 of its 9 non-empty values are not YYYY-MM-DD"):
        compiled().run(tables(deaths), engine=engine)


@pytest.mark.parametrize("engine", ENGINES)
def test_the_error_names_the_events_that_read_the_column_as_it_is_read(engine):
    """adae.ASTDTC: partial dates are usable for `ae` (impute first), not for `ae_day`."""
    onsets = ["2023-01", "2023-02", "2023", "2023-04", "2023-05"]
    with pytest.raises(DataError) as info:
        compiled().run(tables(["2023-02-01"] * 5, onsets), engine=engine)
    text = str(info.value)
    assert text.startswith(
        "table 'adae': column ASTDTC, read as a date by event ae_day (os.ept:6): 5 of its 5"
    )
    assert "ae (" not in text


@pytest.mark.parametrize("engine", ENGINES)
def test_every_bad_column_is_named_at_once(engine):
    with pytest.raises(DataError) as info:
        compiled().run(tables(DATE9, ["x"] * 8), engine=engine)
    lines = str(info.value).split("\n")
    assert [line.split(",")[0] for line in lines] == [
        "data/adsl.csv: column DTHDT",
        "table 'adae': column ASTDTC",
    ]


# ---- the command line: exit 2, nothing written ---------------------------------------------

OS_EPT = """\
table adsl: one row per subject
event rand = adsl.RANDDT{rand}
event death = adsl.DTHDT{death} label "Death"
endpoint OS "Overall survival"
  from rand
  to death
  censor at origin cnsr 1
end
"""


def cli_run(
    tmp_path, adsl: pd.DataFrame, suffix: str, rand: str = "", death: str = ""
) -> tuple[int, str, Path]:
    ept = tmp_path / "os.ept"
    ept.write_text(OS_EPT.format(rand=rand, death=death))
    data = tmp_path / "data"
    data.mkdir(exist_ok=True)
    if suffix == ".csv":
        adsl.to_csv(data / "adsl.csv", index=False)
    else:
        pyreadstat.write_xport(adsl, str(data / "adsl.xpt"))  # numbers, without a date format
    out = tmp_path / "adtte.csv"
    return main(["run", str(ept), "--data", str(data), "--out", str(out)]), str(data / f"adsl{suffix}"), out


SUBJECTS = [f"S{i}" for i in range(6)]


def test_sas_dates_in_a_csv_are_one_error_with_the_clause_to_add(tmp_path, capsys):
    adsl = pd.DataFrame(
        {"USUBJID": SUBJECTS, "RANDDT": ["01JAN2023"] * 6, "DTHDT": ["05MAR2023"] * 3 + [""] * 3}
    )
    code, path, out = cli_run(tmp_path, adsl, ".csv")
    err = capsys.readouterr().err
    assert code == 2
    assert not out.exists()
    assert err.startswith(f"error: {path}: column RANDDT, read as a date by event rand (")
    assert (
        "os.ept:2): 6 of its 6 non-empty values are not YYYY-MM-DD (ISO 8601) dates, e.g. '01JAN2023'" in err
    )
    assert 'add `format "DDMONYYYY"` after adsl.RANDDT in the event' in err
    assert f"error: {path}: column DTHDT" not in err  # 3 values: findings, had the run gone on
    assert "Traceback" not in err


def test_with_the_format_declared_the_same_file_runs(tmp_path, capsys):
    adsl = pd.DataFrame(
        {"USUBJID": SUBJECTS, "RANDDT": ["01JAN2023"] * 6, "DTHDT": ["05MAR2023"] * 3 + [""] * 3}
    )
    code, _, out = cli_run(tmp_path, adsl, ".csv", rand=' format "DDMONYYYY"', death=' format "ddmonyyyy"')
    assert code == 0, capsys.readouterr().err
    adtte = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert set(adtte.STARTDT) == {"2023-01-01"}
    assert list(adtte.ADT) == ["2023-03-05"] * 3 + ["2023-01-01"] * 3
    assert list(adtte.CNSR) == ["0"] * 3 + ["1"] * 3


def test_xpt_dates_without_a_date_format_say_what_to_do_in_sas(tmp_path, capsys):
    days = [float((dt.date(2023, 1, 1) - dt.date(1960, 1, 1)).days)] * 6
    adsl = pd.DataFrame(
        {"USUBJID": SUBJECTS, "RANDDT": days, "DTHDT": [days[0] + 30] * 3 + [float("nan")] * 3}
    )
    code, path, _ = cli_run(tmp_path, adsl, ".xpt")
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith(f"error: {path}: column RANDDT, read as a date by event rand (")
    assert (
        "e.g. 23011.0; the values are numbers (a SAS date variable without a date format arrives so)" in err
    )
    assert "give the variable a date format in SAS (`format RANDDT date9.;`) before writing the file" in err
    assert 'add `format "days since 1960-01-01"` after adsl.RANDDT in the event' in err
    capsys.readouterr()
    fmt = ' format "days since 1960-01-01"'
    code, _, out = cli_run(tmp_path, adsl, ".xpt", rand=fmt, death=fmt)
    assert code == 0, capsys.readouterr().err
    adtte = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert list(adtte.ADT) == ["2023-01-31"] * 3 + ["2023-01-01"] * 3


@pytest.mark.parametrize("engine", ENGINES)
def test_cells_that_are_neither_texts_nor_numbers_are_counted_too(engine):
    with pytest.raises(
        DataError, match=r"6 of its 6 non-empty values .*, e\.g\. \[2023, 1, 5\]; no known date format"
    ):
        compiled().run(tables([[2023, 1, 5]] * 6), engine=engine)
