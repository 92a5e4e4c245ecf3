"""Review 19: defects found in issue 19 (best-response options, `worst of|best of|first of`,
empty events), each with hand-worked expected values."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from endpointdsl.cli import main

ENGINES = ("compiled", "interpreter", "sql")


def write(tmp_path: Path, text: str, **tables: str) -> Path:
    for name, csv in tables.items():
        (tmp_path / f"{name}.csv").write_text(csv)
    ept = tmp_path / "t.ept"
    ept.write_text(text)
    return ept


def run(tmp_path: Path, ept: Path, engine: str, *extra: str) -> tuple[int, pd.DataFrame]:
    out = tmp_path / f"out_{engine}.csv"
    code = main(
        [
            "run",
            str(ept),
            "--data",
            str(tmp_path),
            "--engine",
            engine,
            "--out",
            str(out),
            "--report",
            str(tmp_path / f"rep_{engine}.csv"),
            "--summary",
            str(tmp_path / f"sum_{engine}.csv"),
            *extra,
        ]
    )
    return code, (pd.read_csv(out, dtype=str, keep_default_na=False) if out.exists() else None)


WORST = """table adsl: one row per subject
table adae: many rows per subject
event trt = adsl.TRTSDT
event ae = adae.ASTDT sequence AESEQ
endpoint WG "Worst grade"
  from trt
  worst of
    outcome "G3" = 3 if any ae has AETOXGR = "3"
    outcome "LOW" = 1 if any ae
    otherwise "NONE" = 0
  last by date
end
"""
ADSL = "USUBJID,TRTSDT\nP1,2021-01-01\nP2,2021-01-01\n"
ADAE = "USUBJID,ASTDT,AETOXGR,AESEQ\nP1,2021-01-05,3,1\nP1,2021-01-09,3,2\nP2,2021-01-05,1,1\n"


@pytest.mark.parametrize("engine", ENGINES)
def test_worst_of_summary_says_no_progression_cutoff(tmp_path, capsys, engine):
    """A `worst of` endpoint has no assessments and no progressive disease: the terminal
    summary said `WG: progressive disease cut-off first progressive disease (PD)`."""
    ept = write(tmp_path, WORST, adsl=ADSL, adae=ADAE)
    code, out = run(tmp_path, ept, engine)
    assert code == 0
    printed = capsys.readouterr()
    assert "G3" in printed.out  # the summary table is printed
    assert "progressive disease cut-off" not in printed.out + printed.err
    # P1: two grade-3 rows, the last by date is 2021-01-09 (AESEQ 2); P2: LOW on 2021-01-05
    got = [tuple(r) for r in out[["USUBJID", "AVALC", "ADT", "SRCSEQ"]].itertuples(index=False)]
    assert got == [("P1", "G3", "2021-01-09", "2"), ("P2", "LOW", "2021-01-05", "1")]


HAS_TYPO = """table adsl: one row per subject
table adae: many rows per subject
event trt = adsl.TRTSDT
event ae = adae.ASTDT sequence AESEQ
event sev = adae.ASTDT where AESEV = "SEVERE " sequence AESEQ
endpoint WG "Worst grade"
  from trt
  worst of
    outcome "G3" = 3 if any ae has AETOXGR = "3 "
    outcome "LOW" = 1 if any ae
    otherwise "NONE" = 0
  last by date
end
endpoint BG "Highest grade of a severe AE"
  from trt
  best of
    outcome "ANY" = 1 if any sev
    otherwise "NONE" = 0
  last by AETOXGR
end
"""
ADAE_SEV = "USUBJID,ASTDT,AETOXGR,AESEV,AESEQ\nP1,2021-01-05,3,SEVERE,1\nP2,2021-01-05,1,MILD,1\n"


@pytest.mark.parametrize("engine", ENGINES)
def test_an_outcome_has_typo_names_the_users_event_once_each(tmp_path, capsys, engine):
    """A typo in an outcome's `has` condition was reported under the checker's made-up name
    (`no row matches event has__1`); `last by COLUMN` without `has` reported the event twice
    (the event and its ordered copy)."""
    ept = write(tmp_path, HAS_TYPO, adsl=ADSL, adae=ADAE_SEV)
    code, _ = run(tmp_path, ept, engine, "--fail-on-findings")
    assert code == 3
    report = pd.read_csv(tmp_path / f"rep_{engine}.csv", dtype=str)
    messages = sorted(report.MESSAGE[report.MESSAGE.str.startswith("no row matches event ")])
    assert messages == [
        'no row matches event ae (in an outcome\'s `has`): adae where AETOXGR = "3 "; '
        '"3 " never occurs in AETOXGR (nearest: "3", "1")',
        'no row matches event sev: adae where AESEV = "SEVERE "; '
        '"SEVERE " never occurs in AESEV (nearest: "SEVERE", "MILD")',
    ]
    assert "has__" not in capsys.readouterr().err


CONDITION_SHOWN = [
    # (the event's condition as written, the condition the report shows: as written)
    ('PARAMCD = "OVR" and AVALC = "CR " and ASEQ = 7', 'PARAMCD = "OVR" and AVALC = "CR " and ASEQ = 7'),
    ('AVALC = "a\\"b"', 'AVALC = "a\\"b"'),
    ('PARAMCD = "X" or AVALC = "Y" and ASEQ = 2.5', 'PARAMCD = "X" or (AVALC = "Y" and ASEQ = 2.5)'),
]


@pytest.mark.parametrize(("written", "shown"), CONDITION_SHOWN)
def test_an_empty_events_condition_is_shown_as_written(tmp_path, written, shown):
    """The report showed `ASEQ = 7.0`, an unescaped `"` inside a text (`"a"b"`) and
    parentheses around the whole condition."""
    text = f"""table adsl: one row per subject
table adrs: many rows per subject
event rand = adsl.RANDDT
event bad = adrs.ADT where {written} sequence ASEQ
endpoint T "t"
  from rand
  to bad
  censor at origin cnsr 1
end
"""
    ept = write(
        tmp_path,
        text,
        adsl="USUBJID,RANDDT\n1,2020-01-01\n",
        adrs="USUBJID,PARAMCD,ADT,AVALC,ASEQ\n1,PD,2020-02-01,Z,1\n",
    )
    for engine in ENGINES:
        run(tmp_path, ept, engine)
        report = pd.read_csv(tmp_path / f"rep_{engine}.csv", dtype=str)
        (message,) = report.MESSAGE[report.MESSAGE.str.startswith("no row matches event ")]
        assert message.startswith(f"no row matches event bad: adrs where {shown};")


def worst_with_avalc(avalc: str) -> str:
    return WORST.replace('outcome "G3"', f'outcome "{avalc}"')


@pytest.mark.parametrize(
    ("avalc", "message"),
    [
        # 201 ASCII letters: 201 bytes (was "has blanks around it", hint: write the same text)
        ("A" * 201, "an outcome's AVALC is at most 200 bytes long; this one is 201"),
        # 150 x "Ä" is 150 characters but 300 bytes in UTF-8: it passed, and XPT output stopped
        ("Ä" * 150, "an outcome's AVALC is at most 200 bytes long; this one is 300"),
    ],
)
def test_a_too_long_avalc_is_e340_saying_so(tmp_path, capsys, avalc, message):
    ept = write(tmp_path, worst_with_avalc(avalc))
    assert main(["check", str(ept)]) == 1
    err = capsys.readouterr().err
    assert f"error E340: {message}" in err
    assert "blanks around" not in err


def test_an_avalc_of_200_bytes_is_accepted(tmp_path, capsys):
    ept = write(tmp_path, worst_with_avalc("Ä" * 100))  # 200 bytes
    assert main(["check", str(ept)]) == 0


PD_AT = """table adsl: one row per subject
table adrs: many rows per subject
event rand = adsl.RANDDT
event pdd = adsl.PDDT
event ovr = adrs.ADT where PARAMCD = "OVR" response AVALC sequence ASEQ
endpoint B1 "cut at a date of adsl"
  from rand
  best response of ovr
  sd at least 42 days after origin
  progressive disease cutoff: at pdd
end
"""


@pytest.mark.parametrize("engine", ENGINES)
def test_a_cutoff_event_before_the_origin_is_not_a_cutoff_as_documented(tmp_path, engine):
    """docs/admiral.md said a PD date before the origin is 'ignored and reported'; every engine
    ignores it silently (the `stop at` rule). The docs now say so; the values, by hand:
    C1 PD date 2021-03-01: the PD on that day is used, the PR after it is not -> PD;
    C2 PD date 2020-12-01 (before randomisation): no cut-off, PR on day 91 -> PR (admiralonco
    would keep no assessment); C3 no PD date: PD then SD on day 91, no cut at the PD -> SD."""
    adsl = "USUBJID,RANDDT,PDDT\nC1,2021-01-01,2021-03-01\nC2,2021-01-01,2020-12-01\nC3,2021-01-01,\n"
    adrs = "USUBJID,PARAMCD,ADT,AVALC,ASEQ\n" + "".join(
        f"{s},OVR,2021-03-01,PD,1\n{s},OVR,2021-04-01,{last},2\n"
        for s, last in (("C1", "PR"), ("C2", "PR"), ("C3", "SD"))
    )
    ept = write(tmp_path, PD_AT, adsl=adsl, adrs=adrs)
    code, out = run(tmp_path, ept, engine)
    assert code == 0
    got = [tuple(r) for r in out[["USUBJID", "AVALC", "ADT"]].itertuples(index=False)]
    assert got == [("C1", "PD", "2021-03-01"), ("C2", "PR", "2021-04-01"), ("C3", "SD", "2021-04-01")]
    report = pd.read_csv(tmp_path / f"rep_{engine}.csv", dtype=str)
    assert len(report) == 0


def test_the_origin_as_the_progression_cutoff_is_e330(tmp_path, capsys):
    """`progressive disease cutoff: at rand` with `from rand` was accepted: every assessment
    after randomisation day was cut, so every subject was MISSING (or NE) without a word."""
    text = """table adsl: one row per subject
table adrs: many rows per subject
event rand = adsl.RANDDT
event ovr = adrs.ADT where PARAMCD = "OVR" response AVALC sequence ASEQ
endpoint BOR "Best overall response"
  from rand
  best response of ovr
  sd at least 42 days after origin
  progressive disease cutoff: at rand
end
"""
    ept = write(tmp_path, text)
    assert main(["check", str(ept)]) == 1
    err = capsys.readouterr().err
    assert "t.ept:9:34: error E330: 'rand' is the origin" in err


@pytest.mark.parametrize("engine", ENGINES)
def test_empty_assessments_name_every_best_response_that_reads_them(tmp_path, engine):
    """Two best responses of one misspelt assessment event: the finding named only the last."""
    text = """table adsl: one row per subject
table adrs: many rows per subject
event rand = adsl.RANDDT
event ovr = adrs.ADT where PARAMCD = "OVR " response AVALC sequence ASEQ
endpoint CBOR "Confirmed BOR"
  from rand
  best response of ovr
  sd at least 42 days after origin
  confirm after 28 days
end
endpoint BOR "BOR"
  from rand
  best response of ovr
  sd at least 42 days after origin
end
"""
    ept = write(
        tmp_path,
        text,
        adsl="USUBJID,RANDDT\n1,2021-01-01\n",
        adrs="USUBJID,PARAMCD,ADT,AVALC,ASEQ\n1,OVR,2021-03-01,PR,1\n",
    )
    code, out = run(tmp_path, ept, engine, "--fail-on-findings")
    assert code == 3
    assert list(out.AVALC) == ["MISSING", "MISSING"]  # no assessment read: both MISSING
    report = pd.read_csv(tmp_path / f"rep_{engine}.csv", dtype=str)
    (message,) = report.MESSAGE[report.MESSAGE.str.startswith("no row matches event ")]
    assert message.endswith("; best responses CBOR, BOR have no assessment for any subject")


NEAR_CASES = [
    # (the text the condition looks for, the values in the column, the status by hand)
    ("GRADE 4", ("GRADE 3", "GRADE 2"), "warning"),  # no grade-4 event: another value (ratio 0.86)
    ("WEEK 12", ("WEEK 13", "WEEK 24"), "warning"),  # another visit, not a misspelling
    ("GRADE  3", ("GRADE 3",), "finding"),  # a doubled blank, same number: a misspelling
    ("OVR ", ("OVR", "BOR"), "finding"),  # the issue's own case
    ("Grade 3", ("GRADE 3",), "finding"),  # case only
]


@pytest.mark.parametrize(("text", "values", "status"), NEAR_CASES)
def test_a_value_with_other_numbers_is_not_a_near_spelling(tmp_path, text, values, status):
    """`AETOXGR = "GRADE 4"` in a trial with grades 3 and 2 only was a finding (a 'typo' for
    "GRADE 3"): exit 3 under --fail-on-findings for a correctly written event."""
    program = f"""table adsl: one row per subject
table adae: many rows per subject
event trt = adsl.TRTSDT
event ae = adae.ASTDT where AETOXGR = "{text}" sequence AESEQ
endpoint T "t"
  from trt
  to ae
  censor at origin cnsr 1
end
"""
    rows = "".join(f"1,2021-01-0{i + 2},{v},{i + 1}\n" for i, v in enumerate(values))
    ept = write(
        tmp_path, program, adsl="USUBJID,TRTSDT\n1,2021-01-01\n", adae="USUBJID,ASTDT,AETOXGR,AESEQ\n" + rows
    )
    for engine in ENGINES:
        code, _ = run(tmp_path, ept, engine, "--fail-on-findings")
        assert code == (3 if status == "finding" else 0)
        report = pd.read_csv(tmp_path / f"rep_{engine}.csv", dtype=str)
        mine = report[report.MESSAGE.str.startswith("no row matches event ae")]
        assert list(mine.STATUS) == [status]
