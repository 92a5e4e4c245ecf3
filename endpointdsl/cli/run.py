"""The command line's `run`: the outputs checked before anything is read, the tables read, the
records derived by the chosen engine, the outputs written as one set with their manifest, and
the closing lines (rates, Kaplan-Meier, value summaries, groups, empty events, counts). Its
Kaplan-Meier and Spark parts are in cli.km and cli.spark."""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

from . import km as cli_km
from . import spark as cli_spark
from .common import EXIT_FINDINGS, EXIT_OK, input_files, load_compiled, plural, writing_failed


def run_command(args) -> int:
    from ..api import value_parameters  # value endpoints (issue 14)
    from ..check.projection import run_columns
    from ..data.errors import DataError
    from ..data.manifest import run_manifest
    from ..data.read import read_tables
    from ..data.write import check_output
    from ..data.writeset import OutputSet, manifest_path, not_a_folder, pause, refuse_overlaps
    from ..progress import display_for, stage  # progress (issue 16)

    compiled = load_compiled(args.file)
    if isinstance(compiled, int):
        return compiled
    model = compiled.model
    try:
        cli_spark.prepare(args, model)  # issue 16: what Spark cannot derive, refused before reading data
        out = check_output(args.out)
        outputs = [(out, "--out"), _default(args.report, out, ".report.csv", "--report", "the report")]
        rates = any(ep.response is not None for ep in model.endpoints) or _detectable(model)
        if rates:
            outputs.append(_default(args.summary, out, ".summary.csv", "--summary", "the summary"))
        km = cli_km.wanted_by_run(args, model)  # km (issue 15)
        cli_km.at_times(args.at)  # a bad --at before anything is read
        if km:
            outputs.append(_default(args.km, out, ".km.csv", "--km", "the Kaplan-Meier summary"))
        outputs = [(check_output(path), option) for path, option in outputs]
        # value endpoints (issue 14): the PK table, beside the output
        values_out = (check_output(out.with_suffix(".values.csv")), "the value summary")
        values_out = values_out if value_parameters(model) else None
        remote = cli_spark.remote_data(args)  # issue 16: a URI for --data, read by the Spark engine
        if remote:
            inputs = remote.find_tables(args.data, [t.name for t in model.tables])
        else:
            inputs = input_files(args.data, [t.name for t in model.tables])
        sources = [
            (Path(args.file), "the .ept file"),
            *((p, f"the input table '{n}'") for n, p in cli_spark.local_files(inputs).items()),
        ]
        refuse_overlaps(
            [*outputs, *([values_out] if values_out else []), (manifest_path(out), "the manifest")], sources
        )
        if not remote or remote.local_path(args.data) is not None:  # file:// is a local folder
            _refuse_table_names(
                outputs, remote.local_path(args.data) if remote else Path(args.data), list(inputs)
            )
        display = display_for(sys.stderr, args.progress, args.quiet)  # progress (issue 16)
        with OutputSet() as files, display or contextlib.nullcontext():
            for path, option in [*outputs, *([values_out] if values_out else [])]:
                files.add(path, option)
            not_a_folder(manifest_path(out), "the manifest")
            tables = {}
            columns = run_columns(model, args.by)  # issue 16: only the columns the run reads
            sources = cli_spark.sources(args, model, inputs, columns)  # issue 16: read by Spark itself
            for name, path in inputs.items():  # progress: one stage per table
                if name in sources:
                    continue
                if remote:  # issue 16: a Parquet table from remote storage, read on the driver
                    stage(display, f"reading {name} ({path})")
                    tables[name] = remote.read_table(path, columns.get(name))
                    continue
                stage(display, f"reading {name} ({path.name})")
                # the SQL and Spark engines take Parquet columns as Arrow arrays, without Python objects
                arrow = args.engine in ("sql", "spark")
                tables |= read_tables(args.data, [name], encoding=args.encoding, arrow=arrow, columns=columns)
            pause("derive")
            if sources:
                result = cli_spark.run_files(compiled, tables, sources, display)
            else:
                result = compiled.run(tables, engine=args.engine, progress=display)
            stage(display, f"writing {out}")
            files.write(out, result.table, "ADTTE")  # issue 16: Arrow records as they are
            stage(display, f"writing {outputs[1][0]}")
            files.write(outputs[1][0], result.report, "REPORT")
            summary = compiled.summary(result) if rates else None
            if summary is not None:
                stage(display, f"writing {outputs[2][0]}")
                files.write(outputs[2][0], summary, "SUMMARY")
            km_table = cli_km.run_table(args, compiled, result, tables) if km else None  # km (issue 15)
            if km_table is not None:
                stage(display, f"writing {outputs[-1][0]}")
                files.write(outputs[-1][0], km_table, "KM")
            values = compiled.value_summary(result) if values_out else None  # value endpoints (issue 14)
            if values is not None:
                stage(display, f"writing {values_out[0]}")
                files.write(values_out[0], values, "VALUES")
            pause("staged")
            argv = cli_spark.recorded(args, args.argv)  # issue 16: a Connect token is no record
            manifest = run_manifest(Path(args.file), {} if remote else inputs, args.engine, argv)
            cli_spark.record_session(args, manifest)  # issue 16: which Spark ran it
            if remote:  # issue 16: the inputs on remote storage, hashed as they are read there
                manifest["inputs"] = [{"table": n, **remote.manifest_entry(p)} for n, p in inputs.items()]
            manifest["dataset"] = {"name": model.adam.dataset, "label": model.adam.label}  # adam
            stage(display, "committing the outputs")
            files.commit(manifest, main=out)
    except (DataError, OSError) as exc:  # OutputError is a DataError
        return writing_failed(exc)
    report = outputs[1][0]
    if summary is not None:
        from ..data.summary import format_summary

        print(format_summary(summary))
        for line in _cutoff_lines(model):  # bor (issue 19): which progression cut-off applied
            print(line)
        _say(args, f"summary written to {outputs[2][0]}")
    if km_table is not None and len(km_table):  # km (issue 15)
        from ..data.km import format_km

        print(format_km(km_table, args.by))
        _say(args, f"Kaplan-Meier summary written to {outputs[-1][0]}")
    elif km is None:
        print("note: no Kaplan-Meier summary: lifelines is not installed; "
              'pip install "endpointdsl[km]"', file=sys.stderr)  # fmt: skip
    if values is not None:  # value endpoints (issue 14)
        from ..data.value_summary import format_value_summary

        print(format_value_summary(values))
        _say(args, f"value summary written to {values_out[0]}")
    for line in _group_lines(compiled.model, result):  # groups (issue 13)
        _say(args, line)
    for line in _empty_event_lines(result.report):  # bor (issue 19): no silent empty events
        print(line, file=sys.stderr)
    records, subjects = result.counts()  # issue 16: Arrow records not made a pandas frame for this
    _say(
        args,
        f"{args.out}: {plural(records, 'record')} for "
        f"{plural(subjects, 'subject')}; {plural(len(result.excluded), 'exclusion')} "
        f"and {plural(len(result.findings), 'data finding')} in {report}",
    )
    if args.fail_on_findings and len(result.findings):
        return EXIT_FINDINGS
    return EXIT_OK


def _say(args, line: str) -> None:
    """A closing line of `run` on standard error, unless --quiet (issue 16)."""
    if not args.quiet:
        print(line, file=sys.stderr)


def _cutoff_lines(model) -> list[str]:
    """bor (issue 19): each best or landmark response's progression cut-off and its options."""
    lines = []
    for ep in model.endpoints:
        r = ep.response
        if r is None or r.kind not in ("best", "landmark"):  # review19: not `worst of` (no cut-off)
            continue
        extra = "; assessments before the origin counted" if r.before_origin == "count" else ""
        extra += "; no visit: NE" if r.missing_as_ne else ""
        lines.append(f"{ep.paramcd}: progressive disease cut-off {r.progression_cutoff}{extra}")
    return lines


def _empty_event_lines(report) -> list[str]:
    """bor (issue 19): every event that matches no row, as the report says it (warning or finding)."""
    from ..data.emptyevents import PREFIX

    mine = report[report.MESSAGE.str.startswith(PREFIX, na=False) & report.USUBJID.isna()]
    return [f"{status}: {message}" for status, message in zip(mine.STATUS, mine.MESSAGE, strict=True)]


def _group_lines(model, result) -> list[str]:
    """groups (issue 13): each grouped endpoint's parameters with their values, as the run made them."""
    lines = []
    for ep in model.endpoints:
        if ep.group is None:
            continue
        g, adtte = ep.group, result.adtte  # issue 16: Arrow records made a frame only here
        rest = adtte.PARAMCD.str.slice(len(ep.paramcd))
        mine = adtte[
            adtte.PARAMCD.str.startswith(ep.paramcd) & rest.str.isdigit() & (adtte.PARAMCD.str.len() == 8)
        ]
        pairs = sorted({(code, param) for code, param in zip(mine.PARAMCD, mine.PARAM, strict=True)})
        where = f"{model.file_name}:{ep.span.line if ep.span else 0}"
        lines.append(f"{ep.paramcd} ({where}, for each {', '.join(g.columns)} of {g.event}): "
                     f"{plural(len(pairs), 'parameter')}")  # fmt: skip
        lines += [f"  {code}  {param[len(ep.param) + 2 :]}" for code, param in pairs]
    return lines


def _refuse_table_names(outputs: list[tuple[Path, str]], data: Path, tables: list[str]) -> None:
    """An output in the data folder named as a table's file (`--report data/adsl.xpt` beside
    adsl.csv) would make the next run find two files for that table, or read it as one."""
    from ..data.read import READERS
    from ..data.write import OutputError

    wanted = {f"{name}{ext}".lower(): name for name in tables for ext in READERS}
    for path, option in outputs:
        same_folder = Path(os.path.abspath(path.parent)).resolve() == Path(os.path.abspath(data)).resolve()
        if same_folder and path.name.lower() in wanted:
            raise OutputError(
                f"{option} {path} is named as a file of the input table '{wanted[path.name.lower()]}' in the "
                "data folder: the next run would read it as that table; choose another name or folder"
            )


def _detectable(model) -> bool:
    """value endpoints (issue 14): a `detectable` flag, summarised as a rate."""
    return any(ep.value is not None and ep.value.stat == "detectable" for ep in model.endpoints)


def _default(given: str | None, out: Path, suffix: str, option: str, name: str) -> tuple[Path, str]:
    return (Path(given), option) if given else (out.with_suffix(suffix), name)
