"""Exit codes and one-line messages of the command line, never a traceback (docs/errors.md).

In-process through `endpointdsl.cli.main` (or `entry`, for the last resort); signals go
to a real process, stopped at a known point by the ENDPOINTDSL_TEST_PAUSE hook.
"""

from __future__ import annotations

import importlib
import os
import pathlib
import signal
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from conftest import EXAMPLES

import endpointdsl
from endpointdsl import cli
from endpointdsl.cli import main

SEED = EXAMPLES / "her2_cart_trastuzumab.ept"
DATA = EXAMPLES / "data"
STAGING = ".endpointdsl-"


def _one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in err, err
    return lines[0]


# ---- a .ept file that cannot be read: every command, exit 2 (its errors: exit 1) -------------


def _unreadable(path: Path, monkeypatch) -> None:
    path.write_text(SEED.read_text())
    path.chmod(0)
    if os.access(path, os.R_OK):  # root: permissions are not enforced, so refuse as the OS would
        real = pathlib.Path.read_text

        def read_text(self, *args, **kwargs):
            if self == path:
                raise PermissionError(13, "Permission denied", str(self))
            return real(self, *args, **kwargs)

        monkeypatch.setattr(pathlib.Path, "read_text", read_text)


EPT_CASES = {
    "missing": (lambda p, mp: None, 2, "error: {path}: no such file"),
    "folder": (lambda p, mp: p.mkdir(), 2, "error: {path}: is a folder, not a .ept file"),
    "unreadable": (_unreadable, 2, "error: {path}: cannot be read (Permission denied)"),
    "not-utf8": (lambda p, mp: p.write_bytes(b"table \xff"), 1, "error E004: {path} is not UTF-8 text"),
}
COMMANDS = {
    "check": [],
    "compile": ["-o", "{tmp}/out/x.py"],
    "run": ["--data", str(DATA), "--out", "{tmp}/out/o.csv"],
}


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("case", EPT_CASES)
def test_a_ept_file_that_cannot_be_read(tmp_path, capsys, monkeypatch, command, case):
    make, code, message = EPT_CASES[case]
    path = tmp_path / "pfs.ept"
    make(path, monkeypatch)
    argv = [a.replace("{tmp}", str(tmp_path)) for a in COMMANDS[command]]
    assert main([command, str(path), *argv]) == code
    err = capsys.readouterr().err
    assert message.format(path=path) in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out == f"endpointdsl {endpointdsl.__version__}\n"


def test_an_unusable_command_line_is_exit_2(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["run", str(SEED), "--out", "o.csv"])  # no --data
    assert exit_.value.code == 2
    assert "the following arguments are required: --data" in capsys.readouterr().err


# ---- counts in words --------------------------------------------------------------------------

ONE = """\
table adsl: one row per subject
table adae: many rows per subject

event randomisation = adsl.RANDDT label "Randomization"
event enrolment = adsl.ENRLDT label "Enrolment"
event death = adsl.DTHDT label "Death"
event ae = adae.ASTDT sequence AESEQ label "Adverse event"

endpoint OS "Overall Survival"
  from randomisation
  to death
  censor at origin cnsr 1
end

endpoint EFS "Event-Free Survival"
  from enrolment
  to first of ae, death
  censor at origin cnsr 1
end
"""


def test_counts_of_one_are_singular(tmp_path, capsys):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "adsl.csv").write_text("USUBJID,RANDDT,ENRLDT,DTHDT\nS1,2023-01-01,,2023-06-01\n")
    # S1 has no enrolment date: excluded from EFS, which then has no record (the one finding)
    (tmp_path / "data" / "adae.csv").write_text("USUBJID,ASTDT,AESEQ\nS1,2023-02-01,1\n")
    (tmp_path / "one.ept").write_text(ONE)
    out = tmp_path / "o.csv"
    assert main(["run", str(tmp_path / "one.ept"), "--data", str(tmp_path / "data"), "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert (
        f"{out}: 1 record for 1 subject; 1 exclusion and 1 data finding in {tmp_path / 'o.report.csv'}" in err
    )
    (tmp_path / "bad.ept").write_text(ONE.replace("to death", "to deth"))
    assert main(["check", str(tmp_path / "bad.ept")]) == 1
    assert f"{tmp_path / 'bad.ept'}: 1 error\n" in capsys.readouterr().err


# ---- memory -----------------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["data.read:read_tables", "api:CompiledFile.run"])
def test_python_out_of_memory_is_exit_5(tmp_path, capsys, monkeypatch, where):
    module, _, name = where.partition(":")

    def exhausted(*args, **kwargs):
        raise MemoryError()

    owner = importlib.import_module(f"endpointdsl.{module}")
    if "." in name:
        owner, name = getattr(owner, name.split(".")[0]), name.split(".")[1]
    monkeypatch.setattr(owner, name, exhausted)
    assert main(["run", str(SEED), "--data", str(DATA), "--out", str(tmp_path / "o.csv")]) == 5
    line = _one_error_line(capsys.readouterr().err)
    assert line.startswith("error: not enough memory (Python ran out); every input table and result is held")
    assert os.listdir(tmp_path) == []


def test_duckdb_out_of_memory_is_exit_5(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("ENDPOINTDSL_MEMORY_LIMIT", "1MB")
    assert main(["run", str(SEED), "--data", str(DATA), "--out", str(tmp_path / "o.csv")]) == 5
    line = _one_error_line(capsys.readouterr().err)
    assert line.startswith("error: not enough memory for DuckDB (Out of Memory Error")
    assert "ENDPOINTDSL_MEMORY_LIMIT=1MB is too small for these data" in line
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize(
    "variable, value, message",
    [
        ("ENDPOINTDSL_MEMORY_LIMIT", "lots", "ENDPOINTDSL_MEMORY_LIMIT='lots' is not a memory size ("),
        ("ENDPOINTDSL_THREADS", "four", "ENDPOINTDSL_THREADS='four' is not a number of threads"),
    ],
)
def test_an_unusable_setting_is_exit_2(tmp_path, capsys, monkeypatch, variable, value, message):
    monkeypatch.setenv(variable, value)
    assert main(["run", str(SEED), "--data", str(DATA), "--out", str(tmp_path / "o.csv")]) == 2
    assert message in _one_error_line(capsys.readouterr().err)


def test_duckdb_spills_into_a_private_folder_removed_after_the_run(tmp_path, monkeypatch):
    from endpointdsl.engines.sql.run import connect

    monkeypatch.chdir(tmp_path)
    con = connect(1)
    try:
        setting = con.execute(
            "SELECT current_setting('temp_directory'), current_setting('enable_progress_bar')"
        )
        spill, progress_bar = setting.fetchall()[0]
        spill, private = Path(spill), Path(spill).parent
        assert not progress_bar  # DuckDB would draw it on standard output, under the summary table
        assert private.is_absolute() and not spill.is_relative_to(tmp_path)  # not ./.tmp
        assert stat.S_IMODE(private.stat().st_mode) == 0o700
        con.execute("SET memory_limit = '16MB'")
        con.execute("CREATE TEMP TABLE t AS SELECT range i, md5(range::VARCHAR) s FROM range(500000)")
        assert con.execute("SELECT count(*) FROM (SELECT * FROM t ORDER BY s)").fetchall() == [(500000,)]
        assert any(spill.iterdir())  # it did spill, there
    finally:
        con.close()
    assert not private.exists() and os.listdir(tmp_path) == []


@pytest.mark.parametrize("received, code", [([], 130), ([signal.SIGTERM], 143)], ids=["SIGINT", "SIGTERM"])
def test_a_signal_during_a_duckdb_query_is_an_interrupt(tmp_path, capsys, monkeypatch, received, code):
    """DuckDB turns the exception of a signal handler into RuntimeError("Query interrupted")."""

    def interrupted(*args, **kwargs):
        raise RuntimeError("Query interrupted")

    monkeypatch.setattr(endpointdsl.api.CompiledFile, "run", interrupted)
    monkeypatch.setattr(cli, "_received", received)
    assert main(["run", str(SEED), "--data", str(DATA), "--out", str(tmp_path / "o.csv")]) == code
    word = "interrupted (SIGINT)" if code == 130 else "terminated (SIGTERM)"
    assert _one_error_line(capsys.readouterr().err) == f"error: {word}; temporary files removed"
    assert os.listdir(tmp_path) == []


# ---- the last resort: an unexpected exception ------------------------------------------------


@pytest.fixture
def sigterm_restored():
    handler = signal.getsignal(signal.SIGTERM)
    yield
    signal.signal(signal.SIGTERM, handler)


def test_an_unexpected_error_is_one_line_and_exit_70(monkeypatch, capsys, sigterm_restored):
    def broken(args):
        raise RuntimeError("boom\nmore detail")

    monkeypatch.setattr(cli, "_check", broken)
    monkeypatch.setattr(sys, "argv", ["endpointdsl", "check", str(SEED)])
    with pytest.raises(SystemExit) as exit_:
        cli.entry()
    assert exit_.value.code == 70
    line = _one_error_line(capsys.readouterr().err)
    assert line == (
        "error: internal error (RuntimeError: boom); please report it, with the command and the "
        "traceback that ENDPOINTDSL_DEBUG=1 shows"
    )
    monkeypatch.setenv("ENDPOINTDSL_DEBUG", "1")
    with pytest.raises(RuntimeError, match="boom"):
        cli.entry()


# ---- interrupts: a real process, stopped at a known point, then signalled -----------------------


def _start(args: list[str], env: dict) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-m", "endpointdsl", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **env},
        # a shell may start background jobs with SIGINT ignored; a user's Ctrl-C is not
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    timer = threading.Timer(120, proc.kill)  # a stuck test fails instead of hanging
    timer.daemon = True
    timer.start()
    return proc


def _wait_for(proc: subprocess.Popen, text: str) -> list[str]:
    seen = []
    while line := proc.stderr.readline():
        seen.append(line)
        if text in line:
            return seen
    raise AssertionError(f"the run ended (exit {proc.wait()}) without {text!r}: {''.join(seen)}")


SIGINT = (signal.SIGINT, 130, "error: interrupted (SIGINT); temporary files removed")
SIGTERM = (signal.SIGTERM, 143, "error: terminated (SIGTERM); temporary files removed")


@pytest.mark.parametrize(
    "signal_, point",
    [(SIGINT, "derive"), (SIGINT, "staged"), (SIGTERM, "staged")],
    ids=["SIGINT-derive", "SIGINT-staged", "SIGTERM-staged"],
)
def test_an_interrupted_run_removes_its_temporary_files(tmp_path, signal_, point):
    signum, code, message = signal_
    out = tmp_path / "adtte.csv"
    assert main(["run", str(SEED), "--data", str(DATA), "--out", str(out)]) == 0  # a previous run's set
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    proc = _start(
        ["run", str(SEED), "--data", str(DATA), "--out", str(out)], {"ENDPOINTDSL_TEST_PAUSE": point}
    )
    _wait_for(proc, f"paused at {point}")
    if point == "staged":
        assert len(list(tmp_path.glob(f"{STAGING}*/adtte.csv"))) == 1  # written, not yet renamed
    proc.send_signal(signum)
    err = proc.stderr.read()
    assert proc.wait() == code
    assert err.strip() == message and "Traceback" not in err
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before  # no staging folder left


class _ClosedPipe:
    def write(self, text: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")

    def flush(self) -> None:
        raise BrokenPipeError(32, "Broken pipe")


def test_a_closed_standard_output_is_exit_141_without_a_message(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdout", _ClosedPipe())  # as `endpointdsl compile FILE | head -1` leaves it
    assert main(["compile", str(SEED)]) == 141
    assert capsys.readouterr().err == ""
