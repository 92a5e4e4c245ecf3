"""adam: the file-level declarations that make the output ADaM-complete (issue 13, part 4).

`keep A, B as C from adsl` (carried subject-level columns), `dataset NAME label "..."`
and an endpoint's `paramn N`; codes E290-E297. The carrying itself is not an engine's:
`data.adam.complete` joins the carried columns onto the records every engine derived.
"""

from __future__ import annotations

import re

from ..data.adam import DATASET_LABEL_MAX, RESERVED
from ..language import nodes as n
from . import model as m
from .scope import Scope

SAS_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,7}$")  # SAS transport v5: at most 8 characters


def check_adam(scope: Scope, program: n.Program) -> m.AdamSpec:
    """The file's `keep`, `dataset` and `paramn` declarations as an AdamSpec; problems are
    reported to `scope`."""
    keep = _keep(scope, [i for i in program.items if isinstance(i, n.KeepDef)])
    dataset, label = _dataset(scope, [i for i in program.items if isinstance(i, n.DatasetDef)])
    endpoints = [i for i in program.items if isinstance(i, n.Endpoint)]
    paramn = _paramn(scope, endpoints)
    stated = frozenset(
        ep.paramcd.text for ep in endpoints if any(isinstance(c, n.Paramn) for c in ep.clauses)
    )
    return m.AdamSpec(keep, paramn, dataset, label, stated)


def _keep(scope: Scope, defs: list[n.KeepDef]) -> tuple[m.Carried, ...]:
    carried: list[m.Carried] = []
    written: dict[str, n.Ident] = {}
    for d in defs:
        table = scope.tables.get(d.table.text)
        if table is None:
            hint = scope.did_you_mean(d.table.text, scope.tables)
            subject = next((t.name.text for t in scope.tables.values() if t.per_subject), None)
            scope.error(
                "E290", f"`keep` reads unknown table '{d.table.text}'", d.table.span,
                hint or (f"carried columns come from the subject-level table: `from {subject}`"
                         if subject else "declare the table, e.g. `table adsl: one row per subject`"),
            )  # fmt: skip
            continue
        if not table.per_subject:
            scope.error(
                "E291", f"`keep` carries subject-level values, but table '{d.table.text}' has many rows per subject",
                d.table.span, "keep columns of the table declared `one row per subject` (e.g. adsl)",
            )  # fmt: skip
            continue
        for item in d.items:
            out = item.rename or item.column
            if not SAS_NAME.match(out.text):
                fix = (
                    "choose a name of letters, digits and _ (at most 8 characters)"
                    if item.rename
                    else f"rename it: `{item.column.text} as SHORTER`"
                )
                scope.error(
                    "E293", f"'{out.text}' is not a SAS variable name (at most 8 characters: a letter or _, "
                    "then letters, digits or _)", out.span, fix,
                )  # fmt: skip
                continue
            upper = out.text.upper()
            if upper in RESERVED:
                scope.error(
                    "E292", f"kept column '{out.text}' would replace the output column {upper}", out.span,
                    "STUDYID is written whenever the subject table has it"
                    if upper == "STUDYID"
                    else f"rename it: `{item.column.text} as OTHER`",
                )  # fmt: skip
                continue
            if upper in written:
                first = written[upper]
                scope.error(
                    "E292", f"'{out.text}' is written twice by `keep`", out.span,
                    f"the first is at line {first.span.line}; keep it once or rename one"
                    if first.span else "keep it once or rename one",
                )  # fmt: skip
                continue
            written[upper] = out
            carried.append(m.Carried(item.column.text, out.text, item.span.line if item.span else 0))
    return tuple(carried)


def _dataset(scope: Scope, defs: list[n.DatasetDef]) -> tuple[str, str | None]:
    for extra in defs[1:]:
        scope.error(
            "E296", "`dataset` is given twice", extra.span,
            f"the first is at line {defs[0].span.line}; keep one" if defs[0].span else "keep one",
        )  # fmt: skip
    if not defs:
        return "ADTTE", None
    d = defs[0]
    if not SAS_NAME.match(d.name.text):
        scope.error(
            "E296", f"'{d.name.text}' is not a SAS dataset name", d.name.span,
            "at most 8 characters: a letter or _, then letters, digits or _ (e.g. ADTTE)",
        )  # fmt: skip
    label = d.label
    if label is not None and not label.strip():
        scope.error(
            "E297", "a dataset label is blank", d.span, "write what the dataset holds, or leave `label` out"
        )
    elif label is not None and len(label.encode("utf-8")) > DATASET_LABEL_MAX:
        scope.error(
            "E297", f"a dataset label is 1 to {DATASET_LABEL_MAX} bytes; this one has "
            f"{len(label.encode('utf-8'))}", d.span,
            "ADaM and SAS transport files hold at most 40 bytes (a letter such as é takes 2): shorten it",
        )  # fmt: skip
    return d.name.text.upper(), label


def _paramn(scope: Scope, endpoints: list[n.Endpoint]) -> tuple[tuple[str, int], ...]:
    """PARAMN: stated with `paramn N` (in the endpoint itself; a variant does not inherit its
    base's), else the endpoint's position among the file's endpoints (1, 2, ...)."""
    numbers: list[tuple[str, int]] = []
    stated = []
    for position, ep in enumerate(endpoints, start=1):
        clauses = [c for c in ep.clauses if isinstance(c, n.Paramn)]
        for extra in clauses[1:]:
            scope.error(
                "E110", f"`paramn` is given twice in endpoint {ep.paramcd.text}", extra.span,
                f"the first is at line {clauses[0].span.line}; keep one" if clauses[0].span else "keep one",
            )  # fmt: skip
        value = position
        if clauses:
            number = _whole(clauses[0].value)
            if number is None:
                scope.error(
                    "E294", "`paramn` takes a whole number from 1 to 9999", clauses[0].value.span,
                    "e.g. `paramn 3`; without it, PARAMN is the endpoint's position in the file",
                )  # fmt: skip
                continue
            value = number
            stated.append((ep, clauses[0], value))
        numbers.append((ep.paramcd.text, value))
    for ep, clause, value in stated:
        others = [code for code, v in numbers if v == value and code != ep.paramcd.text]
        if others:
            scope.error(
                "E295", f"PARAMN {value} of endpoint {ep.paramcd.text} is also endpoint {others[0]}'s",
                clause.value.span,
                "PARAMN is stated with `paramn N` or is the endpoint's position in the file (1, 2, ...); "
                "state a number no other endpoint has",
            )  # fmt: skip
    return tuple(numbers)


def _whole(value: n.Operand) -> int | None:
    if not isinstance(value, n.NumberOperand):
        return None
    try:
        number = float(value.lexeme)
    except ValueError:
        return None
    return int(number) if number.is_integer() and 1 <= number <= 9999 else None
