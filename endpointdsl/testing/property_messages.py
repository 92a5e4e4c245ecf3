"""Generated properties (issue 15): their failure messages: the history as rows per table
(`TABLE: COLUMN = value, ...`, the scenario format) and the record the engine gave.
"""

from __future__ import annotations

import datetime as dt

from . import oracle


class Broken(AssertionError):
    """A property does not hold on a drawn history; the message says where and how."""


# ---- messages: the history as rows per table, and the record ------------------------------------


def _value(v) -> str:
    if v is None:
        return "missing"
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, str):
        if oracle.as_date(v) is not None and v == v.strip():
            return v
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def rows_text(tables: dict[str, list[dict]]) -> str:
    lines = ["history (rows per table):"]
    for table, rows in tables.items():
        for row in rows:
            lines.append(f"  {table}: " + ", ".join(f"{c} = {_value(v)}" for c, v in row.items()))
    return "\n".join(lines)


def record_text(derivation) -> str:
    if derivation.record is None:
        return f"excluded: {derivation.excluded}"
    rec = derivation.record
    names = ("STARTDT", "ADT", "AVAL", "AVALC", "CNSR", "EVNTDESC", "CNSDTDSC", "SRCDOM", "SRCVAR", "SRCSEQ")
    return ", ".join(f"{n} = {_value(getattr(rec, n))}" for n in names if getattr(rec, n) is not None)


def result_text(result) -> str:
    if isinstance(result, Exception):
        return f"stopped: {result}"
    return f"{result.adtte.to_string(index=False)}\nreport:\n{result.report.to_string(index=False)}"


def broke(what: str, rows: dict[str, list[dict]], derivation) -> None:
    raise Broken(f"{what}\n{rows_text(rows)}\nrecord: {record_text(derivation)}")
