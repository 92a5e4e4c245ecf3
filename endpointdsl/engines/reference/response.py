"""Reference interpreter, second part: response and incidence endpoints (docs/semantics.md 6).

Written from section 6 alone, as plainly as possible, for the double-programming
check. Steps 1-3 (population, origin, end of observation) are the time-to-event ones
and run in `interpreter.derive`, which then calls `derive_response` with the
occurrences of every event the endpoint names. An occurrence is the interpreter's
dict (date, domain, column, seq, row, flag, value).
"""

from __future__ import annotations

import datetime as dt

from ...check import model as m
from ...data.records import Record
from ...data.values import Subject
from .common import note, plus_days

Result = tuple[Record | None, str | None]  # the parameter row, or the exclusion reason

# Written again from the text of section 6 rather than imported, so that a slip in the
# shared constants would show as a disagreement between the two implementations.
# ND (not done): ranked just above MISSING, with no code, the mildest on a date (issue 19).
RESPONSES = ("CR", "PR", "SD", "NON-CR/NON-PD", "PD", "NE")
BEST_FIRST = ("CR", "PR", "SD", "NON-CR/NON-PD", "PD", "NE", "ND")
MILDEST_FIRST = ("ND", "NE", "CR", "PR", "SD", "NON-CR/NON-PD", "PD")  # one date: the last of these wins
CODES = {"CR": 1, "PR": 2, "SD": 3, "NON-CR/NON-PD": 4, "PD": 5, "NE": 6, "MISSING": 7, "Y": 1, "N": 0}
# RECIST 1.1 as section 6.1 states it, in the shape of a declared set (section 6.6):
# category -> (role, confirmed by, allowed between, at next assessment, window).
RECIST_RULES = {
    "CR": ("response", ("CR",), ("NE",), False, None),
    "PR": ("response", ("CR", "PR"), ("NE", "SD"), False, None),
    "SD": ("control", (), (), False, None),
    "NON-CR/NON-PD": ("control", (), (), False, None),
    "PD": ("progression", (), (), False, None),
    "NE": ("ne", (), (), False, None),
    "ND": (None, (), (), False, None),
}


def table(spec: m.ResponseSpec) -> dict:
    """The criteria the endpoint reads (section 6.6): its set, or RECIST 1.1."""
    c = spec.criteria
    if c is None:
        return {"title": "RECIST 1.1", "best": BEST_FIRST, "mild": MILDEST_FIRST, "codes": CODES,
                "rules": RECIST_RULES, "continues": spec.continues}  # fmt: skip
    best = tuple(k.name for k in c.categories)
    uncoded = [k.name for k in c.categories if k.aval is None]  # only ranked (ND): mildest, no code
    ne = uncoded + [k.name for k in c.categories if k.role == "ne" and k.aval is not None]
    codes = {k.name: k.aval for k in c.categories if k.aval is not None}
    codes.update({"MISSING": max(codes.values()) + 1, "Y": 1, "N": 0})
    rules = {k.name: (k.role, k.confirmed_by, k.between, k.at_next, k.window) for k in c.categories}
    return {"title": c.title, "best": best, "mild": tuple(ne) + tuple(x for x in best if x not in ne),
            "codes": codes, "rules": rules, "continues": spec.continues}  # fmt: skip


def role(t: dict, category: str) -> str | None:
    return t["rules"][category][0]


# ---- visits (6.1) ------------------------------------------------------------------


def visits(
    model: m.Model,
    event: str,
    occs: list[dict],
    origin: dt.date,
    end: dt.date,
    findings,
    t: dict,
    count_before: bool = False,
) -> list[dict]:
    """One visit per assessment date inside [origin, end], with the worst response of the
    date, up to and including the first PD. A visit is {"date", "response", "src"}."""
    src = model.event(event)
    usable = []
    for o in occs:  # in occurrence order (date, sequence, row)
        if o["date"] < origin and not count_before:  # bor (issue 19): `assessments before origin: count`
            note(findings, f"{event} on {o['date']} is before the origin {origin}; ignored")
            continue
        if o["date"] > end:
            continue
        if o["value"] not in t["best"]:
            why = "missing" if o["value"] is None else f'"{o["value"]}" is not a {t["title"]} response'
            note(
                findings,
                f"{event}: {src.table} row {o['row']} has no usable response in {src.response} ({why}); not used",
            )
            continue
        usable.append(o)
    by_date: dict[dt.date, list[dict]] = {}
    for o in usable:
        by_date.setdefault(o["date"], []).append(o)
    result = []
    for date in sorted(by_date):
        group = by_date[date]
        # max() keeps the first of equal keys: the first in occurrence order supplies the source.
        worst = max(group, key=lambda o: t["mild"].index(o["value"]))
        responses = list(dict.fromkeys(o["value"] for o in group))
        if len(responses) > 1:
            note(
                findings,
                f"{event}: different responses on {date} ({', '.join(responses)}); the worst, "
                f"{worst['value']}, is used",
            )
        result.append({"date": date, "response": worst["value"], "src": worst})
        if role(t, worst["value"]) == "progression" and not t["continues"]:  # up to progression
            break
    return result


def confirmed(vs: list[dict], i: int, rule: m.Confirmation | None, t: dict) -> str | None:
    """The response of the visit confirming vs[i] (sections 6.1, 6.6), or None."""
    first = vs[i]
    kind, by, between, at_next, window = t["rules"][first["response"]]
    is_response = kind == "response"
    if not by or (is_response and rule is None):
        return None
    later = vs[i + 1 :]
    if at_next:
        # the next visit whose response is not one allowed between
        rest = [k for k in range(len(later)) if later[k]["response"] not in between]
        if not rest or later[rest[0]]["response"] not in by:
            return None
        j = rest[0]
    else:
        found = [
            k for k in range(len(later))
            if later[k]["response"] in by
            and (not is_response or (later[k]["date"] - first["date"]).days >= rule.days)
        ]  # fmt: skip
        if not found:
            return None
        j = found[0]
    upto = [v["response"] for v in later[: j + 1]]
    if is_response and (later[j]["date"] - first["date"]).days < rule.days:
        return None
    if any(r not in by and r not in between for r in upto):
        return None
    if is_response:
        if sum(role(t, r) == "ne" for r in upto) > rule.max_ne:
            return None
        if sum(role(t, r) == "control" for r in upto) > rule.max_sd:
            return None
        # no response after a better one (RECIST: no PR after a CR)
        ranks = [t["best"].index(r) for r in upto if role(t, r) == "response"]
        if any(ranks[k] > min(ranks[:k]) for k in range(1, len(ranks))):
            return None
    if window is not None:
        before = vs[i + j]["date"]  # the visit just before the confirming one
        gap = (later[j]["date"] - before).days
        if gap < window[0] or gap > window[1]:
            return None
    return later[j]["response"]


def category(vs: list[dict], i: int, spec: m.ResponseSpec, origin: dt.date, t: dict) -> str:
    visit = vs[i]
    r = visit["response"]
    qualifies_sd = spec.sd_min_days is None or (visit["date"] - origin).days >= spec.sd_min_days
    kind = role(t, r)
    controls = [x for x in t["best"] if role(t, x) == "control"]
    ne = next(x for x in t["best"] if role(t, x) == "ne")
    by = confirmed(vs, i, spec.confirm, t)
    if kind == "response":
        if spec.confirm is None:
            return r
        if by is not None:  # confirmed; by a worse response (IMWG: CR then VGPR): counts as that one
            order = t["best"]
            return by if role(t, by) == "response" and order.index(by) > order.index(r) else r
        return controls[0] if controls and qualifies_sd else ne
    if kind == "control":
        return r if qualifies_sd else ne
    return by if by is not None else r  # a confirmed category counts as its confirmation


# ---- the three kinds ---------------------------------------------------------------


def not_assessed(ep: m.EndpointSpec, subject: Subject) -> Record:
    """`no origin: not assessed`: no origin date reads as no assessment (admiralonco
    gives screen failures MISSING), with STARTDT empty. Under `no visits: not evaluable` it is
    the set's not-evaluable category, as admiralonco's missing_as_ne gives every subject
    without a record NE."""
    spec = ep.response
    t = table(spec)
    ne = next(k for k in t["best"] if role(t, k) == "ne")
    avalc = "N" if spec.responder is not None else ne if spec.missing_as_ne else "MISSING"
    return Record(
        subject.id, ep.paramcd, ep.param, None, None, t["codes"].get(avalc), None, None, None, None,
        None, None, None, AVALC=avalc,
    )  # fmt: skip


def derive_response(
    model: m.Model, ep: m.EndpointSpec, subject: Subject, occ: dict, origin_occ: dict,
    end: dt.date, findings: list,
) -> Result:  # fmt: skip
    """Sections 6.2-6.4, after steps 1-3 have kept the subject."""
    spec = ep.response
    origin = origin_occ["date"]
    t = table(spec)

    def row(avalc: str, visit_src: dict | None) -> Result:
        s = visit_src
        record = Record(
            subject.id, ep.paramcd, ep.param, origin, s["date"] if s else None,
            t["codes"].get(avalc), None, None, None, None,
            s["domain"] if s else None, s["column"] if s else None, s["seq"] if s else None,
            STARTDTF=origin_occ["flag"], ADTF=s["flag"] if s else None, AVALC=avalc,
        )  # fmt: skip
        return record, None

    if spec.kind == "best":
        return _best(model, spec, occ, origin, end, findings, row, t)
    # The visits first: their data findings are reported whatever the outcome (section 3).
    vs = (
        visits(model, spec.event, occ[spec.event], origin, end, findings, t)
        if spec.kind == "landmark"
        else []
    )
    start = _window_date(spec.start, ep.origin_day, origin, occ)
    if start is None:
        return None, f"no window start date: {spec.start.describe()} has no usable date"
    stop = _window_date(spec.stop, ep.origin_day, origin, occ)
    if stop is None:
        return None, f"no window end date: {spec.stop.describe()} has no usable date"
    if spec.kind == "landmark":
        return _landmark(ep, vs, origin, start, stop, row, t)
    return _occurrence(spec, occ, end, start, stop, row)


def _best(model, spec, occ, origin, end, findings, row, t) -> Result:
    vs = visits(model, spec.event, occ[spec.event], origin, end, findings, t, spec.before_origin == "count")
    cats = [category(vs, i, spec, origin, t) for i in range(len(vs))]
    if not vs:
        if spec.responder is not None:
            return row("N", None)
        # bor (issue 19): `no assessments: not evaluable` gives the set's not-evaluable category
        ne = next(k for k in t["best"] if role(t, k) == "ne")
        return row(ne if spec.missing_as_ne else "MISSING", None)
    # The best category; its first visit (min keeps the first of equal keys).
    i = min(range(len(vs)), key=lambda k: t["best"].index(cats[k]))
    if spec.responder is None:
        return row(cats[i], vs[i]["src"])
    # A flag follows the best response (admiralonco's RSP follows BOR): Y when it is listed,
    # dated by the first visit whose category is listed.
    if cats[i] not in spec.responder:
        return row("N", None)
    first = next(k for k in range(len(vs)) if cats[k] in spec.responder)
    return row("Y", vs[first]["src"])


def _landmark(ep, vs, origin, start, stop, row, t) -> Result:
    spec = ep.response
    chosen = None
    ended = vs and role(t, vs[-1]["response"]) == "progression" and not t["continues"]
    if ended and vs[-1]["date"] < start:
        chosen = vs[-1]  # progressed before the window: the response is the progression
    else:
        inside = [v for v in vs if start <= v["date"] <= stop]
        if inside and spec.nearest is not None:
            target = _day_date(spec.nearest, ep.origin_day, origin)
            chosen = min(inside, key=lambda v: (abs((v["date"] - target).days), v["date"]))
        elif inside:
            chosen = min(inside, key=lambda v: (t["best"].index(v["response"]), v["date"]))
    if chosen is None or role(t, chosen["response"]) == "ne":
        if spec.not_evaluable is None:
            what = f"an {chosen['response']} response" if chosen else "no assessment"
            return None, f"not evaluable: {what} from {spec.start.describe()} through {spec.stop.describe()}"
        return row(spec.not_evaluable, chosen["src"] if chosen else None)
    return row("Y" if chosen["response"] in spec.responder else "N", chosen["src"])


def _occurrence(spec, occ, end, start, stop, row) -> Result:
    # Any date inside the window counts, before the origin too (a window from baseline).
    hits = [o for o in occ[spec.event] if start <= o["date"] <= stop and o["date"] <= end]
    if hits:
        return row("Y", hits[0])
    if spec.evaluable_by is not None:
        dates = [o["date"] for o in occ[spec.evaluable_by]]
        if not dates or dates[0] < stop:
            why = f"is {dates[0]}, before the window end {stop}" if dates else "has no date"
            return None, (
                f"not evaluable: no {spec.event} from {spec.start.describe()} through "
                f"{spec.stop.describe()}, and {spec.evaluable_by} {why}"
            )
    return row("N", None)


# ---- day numbering (6.3, 6.4) ------------------------------------------------------


def _day_date(day: int, origin_day: int, origin: dt.date) -> dt.date:
    """With `origin is day 1` there is no day 0: day 1 is the origin and day -1 the day before."""
    shift = day - 1 if origin_day == 1 and day >= 1 else day
    return plus_days(origin, shift)


def _window_date(b: m.WindowBound, origin_day: int, origin: dt.date, occ: dict) -> dt.date | None:
    if b.event is None:
        return _day_date(b.day, origin_day, origin)
    found = occ[b.event]
    return found[0]["date"] if found else None
