"""Error messages: every syntax and checker error has its code, position and a useful hint.

TABLE holds one bad program per row; the golden files under tests/golden/errors hold the
full rendering of a few. Regenerate them after a deliberate change of wording with
`EPT_UPDATE_GOLDEN=1 pytest tests/test_errors.py`.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import NamedTuple

import pytest

from endpointdsl import EptError, check_text
from endpointdsl.language.parser import SyntaxErrors, parse_tree

GOLDEN = Path(__file__).resolve().parent / "golden" / "errors"
UPDATE_GOLDEN = bool(os.environ.get("EPT_UPDATE_GOLDEN"))

# Lines 1-7; an endpoint written with `endpoint()` starts on line 8, its clauses on line 9.
BASE = """\
table adsl: one row per subject
table adrs: many rows per subject
event rand = adsl.RANDDT label "Randomization"
event alive = adsl.LSTALVDT
event death = adrs.ADT where PARAMCD = "DEATH"
event pd = adrs.ADT where PARAMCD = "PD"
population responders = subjects with pd
"""
# Lines 9-11 of an endpoint; an extra clause after it is line 12.
STD = "  from rand\n  to death\n  censor at alive cnsr 1\n"


def endpoint(body: str = STD, code: str = "OS", label: str = '"Overall Survival"', base: str = BASE) -> str:
    return f"{base}endpoint {code} {label}\n{body}end\n"


def event(line: str) -> str:
    """BASE, then `line` as line 8, then a valid endpoint from line 9."""
    return endpoint(base=BASE + line + "\n")


def clause(text: str) -> str:
    """A valid endpoint with one more clause on line 12."""
    return endpoint(STD + f"  {text}\n")


def bound(text: str) -> str:
    """A valid endpoint with a bound of observation on line 12 (and what the censoring
    rule's date after it means, line 13)."""
    return endpoint(STD + f"  {text}\n  ascertainment: continuous\n")


def bound_line(line: str) -> str:
    """bound() for a line written with its indentation."""
    return bound(line.strip())


OVR = 'event ovr = adrs.ADT where PARAMCD = "OVR" response AVALC\n'  # line 8


def response(body: str, extra: str = "") -> str:
    """BASE, the assessment event `ovr` (line 8), `extra` events, then endpoint R:
    `from rand` on the line after its head, `body` after it."""
    return endpoint("  from rand\n" + body, code="R", label='"Response"', base=BASE + OVR + extra)


SCHEDULE = "schedule scans = every 8 weeks, window 7 days\n"  # after the endpoint: line 14


class Case(NamedTuple):
    id: str
    source: str
    code: str
    line: int
    column: int
    fragment: str  # part of the message or the hint


TABLE = [
    # ---- syntax: the parser's diagnostics
    Case("missing-end-before-endpoint", endpoint() .replace("end\n", "") + endpoint(code="PFS", base=""),
         "E003", 12, 1, "write `end` before `endpoint` (at the end of line 11)"),
    Case("missing-end-at-eof", endpoint().removesuffix("end\n"), "E002", 11, 25, "closed with `end`"),
    Case("single-quoted-text", event("event e = adrs.ADT where PARAMCD = 'PD'"), "E001", 8, 36, 'double quotes: "PD"'),
    Case("double-equals", event('event e = adrs.ADT where PARAMCD == "PD"'), "E003", 8, 34, "single ="),
    Case("unclosed-string", event('event e = adrs.ADT label "Progression'), "E001", 8, 26,
         "must close on the same line"),
    Case("bad-escape-in-string", event(r'event e = adrs.ADT label "a\nb"'), "E001", 8, 26,
         "a backslash is only used in"),
    Case("reserved-word-as-event", event("event end = adrs.ADT"), "E005", 8, 7, "reserved word"),
    Case("reserved-word-as-table", "table origin: one row per subject\n", "E005", 1, 7, "cannot name a table"),
    Case("reserved-word-as-date", event("date on = rand + 1 day"), "E005", 8, 6, "cannot name a date"),
    Case("reserved-word-as-date-origin", event("date origin = rand + 1 day"), "E005", 8, 6, "cannot name a date"),
    Case("reserved-word-as-schedule", event("schedule the = every 8 weeks, window 7 days"), "E005", 8, 10,
         "cannot name a schedule"),
    Case("reserved-word-as-population", event("population first = subjects with pd"), "E005", 8, 12,
         "choose another name"),
    Case("misspelt-clause-keyword", bound("horizn 3 years"), "E003", 12, 3, "did you mean `horizon`?"),
    Case("misspelt-top-keyword", event("evnt e = adrs.ADT"), "E003", 8, 1, "did you mean `event`?"),
    Case("capitalised-keyword", event("Event e = adrs.ADT"), "E003", 8, 1, "did you mean `event`?"),
    Case("glued-keyword", endpoint(STD.replace("from rand", "fromrand")), "E003", 9, 3, "did you mean `from`?"),
    Case("stray-character", event('event e = adrs.ADT where PARAMCD = "PD" @'), "E001", 8, 41, "not used in the language"),
    Case("stray-non-ascii-name", event("event décès = adrs.ADT"), "E001", 8, 8, "ASCII letters"),
    Case("no-break-space", event("event e =\xa0adrs.ADT"), "E001", 8, 10, "ordinary space"),
    Case("nul-byte", event("event e = adrs.ADT\x00"), "E001", 8, 19, "U+0000"),
    Case("eof-mid-statement", BASE + "event e = adrs.ADT where PARAMCD =", "E002", 8, 35, "a quoted text"),
    Case("eof-after-comment", BASE + "event e = adrs.ADT where\n# why?\n\n", "E002", 8, 25, "a name"),
    Case("keyword-read-as-value", endpoint(STD.replace("cnsr 1", "cnsr")), "E003", 11, 23,
         "`end` on line 12 starts the next clause"),
    Case("keyword-read-as-value-at-eof", endpoint(STD.replace("cnsr 1", "cnsr end")).removesuffix("end\n"),
         "E002", 11, 27, "the last `end` was read as a name"),
    Case("unfinished-before-keep", event('event e = adrs.ADT where AVAL >\nkeep AGE from adsl'), "E003", 8, 32,
         "`keep` on line 9 starts the next statement"),
    Case("unfinished-before-date", event('event e = adrs.ADT where AVAL >\ndate d = rand + 1 day'), "E003", 8, 32,
         "`date` on line 9 starts the next statement"),
    Case("slash-comment", event("// a C comment"), "E001", 8, 1, "comments start with #"),
    Case("missing-comma", endpoint(STD.replace("to death", "to first of death pd")), "E003", 10, 21,
         "is a `,` missing before 'pd'?"),
    Case("malformed-date", bound("cutoff 2024-1-01"), "E003", 12, 14, "YYYY-MM-DD"),
    Case("missing-label", endpoint(label=""), "E003", 9, 3, "a quoted text"),
    Case("condition-too-deep", event("event e = adrs.ADT where " + " and ".join(["A = 1"] * 102)), "E006", 8, 26,
         "at most 100"),
    Case("number-too-long", bound("horizon 1" + "0" * 25 + " days"), "E006", 12, 11, "at most 20 are allowed"),
    Case("too-many-errors", "@\n" * 60, "E007", 50, 1, "more than 50 syntax errors"),
    # ---- checker: names and tables
    Case("no-censoring-with-a-catch-all", endpoint("  from rand\n  to death\n  censor at origin cnsr 1\n  no censoring date: excluded\n"),
         "E153", 12, 3, "can never apply here"),
    Case("no-censoring-in-a-response-endpoint",
         endpoint("  from rand\n  origin is day 0\n  occurrence of pd from day 0 through day 28\n"
                  "  no censoring date: excluded\n"), "E181", 12, 3, "does not apply here"),
    Case("case-only-clash", event("event DEATH = adsl.DTHDT"), "E103", 8, 7, "differ only in case"),
    Case("column-in-two-cases", event("event dead = adsl.randdt"), "E105", 8, 19, "is also written"),
    Case("unknown-event", endpoint(STD.replace("to death", "to deth")), "E104", 10, 6, "did you mean `death`?"),
    Case("unknown-table", event("event e = adrz.ADT"), "E104", 8, 11, "did you mean `adrs`?"),
    Case("unknown-population", clause("among respnders"), "E104", 12, 9, "did you mean `responders`?"),
    Case("unknown-event-no-match", endpoint(STD.replace("to death", "to xyzzy")), "E104", 10, 6,
         "defined events: alive, death, pd, rand"),
    Case("duplicate-name", event("event rand = adsl.TRTSDT"), "E101", 8, 7, "first definition is at line 3"),
    Case("duplicate-name-across-kinds", event("population death = subjects with pd"), "E101", 8, 12,
         "first definition is at line 5"),
    Case("duplicate-endpoint", endpoint() + endpoint(code="OS", base=""), "E102", 13, 10,
         "first definition is at line 8"),
    Case("no-subject-table", endpoint(base=BASE.replace("adsl: one row", "adsl: many rows")), "E106", 1, 1,
         "found 0"),
    Case("two-subject-tables", endpoint(base=BASE.replace("adrs: many rows", "adrs: one row")), "E106", 2, 1,
         "found 2"),
    Case("no-endpoint", BASE, "E112", 1, 1, "defines no endpoint"),
    # ---- checker: endpoint structure
    Case("invalid-paramcd", endpoint(code="os"), "E107", 8, 10, "upper-case letter"),
    Case("paramcd-too-long", endpoint(code="OVERALLSURV"), "E107", 8, 10, "1 to 8 characters"),
    Case("empty-param", endpoint(label='"  "'), "E108", 8, 10, "non-empty text"),
    Case("missing-origin", endpoint(STD.replace("  from rand\n", "")), "E110", 8, 10, "has no origin"),
    Case("clause-twice", clause("from alive"), "E110", 12, 3, "the first is at line 9"),
    Case("missing-to", endpoint(STD.replace("  to death\n", "")), "E111", 8, 10, "no terminating event"),
    Case("no-censoring-rule", endpoint(STD.replace("  censor at alive cnsr 1\n", "")), "E112", 8, 10,
         "no censoring rule"),
    Case("event-only-with-horizon",
         endpoint("  among subjects with pd\n  from rand\n  to pd\n  horizon 1 years\n"), "E112", 8, 10,
         "none is needed when every subject has the event"),
    Case("event-only-other-event",
         endpoint("  among responders\n  from rand\n  to death\n"), "E112", 8, 10, "no censoring rule"),
    Case("origin-is-origin", endpoint(STD.replace("from rand", "from origin")), "E120", 9, 3, "as itself"),
    Case("origin-is-fixed-date", endpoint(STD.replace("from rand", "from 2024-01-01")), "E120", 9, 8,
         "not one fixed date"),
    Case("number-for-date", endpoint(STD.replace("at alive", "at 42")), "E120", 11, 13,
         "a number is given where a date is needed"),
    Case("text-for-date", bound('cutoff "2024-01-01"'), "E120", 12, 10, "a text is given where a date"),
    Case("many-rows-without-first", endpoint(STD.replace("at alive", "at pd")), "E121", 11, 13,
         "`first pd` or `last pd`"),
    Case("many-rows-origin", endpoint(STD.replace("from rand", "from death")), "E121", 9, 8,
         "can occur many times per subject"),
    # ---- checker: outcomes
    Case("cnsr-zero", endpoint(STD.replace("cnsr 1", "cnsr 0")), "E130", 11, 24, "reserved for events"),
    Case("cnsr-text", endpoint(STD.replace("cnsr 1", 'cnsr "1"')), "E130", 11, 24, "whole number, not a text"),
    Case("cnsr-fraction", endpoint(STD.replace("cnsr 1", "cnsr 1.5")), "E130", 11, 24, "whole number"),
    Case("cnsr-negative", endpoint(STD.replace("cnsr 1", "cnsr -1")), "E130", 11, 24, "positive integers"),
    Case("cnsr-too-large", endpoint(STD.replace("cnsr 1", "cnsr 1234567890")), "E130", 11, 24, "too large"),
    Case("missing-cnsr", endpoint(STD.replace(" cnsr 1", "")), "E131", 11, 3, "needs its CNSR code"),
    Case("missing-cnsr-in-latest", endpoint(STD.replace("at alive cnsr 1", "at latest of alive cnsr 1, rand")),
         "E131", 11, 37, "needs its CNSR code"),
    Case("evntdesc-number", endpoint(STD.replace("to death", "to death evntdesc 3")), "E132", 10, 21,
         "needs a text, not a number"),
    Case("cnsdtdsc-name", endpoint(STD.replace("cnsr 1", "cnsr 1 cnsdtdsc Alive")), "E132", 11, 35,
         'write it in double quotes: cnsdtdsc "..."'),
    Case("item-twice", endpoint(STD.replace("cnsr 1", "cnsr 1 cnsr 2")), "E133", 11, 26, "given twice"),
    Case("cnsr-on-event", endpoint(STD.replace("to death", "to death cnsr 1")), "E134", 10, 6,
         "does not apply to an event"),
    # ---- checker: the observation window
    Case("unknown-horizon-unit", bound("horizon 3 yaers"), "E140", 12, 13, "did you mean `years`?"),
    Case("missing-horizon-unit", bound("horizon 3"), "E140", 12, 3, "needs a unit"),
    Case("horizon-not-a-number", bound('horizon "3" years'), "E140", 12, 11, "needs a number, not a text"),
    Case("horizon-zero", bound("horizon 0 years"), "E140", 12, 11, "positive duration"),
    Case("horizon-over-1000-years", bound("horizon 1001 years"), "E140", 12, 11, "longer than 1000 years"),
    Case("calendar-horizon-fraction", bound("horizon 1.5 calendar years"), "E140", 12, 11, "whole number of units"),
    Case("unknown-time-unit", clause("time in weks"), "E140", 12, 11, "did you mean `weeks`?"),
    Case("invalid-date", bound("cutoff 2024-02-30"), "E141", 12, 10, "not a valid calendar date"),
    Case("origin-day-2", clause("origin is day 2"), "E142", 12, 17, "day 1 or day 0"),
    Case("stop-without-inclusivity", bound("stop at pd"), "E143", 12, 3, "`stop at pd exclusive`"),
    Case("inclusivity-twice", bound("stop at pd inclusive exclusive"), "E144", 12, 24, "given twice"),
    # ---- checker: censoring order and lists
    Case("unreachable-censoring", endpoint(STD.replace("censor at", "censor at origin cnsr 2\n  censor at")),
         "E150", 12, 3, "the rule at line 11 always applies"),
    Case("repeated-censoring-rule", clause("censor at alive cnsr 1"), "E150", 12, 3, "repeats an earlier one"),
    Case("ascertainment-missing", clause("horizon 3 years"), "E152", 8, 10, "`ascertainment: at visits` if"),
    Case("ascertainment-missing-in-variant", endpoint() + 'endpoint PFS "x" like OS\n  cutoff 2024-01-01\nend\n',
         "E152", 13, 10, "its censoring date (alive) can lie after the end of observation"),
    Case("ascertainment-missing-latest-of", endpoint(STD.replace("censor at alive cnsr 1", "censor at latest of "
         "origin cnsr 1, alive cnsr 2") + "  cutoff 2024-01-01\n"), "E152", 8, 10, "censoring date (alive)"),
    Case("ascertainment-twice", bound("horizon 3 years") .replace("end\n", "  ascertainment: at visits\nend\n"),
         "E110", 14, 3, "`ascertainment` is given twice"),
    Case("repeated-event-in-to", endpoint(STD.replace("to death", "to first of death, pd, death")), "E151", 10, 26,
         "listed twice"),
    # ---- checker: row conditions
    Case("unquoted-value", event("event e = adrs.ADT where AVALC in (Y)"), "E160", 8, 36, 'texts are quoted: "Y"'),
    # ---- checker: conditions comparing with other values (issue 12: conditions)
    Case("compare-event-many-rows", event("event e = adrs.ADT where ADT <= death + 30 days"), "E210", 8, 33,
         "one date per subject"),
    Case("compare-event-with-condition", endpoint(base=BASE + 'event dead = adsl.DTHDT where DTHFL = "Y"\n'
                                                  + "event e = adrs.ADT where ADT <= dead\n"), "E210", 9, 33,
         "compare with the column itself, `adsl.DTHDT`"),
    Case("compare-many-rows-table", event("event e = adrs.ADT where ADT <= adrs.ADT"), "E211", 8, 33,
         "has many rows per subject"),
    Case("compare-unknown-table", event("event e = adrs.ADT where ADT <= adsx.TRTEDT"), "E104", 8, 33,
         "did you mean `adsl`?"),
    Case("compare-days-on-number", event("event e = adrs.ADT where AVAL <= 10 + 3 days"), "E212", 8, 41,
         "days added to the number 10"),
    Case("compare-days-on-multiple", event("event e = adrs.ADT where AVAL > 3 * ANRHI + 5 days"), "E212", 8, 47,
         "a multiple is a number"),
    Case("compare-date-without-unit", event("event e = adrs.ADT where ADT <= adsl.LSTALVDT + 30"), "E213", 8, 47,
         "`adsl.LSTALVDT + 30 days`"),
    Case("compare-literal-date-without-unit", event("event e = adrs.ADT where ADT <= 2024-01-01 - 1"), "E213",
         8, 44, "2024-01-01 is a date"),
    Case("compare-date-minus-number", event("event e = adrs.ADT where ADT > BASE - 10"), "E213", 8, 37,
         "ADT is a date, so `- 10` needs a unit"),
    Case("compare-month-shift", event("event e = adrs.ADT where ADT <= adsl.LSTALVDT + 1 month"), "E214", 8, 51,
         "not a whole number of days"),
    Case("compare-unknown-unit", event("event e = adrs.ADT where ADT <= adsl.TRTEDT + 30 dys"), "E214", 8, 50,
         "did you mean `days`?"),
    Case("compare-half-day", event("event e = adrs.ADT where ADT <= adsl.TRTEDT + 1.5 days"), "E215", 8, 45,
         "write whole days"),
    Case("compare-shift-too-large", event("event e = adrs.ADT where ADT > adsl.TRTSDT + 9999999 days"), "E215",
         8, 44, "at most 1,000,000"),
    Case("compare-date-times", event("event e = adrs.ADT where AVAL > 2 * adsl.LSTALVDT"), "E216", 8, 33,
         "adsl.LSTALVDT is a date"),
    Case("compare-text-shift", event('event e = adrs.ADT where AVALC = "Y" + 1'), "E216", 8, 34,
         "a text cannot be moved"),
    Case("compare-no-sign", event("event e = adrs.ADT where AVAL <= BASE 10"), "E217", 8, 39,
         "`BASE + 10` or `BASE - 10`"),
    Case("compare-column-case", event("event e = adrs.ADT where AVAL <= aval - 1"), "E105", 8, 34,
         "ignores letter case"),
    Case("compare-endpoint-rows", event("event e = OS.ADT where ADT > STARTDT"), "E218", 8, 24,
         "compare ADT with a literal value"),
    Case("less-than-text", event('event e = adrs.ADT where AVALC < "Y"'), "E161", 8, 26, "not texts"),
    Case("number-too-large", event("event e = adrs.ADT where AVAL > 1" + "0" * 16), "E163", 8, 33, "too large"),
    Case("mixed-list", event('event e = adrs.ADT where AVALC in ("Y", 1)'), "E162", 8, 26, "mixes number and text"),
    Case("missed-count-not-whole", clause("censor events after 1.5 missed pd per scans cnsr 5") + SCHEDULE,
         "E166", 12, 23, "positive whole number"),
    Case("unknown-schedule", clause("censor events after 2 missed pd per scan cnsr 5") + SCHEDULE,
         "E104", 12, 39, "did you mean `scans`?"),
    Case("schedule-piece-without-until", clause("censor events after 2 missed pd per scans cnsr 5")
         + "schedule scans = every 8 weeks then every 12 weeks, window 7 days\n", "E166", 14, 18, "without `until`"),
    Case("schedule-last-piece-until", clause("censor events after 2 missed pd per scans cnsr 5")
         + "schedule scans = every 8 weeks until 48 weeks, window 7 days\n", "E166", 14, 38, "goes on without `until`"),
    Case("cutoff-at-origin", bound("cutoff origin"), "E120", 12, 3, "cannot be the origin"),
    Case("without-outside-variant", clause("without horizon"), "E167", 12, 3, "for variants"),
    Case("variant-of-unknown", endpoint() + 'endpoint PFS "x" like OZ\nend\n', "E104", 13, 23, "defined endpoints: OS"),
    Case("nothing-to-leave-out", endpoint() + 'endpoint PFS "x" like OS\n  without cutoff\nend\n', "E167", 14, 3,
         "OS has no cutoff"),
    Case("variant-cycle", endpoint() + 'endpoint V1 "x" like V2\nend\nendpoint V2 "y" like V1\nend\n', "E167",
         13, 22, "variants form a cycle"),
    Case("stopped-by-without-stop", clause("censor at origin if stopped by pd cnsr 4"), "E165", 12, 34,
         "needs `stop at pd`"),
    Case("imputation-bound-many-rows", event("event e = adsl.DTHDTC impute first not before pd"), "E164", 8, 47,
         "a bound needs one date"),
    Case("imputation-bound-itself", event("event e = adsl.DTHDTC impute last not after e"), "E164", 8, 45,
         "does not itself depend"),
    Case("imputation-bound-unknown", event("event e = adsl.DTHDTC impute mid not before rnd"), "E104", 8, 45,
         "did you mean `rand`?"),
    # ---- checker: date formats (check/dates.py)
    Case("date-format-unknown", event('event e = adsl.DTHDT format "DD-MM-YYYY"'), "E190", 8, 29,
         'known formats: "YYYY-MM-DD", "DDMONYYYY"'),
    Case("date-format-sas-name", event('event e = adsl.DTHDT format "date9."'), "E190", 8, 29,
         'write `format "DDMONYYYY"`'),
    Case("date-format-strptime", event('event e = adsl.DTHDT format "%d/%m/%Y"'), "E190", 8, 29,
         'write `format "DD/MM/YYYY"`'),
    Case("date-format-two-digit-year", event('event e = adsl.DTHDT format "DD/MM/YY"'), "E190", 8, 29,
         "two-digit years are not read"),
    Case("date-format-excel", event('event e = adsl.DTHDT format "Excel serial"'), "E190", 8, 29,
         "yyyy-mm-dd"),
    Case("date-format-with-impute", event('event e = adsl.DTHDTC format "DD/MM/YYYY" impute first'), "E192", 8, 43,
         "partial ISO 8601 dates"),
    # ---- checker: finer imputation, offsets of imputation bounds (check/imputation.py)
    Case("imputation-offset-unit", event("event e = adsl.DTHDTC impute last not after alive + 1 month"),
         "E240", 8, 55, "a bound moves by whole days or weeks"),
    Case("imputation-offset-fraction", event("event e = adsl.DTHDTC impute last not after alive + 1.5 days"),
         "E241", 8, 51, "'1.5' days is not a whole number of days"),
    Case("imputation-offset-no-sign", event("event e = adsl.DTHDTC impute last not after alive 1 day"),
         "E242", 8, 51, "write `+ 1 day` (later) or `- 1 day` (earlier)"),
    Case("imputation-offset-two-signs", event("event e = adsl.DTHDTC impute last day not after alive + -1 day"),
         "E242", 8, 55, "has two signs"),
    Case("imputation-offset-too-far", event("event e = adsl.DTHDTC impute first day not before rand - 100000 days"),
         "E243", 8, 56, "at most 36525 days"),
    Case("date-format-two-for-a-column", event('event e = adsl.RANDDT format "DDMONYYYY"'), "E193", 8, 30,
         "adsl.RANDDT is read as YYYY-MM-DD by event 'rand' (line 3) but as DDMONYYYY here"),
]  # fmt: skip

# Response and incidence endpoints: the head `endpoint R` is line 9, `from rand` line 10,
# the body from line 11.

# ---- times of day (issue 12): `with time` events, `time in hours|minutes`
# Lines 1-5; the endpoint starts on line 6, its clauses on lines 7-10, one more on line 11.
TIMED = """\
table adsl: one row per subject
table adae: many rows per subject
event infusion = adsl.CARTDTM with time
event crs = adae.ASTDTM with time where AEDECOD = "CRS" sequence AESEQ
event contact = adsl.LSTCNTDT
"""
TIMED_STD = "  among subjects with crs\n  from infusion\n  to crs\n  time in hours\n"


def timed(extra: str = "", body: str = TIMED_STD, base: str = TIMED) -> str:
    return f'{base}endpoint CRS "Time to CRS"\n{body}{extra}end\n'


TABLE += [
    Case("hours-date-only-event", timed(body=TIMED_STD.replace("to crs", "to contact")), "E230", 10, 3,
         "event contact reads dates only"),
    Case("hours-date-only-censoring", timed("  censor at contact cnsr 1\n"), "E230", 10, 3,
         "declare the event `with time`"),
    Case("hours-with-horizon", timed("  horizon 3 days\n"), "E231", 11, 3, "`horizon` does not combine"),
    Case("hours-with-latest", timed("  censor at latest of origin cnsr 1, infusion cnsr 2\n"), "E231", 11, 3,
         "`censor at latest of`"),
    Case("hours-with-condition", timed("  censor at infusion if no crs cnsr 1\n"), "E231", 11, 3,
         "a censoring rule with `if`"),
    Case("hours-move-to-origin", timed("  before origin: move to origin\n"), "E231", 11, 3, "move to origin"),
    Case("hours-inline-relative-date", timed("  censor at infusion + 1 day cnsr 1\n"), "E231", 10, 3,
         "a relative date (infusion + 1 day) does not combine"),
    Case("hours-declared-date", timed(body=TIMED_STD.replace("to crs", "to second"),
         base=TIMED + "date second = the 2nd crs\n"), "E231", 11, 3, "a relative date (second)"),
    Case("hours-confirmed-of-date-only", timed(body=TIMED_STD.replace("to crs", "to held_contact"),
         base=TIMED + "event held_contact = contact held for 2 consecutive crs\n"), "E230", 11, 3,
         "event contact = TABLE.COLUMN with time"),
    Case("hours-misspelt", timed(body=TIMED_STD.replace("in hours", "in hourss")), "E140", 10, 11,
         "did you mean `hours`?"),
    Case("time-in-seconds", timed(body=TIMED_STD.replace("in hours", "in seconds")), "E140", 10, 11,
         "hours or minutes"),
    Case("hours-origin-is-day", timed("  origin is day 0\n"), "E232", 11, 3, "`origin is day` does not apply"),
    Case("time-on-imputed-date", timed(base=TIMED + "event onset = adae.ASTDT with time impute first\n"),
         "E233", 6, 1, "an imputed date has no time of day"),
]  # fmt: skip

TABLE += [
    Case("response-two-heads", response("  best response of ovr\n  best response of ovr\n  sd at least 6 weeks after origin\n"),
         "E180", 12, 3, "one result"),
    Case("response-two-kinds", response("  best response of ovr\n  occurrence of pd from day 1 through day 28\n"
                                        "  sd at least 42 days after origin\n  origin is day 1\n"), "E180", 12, 3, "one result"),
    Case("response-censor", response("  best response of ovr\n  sd at least 42 days after origin\n  censor at alive cnsr 1\n"),
         "E181", 13, 3, "is not censored"),
    Case("response-ascertainment", response("  best response of ovr\n  sd at least 42 days after origin\n"
                                            "  ascertainment: continuous\n"), "E181", 13, 3, "is not censored"),
    Case("response-no-column", response("  best response of pd\n  sd at least 42 days after origin\n"), "E182", 11, 20,
         "response AVALC"),
    Case("response-clause-misplaced", response("  occurrence of pd from day 1 through day 28\n  origin is day 1\n"
                                               "  sd at least 42 days after origin\n"), "E183", 13, 3, "belongs to `best"),
    Case("response-clause-in-tte", clause("sd at least 42 days after origin"), "E183", 12, 3, "belongs to response"),
    Case("response-sd-minimum", response("  best response of ovr\n"), "E184", 11, 3, "stable disease"),
    Case("response-sd-minimum-for-a-pd-flag", response('  best response of ovr\n  responder if response in ("PD")\n'),
         "E184", 11, 3, "stable disease"),
    Case("response-unknown-category", response('  best response of ovr\n  responder if response in ("CR", "VGPR")\n'),
         "E185", 12, 35, "not a RECIST 1.1 response"),
    Case("landmark-no-responder", response('  origin is day 1\n  response of ovr from day 77 through day 105 best\n'
                                           '  not evaluable: "N"\n'), "E186", 12, 3, "responder flag"),
    Case("landmark-not-evaluable", response('  origin is day 1\n  response of ovr from day 77 through day 105 best\n'
                                            '  responder if response in ("CR", "PR")\n'), "E187", 12, 3, "not evaluable"),
    Case("window-day-numbering", response("  occurrence of pd from day 0 through day 28\n"), "E188", 11, 25, "origin is day 0"),
    Case("window-day-zero", response("  origin is day 1\n  occurrence of pd from day 0 through day 28\n"), "E189", 12, 29,
         "no day 0"),
    Case("window-backwards", response("  origin is day 0\n  occurrence of pd from day 28 through day 1\n"), "E189", 12, 40,
         "before it starts"),
    Case("derived-not-a-date", response("  best response of ovr\n  sd at least 42 days after origin\n",
                                        "event r = R.AVALC\n"), "E173", 9, 13, "ADT and STARTDT"),
    Case("derived-unknown-column", response("  best response of ovr\n  sd at least 42 days after origin\n",
                                            'event r = R.ADT where AVALX = "Y"\n'), "E104", 9, 23, "did you mean `AVAL`?"),
    Case("derived-date-format", response("  best response of ovr\n  sd at least 42 days after origin\n",
                                         'event r = R.ADT format "DDMONYYYY"\n'), "E191", 9, 24,
         "remove the `format` clause"),
    Case("derived-cycle", response('  among subjects with r\n  best response of ovr\n  sd at least 42 days after origin\n',
                                   'event r = R.ADT where AVALC = "Y"\n'), "E171", 10, 1, "R -> R"),
    # reldates: dates relative to other dates
    Case("reldate-months", clause("cutoff alive + 1 month"), "E200", 12, 20, "not a fixed number of days"),
    Case("reldate-unknown-unit", clause("cutoff alive + 1 dys"), "E200", 12, 20, "did you mean `days`?"),
    Case("reldate-two-signs", clause("cutoff alive + -1 day"), "E201", 12, 18, "a sign, then a whole number"),
    Case("reldate-fraction", clause("cutoff alive + 1.5 days"), "E201", 12, 18, "whole number"),
    Case("reldate-origin-in-date", event("date d = origin + 1 day"), "E202", 8, 10, "name the event"),
    Case("reldate-origin-in-origin", endpoint("  from first pd after origin\n  to death\n  censor at alive cnsr 1\n"),
         "E202", 9, 23, "name the event"),
    Case("reldate-cycle", event("date a = b + 1 day\ndate b = a - 1 day"), "E204", 8, 6, "a -> b -> a"),
    Case("reldate-nth-in-to", endpoint(STD.replace("to death", "to the 2nd pd")), "E003", 10, 10,
         "declare the relative date above the endpoint"),
    Case("reldate-first-after-in-to", endpoint(STD.replace("to death", "to first pd after rand")), "E003", 10, 12,
         "then write `to second_therapy`"),
    Case("reldate-too-far", clause("cutoff alive + 1234567 days"), "E201", 12, 18, "more than 6 digits"),
    Case("reldate-in-without-stop", endpoint(STD + "  stop at death exclusive\n  ascertainment: continuous\n") + endpoint(
         "  without stop at first pd after rand\n", code="OSV", label='"Variant" like OS', base=""), "E003", 16, 25,
         "(and `stop at second_therapy` in the base)"),
    Case("reldate-unfinished", event("date d = first pd after"), "E003", 8, 24,
         'after `after` comes "first", "last", "origin", "the", a name, an ordinal (2nd)'),
    Case("reldate-ordinal", event("date d = the 2st pd"), "E205", 8, 10, "`2nd`"),
    Case("reldate-zeroth", event("date d = 0th pd after rand"), "E205", 8, 10, "from 1st"),
    Case("reldate-many-rows", event("date d = pd + 1 day"), "E121", 8, 10, "first pd"),
    Case("reldate-unknown-event", event("date d = first pdd after rand"), "E104", 8, 16, "did you mean `pd`?"),
    Case("reldate-imputation-bound", event("date d = rand + 1 day\nevent e = adsl.DTHDTC impute first not before d"),
         "E164", 9, 47, "derived date"),
]  # fmt: skip

# Confirmed and sustained events (issue 12, item 2): the event on line 8 (or 9).
TABLE += [
    Case("confirm-reads-itself", event("event c = pd confirmed by c at next pd"), "E220", 8, 27,
         "declare `event c` above `event c`"),
    Case("confirm-reads-a-later-event", event("event c = pd held for 2 consecutive d\nevent d = adrs.ADT"),
         "E220", 8, 37, "not declared before it"),
    Case("confirm-unknown-event", event("event c = pd sustained to last pdd"), "E104", 8, 32, "did you mean `pd`?"),
    Case("confirm-a-derived-date", event("date d = first pd after rand\nevent c = d held for 2 consecutive pd"),
         "E227", 9, 11, "a derived date; a confirmation reads events"),
    Case("confirm-too-far", event("event c = pd confirmed by pd at least 1234567 days later"), "E226", 8, 39,
         "(at most 6 digits)"),
    Case("confirm-in-a-condition", event("event c = rand confirmed by pd at least 1 day later\n"
         "event e = adrs.ADT where ADT <= c + 1 day"), "E210", 9, 33, "'c' is a confirmed event"),
    Case("origin-in-a-condition", event("event e = adrs.ADT where ADT <= origin + 30 days"), "E202", 8, 33,
         "`origin` has no meaning in a condition"),
    Case("reldate-in-a-condition", event("date d = first pd after rand\nevent e = adrs.ADT where ADT <= d"),
         "E210", 9, 33, "'d' is a derived date"),
    Case("confirm-endpoint-rows", event("event r = OS.ADT\nevent c = r held for 2 consecutive pd"), "E221", 9, 11,
         "reads another endpoint's rows"),
    Case("confirm-reads-a-derived-date", event("date d = first pd after alive\nevent c = pd confirmed by d at least 3 days later"),
         "E227", 9, 27, "derived date"),
    Case("confirm-held-for-one", event("event c = pd held for 1 consecutive pd"), "E222", 8, 23, "at least 2"),
    Case("confirm-held-for-a-fraction", event("event c = pd held for 2.5 consecutive pd"), "E222", 8, 23,
         "whole number"),
    Case("confirm-zero-days-later", event("event c = pd confirmed by pd at least 0 days later"), "E223", 8, 39,
         "above 0"),
    Case("confirm-at-most-below-at-least", event("event c = pd confirmed by pd at least 28 days and at most 2 weeks later"),
         "E224", 8, 59, "less than `at least`"),
    Case("confirm-death-without-series", event("event c = pd confirmed by pd at least 21 days later or death within 21 days"),
         "E225", 8, 56, "needs an assessment series"),
    Case("confirm-within-not-a-number", event("event c = pd sustained to last pd or death within soon days"), "E226", 8, 51,
         "a number of days"),
    Case("confirm-within-unknown-unit", event("event c = pd sustained to last pd or death within 3 fortnights"), "E140", 8, 53,
         "unknown unit"),
    Case("confirm-bounds-an-imputation", event("event c = pd held for 2 consecutive pd\nevent x = adrs.ADTC impute first not before c"),
         "E164", 9, 45, "confirmed event"),
    Case("confirm-reserved-name", event("event later = pd held for 2 consecutive pd"), "E005", 8, 7, "reserved word"),
    Case("confirm-single-date-of-many", endpoint(STD.replace("censor at alive", "censor at c"), base=BASE + "event c = pd held for 2 consecutive pd\n"),
         "E121", 12, 13, "first c"),
    # adam: ADaM-complete output (keep, dataset, paramn)
    Case("keep-unknown-table", event("keep AGE from adls"), "E290", 8, 15, "did you mean `adsl`?"),
    Case("keep-many-rows-table", event("keep AGE from adrs"), "E291", 8, 15, "one row per subject"),
    Case("keep-output-column", event("keep TRTP as AVAL from adsl"), "E292", 8, 14, "rename it"),
    Case("keep-studyid", event("keep STUDYID from adsl"), "E292", 8, 6, "whenever the subject table has it"),
    Case("keep-twice", event("keep AGE, AGE from adsl"), "E292", 8, 11, "the first is at line 8"),
    Case("keep-long-name", event("keep TRT01PLANNED from adsl"), "E293", 8, 6, "`TRT01PLANNED as SHORTER`"),
    Case("keep-long-rename", event("keep TRT01P as TREATMENT from adsl"), "E293", 8, 16, "at most 8 characters"),
    Case("paramn-not-whole", clause("paramn 1.5"), "E294", 12, 10, "position in the file"),
    Case("paramn-text", clause('paramn "one"'), "E294", 12, 10, "whole number"),
    Case("paramn-taken", endpoint(STD + "  paramn 2\n") + 'endpoint PFS "P"\n' + STD + "end\n", "E295", 12, 10,
         "also endpoint PFS's"),
    Case("dataset-twice", event('dataset ADTTE\ndataset ADTTE2'), "E296", 9, 1, "the first is at line 8"),
    Case("dataset-long-name", event("dataset ADTTE_ONCO"), "E296", 8, 9, "at most 8 characters"),
    Case("dataset-long-label", event('dataset ADTTE label "' + "x" * 41 + '"'), "E297", 8, 1, "at most 40"),
]  # fmt: skip

# ---- groups (issue 13): `for each COLUMN of EVENT`
# Lines 1-6; the endpoint starts on line 7, `for each` is line 8, its other clauses lines 9-11.
GROUPS = """\
table adsl: one row per subject
table adae: many rows per subject
event first_dose = adsl.TRTSDT
event last_dose = adsl.TRTEDT
event teae = adae.ASTDT where TRTEMFL = "Y" sequence AESEQ
event ae_death = adae.AEDTHDT
"""
GROUPS_STD = "  from first_dose\n  to teae\n  censor at last_dose cnsr 1\n"


def grouped(
    head: str = "for each AEDECOD of teae",
    body: str = GROUPS_STD,
    code: str = "TTAE",
    base: str = GROUPS,
    after: str = "",
) -> str:
    return f'{base}endpoint {code} "Time to first TEAE"\n  {head}\n{body}end\n{after}'


TABLE += [
    Case("group-code-too-long", grouped(code="TTAE_ALL"), "E280", 7, 10, "at most 7 characters"),
    Case("group-event-not-counted", grouped("for each AEDECOD of ae_death"), "E281", 8, 23,
         "which endpoint TTAE does not count"),
    Case("group-best-response", grouped(body="  from first_dose\n  best response of ovr\n  sd at least 42 days after origin\n",
         base=GROUPS + "event ovr = adae.ASTDT response AEOUT\n"), "E282", 9, 3,
         "for time-to-event and incidence endpoints"),
    Case("group-subject-level-event", grouped("for each SAFFL of last_dose", body=GROUPS_STD.replace("to teae", "to last_dose")),
         "E283", 8, 21, "a one-row-per-subject table"),
    Case("group-column-twice", grouped("for each AEDECOD, AEDECOD of teae"), "E284", 8, 21, "given twice"),
    Case("group-three-columns", grouped("for each AEBODSYS, AEDECOD, AETOXGR of teae"), "E284", 8, 31,
         "one or two columns"),
    Case("group-table-read-twice", grouped(body=GROUPS_STD.replace("to teae", "to teae, ae_death")), "E285", 8, 3,
         "ae_death reads adae"),
    Case("group-population-on-its-table", grouped(body=GROUPS_STD + '  among adae where AESER = "Y"\n'), "E285", 8, 3,
         "the population reads adae"),
    Case("group-reads-an-endpoint-on-its-table", grouped(
         body=GROUPS_STD.replace("from first_dose", "from first_ae"),
         base=GROUPS + "event first_ae = ANY.ADT\n",
         after='endpoint ANY "Any TEAE"\n  from first_dose\n  to teae\n  censor at last_dose cnsr 1\nend\n'),
         "E285", 9, 3, "teae reads adae"),
    Case("group-read-as-table", grouped(after='endpoint OS "x"\n  from first_dose\n  to t\n  censor at last_dose cnsr 1\nend\n',
         base=GROUPS + "event t = TTAE.ADT\n"), "E286", 7, 1, "makes one parameter per value"),
    Case("group-code-clash", grouped(after='endpoint TTAE0001 "x"\n' + GROUPS_STD + "end\n"), "E287", 8, 3,
         "TTAE0001 has a code"),
]  # fmt: skip


# ---- competing events (issue 13, item 2): E270-E275
def competing(to: str, same_day: str | None = "  same day: event first\n") -> str:
    """OS with `to death` replaced (line 10) and a same-day rule on line 12."""
    return endpoint(STD.replace("  to death\n", f"  {to}\n") + (same_day or ""))


TABLE += [
    Case("competing-without-cnsr", competing("to death competing pd"), "E270", 10, 22, "`competing pd cnsr 2`"),
    Case("competing-cnsr-clash", competing("to death competing pd cnsr 1"), "E271", 10, 22,
         "a censoring code of this endpoint (line 11)"),
    Case("competing-clash-with-bound", competing("to death competing pd cnsr 3",
         "  same day: event first\n  horizon 1 years cnsr 3\n  ascertainment: continuous\n"), "E271", 10, 22,
         "(line 13)"),
    Case("competing-without-same-day", competing("to death competing pd cnsr 2", None), "E272", 10, 3,
         "add `same day: event first` or `same day: competing first`"),
    Case("same-day-without-competing", clause("same day: competing first"), "E273", 12, 3,
         "this endpoint has none"),
    Case("competing-is-the-event", competing("to death competing death cnsr 2"), "E274", 10, 22,
         "both an event of interest and a competing event"),
    Case("competing-cnsdtdsc", competing('to death competing pd cnsr 2 cnsdtdsc "x"'), "E275", 10, 22,
         "a competing event is not a censoring"),
    Case("competing-cnsr-zero", competing("to death competing pd cnsr 0"), "E130", 10, 30, "reserved for events"),
    Case("same-day-twice", competing("to death competing pd cnsr 2", "  same day: event first\n" * 2), "E110", 13, 3,
         "`same day` is given twice"),
]  # fmt: skip


# ---- criteria: response criteria sets (issue 13), E250-E258 -----------------------------------
BEST = "  best response of ovr\n  sd at least 42 days after origin\n"
NE_ROW = 'category "NE" = 9, not evaluable'


def crit(*rows: str) -> str:
    """A criteria set `c` from line 9, its rows from line 10 (before endpoint R)."""
    return "criteria c\n" + "".join(f"  {r}\n" for r in rows) + "end\n"


TABLE += [
    Case("criteria-unknown-set", response("  criteria irecst\n" + BEST), "E250", 11, 12, "the criteria sets: imwg, irecist"),
    Case("criteria-category-not-text", response(BEST, crit("category CR = 1, response", NE_ROW)), "E251", 10, 12,
         'double quotes: "CR"'),
    Case("criteria-category-twice", response(BEST, crit('category "CR" = 1', 'category "CR" = 2', NE_ROW)), "E252", 11, 12,
         "listed twice"),
    Case("criteria-category-reserved", response(BEST, crit('category "MISSING" = 1', NE_ROW)), "E252", 10, 12,
         "MISSING, Y and N"),
    Case("criteria-code-twice", response(BEST, crit('category "CR" = 1', 'category "PR" = 1', NE_ROW)), "E253", 11, 19,
         'already the code of "CR"'),
    Case("criteria-code-not-whole", response(BEST, crit('category "CR" = 1.5', NE_ROW)), "E253", 10, 19, "whole number"),
    Case("criteria-no-not-evaluable", response(BEST, crit('category "CR" = 1, response')), "E254", 9, 10,
         "exactly one `not evaluable`"),
    Case("criteria-confirmed-by-unknown", response(BEST, crit('category "CR" = 1, response, confirmed by ("CRR")', NE_ROW)),
         "E255", 10, 46, 'the categories: "CR", "NE"'),
    Case("criteria-confirm-not-next", response(BEST, crit('category "UPD" = 1, confirmed by ("CPD")',
                                                          'category "CPD" = 2, progressive disease', NE_ROW)),
         "E256", 10, 21, "`confirmed by next (...)`"),
    Case("criteria-window-reversed", response(BEST, crit('category "UPD" = 1, confirmed by next ("CPD") from 8 through 4 weeks',
                                                         'category "CPD" = 2', NE_ROW)), "E257", 10, 64, "from 4 through 8 weeks"),
    Case("criteria-window-not-a-number", response(BEST, crit('category "UPD" = 1, confirmed by next ("CPD") from soon through 4 weeks',
                                                             'category "CPD" = 2', NE_ROW)), "E257", 10, 54, "from 4 through 8 weeks"),
    Case("criteria-on-occurrence", response("  origin is day 1\n  criteria irecist\n  occurrence of pd from day 1 through day 28\n"),
         "E258", 12, 3, "an incidence reads no responses"),
    Case("criteria-on-tte", clause("criteria irecist"), "E258", 12, 3, "applies to response endpoints"),
    Case("criteria-responder-category", response('  criteria irecist\n  best response of ovr\n  responder if response in ("CR")\n'),
         "E185", 13, 29, 'not a category of criteria irecist'),
    Case("criteria-twice", response("  criteria irecist\n  criteria imwg\n" + BEST), "E110", 12, 3, "given twice"),
    Case("criteria-reserved-name", "criteria category\n  category \"NE\" = 1, not evaluable\nend\n" + endpoint(), "E005", 1, 10,
         "reserved word"),
]  # fmt: skip

# ---- bor: admiralonco's best-response options (issue 19), E320-E323 ----------------------------
TABLE += [
    Case("bor-cutoff-at-assessments", response(BEST + "  progressive disease cutoff: at ovr\n"), "E320", 13, 34,
         "the progression event"),
    Case("bor-cutoff-unknown-event", response(BEST + "  progressive disease cutoff: at progrssion\n"), "E104", 13, 34,
         "progrssion"),
    Case("bor-no-visits-flag", response(BEST + '  responder if response in ("CR", "PR")\n  no visits: not evaluable\n'),
         "E321", 14, 3, "leave `no visits` out"),
    Case("bor-cutoff-first-without-pd", response(BEST + "  criteria c\n  progressive disease cutoff: first\n",
                                                 crit('category "R" = 1, response', NE_ROW)),
         "E322", 18, 3, "cutoff: none"),
    Case("bor-count-on-tte", clause("before origin: count"), "E323", 12, 3, "move to origin"),
    Case("bor-move-on-best", response(BEST + "  before origin: move to origin\n"), "E181", 13, 3,
         "before origin: count"),
    Case("bor-uncoded-with-role", response(BEST + "  criteria c\n", crit('category "R" = 1, response',
                                                                         'category "X" = none, response', NE_ROW)),
         "E324", 11, 12, "no role"),
    Case("bor-count-on-landmark", response("  origin is day 1\n  response of ovr from day 1 through day 60 best\n"
                                           '  responder if response in ("CR", "PR")\n  not evaluable: "N"\n'
                                           "  before origin: count\n"), "E181", 15, 3, "never used"),
    Case("bor-cutoff-on-occurrence", response("  origin is day 1\n  occurrence of pd from day 1 through day 28\n"
                                              "  progressive disease cutoff: none\n"), "E183", 13, 3, "reads no responses"),
    Case("bor-no-visits-on-landmark", response("  origin is day 1\n  response of ovr from day 1 through day 60 best\n"
                                               '  responder if response in ("CR", "PR")\n  not evaluable: "N"\n'
                                               "  no visits: not evaluable\n"), "E183", 15, 3, "not evaluable:"),
    # review19: the origin as the cut-off left only the assessments of the origin's day
    Case("bor-cutoff-at-origin", response(BEST + "  progressive disease cutoff: at rand\n"), "E330", 13, 34,
         "at pd"),
    Case("bor-cutoff-twice", response(BEST + "  progressive disease cutoff: none\n  progressive disease cutoff: first\n"),
         "E110", 14, 3, "given twice"),
]  # fmt: skip

# ---- extreme (issue 19, part 2): `worst of` outcomes, E340-E349 ------------------------------


def worst(outcomes: str, tail: str = "  first by date\n", head: str = "worst", base: str = BASE) -> str:
    """Endpoint WX: `from rand` on line 9, `worst of` on line 10, its outcomes from line 11."""
    return endpoint(f"  from rand\n  {head} of\n{outcomes}{tail}", code="WX", label='"Worst"', base=base)


PD_Y = '    outcome "Y" = 1 if any pd\n'
TABLE += [
    Case("extreme-avalc-not-text", worst("    outcome Y = 1 if any pd\n"), "E340", 11, 13, 'double quotes: outcome "GRADE 3"'),
    Case("extreme-avalc-blank-edge", worst('    outcome "Y " = 1 if any pd\n'), "E340", 11, 13, 'write "Y"'),
    Case("extreme-otherwise-empty", worst(PD_Y + '    otherwise ""\n'), "E340", 12, 15, "non-empty text"),
    Case("extreme-aval-not-number", worst('    outcome "Y" = high if any pd\n'), "E341", 11, 19, "is a number"),
    Case("extreme-no-pick", worst(PD_Y, tail=""), "E342", 10, 3, "add `first by date`"),
    Case("extreme-pick-in-first-of", worst(PD_Y, head="first"), "E343", 12, 3, "`first of` takes the earliest row"),
    Case("extreme-pick-in-tte", clause("last by date"), "E343", 12, 3, "belongs to `worst of` and `best of`"),
    Case("extreme-pick-twice", worst(PD_Y, tail="  first by date\n  last by date\n"), "E110", 13, 3, "given twice"),
    Case("extreme-two-codes", worst(PD_Y + '    outcome "Y" = 2 if any death\n'), "E344", 12, 13, "has AVAL 1 above"),
    Case("extreme-otherwise-two-codes", worst(PD_Y + '    otherwise "Y"\n'), "E344", 12, 15, "has AVAL 1 above"),
    Case("extreme-has-on-derived-date", worst('    outcome "Y" if any d30 has AVAL > 1\n', base=BASE.replace(
        "population responders", "date d30 = rand + 30 days\npopulation responders")), "E345", 12, 24,
         "a derived date"),
    Case("extreme-by-column-on-derived-date", worst('    outcome "Y" if any d30\n', tail="  last by AVAL\n", base=BASE.replace(
        "population responders", "date d30 = rand + 30 days\npopulation responders")), "E346", 12, 24, "order `by date`"),
    Case("extreme-unknown-event", worst('    outcome "Y" if every pdd has AVALC = "Y"\n'), "E104", 11, 26, "did you mean `pd`?"),
    Case("extreme-criteria", worst(PD_Y, tail="  first by date\n  criteria irecist\n"), "E349", 13, 3,
         "the outcomes say the categories"),
    Case("extreme-response-clause", worst(PD_Y, tail="  first by date\n  sd at least 42 days after origin\n"), "E183", 13, 3,
         "does not apply to a `worst of` endpoint"),
    Case("extreme-tte-clause", worst(PD_Y, tail="  first by date\n  censor at alive cnsr 1\n"), "E181", 13, 3,
         "a response endpoint is not censored"),
    Case("extreme-for-each", worst(PD_Y, tail="  first by date\n  for each AVALC of pd\n"), "E282", 13, 3,
         "is for time-to-event and incidence endpoints"),
    Case("extreme-two-heads", worst(PD_Y, tail="  first by date\n  best response of pd\n"), "E180", 13, 3,
         "already says what it derives"),
]  # fmt: skip

# ---- value endpoints (issue 14): a series on line 3, its options from line 4, the endpoint's
# `value` clause on line 6 (after `vprog`'s options) or later
VBASE = "table adsl: one row per subject\ntable adpc: many rows per subject\n"
BLQ = '    below lloq if PCSTRESC = "<BLQ": zero\n'


def vprog(options: str = BLQ, clause: str = "value max of conc", head: str = "series conc = adpc.AVAL at AFRLT hours",
          extra: str = "") -> str:  # fmt: skip
    return f'{VBASE}{head}\n{options}endpoint CMAX "Max"\n  {clause}\n{extra}end\n'


TABLE += [
    Case("value-time-unit", vprog(head="series conc = adpc.AVAL at AFRLT months"), "E360", 3, 34, "minutes, hours, days or weeks"),
    Case("value-no-blq", vprog(options=""), "E361", 3, 8, "below lloq if"),
    Case("value-half-no-lloq", vprog(options='    below lloq if PCSTRESC = "<BLQ": half lloq\n'), "E362", 4, 5, "lloq COLUMN"),
    Case("value-option-twice", vprog(options=BLQ + "    duplicate times: refuse\n    duplicate times: mean\n"), "E363", 6, 5,
         "the first is at line 5"),
    Case("value-lloq-text", vprog(options=BLQ + '    lloq "x"\n'), "E364", 5, 5, "lloq PCLLOQ"),
    Case("value-window-name", vprog(clause="value max of conc over a to 8 hours"), "E365", 6, 26, "over 0 to 28 days"),
    Case("value-negative-tolerance", vprog(clause="value of conc at 2 hours within -1 hours"), "E365", 6, 35, "within 14 days"),
    Case("value-window-unit", vprog(clause="value max of conc over 0 to 8 fortnights"), "E366", 6, 33, "months (30.4375 days)"),
    Case("value-window-reversed", vprog(clause="value max of conc over 8 to 0 hours"), "E367", 6, 21, "ends before it starts"),
    Case("value-auc-no-rule", vprog(clause="value auc of conc"), "E368", 6, 3, "linear trapezoidal"),
    Case("value-rule-not-auc", vprog(clause="value max of conc linear"), "E369", 6, 3, "a rule of an AUC"),
    Case("value-other-clause", vprog(extra="  time in hours\n"), "E370", 7, 3, "does not apply to a value endpoint"),
    Case("value-twice", vprog(extra="  value min of conc\n"), "E371", 7, 3, "the first is at line 6"),
    Case("value-series-reads-adsl", vprog(options="    where AVAL > adsl.AGE\n" + BLQ), "E372", 4, 5, "its own rows"),
    Case("value-unknown-series", vprog(clause="value max of conx"), "E104", 6, 16, "did you mean `conc`?"),
    Case("value-unknown-table", vprog(head="series conc = adcp.AVAL at AFRLT hours"), "E104", 3, 15, "did you mean `adpc`?"),
    Case("value-dates-in-hours", vprog(options=BLQ + "    from rand\n    origin is day 1\n",
                                       head="event rand = adsl.RANDDT\nseries conc = adpc.AVAL at ADT hours"),
         "E373", 4, 32, "write `at ADT days`"),
    Case("value-origin-many-rows", vprog(options=BLQ + "    from visit\n    origin is day 1\n",
                                         head="event visit = adpc.ADT\nseries conc = adpc.AVAL at ADT days"),
         "E374", 6, 10, "one date per subject"),
    Case("value-dates-no-numbering", vprog(options=BLQ + "    from rand\n",
                                           head="event rand = adsl.RANDDT\nseries conc = adpc.AVAL at ADT days"),
         "E375", 6, 5, "origin is day 0"),
    Case("value-dates-day-2", vprog(options=BLQ + "    from rand\n    origin is day 2\n",
                                    head="event rand = adsl.RANDDT\nseries conc = adpc.AVAL at ADT days"),
         "E375", 7, 5, "the origin is day 0 or day 1"),
    Case("value-numbering-without-dates", vprog(options=BLQ + "    origin is day 1\n"), "E375", 5, 5, "add `from EVENT`"),
    Case("value-detectable-blq-missing",
         vprog(options='    below lloq if PCSTRESC = "<BLQ": zero before first quantifiable, missing after\n',
               clause="value detectable of conc at 2 hours within 1 hours"), "E376", 6, 3, "`zero` or `half lloq`"),
]  # fmt: skip

# Syntax rows whose input has more than its one mistake (no endpoint in the file): the
# other diagnostics, by code.
EXTRA = {
    "reserved-word-as-table": ("E112",),
    "eof-mid-statement": ("E112",),
    "eof-after-comment": ("E112",),
    "too-many-errors": ("E001",) * 50,  # and no checker: the rest of the file is not read
}


@pytest.mark.parametrize("case", TABLE, ids=[c.id for c in TABLE])
def test_error_table(case: Case):
    with pytest.raises(EptError) as info:
        check_text(case.source, "trial.ept")
    diags = info.value.diagnostics
    found = [(d.code, d.span.line, d.span.column) for d in diags]
    (first,) = [
        d for d in diags if (d.code, d.span.line, d.span.column) == (case.code, case.line, case.column)
    ] or [pytest.fail(f"no {case.code} at {case.line}:{case.column} in {found}")]
    assert case.fragment in f"{first.message}\n{first.hint}", first.render()
    assert first.span.file == "trial.ept"
    assert first.render().startswith(f"trial.ept:{case.line}:{case.column}: error {case.code}: ")
    if case.code < "E100":  # a syntax error, reported once: nothing that follows from it
        assert sorted(code for code, *_ in found) == sorted([case.code, *EXTRA.get(case.id, ())]), found


# Every module: a code used anywhere must have its row (a new checker module is not missed).
CODE_FILES = tuple(
    sorted(p.name for p in (Path(__file__).resolve().parent.parent / "endpointdsl").glob("*.py"))
)


def test_table_covers_every_checker_code():
    source = "".join(
        (Path(__file__).resolve().parent.parent / "endpointdsl" / name).read_text(encoding="utf-8")
        for name in CODE_FILES
    )
    used = set(re.findall(r'"(E[0-9]{3})"', source))
    used -= {"E004"}  # a file that is not UTF-8 has no text to put in a row: tests/test_exit_codes.py
    assert used <= {c.code for c in TABLE}, sorted(used - {c.code for c in TABLE})


# ---- habits from SAS and R: each reported with its replacement, which the parser reads on --


class Habit(NamedTuple):
    id: str
    source: str  # with the habit
    code: str
    line: int
    column: int
    message: str
    hint: str
    meant: str | None  # the text as meant: the parser reads the habit as this (None: dropped)


def habit(name, wrong, meant, code, column, message, hint, line=8, make=event):
    return Habit(name, make(wrong), code, line, column, message, hint, None if meant is None else make(meant))


W = 'event e = adrs.ADT where PARAMCD = "PD" '  # a condition up to column 40
HABITS = [
    habit("ampersand", W + '& AVALC = "Y"', W + 'and AVALC = "Y"', "E001", 41, "unexpected '&'", "write `and`"),
    habit("double-ampersand", W + '&& AVALC = "Y"', W + 'and AVALC = "Y"', "E001", 41, "'&&'", "`&&` is R: write `and`"),
    habit("pipe", W + '| AVALC = "Y"', W + 'or AVALC = "Y"', "E001", 41, "unexpected '|'", "write `or`"),
    habit("double-pipe", W + '|| AVALC = "Y"', W + 'or AVALC = "Y"', "E001", 41, "'||'", "`||` is R: write `or`"),
    habit("caret-equals", 'event e = adrs.ADT where PARAMCD ^= "PD"', 'event e = adrs.ADT where PARAMCD != "PD"',
          "E001", 34, "unexpected '^='", "`^=` is SAS: write `!=`"),
    habit("tilde-equals", 'event e = adrs.ADT where PARAMCD ~= "PD"', 'event e = adrs.ADT where PARAMCD != "PD"',
          "E001", 34, "unexpected '~='", "write `!=`"),
    habit("not-sign-equals", 'event e = adrs.ADT where PARAMCD ¬= "PD"', 'event e = adrs.ADT where PARAMCD != "PD"',
          "E001", 34, "unexpected '¬='", "write `!=`"),
    habit("angle-brackets", 'event e = adrs.ADT where PARAMCD <> "PD"', 'event e = adrs.ADT where PARAMCD != "PD"',
          "E003", 34, "unexpected '<>'", "`<>` is SAS: write `!=`"),
    habit("sas-ne", 'event e = adrs.ADT where PARAMCD ne "PD"', 'event e = adrs.ADT where PARAMCD != "PD"',
          "E003", 34, "unexpected name 'ne'", "`ne` is SAS: write `!=`"),
    habit("sas-NE", 'event e = adrs.ADT where PARAMCD NE "PD"', 'event e = adrs.ADT where PARAMCD != "PD"',
          "E003", 34, "'NE'", "`NE` is SAS: write `!=`"),
    habit("sas-eq", 'event e = adrs.ADT where PARAMCD eq "PD"', 'event e = adrs.ADT where PARAMCD = "PD"',
          "E003", 34, "'eq'", "`eq` is SAS: write `=`"),
    habit("sas-lt", "event e = adrs.ADT where AVAL lt 3", "event e = adrs.ADT where AVAL < 3", "E003", 31, "'lt'",
          "write `<`"),
    habit("sas-le", "event e = adrs.ADT where AVAL le 3", "event e = adrs.ADT where AVAL <= 3", "E003", 31, "'le'",
          "write `<=`"),
    habit("sas-gt", "event e = adrs.ADT where AVAL gt 3", "event e = adrs.ADT where AVAL > 3", "E003", 31, "'gt'",
          "write `>`"),
    habit("sas-GE", "event e = adrs.ADT where AVAL GE 3", "event e = adrs.ADT where AVAL >= 3", "E003", 31, "'GE'",
          "write `>=`"),
    habit("double-equals", 'event e = adrs.ADT where PARAMCD == "PD"', 'event e = adrs.ADT where PARAMCD = "PD"',
          "E003", 34, "unexpected '=='", "compare with a single ="),
    habit("upper-case-and", W + 'AND AVALC = "Y"', W + 'and AVALC = "Y"', "E003", 41, "unexpected name 'AND'",
          "keywords are lower case: did you mean `and`?"),
    habit("upper-case-or", W + 'OR AVALC = "Y"', W + 'or AVALC = "Y"', "E003", 41, "'OR'", "did you mean `or`?"),
    habit("upper-case-not", 'event e = adrs.ADT where NOT PARAMCD = "PD"', 'event e = adrs.ADT where not PARAMCD = "PD"',
          "E003", 26, "'NOT'", "did you mean `not`?"),
    habit("upper-case-in", 'event e = adrs.ADT where PARAMCD IN ("PD")', 'event e = adrs.ADT where PARAMCD in ("PD")',
          "E003", 34, "'IN'", "did you mean `in`?"),
    habit("r-in", 'event e = adrs.ADT where PARAMCD %in% ("PD")', 'event e = adrs.ADT where PARAMCD in ("PD")',
          "E001", 34, "'%in%'", "`%in%` is R: write `in`"),
    habit("r-not", 'event e = adrs.ADT where !(PARAMCD = "PD")', 'event e = adrs.ADT where not (PARAMCD = "PD")',
          "E001", 26, "unexpected '!'", "`!` is R: write `not`"),
    habit("word-double-quotes", "event e = adrs.ADT where PARAMCD = “PD”", 'event e = adrs.ADT where PARAMCD = "PD"',
          "E001", 36, "unexpected character '“'", 'write "PD" with straight double quotes'),
    habit("word-single-quotes", "event e = adrs.ADT where PARAMCD = ‘PD’", 'event e = adrs.ADT where PARAMCD = "PD"',
          "E001", 36, "'‘'", 'write "PD" with straight double quotes'),
    habit("sas-semicolon", 'event e = adrs.ADT where PARAMCD = "PD";', 'event e = adrs.ADT where PARAMCD = "PD"',
          "E001", 40, "unexpected ';'", "delete the `;`"),
    habit("decimal-comma", "  horizon 1,5 years", "  horizon 1.5 years", "E003", 12, "unexpected ','",
          "decimals are written with a point: 1.5, not 1,5", line=12, make=bound_line),
    habit("label-before-where", 'event e = adrs.ADT label "PD" where PARAMCD = "PD"', None, "E003", 31,
          "'where' is in the wrong place", "`where` comes before `label`; the order is: event NAME = TABLE.COLUMN format ... with time where"),
    habit("sequence-after-label-with-time", 'event e = adrs.ADT with time where PARAMCD = "PD" label "PD" sequence ASEQ',
          None, "E003", 62, "'sequence' is in the wrong place", "`sequence` comes before `label`;"),
    habit("sequence-before-where", 'event e = adrs.ADT sequence ASEQ where PARAMCD = "PD"', None, "E003", 34,
          "'where' is in the wrong place", "`where` comes before `sequence`"),
    habit("calendar-after-unit", "  horizon 3 years calendar", None, "E003", 19, "'calendar' is in the wrong place",
          "`calendar` comes before `years`", line=12, make=bound_line),
    habit("condition-after-cnsr", "  censor at alive cnsr 1 if no death", None, "E003", 26,
          "'if' is in the wrong place", "`if` comes before `cnsr`; the order is: censor at DATE if", line=11,
          make=lambda c: endpoint(STD.replace("  censor at alive cnsr 1\n", c + "\n"))),
    habit("format-after-where", 'event e = adrs.ADT where PARAMCD = "PD" format "DDMONYYYY"', None, "E003", 41,
          "'format' is in the wrong place", "`format` comes before `where`; the order is: event NAME = TABLE.COLUMN format"),
    habit("where-twice", 'event e = adrs.ADT where PARAMCD = "PD" where AVALC = "Y"', None, "E003", 41,
          "'where' is given twice", "write it once"),
]  # fmt: skip


@pytest.mark.parametrize("case", HABITS, ids=[h.id for h in HABITS])
def test_habits_from_sas_and_r(case: Habit):
    with pytest.raises(EptError) as info:
        check_text(case.source, "trial.ept")
    (diag,) = info.value.errors  # the habit, and nothing that follows from it (warnings on the meant text)
    assert (diag.code, diag.span.line, diag.span.column) == (case.code, case.line, case.column), diag.render()
    assert case.message in diag.message and case.hint in diag.hint, diag.render()
    if case.meant is not None:  # the parser read the replacement, so the rest is checked as meant
        with pytest.raises(SyntaxErrors) as syntax:
            parse_tree(case.source, "trial.ept")
        assert syntax.value.tree == parse_tree(case.meant, "trial.ept")


def test_every_word_quote_is_reported():
    """Word's quotes in three statements, two in one list, one in a statement dropped for another error."""
    source = endpoint(
        STD.replace("cnsr 1", "cnsr 1 evntdesc “Alive”"),
        base=BASE + "event e = adrs.ADT where AVALC in (“CR”, “PR”)\nevnt f = adrs.ADT where AVALC = ‘SD’\n",
    )
    with pytest.raises(EptError) as info:
        check_text(source, "trial.ept")
    found = [(d.span.line, d.span.column, d.code) for d in info.value.diagnostics]
    assert found == [(8, 36, "E001"), (8, 42, "E001"), (9, 1, "E003"), (9, 33, "E001"), (13, 35, "E001")]


def test_all_errors_reported_at_once_in_order():
    source = """\
table adsl: one row per subject
table adrs: many rows per subject
event rand = adsl.RANDDT
event alive = adsl.LSTALVDT
event death = adrz.ADT where AVALC in (Y)
endpoint os "Overall Survival"
  from rand
  to death, deth
  censor at alive cnsr 0
  horizon 3 yaers
  cutoff 2024-02-30
end
"""
    with pytest.raises(EptError) as info:
        check_text(source, "many.ept")
    got = [(d.span.line, d.span.column, d.code) for d in info.value.diagnostics]
    assert got == [
        (5, 15, "E104"),  # unknown table adrz
        (5, 40, "E160"),  # unquoted Y
        (6, 10, "E107"),  # PARAMCD os
        (6, 10, "E152"),  # a horizon, and no ascertainment for the date last known alive
        (8, 13, "E104"),  # unknown event deth
        (9, 24, "E130"),  # cnsr 0
        (10, 13, "E140"),  # unit yaers
        (11, 10, "E141"),  # 2024-02-30
    ]
    assert got == sorted(got)
    rendered = str(info.value)
    assert rendered.count("many.ept:") == len(got)


# ---- golden files: the full rendering ---------------------------------------------------

GOLDEN_CASES = {
    "missing_end": "missing-end-before-endpoint",
    "single_quoted_text": "single-quoted-text",
    "misspelt_keyword": "misspelt-clause-keyword",
    "unknown_event": "unknown-event",
    "unreachable_censoring": "unreachable-censoring",
}
BY_ID = {c.id: c for c in TABLE}


@pytest.mark.parametrize("name", sorted(GOLDEN_CASES))
def test_golden_rendering(name: str):
    case = BY_ID[GOLDEN_CASES[name]]
    with pytest.raises(EptError) as info:
        check_text(case.source, "trial.ept")
    rendered = info.value.render() + "\n"
    path = GOLDEN / f"{name}.txt"
    if UPDATE_GOLDEN:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(rendered, encoding="utf-8")
    assert path.is_file(), f"missing {path}; run with EPT_UPDATE_GOLDEN=1 to create it"
    assert rendered == path.read_text(encoding="utf-8")


# ---- after a syntax error: the checker's findings on what parsed, not on what was dropped --

DROPPED = [
    # (id: what, source, every diagnostic as (line, column, code))
    ("event-dropped: its uses are not unknown; another unknown name still is",
     endpoint(STD.replace("to death", "to first of death, pd, prg"), base=BASE.replace('adrs.ADT where PARAMCD = "DEATH"', 'adrs..ADT where PARAMCD = "DEATH"')),
     [(5, 20, "E003"), (10, 26, "E104")]),
    ("censor-dropped: no 'no censoring rule'; the unknown event in `to` still reported",
     endpoint(STD.replace("censor at alive", "censor alive at").replace("to death", "to deth")),
     [(10, 6, "E104"), (11, 10, "E003")]),
    ("censor-kept-in-part: no 'needs its CNSR code'; the unknown event in `to` still reported",
     endpoint(STD.replace("cnsr 1", "cnsr").replace("to death", "to deth")), [(10, 6, "E104"), (11, 23, "E003")]),
    ("origin-dropped: no 'has no origin'; the unknown event in `to` still reported",
     endpoint(STD.replace("from rand", "from: rand").replace("to death", "to deth")),
     [(9, 7, "E003"), (10, 6, "E104")]),
    ("table-dropped: no 'exactly one subject table', no unknown table",
     endpoint(base=BASE.replace("one row per subject\n", "one row per\n")), [(1, 24, "E003")]),
    ("endpoint-dropped: no 'no endpoint', no unknown base of its variant; an unknown table still reported",
     BASE + 'event x = adrz.ADT\nendpoint "Overall survival" OS\n' + STD + 'end\nendpoint V "v" like OS\n  without horizon\nend\n',
     [(8, 11, "E104"), (9, 10, "E003")]),
    ("base-clause-dropped: the variant's `without` is not 'nothing to leave out'; its own mistake reported",
     endpoint(STD + "  horizon: 3 years\n") + 'endpoint V "v" like OS\n  without horizon\n  time in weks\nend\n',
     [(12, 10, "E003"), (16, 11, "E140")]),
]  # fmt: skip


@pytest.mark.parametrize(
    "source, expected", [c[1:] for c in DROPPED], ids=[c[0].split(":")[0] for c in DROPPED]
)
def test_what_a_dropped_piece_explains_is_not_reported(source, expected):
    with pytest.raises(EptError) as info:
        check_text(source, "trial.ept")
    assert [(d.span.line, d.span.column, d.code) for d in info.value.diagnostics] == expected, (
        info.value.render()
    )


# Whole files with many mistakes (tests/golden/errors/NAME.ept): every syntax error, sorted,
# each once, and the checker's findings on what parsed cleanly, without the noise of what did not.
MANY = sorted(GOLDEN.glob("*.ept"))


@pytest.mark.parametrize("path", MANY, ids=[p.stem for p in MANY])
def test_golden_files_with_many_mistakes(path: Path):
    with pytest.raises(EptError) as info:
        check_text(path.read_text(encoding="utf-8"), path.name)
    spans = [(d.span.line, d.span.column) for d in info.value.diagnostics]
    assert spans == sorted(spans)
    rendered = info.value.render() + "\n"
    golden = path.with_suffix(".txt")
    if UPDATE_GOLDEN:
        golden.write_text(rendered, encoding="utf-8")
    assert rendered == golden.read_text(encoding="utf-8")


# ---- warnings: the file is valid and means what it says, perhaps not what was meant ------


@pytest.mark.parametrize(
    "condition, warned",
    [
        ('DCTREAS != "PROGRESSIVE DISEASE"', True),
        ('DCTREAS not in ("A", "B")', True),
        ('DCTREAS is missing or DCTREAS != "PROGRESSIVE DISEASE"', False),
        ('DCTREAS is not missing and DCTREAS != "PROGRESSIVE DISEASE"', False),
        ('DCTREAS = "ADVERSE EVENT"', False),
    ],
)
def test_negated_test_on_a_maybe_blank_column_warns(condition, warned):
    model = check_text(event(f"event e = adsl.DCTDT where {condition}"), "trial.ept")
    codes = [(w.code, w.span.line) for w in model.warnings if w.code == "W101"]
    assert codes == ([("W101", 8)] if warned else [])
    if warned:
        assert "rows where DCTREAS is missing never match" in model.warnings[0].render()


def test_check_prints_warnings_and_still_succeeds(tmp_path, capsys):
    from endpointdsl.cli import main

    path = tmp_path / "w.ept"
    path.write_text(event('event e = adsl.DCTDT where DCTREAS != "X"'))
    assert main(["check", str(path)]) == 0
    out, err = capsys.readouterr()
    assert "2 warnings" in out and "W101" in err and "W102" in err  # W102: no catch-all rule


STD_TO = "  from rand\n  to death\n"


@pytest.mark.parametrize(
    ("rules", "warning"),
    [
        ("  censor at alive cnsr 1\n", "a subject with no death and no alive date on or after the origin"),
        ("  censor at last pd cnsr 1\n  censor at alive cnsr 2\n",
         "no death and no pd on or after the origin and no alive date on or after the origin"),
        ("  censor at latest of alive cnsr 1, last pd cnsr 2\n",
         "no death and no alive date on or after the origin and no pd on or after the origin"),
        ("  censor at origin if no pd cnsr 1\n", "no death and not `if no pd`"),
        ("  censor at alive if pd cnsr 1\n", "no alive date on or after the origin (or not `if pd`)"),
        ("  censor at last pd cnsr 1\n  horizon 1 years\n  ascertainment: at visits\n",
         "no death up to the end of observation and no pd on or after the origin up to the end of observation"),
        ("  censor at last pd cnsr 1\n  horizon 1 years\n  ascertainment: continuous\n",
         "no death up to the end of observation and no pd on or after the origin"),
        ("  censor at alive cnsr 1\n  before origin: move to origin\n", "no death and no alive date"),
        ("  censor at alive cnsr 1\n  censor at origin cnsr 2\n", None),
        ("  censor at latest of alive cnsr 1, origin cnsr 2\n", None),
        ("  censor at latest of alive cnsr 1, rand cnsr 2\n", None),  # rand is the origin's own date
        ("  censor at alive cnsr 1\n  censor at rand cnsr 2\n", None),
    ],
)  # fmt: skip
def test_an_endpoint_that_can_leave_a_subject_without_a_record_warns(rules, warning):
    model = check_text(endpoint(STD_TO + rules), "trial.ept")
    found = [w for w in model.warnings if w.code == "W102"]
    if warning is None:
        assert found == []
        return
    (w,) = found
    assert (w.span.line, w.span.column) == (8, 10)
    assert w.message.startswith("endpoint OS gives no record to a subject with no death")
    assert warning in w.message, w.message
    assert "add `censor at origin cnsr N` as the last rule" in w.hint


def test_an_endpoint_that_says_it_excludes_such_subjects_is_not_warned():
    """`no censoring date: excluded` states the exclusion W102 warns of; the engines derive
    the same records and report the same exclusions with or without it."""
    said = check_text(endpoint(STD_TO + "  censor at alive cnsr 1\n  no censoring date: excluded\n"), "t.ept")
    assert [w.code for w in said.warnings] == []
    assert said.endpoints[0].no_censoring_excluded
    plain = check_text(endpoint(STD_TO + "  censor at alive cnsr 1\n"), "t.ept")
    assert [w.code for w in plain.warnings] == ["W102"]
    assert "`no censoring date: excluded`" in plain.warnings[0].hint


def test_no_catch_all_warning_while_the_file_has_errors():
    with pytest.raises(EptError) as info:
        check_text(endpoint(STD_TO + "  censor at alive cnsr 0\n"), "trial.ept")
    assert [d.code for d in info.value.diagnostics] == ["E130"]


def test_event_only_endpoints_need_no_censoring_rule():
    """`among subjects with E` and `to E` without an end of observation: every subject of the
    population has the event, so no censoring rule is needed (issue 12, event-only)."""
    named = endpoint("  among responders\n  from rand\n  to pd\n")
    inline = endpoint("  among subjects with pd\n  from rand\n  to first of death, pd\n")
    for text in (named, inline):
        model = check_text(text)
        assert model.endpoints[0].censoring == ()
        assert not [w for w in model.warnings if w.code == "W102"]


def test_an_unknown_population_hides_no_censoring_rule():
    """`among P` with P unknown (or dropped by a syntax error): the population error alone,
    not also E112, since the endpoint may be event-only once P is defined."""
    with pytest.raises(EptError) as info:
        check_text(endpoint("  among nobody\n  from rand\n  to pd\n"))
    assert [d.code for d in info.value.errors] == ["E104"]
