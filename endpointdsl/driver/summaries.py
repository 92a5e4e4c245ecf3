"""Driver, summaries: what the rate, value and Kaplan-Meier summaries of a run show."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..check.model import NOT_DONE, RESPONSES, EndpointSpec, Model

if TYPE_CHECKING:
    import pandas as pd


def summary_specs(model: Model, adtte: pd.DataFrame | None = None) -> list:
    """What the summary table shows: a rate per flag, one per category of a best response;
    for a grouped endpoint (`for each`), one per parameter of `adtte` (its value in PARAM)."""
    from ..data.summary import SummarySpec

    specs = []
    for ep in model.endpoints:
        if ep.value is not None and ep.value.stat == "detectable":  # value endpoints (issue 14)
            specs.append(SummarySpec(ep.paramcd, ep.param, "flag"))
        r = ep.response
        if r is None:
            continue
        for code, param in _parameters(ep, adtte):
            if r.extreme is not None:  # extreme (issue 19, part 2): the outcomes' categories in order
                x = r.extreme
                names = [*(o.avalc for o in x.outcomes), *([x.otherwise] if x.otherwise is not None else [])]
                specs.append(SummarySpec(code, param, "category", tuple(dict.fromkeys(names))))
            elif r.kind == "best" and r.responder is None:
                names = r.criteria.names if r.criteria else (*RESPONSES, NOT_DONE)  # the set's categories
                # bor (issue 19): a category without a code (ND) is shown only when a record has it
                uncoded = (
                    {k.name for k in r.criteria.categories if k.aval is None} if r.criteria else {NOT_DONE}
                )
                present = _categories_found(adtte, code)
                names = tuple(x for x in names if x not in uncoded or x in present)
                specs.append(SummarySpec(code, param, "category", (*names, "MISSING")))
            elif r.not_evaluable not in (None, "Y", "N"):  # a landmark's own not-evaluable value
                specs.append(SummarySpec(code, param, "category", ("Y", "N", r.not_evaluable)))
            else:
                specs.append(SummarySpec(code, param, "flag"))
    return specs


def _categories_found(adtte: pd.DataFrame | None, code: str) -> set:
    if adtte is None or "AVALC" not in adtte.columns:
        return set()
    return set(adtte.AVALC[adtte.PARAMCD == code])


def value_parameters(model: Model) -> list[EndpointSpec]:
    """value endpoints (issue 14) whose numbers the value summary shows (not the Y/N flags)."""
    return [ep for ep in model.endpoints if ep.value is not None and ep.value.stat != "detectable"]


def _parameters(ep: EndpointSpec, adtte: pd.DataFrame | None) -> list[tuple[str, str]]:
    """(PARAMCD, PARAM) of an endpoint's parameters: its own, or a grouped endpoint's
    numbered ones found in the records (groups, issue 13), in PARAMCD order."""
    if ep.group is None:
        return [(ep.paramcd, ep.param)]
    if adtte is None:
        return []
    rest = adtte.PARAMCD.str.slice(len(ep.paramcd))
    mine = adtte[
        adtte.PARAMCD.str.startswith(ep.paramcd) & rest.str.isdigit() & (adtte.PARAMCD.str.len() == 8)
    ]
    return sorted(set(zip(mine.PARAMCD, mine.PARAM, strict=True)))


# ---- km: Kaplan-Meier results (issue 15) ------------------------------------------------------


def km_summary(
    adtte: pd.DataFrame,
    by: str | None = None,
    at=(),
    unit: str | None = None,
    conf_type: str = "log-log",
    level: float = 0.95,
    competing: dict | None = None,
    params: list[str] | None = None,
) -> pd.DataFrame:
    """The Kaplan-Meier summary of an ADTTE (data.km.summarise_km; needs `endpointdsl[km]`):
    per time-to-event parameter (and value of `by`), counts by CNSR, quartiles with
    Brookmeyer-Crowley intervals (`conf_type` "log-log", "log" or "plain"), and the survival
    (or, for the CNSR codes `competing` names per PARAMCD, the cumulative incidence) at the
    times `at`, given in `unit` (default: AVAL's unit)."""
    from ..data.km import summarise_km

    return summarise_km(adtte, by, at, unit, conf_type, level, competing, params)


def competing_codes(model: Model, adtte: pd.DataFrame | None = None) -> dict[str, set[int]]:
    """PARAMCD -> the CNSR codes of its competing events, for every endpoint that has some
    (a grouped endpoint's numbered parameters found in `adtte` each)."""
    codes = {}
    for ep in model.endpoints:
        mine = {te.cnsr for te in ep.events if te.competing} if ep.kind == "tte" else set()
        if mine:
            for code, _ in _parameters(ep, adtte):
                codes[code] = mine
    return codes
