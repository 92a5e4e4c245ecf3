"""Datasets: reading the tables a .ept file names from a folder, writing results.

A table named `adsl` is read from `adsl.csv` in the data folder. CSV cells are
read as text (no type guessing), so dates and codes arrive exactly as written.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .diagnostics import DataError

READERS = {".csv": "csv"}


def find_table(folder: Path, name: str) -> Path:
    matches = [folder / f"{name}{ext}" for ext in READERS if (folder / f"{name}{ext}").is_file()]
    if not matches:
        present = sorted(p.name for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []
        listing = ", ".join(present[:12]) or "no files"
        raise DataError(f"no file for table '{name}' in {folder}: expected {name}.csv (found: {listing})")
    return matches[0]


def read_table(path: Path) -> pd.DataFrame:
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise DataError(f"{path}: not UTF-8 text (byte {exc.start}: {exc.reason})") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise DataError(f"{path}: cannot be read as CSV ({str(exc).strip()})") from None


def read_tables(folder: str | Path, names: list[str]) -> dict[str, pd.DataFrame]:
    folder = Path(folder)
    if not folder.is_dir():
        raise DataError(f"data folder {folder} does not exist")
    return {name: read_table(find_table(folder, name)) for name in names}


def write_csv(frame: pd.DataFrame, path: str | Path) -> None:
    out = frame.copy()
    for column in out.columns:
        if column.endswith("DT"):
            out[column] = out[column].map(lambda d: d.isoformat() if d is not None and d == d else "")
    if "SRCSEQ" in out.columns:
        out["SRCSEQ"] = out["SRCSEQ"].map(_seq_text)
    out.to_csv(path, index=False, lineterminator="\n")


def _seq_text(value) -> str:
    if value is None or value is pd.NA or value != value:
        return ""
    return str(int(value)) if float(value).is_integer() else str(value)
