"""Tables: whole pandas tables in, one derivation per subject and endpoint, ADTTE out.

Every subject of the subject-level table ends either with a record or in the
report with the reason; rows that cannot be attributed to a subject are
reported too. Output is sorted, so it does not depend on input row order.
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Callable, Mapping

import pandas as pd
from attrs import frozen

from .arrowrecords import Records
from .datecheck import check_date_columns
from .errors import DataError
from .groups import Grouped, expand
from .records import Derivation
from .values import Row, Subject, normalise, subject_key

ADTTE_COLUMNS = [
    "USUBJID", "PARAMCD", "PARAM", "STARTDT", "STARTDTF", "ADT", "ADTF", "AVAL", "AVALU",
    "CNSR", "EVNTDESC", "CNSDTDSC", "SRCDOM", "SRCVAR", "SRCSEQ",
]  # fmt: skip
REPORT_COLUMNS = ["USUBJID", "PARAMCD", "STATUS", "MESSAGE"]


@frozen
class RunResult:
    _adtte: pd.DataFrame | Records  # (issue 16) Arrow records, from the SQL engine's common path
    report: pd.DataFrame  # one row per exclusion and per data finding

    @property
    def adtte(self) -> pd.DataFrame:
        """The records as a pandas frame (Arrow records converted on first use, then kept)."""
        return self._adtte.frame() if isinstance(self._adtte, Records) else self._adtte

    @property
    def table(self) -> pd.DataFrame | Records:
        """The records as the writers take them: Arrow when the engine kept them so."""
        return self._adtte

    def counts(self) -> tuple[int, int]:
        """(records, subjects with a record), without converting Arrow records."""
        if isinstance(self._adtte, Records):
            return len(self._adtte), self._adtte.subjects()
        return len(self._adtte), self._adtte.USUBJID.nunique()

    @property
    def excluded(self) -> pd.DataFrame:
        return self.report[self.report.STATUS == "excluded"]

    @property
    def findings(self) -> pd.DataFrame:
        return self.report[self.report.STATUS == "finding"]

    @property
    def warnings(self) -> pd.DataFrame:  # bor (issue 19): an event that matches no row (data.emptyevents)
        return self.report[self.report.STATUS == "warning"]


def given_tables(tables, arrow: bool) -> dict[str, pd.DataFrame]:
    """The API's tables by name, as the engines read them: a pandas frame as it is; a pyarrow
    Table as a Parquet file's (read.arrow_frame; `arrow`: for the SQL and Spark engines, its
    columns stay Arrow arrays, no copy). Anything else is a TypeError that says what to give,
    before an engine reads an attribute it lacks."""
    if not isinstance(tables, Mapping):
        raise TypeError(
            f"tables: give a dict of table name to pandas DataFrame or pyarrow Table, not a {type(tables).__name__}"
        )
    given = dict(tables)
    for name, table in given.items():
        if isinstance(table, pd.DataFrame):
            continue
        import pyarrow as pa  # not imported for frames (pandas 2 does not import it)

        if isinstance(table, pa.Table):
            from .arrowtables import arrow_frame

            given[name] = arrow_frame(table, arrow)
            continue
        kind = type(table).__name__
        raise TypeError(f"table {name!r} is a {kind}, not a pandas DataFrame or pyarrow Table{_hint(table)}")
    return given


def _hint(table) -> str:
    """How to make a table of what was given, where there is a way."""
    import pyarrow as pa

    if isinstance(table, pa.RecordBatchReader):
        # a stream is read once, and a run reads each table several times (checks, derivation, ADaM)
        return " (a stream is read once and a run reads each table several times: give reader.read_all())"
    if isinstance(table, pa.RecordBatch):
        return " (give pyarrow.Table.from_batches([batch]))"
    if type(table).__module__.startswith("polars"):
        return " (give frame.to_arrow())"
    return ""


def validate(tables_meta: dict, tables: dict[str, pd.DataFrame], file: str) -> None:
    """Every table and column the .ept file uses is present, and no date column is mostly
    unusable (datecheck); one error lists all gaps."""
    problems = []
    for name, meta in tables_meta.items():
        if name not in tables:
            problems.append(f"table '{name}' is used by {file} but was not given")
            continue
        present = [str(c) for c in tables[name].columns]
        where = f" ({tables[name].attrs['path']})" if "path" in tables[name].attrs else ""
        unusable = tables[name].attrs.get("unusable", {})  # set by read for Parquet columns
        for column, line in meta["columns"].items():
            if column not in present:
                # a name that differs only in case first (SAS and R users rarely mind case)
                close = [p for p in present if p.casefold() == column.casefold()]
                close = close or difflib.get_close_matches(column, present, n=1, cutoff=0.7)
                hint = f" (did you mean {close[0]}?)" if close else ""
                problems.append(f"table '{name}'{where} has no column {column}, used at {file}:{line}{hint}")
            elif column in unusable:
                what = f"holds {unusable[column]}, not text, numbers or dates"
                problems.append(f"table '{name}'{where}: column {column}, used at {file}:{line}, {what}")
    if problems:
        raise DataError("\n".join(problems))
    check_date_columns(tables_meta, tables, file)  # a column of non-dates: one error, not a finding per row


def _rows(frame: pd.DataFrame, columns: list[str]) -> list[Row]:
    records = frame[columns].to_dict("records")
    return [Row({k: normalise(v) for k, v in r.items()}, i + 1) for i, r in enumerate(records)]


def group_subjects(
    tables_meta: dict, subject_table: str, tables: dict[str, pd.DataFrame]
) -> tuple[list[Subject], list[dict]]:
    """Subjects of the subject-level table with their rows, and report rows for the rest."""
    report: list[dict] = []
    by_table: dict[str, dict[str, list[Row]]] = {}
    for name, meta in tables_meta.items():
        key = meta["key"]
        grouped: dict[str, list[Row]] = {}
        for row in _rows(tables[name], list(meta["columns"])):
            sid = subject_key(row.get(key))
            if sid is None:
                report.append(
                    _report(None, None, "finding", f"{name} row {row.number} has no {key}; not used")
                )
                continue
            grouped.setdefault(sid, []).append(row)
        by_table[name] = grouped
    universe = by_table[subject_table]
    for name, grouped in by_table.items():
        for sid in sorted(set(grouped) - set(universe)):
            report.append(
                _report(
                    sid,
                    None,
                    "finding",
                    f"subject has {_rows_text(len(grouped[sid]))} in {name} but none in {subject_table}; not analysed",
                )
            )
    subjects = []
    for sid in sorted(universe):
        rows = {name: grouped.get(sid, []) for name, grouped in by_table.items()}
        subjects.append(Subject(sid, rows))
        if len(universe[sid]) > 1:
            report.append(_report(sid, None, "finding", duplicate_message(len(universe[sid]), subject_table)))
    return subjects, report


def _rows_text(count: int) -> str:
    return f"{count} row" if count == 1 else f"{count} rows"


def duplicate_message(copies: int | str, subject_table: str) -> str:
    return f"duplicate subject: {copies} rows in {subject_table}, which has one row per subject; not analysed"


def _report(sid, paramcd, status, message) -> dict:
    return {"USUBJID": sid, "PARAMCD": paramcd, "STATUS": status, "MESSAGE": message}


def run_tables(
    tables_meta: dict,
    subject_table: str,
    derive: dict[str, Callable[[Subject], Derivation]],
    tables: dict[str, pd.DataFrame],
    file: str,
    kinds: dict[str, str] | None = None,
    times: bool = False,
) -> RunResult:
    """Derive every endpoint for every subject. `kinds` (PARAMCD to "tte", "best",
    "landmark" or "occurrence") decides the output columns: AVALC joins them when an
    endpoint is not time-to-event."""
    validate(tables_meta, tables, file)
    if len(tables[subject_table]) == 0:
        raise DataError(f"table '{subject_table}' has no rows: there is no subject to derive")
    subjects, report = group_subjects(tables_meta, subject_table, tables)
    parcats = max((len(fn.columns) for fn in derive.values() if isinstance(fn, Grouped)), default=0)
    derive, kinds = expand(derive, subjects, kinds)  # groups (issue 13): one per value
    for name in tables_meta:
        if len(tables[name]) == 0:
            report.append(_report(None, None, "finding", f"table '{name}' has no rows"))
    records = []
    for subject in subjects:
        copies = len(subject.rows(subject_table))
        for paramcd, fn in derive.items():
            if copies > 1:
                report.append(
                    _report(
                        subject.id,
                        paramcd,
                        "excluded",
                        f"duplicate subject: {copies} rows in {subject_table}",
                    )
                )
                continue
            result = fn(subject)
            for message in result.findings:
                report.append(_report(subject.id, paramcd, "finding", message))
            if result.record is not None:
                records.append(result.record)
            else:
                report.append(_report(subject.id, paramcd, "excluded", result.excluded))
    excluded = [(r["PARAMCD"], r["MESSAGE"]) for r in report if r["STATUS"] == "excluded"]
    key = tables_meta[subject_table]["key"]
    report += no_record_findings(list(derive), {r.PARAMCD for r in records}, excluded, subject_table, key)
    responses = any(kind != "tte" for code, kind in (kinds or {}).items() if code in derive)
    return RunResult(
        adtte_frame(records, list(derive), responses, times, parcats), report_frame(report, list(derive))
    )


def no_record_findings(
    codes: list[str], recorded: set[str], excluded: list[tuple[str, str]], subject_table: str, key: str
) -> list[dict]:
    """A finding for every endpoint of `codes` without any record, naming its most common
    exclusion reasons: a run that derives nothing must not pass for a clean one. Every
    engine applies this to its result (`excluded`: (PARAMCD, reason) of each exclusion)."""
    out = []
    for code in codes:
        if code in recorded:
            continue
        reasons = Counter(message for paramcd, message in excluded if paramcd == code)
        total = sum(reasons.values())
        if not total:
            why = f"no row of {subject_table} has a {key}"
        else:
            ranked = sorted(reasons.items(), key=lambda item: (-item[1], item[0]))[:3]
            who = "its only subject was" if total == 1 else f"all {total} subjects were"
            if len(ranked) == 1:
                why = f'{who} excluded for "{ranked[0][0]}"'
            else:
                common = ", then ".join(f'"{reason}" ({_subjects(n)})' for reason, n in ranked)
                why = f"{who} excluded, most often for {common}"
        out.append(_report(None, code, "finding", f"no record for endpoint {code}: {why}"))
    return out


def _subjects(n: int) -> str:
    return f"{n} subject" if n == 1 else f"{n} subjects"


def output_columns(responses: bool, times: bool = False, parcats: int = 0) -> list[str]:
    """ADTTE's columns; with response or incidence parameters, AVALC after AVAL; with an
    endpoint timed by the clock (`time in hours`), STARTDTM after STARTDTF and ADTM after ADTF;
    with a grouped endpoint (`for each`, issue 13), PARCAT1 (and PARCAT2) after PARAM."""
    columns = list(ADTTE_COLUMNS)
    at = columns.index("PARAM") + 1
    columns[at:at] = [f"PARCAT{i}" for i in range(1, parcats + 1)]
    if responses:
        at = columns.index("AVAL") + 1
        columns = [*columns[:at], "AVALC", *columns[at:]]
    if times:
        columns.insert(columns.index("STARTDTF") + 1, "STARTDTM")
        columns.insert(columns.index("ADTF") + 1, "ADTM")
    return columns


def adtte_frame(
    records: list, order: list[str], responses: bool = False, times: bool = False, parcats: int = 0
) -> pd.DataFrame:
    rank = {code: i for i, code in enumerate(order)}
    columns = output_columns(responses, times, parcats)
    rows = sorted(
        ({c: getattr(r, c) for c in columns} for r in records),
        key=lambda r: (r["USUBJID"], rank.get(r["PARAMCD"], len(rank))),
    )
    frame = pd.DataFrame(rows, columns=columns)
    frame["AVAL"] = frame["AVAL"].astype("float64")
    # Response rows have no CNSR: a nullable integer then, so that codes stay whole numbers.
    frame["CNSR"] = frame["CNSR"].astype("Int64" if responses else "int64")
    frame["SRCSEQ"] = frame["SRCSEQ"].astype("Float64")
    for column in ("STARTDTM", "ADTM") if times else ():
        frame[column] = frame[column].astype("datetime64[ns]")
    return frame


def report_frame(rows: list[dict], order: list[str]) -> pd.DataFrame:
    rank = {code: i for i, code in enumerate(order)}
    rows = sorted(
        rows,
        key=lambda r: (r["USUBJID"] or "", rank.get(r["PARAMCD"], -1), r["STATUS"], r["MESSAGE"]),
    )
    return pd.DataFrame(rows, columns=REPORT_COLUMNS)
