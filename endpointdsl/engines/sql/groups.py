"""SQL engine, groups (issue 13, item 3; docs/semantics.md section 10): one parameter per value.

Set-based in two passes. The file's script (`write_groups`) finds the values: `grp_<P>`
holds each distinct value of the grouped columns on the rows the grouped event's
condition selects, of subjects of the subject-level table, with a number `g`; it then
builds, for every table, `gsrc_<P>_<table>`: the typed rows keyed by (value, subject),
written `g:key` (g is digits, so the first colon ends it). Every table is crossed with the
values, but the grouped event's table, whose rows go to the value they hold. The second
pass (`run_grouped`) runs the endpoint's usual statements on those relations in their
own connection: a subject of each value is a subject, and the derivation is the usual
one, grouped by (subject, value). The results are relabelled with the parameters that
`data.groups.name_groups` names.
"""

from __future__ import annotations

import attrs
import pyarrow as pa

from ...check import model as m
from ...data.groups import GroupParam, name_groups, no_parameter_reason
from .derived import upstream
from .writer import SqlWriter, col, condition, event_closure, ident, text


def value_columns(g: m.GroupBy) -> list[str]:
    return [f"v{i}" for i in range(1, len(g.columns) + 1)]


def composite_tables(model: m.Model, ep: m.EndpointSpec) -> list[str]:
    """The tables crossed with the values: the subject-level table, those the endpoint's
    events read and its population's (the others are given without rows: the endpoint reads
    nothing of them)."""
    # with the endpoints whose rows it reads (semantics 6.5): derived again in the second pass
    eps = [*(model.endpoint(code) for code in upstream(model, ep)), ep]
    closure = event_closure(model, [e for x in eps for e in m.event_names(x)])
    read = {model.event(e).table for e in closure if not model.event(e).derived}
    read |= {x.population.table for x in eps if x.population.kind == "where"}  # `among adae where ...`
    return [t.name for t in model.tables if t.per_subject or t.name in read]


def write_groups(model: m.Model, w: SqlWriter, needs: dict, ep: m.EndpointSpec) -> None:
    g = ep.group
    ev = model.event(g.event)
    code = ep.paramcd
    t_needs = needs.setdefault(g.table, set())
    where = condition(ev.where, "t", t_needs) if ev.where is not None else "TRUE"
    for c in g.columns:
        t_needs.add((c, "text"))
    values = value_columns(g)
    cells = ", ".join(f"{col('t', c, 'text')} AS {v}" for c, v in zip(g.columns, values, strict=True))
    order = ", ".join(f"{v} NULLS LAST" for v in values)
    grp = ident("grp_" + code)
    w.line("")
    w.line(
        f"-- {code}: one parameter per value of {', '.join(g.columns)} on the {g.table} rows of {g.event}",
        g.span,
    )
    w.line(f"CREATE OR REPLACE TEMP TABLE {grp} AS")
    w.line(f"SELECT row_number() OVER (ORDER BY {order}) AS g, * FROM (")
    w.line(f"    SELECT DISTINCT {cells} FROM {ident('src_' + g.table)} AS t")
    w.line(f"    WHERE t.__key IN (SELECT key FROM subject_rows) AND ({where})", ev.span)
    w.line(");")
    key = "CAST(v.g AS VARCHAR) || ':' || s.__key AS __key"
    for table in composite_tables(model, ep):
        w.line(f"-- {code}: {table} rows keyed by value and subject (g:key)")
        w.line(f"CREATE OR REPLACE TEMP TABLE {ident(f'gsrc_{code}_{table}')} AS")
        w.line(f"SELECT {key}, s.* EXCLUDE (__key) FROM {ident('src_' + table)} AS s")
        if table == g.table:  # the grouped event's rows go to the value they hold
            same = " AND ".join(
                f"{col('s', c, 'text')} IS NOT DISTINCT FROM v.{v}"
                for c, v in zip(g.columns, values, strict=True)
            )
            w.line(f"JOIN {grp} AS v ON {same}")
        else:
            w.line(f"CROSS JOIN {grp} AS v")
        w.line("WHERE s.__key IS NOT NULL;")


def ungrouped(model: m.Model, code: str) -> m.Model:
    """The model with the endpoint `code` alone and ungrouped: the second pass's."""
    ep = attrs.evolve(model.endpoint(code), group=None)
    # and the endpoints whose rows it reads, which the second pass derives first (not output)
    return attrs.evolve(model, endpoints=(*(model.endpoint(c) for c in upstream(model, ep)), ep))


def params(con, ep: m.EndpointSpec, where: str) -> tuple[list[GroupParam], pa.Table]:
    """The parameters of the values the script found, and (g, PARAMCD, PARAM, PARCAT...) for
    relabelling: named by data.groups (which also refuses a run whose names would not fit)."""
    g = ep.group
    values = value_columns(g)
    found = con.sql(f"SELECT g, {', '.join(values)} FROM {ident('grp_' + ep.paramcd)}").fetchall()
    number = {tuple(row[1:]): row[0] for row in found}
    named = name_groups(ep.paramcd, ep.param, g.columns, number, where)
    labels = {
        "g": pa.array([number[p.value] for p in named], pa.int64()),
        "paramcd": pa.array([p.paramcd for p in named], pa.string()),
        "param": pa.array([p.param for p in named], pa.string()),
    }
    for i, v in enumerate(values):
        labels[v] = pa.array([p.value[i] for p in named], pa.string())
    return named, pa.table(labels)


def relabel_queries(ep: m.EndpointSpec, columns: list[str]) -> tuple[str, str]:
    """The second pass's adtte and report with subjects, PARAMCD, PARAM and PARCAT of the
    parameters (`labels`); the report without the file-level rows (the first pass has them)."""
    values = value_columns(ep.group)
    split = "CAST(substr(a.USUBJID, 1, strpos(a.USUBJID, ':') - 1) AS BIGINT)"
    subject = "substr(a.USUBJID, strpos(a.USUBJID, ':') + 1)"
    picked = []
    for c in columns:
        if c == "USUBJID":
            picked.append(f"{subject} AS USUBJID")
        elif c in ("PARAMCD", "PARAM"):
            picked.append(f"l.{c.lower()} AS {c}")
        elif c.startswith("PARCAT"):
            i = int(c[len("PARCAT") :]) - 1
            picked.append(f"l.{values[i]} AS {c}" if i < len(values) else f"CAST(NULL AS VARCHAR) AS {c}")
        else:
            picked.append(f"a.{c}")
    adtte = f"SELECT {', '.join(picked)} FROM adtte AS a JOIN labels AS l ON l.g = {split}"
    report = (
        f"SELECT {subject} AS USUBJID, l.paramcd AS PARAMCD, a.STATUS, a.MESSAGE FROM report AS a "
        f"JOIN labels AS l ON l.g = {split} WHERE a.PARAMCD IS NOT NULL AND a.USUBJID IS NOT NULL"
    )
    return adtte, report


def no_parameter_query(ep: m.EndpointSpec, subject_table: str) -> str:
    """A grouped endpoint without any value: every subject excluded, as data.groups.expand."""
    g = ep.group
    reason = text(no_parameter_reason(g.event, g.table))
    duplicate = f"{text('duplicate subject: ')} || CAST(n AS VARCHAR) || {text(f' rows in {subject_table}')}"
    return (
        f"SELECT key AS USUBJID, {text(ep.paramcd)} AS PARAMCD, 'excluded' AS STATUS, "
        f"CASE WHEN n = 1 THEN {reason} ELSE {duplicate} END AS MESSAGE FROM subject_rows"
    )
