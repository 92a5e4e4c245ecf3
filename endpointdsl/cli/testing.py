"""The command line's `test` (issue 15): the scenarios beside each .ept file on the three
engines, then the generated properties of each endpoint."""

from __future__ import annotations

import sys
from pathlib import Path

from .common import EXIT_OK, error, plural

EXIT_TEST_FAILED, EXIT_TEST_UNUSABLE = 1, 2  # `test` exits as pytest does: 1 a failure, 2 a bad file


def test_command(args) -> int:
    from ..api import scenario_path, test_file
    from ..language.diagnostics import EptError
    from ..testing.results import TestReport, render_file, render_total

    if args.scenarios is not None and len(args.files) > 1:
        return error("--scenarios is the scenario file of one .ept file: give one FILE", EXIT_TEST_UNUSABLE)
    if args.examples < 1:
        return error(f"--examples must be 1 or more, not {args.examples}", EXIT_TEST_UNUSABLE)
    if args.scenarios is not None and Path(args.scenarios).suffix.lower() == ".ept":
        return error(f"--scenarios {args.scenarios}: a .ept file; give its scenario file (NAME.scenarios)",
                      EXIT_TEST_UNUSABLE)  # fmt: skip
    status, files = EXIT_OK, []
    for path in args.files:
        if Path(path).suffix.lower() == ".scenarios":  # read as a .ept, its every line an E003
            status = error(f"{path} is a scenario file: give its .ept file, as in `endpointdsl test "
                            f"{Path(path).with_suffix('.ept')}`, which reads the scenarios beside it",
                            EXIT_TEST_UNUSABLE)  # fmt: skip
            continue
        try:
            report = test_file(path, args.scenarios, not args.no_properties, args.examples, args.seed)
        except EptError as exc:
            print(exc.render(), file=sys.stderr)
            where = exc.diagnostics[0].span.file if exc.diagnostics else path
            print(f"{where}: {plural(len(exc.errors), 'error')}", file=sys.stderr)
            status = EXIT_TEST_UNUSABLE
            continue
        except IsADirectoryError as exc:
            status = error(f"{exc.filename or path}: is a folder, not a file", EXIT_TEST_UNUSABLE)
            continue
        except FileNotFoundError as exc:
            status = error(
                f"{exc.filename or exc}: no such file" if exc.filename else str(exc), EXIT_TEST_UNUSABLE
            )
            continue
        except OSError as exc:
            status = error(
                f"{exc.filename or path}: cannot be read ({exc.strerror or exc})", EXIT_TEST_UNUSABLE
            )
            continue
        if report.files[0].scenario_file is None and args.no_properties:  # nothing would be tested
            status = error(f"{path}: nothing to test: no scenario file {scenario_path(path)} (and --no-properties)",
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
