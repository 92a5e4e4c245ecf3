"""Progress of long runs (issue 16): stages on standard error only when it is a terminal (or
--progress), never with --quiet or --no-progress, never on standard output, and nothing
from the API unless asked. The display's 2 s delay is set to 0 here, so that a short run
would show it: each "nothing" below could fail."""

from __future__ import annotations

import io
import sys

import pandas as pd
import pytest
from conftest import EXAMPLES, ROOT

import endpointdsl
from endpointdsl import cli, progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_display_shows_each_stage_once_the_delay_has_passed():
    stream = Terminal()
    with progress.StageDisplay(stream, delay=0) as display:
        display("reading adsl (adsl.csv)")
        display("deriving 2 endpoints (the SQL script)")
    text = stream.getvalue()
    assert "endpointdsl: stage 1: reading adsl (adsl.csv) (0 s)" in text
    assert "endpointdsl: stage 2: deriving 2 endpoints (the SQL script)" in text
    assert text.endswith("\r")  # the line is cleared at the end, nothing left after it


def test_a_short_run_shows_nothing():
    stream = Terminal()
    with progress.StageDisplay(stream, delay=3600) as display:
        display("reading adsl")
    assert stream.getvalue() == ""


def test_who_gets_a_display():
    assert isinstance(progress.display_for(Terminal(), None, False), progress.StageDisplay)
    assert progress.display_for(io.StringIO(), None, False) is None  # not a terminal
    assert isinstance(progress.display_for(io.StringIO(), True, False), progress.StageDisplay)
    assert progress.display_for(Terminal(), False, False) is None
    assert progress.display_for(Terminal(), True, True) is None  # --quiet wins


def test_the_api_says_its_stages_only_to_the_callable_it_is_given(capfd):
    compiled = endpointdsl.load(ROOT / "benchmarks" / "pfs.ept")
    tables = {
        "adsl": pd.DataFrame({"USUBJID": ["1"], "RANDDT": ["2024-01-01"], "DTHDT": [None]}),
        "adrs": pd.DataFrame(
            {"USUBJID": ["1"], "PARAMCD": ["OVR"], "ADT": ["2024-02-01"], "AVALC": ["PD"], "ASEQ": [1]}
        ),
    }
    seen = []
    compiled.run(tables, engine="sql", progress=seen.append)
    assert seen == [
        "checking the tables",
        "deriving 1 endpoint (the SQL script)",
        "collecting the results",
        "completing the ADaM variables",
    ]
    seen.clear()
    compiled.run(tables, engine="compiled", progress=seen.append)
    assert seen == [
        "checking the tables and deriving 1 endpoint per subject (compiled)",
        "completing the ADaM variables",
    ]
    result = compiled.run(tables, engine="sql")  # no progress: not a byte
    assert capfd.readouterr() == ("", "")
    assert result.adtte.EVNTDESC.tolist() == ["Disease Progression"]


def _run(folder, monkeypatch, stderr: io.StringIO, *flags: str) -> tuple[str, str, bytes]:
    monkeypatch.setattr(progress, "DELAY", 0)
    out, stdout = folder / "adtte.csv", io.StringIO()
    monkeypatch.setattr(sys, "stdout", stdout)
    monkeypatch.setattr(sys, "stderr", stderr)
    argv = ["run", str(EXAMPLES / "her2_cart_trastuzumab.ept"), "--data", str(EXAMPLES / "data")]
    assert cli.main([*argv, "--out", str(out), *flags]) == 0
    monkeypatch.undo()
    return stdout.getvalue(), stderr.getvalue().replace(str(folder), "OUT"), out.read_bytes()


@pytest.fixture(scope="module")
def plain(tmp_path_factory):
    """The run without a display: its standard output, standard error and ADTTE."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        return _run(tmp_path_factory.mktemp("plain"), monkeypatch, io.StringIO(), "--no-progress")


@pytest.mark.parametrize(
    ("name", "terminal", "flags", "shown"),
    [
        ("terminal", True, (), True),
        ("pipe", False, (), False),
        ("forced", False, ("--progress",), True),
        ("off", True, ("--no-progress",), False),
        ("quiet", True, ("--quiet",), False),
    ],
)
def test_run_shows_progress_on_stderr_only_when_wanted(
    tmp_path, monkeypatch, plain, name, terminal, flags, shown
):
    stderr = Terminal() if terminal else io.StringIO()
    stdout, err, adtte = _run(tmp_path, monkeypatch, stderr, *flags)
    plain_stdout, plain_err, plain_adtte = plain
    assert (stdout, adtte) == (plain_stdout, plain_adtte)  # outputs byte-identical either way
    assert "CBR " in stdout and "endpointdsl: stage" not in stdout
    for stage in (
        "reading adsl (adsl.csv)",
        "deriving",
        "(the SQL script)",
        "writing",
        "committing the outputs",
    ):
        assert (stage in err) is shown, stage
    assert ("\r" in err) is shown
    if not shown and name != "quiet":
        assert err == plain_err  # not one byte from the display
    if name == "quiet":  # and the closing lines go too; warnings stay
        assert "records for 21 subjects" in plain_err and "records for" not in err
        assert "written to" not in err
