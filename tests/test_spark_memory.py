"""The Spark engine's memory (issue 16, engines/spark/memory.py): a local session's driver
sized to the input, E383 when the memory is small for it, E384 for Spark out of memory,
E385 for a stalled session. Without Spark: the rules are pure functions, the watchdog runs
on a stand-in session whose clock, GC and CPU the test sets."""

from __future__ import annotations

import threading
import types

import pytest

from endpointdsl import cli
from endpointdsl.data.errors import DataError
from endpointdsl.engines.spark import memory

GIB = 1 << 30


@pytest.mark.parametrize(
    ("rows", "want"),
    [
        (0, 1 * GIB),
        (500, 1 * GIB),  # the examples and tests: the default
        (1_004_241, 1 * GIB),  # 100k subjects (benchmarks/data/100000): ran in 1g
        (3_355_443, 1 * GIB),  # 320 B a row: 1 GiB
        (3_355_444, 2 * GIB),  # one row more: the next whole GiB
        (9_904_241, 3 * GIB),  # 1M subjects (benchmarks/data/1000000): ran in 3g (and 6g), not in 1g
        (99_000_000, 30 * GIB),
    ],
)
def test_the_memory_wanted_grows_with_the_input_rows(rows, want):
    assert memory.needed(rows) == want


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("1g", GIB),
        ("6G", 6 * GIB),
        ("512m", 512 << 20),
        ("2048", 2048 << 20),
        ("4gb", 4 * GIB),
        (" 1t ", 1 << 40),
    ],
)
def test_memory_sizes_read_as_spark_reads_them(text, size):
    assert memory.parse_size(text) == size


@pytest.mark.parametrize("text", ["lots", "1.5g", "-1g", "6 gigabytes", ""])
def test_a_memory_size_that_is_none_is_said(text):
    with pytest.raises(DataError, match=r"ENDPOINTDSL_SPARK_MEMORY=.* is not a memory size"):
        memory.parse_size(text)


@pytest.mark.parametrize(
    ("rows", "given", "total", "chosen", "said"),
    [
        (None, None, 24 * GIB, "1g", []),  # the API's first session before any input: the default
        (500, None, 24 * GIB, "1g", []),  # the examples and tests: the default, no note
        (9_904_241, None, 24 * GIB, "3g", ["note: Spark's local driver gets 3g of memory for 9,904,241"]),
        (9_904_241, None, 4 * GIB, "2g", ["gets 2g", "warning E383: half of this machine's memory (2g)"]),
        (9_904_241, None, None, "3g", ["gets 3g"]),  # the system does not say: the wanted size
        (9_904_241, "2g", 24 * GIB, "2g", ["warning E383: ENDPOINTDSL_SPARK_MEMORY=2g is little", "=3g"]),
        (9_904_241, "8g", 24 * GIB, "8g", []),  # the user's, enough: no word
        (500, "512m", 24 * GIB, "512m", ["warning E383", "=1g"]),  # under the 1 GiB least
    ],
)
def test_a_local_driver_gets_the_memory_its_input_wants_and_says_so(rows, given, total, chosen, said):
    got, lines = memory.choose(rows, given, total)
    assert got == chosen
    assert len(lines) == (0 if not said else len(lines))
    text = "\n".join(lines)
    for part in said:
        assert part in text
    if not said:
        assert lines == []


S = [(t, 0.0, 0.0) for t in range(0, 200, 5)]  # (time, GC seconds, CPU seconds)


@pytest.mark.parametrize(
    ("samples", "window", "why"),
    [
        ([], 60, None),
        ([(t, 0.0, 0.0) for t in range(0, 55, 5)], 60, None),  # not a whole window yet
        ([(t, 0.0, 0.0) for t in range(0, 65, 5)], 60, "used no CPU for 60 s"),
        ([(t, 0.0, t * 0.01) for t in range(0, 65, 5)], 60, "used no CPU"),  # 1%: idle
        ([(t, 0.0, t * 0.5) for t in range(0, 65, 5)], 60, None),  # half a core: working
        ([(t, t * 0.95, t * 1.0) for t in range(0, 65, 5)], 60, "spent 95% of the last 60 s collecting"),
        ([(t, t * 0.5, t * 1.0) for t in range(0, 65, 5)], 60, None),  # GC half the time: slow, not stalled
        # only the last window counts: idle long ago, working now
        ([(t, 0.0, max(0, t - 100) * 1.0) for t in range(0, 200, 5)], 60, None),
    ],
)
def test_the_watchdog_calls_a_stall_only_over_a_whole_window(samples, window, why):
    said = memory.verdict(samples, window)
    assert (said is None) == (why is None)
    if why:
        assert why in said


@pytest.mark.parametrize(
    ("share", "said"),
    [(0.3, None), (0.5, "spent 50% of the last 60 s"), (0.64, "spent 64%"), (0.95, "spent 95%")],
)
def test_a_session_slowed_by_the_gc_is_warned_before_it_would_be_stopped(share, said):
    samples = [(t, t * share, t * 1.0) for t in range(0, 65, 5)]
    got = memory.slowed(samples, 60)
    assert (got is None) == (said is None)
    if said:
        assert got.startswith("endpointdsl: warning E383: Spark's JVM ") and said in got


class _Error(Exception):
    pass


def _chained(outer: Exception, inner: Exception) -> Exception:
    try:
        try:
            raise inner
        except Exception:
            raise outer  # noqa: B904 (py4j chains its errors so)
    except Exception as exc:
        return exc


class Py4JNetworkError(Exception):
    """Stands in for py4j's error of a JVM that died (matched by name)."""


class Py4JJavaError(Exception):
    """Stands in for py4j's error of a Java call whose JVM then died: its text is asked of
    the JVM, and asking fails (seen at 1M subjects with 1g: the result's `toArrow`)."""

    def __str__(self):
        raise ConnectionRefusedError(111, "Connection refused")


@pytest.mark.parametrize(
    ("exc", "local", "said"),
    [
        (
            _Error("Job aborted: java.lang.OutOfMemoryError: Java heap space\n\tat x"),
            False,
            "Java heap space",
        ),
        (
            _Error("[AGGREGATE_OUT_OF_MEMORY] No enough memory for aggregation"),
            False,
            "AGGREGATE_OUT_OF_MEMORY",
        ),
        (_chained(_Error("An error occurred"), _Error("GC overhead limit exceeded")), False, "GC overhead"),
        (_chained(Py4JNetworkError("Answer from Java side is empty"), _Error("boom")), True, "JVM stopped"),
        (
            _chained(Py4JNetworkError("Answer from Java side is empty"), _Error("boom")),
            False,
            None,
        ),  # a cluster's
        (Py4JJavaError(), True, "JVM stopped"),
        (Py4JJavaError(), False, None),
        (_Error("[TABLE_OR_VIEW_NOT_FOUND] x"), True, None),  # a bug: not memory
        (  # py4j's line names its call first: the text is said from the word naming the memory
            _Error(
                "An error occurred while calling o52.collectToPython.\n: org.apache.spark.SparkException: Job "
                "aborted due to stage failure: Task 1 in stage 0.0 failed 1 times, most recent failure: Lost "
                "task 1.0 in stage 0.0 (TID 1) (192.0.2.2 executor driver): java.lang.OutOfMemoryError: Java "
                "heap space\n\tat x"
            ),
            True,
            "java.lang.OutOfMemoryError: Java heap space",
        ),
    ],
)
def test_spark_out_of_memory_is_told_from_its_errors(exc, local, said):
    got = memory.out_of_memory(exc, local)
    assert (got is None) == (said is None)
    if said:
        assert said in got and "calling" not in got  # not py4j's words about its call


OOM = "Job aborted\njava.lang.OutOfMemoryError: Java heap space\n\tat x"


@pytest.mark.parametrize(
    ("raised", "memory_setting", "kind", "said"),
    [
        (
            _Error(OOM),
            "1g",
            memory.SparkOutOfMemory,
            r"^E384 Spark ran out of memory \(java.lang.OutOfMemoryError",
        ),
        (
            _Error(OOM),
            "1g",
            memory.SparkOutOfMemory,
            "the local driver had 1g: set ENDPOINTDSL_SPARK_MEMORY to more",
        ),
        (_Error(OOM), None, memory.SparkOutOfMemory, r"spark\.executor\.memory"),  # a cluster's session
        (_Error("[TABLE_OR_VIEW_NOT_FOUND] x"), "1g", _Error, "TABLE_OR_VIEW"),  # a bug: as it is
        (DataError("bad date"), "1g", DataError, "bad date"),
    ],
)
def test_an_out_of_memory_job_is_e384_and_another_error_passes_through(raised, memory_setting, kind, said):
    with pytest.raises(kind, match=said), memory.watched(None, memory_setting, local=False):
        raise raised


class _Session:
    """What the watchdog reads of a classic session: a job running, the JVM's GC time (ms)."""

    def __init__(self, gc_ms):
        self.cancelled = 0
        self.gc_ms = gc_ms
        bean = types.SimpleNamespace(getCollectionTime=lambda: self.gc_ms())
        management = types.SimpleNamespace(getGarbageCollectorMXBeans=lambda: [bean])
        process = types.SimpleNamespace(current=lambda: types.SimpleNamespace(pid=lambda: -1))
        self._jvm = types.SimpleNamespace(
            java=types.SimpleNamespace(lang=types.SimpleNamespace(
                management=types.SimpleNamespace(ManagementFactory=management), ProcessHandle=process))
        )  # fmt: skip
        tracker = types.SimpleNamespace(getActiveJobsIds=lambda: [7])
        self.sparkContext = types.SimpleNamespace(statusTracker=lambda: tracker, cancelAllJobs=self.cancel)
        self.released = None

    def cancel(self):
        self.cancelled += 1
        self.released.set()


def test_a_stalled_local_session_is_cancelled_and_the_run_ends_with_e385(monkeypatch):
    import threading

    monkeypatch.setenv("ENDPOINTDSL_SPARK_STALL", "0.2")
    monkeypatch.setattr(memory, "_cpu_seconds", lambda pid: 0.0)  # nothing runs: idle
    monkeypatch.setattr(memory._Watchdog, "GRACE", 3600.0)  # no JVM to end here
    spark = _Session(lambda: 0)
    spark.released = threading.Event()
    with (
        pytest.raises(
            memory.SparkStalled, match=r"^E385 Spark stalled: its JVM and Python workers used no CPU"
        ),
        memory.watched(spark, "1g", local=True, step=0.02),
    ):
        assert spark.released.wait(10), "the watchdog did not cancel"
        raise _Error("Job 3 cancelled")  # what the cancelled call raises
    assert spark.cancelled == 1


def test_a_working_local_session_is_left_alone(monkeypatch):
    import itertools
    import threading

    monkeypatch.setenv("ENDPOINTDSL_SPARK_STALL", "0.1")
    cpu = itertools.count(0, 1.0)  # a core's worth of CPU at each sample
    monkeypatch.setattr(memory, "_cpu_seconds", lambda pid: next(cpu))
    spark = _Session(lambda: 0)
    spark.released = threading.Event()
    with memory.watched(spark, "1g", local=True, step=0.02):
        assert not spark.released.wait(0.5)
    assert spark.cancelled == 0


@pytest.mark.parametrize("text", ["soon", "-1", "nan"])
def test_a_stall_setting_that_is_no_seconds_is_said(monkeypatch, text):
    monkeypatch.setenv("ENDPOINTDSL_SPARK_STALL", text)
    with pytest.raises(DataError, match=f"ENDPOINTDSL_SPARK_STALL={text}: give seconds"):
        memory.stall_seconds()


@pytest.mark.parametrize("kind", [memory.SparkOutOfMemory, memory.SparkStalled])
def test_spark_out_of_memory_is_exit_5_with_its_message(monkeypatch, capsys, kind):
    def run(args):
        raise kind("E384 Spark ran out of memory (Java heap space); set ENDPOINTDSL_SPARK_MEMORY")

    monkeypatch.setattr(cli, "_run", run)
    assert cli.main(["run", "x.ept", "--data", "d", "--out", "o.csv"]) == 5
    err = capsys.readouterr().err
    assert err == "error: E384 Spark ran out of memory (Java heap space); set ENDPOINTDSL_SPARK_MEMORY\n"


def test_a_local_session_slowed_by_the_gc_is_warned_once_and_not_stopped(monkeypatch, capsys):
    import threading
    import time

    monkeypatch.setenv("ENDPOINTDSL_SPARK_STALL", "0.1")
    start = time.monotonic()
    monkeypatch.setattr(memory, "_cpu_seconds", lambda pid: (time.monotonic() - start) * 2)  # busy
    spark = _Session(lambda: (time.monotonic() - start) * 1000 * 0.7)  # 70% of the time in the GC
    spark.released = threading.Event()
    with memory.watched(spark, "1g", local=True, step=0.02):
        assert not spark.released.wait(0.6)
    assert spark.cancelled == 0
    err = capsys.readouterr().err
    assert err.count("warning E383: Spark's JVM spent") == 1, err


def _frozen_session(probe, cancel):
    """A stand-in whose job tracker answers by `probe` and whose cancel is `cancel` (a frozen
    JVM's never return). Its process id was said before it froze."""
    spark = _Session(lambda: 0)
    tracker = types.SimpleNamespace(getActiveJobsIds=probe)
    spark.sparkContext = types.SimpleNamespace(statusTracker=lambda: tracker, cancelAllJobs=cancel)
    return spark


def test_a_frozen_jvm_whose_probes_never_answer_is_a_stall_and_is_ended(monkeypatch):
    import threading

    monkeypatch.setenv("ENDPOINTDSL_SPARK_STALL", "0.2")
    monkeypatch.setattr(memory, "_cpu_seconds", lambda pid: 0.0)  # frozen: no CPU (read from /proc)
    monkeypatch.setattr(memory._Watchdog, "PATIENCE", 0.05)
    monkeypatch.setattr(memory._Watchdog, "GRACE", 0.1)  # the cancel blocks too: the JVM is ended
    never = threading.Event()
    ended = threading.Event()
    monkeypatch.setattr(memory.os, "kill", lambda pid, sig: ended.set())
    spark = _frozen_session(never.wait, never.wait)
    with (
        pytest.raises(
            memory.SparkStalled, match=r"^E385 Spark stalled: its JVM and Python workers used no CPU"
        ),
        memory.watched(spark, "1g", local=True, step=0.02),
    ):
        assert ended.wait(10), "the watchdog did not end the frozen JVM"
        raise Py4JNetworkError("Answer from Java side is empty")  # what the run's call then raises
    never.set()  # the probes' threads end with the test


def test_a_busy_jvm_slow_to_answer_its_probes_is_left_alone(monkeypatch):
    import itertools
    import threading
    import time

    monkeypatch.setenv("ENDPOINTDSL_SPARK_STALL", "0.1")
    monkeypatch.setattr(memory._Watchdog, "PATIENCE", 0.01)
    cpu = itertools.count(0, 1.0)  # a core's worth of CPU at each sample
    monkeypatch.setattr(memory, "_cpu_seconds", lambda pid: next(cpu))
    cancelled = threading.Event()
    spark = _frozen_session(lambda: time.sleep(0.05) or [7], cancelled.set)  # answers, but late
    with memory.watched(spark, "1g", local=True, step=0.02):
        assert not cancelled.wait(0.6)


def _hang_up(server, token: str) -> None:
    """Connect to the accumulator server as the JVM does, then end as a dying JVM does."""
    import socket

    with socket.create_connection(server.server_address) as conn:
        conn.sendall(token.encode())


@pytest.mark.parametrize(("quiet", "token", "printed"), [
    (False, "secret", "EOFError"),  # pyspark's own: a traceback when the JVM hangs up
    (True, "secret", None),  # silenced: E384 is the one message
    (True, "wrong", "ValueError"),  # another error of the server is still printed
])  # fmt: skip
def test_the_accumulator_servers_traceback_of_a_jvm_that_ended_is_silenced(capfd, quiet, token, printed):
    import time

    accumulators = pytest.importorskip("pyspark.accumulators")
    server = accumulators._start_update_server("secret", False)
    try:
        if quiet:
            memory.quiet_accumulators(types.SimpleNamespace(_accumulatorServer=server))
        _hang_up(server, token)
        time.sleep(1.5)  # the server polls its connection once a second
    finally:
        server.shutdown()
    err = capfd.readouterr().err
    if printed is None:
        assert err == ""
    else:
        assert printed in err and "Traceback" in err


class _Jvm:
    """Stands in for pyspark's Popen of the local JVM and the context's answer: `code` is
    its exit code (None: it does not end within the wait), `exited` whether it has already,
    `context` what `isStopped()` does (True/False: answers so; "gone": py4j's error; "frozen":
    never answers). `waits` counts the waits for its end."""

    pid = 4242

    def __init__(self, code, exited, context):
        self.code, self.exited, self.context = code, exited, context
        self.waits = 0

    def poll(self):
        return self.code if self.exited else None

    def wait(self, timeout):
        import subprocess

        self.waits += 1
        if self.code is None:
            raise subprocess.TimeoutExpired("java", timeout)
        return self.code

    def is_stopped(self):
        if self.context == "gone":
            raise ConnectionRefusedError("py4j: the gateway is gone")
        if self.context == "frozen":
            threading.Event().wait()
        return self.context


NPE = "java.lang.NullPointerException: Cannot invoke DAGScheduler.cleanupQueryJobs because dagScheduler() is null"
E384_52 = r"^E384 Spark ran out of memory \(Spark's JVM ended for a task's OutOfMemoryError \(exit code 52\)"


@pytest.mark.parametrize(
    ("code", "exited", "context", "local", "said", "waited"),
    [
        (
            52,
            False,
            True,
            True,
            E384_52,
            True,
        ),  # its context stopped: the JVM is ending, its code is waited for
        (52, False, "gone", True, E384_52, True),  # py4j cannot reach it
        (52, False, "frozen", True, E384_52, True),  # it does not answer
        (-9, True, False, True, r"^E384 Spark ran out of memory \(Spark's JVM was killed \(SIGKILL", True),
        (None, False, False, True, None, False),  # a live JVM, its context running: as it is, no wait
        (None, False, True, True, None, True),  # stopped but not ending within the wait: as it is
        (1, True, True, True, None, True),  # another end: as it is
        (52, True, True, False, None, False),  # not a JVM this process started: not asked
    ],
)
def test_a_jvm_ended_for_memory_is_e384_whatever_its_last_call_raised(
    monkeypatch, code, exited, context, local, said, waited
):
    monkeypatch.setattr(memory, "ENDING", 0.01)
    monkeypatch.setattr(memory, "ASKING", 0.2)
    monkeypatch.setenv("ENDPOINTDSL_SPARK_STALL", "0")  # no watchdog on the stand-in
    jvm = _Jvm(code, exited, context)
    jsc = types.SimpleNamespace(sc=lambda: types.SimpleNamespace(isStopped=jvm.is_stopped))
    spark = types.SimpleNamespace(
        sparkContext=types.SimpleNamespace(_gateway=types.SimpleNamespace(proc=jvm), _jsc=jsc)
    )
    kind = _Error if said is None else memory.SparkOutOfMemory
    with (
        pytest.raises(kind, match=said or "NullPointerException"),
        memory.watched(spark, "512m", local=local),
    ):
        raise _Error(NPE)
    assert (jvm.waits > 0) == waited


@pytest.mark.spark
def test_a_real_out_of_memory_is_one_message_with_no_traceback(tmp_path):
    """A 512m local driver collecting a list of 400M numbers: a task's OutOfMemoryError ends
    the JVM; the run says E384 in one line, with no Python traceback (pyspark's accumulator
    server's EOFError, or the stopped context's NullPointerException, was one)."""
    import shutil
    import subprocess
    import sys

    pytest.importorskip("pyspark")
    if shutil.which("java") is None:
        pytest.skip("needs Java")
    script = tmp_path / "oom.py"
    script.write_text(
        "import sys\n"
        "from endpointdsl.engines.spark import run\n"
        "from endpointdsl.engines.spark.memory import SparkOutOfMemory\n"
        "spark = run.session()\n"
        "try:\n"
        "    with run.watching(spark):\n"
        "        spark.sql('SELECT size(collect_list(id)) FROM range(0, 400000000, 1, 2)').collect()\n"
        "except SparkOutOfMemory as exc:\n"
        "    print(f'error: {exc}', file=sys.stderr)\n"
        "    sys.exit(5)\n"
    )
    env = {**__import__("os").environ, "ENDPOINTDSL_SPARK_MEMORY": "512m"}
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 5, done.stderr[-3000:]
    assert "error: E384 Spark ran out of memory (" in done.stderr
    assert "Traceback" not in done.stderr and "EOFError" not in done.stderr, done.stderr[-3000:]


@pytest.mark.spark
def test_a_bad_statement_on_a_live_local_session_is_said_without_waiting_for_the_jvm(monkeypatch):
    """A plain analysis error of a live JVM is the error itself, at once: the wait for the
    JVM's end (up to ENDING seconds) is not entered, since its context says it runs."""
    import shutil

    pytest.importorskip("pyspark")
    if shutil.which("java") is None:
        pytest.skip("needs Java")
    from endpointdsl.engines.spark import run

    spark = run.session()
    waited = []
    monkeypatch.setattr(memory, "ended", lambda spark, wait: waited.append(wait))
    with pytest.raises(Exception, match="no_such_column") as raised, run.watching(spark):
        spark.sql("SELECT no_such_column FROM range(1)").collect()
    assert not isinstance(raised.value, memory.SparkOutOfMemory)
    assert waited == [] and memory.ending(spark) is False


@pytest.mark.parametrize(
    ("name", "message", "path", "dropped"),
    [
        ("root", "Exception while sending command.", "/x/site-packages/py4j/java_gateway.py", True),
        ("root", "Exception while sending command.", "/x/site-packages/mine.py", False),  # not py4j's
        ("root", "Something else failed.", "/x/site-packages/py4j/java_gateway.py", False),
        ("py4j.java_gateway", "Exception while sending command.", "/x/py4j/java_gateway.py", False),
    ],
)
def test_only_py4js_record_of_a_gone_jvm_is_dropped(monkeypatch, name, message, path, dropped):
    """py4j logs a call that finds its JVM gone through the root logger, which Python prints
    with tracebacks before E384 (seen in CI); only that record of py4j's is dropped."""
    import logging

    root = logging.getLogger()
    # without the filter a Spark run earlier in this process left (CI's Spark job runs both)
    monkeypatch.setattr(root, "filters", [f for f in root.filters if f is not memory._PY4J_HANG_UP])
    monkeypatch.delenv("ENDPOINTDSL_DEBUG", raising=False)
    memory.quiet_py4j_hang_up()
    record = logging.LogRecord(name, logging.ERROR, path, 1, message, None, None)
    assert bool(root.filter(record)) is (not dropped)


def test_debug_keeps_py4js_record(monkeypatch):
    import logging

    root = logging.getLogger()
    monkeypatch.setattr(root, "filters", [f for f in root.filters if f is not memory._PY4J_HANG_UP])
    monkeypatch.setenv("ENDPOINTDSL_DEBUG", "1")
    memory.quiet_py4j_hang_up()
    record = logging.LogRecord(
        "root", logging.ERROR, "/py4j/java_gateway.py", 1, "Exception while sending command.", None, None
    )
    assert root.filter(record)
