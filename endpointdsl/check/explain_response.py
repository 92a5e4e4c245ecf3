"""explain (issue 15): response and incidence endpoints (best overall, landmark, occurrence),
what every such kind shares (population, origin, observation; the exclusion rows), and
the words for a kind without an explainer of its own.
"""

from __future__ import annotations

from . import model as m
from .explain_words import (
    Explanation,
    Row,
    bound,
    cutoff_exclusion,
    excluded,
    name,
    number,
    origin,
    origin_exclusion,
    population,
    population_exclusion,
)

# ---- responses and incidence -------------------------------------------------------------


def _criteria(r: m.ResponseSpec) -> tuple[str, tuple[str, ...]]:
    if r.criteria is None:
        return "RECIST 1.1", m.RESPONSES
    return r.criteria.title, r.criteria.names


def _codes(r: m.ResponseSpec) -> dict:
    if r.criteria is None:
        return dict(m.AVAL_CODES)
    codes = {c.name: c.aval for c in r.criteria.categories}
    codes.update({"MISSING": r.criteria.missing_aval, "Y": 1, "N": 0})
    return codes


def _window(model: m.Model, b: m.WindowBound | None) -> str:
    if b is None:
        return "?"
    if b.shown is not None:
        return b.shown
    return f"day {b.day}" if b.event is None else f"the date of {name(model, b.event)}"


def response_common(model: m.Model, ep: m.EndpointSpec) -> list[tuple[str, tuple[str, ...]]]:
    paras = [("Population", tuple(population(model, ep))), ("Origin", tuple(origin(model, ep)))]
    if ep.bounds:
        obs = ["End of observation: the earliest of the following."]
        obs += [f"{i}. {bound(model, b)}" for i, b in enumerate(ep.bounds, 1)]
        paras.append(("Observation", tuple(obs)))
    return paras


def response(model: m.Model, ep: m.EndpointSpec) -> Explanation:
    r = ep.response
    title, names = _criteria(r)
    codes = _codes(r)
    paras = response_common(model, ep)
    src = model.event(r.event)
    visits = [
        f"Assessments: {name(model, r.event)} ({src.table}.{src.column}, response {src.response}), from the origin "
        f"to the end of observation; {title} categories: {', '.join(names)}.",
        "Several assessments on one date make one visit with the worst response. An assessment with a "
        "response that is not a category is reported and not used.",
    ]
    if r.before_origin == "count":  # bor (issue 19): admiralonco's choices, said as they apply
        visits.append("Assessments before the origin are used (`before origin: count`).")
    else:
        visits.append("An assessment before the origin is reported and not used.")
    visits.append(f"Progressive disease cut-off: {r.progression_cutoff}.")
    if r.criteria is not None:  # criteria (issue 13): each category's role and confirmation
        for c in r.criteria.categories:
            if not c.confirmed_by:
                continue
            rule = f"{c.name} is confirmed by a later {' or '.join(c.confirmed_by)}"
            rule += f", with only {' or '.join(c.between)} between" if c.between else ""
            rule += ", at the next assessment" if c.at_next else ""
            if c.window is not None:
                rule += (
                    f", {number(c.window[0])} to {number(c.window[1])} days after the assessment before it"
                )
            when = " (with `confirm after`)" if c.role == "response" else ""
            rank = r.criteria.names
            worse = [x for x in c.confirmed_by if rank.index(x) > rank.index(c.name)]
            if c.role == "response" and worse:
                when += f"; confirmed by {' or '.join(worse)} it counts as that category, from its own date"
            elif c.role != "response":
                when += "; confirmed, it counts as the confirming visit's category, from its own date"
            visits.append(rule + when + ".")
    paras.append(("Assessments", tuple(visits)))
    rows: list[Row] = []
    if r.kind == "best":
        rule = [
            f"Best overall response: the best category over the visits ({' > '.join(names)}), dated by its first visit."
        ]
        if r.sd_min_days is not None:
            rule.append(
                f"A disease-control visit qualifies when dated at least {number(r.sd_min_days)} days after the origin."
            )
        if r.confirm is not None:
            c = r.confirm
            rule.append(
                f"Responses need confirmation by a later visit at least {number(c.days)} days later, with at most "
                f"{c.max_ne} not-evaluable and {c.max_sd} disease-control visits between; an unconfirmed response "
                "counts as disease control when it qualifies, else not evaluable."
            )
        none = "MISSING"
        if r.missing_as_ne:  # bor (issue 19): `no visits: not evaluable`
            none = (r.criteria.of_role("ne") if r.criteria else ("NE",))[0]
            rule.append(f"A subject without a usable visit is {none} (`no visits: not evaluable`).")
        if r.no_origin_assessed:
            rule.append(f"A subject without an origin date is not excluded: {none} (N for a flag).")
        if r.responder is not None:
            rule.append(
                f"Responder flag: Y when the best category is one of {', '.join(r.responder)}; else N."
            )
            rows.append(Row("C:Y", f"The best category is one of {', '.join(r.responder)}",
                            "first visit with a listed category", "Y", "1", ""))  # fmt: skip
            rows.append(Row("C:N", "Otherwise (also without any visit)", "", "N", "0", ""))
        else:
            shown = names if r.criteria is not None else (*names, m.NOT_DONE)  # ND: no AVAL code
            for cat in shown:
                aval = codes.get(cat)
                situation = f"The best category is {cat}"
                if cat == none != "MISSING":
                    situation += " (also without a usable visit)"
                rows.append(Row(f"C:{cat}", situation, f"first visit of {cat}", cat,
                                "" if aval is None else str(aval), ""))  # fmt: skip
            if none == "MISSING":
                rows.append(Row("C:MISSING", "No usable visit", "", "MISSING", str(codes["MISSING"]), ""))
        paras.append(("Best response", tuple(rule)))
    else:
        a, b = _window(model, r.start), _window(model, r.stop)
        which = (
            f"the visit nearest day {r.nearest} (a tie: the earlier)"
            if r.nearest is not None
            else "the best visit"
        )
        rule = [
            f"Landmark response: {which} dated from {a} through {b} (origin is day {ep.origin_day}); "
            "a progression before the window gives PD.",
            f"Responder: Y when that response is one of {', '.join(r.responder or ())}; else N.",
        ]
        ne = r.not_evaluable
        rows.append(
            Row(
                "C:Y",
                f"The response is one of {', '.join(r.responder or ())}",
                "the chosen visit",
                "Y",
                "1",
                "",
            )
        )
        rows.append(
            Row(
                "C:N",
                "The response is another category (or a progression before the window)",
                "the chosen visit",
                "N",
                "0",
                "",
            )
        )
        if ne is None:
            rule.append("No visit in the window, or a not-evaluable one: excluded (`not evaluable`).")
            rows.append(
                excluded("X:not-evaluable", "No visit in the window, or a not-evaluable one", "not evaluable")
            )
        else:
            rule.append(f'No visit in the window, or a not-evaluable one: AVALC "{ne}".')
            if ne not in ("Y", "N"):
                rows.append(Row(f"C:{ne}", "No visit in the window, or a not-evaluable one", "", ne, "", ""))
        paras.append(("Landmark", tuple(rule)))
        rows += _window_exclusion(r)
    rows += response_exclusions(model, ep)
    return Explanation(ep.paramcd, ep.param, ep.kind, tuple(paras), tuple(rows), RESPONSE_COLUMNS)


RESPONSE_COLUMNS = ("Situation", "Date", "AVALC", "AVAL", "")


def occurrence(model: m.Model, ep: m.EndpointSpec) -> Explanation:
    r = ep.response
    paras = response_common(model, ep)
    a, b = _window(model, r.start), _window(model, r.stop)
    rule = [
        f"Incidence: Y when {name(model, r.event)} occurs from {a} through {b} (both included; origin is day "
        f"{ep.origin_day}) and by the end of observation, dated by the first such occurrence; else N. "
        "A subject counts once.",
        "A missing window bound excludes the subject.",
    ]
    rows = [
        Row(
            "C:Y",
            f"{name(model, r.event)} in the window",
            f"first {name(model, r.event)} in the window",
            "Y",
            "1",
            "",
        ),
        Row("C:N", f"No {name(model, r.event)} in the window", "", "N", "0", ""),
    ]
    if r.evaluable_by is not None:
        rule.append(
            f"Evaluable: a subject without an occurrence is excluded (`not evaluable`) unless "
            f"{name(model, r.evaluable_by)} is on or after the window's last day."
        )
        rows.append(
            excluded(
                "X:not-evaluable",
                f"No occurrence, and {name(model, r.evaluable_by)} before the window's end",
                "not evaluable",
            )
        )
    if ep.group is not None:
        g = ep.group
        rule.append(f"One parameter per value of {', '.join(g.columns)} of {name(model, g.event)}.")
    paras.append(("Incidence", tuple(rule)))
    rows += _window_exclusion(r)
    rows += response_exclusions(model, ep)
    return Explanation(ep.paramcd, ep.param, ep.kind, tuple(paras), tuple(rows), RESPONSE_COLUMNS)


def _window_exclusion(r: m.ResponseSpec) -> list[Row]:
    """A window bound that is an event's date excludes the subjects without it."""
    if all(b is None or b.event is None for b in (r.start, r.stop)):
        return []
    return [excluded("X:window", "A window bound has no date", "no window start|end date")]


def response_exclusions(model: m.Model, ep: m.EndpointSpec) -> list[Row]:
    rows = population_exclusion(ep)
    if not (ep.response and ep.response.no_origin_assessed):
        rows.append(origin_exclusion(ep))
    return rows + cutoff_exclusion(ep)


def other(model: m.Model, ep: m.EndpointSpec) -> Explanation:
    """A kind of endpoint without an explainer of its own yet: what every kind shares, and no
    outcome table (said, rather than guessed)."""
    paras = response_common(model, ep)
    paras.append(("Outcomes", (f"No outcome table is written for endpoints of kind {ep.kind!r} yet.",)))
    return Explanation(ep.paramcd, ep.param, ep.kind, tuple(paras), (), RESPONSE_COLUMNS)
