"""Usage: what each input table is used for, derived from the checked model.

`table_usage` gives, per table, whether it has one row per subject, its key, every column
the file reads (with the .ept line that reads it first) and the date columns (with the
format, imputation and event that read each): what `data.tables` checks and groups the
input tables by, for every engine. The generated Python module holds the same as TABLES.
`column_uses` says what each column is read as (a key, a date, a number, a text), for
`check --data`.
"""

from __future__ import annotations

from attrs import frozen

from . import model as m


def table_usage(model: m.Model) -> dict[str, dict]:
    """{table: {"per_subject", "key", "columns": {column: line}, "dates": [(column, format,
    impute, event, line), ...]}} for the tables the file declares (not an endpoint's rows)."""
    return {
        t.name: {
            "per_subject": t.per_subject,
            "key": t.key,
            "columns": _columns(model, t),
            "dates": [
                (ev.column, ev.format, _rule(ev), ev.name, ev.span.line if ev.span else 0)
                for ev in model.events
                if ev.table == t.name and not ev.derived and ev.confirm is None and ev.date is None
            ]
            + [d[1:] for d in _compared_dates(model) if d[0] == t.name]
            + [  # value endpoints (issue 14): a series timed by dates
                (s.time, None, None, s.name, s.span.line if s.span else 0)
                for s in value_series(model)
                if s.table == t.name and s.origin is not None
            ],
        }
        for t in model.tables
    }


def _compared_dates(model: m.Model) -> list[tuple]:
    """(table, column, format, None, event, line) of the cells a row condition compares as
    dates with another cell (`ADT <= adsl.TRTEDT + 30 days`, issue 12): a column of them
    mostly unusable in its format stops the run as an event's date column does, since each
    such comparison would be unknown (never true) without a finding."""
    out = []
    for ev in model.events:
        if ev.derived or ev.confirm is not None or ev.date is not None:
            continue
        line = ev.span.line if ev.span else 0
        for c in _date_comparisons(ev.where):
            out.append((ev.table, c.column, c.format, None, ev.name, line))
            out.append((c.other.table or ev.table, c.other.column, c.other.format, None, ev.name, line))
    return list(dict.fromkeys(out))


def _date_comparisons(cond: m.Condition | None) -> list[m.CompareColumns]:
    match cond:
        case m.CompareColumns(kind="date"):
            return [cond]
        case m.And(left=a, right=b) | m.Or(left=a, right=b):
            return _date_comparisons(a) + _date_comparisons(b)
        case m.Not(operand=a):
            return _date_comparisons(a)
    return []


def _columns(model: m.Model, table: m.TableSpec) -> dict[str, int]:
    """Columns of a table that the file uses, with the .ept line that first uses each."""
    cols: dict[str, int] = {table.key: table.span.line if table.span else 0}
    for ev in model.events:
        if ev.table != table.name or ev.confirm is not None or ev.date is not None:  # they read no column
            continue
        line = ev.span.line if ev.span else 0
        for c in [ev.column, ev.sequence, ev.response, ev.rank, *sorted(m.condition_columns(ev.where))]:
            if c:
                cols.setdefault(c, line)
    for ep in model.endpoints:
        pop = ep.population
        if pop.kind == "where" and pop.table == table.name:
            for c in sorted(m.condition_columns(pop.where)):
                cols.setdefault(c, ep.span.line if ep.span else 0)
    for (t, c), line in _subject_uses(model):  # issue 12: conditions reading adsl.COLUMN
        if t == table.name:
            cols.setdefault(c, line)
    for ep in model.endpoints:  # groups (issue 13): the columns whose values make parameters
        if ep.group is not None and ep.group.table == table.name:
            for c in ep.group.columns:
                cols.setdefault(c, ep.group.span.line if ep.group.span else 0)
    for s in value_series(model):  # value endpoints (issue 14): the columns a series reads
        if s.table == table.name:
            line = s.span.line if s.span else 0
            for c in [*s.columns(), *sorted(m.condition_columns(s.where) | m.condition_columns(s.blq))]:
                cols.setdefault(c, line)
    return cols


def value_series(model: m.Model) -> list[m.SeriesSpec]:
    """value endpoints (issue 14): the series the file's value endpoints read, in file order."""
    found = [ep.value.series for ep in model.endpoints if ep.value is not None]
    return list(dict.fromkeys(found))


def _subject_uses(model: m.Model) -> list[tuple[tuple[str, str], int]]:
    """((table, column), line) of the one-row-per-subject cells the conditions read."""
    found = [
        (tc, ev.span.line if ev.span else 0)
        for ev in model.events
        for tc in sorted(m.subject_columns(ev.where))
    ]
    for ep in model.endpoints:
        if ep.population.kind == "where":
            found += [
                (tc, ep.span.line if ep.span else 0) for tc in sorted(m.subject_columns(ep.population.where))
            ]
    return found


@frozen
class Use:
    """A column the .ept file reads, how (key, date, number, text or any) and where."""

    table: str
    column: str
    reader: str
    line: int


def column_uses(model: m.Model) -> list[Use]:
    uses = [Use(t.name, t.key, "key", t.span.line if t.span else 0) for t in model.tables]
    real = {t.name for t in model.tables}
    for ev in model.events:
        if ev.table not in real or ev.confirm is not None or ev.date is not None:
            continue  # another endpoint's rows (semantics 6.5), a confirmed event (2.1), a derived date
        line = ev.span.line if ev.span else 0
        uses.append(Use(ev.table, ev.column, "date", line))
        if ev.sequence:
            uses.append(Use(ev.table, ev.sequence, "number", line))
        if ev.response:
            uses.append(Use(ev.table, ev.response, "text", line))
        if ev.rank:  # extreme (issue 19, part 2): `first|last by COLUMN`
            uses.append(Use(ev.table, ev.rank, "number", line))
        uses += [Use(ev.table, c, r, line) for c, r in _condition_uses(ev.where)]
    for ep in model.endpoints:
        pop = ep.population
        if pop.kind == "where" and pop.table in real:
            line = ep.span.line if ep.span else 0
            uses += [Use(pop.table, c, r, line) for c, r in _condition_uses(pop.where)]
    uses += [Use(t, c, "any", line) for (t, c), line in _subject_uses(model) if t in real]
    for ep in model.endpoints:  # groups (issue 13): read as text
        g = ep.group
        if g is not None:
            uses += [Use(g.table, c, "text", g.span.line if g.span else 0) for c in g.columns]
    for s in value_series(model):  # value endpoints (issue 14)
        line = s.span.line if s.span else 0
        numbers = [s.column, s.lloq_column, s.sequence] + ([s.time] if s.origin is None else [])
        uses += [Use(s.table, c, "number", line) for c in numbers if c]
        uses += [Use(s.table, s.time, "date", line)] if s.origin is not None else []
        uses += [Use(s.table, s.unit_column, "text", line)] if s.unit_column else []
        uses += [Use(s.table, c, r, line) for c, r in _condition_uses(s.where) + _condition_uses(s.blq)]
    return uses


def _condition_uses(cond: m.Condition | None) -> list[tuple[str, str]]:
    match cond:
        case None:
            return []
        case m.Compare(column=c, literal=lit):
            return [(c, lit.kind)]
        case m.InList(column=c, literals=lits):
            return [(c, lit.kind) for lit in lits]
        case m.IsMissing(column=c):
            return [(c, "any")]
        case m.CompareColumns(column=c, other=o, kind=kind):
            reader = "any" if kind == "any" else kind
            return [(c, reader)] + ([(o.column, reader)] if o.table is None else [])
        case m.And(left=a, right=b) | m.Or(left=a, right=b):
            return _condition_uses(a) + _condition_uses(b)
        case m.Not(operand=a):
            return _condition_uses(a)
    raise TypeError(cond)


# ---- finer imputation (issue 12)
def _rule(ev: m.EventSource) -> str | None:
    """The imputation rule as data.datecheck reads it: "first", or "first day" (the day only)."""
    return f"{ev.impute} day" if ev.impute and ev.impute_day_only else ev.impute
