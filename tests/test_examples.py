"""Examples: every shipped .ept file checks, and the examples give the expected records."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from conftest import EXAMPLES, ROOT

import endpointdsl
from endpointdsl.data.read import read_tables

EPT_FILES = sorted(EXAMPLES.rglob("*.ept"))
COMPARED = ["STARTDT", "ADT", "AVAL", "CNSR", "EVNTDESC", "CNSDTDSC", "SRCDOM", "SRCVAR", "SRCSEQ"]


@pytest.mark.parametrize("path", EPT_FILES, ids=lambda p: p.name)
def test_example_checks_and_compiles(path):
    compiled = endpointdsl.load(path)
    assert compiled.model.endpoints
    compile(compiled.source, "generated", "exec")


def _run(ept, data, engine="compiled"):
    compiled = endpointdsl.load(ept)
    tables = read_tables(data, [t.name for t in compiled.model.tables])
    return compiled.run(tables, engine=engine)


def _as_text(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for col in ("STARTDT", "ADT"):
        out[col] = out[col].map(lambda d: d.isoformat())
    out["AVAL"] = out["AVAL"].map(float)
    out["CNSR"] = out["CNSR"].map(int)
    out["SRCSEQ"] = out["SRCSEQ"].map(lambda s: "" if pd.isna(s) else str(int(s)))
    return out.fillna("")


@pytest.mark.parametrize("engine", ["compiled", "interpreter"])
def test_pharmaverse_adtte_reproduces_admiral(engine):
    result = _run(EXAMPLES / "pharmaverse" / "adtte.ept", EXAMPLES / "pharmaverse" / "data", engine)
    ours = _as_text(result.adtte)
    ref = pd.read_csv(ROOT / "tests/data/pharmaverse/adtte_onco.csv", dtype=str, keep_default_na=False)
    ref["AVAL"] = ref["AVAL"].map(float)
    ref["CNSR"] = ref["CNSR"].map(int)
    key = ["USUBJID", "PARAMCD"]
    merged = ref.merge(ours, on=key, how="outer", suffixes=("_ref", "_ours"), indicator=True)
    assert (merged["_merge"] == "both").all(), merged[merged["_merge"] != "both"][key]
    assert len(merged) == 512
    for col in COMPARED:
        diff = merged[merged[f"{col}_ref"] != merged[f"{col}_ours"]]
        assert diff.empty, diff[[*key, f"{col}_ref", f"{col}_ours"]].head()
    # Nothing lost: the 52 screen failures (no RANDDT) and the 302 non-responders are
    # reported with their reason, once per endpoint that has no record for them.
    adsl = pd.read_csv(EXAMPLES / "pharmaverse/data/adsl.csv", dtype=str, keep_default_na=False)
    excluded = result.excluded
    for code in ("OS", "PFS", "RSD"):
        have = set(ours.USUBJID[ours.PARAMCD == code]) | set(excluded.USUBJID[excluded.PARAMCD == code])
        assert have == set(adsl.USUBJID)
    assert (excluded.MESSAGE == "no origin date: randomisation has no usable date").sum() == 2 * 52


# Expected records of the seed example, worked out by hand from the protocol sentences
# quoted in the .ept file and the scenarios in examples/data/README.md:
# (subject, PARAMCD) -> (ADT, CNSR, EVNTDESC), or the exclusion reason.
SEED_EXPECTED = {
    ("1001", "TTF"): ("2021-03-01", 0, "Early discontinuation of study therapy"),
    ("1001", "PFS"): ("2021-04-05", 0, "Progressive disease"),
    ("1001", "DOR"): ("2021-04-05", 0, "Progressive disease"),
    ("1001", "OS"): ("2021-08-10", 0, "Death due to any cause"),
    ("1002", "TTF"): ("2021-05-03", 0, "Early discontinuation of study therapy"),
    ("1002", "DOR"): "not in population: responders",
    ("1003", "TTF"): ("2021-06-15", 0, "Death due to any cause"),
    ("1003", "PFS"): ("2021-06-15", 2, "Death without documented progression"),
    ("1003", "PFSSTD"): ("2021-06-15", 0, "Death"),
    ("1004", "TTF"): ("2022-03-01", 1, "Last follow-up visit"),
    ("1004", "PFS"): ("2022-03-01", 1, "Alive without documented progression"),
    ("1004", "PFSSTD"): ("2021-08-02", 1, "Last adequate tumour assessment"),
    ("1004", "OS"): ("2022-03-10", 1, "Alive"),
    ("1005", "TTF"): ("2024-01-04", 1, "Last follow-up visit"),
    ("1005", "PFS"): ("2024-01-04", 9, "Followed beyond 3 years"),
    ("1005", "DOR"): ("2024-01-04", 1, "Last follow-up visit"),
    ("1005", "OS"): ("2024-09-01", 0, "Death due to any cause"),
    ("1006", "PFS"): ("2024-02-29", 0, "Progressive disease"),
    # followed beyond the 3 years (visits after 2024-02-29): censored at their end
    ("1007", "PFS"): ("2024-02-29", 9, "Followed beyond 3 years"),
    ("1007", "TTF"): ("2024-02-29", 1, "Last follow-up visit"),
    ("1007", "PFSSTD"): ("2024-03-01", 0, "Progressive disease"),
    ("1008", "PFS"): ("2021-12-06", 1, "Alive without documented progression"),
    ("1008", "DOR"): ("2021-12-06", 1, "Last follow-up visit"),
    ("1009", "TTF"): ("2021-05-03", 1, "Last follow-up visit"),
    ("1009", "PFSSTD"): ("2021-05-03", 3, "No adequate post-baseline assessment"),
    ("1010", "TTF"): "no origin date: enrolment has no usable date",
    ("1011", "DOR"): "not in population: responders",
    ("1012", "PFS"): ("2021-12-06", 1, "Alive without documented progression"),
    ("1013", "TTF"): ("2021-09-20", 0, "Progressive disease"),
    ("1013", "PFSSTD"): ("2021-09-20", 0, "Progressive disease"),
    ("1014", "TTF"): "no event, and no censoring rule applies",
    ("1014", "PFSSTD"): ("2021-07-12", 3, "No adequate post-baseline assessment"),
}


@pytest.fixture(scope="module")
def seed_result():
    return _run(EXAMPLES / "her2_cart_trastuzumab.ept", EXAMPLES / "data")


@pytest.mark.parametrize("key", sorted(SEED_EXPECTED), ids=lambda k: "-".join(k))
def test_seed_example(seed_result, key):
    subject, code = f"HER2CART-{key[0]}", key[1]
    expected = SEED_EXPECTED[key]
    rec = seed_result.adtte[(seed_result.adtte.USUBJID == subject) & (seed_result.adtte.PARAMCD == code)]
    if isinstance(expected, str):
        assert rec.empty
        ex = seed_result.excluded
        assert list(ex.MESSAGE[(ex.USUBJID == subject) & (ex.PARAMCD == code)]) == [expected]
        return
    assert len(rec) == 1
    row = rec.iloc[0]
    assert (row.ADT.isoformat(), row.CNSR, row.EVNTDESC) == expected
    assert row.AVAL == (row.ADT - row.STARTDT).days + 1


def test_seed_example_reports_data_findings(seed_result):
    findings = seed_result.findings
    assert "progression on 2021-03-29 is before the origin 2021-04-05; ignored" in set(findings.MESSAGE)
    assert any(findings.MESSAGE.str.contains("adrs row 23 has no usable ADT"))
    orphan = findings[findings.USUBJID == "HER2CART-1099"]
    assert list(orphan.MESSAGE) == ["subject has 1 row in adrs but none in adsl; not analysed"]


# Response endpoints of the seed example (CBR, ORR: breast cancer only), by hand from the
# scenarios in examples/data/README.md: (subject, PARAMCD) -> (AVALC, ADT), or the reason.
SEED_RESPONSE_EXPECTED = {
    ("1004", "CBR"): ("Y", "2021-08-02"),  # SD exactly 168 days (24 weeks) after enrolment
    ("1004", "ORR"): ("N", None),
    ("1006", "CBR"): "not in population: breast_cancer",
    ("1007", "ORR"): "not in population: breast_cancer",
    ("1008", "CBR"): ("N", None),  # a single CR, not confirmed, before 24 weeks
    ("1010", "ORR"): "no origin date: enrolment has no usable date",
    ("1015", "ORR"): ("Y", "2021-09-27"),  # PR confirmed 28 days later
    ("1015", "CBR"): ("Y", "2021-09-27"),
    ("1016", "ORR"): ("N", None),  # PR then PR 25 days later: not confirmed
    ("1016", "CBR"): ("N", None),
    ("1017", "ORR"): ("N", None),  # the same after 24 weeks: counts as SD for CBR
    ("1017", "CBR"): ("Y", "2022-02-07"),
    ("1018", "ORR"): ("Y", "2021-10-18"),  # PR NE PR: confirmed
    ("1019", "ORR"): ("N", None),  # PR NE NE PR: not confirmed
    ("1019", "CBR"): ("N", None),
    ("1020", "CBR"): ("Y", "2022-02-21"),  # SD at 24 weeks
    ("1021", "CBR"): ("N", None),  # SD at 23 weeks, then PD
    ("1022", "ORR"): ("N", None),  # no assessment: non-responder
    ("1022", "CBR"): ("N", None),
}

# The dual-target CAR-T example (seed 003), by hand from examples/her2_pdl1_cart/README.md.
# Dates as days after the infusion (Day 0). (subject, PARAMCD) -> (AVALC, day) for the
# rates, (day, CNSR, EVNTDESC, AVAL) for DDC, or the exclusion reason (its beginning).
CART_EXPECTED = {
    ("01", "TRAE28"): ("Y", 28),  # a related AE on Day 28 counts
    ("01", "DLT"): ("Y", 28),
    ("01", "ORRM6"): ("N", 180),  # PD in the month-6 window
    ("01", "DC"): ("Y", 91),  # SD on Day 30 is too early; SD on Day 91
    ("01", "DDC"): (180, 0, "Progressive disease", 90),
    ("02", "TRAE28"): ("N", None),  # a related AE only on Day 29
    ("03", "TRAE28"): ("N", None),  # a related AE only before the infusion
    ("04", "TRAE28"): ("N", None),  # unrelated AEs only
    ("04", "DC"): ("N", None),
    ("04", "DDC"): "not in population: subjects with disease_control",
    ("05", "DLT"): ("Y", -4),  # DLT during lymphodepletion, after the baseline visit
    ("05", "TRAE28"): ("Y", 7),
    ("06", "DLT"): ("N", None),  # DLT on Day 29
    ("06", "TRAE28"): ("Y", 14),
    ("07", "DLT"): "not evaluable",  # died on Day 12 without a DLT
    ("07", "TRAE28"): ("Y", 2),
    ("08", "DLT"): ("N", None),  # last known alive exactly on Day 28: evaluable
    ("08", "DC"): ("N", None),
    ("09", "ORRM1"): ("Y", 30),
    ("09", "ORRM3"): ("N", 91),  # SD at month 3 although the best response so far is PR
    ("09", "ORRM6"): ("Y", 183),
    ("09", "DC"): ("Y", 30),
    ("09", "DDC"): (183, 1, "Last adequate tumour assessment", 154),  # NE on Day 270 is not adequate
    ("10", "TRAE28"): ("Y", 0),  # the infusion day is Day 0
    ("10", "ORRM3"): ("N", 95),  # PR Day 80 and SD Day 95: the nearest to Day 91 wins
    ("10", "DC"): ("Y", 45),
    ("10", "DDC"): (250, 0, "Progressive disease", 206),
    ("11", "ORRM3"): ("Y", 86),  # PR Day 86 and SD Day 96, both 5 days off: the earlier
    ("11", "DC"): ("Y", 86),
    ("11", "DDC"): (200, 0, "Death", 115),
    ("12", "ORRM1"): ("N", 29),  # NE, the only assessment in the window
    ("12", "ORRM6"): ("Y", 183),
    ("13", "ORRM6"): ("N", 120),  # PD before the window; the CR after it does not count
    ("13", "DDC"): (120, 0, "Progressive disease", 65),
    ("14", "ORRM1"): ("N", None),  # no assessment at all
    ("14", "ORRM6"): ("N", None),
    ("14", "DC"): ("N", None),
    ("15", "ORRM1"): ("N", 35),
    ("15", "DC"): ("N", None),  # SD on Day 35 alone is not disease control
    ("16", "DC"): ("Y", 42),  # SD from Day 42 on
    ("16", "DDC"): (84, 1, "Last adequate tumour assessment", 43),
    ("17", "ORRM3"): ("Y", 91),
    ("17", "DC"): ("Y", 30),
    ("17", "DDC"): (365, 1, "Last adequate tumour assessment", 336),  # PD after the 12 months
    ("18", "TRAE28"): "not in population: safety",  # not infused
    ("18", "DC"): "not in population: safety",
    ("18", "DDC"): "not in population: subjects with disease_control",
}


@pytest.fixture(scope="module", params=["compiled", "interpreter"])
def seed_response_result(request):
    return _run(EXAMPLES / "her2_cart_trastuzumab.ept", EXAMPLES / "data", request.param)


@pytest.fixture(scope="module", params=["compiled", "interpreter"])
def cart_result(request):
    return _run(EXAMPLES / "her2_pdl1_cart.ept", EXAMPLES / "her2_pdl1_cart", request.param)


def _one(result, subject: str, code: str):
    """The subject's row for the endpoint, or its exclusion reason."""
    rec = result.adtte[(result.adtte.USUBJID == subject) & (result.adtte.PARAMCD == code)]
    ex = result.excluded
    reasons = list(ex.MESSAGE[(ex.USUBJID == subject) & (ex.PARAMCD == code)])
    assert len(rec) + len(reasons) == 1
    return reasons[0] if reasons else rec.iloc[0]


def _date(value):
    return None if value is None or pd.isna(value) else value


@pytest.mark.parametrize("key", sorted(SEED_RESPONSE_EXPECTED), ids=lambda k: "-".join(k))
def test_seed_response_example(seed_response_result, key):
    expected = SEED_RESPONSE_EXPECTED[key]
    found = _one(seed_response_result, f"HER2CART-{key[0]}", key[1])
    if isinstance(expected, str):
        assert found == expected
        return
    adt = _date(found.ADT)
    assert (found.AVALC, adt and adt.isoformat()) == expected


@pytest.mark.parametrize("key", sorted(CART_EXPECTED), ids=lambda k: "-".join(k))
def test_cart_example(cart_result, key):
    expected = CART_EXPECTED[key]
    subject = f"H2PDL1-{key[0]}"
    found = _one(cart_result, subject, key[1])
    if isinstance(expected, str):
        assert isinstance(found, str) and found.startswith(expected), found
        return
    adsl = pd.read_csv(EXAMPLES / "her2_pdl1_cart/adsl.csv", dtype=str).set_index("USUBJID")
    infusion = dt.date.fromisoformat(adsl.CARTDT[subject])
    adt = _date(found.ADT)
    day = None if adt is None else (adt - infusion).days
    if key[1] == "DDC":
        assert (day, found.CNSR, found.EVNTDESC, found.AVAL) == expected
    else:
        assert (found.AVALC, day) == expected


def test_cart_example_rates(cart_result):
    """n / N of the summary: N is the safety set (17 infused), less the one subject who
    is not DLT-evaluable."""
    compiled = endpointdsl.load(EXAMPLES / "her2_pdl1_cart.ept")
    summary = compiled.summary(cart_result).set_index("PARAMCD")
    rates = {code: (int(row.n), int(row.N)) for code, row in summary.iterrows()}
    assert rates == {
        "TRAE28": (5, 17), "DLT": (2, 16), "ORRM1": (2, 17), "ORRM3": (2, 17), "ORRM6": (3, 17), "DC": (12, 17),
    }  # fmt: skip
