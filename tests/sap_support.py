"""What the SAP gallery's oracle tests share: reading a gallery table by hand (the csv
module, no compiler), running a gallery file through an engine, and the engines' records
as plain values to compare with an oracle's. The oracles themselves stay in each test file."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
from pathlib import Path

import pandas as pd
from conftest import EXAMPLES

import endpointdsl
from endpointdsl.data.read import read_tables

SAP = EXAMPLES / "sap"
ENGINES = ("sql", "compiled", "interpreter")


def rows(slug: str, table: str, blank_as_none: bool = False) -> list[dict]:
    """The rows of a gallery table as texts; blank cells as None when asked."""
    with open(SAP / "data" / slug / f"{table}.csv", newline="", encoding="utf-8") as f:
        read = list(csv.DictReader(f))
    if blank_as_none:
        return [{k: (v if v != "" else None) for k, v in r.items()} for r in read]
    return read


def day(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def api_run(slug: str, engine: str):
    """The run of gallery entry `slug` on its data by `engine`, through the API."""
    compiled = endpointdsl.load(SAP / f"{slug}.ept")
    tables = read_tables(SAP / "data" / slug, [t.name for t in compiled.model.tables])
    return compiled.run(tables, engine=engine)


def normal(frame: pd.DataFrame, columns: list[str], code: str | None = None) -> list[dict]:
    """The records (of endpoint `code`, or all) as plain values, comparable with an oracle's:
    missing as None, dates as dates, AVAL and SRCSEQ as floats, CNSR as an int."""
    chosen = frame if code is None else frame[frame.PARAMCD == code]
    out = []
    for r in chosen.to_dict("records"):
        rec = {}
        for c in columns:
            v = r.get(c)
            if v is None or (not isinstance(v, str) and pd.isna(v)):
                v = None
            elif c in ("STARTDT", "ADT"):
                v = v if isinstance(v, dt.date) and not isinstance(v, dt.datetime) else pd.Timestamp(v).date()
            elif c in ("AVAL", "SRCSEQ"):
                v = float(v)
            elif c == "CNSR":
                v = int(v)
            rec[c] = v
        out.append(rec)
    return out


def cli_run(slug: str, engine: str, folder: Path) -> Path:
    """`endpointdsl run --engine ENGINE` on gallery entry `slug` (its output silenced); the
    CSV it wrote, in `folder`. The run must succeed."""
    from endpointdsl.cli import main

    out = folder / f"{engine}.csv"
    argv = ["run", str(SAP / f"{slug}.ept"), "--data", str(SAP / "data" / slug), "--out", str(out)]
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        assert main([*argv, "--engine", engine]) == 0, argv
    return out


def written_frame(path: Path) -> pd.DataFrame:
    """A CSV output as texts, blanks as None, STARTDT and ADT as dates."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False).replace("", None)
    for c in ("STARTDT", "ADT"):
        frame[c] = frame[c].map(lambda d: day(d) if isinstance(d, str) and d else None)
    return frame


def cell_text(value) -> str | None:
    """A cell of a written output as text (None: missing), dates in ISO form."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    return None if text in ("", "nan", "NaT", "<NA>", "None") else text


def cell_number(value) -> float | None:
    text = cell_text(value)
    return None if text is None else float(text)
