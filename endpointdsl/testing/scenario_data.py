"""Scenario data: the input tables of a file's scenarios, one subject per scenario, as CSV files.

The tables are written as CSV and read back by the reader `endpointdsl run` uses
(data.read), so a scenario's cells reach the engines exactly as a data folder's would:
texts, with missing cells empty. A date (`2024-04-20`, not a text) is written in the
format the .ept reads its column in (`format "DDMONYYYY"`: 20APR2024); a text is written
as it is.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from ..check import model as m
from ..check.usage import table_usage
from ..data.dates import ISO, MONTHS, SAS_DAYS, SAS_EPOCH, canonical_format
from .scenarios import Row, Scenario, ScenarioFile, Value


def subject_id(scenario: Scenario) -> str:
    """The subject key the runner gives a scenario: from its number, S001, S002..."""
    return f"S{scenario.number:03d}"


def written(value: Value, fmt: str | None) -> str:
    """A cell as the file holds it: a date in the column's format, anything else as written
    (`missing`: the empty text)."""
    fmt = canonical_format(fmt) if fmt else None
    if value.kind != "date" or fmt in (None, ISO):
        return value.text
    d = dt.date.fromisoformat(value.text)  # the checker refused dates not in the calendar (E414)
    if fmt == SAS_DAYS:
        return str((d - SAS_EPOCH).days)
    mon = MONTHS[d.month - 1]
    return (
        fmt.replace("YYYY", f"{d.year:04d}")
        .replace("MON", mon)
        .replace("MM", f"{d.month:02d}")
        .replace("DD", f"{d.day:02d}")
    )


def _cells(row: Row) -> dict[str, Value]:
    return {c.column: c.value for c in row.cells}


def scenario_rows(
    scenarios: ScenarioFile, sc: Scenario, model: m.Model
) -> list[tuple[str, dict[str, Value]]]:
    """(table, cells) of one scenario's subject: the background's rows and its own. A table of
    one row per subject gets one row, the background's updated cell by cell by the scenario's;
    the subject table always has a row, so that the subject is analysed."""
    per_subject = {t.name for t in model.tables if t.per_subject}
    merged: dict[str, dict[str, Value]] = {model.subject_table.name: {}}
    rows: list[tuple[str, dict[str, Value]]] = []
    for row in (*scenarios.background, *sc.rows):
        if row.table in per_subject:
            merged.setdefault(row.table, {}).update(_cells(row))
        else:
            rows.append((row.table, _cells(row)))
    return [*merged.items(), *rows]


def write_tables(folder: Path, scenarios: ScenarioFile, chosen: list[Scenario], model: m.Model) -> list[str]:
    """Write TABLE.csv for every table of the .ept into `folder`, with the chosen scenarios'
    subjects; every column the .ept reads, the key first. Returns the table names."""
    usage = table_usage(model)
    lines: dict[str, list[dict[str, str]]] = {name: [] for name in usage}
    formats = {(t, d[0]): d[1] for t, info in usage.items() for d in info["dates"]}
    for sc in chosen:
        for table, cells in scenario_rows(scenarios, sc, model):
            row = {c: written(v, formats.get((table, c))) for c, v in cells.items()}
            lines[table].append({**row, usage[table]["key"]: subject_id(sc)})
    for name, info in usage.items():
        columns = list(dict.fromkeys([info["key"], *info["columns"]]))
        with (folder / f"{name}.csv").open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, columns, restval="", lineterminator="\n")
            writer.writeheader()
            writer.writerows(lines[name])
    return list(usage)
