"""The benchmark's PFS as one hand-written Polars lazy program: what a Polars user would write.

Written from the rules of pfs.ept (see pandas_pfs.py), not from the backend. The first PD
and the last adequate assessment are the min and max of a packed key, ADT's day number
times 2^32 plus ASEQ: one group-by pass over the assessments, no sort.

Data checks: those of duckdb_pfs.py (several adsl rows or no usable RANDDT: no record;
a date that is not a calendar date in ISO 8601 is not read; rows of subjects not in adsl
are ignored), nothing reported; ASEQ is read as a whole number in [0, 2^32) that is never
missing, and no two dated rows share a subject, date and ASEQ.
"""

from __future__ import annotations

import polars as pl

PARAM = "Progression-Free Survival (Days)"
SHIFT = 2**32


def load(folder, fmt: str = "parquet") -> dict[str, pl.DataFrame]:
    """The two tables read by Polars (CSV dates as text, parsed in the derivation)."""
    if fmt == "parquet":
        return {name: pl.read_parquet(f"{folder}/{name}.parquet") for name in ("adsl", "adrs")}
    dates = {"adsl": ("RANDDT", "DTHDT", "LSTALVDT"), "adrs": ("ADT",)}
    return {
        name: pl.read_csv(f"{folder}/{name}.csv", schema_overrides=dict.fromkeys(columns, pl.String))
        for name, columns in dates.items()
    }


def _date(frame: pl.DataFrame, column: str) -> pl.Expr:
    if frame.schema[column] == pl.String:
        return pl.col(column).str.strip_chars().str.to_date("%Y-%m-%d", strict=False)
    return pl.col(column).cast(pl.Date)


def derive(adsl: pl.DataFrame, adrs: pl.DataFrame) -> pl.DataFrame:
    subjects = (
        adsl.lazy()
        .filter(pl.len().over("USUBJID") == 1)
        .select("USUBJID", _date(adsl, "RANDDT").alias("RANDDT"), _date(adsl, "DTHDT").alias("DTHDT"))
        .filter(pl.col("RANDDT").is_not_null())
    )
    key = pl.col("ADT").cast(pl.Int64) * SHIFT + pl.col("ASEQ")
    visits = (
        adrs.lazy()
        .filter(pl.col("PARAMCD") == "OVR")
        .with_columns(_date(adrs, "ADT").alias("ADT"))
        .filter(pl.col("ADT").is_not_null())
        .group_by("USUBJID")
        .agg(
            key.filter(pl.col("AVALC") == "PD").min().alias("pd"),
            key.filter(pl.col("AVALC").is_in(["CR", "PR", "SD", "PD"])).max().alias("la"),
        )
    )

    def day(packed: str) -> pl.Expr:
        return pl.col(packed).floordiv(SHIFT).cast(pl.Int32).cast(pl.Date)

    def seq(packed: str) -> pl.Expr:
        return (pl.col(packed) % SHIFT).cast(pl.Float64)

    progression = pl.col("pd").is_not_null() & (pl.col("DTHDT").is_null() | (day("pd") <= pl.col("DTHDT")))
    death = pl.col("DTHDT").is_not_null()
    assessment = day("la") > pl.col("RANDDT")

    def pick(p, d, a, r) -> pl.Expr:  # the four outcomes, in the order of pfs.ept's rules
        return pl.when(progression).then(p).when(death).then(d).when(assessment).then(a).otherwise(r)

    lit = pl.lit
    adt = pl.max_horizontal(pick(day("pd"), pl.col("DTHDT"), day("la"), pl.col("RANDDT")), pl.col("RANDDT"))
    return (
        subjects.join(visits, on="USUBJID", how="left")
        .select(
            "USUBJID",
            lit("PFS").alias("PARAMCD"),
            lit(PARAM).alias("PARAM"),
            pl.col("RANDDT").alias("STARTDT"),
            adt.alias("ADT"),
            ((adt - pl.col("RANDDT")).dt.total_days() + 1).cast(pl.Float64).alias("AVAL"),
            lit("DAYS").alias("AVALU"),
            pick(lit(0), lit(0), lit(1), lit(1)).cast(pl.Int64).alias("CNSR"),
            pick(
                lit("Disease Progression"), lit("Death"), lit("Last Tumor Assessment"), lit("Randomization")
            ).alias("EVNTDESC"),
            pick(
                lit(None, pl.String), lit(None, pl.String), lit("Last Tumor Assessment"), lit("Randomization")
            ).alias("CNSDTDSC"),
            pick(lit("ADRS"), lit("ADSL"), lit("ADRS"), lit("ADSL")).alias("SRCDOM"),
            pick(lit("ADT"), lit("DTHDT"), lit("ADT"), lit("RANDDT")).alias("SRCVAR"),
            pick(seq("pd"), lit(None, pl.Float64), seq("la"), lit(None, pl.Float64)).alias("SRCSEQ"),
        )
        .sort("USUBJID")
        .collect()
    )
