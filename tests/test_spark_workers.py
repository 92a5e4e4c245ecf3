"""The executors' endpointdsl checked before they run it (issue 16, engines/spark/workers.py).

Without Spark: a stand-in session runs the check's task here, as an executor would (the
same function, on this interpreter), so the task itself and the messages are the ones a
cluster gives; `-m spark` runs it on a local session (test_spark_engine) and on a Connect
server (test_spark_connect)."""

from __future__ import annotations

import platform

import pyarrow as pa
import pytest

import endpointdsl
from endpointdsl.data.errors import DataError
from endpointdsl.engines.spark import workers


class _Frame:
    def __init__(self, task, session):
        self.task, self.session = task, session

    def mapInArrow(self, task, schema):  # pyspark's name
        assert schema == "version string, python string"
        return _Frame(task, self.session)

    def toArrow(self):  # pyspark's name
        if self.session.fails:
            raise self.session.fails
        here = endpointdsl.__version__
        endpointdsl.__version__ = self.session.version or here  # the executor's own copy
        try:
            return pa.Table.from_batches(
                list(self.task(iter([pa.record_batch([pa.array([0])], names=["id"])])))
            )
        finally:
            endpointdsl.__version__ = here


class _Session:
    """What the check asks of a session: one task over one number, its Arrow result; the
    task runs here, on an executor whose endpointdsl is `version` (None: this one)."""

    def __init__(self, fails: Exception | None = None, version: str | None = None):
        self.fails, self.version = fails, version

    def range(self, start, end, step, parts):
        assert (start, end, step, parts) == (0, 1, 1, 1)  # one tiny task
        return _Frame(None, self)


def test_the_task_reports_the_version_and_python_it_finds():
    assert workers.reported(_Session()) == (endpointdsl.__version__, platform.python_version())
    assert workers.reported(_Session(), "endpointdsl_not_installed") == (None, platform.python_version())
    workers.check(_Session())  # the same endpointdsl: no word


def test_the_task_is_shipped_by_value_not_as_endpointdsl_s_function():
    task = workers._task("endpointdsl")
    assert task.__module__ == "endpointdsl_worker_probe"  # no worker can import it: cloudpickle copies it


PY = platform.python_version()


@pytest.mark.parametrize(
    ("version", "package", "fails", "said"),
    [
        (None, "endpointdsl_not_installed", None,
         f"E386 Spark's executors (Python {PY}) have no endpointdsl_not_installed: they read and prepare"),
        ("0.0.9", "endpointdsl", None,
         f"E387 Spark's executors run endpointdsl 0.0.9 (Python {PY}), this command endpointdsl "
         f"{endpointdsl.__version__} (Python {PY}): the executors prepare the inputs, so the versions must be "
         f"the same; pip install 'endpointdsl=={endpointdsl.__version__}' in the executors' Python (on Spark "
         "Connect: the server's; PYSPARK_PYTHON or spark.pyspark.python name it)"),
        (None, "endpointdsl", RuntimeError("[PYTHON_VERSION_MISMATCH] Python in worker has different version"),
         "E386 Spark's executors cannot run endpointdsl's check task ([PYTHON_VERSION_MISMATCH] Python in "
         f"worker has different version); they need Python {PY} with pyarrow and endpointdsl"),
    ],
)  # fmt: skip
def test_a_missing_or_other_endpointdsl_on_the_executors_is_said(version, package, fails, said):
    with pytest.raises(DataError) as raised:
        workers.check(_Session(fails, version), package)
    assert str(raised.value).startswith(said)
