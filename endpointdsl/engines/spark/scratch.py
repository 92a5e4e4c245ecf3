"""Spark engine, the folder the results are written to in parts (issue 16, collect.py).

Spark's executors write the parts through Spark's own (Hadoop's) filesystems; the driver's
Python reads them through pyarrow's. Those must be one folder seen from both sides:
- a local master or a Connect server started here (`local[N]`): a temporary folder on this
  machine's disk, which the executors share;
- anywhere, `ENDPOINTDSL_SPARK_SCRATCH=<uri>` (a cluster, a remote Connect server):
  `file:///shared/nfs/...`, `hdfs://...`, `s3a://...`, `gs://...`, whatever Spark writes
  and `pyarrow.fs.FileSystem.from_uri` opens (Hadoop's `s3a://` is pyarrow's `s3://`).
Each run writes in a folder of its own, `endpointdsl-<random>`, removed at its end, failed,
interrupted or not. E394: this process cannot open or write the scratch location.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import sys
import tempfile
import uuid
from pathlib import Path

import pyarrow as pa
from attrs import frozen

from ...data.errors import DataError

SETTING = "ENDPOINTDSL_SPARK_SCRATCH"
# Hadoop's names of a store that pyarrow names otherwise
_PYARROW_SCHEME = {"s3a": "s3", "s3n": "s3", "gcs": "gs"}
_URI = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]+)://(.*)$")  # two letters at least: C:\ is a path


class ScratchError(DataError):
    """E394 (the scratch location cannot be opened or written here) or E395 (the driver
    cannot read what the executors wrote): exit 2, the message says what to set."""


@frozen
class Folder:
    """One folder, as Spark names it (`uri`) and as pyarrow opens it (`filesystem`, `path`)."""

    uri: str
    filesystem: object
    path: str

    def child(self, name: str) -> Folder:
        return Folder(f"{self.uri.rstrip('/')}/{name}", self.filesystem, f"{self.path.rstrip('/')}/{name}")

    def remove(self) -> None:
        """The folder and what is in it; a folder that cannot be removed is said, not raised
        (the run's outcome stands)."""
        try:
            self.filesystem.delete_dir(self.path)
        except FileNotFoundError:
            pass
        except (OSError, pa.ArrowException) as exc:
            note = f"endpointdsl: note: could not remove Spark's scratch folder {self.uri}: {exc}"
            print(note, file=sys.stderr, flush=True)


def setting() -> str | None:
    return os.environ.get(SETTING, "").strip() or None


def _bad(uri: str, why: str) -> ScratchError:
    return ScratchError(
        f"E394 {SETTING}={uri}: {why}; it must name a folder that Spark's executors write and this "
        "process reads (file:///shared/folder on a disk both mount, hdfs://, s3a://, gs://), with "
        "credentials for both"
    )


def opened(uri: str) -> Folder:
    """The scratch location as a Folder, or E394: not a URI, a store pyarrow cannot open
    here (no such filesystem in this pyarrow, its credentials missing); `run_folder`: E394 when
    this process cannot write in it."""
    match = _URI.match(uri)
    if match is None:
        raise _bad(uri, "not a URI (scheme://...)")
    scheme, rest = match.groups()
    pyarrow_uri = f"{_PYARROW_SCHEME.get(scheme.lower(), scheme.lower())}://{rest}"
    try:
        filesystem, path = _from_uri(pyarrow_uri)
    except (pa.ArrowException, ValueError, OSError) as exc:
        raise _bad(uri, f"this process cannot open it ({first_line(exc)})") from None
    return Folder(uri.rstrip("/"), filesystem, path.rstrip("/") or "/")


def _from_uri(uri: str):
    from pyarrow import fs

    return fs.FileSystem.from_uri(uri)


def first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


@contextlib.contextmanager
def run_folder(base: Folder | None):
    """A folder of the run's own in `base` (None: a temporary folder on this machine),
    removed when the run ends, however it ends (Ctrl-C too)."""
    if base is None:
        local = Path(tempfile.mkdtemp(prefix="endpointdsl-spark-"))
        from pyarrow import fs

        try:
            yield Folder(local.as_uri(), fs.LocalFileSystem(), str(local))
        finally:
            shutil.rmtree(local, ignore_errors=True)
        return
    folder = base.child(f"endpointdsl-{uuid.uuid4().hex}")
    try:
        folder.filesystem.create_dir(folder.path, recursive=True)
    except (OSError, pa.ArrowException) as exc:
        raise _bad(base.uri, f"this process cannot write in it ({first_line(exc)})") from None
    try:
        yield folder
    finally:
        folder.remove()
