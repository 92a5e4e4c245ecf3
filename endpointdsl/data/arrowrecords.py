"""Arrow records (issue 16, bounded memory): an engine's ADTTE records kept as an Arrow table
from the SQL script to the files written, and made a pandas frame only when asked for.

At a million subjects the conversion to pandas took about a sixth of the run and held the
records twice. The SQL engine's common path (no grouped endpoint, nothing derived per
subject) returns its records as `Records`; `adamarrow.complete` adds the ADaM columns in
Arrow, and the CSV and Parquet writers (`arrowwrite`) write the table itself. Whoever asks
`RunResult.adtte` gets the frame the pandas path gives (`convert`, run once and kept).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from attrs import field, frozen

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa


@frozen
class Records:
    """Records as an Arrow table (in the column order and with the values the pandas frame
    has), the frame's `attrs` (labels, formats, dataset: what the writers read), and
    `convert`, which makes the pandas frame the pandas path gives."""

    table: pa.Table
    convert: Callable[[], pd.DataFrame]
    attrs: dict = field(factory=dict)
    _frame: list = field(factory=list, init=False, eq=False, repr=False)

    @property
    def columns(self) -> list[str]:
        return list(self.table.column_names)

    def __len__(self) -> int:
        return self.table.num_rows

    def frame(self) -> pd.DataFrame:
        """The pandas frame, converted on first use and then kept (the same object each time)."""
        if not self._frame:
            self._frame.append(self.convert())
        return self._frame[0]

    def codes(self) -> set[str]:
        """The PARAMCDs that have a record."""
        import pyarrow.compute as pc

        return {c for c in pc.unique(self.table["PARAMCD"]).to_pylist() if c is not None}

    def subjects(self) -> int:
        """The number of subjects with a record (as pandas' nunique: missing not counted)."""
        import pyarrow.compute as pc

        return pc.count_distinct(self.table["USUBJID"], mode="only_valid").as_py()
