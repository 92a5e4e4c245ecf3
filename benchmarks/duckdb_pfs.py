"""The benchmark's PFS as one hand-written DuckDB statement: what a SQL programmer would write.

Written from the rules of pfs.ept (see pandas_pfs.py), not from the backend's SQL. The
first PD and the last adequate assessment are `min`/`max` of an (ADT, ASEQ) struct, which
DuckDB compares field by field: one pass over the assessments, no window.

Data checks it does (the same as pandas_pfs.py and polars_pfs.py), so that its ADTTE equals
the backend's on the `findings` data: a subject with several adsl rows has no record; one
without a usable RANDDT has none; a date that is not a calendar date in ISO 8601
(`2021-03`, `2021-02-30`) is not read (the row is ignored, `TRY_CAST`); assessment rows of
subjects not in adsl are ignored. Unlike the backend, it reports none of these (no
exclusions or findings report), reads ASEQ as a whole number that is never missing, and
assumes no two dated rows share a subject, date and ASEQ.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa

PFS = """
WITH subjects AS (
    SELECT USUBJID, TRY_CAST(any_value(RANDDT) AS DATE) AS RANDDT, TRY_CAST(any_value(DTHDT) AS DATE) AS DTHDT
    FROM adsl GROUP BY USUBJID HAVING count(*) = 1
), visits AS (
    SELECT USUBJID,
        min({'d': ADT, 's': ASEQ}) FILTER (WHERE AVALC = 'PD') AS pd,
        max({'d': ADT, 's': ASEQ}) FILTER (WHERE AVALC IN ('CR', 'PR', 'SD', 'PD')) AS la
    FROM (SELECT USUBJID, TRY_CAST(ADT AS DATE) AS ADT, AVALC, ASEQ FROM adrs WHERE PARAMCD = 'OVR')
    WHERE ADT IS NOT NULL
    GROUP BY USUBJID
), outcome AS (
    SELECT s.USUBJID, s.RANDDT, s.DTHDT, v.pd, v.la,
        CASE WHEN v.pd.d IS NOT NULL AND (s.DTHDT IS NULL OR v.pd.d <= s.DTHDT) THEN 'P'
             WHEN s.DTHDT IS NOT NULL THEN 'D'
             WHEN v.la.d > s.RANDDT THEN 'A'
             ELSE 'R' END AS how
    FROM subjects s LEFT JOIN visits v USING (USUBJID)
    WHERE s.RANDDT IS NOT NULL
)
SELECT USUBJID, 'PFS' AS PARAMCD, 'Progression-Free Survival (Days)' AS PARAM, RANDDT AS STARTDT,
    greatest(CASE how WHEN 'P' THEN pd.d WHEN 'D' THEN DTHDT WHEN 'A' THEN la.d ELSE RANDDT END, RANDDT) AS ADT,
    CAST(date_diff('day', RANDDT, greatest(CASE how WHEN 'P' THEN pd.d WHEN 'D' THEN DTHDT
        WHEN 'A' THEN la.d ELSE RANDDT END, RANDDT)) + 1 AS DOUBLE) AS AVAL,
    'DAYS' AS AVALU,
    CASE WHEN how IN ('P', 'D') THEN 0 ELSE 1 END::BIGINT AS CNSR,
    CASE how WHEN 'P' THEN 'Disease Progression' WHEN 'D' THEN 'Death' WHEN 'A' THEN 'Last Tumor Assessment'
        ELSE 'Randomization' END AS EVNTDESC,
    CASE how WHEN 'A' THEN 'Last Tumor Assessment' WHEN 'R' THEN 'Randomization' END AS CNSDTDSC,
    CASE WHEN how IN ('P', 'A') THEN 'ADRS' ELSE 'ADSL' END AS SRCDOM,
    CASE how WHEN 'P' THEN 'ADT' WHEN 'D' THEN 'DTHDT' WHEN 'A' THEN 'ADT' ELSE 'RANDDT' END AS SRCVAR,
    CAST(CASE how WHEN 'P' THEN pd.s WHEN 'A' THEN la.s END AS DOUBLE) AS SRCSEQ
FROM outcome
ORDER BY USUBJID
"""


def load(folder, fmt: str = "parquet") -> duckdb.DuckDBPyConnection:
    """The two tables in DuckDB's own storage, read by DuckDB (CSV dates read as text, so
    that a bad one is a NULL of TRY_CAST rather than a failed read)."""
    con = duckdb.connect()
    for name in ("adsl", "adrs"):
        if fmt == "parquet":
            source = f"read_parquet('{folder}/{name}.parquet')"
        else:
            dates = ["RANDDT", "DTHDT", "LSTALVDT"] if name == "adsl" else ["ADT"]
            types = ", ".join(f"'{c}': 'VARCHAR'" for c in dates)
            source = f"read_csv('{folder}/{name}.csv', header = true, types = {{{types}}})"
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM {source}")
    return con


def derive(con: duckdb.DuckDBPyConnection) -> pa.Table:
    return con.sql(PFS).to_arrow_table()
