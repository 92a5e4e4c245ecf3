"""explain (issue 19): a `worst of|best of|first of` endpoint (docs/semantics.md 6.8)."""

from __future__ import annotations

from attrs import evolve

from . import model as m
from .explain_response import RESPONSE_COLUMNS, response_common, response_exclusions
from .explain_words import Explanation, Row, condition, excluded, name, number

# ---- worst of | best of | first of (issue 19; docs/semantics.md 6.8) ----------------------


def _outcome_rows(model: m.Model, event: str) -> str:
    """An outcome's event: `E has C` is an event of its own (E's rows where C also holds),
    shown by the event it is made from and its whole condition."""
    src = model.event(event)
    if src.shown is None or src.shown == event or src.where is None:
        return name(model, event)
    return f"{src.shown} row where {condition(src.where)}"


def _outcome_test(model: m.Model, o: m.ExtremeOutcome) -> str:
    if o.every is not None:
        return (
            f"every {name(model, o.every)} in the window is a {_outcome_rows(model, o.event)} (at least one)"
        )
    return f"some {_outcome_rows(model, o.event)} in the window"


def extreme(model: m.Model, ep: m.EndpointSpec) -> Explanation:
    x = ep.response.extreme
    paras = response_common(model, ep)
    if x.head == "first":
        rule = ["The outcome whose row is earliest wins (a same-day tie: the outcome listed first)."]
    else:
        rule = [f"{x.head.capitalize()} of the outcomes: the first listed that holds wins."]
    order = f"the number in {x.by} (rows without one last)" if x.by else "date, then sequence"
    if x.head != "first":
        rule.append(f"Its {x.pick} row by {order} dates the result (ADT, SRCDOM/SRCVAR/SRCSEQ).")
    rule.append(
        "Rows before the origin are reported and not used; rows after the end of observation are not used."
    )
    for i, o in enumerate(x.outcomes, 1):
        code = f" (AVAL {number(o.aval)})" if o.aval is not None else " (no AVAL)"
        rule.append(f"{i}. {o.avalc}{code} when {_outcome_test(model, o)}.")
    if x.otherwise is not None:
        code = f" (AVAL {number(x.otherwise_aval)})" if x.otherwise_aval is not None else ""
        rule.append(f"Otherwise: {x.otherwise}{code}, without a date.")
    else:
        rule.append("A subject for whom no outcome holds is excluded and reported.")
    paras.append(("Outcomes", tuple(rule)))
    rows: list[Row] = []
    situations: dict[str, list[str]] = {}
    codes: dict[str, str] = {}
    for o in x.outcomes:  # one row per AVALC: several outcomes may give one category
        situations.setdefault(o.avalc, []).append(_outcome_test(model, o))
        codes.setdefault(o.avalc, number(o.aval) if o.aval is not None else "")
    for avalc, tests in situations.items():
        rows.append(Row(f"C:{avalc}", "; or ".join(tests), "the winning row", avalc, codes[avalc], ""))
    if x.otherwise is not None:
        aval = number(x.otherwise_aval) if x.otherwise_aval is not None else ""
        if x.otherwise in situations:
            rows = [evolve(r, situation=r.situation + "; or no outcome holds") if r.key == f"C:{x.otherwise}" else r
                    for r in rows]  # fmt: skip
        else:
            rows.append(Row(f"C:{x.otherwise}", "No outcome holds", "", x.otherwise, aval, ""))
    else:
        rows.append(
            excluded("X:no-rule", "No outcome holds", "no outcome holds, and the endpoint has no `otherwise`")
        )
    rows += response_exclusions(model, ep)
    return Explanation(ep.paramcd, ep.param, ep.kind, tuple(paras), tuple(rows), RESPONSE_COLUMNS)
