"""Value endpoints (issue 14): series declarations and `value` clauses, E360-E373.

A series is a subject's measurements (`series conc = adpc.AVAL at AFRLT hours ...`); a
value endpoint derives one number per subject from it (`value max of conc`). Windows and
nominal times are converted here to the series' time unit, so that every engine reads the
same numbers (docs/semantics.md 11).
"""

from __future__ import annotations

from ..language import nodes as n
from . import model as m
from .scope import Scope

SERIES_OPTIONS = (
    "where",
    "sequence",
    "label",
    "unit",
    "lloq",
    "below lloq",
    "duplicate times",
    "negative times",
)


def check_series(scope: Scope, conditions, d: n.SeriesDef) -> m.SeriesSpec:
    """The model of a series declaration (its errors reported in `scope`)."""
    table = scope.tables.get(d.table.text)
    if table is None:
        scope.unknown("table", d.table, scope.tables)
    unit = m.VALUE_UNIT_ALIASES.get(d.time_unit.text)
    if unit not in m.VALUE_TIME_UNITS:
        scope.error(
            "E360", f"'{d.time_unit.text}' is not a unit of a series' time axis", d.time_unit.span,
            "write the unit of the time column: minutes, hours, days or weeks (e.g. `at AFRLT hours`)",
        )  # fmt: skip
        unit = "hours"
    seen: dict[str, n.SeriesOption] = {}
    for o in d.options:
        key = o.kind.split()[0] if o.kind.startswith("unit") else o.kind
        if key in seen:
            first = seen[key].span
            scope.error(
                "E363", f"`{key}` is given twice in series {d.name.text}", o.span,
                f"the first is at line {first.line}; keep one" if first else "keep one",
            )  # fmt: skip
        seen.setdefault(key, o)
    name = d.table.text

    def cond(option: str):
        o = seen.get(option)
        if o is None:
            return None
        value = o.value.condition if option == "below lloq" else o.value
        return conditions.condition(value, name)

    blq = seen.get("below lloq")
    if blq is None:
        scope.error(
            "E361", f"series {d.name.text} does not say how values below the LLOQ count", d.name.span,
            'add e.g. `below lloq if PCSTRESC = "<BLQ": zero before first quantifiable, missing after`',
        )  # fmt: skip
        before = after = "missing"
    else:
        before = blq.value.before
        after = blq.value.after or before
    lloq_column = lloq_value = None
    lloq = seen.get("lloq")
    if lloq is not None:
        match lloq.value:
            case n.NameOperand(ident=ident):
                lloq_column = ident.text
            case n.NumberOperand(lexeme=lexeme) if float(lexeme) > 0:
                lloq_value = float(lexeme)
            case _:
                scope.error(
                    "E364", "`lloq` takes a column or a positive number", lloq.span,
                    "write e.g. `lloq PCLLOQ` or `lloq 0.01`",
                )  # fmt: skip
                lloq_value = 1.0
    if "half lloq" in (before, after) and lloq is None:
        scope.error(
            "E362", f"series {d.name.text} counts values below the LLOQ as half the LLOQ but has no `lloq`",
            blq.span, "add `lloq COLUMN` (a column holding each row's LLOQ) or `lloq NUMBER`",
        )  # fmt: skip
    where = cond("where")
    blq_cond = cond("below lloq") if blq is not None else m.IsMissing(d.column.text, False)
    for option, c in (("where", where), ("below lloq", blq_cond)):
        if m.subject_columns(c):
            scope.error(
                "E372", f"the `{option}` of series {d.name.text} reads another table", seen[option].span,
                "a series' conditions read the columns of its own rows; compare with a column of the same row",
            )  # fmt: skip
    origin, origin_day = _time_axis(scope, d, seen, unit)
    unit_column = seen["unit"].value.text if "unit" in seen and seen["unit"].kind == "unit column" else None
    unit_text = seen["unit"].value if "unit" in seen and seen["unit"].kind == "unit text" else None
    return m.SeriesSpec(
        d.name.text, d.table.text, d.column.text, d.time.text, unit, where, blq_cond, before, after,
        lloq_column, lloq_value, unit_column, unit_text,
        seen["duplicate times"].value if "duplicate times" in seen else "refuse",
        "negative times" in seen,
        seen["sequence"].value.text if "sequence" in seen else None,
        seen["label"].value if "label" in seen else None,
        span=d.span, origin=origin, origin_day=origin_day,
    )  # fmt: skip


def _time_axis(scope: Scope, d: n.SeriesDef, seen: dict, unit: str) -> tuple[str | None, int]:
    """A time axis of dates: `from EVENT` (a date of the subject-level table) and `origin is
    day 0|1`, in days (E373, E374, E375)."""
    start, numbering = seen.get("from"), seen.get("origin is day")
    if start is None:
        if numbering is not None:
            scope.error(
                "E375", "`origin is day` numbers the days of a series timed by dates", numbering.span,
                "add `from EVENT` (the date day 0 or 1 is), or remove it",
            )  # fmt: skip
        return None, 1
    if unit != "days":
        scope.error(
            "E373", f"series {d.name.text} is timed by dates: its unit is days", d.time_unit.span,
            f"write `at {d.time.text} days`",
        )  # fmt: skip
    event = scope.events.get(start.value.text)
    if event is None:
        scope.unknown("event", start.value, scope.events)
    else:
        table = scope.tables.get(event.table.text) if isinstance(event, n.EventDef) else None
        if table is None or not table.per_subject:
            scope.error(
                "E374", f"'{start.value.text}' is not a date of the subject-level table", start.value.span,
                "a series' origin is one date per subject, e.g. `event infusion = adsl.CARTDT`",
            )  # fmt: skip
    day = 1
    if numbering is None:
        scope.error(
            "E375", f"series {d.name.text} does not say how its days are numbered", start.span,
            "add `origin is day 0` (the origin's date is day 0) or `origin is day 1` (day 1, the day before -1)",
        )  # fmt: skip
    elif not (isinstance(numbering.value, n.NumberOperand) and numbering.value.lexeme in ("0", "1")):
        scope.error(
            "E375",
            "the origin is day 0 or day 1",
            numbering.span,
            "write `origin is day 0` or `origin is day 1`",
        )
    else:
        day = int(numbering.value.lexeme)
    return start.value.text, day


def is_value(ep: n.Endpoint) -> bool:
    return any(isinstance(c, n.ValueClause) for c in ep.clauses)


def check_value_endpoint(checker, ep: n.Endpoint, series: dict[str, m.SeriesSpec]) -> m.EndpointSpec:
    """A value endpoint: one `value` clause (and `paramn`); E370 for any other clause."""
    clauses = [c for c in ep.clauses if isinstance(c, n.ValueClause)]
    for extra in clauses[1:]:
        checker.error(
            "E371", f"endpoint {ep.paramcd.text} has two `value` clauses", extra.span,
            f"the first is at line {clauses[0].span.line}; one endpoint derives one value (one PARAMCD)",
        )  # fmt: skip
    for c in ep.clauses:
        if not isinstance(c, (n.ValueClause, n.Paramn)):
            checker.error(
                "E370", "this clause does not apply to a value endpoint", c.span,
                "a value endpoint derives a number from a series: it has a `value` clause "
                "(and perhaps `paramn`); write the other clauses in an endpoint of their own",
            )  # fmt: skip
    value = _value(checker, clauses[0], series)
    return m.EndpointSpec(
        ep.paramcd.text, ep.param, m.DateSpec("origin"), (), (), (), m.Population("all", "all subjects"),
        1, "days", False, span=ep.span, lines={"value": clauses[0].span.line} if clauses[0].span else {},
        value=value,
    )  # fmt: skip


def _value(checker, c: n.ValueClause, series: dict[str, m.SeriesSpec]) -> m.ValueSpec | None:
    s = series.get(c.series.text)
    if s is None:
        checker.scope.unknown("series", c.series, series)
        return None
    start = stop = at = within = None
    over = near = None
    if c.over is not None:
        o = c.over
        start = _amount(checker, o.start, o.unit, s, "a window")
        stop = _amount(checker, o.stop, o.unit, s, "a window")
        over = f"{_shown(o.start)} to {_shown(o.stop)} {o.unit.text}"
        if start is not None and stop is not None and start > stop:
            checker.error(
                "E367", f"the window {over} ends before it starts", o.span, "write the earlier time first",
            )  # fmt: skip
    if c.stat in ("at", "detectable"):
        at = _amount(checker, c.at, c.at_unit, s, "a nominal time")
        within = _amount(checker, c.within, c.within_unit, s, "a tolerance")
        near = f"{_shown(c.within)} {c.within_unit.text} of {_shown(c.at)} {c.at_unit.text}"
        if within is not None and within < 0:
            checker.error(
                "E365", "a tolerance cannot be negative", c.within.span, "write e.g. `within 14 days`"
            )
        if c.stat == "detectable" and "missing" in (s.blq_before, s.blq_after):
            # a BLQ sample at the landmark is the answer N; dropped, a quantifiable neighbour
            # within the tolerance would answer Y, or the subject would have no value
            checker.error(
                "E376", f"`detectable` of series {s.name}, whose samples below the LLOQ are missing (not used)",
                c.span,
                "a sample below the LLOQ at the landmark is not detectable: count it as `zero` or `half lloq` "
                "(a second series over the same rows can keep `missing` for the AUC)",
            )  # fmt: skip
    if c.stat.startswith("auc") and c.rule is None:
        checker.error(
            "E368", "an AUC needs its rule: `linear` or `linear up log down`", c.span,
            f"write e.g. `value {c.stat} of {c.series.text} linear` (the linear trapezoidal rule)",
        )  # fmt: skip
    if c.rule is not None and not c.stat.startswith("auc"):
        checker.error(
            "E369", f"`{c.rule}` is a rule of an AUC, not of `{c.stat}`", c.span,
            "remove it, or write `value auc of ...`",
        )  # fmt: skip
    return m.ValueSpec(c.stat, s, start, stop, c.rule, at, within, over, near)


def _shown(o: n.Operand) -> str:
    return o.lexeme if isinstance(o, n.NumberOperand) else "?"


def _amount(checker, o: n.Operand, unit: n.Ident, s: m.SeriesSpec, what: str) -> float | None:
    """A number written in `unit`, in the series' time unit."""
    if not isinstance(o, n.NumberOperand):
        checker.error(
            "E365", f"{what} takes a number here", o.span, "write e.g. `over 0 to 28 days` or `at 3 months`",
        )  # fmt: skip
        return None
    name = m.VALUE_UNIT_ALIASES.get(unit.text)
    if name is None:
        checker.error(
            "E366", f"'{unit.text}' is not a unit of time", unit.span,
            "write minutes, hours, days, weeks, months (30.4375 days) or years (365.25 days)",
        )  # fmt: skip
        return None
    factor = m.VALUE_UNIT_SECONDS[name] / m.VALUE_UNIT_SECONDS[s.time_unit]
    return float(o.lexeme) * factor if factor != 1 else float(o.lexeme)
