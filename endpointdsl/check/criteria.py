"""Criteria: response criteria sets declared in a file or shipped by name (issue 13, E250-E259).

A `criteria NAME ... end` block is checked into `model.CriteriaSet`. The shipped sets
(RECIST 1.1, iRECIST, Lugano 2014, IMWG) are .ept files of package data written in the
language itself (`endpointdsl/check/criteria_sets/`), read here when an endpoint names one that the
file does not declare.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

from ..language import nodes as n
from ..language.diagnostics import EptError
from ..language.transformer import parse
from . import model as m

ROLES = {"response": "response", "disease control": "control", "progressive disease": "progression",
         "not evaluable": "ne"}  # fmt: skip
# The sets shipped with the package, by the name an endpoint uses, and their file.
SHIPPED = {
    "recist11": "recist11.ept",
    "irecist": "irecist.ept",
    "lugano_pet": "lugano2014.ept",
    "lugano_ct": "lugano2014.ept",
    "imwg": "imwg.ept",
}


def check_set(d: n.CriteriaDef, error) -> m.CriteriaSet:
    """One declaration to its model; `error(code, message, span, hint)` reports."""
    names: list[str] = []
    codes: dict[int, str] = {}
    rows = []
    for row in d.rows:
        name = _text(row.category, error, "a category")
        if name is None:
            continue
        if name in m.CRITERIA_RESERVED:
            error("E252", f'"{name}" cannot be a category', row.category.span,
                  "MISSING, Y and N are the values a response endpoint gives itself; rename it")  # fmt: skip
            continue
        if name != name.rstrip():  # cells are read without trailing blanks: never met
            error("E310", f'category "{name}" ends in a blank, which no response in the data has',
                  row.category.span, f'trailing blanks of a cell are dropped when it is read: write "{name.rstrip()}"')  # fmt: skip
            continue
        if name in names:
            error(
                "E252", f'"{name}" is listed twice in criteria {d.name.text}', row.category.span, "keep one"
            )
            continue
        names.append(name)
        if row.aval is None:  # bor (issue 19): `= none`, a category that is only ranked (ND)
            if row.role is not None:
                error("E324", f'"{name}" has no AVAL code, so it can have no role', row.category.span,
                      f'give it a code (`category "{name}" = 8, {row.role}`) or no role')  # fmt: skip
            names.append(name)
            rows.append((row, name, None))
            continue
        aval = _code(row.aval, error)
        if aval is not None and aval in codes:
            error("E253", f'AVAL {aval} is already the code of "{codes[aval]}"', row.aval.span,
                  "give each category its own code")  # fmt: skip
        elif aval is not None:
            codes[aval] = name
        rows.append((row, name, aval if aval is not None else 0))
    ne = [name for row, name, _ in rows if row.role == "not evaluable"]
    if len(ne) != 1:
        error("E254", f"criteria {d.name.text} needs exactly one `not evaluable` category; found {len(ne)}",
              d.name.span, 'mark the category of an unevaluable assessment: `category "NE" = 6, not evaluable`')  # fmt: skip
    categories = []
    for row, name, aval in rows:
        by, between, at_next, window = (), (), False, None
        c = row.confirm
        if c is not None:
            by = _listed(c.by, names, d, error)
            between = _listed(c.between, names, d, error)
            at_next = c.at_next
            if c.window_from is not None:
                window = _window(c, error)
            if row.role != "response" and not at_next:
                error("E256", f'"{name}" is confirmed at the next assessment or not at all', c.span,
                      "a category that is not a response is confirmed by the next assessment: write "
                      "`confirmed by next (...)`")  # fmt: skip
        categories.append(m.CriteriaCategory(name, aval, ROLES.get(row.role), by, between, at_next, window))
    title = d.title if d.title is not None and d.title.strip() else d.name.text
    return m.CriteriaSet(
        d.name.text, title, tuple(categories), d.after_progression == "continue", span=d.span
    )


def _text(o: n.Operand, error, what: str) -> str | None:
    if isinstance(o, n.TextOperand) and o.value.strip() and len(o.value) <= 40:
        return o.value
    error("E251", f"{what} is a non-empty text of at most 40 characters", o.span,
          'write it in double quotes: "CR"')  # fmt: skip
    return None


def _code(o: n.Operand, error) -> int | None:
    if isinstance(o, n.NumberOperand) and re.fullmatch(r"\+?[0-9]{1,4}", o.lexeme):
        return int(o.lexeme)
    error("E253", "an AVAL code is a whole number (0 or more)", o.span, 'e.g. `category "CR" = 1`')
    return None


def _listed(values, names: list[str], d: n.CriteriaDef, error) -> tuple[str, ...]:
    out: list[str] = []
    for o in values:
        text = _text(o, error, "a category")
        if text is None:
            continue
        if text not in names:
            error("E255", f'"{text}" is not a category of criteria {d.name.text}', o.span,
                  "the categories: " + ", ".join(f'"{x}"' for x in names))  # fmt: skip
        elif text not in out:
            out.append(text)
    return tuple(out)


def _window(c: n.CriteriaConfirm, error) -> tuple[float, float] | None:
    unit = m.UNIT_ALIASES.get(c.window_unit.text)
    if unit is None:
        error(
            "E140", f"unknown unit '{c.window_unit.text}'", c.window_unit.span, "days, weeks, months or years"
        )
        return None
    ends = []
    for o in (c.window_from, c.window_through):
        if not isinstance(o, n.NumberOperand) or float(o.lexeme) < 0 or len(o.lexeme) > 6:
            error("E257", "a confirmation window is a number of days or weeks (0 or more)", o.span,
                  "e.g. `from 4 through 8 weeks`")  # fmt: skip
            return None
        ends.append(float(o.lexeme) * m.UNIT_DAYS[unit])
    if ends[0] > ends[1]:
        error("E257", "the confirmation window ends before it starts", c.window_through.span,
              "write the earlier end first: `from 4 through 8 weeks`")  # fmt: skip
        return None
    return ends[0], ends[1]


# ---- the shipped sets -----------------------------------------------------------------------


def shipped_text(file: str) -> str:
    return resources.files(__package__).joinpath("criteria_sets", file).read_text(encoding="utf-8")


@cache
def shipped(name: str) -> m.CriteriaSet | None:
    """A set shipped with the package, by name; None when there is none of that name."""
    file = SHIPPED.get(name)
    if file is None:
        return None
    program = parse(shipped_text(file), f"endpointdsl/check/criteria_sets/{file}")
    problems = []
    found = None
    for item in program.items:
        if isinstance(item, n.CriteriaDef) and item.name.text == name:
            found = check_set(item, lambda *a: problems.append(a))
    if problems or found is None:  # the package's own files: a test keeps them clean
        raise EptError([])
    return found


def unknown_hint(declared) -> str:
    return "the criteria sets: " + ", ".join(sorted({*declared, *SHIPPED}))


def resolve(use: n.CriteriaUse, declared: dict[str, m.CriteriaSet], error) -> m.CriteriaSet | None:
    """The set an endpoint's `criteria NAME` names: the file's declaration, else a shipped one."""
    name = use.name.text
    if name in declared:
        return declared[name]
    found = shipped(name)
    if found is None:
        error("E250", f"unknown criteria set '{name}'", use.name.span, unknown_hint(declared))
    return found
