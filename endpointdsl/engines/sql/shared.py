"""Relations written once per script and read by every endpoint that needs them (issue 16).

Six response endpoints of one assessment event read the same assessment rows and visits:
each statement that `write_once` writes is named by what it is (`visits_<event>_<n>`), and
an endpoint whose statement would be the same text reads the relation already written.
Sameness is decided on the statement's text with its own name and its per-endpoint
inputs (`params`) replaced by placeholders, plus `depends` (what those inputs are, as
text): two statements of equal text over equal inputs are the same relation, whatever
endpoint asked first. The placeholders hold a NUL, which no generated SQL contains
(writer.text writes it as chr(0)), so they cannot meet a name or a literal.

`grow_once` is for a relation that several endpoints each add a part to (best responses
of one event: one GROUP BY over the visits' categories, bestgroup._shared_best): placed
where the first asks, rendered with every part when the script is finished.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable

from .writer import SqlWriter

_MEMO: weakref.WeakKeyDictionary[SqlWriter, dict] = weakref.WeakKeyDictionary()


class _Capture(SqlWriter):
    def line(self, sql: str = "", src=None) -> None:
        self.lines.append(sql)


def write_once(
    w: SqlWriter, prefix: str, write: Callable[..., None], params: tuple = (), depends: object = ()
) -> str:
    """The name of the relation that `write(writer, name, *params)` creates: written to `w`
    the first time, reused after. `prefix_<n>`: n counts the distinct ones of that prefix
    (digits, so no two prefixes' names meet when the prefixes differ)."""
    memo = _MEMO.setdefault(w, {})
    probe = _Capture(w.file)
    write(probe, "\x00name", *(f"\x00{i}" for i in range(len(params))))
    key = (prefix, depends, tuple(probe.lines))
    if key not in memo:
        memo[key] = f"{prefix}_{1 + sum(1 for k in memo if k[0] == prefix)}"
        write(w, memo[key], *params)
    return memo[key]


_GROWN: weakref.WeakKeyDictionary[SqlWriter, dict] = weakref.WeakKeyDictionary()


def grow_once(
    w: SqlWriter, prefix: str, key: object, render: Callable[[str, list], list[str]], part
) -> tuple[str, int]:
    """One relation for every endpoint that asks with the same `key`, holding each one's
    `part` (issue 16: one GROUP BY where several endpoints would each group the same join).
    The statement `render(name, parts)` takes the place where the first asks, and is
    rendered with every part when the script is finished (SqlWriter.later). Returns the
    relation's name (`prefix_<n>`, n counting that prefix's relations) and the part's
    number, from 1."""
    memo = _GROWN.setdefault(w, {})
    if (prefix, key) not in memo:
        name, parts = f"{prefix}_{1 + sum(1 for k in memo if k[0] == prefix)}", []
        memo[(prefix, key)] = (name, parts)
        w.later(lambda: render(name, parts))
    name, parts = memo[(prefix, key)]
    parts.append(part)
    return name, len(parts)


def grown_keys(w: SqlWriter, prefix: str) -> list:
    """The keys of `prefix`'s relations grown so far in `w`, in the order they were written."""
    return [k for p, k in _GROWN.get(w, {}) if p == prefix]
