"""Output files: never over an input or another output, never torn, and one run's set.

Each case runs the command line in-process (`main`), except where processes must run
at once (tests/test_concurrent_runs.py). Every refused output is exit 4 with one line
naming both files, and leaves the inputs and the output folder as they were.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
from pathlib import Path

import pandas as pd
import pyreadstat
import pytest
from conftest import EXAMPLES

from endpointdsl.cli import main

STAGING = ".endpointdsl-"  # writeset.STAGING_PREFIX (the modules are imported where used, so
# that this file runs, and fails case by case, on the code before them)


def verify(manifest: Path) -> list[str]:
    import endpointdsl  # as the README says: endpointdsl.manifest.verify(path)

    return endpointdsl.manifest.verify(manifest)


SEED = EXAMPLES / "her2_cart_trastuzumab.ept"
DATA = EXAMPLES / "data"


@pytest.fixture
def data(tmp_path) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(DATA, folder)
    return folder


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in err, err
    return lines[0]


# ---- no output over an input, the .ept file or another output (exit 4, before deriving) ----

OVERLAPS = {
    "out-is-input-table": (["--out", "{data}/adrs.csv"], "--out {data}/adrs.csv is the input table 'adrs'"),
    "report-is-input-table": (
        ["--out", "{tmp}/o.csv", "--report", "{data}/adsl.csv"],
        "--report {data}/adsl.csv is the input table 'adsl'",
    ),
    "summary-is-input-table": (
        ["--out", "{tmp}/o.csv", "--summary", "{data}/adsv.csv"],
        "--summary {data}/adsv.csv is the input table 'adsv'",
    ),
    "out-hard-link-to-input": (["--out", "{tmp}/hard.csv"], "--out {tmp}/hard.csv is the input table 'adrs'"),
    "report-symlink-to-input": (
        ["--out", "{tmp}/o.csv", "--report", "{tmp}/link.csv"],
        "--report {tmp}/link.csv is the input table 'adsl'",
    ),
    "out-through-symlinked-folder": (
        ["--out", "{tmp}/data_link/adsv.csv"],
        "--out {tmp}/data_link/adsv.csv is the input table 'adsv'",
    ),
    "default-report-hard-link-to-input": (
        ["--out", "{tmp}/o.csv"],
        "the report {tmp}/o.report.csv is the input table 'adsv'",
    ),
    "report-named-as-a-table-file": (
        ["--out", "{tmp}/o.csv", "--report", "{data}/ADSL.xpt"],
        "--report {data}/ADSL.xpt is named as a file of the input table 'adsl' in the data folder",
    ),
    "out-through-a-link-named-as-a-table-file": (
        ["--out", "{tmp}/data_link/adrs.parquet"],
        "--out {tmp}/data_link/adrs.parquet is named as a file of the input table 'adrs'",
    ),
    "out-and-report-same": (
        ["--out", "{tmp}/o.csv", "--report", "{tmp}/o.csv"],
        "--out and --report name the same file ({tmp}/o.csv)",
    ),
    "report-and-summary-same": (
        ["--out", "{tmp}/o.csv", "--report", "{tmp}/r.csv", "--summary", "{tmp}/./r.csv"],
        "--report and --summary name the same file",
    ),
    "outputs-differ-in-case-only": (
        ["--out", "{tmp}/o.csv", "--report", "{tmp}/O.csv"],
        "--out {tmp}/o.csv and --report {tmp}/O.csv differ only in case",
    ),
}


@pytest.mark.parametrize("case", OVERLAPS)
def test_an_output_never_replaces_an_input_or_another_output(tmp_path, data, capsys, case):
    args, message = OVERLAPS[case]
    os.link(data / "adrs.csv", tmp_path / "hard.csv")
    (tmp_path / "link.csv").symlink_to(data / "adsl.csv")
    (tmp_path / "data_link").symlink_to(data)
    if case == "default-report-hard-link-to-input":
        os.link(data / "adsv.csv", tmp_path / "o.report.csv")
    before, listing = _snapshot(data), sorted(os.listdir(tmp_path))
    argv = [a.format(tmp=tmp_path, data=data) for a in args]
    assert main(["run", str(SEED), "--data", str(data), *argv]) == 4
    line = _one_error_line(capsys.readouterr().err)
    assert message.format(tmp=tmp_path, data=data) in line
    assert _snapshot(data) == before
    assert sorted(os.listdir(tmp_path)) == listing  # nothing written, no folder or file left


def test_the_ept_file_is_never_an_output(tmp_path, data, capsys):
    ept = tmp_path / "seed.csv"  # an odd name, but an output extension
    ept.write_text(SEED.read_text())
    assert (
        main(["run", str(ept), "--data", str(data), "--out", str(tmp_path / "o.csv"), "--report", str(ept)])
        == 4
    )
    assert f"--report {ept} is the .ept file" in _one_error_line(capsys.readouterr().err)
    assert ept.read_text() == SEED.read_text()


COMPILE = {
    "missing-folders-are-created": (["-o", "{tmp}/new/dir/her2.py"], 0, None),
    "sql-missing-folder": (["--target", "sql", "-o", "{tmp}/sql/her2.sql"], 0, None),
    "o-is-a-folder": (["-o", "{tmp}"], 4, "cannot write -o {tmp}: it is a folder; name a file"),
    "o-is-the-ept-file": (["-o", "{ept}"], 4, "-o {ept} is the .ept file being compiled ({ept})"),
    "o-is-a-hard-link-to-the-ept-file": (["-o", "{tmp}/hard.py"], 4, "-o {tmp}/hard.py is the .ept file"),
    "o-under-a-file": (
        ["-o", "{tmp}/plain.txt/her2.py"],
        4,
        "cannot write {tmp}/plain.txt/her2.py: cannot create folder {tmp}/plain.txt: {tmp}/plain.txt is a file",
    ),
}


@pytest.mark.parametrize("case", COMPILE)
def test_compile_output(tmp_path, capsys, case):
    args, code, message = COMPILE[case]
    ept = tmp_path / "her2.ept"
    ept.write_text(SEED.read_text())
    os.link(ept, tmp_path / "hard.py")
    (tmp_path / "plain.txt").write_text("a file")
    argv = [a.format(tmp=tmp_path, ept=ept) for a in args]
    assert main(["compile", str(ept), *argv]) == code
    err = capsys.readouterr().err
    if message is None:
        target = Path(argv[-1])
        assert target.is_file() and not err
        if target.suffix == ".py":
            spec = importlib.util.spec_from_file_location("her2_compiled", target)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            assert "PFS" in module.ENDPOINTS
    else:
        assert message.format(tmp=tmp_path, ept=ept) in _one_error_line(err)
    assert ept.read_text() == SEED.read_text()
    assert not list(tmp_path.rglob(f"{STAGING}*"))


def test_missing_output_folders_are_created_for_every_output(tmp_path):
    out, report, summary = tmp_path / "a" / "o.csv", tmp_path / "b" / "c" / "r.csv", tmp_path / "d" / "s.csv"
    argv = ["run", str(SEED), "--data", str(DATA), "--out", str(out), "--report", str(report)]
    assert main([*argv, "--summary", str(summary)]) == 0
    assert out.is_file() and report.is_file() and summary.is_file()
    assert (tmp_path / "a" / "o.manifest.json").is_file()


@pytest.mark.parametrize(
    "args, message",
    [
        (["--out", "{tmp}/folder.csv"], "cannot write --out {tmp}/folder.csv: it is a folder; name a file"),
        (
            ["--out", "{tmp}/o.csv", "--summary", "{tmp}/folder.csv"],
            "cannot write --summary {tmp}/folder.csv: it is a folder",
        ),
        (
            ["--out", "{tmp}/m.csv"],
            "cannot write the manifest {tmp}/m.manifest.json: it is a folder",
        ),
        (
            ["--out", "{tmp}/plain.txt/deeper/o.csv"],
            "cannot write {tmp}/plain.txt/deeper/o.csv: cannot create folder {tmp}/plain.txt/deeper: "
            "{tmp}/plain.txt is a file",
        ),
    ],
    ids=["out-is-a-folder", "summary-is-a-folder", "manifest-is-a-folder", "folder-is-a-file"],
)
def test_an_output_that_cannot_be_a_file_is_exit_4(tmp_path, capsys, args, message):
    for folder in ("folder.csv", "m.manifest.json"):
        (tmp_path / folder).mkdir()
    (tmp_path / "plain.txt").write_text("a file")
    argv = [a.format(tmp=tmp_path) for a in args]
    assert main(["run", str(SEED), "--data", str(DATA), *argv]) == 4
    assert message.format(tmp=tmp_path) in _one_error_line(capsys.readouterr().err)
    assert sorted(os.listdir(tmp_path)) == ["folder.csv", "m.manifest.json", "plain.txt"]


# ---- no planted link can redirect an output ------------------------------------------------

# Every name the writer of 0f88a4a or of today could use beside --out, except the lock file
# (below): the outputs, the manifest, and the old fixed staging names.
PLANTED = [
    "adtte.csv", "adtte.report.csv", "adtte.summary.csv", "adtte.manifest.json",
    ".adtte.csv.partial", ".adtte.report.csv.partial", ".adtte.summary.csv.partial",
]  # fmt: skip


def test_a_planted_symlink_never_redirects_an_output(tmp_path):
    out_dir, victims = tmp_path / "out", tmp_path / "victims"
    out_dir.mkdir()
    victims.mkdir()
    for i, name in enumerate(PLANTED):
        victim = victims / f"victim{i}.txt"
        victim.write_text("not patient data")
        (out_dir / name).symlink_to(victim)
        (out_dir / f"dangling-{name}").symlink_to(victims / f"absent{i}.txt")
    assert main(["run", str(SEED), "--data", str(DATA), "--out", str(out_dir / "adtte.csv")]) == 0
    for i, name in enumerate(PLANTED):
        assert (victims / f"victim{i}.txt").read_text() == "not patient data", name
    assert sorted(p.name for p in victims.iterdir()) == sorted(f"victim{i}.txt" for i in range(len(PLANTED)))
    for name in ("adtte.csv", "adtte.report.csv", "adtte.summary.csv", "adtte.manifest.json"):
        assert (out_dir / name).is_file() and not (out_dir / name).is_symlink()
    assert verify(out_dir / "adtte.manifest.json") == []


def test_a_symlink_at_the_lock_name_is_refused(tmp_path, capsys):
    victim = tmp_path / "victim.txt"
    victim.write_text("not patient data")
    (tmp_path / ".adtte.csv.lock").symlink_to(victim)
    assert main(["run", str(SEED), "--data", str(DATA), "--out", str(tmp_path / "adtte.csv")]) == 4
    line = _one_error_line(capsys.readouterr().err.split("Clopper-Pearson")[-1])
    assert f"cannot lock {tmp_path}/.adtte.csv.lock: it is a symbolic link; remove it" in line
    assert victim.read_text() == "not patient data"
    assert sorted(os.listdir(tmp_path)) == [".adtte.csv.lock", "victim.txt"]


# ---- a set a reader can recognise: the manifest ----------------------------------------------


def test_the_manifest_lists_what_the_run_read_and_wrote(tmp_path, data):
    from endpointdsl.data.manifest import sha256_file

    out = tmp_path / "adtte.parquet"
    assert main(["run", str(SEED), "--data", str(data), "--out", str(out), "--engine", "compiled"]) == 0
    manifest = json.loads((tmp_path / "adtte.manifest.json").read_text())
    assert manifest["format"] == "endpointdsl-manifest/1" and len(manifest["run_id"]) == 32
    assert manifest["engine"] == "compiled" and manifest["command"][:2] == ["endpointdsl", "run"]
    assert manifest["definition"]["sha256"] == sha256_file(SEED)
    assert [(i["table"], Path(i["file"]).name) for i in manifest["inputs"]] == [
        ("adsl", "adsl.csv"), ("adrs", "adrs.csv"), ("adsv", "adsv.csv")
    ]  # fmt: skip
    assert all(i["sha256"] == sha256_file(Path(i["file"])) for i in manifest["inputs"])
    files = {Path(o["file"]).name: o for o in manifest["outputs"]}
    # km (issue 15): the Kaplan-Meier summary of the time-to-event parameters, written last,
    # when the km extra is installed (.ci/run tests both environments)
    km = ["adtte.km.csv"] if importlib.util.find_spec("lifelines") is not None else []
    assert list(files) == ["adtte.parquet", "adtte.report.csv", "adtte.summary.csv", *km]
    assert files["adtte.parquet"]["rows"] == len(pd.read_parquet(out)) == 129
    assert {"endpointdsl", "pandas", "python"} <= set(manifest["versions"])
    assert verify(tmp_path / "adtte.manifest.json") == []
    (tmp_path / "adtte.report.csv").write_text("changed\n")
    assert verify(tmp_path / "adtte.manifest.json") == [
        f"{tmp_path / 'adtte.report.csv'}: not the file this run wrote (sha256 differs)"
    ]


def test_a_run_stopped_while_replacing_its_outputs_leaves_no_manifest(tmp_path, data, monkeypatch, capsys):
    """The previous manifest goes before the first output is replaced: outputs without a
    manifest are not a set, whatever stopped the run (here: a failing rename)."""
    from endpointdsl.data import writeset

    out = tmp_path / "adtte.csv"
    assert main(["run", str(SEED), "--data", str(DATA), "--out", str(out)]) == 0
    first = json.loads((tmp_path / "adtte.manifest.json").read_text())["run_id"]
    real, calls = os.replace, []

    def replace(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        real(src, dst)

    monkeypatch.setattr(writeset.os, "replace", replace)
    (data / "adsl.csv").write_text("\n".join((data / "adsl.csv").read_text().splitlines()[:-1]) + "\n")
    capsys.readouterr()
    assert main(["run", str(SEED), "--data", str(data), "--out", str(out)]) == 4
    assert f"cannot write {tmp_path}/adtte.report.csv: No space left on device" in capsys.readouterr().err
    assert not (tmp_path / "adtte.manifest.json").exists()  # not run `first`'s set any more
    assert first
    assert not list(tmp_path.glob(f"{STAGING}*"))


def test_staging_folders_are_removed_when_an_output_cannot_be_written(tmp_path, capsys):
    pharmaverse = EXAMPLES / "pharmaverse"
    ept = tmp_path / "long.ept"
    ept.write_text(
        (pharmaverse / "adtte.ept").read_text().replace('label "Death"', f'label "{"Death " * 40}"')
    )
    out = tmp_path / "out" / "adtte.xpt"
    assert main(["run", str(ept), "--data", str(pharmaverse / "data"), "--out", str(out)]) == 4
    assert "SAS transport v5 allows at most 200 bytes" in capsys.readouterr().err
    assert os.listdir(tmp_path / "out") == []


# ---- the summary as SAS transport -------------------------------------------------------------


def test_summary_as_xpt_has_sas_names_with_labels(tmp_path):
    out = tmp_path / "adtte.csv"
    argv = ["run", str(SEED), "--data", str(DATA), "--out", str(out)]
    assert main([*argv, "--summary", str(tmp_path / "summary.xpt")]) == 0
    assert main([*argv, "--summary", str(tmp_path / "summary.csv")]) == 0
    frame, meta = pyreadstat.read_xport(str(tmp_path / "summary.xpt"))
    assert meta.table_name == "SUMMARY"
    assert list(frame.columns) == [
        "PARAMCD",
        "PARAM",
        "CATEGORY",
        "COUNT",
        "DENOM",
        "RATE",
        "LOWER",
        "UPPER",
        "EXCLUDED",
    ]
    assert meta.column_names_to_labels["COUNT"] == "Subjects in Category (n)"
    assert meta.column_names_to_labels["DENOM"] == "Subjects in Denominator (N)"
    csv = pd.read_csv(tmp_path / "summary.csv")
    assert list(csv.columns[3:5]) == ["n", "N"]  # CSV and Parquet keep n and N
    pd.testing.assert_frame_equal(
        frame.rename(columns={"COUNT": "n", "DENOM": "N"}), csv, check_dtype=False, check_exact=False
    )


def test_the_python_api_writes_tables_the_same_way(tmp_path):
    from endpointdsl.data.errors import DataError
    from endpointdsl.data.writeset import write_table, write_tables

    frame = pd.DataFrame({"USUBJID": ["S1"], "PARAMCD": ["OS"], "MESSAGE": ["x" * 201]})
    write_table(frame, tmp_path / "new" / "r.csv", "REPORT")
    assert pd.read_csv(tmp_path / "new" / "r.csv").equals(frame)
    with pytest.raises(DataError, match=r"MESSAGE of subject S1 \(OS\) is 201 bytes long"):
        write_tables([(frame, tmp_path / "a.csv", "A"), (frame, tmp_path / "r.xpt", "REPORT")])
    assert sorted(os.listdir(tmp_path)) == ["new"]  # neither file: a set is written whole or not at all
