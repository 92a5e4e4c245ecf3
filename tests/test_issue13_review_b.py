"""Review of issue 13 (response criteria sets, one parameter per group): regression tests for
the defects a hostile review found, one table per defect where possible."""

from __future__ import annotations

import pytest

from endpointdsl import EptError, check_text
from endpointdsl.api import summary_specs

RSP = """\
table adsl: one row per subject
table adrs: many rows per subject
event first_dose = adsl.TRTSDT
event ovr = adrs.ADT where PARAMCD = "OVR" response AVALC sequence ASEQ
"""


# ---- the summary of a best response lists the set's categories --------------------------------
# An iRECIST best response's summary listed RECIST's CR, PR, SD, NON-CR/NON-PD, PD, NE (all 0)
# before the iRECIST categories the data had, in the order met, and none of those it had not.
@pytest.mark.parametrize(
    ("criteria", "categories"),
    [
        ("", ("CR", "PR", "SD", "NON-CR/NON-PD", "PD", "NE", "MISSING")),
        ("  criteria recist11\n", ("CR", "PR", "SD", "NON-CR/NON-PD", "PD", "NE", "MISSING")),
        ("  criteria irecist\n", ("iCR", "iPR", "iSD", "NON-iCR/NON-iUPD", "iUPD", "iCPD", "NE", "MISSING")),
        ("  criteria lugano_pet\n", ("CMR", "PMR", "NMR", "PMD", "NE", "MISSING")),
        ("  criteria imwg\n", ("sCR", "CR", "VGPR", "PR", "MR", "SD", "PD", "NE", "MISSING")),
    ],
)
def test_the_summary_of_a_best_response_lists_the_sets_categories(criteria, categories):
    text = RSP + f'endpoint BOR "Best"\n  from first_dose\n{criteria}  best response of ovr\n'
    text += "  sd at least 42 days after origin\nend\n"
    (spec,) = summary_specs(check_text(text))
    assert spec.categories == categories


# ---- a criteria category ending in a blank can never be met ----------------------------------
# Cells are read without trailing blanks (semantics section 1), so `category "CR "` silently
# made every CR assessment "not a X response": now E310 at the category.
def _set(first: str) -> str:
    return f'criteria x "X"\n  category {first} = 1, response\n  category "NE" = 2, not evaluable\nend\n'


@pytest.mark.parametrize(
    ("first", "codes"),
    [
        ('"CR "', ["E310"]),
        ('"CR\t"', ["E310"]),
        ('"CR"', []),
        ('" CR"', []),  # a leading blank is kept in cells too
    ],
)
def test_a_criteria_category_ending_in_a_blank_is_refused(first, codes):
    text = (
        RSP
        + _set(first)
        + 'endpoint BOR "Best"\n  from first_dose\n  criteria x\n  best response of ovr\nend\n'
    )
    try:
        check_text(text, "t.ept")
        found = []
    except EptError as exc:
        found = [d.code for d in exc.diagnostics]
        assert all(d.span.line == 6 for d in exc.diagnostics)
    assert found == codes
