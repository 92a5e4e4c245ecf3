"""Command line: `endpointdsl check | compile | run`, with one exit code per kind of failure.

Exit codes (docs/errors.md lists every case with its message):
  0  done
  1  the .ept file has errors (every diagnostic is printed)
  2  an input cannot be used: a data file or column, the command line, a .ept file that
     cannot be read; nothing is written
  3  `run --fail-on-findings`: the outputs are written, and the report has data findings
  4  an output cannot be written (it would replace an input or another output, its folder
     cannot be created or written, the format cannot hold a value); nothing is written
  5  not enough memory
  70 an internal error: please report it
  130 interrupted (SIGINT, Ctrl-C); 143 terminated (SIGTERM); temporary files are removed
  141 the reader of the standard output stopped reading (e.g. `endpointdsl compile F | head`)
Heavy modules are imported only by the command that needs them.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
from pathlib import Path

from . import cli_km, cli_spark
from .version import __version__

EXIT_OK, EXIT_DIAGNOSTICS, EXIT_DATA, EXIT_FINDINGS, EXIT_OUTPUT, EXIT_MEMORY = 0, 1, 2, 3, 4, 5
EXIT_INTERNAL, EXIT_SIGINT, EXIT_PIPE, EXIT_SIGTERM = 70, 130, 141, 143
_MEMORY_HINT = "every input table and result is held in memory: free memory or use a machine with more"


class Terminated(BaseException):
    """SIGTERM, raised like Ctrl-C's KeyboardInterrupt so that cleanup code runs."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="endpointdsl",
        description="Check, compile and run clinical-trial endpoint definitions (.ept files).",
        epilog="Exit codes: 0 done, 1 .ept errors, 2 unusable input, 3 findings (--fail-on-findings), "
        "4 output not writable, 5 out of memory, 70 internal error, 130/143 interrupted, "
        "141 standard output closed.",
    )
    parser.add_argument("--version", action="version", version=f"endpointdsl {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    p_check = sub.add_parser("check", help="check .ept files (and, with --data, the tables) without deriving")
    p_check.add_argument("files", nargs="+", metavar="FILE")
    p_check.add_argument(
        "--data",
        metavar="DIR",
        help="also check that DIR has a file for every table, with every column used, of a usable type "
        "(reads file headers and a sample, derives nothing)",
    )
    p_check.add_argument("--encoding", metavar="NAME", help="text encoding of the input files (see run)")
    p_compile = sub.add_parser(
        "compile", help="compile a .ept file to a standalone Python module, or to SQL (--target sql)"
    )
    p_compile.add_argument("file", metavar="FILE")
    p_compile.add_argument("-o", "--output", metavar="OUTPUT", help="default: print to stdout")
    p_compile.add_argument(
        "--target",
        choices=["python", "sql", "spark"],
        default="python",
        help="python: a module of per-subject functions (default); sql: the set-based SQL script "
        "that `run` executes in DuckDB, with -- file:line comments; spark: that script in Spark SQL "
        "(needs endpointdsl[spark])",
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
        help="ADTTE to write: .csv, .parquet or .xpt (SAS transport v5); OUT.manifest.json is "
        "written beside it last, listing the run's inputs and outputs with their sha256",
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
        ".parquet or .xpt (n and N are COUNT and DENOM there) (default: OUT.summary.csv, when the "
        "file has such endpoints)",
    )
    p_run.add_argument(  # km (issue 15)
        "--km",
        metavar="KM",
        help="Kaplan-Meier summary of the time-to-event parameters (see `summary`): .csv, .parquet or "
        ".xpt (default: OUT.km.csv, when the file has such endpoints and endpointdsl[km] is installed)",
    )
    cli_km.options(p_run)
    p_run.add_argument("--by", metavar="VAR", help="the Kaplan-Meier summary per value of VAR (e.g. TRT01P): "
                       "a column the output keeps, or of the subject table")  # fmt: skip
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
        choices=["sql", "compiled", "interpreter", "spark"],
        default="sql",
        help="sql: set-based, whole tables in DuckDB (default); compiled: the per-subject Python "
        "functions; interpreter: the reference interpreter (slow; for double programming); spark: "
        "the SQL script on pyspark (needs endpointdsl[spark] and Java 17+; docs/backends.md)",
    )
    cli_spark.options(p_run)  # Spark Connect (issue 16)
    p_run.add_argument(  # progress (issue 16)
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="show the stage a run is in on standard error once it has taken 2 s (default: only "
        "when standard error is a terminal)",
    )
    p_run.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="no progress display and no closing lines on standard error (errors and warnings stay)",
    )
    cli_km.add_parser(sub)  # km (issue 15)
    p_fmt = sub.add_parser(  # fmt (issue 15)
        "fmt", help="rewrite .ept files in the canonical layout, comments kept (--check: only tell)"
    )
    p_fmt.add_argument("files", nargs="+", metavar="FILE")
    p_fmt.add_argument(
        "--check",
        action="store_true",
        help="change nothing; list the files that would change and exit with 1 if there are any",
    )
    p_report = sub.add_parser(  # report (issue 15)
        "report",
        help="one self-contained HTML page of a run for a reviewer: files and their SHA-256, each "
        "endpoint's explanation, Kaplan-Meier summaries and plots, rates, exclusions and findings",
    )
    p_report.add_argument("file", metavar="FILE")
    p_report.add_argument(
        "--data", required=True, metavar="DIR", help="folder with one file per table (see run)"
    )
    p_report.add_argument("--out", required=True, metavar="REPORT", help="the page to write: .html")
    p_report.add_argument("--by", metavar="VAR", help="Kaplan-Meier summaries and curves per value of VAR "
                          "(e.g. TRT01P): a column the output keeps, or of the subject table")  # fmt: skip
    cli_km.options(p_report)
    p_report.add_argument("--engine", choices=["sql", "compiled", "interpreter"], default="sql",
                          help="the engine that derives the records (see run)")  # fmt: skip
    p_report.add_argument("--encoding", metavar="NAME", help="text encoding of the input files (see run)")
    # explain and trace (issue 15)
    p_explain = sub.add_parser(
        "explain", help="what each endpoint does, in SAP words, with its outcome (censoring) table"
    )
    p_explain.add_argument("file", metavar="FILE")
    p_explain.add_argument("endpoint", nargs="?", metavar="ENDPOINT", help="only this endpoint (PARAMCD)")
    p_explain.add_argument(
        "--format", choices=["md", "html"], default="md", help="Markdown (default) or HTML"
    )
    p_trace = sub.add_parser(
        "trace", help="why one subject got its record: rows read, ignored, the deciding rule"
    )
    p_trace.add_argument("file", metavar="FILE")
    p_trace.add_argument(
        "--data", required=True, metavar="DIR", help="folder with one file per table (see run)"
    )
    p_trace.add_argument("--subject", required=True, metavar="ID", help="the subject's key (USUBJID)")
    p_trace.add_argument("--endpoint", metavar="P", help="only this endpoint (PARAMCD)")
    p_trace.add_argument("--encoding", metavar="NAME", help="text encoding of the input files (see run)")
    _test_parser(sub)  # test (issue 15)
    return parser


# ---- test: scenarios and generated properties (issue 15) -----------------------------------------

EXIT_TEST_FAILED, EXIT_TEST_UNUSABLE = 1, 2  # `test` exits as pytest does: 1 a failure, 2 a bad file


def _test_parser(sub) -> None:
    p = sub.add_parser(
        "test",
        help="run the scenarios beside each .ept file (FILE.scenarios) on the three engines, then the "
        "generated properties of each endpoint; exit 0 all pass, 1 a failure, 2 a bad .ept or scenario file",
    )
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument(
        "--scenarios", metavar="F", help="the scenario file (default: FILE.scenarios; one FILE only)"
    )
    p.add_argument("--no-properties", action="store_true", help="run the scenarios only")
    p.add_argument(
        "--examples", type=int, default=50, metavar="N", help="histories generated per property (default 50)"
    )
    p.add_argument(
        "--seed",
        type=int,
        default=0,
        metavar="S",
        help="seed of the generated histories (default 0: the same every run)",
    )


def _test(args) -> int:
    from .api import scenario_path, test_file
    from .language.diagnostics import EptError
    from .testing.results import TestReport, render_file, render_total

    if args.scenarios is not None and len(args.files) > 1:
        return _error("--scenarios is the scenario file of one .ept file: give one FILE", EXIT_TEST_UNUSABLE)
    if args.examples < 1:
        return _error(f"--examples must be 1 or more, not {args.examples}", EXIT_TEST_UNUSABLE)
    if args.scenarios is not None and Path(args.scenarios).suffix.lower() == ".ept":
        return _error(f"--scenarios {args.scenarios}: a .ept file; give its scenario file (NAME.scenarios)",
                      EXIT_TEST_UNUSABLE)  # fmt: skip
    status, files = EXIT_OK, []
    for path in args.files:
        if Path(path).suffix.lower() == ".scenarios":  # read as a .ept, its every line an E003
            status = _error(f"{path} is a scenario file: give its .ept file, as in `endpointdsl test "
                            f"{Path(path).with_suffix('.ept')}`, which reads the scenarios beside it",
                            EXIT_TEST_UNUSABLE)  # fmt: skip
            continue
        try:
            report = test_file(path, args.scenarios, not args.no_properties, args.examples, args.seed)
        except EptError as exc:
            print(exc.render(), file=sys.stderr)
            where = exc.diagnostics[0].span.file if exc.diagnostics else path
            print(f"{where}: {_plural(len(exc.errors), 'error')}", file=sys.stderr)
            status = EXIT_TEST_UNUSABLE
            continue
        except IsADirectoryError as exc:
            status = _error(f"{exc.filename or path}: is a folder, not a file", EXIT_TEST_UNUSABLE)
            continue
        except FileNotFoundError as exc:
            status = _error(
                f"{exc.filename or exc}: no such file" if exc.filename else str(exc), EXIT_TEST_UNUSABLE
            )
            continue
        except OSError as exc:
            status = _error(
                f"{exc.filename or path}: cannot be read ({exc.strerror or exc})", EXIT_TEST_UNUSABLE
            )
            continue
        if report.files[0].scenario_file is None and args.no_properties:  # nothing would be tested
            status = _error(f"{path}: nothing to test: no scenario file {scenario_path(path)} (and --no-properties)",
                            EXIT_TEST_UNUSABLE)  # fmt: skip
            continue
        sys.stdout.write(render_file(report.files[0]))
        sys.stdout.flush()
        files += report.files
    total = TestReport(tuple(files))
    if files:
        sys.stdout.write(render_total(total))
    if status == EXIT_OK and not total.ok:
        status = EXIT_TEST_FAILED
    return status


# ---- km: Kaplan-Meier results (issue 15; the parts in cli_km.py) ---------------------------------


def _summary(args) -> int:
    from .data.errors import DataError
    from .data.write import OutputError, check_output

    try:
        table, frame = cli_km.table(args)
        from .data.km import format_km

        outputs = []
        if args.out:
            outputs.append((check_output(args.out), "--out"))
        plots = {}
        if args.plot:
            from .data.km import tte_parameters
            from .data.kmplot import plot_paths

            codes = [c for c in tte_parameters(frame) if not args.param or c in args.param]
            plots = plot_paths(Path(args.plot), codes)
            outputs += [(path, "--plot") for path in plots.values()]
        if outputs:
            cli_km.write_outputs(args, table, frame, outputs, plots)
    except OutputError as exc:
        return _error(str(exc), EXIT_OUTPUT)
    except DataError as exc:
        return _error(str(exc), EXIT_DATA)
    print(format_km(table, args.by))
    for path, option in outputs:
        print(f"{option}: {path} written", file=sys.stderr)
    return EXIT_OK


def _fmt(args) -> int:
    """fmt (issue 15): each file in the canonical layout (language/layout.py)."""
    from .api import format_source, read_source
    from .language.diagnostics import EptError

    status, changed = EXIT_OK, []
    for path in args.files:
        try:
            text = read_source(path)
            formatted = format_source(text, str(path))
        except FileNotFoundError:
            status = max(status, _error(f"{path}: no such file", EXIT_DATA))
            continue
        except IsADirectoryError:
            status = max(status, _error(f"{path}: is a folder, not a .ept file", EXIT_DATA))
            continue
        except OSError as exc:
            status = max(status, _error(f"{path}: cannot be read ({exc.strerror or exc})", EXIT_DATA))
            continue
        except EptError as exc:
            print(exc.render(), file=sys.stderr)
            print(f"{path}: {_plural(len(exc.errors), 'error')}; not formatted", file=sys.stderr)
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
            status = max(status, _error(f"cannot write {path}: {exc.strerror or exc}", EXIT_OUTPUT))
            continue
        print(f"reformatted {path}", file=sys.stderr)
    if args.check and changed:
        status = max(status, EXIT_DIAGNOSTICS)
    kept = len(args.files) - len(changed)
    verb = "would be reformatted" if args.check else "reformatted"
    print(f"{_plural(len(changed), 'file')} {verb}, {kept} unchanged", file=sys.stderr)
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


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)
    try:
        commands = {"check": _check, "compile": _compile, "run": _run, "summary": _summary, "fmt": _fmt}  # km
        commands.update({"explain": _explain, "trace": _trace})  # explain and trace (issue 15)
        commands["report"] = _report  # report (issue 15)
        commands["test"] = _test  # test (issue 15)
        return commands[args.command](args)
    except BrokenPipeError:  # the reader of stdout (`| head`) stopped reading: nothing to report
        with contextlib.suppress(Exception):  # and nothing more to flush at exit
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_PIPE
    except KeyboardInterrupt:
        return _error("interrupted (SIGINT); temporary files removed", EXIT_SIGINT)
    except Terminated:
        return _error("terminated (SIGTERM); temporary files removed", EXIT_SIGTERM)
    except MemoryError as exc:  # Spark's (issue 16) says what ran out and what to set
        message = cli_spark.memory_message(exc) or f"not enough memory (Python ran out); {_MEMORY_HINT}"
        return _error(message, EXIT_MEMORY)
    except Exception as exc:
        if _duckdb_interrupted(exc):  # DuckDB turns a signal during a query into its own error
            if _received[-1:] == [signal.SIGTERM]:
                return _error("terminated (SIGTERM); temporary files removed", EXIT_SIGTERM)
            return _error("interrupted (SIGINT); temporary files removed", EXIT_SIGINT)
        if type(exc).__name__ != "OutOfMemoryException":  # DuckDB's, without importing DuckDB
            raise
        reason = str(exc).strip().splitlines()[0]
        limit = os.environ.get("ENDPOINTDSL_MEMORY_LIMIT")
        hint = (
            f"ENDPOINTDSL_MEMORY_LIMIT={limit} is too small for these data: raise it, or unset it for "
            "the default (half of the memory)"
            if limit
            else _MEMORY_HINT
        )
        return _error(f"not enough memory for DuckDB ({reason}); {hint}", EXIT_MEMORY)


def _error(message: str, code: int) -> int:
    for line in message.splitlines():  # several problems (e.g. missing columns): one line each
        print(f"error: {line}", file=sys.stderr)
    return code


def _writing_failed(exc: Exception) -> int:
    """The exit of a run or report that stopped while reading its inputs or writing its
    outputs (a DataError or an OSError; imported here, as the commands do: a fast start)."""
    from .data.errors import DataError
    from .data.write import OutputError

    if isinstance(exc, OutputError):
        return _error(str(exc), EXIT_OUTPUT)
    if isinstance(exc, DataError):
        return _error(str(exc), EXIT_DATA)
    return _error(f"{exc.strerror or exc}: {exc.filename}", EXIT_DATA)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _load(path: str):
    """The checked model of a .ept file, or the exit code after printing why there is none."""
    from .api import check_text, read_source
    from .language.diagnostics import EptError

    try:
        return check_text(read_source(path), str(path))
    except FileNotFoundError:
        return _error(f"{path}: no such file", EXIT_DATA)
    except IsADirectoryError:
        return _error(f"{path}: is a folder, not a .ept file", EXIT_DATA)
    except OSError as exc:
        return _error(f"{path}: cannot be read ({exc.strerror or exc})", EXIT_DATA)
    except EptError as exc:
        print(exc.render(), file=sys.stderr)
        print(f"{path}: {_plural(len(exc.errors), 'error')}", file=sys.stderr)
        return EXIT_DIAGNOSTICS


def _check(args) -> int:
    from .data.errors import DataError

    status = EXIT_OK
    for path in args.files:
        model = _load(path)
        if isinstance(model, int):
            status = max(status, model)
            continue
        for warning in model.warnings:
            print(warning.render(), file=sys.stderr)
        codes = ", ".join(ep.paramcd for ep in model.endpoints)
        note = f", {_plural(len(model.warnings), 'warning')}" if model.warnings else ""
        print(f"{path}: ok ({codes}){note}")
        if args.data is None:
            continue
        from .datacheck import check_data

        try:
            problems, checked = check_data(model, args.data, args.encoding)
        except DataError as exc:
            problems, checked = [str(exc)], 0
        for problem in problems:
            print(f"error: {problem}", file=sys.stderr)
        if problems:
            status = max(status, EXIT_DATA)
        else:
            print(f"{args.data}: ok ({_plural(checked, 'column')} of {_plural(len(model.tables), 'table')})")
    return status


def _compiled(path: str):
    """The compiled file, or the exit code after printing why there is none."""
    from .api import CompiledFile

    model = _load(path)
    if isinstance(model, int):
        return model
    for warning in model.warnings:  # W102 and the like matter as much when deriving
        print(warning.render(), file=sys.stderr)
    return CompiledFile.from_model(model)


def _compile(args) -> int:
    compiled = _compiled(args.file)
    if isinstance(compiled, int):
        return compiled
    source = compiled.source
    if args.target == "sql":
        from .engines.sql.generate import generate_sql

        source = generate_sql(compiled.model).text
    if args.target == "spark":  # issue 16: the same script in Spark SQL, or why not (exit 2)
        from .engines.spark.run import SparkUnsupported, spark_program
        from .engines.spark.translate import spark_script

        try:
            source = spark_script(spark_program(compiled.model)[1])
        except SparkUnsupported as exc:
            return _error(str(exc), EXIT_DATA)
    if not args.output:
        sys.stdout.write(source)
        return EXIT_OK
    from .data.write import OutputError, write_text
    from .data.writeset import OutputSet, refuse_overlaps

    target = Path(args.output)
    try:
        refuse_overlaps([(target, "-o")], [(Path(args.file), "the .ept file being compiled")])
        with OutputSet() as files:
            files.add(target, "-o")
            files.write(target, source, writer=write_text)
            files.commit()
    except OutputError as exc:
        return _error(str(exc), EXIT_OUTPUT)
    return EXIT_OK


def _input_files(folder: str, names: list[str]) -> dict[str, Path]:
    """The file of each table, found as `read_tables` finds it (before anything is read)."""
    from .data.errors import DataError
    from .data.read import find_table

    data = Path(folder)
    if not data.is_dir():
        raise DataError(f"data folder {data} does not exist or is not a folder")
    return {name: find_table(data, name) for name in names}


def _run(args) -> int:
    from .api import value_parameters  # value endpoints (issue 14)
    from .check.projection import run_columns
    from .data.errors import DataError
    from .data.manifest import run_manifest
    from .data.read import read_tables
    from .data.write import check_output
    from .data.writeset import OutputSet, manifest_path, not_a_folder, pause, refuse_overlaps
    from .progress import display_for, stage  # progress (issue 16)

    compiled = _compiled(args.file)
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
            inputs = _input_files(args.data, [t.name for t in model.tables])
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
        return _writing_failed(exc)
    report = outputs[1][0]
    if summary is not None:
        from .data.summary import format_summary

        print(format_summary(summary))
        for line in _cutoff_lines(model):  # bor (issue 19): which progression cut-off applied
            print(line)
        _say(args, f"summary written to {outputs[2][0]}")
    if km_table is not None and len(km_table):  # km (issue 15)
        from .data.km import format_km

        print(format_km(km_table, args.by))
        _say(args, f"Kaplan-Meier summary written to {outputs[-1][0]}")
    elif km is None:
        print("note: no Kaplan-Meier summary: lifelines is not installed; "
              'pip install "endpointdsl[km]"', file=sys.stderr)  # fmt: skip
    if values is not None:  # value endpoints (issue 14)
        from .data.value_summary import format_value_summary

        print(format_value_summary(values))
        _say(args, f"value summary written to {values_out[0]}")
    for line in _group_lines(compiled.model, result):  # groups (issue 13)
        _say(args, line)
    for line in _empty_event_lines(result.report):  # bor (issue 19): no silent empty events
        print(line, file=sys.stderr)
    records, subjects = result.counts()  # issue 16: Arrow records not made a pandas frame for this
    _say(
        args,
        f"{args.out}: {_plural(records, 'record')} for "
        f"{_plural(subjects, 'subject')}; {_plural(len(result.excluded), 'exclusion')} "
        f"and {_plural(len(result.findings), 'data finding')} in {report}",
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
    from .data.emptyevents import PREFIX

    mine = report[report.MESSAGE.str.startswith(PREFIX, na=False) & report.USUBJID.isna()]
    return [f"{status}: {message}" for status, message in zip(mine.STATUS, mine.MESSAGE, strict=True)]


# ---- explain and trace (issue 15) ------------------------------------------------------------


def _explain(args) -> int:
    from .api import TraceError, explain

    model = _load(args.file)
    if isinstance(model, int):
        return model
    try:
        sys.stdout.write(explain(model, args.endpoint, args.format))
    except TraceError as exc:
        return _error(str(exc), EXIT_DATA)
    return EXIT_OK


def _trace(args) -> int:
    from .api import TraceError, trace
    from .data.errors import DataError
    from .engines.reference.trace import text

    model = _load(args.file)
    if isinstance(model, int):
        return model
    try:
        _input_files(args.data, [t.name for t in model.tables])
        traces = trace(model, args.data, args.subject, args.endpoint, args.encoding)
    except (TraceError, DataError) as exc:
        return _error(str(exc), EXIT_DATA)
    except OSError as exc:
        return _error(f"{exc.strerror or exc}: {exc.filename}", EXIT_DATA)
    if not traces:
        return _error(
            f"subject {args.subject}: no parameter of endpoint {args.endpoint} (its event selects no row)",
            EXIT_DATA,
        )
    sys.stdout.write("\n".join(text(t) for t in traces))
    return EXIT_OK


# ---- report (issue 15) ------------------------------------------------------------------------


def _report(args) -> int:
    from .api import report
    from .data.errors import DataError
    from .data.write import write_text
    from .data.writeset import OutputSet, refuse_overlaps

    model = _load(args.file)  # the .ept file's errors as `check` prints them (exit 1)
    if isinstance(model, int):
        return model
    for warning in model.warnings:
        print(warning.render(), file=sys.stderr)
    out = Path(args.out)
    try:
        if out.suffix.lower() not in (".html", ".htm"):
            raise DataError(f"--out {out}: the report is an HTML page: name it .html")
        inputs = _input_files(args.data, [t.name for t in model.tables])
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
        return _writing_failed(exc)
    for line in page.warnings:
        print(line, file=sys.stderr)
    print(f"{out}: report written", file=sys.stderr)
    return EXIT_OK


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
                     f"{_plural(len(pairs), 'parameter')}")  # fmt: skip
        lines += [f"  {code}  {param[len(ep.param) + 2 :]}" for code, param in pairs]
    return lines


def _refuse_table_names(outputs: list[tuple[Path, str]], data: Path, tables: list[str]) -> None:
    """An output in the data folder named as a table's file (`--report data/adsl.xpt` beside
    adsl.csv) would make the next run find two files for that table, or read it as one."""
    from .data.read import READERS
    from .data.write import OutputError

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


_received: list[int] = []  # the signals handled, so that DuckDB's "Query interrupted" is told apart


def _duckdb_interrupted(exc: Exception) -> bool:
    return type(exc).__name__ == "InterruptException" or (
        type(exc) is RuntimeError and str(exc) == "Query interrupted"
    )


def _terminate(signum, frame) -> None:
    _received.append(signum)
    raise Terminated()


def _interrupt(signum, frame) -> None:
    _received.append(signum)
    raise KeyboardInterrupt()


def entry() -> None:  # console script
    """main(), with SIGTERM cleaned up like Ctrl-C and a last resort against tracebacks."""
    signal.signal(signal.SIGTERM, _terminate)
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:  # not when started ignoring it
        signal.signal(signal.SIGINT, _interrupt)
    try:
        code = main()
    except Exception as exc:  # every known failure has its own message and code above
        if os.environ.get("ENDPOINTDSL_DEBUG"):
            raise
        try:
            text = str(exc).strip()
        except Exception:  # an error whose text cannot be had (py4j's, of a JVM that died)
            text = ""
        reason = text.splitlines()[0] if text else ""
        print(
            f"error: internal error ({type(exc).__name__}{': ' + reason if reason else ''}); please "
            "report it, with the command and the traceback that ENDPOINTDSL_DEBUG=1 shows",
            file=sys.stderr,
        )
        code = EXIT_INTERNAL
    sys.exit(code)


if __name__ == "__main__":
    entry()
