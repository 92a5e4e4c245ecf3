"""Projection (issue 16, bounded memory): read only the columns a run needs from a table.

Real ADaM tables carry many columns an .ept file never reads (ADSL 50+, ADRS 100+). A
reader asks `Columns.of` with the file's own column names (its header, schema or SAS
metadata, read first) which of them to read. When the file lacks a needed column it is read
whole, so that the error naming the missing column (with its "did you mean" among the
file's columns) is the one an unprojected read gives.
"""

from __future__ import annotations

from attrs import frozen


@frozen
class Columns:
    """The columns read from one table: every one of `needed` (else all of the file's), and
    those of `if_present` the file has (STUDYID, a --by column)."""

    needed: frozenset[str]
    if_present: frozenset[str] = frozenset()

    def of(self, names: list[str]) -> list[str] | None:
        """The names to read, in the file's order; None: read every column (also when none is wanted)."""
        present = set(names)
        if not self.needed <= present or len(present) < len(names):  # a repeated name: refused whole
            return None
        wanted = self.needed | self.if_present
        return [name for name in names if name in wanted] or None  # none: Arrow would read all
