"""examples/pharmaverse/adtte_ae.ept: a CDISC-pilot-style ADTTE, every column, on all engines.

The expected records are computed here from the rule's wording (the .ept header) in plain
pandas from adsl.csv and adae.csv, never by the compiler: safety population; origin
TRTSDT (day 1); event the first treatment-emergent ADAE row of SOC "SKIN AND SUBCUTANEOUS
TISSUE DISORDERS" (ASTDT, lower AESEQ on a tie); else censored at RFENDTC. The carried
columns are adsl's, as read. Then: the XPT input keeps its labels into the XPT output,
with the dataset label; a sas7bdat input (read by pyreadstat.read_sas7bdat) likewise.
"""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pyarrow.parquet as pq
import pyreadstat
import pytest
from conftest import EXAMPLES

import endpointdsl
from endpointdsl.cli import main
from endpointdsl.data.read import read_tables

EPT = EXAMPLES / "pharmaverse" / "adtte_ae.ept"
DATA = EXAMPLES / "pharmaverse" / "data"
SOC = "SKIN AND SUBCUTANEOUS TISSUE DISORDERS"
COLUMNS = [
    "STUDYID", "USUBJID", "SITEID", "AGE", "AGEGR1", "RACE", "SEX", "TRTP", "TRTA", "TRTSDT", "TRTEDT",
    "SAFFL", "PARAMCD", "PARAM", "PARAMN", "STARTDT", "STARTDTF", "ADT", "ADTF", "AVAL", "AVALU", "CNSR",
    "EVNTDESC", "CNSDTDSC", "SRCDOM", "SRCVAR", "SRCSEQ",
]  # fmt: skip
LABEL = "AE Time To 1st Derm. Event Analysis"


def _date(text: str) -> dt.date | None:
    return dt.date.fromisoformat(text[:10]) if text else None


def expected() -> pd.DataFrame:
    """The records, from the wording, as the CSV output writes them (text)."""
    adsl = pd.read_csv(DATA / "adsl.csv", dtype=str, keep_default_na=False)
    adae = pd.read_csv(DATA / "adae.csv", dtype=str, keep_default_na=False)
    derm = adae[(adae.TRTEMFL == "Y") & (adae.AESOC == SOC)].copy()
    derm["date"] = derm.ASTDT.map(_date)
    derm["seq"] = derm.AESEQ.astype(float)
    rows = []
    for s in adsl[adsl.SAFFL == "Y"].itertuples():
        start = _date(s.TRTSDT)
        mine = derm[(derm.USUBJID == s.USUBJID) & (derm.date >= start)].sort_values(["date", "seq"])
        if len(mine):
            first = mine.iloc[0]
            adt, cnsr, desc, cdesc = first.date, "0", "Dermatologic Event Occurred", ""
            dom, var, seq = "ADAE", "ASTDT", str(int(first.seq))
        else:
            adt, cnsr, desc, cdesc = _date(s.RFENDTC), "1", "Study Completion Date", "Study Completion Date"
            dom, var, seq = "ADSL", "RFENDTC", ""
            assert adt >= start  # no safety subject's end of study is before the first dose
        rows.append([
            s.STUDYID, s.USUBJID, s.SITEID, s.AGE, s.AGEGR1, s.RACE, s.SEX, s.TRT01P, s.TRT01A, s.TRTSDT,
            s.TRTEDT, s.SAFFL, "TTDE", "Time to First Dermatologic Event", "1", start.isoformat(), "",
            adt.isoformat(), "", str(float((adt - start).days + 1)), "DAYS", cnsr, desc, cdesc, dom, var, seq,
        ])  # fmt: skip
    return pd.DataFrame(rows, columns=COLUMNS).sort_values("USUBJID", ignore_index=True)


def as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """An engine's frame in the CSV output's text form."""
    out = frame.copy()
    for column in ("TRTSDT", "TRTEDT", "STARTDT", "ADT"):
        out[column] = out[column].map(lambda d: d.isoformat() if isinstance(d, dt.date) else "")
    out["AVAL"] = out["AVAL"].map(lambda v: str(float(v)))
    out["SRCSEQ"] = out["SRCSEQ"].map(lambda v: "" if pd.isna(v) else str(int(v)))
    return out.astype(object).where(out.notna(), "").astype(str)


@pytest.fixture(scope="module")
def want() -> pd.DataFrame:
    return expected()


@pytest.mark.parametrize("engine", ["compiled", "interpreter", "sql"])
def test_every_column_matches_the_wording(engine, want):
    compiled = endpointdsl.load(EPT)
    tables = read_tables(DATA, ["adsl", "adae"], arrow=engine == "sql")
    result = compiled.run(tables, engine=engine)
    assert list(result.adtte.columns) == COLUMNS
    pd.testing.assert_frame_equal(as_text(result.adtte), want)
    # everyone outside the safety population is in the report, with the reason
    assert len(result.excluded) == 52 and set(result.excluded.MESSAGE) == {
        "not in population: adsl rows meeting a condition"
    }
    assert result.adtte.attrs["dataset_label"] == LABEL


def test_hand_checked_records(want):
    by_id = want.set_index("USUBJID")
    # 01-701-1023: a skin event (erythema, AESEQ 1) two days after the first dose
    assert by_id.loc["01-701-1023", ["ADT", "AVAL", "CNSR", "SRCSEQ"]].tolist() == [
        "2012-08-07",
        "3.0",
        "0",
        "1",
    ]
    # 01-701-1015: no skin event; censored at the end of study
    assert by_id.loc["01-701-1015", ["ADT", "AVAL", "CNSR", "EVNTDESC"]].tolist() == [
        "2014-07-02",
        "182.0",
        "1",
        "Study Completion Date",
    ]
    assert by_id.loc["01-701-1015", ["TRTP", "AGE", "SITEID"]].tolist() == ["Placebo", "63.0", "701"]
    assert (want.CNSR == "0").sum() > 50 and (want.CNSR == "1").sum() > 50  # both branches, many times


@pytest.mark.parametrize("engine", ["sql", "compiled", "interpreter"])
def test_run_command_writes_the_same_records(engine, tmp_path, want):
    out = tmp_path / "adtte.csv"
    assert main(["run", str(EPT), "--data", str(DATA), "--out", str(out), "--engine", engine]) == 0
    got = pd.read_csv(out, dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(got, want)
    manifest = json.loads((tmp_path / "adtte.manifest.json").read_text(encoding="utf-8"))
    assert manifest["dataset"] == {"name": "ADTTE", "label": LABEL}


# ---- labels from SAS inputs -------------------------------------------------------------

ADSL_LABELS = {
    "STUDYID": "Study Identifier", "USUBJID": "Unique Subject Identifier", "SITEID": "Study Site Identifier",
    "AGE": "Age", "AGEGR1": "Pooled Age Group 1", "RACE": "Race", "SEX": "Sex",
    "TRT01P": "Planned Treatment for Period 01", "TRT01A": "Actual Treatment for Period 01",
    "TRTSDT": "Date of First Exposure to Treatment", "TRTEDT": "Date of Last Exposure to Treatment",
    "SAFFL": "Safety Population Flag", "RFENDTC": "Subject Reference End Date/Time",
}  # fmt: skip


def _sas_inputs(folder) -> None:
    """adsl.xpt and adae.xpt written by pyreadstat, with labels (AGE and AESEQ as numbers,
    TRTSDT/TRTEDT/ASTDT as SAS dates)."""
    adsl = pd.read_csv(DATA / "adsl.csv", dtype=str, keep_default_na=False)[list(ADSL_LABELS)]
    adsl["AGE"] = adsl.AGE.astype(float)
    for column in ("TRTSDT", "TRTEDT"):
        adsl[column] = adsl[column].map(_date)
    pyreadstat.write_xport(
        adsl, str(folder / "adsl.xpt"), table_name="ADSL", file_format_version=5, column_labels=ADSL_LABELS,
        variable_format={"TRTSDT": "DATE9.", "TRTEDT": "DATE9."},
    )  # fmt: skip
    adae = pd.read_csv(DATA / "adae.csv", dtype=str, keep_default_na=False)
    adae = adae[["USUBJID", "TRTEMFL", "AESOC", "ASTDT", "AESEQ"]]
    adae["AESEQ"] = adae.AESEQ.astype(float)
    adae["ASTDT"] = adae.ASTDT.map(_date)
    pyreadstat.write_xport(
        adae, str(folder / "adae.xpt"), table_name="ADAE", file_format_version=5,
        variable_format={"ASTDT": "DATE9."},
    )  # fmt: skip


def _check_sas_output(out, want) -> None:
    frame, meta = pyreadstat.read_xport(str(out))
    assert meta.table_name == "ADTTE" and meta.file_label == LABEL
    labels = meta.column_names_to_labels
    for column in ("STUDYID", "SITEID", "AGE", "AGEGR1", "RACE", "SEX", "TRTSDT", "TRTEDT", "SAFFL"):
        assert labels[column] == ADSL_LABELS[column]
    assert labels["TRTP"] == "Planned Treatment for Period 01"  # the label of the column carried
    assert labels["TRTA"] == "Actual Treatment for Period 01"
    assert (labels["PARAMN"], labels["AVAL"], labels["CNSR"]) == ("Parameter (N)", "Analysis Value", "Censor")
    assert list(frame.columns) == COLUMNS
    assert frame.AGE.tolist() == want.AGE.astype(float).tolist()  # a number in, a number out
    assert [d.isoformat() for d in frame.TRTSDT] == want.TRTSDT.tolist()


def test_xpt_inputs_keep_their_labels(tmp_path, want):
    data = tmp_path / "data"
    data.mkdir()
    _sas_inputs(data)
    out = tmp_path / "adtte.xpt"
    assert (
        main(["run", str(EPT), "--data", str(data), "--out", str(out), "--report", str(tmp_path / "r.csv")])
        == 0
    )
    _check_sas_output(out, want)
    parquet = tmp_path / "adtte.parquet"
    assert main(["run", str(EPT), "--data", str(data), "--out", str(parquet), "--engine", "sql"]) == 0
    meta = pq.read_schema(parquet).metadata
    assert meta[b"endpointdsl.label"].decode() == LABEL and meta[b"endpointdsl.dataset"] == b"ADTTE"
    assert json.loads(meta[b"endpointdsl.labels"])["TRTP"] == "Planned Treatment for Period 01"


def test_sas7bdat_inputs_keep_their_labels(tmp_path, monkeypatch, want):
    """pyreadstat cannot write sas7bdat, and no sample file with a clear licence is shipped
    here: the .sas7bdat files go to pyreadstat.read_sas7bdat, replaced by a reader that gives
    what pyreadstat gives for such a file (the frame and its metadata with labels)."""
    sas = tmp_path / "sas"
    sas.mkdir()
    _sas_inputs(sas)
    data = tmp_path / "data"
    data.mkdir()
    for name in ("adsl", "adae"):
        (data / f"{name}.sas7bdat").write_bytes(b"read by the replacement below")
    calls = []

    def read_sas7bdat(path, encoding=None, **options):  # run: the names, then chunks of rows (issue 16)
        if not options.get("metadataonly"):
            calls.append(path)
        return pyreadstat.read_xport(str(sas / (path.rsplit("/", 1)[-1].split(".")[0] + ".xpt")), **options)

    monkeypatch.setattr(pyreadstat, "read_sas7bdat", read_sas7bdat)
    out = tmp_path / "adtte.xpt"
    assert main(["run", str(EPT), "--data", str(data), "--out", str(out)]) == 0
    assert len(calls) == 2
    _check_sas_output(out, want)
