"""Where the four parts of issue 13 meet: a grouped endpoint's parameters (`for each`) are
numbered by the ADaM output's PARAMN rule (docs/semantics.md section 9), and PARCAT1/PARCAT2
sit after PARAM in ADaM's column order."""

from pathlib import Path

import pandas as pd
import pytest

import endpointdsl
from endpointdsl.data.adam import complete, number_parameters
from endpointdsl.data.errors import DataError

ROOT = Path(__file__).resolve().parent.parent
CRS = ROOT / "examples" / "sap" / "crs_grade3_28d.ept"

# (endpoints in file order (code, grouped), checker's numbers, stated, PARAMCDs present, expected)
NUMBERING = [
    pytest.param(
        [("OS", False), ("PFS", False)], {"OS": 1, "PFS": 2}, frozenset(), ["OS", "PFS"], {"OS": 1, "PFS": 2},
        id="no groups: the checker's numbers",
    ),
    pytest.param(
        [("OS", False), ("PFS", False)], {"OS": 7, "PFS": 2}, frozenset({"OS"}), ["PFS", "OS"], {"OS": 7, "PFS": 2},
        id="no groups: a stated number kept",
    ),
    pytest.param(
        [("TTAE", True), ("OS", False)], {"TTAE": 1, "OS": 2}, frozenset(),
        ["OS", "TTAE0002", "TTAE0001", "TTAE0003"],
        {"TTAE0001": 1, "TTAE0002": 2, "TTAE0003": 3, "OS": 4},
        id="a grouped endpoint first: a later position counts its parameters",
    ),
    pytest.param(
        [("OS", False), ("TTAE", True)], {"OS": 1, "TTAE": 10}, frozenset({"TTAE"}),
        ["TTAE0001", "OS", "TTAE0002"], {"OS": 1, "TTAE0001": 10, "TTAE0002": 11},
        id="a grouped endpoint's stated paramn is its first number",
    ),
    pytest.param(
        [("AE", True), ("OS", False)], {"AE": 1, "OS": 2}, frozenset(), ["OS"], {"OS": 1},
        id="a grouped endpoint without values takes no number",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("endpoints", "numbers", "stated", "present", "expected"), NUMBERING)
def test_parameters_are_numbered_consecutively_in_file_order(endpoints, numbers, stated, present, expected):
    assert number_parameters(endpoints, numbers, stated, present) == expected


def test_a_stated_paramn_inside_a_groups_run_of_numbers_stops_the_run():
    endpoints = [("TTAE", True), ("OS", False)]
    with pytest.raises(DataError, match="PARAMN 2 would be both OS's and TTAE0002's"):
        number_parameters(endpoints, {"TTAE": 1, "OS": 2}, frozenset({"OS"}), ["TTAE0001", "TTAE0002", "OS"])


def test_the_gallery_grouped_endpoint_gets_consecutive_paramn_after_the_plain_one():
    compiled = endpointdsl.load(CRS)
    tables = {
        p.stem: pd.read_csv(p, dtype=str, keep_default_na=False)
        for p in (CRS.parent / "data" / "crs_grade3_28d").glob("*.csv")
    }
    for engine in ("sql", "compiled", "interpreter"):
        out = compiled.run(tables, engine=engine).adtte
        numbers = dict(zip(out["PARAMCD"], out["PARAMN"], strict=True))
        grouped = sorted(c for c in numbers if c.startswith("CRSGR"))
        assert numbers["CRS3"] == 1, engine
        assert [numbers[c] for c in grouped] == list(range(2, 2 + len(grouped))), engine
        assert list(out.columns[:5]) == ["USUBJID", "PARAMCD", "PARAM", "PARCAT1", "PARAMN"], engine


def test_parcat2_follows_parcat1_before_paramn():
    adtte = pd.DataFrame(
        {"USUBJID": ["S1"], "PARAMCD": ["AE0001"], "PARAM": ["AE: A / 3"], "PARCAT1": ["A"],
         "PARCAT2": ["3"], "STARTDT": [None], "AVAL": [1.0]}
    )  # fmt: skip
    subject = pd.DataFrame({"USUBJID": ["S1"], "STUDYID": ["ST"]})
    out = complete(adtte, subject, "USUBJID", [], {"AE0001": 1})
    assert list(out.columns) == [
        "STUDYID", "USUBJID", "PARAMCD", "PARAM", "PARCAT1", "PARCAT2", "PARAMN", "STARTDT", "AVAL",
    ]  # fmt: skip
