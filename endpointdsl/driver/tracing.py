"""Driver, explain and trace (issue 15): what each endpoint does, and why one subject got its record."""

from __future__ import annotations

from pathlib import Path

from attrs import evolve

from ..check.model import Model
from ..check.usage import table_usage
from ..data.values import Subject
from ..engines.reference import groups as reference_groups
from .loading import check_file


class TraceError(Exception):
    """`trace` cannot answer: an unknown subject or endpoint (the command line's exit 2)."""


def explain(source: str | Path | Model, endpoint: str | None = None, format: str = "md") -> str:
    """What each endpoint of a .ept file (or a checked model) does, as Markdown or HTML: SAP-ready
    text and the outcome table, generated from the checked model (check/explain.py)."""
    from ..check.explain import explain as explanations
    from ..check.explain_render import RENDERERS

    model = source if isinstance(source, Model) else check_file(source)
    if format not in RENDERERS:
        raise ValueError(f"unknown format {format!r}: md or html")
    if endpoint is not None and endpoint not in [e.paramcd for e in model.endpoints]:
        raise TraceError(
            f"{model.file} has no endpoint {endpoint} (it has {', '.join(e.paramcd for e in model.endpoints)})"
        )
    return RENDERERS[format](model.file_name, explanations(model, endpoint))


def trace(
    source: str | Path | Model,
    data: str | Path | dict,
    subject: str,
    endpoint: str | None = None,
    encoding: str | None = None,
) -> list:
    """Why one subject got its record: one `Trace` (engines/reference/trace.py) per endpoint (or
    the endpoint `endpoint`; a grouped endpoint: one per parameter, or the parameter named).
    `data` is the data folder or the tables by name (pandas frames or pyarrow Tables). Raises
    TraceError for an unknown subject or endpoint, DataError when the data cannot be used."""
    from ..data.read import read_tables
    from ..data.tables import given_tables, group_subjects, validate
    from ..data.values import subject_key

    model = source if isinstance(source, Model) else check_file(source)
    codes = [e.paramcd for e in model.endpoints]
    grouped = [e for e in model.endpoints if e.group is not None]
    if (
        endpoint is not None
        and endpoint not in codes
        and not any(_is_param(e.paramcd, endpoint) for e in grouped)
    ):
        raise TraceError(f"{model.file} has no endpoint {endpoint} (it has {', '.join(codes)})")
    tables = (  # the tables by name: frames or pyarrow Tables, as `CompiledFile.run` takes them
        given_tables(data, arrow=False)
        if isinstance(data, dict)
        else read_tables(data, [t.name for t in model.tables], encoding=encoding)
    )
    usage = table_usage(model)
    validate(usage, tables, model.file)
    subjects, _ = group_subjects(usage, model.subject_table.name, tables)
    key = subject_key(subject)
    found = next((s for s in subjects if s.id == key), None)
    table = model.subject_table.name
    if found is None:
        elsewhere = [n for n in usage if n != table and any(
            subject_key(v) == key for v in tables[n][usage[n]["key"]].tolist()
        )]  # fmt: skip
        where = f"; it has rows in {', '.join(elsewhere)} only, so it is not analysed" if elsewhere else ""
        count = f"{len(subjects)} subject{'' if len(subjects) == 1 else 's'}"
        raise TraceError(f"subject {subject} is not in {table} ({count}){where}")
    copies = len(found.rows(table))
    if copies > 1:
        raise TraceError(
            f"subject {key} is excluded from every endpoint: duplicate subject: {copies} rows in {table}"
        )
    return subject_traces(model, subjects, found, endpoint)


def subject_traces(model: Model, subjects: list, subject: Subject, endpoint: str | None = None) -> list:
    """The traces of one of `subjects` (all of them: a grouped endpoint's parameters are those
    of every subject's values), for every endpoint or the one named."""
    from ..data.groups import relabel
    from ..engines.reference.trace import narrowed
    from ..engines.reference.trace import trace as trace_one

    out = []
    for ep in model.endpoints:
        if (
            endpoint is not None
            and endpoint != ep.paramcd
            and not (ep.group and _is_param(ep.paramcd, endpoint))
        ):
            continue
        if ep.group is None:
            out.append(trace_one(model, ep, subject))
            continue
        for g in reference_groups.grouped(model, ep).params(subjects):
            if endpoint not in (None, ep.paramcd, g.paramcd):
                continue
            t = trace_one(narrowed(model, ep, g.value), ep, subject)
            out.append(evolve(t, paramcd=g.paramcd, derivation=relabel(t.derivation, g), param=g.param))
    return out


def _is_param(code: str, name: str) -> bool:
    """groups: `name` is one of the numbered parameters of the grouped endpoint `code`."""
    return name.startswith(code) and name[len(code) :].isdigit() and len(name) == 8
