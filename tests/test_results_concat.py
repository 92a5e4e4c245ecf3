"""results.typed_alike (issue 16, eighth round): the grouped endpoints' records merged with
pd.concat get the dtypes of the frames that hold values, under pandas 2 (which warned that
it would stop leaving all-missing columns out) and pandas 3 alike, with no FutureWarning."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from endpointdsl.engines.sql.results import typed_alike

STAMP = pd.Series([pd.Timestamp("2024-01-02")], dtype="datetime64[ns]")

# (name, the first frame's column with a value, what the merged column holds)
CASES = [
    ("ADTM", STAMP, [pd.Timestamp("2024-01-02"), pd.NaT]),
    ("CNSR", pd.Series([1], dtype="Int64"), [1, pd.NA]),
    ("SRCSEQ", pd.Series([2.0], dtype="Float64"), [2.0, pd.NA]),
    ("AVAL", pd.Series([3.5]), [3.5, np.nan]),
    ("PARCAT1", pd.Series(["DOSE A"]), ["DOSE A", None]),
]


@pytest.mark.parametrize(("name", "column", "want"), CASES, ids=[c[0] for c in CASES])
def test_a_column_a_frame_lacks_takes_the_dtype_of_the_frame_with_values(name, column, want):
    first = pd.DataFrame({"USUBJID": ["S1"], name: column})
    second = pd.DataFrame({"USUBJID": ["S2"]}).reindex(columns=["USUBJID", name])  # float NaN
    for frames in ([first, second], [second, first]):  # either frame first
        with warnings.catch_warnings():
            warnings.simplefilter("error", FutureWarning)
            merged = pd.concat(typed_alike(frames), ignore_index=True)
        assert merged[name].dtype == column.dtype
        got = merged[name].tolist()[:: 1 if frames[0] is first else -1]
        assert [None if pd.isna(v) else v for v in got] == [None if pd.isna(v) else v for v in want]


def test_columns_missing_everywhere_and_single_frames_are_left_alone():
    a = pd.DataFrame({"X": [np.nan], "Y": ["a"]})
    b = pd.DataFrame({"X": [np.nan], "Y": ["b"]})
    out = typed_alike([a, b])
    assert [f.X.dtype for f in out] == [np.float64, np.float64]
    assert typed_alike([a])[0] is a
    assert typed_alike([]) == []
