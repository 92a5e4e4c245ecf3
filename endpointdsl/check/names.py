"""Names: names that differ only in case (E103, E105).

The SQL engine runs in DuckDB, whose identifiers ignore case, and table files are found
in any case (`adsl.csv`, `ADSL.XPT`): `event death` beside `event DEATH`, or the columns
`DTHDT` and `dthdt` of one table, would be one name there and two in the Python engines.
Such files are rejected, so that every engine reads the same thing.
"""

from __future__ import annotations

from ..language import nodes as n
from ..language.diagnostics import Span
from .scope import Scope

HINT = "the SQL engine (DuckDB) and table file names ignore letter case; rename one"


def check_names(c: Scope) -> None:
    """E103 for definitions, E105 for the columns of one table."""
    _definitions(c)
    _columns(c)


def _definitions(c: Scope) -> None:
    # Tables, events, populations and schedules share one namespace (E101); endpoint codes
    # share one with tables (an endpoint's rows are read as a table named by its PARAMCD).
    names: dict[str, n.Ident] = {}
    tables: dict[str, n.Ident] = {}
    for item in c.program.items:
        if isinstance(item, n.Endpoint):
            _clash(c, tables, item.paramcd)
            continue
        if isinstance(item, (n.KeepDef, n.DatasetDef)):  # adam: they declare no name
            continue
        _clash(c, names, item.name)
        if isinstance(item, n.Table):  # a clash of two tables is reported once, above
            _clash(c, tables, item.name, report=False)


def _clash(c: Scope, seen: dict[str, n.Ident], ident: n.Ident, report: bool = True) -> None:
    first = seen.setdefault(ident.text.lower(), ident)
    if report and first.text != ident.text:
        where = f" (line {first.span.line})" if first.span else ""
        c.error("E103", f"'{ident.text}' and '{first.text}'{where} differ only in case", ident.span, HINT)


def _columns(c: Scope) -> None:
    """Every column the file reads from one table, in one spelling."""
    spellings: dict[tuple[str, str], n.Ident] = {}

    def use(table: str, column: n.Ident) -> None:
        first = spellings.setdefault((table, column.text.lower()), column)
        if first.text != column.text:
            where = f" (line {first.span.line})" if first.span else ""
            c.error(
                "E105", f"column '{column.text}' of table {table} is also written '{first.text}'{where}",
                column.span, "the SQL engine (DuckDB) ignores letter case in column names; write one spelling",
            )  # fmt: skip

    for table in c.tables.values():
        use(table.name.text, table.key or n.Ident("USUBJID", span=table.span or Span.unknown(c.program.file)))
    for item in c.program.items:
        if isinstance(item, n.EventDef) and item.table.text in c.tables:  # in the order written
            for column in (item.column, *_condition_columns(item.where), item.response, item.sequence):
                if column is not None:
                    use(item.table.text, column)
        for population in _populations(item):
            if isinstance(population, n.TableWhere) and population.table.text in c.tables:
                for column in _condition_columns(population.where):
                    use(population.table.text, column)
        # issue 12: conditions comparing with another column of the row or of adsl
        row_table = item.table.text if isinstance(item, n.EventDef) else None
        conds = [(row_table, item.where)] if isinstance(item, n.EventDef) else []
        conds += [(p.table.text, p.where) for p in _populations(item) if isinstance(p, n.TableWhere)]
        for table, cond in conds:
            for other_table, column in _other_columns(cond, table):
                if other_table in c.tables and not (other_table == table and column.text in c.events):
                    use(other_table, column)


def _populations(item: n.Item):
    if isinstance(item, n.PopulationDef):
        yield item.population
    elif isinstance(item, n.Endpoint):
        yield from (clause.population for clause in item.clauses if isinstance(clause, n.AmongInline))


def _condition_columns(cond: n.Condition | None):
    match cond:
        case None:
            return
        case n.And(left=a, right=b) | n.Or(left=a, right=b):
            yield from _condition_columns(a)
            yield from _condition_columns(b)
        case n.Not(operand=a):
            yield from _condition_columns(a)
        case _:
            yield cond.column


def _other_columns(cond: n.Condition | None, table: str | None):
    """(table, column) of the cells that comparisons read on their right side."""
    match cond:
        case None:
            return
        case n.And(left=a, right=b) | n.Or(left=a, right=b):
            yield from _other_columns(a, table)
            yield from _other_columns(b, table)
        case n.Not(operand=a):
            yield from _other_columns(a, table)
        case n.Compare(operand=n.NameOperand(ident=ident)):
            yield table, ident
        case n.CompareTo(value=n.OtherValue(base=n.NameOperand(ident=ident))):
            yield table, ident
        case n.CompareTo(value=n.OtherValue(base=n.ColumnOf(table=t, column=ident))):
            yield t.text, ident
