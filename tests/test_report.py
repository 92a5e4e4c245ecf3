"""report (issue 15): `endpointdsl report`, read back with html.parser (tests/report_support.py):
the page is self-contained (no reference but `#id` and `data:`), every anchor resolves, texts
from the .ept and the data are escaped, the header's hashes are the files', two runs give the
same bytes under SOURCE_DATE_EPOCH, and the numbers are worked out by hand for a small study
(`run --by` and `summary --by` on a numeric column too). Without the km extra the page is
still written, with a note. tests/test_report_browser.py opens it in Chromium."""

from __future__ import annotations

import builtins
import contextlib
import hashlib
import importlib
import importlib.util
import io
import math

import numpy as np
import pandas as pd
import pytest
from conftest import EXAMPLES
from report_support import Page, png_size
from test_explain import FDA_ROWS

from endpointdsl.api import report
from endpointdsl.cli import main
from endpointdsl.data.km import MISSING_GROUP, group_label

HOSTILE = "</table><script>alert(1)</script>"
HOSTILE_DESC = "<img src=x onerror=alert(2)>"
HOSTILE_ID = "<script>alert(3)</script>"
HOSTILE_VALUE = "<b>CROSSOVER</b>"  # no row has it: a warning that shows the condition
STUDY = f"""table adsl: one row per subject

event randomisation = adsl.RANDDT label "Randomization"
event death = adsl.DTHDT label "Death"
event alive = adsl.LSTALVDT label "Last known alive"
event crossover = adsl.LSTALVDT where ARM = "{HOSTILE_VALUE}" label "Crossover"

endpoint OS "{HOSTILE}"
  from randomisation
  to death evntdesc "{HOSTILE_DESC}"
  censor at crossover cnsr 2 evntdesc "Crossover"
  censor at alive cnsr 1 evntdesc "Alive" cnsdtdsc "Last known alive"
end
"""
# AVAL = ADT - RANDDT + 1. ARMN 1: 10 E, 20 C, 30 E, 40 E; ARMN 2: 5 E, 15 E, 25 C; ARMN 10:
# 8 E; ARMN missing: 12 C (so the column reads as float64: 1.0, 2.0, 10.0, nan); the last
# subject has no RANDDT: excluded (no origin date). No ARM is crossover's: a warning, no effect.
ADSL = f"""USUBJID,RANDDT,DTHDT,LSTALVDT,ARMN,ARM
S1,2024-01-01,2024-01-10,,1,A
S2,2024-01-01,,2024-01-20,1,A
S3,2024-01-01,2024-01-30,,1,A
S4,2024-01-01,2024-02-09,,1,A
S5,2024-01-01,2024-01-05,,2,B
S6,2024-01-01,2024-01-15,,2,B
S7,2024-01-01,,2024-01-25,2,B
S8,2024-01-01,2024-01-08,,10,C
S9,2024-01-01,,2024-01-12,,
{HOSTILE_ID},,,2024-01-12,1,A
"""
needs_km = pytest.mark.skipif(
    importlib.util.find_spec("lifelines") is None or importlib.util.find_spec("matplotlib") is None,
    reason="the Kaplan-Meier part needs the km extra (lifelines, matplotlib)",
)


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    folder = tmp_path_factory.mktemp("study")
    (folder / "data").mkdir()
    (folder / "os.ept").write_text(STUDY, encoding="utf-8")
    (folder / "data" / "adsl.csv").write_text(ADSL, encoding="utf-8")
    return folder


def _cli(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


def assert_self_contained(page: Page) -> None:
    """No script, no reference out of the page, every link to an id of the page, ids unique."""
    assert page.unclosed == []
    assert page.tags("script") == [] and page.tags("link") == [] and page.tags("iframe") == []
    for tag, attrs in page.elements:
        for name in ("src", "href", "action", "srcset", "data"):
            if name in attrs:
                value = attrs[name]
                assert value.startswith(("#", "data:")), f"<{tag} {name}={value!r}>"
        assert not any(a.startswith("on") for a in attrs), (tag, attrs)  # no event handler
    assert len(page.ids) == len(set(page.ids))
    for a in page.tags("a"):
        assert a["href"][1:] in page.ids, a["href"]
    for img in page.tags("img"):
        width, height = png_size(img["src"])
        assert width > 0 and height > 0


@pytest.fixture(scope="module")
def study_page(study):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", "86400")
        got = report(study / "os.ept", study / "data", by="ARMN", at=[10], engine="compiled")
    return got, Page(got.html)


def test_the_page_is_self_contained_and_escapes_every_text(study_page):
    got, page = study_page
    assert_self_contained(page)
    raw = got.html
    for hostile in (HOSTILE, HOSTILE_DESC, HOSTILE_ID, HOSTILE_VALUE):
        assert hostile not in raw  # only escaped
        assert hostile in page.visible  # and shown as text
    assert "&lt;/table&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in raw


def test_the_header_names_each_file_with_its_hash_and_rows(study, study_page):
    _, page = study_page
    (run, files) = page.tables_in("run")
    facts = dict(run)
    ept = study / "os.ept"
    assert facts["SHA-256"] == hashlib.sha256(ept.read_bytes()).hexdigest()
    assert facts["Definition"] == str(ept) and facts["Data folder"] == str(study / "data")
    assert facts["Engine"] == "compiled" and facts["--by"] == "ARMN" and facts["--at"] == "10"
    assert facts["Created"] == "1970-01-02 00:00:00 UTC"  # SOURCE_DATE_EPOCH 86400
    csv = study / "data" / "adsl.csv"
    assert files[1:] == [["adsl", "adsl.csv", "10", hashlib.sha256(csv.read_bytes()).hexdigest()]]


def test_the_exclusions_name_the_subject_and_the_reason(study_page):
    _, page = study_page
    counts, rows = page.tables_in("exclusions")
    assert counts[1:] == [["(file)", "warning", "1"], ["OS", "excluded", "1"]]
    empty, (sid, code, status, reason) = rows[1:]
    assert (sid, code, status) == (HOSTILE_ID, "OS", "excluded") and "origin" in reason
    assert empty[:3] == ["", "", "warning"] and f'ARM = "{HOSTILE_VALUE}"' in empty[3]


def test_an_event_that_matches_no_row_is_a_warning_at_the_top(study_page):
    got, _ = study_page
    (line,) = [w for w in got.warnings if "Kaplan-Meier" not in w]  # printed on stderr by the command
    assert line.startswith(f'warning: no row matches event crossover: adsl where ARM = "{HOSTILE_VALUE}"')
    top = got.html[
        got.html.index('<section id="warnings">') : got.html.index(
            "</section>", got.html.index('id="warnings"')
        )
    ]
    assert "no row matches event crossover" in top and HOSTILE_VALUE not in top


@needs_km
def test_the_km_tables_per_group_worked_by_hand(study_page):
    """Groups of ARMN read as 1.0, 2.0, 10.0 and missing: labelled 1, 2, 10, (missing), in that
    order. ARMN 1 (10 E, 20 C, 30 E, 40 E): S = 3/4 from 10, 3/8 from 30, 0 from 40; Q1 is
    the midpoint of 10 and 30 (S is exactly 3/4 on [10, 30)), median 30, Q3 40; S(10) = 0.750
    with 4 at risk. ARMN 2 (5 E, 15 E, 25 C): S = 2/3 from 5, 1/3 from 15: Q1 5, median 15,
    Q3 NE; S(10) = 0.667, 2 at risk. ARMN 10 (8 E): S 0 from 8, every quartile 8; S(10) = 0.000,
    none at risk. Missing (12 C): NE; S(10) = 1.000, 1 at risk."""
    _, page = study_page
    subjects, by_cnsr, quartiles, at = page.tables_in("km-OS")
    assert subjects == [["ARMN", "N", "Events", "Censored"], ["1", "4", "3", "1"], ["2", "3", "2", "1"],
                        ["10", "1", "1", "0"], [MISSING_GROUP, "1", "0", "1"]]  # fmt: skip
    assert [r[:2] for r in by_cnsr[1:]] == [["1", "0"], ["1", "1"], ["2", "0"], ["2", "1"], ["10", "0"],
                                            [MISSING_GROUP, "1"]]  # fmt: skip
    estimates = {(r[0], r[1]): r[2] for r in quartiles[1:]}
    assert estimates == {
        ("1", "Q1"): "20", ("1", "MEDIAN"): "30", ("1", "Q3"): "40",
        ("2", "Q1"): "5", ("2", "MEDIAN"): "15", ("2", "Q3"): "NE",
        ("10", "Q1"): "8", ("10", "MEDIAN"): "8", ("10", "Q3"): "8",
        (MISSING_GROUP, "Q1"): "NE", (MISSING_GROUP, "MEDIAN"): "NE", (MISSING_GROUP, "Q3"): "NE",
    }  # fmt: skip
    assert [(r[0], r[1], r[2], r[4]) for r in at[1:]] == [
        ("1", "10 days", "0.750", "4"), ("2", "10 days", "0.667", "2"), ("10", "10 days", "0.000", "0"),
        (MISSING_GROUP, "10 days", "1.000", "1"),
    ]  # fmt: skip
    (img,) = page.tags("img")
    assert img["alt"] == "Kaplan-Meier plot of OS by ARMN"
    assert png_size(img["src"])[0] >= 400


def test_two_runs_give_the_same_bytes_under_source_date_epoch(study, study_page, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "86400")
    again = report(study / "os.ept", study / "data", by="ARMN", at=[10], engine="compiled")
    assert again.html == study_page[0].html


def test_the_command_writes_the_page_and_refuses_what_it_cannot_do(study, tmp_path, monkeypatch):
    ept, data = str(study / "os.ept"), str(study / "data")
    code, _, err = _cli(["report", ept, "--data", data, "--out", str(tmp_path / "r.csv")])
    assert code == 2 and "name it .html" in err and not (tmp_path / "r.csv").exists()
    code, _, err = _cli(["report", ept, "--data", data, "--out", str(study / "data" / "adsl.csv" / "r.html")])
    assert code == 4 and "Traceback" not in err  # its folder would be a file
    code, _, err = _cli(["report", ept, "--data", data, "--out", str(tmp_path / "r.html"), "--by", "NOPE"])
    assert code == 2 and "--by NOPE: no column NOPE" in err and not (tmp_path / "r.html").exists()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    code, _, err = _cli(["report", ept, "--data", data, "--out", str(tmp_path / "r.html")])
    assert code == 2 and "SOURCE_DATE_EPOCH=yesterday" in err
    bad = tmp_path / "bad.ept"
    bad.write_text(STUDY.replace("to death", "to deth"), encoding="utf-8")
    code, _, err = _cli(["report", str(bad), "--data", data, "--out", str(tmp_path / "r.html")])
    assert code == 1 and "deth" in err and not (tmp_path / "r.html").exists()


@pytest.fixture
def no_km(monkeypatch):
    """lifelines and matplotlib hidden from the import system, installed or not."""
    hidden = ("lifelines", "matplotlib")
    real, real_module, real_find = builtins.__import__, importlib.import_module, importlib.util.find_spec

    def hide(name, *args, **kwargs):
        if name.split(".")[0] in hidden:
            raise ImportError(name)
        return real(name, *args, **kwargs)

    def hide_module(name, *args):
        if name.split(".")[0] in hidden:
            raise ImportError(name)
        return real_module(name, *args)

    monkeypatch.setattr(builtins, "__import__", hide)
    monkeypatch.setattr("importlib.import_module", hide_module)
    monkeypatch.setattr("importlib.util.find_spec", lambda n, *a: None if n in hidden else real_find(n, *a))


def test_without_the_km_extra_the_page_is_written_with_a_note(no_km, study, tmp_path):
    out = tmp_path / "report.html"
    code, _, err = _cli(["report", str(study / "os.ept"), "--data", str(study / "data"), "--out", str(out),
                         "--engine", "interpreter"])  # fmt: skip
    assert code == 0 and "warning: Kaplan-Meier summary and plot not included: install endpointdsl[km]" in err
    page = Page(out.read_text(encoding="utf-8"))
    assert_self_contained(page)
    assert page.tags("img") == [] and page.tables_in("km-OS") == []
    assert 'install endpointdsl[km] (pip install "endpointdsl[km]"' in page.visible
    assert "km-OS" in page.ids and page.tables_in("explain-OS")  # the rest is there


def test_the_fda_outcome_table_has_a_row_for_each_of_b1_to_b9():
    page = Page(report(EXAMPLES / "fda_pfs.ept", EXAMPLES / "fda_data", engine="compiled").html)
    assert_self_contained(page)
    (outcomes,) = [t for t in page.tables_in("explain-PFS") if t[0][0] == "Row"]
    keys = {r[0] for r in outcomes[1:]}
    assert set(FDA_ROWS.values()) <= keys


def test_rates_and_their_exact_intervals_by_an_independent_oracle(tmp_path):
    """her2's ORR and CBR: n and N counted in the ADTTE `run` writes, the interval by scipy's
    binomtest (exact), not by endpointdsl's clopper_pearson."""
    from scipy.stats import binomtest

    got = report(EXAMPLES / "her2_cart_trastuzumab.ept", EXAMPLES / "data", engine="compiled")
    page = Page(got.html)
    assert_self_contained(page)
    out = tmp_path / "adtte.csv"
    assert _cli(["run", str(EXAMPLES / "her2_cart_trastuzumab.ept"), "--data", str(EXAMPLES / "data"),
                 "--out", str(out)])[0] == 0  # fmt: skip
    adtte = pd.read_csv(out, keep_default_na=False)
    for code in ("ORR", "CBR"):
        avalc = adtte.AVALC[adtte.PARAMCD == code]
        n, total = int((avalc == "Y").sum()), len(avalc)
        ci = binomtest(n, total).proportion_ci(0.95, method="exact")
        ((head, *rows),) = page.tables_in(f"rates-{code}")
        assert head[:3] == ["Category", "n", "N"]
        assert rows == [["Y", str(n), str(total), f"{100 * n / total:.1f}%",
                         f"{100 * ci.low:.1f}% - {100 * ci.high:.1f}%"]]  # fmt: skip
    assert "km-TTF" in page.ids and "rates-TTF" not in page.ids and "km-ORR" not in page.ids


def test_a_value_endpoint_has_its_value_summary(tmp_path):
    """her2_cart_kinetics: N and the median of each value parameter, from the ADTTE `run` writes
    (pandas' count and median)."""
    ept, folder = EXAMPLES / "her2_cart_kinetics.ept", EXAMPLES / "her2_cart_kinetics"
    page = Page(report(ept, folder, engine="compiled").html)
    assert_self_contained(page)
    out = tmp_path / "adtte.csv"
    assert _cli(["run", str(ept), "--data", str(folder), "--out", str(out)])[0] == 0
    adtte = pd.read_csv(out)
    values = pd.read_csv(tmp_path / "adtte.values.csv")
    assert len(values)
    for code in values.PARAMCD:
        ((head, row),) = page.tables_in(f"values-{code}")
        aval = adtte.AVAL[adtte.PARAMCD == code].dropna()
        assert head[:5] == ["AVALU", "N", "Mean", "SD", "Median"]
        assert int(row[1]) == len(aval) and float(row[4]) == pytest.approx(aval.median(), rel=1e-3)


# ---- run --by and summary --by (the numeric labels) --------------------------------------------


@needs_km
def test_run_by_prints_the_summary_per_group_as_the_data_say(study, tmp_path):
    out = tmp_path / "adtte.csv"
    code, printed, err = _cli(["run", str(study / "os.ept"), "--data", str(study / "data"), "--out", str(out),
                               "--by", "ARMN"])  # fmt: skip
    assert code == 0, err
    heads = [line.split(":")[0] for line in printed.splitlines() if line.startswith("OS ")]
    assert heads == [f"OS {HOSTILE}, ARMN = {g}" for g in ("1", "2", "10", MISSING_GROUP)]
    assert f"OS {HOSTILE}, ARMN = 1: N 4, events 3, censored 1" in printed
    km = pd.read_csv(tmp_path / "adtte.km.csv", dtype=str, keep_default_na=False)
    assert list(dict.fromkeys(km.ARMN)) == ["1", "2", "10", MISSING_GROUP]


@needs_km
def test_summary_by_a_numeric_adsl_column_labels_whole_numbers(study, tmp_path):
    out = tmp_path / "adtte.csv"
    assert _cli(["run", str(study / "os.ept"), "--data", str(study / "data"), "--out", str(out)])[0] == 0
    code, printed, err = _cli(
        ["summary", str(out), "--by", "ARMN", "--adsl", str(study / "data" / "adsl.csv")]
    )
    assert code == 0, err
    assert ", ARMN = 1: N 4" in printed and "1.0" not in printed
    assert printed.index("ARMN = 2:") < printed.index("ARMN = 10:")


def test_run_by_refuses_a_file_without_time_to_event_endpoints(tmp_path):
    ept, folder = EXAMPLES / "her2_cart_kinetics.ept", EXAMPLES / "her2_cart_kinetics"
    code, _, err = _cli(
        ["run", str(ept), "--data", str(folder), "--out", str(tmp_path / "a.csv"), "--by", "ARM"]
    )
    assert code == 2 and "--by ARM: her2_cart_kinetics.ept has no time-to-event endpoint" in err
    assert not (tmp_path / "a.csv").exists()


@needs_km
def test_run_by_refuses_an_unknown_column(study, tmp_path):
    code, _, err = _cli(["run", str(study / "os.ept"), "--data", str(study / "data"), "--out",
                         str(tmp_path / "a.csv"), "--by", "NOPE"])  # fmt: skip
    assert code == 2 and "--by NOPE: no column NOPE" in err and not (tmp_path / "a.csv").exists()


def test_group_labels():
    assert [group_label(v) for v in (1.0, np.float64(10.0), 1.5, np.int64(3), "A", None, math.nan, pd.NA)] == [
        "1", "10", "1.5", "3", "A", MISSING_GROUP, MISSING_GROUP, MISSING_GROUP,
    ]  # fmt: skip


@needs_km
def test_the_readme_run_by_block_is_what_run_prints(tmp_path):
    from conftest import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    after = readme[readme.index("--out adtte.csv --by TUMTYPE --at 365`):") :]
    block = after.split("```\n")[1].splitlines()
    assert block[-1] == "..."
    out = tmp_path / "adtte.csv"
    code, printed, err = _cli(["run", str(EXAMPLES / "her2_cart_trastuzumab.ept"), "--data", str(EXAMPLES / "data"),
                               "--out", str(out), "--by", "TUMTYPE", "--at", "365"])  # fmt: skip
    assert code == 0, err
    lines = printed.splitlines()
    start = lines.index(block[0])
    assert lines[start : start + len(block) - 1] == block[:-1]


@needs_km
@pytest.mark.parametrize("slug", ["cart_nrm_cir", "ae_each_term"])
def test_competing_and_grouped_endpoints(slug):
    """cart_nrm_cir: CIR and NRM have competing events, so their plots are cumulative incidence
    and their tables give CIF(t); ae_each_term: a grouped endpoint has a table and a plot per
    parameter (its numbered PARAMCDs, as in the run's ADTTE), under the endpoint's section."""
    from sap_support import SAP, api_run

    page = Page(report(SAP / f"{slug}.ept", SAP / "data" / slug, at=[30], engine="compiled").html)
    assert_self_contained(page)
    adtte = api_run(slug, "compiled").adtte
    imgs = [i["alt"] for i in page.tags("img")]
    if slug == "cart_nrm_cir":
        assert imgs == ["Cumulative incidence plot of CIR", "Cumulative incidence plot of NRM"]
        at = [t for t in page.tables_in("km-CIR") if t[0][1:2] == ["CIF(t)"]]
        assert len(at) == 1
        return
    code, params = "TTAE", sorted(set(adtte.PARAMCD))  # TTAE0001... (`for each AEDECOD`)
    assert len(params) > 1 and all(p.startswith(code) and p[4:].isdigit() for p in params)
    assert imgs == [f"Kaplan-Meier plot of {p}" for p in params]
    headings = [t for t in page.tables_in(f"km-{code}") if t[0][:2] == ["N", "Events"]]
    assert [int(t[1][0]) for t in headings] == [int((adtte.PARAMCD == p).sum()) for p in params]
