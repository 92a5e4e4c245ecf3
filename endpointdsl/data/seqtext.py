"""SRCSEQ's text in a CSV output: one rule for the pandas writer (`write`) and the Arrow
writer (`arrowwrite`), in a module of its own since `write` imports `arrowwrite`."""

from __future__ import annotations

import pandas as pd


def seq_text(value: object) -> str:
    """A whole number as an int ("3", not "3.0"), any other number as str(), missing as ""."""
    if value is None or value is pd.NA or value != value:
        return ""
    return str(int(value)) if float(value).is_integer() else str(value)
