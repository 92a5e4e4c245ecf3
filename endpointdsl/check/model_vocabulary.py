"""Checked model: the vocabulary (what the words of the language mean, for every engine:
units, AVALU, RECIST responses, AVAL codes, the columns of an endpoint's rows) and the
span field every part of the model shares.
"""

from __future__ import annotations

from attrs import field

# Spans stay for the line map but do not take part in equality.
SPAN = field(eq=False, repr=False, default=None, kw_only=True)

# ---- the vocabulary: what the words of the language mean, for every engine ------------

# Days in a unit of time, and the unit's AVALU.
UNIT_DAYS = {"days": 1.0, "weeks": 7.0, "months": 30.4375, "years": 365.25}
AVALU = {"days": "DAYS", "weeks": "WEEKS", "months": "MONTHS", "years": "YEARS"}
# RECIST 1.1 time-point responses, best first (the best-overall-response order).
RESPONSES = ("CR", "PR", "SD", "NON-CR/NON-PD", "PD", "NE")
# bor (issue 19): ND (not done), ranked just above MISSING with no AVAL code (admiralonco's
# derive_param_confirmed_bor); the mildest on a date. Part of RECIST 1.1 (built in and recist11).
NOT_DONE = "ND"
# Worst last: the response kept when one date has several (admiralonco's order).
WORST_ORDER = ("NE", "CR", "PR", "SD", "NON-CR/NON-PD", "PD")
# AVAL of a category or flag (admiralonco's aval_resp()).
AVAL_CODES = {"CR": 1, "PR": 2, "SD": 3, "NON-CR/NON-PD": 4, "PD": 5, "NE": 6, "MISSING": 7, "Y": 1, "N": 0}

# ---- times of day (issue 12): `time in hours|minutes`, AVAL from date and time -----------
# Seconds in a unit of an endpoint timed by the clock (AVAL = seconds / this), and its AVALU.
TIME_UNIT_SECONDS = {"hours": 3600, "minutes": 60}
TIME_UNIT_ALIASES = {"hour": "hours", "hours": "hours", "minute": "minutes", "minutes": "minutes"}
AVALU.update({"hours": "HOURS", "minutes": "MINUTES"})

UNIT_ALIASES = {
    "day": "days", "days": "days", "week": "weeks", "weeks": "weeks",
    "month": "months", "months": "months", "year": "years", "years": "years",
}  # fmt: skip


# An endpoint's rows read as a table (section 6.5).
DERIVED_COLUMNS = (
    "STARTDT", "ADT", "AVAL", "AVALC", "CNSR", "EVNTDESC", "CNSDTDSC", "SRCDOM", "SRCVAR", "SRCSEQ",
)  # fmt: skip
DERIVED_DATES = ("ADT", "STARTDT")
BEST_ORDER = RESPONSES  # best overall response order: CR > PR > SD > NON-CR/NON-PD > PD > NE
