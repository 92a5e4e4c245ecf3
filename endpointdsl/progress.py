"""Progress of a long run on standard error (issue 16): the stage it is in and for how long.

The API takes `progress`, any callable that is given each stage's name as the stage starts
(None, the default: nothing is said, so library users see no output). `endpointdsl run`
passes a StageDisplay: it stays silent for the first DELAY seconds, so that a short run
prints nothing, then keeps one line that tqdm redraws in place (its own thread, so a long
stage such as the SQL script still shows its time passing) and removes it at the end.
It writes only to the stream it is given, standard error: outputs written to standard
output stay byte-identical.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable

DELAY = 2.0  # seconds before anything is shown
TICK = 0.2  # seconds between redraws

Progress = Callable[[str], None]


def stage(progress: Progress | None, name: str) -> None:
    """Tell `progress` (if any) that the stage `name` starts."""
    if progress is not None:
        progress(name)


class StageDisplay:
    """The current stage and the time since the run started, on one line of `stream`; use
    it as a context manager (the line is removed, and its thread stopped, on leaving)."""

    def __init__(self, stream=None, delay: float | None = None, tick: float = TICK):
        self._stream = stream if stream is not None else sys.stderr
        self._delay, self._tick = DELAY if delay is None else delay, tick
        self._stage, self._count = "starting", 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._bar = None
        self._thread = threading.Thread(target=self._loop, name="endpointdsl-progress", daemon=True)
        self._start = time.monotonic()

    def __call__(self, name: str) -> None:
        with self._lock:
            self._stage, self._count = name, self._count + 1
            self._draw()  # a new stage shows at once (once the display shows at all)

    def __enter__(self) -> StageDisplay:
        self._start = time.monotonic()
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        with self._lock:
            if self._bar is not None:
                self._bar.close()  # leave=False: the line is cleared
                self._bar = None

    def _loop(self) -> None:
        while not self._stop.wait(self._tick):
            with self._lock:
                if not self._stop.is_set():
                    self._draw()

    def _draw(self) -> None:
        elapsed = time.monotonic() - self._start
        if elapsed < self._delay:
            return
        if self._bar is None:
            from tqdm import tqdm  # only when a run lasts long enough to show it

            self._bar = tqdm(file=self._stream, leave=False, bar_format="{desc}", dynamic_ncols=True)
        text = f"endpointdsl: stage {self._count}: {self._stage} ({elapsed:.0f} s)"
        if text != self._bar.desc:  # redrawn only when it changes (a forced display in a log)
            self._bar.set_description_str(text, refresh=False)
            self._bar.refresh()


def display_for(stream, flag: bool | None, quiet: bool) -> StageDisplay | None:
    """The CLI's display: `flag` (--progress/--no-progress) decides when given; else shown
    only when `stream` is a terminal. Never with --quiet."""
    if quiet:
        return None
    shown = flag if flag is not None else _is_terminal(stream)
    return StageDisplay(stream) if shown else None


def _is_terminal(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False
