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
- `a AS e ASOF [LEFT] JOIN r ON r.k = e.k AND r.d >= e.x` (confirmed events) -> the
  nearest r.d by a correlated scalar subquery on `e`, then r joined on (k, that date)
  (`_asof`; exact as r has one row per (k, d)).
- `to_seconds(t)` (a time of day in seconds, added to a date cast to TIMESTAMP) ->
  `make_dt_interval(0, 0, 0, t)`; sqlglot writes DuckDB's TIMESTAMP as Spark's zone-less
  TIMESTAMP_NTZ, and run.py sets the session to UTC (Spark formats through its zone).
- `CREATE TEMP TABLE t AS q` -> `CREATE OR REPLACE TEMPORARY VIEW t AS q` followed by
  `CACHE TABLE t` in the printed script (materialised once, as DuckDB's table, not
  recomputed by every reader); `run` materialises `q` itself (run.py).

A construct the rewrites do not cover is refused (`Untranslated`), never passed through:
sqlglot's own refusal (`unsupported_level=RAISE`), an ASOF join of another shape, an
ordered list aggregate other than a sum.
sqlglot is imported here only (the optional `spark` extra).
"""

from __future__ import annotations

from attrs import frozen


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
        tree = tree.transform(_portable).transform(_asof)
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


def _asof(node):
    """`FROM a AS e ASOF [LEFT] JOIN r ON r.k = e.k AND r.d >= e.x` (confirm.py: the first
    confirming date far enough, the first breaking date, the next assessment date): the
    nearest r.d of e's group, found by a scalar subquery (`min` for >= and >, `max` for <=
    and <), then r's row joined on (k, that date) [LEFT when the ASOF join is]. Exact when
    r has one row per (k, d), as the generator's right sides have (DISTINCT key, d; the
    series `r`, one row per assessment date): DuckDB would pick one of several at random."""
    from sqlglot import exp

    if not isinstance(node, exp.Select):
        return node
    joins = node.args.get("joins") or []
    if not any(str(j.args.get("method") or "").upper() == "ASOF" for j in joins):
        return node
    source = node.args["from_"].this
    left = source.alias_or_name
    if not all(str(j.args.get("method") or "").upper() == "ASOF" for j in joins):
        raise Untranslated("an ASOF join beside another join is not translated to Spark")
    nearest, out = [], []
    for i, j in enumerate(joins):
        right = j.this.alias_or_name
        keys, bound = [], None
        for c in _conjuncts(j.args["on"]):
            sides = {t.table for t in c.find_all(exp.Column)}
            if isinstance(c, exp.EQ) and sides == {right, left}:
                keys.append(c)
            elif (
                isinstance(c, exp.GTE | exp.GT | exp.LTE | exp.LT) and bound is None and c.this.table == right
            ):
                bound = c
            else:
                raise Untranslated(f"an ASOF join condition is not translated to Spark: {c.sql()}")
        if bound is None:
            raise Untranslated("an ASOF join without an inequality is not translated to Spark")
        name = f"__asof{i}"
        inner = j.this.copy()
        inner.set("alias", exp.TableAlias(this=exp.to_identifier("__x")))
        where = [_retable(c, right, "__x") for c in (*keys, bound)]
        agg = exp.Min if isinstance(bound, exp.GTE | exp.GT) else exp.Max
        pick = exp.select(agg(this=exp.column(bound.this.name, "__x"))).from_(inner).where(*where)
        nearest.append(exp.alias_(exp.Subquery(this=pick), name))
        on = exp.and_(
            *[k.copy() for k in keys], exp.EQ(this=bound.this.copy(), expression=exp.column(name, left))
        )
        out.append(exp.Join(this=j.this.copy(), on=on, side="LEFT" if j.args.get("side") else None))
    if any(isinstance(p, exp.Star) or (isinstance(p, exp.Column) and p.is_star) for p in node.expressions):
        raise Untranslated("an ASOF join under SELECT * is not translated to Spark")  # would show __asof
    every = exp.Column(this=exp.Star(), table=exp.to_identifier(left))
    wrapped = exp.select(every, *nearest).from_(source.copy())
    node = node.copy()
    node.set(
        "from_", exp.From(this=exp.Subquery(this=wrapped, alias=exp.TableAlias(this=exp.to_identifier(left))))
    )
    node.set("joins", out)
    return node


def _conjuncts(cond):
    from sqlglot import exp

    if isinstance(cond, exp.And):
        return [*_conjuncts(cond.this), *_conjuncts(cond.expression)]
    if isinstance(cond, exp.Paren):
        return _conjuncts(cond.this)
    return [cond]


def _retable(cond, old: str, new: str):
    """`cond` with the columns of table `old` read from `new`."""
    from sqlglot import exp

    def swap(n):
        if isinstance(n, exp.Column) and n.table == old:
            return exp.column(n.name, new)
        return n

    return cond.copy().transform(swap)


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
            raise Untranslated("an ASOF join the rewrite (`_asof`) does not cover")
        if isinstance(node, exp.ArrayAgg) and _ordered(node):  # Spark's collect_list keeps no order
            raise Untranslated("an ordered list aggregate (list ... ORDER BY) is not translated to Spark yet")


def _ordered(node) -> bool:
    from sqlglot import exp

    return any(isinstance(n, exp.Order) for n in node.walk())
