"""Spark engine, stage 1: the SQL engine's DuckDB script to Spark SQL statements.

The script `engines/sql/generate.py` writes is parsed by sqlglot (DuckDB dialect),
rewritten on its syntax tree where the two dialects read a construct differently, and
written in Spark's dialect. Each rewrite below keeps DuckDB's meaning exactly:

- `arg_min_null(x, o)` / `arg_max_null(x, o)` (a missing x is returned as it is) ->
  `min_by(x, o)` / `max_by(x, o)`, which keep a missing x too (tests/test_spark_engine.py).
- `arg_min(x, o)` / `arg_max(x, o)`: DuckDB skips rows whose x is missing, Spark's
  `min_by` does not -> `min_by(x, CASE WHEN x IS NOT NULL THEN o END)` (Spark skips a
  missing ordering value, as DuckDB does).
- `LEAST(x)` / `GREATEST(x)` of one argument (Spark wants two or more) -> `x`.
- `list_sum(list(x ORDER BY k))` (value endpoints' sums of doubles, whose result depends
  on the order) -> `aggregate` over the group's (k, x) structs sorted, adding from 0 in
  that order as DuckDB does (`_ordered_sum`).
- `string_agg(DISTINCT x, sep ORDER BY x)` -> the sorted `collect_set` joined (`_distinct_join`).
- `to_seconds(t)` (a time of day in seconds, added to a date cast to TIMESTAMP) ->
  `make_dt_interval(0, 0, 0, t)`; sqlglot writes DuckDB's TIMESTAMP as Spark's zone-less
  TIMESTAMP_NTZ, and run.py sets the session to UTC (Spark formats through its zone).
- `CREATE TEMP TABLE t AS q` -> `CREATE OR REPLACE TEMPORARY VIEW t AS q` followed by
  `CACHE TABLE t` in the printed script (materialised once, as DuckDB's table, not
  recomputed by every reader); `run` materialises `q` itself (run.py).

A construct the rewrites do not cover is refused (`Untranslated`), never passed through:
sqlglot's own refusal (`unsupported_level=RAISE`) and a few known DuckDB-only functions.
sqlglot is imported here only (the optional `spark` extra).
"""

from __future__ import annotations

from attrs import frozen

# DuckDB functions with no Spark counterpart that keeps the generator's meaning exactly, and
# what they implement (ASOF joins are refused by their join kind).
_DUCKDB_ONLY = {}


class Untranslated(Exception):
    """A statement of the script that the Spark translation does not cover."""


@frozen
class Statement:
    """One Spark SQL statement: the view it creates (`name`), cached when DuckDB made a table."""

    sql: str
    name: str | None = None
    cache: bool = False
    query: str | None = None  # the view's query alone (the Spark engine materialises it)


def translate(script: str) -> tuple[Statement, ...]:
    """The Spark statements of a DuckDB script, in order (comments dropped)."""
    import sqlglot
    from sqlglot import exp

    out: list[Statement] = []
    for tree in sqlglot.parse(script, read="duckdb"):
        if tree is None or isinstance(tree, exp.Semicolon):  # comments between statements
            continue
        tree = tree.transform(_portable)
        _refuse_unknown(tree)
        name, cache, query = None, False, None
        if isinstance(tree, exp.Create):
            name, cache = tree.this.name, tree.args.get("kind", "").upper() == "TABLE"
            query = tree.expression
            tree.set("kind", "VIEW")
            tree.set("replace", True)
            _temporary(tree)
        for node in tree.walk():  # comments are the DuckDB script's; Spark reads them, we need not
            node.comments = None
        try:
            sql = tree.sql(dialect="spark", unsupported_level=sqlglot.ErrorLevel.RAISE)
            query = query.sql(dialect="spark", unsupported_level=sqlglot.ErrorLevel.RAISE) if query else None
        except sqlglot.errors.UnsupportedError as exc:
            raise Untranslated(str(exc).splitlines()[0]) from None
        out.append(Statement(sql, name, cache, query))
    return tuple(out)


def spark_script(statements: tuple[Statement, ...]) -> str:
    """The statements as one Spark SQL script (`compile --target spark`)."""
    lines = []
    for s in statements:
        lines.append(s.sql + ";")
        if s.cache:
            lines.append(f"CACHE TABLE `{s.name}`;")
    return "\n".join(lines) + "\n"


def _temporary(create) -> None:
    from sqlglot import exp

    props = create.args.get("properties")
    if props is None:
        create.set("properties", exp.Properties(expressions=[exp.TemporaryProperty()]))
    elif not any(isinstance(p, exp.TemporaryProperty) for p in props.expressions):
        props.append("expressions", exp.TemporaryProperty())


def _portable(node):
    """One node rewritten so that Spark reads it as DuckDB does (the module's list)."""
    from sqlglot import exp

    if isinstance(node, exp.Anonymous) and node.name.upper() in ("ARG_MIN_NULL", "ARG_MAX_NULL"):
        value, order = node.expressions
        kind = exp.ArgMin if node.name.upper() == "ARG_MIN_NULL" else exp.ArgMax
        out = kind(this=value, expression=order)
        out.meta["keeps_null"] = True
        return out
    if isinstance(node, exp.ArgMin | exp.ArgMax) and not node.meta.get("keeps_null"):
        value, order = node.this, node.expression
        guarded = exp.Case(
            ifs=[exp.If(this=exp.Not(this=exp.Is(this=value.copy(), expression=exp.Null())), true=order)]
        )
        out = type(node)(this=value, expression=guarded)
        out.meta["keeps_null"] = True
        return out
    if isinstance(node, exp.Least | exp.Greatest) and not node.expressions:
        return node.this
    if isinstance(node, exp.GroupConcat) and _distinct_in_own_order(node):
        return _distinct_join(node)
    if isinstance(node, exp.Anonymous) and node.name.upper() == "LIST_SUM":
        return _ordered_sum(node)
    if isinstance(node, exp.Anonymous) and node.name.upper() == "TO_SECONDS":
        (seconds,) = node.expressions
        zero = exp.Literal.number(0)
        return exp.Anonymous(this="make_dt_interval", expressions=[zero, zero.copy(), zero.copy(), seconds])
    return node


def _ordered_sum(node):
    """`list_sum(list(x ORDER BY k1, ...) [FILTER (WHERE c)])`: DuckDB adds the non-missing
    x one by one in that order, from 0 (no Kahan: 1e16 + 1 + 1 is 1e16), NULL when there is
    none. Spark: the (k1 missing, k1, ..., x) structs of the group sorted (a missing key last,
    as DuckDB's ASC NULLS LAST), then `aggregate` folds them in that order the same way."""
    import sqlglot
    from sqlglot import exp

    (arg,) = node.expressions
    where = None
    if isinstance(arg, exp.Filter):
        arg, where = arg.this, arg.expression
    order = arg.this if isinstance(arg, exp.ArrayAgg) else None
    if not isinstance(order, exp.Order) or any(
        o.args.get("desc") or o.args.get("nulls_first") for o in order.expressions
    ):
        raise Untranslated("a sum of a list (list_sum) not in ascending order is not translated to Spark")

    def spark(e) -> str:
        return e.transform(_portable).sql(dialect="spark", unsupported_level=sqlglot.ErrorLevel.RAISE)

    fields = []
    for i, o in enumerate(order.expressions):
        fields.append(f"{spark(o.this)} IS NULL AS n{i}, {spark(o.this)} AS k{i}")
    fields.append(f"{spark(order.this)} AS x")
    items = f"COLLECT_LIST(STRUCT({', '.join(fields)}))"
    if where is not None:
        items += f" FILTER ({spark(where)})"
    return sqlglot.parse_one(
        f"AGGREGATE(ARRAY_SORT({items}), STRUCT(FALSE AS n, CAST(0 AS DOUBLE) AS s), "
        "(acc, e) -> STRUCT(acc.n OR e.x IS NOT NULL AS n, CASE WHEN e.x IS NULL THEN acc.s ELSE acc.s + e.x END AS s), "
        "acc -> CASE WHEN acc.n THEN acc.s END)",
        read="spark",
    )


def _distinct_in_own_order(node) -> bool:
    from sqlglot import exp

    order = node.this
    if not isinstance(order, exp.Order) or not isinstance(order.this, exp.Distinct):
        return False
    (value,) = order.this.expressions
    (key,) = order.expressions
    return key.this == value and not key.args.get("desc") and not key.args.get("nulls_first")


def _distinct_join(node):
    """`string_agg(DISTINCT x, sep ORDER BY x)` (the units a value endpoint saw): Spark 4.3's
    LISTAGG(DISTINCT ...) WITHIN GROUP fails beside a COUNT(DISTINCT x) of the same query (a
    ClassCastException in planning) -> the sorted set joined, NULL when there is no x."""
    import sqlglot

    (value,) = node.this.this.expressions
    value = value.transform(_portable).sql(dialect="spark")
    sep = node.args["separator"].sql(dialect="spark")
    return sqlglot.parse_one(
        f"CASE WHEN SIZE(COLLECT_SET({value})) > 0 THEN ARRAY_JOIN(ARRAY_SORT(COLLECT_SET({value})), {sep}) END",
        read="spark",
    )


def _refuse_unknown(tree) -> None:
    from sqlglot import exp

    for node in tree.walk():
        kinds = (node.args.get(k) for k in ("method", "kind", "side")) if isinstance(node, exp.Join) else ()
        if any("ASOF" in str(k or "").upper() for k in kinds):
            raise Untranslated(
                "confirmed events (the next later date: an ASOF join) are not translated to Spark yet"
            )
        if isinstance(node, exp.Anonymous) and node.name.upper() in _DUCKDB_ONLY:
            raise Untranslated(_DUCKDB_ONLY[node.name.upper()])
        if isinstance(node, exp.ArrayAgg) and _ordered(node):  # Spark's collect_list keeps no order
            raise Untranslated("an ordered list aggregate (list ... ORDER BY) is not translated to Spark yet")


def _ordered(node) -> bool:
    from sqlglot import exp

    return any(isinstance(n, exp.Order) for n in node.walk())
