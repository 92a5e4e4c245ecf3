"""A/B runs of the SQL engine with one of its run-time proofs replaced (test_perf_paths,
test_subject_numbers): the run that uses what the data prove must equal the run that
proves nothing, frame for frame, or fail with the same message."""

from __future__ import annotations

from collections.abc import Callable
from unittest import mock

import pandas as pd

from endpointdsl.data.errors import DataError
from endpointdsl.engines.sql import run as sql_run


def same_with_and_without(compiled, data: dict, name: str, used: Callable, unused: Callable) -> bool:
    """Run with `sql_run.<name>` replaced by `used`, then by `unused`, and require the same
    result. True when both derived (False: both stopped with the same data error)."""
    results = []
    for found in (used, unused):
        with mock.patch.object(sql_run, name, found):
            try:
                results.append(compiled.run(data, engine="sql"))
            except DataError as exc:
                results.append(str(exc))
    if isinstance(results[0], str):
        assert results[0] == results[1]
        return False
    pd.testing.assert_frame_equal(results[0].adtte, results[1].adtte)
    pd.testing.assert_frame_equal(results[0].report, results[1].report)
    return True
