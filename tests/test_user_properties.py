"""Generated properties of a user's own definitions (issue 15, endpointdsl.testing.properties).

They hold on the example files, and each one fails on an engine or a definition broken on
purpose in the way it is meant to catch, so that none passes vacuously. Example counts are
small here (the properties run under `endpointdsl test` with more); the `heavy` hypothesis
profile multiplies them.
"""

from __future__ import annotations

import datetime as dt
import functools
import os

import attrs
import pytest
from conftest import EXAMPLES
from hypothesis import HealthCheck, given, settings
from strategies import programs
from test_differential import rejected

import endpointdsl
from endpointdsl.api import CompiledFile
from endpointdsl.data.records import Derivation
from endpointdsl.testing import oracle
from endpointdsl.testing.properties import NAMES, property_checks

HEAVY = os.environ.get("HYPOTHESIS_PROFILE") == "heavy"
# examples per property: the oracle's (per subject, quick), a whole run, three engines
COUNTS = {"row-order": 4, "every-subject": 4, "engines-agree": 2}
DEFAULT = 6


def examples(name: str) -> int:
    return COUNTS.get(name, DEFAULT) * (10 if HEAVY else 1)


@functools.cache
def compiled(path: str) -> CompiledFile:
    return CompiledFile.from_model(endpointdsl.check_file(EXAMPLES / path))


def fresh(path: str) -> CompiledFile:
    """A compiled file of its own, whose functions a test may replace."""
    return CompiledFile.from_model(endpointdsl.check_file(EXAMPLES / path))


def endpoints(*paths: str) -> list[tuple[str, str]]:
    return [(p, ep.paramcd) for p in paths for ep in compiled(p).model.endpoints]


GALLERY = (
    "sap/os_fda.ept",
    "sap/cart_nrm_cir.ept",
    "sap/teae_window_condition.ept",
    "sap/ae_worst_infection.ept",
)


@pytest.mark.parametrize(("path", "paramcd"), endpoints("fda_pfs.ept", "her2_cart_trastuzumab.ept", *GALLERY))
def test_every_property_holds_on_the_examples(path, paramcd):
    checks = property_checks(compiled(path), paramcd)
    assert [c.name for c in checks] == list(NAMES)
    for check in checks:
        result = check.run(examples(check.name), 2024)
        assert result.ok, f"{paramcd} {check.name}: {result.message}"
        assert result.skipped == (check.skipped is not None)


def test_what_does_not_apply_is_said_not_silent():
    """A best response has no CNSR: properties 2, 3, 6 are skipped with the reason, 1 is run."""
    checks = {c.name: c for c in property_checks(compiled("her2_cart_trastuzumab.ept"), "ORR")}
    for name in ("event-beats-censoring", "earliest-event", "aval", "later-rows"):
        assert checks[name].skipped, name
        result = checks[name].run(5, 0)
        assert result.ok and result.skipped and "not applicable" in result.message
        assert "Not checked for ORR" in checks[name].description
    assert checks["window"].skipped is None
    tte = property_checks(compiled("her2_cart_trastuzumab.ept"), "PFSSTD")
    assert all(c.skipped is None for c in tte)
    assert "progression, death" in tte[1].description


# ---- each property fails on a broken engine or definition ---------------------------------------


def broken(path: str, paramcd: str, change) -> CompiledFile:
    """The file with the compiled function of `paramcd` replaced by `change(subject, derivation)`."""
    comp = fresh(path)
    real = comp.namespace["ENDPOINTS"][paramcd]
    comp.namespace["ENDPOINTS"][paramcd] = lambda subject: change(subject, real(subject))
    return comp


def record_changed(derivation: Derivation, **changes) -> Derivation:
    if derivation.record is None:
        return derivation
    return attrs.evolve(derivation, record=attrs.evolve(derivation.record, **changes))


def failing(comp: CompiledFile, paramcd: str, name: str, count: int = 40):
    """The property's failure message on a broken engine: found, not shrunk (shrinking is shown
    once, below: it costs hundreds of runs)."""
    check = next(c for c in property_checks(comp, paramcd) if c.name == name)
    assert check.skipped is None
    result = check.run(count, 7, shrink=False)
    assert not result.ok, f"{name} passed on a broken engine: {result.message}"
    assert "history (rows per table):" in result.message, result.message
    return result.message


def test_window_fails_when_adt_is_before_the_origin():
    comp = broken(
        "her2_cart_trastuzumab.ept", "PFSSTD",
        lambda s, d: record_changed(d, ADT=d.record.STARTDT - dt.timedelta(days=1)) if d.record else d,
    )  # fmt: skip
    message = failing(comp, "PFSSTD", "window")
    assert "before the origin" in message and "record: STARTDT = " in message


def test_window_fails_when_adt_is_after_the_cutoff():
    comp = broken(
        "fda_pfs.ept", "PFS", lambda s, d: record_changed(d, ADT=dt.date(2024, 10, 2)) if d.record else d
    )
    assert "is after the end of observation" in failing(comp, "PFS", "window")


def _swap(s, d):
    if d.record is None:
        return d
    return record_changed(d, CNSR=1 if d.record.CNSR == 0 else 0)


def test_event_beats_censoring_fails_when_cnsr_is_swapped():
    comp = broken("her2_cart_trastuzumab.ept", "PFSSTD", _swap)
    assert "CNSR should be 0, not 1" in failing(comp, "PFSSTD", "event-beats-censoring")


def test_earliest_event_fails_when_an_event_is_ignored():
    """A definition that forgets death (`to progression` instead of `to first of progression,
    death`) compiled in place of the real one."""
    text = (EXAMPLES / "her2_cart_trastuzumab.ept").read_text()
    wrong = text.replace(
        'to first of progression, death evntdesc "Death"\n  censor at last adequate_assessment',
        "to progression\n  censor at last adequate_assessment",
    )
    assert wrong != text
    forgetful = CompiledFile.from_model(endpointdsl.check_text(wrong, "wrong.ept"))
    comp = fresh("her2_cart_trastuzumab.ept")
    comp.namespace["ENDPOINTS"]["PFSSTD"] = forgetful.namespace["ENDPOINTS"]["PFSSTD"]
    message = failing(comp, "PFSSTD", "earliest-event")
    assert "the earliest terminating occurrence in the window is death on" in message


def _last_assessment(s, d):
    """Wrong on purpose: an event's ADT moved to the subject's last assessment after it."""
    if d.record is None or d.record.CNSR != 0:
        return d
    later = [oracle.as_date(r.get("ADT")) for r in s.rows("adrs")]
    later = [x for x in later if x is not None and x > d.record.ADT]
    return record_changed(d, ADT=max(later)) if later else d


def test_later_rows_fail_when_a_later_assessment_moves_the_event():
    comp = broken("her2_cart_trastuzumab.ept", "PFSSTD", _last_assessment)
    assert "rows dated after ADT" in failing(comp, "PFSSTD", "later-rows")


def _first_row_decides(s, d):
    """Wrong on purpose: AVAL depends on which assessment row comes first in the input."""
    rows = [oracle.as_date(r.get("ADT")) for r in s.rows("adrs")]
    rows = [x for x in rows if x is not None]
    if d.record is None or len(rows) < 2 or rows[0] <= rows[-1]:
        return d
    return record_changed(d, AVAL=d.record.AVAL + 1)


def test_row_order_fails_when_the_input_order_matters():
    comp = broken("her2_cart_trastuzumab.ept", "PFSSTD", _first_row_decides)
    assert "depends on the order of the input rows" in failing(comp, "PFSSTD", "row-order", 30)


def test_aval_fails_when_a_day_is_lost():
    comp = broken(
        "her2_cart_trastuzumab.ept", "OS",
        lambda s, d: record_changed(d, AVAL=d.record.AVAL - 1) if d.record else d,
    )  # fmt: skip
    assert "AVAL should be (" in failing(comp, "OS", "aval")


def test_every_subject_fails_when_a_subject_is_dropped_without_a_reason():
    comp = broken("her2_cart_trastuzumab.ept", "OS", lambda s, d: record_changed(d, USUBJID="SOMEONE ELSE"))
    assert "neither in the output nor in the report" in failing(comp, "OS", "every-subject", 10)


def test_every_subject_fails_when_an_exclusion_has_no_reason():
    comp = broken("her2_cart_trastuzumab.ept", "OS", lambda s, d: attrs.evolve(d, record=None, excluded=" "))
    assert "without a reason" in failing(comp, "OS", "every-subject", 10)


def test_a_parameter_that_is_not_an_endpoint_is_named():
    with pytest.raises(
        KeyError, match=r"'PFS0001' is not an endpoint of .*fda_pfs.ept \(PFS, PFSEMA, PFSNACT\)"
    ):
        property_checks(compiled("fda_pfs.ept"), "PFS0001")


def test_engines_agree_fails_when_one_engine_differs():
    comp = broken("her2_cart_trastuzumab.ept", "PFSSTD", _swap)
    assert "disagree" in failing(comp, "PFSSTD", "engines-agree", 50)  # 5 histories: a tenth, as `test` draws


def test_a_failure_is_reproducible_from_its_seed_and_shrunk():
    """The same seed gives the same falsifying history; shrunk, it is one subject whose one
    event (death on the day of enrolment: the smallest dates) is in the window."""
    comp = broken("her2_cart_trastuzumab.ept", "PFSSTD", _swap)
    check = next(c for c in property_checks(comp, "PFSSTD") if c.name == "event-beats-censoring")
    first, second = check.run(10, 11, shrink=False), check.run(10, 11, shrink=False)
    assert not first.ok and first.message == second.message
    shrunk = check.run(10, 11).message
    assert shrunk.count("  adsl: ") == 1 and "adrs: " not in shrunk, shrunk
    assert "CNSR should be 0, not 1" in shrunk


# ---- the oracle's own reading, by hand ---------------------------------------------------------


def test_the_oracle_reads_the_fda_window_by_hand():
    """FDA PFS: origin 2024-01-10, a new therapy on 2024-03-01 (stop at, exclusive: the window
    ends 2024-02-29 before the cut-off 2024-10-01); progression on 2024-02-20 wins over death."""
    model = compiled("fda_pfs.ept").model
    ep = model.endpoint("PFS")
    subject = {
        "adsl": [{"USUBJID": "S1", "RANDDT": "2024-01-10", "DTHDT": "2024-02-25", "NACTDT": "2024-03-01",
                  "DCTDT": None, "DCTREAS": None}],
        "adrs": [{"USUBJID": "S1", "ADT": "2024-02-20", "PARAMCD": "OVR", "ABLFL": None, "AVALC": "PD",
                  "ASEQ": 2.0},
                 {"USUBJID": "S1", "ADT": "2024-01-05", "PARAMCD": "OVR", "ABLFL": "Y", "AVALC": "SD",
                  "ASEQ": 1.0}],
    }  # fmt: skip
    win = oracle.window(model, ep, subject)
    assert (win.origin, win.end, win.limiting.kind) == (dt.date(2024, 1, 10), dt.date(2024, 2, 29), "stop")
    want = oracle.event_step(model, ep, win, subject)
    assert (want.adt, want.cnsr, want.event) == (dt.date(2024, 2, 20), 0, "progression")


# ---- generated programs: the checks run without internal errors --------------------------------


# each example runs the properties' own @given inside this one: hypothesis' nested_given check
@settings(max_examples=30 if HEAVY else 4, deadline=None, suppress_health_check=list(HealthCheck))
@given(programs(max_endpoints=2, responses=True, schedules=True))
def test_the_properties_hold_on_generated_programs(desc):
    if rejected(desc):
        return
    comp = CompiledFile.from_model(endpointdsl.check_text(desc.text, "generated.ept"))
    for ep in comp.model.endpoints:
        for check in property_checks(comp, ep.paramcd):
            if check.name == "engines-agree":
                continue  # tests/test_sql_backend.py holds the engines together on these programs
            result = check.run(3, 0)
            assert result.ok, f"{ep.paramcd} {check.name}: {result.message}\n{desc.text}"


def test_a_property_that_does_not_apply_is_skipped_and_said_not_counted_as_passed():
    """A worst-of endpoint has no AVAL = ADT - STARTDT + 1 rule: `test` prints SKIP with the
    reason, and the summary counts it apart from the passed ones."""
    from endpointdsl import api
    from endpointdsl.testing.results import render

    path = EXAMPLES / "sap" / "ae_worst_infection.ept"
    report = api.test_file(path, scenarios=None, properties=True, examples=2)
    (f,) = report.files
    skipped = [p for p in f.properties if p.skipped is not None]
    assert any(p.name == "aval" for p in skipped)
    text = render(report)
    assert all(f"SKIP  property {p.paramcd}: {p.name} (not applicable: " in text for p in skipped)
    passed, failed = report.counts
    assert (passed, failed) == (len(f.scenarios) + len(f.properties) - len(skipped), 0)
    assert f", {len(skipped)} skipped (" in text
