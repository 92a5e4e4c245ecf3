"""groups (issue 13, item 3): `for each COLUMN of EVENT`, one parameter per value.

The naming rule (docs/semantics.md section 10), what every engine does with the edges of the
value set (none, too many, a PARAM too long, blanks, numbers, the input order), where
findings go, and what one subject alone gives.
"""

from __future__ import annotations

import pandas as pd
import pytest

import endpointdsl
from endpointdsl.cli import main
from endpointdsl.data.errors import DataError
from endpointdsl.data.groups import name_groups
from endpointdsl.data.values import Subject

ENGINES = ("sql", "compiled", "interpreter")

SOURCE = """\
table adsl: one row per subject
table adae: many rows per subject
event first_dose = adsl.TRTSDT
event last_dose = adsl.TRTEDT
event teae = adae.ASTDT where TRTEMFL = "Y" sequence AESEQ

endpoint {code} "{title}"
  for each {columns} of teae
  from first_dose
  to teae
  censor at last_dose cnsr 1
end
"""


def compiled(code: str = "TTAE", title: str = "Time to first TEAE", columns: str = "AEDECOD"):
    return endpointdsl.CompiledFile.from_model(
        endpointdsl.check_text(SOURCE.format(code=code, title=title, columns=columns), "groups.ept")
    )


ADSL = pd.DataFrame(
    {
        "USUBJID": ["S1", "S2", "S3"],
        "TRTSDT": ["2021-01-01"] * 3,
        "TRTEDT": ["2021-06-30", "2021-06-30", "bad"],
    }
)


def adae(terms: list, grades: list | None = None, flags: list | None = None, dates: list | None = None):
    n = len(terms)
    return pd.DataFrame(
        {
            "USUBJID": [f"S{1 + i % 3}" for i in range(n)],
            "AESEQ": list(range(1, n + 1)),
            "ASTDT": dates or [f"2021-02-{1 + i:02d}" for i in range(n)],
            "TRTEMFL": flags or ["Y"] * n,
            "AEDECOD": terms,
            "AETOXGR": grades or [None] * n,
        }
    )


def run_all(file, tables) -> list:
    results = [file.run(tables, engine=e) for e in ENGINES]
    for other in results[1:]:
        pd.testing.assert_frame_equal(results[0].adtte, other.adtte)
        pd.testing.assert_frame_equal(results[0].report, other.report)
    return results


# ---- the naming rule -------------------------------------------------------------------------


def test_values_are_numbered_in_sorted_order_missing_last_and_padded_to_8():
    got = name_groups("TTAE", "T", ("AEDECOD",), {("b",), (None,), ("B",), ("a",)}, "f:1")
    assert [(g.paramcd, g.param, g.value) for g in got] == [
        ("TTAE0001", "T: B", ("B",)),  # code-point order: upper case first
        ("TTAE0002", "T: a", ("a",)),
        ("TTAE0003", "T: b", ("b",)),
        ("TTAE0004", "T: AEDECOD missing", (None,)),
    ]


def test_two_columns_are_sorted_by_the_first_then_the_second():
    values = {("GI", "3"), ("GI", None), ("CARD", "4"), ("GI", "10")}
    got = name_groups("AE3", "AE", ("AEBODSYS", "AETOXGR"), values, "f:1")
    assert [g.param for g in got] == ["AE: CARD / 4", "AE: GI / 10", "AE: GI / 3", "AE: GI / AETOXGR missing"]
    assert got[0].paramcd == "AE300001"


@pytest.mark.parametrize(
    ("code", "count", "fits"),
    [("ABCDEFG", 9, True), ("ABCDEFG", 10, False), ("ABCDEF", 99, True), ("ABCDEF", 100, False)],
)
def test_a_run_with_more_values_than_digits_stops(code, count, fits):
    values = {(f"T{i:03d}",) for i in range(count)}
    if fits:
        assert name_groups(code, "T", ("C",), values, "f:1")[-1].paramcd == f"{code}{count}"
    else:
        with pytest.raises(DataError, match=f"f:1: endpoint {code} makes {count} parameters"):
            name_groups(code, "T", ("C",), values, "f:1")


# ---- what every engine does with the edges ---------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
def test_too_many_values_stop_every_engine_naming_the_endpoint_line(engine):
    file = compiled(code="ABCDEFG")
    tables = {"adsl": ADSL, "adae": adae([f"TERM{i}" for i in range(10)])}
    with pytest.raises(DataError, match=r"groups.ept:7: endpoint ABCDEFG makes 10 parameters.*shorten"):
        file.run(tables, engine=engine)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_param_longer_than_200_characters_stops_every_engine(engine):
    file = compiled(title="T" * 190)
    tables = {"adsl": ADSL, "adae": adae(["A" * 9, "A" * 8])}
    with pytest.raises(DataError, match="PARAM for the value 'AAAAAAAAA' has 201 characters"):
        file.run(tables, engine=engine)


def test_the_command_line_stops_with_exit_2_when_the_numbers_do_not_fit(tmp_path, capsys):
    (tmp_path / "f.ept").write_text(
        SOURCE.format(code="ABCDEFG", title="T", columns="AEDECOD"), encoding="utf-8"
    )
    data = tmp_path / "data"
    data.mkdir()
    ADSL.to_csv(data / "adsl.csv", index=False)
    adae([f"TERM{i}" for i in range(10)]).to_csv(data / "adae.csv", index=False)
    for engine in ENGINES:
        code = main(["run", str(tmp_path / "f.ept"), "--data", str(data), "--out", str(tmp_path / "o.csv"),
                     "--engine", engine])  # fmt: skip
        assert code == 2
        assert "endpoint ABCDEFG makes 10 parameters" in capsys.readouterr().err


def test_no_selected_row_makes_no_parameter_every_subject_excluded_with_the_reason():
    adsl = pd.concat([ADSL, ADSL.iloc[:1]], ignore_index=True)  # S1 twice
    result = run_all(compiled(), {"adsl": adsl, "adae": adae(["HEADACHE"], flags=["N"])})[0]
    assert len(result.adtte) == 0 and "PARCAT1" in result.adtte.columns
    reason = "no parameter: no adae row of a subject is selected by event teae"
    assert list(zip(result.excluded.USUBJID, result.excluded.MESSAGE, strict=True)) == [
        ("S1", "duplicate subject: 2 rows in adsl"), ("S2", reason), ("S3", reason),
    ]  # fmt: skip
    prefix = f'no record for endpoint TTAE: all 3 subjects were excluded, most often for "{reason}"'
    assert any(message.startswith(prefix) for message in result.findings.MESSAGE)


def test_every_subject_has_every_parameter_and_blanks_and_numbers_read_as_text():
    tables = {
        "adsl": ADSL,
        "adae": adae(["HEADACHE", "HEADACHE  ", None, "NAUSEA"], grades=[3.0, 3, None, 10]),
    }
    result = run_all(compiled(columns="AEDECOD, AETOXGR"), tables)[0]
    pairs = zip(result.adtte.PARAMCD, result.adtte.PARCAT1, result.adtte.PARCAT2, strict=True)
    text = [(c, *(v if isinstance(v, str) else None for v in (a, b))) for c, a, b in pairs]
    assert sorted(set(text)) == [
        ("TTAE0001", "HEADACHE", "3"),
        ("TTAE0002", "NAUSEA", "10"),
        ("TTAE0003", None, None),  # the missing term (and grade): a parameter, last
    ]
    # S3's last dose is not a date: a finding under every parameter, and no censoring date
    by_code = result.report[result.report.USUBJID == "S3"].groupby("PARAMCD").size()
    assert list(by_code.index) == ["TTAE0001", "TTAE0002", "TTAE0003"]
    assert set(result.adtte.USUBJID) | set(result.excluded.USUBJID) == {"S1", "S2", "S3"}


def test_a_finding_of_a_grouped_row_is_under_its_own_parameter_only():
    tables = {"adsl": ADSL.iloc[:2], "adae": adae(["HEADACHE", "NAUSEA"], dates=["2021-02-01", "2021-13-01"])}
    result = run_all(compiled(), tables)[0]
    assert list(zip(result.findings.USUBJID, result.findings.PARAMCD, strict=True)) == [("S2", "TTAE0002")]
    assert "adae row 2 has no usable ASTDT" in result.findings.MESSAGE.iloc[0]


def test_the_input_order_changes_nothing():
    rows = adae(["RASH", "HEADACHE", "NAUSEA", "HEADACHE", "RASH", "ACNE"])
    first = run_all(compiled(), {"adsl": ADSL, "adae": rows})[0]
    again = run_all(compiled(), {"adsl": ADSL[::-1], "adae": rows[::-1].reset_index(drop=True)})[0]
    pd.testing.assert_frame_equal(first.adtte, again.adtte)
    assert list(dict.fromkeys(first.adtte.PARCAT1)) == ["ACNE", "HEADACHE", "NAUSEA", "RASH"]


def test_one_subject_alone_gives_a_derivation_per_value_of_its_own_rows():
    file = compiled()
    subject = Subject.from_dicts(
        "S1",
        {
            "adsl": [{"USUBJID": "S1", "TRTSDT": "2021-01-01", "TRTEDT": "2021-06-30"}],
            "adae": [{"USUBJID": "S1", "AESEQ": 1, "ASTDT": "2021-02-01", "TRTEMFL": "Y", "AEDECOD": "RASH"}],
        },
    )
    got = file["TTAE"](subject)
    assert got == file["TTAE"].interpret(subject)
    (one,) = got
    assert (one.record.PARAMCD, one.record.PARCAT1, one.record.CNSR) == ("TTAE0001", "RASH", 0)


def test_the_summary_has_a_rate_per_parameter_of_a_grouped_incidence_endpoint():
    text = SOURCE.replace(
        "  to teae\n  censor at last_dose cnsr 1\n",
        "  origin is day 1\n  occurrence of teae from day 1 through day 60\n",
    )
    file = endpointdsl.CompiledFile.from_model(
        endpointdsl.check_text(text.format(code="AEINC", title="AE", columns="AEDECOD"), "g.ept")
    )
    result = file.run({"adsl": ADSL, "adae": adae(["RASH", "ACNE", "RASH"])}, engine="sql")
    summary = file.summary(result)
    assert list(zip(summary.PARAMCD, summary.PARAM, summary.n, strict=True)) == [
        ("AEINC001", "AE: ACNE", 1),
        ("AEINC002", "AE: RASH", 2),
    ]


def test_a_population_on_another_table_reaches_the_sql_second_pass():
    """`among adae where ...` in an endpoint grouped on adrs: the second pass needs adae's rows
    too (it was given without rows, and everyone fell out of the population)."""
    source = SOURCE.replace("teae = adae.ASTDT", "teae = adrs.ADT").replace(
        "table adae: many rows per subject",
        "table adae: many rows per subject\ntable adrs: many rows per subject",
    )
    source = source.replace(
        "  censor at last_dose cnsr 1\n", '  censor at last_dose cnsr 1\n  among adae where AESER = "Y"\n'
    )
    file = endpointdsl.CompiledFile.from_model(
        endpointdsl.check_text(source.format(code="TTAE", title="T", columns="PARAMCD"), "p.ept")
    )
    adrs = pd.DataFrame(
        {
            "USUBJID": ["S1", "S2"],
            "ADT": ["2021-02-01"] * 2,
            "AESEQ": [1, 1],
            "TRTEMFL": ["Y"] * 2,
            "PARAMCD": ["PD"] * 2,
        }
    )
    tables = {"adsl": ADSL, "adae": pd.DataFrame({"USUBJID": ["S1"], "AESER": ["Y"]}), "adrs": adrs}
    result = run_all(file, tables)[0]
    assert list(zip(result.adtte.USUBJID, result.adtte.PARAMCD, result.adtte.CNSR, strict=True)) == [
        ("S1", "TTAE0001", 0)
    ]
