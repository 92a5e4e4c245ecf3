"""Hypothesis strategies: random valid `.ept` programs and random subject data for them.

A program is drawn as a small structured description (`ProgramDesc`: tables, events,
populations, endpoints, all plain frozen dataclasses and tuples) and rendered to text
from it (`ProgramDesc.text`). The same description says which columns of which kind
each table needs (`ProgramDesc.columns`), so `subject_tables` draws rows that fit the
program, and the property tests read the description (never the checked model) to
compute their expectations.

Programs cover every construct: tables with and without `key`, events on either kind
of table with and without `where` (all comparisons, `in`/`not in`, `is [not] missing`,
and/or/not, parentheses), `sequence`, `impute first|mid|last` (also `day`: the day only)
with `not before` / `not after` bounds (also moved: `+ 1 day`, `-7 days`, `+ 2 weeks`) and `label`, `format "..."` on date columns (every known pattern, in
upper or lower case; ISO 8601 also written out); named and inline populations; endpoints with every
origin, event list, censoring rule and bound form and the conventions `origin is day`,
`time in` and `before origin`, with their clauses in any order.

Dates are drawn from a narrow range (2020-01-01..2020-04-30), mostly from a few anchor
days per subject, so ties, same-day events, occurrences before the origin and horizon
crossings are frequent; cells are sometimes missing (None, NaN, NaT, blank), impossible,
partial, carry a time part or trailing blanks, or are date/datetime/Timestamp objects;
a column with a declared format holds texts in it (with one-digit days and months, month
names in any case, a time, blanks around, numbers for YYYYMMDD and SAS days) and
sometimes impossible days (31/02/2020), two-digit years or ISO texts;
filter and sequence cells are sometimes odd (NA, inf, numbers as text, junk).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import random
from dataclasses import dataclass

import pandas as pd
from edge_days import UNIT_DAYS, category_roles, confirming, gap_edges, origin_edges, window_day
from hypothesis import strategies as st

DAY0 = dt.date(2020, 1, 1)
LAST_DAY = dt.date(2020, 4, 30)
SPAN_DAYS = (LAST_DAY - DAY0).days
SUBJECT_TABLE = "adsl"
UNIT_WORDS = {
    "day": "days", "days": "days", "week": "weeks", "weeks": "weeks",
    "month": "months", "months": "months", "year": "years", "years": "years",
}  # fmt: skip
# Times of day (issue 12): the units of an endpoint timed by the clock.
TIME_WORDS = {"hour": "hours", "hours": "hours", "minute": "minutes", "minutes": "minutes"}


# ---- the vocabulary of tables and columns ----------------------------------------------


@dataclass(frozen=True)
class TableVocab:
    """Columns a table may offer, by kind, and the usual values of its text columns."""

    name: str
    per_subject: bool
    dates: tuple[str, ...]
    texts: dict[str, tuple[str, ...]]
    numbers: tuple[str, ...]
    sequence: str

    def kind(self, column: str) -> str:
        if column in self.dates:
            return "date"
        if column in self.texts:
            return "text"
        if column in self.numbers:
            return "number"
        if column == self.sequence:
            return "sequence"
        return "key"


VOCAB = {
    "adsl": TableVocab(
        "adsl", True, ("RANDDT", "TRTSDT", "DTHDT", "LSTALVDT", "EOSDT"),
        {"SAFFL": ("Y", "N"), "DTHFL": ("Y", "N"), "ARM": ("A", "B", "Placebo arm")},
        ("AGE",), "SUBJSEQ",
    ),
    "adrs": TableVocab(
        "adrs", False, ("ADT", "ASTDT"),
        {"PARAMCD": ("PD", "DEATH", "LSTA", "RSP"), "AVALC": ("Y", "N", "CR"), "ANL01FL": ("Y", "N"),
         "OVRRESP": ("CR", "PR", "SD", "NON-CR/NON-PD", "PD", "NE", "PR", "SD", "ND")},  # ND: issue 19
        ("AVAL",), "ASEQ",
    ),
    "adae": TableVocab(
        "adae", False, ("AESTDT", "AEENDT"),
        {"AEDECOD": ("HEADACHE", "NAUSEA"), "AESER": ("Y", "N")},
        ("AETOXGR",), "AESEQ",
    ),
}  # fmt: skip

# Date formats an event can declare (docs/language.md), and how each may be spelled.
ISO = "YYYY-MM-DD"
SAS_DAYS = "days since 1960-01-01"
FORMAT_TEXTS = (
    "DDMONYYYY",
    "DD-MON-YYYY",
    "MM/DD/YYYY",
    "DD/MM/YYYY",
    "DD.MM.YYYY",
    "YYYYMMDD",
    "YYYY/MM/DD",
)
ALL_FORMATS = (ISO, *FORMAT_TEXTS, SAS_DAYS)
MONTH_ABBR = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")


def spellings(fmt: str) -> tuple[str, ...]:
    return (fmt, fmt.capitalize()) if fmt == SAS_DAYS else (fmt, fmt.lower())


# Odd texts that can appear in a literal; `\` and `"` exercise the escapes of STRING.
ODD_TEXTS = ("1", "N/A", 'say "hi"', "back\\slash", "a  b")


# ---- the description ---------------------------------------------------------------------


@dataclass(frozen=True)
class Lit:
    """A literal of a row condition: its kind, its value and its .ept lexeme."""

    kind: str  # "text", "number" or "date"
    value: object  # str, float or dt.date
    lexeme: str


# Conditions are tuples:
#   ("cmp", column, op, Lit)   ("in", column, negated, (Lit, ...))   ("missing", column, negated)
#   ("and", a, b)   ("or", a, b)   ("not", a)   ("paren", a)
#   ("other", column, op, (table | None, other column), factor lexeme | None, shift text | None):
#   `AVAL <= 2 * adsl.AGE - 10`, `ADT > adsl.TRTSDT + 30 days` (issue 12: conditions)
Cond = tuple


@dataclass(frozen=True)
class TableDesc:
    name: str
    per_subject: bool
    key: str
    key_stated: bool


@dataclass(frozen=True)
class EventDesc:
    name: str
    table: str
    column: str
    where: Cond | None
    sequence: str | None
    label: str | None
    impute: str | None = None  # "first", "mid" or "last": the rule for partial dates
    bounds: tuple[tuple[str, str], ...] = ()  # ("before" | "after", subject-level event)
    response: str | None = None  # column of the RECIST response (tumour assessments)
    time: bool = False  # `with time`: the time after the date is kept (issue 12)
    # (the `format` of the date column is the program's, per table column: ProgramDesc.formats)
    # finer imputation (issue 12): `impute first day`, and each bound's offset as
    # (days, text as written: "", " + 1 day", " -7 days", " - 2 weeks"), in the order of `bounds`
    day_only: bool = False
    offsets: tuple[tuple[int, str], ...] = ()

    @property
    def not_before(self) -> tuple[str, ...]:
        return tuple(e for side, e in self.bounds if side == "before")

    @property
    def not_after(self) -> tuple[str, ...]:
        return tuple(e for side, e in self.bounds if side == "after")

    def bound_days(self, side: str) -> tuple[tuple[str, int], ...]:
        """((event, days), ...) of the bounds on one side, their offsets in days."""
        offsets = self.offsets or ((0, ""),) * len(self.bounds)
        return tuple((e, days) for (s, e), (days, _) in zip(self.bounds, offsets, strict=True) if s == side)


@dataclass(frozen=True)
class ConfirmedDesc:
    """`event NAME = CANDIDATE RULE` (issue 12, item 2): a confirmed or sustained event,
    declared after every other event (it reads only events declared before it)."""

    name: str
    table: str  # the table of the candidate's rows
    candidate: str
    rule: str  # the text after the candidate: `confirmed by ...`, `held for ...`...
    response: None = None


@dataclass(frozen=True)
class Outcome:
    cnsr: int | None
    cnsr_lexeme: str | None
    evntdesc: str | None
    cnsdtdsc: str | None

    def items(self) -> list[str]:
        out = []
        if self.cnsr_lexeme is not None:
            out.append(f"cnsr {self.cnsr_lexeme}")
        if self.evntdesc is not None:
            out.append(f"evntdesc {quote(self.evntdesc)}")
        if self.cnsdtdsc is not None:
            out.append(f"cnsdtdsc {quote(self.cnsdtdsc)}")
        return out


@dataclass(frozen=True)
class DateRef:
    kind: str  # "single", "first", "last", "origin" or "literal"
    event: str | None = None
    value: dt.date | None = None

    def render(self) -> str:
        match self.kind:
            case "single":
                return str(self.event)
            case "origin":
                return "origin"
            case "literal":
                return str(self.value)
        return f"{self.kind} {self.event}"


@dataclass(frozen=True)
class Choice:
    date: DateRef
    outcome: Outcome


@dataclass(frozen=True)
class Rule:
    latest: bool
    choices: tuple[Choice, ...]


@dataclass(frozen=True)
class BoundDesc:
    kind: str  # "horizon", "cutoff" or "stop"
    inclusive: bool | None  # None: not stated (the default: inclusive)
    outcome: Outcome | None
    option_order: tuple[int, ...]  # where the inclusivity flag goes among the outcome items
    amount: float | None = None
    amount_lexeme: str | None = None
    unit_word: str | None = None
    calendar: bool = False
    date: DateRef | None = None  # cutoff
    event: str | None = None  # stop

    @property
    def unit(self) -> str | None:
        return UNIT_WORDS[self.unit_word] if self.unit_word else None

    @property
    def is_inclusive(self) -> bool:
        return self.inclusive is not False

    def render(self) -> str:
        if self.kind == "horizon":
            head = f"horizon {self.amount_lexeme} {'calendar ' if self.calendar else ''}{self.unit_word}"
        elif self.kind == "cutoff":
            head = f"cutoff {self.date.render()}"
        else:
            head = f"stop at {self.event}"
        options = self.outcome.items() if self.outcome else []
        if self.inclusive is not None:
            flag = "inclusive" if self.inclusive else "exclusive"
            options.insert(self.option_order[0] % (len(options) + 1), flag)
        return " ".join([head, *options])


@dataclass(frozen=True)
class EndpointDesc:
    paramcd: str
    param: str
    origin: DateRef
    to: tuple[tuple[str, str | None], ...]  # (event, evntdesc)
    to_first_of: bool
    rules: tuple[Rule, ...]
    bounds: tuple[BoundDesc, ...]
    population: tuple | None  # ("named", name) | ("with", event) | ("where", table, cond)
    origin_day: int | None
    unit_word: str | None
    before: str | None  # None, "ignore" or "move"
    order: tuple[int, ...]  # a permutation of the clauses
    ascertainment: str | None = None  # None, "continuous" or "at visits"
    missed: tuple | None = None  # (count lexeme, event, schedule, Outcome): FDA B9
    no_censoring: bool = False  # `no censoring date: excluded` (only without a catch-all rule)
    # competing events (issue 13): ((event, evntdesc, cnsr), ...) and "event" or "competing"
    competing: tuple[tuple[str, str | None, int], ...] = ()
    same_day: str | None = None

    @property
    def terminating(self) -> tuple[tuple[str, str | None, int], ...]:
        """(event, evntdesc, CNSR) of the events and competing events, in same-day tie order."""
        events = tuple((n, d, 0) for n, d in self.to)
        return (*self.competing, *events) if self.same_day == "competing" else (*events, *self.competing)

    @property
    def event_codes(self) -> set[int]:
        """The CNSR of a record that is an event: 0, or a competing event's code."""
        return {c for _, _, c in self.terminating}

    group: tuple | None = None  # groups (issue 13): ((column, ...), event): `for each ... of ...`

    @property
    def clamp(self) -> bool:
        return self.before == "move"

    @property
    def day(self) -> int:
        return 1 if self.origin_day is None else self.origin_day

    @property
    def unit(self) -> str:
        if self.unit_word in TIME_WORDS:
            return TIME_WORDS[self.unit_word]
        return UNIT_WORDS[self.unit_word] if self.unit_word else "days"

    def clauses(self) -> list[str]:
        out = [f"from {self.origin.render()}"]
        refs = [" ".join([name, *([f"evntdesc {quote(d)}"] if d is not None else [])]) for name, d in self.to]
        to = ("to first of " if self.to_first_of else "to ") + ", ".join(refs)
        if self.competing:  # competing events (issue 13)
            refs = [
                " ".join([n, f"cnsr {c}", *([f"evntdesc {quote(d)}"] if d else [])])
                for n, d, c in self.competing
            ]
            to += " competing " + ", ".join(refs)
        out.append(to)
        for rule in self.rules:
            parts = [" ".join([ch.date.render(), *ch.outcome.items()]) for ch in rule.choices]
            if rule.latest:
                out.append("censor at latest of\n    " + ",\n    ".join(parts))
            else:
                out.append("censor at " + parts[0])
        out += [b.render() for b in self.bounds]
        out += render_among(self.population)
        if self.origin_day is not None:
            out.append(f"origin is day {self.origin_day}")
        if self.unit_word is not None:
            out.append(f"time in {self.unit_word}")
        if self.before == "ignore":
            out.append("before origin: ignore")
        elif self.before == "move":
            out.append("before origin: move to origin")
        if self.ascertainment is not None:
            out.append(f"ascertainment: {self.ascertainment}")
        if self.missed is not None:
            count, event, schedule, out_ = self.missed
            out.append(
                " ".join([f"censor events after {count} missed {event} per {schedule}", *out_.items()])
            )
        if self.no_censoring:
            out.append("no censoring date: excluded")
        if self.same_day is not None:
            out.append(f"same day: {self.same_day} first")
        out += render_group(self.group)
        return out

    @property
    def catch_all(self) -> bool:
        """A rule always gives a date (the origin): `no censoring date: excluded` is then E153."""
        return any(ch.date.kind == "origin" or ch.date == self.origin for r in self.rules for ch in r.choices)

    @property
    def needs_ascertainment(self) -> bool:
        """The checker requires the clause (E152): an end of observation, and a censoring
        date that is not the origin (nor the origin's own date)."""
        dated = [ch.date for rule in self.rules for ch in rule.choices]
        return bool(self.bounds) and any(d.kind != "origin" and d != self.origin for d in dated)

    def render(self) -> str:
        clauses = self.clauses()
        order = [i for i in self.order if i < len(clauses)]
        order += [i for i in range(len(clauses)) if i not in order]
        # The order written matters for censoring rules (tried in order) and for bounds
        # (a tie goes to the first declared): each group keeps its relative order.
        groups = [range(2, 2 + len(self.rules))]
        groups.append(range(groups[0].stop, groups[0].stop + len(self.bounds)))
        for group in groups:
            slots = iter(sorted(i for i in order if i in group))
            order = [next(slots) if i in group else i for i in order]
        ordered = [clauses[i] for i in order]
        body = "".join(f"  {c}\n" for c in ordered)
        return f"endpoint {self.paramcd} {quote(self.param)}\n{body}end\n"


@dataclass(frozen=True)
class ResponseDesc:
    """A response or incidence endpoint (semantics section 6)."""

    paramcd: str
    param: str
    origin: DateRef
    kind: str  # "best", "landmark" or "occurrence"
    event: str
    sd: tuple | None  # (amount, unit word)
    confirm: tuple | None  # (amount, unit word, max_ne | None, max_sd | None)
    responder: tuple[str, ...] | None
    window: tuple | None  # (start, stop): ("day", d) or ("event", name)
    nearest: int | None
    not_evaluable: str | None  # a text, or "excluded"
    evaluable_by: str | None
    origin_day: int | None
    no_origin: bool
    bounds: tuple[BoundDesc, ...]
    population: tuple | None
    order: tuple[int, ...]
    criteria: str | None = None  # criteria (issue 13): the set named (`criteria NAME`)
    group: tuple | None = None  # groups (issue 13): ((column, ...), event)
    bor: tuple[str, ...] = ()  # bor (issue 19): admiralonco's best-response options, as written

    def clauses(self) -> list[str]:
        def bound(b):
            return f"day {b[1]}" if b[0] == "day" else b[1]

        out = [f"from {self.origin.render()}"]
        if self.kind == "best":
            out.append(f"best response of {self.event}")
        else:
            window = f"from {bound(self.window[0])} through {bound(self.window[1])}"
            if self.kind == "landmark":
                pick_ = "best" if self.nearest is None else f"nearest day {self.nearest}"
                out.append(f"response of {self.event} {window} {pick_}")
            else:
                out.append(f"occurrence of {self.event} {window}")
        if self.sd is not None:
            out.append(f"sd at least {self.sd[0]} {self.sd[1]} after origin")
        if self.confirm is not None:
            amount, unit, ne, sd = self.confirm
            text = f"confirm after {amount} {unit}"
            text += f", at most {ne} ne between" if ne is not None else ""
            out.append(text + (f", at most {sd} sd between" if sd is not None else ""))
        if self.responder is not None:
            out.append("responder if response in (" + ", ".join(quote(r) for r in self.responder) + ")")
        if self.not_evaluable is not None:
            value = "excluded" if self.not_evaluable == "excluded" else quote(self.not_evaluable)
            out.append(f"not evaluable: {value}")
        if self.evaluable_by is not None:
            out.append(f"evaluable if occurred or {self.evaluable_by} reaches window end")
        if self.origin_day is not None:
            out.append(f"origin is day {self.origin_day}")
        if self.no_origin:
            out.append("no origin: not assessed")
        out += [b.render() for b in self.bounds]
        out += render_among(self.population)
        out += [f"criteria {self.criteria}"] if self.criteria else []
        out += render_group(self.group)
        out += list(self.bor)
        return out

    def render(self) -> str:
        clauses = self.clauses()
        order = [i for i in self.order if i < len(clauses)] + [
            i for i in range(len(clauses)) if i not in self.order
        ]
        body = "".join(f"  {clauses[i]}\n" for i in order)
        return f"endpoint {self.paramcd} {quote(self.param)}\n{body}end\n"


@dataclass(frozen=True, repr=False)
class ProgramDesc:
    tables: tuple[TableDesc, ...]
    events: tuple[EventDesc, ...]
    populations: tuple[tuple[str, tuple], ...]  # (name, ("with", event) | ("where", table, cond))
    endpoints: tuple[EndpointDesc, ...]
    item_order: tuple[int, ...]  # a permutation of the top-level items
    comments: bool
    # ((table, column), spelling): the `format` written on every event dated by that column
    formats: tuple[tuple[tuple[str, str], str], ...] = ()
    schedules: tuple[tuple[str, str], ...] = ()  # (name, the text after `=`)
    # A statement added so that two names differ only in case, and the error it must give
    # (E103, E105) in every engine path: the program is then rejected.
    clash: tuple[str, str] | None = None  # (statement, code)
    confirmed: tuple[ConfirmedDesc, ...] = ()  # after the shuffled items, in order
    dates: tuple[tuple[str, str], ...] = ()  # reldates: (name, `date` statement after `=`)
    # adam: (column, output name or "") of `keep ... from adsl`; `dataset` statement; the
    # PARAMN stated in each endpoint (0: none, its position in the file)
    keep: tuple[tuple[str, str], ...] = ()
    dataset: str = ""
    paramns: tuple[int, ...] = ()
    criteria: tuple[str, ...] = ()  # criteria (issue 13): `criteria ... end` blocks, at the end

    def __repr__(self) -> str:  # failing examples are shown by repr: show the program text
        return "<program:\n" + self.text + ">"

    def _repr_pretty_(self, printer, cycle) -> None:  # hypothesis pretty-prints with this
        printer.text(repr(self))

    def event(self, name: str) -> EventDesc:
        return next(e for e in self.events if e.name == name)

    def table(self, name: str) -> TableDesc:
        return next(t for t in self.tables if t.name == name)

    def population(self, name: str) -> tuple:
        return next(p for n, p in self.populations if n == name)

    def spelling(self, table: str, column: str) -> str | None:
        """The `format` text written on the events dated by a table column, if any."""
        return dict(self.formats).get((table, column))

    def column_format(self, table: str, column: str) -> str | None:
        """The format a column's date texts are in (None: ISO 8601): the events' declared
        one when an event is dated by the column, else ISO 8601 (a column only compared)."""
        spelling = self.spelling(table, column)
        if spelling is None or not any(e.table == table and e.column == column for e in self.events):
            return None
        canonical = next(f for f in ALL_FORMATS if f.upper() == spelling.upper())
        return None if canonical == ISO else canonical

    @property
    def text(self) -> str:
        items = []
        for t in self.tables:
            card = "one row per subject" if t.per_subject else "many rows per subject"
            items.append(f"table {t.name}: {card}" + (f", key {t.key}" if t.key_stated else "") + "\n")
        for e in self.events:
            line = f"event {e.name} = {e.table}.{e.column}"
            if self.spelling(e.table, e.column) is not None:
                line += f" format {quote(self.spelling(e.table, e.column))}"
            if e.time:
                line += " with time"
            if e.where is not None:
                line += f" where {render_condition(e.where)}"
            if e.response is not None:
                line += f" response {e.response}"
            if e.sequence is not None:
                line += f"\n    sequence {e.sequence}"
            if e.impute is not None:
                offsets = e.offsets or ((0, ""),) * len(e.bounds)
                line += f" impute {e.impute}" + (" day" if e.day_only else "")
                line += "".join(
                    f" not {side} {b}{text}" for (side, b), (_, text) in zip(e.bounds, offsets, strict=True)
                )
            if e.label is not None:
                line += f" label {quote(e.label)}"
            items.append(line + "\n")
        for name, pop in self.populations:
            if pop[0] == "with":
                items.append(f"population {name} = subjects with {pop[1]}\n")
            else:
                items.append(f"population {name} = {pop[1]} where {render_condition(pop[2])}\n")
        paramns = self.paramns or (0,) * len(self.endpoints)  # adam
        items += [_with_paramn(ep.render(), n) for ep, n in zip(self.endpoints, paramns, strict=False)]
        items += [f"schedule {name} = {text}\n" for name, text in self.schedules]
        items += [self.clash[0] + "\n"] if self.clash else []
        items += [f"date {name} = {text}\n" for name, text in self.dates]
        ordered = [items[i] for i in self.item_order if i < len(items)]
        ordered += [x for i, x in enumerate(items) if i not in self.item_order]
        ordered += [f"event {c.name} = {c.candidate}\n    {c.rule}\n" for c in self.confirmed]
        if self.keep:  # adam
            kept = ", ".join(c + (f" as {r}" if r else "") for c, r in self.keep)
            ordered.append(f"keep {kept} from {SUBJECT_TABLE}\n")
        ordered += [self.dataset + "\n"] if self.dataset else []
        ordered += list(self.criteria)
        head = "# generated by tests/strategies.py\n" if self.comments else ""
        sep = "\n# ----\n" if self.comments else "\n"
        return head + sep.join(ordered)

    def columns(self, table: str) -> list[tuple[str, str]]:
        """(column, kind) of every column the program reads from a table, its key first."""
        spec = self.table(table)
        vocab = VOCAB[table]
        cols = {spec.key: "key"}
        if table == SUBJECT_TABLE:  # adam: the kept columns
            cols.update({c: vocab.kind(c) for c, _ in self.keep})
        for e in self.events:
            if e.table != table:
                continue
            if e.time:  # a column some event reads with its times of day: times in the data
                cols[e.column] = "datetime"
            cols.setdefault(e.column, "date")
            if e.response:
                cols.setdefault(e.response, "text")
            if e.sequence:
                cols.setdefault(e.sequence, "sequence")
            for c in condition_columns(e.where):
                cols.setdefault(c, vocab.kind(c))
        pops = [p for _, p in self.populations] + [ep.population for ep in self.endpoints]
        for pop in pops:
            if pop and pop[0] == "where" and pop[1] == table:
                for c in condition_columns(pop[2]):
                    cols.setdefault(c, vocab.kind(c))
        for ep in self.endpoints:  # groups (issue 13): the grouped columns
            group = getattr(ep, "group", None)
            if group is not None and self.event(group[1]).table == table:
                for c in group[0]:
                    cols.setdefault(c, vocab.kind(c))
        for ep in self.endpoints:  # extreme (issue 19, part 2): the outcomes' `has` conditions
            for _, _, _, event, cond in getattr(ep, "outcomes", ()):
                if cond is not None and self.event(event).table == table:
                    for c in condition_columns(cond):
                        cols.setdefault(c, vocab.kind(c))
                if getattr(ep, "by", None) and self.event(event).table == table:  # `last by COLUMN`
                    cols.setdefault(ep.by, vocab.kind(ep.by))
        # cells of this table that conditions on any table compare with (issue 12: conditions)
        conds = [e.where for e in self.events] + [p[2] for p in pops if p and p[0] == "where"]
        for cond in conds:
            for t, c in subject_columns(cond):
                if t == table:
                    cols.setdefault(c, vocab.kind(c))
        return list(cols.items())


def render_group(group: tuple | None) -> list[str]:
    """groups (issue 13): the `for each` clause, or none."""
    return [] if group is None else [f"for each {', '.join(group[0])} of {group[1]}"]


def render_among(population: tuple | None) -> list[str]:
    """The `among` clause of a population description, or none."""
    match population:
        case ("named", name):
            return [f"among {name}"]
        case ("with", event):
            return [f"among subjects with {event}"]
        case ("where", table, cond):
            return [f"among {table} where {render_condition(cond)}"]
    return []


def quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def condition_columns(cond: Cond | None) -> list[str]:
    if cond is None:
        return []
    match cond[0]:
        case "cmp" | "in" | "missing":
            return [cond[1]]
        case "other":
            return [cond[1]] + ([cond[3][1]] if cond[3][0] is None else [])
        case "and" | "or":
            return condition_columns(cond[1]) + condition_columns(cond[2])
    return condition_columns(cond[1])


def subject_columns(cond: Cond | None) -> list[tuple[str, str]]:
    """(table, column) of the one-row-per-subject cells a condition compares with."""
    if cond is None:
        return []
    match cond[0]:
        case "other":
            return [cond[3]] if cond[3][0] not in (None, "@event") else []
        case "and" | "or":
            return subject_columns(cond[1]) + subject_columns(cond[2])
        case "not" | "paren":
            return subject_columns(cond[1])
    return []


def render_condition(cond: Cond) -> str:
    return _render(cond, 0)


def _render(cond: Cond, need: int) -> str:
    """Precedence levels: 0 or, 1 and, 2 not, 3 atom; parenthesise below `need`."""
    match cond[0]:
        case "cmp":
            text, level = f"{cond[1]} {cond[2]} {cond[3].lexeme}", 3
        case "in":
            values = ", ".join(lit.lexeme for lit in cond[3])
            text, level = f"{cond[1]} {'not in' if cond[2] else 'in'} ({values})", 3
        case "missing":
            text, level = f"{cond[1]} is {'not ' if cond[2] else ''}missing", 3
        case "other":
            _, column, op, (table, other), factor, shift = cond
            value = other if table == "@event" else f"{table}.{other}" if table else other
            value = f"{factor} * {value}" if factor else value
            text, level = f"{column} {op} {value}" + (f" {shift}" if shift else ""), 3
        case "paren":
            text, level = f"({_render(cond[1], 0)})", 3
        case "not":
            text, level = f"not {_render(cond[1], 2)}", 2
        case "and":
            text, level = f"{_render(cond[1], 1)} and {_render(cond[2], 2)}", 1
        case _:
            text, level = f"{_render(cond[1], 0)} or {_render(cond[2], 1)}", 0
    return f"({text})" if level < need else text


# ---- program strategies -------------------------------------------------------------------
#
# Strategies are built once (module constants or cached); composites pick from tuples with
# `pick`, a cached integer draw, because building strategies per draw is slow.


@functools.cache
def _index(n: int) -> st.SearchStrategy[int]:
    return st.integers(0, n - 1)


def pick(draw, options):
    """One of `options`; shrinks towards the first."""
    options = tuple(options)
    return options[draw(_index(len(options)))]


def chance(draw, one_in: int) -> bool:
    """True about once in `one_in` draws; shrinks towards False."""
    return draw(_index(one_in)) == one_in - 1


COMPARATORS = ("=", "!=", "<", "<=", ">", ">=")
LIT_TEXTS = ("Y", "N", "PD", "CR", "A", "B", "Placebo arm", "DEATH", *ODD_TEXTS)
NUMBER_LEXEMES = ("1", "0", "2", "3", "-1", "2.5", "+1", "10", "1.0")
LABELS = ("Death", "Disease Progression", "Last known alive", 'Quote "q"', "Back\\slash", "Décès #2")
# Names that start like keywords: the lexer must still read them as names.
NAME_PREFIXES = ("ev", "ev", "ev", "first_", "last", "origin_", "end", "to", "in", "not_", "censor")
DESCS = ("Event", "Censored", "Lost to follow-up", 'Say "x"', "Data cut-off")
PARAMS = ("Overall Survival", "Time to event", 'PFS "investigator"', "A\\B")
PARAMCDS = ("OS", "PFS", "TTP", "DOR", "EFS_1", "T2E", "X")


def date_lit(draw) -> Lit:
    d = DAY0 + dt.timedelta(days=draw(_index(SPAN_DAYS + 21)) - 10)
    return Lit("date", d, str(d))


def text_lit(draw, column: str | None, table: str) -> Lit:
    pool = VOCAB[table].texts.get(column, ()) if column else ()
    value = pick(draw, pool) if pool and not chance(draw, 3) else pick(draw, LIT_TEXTS)
    return Lit("text", value, quote(value))


def number_lit(draw) -> Lit:
    lexeme = pick(draw, NUMBER_LEXEMES)
    return Lit("number", float(lexeme), lexeme)


# Amounts a value moves by (issue 12: conditions): `BASE -10` is a signed number, `BASE - -1` +1.
NUMBER_SHIFTS = ("- 10", "-1", "+1", "+ 2.5", "- -1", "+ 0")
DAY_SHIFTS = ("+ 30 days", "- 1 day", "+ 2 weeks", "-3 days", "+10 days", "+ 0 days", "- 1 week")
FACTORS = ("2", "0.5", "-1", "3")


def other_condition(draw, table: str, events: tuple = ()) -> Cond:
    """`COL op [F *] OTHER [+- N [days]]`: OTHER a column of the same row or of adsl, or
    (`events`: plain subject-level events) an event's name. A number-only form (a factor
    or a plain amount) compares number columns, which no event is dated by; a date shift
    always has a unit; a bare comparison takes any two columns."""
    vocab, subject = VOCAB[table], VOCAB[SUBJECT_TABLE]
    named = [("@event", e) for e in events]
    op = pick(draw, COMPARATORS)
    match pick(draw, ("number", "date", "date", "bare")):
        case "number":
            other = pick(
                draw, [(None, c) for c in vocab.numbers] + [(SUBJECT_TABLE, c) for c in subject.numbers]
            )
            factor = optional(draw, FACTORS)
            shift = pick(draw, NUMBER_SHIFTS) if factor is None or chance(draw, 2) else None
            return ("other", pick(draw, vocab.numbers), op, other, factor, shift)
        case "date":
            other = pick(
                draw, [(None, c) for c in vocab.dates] + [(SUBJECT_TABLE, c) for c in subject.dates] + named
            )
            return (
                "other",
                pick(draw, vocab.dates),
                op,
                other,
                None,
                pick(draw, DAY_SHIFTS),
            )
    every = (*vocab.texts, *vocab.dates, *vocab.numbers)
    others = [(None, c) for c in every] + named
    others += [(SUBJECT_TABLE, c) for c in (*subject.texts, *subject.dates, *subject.numbers)]
    return ("other", pick(draw, every), op, pick(draw, others), None, None)


@st.composite
def atom_condition(draw, table: str, others: bool = False, events: tuple = ()) -> Cond:
    vocab = VOCAB[table]
    texts, dates, numbers = tuple(vocab.texts), vocab.dates, vocab.numbers
    every = texts + dates + numbers
    if others and chance(draw, 3):
        return other_condition(draw, table, events)
    shape = draw(_index(10))
    if shape <= 2:  # text = / != on a text column (or, rarely, on any column)
        col = pick(draw, texts if shape < 2 else every)
        return ("cmp", col, pick(draw, ("=", "!=")), text_lit(draw, col, table))
    if shape == 3:  # numbers (also on a text column: unreadable cells are unknown)
        return ("cmp", pick(draw, numbers + texts[:1]), pick(draw, COMPARATORS), number_lit(draw))
    if shape == 4:  # dates
        return ("cmp", pick(draw, dates), pick(draw, COMPARATORS), date_lit(draw))
    if shape <= 6:  # in (...) / not in (...)
        kind = pick(draw, ("text", "text", "number", "date"))
        col = pick(draw, {"text": texts, "number": numbers + texts, "date": dates}[kind])
        lits = []
        for _ in range(1 + draw(_index(3))):
            if kind == "text":
                lits.append(text_lit(draw, col, table))
            else:
                lits.append(number_lit(draw) if kind == "number" else date_lit(draw))
        return ("in", col, chance(draw, 2), tuple(lits))
    return ("missing", pick(draw, every), chance(draw, 2))


@st.composite
def condition(draw, table: str, depth: int = 2, others: bool = False, events: tuple = ()) -> Cond:
    """A row condition over a table's columns: atoms joined by and/or/not, parentheses;
    with `others`, also comparisons with other columns and adsl's (issue 12: conditions)."""
    shape = draw(_index(6)) if depth > 0 else 0
    if shape <= 1:
        return draw(atom_condition(table, others, events))
    if shape <= 3:
        op = "and" if shape == 2 else "or"
        return (
            op,
            draw(condition(table, depth - 1, others, events)),
            draw(condition(table, depth - 1, others, events)),
        )
    return ("not" if shape == 4 else "paren", draw(condition(table, depth - 1, others, events)))


def plain_subject_events(evs) -> tuple[str, ...]:
    """Events a condition can name as a date: of adsl, without `where` or `impute`."""
    return tuple(e.name for e in evs if e.table == SUBJECT_TABLE and e.where is None and e.impute is None)


def shuffled(draw, items) -> list:
    """`items` in a random order, from one choice that shrinks to the order given."""
    items = list(items)
    seed = draw(_index(1 << 16))
    if seed:
        random.Random(seed).shuffle(items)
    return items


IMPUTATION_RULES = ("first", "mid", "last")


def optional(draw, options, one_in: int = 2):
    return pick(draw, options) if chance(draw, one_in) else None


def column_formats(draw, tables: tuple[TableDesc, ...]) -> tuple:
    """((table, column), spelling) for some date columns: mostly a pattern, sometimes ISO written out."""
    out = []
    for t in tables:
        for column in VOCAB[t.name].dates:
            choice = draw(_index(8))
            if choice >= 4:
                fmt = ISO if choice == 4 else pick(draw, (*FORMAT_TEXTS, SAS_DAYS))
                out.append(((t.name, column), pick(draw, spellings(fmt))))
    return tuple(out)


# Offsets of imputation bounds (issue 12): (days, as written), every spelling the grammar takes.
BOUND_OFFSETS = (
    (1, " + 1 day"), (1, " +1 day"), (-1, " - 1 day"), (-1, " -1 day"), (-7, " - 7 days"),
    (14, " + 2 weeks"), (-7, " -1 week"), (0, " + 0 days"), (3, " +3 days"),
)  # fmt: skip


def imputable(formats: tuple, table: str, column: str) -> bool:
    """`impute` reads ISO 8601 partial dates only."""
    spelling = dict(formats).get((table, column))
    return spelling is None or spelling.upper() == ISO


@st.composite
def events(
    draw, tables: tuple[TableDesc, ...], formats: tuple = (), others: bool = False
) -> tuple[EventDesc, ...]:
    subject = next(t for t in tables if t.per_subject).name
    first = VOCAB[subject].dates[0]
    rule = optional(draw, IMPUTATION_RULES, 4)
    out = [  # a randomisation-like origin: a subject-level date without condition
        EventDesc(
            f"ev0_{first.lower()}", subject, first, None, None, optional(draw, ("Randomization",)),
            rule if imputable(formats, subject, first) else None,
        )
    ]  # fmt: skip
    for i in range(1, 3 + draw(_index(5))):
        table = pick(draw, [t.name for t in tables])
        vocab = VOCAB[table]
        # rarely the origin's column again: an event on the origin day
        column = pick(draw, vocab.dates if not vocab.per_subject or chance(draw, 6) else vocab.dates[1:])
        where = (
            draw(condition(table, others=others, events=plain_subject_events(out)))
            if not chance(draw, 3)
            else None
        )
        sequence = optional(draw, (vocab.sequence,), 2 if not vocab.per_subject else 6)
        name = f"{pick(draw, NAME_PREFIXES)}{i}_{column.lower()}"
        label = optional(draw, LABELS)
        rule, bounds, offsets = optional(draw, IMPUTATION_RULES, 4), [], []
        rule = rule if imputable(formats, table, column) else None
        if rule is not None:  # bounds: earlier subject-level events that have no bounds
            candidates = [e.name for e in out if e.table == subject and not e.bounds]
            for _ in range(pick(draw, (0, 0, 1, 1, 2))):
                bounds.append((pick(draw, ("before", "after")), pick(draw, candidates)))
                offsets.append(pick(draw, BOUND_OFFSETS) if chance(draw, 2) else (0, ""))
        day_only = rule is not None and chance(draw, 3)
        offsets = tuple(offsets) if any(text for _, text in offsets) else ()
        out.append(EventDesc(name, table, column, where, sequence, label, rule, tuple(bounds),
                             day_only=day_only, offsets=offsets))  # fmt: skip
    return tuple(out)


def outcome(draw, cnsr: bool) -> Outcome:
    """`cnsr N` (when required) with optional EVNTDESC and CNSDTDSC."""
    lexeme = pick(draw, ("1", "2", "3", "4", "+5", "9")) if cnsr else None
    return Outcome(int(lexeme) if lexeme else None, lexeme, optional(draw, DESCS), optional(draw, DESCS))


def bound_outcome(draw) -> Outcome | None:
    return outcome(draw, cnsr=True) if chance(draw, 2) else None


def horizon(draw) -> BoundDesc:
    calendar = chance(draw, 3)
    unit_word = pick(draw, tuple(UNIT_WORDS))
    unit = UNIT_WORDS[unit_word]
    low, high = {"days": (1, 60), "weeks": (1, 8), "months": (1, 2), "years": (1, 1)}[unit]
    amount = low + draw(_index(high - low + 1))
    lexeme = pick(draw, (str(amount), str(amount), f"{amount}.0", f"+{amount}"))
    if not calendar and chance(draw, 3):  # a fractional fixed length
        lexeme = {"days": "10.5", "weeks": "2.5", "months": "1.5", "years": "0.25"}[unit]
    return BoundDesc(
        "horizon", pick(draw, (None, True, False)), bound_outcome(draw), (draw(_index(4)),),
        amount=float(lexeme), amount_lexeme=lexeme, unit_word=unit_word, calendar=calendar,
    )  # fmt: skip


def date_ref(draw, evs: tuple[EventDesc, ...], per_subject: list[str], literal: bool) -> DateRef:
    kind = pick(draw, ("single", "single", "first", "last") + (("literal", "literal") if literal else ()))
    if kind == "literal":
        return DateRef("literal", value=date_lit(draw).value)
    return DateRef(kind, pick(draw, per_subject if kind == "single" else [e.name for e in evs]))


@st.composite
def endpoint(draw, paramcd: str, evs: tuple[EventDesc, ...], tables, pop_names, schedules=()) -> EndpointDesc:
    per_subject = [e.name for e in evs if e.table == SUBJECT_TABLE]
    names = [e.name for e in evs]
    match draw(_index(5)):
        case 0 | 1 | 2:  # mostly the randomisation-like event
            origin = DateRef("single", per_subject[0])
        case 3:
            origin = DateRef("single", pick(draw, per_subject))
        case _:
            origin = DateRef(pick(draw, ("first", "last")), pick(draw, names))
    # terminating events: rarely the origin's own event (an event on day 0 or 1)
    pool = names if chance(draw, 10) else [n for n in names if n != origin.event] or names
    to_names = [pick(draw, pool) for _ in range(1 + draw(_index(3)))]
    to_names = list(dict.fromkeys(to_names))
    to = tuple((n, optional(draw, DESCS, 3)) for n in to_names)

    # censoring: ordered rules; `origin` only in the last one; no rule repeats another
    rules, seen = [], set()
    n_rules = 1 + draw(_index(3))
    for i in range(n_rules):
        latest = chance(draw, 2)
        choices = []
        for _ in range(2 + draw(_index(2)) if latest else 1):
            if i == n_rules - 1 and chance(draw, 4):
                ref = DateRef("origin")
            else:
                ref = date_ref(draw, evs, per_subject, literal=False)
            choices.append(Choice(ref, outcome(draw, cnsr=True)))
        key = (latest, tuple(ch.date for ch in choices))
        if key not in seen:
            seen.add(key)
            rules.append(Rule(latest, tuple(choices)))

    bounds = []
    if chance(draw, 2):
        bounds.append(horizon(draw))
    if chance(draw, 3):
        ref = date_ref(draw, evs, per_subject, literal=True)
        inclusive = pick(draw, (None, True, False))
        bounds.append(BoundDesc("cutoff", inclusive, bound_outcome(draw), (draw(_index(4)),), date=ref))
    for _ in range(pick(draw, (0, 0, 0, 1, 1, 2))):
        inclusive = pick(draw, (True, False))
        event = pick(draw, names)
        bounds.append(BoundDesc("stop", inclusive, bound_outcome(draw), (draw(_index(4)),), event=event))
    bounds = shuffled(draw, bounds)

    population = None
    match pick(draw, ("none", "none", "none", "none", "named", "with", "where")):
        case "named" if pop_names:
            population = ("named", pick(draw, pop_names))
        case "with":
            population = ("with", pick(draw, names))
        case "where":
            table = pick(draw, [t.name for t in tables])
            population = ("where", table, draw(condition(table, depth=1)))

    missed = None
    if schedules and chance(draw, 2):
        missed = (
            pick(draw, ("1", "2", "3")),
            pick(draw, names),
            pick(draw, schedules),
            outcome(draw, cnsr=True),
        )
    n_clauses = 2 + len(rules) + len(bounds) + 8
    desc = EndpointDesc(
        paramcd, pick(draw, PARAMS), origin, to, chance(draw, 2), tuple(rules), tuple(bounds),
        population, pick(draw, (None, 0, 1)), optional(draw, tuple(UNIT_WORDS)),
        pick(draw, (None, "ignore", "move")), tuple(shuffled(draw, range(n_clauses))), missed=missed,
    )  # fmt: skip
    return with_ascertainment(draw, desc)


ASCERTAINMENTS = ("continuous", "at visits")


def with_ascertainment(draw, desc: EndpointDesc) -> EndpointDesc:
    """The `ascertainment` clause where the checker requires it, and sometimes where it does not."""
    said = not desc.catch_all and chance(draw, 3)  # engines derive alike with or without it
    if desc.needs_ascertainment or chance(draw, 4):
        return dataclasses.replace(desc, ascertainment=pick(draw, ASCERTAINMENTS), no_censoring=said)
    return dataclasses.replace(desc, ascertainment=None, no_censoring=said)


RESPONSE_SETS = (("CR", "PR"), ("CR", "PR", "SD"), ("CR", "PR", "SD", "NON-CR/NON-PD"), ("PD",), ("NE", "SD"),
                 ("PR",), ("CR",), ("CR", "SD"))  # fmt: skip


@st.composite
def response_endpoint(draw, paramcd: str, evs: tuple[EventDesc, ...], tables, pop_names) -> ResponseDesc:
    per_subject = [e.name for e in evs if e.table == SUBJECT_TABLE]
    assessments = [e.name for e in evs if e.response is not None]
    kind = pick(draw, ("best", "best", "landmark", "occurrence"))
    event = pick(draw, assessments if kind != "occurrence" else [e.name for e in evs])
    # now and then a subject-level date without condition (not the origin's, where there is
    # one), which edge histories put on the window's edges (edge_cells)
    first = VOCAB[SUBJECT_TABLE].dates[0]
    plain = [e for e in evs if isinstance(e, EventDesc) and e.table == SUBJECT_TABLE and e.where is None]
    plain = [e for e in plain if e.column != first] or plain
    if kind == "occurrence" and plain and chance(draw, 2):
        event = pick(draw, plain).name
    origin = (
        DateRef("single", per_subject[0]) if not chance(draw, 4) else date_ref(draw, evs, per_subject, False)
    )
    responder = (
        pick(draw, RESPONSE_SETS) if kind == "landmark" or (kind == "best" and chance(draw, 2)) else None
    )
    sd = confirm = window = nearest = not_evaluable = evaluable_by = None
    origin_day = pick(draw, (None, 0, 1))
    if kind == "best":
        if responder is None or not set(responder) <= {"CR", "PR"} or chance(draw, 2):  # E184
            sd = (pick(draw, (0, 14, 21, 42, 6)), pick(draw, ("days", "days", "weeks")))
        if chance(draw, 2):
            confirm = (pick(draw, (7, 14, 28, 4)), pick(draw, ("days", "days", "weeks")),
                       optional(draw, (0, 1, 2)), optional(draw, (0, 1)))  # fmt: skip
    else:
        origin_day = pick(draw, (0, 1))
        days = sorted(pick(draw, (-7, -1, 1, 2, 5, 14, 28, 29, 40)) for _ in range(2))
        if origin_day == 1:
            days = [d if d != 0 else 1 for d in days]
        start = ("day", days[0]) if not chance(draw, 4) else ("event", pick(draw, per_subject))
        stop = ("day", days[1]) if not chance(draw, 4) else ("event", pick(draw, per_subject))
        on_origin = kind == "occurrence" and any(e.name == event and e.column == first for e in plain)
        if on_origin and start[0] == "day" and (stop[0] == "event" or stop[1] >= origin_day):
            start = ("day", origin_day)  # the origin's date as the event: on the window's first day
        window = (start, stop)
        if kind == "landmark":
            nearest = optional(draw, (days[0], days[1], 10))
            not_evaluable = pick(draw, ("N", "excluded", "NE"))
        elif chance(draw, 2):
            evaluable_by = pick(draw, per_subject)
    bounds = []
    if chance(draw, 4):
        bounds.append(horizon(draw))
    if chance(draw, 4):
        bounds.append(
            BoundDesc("stop", pick(draw, (True, False)), None, (0,), event=pick(draw, [e.name for e in evs]))
        )
    population = None
    if chance(draw, 4):
        population = ("with", pick(draw, [e.name for e in evs]))
    elif pop_names and chance(draw, 4):
        population = ("named", pick(draw, pop_names))
    return ResponseDesc(
        paramcd, pick(draw, PARAMS), origin, kind, event, sd, confirm, responder, window, nearest,
        not_evaluable, evaluable_by, origin_day, kind == "best" and chance(draw, 4), tuple(bounds),
        population, tuple(shuffled(draw, range(12))),
    )  # fmt: skip


def schedule_text(draw) -> str:
    """An assessment schedule of one piece (`every 8 weeks, window 7 days`) or several,
    with intervals of days to weeks so that missed assessments happen in the data."""
    pieces, until = [], 0
    for _ in range(pick(draw, (1, 1, 2, 3))):
        unit = pick(draw, ("days", "weeks", "week", "day"))
        every = 1 + draw(_index(20 if unit.startswith("day") else 3))
        until += every * (7 if unit.startswith("week") else 1) * (1 + draw(_index(3)))
        pieces.append([f"every {every} {unit}", f"until {until} days"])
    pieces[-1] = pieces[-1][:1]  # the last part goes on
    window = f"window {pick(draw, ('0', '3', '7', '1.5'))} {pick(draw, ('days', 'day'))}"
    return " then ".join(" ".join(p) for p in pieces) + ", " + window


def case_clash(draw, tables, evs, pops) -> tuple[str, str]:
    """A statement that names something already named, in another letter case."""
    kind = pick(draw, ("event", "column", "table", "population"))
    event = pick(draw, [e for e in evs if e.table in VOCAB])
    if kind == "table":
        return (f"table {pick(draw, [t.name for t in tables]).upper()}: many rows per subject", "E103")
    if kind == "population" and pops:
        return (f"population {pick(draw, [p[0] for p in pops]).upper()} = subjects with {event.name}", "E103")
    if kind == "column":  # the vocabulary's columns are upper case
        return (f"event case9_{event.column.lower()} = {event.table}.{event.column.lower()}", "E105")
    return (f"event {event.name.upper()} = {event.table}.{event.column}", "E103")


@st.composite
def confirmations(draw, evs: tuple[EventDesc, ...]) -> tuple[ConfirmedDesc, ...]:
    """Confirmed and sustained events (issue 12, item 2) of every form, mostly on events of
    the record tables, sometimes confirming another confirmed event."""
    out: list[ConfirmedDesc] = []
    records = [e for e in evs if e.table != SUBJECT_TABLE and e.table in VOCAB]
    for i in range(draw(_index(3))):
        pool = [*records, *out] or list(evs)
        candidate = pick(draw, pool)
        kind = pick(draw, ("later", "next", "consecutive", "sustained"))
        if kind == "later":
            least = pick(draw, ("1 day", "7 days", "14 days", "1.5 days", "1 week", "2 weeks"))
            rule = f"confirmed by {pick(draw, pool).name} at least {least}"  # at most 14 days
            if chance(draw, 2):
                rule += f" and at most {pick(draw, ('30 days', '2 months', '21 days'))}"
            rule += " later"
            if chance(draw, 2):
                rule += f" without {pick(draw, pool).name} between"
        elif kind == "next":
            rule = f"confirmed by {pick(draw, pool).name} at next {pick(draw, pool).name}"
        elif kind == "consecutive":
            rule = f"held for {pick(draw, ('2', '3'))} consecutive {pick(draw, pool).name}"
        else:
            rule = f"sustained to last {pick(draw, pool).name}"
        if kind != "later" and chance(draw, 2):
            death = pick(draw, [e.name for e in evs])
            rule += f" or {death} within {pick(draw, ('0 days', '7 days', '3 weeks'))}"
        out.append(ConfirmedDesc(f"conf{i}_{kind}", candidate.table, candidate.name, rule))
    return tuple(out)


@st.composite
def programs(draw, max_endpoints: int = 2, responses: bool = False, schedules: bool = False,
             clashes: bool = False, issue12: bool = False, others: bool = False,
             confirmed: bool = False, reldates: bool = False, groups: bool = False) -> ProgramDesc:  # fmt: skip
    """A random program that the checker accepts; with `responses`, also response and
    incidence endpoints, and events on their rows read by a time-to-event endpoint; with
    `others`, conditions comparing with other columns and adsl's (issue 12: conditions); with
    `confirmed`, confirmed and sustained events that endpoints read like any other."""
    record_tables = pick(draw, (("adrs",), ("adae",), ("adrs", "adae")))
    tables = []
    for name in (SUBJECT_TABLE, *record_tables):
        key = pick(draw, ("USUBJID", "USUBJID", "SUBJID"))
        tables.append(TableDesc(name, name == SUBJECT_TABLE, key, key != "USUBJID" or chance(draw, 2)))
    tables = tuple(tables)
    formats = column_formats(draw, tables)
    evs = draw(events(tables, formats, others))
    confirms = draw(confirmations(evs)) if confirmed and chance(draw, 2) else ()
    pops = []
    for i in range(draw(_index(3))):
        name = f"{pick(draw, ('pop', 'among_', 'subjects'))}{i}"
        if chance(draw, 2):
            pops.append((name, ("with", pick(draw, [e.name for e in evs]))))
        else:
            table = pick(draw, [t.name for t in tables])
            cond = draw(condition(table, depth=1, others=others, events=plain_subject_events(evs)))
            pops.append((name, ("where", table, cond)))
    scheds = tuple((f"sched{i}", schedule_text(draw)) for i in range(draw(_index(3)) if schedules else 0))
    names = tuple(name for name, _ in scheds)
    codes = list(dict.fromkeys(pick(draw, PARAMCDS) for _ in range(1 + draw(_index(max_endpoints)))))
    readable = (*evs, *confirms)  # what endpoints read: the events, then the confirmed ones
    eps = tuple(draw(endpoint(code, readable, tables, [p[0] for p in pops], names)) for code in codes)
    if issue12:  # event-only endpoints and endpoints timed by the clock
        evs, eps = draw(with_issue12(evs, eps))
        readable = (*evs, *confirms)
    sets: tuple[str, ...] = ()
    if responses:
        readable, eps = draw(with_responses(readable, eps, tables, [p[0] for p in pops], names, formats))
        evs = tuple(e for e in readable if isinstance(e, EventDesc))
        sets, eps = draw(with_criteria(eps))
        eps = draw(with_bor(evs, eps))  # bor (issue 19)
    eps = draw(with_competing(evs, eps))
    clash = case_clash(draw, tables, evs, pops) if clashes and chance(draw, 8) else None
    n_items = len(tables) + len(evs) + len(pops) + len(eps) + len(scheds) + bool(clash)
    order = tuple(shuffled(draw, range(n_items)))
    desc = ProgramDesc(
        tables, evs, tuple(pops), eps, order, chance(draw, 2), formats=formats, schedules=scheds, clash=clash,
        confirmed=confirms, criteria=sets,
    )  # fmt: skip
    desc = with_adam(draw, desc)
    desc = with_reldates(draw, desc) if reldates else desc
    desc = with_groups(draw, desc) if groups else desc
    return with_extreme(draw, desc) if responses else desc  # extreme (issue 19, part 2)


# ---- groups (issue 13, item 3): `for each COLUMN[, COLUMN] of EVENT` ------------------------


def with_groups(draw, desc: ProgramDesc) -> ProgramDesc:
    """Half of the time-to-event and incidence endpoints grouped by one or two columns of one
    of the events they count (a plain event on adrs or adae). A grouping the checker refuses
    (another event of the endpoint reads the same table, E285) is left out."""
    import endpointdsl  # the checker decides what else the endpoint reads (E285)

    plain = {e.name: e for e in desc.events if e.table in VOCAB and e.table != SUBJECT_TABLE}
    eps = list(desc.endpoints)
    for i, ep in enumerate(eps):
        if isinstance(ep, ResponseDesc):
            counted = [ep.event] if ep.kind == "occurrence" else []
        else:
            counted = [name for name, _ in ep.to]
        counted = [name for name in counted if name in plain]
        if not counted or len(ep.paramcd) > 7 or not chance(draw, 2):
            continue
        event = plain[pick(draw, counted)]
        vocab = VOCAB[event.table]
        options = [*vocab.texts, *vocab.numbers]
        first = pick(draw, options)
        columns = (first,) if chance(draw, 2) else (first, pick(draw, [c for c in options if c != first]))
        candidate = dataclasses.replace(
            desc, endpoints=(*eps[:i], dataclasses.replace(ep, group=(columns, event.name)), *eps[i + 1 :])
        )
        try:
            endpointdsl.check_text(candidate.text)
        except endpointdsl.EptError:
            continue
        eps = list(candidate.endpoints)
    return dataclasses.replace(desc, endpoints=tuple(eps))


def with_adam(draw, desc: ProgramDesc) -> ProgramDesc:
    """adam: sometimes `keep` (adsl's text and number columns, some renamed), `dataset` and a
    stated `paramn` (10, 20, ...: never an endpoint's position)."""
    if not chance(draw, 3):
        return desc
    columns = shuffled(draw, ("ARM", "SAFFL", "AGE"))[: 1 + draw(_index(3))]
    keep = tuple((c, pick(draw, ("", "", f"K{c[:4]}"))) for c in columns)
    dataset = pick(draw, ("", "dataset ADTTE", 'dataset ADTTE label "Time-to-Event Analysis Dataset"'))
    paramns = tuple(pick(draw, (0, 10 * (i + 1))) for i in range(len(desc.endpoints)))
    return dataclasses.replace(desc, keep=keep, dataset=dataset, paramns=paramns)


def _with_paramn(text: str, paramn: int) -> str:
    """An endpoint's text with `paramn N` before its `end` (adam)."""
    return text[: -len("end\n")] + f"  paramn {paramn}\nend\n" if paramn else text


@st.composite
def with_issue12(draw, evs, eps):
    """Issue 12: sometimes an event-only endpoint (`among subjects with E`, `to E`, no
    censoring rule, no bound), sometimes an endpoint timed by the clock (`time in hours`),
    whose events are then read `with time`."""
    eps = list(eps)
    if chance(draw, 3):
        i = draw(_index(len(eps)))
        ep = eps[i]
        event = pick(draw, [n for n, _ in ep.to])
        eps[i] = dataclasses.replace(
            ep, rules=(), bounds=(), missed=None, population=("with", event), ascertainment=None,
            before=pick(draw, (None, "ignore")) if chance(draw, 2) else ep.before,
        )  # fmt: skip
    plain = [e.name for e in evs if e.impute is None and e.response is None and e.table in VOCAB]
    if plain and chance(draw, 2):
        i = draw(_index(len(eps)))
        ep = eps[i]
        origin = DateRef(pick(draw, ("single", "first", "last")), pick(draw, plain))
        if origin.kind == "single" and evs[[e.name for e in evs].index(origin.event)].table != SUBJECT_TABLE:
            origin = DateRef("first", origin.event)
        to = tuple(dict.fromkeys((pick(draw, plain), d) for _, d in ep.to[:2]))
        to = tuple({n: d for n, d in to}.items())
        per_subject = [n for n in plain if evs[[e.name for e in evs].index(n)].table == SUBJECT_TABLE]
        rules = []
        for _ in range(draw(_index(3))):
            kind = pick(draw, ("first", "last", "single") if per_subject else ("first", "last"))
            ref = DateRef(kind, pick(draw, per_subject if kind == "single" else plain))
            if Rule(False, (Choice(ref, outcome(draw, cnsr=True)),)) not in rules and ref not in [
                r.choices[0].date for r in rules
            ]:
                rules.append(Rule(False, (Choice(ref, outcome(draw, cnsr=True)),)))
        if chance(draw, 3):
            rules.append(Rule(False, (Choice(DateRef("origin"), outcome(draw, cnsr=True)),)))
        population = ep.population if rules else ("with", to[0][0])
        ep = dataclasses.replace(
            ep, origin=origin, to=to, rules=tuple(rules), bounds=(), missed=None, population=population,
            origin_day=None, unit_word=pick(draw, tuple(TIME_WORDS)), before=pick(draw, (None, "ignore")),
            ascertainment=None,
        )  # fmt: skip
        eps[i] = dataclasses.replace(ep, no_censoring=not ep.catch_all and chance(draw, 3))
        timed = {origin.event, *(n for n, _ in to), *(r.choices[0].date.event for r in rules)} - {None}
        evs = tuple(dataclasses.replace(e, time=True) if e.name in timed else e for e in evs)
    return tuple(evs), tuple(eps)


# ---- competing events (issue 13): `to E competing F cnsr N` and `same day: ...` ---------------

# Codes no generated censoring outcome uses (`outcome()`: 1-5 and 9), so never a clash (E271).
COMPETING_CNSR = (6, 7, 8)


@st.composite
def with_competing(draw, evs, eps):
    """Sometimes a time-to-event endpoint gets one or two competing events (events of the input
    tables that it does not list), each with its CNSR, and a same-day rule; same-day ties
    between the two kinds come from the generated dates, which repeat often."""
    eps = list(eps)
    names = [e.name for e in evs if e.table in VOCAB]
    with_time = {e.name for e in evs if e.time}
    for i, ep in enumerate(eps):
        if not isinstance(ep, EndpointDesc) or not chance(draw, 3):
            continue
        timed = ep.unit_word in TIME_WORDS  # then every listed event is read `with time` (E230)
        pool = [n for n in names if n not in {t for t, _ in ep.to} and (not timed or n in with_time)]
        if not pool:
            continue
        chosen = list(dict.fromkeys(pick(draw, pool) for _ in range(1 + draw(_index(2)))))
        competing = tuple((n, optional(draw, DESCS, 3), pick(draw, COMPETING_CNSR)) for n in chosen)
        eps[i] = dataclasses.replace(ep, competing=competing, same_day=pick(draw, ("event", "competing")))
    return tuple(eps)


# ---- reldates: dates relative to other dates (declared and inline) ----------------------------


def relative_date(
    draw, desc: ProgramDesc, origin: bool, dates: tuple[str, ...] = (), depth: int = 0, rows: bool = False
) -> str:
    """A relative date expression: `first E after A`, `the 2nd E`, `A + 3 days`...; `origin`
    only where the endpoint has one (not in `from` nor in a `date` statement); events on an
    endpoint's rows only with `rows` (a time-to-event endpoint: no endpoint reads it back)."""
    # (not T9's rows, which T8 reads: T9 itself may take a relative date, issue 16)
    derived = [e.name for e in desc.events if e.table not in VOCAB and e.table != "T9"] if rows else []
    names = [e.name for e in desc.events if e.table in VOCAB] + [c.name for c in desc.confirmed] + derived
    singles = [e.name for e in desc.events if e.table == SUBJECT_TABLE] + list(dates) + derived

    def atom() -> str:
        kind = pick(
            draw, ("single", "single", "first", "last", "origin") if origin else ("single", "first", "last")
        )
        if kind == "single":
            return pick(draw, singles)
        return "origin" if kind == "origin" else f"{kind} {pick(draw, names)}"

    def anchor() -> str:
        return (
            relative_date(draw, desc, origin, dates, depth + 1, rows)
            if depth < 1 and chance(draw, 5)
            else atom()
        )

    shift = f"{pick(draw, ('+', '-', '+', '-'))} {pick(draw, ('0', '1', '3', '10', '30'))} {pick(draw, ('days', 'day'))}"
    match draw(_index(8)):
        case 0:
            return f"first {pick(draw, names)} after {anchor()}"
        case 1:
            return f"first {pick(draw, names)} on or after {anchor()}"
        case 2:
            return f"last {pick(draw, names)} on or before {anchor()}"
        case 3:
            return f"{pick(draw, ('the 2nd', '2nd', '1st', 'the 3rd'))} {pick(draw, names)}"
        case 4:
            return f"the 2nd {pick(draw, names)} {pick(draw, ('after', 'on or after'))} {atom()}"
        case 5:
            return f"{atom()} {pick(draw, ('+ 1 week', '-1 day', '+2 days'))}"
        case 6:
            return f"first {pick(draw, names)} on or after {atom()} {shift}"
    return f"{atom()} {shift}"


def with_reldates(draw, desc: ProgramDesc) -> ProgramDesc:
    """Derived dates in a program: a few `date` statements, used as events (`to`, `stop at`,
    `among subjects with`, censoring, window bounds), and inline relative dates in `from`,
    `censor at`, `cutoff` and incidence window bounds."""
    dates = []
    for i in range(1 + draw(_index(2))):
        text = relative_date(draw, desc, False, tuple(n for n, _ in dates))
        if chance(draw, 2):
            text += f" label {quote(pick(draw, LABELS))}"
        dates.append((f"rel{i}", text))
    names = tuple(n for n, _ in dates)
    eps = []
    derived = {e.name for e in desc.events if e.table not in VOCAB}
    for ep in desc.endpoints:
        # `origin` inside a relative date needs an origin that is an input event's date (E202)
        has_origin = ep.origin.event not in derived
        if not isinstance(ep, ResponseDesc) and (not ep.rules or ep.unit_word in TIME_WORDS):
            eps.append(ep)  # event-only and clock-timed endpoints (issue 12) keep their events
            continue
        if isinstance(ep, ResponseDesc):
            if ep.window is not None and chance(draw, 2):
                side = draw(_index(2))
                expr = pick(draw, names) if chance(draw, 2) else relative_date(draw, desc, has_origin, names)
                window = list(ep.window)
                window[side] = ("event", expr)
                ep = dataclasses.replace(ep, window=tuple(window))
            eps.append(ep)
            continue
        if chance(draw, 4):
            ep = dataclasses.replace(
                ep, origin=DateRef("single", relative_date(draw, desc, False, names, rows=True))
            )
        if chance(draw, 2) and not any(n == "rel0" for n, _ in ep.to):
            ep = dataclasses.replace(ep, to=(*ep.to, ("rel0", optional(draw, DESCS, 3))))
        rules = []
        for rule in ep.rules:
            choices = []
            for ch in rule.choices:
                if ch.date.kind != "origin" and chance(draw, 3):
                    expr = (
                        pick(draw, names)
                        if chance(draw, 3)
                        else relative_date(draw, desc, has_origin, names, rows=True)
                    )
                    ch = Choice(DateRef("single", expr), ch.outcome)
                choices.append(ch)
            if Rule(rule.latest, tuple(choices)) not in rules:  # a repeated rule is E150
                rules.append(Rule(rule.latest, tuple(choices)))
        bounds = []
        for b in ep.bounds:
            if b.kind == "cutoff" and chance(draw, 2):
                b = dataclasses.replace(
                    b, date=DateRef("single", relative_date(draw, desc, has_origin, names))
                )
            elif b.kind == "stop" and chance(draw, 3):
                inline = relative_date(draw, desc, has_origin, names, rows=True)
                b = dataclasses.replace(b, event=pick(draw, names) if chance(draw, 2) else inline)
            bounds.append(b)
        population = ("with", pick(draw, names)) if chance(draw, 6) else ep.population
        ep = dataclasses.replace(ep, rules=tuple(rules), bounds=tuple(bounds), population=population)
        eps.append(with_ascertainment(draw, ep))
    return dataclasses.replace(desc, endpoints=tuple(eps), dates=tuple(dates))


@st.composite
def with_responses(draw, evs, eps, tables, pop_names, schedules=(), formats=()):
    """Add an assessment event, response endpoints, and maybe an event on a response
    endpoint's rows with a time-to-event endpoint that starts from it."""
    if not any(t.name == "adrs" for t in tables):
        return evs, eps
    where = ("cmp", "PARAMCD", "=", Lit("text", "PD", '"PD"')) if chance(draw, 3) else None
    seq = optional(draw, ("ASEQ",), 2)
    assess = EventDesc("assess9_adt", "adrs", "ADT", where, seq, None, response="OVRRESP")
    singles = [e.name for e in evs if isinstance(e, EventDesc) and e.table == SUBJECT_TABLE and not e.bounds]
    # issue 16: assessments with imputed dates, bounded by a subject date
    if singles and imputable(formats, "adrs", "ADT") and chance(draw, 4):
        assess = dataclasses.replace(assess, impute="first", bounds=(("before", pick(draw, singles)),))
    evs = (*evs, assess)
    codes = [c for c in ("R1", "R2", "R3") if c not in {e.paramcd for e in eps}]
    responses = tuple(
        draw(response_endpoint(c, evs, tables, pop_names)) for c in codes[: 1 + draw(_index(3))]
    )
    eps = (*eps, *responses)
    if chance(draw, 2):
        source = pick(draw, responses)
        column = pick(draw, ("ADT", "ADT", "STARTDT"))
        cond = optional(draw, (("cmp", "AVALC", "=", Lit("text", "Y", '"Y"')),
                               ("in", "AVALC", False, (Lit("text", "CR", '"CR"'), Lit("text", "PR", '"PR"'))),
                               ("missing", "ADT", True)))  # fmt: skip
        derived = EventDesc(f"from9_{source.paramcd.lower()}", source.paramcd, column, cond, None, None)
        evs = (*evs, derived)
        tte = draw(endpoint("T9", evs, tables, pop_names, schedules))
        tte = with_ascertainment(draw, dataclasses.replace(tte, origin=DateRef("single", derived.name)))
        if chance(draw, 2):
            tte = dataclasses.replace(tte, population=("with", derived.name))
        eps = (*eps, tte)
        if chance(draw, 2):  # issue 16: a time-to-event endpoint's rows, read by a numeric condition
            cond = pick(draw, (("cmp", "CNSR", "=", Lit("number", 0.0, "0")),
                               ("cmp", "AVAL", ">", Lit("number", 30.0, "30")), None))  # fmt: skip
            column = pick(draw, ("ADT", "STARTDT"))
            later = EventDesc("from9_t9", "T9", column, cond, None, None)
            evs = (*evs, later)
            t8 = draw(endpoint("T8", evs, tables, pop_names, schedules))
            eps = (
                *eps,
                with_ascertainment(draw, dataclasses.replace(t8, origin=DateRef("single", later.name))),
            )
    return evs, eps


# ---- criteria: response criteria sets (issue 13) ----------------------------------------------

CATEGORIES = ("CR", "PR", "SD", "NON-CR/NON-PD", "PD", "NE", "ND")  # the texts the generated data holds
ROLES = ("response", "disease control", "progressive disease", None)


def criteria_block(draw, name: str) -> tuple[str, tuple[str, ...]]:
    """A random criteria set over (some of) the data's categories, in a random order, with random
    roles, codes, confirmation rules and `after progressive disease`; its text and categories."""
    names = [c for c in shuffled(draw, CATEGORIES) if c != "ND"][: 2 + draw(_index(5))]
    ne = pick(draw, names)
    if chance(draw, 3):  # bor (issue 19): a category without a code, only ranked (`= none`)
        names.insert(draw(_index(len(names) + 1)), "ND")
    codes = shuffled(draw, range(1, 20))
    rows = []
    for i, cat in enumerate(names):
        role = "not evaluable" if cat == ne else pick(draw, ROLES)
        if cat == "ND":  # uncoded: no role (E324)
            role = None
        row = f"category {quote(cat)} = {'none' if cat == 'ND' else codes[i]}" + (f", {role}" if role else "")
        confirmable = role in ("response", None)
        if confirmable and chance(draw, 2):
            nxt = role is None or chance(draw, 2)
            by = shuffled(draw, names)[: 1 + draw(_index(2))]
            row += ", confirmed by " + ("next " if nxt else "") + "(" + ", ".join(quote(c) for c in by) + ")"
            if nxt and chance(draw, 2):
                # weeks: iRECIST's window; months: 30.4375 days
                unit = pick(draw, ("days", "weeks", "months"))
                row += f" from {pick(draw, (1, 7, 14))} through {pick(draw, (20, 40, 14))} {unit}"
            between = shuffled(draw, names)[: draw(_index(3))]
            if between:
                row += " with (" + ", ".join(quote(c) for c in between) + ") between"
        rows.append(f"  {row}\n")
    after = optional(draw, ("stop", "continue"))
    tail = f"  after progressive disease: {after}\n" if after else ""
    return f"criteria {name}\n{''.join(rows)}{tail}end\n", tuple(names)


@st.composite
def with_criteria(draw, eps):
    """Sometimes a declared criteria set (or a shipped one, recist11) that the best-response and
    landmark endpoints name, their responder lists drawn from its categories."""
    readers = [i for i, e in enumerate(eps) if isinstance(e, ResponseDesc) and e.kind != "occurrence"]
    if not readers or chance(draw, 2):
        return (), eps
    shipped = chance(draw, 4)
    text, names = ("", CATEGORIES) if shipped else criteria_block(draw, "crit9")
    eps = list(eps)
    for i in readers:
        if chance(draw, 4):
            continue  # RECIST 1.1 as built in, beside the set
        ep = eps[i]
        responder = ep.responder
        if responder is not None:
            responder = tuple(shuffled(draw, names)[: 1 + draw(_index(2))])
        sd = ep.sd if ep.sd is not None or ep.kind != "best" else (pick(draw, (0, 14, 42)), "days")
        eps[i] = dataclasses.replace(
            ep, criteria="recist11" if shipped else "crit9", responder=responder, sd=sd
        )
    return ((text,) if text else ()), tuple(eps)


# ---- bor: admiralonco's best-response options (issue 19) --------------------------------------


@st.composite
def with_bor(draw, evs, eps):
    """Sometimes the options of a best response (and the cut-off of a landmark): assessments
    before the origin counted, the progression cut-off, no visits as not evaluable."""
    eps = list(eps)
    for i, ep in enumerate(eps):
        if not isinstance(ep, ResponseDesc) or ep.kind == "occurrence" or chance(draw, 2):
            continue
        lines = []
        if ep.kind == "best" and chance(draw, 2):
            lines.append(f"before origin: {pick(draw, ('count', 'count', 'ignore'))}")
        if ep.kind == "best" and ep.responder is None and chance(draw, 2):
            lines.append(f"no visits: {pick(draw, ('not evaluable', 'missing'))}")
        if chance(draw, 2):
            others = [e.name for e in evs if e.name != ep.event][:3]  # the first: not an endpoint's rows
            origin = ep.origin.event if ep.origin.kind == "single" else None  # E330 (review19)
            cuts = ["none", *(f"at {x}" for x in others if x != origin)]
            if ep.criteria in (None, "recist11"):  # a declared set may have no progression (E322)
                cuts.append("first")
            lines.append(f"progressive disease cutoff: {pick(draw, cuts)}")
        eps[i] = dataclasses.replace(ep, bor=tuple(lines))
    return tuple(eps)


# ---- data strategies -----------------------------------------------------------------------

# Missing and unusable dates; pandas' NaT is how a datetime column says "missing".
BAD_DATES = (None, "", "  ", float("nan"), pd.NaT, "N/A", "2020-02-30", "2020-03", "2020", "2020-13-01",
             "2020-13", "UNK", "2020/01/05")  # fmt: skip
ODD_TEXT_CELLS = (None, "", " ", "N/A", "y", 1, 1.0, "1", float("nan"), pd.NA, 2.5)
NUMBER_CELLS = (0, 1, 2, 3, 5, -1, 0.5, 2.0, 2.5, -1.5, 10.0, "3", "2.5", " 1", "1e1")
ODD_NUMBER_CELLS = ("abc", "", None, float("nan"), "inf", float("inf"))
SEQUENCE_CELLS = (1, 2, 3, 4, 2.0, "3", 1.5)
ODD_SEQUENCE_CELLS = (None, float("nan"), "x", float("inf"))


def day(draw, anchors: tuple[int, ...], early: bool = False) -> dt.date:
    if early and not chance(draw, 3):  # an origin-like date: mostly in the first month
        index = draw(_index(31))
    else:
        index = pick(draw, anchors) if chance(draw, 2) else draw(_index(SPAN_DAYS + 1))
    return DAY0 + dt.timedelta(days=index)


def date_cell(draw, anchors: tuple[int, ...], early: bool = False, fmt: str | None = None) -> object:
    """A date cell: mostly ISO text (or text in the column's format `fmt`) near the
    anchors, else a date object, a datetime, a text with a time part or trailing blanks,
    or an unusable value."""
    shape = draw(_index(16))
    if shape >= 14:
        return pick(draw, BAD_DATES)
    d = day(draw, anchors, early)
    if fmt is not None and shape not in (5, 6):  # date objects are dates whatever the format
        return formatted_cell(draw, d, fmt, shape)
    match shape:
        case 12 | 13:  # a partial date: its month, or its year
            return f"{d.year}-{d.month:02d}" if not chance(draw, 4) else str(d.year)
        case 5:
            return d
        case 6:
            moment = dt.datetime(d.year, d.month, d.day, draw(_index(24)), draw(_index(60)))
            return pd.Timestamp(moment) if chance(draw, 2) else moment
        case 7:
            return f"{d}T11:45"
        case 8:
            return f"{d} 23:59:59"
        case 9:
            return f"{d}  "
    return str(d)


def render_date(d: dt.date, fmt: str | None, pad: bool = True) -> str:
    """A date as a text in a format (None: ISO 8601); `pad=False`: one-digit days and months."""
    mon = MONTH_ABBR[d.month - 1]
    dd, mm = (f"{d.day:02d}", f"{d.month:02d}") if pad else (str(d.day), str(d.month))
    return {
        None: d.isoformat(), ISO: d.isoformat(), "DDMONYYYY": f"{dd}{mon}{d.year}",
        "DD-MON-YYYY": f"{dd}-{mon}-{d.year}", "MM/DD/YYYY": f"{mm}/{dd}/{d.year}",
        "DD/MM/YYYY": f"{dd}/{mm}/{d.year}", "DD.MM.YYYY": f"{dd}.{mm}.{d.year}",
        "YYYYMMDD": f"{d.year}{d.month:02d}{d.day:02d}", "YYYY/MM/DD": f"{d.year}/{mm}/{dd}",
        SAS_DAYS: str((d - dt.date(1960, 1, 1)).days),
    }[fmt]  # fmt: skip


def formatted_cell(draw, d: dt.date, fmt: str, shape: int) -> object:
    """A cell of a column in a declared format: mostly the date as the format writes it."""
    text = render_date(d, fmt)
    match shape:
        case 7:  # a time after the date (SAS DATETIME: a colon)
            sep = ":" if fmt == "DDMONYYYY" and chance(draw, 2) else " "
            return text + sep + pick(draw, ("10:30", "9:05", "23:59:59", "00:00:00.000"))
        case 8:  # blanks around
            return pick(draw, (" ", "  ", "\t")) + text + pick(draw, ("", " ", "   "))
        case 9:  # a number, or a short day and month, or the month name in another case
            if fmt == SAS_DAYS:
                return pick(draw, (int(text), float(text), f"{text}.0", f"+{text}"))
            if fmt == "YYYYMMDD":
                return pick(draw, (int(text), float(text)))
            if "MON" in fmt:
                return pick(draw, (text.lower(), text.title(), render_date(d, fmt, pad=False)))
            return render_date(d, fmt, pad=False)
        case 12:  # a two-digit year: the century would be a guess, so not a date
            return text.replace(str(d.year), str(d.year)[2:]) if fmt != SAS_DAYS else f"{text}.5"
        case 13:  # an impossible day, or an ISO text in another format
            if fmt in (SAS_DAYS, "YYYYMMDD") or chance(draw, 3):
                return d.isoformat() if fmt != "YYYYMMDD" else f"{d.year}0230"
            bad = dt.date(d.year, 2, 28)  # written as the 31st of February
            return render_date(bad, fmt).replace("28", "31", 1)
    return text


def datetime_cell(draw, anchors: tuple[int, ...], early: bool, fmt: str | None) -> object:
    """A cell of a column read `with time`: mostly a date with a time of day (a few hours,
    so that two occurrences share a moment), else what a date column holds (a date only)."""
    if chance(draw, 4):
        return date_cell(draw, anchors, early=early, fmt=fmt)
    d = day(draw, anchors, early)
    hour, minute = pick(draw, (0, 9, 9, 14, 23)), pick(draw, (0, 0, 30, 59))
    if fmt is not None and fmt != SAS_DAYS:
        sep = ":" if fmt == "DDMONYYYY" and chance(draw, 2) else " "
        return render_date(d, fmt) + sep + pick(draw, (f"{hour}:{minute:02d}", f"{hour:02d}:{minute:02d}:15"))
    match draw(_index(5)):
        case 0:
            return dt.datetime(d.year, d.month, d.day, hour, minute)
        case 1:
            return pd.Timestamp(dt.datetime(d.year, d.month, d.day, hour, minute, 15))
        case 2:
            return f"{d} {hour:02d}:{minute:02d}:07.5"
        case 3:
            return f"{d}T{hour:02d}"
    return f"{d}T{hour:02d}:{minute:02d}"


def cell(
    draw, kind: str, column: str, table: str, anchors: tuple[int, ...], fmt: str | None = None
) -> object:
    match kind:
        case "datetime":
            origin_like = VOCAB[table].per_subject and column == VOCAB[table].dates[0]
            return datetime_cell(draw, anchors, origin_like, fmt)
        case "date":
            origin_like = VOCAB[table].per_subject and column == VOCAB[table].dates[0]
            return date_cell(draw, anchors, early=origin_like, fmt=fmt)
        case "text":
            if chance(draw, 5):
                return pick(draw, ODD_TEXT_CELLS)
            value = pick(draw, VOCAB[table].texts[column])
            return value + " " if chance(draw, 6) else value
        case "number":
            return pick(draw, ODD_NUMBER_CELLS) if chance(draw, 4) else pick(draw, NUMBER_CELLS)
        case "sequence":
            return pick(draw, ODD_SEQUENCE_CELLS) if chance(draw, 6) else pick(draw, SEQUENCE_CELLS)
    raise ValueError(kind)


def row(draw, desc: ProgramDesc, table: str, key: object, anchors: tuple[int, ...]) -> dict:
    return {
        column: key
        if kind == "key"
        else cell(draw, kind, column, table, anchors, desc.column_format(table, column))
        for column, kind in desc.columns(table)
    }


@st.composite
def subject_tables(
    draw, desc: ProgramDesc, subject_id: str | int, max_rows: int = 6, odd_subject_rows: bool = False
) -> dict[str, list[dict]]:
    """One subject's rows: one row of the subject table (0 or 2 with `odd_subject_rows`)
    and 0..max_rows rows of each other table, dated around a few anchor days."""
    anchors = tuple(draw(_index(SPAN_DAYS + 1)) for _ in range(2 + draw(_index(4))))
    origin, anchors = edge_anchors(draw, desc, anchors)
    out = {}
    for t in desc.tables:
        if t.per_subject:
            count = pick(draw, (1, 1, 1, 1, 0, 2)) if odd_subject_rows else 1
        else:
            count = draw(_index(max_rows + 1))
        rows = [row(draw, desc, t.name, subject_id, anchors) for _ in range(count)]
        if rows and not t.per_subject and chance(draw, 5):
            rows.append(dict(pick(draw, rows)))  # an exact duplicate row
        out[t.name] = rows
    first = VOCAB[SUBJECT_TABLE].dates[0]
    if origin is not None and out.get(SUBJECT_TABLE) and first in out[SUBJECT_TABLE][0]:
        # the origin on its day (a usable date), so that the edge anchors are the rules' edges
        d = DAY0 + dt.timedelta(days=origin)
        out[SUBJECT_TABLE][0][first] = render_date(d, desc.column_format(SUBJECT_TABLE, first))
        edge_cells(draw, desc, out, origin, subject_id, anchors)
    return out


def edge_anchors(draw, desc: ProgramDesc, anchors: tuple[int, ...]) -> tuple[int | None, tuple[int, ...]]:
    """Three times in four for a program with response rules: an origin day in the first month
    and anchors mostly on its rules' edges (tests/edge_days.py; a day off now and then), a
    confirmation interval after one of them (on it, and a day short), and one of the random
    anchors, so that about a quarter of the dates drawn from anchors fall on an edge."""
    at, gaps = origin_edges(desc.endpoints), gap_edges(desc.endpoints)
    if not (at or gaps) or chance(draw, 4):
        return None, anchors
    origin = draw(_index(31))
    out = [anchors[0]] + [
        day for edge in at for day in (origin + edge,) * 2 + (origin + edge + pick(draw, (-1, 1)),)
    ]
    if gaps:
        edge = pick(draw, out) + pick(draw, gaps)
        out += [edge, edge, edge - 1]
    return origin, tuple(out)


def edge_cells(
    draw,
    desc: ProgramDesc,
    out: dict[str, list[dict]],
    origin: int,
    subject_id: str | int,
    anchors: tuple[int, ...],
) -> None:
    """For the response endpoints from the origin of an edge history (edge_anchors), now and
    then the cells that make an edge decide a record, which dates on the edges alone rarely do:
    for half the best responses with an SD minimum, a disease-control visit on origin + N days
    and, now and then, the subject's other visits no better (6.1); for three incidence endpoints
    in four, its subject-level event's date on the window's start or end (or a day off), or its
    `evaluable if ... reaches` event's date on the window's end (6.3); for half the best
    responses with `confirm` whose set confirms a response category, a response visit and one
    that confirms it the interval later (or a day short), after the subject's other visits (6.1;
    from any origin)."""
    for ep in desc.endpoints:
        if isinstance(ep, ResponseDesc) and ep.kind == "best" and ep.confirm is not None:
            confirm_edge_visits(draw, desc, ep, out, subject_id, anchors)
        if not isinstance(ep, ResponseDesc) or not from_edge_origin(desc, ep):
            continue
        if ep.kind == "best" and ep.sd is not None and chance(draw, 2):
            sd_edge_visit(draw, desc, ep, out, origin + ep.sd[0] * UNIT_DAYS[ep.sd[1]])
        elif ep.kind == "occurrence" and out.get(SUBJECT_TABLE) and not chance(draw, 4):
            incidence_edge_date(draw, desc, ep, out[SUBJECT_TABLE][0], origin)


def plain_event(desc: ProgramDesc, name: str) -> EventDesc | None:
    return next((e for e in desc.events if e.name == name), None)


def from_edge_origin(desc: ProgramDesc, ep: ResponseDesc) -> bool:
    """The endpoint's origin is the subject table's first date, which edge histories set (its
    first or last: one row)."""
    ev = plain_event(desc, ep.origin.event) if ep.origin.kind in ("single", "first", "last") else None
    return ev is not None and ev.table == SUBJECT_TABLE and ev.column == VOCAB[SUBJECT_TABLE].dates[0]


def sd_edge_visit(draw, desc: ProgramDesc, ep: ResponseDesc, out: dict[str, list[dict]], at: int) -> None:
    ev = plain_event(desc, ep.event)
    rows = out.get(ev.table) if ev is not None else None
    names = list(category_roles(ep, desc.criteria))  # best first
    controls = [c for c, role in category_roles(ep, desc.criteria).items() if role == "disease control"]
    if ev is None or not rows or not controls or ev.response not in rows[0]:
        return
    control = pick(draw, controls)
    if chance(draw, 2):  # the other visits no better: the control category or one ranked after it
        for r in rows:
            r[ev.response] = pick(draw, names[names.index(control) :])
    visit = dict(pick(draw, rows))  # a visit more: the others keep their days (the other edges)
    rows.append(visit)
    visit[ev.column] = dated(desc, ev.table, ev.column, at)
    visit[ev.response] = control
    if ev.where is not None and ev.where[0] == "cmp" and ev.where[2] == "=":  # PARAMCD = "PD"
        visit[ev.where[1]] = ev.where[3].value


def confirm_edge_visits(
    draw,
    desc: ProgramDesc,
    ep: ResponseDesc,
    out: dict[str, list[dict]],
    subject_id: str | int,
    anchors: tuple[int, ...],
) -> None:
    """A response visit V and, N x unit days later (a day short one time in four), a visit of
    a category that confirms it (6.1), both after every other visit (the anchors' days or the
    span's), so that nothing between breaks it; three times in four the other visits are worse
    than V and not progressive disease, so that V's confirmation decides the best response."""
    ev = plain_event(desc, ep.event)
    rules = confirming(ep, desc.criteria)
    if ev is None or ev.table not in out or not rules or chance(draw, 2):  # half the time
        return
    rows = out[ev.table]
    # the two visits' other cells: a row of the subject's, or a new one when it has none
    base = rows or [row(draw, desc, ev.table, subject_id, anchors)]
    if ev.response not in base[0]:
        return
    # a responder category where the endpoint lists them: its confirmation decides the flag
    name = pick(draw, [c for c in sorted(rules) if c in (ep.responder or ())] or sorted(rules))
    by = rules[name]
    roles = category_roles(ep, desc.criteria)
    names = list(roles)  # best first
    if rows and not chance(draw, 4):
        worse = [c for c in names[names.index(name) + 1 :] if roles[c] != "progressive disease"]
        for r in rows:
            r[ev.response] = pick(draw, worse) if worse else r[ev.response]
    gap = ep.confirm[0] * UNIT_DAYS[ep.confirm[1]] - (1 if chance(draw, 4) else 0)
    at = max(SPAN_DAYS, *anchors) + 1 + draw(_index(31))
    for day, category in ((at, name), (at + gap, name if name in by else pick(draw, by))):
        visit = dict(pick(draw, base))
        visit[ev.column] = dated(desc, ev.table, ev.column, day)
        visit[ev.response] = category
        if ev.where is not None and ev.where[0] == "cmp" and ev.where[2] == "=":  # PARAMCD = "PD"
            visit[ev.where[1]] = ev.where[3].value
        rows.append(visit)


def incidence_edge_date(draw, desc: ProgramDesc, ep: ResponseDesc, subject: dict, origin: int) -> None:
    """The date of the endpoint's subject-level event (or of its `evaluable if` event) on an
    edge of the window: a `day d` bound, or the date of the bounding event (set too)."""
    first = VOCAB[SUBJECT_TABLE].dates[0]
    target = ep.evaluable_by if ep.evaluable_by is not None and chance(draw, 3) else ep.event
    ev = plain_event(desc, target)
    if ev is None or ev.table != SUBJECT_TABLE or ev.column == first or ev.column not in subject:
        return
    kind, bound = ep.window[1] if target != ep.event or chance(draw, 3) else ep.window[0]
    if kind == "day":
        at = origin + window_day(bound, ep.origin_day)
    else:  # the bounding event's date, set where it is not the origin or the event's own
        by = plain_event(desc, bound)
        if by is None or by.column not in subject:
            return
        at = origin if by.column == first else origin + draw(_index(61))
        if by.column == ev.column:
            return
        if by.column != first:
            subject[by.column] = dated(desc, SUBJECT_TABLE, by.column, at)
    at += pick(draw, (0, 0, -1, 1))
    subject[ev.column] = dated(desc, SUBJECT_TABLE, ev.column, at)


def dated(desc: ProgramDesc, table: str, column: str, at: int) -> str:
    """Day `at` of the generated calendar as the column writes dates."""
    return render_date(DAY0 + dt.timedelta(days=at), desc.column_format(table, column))


@st.composite
def cases(draw, max_subjects: int = 4, odd_subject_rows: bool = False, responses: bool = False,
          schedules: bool = False, issue12: bool = False, others: bool = False,
          reldates: bool = False, groups: bool = False):  # fmt: skip
    """A program and a few subjects for it: (desc, [(subject_id, tables), ...])."""
    desc = draw(programs(responses=responses, schedules=schedules, issue12=issue12, others=others,
                         reldates=reldates, groups=groups))  # fmt: skip
    subjects = []
    for i in range(1 + draw(_index(max_subjects))):
        sid = f"S{i + 1}"
        subjects.append((sid, draw(subject_tables(desc, sid, odd_subject_rows=odd_subject_rows))))
    return desc, subjects


@st.composite
def table_cases(draw, max_subjects: int = 4, responses: bool = False, clashes: bool = False,
                issue12: bool = True, others: bool = True, reldates: bool = False, groups: bool = False):  # fmt: skip
    """A program and whole tables for it, as lists of row dicts by table name, with the
    odd rows a real extract has: a duplicated subject, rows without a key or whose
    subject is not in the subject table; in a third of the cases numeric subject keys,
    written differently by each table (`key_cell`). Its endpoints may censor events after
    missed assessments (schedules of one piece or more); with `clashes`, about one program
    in eight has two names that differ only in case (`ProgramDesc.clash`), which every
    engine path must reject."""
    desc = draw(programs(responses=responses, schedules=True, clashes=clashes, issue12=issue12,
                         others=others, confirmed=True, reldates=reldates, groups=groups))  # fmt: skip
    numeric = chance(draw, 3)
    tables: dict[str, list[dict]] = {t.name: [] for t in desc.tables}
    for i in range(1 + draw(_index(max_subjects))):
        sid = 1001 + i if numeric else f"S{i + 1:02d}"
        for name, rows in draw(subject_tables(desc, sid, max_rows=4)).items():
            tables[name] += rows
    for t in desc.tables:
        if chance(draw, 4):  # an orphan row or a row without a key
            orphan = pick(draw, (1099 if numeric else "S99", None, ""))
            tables[t.name].append(row(draw, desc, t.name, orphan, (0,)))
    if tables[SUBJECT_TABLE] and chance(draw, 6):  # a subject twice in the subject table
        tables[SUBJECT_TABLE].append(dict(pick(draw, tables[SUBJECT_TABLE])))
    if numeric:
        for t in desc.tables:
            style = pick(draw, KEY_STYLES)
            if style in ("int", "float") and chance(draw, 2):  # pandas reads such a column as floats
                tables[t.name].append(row(draw, desc, t.name, None, (0,)))
            for r in tables[t.name]:
                r[t.key] = key_cell(draw, style, r[t.key])
    for name in tables:
        tables[name] = shuffled(draw, tables[name])
    return desc, tables


# How a table writes numeric subject keys: as text (blanks around it, as SAS and hand-made
# CSV do), as integers, or as floats (pandas' reading of an integer column with a null).
KEY_STYLES = ("text", "int", "float", "padded text")


def key_cell(draw, style: str, number: int | str | None) -> object:
    """Subject `number` (None or "": missing) as `style` writes it; every style reads the same."""
    if number is None or number == "":
        return number if style.endswith("text") else None
    match style:
        case "int":
            return number
        case "float":
            return float(number)
        case "padded text":
            return pick(draw, ("", " ", "\t", "\u3000")) + str(number) + pick(draw, ("", " ", "  "))
    return str(number)


# ---- extreme (issue 19, part 2): `worst of|best of|first of` outcomes ------------------------

EXTREME_AVALC = ("GRADE 3", "Y", "N", "NONE", "Missing", 'No "sleep"')
EXTREME_AVAL = (1, 0, 2, 99, 2.5, -1, None)


@dataclass(frozen=True, repr=False)
class ExtremeDesc:
    paramcd: str
    param: str
    origin: DateRef
    head: str  # "worst", "best" or "first"
    outcomes: tuple  # (AVALC, AVAL or None, every, event, condition or None), in priority order
    otherwise: tuple | None  # (AVALC, AVAL or None)
    pick: str | None  # "first" or "last" (worst of, best of); None (first of)
    bounds: tuple[BoundDesc, ...]
    population: tuple | None
    to: tuple = ()  # no terminating events (with_groups looks for them)
    by: str | None = None  # `first|last by COLUMN` (None: by date)

    def render(self) -> str:
        def code(aval) -> str:
            return "" if aval is None else f" = {aval}"

        lines = [f"from {self.origin.render()}", f"{self.head} of"]
        for avalc, aval, every, event, cond in self.outcomes:
            test = f"{'every' if every else 'any'} {event}" + (
                f" has {render_condition(cond)}" if cond else ""
            )
            lines.append(f"  outcome {quote(avalc)}{code(aval)} if {test}")
        if self.otherwise is not None:
            lines.append(f"  otherwise {quote(self.otherwise[0])}{code(self.otherwise[1])}")
        lines += [f"{self.pick} by {self.by or 'date'}"] if self.pick else []
        lines += [b.render() for b in self.bounds] + render_among(self.population)
        body = "".join(f"  {line}\n" for line in lines)
        return f"endpoint {self.paramcd} {quote(self.param)}\n{body}end\n"


def with_extreme(draw, desc: ProgramDesc) -> ProgramDesc:
    """A third of the time, a `worst of|best of|first of` endpoint: two to four outcomes on the
    program's events, `any E` or `any|every E has C` (C on E's table), with or without AVAL
    and `otherwise`; a horizon or a stop sometimes. A program the checker refuses is kept as it was."""
    import endpointdsl

    if not chance(draw, 3):
        return desc
    plain = [e.name for e in desc.events if e.table in VOCAB]
    per_subject = [e.name for e in desc.events if e.table == SUBJECT_TABLE]
    if not plain or not per_subject:
        return desc
    head = pick(draw, ("worst", "best", "first"))
    codes: dict = {}
    outcomes = []
    for _ in range(2 + draw(_index(3))):
        avalc = pick(draw, EXTREME_AVALC)
        aval = codes.setdefault(avalc, pick(draw, EXTREME_AVAL))  # one AVALC, one AVAL (E344)
        event = pick(draw, plain)
        table = desc.event(event).table
        every = chance(draw, 3)
        cond = draw(condition(table, depth=1)) if every or chance(draw, 2) else None
        outcomes.append((avalc, aval, every, event, cond))
    otherwise = None
    if not chance(draw, 4):
        avalc = pick(draw, EXTREME_AVALC)
        otherwise = (avalc, codes.setdefault(avalc, pick(draw, EXTREME_AVAL)))
    bounds = []
    if chance(draw, 4):
        bounds.append(horizon(draw))
    if chance(draw, 4):
        bounds.append(BoundDesc("stop", pick(draw, (True, False)), None, (0,), event=pick(draw, plain)))
    population = ("with", pick(draw, plain)) if chance(draw, 4) else None
    origin = DateRef("single", pick(draw, per_subject))
    by = None
    used = {desc.event(o[3]).table for o in outcomes}
    if head != "first" and len(used) == 1 and chance(draw, 3):  # `by COLUMN` of the outcomes' table
        vocab = VOCAB[used.pop()]
        by = pick(draw, (*vocab.numbers, vocab.sequence))
    ep = ExtremeDesc(
        "WX1", pick(draw, PARAMS), origin, head, tuple(outcomes), otherwise,
        None if head == "first" else pick(draw, ("first", "last")), tuple(bounds), population, by=by,
    )  # fmt: skip
    paramns = (*desc.paramns, 0) if desc.paramns else ()
    candidate = dataclasses.replace(desc, endpoints=(*desc.endpoints, ep), paramns=paramns)
    try:
        endpointdsl.check_text(candidate.text)
    except endpointdsl.EptError:
        return desc
    return candidate


# ---- value endpoints (issue 14): a series of measurements and numbers derived from it -------

VALUE_TIMES = (-0.5, 0, 0, 0.5, 1, 1, 2, 4, 8, 24, 1.5, "2", None, "x")
VALUE_CELLS = (0, 0.1, 1.5, 2, 3.25, 0.001, 10, 2, 1.5, -1, "1.5", None, "abc", 0.0)
VALUE_STATS = ("max", "min", "last", "time of max", "time of min", "time of last", "auc", "auc to last",
               "change from min")  # fmt: skip
VALUE_DATES = ("2024-01-01", "2024-01-02", "2024-01-03", "2024-01-03", "2024-01-04", "2024-01-06", "2024-01-10",
               "2024-02-01", None, "2024-02-30", dt.date(2024, 1, 5))  # fmt: skip
VALUE_WINDOWS = (
    "",
    " over 0 to 8 hours",
    " over 30 to 240 minutes",
    " over 0 to 1 day",
    " over 1 to 1 hours",
)


@dataclass(frozen=True, repr=False)
class ValueProgramDesc:
    """A program of value endpoints on one series of `adpc` (what three_way needs of a desc)."""

    text: str
    tables: tuple[TableDesc, ...] = (
        TableDesc(SUBJECT_TABLE, True, "USUBJID", False),
        TableDesc("adpc", False, "USUBJID", False),
    )
    clash: None = None
    keep: tuple = ()

    def __repr__(self) -> str:
        return "<program:\n" + self.text + ">"

    def columns(self, table: str) -> list[tuple[str, str]]:
        if table == SUBJECT_TABLE:
            return [("USUBJID", "key"), ("INFDT", "date")]
        return [("USUBJID", "key"), ("PARAMCD", "text"), ("AVAL", "number"), ("TIME", "number"),
                ("BLQF", "text"), ("LLOQ", "number"), ("UNIT", "text"), ("SEQ", "sequence"),
                ("ADT", "date")]  # fmt: skip


@st.composite
def value_programs(draw) -> ValueProgramDesc:
    """A series with every option the language has, and one to four value endpoints."""
    head = f"series conc = adpc.AVAL at TIME {pick(draw, ('hours', 'hour'))}"
    lines = []
    dated = chance(draw, 3)  # a time axis of dates: days from the infusion
    if dated:
        head = "event infusion = adsl.INFDT\nseries conc = adpc.AVAL at ADT days"
        lines += ["    from infusion", f"    origin is day {pick(draw, ('0', '1'))}"]
    if chance(draw, 2):
        lines.append('    where PARAMCD = "XAN"')
    unit = pick(draw, ("", "    unit UNIT", '    unit "ug/mL"'))
    lines += [unit] if unit else []
    blq = pick(draw, ('BLQF = "<BLQ"', "AVAL < LLOQ", "AVAL < 0.5", 'BLQF = "<BLQ" or AVAL is missing'))
    before = pick(draw, ("zero", "half lloq", "missing"))
    after = pick(draw, ("", "zero", "half lloq", "missing"))
    rule = before + (f" before first quantifiable, {after} after" if after else "")
    lines.append(f"    below lloq if {blq}: {rule}")
    if "half" in rule or chance(draw, 4):
        lines.append(f"    lloq {pick(draw, ('LLOQ', '0.01', '1'))}")
    if chance(draw, 2):
        lines.append("    negative times: at zero")
    lines.append(f"    duplicate times: {pick(draw, ('refuse', 'mean'))}")
    if chance(draw, 2):
        lines.append("    sequence SEQ")
    lines = shuffled(draw, lines)
    text = "table adsl: one row per subject\ntable adpc: many rows per subject\n"
    text += head + "\n" + "\n".join(lines) + "\n"
    for i in range(1 + draw(_index(4))):
        kind = draw(_index(5))
        if kind == 0:
            at, within = (
                pick(draw, (("2", "1"), ("1", "0.5"), ("60", "30"), ("0", "0"))),
                pick(draw, ("hours", "minutes")),
            )
            # detectable needs BLQ samples kept (E376)
            head = pick(draw, ("value of",) if "missing" in rule else ("value of", "value detectable of"))
            clause = f"{head} conc at {at[0]} {within} within {at[1]} {within}"
        else:
            stat = pick(draw, VALUE_STATS)
            clause = f"value {stat} of conc{pick(draw, VALUE_WINDOWS)}"
            if stat.startswith("auc"):
                clause += pick(draw, (" linear", " linear up log down"))
        text += f'\nendpoint V{i} "Value {i}"\n    {clause}\nend\n'
    return ValueProgramDesc(text)


@st.composite
def value_cases(draw, max_subjects: int = 4) -> tuple[ValueProgramDesc, dict[str, list[dict]]]:
    """A value program and tables for it: subjects without rows, all below the LLOQ, with a
    single sample, duplicate times, odd cells, rows of another PARAMCD; rows shuffled."""
    desc = draw(value_programs())
    adsl, adpc = [], []
    for i in range(1 + draw(_index(max_subjects))):
        sid = f"S{i + 1}"
        adsl.append(
            {
                "USUBJID": sid,
                "INFDT": pick(draw, ("2024-01-03", "2024-01-03", "2024-01-05", None, "2024-02-30")),
            }
        )
        all_blq = chance(draw, 5)
        for _ in range(draw(_index(7))):
            blq = all_blq or chance(draw, 3)
            adpc.append({
                "USUBJID": sid, "PARAMCD": pick(draw, ("XAN", "XAN", "XAN", "OTHER")),
                "AVAL": pick(draw, (None, 0.005, 0)) if blq else pick(draw, VALUE_CELLS),
                "TIME": pick(draw, VALUE_TIMES), "BLQF": "<BLQ" if blq else pick(draw, (None, "1.5")),
                "LLOQ": pick(draw, (0.01, 0.01, 0.5, None)), "UNIT": pick(draw, ("ug/mL", "ug/mL", "ng/mL", None)),
                "SEQ": pick(draw, SEQUENCE_CELLS),
                "ADT": pick(draw, VALUE_DATES),
            })  # fmt: skip
    if chance(draw, 4):
        adpc.append({"USUBJID": "S99", "PARAMCD": "XAN", "AVAL": 1, "TIME": 0, "BLQF": None, "LLOQ": 0.01,
                     "UNIT": None, "SEQ": 1, "ADT": "2024-01-04"})  # fmt: skip
    return desc, {"adsl": shuffled(draw, adsl), "adpc": shuffled(draw, adpc)}
