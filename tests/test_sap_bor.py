"""SAP gallery, admiralonco's best-response choices (issue 19): an oracle from the wording.

`examples/sap/bor_admiralonco.ept` quotes an SAP that asks for admiralonco's confirmed BOR:
every overall response (before randomisation too) up to the first PD parameter date, SD
from 42 days, CR/PR confirmed 28 days later with at most one NE and no SD between, NE for
a subject without assessments. The oracle below restates that wording in plain Python over
the entry's CSV files; it does not call endpointdsl. Every engine, through the API and
through `endpointdsl run --engine ...`, must give its rows; a few literal rows were worked
by hand.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sap_support import api_run, cli_run, day, normal, rows, written_frame

SLUG = "bor_admiralonco"
ENGINES = ("sql", "compiled", "interpreter")
ORDER = {"CR": 1, "PR": 2, "SD": 3, "NON-CR/NON-PD": 4, "PD": 5, "NE": 6}


def oracle() -> dict[str, tuple[str, dt.date | None, float | None]]:
    """USUBJID -> (AVALC, ADT, SRCSEQ) from the SAP wording."""
    adsl = rows(SLUG, "adsl")
    adrs = rows(SLUG, "adrs")
    out = {}
    for s in adsl:
        sid, rand = s["USUBJID"], day(s["RANDDT"])
        # "the date of first progression (the PD parameter)": on or after randomisation
        pds = sorted(day(r["ADT"]) for r in adrs if r["USUBJID"] == sid and r["PARAMCD"] == "PD"
                     and r["AVALC"] == "Y" and day(r["ADT"]) >= rand)  # fmt: skip
        limit = pds[0] if pds else None
        # "all overall responses ... including before randomisation, up to and including" it
        seq = sorted(
            (day(r["ADT"]), r["AVALC"], float(r["ASEQ"]))
            for r in adrs
            if r["USUBJID"] == sid and r["PARAMCD"] == "OVR" and (limit is None or day(r["ADT"]) <= limit)
        )
        window = rand + dt.timedelta(days=42)
        candidates = []  # (rank, date, category, seq)
        for i, (d, v, q) in enumerate(seq):
            if v in ("CR", "PR"):
                confirming = ("CR",) if v == "CR" else ("CR", "PR")
                allowed = ("CR", "NE") if v == "CR" else ("CR", "PR", "NE")  # "no SD" between
                later = seq[i + 1 :]
                j = next((k for k, (d2, v2, _) in enumerate(later)
                          if v2 in confirming and d2 >= d + dt.timedelta(days=28)), None)  # fmt: skip
                if j is not None:
                    between = [v2 for _, v2, _ in later[: j + 1]]
                    if all(x in allowed for x in between) and between.count("NE") <= 1:
                        candidates.append((ORDER[v], d, v, q))
                        continue
                # unconfirmed: SD when late enough, else NE
                candidates.append((3, d, "SD", q) if d >= window else (6, d, "NE", q))
            elif v in ("SD", "NON-CR/NON-PD"):
                candidates.append((ORDER[v], d, v, q) if d >= window else (6, d, "NE", q))
            else:
                candidates.append((ORDER[v], d, v, q))
        if not candidates:
            out[sid] = ("NE", None, None)  # "subjects with no ... assessment are NE"
            continue
        _, d, v, q = min(candidates)
        out[sid] = (v, d, q)
    return out


def test_the_oracle_agrees_with_hand_worked_rows():
    o = oracle()
    assert o["B01"] == ("PR", dt.date(2020, 12, 28), 1.0)  # a PR before randomisation, confirmed
    assert o["B02"] == ("NE", dt.date(2020, 12, 21), 4.0)  # only an SD before randomisation
    assert o["B03"] == ("SD", dt.date(2021, 2, 22), 5.0)  # the PRs after the PD date are not used
    assert o["B04"] == ("NE", None, None)  # no assessment
    assert o["B07"] == ("NON-CR/NON-PD", dt.date(2021, 3, 8), 16.0)  # PD parameter before the PD response
    assert o["B08"] == ("NE", dt.date(2021, 2, 8), 19.0)  # CRs 14 days apart, before the window


@pytest.mark.parametrize("engine", ENGINES)
def test_every_engine_gives_the_oracle_s_rows(engine, tmp_path):
    expected = oracle()
    codes = {**ORDER, "MISSING": 7}
    for frame, how in (
        (api_run(SLUG, engine).adtte, "api"),
        (written_frame(cli_run(SLUG, engine, tmp_path)), "cli"),
    ):
        got = {
            r["USUBJID"]: r for r in normal(frame, ["USUBJID", "AVALC", "AVAL", "ADT", "SRCSEQ", "STARTDT"])
        }
        assert sorted(got) == sorted(expected), how
        for sid, (avalc, adt, seq) in expected.items():
            r = got[sid]
            assert (r["AVALC"], r["ADT"], r["SRCSEQ"]) == (avalc, adt, seq), (how, sid)
            assert r["AVAL"] == float(codes[avalc]), (how, sid)
