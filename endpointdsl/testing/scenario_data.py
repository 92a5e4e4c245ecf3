"""Scenario data: the input tables of a file's scenarios, one subject per scenario, as CSV files.

The tables are written as CSV and read back by the reader `endpointdsl run` uses
(data.read), so a scenario's cells reach the engines exactly as a data folder's would:
texts, with missing cells empty.
"""

from __future__ import annotations

import csv
from pathlib import Path

from ..check import model as m
from ..check.usage import table_usage
from .scenarios import Row, Scenario, ScenarioFile


def subject_id(scenario: Scenario) -> str:
    """The subject key the runner gives a scenario: from its number, S001, S002..."""
    return f"S{scenario.number:03d}"


def _cells(row: Row) -> dict[str, str]:
    return {c.column: c.value.text for c in row.cells}  # `missing`: the empty text


def scenario_rows(scenarios: ScenarioFile, sc: Scenario, model: m.Model) -> list[tuple[str, dict[str, str]]]:
    """(table, cells) of one scenario's subject: the background's rows and its own. A table of
    one row per subject gets one row, the background's updated cell by cell by the scenario's;
    the subject table always has a row, so that the subject is analysed."""
    per_subject = {t.name for t in model.tables if t.per_subject}
    merged: dict[str, dict[str, str]] = {model.subject_table.name: {}}
    rows: list[tuple[str, dict[str, str]]] = []
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
    for sc in chosen:
        for table, cells in scenario_rows(scenarios, sc, model):
            lines[table].append({**cells, usage[table]["key"]: subject_id(sc)})
    for name, info in usage.items():
        columns = list(dict.fromkeys([info["key"], *info["columns"]]))
        with (folder / f"{name}.csv").open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, columns, restval="", lineterminator="\n")
            writer.writeheader()
            writer.writerows(lines[name])
    return list(usage)
