"""The summaries as HTML tables, with the numbers as the terminal prints them (data.km's
format_km, data.summary's format_summary and data.value_summary's, whose cell formats are
reused here). Every cell goes through `html.escape`: labels and values come from the .ept
file and the data."""

from __future__ import annotations

import html
import math
from collections.abc import Sequence

import pandas as pd

from ..data.km import _number as km_time  # the terminal's formats: NE, whole days, one decimal
from ..data.km import _prob as km_prob
from ..data.summary import _level_label, _percent
from ..data.value_summary import _number as value_number

NUMERIC = "num"


def esc(value) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def table(
    header: Sequence[str] | None, rows: Sequence[Sequence], numeric: Sequence[int] = (), caption: str = ""
) -> str:
    """An HTML table; `numeric`: the columns aligned on the right; no header row: a list of
    names (first column) and values."""
    out = ["<table>"]
    if caption:
        out.append(f"<caption>{esc(caption)}</caption>")
    if header is not None:
        out.append("<tr>" + "".join(f"<th>{esc(h)}</th>" for h in header) + "</tr>")
    for row in rows:
        cells = "".join(
            f'<td class="{NUMERIC}">{esc(c)}</td>' if i in numeric else f"<td>{esc(c)}</td>"
            for i, c in enumerate(row)
        )
        out.append(f"<tr>{cells}</tr>")
    out.append("</table>")
    return "\n".join(out)


def _missing(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x)) or x is pd.NA


def _text(x) -> str:
    return "" if _missing(x) else str(x)


def km_tables(part: pd.DataFrame, by: str | None) -> str:
    """One parameter's Kaplan-Meier summary: counts, the counts by CNSR, the quartiles and the
    estimates at the stated times; a first column per group with --by."""
    lead = [by] if by else []
    rows = part.to_dict("records")  # the --by column's name need not be an identifier

    def g(r: dict) -> list:
        return [r[by]] if by else []

    competing = any(r["STAT"] == "COMPETING" for r in rows)
    counted = ("SUBJECTS", "EVENTS", *(("COMPETING",) if competing else ()), "CENSORED")
    counts = []
    for key in dict.fromkeys(tuple(g(r)) for r in rows):
        mine = {r["STAT"]: r["COUNT"] for r in rows if tuple(g(r)) == key}
        counts.append([*key, *(mine.get(s) for s in counted)])
    head = [*lead, "N", "Events", *(["Competing events"] if competing else []), "Censored"]
    out = [table(head, counts, range(len(lead), len(head)), "Subjects")]
    n = len(lead)
    by_cnsr = [
        [*g(r), r["CNSR"], _text(r["EVNTDESC"]), _text(r["CNSDTDSC"]), r["COUNT"]]
        for r in rows
        if r["STAT"] == "BY CNSR"
    ]
    if by_cnsr:
        out.append(table([*lead, "CNSR", "EVNTDESC", "CNSDTDSC", "n"], by_cnsr, [n, n + 3], "By CNSR"))
    quart = [r for r in rows if r["STAT"] in ("Q1", "MEDIAN", "Q3")]
    if quart:
        cells = [
            [*g(r), r["STAT"], km_time(r["ESTIMATE"]), f"({km_time(r['LOWER'])}, {km_time(r['UPPER'])})"]
            for r in quart
        ]
        head = [*lead, "Quartile", f"Time ({quart[0]['TIMEU']})", "95% CI"]
        out.append(table(head, cells, [n + 1], f"{quart[0]['METHOD']}; NE: not estimable"))
    at = [r for r in rows if r["STAT"] in ("SURVIVAL", "CIF")]
    if at:
        what = "S(t)" if at[0]["STAT"] == "SURVIVAL" else "CIF(t)"
        cells = [
            [*g(r), f"{km_time(r['TIME'])} {str(r['TIMEU']).lower()}", km_prob(r["ESTIMATE"]),
             f"({km_prob(r['LOWER'])}, {km_prob(r['UPPER'])})", r["COUNT"]]
            for r in at
        ]  # fmt: skip
        out.append(table([*lead, "Time", what, "95% CI", "At risk"], cells, [n + 1, n + 3], at[0]["METHOD"]))
    return "\n".join(out)


def rates_table(part: pd.DataFrame, level: float = 0.95) -> str:
    """One parameter's rows of the rates table (counts per category, exact CI), as `run` prints them."""
    cells = [  # as format_summary's cells, without its padding; PARAMCD and PARAM head the section
        [r.CATEGORY, r.n, r.N, "-" if not r.N else _percent(r.RATE),
         "-" if not r.N else f"{_percent(r.LOWER)} - {_percent(r.UPPER)}"]
        for r in part.itertuples(index=False)
    ]  # fmt: skip
    head = ["Category", "n", "N", "Rate", f"{_level_label(level)} CI (Clopper-Pearson)"]
    out = [table(head, cells, [1, 2, 3])]
    excluded = int(part.EXCLUDED.iloc[0]) if len(part) else 0
    if excluded:
        out.append(
            f"<p>{excluded} subject{'' if excluded == 1 else 's'} excluded from N (see the exclusions).</p>"
        )
    return "\n".join(out)


def values_table(part: pd.DataFrame) -> str:
    """One parameter's value summary (N, mean, SD, median, range, geometric mean and CV%)."""
    head = ["AVALU", "N", "Mean", "SD", "Median", "Min", "Max", "Geometric mean", "Geometric CV%"]
    cells, notes = [], []
    for r in part.itertuples(index=False):
        unit = _text(r.AVALU)
        numbers = [r.MEAN, r.SD, r.MEDIAN, r.MIN, r.MAX, r.GEOMEAN, r.GEOCV]
        cells.append([unit, r.N, *map(value_number, numbers)])
        if r.NGEO < r.N:
            notes.append(
                f"Geometric statistics over {r.NGEO} positive values ({r.N - r.NGEO} zero or negative left out)."
            )
        if r.EXCLUDED:
            notes.append(
                f"{r.EXCLUDED} subject{'' if r.EXCLUDED == 1 else 's'} without a value (see the exclusions)."
            )
    return "\n".join([table(head, cells, range(1, len(head))), *(f"<p>{esc(n)}</p>" for n in notes)])


def report_tables(report: pd.DataFrame) -> str:
    """The exclusions, findings and warnings: a count per parameter and status, then every row."""
    if not len(report):
        return "<p>None: every subject of the subject table has a record in every endpoint.</p>"
    counts = (
        report.assign(PARAMCD=report.PARAMCD.fillna("(file)"))
        .groupby(["PARAMCD", "STATUS"], sort=False)
        .size()
    )
    out = [
        table(
            ["PARAMCD", "Status", "Rows"],
            [[p, s, n] for (p, s), n in counts.items()],
            [2],
            "Rows per parameter",
        )
    ]
    rows = [
        ["" if _missing(v) else v for v in r]
        for r in report[["USUBJID", "PARAMCD", "STATUS", "MESSAGE"]].itertuples(index=False)
    ]
    out.append(
        table(
            ["USUBJID", "PARAMCD", "Status", "Reason"], rows, caption="Every row, as in the run's report file"
        )
    )
    return "\n".join(out)
