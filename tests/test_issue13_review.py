"""Review of issue 13 (competing events, ADaM-complete output): regression tests for the defects
a hostile review found, one table per defect where possible."""

from __future__ import annotations

import pytest

from endpointdsl import EptError, check_text

HEAD = """\
table adsl: one row per subject
table adrs: many rows per subject
event infusion = adsl.INFDT
event death = adsl.DTHDT label "Death"
event relapse = adrs.ADT where PARAMCD = "REL" sequence ASEQ label "Relapse"
event alive = adsl.LSTALVDT
"""
CIR = """\
endpoint CIR "CIR"
  from infusion
  to relapse competing death cnsr 2
  same day: event first
  censor at alive cnsr 1
end
"""


# ---- a variant's `same day:` rule belongs to the events it was stated for ---------------------
# `NRM like CIR` swapping the kinds silently inherited CIR's `event first`, so a same-day relapse
# and death became an NRM event: the opposite of what the docs require to be said (E272).
@pytest.mark.parametrize(
    ("variant", "codes", "same_day"),
    [
        ("  to death competing relapse cnsr 2\n", ["E272"], None),  # kinds swapped: say it again
        ("  to death competing relapse cnsr 2\n  same day: competing first\n", [], "competing"),
        ("  to relapse competing death cnsr 5\n", [], "event"),  # same events, new code: kept
        ("  censor at alive cnsr 3\n", [], "event"),  # `to` not restated: kept
        ("  to relapse\n", [], None),  # no competing events: dropped
        ("  to first of relapse, death\n  same day: event first\n", ["E273"], None),
    ],
)
def test_a_variant_with_other_events_states_its_own_same_day_rule(variant, codes, same_day):
    text = HEAD + CIR + 'endpoint V "V" like CIR\n' + variant + "end\n"
    if codes:
        with pytest.raises(EptError) as info:
            check_text(text, "t.ept")
        assert [d.code for d in info.value.errors] == codes
    else:
        assert check_text(text, "t.ept").endpoint("V").same_day == same_day
