"""Command line: exit codes, files written, and messages for unusable input."""

from __future__ import annotations

import ast
import importlib.util
import shutil

import pandas as pd
import pytest
from conftest import EXAMPLES, ROOT

from endpointdsl.cli import main

SEED = EXAMPLES / "her2_cart_trastuzumab.ept"
DATA = EXAMPLES / "data"


def test_check_clean_file(capsys):
    assert main(["check", str(SEED), str(EXAMPLES / "pharmaverse" / "adtte.ept")]) == 0
    assert "ok (TTF, PFS, DOR, OS, PFSSTD, CBR, ORR)" in capsys.readouterr().out


def test_check_reports_diagnostics_with_exit_1(tmp_path, capsys):
    bad = tmp_path / "bad.ept"
    bad.write_text(SEED.read_text().replace("to progression\n", "to progresion\n"))
    assert main(["check", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "bad.ept:" in err and "E104" in err and "did you mean `progression`?" in err


def test_missing_file_is_exit_2(tmp_path, capsys):
    assert main(["check", str(tmp_path / "nope.ept")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_compile_writes_a_standalone_module(tmp_path):
    target = tmp_path / "her2_endpoints.py"
    assert main(["compile", str(SEED), "-o", str(target)]) == 0
    spec = importlib.util.spec_from_file_location("her2_endpoints", target)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert set(module.ENDPOINTS) == {"TTF", "PFS", "DOR", "OS", "PFSSTD", "CBR", "ORR"}
    tables = {
        name: pd.read_csv(DATA / f"{name}.csv", dtype=str, keep_default_na=False) for name in module.TABLES
    }
    standalone = module.run(tables).adtte
    assert main(["run", str(SEED), "--data", str(DATA), "--out", str(tmp_path / "out.csv")]) == 0
    via_cli = pd.read_csv(tmp_path / "out.csv", dtype=str, keep_default_na=False)
    assert len(standalone) == len(via_cli) == 129
    assert list(standalone.USUBJID) == list(via_cli.USUBJID)
    # Every line that implements a statement names its .ept line, in a comment and in LINE_MAP.
    lines = target.read_text().splitlines()
    for gen_line, ept_line in module.LINE_MAP.items():
        assert lines[gen_line - 1].endswith(f"# her2_cart_trastuzumab.ept:{ept_line}")


def test_run_writes_output_and_report(tmp_path, capsys):
    out = tmp_path / "adtte.csv"
    assert main(["run", str(SEED), "--data", str(DATA), "--out", str(out)]) == 0
    adtte = pd.read_csv(out, dtype=str, keep_default_na=False)
    report = pd.read_csv(tmp_path / "adtte.report.csv", dtype=str, keep_default_na=False)
    assert list(adtte.columns) == [  # adam: STUDYID (the seed adsl has it) and PARAMN
        "STUDYID", "USUBJID", "PARAMCD", "PARAM", "PARAMN", "STARTDT", "STARTDTF", "ADT", "ADTF", "AVAL", "AVALC", "AVALU",
        "CNSR", "EVNTDESC", "CNSDTDSC", "SRCDOM", "SRCVAR", "SRCSEQ",
    ]  # fmt: skip
    assert list(report.columns) == ["USUBJID", "PARAMCD", "STATUS", "MESSAGE"]
    summary = pd.read_csv(tmp_path / "adtte.summary.csv")
    assert list(summary.PARAMCD) == ["CBR", "ORR"]
    captured = capsys.readouterr()
    assert "Clopper-Pearson" in captured.out
    # time-to-event rows have AVALC empty, the CBR and ORR flags Y or N
    assert set(adtte.AVALC[adtte.PARAMCD.isin(["CBR", "ORR"])]) == {"Y", "N"}
    assert set(adtte.AVALC[~adtte.PARAMCD.isin(["CBR", "ORR"])]) == {""}
    assert "129 records for 21 subjects; 25 exclusions and 14 data findings" in captured.err


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda d: (d / "adsv.csv").unlink(), "no file for table 'adsv'"),
        (
            lambda d: (d / "adrs.csv").write_text((d / "adrs.csv").read_text().replace("AVALC", "AVAL_C", 1)),
            "/adrs.csv) has no column AVALC, used at",
        ),
        (lambda d: (d / "adsl.csv").write_bytes(b"USUBJID,ENRLDT\n\xff\xfe,2021\n"), "not UTF-8"),
        (
            lambda d: (d / "adrs.csv").write_text((d / "adrs.csv").read_text().replace("AVALC", "avalc", 1)),
            "/adrs.csv) has no column AVALC, used at",
        ),
    ],
    ids=["missing-table", "missing-column", "not-utf8", "column-in-other-case"],
)
def test_unusable_data_is_exit_2_with_a_clear_message(tmp_path, capsys, mutate, message):
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    mutate(data)
    assert main(["run", str(SEED), "--data", str(data), "--out", str(tmp_path / "o.csv")]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err
    assert not (tmp_path / "o.csv").exists()
    if "avalc" in (data / "adrs.csv").read_text():
        assert "(did you mean avalc?)" in err  # a name that differs only in case comes first


def test_missing_column_names_the_ept_line(tmp_path, capsys):
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    (data / "adrs.csv").write_text((data / "adrs.csv").read_text().replace("AVALC", "AVALCX", 1))
    main(["run", str(SEED), "--data", str(data), "--out", str(tmp_path / "o.csv")])
    err = capsys.readouterr().err
    line = next(
        i for i, text in enumerate(SEED.read_text().splitlines(), 1) if text.startswith("event progression")
    )
    assert f"her2_cart_trastuzumab.ept:{line} (did you mean AVALCX?)" in err


def test_readme_says_what_a_compiled_module_imports(tmp_path):
    target = tmp_path / "her2_endpoints.py"
    assert main(["compile", str(SEED), "-o", str(target)]) == 0

    def module(node: ast.ImportFrom, name: str) -> str:  # `from P import m`: the module P.m, if m is one
        try:
            return (
                f"{node.module}.{name}" if importlib.util.find_spec(f"{node.module}.{name}") else node.module
            )
        except ModuleNotFoundError:  # P is a module, m a name in it
            return node.module

    imported = {
        module(node, alias.name)
        for node in ast.walk(ast.parse(target.read_text()))
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    assert imported == {
        "endpointdsl.engines.python.runtime",
        "endpointdsl.engines.python.runtime_response",
        "endpointdsl.data.tables",
    }
    row = next(line for line in (ROOT / "README.md").read_text().splitlines() if "compile FILE -o" in line)
    assert all(f"`{name}`" in row for name in imported) and "needs only" not in row


def test_compile_and_run_show_the_warnings_check_shows(tmp_path, capsys):
    """W102 (a subject may get no record) matters as much when deriving: every command prints
    the checker's warnings on standard error."""
    seed = tmp_path / "seed.ept"  # the seed example without the clauses that state the exclusions
    seed.write_text(
        (EXAMPLES / "her2_cart_trastuzumab.ept").read_text().replace("no censoring date: excluded", "")
    )
    assert main(["check", str(seed)]) == 0
    warned = [line for line in capsys.readouterr().err.splitlines() if "warning W102" in line]
    assert len(warned) == 4
    assert main(["compile", str(seed), "-o", str(tmp_path / "m.py")]) == 0
    assert [line for line in capsys.readouterr().err.splitlines() if "warning W102" in line] == warned
    out = tmp_path / "adtte.csv"
    assert main(["run", str(seed), "--data", str(EXAMPLES / "data"), "--out", str(out)]) == 0
    assert [line for line in capsys.readouterr().err.splitlines() if "warning W102" in line] == warned
