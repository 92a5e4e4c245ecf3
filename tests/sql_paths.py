"""A/B runs of the SQL engine with one of its run-time proofs replaced (test_perf_paths,
test_subject_numbers): the run that uses what the data prove must equal the run that
proves nothing, frame for frame, or fail with the same message. `recording` notes what the
real proof gave on each call, so a test can see that the path it compares was taken."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any
from unittest import mock

import pandas as pd

from endpointdsl.data.errors import DataError
from endpointdsl.engines.sql import run as sql_run


@contextlib.contextmanager
def recording(name: str, note: Callable[[Any], Any] = lambda got: got) -> Iterator[list]:
    """Inside the block `sql_run.<name>` is itself, but each call's `note(result)` is appended
    to the list yielded (e.g. whether the path was taken)."""
    real, notes = getattr(sql_run, name), []

    def recorded(*args):
        got = real(*args)
        notes.append(note(got))
        return got

    with mock.patch.object(sql_run, name, recorded):
        yield notes


def same_with_and_without(
    compiled, data: dict, name: str, unused: Callable, note: Callable[[Any], Any] = lambda got: got
) -> list | None:
    """Run with `sql_run.<name>` as it is (recorded with `note`), then replaced by `unused`, and
    require the same result. The notes when both derived; None when both stopped with the
    same data error."""
    results, asked = [], []

    def replaced(*args):
        asked.append(1)
        return unused(*args)

    with recording(name, note) as notes:
        results.append(_run(compiled, data))
    with mock.patch.object(sql_run, name, replaced):
        results.append(_run(compiled, data))
    # the two runs are alike up to the first call: a second run that never asked compared nothing
    assert bool(asked) == bool(notes), f"sql_run.{name}: asked {len(notes)} then {len(asked)} times"
    if isinstance(results[0], str):
        assert results[0] == results[1]
        return None
    pd.testing.assert_frame_equal(results[0].adtte, results[1].adtte)
    pd.testing.assert_frame_equal(results[0].report, results[1].report)
    return notes


def _run(compiled, data: dict):
    try:
        return compiled.run(data, engine="sql")
    except DataError as exc:
        return str(exc)


def assert_same_runs(first, *others) -> None:
    """Every run equal to the first, records and report (the proven path, the general path,
    the per-subject engine)."""
    for other in others:
        pd.testing.assert_frame_equal(first.adtte, other.adtte)
        pd.testing.assert_frame_equal(first.report, other.report)
