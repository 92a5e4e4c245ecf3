"""The response rules at their edges, by hand, on the three engines: a visit or an occurrence
the day before, on and after each edge (semantics 6.1-6.4). A fault at an edge (`>` for `>=`,
a window a day short or late) changes one of these records; the generated histories reach the
same edges through tests/edge_days.py. Each case is one endpoint; its subjects are named by
the day (calendar days after the origin) of their one dated row, and the expected records are
written from the rules, not from an engine."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from endpointdsl.api import CompiledFile, check_text
from endpointdsl.engines.sql import run

RAND = dt.date(2020, 1, 1)
HEAD = """
table adsl: one row per subject, key SUBJID
table adrs: many rows per subject, key SUBJID
event rand = adsl.RANDDT
event dlt = adsl.DLTDT
event eos = adsl.EOSDT
event assess = adrs.ADT response OVRRESP sequence ASEQ
event pd = adrs.ADT where OVRRESP = "PD" sequence ASEQ
"""
LANDMARK = """  responder if response in ("CR", "PR")
  not evaluable: "NE"
"""
INCIDENCE = "  origin is day 1\n  occurrence of {event} from day 8 through day 29\n"


def endpoint(body: str) -> str:
    return f'{HEAD}endpoint E "E"\n  from rand\n{body}end\n'


# name -> (endpoint body, {subject: (adsl columns, adrs rows)}, {subject: (AVALC, ADT day)});
# an adrs row is (day, response); a subject without a record is left out of the expected.
CASES = {
    # 6.1: SD qualifies on or after origin + 6 x 7 days (no "+1": day 42 qualifies); an SD
    # that does not qualify is NE, dated by its visit
    "sd minimum": (
        "  best response of assess\n  sd at least 6 weeks after origin\n",
        {f"S{d}": ({}, [(d, "SD")]) for d in (41, 42, 43)},
        {"S41": ("NE", 41), "S42": ("SD", 42), "S43": ("SD", 43)},
    ),
    # 6.1: a PR is confirmed by a PR on or after it + 28 days; the response's date is the PR's
    "confirmation interval": (
        '  best response of assess\n  confirm after 4 weeks\n  responder if response in ("CR", "PR")\n',
        {f"S{d}": ({}, [(10, "PR"), (d, "PR")]) for d in (37, 38, 39)},
        {"S37": ("N", None), "S38": ("Y", 10), "S39": ("Y", 10)},
    ),
    # 6.3: day 29 through day 57 with `origin is day 1` is origin + 28 through origin + 56,
    # both included; no visit in the window: not evaluable
    "landmark window, day 1": (
        "  origin is day 1\n  response of assess from day 29 through day 57 best\n" + LANDMARK,
        {f"S{d}": ({}, [(d, "PR")]) for d in (27, 28, 29, 55, 56, 57)},
        {
            "S27": ("NE", None),
            "S28": ("Y", 28),
            "S29": ("Y", 29),
            "S55": ("Y", 55),
            "S56": ("Y", 56),
            "S57": ("NE", None),
        },
    ),
    # the same dates with `origin is day 0`: day d is origin + d
    "landmark window, day 0": (
        "  origin is day 0\n  response of assess from day 28 through day 56 nearest day 42\n" + LANDMARK,
        {f"S{d}": ({}, [(d, "CR")]) for d in (27, 28, 29, 55, 56, 57)},
        {
            "S27": ("NE", None),
            "S28": ("Y", 28),
            "S29": ("Y", 29),
            "S55": ("Y", 55),
            "S56": ("Y", 56),
            "S57": ("NE", None),
        },
    ),
    # 6.4: day 8 through day 29 (`origin is day 1`) is origin + 7 through origin + 28, both
    # included: an event of many rows a subject ...
    "incidence window, rows": (
        INCIDENCE.format(event="pd"),
        {f"S{d}": ({}, [(d, "PD")]) for d in (6, 7, 8, 27, 28, 29)},
        {
            "S6": ("N", None),
            "S7": ("Y", 7),
            "S8": ("Y", 8),
            "S27": ("Y", 27),
            "S28": ("Y", 28),
            "S29": ("N", None),
        },
    ),
    # ... and a subject-level event (one row: its own path in SQL)
    "incidence window, subject level": (
        INCIDENCE.format(event="dlt"),
        {f"S{d}": ({"DLTDT": d}, []) for d in (6, 7, 8, 27, 28, 29)},
        {
            "S6": ("N", None),
            "S7": ("Y", 7),
            "S8": ("Y", 8),
            "S27": ("Y", 27),
            "S28": ("Y", 28),
            "S29": ("N", None),
        },
    ),
    # 6.4: without an occurrence, evaluable when F is on or after the window's last day
    # (origin + 28); else excluded (no record)
    "evaluable by window end": (
        INCIDENCE.format(event="dlt") + "  evaluable if occurred or eos reaches window end\n",
        {f"S{d}": ({"EOSDT": d}, []) for d in (27, 28, 29)},
        {"S28": ("N", None), "S29": ("N", None)},
    ),
}


def tables(subjects: dict) -> dict[str, pd.DataFrame]:
    def iso(d):
        return None if d is None else (RAND + dt.timedelta(days=d)).isoformat()

    adsl = pd.DataFrame(
        [
            {"SUBJID": s, "RANDDT": iso(0), "DLTDT": iso(cols.get("DLTDT")), "EOSDT": iso(cols.get("EOSDT"))}
            for s, (cols, _) in subjects.items()
        ]
    ).astype("object")
    rows = [
        (s, iso(d), r, float(i)) for s, (_, visits) in subjects.items() for i, (d, r) in enumerate(visits, 1)
    ]
    adrs = pd.DataFrame(rows, columns=["SUBJID", "ADT", "OVRRESP", "ASEQ"]).astype(
        {"SUBJID": "object", "ADT": "object", "OVRRESP": "object", "ASEQ": "float64"}
    )
    return {"adsl": adsl, "adrs": adrs}


@pytest.mark.parametrize("engine", ["sql", "sql without lists", "compiled", "interpreter"])
@pytest.mark.parametrize("case", CASES)
def test_each_rule_at_its_edges(case, engine, monkeypatch):
    body, subjects, expected = CASES[case]
    compiled = CompiledFile.from_model(check_text(endpoint(body), "edges.ept"))
    if engine == "sql without lists":  # the list path's fact refused: the window functions' path
        proven = run.fact
        monkeypatch.setattr(run, "fact", lambda kind, *a: kind != "packs" and proven(kind, *a))
    adtte = compiled.run(tables(subjects), engine=engine.split()[0]).adtte
    got = {
        r.USUBJID: (r.AVALC, None if pd.isna(r.ADT) else (pd.Timestamp(r.ADT).date() - RAND).days)
        for r in adtte.itertuples()
    }
    assert got == expected
