"""The command line's commands for a reviewer (issue 15): `explain` (what each endpoint does),
`trace` (why one subject got its record), `report` (one HTML page of a run) and `summary`
(the Kaplan-Meier summary of an ADTTE; its parts in cli.km)."""

from __future__ import annotations

import sys
from pathlib import Path

from . import km as cli_km
from .common import EXIT_DATA, EXIT_OK, EXIT_OUTPUT, error, input_files, load_model, writing_failed


def explain_command(args) -> int:
    from ..api import TraceError, explain

    model = load_model(args.file)
    if isinstance(model, int):
        return model
    try:
        sys.stdout.write(explain(model, args.endpoint, args.format))
    except TraceError as exc:
        return error(str(exc), EXIT_DATA)
    return EXIT_OK


def trace_command(args) -> int:
    from ..api import TraceError, trace
    from ..data.errors import DataError
    from ..engines.reference.trace import text

    model = load_model(args.file)
    if isinstance(model, int):
        return model
    try:
        input_files(args.data, [t.name for t in model.tables])
        traces = trace(model, args.data, args.subject, args.endpoint, args.encoding)
    except (TraceError, DataError) as exc:
        return error(str(exc), EXIT_DATA)
    except OSError as exc:
        return error(f"{exc.strerror or exc}: {exc.filename}", EXIT_DATA)
    if not traces:
        return error(
            f"subject {args.subject}: no parameter of endpoint {args.endpoint} (its event selects no row)",
            EXIT_DATA,
        )
    sys.stdout.write("\n".join(text(t) for t in traces))
    return EXIT_OK


def report_command(args) -> int:
    from ..api import report
    from ..data.errors import DataError
    from ..data.write import write_text
    from ..data.writeset import OutputSet, refuse_overlaps

    model = load_model(args.file)  # the .ept file's errors as `check` prints them (exit 1)
    if isinstance(model, int):
        return model
    for warning in model.warnings:
        print(warning.render(), file=sys.stderr)
    out = Path(args.out)
    try:
        if out.suffix.lower() not in (".html", ".htm"):
            raise DataError(f"--out {out}: the report is an HTML page: name it .html")
        inputs = input_files(args.data, [t.name for t in model.tables])
        sources = [
            (Path(args.file), "the .ept file"),
            *((p, f"the input table '{n}'") for n, p in inputs.items()),
        ]
        refuse_overlaps([(out, "--out")], sources)
        page = report(args.file, args.data, args.by, cli_km.at_times(args.at), args.unit, args.conf_type,
                      args.engine, args.encoding)  # fmt: skip
        with OutputSet() as files:
            files.add(out, "--out")
            files.write(out, page.html, writer=write_text)
            files.commit()
    except (DataError, OSError) as exc:  # OutputError is a DataError
        return writing_failed(exc)
    for line in page.warnings:
        print(line, file=sys.stderr)
    print(f"{out}: report written", file=sys.stderr)
    return EXIT_OK


def summary_command(args) -> int:
    from ..data.errors import DataError
    from ..data.write import OutputError, check_output

    try:
        table, frame = cli_km.table(args)
        from ..data.km import format_km

        outputs = []
        if args.out:
            outputs.append((check_output(args.out), "--out"))
        plots = {}
        if args.plot:
            from ..data.km import tte_parameters
            from ..data.kmplot import plot_paths

            codes = [c for c in tte_parameters(frame) if not args.param or c in args.param]
            plots = plot_paths(Path(args.plot), codes)
            outputs += [(path, "--plot") for path in plots.values()]
        if outputs:
            cli_km.write_outputs(args, table, frame, outputs, plots)
    except OutputError as exc:
        return error(str(exc), EXIT_OUTPUT)
    except DataError as exc:
        return error(str(exc), EXIT_DATA)
    print(format_km(table, args.by))
    for path, option in outputs:
        print(f"{option}: {path} written", file=sys.stderr)
    return EXIT_OK
