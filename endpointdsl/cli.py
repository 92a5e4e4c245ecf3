"""Command line: `endpointdsl check | compile | run`.

Exit codes: 0 success; 1 the .ept file has errors; 2 the data or the command
line cannot be used, nothing written; 3 (`run --fail-on-findings`) the output is
written but the report has data findings to review. Heavy modules are imported only by the command that needs them.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

EXIT_OK, EXIT_DIAGNOSTICS, EXIT_DATA, EXIT_FINDINGS = 0, 1, 2, 3


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="endpointdsl",
        description="Check, compile and run clinical-trial endpoint definitions (.ept files).",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p_check = sub.add_parser("check", help="check .ept files and report every problem")
    p_check.add_argument("files", nargs="+", metavar="FILE")
    p_compile = sub.add_parser(
        "compile", help="compile a .ept file to a standalone Python module, or to SQL (--target sql)"
    )
    p_compile.add_argument("file", metavar="FILE")
    p_compile.add_argument("-o", "--output", metavar="OUTPUT", help="default: print to stdout")
    p_compile.add_argument(
        "--target",
        choices=["python", "sql"],
        default="python",
        help="python: a module of per-subject functions (default); sql: the set-based SQL script "
        "that `run` executes in DuckDB, with -- file:line comments",
    )
    p_run = sub.add_parser("run", help="derive ADTTE records from the tables in a folder")
    p_run.add_argument("file", metavar="FILE")
    p_run.add_argument(
        "--data",
        required=True,
        metavar="DIR",
        help="folder with one file per table: TABLE.csv, .parquet, .xpt or .sas7bdat (any case)",
    )
    p_run.add_argument(
        "--out",
        required=True,
        metavar="OUT",
        help="ADTTE to write: .csv, .parquet or .xpt (SAS transport v5)",
    )
    p_run.add_argument(
        "--report",
        metavar="REPORT",
        help="exclusions and data findings: .csv, .parquet or .xpt (default: OUT.report.csv)",
    )
    p_run.add_argument(
        "--summary",
        metavar="SUMMARY",
        help="rates of response and incidence endpoints (n, N, rate, exact 95%% CI): .csv, "
        ".parquet or .xpt (default: OUT.summary.csv, when the file has such endpoints)",
    )
    p_run.add_argument(
        "--encoding",
        metavar="NAME",
        help="text encoding of the input files, e.g. latin-1 (default: UTF-8 for CSV and XPT; "
        "a sas7bdat file's own)",
    )
    p_run.add_argument(
        "--fail-on-findings",
        action="store_true",
        help="exit with 3 when the report has data findings (the output is still written)",
    )
    p_run.add_argument(
        "--engine",
        choices=["sql", "compiled", "interpreter"],
        default="sql",
        help="sql: set-based, whole tables in DuckDB (default); compiled: the per-subject Python "
        "functions; interpreter: the reference interpreter (slow; for double programming)",
    )
    args = parser.parse_args(argv)
    return {"check": _check, "compile": _compile, "run": _run}[args.command](args)


def _load(path: str):
    from .api import check_file

    if not Path(path).is_file():
        raise FileNotFoundError(path)
    return check_file(path)


def _check(args) -> int:
    from .diagnostics import EptError

    status = EXIT_OK
    for path in args.files:
        try:
            model = _load(path)
        except FileNotFoundError:
            print(f"{path}: no such file", file=sys.stderr)
            status = max(status, EXIT_DATA)
            continue
        except EptError as exc:
            print(exc.render(), file=sys.stderr)
            count = len(exc.errors)
            print(f"{path}: {count} error{'s' if count != 1 else ''}", file=sys.stderr)
            status = max(status, EXIT_DIAGNOSTICS)
            continue
        for warning in model.warnings:
            print(warning.render(), file=sys.stderr)
        codes = ", ".join(ep.paramcd for ep in model.endpoints)
        note = (
            f", {len(model.warnings)} warning{'s' if len(model.warnings) != 1 else ''}"
            if model.warnings
            else ""
        )
        print(f"{path}: ok ({codes}){note}")
    return status


def _compiled(path: str):
    """The compiled file, or the exit code after printing why there is none."""
    from .api import CompiledFile
    from .diagnostics import EptError

    try:
        return CompiledFile.from_model(_load(path))
    except FileNotFoundError:
        print(f"{path}: no such file", file=sys.stderr)
        return EXIT_DATA
    except EptError as exc:
        print(exc.render(), file=sys.stderr)
        return EXIT_DIAGNOSTICS


def _compile(args) -> int:
    compiled = _compiled(args.file)
    if isinstance(compiled, int):
        return compiled
    source = compiled.source
    if args.target == "sql":
        from .sqlgen import generate_sql

        source = generate_sql(compiled.model).text
    if args.output:
        Path(args.output).write_text(source, encoding="utf-8")
    else:
        sys.stdout.write(source)
    return EXIT_OK


def _run(args) -> int:
    from .datasets import check_output, read_tables, write_tables
    from .diagnostics import DataError

    compiled = _compiled(args.file)
    if isinstance(compiled, int):
        return compiled
    try:
        out = check_output(args.out)
        report = check_output(args.report or out.with_suffix(".report.csv"))
        if report.resolve() == out.resolve():
            raise DataError(f"--out and --report name the same file: {out}")
        summary_path = None
        if any(ep.response is not None for ep in compiled.model.endpoints):
            summary_path = check_output(args.summary or out.with_suffix(".summary.csv"))
        if len({p.resolve() for p in (out, report, summary_path) if p is not None}) < 2 + bool(summary_path):
            raise DataError(f"--out, --report and --summary must name different files: {out}")
        names = [t.name for t in compiled.model.tables]
        # the SQL engine takes Parquet columns as Arrow arrays, without Python objects
        tables = read_tables(args.data, names, encoding=args.encoding, arrow=args.engine == "sql")
        result = compiled.run(tables, engine=args.engine)
        outputs = [(result.adtte, out, "ADTTE"), (result.report, report, "REPORT")]
        if summary_path is not None:
            summary = compiled.summary(result)
            outputs.append((summary, summary_path, "SUMMARY"))
        write_tables(outputs)
    except DataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_DATA
    except OSError as exc:
        print(f"error: {exc.strerror}: {exc.filename}", file=sys.stderr)
        return EXIT_DATA
    if summary_path is not None:
        from .summary import format_summary

        print(format_summary(summary))
        print(f"summary written to {summary_path}", file=sys.stderr)
    n_subjects = result.adtte.USUBJID.nunique()
    print(
        f"{args.out}: {len(result.adtte)} records for {n_subjects} subjects; "
        f"{len(result.excluded)} exclusions and {len(result.findings)} data findings in {report}",
        file=sys.stderr,
    )
    if args.fail_on_findings and len(result.findings):
        return EXIT_FINDINGS
    return EXIT_OK


def entry() -> None:  # console script
    sys.exit(main())


if __name__ == "__main__":
    entry()
