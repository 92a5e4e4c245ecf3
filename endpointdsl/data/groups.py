"""Groups (issue 13, item 3): one parameter per value, named the same way for every engine.

A grouped endpoint (`for each AEDECOD of teae`) makes one parameter per value (a tuple of
texts, None for a missing cell) that the grouped event's rows take over every subject.
`name_groups` is the naming rule of docs/semantics.md section 10 (the SQL engine writes the
same rule in SQL); `Grouped` is what a per-subject engine gives `tables.run_tables` for such
an endpoint: the values of one subject, and the derivation of one subject for one value.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import attrs
from attrs import frozen

from .errors import DataError
from .records import Derivation
from .values import Subject

PARAMCD_LENGTH = 8  # ADaM: PARAMCD at most 8 characters
PARAM_LENGTH = 200  # ADaM: PARAM at most 200 characters


def sort_key(value: tuple) -> tuple:
    """Values in code-point order of their texts, column by column; a missing cell last."""
    return tuple((v is None, v or "") for v in value)


def shown(column: str, value: str | None) -> str:
    return f"{column} missing" if value is None else value


@frozen
class GroupParam:
    """One parameter of a grouped endpoint: its PARAMCD, PARAM and value (PARCAT1, PARCAT2)."""

    paramcd: str
    param: str
    value: tuple


def name_groups(code: str, title: str, columns: tuple[str, ...], values: Iterable[tuple], where: str) -> list:
    """The parameters, in sorted value order: PARAMCD is `code` and the value's 1-based number
    zero-padded to 8 characters, PARAM `title: value` (two columns: `title: v1 / v2`).
    Raises DataError when a number or a PARAM would not fit ADaM's lengths (`where` names
    the endpoint's file and line)."""
    ordered = sorted(set(values), key=sort_key)
    width = PARAMCD_LENGTH - len(code)
    if len(ordered) >= 10**width:
        raise DataError(
            f"{where}: endpoint {code} makes {len(ordered)} parameters, one per value of "
            f"{', '.join(columns)}, but {code} leaves room for {width} digit{'s' if width > 1 else ''} "
            f"(at most {10**width - 1} parameters): shorten the code to {PARAMCD_LENGTH - len(str(len(ordered)))} characters"
        )
    out = []
    for i, value in enumerate(ordered, 1):
        param = f"{title}: " + " / ".join(shown(c, v) for c, v in zip(columns, value, strict=True))
        if len(param) > PARAM_LENGTH:
            raise DataError(
                f"{where}: endpoint {code}'s PARAM for the value {' / '.join(shown(c, v) for c, v in zip(columns, value, strict=True))!r} "
                f"has {len(param)} characters, more than ADaM's {PARAM_LENGTH}: shorten the title"
            )
        out.append(GroupParam(f"{code}{i:0{width}d}", param, value))
    return out


def is_parameter_of(code: str, paramcd: str) -> bool:
    """Whether `paramcd` is one of grouped endpoint `code`'s parameters (name_groups' rule)."""
    tail = paramcd[len(code) :]
    return len(paramcd) == PARAMCD_LENGTH and paramcd.startswith(code) and tail.isdigit()


def relabel(result: Derivation, group: GroupParam) -> Derivation:
    """A derivation of one value as the parameter's: PARAMCD, PARAM, PARCAT1 (and PARCAT2)."""
    record = result.record
    if record is not None:
        cats = {"PARCAT1": group.value[0]}
        if len(group.value) > 1:
            cats["PARCAT2"] = group.value[1]
        record = attrs.evolve(record, PARAMCD=group.paramcd, PARAM=group.param, **cats)
    return attrs.evolve(result, paramcd=group.paramcd, record=record)


def no_parameter_reason(event: str, table: str) -> str:
    """Why every subject is excluded from a grouped endpoint whose event selects no row."""
    return f"no parameter: no {table} row of a subject is selected by event {event}"


@frozen
class Grouped:
    """A grouped endpoint for a per-subject engine: `values(subject)` the values of the
    subject's own rows, `derive(subject, value)` its derivation for one value."""

    code: str
    title: str
    columns: tuple[str, ...]
    event: str
    table: str
    where: str  # file:line of the endpoint, for the errors of name_groups
    values: Callable[[Subject], Iterable[tuple]]
    derive: Callable[[Subject, tuple], Derivation]

    def params(self, subjects: Iterable[Subject]) -> list[GroupParam]:
        values = {v for s in subjects for v in self.values(s)}
        return name_groups(self.code, self.title, self.columns, values, self.where)

    def __call__(self, subject: Subject) -> tuple[Derivation, ...]:
        """One subject alone: a derivation per value of its own rows (numbered among them only:
        the numbers of a run come from every subject's values)."""
        return tuple(relabel(self.derive(subject, g.value), g) for g in self.params([subject]))


def expand(derive: dict, subjects: list[Subject], kinds: dict | None) -> tuple[dict, dict]:
    """`derive` with each Grouped endpoint replaced by one function per parameter, in place
    (the order of the output), and the kinds of those. A grouped endpoint without any value
    keeps its code, every subject excluded (`no_parameter_reason`), so that every subject is
    in the output or the report."""
    out: dict = {}
    kinds = dict(kinds or {})
    for code, fn in derive.items():
        if not isinstance(fn, Grouped):
            out[code] = fn
            continue
        params = fn.params(subjects)
        if not params:
            reason = no_parameter_reason(fn.event, fn.table)
            out[code] = lambda s, code=code, reason=reason: Derivation(s.id, code, None, reason, ())
        for g in params:
            out[g.paramcd] = lambda s, fn=fn, g=g: relabel(fn.derive(s, g.value), g)
            kinds[g.paramcd] = kinds.get(code, "tte")
    return out, kinds
