"""The built LALR parser, kept between runs in the user's cache directory.

lark builds the parse tables of the grammar in about half a second, on every start of
every command; loading them takes a few milliseconds. The cache file is named by a hash
of everything the tables depend on (grammar, this package's parser code, lark and Python
versions), so an upgrade never loads stale tables. It is a pickle (lark's own format), so
it is read only from a directory that belongs to the user and that nobody else may write.
Anything unexpected (no home, read-only disk, a corrupt file) means: build, as without a
cache. `ENDPOINTDSL_NO_CACHE=1` turns it off; `ENDPOINTDSL_CACHE_DIR` moves it.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from pathlib import Path

import lark

FORMAT = 1  # bump when what is stored changes


def directory() -> Path | None:
    if os.environ.get("ENDPOINTDSL_NO_CACHE"):
        return None
    if os.environ.get("ENDPOINTDSL_CACHE_DIR"):
        return Path(os.environ["ENDPOINTDSL_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "endpointdsl" if os.path.isabs(base) else None


def path(grammar: str) -> Path | None:
    """Where the parser for this grammar is kept, or None when there is no cache."""
    folder = directory()
    if folder is None:
        return None
    digest = hashlib.sha256()
    for part in (
        grammar,
        Path(__file__).with_name("parser.py").read_text(encoding="utf-8"),  # how terminals are edited
        lark.__version__,
        f"{sys.version_info[:2]}",
        f"{FORMAT}",
    ):
        digest.update(part.encode("utf-8") + b"\0")
    return folder / f"parser-{digest.hexdigest()[:32]}.pickle"


def _private(p: Path, is_dir: bool) -> bool:
    """Owned by this user, of the expected kind, writable by nobody else."""
    try:
        st = p.lstat()
    except OSError:
        return False
    kind_ok = p.is_dir() and not p.is_symlink() if is_dir else p.is_file() and not p.is_symlink()
    mine = not hasattr(os, "getuid") or st.st_uid == os.getuid()
    return kind_ok and mine and not st.st_mode & 0o022


def load(file: Path) -> tuple[lark.Lark, dict[str, str]] | None:
    if not (_private(file.parent, True) and _private(file, False)):
        return None
    try:
        with file.open("rb") as f:
            parser = lark.Lark.load(f)
            keywords = pickle.load(f)
    except Exception:  # a corrupt or foreign file: build instead
        return None
    if not isinstance(keywords, dict):
        return None
    return parser, keywords


def save(file: Path, parser: lark.Lark, keywords: dict[str, str]) -> None:
    """Write atomically (a temporary file renamed), so a concurrent start never reads half."""
    try:
        file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _private(file.parent, True):
            return
        fd, tmp = tempfile.mkstemp(dir=file.parent, prefix=".parser-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                parser.save(f, exclude_options={"edit_terminals"})
                pickle.dump(dict(keywords), f)
            os.replace(tmp, file)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError:
        pass  # no cache this time
