"""Confirmed and sustained events, read plainly from docs/semantics.md 2.1 (issue 12, item 2).

Given the occurrences of the events a confirmation reads (dicts, in occurrence order),
`confirmed` keeps the candidate occurrences the rule confirms. Written as the text says
it, one candidate at a time, without shortcuts.
"""

from __future__ import annotations

from ...check import model as m


def confirmed(event: str, rule: m.EventConfirmation, occ: dict[str, list[dict]]) -> list[dict]:
    kept = []
    for cand in occ[rule.candidate]:
        if _is_confirmed(cand["date"], rule, occ):
            kept.append(dict(cand, event=event))
    return kept


def _is_confirmed(day, rule: m.EventConfirmation, occ: dict) -> bool:
    confirming_dates = {o["date"] for o in occ[rule.confirming]}
    if rule.kind == "later":
        # some occurrence of the confirming event far enough after the candidate, with no
        # occurrence of the breaking event on a date strictly between the two
        for o in occ[rule.confirming]:
            gap = (o["date"] - day).days
            if gap < rule.at_least:
                continue
            if rule.at_most is not None and gap > rule.at_most:
                continue
            between = [b for b in occ[rule.without]] if rule.without else []
            if not any(day < b["date"] < o["date"] for b in between):
                return True
        return False
    # the assessment dates after the candidate's date, each date once, in order
    later = sorted({a["date"] for a in occ[rule.assessments] if a["date"] > day})
    qualifying = [d in confirming_dates for d in later]
    if rule.kind == "next" and len(later) >= 1 and qualifying[0]:
        return True
    if rule.kind == "consecutive" and len(later) >= rule.count - 1 and all(qualifying[: rule.count - 1]):
        return True
    if rule.kind == "sustained" and len(later) >= 1 and all(qualifying):
        return True
    if rule.death is None or not all(qualifying):
        return False
    # every later assessment continued the run, and the assessments ran out: death within
    # K days of the last assessment (the candidate's own date when there is none later)
    last = later[-1] if later else day
    return any(0 <= (d["date"] - last).days <= rule.death_within for d in occ[rule.death])
