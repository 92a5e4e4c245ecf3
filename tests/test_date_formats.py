"""Date formats: `event E = T.C format "DDMONYYYY"` read alike by every engine.

Two readers implement docs/semantics.md section 1 for the declared formats: the
runtime's (`data.dates.parse_date`, also behind the SQL backend's views) and the reference
interpreter's own (`engines.reference.dates.read_date`). Both are held to a table of cells
and to each other on generated cells; the three engines to each other and to hand-made
expectations on a file that uses every format. The generated programs of
tests/strategies.py declare formats too, so the three-way tests cover them as well.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import ALL_FORMATS, render_date, spellings

import endpointdsl
from endpointdsl.data.dates import FORMATS, canonical_format, parse_date
from endpointdsl.engines.reference.dates import read_date
from endpointdsl.engines.sql.prepare import prepare_table, read_value, view_name

D = dt.date(2023, 1, 5)
SAS = "days since 1960-01-01"
READERS = {"runtime": parse_date, "interpreter": read_date}

# (cell, format, the date, or why it is not one)
CELLS = [
    ("05JAN2023", "DDMONYYYY", D),
    ("5jan2023", "DDMONYYYY", D),
    ("05Jan2023:10:30:00", "DDMONYYYY", D),  # SAS DATETIME20
    ("05JAN2023 10:30", "DDMONYYYY", D),
    ("  05JAN2023 ", "DDMONYYYY", D),  # blanks around
    ("05-jan-2023", "DD-MON-YYYY", D),
    ("01/05/2023", "MM/DD/YYYY", D),
    ("01/05/2023", "DD/MM/YYYY", dt.date(2023, 5, 1)),  # read only as declared, never guessed
    ("1/5/2023 9:30", "MM/DD/YYYY", D),
    ("05.01.2023", "DD.MM.YYYY", D),
    ("20230105", "YYYYMMDD", D),
    (20230105, "YYYYMMDD", D),  # a number column
    (20230105.0, "YYYYMMDD", D),
    ("2023/1/5", "YYYY/MM/DD", D),
    (23015, SAS, D),
    (23015.0, SAS, D),
    ("23015", SAS, D),
    (-1, SAS, dt.date(1959, 12, 31)),
    (D, "DD/MM/YYYY", D),  # a date object is a date whatever the format says
    (dt.datetime(2023, 1, 5, 23, 59), "YYYYMMDD", D),
    ("2023-01-05", None, D),  # no format: ISO 8601, as before
    ("2023-01-05", "YYYY-MM-DD", D),
    ("31/02/2023", "DD/MM/YYYY", "'31/02/2023' is not a calendar date"),
    ("29FEB2023", "DDMONYYYY", "'29FEB2023' is not a calendar date"),
    ("29FEB2024", "DDMONYYYY", dt.date(2024, 2, 29)),
    ("05/01/23", "DD/MM/YYYY", "'05/01/23' is not a DD/MM/YYYY date"),  # two-digit year
    ("05JAN23", "DDMONYYYY", "'05JAN23' is not a DDMONYYYY date"),
    ("2023-01-05", "DDMONYYYY", "'2023-01-05' is not a DDMONYYYY date"),
    ("05XYZ2023", "DDMONYYYY", "'05XYZ2023' is not a DDMONYYYY date"),
    ("05JANUARY2023", "DDMONYYYY", "'05JANUARY2023' is not a DDMONYYYY date"),
    ("005JAN2023", "DDMONYYYY", "'005JAN2023' is not a DDMONYYYY date"),
    ("05JAN2023  10:30", "DDMONYYYY", "'05JAN2023  10:30' is not a DDMONYYYY date"),
    ("05/01/2023:10:30", "DD/MM/YYYY", "'05/01/2023:10:30' is not a DD/MM/YYYY date"),
    ("٠٥/٠١/٢٠٢٣", "DD/MM/YYYY", "'٠٥/٠١/٢٠٢٣' is not a DD/MM/YYYY date"),  # digits are 0-9 only
    ("2023015", "YYYYMMDD", "'2023015' is not a YYYYMMDD date"),
    (20231305, "YYYYMMDD", "20231305 is not a calendar date"),
    (23015.0, "DD/MM/YYYY", "23015.0 is a number, not a date (a SAS date column without a date format?)"),
    (2.5, SAS, "2.5 is not a whole number of days"),
    (1e12, SAS, "1000000000000.0 days since 1960-01-01 is outside the calendar"),
    ("5 days", SAS, "'5 days' is not a number of days since 1960-01-01"),
    (True, "DDMONYYYY", "True is not a date"),
    (None, "DDMONYYYY", "missing"),
]


@pytest.mark.parametrize("reader", READERS.values(), ids=READERS.keys())
@pytest.mark.parametrize(("value", "fmt", "expected"), CELLS, ids=[f"{c[0]!r}-{c[1]}" for c in CELLS])
def test_a_cell_reads_as_its_format_says(reader, value, fmt, expected):
    if isinstance(expected, dt.date):
        assert reader(value, fmt) == (expected, None)
    else:
        assert reader(value, fmt) == (None, expected)


DATEISH = st.sampled_from(
    [*"0123456789/.-: +", "JAN", "jan", "Feb", "DEC", "xyz", "2023", "2024", "12", "31", "29", "02", "1960",
     " 10:30", ":10:30:00", ":59.5", "\u00a0", "\t", "٣", "ſep"]
)  # fmt: skip
CELL_VALUES = st.one_of(
    st.lists(DATEISH, max_size=10).map("".join),
    st.integers(-(10**10), 10**10),
    st.integers(-800_000, 3_000_000),
    st.integers(19_000_000, 21_000_000),
    st.floats(allow_nan=False),
    st.booleans(),
    st.dates(),
)


@given(CELL_VALUES, st.sampled_from(FORMATS))
def test_the_interpreter_reads_every_cell_as_the_runtime_does(value, fmt):
    assert read_date(value, fmt) == parse_date(value, fmt)


@given(st.dates(dt.date(1000, 1, 1), dt.date(9999, 12, 31)), st.sampled_from(ALL_FORMATS), st.booleans())
def test_a_date_written_in_a_format_reads_back(day, fmt, padded):
    text = render_date(day, fmt, pad=padded)
    for reader in READERS.values():
        assert reader(text, fmt) == (day, None)
        assert reader(text.lower(), fmt) == (day, None)


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_has_one_canonical_spelling(fmt):
    for spelling in (*spellings(fmt), f"  {fmt.lower()} ", fmt.upper()):
        assert canonical_format(spelling) == fmt
    assert canonical_format(fmt[1:]) is None


# ---- the three engines ---------------------------------------------------------------------

PROGRAM = """
table adsl: one row per subject
table adrs: many rows per subject
table adae: many rows per subject
event rand = adsl.RANDDT format "DDMONYYYY" label "Randomised"
event trt = adsl.TRTSDT format "yyyymmdd"
event death = adsl.DTHDT format "MM/DD/YYYY" label "Death"
event alive = adsl.LSTALVDT format "days since 1960-01-01" label "Alive"
event pd = adrs.ADT format "DD.MM.YYYY" where PARAMCD = "PD" and ADT >= 2023-02-01 sequence ASEQ label "PD"
event early = adrs.ADT format "DD.MM.YYYY" where PARAMCD = "PD" and ADT in (2023-01-20) sequence ASEQ
event ae = adae.ASTDTC impute first not before trt label "AE"
endpoint OS "Overall survival"
  from rand
  to death
  censor at alive cnsr 1
end
endpoint PFS "Progression-free survival"
  from rand
  to first of pd, death
  censor at alive cnsr 1
end
endpoint TTAE "Time to first AE"
  from trt
  to ae
  censor at alive cnsr 1
end
endpoint EARLY "Early PD"
  from rand
  to early
  censor at origin cnsr 1
end
"""
TABLES = {
    "adsl": pd.DataFrame(
        {
            "USUBJID": ["S1", "S2", "S3"],
            "RANDDT": ["05JAN2023", "6jan2023", "07Jan2023:08:00:00"],
            "TRTSDT": ["20230106", 20230110, "20230108"],
            "DTHDT": ["03/15/2023", None, "31/02/2023"],  # S3: not a calendar date in MM/DD/YYYY
            "LSTALVDT": ["23084", 23100.0, 23120],  # 2023-03-15, 2023-03-31, 2023-04-20
        }
    ),
    "adrs": pd.DataFrame(
        {
            "USUBJID": ["S1", "S2", "S2", "S3"],
            "PARAMCD": ["PD", "PD", "PD", "PD"],
            "ADT": ["01.03.2023", "20.01.2023", "2023-02-10", "10.02.2023 12:00"],
            "ASEQ": [1, 1, 2, 1],
        }
    ),
    "adae": pd.DataFrame({"USUBJID": ["S1", "S2"], "ASTDTC": ["2023-01", "2023-02-01"]}),
}
# (USUBJID, PARAMCD) -> (STARTDT, ADT, CNSR, ADTF)
EXPECTED = {
    ("S1", "OS"): ("2023-01-05", "2023-03-15", 0, None),
    ("S1", "PFS"): ("2023-01-05", "2023-03-01", 0, None),
    ("S1", "TTAE"): ("2023-01-06", "2023-01-06", 0, "D"),  # 2023-01 imputed, not before trt 2023-01-06
    ("S1", "EARLY"): ("2023-01-05", "2023-01-05", 1, None),
    ("S2", "OS"): ("2023-01-06", "2023-03-31", 1, None),
    ("S2", "PFS"): (
        "2023-01-06",
        "2023-03-31",
        1,
        None,
    ),  # 20.01 is before 2023-02-01; 2023-02-10 is not DD.MM
    ("S2", "TTAE"): ("2023-01-10", "2023-02-01", 0, None),
    ("S2", "EARLY"): ("2023-01-06", "2023-01-20", 0, None),
    ("S3", "OS"): ("2023-01-07", "2023-04-20", 1, None),
    ("S3", "PFS"): ("2023-01-07", "2023-02-10", 0, None),
    ("S3", "TTAE"): ("2023-01-08", "2023-04-20", 1, None),
    ("S3", "EARLY"): ("2023-01-07", "2023-01-07", 1, None),
}
COMPILED = endpointdsl.CompiledFile.from_model(endpointdsl.check_text(PROGRAM, "formats.ept"))


@pytest.mark.parametrize("engine", ["sql", "compiled", "interpreter"])
def test_every_engine_reads_dates_in_their_declared_formats(engine):
    result = COMPILED.run({k: v.copy() for k, v in TABLES.items()}, engine=engine)
    got = {
        (r.USUBJID, r.PARAMCD): (str(r.STARTDT), str(r.ADT), r.CNSR, None if pd.isna(r.ADTF) else r.ADTF)
        for r in result.adtte.itertuples()
    }
    assert got == EXPECTED
    # adrs row 3 (2023-02-10, not DD.MM.YYYY) is not selected: its ADT >= 2023-02-01 is unknown
    assert set(result.findings.MESSAGE) == {
        "death: adsl row 3 has no usable DTHDT ('31/02/2023' is not a calendar date); not counted",
    }


def test_the_engines_agree_on_the_formats_file():
    runs = [
        COMPILED.run({k: v.copy() for k, v in TABLES.items()}, engine=e)
        for e in ("sql", "compiled", "interpreter")
    ]
    for other in runs[1:]:
        pd.testing.assert_frame_equal(runs[0].adtte, other.adtte)
        pd.testing.assert_frame_equal(runs[0].report, other.report)


# ---- the SQL backend's views of typed columns ---------------------------------------------


@pytest.mark.parametrize(
    ("values", "dtype", "fmt"),
    [
        ([20230105, 20231305, None], "Int64", "YYYYMMDD"),
        ([23015, -1, None], "Int64", SAS),
        ([23015, 20230105, None], "int64[pyarrow]", "DD/MM/YYYY"),
        ([D, None, dt.date(2024, 2, 29)], pd.ArrowDtype(pa.date32()), "DDMONYYYY"),
        (["05JAN2023 ", None, "x"], "string[pyarrow]", "DDMONYYYY"),
    ],
    ids=["yyyymmdd-integers", "sas-days-integers", "integers-in-a-text-format", "arrow-dates", "arrow-texts"],
)
def test_sql_views_of_formatted_columns_are_the_python_reader(values, dtype, fmt):
    frame = pd.DataFrame({"USUBJID": ["S1", "S2", "S3"], "C": pd.Series(values, dtype=dtype)})
    views = {("C", f"date@{fmt}"), ("C", f"why@{fmt}")}
    table = prepare_table(frame, "USUBJID", views)
    for reader in ("date", "why"):
        got = table[view_name("C", f"{reader}@{fmt}")].to_pylist()
        cells = [None if pd.isna(v) else v for v in values]
        cells = [c.rstrip() or None if isinstance(c, str) else c for c in cells]
        assert got == [read_value(c, f"{reader}@{fmt}") for c in cells]
