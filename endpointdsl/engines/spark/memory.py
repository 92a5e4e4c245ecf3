"""Spark engine, memory (issue 16): a local session's driver sized to the input, a warning
when the memory is small for it, and no silent stall.

In local mode the executors live in the driver's JVM, so `spark.driver.memory` holds the
checkpointed inputs, the shuffles and the local relations together. At 1M subjects (9.9M
input rows) the default 1g either failed a task with `OutOfMemoryError` (reported as an
internal error, exit 70) or stalled in the GC with the machine idle (tasks retrying
allocations, "GCLocker"); 6g ran it in 74 s, and 3g ran it too (the sixth round, below). So:
- a local session this process starts gets `needed(rows)` of driver memory, at most half of
  the machine's, unless ENDPOINTDSL_SPARK_MEMORY says otherwise; a note says what was chosen;
- E383 (a warning, before any job) when the memory is below `needed(rows)`;
- E384: a Spark job that ran out of memory is exit 5 with a hint, not a traceback;
- E385: a watchdog (`watched`) cancels the jobs of a local session whose JVM spends nearly
  all its time in the GC, or whose JVM and Python workers use no CPU, for
  ENDPOINTDSL_SPARK_STALL seconds (default 180; 0: off) while a job runs; exit 5. Half the
  time in the GC is said once (E383) and the run goes on.
A cluster (Spark Connect, spark-submit, ENDPOINTDSL_SPARK_MASTER) sizes its own executors:
none of this applies there, except E384.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import re
import signal
import subprocess
import sys
import threading
import time

from ...data.errors import DataError

GIB = 1 << 30
DEFAULT = "1g"  # the examples and tests: a few hundred rows
# Driver heap per input row in local mode: 320 B a row, in whole GiB, at least 1g. Measured
# with GC logs (docs/backends.md): 1M subjects (10.0M rows: 3g) ran in 3g, its live heap
# after full GCs 1.6-2.1 GB, the results through files or toArrow alike; 2g limped (17 full
# GCs), 1g failed or stalled; 100k subjects (1M rows: 1g) ran in 1g. (640 B, 6g at 1M,
# before: from the 6g and 1g points only.)
PER_ROW = 320
_UNITS = {
    "": 1 << 20,
    "b": 1,
    "k": 1 << 10,
    "m": 1 << 20,
    "g": 1 << 30,
    "t": 1 << 40,
}  # Spark's: no unit is MiB
_SIZE = re.compile(r"^\s*(\d+)\s*([bkmgt]?)(?:i?b)?\s*$", re.IGNORECASE)


class SparkOutOfMemory(MemoryError):
    """Spark ran out of memory (E384) or stalled (E385): exit 5, the message says what to set."""


class SparkStalled(SparkOutOfMemory):
    """E385: the watchdog cancelled a stalled session's jobs (the session is no longer used)."""


def needed(rows: int) -> int:
    """Bytes of driver memory a local session wants for `rows` input rows (whole GiB)."""
    return max(1, math.ceil(rows * PER_ROW / GIB)) * GIB


def parse_size(text: str) -> int:
    """Bytes of a Spark memory setting (`6g`, `512m`, `2048`: MiB); DataError if it is none."""
    match = _SIZE.match(text)
    if not match:
        raise DataError(
            f"ENDPOINTDSL_SPARK_MEMORY={text!r} is not a memory size: write it as Spark does, e.g. 6g or 512m"
        )
    return int(match.group(1)) * _UNITS[match.group(2).lower()]


def machine() -> int | None:
    """This machine's physical memory in bytes (None where the system does not say)."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None


def shown(size: int) -> str:
    """A size as Spark's setting writes it: whole GiB as `6g`, else MiB."""
    return f"{size // GIB}g" if size % GIB == 0 else f"{math.ceil(size / (1 << 20))}m"


def choose(rows: int | None, given: str | None, total: int | None) -> tuple[str, list[str]]:
    """(spark.driver.memory, messages for standard error) of a local session this process
    starts for `rows` input rows (None: unknown, the default); `given`: ENDPOINTDSL_SPARK_MEMORY."""
    if given and given.strip():
        size = parse_size(given)
        want = needed(rows or 0)
        if size < want:
            return given.strip(), [small(rows, f"ENDPOINTDSL_SPARK_MEMORY={given.strip()}", want)]
        return given.strip(), []
    if rows is None:
        return DEFAULT, []
    want = needed(rows)
    cap = max(GIB, (total // 2) // GIB * GIB) if total else want
    size = min(want, cap)
    if size <= parse_size(DEFAULT):
        return DEFAULT, []
    note = (
        f"endpointdsl: note: Spark's local driver gets {shown(size)} of memory for {rows:,} input "
        "rows (ENDPOINTDSL_SPARK_MEMORY sets it)"
    )
    if size < want:
        return shown(size), [note, small(rows, f"half of this machine's memory ({shown(size)})", want)]
    return shown(size), [note]


def small(rows: int | None, what: str, want: int) -> str:
    """E383: the warning that the driver memory is below what the input wants."""
    return (
        f"endpointdsl: warning E383: {what} is little for a local Spark session on {rows or 0:,} input "
        f"rows (about {shown(want)} wanted): the run may fail for memory or be stopped by the stall "
        f"watchdog; set ENDPOINTDSL_SPARK_MEMORY={shown(want)} (or run on a cluster)"
    )


def say(lines: list[str]) -> None:
    for line in lines:
        print(line, file=sys.stderr, flush=True)


# ---- out of memory (E384) -----------------------------------------------------------------------

_OOM = (
    "OutOfMemoryError",
    "OUT_OF_MEMORY",
    "UNABLE_TO_ACQUIRE_MEMORY",
    "GC overhead limit",
    "Java heap space",
)


_GONE = ("Py4JNetworkError", "ConnectionRefusedError", "ConnectionResetError", "BrokenPipeError")


def _text(exc: BaseException) -> str | None:
    """The error's text; None when it cannot be had: py4j asks the JVM for a Java error's
    text, and a JVM that died answers nothing (`<exception str() failed>` in a traceback)."""
    try:
        return f"{type(exc).__name__}: {exc}"
    except Exception:
        return None


def _chain(exc: BaseException | None):
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def out_of_memory(exc: BaseException, local: bool) -> str | None:
    """What says that a pyspark/py4j error is Spark out of memory, or None: its text names it,
    or (`local`: the JVM this process started) the JVM is gone: a task's OutOfMemoryError
    ends it (Spark's handler of fatal errors), and then only the connection's error is left."""
    texts = [_text(link) for link in _chain(exc)]
    for text in filter(None, texts):
        line = next((ln.strip() for ln in text.splitlines() if any(w in ln for w in _OOM)), None)
        if line is not None:  # from the word naming it: py4j's line first names its call
            at = min(i for i in (line.find(w) for w in _OOM) if i >= 0)
            return line[line.rfind(" ", 0, at) + 1 :][:200]
    gone = None in texts or any(type(link).__name__ in _GONE for link in _chain(exc))
    if local and gone:
        return "Spark's JVM stopped answering: a task's OutOfMemoryError ends it"
    return None


OOM_EXIT = 52  # SparkExitCode.OOM: Spark's handler of fatal errors ends the JVM with it
ENDING = 10.0  # seconds a local JVM is given to end after a call failed (its shutdown hooks)
ASKING = 2.0  # seconds a live JVM is given to say that its SparkContext still runs


def ending(spark) -> bool:
    """Whether the local JVM this process started may be ending, so that `ended` is worth
    waiting for: its process has exited, or it does not say within ASKING seconds
    that its SparkContext is running (a JVM exiting for a task's OutOfMemoryError stops the
    context first, in its shutdown hook, and the call that failed then saw it stopped). A
    plain error of a live JVM (a bad statement) is False: said at once, with no wait."""
    proc = getattr(getattr(spark.sparkContext, "_gateway", None), "proc", None)
    if not isinstance(getattr(proc, "pid", None), int):
        return False
    if proc.poll() is not None:
        return True
    asked = _Probe(lambda: spark.sparkContext._jsc.sc().isStopped())
    if not asked.answered.wait(ASKING):
        return True
    try:
        return bool(asked.answer())
    except Exception:  # py4j's error: the JVM is gone or going
        return True


def ended(spark, wait: float) -> str | None:
    """Why the local JVM this process started ended, if it ends within `wait` seconds of a
    failed call, or None. A task's OutOfMemoryError makes Spark's handler of fatal errors
    exit the JVM (52); the call waiting on it may then fail with whatever the stopping
    context left (seen with 512m: a NullPointerException from the stopped DAGScheduler)
    rather than with the OutOfMemoryError's text."""
    proc = getattr(getattr(spark.sparkContext, "_gateway", None), "proc", None)
    if not isinstance(getattr(proc, "pid", None), int):
        return None
    try:
        code = proc.wait(timeout=wait)
    except subprocess.TimeoutExpired:
        return None
    if code == OOM_EXIT:
        return f"Spark's JVM ended for a task's OutOfMemoryError (exit code {OOM_EXIT})"
    if code == -signal.SIGKILL:
        return "Spark's JVM was killed (SIGKILL: most often the system's out-of-memory killer)"
    return None


# the accumulator server's connection closed by the JVM's end (its last words, not news)
_HUNG_UP = (EOFError, ConnectionResetError, BrokenPipeError)


def quiet_accumulators(context) -> None:
    """pyspark's accumulator server (a socketserver in this process that the JVM reports task
    updates to) prints a traceback of EOFError when the JVM ends, e.g. ended by a task's
    OutOfMemoryError, just before E384 says so in one line. Only that hang-up is silenced:
    any other error of the server is printed as before."""
    server = getattr(context, "_accumulatorServer", None)
    if server is None or getattr(server, "quiet_hang_up", False):
        return
    loud = server.handle_error

    def handle_error(request, client_address) -> None:
        if not isinstance(sys.exc_info()[1], _HUNG_UP):
            loud(request, client_address)

    server.handle_error = handle_error
    server.quiet_hang_up = True


class _Py4jHangUp(logging.Filter):
    """py4j logs each call that finds its JVM gone ("Exception while sending command.")
    through the root logger, so Python prints it with three chained tracebacks (seen in CI
    before E384, when a task's OutOfMemoryError ended the JVM). The call then fails, and that
    failure is what the run reports (E384, or its own error): only the log record is dropped,
    and only py4j's."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (
            record.name == "root"
            and record.msg == "Exception while sending command."
            and "py4j" in record.pathname
        )


_PY4J_HANG_UP = _Py4jHangUp()


def quiet_py4j_hang_up() -> None:
    """The root logger without py4j's record of a JVM gone (ENDPOINTDSL_DEBUG keeps it)."""
    if not os.environ.get("ENDPOINTDSL_DEBUG"):
        logging.getLogger().addFilter(_PY4J_HANG_UP)  # once: filters are a list without repeats


def memory_hint(memory: str | None) -> str:
    if memory is None:  # a cluster's session: its own settings
        return "give Spark's driver and executors more memory (spark.driver.memory, spark.executor.memory)"
    return f"the local driver had {memory}: set ENDPOINTDSL_SPARK_MEMORY to more (e.g. 3g for 1M subjects)"


# ---- the stall watchdog (E385) ------------------------------------------------------------------

GC_SHARE, CPU_SHARE = 0.9, 0.02  # stalled: the GC takes 90% of the time, or no CPU at all
# slowed (said once, not stopped): the GC takes half the time. Seen at 1M subjects with 1g:
# the old generation full, a full GC every 2 s, 64% of the time in the GC, still moving.
GC_SLOW = 0.5


def stall_seconds() -> float:
    text = os.environ.get("ENDPOINTDSL_SPARK_STALL", "").strip()
    if not text:
        return 180.0
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if value < 0 or not math.isfinite(value):
        raise DataError(f"ENDPOINTDSL_SPARK_STALL={text}: give seconds (0 turns the watchdog off)")
    return value


def verdict(samples: list[tuple[float, float, float]], window: float) -> str | None:
    """Why the samples (time, GC seconds, CPU seconds of the JVM and its Python workers, all
    taken while a job ran) show a stall over the last `window` seconds, or None."""
    if not samples or samples[-1][0] - samples[0][0] < window:
        return None
    first = next(s for s in reversed(samples) if samples[-1][0] - s[0] >= window)
    span = samples[-1][0] - first[0]
    gc, cpu = samples[-1][1] - first[1], samples[-1][2] - first[2]
    if gc >= GC_SHARE * span:
        return f"its JVM spent {gc / span:.0%} of the last {span:.0f} s collecting garbage"
    if cpu <= CPU_SHARE * span:
        return f"its JVM and Python workers used no CPU for {span:.0f} s while a job was running"
    return None


def slowed(samples: list[tuple[float, float, float]], window: float) -> str | None:
    """E383's text when the GC took half the last window or more (short of a stall), else None."""
    if not samples or samples[-1][0] - samples[0][0] < window:
        return None
    first = next(s for s in reversed(samples) if samples[-1][0] - s[0] >= window)
    span, gc = samples[-1][0] - first[0], samples[-1][1] - first[1]
    if gc < GC_SLOW * span:
        return None
    return (
        f"endpointdsl: warning E383: Spark's JVM spent {gc / span:.0%} of the last {span:.0f} s collecting "
        "garbage: the run is slowed for want of memory (stopped at 90%); give the driver more memory "
        "(ENDPOINTDSL_SPARK_MEMORY)"
    )


def _cpu_seconds(pid: int) -> float | None:
    """CPU seconds of the process and its descendants (Linux /proc; None elsewhere)."""
    try:
        tick = os.sysconf("SC_CLK_TCK")
        stats = {}
        for entry in os.scandir("/proc"):
            if entry.name.isdigit():
                with contextlib.suppress(OSError):
                    with open(f"/proc/{entry.name}/stat") as f:
                        fields = f.read().rsplit(")", 1)[1].split()
                    stats[int(entry.name)] = (int(fields[1]), sum(int(v) for v in fields[11:15]))
    except (OSError, ValueError, AttributeError):
        return None
    tree, grew = {pid}, True
    while grew:
        grew = False
        for p, (parent, _) in stats.items():
            if parent in tree and p not in tree:
                tree.add(p)
                grew = True
    return sum(stats[p][1] for p in tree if p in stats) / tick


class _Watchdog(threading.Thread):
    # seconds a probe of the JVM (py4j) may take: a frozen JVM never answers, and a probe
    # waited for without end would stop the watchdog with it
    PATIENCE = 10.0

    def __init__(self, spark, window: float, step: float):
        super().__init__(name="endpointdsl-spark-watchdog", daemon=True)
        self.spark, self.window, self.step = spark, window, step
        self.done = threading.Event()
        self.reason: str | None = None
        self.warned = False  # the slowed-by-the-GC warning: once
        self.asking: _Probe | None = None  # the probe in flight (one at a time)
        self.gc = 0.0  # the JVM's last GC seconds answered

    def probe(self):
        """(a job runs, GC seconds) as the JVM answers them (py4j)."""
        if not list(self.spark.sparkContext.statusTracker().getActiveJobsIds()):
            return False, self.gc
        beans = self.spark._jvm.java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()
        return True, sum(max(b.getCollectionTime(), 0) for b in beans) / 1000

    def sample(self) -> tuple[float, float, float] | None:
        """(time, GC seconds, CPU seconds) while a job runs, else None. A JVM that does not
        answer within PATIENCE is taken as running a job with no more GC time than it last
        said: its CPU (/proc, read from outside) then decides, so a frozen one is a stall."""
        fresh = self.asking is None or self.asking.answered.is_set()
        if fresh:
            self.asking = _Probe(self.probe)
        if self.asking.answered.wait(self.PATIENCE if fresh else 0):  # one wait per probe
            active, self.gc = self.asking.answer()  # a probe that failed raises here
            if not active:
                return None
        cpu = _cpu_seconds(self.pid)
        return time.monotonic(), self.gc, cpu if cpu is not None else math.inf

    def run(self) -> None:
        try:
            self.pid = _jvm_pid(self.spark, self.PATIENCE)
            samples: list = []
            while not self.done.wait(self.step):
                now = self.sample()
                keep = self.window + 2 * self.step  # a sample a whole window back, no older ones
                samples = [] if now is None else [*(x for x in samples if now[0] - x[0] <= keep), now]
                if not self.warned and (said := slowed(samples, self.window)):
                    self.warned = True
                    say([said])
                reason = verdict(samples, self.window)
                if reason is not None:
                    self.reason = reason
                    # a JVM too busy to cancel (or a cancel that does not end the call) is
                    # ended: the call waiting on it then fails, and `watched` says why
                    ender = threading.Timer(self.GRACE, self._end)
                    ender.daemon = True
                    ender.start()
                    _Probe(self.spark.sparkContext.cancelAllJobs)  # may block on a frozen JVM
                    return
        except Exception:  # a watchdog that fails must not fail the run: it stops watching
            return

    GRACE = 60.0

    def _end(self) -> None:
        if not self.done.is_set():
            with contextlib.suppress(OSError):
                os.kill(self.pid, signal.SIGKILL)


class _Probe:
    """A call to the JVM on a daemon thread of its own, so that its caller can stop waiting:
    a py4j call to a frozen JVM blocks for ever (the thread is then left to it)."""

    def __init__(self, call):
        self.answered = threading.Event()
        self._answer, self._error = None, None
        threading.Thread(target=self._ask, args=(call,), name="endpointdsl-spark-probe", daemon=True).start()

    def _ask(self, call) -> None:
        try:
            self._answer = call()
        except Exception as exc:  # handed to the caller, in its thread
            self._error = exc
        finally:
            self.answered.set()

    def answer(self):
        if self._error is not None:
            raise self._error
        return self._answer


def _jvm_pid(spark, patience: float) -> int:
    """The local JVM's process id: pyspark started it as this process's child (its Popen,
    no call to the JVM), else the JVM's own answer (within `patience` seconds)."""
    proc = getattr(getattr(spark.sparkContext, "_gateway", None), "proc", None)
    if isinstance(getattr(proc, "pid", None), int):
        return proc.pid
    asked = _Probe(lambda: spark._jvm.java.lang.ProcessHandle.current().pid())
    if not asked.answered.wait(patience):
        raise TimeoutError("the JVM did not say its process id")
    return asked.answer()


@contextlib.contextmanager
def watched(spark, memory: str | None, local: bool, step: float = 5.0):
    """Spark's errors of running out of memory as E384, and, on a local classic session, the
    stall watchdog (E385): its jobs cancelled, the run ended with a message."""
    window = stall_seconds()
    dog = _Watchdog(spark, window, step) if local and window > 0 else None
    if dog is not None:
        dog.start()
    try:
        yield
    except (DataError, KeyboardInterrupt):
        raise
    except Exception as exc:
        if dog is not None and dog.reason is not None:
            raise SparkStalled(
                f"E385 Spark stalled: {dog.reason}; its jobs were cancelled. This is most often too "
                f"little memory: {memory_hint(memory)} (ENDPOINTDSL_SPARK_STALL=seconds waits longer; 0: no watchdog)"
            ) from None
        said = out_of_memory(exc, memory is not None)
        if said is None and local and ending(spark):  # an error of the JVM's end: its exit code says why
            said = ended(spark, ENDING)
        if said is not None:
            raise SparkOutOfMemory(f"E384 Spark ran out of memory ({said}); {memory_hint(memory)}") from None
        raise
    finally:
        if dog is not None:
            dog.done.set()
