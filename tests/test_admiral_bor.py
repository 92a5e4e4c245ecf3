"""admiralonco's best-response rules (issue 19, part 1), each option against an oracle.

The oracles restate admiralonco's `derive_param_bor` and `derive_param_confirmed_bor`
(and `filter_pd` for a progression source) as their R source reads, in plain Python over
the hand-made rows below; none calls endpointdsl. Every engine must give the oracle's
AVALC and ADT for every subject, under each combination of the options that select
admiralonco's behaviour. One response per date (admiralonco does not collapse a date's
responses to the worst; the language does: a deliberate difference, docs/admiral.md).
"""

from __future__ import annotations

import datetime as dt
import itertools

import pandas as pd
import pytest

from endpointdsl.api import CompiledFile, check_text

ENGINES = ("compiled", "interpreter", "sql")
RAND = dt.date(2020, 1, 1)
WINDOW = 42  # ref_start_window: SD needs origin + 42 days
CONFIRM = 28  # ref_confirm


def d(days: int) -> dt.date:
    return RAND + dt.timedelta(days=days)


# (subject, days after RAND, AVALC); PD rows of the progression parameter separately.
OVR = [
    ("S1", -12, "SD"),  # only an SD before the origin: admiralonco NE, the default MISSING
    ("S2", -7, "PR"), ("S2", 60, "SD"),  # a PR before the origin counts in admiralonco
    ("S3", 50, "PD"), ("S3", 100, "SD"),  # an SD after the PD beats it without a cut-off
    ("S5", 30, "SD"), ("S5", 80, "PD"), ("S5", 120, "PR"),
    ("S6", 50, "CR"), ("S6", 90, "CR"),  # a confirmed CR
    ("S7", 45, "PD"), ("S7", 60, "PR"), ("S7", 95, "PR"),  # a confirmed PR after PD
    ("S8", 10, "PR"), ("S8", 20, "NE"),  # an unconfirmed PR before the SD window: NE
    ("S9", 50, "NON-CR/NON-PD"), ("S9", 70, "PD"), ("S9", 75, "SD"),
    ("S10", 20, "ND"), ("S10", 60, "ND"),  # only ND (not done): ND, just above MISSING
    ("S11", 50, "CR"), ("S11", 65, "ND"), ("S11", 90, "CR"),  # an ND between breaks the confirmation
]  # fmt: skip
PD_DATES = {"S5": 80, "S9": 70, "S7": 45, "S3": 50}  # the PD parameter (source_pd)
SUBJECTS = ("S1", "S2", "S3", "S4", "S5", "S6", "S7", "S8", "S9", "S10", "S11")  # S4: no assessment
# derive_param_confirmed_bor's tmp_order; ND 7 (derive_param_bor leaves ND without an order, so
# that its MISSING row wins: the language follows derive_param_confirmed_bor in both)
ORDER = {"CR": 1, "PR": 2, "SD": 3, "NON-CR/NON-PD": 4, "PD": 5, "NE": 6, "ND": 7}


def tables() -> dict[str, pd.DataFrame]:
    adsl = pd.DataFrame({"USUBJID": list(SUBJECTS), "RANDDT": [RAND.isoformat()] * len(SUBJECTS)})
    rows = [(s, "OVR", d(k).isoformat(), v) for s, k, v in OVR]
    rows += [(s, "PD", d(k).isoformat(), "Y") for s, k in PD_DATES.items()]
    adrs = pd.DataFrame(rows, columns=["USUBJID", "PARAMCD", "ADT", "AVALC"])
    adrs["ASEQ"] = [str(i + 1) for i in range(len(adrs))]
    return {"adsl": adsl, "adrs": adrs}


def source(subject: str, before: str, cutoff: str) -> list[tuple[dt.date, str]]:
    """filter_source (and filter_pd): the subject's rows as admiralonco reads them. admiralonco
    has no origin filter (`count`); the default of the language drops rows before the origin.
    `cutoff` "first" drops rows after the first PD row, as RECIST does (the language's default)."""
    rows = sorted((d(k), v) for s, k, v in OVR if s == subject)
    if before == "ignore":
        rows = [r for r in rows if r[0] >= RAND]
    if cutoff == "event" and subject in PD_DATES:
        rows = [r for r in rows if r[0] <= d(PD_DATES[subject])]  # filter_pd: ADT <= PD date
    if cutoff == "first":
        first = next((i for i, r in enumerate(rows) if r[1] == "PD"), None)
        rows = rows if first is None else rows[: first + 1]
    return rows


def bor(rows, missing_as_ne: bool) -> tuple[str, dt.date | None]:
    """derive_param_bor: SD and NON-CR/NON-PD before reference_date + ref_start_window are NE;
    the lowest (order, ADT); no record: MISSING, or NE with missing_as_ne."""
    ranked = []
    for date, v in rows:
        if v in ("SD", "NON-CR/NON-PD") and date < d(WINDOW):
            v = "NE"
        ranked.append((ORDER[v], date, v))
    if not ranked:
        return ("NE" if missing_as_ne else "MISSING"), None
    _, date, v = min(ranked)
    return v, date


def confirmed_bor(rows, missing_as_ne: bool) -> tuple[str, dt.date | None]:
    """derive_param_confirmed_bor (max_nr_ne = 1, accept_sd = FALSE): cr_data, pr_data, sd_data,
    non_data, pd_data, ne_data as the R source builds them; the lowest (tmp_order, ADT)."""
    cands = []
    for i, (date, v) in enumerate(rows):
        later = rows[i + 1 :]
        if v == "CR":
            j = next(
                (k for k, (dd, w) in enumerate(later) if w == "CR" and dd >= date + dt.timedelta(CONFIRM)),
                None,
            )
            if j is not None:
                between = [w for _, w in later[: j + 1]]
                if all(w in ("CR", "NE") for w in between) and between.count("NE") <= 1:
                    cands.append((1, date, "CR"))
        if v == "PR":
            j = next(
                (
                    k
                    for k, (dd, w) in enumerate(later)
                    if w in ("CR", "PR") and dd >= date + dt.timedelta(CONFIRM)
                ),
                None,
            )
            if j is not None:
                between = later[: j + 1]
                vals = [w for _, w in between]
                crs = [dd for dd, w in between if w == "CR"]
                prs = [dd for dd, w in between if w == "PR"]
                ordered = not crs or not prs or min(crs) > max(prs)
                if (
                    all(w in ("CR", "PR", "SD", "NE") for w in vals)
                    and vals.count("NE") <= 1
                    and (vals.count("SD") == 0 and ordered)
                ):
                    cands.append((2, date, "PR"))
        late = date >= d(WINDOW)
        if v in ("CR", "PR", "SD") and late:
            cands.append((3, date, "SD"))
        if v == "NON-CR/NON-PD" and late:
            cands.append((4, date, v))
        if v == "PD":
            cands.append((5, date, "PD"))
        if v == "NE" or (v in ("CR", "PR", "SD", "NON-CR/NON-PD") and not late):
            cands.append((6, date, "NE"))
        if v == "ND":  # nd_data
            cands.append((7, date, "ND"))
    if not cands:
        return ("NE" if missing_as_ne else "MISSING"), None
    _, date, v = min(cands)
    return v, date


def program(before: str, cutoff: str, missing_as_ne: bool, confirm: bool) -> str:
    clauses = ["  sd at least 42 days after origin"]
    if confirm:
        clauses.append("  confirm after 28 days")
    clauses.append(f"  before origin: {before}")
    clauses.append(
        "  progressive disease cutoff: " + {"first": "first", "event": "at pd", "none": "none"}[cutoff]
    )
    if missing_as_ne:
        clauses.append("  no visits: not evaluable")
    body = "\n".join(clauses)
    return f"""table adsl: one row per subject
table adrs: many rows per subject
event rand = adsl.RANDDT
event ovr = adrs.ADT where PARAMCD = "OVR" response AVALC sequence ASEQ
event pd = adrs.ADT where PARAMCD = "PD" and AVALC = "Y" sequence ASEQ
endpoint BOR "Best overall response"
  from rand
  best response of ovr
{body}
end
"""


OPTIONS = list(
    itertools.product(("ignore", "count"), ("first", "event", "none"), (False, True), (False, True))
)


@pytest.mark.parametrize("before, cutoff, missing_as_ne, confirm", OPTIONS)
def test_best_response_follows_admiralonco(before, cutoff, missing_as_ne, confirm):
    compiled = CompiledFile.from_model(check_text(program(before, cutoff, missing_as_ne, confirm)))
    rule = confirmed_bor if confirm else bor
    expected = {s: rule(source(s, before, cutoff), missing_as_ne) for s in SUBJECTS}
    for engine in ENGINES:
        out = compiled.run(tables(), engine=engine).adtte
        got = {
            r.USUBJID: (r.AVALC, None if pd.isna(r.ADT) else pd.Timestamp(r.ADT).date())
            for r in out.itertuples()
        }
        assert got == expected, (engine, before, cutoff, missing_as_ne, confirm)
        nd = out[out.AVALC == "ND"]
        assert len(nd) == 1 and nd.AVAL.isna().all()  # ND has no AVAL code (aval_resp gives NA)


def test_literal_rows():
    """A few answers worked by hand from admiralonco's rules."""
    # only an SD before the origin: NE when counted (SD before the window), MISSING when ignored
    assert bor(source("S1", "count", "none"), False) == ("NE", d(-12))
    assert bor(source("S1", "ignore", "none"), False) == ("MISSING", None)
    # an SD after the PD beats it without a cut-off; the first PD cuts it off
    assert bor(source("S3", "ignore", "none"), False) == ("SD", d(100))
    assert bor(source("S3", "ignore", "first"), False) == ("PD", d(50))
    # a confirmed PR after PD counts without a cut-off
    assert confirmed_bor(source("S7", "ignore", "none"), False) == ("PR", d(60))
    assert confirmed_bor(source("S4", "ignore", "none"), True) == ("NE", None)


def test_before_origin_ignored_is_reported():
    """Under the default, an assessment dropped for being before the origin is in the report."""
    compiled = CompiledFile.from_model(check_text(program("ignore", "first", False, False)))
    reports = []
    for engine in ENGINES:
        report = compiled.run(tables(), engine=engine).report
        mine = report[report.USUBJID.isin(["S1", "S2"])]
        reports.append(mine.MESSAGE.tolist())
    assert reports[0] == reports[1] == reports[2]
    assert any("before the origin 2020-01-01; ignored" in m for m in reports[0])
    counted = CompiledFile.from_model(check_text(program("count", "first", False, False)))
    report = counted.run(tables(), engine="compiled").report
    assert not report.MESSAGE.str.contains("before the origin").any()


def test_cutoff_is_visible_in_the_model():
    for cutoff, words in (("first", "first progressive disease (PD)"), ("none", "none"), ("event", "at pd")):
        spec = check_text(program("ignore", cutoff, False, False)).endpoints[0].response
        assert spec.progression_cutoff.startswith(words)
    default = check_text(
        program("ignore", "first", False, False).replace("  progressive disease cutoff: first\n", "")
    )
    assert default.endpoints[0].response.progression is None
    assert default.endpoints[0].response.progression_cutoff == "first progressive disease (PD)"


def test_run_prints_the_cutoff_that_applied(tmp_path, capsys):
    from endpointdsl.cli import main

    data = tmp_path / "data"
    data.mkdir()
    for name, frame in tables().items():
        frame.to_csv(data / f"{name}.csv", index=False)
    for cutoff, line in (
        ("first", "BOR: progressive disease cut-off first progressive disease (PD)"),
        ("none", "BOR: progressive disease cut-off none (every assessment is used); "
                 "assessments before the origin counted; no visit: NE"),
    ):  # fmt: skip
        before = "ignore" if cutoff == "first" else "count"
        ept = tmp_path / f"{cutoff}.ept"
        ept.write_text(program(before, cutoff, cutoff == "none", False), encoding="utf-8")
        assert main(["run", str(ept), "--data", str(data), "--out", str(tmp_path / f"{cutoff}.csv")]) == 0
        assert line in capsys.readouterr().out.splitlines()
