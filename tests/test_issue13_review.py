"""Review of issue 13 (competing events, ADaM-complete output): regression tests for the defects
a hostile review found, one table per defect where possible."""

from __future__ import annotations

import pytest

from endpointdsl import EptError, check_text

HEAD = """\
table adsl: one row per subject
table adrs: many rows per subject
event infusion = adsl.INFDT
event death = adsl.DTHDT label "Death"
event relapse = adrs.ADT where PARAMCD = "REL" sequence ASEQ label "Relapse"
event alive = adsl.LSTALVDT
"""
CIR = """\
endpoint CIR "CIR"
  from infusion
  to relapse competing death cnsr 2
  same day: event first
  censor at alive cnsr 1
end
"""


# ---- a variant's `same day:` rule belongs to the events it was stated for ---------------------
# `NRM like CIR` swapping the kinds silently inherited CIR's `event first`, so a same-day relapse
# and death became an NRM event: the opposite of what the docs require to be said (E272).
@pytest.mark.parametrize(
    ("variant", "codes", "same_day"),
    [
        ("  to death competing relapse cnsr 2\n", ["E272"], None),  # kinds swapped: say it again
        ("  to death competing relapse cnsr 2\n  same day: competing first\n", [], "competing"),
        ("  to relapse competing death cnsr 5\n", [], "event"),  # same events, new code: kept
        ("  censor at alive cnsr 3\n", [], "event"),  # `to` not restated: kept
        ("  to relapse\n", [], None),  # no competing events: dropped
        ("  to first of relapse, death\n  same day: event first\n", ["E273"], None),
    ],
)
def test_a_variant_with_other_events_states_its_own_same_day_rule(variant, codes, same_day):
    text = HEAD + CIR + 'endpoint V "V" like CIR\n' + variant + "end\n"
    if codes:
        with pytest.raises(EptError) as info:
            check_text(text, "t.ept")
        assert [d.code for d in info.value.errors] == codes
    else:
        assert check_text(text, "t.ept").endpoint("V").same_day == same_day


# ---- labels are limited in bytes, and an XPT output never splits a letter ---------------------
# E297 counted bytes but said "characters; this one has 37"; a carried label longer than 40 bytes
# was cut by the XPT writer inside a letter (a stray 0xC3 byte in the file).
CIR_FILE = HEAD + "keep AGE from adsl\n" + CIR


@pytest.mark.parametrize(
    ("label", "message"),
    [
        ("é" * 21, "1 to 40 bytes; this one has 42"),
        ("x" * 41, "1 to 40 bytes; this one has 41"),
        ("", "a dataset label is blank"),  # not "... this one has 0" and "shorten it"
        ("   ", "a dataset label is blank"),  # not "1 to 40 bytes; this one has 3"
    ],
)
def test_a_dataset_label_too_long_is_measured_in_bytes(label, message):
    with pytest.raises(EptError) as info:
        check_text(f'dataset ADTTE label "{label}"\n' + CIR_FILE, "t.ept")
    [error] = info.value.errors
    assert error.code == "E297" and message in error.message


@pytest.mark.parametrize(
    ("label", "written"),
    [
        ("A" * 39 + "éé", "A" * 39),  # byte 40 is half of an é: cut before it
        (
            "Âge à l'inclusion, en années révolues, arrondi",
            "Âge à l'inclusion, en années révolue",
        ),  # 40 bytes
        ("Age", "Age"),
    ],
)
def test_a_carried_label_is_cut_in_an_xpt_output_at_a_letter(tmp_path, label, written):
    import pandas as pd
    import pyreadstat

    from endpointdsl.cli import main

    data = tmp_path / "data"
    data.mkdir()
    adsl = pd.DataFrame(
        {"USUBJID": ["S1"], "INFDT": ["2023-01-01"], "DTHDT": [""], "LSTALVDT": ["2023-03-01"], "AGE": [40.0]}
    )
    pyreadstat.write_xport(adsl, str(data / "adsl.xpt"), file_format_version=8, column_labels={"AGE": label})
    (data / "adrs.csv").write_text("USUBJID,PARAMCD,ADT,ASEQ\n")
    (tmp_path / "t.ept").write_text(CIR_FILE)
    out = tmp_path / "out.xpt"
    assert main(["run", str(tmp_path / "t.ept"), "--data", str(data), "--out", str(out)]) == 0
    raw = out.read_bytes()
    at = raw.index(written.encode("utf-8"))  # the label's 40 bytes in the variable's NAMESTR
    assert raw[at : at + 40].rstrip(b" ").decode("utf-8") == written  # no half letter after it
    _, meta = pyreadstat.read_xport(str(out), encoding="utf-8")
    assert meta.column_names_to_labels["AGE"] == written


# ---- a kept column is read as every other column, or the run stops -----------------------------
# A Parquet list column was carried as missing values without a word, and a kept *DTM cell with a
# time-zone offset (ISO text `...+01:00`, a tz-aware timestamp) stopped the run with exit 70.
def _run_keep(tmp_path, adsl, keep: str, out: str = "out.csv"):
    import pyarrow.parquet as pq

    from endpointdsl.cli import main

    data = tmp_path / "data"
    data.mkdir(exist_ok=True)
    pq.write_table(adsl, data / "adsl.parquet")
    (data / "adrs.csv").write_text("USUBJID,PARAMCD,ADT,ASEQ\n")
    (tmp_path / "t.ept").write_text(HEAD + keep + "\n" + CIR)
    return main(["run", str(tmp_path / "t.ept"), "--data", str(data), "--out", str(tmp_path / out)])


def _adsl(**columns):
    import datetime as dt

    import pyarrow as pa

    base = {
        "USUBJID": ["S1", "S2"],
        "INFDT": [dt.date(2023, 1, 1)] * 2,
        "DTHDT": pa.array([None, None], pa.date32()),
        "LSTALVDT": [dt.date(2023, 3, 1)] * 2,
    }
    return pa.table({**base, **columns})


def test_a_kept_list_column_stops_the_run(tmp_path, capsys):
    import pyarrow as pa

    assert _run_keep(tmp_path, _adsl(KLIST=pa.array([[1, 2], None])), "keep KLIST from adsl") == 2
    err = capsys.readouterr().err
    assert "column KLIST, kept by `keep` at" in err and "t.ept:7" in err and "list<" in err
    assert not (tmp_path / "out.csv").exists()


CLOCK = ["2023-01-01T10:00:00", "2023-01-01T23:30:00"]  # the clock times written


def _paris(text: str):
    import datetime as dt
    from zoneinfo import ZoneInfo

    return dt.datetime.fromisoformat(text).replace(tzinfo=ZoneInfo("Europe/Paris"))


@pytest.mark.parametrize("out", ["out.csv", "out.parquet", "out.xpt"])
@pytest.mark.parametrize("kind", ["text", "timestamp"])
def test_a_kept_date_time_with_an_offset_keeps_its_clock_time(tmp_path, out, kind):
    import pandas as pd
    import pyarrow as pa

    if kind == "text":
        values = pa.array(["2023-01-01T10:00:00+01:00", "2023-01-01T23:30:00Z"])
    else:
        values = pa.array([_paris(c) for c in CLOCK], pa.timestamp("us", "Europe/Paris"))
    assert _run_keep(tmp_path, _adsl(KDTM=values), "keep KDTM as ONSETDTM from adsl", out) == 0
    if out.endswith(".csv"):
        got = pd.read_csv(tmp_path / out)["ONSETDTM"].tolist()
    else:
        import pyreadstat

        frame = (
            pd.read_parquet(tmp_path / out)
            if out.endswith(".parquet")
            else pyreadstat.read_xport(str(tmp_path / out))[0]
        )
        column = frame["ONSETDTM"]
        if pd.api.types.is_numeric_dtype(column):  # pyreadstat 1.2 reads E8601DT19. as seconds
            column = pd.to_datetime(column, unit="s", origin=pd.Timestamp("1960-01-01"))
        got = [t.isoformat() for t in column]
    assert got == CLOCK


# ---- a kept *DT column that holds no date: the same message from `check --data` and `run` -------
# `check --data` said ok (run then stopped), and run's message named neither the table file nor
# the subject whose cell is not a date.
@pytest.mark.parametrize("kind", ["csv", "parquet"])
@pytest.mark.parametrize(
    ("keep", "cell", "said"),
    [
        ("keep TRTSDT from adsl", "x", "kept column TRTSDT ({ept}:7) holds 'x', not a date"),
        (
            "keep TRTSDT as TRTSDTM from adsl",
            "2023-13-01",
            "kept column TRTSDTM ({ept}:7) holds '2023-13-01'",
        ),
    ],
)
@pytest.mark.parametrize("command", ["check", "run"])
def test_a_kept_date_column_without_a_date_is_named_with_its_subject(
    tmp_path, capsys, kind, keep, cell, said, command
):
    import pandas as pd

    from endpointdsl.cli import main

    data = tmp_path / "data"
    data.mkdir()
    adsl = pd.DataFrame(
        {
            "USUBJID": ["S1", "S2"],
            "INFDT": ["2023-01-01", "2023-01-01"],
            "DTHDT": ["", ""],
            "LSTALVDT": ["2023-03-01", "2023-03-01"],
            "TRTSDT": ["2023-01-02", cell],
        }
    )
    if kind == "csv":
        adsl.to_csv(data / "adsl.csv", index=False)
    else:
        adsl.to_parquet(data / "adsl.parquet")
    (data / "adrs.csv").write_text("USUBJID,PARAMCD,ADT,ASEQ\nS1,OTHER,2023-02-01,1\n")
    (tmp_path / "t.ept").write_text(HEAD + keep + "\n" + CIR)
    args = [str(tmp_path / "t.ept"), "--data", str(data)]
    code = main(["check", *args] if command == "check" else ["run", *args, "--out", str(tmp_path / "o.csv")])
    err = capsys.readouterr().err
    assert code == 2
    said = said.format(ept=tmp_path / "t.ept")
    assert f"table 'adsl' ({data / ('adsl.' + kind)}), subject S2: {said}" in err
