"""Run manifest: what one `endpointdsl run` read and wrote, written last beside its outputs.

`OUT.manifest.json` names the run (id, time, engine, versions), the .ept file and every
input file with its sha256, and every output with its sha256. `verify` is what a reader
does: the outputs are one run's complete set when each one's hash matches.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import platform
import uuid
from importlib import metadata
from pathlib import Path

FORMAT = "endpointdsl-manifest/1"
PACKAGES = ("endpointdsl", "lark", "attrs", "pandas", "pyarrow", "pyreadstat", "duckdb", "scipy")


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _file(path: Path) -> dict:
    info = path.stat()
    return {
        "file": str(Path(path).resolve()),
        "sha256": sha256_file(path),
        "size": info.st_size,
        "modified": dt.datetime.fromtimestamp(info.st_mtime, dt.UTC).isoformat(timespec="seconds"),
    }


def versions() -> dict[str, str]:
    found = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return found


def run_manifest(ept: Path, inputs: dict[str, Path], engine: str, argv: list[str]) -> dict:
    """The manifest of a run, without its outputs (`writeset.OutputSet.commit` adds them)."""
    return {
        "format": FORMAT,
        "run_id": uuid.uuid4().hex,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "command": ["endpointdsl", *argv],
        "engine": engine,
        "definition": _file(ept),
        "inputs": [{"table": name, **_file(path)} for name, path in inputs.items()],
        "versions": versions(),
    }


def verify(manifest: str | Path) -> list[str]:
    """What keeps the outputs listed in a manifest from being that run's complete set (empty: nothing)."""
    data = json.loads(Path(manifest).read_text(encoding="utf-8"))
    problems = []
    for output in data["outputs"]:
        path = Path(output["file"])
        if not path.is_file():
            problems.append(f"{path}: missing")
        elif sha256_file(path) != output["sha256"]:
            problems.append(f"{path}: not the file this run wrote (sha256 differs)")
    return problems
