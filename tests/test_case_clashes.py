"""Names that differ only in case are rejected (E103, E105), by every engine path.

DuckDB folds identifiers, and table files are found in any case: `event death` beside
`event DEATH` gave an alive subject a death record in the SQL engine only, the columns
`DTHDT` and `dthdt` of one table were confused the same way, and two tables that differ
only in case crashed it. The checker refuses such files, so `check`, `compile` (Python
and SQL) and `run` (every engine) all stop with the same diagnostic and exit 1.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import endpointdsl
from endpointdsl import EptError, check_text
from endpointdsl.api import CompiledFile
from endpointdsl.cli import main

HEAD = """\
table adsl: one row per subject
table adrs: many rows per subject
event rand = adsl.RANDDT label "Randomization"
event alive = adsl.LSTALVDT label "Alive"
"""  # lines 1-4; the case's own lines from line 5
TAIL = """
endpoint OS "Overall Survival"
  from rand
  to death
  censor at alive cnsr 1
  censor at origin cnsr 2
end
"""

# (id, lines 5..., code, line, column, fragment of the message)
CASES = [
    ("events", "event death = adsl.DTHDT\nevent DEATH = adrs.ADT", "E103", 6, 7,
     "'DEATH' and 'death' (line 5) differ only in case"),
    ("columns", "event death = adsl.DTHDT\nevent dead = adsl.dthdt", "E105", 6, 19,
     "column 'dthdt' of table adsl is also written 'DTHDT' (line 5)"),
    ("tables", "event death = adsl.DTHDT\ntable ADRS: many rows per subject", "E103", 6, 7, "'ADRS' and 'adrs'"),
    ("populations", "event death = adsl.DTHDT\npopulation safe = adsl where SAFFL = \"Y\"\n"
                    "population SAFE = adsl where SAFFL = \"N\"", "E103", 7, 12, "'SAFE' and 'safe'"),
    ("schedules", "event death = adsl.DTHDT\nschedule scans = every 8 weeks, window 7 days\n"
                  "schedule Scans = every 6 weeks, window 7 days", "E103", 7, 10, "'Scans' and 'scans'"),
    ("event-and-table", "event death = adsl.DTHDT\nevent ADRS = adrs.ADT", "E103", 6, 7, "'ADRS' and 'adrs'"),
    ("table-and-endpoint", "event death = adsl.DTHDT\ntable os: many rows per subject", "E103", 8, 10,
     "'OS' and 'os' (line 6)"),
    ("key", "event death = adsl.DTHDT where usubjid is not missing", "E105", 5, 32,
     "column 'usubjid' of table adsl is also written 'USUBJID' (line 1)"),
    ("stated-key", "event death = adrs.ADT where SubjId is not missing", "E105", 5, 30,
     "also written 'SUBJID'"),
    ("where-and-sequence", "event death = adrs.ADT where aseq > 1 sequence ASEQ", "E105", 5, 48,
     "column 'ASEQ' of table adrs is also written 'aseq' (line 5)"),
    ("response-column", "event death = adsl.DTHDT\nevent ovr = adrs.ADT where AvalC = \"PD\" response AVALC",
     "E105", 6, 50, "column 'AVALC' of table adrs is also written 'AvalC'"),
    ("inline-population", "event death = adsl.DTHDT\npopulation safe = adsl where SAFFL = \"Y\"\n"
                          "endpoint X \"x\" among adsl where saffl = \"Y\" from rand to death censor at origin cnsr 1 end",
     "E105", 7, 33, "column 'saffl' of table adsl is also written 'SAFFL'"),
]  # fmt: skip


def program(lines: str) -> str:
    text = HEAD + lines + "\n" + TAIL
    if "SubjId" in lines:  # the case of a stated key
        text = text.replace(
            "table adrs: many rows per subject", "table adrs: many rows per subject, key SUBJID"
        )
    return text


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_names_that_differ_only_in_case_are_rejected(case):
    _, lines, code, line, column, fragment = case
    with pytest.raises(EptError) as info:
        check_text(program(lines), "trial.ept")
    found = [(d.code, d.span.line, d.span.column) for d in info.value.errors]
    assert (code, line, column) in found, found
    diag = next(d for d in info.value.errors if d.code == code)
    assert fragment in diag.message, diag.message
    assert "letter case" in diag.hint


@pytest.mark.parametrize(
    "lines",
    [
        "event death = adsl.DTHDT\nevent os = adsl.RANDDT",  # an event and an endpoint: no shared name
        "event death = adsl.DTHDT\nevent dead = adrs.dthdt",  # one spelling per table
        "event death = adsl.DTHDT\nevent Death2 = adsl.DTHDT",
    ],
)
def test_names_in_separate_namespaces_may_differ_in_case(lines):
    check_text(program(lines), "trial.ept")


ISSUE = HEAD + 'event death = adsl.DTHDT label "Death"\nevent DEATH = adsl.dthdt\n' + TAIL


@pytest.mark.parametrize(
    "command",
    [
        ["check"],
        ["compile", "-o", "{tmp}/out.py"],
        ["compile", "--target", "sql"],
        ["run", "--data", "{tmp}", "--out", "{tmp}/adtte.csv", "--engine", "sql"],
        ["run", "--data", "{tmp}", "--out", "{tmp}/adtte.csv", "--engine", "compiled"],
        ["run", "--data", "{tmp}", "--out", "{tmp}/adtte.csv", "--engine", "interpreter"],
    ],
    ids=["check", "compile", "compile-sql", "run-sql", "run-compiled", "run-interpreter"],
)
def test_every_engine_path_rejects_the_issues_file(tmp_path, capsys, command):
    """The file of the issue: an alive subject got a death record from the SQL engine."""
    path = tmp_path / "trial.ept"
    path.write_text(ISSUE, encoding="utf-8")
    (tmp_path / "adsl.csv").write_text("USUBJID,RANDDT,LSTALVDT,DTHDT,dthdt\nS1,2020-01-01,2020-06-01,,\n")
    (tmp_path / "adrs.csv").write_text("USUBJID,ADT\n")
    argv = [command[0], str(path), *(part.format(tmp=tmp_path) for part in command[1:])]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert f"{path}:6:7: error E103: 'DEATH' and 'death' (line 5) differ only in case" in err
    assert not (tmp_path / "adtte.csv").exists() and not (tmp_path / "out.py").exists()
    with pytest.raises(EptError):
        endpointdsl.load(Path(path))


# ---- the SQL script's own column names ---------------------------------------------------------

SAME_DAY = """
table adsl: one row per subject
table adrs: many rows per subject
event rand = adsl.RANDDT
event {name} = adrs.ADT sequence ASEQ
endpoint X "x"
  from rand
  to {name}
  censor at origin cnsr 1
end
"""


@pytest.mark.parametrize("name", ["seq", "Seq", "d", "D", "KEY", "n"])
def test_an_event_may_share_a_name_with_a_column_of_the_sql_script(name):
    """The same-day check counts each event in a column of its own beside key, d and seq:
    an event named `seq`, `d` or `KEY` lost its finding or crashed the SQL engine."""
    compiled = CompiledFile.from_model(check_text(SAME_DAY.format(name=name), "trial.ept"))
    adsl = pd.DataFrame({"USUBJID": ["S1", "S2"], "RANDDT": ["2020-01-01"] * 2})
    adrs = pd.DataFrame({"USUBJID": ["S1", "S1"], "ADT": ["2020-02-01"] * 2, "ASEQ": [1, 1]})
    runs = {
        e: compiled.run({"adsl": adsl, "adrs": adrs}, engine=e) for e in ("sql", "compiled", "interpreter")
    }
    for engine in ("compiled", "interpreter"):
        pd.testing.assert_frame_equal(runs["sql"].adtte, runs[engine].adtte)
        pd.testing.assert_frame_equal(runs["sql"].report, runs[engine].report)
    assert list(runs["sql"].findings.MESSAGE) == [
        f"{name}: several adrs records on 2020-02-01 with the same ASEQ; SRCSEQ cannot tell them apart"
    ]
