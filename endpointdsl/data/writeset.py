"""Output files: written whole, never over an input, and replaced as one set per run.

Why each step (issue 10, section 4):
- Each output is written into a private staging folder that the run creates in the
  target's folder (mkdtemp: a new name, mode 0700, created exclusively), so no other
  process and no planted symbolic link can reach the file being written. It is flushed
  to disk, then renamed over the target, which replaces a link at the target's name
  instead of writing through it.
- `refuse_overlaps` compares every output with every input and every other output,
  by resolved path and by file identity (hard links, symbolic links, case-insensitive
  disks), before anything is derived.
- `commit` takes a lock beside the main output, removes the previous manifest, renames
  the outputs and writes the new manifest last, with SIGINT/SIGTERM held back until the
  set is complete. Two runs writing the same outputs replace them one after the other;
  outputs beside no manifest, or beside a manifest whose hashes they do not match,
  are not one run's set.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import shutil
import signal
import stat
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from attrs import define, field

from .errors import DataError
from .write import WRITE_ERRORS, WRITERS, OutputError, check_output

STAGING_PREFIX = ".endpointdsl-"  # staging folders; one left behind only by a killed run (SIGKILL)


def manifest_path(out: Path) -> Path:
    return out.with_suffix(".manifest.json")


def lock_path(out: Path) -> Path:
    return out.with_name(f".{out.name}.lock")


# ---- no output over an input or over another output --------------------------------------


def _resolved(path: Path) -> Path:
    return Path(os.path.abspath(path)).resolve()  # resolves the links that exist


def _same_file(a: Path, b: Path) -> bool:
    with contextlib.suppress(OSError, ValueError):
        if os.path.samefile(a, b):  # hard links, links, a case-insensitive disk
            return True
    return _resolved(a) == _resolved(b)


def refuse_overlaps(outputs: list[tuple[Path, str]], inputs: list[tuple[Path, str]]) -> None:
    """An OutputError if an output (path, option) is an input (path, what it is) or another output."""
    for i, (path, option) in enumerate(outputs):
        for source, what in inputs:
            if _same_file(path, source):
                raise OutputError(
                    f"{option} {path} is {what} ({source}): an output never replaces an input; "
                    "choose another file name"
                )
        for other, other_option in outputs[:i]:
            if _same_file(path, other):
                raise OutputError(
                    f"{other_option} and {option} name the same file ({path}); give each output its own name"
                )
            # on a case-insensitive disk these are one file; refused everywhere, to be portable
            if str(_resolved(path)).casefold() == str(_resolved(other)).casefold():
                raise OutputError(
                    f"{other_option} {other} and {option} {path} differ only in case, which some disks "
                    "ignore; give each output its own name"
                )


def not_a_folder(path: Path, option: str) -> Path:
    if path.is_dir():
        raise OutputError(f"cannot write {option} {path}: it is a folder; name a file")
    return path


# ---- staging and committing ---------------------------------------------------------------


@define
class _Output:
    target: Path
    option: str
    staged: Path
    sha256: str | None = None
    size: int | None = None
    rows: int | None = None


@define
class OutputSet:
    """The outputs of one run: `add` each target (before deriving), `write` each, then `commit`.

    Leaving the `with` block removes the staging folders, also on an error or an interrupt.
    """

    outputs: list[_Output] = field(factory=list)
    staging: dict[Path, Path] = field(factory=dict)  # target folder -> its staging folder

    def __enter__(self) -> OutputSet:
        return self

    def __exit__(self, *exc) -> None:
        with signals_held():
            for folder in self.staging.values():
                shutil.rmtree(folder, ignore_errors=True)
        self.staging.clear()

    def add(self, path: str | Path, option: str) -> Path:
        """Reserve `path`: create its folder if missing and a staging folder beside it."""
        path = not_a_folder(Path(path), option)
        folder = path.parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except (FileExistsError, NotADirectoryError):
            blocking = next(p for p in (folder, *folder.parents) if p.exists() and not p.is_dir())
            raise OutputError(
                f"cannot write {path}: cannot create folder {folder}: {blocking} is a file"
            ) from None
        except OSError as exc:
            raise OutputError(
                f"cannot write {path}: cannot create folder {folder} ({_reason(exc)})"
            ) from None
        key = _resolved(folder)
        if key not in self.staging:
            try:
                self.staging[key] = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=folder))
            except OSError as exc:
                raise OutputError(f"cannot write {path}: folder {folder}: {_reason(exc)}") from None
        output = _Output(path, option, self.staging[key] / path.name)
        self.outputs.append(output)
        return path

    def write(self, path: Path, data, dataset: str = "", writer: Callable | None = None) -> None:
        """Write `data` (a table, or text with `writer`) to the staged file of `path`, to disk."""
        output = next(o for o in self.outputs if o.target == Path(path))
        write = writer or WRITERS[check_output(output.target).suffix.lower()]
        try:
            write(data, output.staged, dataset)
            output.sha256, output.size = _sync(output.staged)
        except (OutputError, DataError) as exc:
            raise OutputError(f"cannot write {output.target}: {exc}") from None
        except (OSError, *WRITE_ERRORS) as exc:
            raise OutputError(f"cannot write {output.target}: {_reason(exc)}") from None
        output.rows = len(data) if hasattr(data, "columns") else None

    def commit(self, manifest: dict | None = None, main: Path | None = None) -> None:
        """Rename every staged output over its target; with `manifest`, as one set beside `main`.

        The previous manifest goes first and the new one comes last, under a lock beside
        `main`, so a reader finds either no manifest or the one that lists these files.
        """
        if manifest is None:
            with signals_held():
                self._rename(self.outputs)
            return
        assert main is not None
        target = manifest_path(main)
        record = _Output(target, "manifest", self.staging[_resolved(target.parent)] / target.name)
        manifest["outputs"] = [
            {
                "file": str(_resolved(o.target.parent) / o.target.name),
                "option": o.option,
                "sha256": o.sha256,
                "size": o.size,
            }
            | ({"rows": o.rows} if o.rows is not None else {})
            for o in self.outputs
        ]
        try:
            _write_json(manifest, record.staged)
            _sync(record.staged)
        except OSError as exc:
            raise OutputError(f"cannot write {target}: {_reason(exc)}") from None
        with _locked(lock_path(main), main), signals_held():
            try:
                target.unlink(missing_ok=True)
                _sync_folder(target.parent)
            except OSError as exc:
                raise OutputError(f"cannot replace {target}: {_reason(exc)}") from None
            self._rename(self.outputs, hook=True)
            self._rename([record])

    def _rename(self, outputs: list[_Output], hook: bool = False) -> None:
        for i, output in enumerate(outputs):
            try:
                os.replace(output.staged, output.target)
            except OSError as exc:
                raise OutputError(f"cannot write {output.target}: {_reason(exc)}") from None
            if hook and i == 0:
                pause("commit")  # tests: one output replaced, the others not yet
        for folder in {o.target.parent for o in outputs}:
            _sync_folder(folder)


def _reason(exc: BaseException) -> str:
    if getattr(exc, "strerror", None):
        return exc.strerror
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _write_json(data: dict, path: Path) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        json.dump(data, handle, indent=2, ensure_ascii=False)
        handle.write("\n")


def _sync(path: Path) -> tuple[str, int]:
    """Flush a written file to disk; its sha256 and size, read from the same descriptor."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    try:
        digest, size = hashlib.sha256(), 0
        while chunk := os.read(fd, 1 << 20):
            digest.update(chunk)
            size += len(chunk)
        os.fsync(fd)
    finally:
        os.close(fd)
    return digest.hexdigest(), size


def _sync_folder(folder: Path) -> None:
    """Make the renames in a folder durable; not every system can open a folder for that."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def _locked(path: Path, main: Path) -> Iterator[None]:
    """An exclusive lock on `path` (created if missing, never through a link)."""
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock; each file is still whole
        yield
        return
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags, 0o666)
    except OSError as exc:
        why = "it is a symbolic link; remove it" if exc.errno == errno.ELOOP else _reason(exc)
        raise OutputError(f"cannot lock {path}: {why}") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OutputError(f"cannot lock {path}: not a regular file; remove it")
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(
                f"endpointdsl: waiting for another run writing {main} to finish", file=sys.stderr, flush=True
            )
            fcntl.flock(fd, fcntl.LOCK_EX)
        except OSError as exc:  # a file system without locks: go on, each file is still whole
            print(f"endpointdsl: warning: cannot lock {path} ({_reason(exc)})", file=sys.stderr)
        yield
    finally:
        os.close(fd)  # releases the lock


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """SIGINT and SIGTERM wait until the block is done (in the main thread, where Python
    handles them), so that an interrupt cannot stop a set of renames half-way."""
    if not hasattr(signal, "pthread_sigmask") or threading.current_thread() is not threading.main_thread():
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def pause(point: str) -> None:
    """A hook for tests of interrupts and concurrency: ENDPOINTDSL_TEST_PAUSE=POINT[:GOFILE]
    stops the run here, says so on stderr and waits for GOFILE to exist (or for a signal)."""
    spec = os.environ.get("ENDPOINTDSL_TEST_PAUSE", "")
    name, _, go = spec.partition(":")
    if name != point:
        return
    print(f"endpointdsl: paused at {point}", file=sys.stderr, flush=True)
    while not (go and os.path.exists(go)):
        time.sleep(0.01)


# ---- the Python API of before: a list of tables written as a set -------------------------


def write_tables(outputs: list[tuple[object, str | Path, str]]) -> None:
    """Write each (frame, path, SAS dataset name); if any cannot be written, none is."""
    paths = [check_output(path) for _, path, _ in outputs]
    refuse_overlaps([(p, str(p)) for p in paths], [])
    with OutputSet() as files:
        for path in paths:
            files.add(path, str(path))
        for (frame, _, dataset), path in zip(outputs, paths, strict=True):
            files.write(path, frame, dataset)
        files.commit()


def write_table(frame, path: str | Path, dataset: str = "ADTTE") -> None:
    write_tables([(frame, path, dataset)])
