"""FDA PFS censoring table: examples/fda_pfs.ept against DOMAIN.md section B's worked examples."""

from __future__ import annotations

import pytest
from conftest import EXAMPLES

import endpointdsl
from endpointdsl.data.read import read_tables

# DOMAIN.md section B, "Worked examples": row -> (CNSR, ADT, AVAL(+1)); events also EVNTDESC.
WORKED = {
    "B1": (2, "2024-01-15", 1),
    "B2": (3, "2024-01-15", 1),
    "B3A": (0, "2024-04-20", 97),
    "B4": (1, "2024-08-26", 225),
    "B5": (6, "2024-03-11", 57),
    "B6": (4, "2024-05-06", 113),
    "B7": (0, "2024-02-20", 37),
    "B8": (0, "2024-04-02", 79),
    "B9": (5, "2024-03-11", 57),
    # J1: the FDA-conformant reading of the seed's PFS record: 65 days since the last
    # adequate scan is within 2 x 56 + 7 = 119, so the death is an event.
    "J1": (0, "2024-07-10", 178),
}


@pytest.fixture(scope="module", params=["compiled", "interpreter"])
def adtte(request):
    compiled = endpointdsl.load(EXAMPLES / "fda_pfs.ept")
    tables = read_tables(EXAMPLES / "fda_data", [t.name for t in compiled.model.tables])
    result = compiled.run(tables, engine=request.param)
    assert result.report.empty
    return result.adtte.set_index(["PARAMCD", "USUBJID"])


@pytest.mark.parametrize("row", sorted(WORKED))
def test_worked_example(adtte, row):
    cnsr, adt, aval = WORKED[row]
    rec = adtte.loc[("PFS", row)]
    assert (rec.CNSR, rec.ADT.isoformat(), rec.AVAL) == (cnsr, adt, aval)


def test_death_events_say_death(adtte):
    assert adtte.loc[("PFS", "B7")].EVNTDESC == adtte.loc[("PFS", "B8")].EVNTDESC == "Death"


def test_later_progression_after_new_therapy_is_ignored(adtte):
    # B6: PD 2024-07-01 and death 2024-09-02 come after the new therapy (2024-06-10).
    assert adtte.loc[("PFS", "B6")].EVNTDESC == "New anticancer therapy before progression"


# The sensitivity variants differ from PFS exactly where they say (DOMAIN.md C3: the
# EMA-style reading of B9 is an event at the observed date, AVAL 183).
VARIANTS = {
    ("PFSEMA", "B9"): (0, "2024-07-15", 183),
    ("PFSNACT", "B6"): (0, "2024-07-01", 169),
}


@pytest.mark.parametrize("variant", ["PFSEMA", "PFSNACT"])
def test_variants_change_only_what_they_leave_out(adtte, variant):
    for row in WORKED:
        rec = adtte.loc[(variant, row)]
        expected = VARIANTS.get((variant, row), WORKED[row])
        assert (rec.CNSR, rec.ADT.isoformat(), rec.AVAL) == expected, row


@pytest.mark.parametrize(
    "death_after_last_scan, cnsr",
    [(175, 0), (176, 5)],  # after week 48 the interval is 12 weeks: 2 x 84 + 7 = 175 days
)
def test_missed_assessment_threshold_follows_the_schedule_after_week_48(death_after_last_scan, cnsr):
    import datetime as dt

    rand = dt.date(2023, 1, 16)  # early enough for the death to fall before the 2024-10-01 cut-off
    last_scan = rand + dt.timedelta(days=340)  # week 48 4/7: the 12-week schedule is in force
    death = last_scan + dt.timedelta(days=death_after_last_scan)
    compiled = endpointdsl.load(EXAMPLES / "fda_pfs.ept")
    adsl = {"USUBJID": "S1", "RANDDT": rand.isoformat(), "DTHDT": death.isoformat()}
    adrs = [
        {"USUBJID": "S1", "ASEQ": 1, "PARAMCD": "OVR", "AVALC": "SD", "ABLFL": "Y", "ADT": "2023-01-06"},
        {
            "USUBJID": "S1",
            "ASEQ": 2,
            "PARAMCD": "OVR",
            "AVALC": "SD",
            "ABLFL": None,
            "ADT": last_scan.isoformat(),
        },
    ]
    for derive in (compiled["PFS"], compiled["PFS"].interpret):
        rec = derive({"adsl": [adsl], "adrs": adrs}, "S1").record
        assert rec.CNSR == cnsr
        assert rec.ADT == (death if cnsr == 0 else last_scan)
