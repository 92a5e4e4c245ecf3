"""Date formats: each event's `format`, one format per table column (E190-E193)."""

from __future__ import annotations

from ..data.dates import FORMATS, ISO, canonical_format
from ..language import nodes as n
from .scope import Scope

# Spellings from SAS, R/Python (strptime) and data-management specs, and what they are here.
ALIASES = {
    "DATE9": "DDMONYYYY", "DATE": "DDMONYYYY", "DATE11": "DD-MON-YYYY", "DDMMMYYYY": "DDMONYYYY",
    "DD-MMM-YYYY": "DD-MON-YYYY", "YYMMDD10": ISO, "E8601DA": ISO, "IS8601DA": ISO, "YYYY-MM-DDTHH:MM:SS": ISO,
    "MMDDYY10": "MM/DD/YYYY", "DDMMYY10": "DD/MM/YYYY", "DDMMYYP10": "DD.MM.YYYY", "YYMMDDN8": "YYYYMMDD",
    "YYMMDDS10": "YYYY/MM/DD", "%D%B%Y": "DDMONYYYY", "%D-%B-%Y": "DD-MON-YYYY", "%M/%D/%Y": "MM/DD/YYYY",
    "%D/%M/%Y": "DD/MM/YYYY", "%D.%M.%Y": "DD.MM.YYYY", "%Y%M%D": "YYYYMMDD", "%Y/%M/%D": "YYYY/MM/DD",
    "%Y-%M-%D": ISO, "SAS": "days since 1960-01-01", "SAS DATE": "days since 1960-01-01",
}  # fmt: skip
EXCEL = (
    "Excel serial day numbers are not read (the 1900 and 1904 date systems cannot be told "
    "apart); in Excel, give the column the number format yyyy-mm-dd and save it again"
)


def format_hint(pattern: str) -> str:
    """What to write instead of an unknown format."""
    key = " ".join(pattern.split()).upper().rstrip(".")
    known = ", ".join(f'"{f}"' for f in FORMATS)
    if key in ALIASES:
        return f'write `format "{ALIASES[key]}"`'
    if "EXCEL" in key or "1899" in key or "1904" in key:
        return EXCEL
    if "YY" in key.replace("YYYY", "") or "%y" in pattern:
        return f"two-digit years are not read, as the century would be a guess; known formats: {known}"
    return f"known formats: {known}"


class DateFormats:
    """The declared format of every event and of every table column read as a date."""

    def __init__(self, scope: Scope):
        self.scope = scope
        self.events: dict[str, str | None] = {}  # event name -> format (None: ISO 8601)
        self.columns: dict[tuple[str, str], tuple[str | None, n.EventDef]] = {}
        for e in scope.events.values():
            if isinstance(e, n.EventDef):  # not a confirmed event (its candidate's format) nor a derived date
                self._event(e)

    def column(self, table: str | None, column: str) -> str | None:
        """The format a table column is read by (None: ISO 8601, or not a date column)."""
        found = self.columns.get((table, column))
        return found[0] if found else None

    def _event(self, e: n.EventDef) -> None:
        c = self.scope
        fmt = None
        if e.format is not None:
            fmt = canonical_format(e.format.pattern)
            if fmt is None:
                c.error(
                    "E190",
                    f'unknown date format "{e.format.pattern}"',
                    e.format.span,
                    format_hint(e.format.pattern),
                )
                return
            fmt = None if fmt == ISO else fmt
        if e.table.text not in c.tables:  # an endpoint's rows, or an unknown table (reported elsewhere)
            if e.format is not None and e.table.text in c.endpoint_nodes:
                c.error(
                    "E191", f"'{e.table.text}' is an endpoint's rows: its dates are dates, not texts in a format",
                    e.format.span, "remove the `format` clause",
                )  # fmt: skip
            return
        if fmt is not None and e.impute is not None:
            c.error(
                "E192", f'`impute` reads partial ISO 8601 dates (2021-03, 2021), not "{fmt}" dates',
                e.impute.span or e.format.span,
                "write the partial dates as ISO 8601 (SDTM --DTC) and drop `format`, or drop `impute`",
            )  # fmt: skip
        self.events[e.name.text] = fmt
        key = (e.table.text, e.column.text)
        if key not in self.columns:
            self.columns[key] = (fmt, e)
            return
        first_fmt, first = self.columns[key]
        if first_fmt != fmt:
            line = f" (line {first.span.line})" if first.span else ""
            c.error(
                "E193",
                f"{key[0]}.{key[1]} is read as {first_fmt or ISO} by event '{first.name.text}'{line} "
                f"but as {fmt or ISO} here",
                e.format.span if e.format else e.column.span,
                f'a column has one format: write `format "{first_fmt or ISO}"` on every event that reads it',
            )  # fmt: skip
