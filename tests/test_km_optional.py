"""km (issue 15): without the km extra (lifelines), `summary` says how to install it and
`run` derives and writes everything else. Runs in every environment: lifelines is hidden
from the import system here, whether it is installed or not."""

from __future__ import annotations

import builtins
import contextlib
import importlib
import importlib.util
import io

import pandas as pd
import pytest
from conftest import EXAMPLES

from endpointdsl.cli import main


@pytest.fixture
def no_lifelines(monkeypatch):
    real = builtins.__import__

    def hide(name, *args, **kwargs):
        if name.split(".")[0] == "lifelines":
            raise ImportError(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", hide)
    real_module = importlib.import_module

    def hide_module(name, *args):
        if name.split(".")[0] == "lifelines":
            raise ImportError(name)
        return real_module(name, *args)

    monkeypatch.setattr("importlib.import_module", hide_module)
    real_find = importlib.util.find_spec
    monkeypatch.setattr(
        "importlib.util.find_spec", lambda name, *a: None if name == "lifelines" else real_find(name, *a)
    )


def _cli(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


def test_summary_without_lifelines_says_how_to_install(no_lifelines, tmp_path):
    adtte = pd.DataFrame({
        "USUBJID": ["a", "b", "c"], "PARAMCD": "OS", "PARAM": "Overall Survival",
        "AVAL": [10.0, 20.0, 30.0], "CNSR": [0, 1, 0], "EVNTDESC": ["Death", "", "Death"],
    })  # fmt: skip
    adtte.to_csv(tmp_path / "adtte.csv", index=False)
    code, _, err = _cli(["summary", str(tmp_path / "adtte.csv")])
    assert code == 2 and 'pip install "endpointdsl[km]"' in err and "Traceback" not in err


def test_run_without_lifelines_writes_everything_but_the_km_table(no_lifelines, tmp_path):
    out = tmp_path / "adtte.csv"
    code, printed, err = _cli([
        "run", str(EXAMPLES / "her2_cart_trastuzumab.ept"), "--data", str(EXAMPLES / "data"),
        "--out", str(out), "--engine", "compiled",
    ])  # fmt: skip
    assert code == 0, err
    assert len(pd.read_csv(out)) > 0 and (tmp_path / "adtte.report.csv").exists()
    assert not (tmp_path / "adtte.km.csv").exists()
    assert "endpointdsl[km]" in printed + err  # the note says how to get the table
