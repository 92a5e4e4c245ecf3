"""The benchmark's PFS written by hand in pandas: what a programmer would write without endpointdsl.

The rules of pfs.ept, for this data (one OVR record per visit, sequence ASEQ): the event
is the earliest of the first PD visit and death (a tie: progression); without an event,
the subject is censored at the latest of the last visit with a response other than NE
and randomisation (a tie: randomisation); dates before randomisation are moved to it
(admiral's derive_param_tte()). No data checks: every subject has a randomisation date.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

PARAM = "Progression-Free Survival (Days)"


def load(folder) -> dict[str, pd.DataFrame]:
    """Parquet as a pandas user reads it, dates as datetime64."""
    adsl = pd.read_parquet(f"{folder}/adsl.parquet")
    adrs = pd.read_parquet(f"{folder}/adrs.parquet")
    for column in ("RANDDT", "DTHDT", "LSTALVDT"):
        adsl[column] = pd.to_datetime(adsl[column])
    adrs["ADT"] = pd.to_datetime(adrs["ADT"])
    return {"adsl": adsl, "adrs": adrs}


def derive(adsl: pd.DataFrame, adrs: pd.DataFrame) -> pd.DataFrame:
    ovr = adrs[adrs["PARAMCD"] == "OVR"].sort_values(["USUBJID", "ADT", "ASEQ"])
    first_pd = ovr[ovr["AVALC"] == "PD"].drop_duplicates("USUBJID", keep="first")
    last_adequate = ovr[ovr["AVALC"].isin(["CR", "PR", "SD", "PD"])].drop_duplicates("USUBJID", keep="last")
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
