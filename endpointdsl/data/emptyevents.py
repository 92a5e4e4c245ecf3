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
from attrs import frozen

from .tables import REPORT_COLUMNS
from .values import Row, Subject, normalise, subject_key

PREFIX = "no row matches event "  # every message of this check starts so (the CLI prints them)
NEAR = 0.8  # difflib ratio from which a seen text is a near spelling of a tested one
SHOWN = 3  # nearest values shown
HEAD = 65_536  # rows tested before the whole column's values are read


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
        if _matches(p, frame.iloc[:head], p.key, known):
            continue
        seen_in: dict[str, set[str]] = {}
        possible = all(set(texts) & seen_in.setdefault(c, _seen(frame, c)) for c, texts in p.required)
        if possible and _matches(p, frame.iloc[head:], p.key, known, head):
            continue
        notes, typo = [], False
        for column, texts in p.texts:
            seen = seen_in[column] if column in seen_in else _seen(frame, column)
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


def _matches(p: Probe, frame: pd.DataFrame, key: str, subjects: dict | None, start: int = 0) -> bool:
    """Some row of `frame` (the table's rows from number start + 1 on) holds the condition."""
    used = [c for c in dict.fromkeys((*p.columns, key)) if c in frame.columns]
    # a condition reads only these cells: each distinct combination is tested once, at its
    # first row (a whole table read row by row took 95 s at 9M rows); the key only when the
    # condition reads subject-level cells
    shown = used if subjects is not None else [c for c in used if c != key] or used[:1]
    at = distinct_rows(frame, shown)
    columns = [frame[c].take(at).tolist() for c in used]
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
