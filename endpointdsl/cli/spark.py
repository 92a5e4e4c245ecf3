"""The command line's Spark parts (issue 16): `run`'s Spark Connect option and what `run
--engine spark` does before, around and after the run (the refusal of what Spark does not
derive, `--data` as a URI, the Parquet tables Spark reads itself, the manifest's record of
the session, Spark's memory errors). The commands and their exit codes are in the rest of
the cli package; the session's settings (SPARK_REMOTE, ENDPOINTDSL_SPARK_*) are read by the engine
(`engines/spark/run.py`), so that the API's `engine="spark"` honours them too. Nothing here
imports pyspark before a Spark run asks for it."""

from __future__ import annotations

import argparse
from pathlib import Path


def options(p: argparse.ArgumentParser) -> None:
    p.add_argument(  # Spark Connect (issue 16)
        "--spark-remote",
        metavar="URL",
        help="with --engine spark: run on this Spark Connect server (sc://host:port; default: the "
        "SPARK_REMOTE variable, else a local Spark session)",
    )


def prepare(args, model) -> None:
    """Before any output is checked or data read: `--spark-remote` without Spark refused, what
    Spark cannot derive refused (SparkUnsupported, exit 2), the Connect address taken."""
    from ..data.errors import DataError

    if args.spark_remote and args.engine != "spark":  # not silently unused
        raise DataError(f"--spark-remote {args.spark_remote} needs --engine spark")
    if args.engine != "spark":
        return
    from ..engines.spark.run import require, spark_program

    require("sqlglot", "pyspark")
    spark_program(model)
    if args.spark_remote:
        from ..engines.spark.run import use_remote

        use_remote(args.spark_remote)


def remote_data(args):
    """The Spark engine's storage module when --data is a URI (s3://, file://, ...), else
    None; a URI is refused for the other engines, which read local files."""
    from ..data.errors import DataError

    if "://" not in args.data:
        return None
    from ..engines.spark import storage

    if not storage.is_uri(args.data):
        return None
    if args.engine != "spark":
        raise DataError(
            f"--data {args.data}: a URI is read by --engine spark only; copy the files to a folder"
        )
    return storage


def local_files(inputs: dict) -> dict:
    """The inputs that are local files: a file:// URI's file too; remote storage's are none."""
    if all(isinstance(p, Path) for p in inputs.values()):
        return inputs
    from ..engines.spark.storage import local_path

    found = {n: local_path(p) for n, p in inputs.items()}
    return {n: p for n, p in found.items() if p is not None}


def sources(args, model, inputs: dict, columns: dict) -> dict:
    """The Parquet tables Spark reads and prepares itself (none unless --engine spark)."""
    if args.engine != "spark":
        return {}
    from ..engines.spark.files import spark_sources

    return spark_sources(model, inputs, columns)


def run_files(compiled, tables: dict, sources: dict, display):
    from ..engines.spark.files import run_files

    return run_files(compiled, tables, sources, display)


def recorded(args, argv: list[str]) -> list[str]:
    """The command's words for the manifest: a Connect token is no record."""
    if args.engine != "spark":
        return argv
    from ..engines.spark.run import without_secrets

    return without_secrets(argv, args.spark_remote)


def record_session(args, manifest: dict) -> None:
    """The manifest's `spark`: which Spark ran it (Spark Connect and its address, or a master)."""
    if args.engine == "spark":
        from ..engines.spark.run import described

        manifest["spark"] = described()


def memory_message(exc: MemoryError) -> str | None:
    """Spark's out-of-memory or stall message (E384, E385: exit 5), else None (Python's)."""
    kind = type(exc)
    if kind.__module__.endswith("engines.spark.memory"):  # without importing the engine
        return str(exc)
    return None
