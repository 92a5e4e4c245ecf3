"""Results shared by the SQL and Spark engines (issue 16): the Arrow schemas of the records
and the report as the scripts give them, their conversion to the pandas frames of
data.tables.run_tables (dtypes, order), a grouped endpoint's second pass merged in, and the
no-record findings. Both engines read their results through this module.
"""

from __future__ import annotations

import contextlib

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ...check import model as m
from ...data.tables import ADTTE_COLUMNS, REPORT_COLUMNS, no_record_findings, output_columns
from .generate import SqlProgram

ADTTE_SCHEMA = pa.schema(
    [(c, pa.string()) for c in ADTTE_COLUMNS[:3]]
    + [("STARTDT", pa.date32()), ("STARTDTF", pa.string()), ("ADT", pa.date32()), ("ADTF", pa.string()),
       ("AVAL", pa.float64()), ("AVALU", pa.string()), ("CNSR", pa.int64())]
    + [(c, pa.string()) for c in ("EVNTDESC", "CNSDTDSC", "SRCDOM", "SRCVAR")]
    + [("SRCSEQ", pa.float64())]
)  # fmt: skip
# With response or incidence endpoints (data.tables.output_columns): AVALC after AVAL.
ADTTE_SCHEMA_AVALC = ADTTE_SCHEMA.insert(
    ADTTE_SCHEMA.get_field_index("AVAL") + 1, pa.field("AVALC", pa.string())
)


# With an endpoint timed by the clock: STARTDTM after STARTDTF, ADTM after ADTF.
def with_times(schema: pa.Schema) -> pa.Schema:
    schema = schema.insert(schema.get_field_index("STARTDTF") + 1, pa.field("STARTDTM", pa.timestamp("us")))
    return schema.insert(schema.get_field_index("ADTF") + 1, pa.field("ADTM", pa.timestamp("us")))


REPORT_SCHEMA = pa.schema([(c, pa.string()) for c in REPORT_COLUMNS])


TYPED = ("STARTDT", "ADT", "AVAL", "CNSR", "SRCSEQ")  # the columns with a dtype of their own


def text_values(column: pd.Series) -> pd.Series:
    """A concatenated text column with the dtype pandas infers from its Python values, as
    run_tables builds it (str, or object when all missing): concat keeps object otherwise."""
    return pd.Series([None if pd.isna(v) else v for v in column], dtype=None, index=column.index)


def sorted_rows(frame: pd.DataFrame, keys: list[pd.Series]) -> pd.DataFrame:
    """Rows sorted by the keys run_tables sorts by (text by code point, as Python), index 0..n-1."""
    names = [f"__k{i}" for i in range(len(keys))]
    order = pd.DataFrame(dict(zip(names, keys, strict=True))).sort_values(names, kind="stable").index
    return frame.loc[order].reset_index(drop=True)


# ---- Arrow to pandas, with the dtypes data.tables.adtte_frame / report_frame give ----------


def _text(column: pa.ChunkedArray) -> pd.Series:
    """A text column as pandas infers it from Python values: str, or object when all missing."""
    if len(column) == 0 or column.null_count == len(column):
        return pd.Series([None] * len(column), dtype=object)
    return column.to_pandas()


def adtte_frame(table: pa.Table) -> pd.DataFrame:
    """With an AVALC column (response or incidence endpoints), CNSR is a nullable Int64."""
    responses = "AVALC" in table.column_names
    parcats = sum(1 for c in table.column_names if c.startswith("PARCAT"))  # groups (issue 13)
    columns = output_columns(responses, "ADTM" in table.column_names, parcats)
    data = {}
    for name in columns:
        column = table[name]
        if name in ("STARTDTM", "ADTM"):
            data[name] = column.to_pandas().astype("datetime64[ns]")
        elif name in ("STARTDT", "ADT"):
            data[name] = column.to_pandas(date_as_object=True).astype(object)
        elif name == "AVAL":
            data[name] = pd.Series(column.to_numpy(), dtype="float64")
        elif name == "CNSR" and responses:
            data[name] = column.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get)
        elif name == "CNSR":
            data[name] = pd.Series(column.to_numpy(), dtype="int64")
        elif name == "SRCSEQ":
            data[name] = pd.Series(pc.fill_null(column, float("nan")).to_numpy(), dtype="float64").astype(
                "Float64"
            )
        else:
            data[name] = _text(column)
    return pd.DataFrame(data, columns=columns)


def report_frame(table: pa.Table) -> pd.DataFrame:
    return pd.DataFrame({name: _text(table[name]) for name in REPORT_COLUMNS}, columns=REPORT_COLUMNS)


def with_no_record_findings(model, program: SqlProgram, recorded: set, report: pd.DataFrame):
    """The report with tables.no_record_findings for the endpoints derived in SQL (run_tables
    adds them for the endpoints it derives); `recorded`: the PARAMCDs with a record."""
    if recorded.issuperset(program.endpoints):  # nothing to find, so the exclusions not listed
        return report  # (a 1M-subject response file's 543k took 1.8 s to list, issue 16)
    excluded = report[report.STATUS == "excluded"]
    rows = no_record_findings(
        list(program.endpoints),
        recorded,
        list(zip(excluded.PARAMCD, excluded.MESSAGE, strict=True)),
        model.subject_table.name,
        model.subject_table.key,
    )
    if not rows:
        return report
    rank = {code: i for i, code in enumerate(program.order)}
    both = pd.concat([report, pd.DataFrame(rows, columns=REPORT_COLUMNS)], ignore_index=True)
    keys = [both.USUBJID.fillna(""), both.PARAMCD.map(rank).fillna(-1), both.STATUS, both.MESSAGE]
    both = sorted_rows(both, keys)
    return both.apply(text_values)


def with_no_record(model: m.Model, codes: list[str], recorded: set, report: pd.DataFrame) -> pd.DataFrame:
    """The report with tables.no_record_findings for these codes."""
    if recorded.issuperset(codes):  # nothing to find (as with_no_record_findings)
        return report
    excluded = report[report.STATUS == "excluded"]
    found = no_record_findings(
        codes, recorded, list(zip(excluded.PARAMCD, excluded.MESSAGE, strict=True)),
        model.subject_table.name, model.subject_table.key,
    )  # fmt: skip
    return pd.concat([report, pd.DataFrame(found, columns=REPORT_COLUMNS)], ignore_index=True)


def schema_of(table: pa.Table) -> pa.Schema:
    """The output schema of a relabelled adtte: AVALC, times and PARCAT columns as it has them."""
    schema = ADTTE_SCHEMA_AVALC if "AVALC" in table.column_names else ADTTE_SCHEMA
    schema = with_times(schema) if "ADTM" in table.column_names else schema
    at = schema.get_field_index("PARAM") + 1
    for i, name in enumerate(c for c in table.column_names if c.startswith("PARCAT")):
        schema = schema.insert(at + i, pa.field(name, pa.string()))
    return schema


def typed_alike(frames: list[pd.DataFrame]) -> list[pd.DataFrame]:
    """The frames with each all-missing column (a column `reindex` added: float NaN) cast to
    the dtype the column has in the first frame where it holds a value. pandas 2 left such
    columns out when choosing the merged dtype, with a FutureWarning that it will stop;
    pandas 3 does not. Cast first, the merged dtypes are the same under both, no warning."""
    if len(frames) < 2:
        return frames
    out = []
    for frame in frames:
        empty = [c for c in frame.columns if len(frame) and frame[c].isna().all()]
        for name in empty:
            having = next((f[name] for f in frames if f[name].notna().any()), None)
            if having is not None and having.dtype != frame[name].dtype:
                with contextlib.suppress(TypeError, ValueError):  # no missing value of that dtype:
                    frame = frame.assign(**{name: frame[name].astype(having.dtype)})  # as pandas merges
        out.append(frame)
    return out


def ranks(model: m.Model, program: SqlProgram, codes: pd.Series, missing: int) -> list[pd.Series]:
    """Sort keys of PARAMCDs in run_tables' order: a grouped endpoint's parameters in its
    place, by number (its own code, when it made none, in its place too)."""
    rank = {code: i for i, code in enumerate(program.order)}
    grouped = {ep.paramcd for ep in model.endpoints if ep.group is not None and ep.paramcd in rank}

    def key(code) -> tuple[int, str]:
        if not isinstance(code, str):
            return (missing, "")
        if code in rank:  # a grouped endpoint's own code: it made no parameter
            return (rank[code], "")
        numbered = len(code) == 8  # data.groups: the code and the number, 8 characters
        prefix = next(
            (p for p in grouped if numbered and code.startswith(p) and code[len(p) :].isdigit()), None
        )
        return (rank[prefix], code) if prefix else (len(rank), code)

    keys = [key(c) for c in codes]
    return [
        pd.Series([k[0] for k in keys], index=codes.index),
        pd.Series([k[1] for k in keys], index=codes.index),
    ]


def parcats(model: m.Model, program: SqlProgram) -> int:
    """The PARCAT columns of the output: as many as the grouped endpoints chosen have columns."""
    chosen = [model.endpoint(c) for c in program.order]
    return max((len(ep.group.columns) for ep in chosen if ep.group is not None), default=0)


def with_groups(model: m.Model, program: SqlProgram, adtte: pd.DataFrame, report: pd.DataFrame, passes):
    """The first pass's records and report with the grouped endpoints', in run_tables' order,
    columns and dtypes (PARCAT1, PARCAT2 after PARAM)."""
    chosen = [model.endpoint(c) for c in program.order]
    responses = any(ep.kind != "tte" for ep in chosen)
    times = any(m.timed(ep) for ep in chosen)
    columns = output_columns(responses, times, parcats(model, program))
    frames = [f for f in [adtte, *(p[1] for p in passes if p[1] is not None)] if len(f)] or [adtte]
    merged = pd.concat(typed_alike([f.reindex(columns=columns) for f in frames]), ignore_index=True)
    merged = sorted_rows(merged, [merged.USUBJID, *ranks(model, program, merged.PARAMCD, len(program.order))])
    for name in merged.columns:
        if name in ("STARTDTM", "ADTM"):
            merged[name] = merged[name].astype("datetime64[ns]")
        elif name in ("AVAL",):
            merged[name] = merged[name].astype("float64")
        elif name == "CNSR":
            merged[name] = merged[name].astype("Int64" if responses else "int64")
        elif name == "SRCSEQ":
            merged[name] = merged[name].astype("Float64")
        elif name not in TYPED:
            merged[name] = text_values(merged[name])
    reports = [f for f in [report, *(p[2] for p in passes)] if len(f)] or [report]
    rows = pd.concat(reports, ignore_index=True)
    rows = sorted_rows(
        rows, [rows.USUBJID.fillna(""), *ranks(model, program, rows.PARAMCD, -1), rows.STATUS, rows.MESSAGE]
    )
    return merged, rows.apply(text_values)
