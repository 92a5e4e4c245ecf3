"""The command line's commands on .ept files: `check` (and, with --data, the tables' files),
`compile` (Python, SQL or Spark SQL) and `fmt` (issue 15: the canonical layout)."""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

from .common import (
    EXIT_DATA,
    EXIT_DIAGNOSTICS,
    EXIT_OK,
    EXIT_OUTPUT,
    error,
    load_compiled,
    load_model,
    plural,
)


def check_command(args) -> int:
    from ..data.errors import DataError

    status = EXIT_OK
    for path in args.files:
        model = load_model(path)
        if isinstance(model, int):
            status = max(status, model)
            continue
        for warning in model.warnings:
            print(warning.render(), file=sys.stderr)
        codes = ", ".join(ep.paramcd for ep in model.endpoints)
        note = f", {plural(len(model.warnings), 'warning')}" if model.warnings else ""
        print(f"{path}: ok ({codes}){note}")
        if args.data is None:
            continue
        from ..datacheck import check_data

        try:
            problems, checked = check_data(model, args.data, args.encoding)
        except DataError as exc:
            problems, checked = [str(exc)], 0
        for problem in problems:
            print(f"error: {problem}", file=sys.stderr)
        if problems:
            status = max(status, EXIT_DATA)
        else:
            print(f"{args.data}: ok ({plural(checked, 'column')} of {plural(len(model.tables), 'table')})")
    return status


def compile_command(args) -> int:
    compiled = load_compiled(args.file)
    if isinstance(compiled, int):
        return compiled
    source = compiled.source
    if args.target == "sql":
        from ..engines.sql.generate import generate_sql

        source = generate_sql(compiled.model).text
    if args.target == "spark":  # issue 16: the same script in Spark SQL, or why not (exit 2)
        from ..engines.spark.run import SparkUnsupported, spark_program
        from ..engines.spark.translate import spark_script

        try:
            source = spark_script(spark_program(compiled.model)[1])
        except SparkUnsupported as exc:
            return error(str(exc), EXIT_DATA)
    if not args.output:
        sys.stdout.write(source)
        return EXIT_OK
    from ..data.write import OutputError, write_text
    from ..data.writeset import OutputSet, refuse_overlaps

    target = Path(args.output)
    try:
        refuse_overlaps([(target, "-o")], [(Path(args.file), "the .ept file being compiled")])
        with OutputSet() as files:
            files.add(target, "-o")
            files.write(target, source, writer=write_text)
            files.commit()
    except OutputError as exc:
        return error(str(exc), EXIT_OUTPUT)
    return EXIT_OK


def fmt_command(args) -> int:
    """fmt (issue 15): each file in the canonical layout (language/layout.py)."""
    from ..api import format_source, read_source
    from ..language.diagnostics import EptError

    status, changed = EXIT_OK, []
    for path in args.files:
        try:
            text = read_source(path)
            formatted = format_source(text, str(path))
        except FileNotFoundError:
            status = max(status, error(f"{path}: no such file", EXIT_DATA))
            continue
        except IsADirectoryError:
            status = max(status, error(f"{path}: is a folder, not a .ept file", EXIT_DATA))
            continue
        except OSError as exc:
            status = max(status, error(f"{path}: cannot be read ({exc.strerror or exc})", EXIT_DATA))
            continue
        except EptError as exc:
            print(exc.render(), file=sys.stderr)
            print(f"{path}: {plural(len(exc.errors), 'error')}; not formatted", file=sys.stderr)
            status = max(status, EXIT_DIAGNOSTICS)
            continue
        if formatted == text:
            continue
        changed.append(path)
        if args.check:
            print(f"would reformat {path}")
            continue
        try:
            _replace_text(Path(path), formatted)
        except OSError as exc:
            status = max(status, error(f"cannot write {path}: {exc.strerror or exc}", EXIT_OUTPUT))
            continue
        print(f"reformatted {path}", file=sys.stderr)
    if args.check and changed:
        status = max(status, EXIT_DIAGNOSTICS)
    kept = len(args.files) - len(changed)
    verb = "would be reformatted" if args.check else "reformatted"
    print(f"{plural(len(changed), 'file')} {verb}, {kept} unchanged", file=sys.stderr)
    return status


def _replace_text(path: Path, text: str) -> None:
    """Write `text` over `path` whole: a temporary file beside it, then a rename."""
    import tempfile

    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        os.chmod(temporary, path.stat().st_mode & 0o7777)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
