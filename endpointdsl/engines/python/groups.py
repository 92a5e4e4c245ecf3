"""Code generator, groups (issue 13, item 3): a grouped endpoint's values and its per-value call.

`derive_<PARAMCD>` stays the endpoint's usual function; `values_<PARAMCD>` gives the values
of a subject's rows, `group_<PARAMCD>` derives one value, and ENDPOINTS holds the
`Grouped` of the two (the runtime numbers the values over every subject).
"""

from __future__ import annotations

from ...check import model as m
from .emit import Writer, call, condition, ident, lit


def write_grouped(w: Writer, model: m.Model, ep: m.EndpointSpec) -> None:
    g = ep.group
    ev = model.event(g.event)
    line = ep.span.line if ep.span else 0
    w.line("")
    w.line("")
    w.line(f"def {ident('values_', ep.paramcd)}(subject):")
    w.indent()
    w.line(
        f'"""{ep.paramcd}: the values of {", ".join(g.columns)} on the {g.table} rows that {g.event} selects."""'
    )
    where = "None"
    if ev.where is not None:
        where = f"lambda row: {condition(ev.where)}"
    named = {"table": lit(g.table), "columns": lit(g.columns), "where": where}
    w.line(f"return {call('rg.group_values', 'subject', **named)}", g.span)
    w.dedent()
    w.line("")
    w.line("")
    w.line(f"def {ident('group_', ep.paramcd)}(subject, value):")
    w.indent()
    w.line(f'"""{ep.paramcd} for one value: the subject with only the {g.table} rows of that value."""')
    named = {"table": lit(g.table), "columns": lit(g.columns), "value": "value"}
    w.line(f"return {ident('derive_', ep.paramcd)}({call('rg.with_group', 'subject', **named)})", g.span)
    w.dedent()
    w.line("")
    w.line("")
    grouped = call(
        "rg.Grouped", code=lit(ep.paramcd), title=lit(ep.param), columns=lit(g.columns), event=lit(g.event),
        table=lit(g.table), where=lit(f"{model.file}:{line}"), values=ident("values_", ep.paramcd),
        derive=ident("group_", ep.paramcd),
    )  # fmt: skip
    w.line(f"{ident('grouped_', ep.paramcd)} = {grouped}", ep.span)
