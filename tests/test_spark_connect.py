"""The Spark engine on Spark Connect (issue 16): `--spark-remote URL`, or SPARK_REMOTE.

The engine reaches Spark by the DataFrame API only (no RDD, no JVM), so that a Connect
session runs what a classic one runs. With Spark (`-m spark`, CI's Spark job, which installs
the `spark-connect` extra): the shipped example, as Parquet in row groups read in row
ranges (the executors' tasks and the survey job, through Connect) from a file:// URI
(storage.py), run in its own process on a Connect server that pyspark starts locally
(`local[2]`: a Connect session switches its process to Connect for good), its results
written through a scratch location (ENDPOINTDSL_SPARK_SCRATCH, a file:// folder), writes the
SQL engine's bytes on the local folder.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from conftest import EXAMPLES, ROOT

from endpointdsl.data.errors import DataError
from endpointdsl.engines.spark import run as spark_run


def test_the_connect_address_comes_from_the_option_then_spark_remote(monkeypatch):
    monkeypatch.delenv("SPARK_REMOTE", raising=False)
    monkeypatch.setattr(spark_run, "_REMOTE", None)
    assert spark_run.remote() is None  # a classic session
    monkeypatch.setenv("SPARK_REMOTE", "sc://cluster:15002")
    assert spark_run.remote() == "sc://cluster:15002"
    spark_run.use_remote("sc://other:15002")  # --spark-remote wins over the variable
    assert spark_run.remote() == "sc://other:15002"
    spark_run.use_remote(None)
    assert spark_run.remote() == "sc://cluster:15002"


def test_a_connect_address_is_shown_without_its_token():
    address = "sc://dbc-1.cloud.databricks.com:443/;token=dapi123;x-databricks-cluster-id=0101"
    assert spark_run.shown(address) == "sc://dbc-1.cloud.databricks.com:443"
    assert spark_run.shown("sc://host:15002") == "sc://host:15002" and spark_run.shown(None) is None
    argv = ["run", "x.ept", "--spark-remote", address, f"--spark-remote={address}", "--engine", "spark"]
    assert spark_run.without_secrets(argv, address) == [
        "run", "x.ept", "--spark-remote", "sc://dbc-1.cloud.databricks.com:443",
        "--spark-remote=sc://dbc-1.cloud.databricks.com:443", "--engine", "spark",
    ]  # fmt: skip
    assert spark_run.without_secrets(argv[:2], None) == argv[:2]


@pytest.mark.spark
def test_the_example_through_spark_connect_writes_the_sql_engines_bytes(tmp_path):
    pytest.importorskip("pyspark")
    pytest.importorskip("sqlglot")
    pytest.importorskip("grpc")  # pyspark's connect extra (endpointdsl[spark-connect])
    if shutil.which("java") is None:
        pytest.skip("the Spark engine needs Java")
    from pyarrow import csv

    data = tmp_path / "data"
    data.mkdir()
    for table in (EXAMPLES / "data").glob("*.csv"):
        pq.write_table(csv.read_csv(table), data / f"{table.stem}.parquet", row_group_size=50)
    env = {k: v for k, v in os.environ.items() if k != "SPARK_REMOTE"}
    env["ENDPOINTDSL_SPARK_TASK_ROWS"] = "20"  # row groups of 50 read in row ranges too

    def run(out: str, folder: str, *more: str, scratch: Path | None = None) -> None:
        given = env if scratch is None else {**env, "ENDPOINTDSL_SPARK_SCRATCH": scratch.as_uri()}
        done = subprocess.run(
            [sys.executable, "-m", "endpointdsl", "run", str(EXAMPLES / "her2_cart_trastuzumab.ept"),
             "--data", folder, "--out", str(tmp_path / out), "-q", *more],
            capture_output=True, text=True, cwd=ROOT, env=given, check=False, timeout=900,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert "Traceback" not in done.stderr

    run("sql.csv", str(data))
    # the results in parts through a scratch location (scratch.py), as on a remote server
    shared = tmp_path / "shared"
    shared.mkdir()
    os.utime(shared, ns=(0, 0))
    run(
        "connect.csv",
        data.resolve().as_uri(),
        "--engine",
        "spark",
        "--spark-remote",
        "local[2]",
        scratch=shared,
    )
    assert shared.stat().st_mtime_ns > 0  # a folder was made in it (and removed)
    assert list(shared.iterdir()) == []  # the run's folder there went with it
    for suffix in (".csv", ".report.csv", ".summary.csv"):
        assert (tmp_path / f"connect{suffix}").read_bytes() == (tmp_path / f"sql{suffix}").read_bytes()
    manifest = json.loads((tmp_path / "connect.manifest.json").read_text())
    assert manifest["spark"] == {"api": "connect", "remote": "local[2]"}  # the session object's kind
    # the inputs read through the URI, hashed as the local run hashed the same files
    local = json.loads((tmp_path / "sql.manifest.json").read_text())["inputs"]
    assert [(i["table"], i["sha256"], i["size"]) for i in manifest["inputs"]] == [
        (i["table"], i["sha256"], i["size"]) for i in local
    ]
    assert all(i["file"].startswith("file://") for i in manifest["inputs"])


def _closed_port() -> int:
    with socket.socket() as s:  # a port the system just gave and took back: nothing listens
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize(
    "address, said",
    [
        (
            "sc://127.0.0.1:{port}",
            "cannot reach the Spark Connect server sc://127.0.0.1:{port} (127.0.0.1:{port})",
        ),
        (
            "sc://127.0.0.1:{port}/;token=secret",
            "cannot reach the Spark Connect server sc://127.0.0.1:{port} ",
        ),
        ("sc://127.0.0.1:notaport", "sc://127.0.0.1:notaport: not a Spark Connect address"),
        ("sc://:15002", "sc://:15002: not a Spark Connect address (sc://host:port): no host"),
    ],
)
def test_an_unreachable_connect_address_is_said_at_once(monkeypatch, address, said):
    # pyspark's client retries such an address for minutes without a word; needs no pyspark
    for proxy in ("grpc_proxy", "https_proxy", "HTTPS_PROXY", "http_proxy", "HTTP_PROXY"):
        monkeypatch.delenv(proxy, raising=False)
    port = _closed_port()
    monkeypatch.setattr(spark_run, "_SESSION", None)
    spark_run.use_remote(address.format(port=port))
    try:
        with pytest.raises(DataError) as raised:
            spark_run.session()
    finally:
        spark_run.use_remote(None)
    assert str(raised.value).startswith(said.format(port=port))
    assert "secret" not in str(raised.value)


_WORKERS = """
import json, sys
import endpointdsl
from endpointdsl.data.errors import DataError
from endpointdsl.engines.spark import run, workers
run.use_remote("local[2]")
spark = run.session()
said = {"reported": list(workers.reported(spark))}
workers.check(spark)  # the same endpointdsl on the server's workers: no word
for case, package, version in (("absent", "endpointdsl_not_installed", None), ("other", "endpointdsl", "0.0.1")):
    if version:
        endpointdsl.__version__ = version  # this side's version differs from the workers'
    try:
        workers.check(spark, package)
        said[case] = None
    except DataError as exc:
        said[case] = str(exc)
print(json.dumps(said))
"""


@pytest.mark.spark
def test_the_connect_servers_endpointdsl_is_checked_before_its_workers_run_it():
    pytest.importorskip("pyspark")
    pytest.importorskip("grpc")
    if shutil.which("java") is None:
        pytest.skip("the Spark engine needs Java")
    env = {k: v for k, v in os.environ.items() if k != "SPARK_REMOTE"}
    done = subprocess.run(
        [sys.executable, "-c", _WORKERS],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        check=False,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    said = json.loads(done.stdout.strip().splitlines()[-1])
    assert said["reported"] == [endpointdsl_version(), platform.python_version()]
    python = platform.python_version()
    assert said["absent"].startswith(
        f"E386 Spark's executors (Python {python}) have no endpointdsl_not_installed"
    )
    assert said["other"] == (
        f"E387 Spark's executors run endpointdsl {endpointdsl_version()} (Python {python}), this command "
        f"endpointdsl 0.0.1 (Python {python}): the executors prepare the inputs, so the versions must be the "
        "same; pip install 'endpointdsl==0.0.1' in the executors' Python (on Spark Connect: the server's; "
        "PYSPARK_PYTHON or spark.pyspark.python name it)"
    )


def endpointdsl_version() -> str:
    import endpointdsl

    return endpointdsl.__version__
