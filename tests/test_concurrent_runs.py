"""Two `endpointdsl run` processes writing one --out: the result is one run's complete set.

The runs read different data, so their outputs differ. Each expected set is derived
beforehand; afterwards ADTTE, report, summary and manifest must all be the same run's,
and the manifest's hashes must match the files. Nothing here depends on timing:
- the runs meet at a barrier half-way through writing their ADTTE (a wrapper around
  pandas' to_csv, the writer of every version), so their writing overlaps every time;
- one run is held inside its rename phase (ENDPOINTDSL_TEST_PAUSE) while the other
  reaches the lock and says it waits; only then is the first released.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from conftest import EXAMPLES

from endpointdsl.cli import main

SEED = EXAMPLES / "her2_cart_trastuzumab.ept"
NAMES = ("adtte.csv", "adtte.report.csv", "adtte.summary.csv")

# Runs main() with pandas' to_csv replaced: the first table written to a file is written
# half, then the process waits until the other run has written half of its own.
BARRIER = """
import os, sys, time
import pandas as pd
from pathlib import Path

me, other = Path(sys.argv[1]), Path(sys.argv[2])
real = pd.DataFrame.to_csv
first = [True]

def to_csv(self, path_or_buf=None, *args, **kwargs):
    if not first[0] or not isinstance(path_or_buf, (str, os.PathLike)):
        return real(self, path_or_buf, *args, **kwargs)
    first[0] = False
    text = real(self, None, *args, **kwargs)
    with open(path_or_buf, "w", encoding="utf-8", newline="") as handle:
        handle.write(text[: len(text) // 2])
        handle.flush()
        me.touch()
        deadline = time.monotonic() + 60
        while not other.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        handle.write(text[len(text) // 2 :])

pd.DataFrame.to_csv = to_csv
from endpointdsl.cli import main
sys.exit(main(sys.argv[3:]))
"""


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, tuple[Path, dict[str, bytes]]]:
    """Two data folders (the example, and the example without its last subject) with the
    outputs each gives, derived one at a time."""
    root = tmp_path_factory.mktemp("runs")
    expected = {}
    for name in ("full", "short"):
        data = root / name
        shutil.copytree(EXAMPLES / "data", data)
        if name == "short":
            lines = (data / "adsl.csv").read_text().splitlines()
            (data / "adsl.csv").write_text("\n".join(lines[:-1]) + "\n")
        out = root / f"expected-{name}" / "adtte.csv"
        out.parent.mkdir()
        assert main(_run_args(data, out)) == 0
        expected[name] = (data, {n: (out.parent / n).read_bytes() for n in NAMES})
    assert expected["full"][1]["adtte.csv"] != expected["short"][1]["adtte.csv"]
    return expected


def _popen(args: list[str], env: dict | None = None) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )
    timer = threading.Timer(180, proc.kill)  # a stuck test fails instead of hanging
    timer.daemon = True
    timer.start()
    return proc


def _run_args(data: Path, out: Path) -> list[str]:
    return ["run", str(SEED), "--data", str(data), "--out", str(out), "--engine", "compiled"]  # quickest


def _one_runs_set(folder: Path, runs) -> str:
    """Which run's complete set the folder holds; fails if it holds none."""
    from endpointdsl.data.manifest import verify

    files = {n: (folder / n).read_bytes() for n in NAMES}
    owners = [name for name, (_, expected) in runs.items() if files == expected]
    assert len(owners) == 1, {n: [k for k, (_, e) in runs.items() if e[n] == files[n]] for n in NAMES}
    manifest = folder / "adtte.manifest.json"
    assert verify(manifest) == []
    inputs = json.loads(manifest.read_text())["inputs"]
    assert {Path(i["file"]).parent for i in inputs} == {runs[owners[0]][0].resolve()}
    assert not list(folder.glob(".endpointdsl-*"))
    return owners[0]


@pytest.mark.parametrize("repeat", range(3))
def test_two_runs_writing_one_out_leave_one_runs_complete_output(tmp_path, runs, repeat):
    out = tmp_path / "adtte.csv"
    marks = {name: tmp_path / f"half-written-{name}" for name in runs}
    procs = {
        name: _popen(["-c", BARRIER, str(marks[name]), str(marks[other]), *_run_args(runs[name][0], out)])
        for name, other in (("full", "short"), ("short", "full"))
    }
    errors = {name: proc.communicate()[1] for name, proc in procs.items()}
    assert {name: proc.returncode for name, proc in procs.items()} == {"full": 0, "short": 0}, errors
    assert all(mark.exists() for mark in marks.values())  # both wrote at the same time
    _one_runs_set(tmp_path, runs)


def _wait_for(proc: subprocess.Popen, text: str) -> None:
    seen = []
    while line := proc.stderr.readline():
        seen.append(line)
        if text in line:
            return
    raise AssertionError(f"the run ended (exit {proc.wait()}) without {text!r}: {''.join(seen)}")


def test_a_second_run_waits_for_the_first_to_finish_replacing_its_outputs(tmp_path, runs):
    out, go = tmp_path / "adtte.csv", tmp_path / "go"
    assert main(_run_args(runs["short"][0], out)) == 0  # an earlier set
    first = _popen(
        ["-m", "endpointdsl", *_run_args(runs["full"][0], out)], {"ENDPOINTDSL_TEST_PAUSE": f"commit:{go}"}
    )
    _wait_for(first, "paused at commit")
    # Half-way: the new ADTTE beside the old report, and no manifest to vouch for them.
    assert (tmp_path / "adtte.csv").read_bytes() == runs["full"][1]["adtte.csv"]
    assert (tmp_path / "adtte.report.csv").read_bytes() == runs["short"][1]["adtte.report.csv"]
    assert not (tmp_path / "adtte.manifest.json").exists()
    second = _popen(["-m", "endpointdsl", *_run_args(runs["short"][0], out)])
    _wait_for(second, f"waiting for another run writing {out} to finish")
    go.touch()
    assert first.wait() == 0 and second.wait() == 0
    assert _one_runs_set(tmp_path, runs) == "short"  # the second run's set, whole


def test_a_run_interrupted_while_waiting_for_the_lock_leaves_the_other_runs_set(tmp_path, runs):
    out, go = tmp_path / "adtte.csv", tmp_path / "go"
    first = _popen(
        ["-m", "endpointdsl", *_run_args(runs["full"][0], out)], {"ENDPOINTDSL_TEST_PAUSE": f"commit:{go}"}
    )
    _wait_for(first, "paused at commit")
    second = _popen(["-m", "endpointdsl", *_run_args(runs["short"][0], out)])
    _wait_for(second, "waiting for another run")
    second.send_signal(signal.SIGTERM)
    assert second.wait() == 143
    go.touch()
    assert first.wait() == 0
    assert _one_runs_set(tmp_path, runs) == "full"
