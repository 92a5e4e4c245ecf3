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

This module is the package's face: `main` (the dispatch, and the exit code of each failure a
command does not handle itself) and `entry` (the console script: signals, the last resort).
The parser is in cli.parser; the commands in cli.check (check, compile, fmt), cli.run (run),
cli.review (explain, trace, report, summary) and cli.testing (test); what they share in
cli.common.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys

from . import spark as cli_spark
from .check import check_command as _check
from .check import compile_command as _compile
from .check import fmt_command as _fmt
from .common import EXIT_INTERNAL, EXIT_MEMORY, EXIT_PIPE, EXIT_SIGINT, EXIT_SIGTERM, error
from .parser import command_parser
from .review import explain_command as _explain
from .review import report_command as _report
from .review import summary_command as _summary
from .review import trace_command as _trace
from .run import run_command as _run
from .testing import test_command as _test

_MEMORY_HINT = "every input table and result is held in memory: free memory or use a machine with more"


class Terminated(BaseException):
    """SIGTERM, raised like Ctrl-C's KeyboardInterrupt so that cleanup code runs."""


def main(argv: list[str] | None = None) -> int:
    args = command_parser().parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)
    try:
        # looked up at each call, from this module: a test may replace one (cli._run)
        commands = {"check": _check, "compile": _compile, "fmt": _fmt, "run": _run, "summary": _summary,
                    "explain": _explain, "trace": _trace, "report": _report, "test": _test}  # fmt: skip
        return commands[args.command](args)
    except BrokenPipeError:  # the reader of stdout (`| head`) stopped reading: nothing to report
        with contextlib.suppress(Exception):  # and nothing more to flush at exit
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_PIPE
    except KeyboardInterrupt:
        return error("interrupted (SIGINT); temporary files removed", EXIT_SIGINT)
    except Terminated:
        return error("terminated (SIGTERM); temporary files removed", EXIT_SIGTERM)
    except MemoryError as exc:  # Spark's (issue 16) says what ran out and what to set
        message = cli_spark.memory_message(exc) or f"not enough memory (Python ran out); {_MEMORY_HINT}"
        return error(message, EXIT_MEMORY)
    except Exception as exc:
        if _duckdb_interrupted(exc):  # DuckDB turns a signal during a query into its own error
            if _received[-1:] == [signal.SIGTERM]:
                return error("terminated (SIGTERM); temporary files removed", EXIT_SIGTERM)
            return error("interrupted (SIGINT); temporary files removed", EXIT_SIGINT)
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
        return error(f"not enough memory for DuckDB ({reason}); {hint}", EXIT_MEMORY)


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
