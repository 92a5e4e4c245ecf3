"""Review of issue 13 (response criteria sets, one parameter per group): regression tests for
the defects a hostile review found, one table per defect where possible."""

from __future__ import annotations

import pytest

from endpointdsl import EptError, check_text
from endpointdsl.api import summary_specs

RSP = """\
table adsl: one row per subject
table adrs: many rows per subject
event first_dose = adsl.TRTSDT
event ovr = adrs.ADT where PARAMCD = "OVR" response AVALC sequence ASEQ
"""


# ---- the summary of a best response lists the set's categories --------------------------------
# An iRECIST best response's summary listed RECIST's CR, PR, SD, NON-CR/NON-PD, PD, NE (all 0)
# before the iRECIST categories the data had, in the order met, and none of those it had not.
@pytest.mark.parametrize(
    ("criteria", "categories"),
    [
        ("", ("CR", "PR", "SD", "NON-CR/NON-PD", "PD", "NE", "MISSING")),
        ("  criteria recist11\n", ("CR", "PR", "SD", "NON-CR/NON-PD", "PD", "NE", "MISSING")),
        ("  criteria irecist\n", ("iCR", "iPR", "iSD", "NON-iCR/NON-iUPD", "iUPD", "iCPD", "NE", "MISSING")),
        ("  criteria lugano_pet\n", ("CMR", "PMR", "NMR", "PMD", "NE", "MISSING")),
        ("  criteria imwg\n", ("sCR", "CR", "VGPR", "PR", "MR", "SD", "PD", "NE", "MISSING")),
    ],
)
def test_the_summary_of_a_best_response_lists_the_sets_categories(criteria, categories):
    text = RSP + f'endpoint BOR "Best"\n  from first_dose\n{criteria}  best response of ovr\n'
    text += "  sd at least 42 days after origin\nend\n"
    (spec,) = summary_specs(check_text(text))
    assert spec.categories == categories


# ---- a criteria category ending in a blank can never be met ----------------------------------
# Cells are read without trailing blanks (semantics section 1), so `category "CR "` silently
# made every CR assessment "not a X response": now E310 at the category.
def _set(first: str) -> str:
    return f'criteria x "X"\n  category {first} = 1, response\n  category "NE" = 2, not evaluable\nend\n'


@pytest.mark.parametrize(
    ("first", "codes"),
    [
        ('"CR "', ["E310"]),
        ('"CR\t"', ["E310"]),
        ('"CR"', []),
        ('" CR"', []),  # a leading blank is kept in cells too
    ],
)
def test_a_criteria_category_ending_in_a_blank_is_refused(first, codes):
    text = (
        RSP
        + _set(first)
        + 'endpoint BOR "Best"\n  from first_dose\n  criteria x\n  best response of ovr\nend\n'
    )
    try:
        check_text(text, "t.ept")
        found = []
    except EptError as exc:
        found = [d.code for d in exc.diagnostics]
        assert all(d.span.line == 6 for d in exc.diagnostics)
    assert found == codes


# ---- a PARAMN clash of a grouped endpoint names the file and the endpoint's line -------------
# `error: PARAMN 2 would be both OS's and TTAE0002's` named neither the file nor a line.
AE_HEAD = """\
table adsl: one row per subject
table adae: many rows per subject
event first_dose = adsl.TRTSDT
event alive = adsl.LSTALVDT
event teae = adae.ASTDT where TRTEMFL = "Y" sequence AESEQ
"""
ADSL = "USUBJID,TRTSDT,LSTALVDT\nP1,2024-01-01,2024-06-01\nP2,2024-01-01,2024-06-01\n"
ADAE = "USUBJID,AESEQ,AEDECOD,ASTDT,TRTEMFL\nP1,1,Headache,2024-02-01,Y\nP2,1,Nausea,2024-03-01,Y\n"


def _tte(code: str, extra: str = "", group: str = "") -> str:
    return (
        f'endpoint {code} "T"\n{group}  from first_dose\n  to teae\n  censor at alive cnsr 1\n'
        f"  censor at origin cnsr 1\n{extra}end\n"
    )


def _run(tmp_path, text: str, adae: str = ADAE, out: str = "out.csv", engine: str = "sql") -> int:
    from endpointdsl.cli import main

    data = tmp_path / "data"
    data.mkdir(exist_ok=True)
    (data / "adsl.csv").write_text(ADSL)
    (data / "adae.csv").write_text(adae)
    (tmp_path / "t.ept").write_text(text)
    return main(
        [
            "run",
            str(tmp_path / "t.ept"),
            "--data",
            str(data),
            "--out",
            str(tmp_path / out),
            "--engine",
            engine,
        ]
    )


@pytest.mark.parametrize("engine", ["sql", "compiled", "interpreter"])
def test_a_paramn_clash_of_a_grouped_endpoint_names_the_file_and_line(tmp_path, capsys, engine):
    text = AE_HEAD + _tte("TTAE", "  paramn 1\n", "  for each AEDECOD of teae\n") + _tte("OS", "  paramn 2\n")
    assert _run(tmp_path, text, engine=engine) == 2
    err = capsys.readouterr().err
    assert f"{tmp_path / 't.ept'}:6: PARAMN 2 would be both OS's and TTAE0002's" in err


# ---- a criteria row's role written twice gets a hint that says something ---------------------
# `category "A" = 1, response, response` said "hint: `response` comes before ``".
@pytest.mark.parametrize(
    "row",
    [
        'category "A" = 1, response, response',
        'category "A" = 1, response, disease control',
        'category "A" = 1, progressive disease, not evaluable',
    ],
)
def test_a_criteria_rows_second_role_is_explained(row):
    text = RSP + f'criteria x "X"\n  {row}\n  category "NE" = 2, not evaluable\nend\n'
    text += 'endpoint BOR "Best"\n  from first_dose\n  criteria x\n  best response of ovr\nend\n'
    with pytest.raises(EptError) as caught:
        check_text(text, "t.ept")
    (d,) = [d for d in caught.value.diagnostics if d.code == "E003"]
    assert d.span.line == 6 and "``" not in d.hint
    assert "the order is: category" in d.hint


# ---- a lost `table` line is reported once, not again by `keep` -------------------------------
# Found by tests/test_fuzz.py on examples/pharmaverse/adtte_ae.ept: `qqq adsl: ...` gave E003
# and E290 "`keep` reads unknown table 'adsl'" (each mistake is to be reported once).
@pytest.mark.parametrize(
    ("first", "codes"),
    [
        ("qqq adsl: one row per subject", ["E003"]),
        ("table adsl: one row per subject", []),
    ],
)
def test_keep_of_a_table_lost_to_a_syntax_error_is_not_reported_again(first, codes):
    text = first + "\n" + AE_HEAD.split("\n", 1)[1] + "keep AGE from adsl\n" + _tte("OS")
    try:
        check_text(text, "t.ept")
        found = []
    except EptError as exc:
        found = [d.code for d in exc.diagnostics if d.severity == "error"]
    assert found == codes


# ---- E184 names the set's disease-control categories ------------------------------------------
# An iRECIST (IMWG, Lugano) best response without `sd at least` was told "RECIST 1.1 4.6.1: SD
# needs a minimum time", of a set that has no SD (or whose disease control is also MR, NMR).
@pytest.mark.parametrize(
    ("criteria", "named"),
    [
        ("", "RECIST 1.1 4.6.1: SD needs"),
        ("  criteria irecist\n", "iRECIST's disease control (iSD, NON-iCR/NON-iUPD) needs"),
        ("  criteria imwg\n", "IMWG 2016's disease control (MR, SD) needs"),
        ("  criteria lugano_pet\n", "Lugano 2014 (PET-CT)'s disease control (NMR) needs"),
    ],
)
def test_the_sd_minimum_error_names_the_sets_disease_control(criteria, named):
    text = RSP + f'endpoint BOR "Best"\n  from first_dose\n{criteria}  best response of ovr\nend\n'
    with pytest.raises(EptError) as caught:
        check_text(text, "t.ept")
    (d,) = caught.value.diagnostics
    assert d.code == "E184" and d.hint.startswith(named)
