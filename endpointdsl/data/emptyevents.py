"""No silent empty events (issue 19, part 3; docs/semantics.md 5): an event whose condition
matches no row of its whole table is reported, with what each tested value is in its column.

A data check, not a derivation: `CompiledFile.complete` applies it once to the result of any
engine, so the three engines' reports stay equal. The caller gives each event as a `Probe`
(its condition as a predicate over one row, and the texts it tests by column); this module
reads the tables, so it knows nothing of the model.

* no row matches, no likely typo: a **warning** (no deaths in a small trial is no error);
* no row matches, and a tested text never occurs in its column while a near spelling does
  (`"OVR "` beside `"OVR"`): a **finding** (`run --fail-on-findings` exits 3);
* no row matches an event whose rows are a best response's assessments: a **finding** (every
  subject would be MISSING; admiralonco stops there).
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from attrs import frozen

from .tables import REPORT_COLUMNS
from .values import Row, Subject, normalise, subject_key

PREFIX = "no row matches event "  # every message of this check starts so (the CLI prints them)
NEAR = 0.8  # difflib ratio from which a seen text is a near spelling of a tested one
SHOWN = 3  # nearest values shown
HEAD = 65_536  # rows tested before the whole column's values are read
FIRST = 4_096  # ... of which these first (issue 16: at 100k rows, 1 ms against 6 for the head)


@frozen
class Probe:
    name: str
    table: str
    shown: str  # the condition as written
    holds: Callable[[Row, Subject | None], bool | None]
    texts: tuple[tuple[str, tuple[str, ...]], ...]  # (column, texts `=` or `in (...)` look for)
    assessments_of: str | None = None  # the PARAMCDs (`A, B`) of the best responses that read the event
    subject_level: bool = False  # the condition reads one-row-per-subject cells
    key: str = "USUBJID"  # the subject key of the event's table
    columns: tuple[str, ...] = ()  # the columns of the event's table the condition reads
    # (column, texts): the condition holds only where the column is one of the texts (its
    # `and`-ed equalities); a column that has none of them matches no row without a scan
    required: tuple[tuple[str, tuple[str, ...]], ...] = ()


def empty_event_rows(
    probes: list[Probe], tables: dict[str, pd.DataFrame], per_subject: dict[str, str]
) -> list[dict]:
    """One report row (USUBJID and PARAMCD empty) per event that matches no row.
    `per_subject`: the one-row-per-subject tables and their keys (a condition may read them)."""
    out = []
    subjects = None
    for p in probes:
        frame = tables.get(p.table)
        if frame is None or len(frame) == 0:
            continue  # `table 'x' has no rows` is reported already
        if p.subject_level and subjects is None:
            subjects = _subjects(tables, per_subject)
        known = subjects if p.subject_level else None
        head = min(len(frame), HEAD)  # an event that has rows mostly has some among the first
        # issue 16: the SQL engine's Arrow-backed tables are read in Arrow (pandas' slices,
        # Series and factorize cost more than the check at 1,000 subjects)
        cells = _ArrowCells(frame, p) if _ArrowCells.fits(frame, p) else _FrameCells(frame)
        # the first rows, then the rest of the head: the same answer, found sooner
        heads = [(0, min(head, FIRST))] + ([(FIRST, head)] if head > FIRST else [])
        if any(_matches(p, cells.rows(a, b), p.key, known, a) for a, b in heads):
            continue
        seen_in: dict[str, set[str]] = {}
        possible = all(set(texts) & seen_in.setdefault(c, cells.seen(c)) for c, texts in p.required)
        if possible and _matches(p, cells.rows(head, len(frame)), p.key, known, head):
            continue
        notes, typo = [], False
        for column, texts in p.texts:
            seen = seen_in[column] if column in seen_in else cells.seen(column)
            for text in texts:
                if text in seen:
                    notes.append(f'"{text}" occurs in {column}')
                    continue
                near = _nearest(text, seen)
                typo = typo or any(_ratio(text, s) >= NEAR and _numbers(text) == _numbers(s) for s in near)
                shown = ", ".join(f'"{s}"' for s in near)
                notes.append(
                    f'"{text}" never occurs in {column} ({f"nearest: {shown}" if near else "no value"})'
                )
        message = f"{PREFIX}{p.name}: {p.table} where {p.shown}"
        if notes:
            message += "; " + "; ".join(notes)
        if p.assessments_of is not None:
            several = ", " in p.assessments_of
            message += (
                f"; best response{'s' if several else ''} {p.assessments_of} "
                f"{'have' if several else 'has'} no assessment for any subject"
            )
        status = "finding" if typo or p.assessments_of is not None else "warning"
        out.append({"USUBJID": None, "PARAMCD": None, "STATUS": status, "MESSAGE": message})
    return out


def with_rows(report: pd.DataFrame, rows: list[dict]) -> pd.DataFrame:
    """The report with `rows` (USUBJID and PARAMCD empty) among those of their kind, in the
    report's order (tables.report_frame: subject, endpoint, status, message)."""
    if not rows:
        return report
    general = report.USUBJID.isna() & report.PARAMCD.isna()
    head = report[general].to_dict("records") + rows
    head.sort(key=lambda r: (r["STATUS"], r["MESSAGE"]))
    frame = pd.DataFrame(head, columns=REPORT_COLUMNS).astype(report.dtypes.to_dict())
    return pd.concat([frame, report[~general]], ignore_index=True)


class _FrameCells:
    """A table's cells read through pandas (any dtype)."""

    def __init__(self, frame: pd.DataFrame):
        self.frame = frame

    def rows(self, start: int, stop: int) -> _FrameRows:
        return _FrameRows(self.frame.iloc[start:stop])

    def seen(self, column: str) -> set[str]:
        return _seen(self.frame, column)


class _FrameRows:
    def __init__(self, frame: pd.DataFrame):
        self.frame, self.columns = frame, frame.columns

    def distinct(self, columns: list[str]) -> np.ndarray:
        return distinct_rows(self.frame, columns)

    def values(self, column: str, at: np.ndarray) -> list:
        return self.frame[column].take(at).tolist()


# Arrow types whose hash grouping is exact equality of the Python values pandas gives (a
# float is not: -0.0 and 0.0 are read apart, see _codes); pandas' missing value (NA) and
# Arrow's (None) are both read as missing by normalise
_EXACT = (pa.types.is_string, pa.types.is_large_string, pa.types.is_integer, pa.types.is_date32)


class _ArrowCells:
    """A table's cells read in Arrow, for Arrow-backed columns (`fits`): the same distinct
    combinations and Python values as _FrameCells (tests/test_empty_events.py compares them)."""

    def __init__(self, frame: pd.DataFrame, p: Probe):
        self.arrays = {c: frame[c].array.__arrow_array__() for c in _probed(p) if c in frame.columns}

    @staticmethod
    def fits(frame: pd.DataFrame, p: Probe) -> bool:
        dtypes = [frame[c].dtype for c in _probed(p) if c in frame.columns]
        return all(
            isinstance(d, pd.ArrowDtype) and any(is_(d.pyarrow_dtype) for is_ in _EXACT) for d in dtypes
        )

    def rows(self, start: int, stop: int) -> _ArrowRows:
        return _ArrowRows({c: a.slice(start, stop - start) for c, a in self.arrays.items()}, stop - start)

    def seen(self, column: str) -> set[str]:
        if column not in self.arrays:
            return set()
        values = pc.unique(self.arrays[column]).to_pylist()
        return {t for t in (_text_of(normalise(v)) for v in values) if t is not None}


class _ArrowRows:
    def __init__(self, arrays: dict[str, pa.ChunkedArray], n: int):
        self.arrays, self.columns, self.n = arrays, list(arrays), n

    def distinct(self, columns: list[str]) -> np.ndarray:
        """Positions of the first row of each distinct combination (as distinct_rows)."""
        if not columns or self.n == 0:
            return np.arange(min(self.n, 1))
        combined, size = np.zeros(self.n, dtype=np.int64), 1
        for c in columns:  # each column's codes (missing: 0), mixed into one number per row
            encoded = pc.dictionary_encode(self.arrays[c].combine_chunks())
            width = len(encoded.dictionary) + 1
            size *= width
            if size >= 2**62:  # the numbers would overflow: pandas tells the rows apart
                frame = pd.DataFrame({c: pd.arrays.ArrowExtensionArray(self.arrays[c]) for c in columns})
                return distinct_rows(frame, columns)
            codes = pc.fill_null(pc.add(encoded.indices.cast(pa.int64()), 1), 0).to_numpy()
            combined = combined * width + codes
        return _firsts(pc.dictionary_encode(pa.array(combined)).indices.to_numpy())

    def values(self, column: str, at: np.ndarray) -> list:
        return self.arrays[column].take(pa.array(at, pa.int64())).to_pylist()


def _firsts(codes: np.ndarray) -> np.ndarray:
    """Positions where a code occurs first, for codes numbered in order of first occurrence
    (dictionary_encode's): there a code exceeds every code before it."""
    before = np.maximum.accumulate(codes)
    return np.flatnonzero(codes > np.concatenate(([-1], before[:-1])))


def _probed(p: Probe) -> list[str]:
    """The columns the check reads of the event's table."""
    return list(dict.fromkeys((*p.columns, p.key, *(c for c, _ in p.texts), *(c for c, _ in p.required))))


def _matches(p: Probe, frame, key: str, subjects: dict | None, start: int = 0) -> bool:
    """Some row of `frame` (the table's rows from number start + 1 on; _FrameRows or
    _ArrowRows) holds the condition."""
    used = [c for c in dict.fromkeys((*p.columns, key)) if c in frame.columns]
    # a condition reads only these cells: each distinct combination is tested once, at its
    # first row (a whole table read row by row took 95 s at 9M rows); the key only when the
    # condition reads subject-level cells
    shown = used if subjects is not None else [c for c in used if c != key] or used[:1]
    at = frame.distinct(shown)
    columns = [frame.values(c, at) for c in used]
    for number, values in zip((at + start + 1).tolist(), zip(*columns, strict=True), strict=True):
        row = Row({c: normalise(v) for c, v in zip(used, values, strict=True)}, number)
        subject = subjects.get(subject_key(row.get(key))) if subjects is not None else None
        if p.holds(row, subject) is True:
            return True
    return False


def _codes(column: pd.Series) -> np.ndarray:
    """Equal codes for cells that are the same value of the same type (so read alike by every
    reader): pandas' own codes where its equality is exact, else Python keys by type."""
    if pd.api.types.is_object_dtype(column.dtype) and not isinstance(column.dtype, pd.ArrowDtype):
        if pd.api.types.infer_dtype(column, skipna=True) in ("string", "empty"):
            return pd.factorize(column)[0]  # texts and missing cells (all read as missing)
        seen: dict = {}
        out = np.empty(len(column), dtype=np.int64)
        for i, v in enumerate(column.tolist()):
            try:  # 1 == 1.0 == True: the type too; -0.0 == 0.0: floats by their bits
                k = (type(v), v.hex() if isinstance(v, float) else v)
                out[i] = seen.setdefault(k, len(seen))
            except TypeError:  # unhashable: a value of its own
                out[i] = seen.setdefault(("cell", i), len(seen))
        return out
    codes = pd.factorize(column)[0].astype(np.int64)
    if pd.api.types.is_float_dtype(column.dtype):  # -0.0 apart from 0.0 (texts differ)
        signs = np.signbit(column.to_numpy(dtype="float64", na_value=np.nan))
        codes = codes * 2 + signs
    return codes


def distinct_rows(frame: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """Positions of the first row of each distinct combination of the columns' cells."""
    if not columns or len(frame) == 0:
        return np.arange(min(len(frame), 1))
    codes = pd.DataFrame({i: _codes(frame[c]) for i, c in enumerate(columns)})
    return np.flatnonzero(~codes.duplicated().to_numpy())


def _subjects(tables: dict[str, pd.DataFrame], per_subject: dict[str, str]) -> dict:
    out: dict = {}
    for table, key in per_subject.items():
        for number, values in enumerate(tables[table].to_dict("records"), 1):
            row = Row({k: normalise(v) for k, v in values.items()}, number)
            sid = subject_key(row.get(key))
            if sid is not None:
                out.setdefault(sid, Subject(sid, {})).tables.setdefault(table, []).append(row)
    return out


def _seen(frame: pd.DataFrame, column: str) -> set[str]:
    if column not in frame.columns:
        return set()
    values = frame[column].take(distinct_rows(frame, [column])).tolist()
    return {t for t in (_text_of(normalise(v)) for v in values) if t is not None}


def _text_of(value) -> str | None:
    """A cell as a condition compares it with a text (docs/semantics.md 1: 1.0 is "1")."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _ratio(a: str, b: str) -> float:
    if a.strip().casefold() == b.strip().casefold():
        return 1.0
    return difflib.SequenceMatcher(None, a.casefold(), b.casefold()).ratio()


def _numbers(text: str) -> list[str]:
    """review19: "GRADE 4" beside "GRADE 3" (ratio 0.86) is another value, not a misspelling:
    a trial without a grade-4 event is no error. Near spellings have the same numbers."""
    return re.findall(r"[0-9]+", text)


def _nearest(text: str, seen: set[str]) -> list[str]:
    ranked = sorted(seen, key=lambda s: (-_ratio(text, s), s))
    return ranked[:SHOWN]
