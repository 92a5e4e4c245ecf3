"""Row-for-row comparison of a PFS output with the SQL backend's, whatever made it.

Every implementation's ADTTE (a pandas frame, an Arrow table, a Polars frame) is first put
in one Arrow schema, the columns pfs.ept derives; then two outputs are equal only when
every cell and the row order are. `differences` says where they are not, for the run to
stop on (a mismatch is a failure, never a footnote).
"""

from __future__ import annotations

import pyarrow as pa

SCHEMA = pa.schema([
    ("USUBJID", pa.string()), ("PARAMCD", pa.string()), ("PARAM", pa.string()), ("STARTDT", pa.date32()),
    ("ADT", pa.date32()), ("AVAL", pa.float64()), ("AVALU", pa.string()), ("CNSR", pa.int64()),
    ("EVNTDESC", pa.string()), ("CNSDTDSC", pa.string()), ("SRCDOM", pa.string()), ("SRCVAR", pa.string()),
    ("SRCSEQ", pa.float64()),
])  # fmt: skip
COLUMNS = SCHEMA.names


def as_table(output) -> pa.Table:
    """The output's PFS columns as an Arrow table of SCHEMA."""
    if isinstance(output, pa.Table):
        table = output
    elif hasattr(output, "to_arrow"):  # Polars
        table = output.to_arrow()
    else:  # pandas
        return pa.Table.from_pandas(output[COLUMNS], schema=SCHEMA, preserve_index=False)
    return table.select(COLUMNS).cast(SCHEMA).combine_chunks()


def differences(mine: pa.Table, reference: pa.Table, limit: int = 3) -> str | None:
    """None when both (of SCHEMA) are equal cell for cell and in row order, NaN equal to NaN; else what differs: rows that
    only one has (by USUBJID), else the first differing rows of each column."""
    if mine.equals(reference):
        return None
    ours, theirs = mine["USUBJID"].to_pylist(), reference["USUBJID"].to_pylist()
    if ours != theirs:
        extra, missing = sorted(set(ours) - set(theirs)), sorted(set(theirs) - set(ours))
        return (
            f"{mine.num_rows} rows against {reference.num_rows}; subjects only here: {extra[:limit]} "
            f"({len(extra)}), only in the reference: {missing[:limit]} ({len(missing)})"
            + ("" if extra or missing else "; the same subjects in another order")
        )
    found = []
    for column in COLUMNS:
        a, b = mine[column].to_pylist(), reference[column].to_pylist()
        rows = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if not _same(x, y)]
        if rows:
            shown = ", ".join(f"{ours[i]}: {a[i]!r} vs {b[i]!r}" for i in rows[:limit])
            found.append(f"{column} differs in {len(rows)} rows ({shown})")
    return "; ".join(found) or None  # only NaNs where Arrow's equals wants them equal


def _same(x, y) -> bool:
    return x == y or (x != x and y != y)  # NaN equals NaN here; None only None
