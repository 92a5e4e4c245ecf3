"""No silent empty events (issue 19, part 3): an event whose condition matches no row is
reported, a likely typo or a best response without any assessment is a finding, and every
engine reports alike (data.emptyevents, applied once in CompiledFile.complete)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from endpointdsl.api import CompiledFile, check_text
from endpointdsl.cli import main

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
