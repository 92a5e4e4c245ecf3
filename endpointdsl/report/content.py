"""What a report shows: the run's header (files with their SHA-256, version, engine, time) and,
per endpoint, its explanation and summaries. Everything but the time is a function of the
inputs, so two runs give the same bytes; the time is SOURCE_DATE_EPOCH's when it is set."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import TYPE_CHECKING

from attrs import field, frozen

from ..data.errors import DataError
from ..data.groups import is_parameter_of
from ..data.manifest import sha256_file
from ..version import __version__

if TYPE_CHECKING:
    import pandas as pd

    from ..check.explain import Explanation
    from ..check.model import Model


@frozen
class InputFile:
    table: str
    name: str  # the file's name in the data folder
    rows: int
    sha256: str


@frozen
class Header:
    file: str  # the .ept file as given
    sha256: str
    version: str
    data: str  # the data folder as given
    inputs: tuple[InputFile, ...]
    engine: str
    created: str  # the one part that changes between runs (unless SOURCE_DATE_EPOCH is set)
    options: tuple[tuple[str, str], ...] = ()  # (option, value) of the summaries: --by, --at, ...


@frozen
class Part:
    """One endpoint: its explanation, and the rows of each summary for its parameters (a
    grouped endpoint has several); None where the endpoint has no such summary."""

    explanation: Explanation
    km: pd.DataFrame | None = field(default=None, eq=False)
    plots: tuple[tuple[str, bytes], ...] = ()  # (PARAMCD, PNG)
    rates: pd.DataFrame | None = field(default=None, eq=False)
    values: pd.DataFrame | None = field(default=None, eq=False)
    tte: bool = False  # a time-to-event endpoint: the KM part or the note in its place


@frozen
class Content:
    header: Header
    parts: tuple[Part, ...]
    report: pd.DataFrame = field(eq=False)  # exclusions, findings and warnings, as run writes them
    checker_warnings: tuple[str, ...] = ()  # W-diagnostics of the .ept file, rendered
    km_note: str | None = None  # why there is no Kaplan-Meier part (the km extra is missing)
    by: str | None = None


def created(environ: dict | None = None) -> str:
    """The time of the run in UTC, or SOURCE_DATE_EPOCH's (reproducible-builds.org) when set."""
    environ = os.environ if environ is None else environ
    epoch = environ.get("SOURCE_DATE_EPOCH")
    if epoch is None:
        when = dt.datetime.now(dt.UTC)
    else:
        try:
            when = dt.datetime.fromtimestamp(int(epoch), dt.UTC)
        except (ValueError, OverflowError, OSError):
            raise DataError(f"SOURCE_DATE_EPOCH={epoch}: give a whole number of seconds since 1970") from None
    return when.strftime("%Y-%m-%d %H:%M:%S UTC")


def header(
    ept: Path, data: Path, inputs: dict[str, Path], tables: dict[str, pd.DataFrame], engine: str,
    options: list[tuple[str, str]], when: str,
) -> Header:  # fmt: skip
    files = tuple(
        InputFile(name, path.name, len(tables[name]), sha256_file(path)) for name, path in inputs.items()
    )
    return Header(str(ept), sha256_file(ept), __version__, str(data), files, engine, when, tuple(options))


def parts(
    model: Model, explanations: list[Explanation], km: pd.DataFrame | None, plots: dict[str, bytes],
    rates: pd.DataFrame | None, values: pd.DataFrame | None,
) -> tuple[Part, ...]:  # fmt: skip
    """Each endpoint's part: its explanation and the rows of each summary that are its own (its
    PARAMCD, or a grouped endpoint's numbered parameters)."""
    out = []
    for ep, e in zip(model.endpoints, explanations, strict=True):

        def mine(frame, ep=ep):
            if frame is None:
                return None
            return frame[[_owns(ep, str(c)) for c in frame.PARAMCD]]

        detectable = ep.value is not None and ep.value.stat == "detectable"  # a Y/N flag: a rate
        tte = ep.kind == "tte"
        own = mine(km) if tte else None
        pngs = tuple((c, b) for c, b in plots.items() if _owns(ep, c))
        rows = mine(rates) if ep.response is not None or detectable else None
        shown = mine(values) if ep.value is not None and not detectable else None
        out.append(Part(e, own, pngs, rows, shown, tte))
    return tuple(out)


def _owns(ep, code: str) -> bool:
    return code == ep.paramcd or (ep.group is not None and is_parameter_of(ep.paramcd, code))
