"""Runtime for response criteria sets (issue 13): the set a compiled response endpoint reads.

A generated module builds its set once with `criteria_set(...)` from plain literals; with
none named, the endpoint reads `RECIST11`, RECIST 1.1 as built in (docs/semantics.md 6.1).
"""

from __future__ import annotations

from functools import cache

from attrs import frozen

# (category, AVAL (None: uncoded, only ranked: ND), role, confirmed by, between, at next
# assessment, window in days)
Row = tuple[str, int | None, str | None, tuple[str, ...], tuple[str, ...], bool, tuple[float, float] | None]


@frozen
class Criteria:
    title: str
    rows: tuple[Row, ...]  # best first
    continues: bool  # assessments after a progression are used

    @property
    def order(self) -> tuple[str, ...]:
        return tuple(r[0] for r in self.rows)

    def role(self, name: str) -> str | None:
        return self.rule(name)[2]

    def rule(self, name: str) -> Row:
        return next(r for r in self.rows if r[0] == name)

    def named(self, role: str) -> tuple[str, ...]:
        return tuple(r[0] for r in self.rows if r[2] == role)


@cache
def criteria_set(*, title: str, rows: tuple[Row, ...], continues: bool) -> Criteria:
    return Criteria(title, rows, continues)


@cache
def ranks(c: Criteria) -> tuple[dict, dict, dict]:
    """(best rank: best first; worst rank: the one a date keeps is the highest, uncoded (ND)
    then not evaluable lowest; AVAL codes with MISSING, Y and N; an uncoded category has none)."""
    best = {name: i for i, name in enumerate(c.order)}
    uncoded = [r[0] for r in c.rows if r[1] is None]  # bor (issue 19): ND, not done
    ne = [x for x in c.named("ne") if x not in uncoded]
    mild = [*uncoded, *ne, *(x for x in c.order if x not in ne and x not in uncoded)]
    worst = {name: i for i, name in enumerate(mild)}
    codes = {r[0]: r[1] for r in c.rows if r[1] is not None}
    codes.update({"MISSING": max(codes.values()) + 1, "Y": 1, "N": 0})
    return best, worst, codes


RECIST11 = criteria_set(
    title="RECIST 1.1",
    rows=(
        ("CR", 1, "response", ("CR",), ("NE",), False, None),
        ("PR", 2, "response", ("CR", "PR"), ("NE", "SD"), False, None),
        ("SD", 3, "control", (), (), False, None),
        ("NON-CR/NON-PD", 4, "control", (), (), False, None),
        ("PD", 5, "progression", (), (), False, None),
        ("NE", 6, "ne", (), (), False, None),
        ("ND", None, None, (), (), False, None),  # bor (issue 19): not done, above MISSING, no code
    ),
    continues=False,
)
