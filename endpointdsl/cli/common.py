"""The command line's shared parts: the exit codes, an error line, and the .ept file and data
folder every command starts from (each failure printed, its exit code returned). cli/__init__.py
lists what each exit code means; the commands are in cli.check, cli.run, cli.review and
cli.testing. Heavy modules are imported inside the functions: a fast start."""

from __future__ import annotations

import sys
from pathlib import Path

EXIT_OK, EXIT_DIAGNOSTICS, EXIT_DATA, EXIT_FINDINGS, EXIT_OUTPUT, EXIT_MEMORY = 0, 1, 2, 3, 4, 5
EXIT_INTERNAL, EXIT_SIGINT, EXIT_PIPE, EXIT_SIGTERM = 70, 130, 141, 143


def error(message: str, code: int) -> int:
    for line in message.splitlines():  # several problems (e.g. missing columns): one line each
        print(f"error: {line}", file=sys.stderr)
    return code


def writing_failed(exc: Exception) -> int:
    """The exit of a run or report that stopped while reading its inputs or writing its
    outputs (a DataError or an OSError; imported here, as the commands do: a fast start)."""
    from ..data.errors import DataError
    from ..data.write import OutputError

    if isinstance(exc, OutputError):
        return error(str(exc), EXIT_OUTPUT)
    if isinstance(exc, DataError):
        return error(str(exc), EXIT_DATA)
    return error(f"{exc.strerror or exc}: {exc.filename}", EXIT_DATA)


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def load_model(path: str):
    """The checked model of a .ept file, or the exit code after printing why there is none."""
    from ..api import check_text, read_source
    from ..language.diagnostics import EptError

    try:
        return check_text(read_source(path), str(path))
    except FileNotFoundError:
        return error(f"{path}: no such file", EXIT_DATA)
    except IsADirectoryError:
        return error(f"{path}: is a folder, not a .ept file", EXIT_DATA)
    except OSError as exc:
        return error(f"{path}: cannot be read ({exc.strerror or exc})", EXIT_DATA)
    except EptError as exc:
        print(exc.render(), file=sys.stderr)
        print(f"{path}: {plural(len(exc.errors), 'error')}", file=sys.stderr)
        return EXIT_DIAGNOSTICS


def load_compiled(path: str):
    """The compiled file, or the exit code after printing why there is none."""
    from ..api import CompiledFile

    model = load_model(path)
    if isinstance(model, int):
        return model
    for warning in model.warnings:  # W102 and the like matter as much when deriving
        print(warning.render(), file=sys.stderr)
    return CompiledFile.from_model(model)


def input_files(folder: str, names: list[str]) -> dict[str, Path]:
    """The file of each table, found as `read_tables` finds it (before anything is read)."""
    from ..data.errors import DataError
    from ..data.read import find_table

    data = Path(folder)
    if not data.is_dir():
        raise DataError(f"data folder {data} does not exist or is not a folder")
    return {name: find_table(data, name) for name in names}
