"""The command line's argument parser: every command, its options and their help. The options
the Kaplan-Meier and Spark parts share are added by cli.km and cli.spark."""

from __future__ import annotations

import argparse

from ..version import __version__
from . import km as cli_km
from . import spark as cli_spark


def command_parser() -> argparse.ArgumentParser:
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


def _test_parser(sub) -> None:  # test: scenarios and generated properties (issue 15)
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
