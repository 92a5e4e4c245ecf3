"""Records: what an engine gives for one subject and endpoint (a record, or the reason there is none)."""

from __future__ import annotations

import datetime as dt

from attrs import frozen


@frozen
class Record:
    """One output row: an ADTTE record, or a response/incidence parameter (AVALC set,
    CNSR and AVALU empty; ADT empty when no assessment decided it)."""

    USUBJID: str
    PARAMCD: str
    PARAM: str
    STARTDT: dt.date
    ADT: dt.date | None
    AVAL: float
    AVALU: str | None
    CNSR: int | None
    EVNTDESC: str | None
    CNSDTDSC: str | None
    SRCDOM: str | None
    SRCVAR: str | None
    SRCSEQ: float | None
    STARTDTF: str | None = None  # imputation flags (ADaM *DTF): D day, M month and day
    ADTF: str | None = None
    AVALC: str | None = None
    STARTDTM: dt.datetime | None = None  # times of day: set by `time in hours|minutes` endpoints
    ADTM: dt.datetime | None = None
    # groups (issue 13): the value of a grouped endpoint's parameter (`for each A, B of E`)
    PARCAT1: str | None = None
    PARCAT2: str | None = None


@frozen
class Derivation:
    """What one endpoint gave for one subject: a record or the reason there is none."""

    subject: str
    paramcd: str
    record: Record | None
    excluded: str | None
    findings: tuple[str, ...]
