"""Driver, report (issue 15): one self-contained HTML page of a run."""

from __future__ import annotations

from pathlib import Path

from attrs import define

from .compiled import CompiledFile
from .loading import check_file
from .summaries import competing_codes, km_summary, value_parameters


@define(frozen=True)
class Report:
    """`report`'s page, and what the command line also prints on stderr (the missing km extra,
    events that match no row)."""

    html: str
    warnings: tuple[str, ...] = ()


def report(
    file: str | Path,
    data: str | Path,
    by: str | None = None,
    at=(),
    unit: str | None = None,
    conf_type: str = "log-log",
    engine: str = "sql",
    encoding: str | None = None,
) -> Report:
    """The report of a .ept file run on the data folder `data` (docs/report.md): the run's files
    with their SHA-256, each endpoint's explanation and outcome table, its Kaplan-Meier summary
    and plot (per value of `by`, with the km extra), rates or value summary, and the
    exclusions and findings. Raises EptError, or DataError when the data cannot be used."""
    import importlib.util

    from ..check.explain import explain as explanations
    from ..data.bygroup import with_group
    from ..data.errors import DataError
    from ..data.read import find_table, read_tables
    from ..report.content import Content, created, header, parts
    from ..report.page import KM_MISSING, PLOT_MISSING, render
    from ..report.plots import km_png

    when = created()  # a bad SOURCE_DATE_EPOCH before any work
    model = check_file(file)
    folder = Path(data)
    if not folder.is_dir():
        raise DataError(f"data folder {folder} does not exist or is not a folder")
    inputs = {t.name: find_table(folder, t.name) for t in model.tables}
    tables = read_tables(folder, list(inputs), encoding=encoding, arrow=engine == "sql")
    compiled = CompiledFile.from_model(model)
    result = compiled.run(tables, engine=engine)
    with_rates = any(e.response is not None or (e.value is not None and e.value.stat == "detectable")
                     for e in model.endpoints)  # fmt: skip
    rates = compiled.summary(result) if with_rates else None
    values = compiled.value_summary(result) if value_parameters(model) else None
    adtte, subject = result.adtte, model.subject_table
    tte = any(e.kind == "tte" for e in model.endpoints)
    if by is not None:
        if not tte:
            raise DataError(f"--by {by}: {model.file_name} has no time-to-event endpoint to group")
        adtte = with_group(adtte, tables[subject.name], subject.key, subject.name, by)
    km, plots, note = None, {}, None
    if tte and importlib.util.find_spec("lifelines") is not None:
        competing = competing_codes(model, adtte)
        km = km_summary(adtte, by, at, unit, conf_type, competing=competing)
        if importlib.util.find_spec("matplotlib") is not None:
            plots = {c: km_png(adtte, c, by, competing.get(c)) for c in dict.fromkeys(km.PARAMCD)}
    if tte and km is None:
        note = KM_MISSING
    elif km is not None and len(km) and not plots:
        note = PLOT_MISSING
    options = [(f"--{k}", v) for k, v in (("by", by), ("at", ",".join(f"{t:g}" for t in at)),
               ("unit", unit), ("conf-type", conf_type)) if v]  # fmt: skip
    content = Content(
        header(Path(file), folder, inputs, tables, engine, options, when),
        parts(model, explanations(model), km, plots, rates, values),
        result.report, tuple(w.render() for w in model.warnings), note, by,
    )  # fmt: skip
    whole = result.report[result.report.USUBJID.isna()]
    warnings = [f"{s}: {m}" for s, m in zip(whole.STATUS, whole.MESSAGE, strict=True)]
    return Report(render(content), tuple(([f"warning: {note}"] if note else []) + warnings))
