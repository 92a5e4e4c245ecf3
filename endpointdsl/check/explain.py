"""explain (issue 15): what a checked endpoint does, in the SAP's words, from the model alone.

`explain(model)` gives one `Explanation` per endpoint: paragraphs (origin, events, censoring
in order, end of observation, population, AVAL rule; criteria and confirmation for
responses) and the **outcome table**: one row per outcome the definition can give, each
with a key, its situation, date, CNSR, EVNTDESC and CNSDTDSC, enumerated from the model's
branches, and each row's reachability decided from the model (an analysis of the model, not
of data). Subjects without a record have their own rows (`excluded`).

Row keys are what the trace (engines/reference/trace.py) names as the row that decided a
subject: `E1`.. (the listed and competing events, in order; with a missed-assessment rule
`E1.0` when no assessment precedes the event, `E1.1` when one does), `M.0`, `M.1` (the
event censored by the missed-assessment rule, at the origin or at the last assessment), `R1`.. (censoring rules; `R2.1`, `R2.2` for the choices of a `latest of` rule),
`R1>B2` (rule 1's date lies after the end of observation, so the record is censored at
the end set by bound 2: `ascertainment: continuous`), `B2` (bound 2's declared outcome,
listed only when no `R>B2` row can use it), `C:<AVALC>` (response and incidence
endpoints) and `X:population`, `X:origin`, `X:before-origin`, `X:no-rule`,
`X:not-evaluable`, `X:window`, `X:no-time` (exclusions).

The dispatch is on the endpoint's kind (`EXPLAINERS`): a new kind of endpoint adds its own.
One module a kind: `explain_tte`, `explain_response` (best, landmark, incidence, and what
the kinds without an explainer of their own are told), `explain_extreme`, `explain_value`;
`explain_words` holds the shape of an explanation and the words they share, and this
module the dispatch. `Row`, `Explanation` and the words stay importable from here.
"""

from __future__ import annotations

from attrs import evolve

from . import model as m
from .explain_extreme import extreme
from .explain_response import occurrence, other, response
from .explain_tte import tte
from .explain_value import value
from .explain_words import Explanation, Row, condition, date_words, event_source, literal, name, number

# what other modules and users import from here (the definitions are in the parts)
__all__ = [
    "EXPLAINERS", "Explanation", "Row", "condition", "date_words", "event_source", "explain", "literal",
    "name", "number",
]  # fmt: skip


def explain(model: m.Model, only: str | None = None) -> list[Explanation]:
    """Every endpoint's explanation (or only the endpoint `only`), in file order."""
    out = []
    for ep in model.endpoints:
        if only not in (None, ep.paramcd):
            continue
        got = EXPLAINERS.get(ep.kind, other)(model, ep)
        sources = tuple(event_source(model, model.event(e)) for e in model.read_events(ep))
        out.append(evolve(got, paragraphs=(*got.paragraphs, ("Sources", sources))))
    return out


# The explainer of each kind of endpoint (EndpointSpec.kind); a new kind adds its own here.
EXPLAINERS = {
    "tte": tte, "best": response, "landmark": response, "occurrence": occurrence,
    "extreme": extreme, "value": value,
}  # fmt: skip
