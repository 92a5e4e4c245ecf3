"""Spark engine, the executors' endpointdsl (issue 16): checked before they run any of it.

The executors' Python workers read and prepare the Parquet inputs with their own copy of
endpointdsl (`inputs.py`: `prepare_table`, the survey). On a cluster or a Spark Connect
server that copy is whatever the server's Python has: missing, a task fails with a
`ModuleNotFoundError` deep in a worker's traceback; another version could prepare the
inputs differently from this command's script. So before the first job that runs our code,
one tiny task reports the workers' `endpointdsl.__version__` and Python version, and a
missing package (E386) or another version (E387) stops the run with both versions named.

The task's function is compiled here from source, in a module of its own name that no
worker can import: cloudpickle then ships it by value (a function of endpointdsl would be
shipped by reference, and fail to unpickle exactly where endpointdsl is missing).
"""

from __future__ import annotations

import importlib
import platform
import warnings

from ...data.errors import DataError

_SOURCE = """
def probe(package):
    def task(batches):
        import importlib
        import platform

        import pyarrow as pa

        for _ in batches:
            pass
        try:
            version = str(importlib.import_module(package).__version__)
        except Exception:  # missing, or broken: either way not usable
            version = None
        yield pa.RecordBatch.from_arrays(
            [pa.array([version], pa.string()), pa.array([platform.python_version()], pa.string())],
            ["version", "python"],
        )

    return task
"""
PACKAGE = "endpointdsl"


def _task(package: str):
    space = {"__name__": "endpointdsl_worker_probe"}  # not importable: pickled by value
    exec(compile(_SOURCE, "<endpointdsl worker probe>", "exec"), space)  # our own source, above
    return space["probe"](package)


def reported(spark, package: str = PACKAGE) -> tuple[str | None, str]:
    """(the package's version on an executor, or None where it is missing; its Python)."""
    with warnings.catch_warnings():  # pyspark's notice about pandas 3: the task hands it Arrow
        warnings.simplefilter("ignore", FutureWarning)
        frame = spark.range(0, 1, 1, 1).mapInArrow(_task(package), "version string, python string")
    try:
        table = frame.toArrow()
    except Exception as exc:  # the task could not run at all: a worker's Python, pyarrow
        text = next((line.strip() for line in str(exc).splitlines() if line.strip()), type(exc).__name__)
        raise DataError(
            f"E386 Spark's executors cannot run endpointdsl's check task ({text[:300]}); they need "
            f"Python {platform.python_version()} with pyarrow and endpointdsl {_version(package)}: "
            f"pip install 'endpointdsl=={_version(package)}' on every executor"
        ) from None
    return table["version"][0].as_py(), table["python"][0].as_py()


def check(spark, package: str = PACKAGE) -> None:
    """E386 if the executors' Python lacks endpointdsl, E387 if it has another version."""
    version, python = reported(spark, package)
    expected, here = _version(package), platform.python_version()
    install = (
        f"pip install 'endpointdsl=={expected}' in the executors' Python (on Spark Connect: the "
        "server's; PYSPARK_PYTHON or spark.pyspark.python name it)"
    )
    if version is None:
        raise DataError(
            f"E386 Spark's executors (Python {python}) have no {package}: they read and prepare the "
            f"Parquet inputs with it; this command runs {package} {expected} (Python {here}): {install}"
        )
    if version != expected:
        raise DataError(
            f"E387 Spark's executors run {package} {version} (Python {python}), this command "
            f"{package} {expected} (Python {here}): the executors prepare the inputs, so the "
            f"versions must be the same; {install}"
        )


def _version(package: str) -> str:
    try:
        return str(importlib.import_module(package).__version__)
    except Exception:  # the driver always has endpointdsl; a test's package may be absent
        return "?"
