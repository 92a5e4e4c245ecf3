"""Checker, groups (issue 13, item 3): `for each COLUMN[, COLUMN] of EVENT` (codes E280-E287).

One parameter per value of the grouped event's column(s), as admiral's `by_vars`. The value
set is known only from the data; what can be checked without it is checked here: the
endpoint's code leaves room for the number, the event is the one the endpoint counts, it
reads rows of a many-rows-per-subject table that no other event of the endpoint reads.
"""

from __future__ import annotations

from ..language import nodes as n
from . import model as m

MAX_COLUMNS = 2  # PARCAT1 and PARCAT2


def group_spec(checker, clause: n.GroupBy | None, events, response) -> m.GroupBy | None:
    """The endpoint's grouping from its `for each` clause (None without one)."""
    if clause is None:
        return None
    ep, scope = checker.ep, checker.scope
    code = ep.paramcd.text
    ok = True
    if len(code) > m.GROUP_PREFIX_MAX:
        checker.error(
            "E280", f"endpoint {code} makes one parameter per value, and its code leaves no room for the number",
            ep.paramcd.span,
            f"PARAMCD is the code followed by the value's number, 8 characters in all: "
            f"shorten {code} to at most {m.GROUP_PREFIX_MAX} characters",
        )  # fmt: skip
    columns = [c.text for c in clause.columns]
    if len(columns) > MAX_COLUMNS:
        checker.error(
            "E284", f"`for each` takes one or two columns, not {len(columns)}", clause.columns[2].span,
            "the values of the first go to PARCAT1, those of the second to PARCAT2",
        )  # fmt: skip
        ok = False
    for i, c in enumerate(clause.columns):
        if c.text in columns[:i]:
            checker.error("E284", f"column {c.text} is given twice in `for each`", c.span, "name it once")
            ok = False
    if response is not None and response.kind != "occurrence":
        checker.error(
            "E282", "`for each` is for time-to-event and incidence endpoints", clause.span,
            "a best or landmark response is one category per subject; group an `occurrence of` "
            "endpoint or a time-to-event endpoint instead",
        )  # fmt: skip
        return None
    name = clause.event.text
    if not checker.known_event(clause.event):
        return None
    counted = [response.event] if response is not None else [t.event for t in events]
    if name not in counted:
        what = "its `occurrence of` event" if response is not None else "one of its `to` events"
        checker.error(
            "E281", f"`for each` groups {name}, which endpoint {code} does not count",
            clause.event.span,
            f"the grouped event is {what}" + (f": {', '.join(counted)}" if counted else ""),
        )  # fmt: skip
        return None
    node = scope.events[name]
    table = scope.tables.get(node.table.text) if isinstance(node, n.EventDef) else None
    if isinstance(node, n.EventDef) and table is None and node.table.text not in scope.endpoint_nodes:
        return None  # an unknown table: reported where the event is declared
    if not isinstance(node, n.EventDef) or table is None or table.per_subject:
        what = (
            "reads another endpoint's rows" if isinstance(node, n.EventDef) and table is None
            else "reads a one-row-per-subject table" if isinstance(node, n.EventDef)
            else "is a derived date" if isinstance(node, n.DateDef) else "is a confirmed event"
        )  # fmt: skip
        checker.error(
            "E283", f"`for each` groups {name}, which {what}", clause.event.span,
            "group an event on the rows of a `many rows per subject` table (e.g. adae)",
        )  # fmt: skip
        return None
    if not ok:
        return None
    return m.GroupBy(name, table.name.text, tuple(columns), span=clause.span)


def _read_events(ep: m.EndpointSpec, by_name: dict, by_code: dict) -> list[tuple[str, bool]]:
    """(event, read through another endpoint's rows) of every event the endpoint reads, at any
    depth: those its derived dates, confirmed events and imputation bounds read, and those of
    the endpoints whose rows it reads; names that are not declared are left out (reported
    where they are used)."""
    out: list[tuple[str, bool]] = []
    todo = [(x, False) for x in m.event_names(ep) if x in by_name]
    while todo:
        item = todo.pop(0)
        if item in out:
            continue
        out.append(item)
        name, through = item
        ev = by_name[name]
        reads = [
            *m.date_events(ev.date),
            *(ev.confirm.reads() if ev.confirm else ()),
            *ev.not_before,
            *ev.not_after,
        ]
        todo += [(x, through) for x in reads if x in by_name]
        if ev.derived and ev.table in by_code:  # another endpoint's rows: what that endpoint reads
            todo += [(x, True) for x in m.event_names(by_code[ev.table]) if x in by_name]
    return out


def check_groups(checker, endpoints: list[m.EndpointSpec], events: tuple[m.EventSource, ...]) -> None:
    """File-level checks of grouped endpoints: what they read besides the grouped event,
    who reads them, and codes that could clash with theirs."""
    by_name = {e.name: e for e in events}
    by_code = {ep.paramcd: ep for ep in endpoints}
    for ep in endpoints:
        g = ep.group
        if g is None:
            continue
        for name, through in _read_events(ep, by_name, by_code):
            ev = by_name[name]  # the grouped event itself too, when another endpoint reads it
            if (name != g.event or through) and ev.table == g.table:
                checker.error(
                    "E285", f"{name} reads {g.table}, the table of the grouped event {g.event}", g.span,
                    f"each parameter sees only the {g.table} rows of its value; give {name} "
                    f"its own table, or derive it in an endpoint without `for each`",
                )  # fmt: skip
                break
        read = _read_events(ep, by_name, by_code)
        upstream = [
            by_code[by_name[x].table] for x, _ in read if by_name[x].derived and by_name[x].table in by_code
        ]
        if any(e.population.kind == "where" and e.population.table == g.table for e in [ep, *upstream]):
            checker.error(
                "E285", f"the population reads {g.table}, the table of the grouped event {g.event}", g.span,
                f"each parameter sees only the {g.table} rows of its value; define the population "
                f"on another table, or with `subjects with` an event",
            )  # fmt: skip
        for other in events:
            if other.derived and other.table == ep.paramcd:
                checker.error(
                    "E286", f"event {other.name} reads the rows of {ep.paramcd}, which makes one parameter per value",
                    other.span, "read the rows of an endpoint without `for each`",
                )  # fmt: skip
        width = 8 - len(ep.paramcd)
        for other in endpoints:
            # another code that is one of this one's, or a grouped one whose numbers may meet
            code, rest = other.paramcd, other.paramcd[len(ep.paramcd) :]
            if other is ep or not code.startswith(ep.paramcd) or not rest.isdigit():
                continue
            if len(rest) == width or other.group is not None:
                checker.error(
                    "E287", f"endpoint {code} has a code that {ep.paramcd}'s parameters may take", g.span,
                    f"the parameters of {ep.paramcd} are {ep.paramcd}{'0' * (width - 1)}1, ...; rename one",
                )  # fmt: skip
