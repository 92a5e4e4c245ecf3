"""One DuckDB database per process, a fresh cursor per run (issue 16: small data).

Opening and closing a configured DuckDB connection costs tens of milliseconds, as much as
deriving 1,000 subjects. A cursor of one in-memory database costs about a millisecond and
is its own connection: the Arrow views a run registers and the temporary tables its script
creates belong to the cursor and are gone when it closes, so each run starts clean and
leaves nothing behind. Each run (and each thread) takes its own cursor. The database is
made again when the settings it was made with change (ENDPOINTDSL_THREADS,
ENDPOINTDSL_MEMORY_LIMIT) or in a forked process, and closed at exit (removing its spill
folder).
"""

from __future__ import annotations

import atexit
import os
import threading
from collections.abc import Callable

SETTINGS = ("ENDPOINTDSL_THREADS", "ENDPOINTDSL_MEMORY_LIMIT")


class Sessions:
    def __init__(self, connect: Callable):
        self._connect, self._lock = connect, threading.Lock()
        self._db, self._made_for, self._threads = None, None, None
        atexit.register(self.close)

    def cursor(self, threads: int | None):
        """A new connection to the process's database, running on `threads` (None: the
        database's own setting: ENDPOINTDSL_THREADS, else DuckDB's default)."""
        made_for = (os.getpid(), *(os.environ.get(name) for name in SETTINGS))
        with self._lock:
            if self._db is None or self._made_for != made_for:
                if self._db is not None and self._made_for[0] == os.getpid():
                    self._db.close()
                self._db = self._connect()  # raises DataError for unusable settings, as connect does
                self._made_for = made_for
                self._threads = self._db.execute("SELECT current_setting('threads')").fetchall()[0][0]
            cursor = self._db.cursor()
        # a global setting of the database: a run alongside may set it too (speed only)
        cursor.execute(f"SET threads = {int(threads or self._threads)}")
        return cursor

    def close(self) -> None:
        with self._lock:
            if self._db is not None and self._made_for[0] == os.getpid():
                self._db.close()
            self._db = None
