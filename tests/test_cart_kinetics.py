"""examples/her2_cart_kinetics.ept: CAR-T expansion and persistence (issue 14), against an
oracle written with plain numpy from the NCA definitions and the conventions the example's
header states, not from the compiler; all three engines, through the API and the CLI.

Definitions: Cmax the largest level, Tmax its first day; AUC0-28 the linear trapezoidal
area over the samples of days 0 to 28; Clast/Tlast the last quantifiable level and its day;
detectable at month m: the sample nearest m x 30.4375 days (within 14 days at month 3,
21 at month 6; a tie to the earlier day) is quantifiable. Below the LLOQ: 0 before the
first quantifiable sample, LLOQ/2 after; a repeated assay: the mean of the day's levels.
"""

from __future__ import annotations

import contextlib
import csv
import io

import numpy as np
import pandas as pd
import pytest
from conftest import EXAMPLES

import endpointdsl
from endpointdsl.cli import main
from endpointdsl.data.read import read_tables

EPT = EXAMPLES / "her2_cart_kinetics.ept"
DATA = EXAMPLES / "her2_cart_kinetics"
ENGINES = ("compiled", "interpreter", "sql")
trapezoid = getattr(np, "trapezoid", None) or np.trapz  # numpy 2 renamed it


def oracle() -> dict[tuple[str, str], float | str]:
    """{(subject, PARAMCD): AVAL, or "Y"/"N" for the persistence flags}."""
    with open(DATA / "adpc.csv", newline="") as f:
        samples = list(csv.DictReader(f))
    with open(DATA / "adsl.csv", newline="") as f:
        subjects = [r["USUBJID"] for r in csv.DictReader(f)]
    out: dict = {}
    for sid in subjects:
        mine = [r for r in samples if r["USUBJID"] == sid and r["PARAMCD"] == "TRANSGEN" and r["ARELDY"]]
        mine = [r for r in mine if r["BLQFL"] == "Y" or r["AVAL"]]  # a failed assay is not a sample
        if not mine:
            continue
        quantified = [float(r["ARELDY"]) for r in mine if r["BLQFL"] != "Y"]
        first = min(quantified) if quantified else np.inf
        levels: dict[float, list[float]] = {}
        measured: dict[float, bool] = {}
        for r in mine:
            t = float(r["ARELDY"])
            below = 0.0 if t < first else float(r["LLOQ"]) / 2  # the example's BLQ rule
            v = below if r["BLQFL"] == "Y" else float(r["AVAL"])
            levels.setdefault(t, []).append(v)
            measured[t] = measured.get(t, False) or r["BLQFL"] != "Y"
        days = np.array(sorted(levels))
        conc = np.array([np.mean(levels[t]) for t in days])
        out[(sid, "CMAX")] = conc.max()
        out[(sid, "TMAX")] = days[np.argmax(conc)]  # argmax: the first of equal maxima
        early = (days >= 0) & (days <= 28)
        out[(sid, "AUC28")] = float(trapezoid(conc[early], days[early]))
        quantifiable = np.array([measured[t] for t in days]) & (conc > 0)
        if quantifiable.any():
            last = np.nonzero(quantifiable)[0][-1]
            out[(sid, "CLST")], out[(sid, "TLST")] = conc[last], days[last]
        for code, months, within in (("PERS3M", 3, 14), ("PERS6M", 6, 21)):
            distance = np.abs(days - months * 30.4375)
            if (distance <= within).any():
                nearest = np.argmin(distance)  # the first of equal distances: the earlier day
                out[(sid, code)] = "Y" if quantifiable[nearest] else "N"
    return out


@pytest.fixture(scope="module")
def runs():
    compiled = endpointdsl.load(EPT)
    tables = read_tables(DATA, [t.name for t in compiled.model.tables])
    return {engine: compiled.run(tables, engine=engine) for engine in ENGINES}


def ours(adtte: pd.DataFrame) -> dict:
    return {
        (r.USUBJID, r.PARAMCD): r.AVALC if r.PARAMCD.startswith("PERS") else float(r.AVAL)
        for r in adtte.itertuples()
    }


@pytest.mark.parametrize("engine", ENGINES)
def test_every_value_is_the_oracles(runs, engine):
    got, want = ours(runs[engine].adtte), oracle()
    assert got.keys() == want.keys()
    for key, value in want.items():
        assert got[key] == (pytest.approx(value, rel=1e-12) if key[1] == "AUC28" else value), key


def test_hand_checked_records(runs):
    got = ours(runs["compiled"].adtte)
    # C01: 0-1: 60, 1-4: 3780, 4-7: 30600, 7-10: 64500, 10-14: 68000, 14-21: 42350, 21-28: 16100
    assert got[("C01", "AUC28")] == 225390.0
    assert (got[("C02", "CMAX")], got[("C02", "TMAX")]) == (12000.0, 7.0)  # equal peaks on days 7 and 10
    assert got[("C05", "CMAX")] == 8800.0 and got[("C05", "PERS3M")] == "Y"  # month 3 on day 98
    assert (got[("C03", "TLST")], got[("C03", "PERS3M")]) == (10.0, "N")  # cells lost after day 10
    assert (got[("C04", "CMAX")], got[("C04", "AUC28")], got[("C04", "PERS6M")]) == (0.0, 0.0, "N")


def test_every_subject_has_its_values_or_a_reason(runs):
    report = runs["compiled"].report
    reasons = {(r.USUBJID, r.PARAMCD): r.MESSAGE for r in report[report.STATUS == "excluded"].itertuples()}
    assert reasons[("C03", "PERS6M")] == "car: no usable sample within 21 days of 6 months"  # withdrawn
    assert reasons[("C07", "PERS6M")] == "car: no usable sample within 21 days of 6 months"  # day 160
    assert reasons[("C04", "CLST")] == "car: no quantifiable sample"
    assert reasons[("C06", "AUC28")] == "car: no usable sample over 0 to 28 days"  # never infused
    assert len(runs["compiled"].adtte) + len(reasons) == 7 * 7
    findings = set(report[report.STATUS == "finding"].MESSAGE)
    assert findings == {
        "car: adpc row 55 has no usable AVAL; not used",
        "car: adpc row 60 has no usable ARELDY; not used",
    }
    units = dict(zip(runs["compiled"].adtte.PARAMCD, runs["compiled"].adtte.AVALU, strict=True))
    assert (units["CMAX"], units["TMAX"], units["AUC28"]) == ("copies/ug", "d", "d*copies/ug")


@pytest.mark.parametrize("engine", ENGINES)
def test_the_command_line_writes_the_same_records(runs, engine, tmp_path):
    out = tmp_path / "adpp.csv"
    argv = ["run", str(EPT), "--data", str(DATA), "--out", str(out), "--engine", engine]
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        assert main(argv) == 0
    written = pd.read_csv(out, dtype=str, keep_default_na=False)
    api = runs[engine].adtte
    assert list(written.USUBJID) == list(api.USUBJID) and list(written.PARAMCD) == list(api.PARAMCD)
    assert [float(x) for x in written.AVAL] == list(api.AVAL)
