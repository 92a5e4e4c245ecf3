"""The benchmark's PFS written by hand in pandas: what a programmer would write without endpointdsl.

The rules of pfs.ept, for this data (one OVR record per visit, sequence ASEQ): the event
is the earliest of the first PD visit and death (a tie: progression); without an event,
the subject is censored at the latest of the last visit with a response other than NE
and randomisation (a tie: randomisation); dates before randomisation are moved to it
(admiral's derive_param_tte()).

Data checks (the same in duckdb_pfs.py and polars_pfs.py), so that its ADTTE equals the
backend's on the `findings` data: a subject with several adsl rows has no record; one
without a usable RANDDT has none; a date that is not a calendar date in ISO 8601
(`2021-03`, `2021-02-30`) is not read (the row is ignored); assessment rows of subjects not
in adsl are ignored. Unlike the backend, it reports none of these, reads ASEQ as a number
that is never missing, and assumes no two dated rows share a subject, date and ASEQ.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

PARAM = "Progression-Free Survival (Days)"


def load(folder, fmt: str = "parquet") -> dict[str, pd.DataFrame]:
    """Parquet or CSV as a pandas user reads it, dates as datetime64 (NaT: not a date)."""
    if fmt == "parquet":
        adsl, adrs = pd.read_parquet(f"{folder}/adsl.parquet"), pd.read_parquet(f"{folder}/adrs.parquet")
    else:
        text = dict.fromkeys(("RANDDT", "DTHDT", "LSTALVDT", "ADT"), str)
        adsl, adrs = (pd.read_csv(f"{folder}/{name}.csv", dtype=text) for name in ("adsl", "adrs"))
    for column in ("RANDDT", "DTHDT", "LSTALVDT"):
        adsl[column] = _dates(adsl[column])
    adrs["ADT"] = _dates(adrs["ADT"])
    return {"adsl": adsl, "adrs": adrs}


def _dates(column: pd.Series) -> pd.Series:
    present = column.dropna()
    if len(present) and isinstance(present.iloc[0], str):  # text: ISO 8601 dates, else NaT
        return pd.to_datetime(column.str.strip(), format="%Y-%m-%d", errors="coerce")
    return pd.to_datetime(column)


def derive(adsl: pd.DataFrame, adrs: pd.DataFrame) -> pd.DataFrame:
    ovr = adrs[(adrs["PARAMCD"] == "OVR") & adrs["ADT"].notna()].sort_values(["USUBJID", "ADT", "ASEQ"])
    first_pd = ovr[ovr["AVALC"] == "PD"].drop_duplicates("USUBJID", keep="first")
    last_adequate = ovr[ovr["AVALC"].isin(["CR", "PR", "SD", "PD"])].drop_duplicates("USUBJID", keep="last")
    adsl = adsl[~adsl["USUBJID"].duplicated(keep=False)]  # several rows: not analysed
    df = adsl.loc[adsl["RANDDT"].notna(), ["USUBJID", "RANDDT", "DTHDT"]]
    df = df.merge(first_pd[["USUBJID", "ADT", "ASEQ"]].rename(columns={"ADT": "PDDT", "ASEQ": "PDSEQ"}),
                  on="USUBJID", how="left")  # fmt: skip
    df = df.merge(last_adequate[["USUBJID", "ADT", "ASEQ"]].rename(columns={"ADT": "LADT", "ASEQ": "LASEQ"}),
                  on="USUBJID", how="left")  # fmt: skip

    progression = df["PDDT"].notna() & (df["DTHDT"].isna() | (df["PDDT"] <= df["DTHDT"]))
    death = df["DTHDT"].notna() & ~progression
    assessment = ~progression & ~death & df["LADT"].notna() & (df["LADT"] > df["RANDDT"])
    cases = [progression, death, assessment]
    adt = np.select(cases, [df["PDDT"], df["DTHDT"], df["LADT"]], default=df["RANDDT"]).astype(
        "datetime64[ns]"
    )
    adt = np.maximum(adt, df["RANDDT"].to_numpy(dtype="datetime64[ns]"))

    out = pd.DataFrame({"USUBJID": df["USUBJID"], "PARAMCD": "PFS", "PARAM": PARAM})
    out["STARTDT"] = df["RANDDT"].dt.date
    out["ADT"] = pd.Series(adt, index=df.index).dt.date
    out["AVAL"] = (
        (adt - df["RANDDT"].to_numpy(dtype="datetime64[ns]")) // np.timedelta64(1, "D") + 1
    ).astype("float64")
    out["AVALU"] = "DAYS"
    out["CNSR"] = np.where(progression | death, 0, 1)
    out["EVNTDESC"] = np.select(
        cases, ["Disease Progression", "Death", "Last Tumor Assessment"], "Randomization"
    )
    out["CNSDTDSC"] = np.select(cases, [None, None, "Last Tumor Assessment"], "Randomization")
    out["SRCDOM"] = np.select(cases, ["ADRS", "ADSL", "ADRS"], "ADSL")
    out["SRCVAR"] = np.select(cases, ["ADT", "DTHDT", "ADT"], "RANDDT")
    out["SRCSEQ"] = np.select(cases, [df["PDSEQ"], np.nan, df["LASEQ"]], np.nan).astype("float64")
    return out.sort_values("USUBJID", ignore_index=True)
