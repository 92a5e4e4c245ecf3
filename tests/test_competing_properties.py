"""Competing events (issue 13, item 2): properties over generated histories.

A CAR-T-like file derives CIR (relapse, death competing) and NRM (death, relapse competing)
from one definition of the events, with a horizon sometimes. For every generated history:

* the two records of a subject agree: same ADT, and (CIR CNSR, NRM CNSR) is (0, 2) for a
  relapse first or on the day of death, (2, 0) for a death without prior relapse, or the same
  censoring code in both (the same censoring rule dated both);
* the cumulative incidences from the records, by an Aalen-Johansen estimate written here in
  numpy, add up to 1 - the Kaplan-Meier estimate of the composite (relapse or death) at every
  time: the coding leaves nothing out and counts nothing twice;
* the three engines give identical frames.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from endpointdsl import CompiledFile, check_text

SOURCE = """\
table adsl: one row per subject
table adrs: many rows per subject
event infusion = adsl.INFDT
event death = adsl.DTHDT label "Death"
event relapse = adrs.ADT where PARAMCD = "RELPROG" sequence ASEQ label "Relapse"
event last_contact = adsl.LSTCNDT label "Last contact"
endpoint CIR "CIR"
  from infusion
  to relapse competing death cnsr 2
  same day: event first
  censor at last_contact cnsr 1
  censor at origin cnsr 3
HORIZON
end
endpoint NRM "NRM"
  from infusion
  to death competing relapse cnsr 2
  same day: competing first
  censor at last_contact cnsr 1
  censor at origin cnsr 3
HORIZON
end
"""
ORIGIN = dt.date(2023, 1, 10)


def day(offset: int | None) -> str:
    return "" if offset is None else (ORIGIN + dt.timedelta(days=offset)).isoformat()


@st.composite
def histories(draw):
    adsl, adrs = [], []
    for i in range(draw(st.integers(1, 12))):
        sid = f"S{i:02d}"
        death = draw(st.one_of(st.none(), st.integers(-2, 30)))
        contact = draw(st.one_of(st.none(), st.integers(-2, 40)))
        adsl.append({"USUBJID": sid, "INFDT": day(0), "DTHDT": day(death), "LSTCNDT": day(contact)})
        for seq, rel in enumerate(draw(st.lists(st.integers(-3, 35), max_size=2)), 1):
            adrs.append({"USUBJID": sid, "PARAMCD": "RELPROG", "ADT": day(rel), "ASEQ": seq})
    horizon = draw(st.sampled_from(["", "  horizon 20 days\n  ascertainment: continuous"]))
    tables = {
        "adsl": pd.DataFrame(adsl),
        "adrs": pd.DataFrame(adrs, columns=["USUBJID", "PARAMCD", "ADT", "ASEQ"]),
    }
    return SOURCE.replace("HORIZON\n", horizon + "\n" if horizon else ""), tables


def aalen_johansen(time: np.ndarray, cause: np.ndarray, codes: tuple[int, ...]):
    """At each distinct time: the cumulative incidence of each cause code (0: none left) and the
    Kaplan-Meier survival of any cause; `cause` is 0 for censored."""
    surv, cif = 1.0, dict.fromkeys(codes, 0.0)
    out = []
    for t in np.unique(time):
        at_risk = np.sum(time >= t)
        counts = {c: np.sum((time == t) & (cause == c)) for c in codes}
        for c in codes:
            cif[c] += surv * counts[c] / at_risk
        surv *= 1 - sum(counts.values()) / at_risk
        out.append((t, dict(cif), surv))
    return out


_COMPILED: dict[str, CompiledFile] = {}


def compiled(source: str) -> CompiledFile:
    if source not in _COMPILED:
        _COMPILED[source] = CompiledFile.from_model(check_text(source, "cart.ept"))
    return _COMPILED[source]


# Each example runs the SQL engine too: a few dozen keep the default suite quick (the heavy
# profile runs more); generated programs cover competing events in the three-way tests besides.
@settings(max_examples=max(40, settings.default.max_examples // 25))
@given(histories())
def test_cir_and_nrm_agree_and_the_incidences_add_up(case):
    source, tables = case
    program = compiled(source)
    results = {e: program.run(tables, engine=e) for e in ("interpreter", "compiled", "sql")}
    frames = [r.adtte.reset_index(drop=True) for r in results.values()]
    for f in frames[1:]:
        pd.testing.assert_frame_equal(frames[0], f)
    adtte = frames[0]
    cir = adtte[adtte.PARAMCD == "CIR"].set_index("USUBJID")
    nrm = adtte[adtte.PARAMCD == "NRM"].set_index("USUBJID")
    assert list(cir.index) == list(nrm.index)
    for sid in cir.index:
        a, b = cir.loc[sid], nrm.loc[sid]
        assert a.ADT == b.ADT, sid
        assert (int(a.CNSR), int(b.CNSR)) in {(0, 2), (2, 0), (1, 1), (3, 3)}, (sid, a.CNSR, b.CNSR)
    if cir.empty:
        return
    time = cir.AVAL.to_numpy(float)
    cnsr = cir.CNSR.to_numpy(int)
    cause = np.where(cnsr == 0, 1, np.where(cnsr == 2, 2, 0))  # cmprsk's fstatus: 1 event, 2 competing
    for _, cif, surv in aalen_johansen(time, cause, (1, 2)):
        assert abs(cif[1] + cif[2] - (1 - surv)) < 1e-12
