"""The command line's Kaplan-Meier parts (issue 15): the options `summary` and `run` share,
the `summary` command's table and outputs, and whether `run` writes the table. The commands
themselves are in cli.review (`summary`, `report`) and cli.run, their exit codes in cli.common."""

from __future__ import annotations

import argparse
from pathlib import Path


def options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--at",
        metavar="TIMES",
        help="times at which to give the survival (or cumulative incidence) estimate, comma "
        "separated, e.g. 12,24; in --unit, by default AVAL's unit (AVALU: days unless the "
        "endpoint says `time in`)",
    )
    p.add_argument("--unit", metavar="UNIT", help="unit of the --at times: days, weeks, months (30.4375 "
                   "days), years (365.25 days), hours or minutes")  # fmt: skip
    p.add_argument(
        "--conf-type",
        choices=["log-log", "log", "plain"],
        default="log-log",
        help="transformation of the pointwise intervals and of the Brookmeyer-Crowley intervals of "
        "the quartiles: log-log (default; SAS PROC LIFETEST's default), log (R survival's default), plain",
    )


def add_parser(sub) -> None:
    p = sub.add_parser(
        "summary",
        help="Kaplan-Meier summary of an ADTTE written by run: counts by CNSR, median and quartiles "
        "with 95%% CIs, estimates at stated times; a KM plot (needs endpointdsl[km])",
    )
    p.add_argument("adtte", metavar="ADTTE", help="the ADTTE: .csv, .parquet, .xpt or .sas7bdat")
    p.add_argument("--by", metavar="VAR", help="a group per value of VAR (e.g. TRT01P), a column of the "
                   "ADTTE (`keep TRT01P from adsl`) or of --adsl")  # fmt: skip
    p.add_argument(
        "--adsl", metavar="FILE", help="subject-level table to read the --by column from (by USUBJID)"
    )
    p.add_argument("--param", action="append", metavar="PARAMCD", help="only this parameter (repeatable)")
    p.add_argument(
        "--competing",
        action="append",
        metavar="PARAMCD=CNSR[,CNSR]",
        help="the CNSR codes of PARAMCD that are competing events (written by `competing ... cnsr N`): "
        "its cumulative incidence (Aalen-Johansen) instead of Kaplan-Meier; repeatable",
    )
    options(p)
    p.add_argument("--out", metavar="FILE", help="also write the summary table: .csv, .parquet or .xpt")
    p.add_argument(
        "--plot", metavar="FILE", help="KM plot, .png or .svg (several parameters: FILE_PARAMCD.png)"
    )
    p.add_argument("--encoding", metavar="NAME", help="text encoding of the input files (see run)")


def at_times(text: str | None) -> list[float]:
    from ..data.errors import DataError

    if not text:
        return []
    try:
        times = [float(t) for t in text.split(",") if t.strip()]
    except ValueError:
        raise DataError(f"--at {text}: give numbers separated by commas, e.g. --at 12,24") from None
    if any(t < 0 or t != t or t in (float("inf"),) for t in times):
        raise DataError(f"--at {text}: times must be finite and not negative")
    return times


def competing_codes(items: list[str] | None) -> dict[str, set[int]]:
    from ..data.errors import DataError

    codes: dict[str, set[int]] = {}
    for item in items or []:
        code, _, values = item.partition("=")
        try:
            numbers = {int(v) for v in values.split(",") if v.strip()}
        except ValueError:
            numbers = set()
        if not code.strip() or not numbers or 0 in numbers:
            raise DataError(f"--competing {item}: give PARAMCD=CNSR[,CNSR] with positive codes, e.g. CIR=2")
        codes.setdefault(code.strip(), set()).update(numbers)
    return codes


def table(args):
    from ..data.errors import DataError
    from ..data.km import summarise_km
    from ..data.read import read_table

    path = Path(args.adtte)
    if not path.is_file():
        raise DataError(f"{path}: no such file" if not path.exists() else f"{path}: is a folder, not a file")
    from ..data.read import READERS

    if path.suffix.lower() not in READERS:
        raise DataError(f"{path}: an ADTTE is read from .csv, .parquet, .xpt or .sas7bdat")
    frame = read_table(path, args.encoding)
    if args.adsl:
        frame = join_adsl(frame, Path(args.adsl), args.by, args.encoding)
    table = summarise_km(
        frame,
        args.by,
        at_times(args.at),
        args.unit,
        args.conf_type,
        0.95,
        competing_codes(args.competing),
        args.param,
    )
    if not len(table):
        raise DataError(f"{path}: no time-to-event parameter (records that all have a CNSR)")
    return table, frame


def join_adsl(frame, adsl_path: Path, by: str | None, encoding: str | None):
    """The --by column from the subject table, by USUBJID (every subject of the ADTTE must be there)."""
    from ..data.errors import DataError
    from ..data.read import read_table

    if by is None:
        raise DataError("--adsl is read for the --by column: give --by VAR too")
    if not adsl_path.is_file():
        raise DataError(f"{adsl_path}: no such file")
    adsl = read_table(adsl_path, encoding)
    missing = [c for c in ("USUBJID", by) if c not in adsl.columns]
    if missing:
        raise DataError(f"{adsl_path} has no column {', '.join(missing)}")
    if by in frame.columns:
        raise DataError(f"the ADTTE has a column {by} already: leave out --adsl")
    if adsl.USUBJID.duplicated().any():
        raise DataError(f"{adsl_path}: USUBJID is not unique; a subject-level table has one row per subject")
    values = dict(zip(adsl.USUBJID.astype(str), adsl[by], strict=True))
    absent = sorted(set(frame.USUBJID.astype(str)) - set(values))
    if absent:
        raise DataError(
            f"{adsl_path} has no row for {len(absent)} subject(s) of the ADTTE, e.g. {', '.join(absent[:5])}"
        )
    return frame.assign(**{by: frame.USUBJID.astype(str).map(values)})


def write_outputs(args, table, frame, outputs, plots) -> None:
    from ..data.kmplot import plot_km
    from ..data.writeset import OutputSet, refuse_overlaps

    sources = [(Path(args.adtte), "the ADTTE")] + ([(Path(args.adsl), "--adsl")] if args.adsl else [])
    refuse_overlaps(outputs, sources)
    competing = competing_codes(args.competing)
    with OutputSet() as files:
        for path, option in outputs:
            files.add(path, option)
        if args.out:
            files.write(outputs[0][0], table, "KM")
        for code, path in plots.items():
            files.write(path, (frame, code, args.by, competing.get(code)), writer=plot_writer(plot_km))
        files.commit()


def plot_writer(plot_km):
    def write(data, target: Path, dataset: str = "") -> None:
        frame, code, by, competing = data
        plot_km(frame, code, target, by, competing)

    return write


def wanted_by_run(args, model) -> bool | None:
    """km (issue 15): True when run writes and prints the Kaplan-Meier summary (the file has
    time-to-event endpoints and lifelines is installed), None when only lifelines is missing."""
    import importlib.util

    if args.by is not None:  # before the run: an empty or outcome column is refused at once
        from ..data.km import refuse_outcome_by

        refuse_outcome_by(args.by)
    asked = f"--km {args.km}" if args.km else f"--by {args.by}" if args.by else None
    if not any(ep.kind == "tte" for ep in model.endpoints):
        if asked:
            from ..data.errors import DataError

            raise DataError(f"{asked}: {model.file_name} has no time-to-event endpoint")
        return False
    if importlib.util.find_spec("lifelines") is None:
        if asked:
            from ..data.km import require

            require("lifelines")
        return None
    return True


def run_table(args, compiled, result, tables):
    """The Kaplan-Meier table of `run`; `--by VAR`: per value of VAR, from the output (`keep`) or
    the subject table (data.bygroup)."""
    from ..data.bygroup import with_group
    from ..data.tables import RunResult

    options = {"at": at_times(args.at), "unit": args.unit, "conf_type": args.conf_type}
    if not args.by:
        return compiled.km_summary(result, **options)
    subject = compiled.model.subject_table
    adtte = with_group(result.adtte, tables[subject.name], subject.key, subject.name, args.by)
    return compiled.km_summary(RunResult(adtte, result.report), by=args.by, **options)
