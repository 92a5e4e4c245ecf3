"""DuckDB databases kept for the process, a fresh cursor per run (issue 16: small data).

Opening and closing a configured DuckDB connection costs tens of milliseconds, as much as
deriving 1,000 subjects. A cursor of one in-memory database costs about a millisecond and
is its own connection: the Arrow views a run registers and the temporary tables its script
creates belong to the cursor and are gone when it closes, so each run starts clean and
leaves nothing behind. Each run (and each thread) takes its own cursor.

Concurrent runs (issue 16): DuckDB's `threads` is a GLOBAL setting of a database (it cannot
be set for one connection), so a run that set it would change the runs alongside. There is
therefore one database per settings key: the process, ENDPOINTDSL_THREADS,
ENDPOINTDSL_MEMORY_LIMIT and the run's threads (in practice two: one thread for small
data, the default for the rest). A database whose settings changed is no longer handed out,
and closed (with its spill folder) when the last cursor on it closes, never under a run in
progress. In a forked process the parent's databases are left to the parent. All are closed
at exit.
"""

from __future__ import annotations

import atexit
import os
import threading
from collections.abc import Callable

SETTINGS = ("ENDPOINTDSL_THREADS", "ENDPOINTDSL_MEMORY_LIMIT")


class _Database:
    """One configured database and the number of its cursors still open."""

    def __init__(self, connection):
        self.connection, self.open, self.retired = connection, 0, False


class Cursor:
    """A run's connection to a kept database; closing it releases the database (which is
    closed when it is retired and this was its last cursor). Everything else is DuckDB's."""

    def __init__(self, cursor, release: Callable[[], None]):
        self._cursor, self._release = cursor, release

    def __getattr__(self, name: str):
        return getattr(self._cursor, name)

    def close(self) -> None:
        try:
            self._cursor.close()
        finally:
            release, self._release = self._release, None
            if release is not None:  # a second close releases nothing
                release()


class Sessions:
    def __init__(self, connect: Callable):
        self._connect, self._lock = connect, threading.Lock()
        self._current: dict[tuple, _Database] = {}  # settings key -> the database handed out
        self._retired: list[_Database] = []  # settings changed, cursors still open
        self._pid = os.getpid()
        atexit.register(self.close)

    def cursor(self, threads: int | None) -> Cursor:
        """A new connection to the process's database for these settings, running on `threads`
        (None: ENDPOINTDSL_THREADS, else DuckDB's default)."""
        settings = tuple(os.environ.get(name) for name in SETTINGS)
        with self._lock:
            if self._pid != os.getpid():  # a forked child: the parent's databases are not ours
                self._current, self._retired, self._pid = {}, [], os.getpid()
            for key in [k for k in self._current if k[0] != settings]:  # settings changed
                self._retire(self._current.pop(key))
            key = (settings, threads or None)
            db = self._current.get(key)
            if db is None:  # raises DataError for unusable settings, as connect does
                db = self._current[key] = _Database(self._connect(threads or None))
            cursor = db.connection.cursor()
            db.open += 1
        return Cursor(cursor, lambda: self._released(db))

    def retired(self) -> int:
        """How many databases whose settings changed are kept open for runs in progress."""
        with self._lock:
            return len(self._retired)

    def _released(self, db: _Database) -> None:
        with self._lock:
            db.open -= 1
            if db.retired and db.open == 0 and db in self._retired:
                self._retired.remove(db)
                db.connection.close()

    def _retire(self, db: _Database) -> None:
        """Not handed out again; closed now if no cursor is open on it, else by the last one."""
        db.retired = True
        if db.open == 0:
            db.connection.close()
        else:
            self._retired.append(db)

    def close(self) -> None:
        """At exit: every database of this process closed (spill folders removed)."""
        with self._lock:
            if self._pid == os.getpid():
                for db in [*self._current.values(), *self._retired]:
                    db.connection.close()
            self._current, self._retired = {}, []
