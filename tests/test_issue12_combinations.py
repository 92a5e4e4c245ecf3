"""Issue 12's constructs used together, as the branches that built them did not test:
a derived date (`date D = first C after ...`) that reads a confirmed event."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from conftest import EXAMPLES

import endpointdsl
from endpointdsl.data.read import read_tables

SAP = EXAMPLES / "sap"
EXTRA = """
date first_cd = first confirmed_deterioration after rand + 7 days label "Confirmed deterioration after week 1"

endpoint TTCD2 "Time to confirmed deterioration after week 1"
  from rand
  to first_cd
  censor at last ghs_assessment cnsr 1
  censor at rand cnsr 1
end
"""


def test_a_derived_date_reads_a_confirmed_event_in_every_engine(tmp_path):
    ept = tmp_path / "x.ept"
    ept.write_text((SAP / "qlq_c30_confirmed.ept").read_text(encoding="utf-8") + EXTRA, encoding="utf-8")
    compiled = endpointdsl.load(ept)  # the checker used to fail on the confirmed event's table
    tables = read_tables(SAP / "data" / "qlq_c30_confirmed", [t.name for t in compiled.model.tables])
    frames = {e: compiled.run(tables, engine=e).adtte for e in ("compiled", "interpreter", "sql")}
    pd.testing.assert_frame_equal(frames["compiled"], frames["interpreter"])
    pd.testing.assert_frame_equal(frames["compiled"], frames["sql"])
    adtte = frames["sql"]
    base = adtte[adtte.PARAMCD == "TTCDGHS"].set_index("USUBJID")
    later = adtte[adtte.PARAMCD == "TTCD2"].set_index("USUBJID")
    checked = 0
    for sid, row in base.iterrows():
        if row.CNSR == 0 and pd.Timestamp(row.ADT).date() > pd.Timestamp(row.STARTDT).date() + dt.timedelta(
            days=7
        ):
            # the first confirmed deterioration is after week 1: both endpoints have it
            assert (later.loc[sid, "ADT"], later.loc[sid, "CNSR"], later.loc[sid, "SRCSEQ"]) == (
                row.ADT,
                0,
                row.SRCSEQ,
            ), sid
            checked += 1
    assert checked >= 3
