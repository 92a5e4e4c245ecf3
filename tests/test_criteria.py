"""Response criteria as declarations (issue 13, item 1): the shipped sets, RECIST 1.1 named
or not, options of a declared set in all three engines, the wheel and the docs."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import EXAMPLES, ROOT
from test_pharmaverse_adrs import DATA, EPT, compare

import endpointdsl
from endpointdsl.check import model as m
from endpointdsl.check.criteria import SHIPPED, shipped, shipped_text
from endpointdsl.data.read import read_tables
from endpointdsl.engines.python.runtime_criteria import RECIST11, ranks
from endpointdsl.language.printer import format_program
from endpointdsl.language.transformer import parse

ENGINES = ("interpreter", "compiled", "sql")


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_each_shipped_set_checks_cleanly_and_round_trips(name):
    text = shipped_text(SHIPPED[name])
    program = parse(text)
    assert parse(format_program(program)) == program
    found = shipped(name)
    assert found.name == name and len(found.of_role("ne")) == 1


def test_recist11_shipped_is_the_built_in_vocabulary_row_for_row():
    r = shipped("recist11")
    assert r.names == (*m.RESPONSES, m.NOT_DONE) == RECIST11.order  # bor (issue 19): ND, uncoded
    coded = {c.name: c.aval for c in r.categories if c.aval is not None}
    assert coded | {"MISSING": r.missing_aval} == {
        k: v for k, v in m.AVAL_CODES.items() if k not in ("Y", "N")
    }
    assert ranks(RECIST11)[2] == m.AVAL_CODES
    built_in = {row[0]: (row[1], row[3], row[4], row[5], row[6]) for row in RECIST11.rows}
    role = {
        "response": "response",
        "control": "control",
        "progression": "progression",
        "ne": "ne",
        None: None,
    }
    assert {
        c.name: (c.aval, c.confirmed_by, c.between, c.at_next, c.window) for c in r.categories
    } == built_in
    assert {c.name: role[c.role] for c in r.categories} == {row[0]: row[2] for row in RECIST11.rows}
    assert not r.continues


@pytest.mark.parametrize("engine", ["compiled", "interpreter", "sql"])
def test_pharmaverse_adrs_reproduces_with_recist11_named(engine, tmp_path):
    """adrs.ept with `criteria recist11` in every endpoint: still admiralonco's 1836 rows."""
    text = EPT.read_text(encoding="utf-8").replace(
        "  best response of ovr\n", "  criteria recist11\n  best response of ovr\n"
    )
    assert text.count("criteria recist11") == 1  # in BOR; the variants inherit it
    ept = tmp_path / "adrs.ept"
    ept.write_text(text, encoding="utf-8")
    compiled = endpointdsl.load(ept)
    assert all(e.response.criteria == shipped("recist11") for e in compiled.model.endpoints)
    result = compiled.run(read_tables(DATA, [t.name for t in compiled.model.tables]), engine=engine)
    assert result.report.empty
    ours = result.adtte[["USUBJID", "PARAMCD", "AVALC", "ADT"]].copy()
    ours["ADT"] = ours["ADT"].map(lambda d: "" if d is None or pd.isna(d) else d.isoformat())
    compare(ours)


def test_the_docs_print_every_shipped_set():
    language = (ROOT / "docs" / "language.md").read_text(encoding="utf-8")
    for file in set(SHIPPED.values()):
        body = "\n".join(line for line in shipped_text(file).splitlines() if not line.startswith("#")).strip()
        assert body in language, file


# ---- a declared set's options, the same in every engine ------------------------------------

HEAD = """table adsl: one row per subject
table adrs: many rows per subject
event start = adsl.TRTSDT
event ovr = adrs.ADT response AVALC sequence ASEQ
criteria toy "Toy criteria"
  category "GOOD" = 10, response, confirmed by ("GOOD") with ("MEH") between
  category "OK" = 20, disease control
  category "WAIT" = 30, confirmed by next ("BAD") from 1 through 30 days with ("WAIT") between
  category "BAD" = 40, progressive disease
  category "MEH" = 50, not evaluable
  after progressive disease: AFTER
end
"""
ENDPOINTS = """endpoint BOR "Best"
  from start
  criteria toy
  best response of ovr
  sd at least 10 days after origin
  CONFIRM
end
endpoint LM "Landmark"
  from start
  criteria toy
  origin is day 0
  response of ovr from day 20 through day 60 best
  responder if response in ("GOOD")
  not evaluable: excluded
end
"""
# subject: [(day, response), ...]; the expected BOR without / with confirmation and the landmark
CASES = {
    "S1": ([(5, "GOOD"), (30, "GOOD")], "GOOD", "GOOD"),  # confirmed by the second
    "S2": ([(5, "GOOD"), (12, "MEH"), (40, "BAD")], "GOOD", "BAD"),  # unconfirmed, before day 10: MEH < BAD
    "S3": ([(15, "WAIT"), (25, "WAIT"), (40, "BAD")], "BAD", "BAD"),  # WAIT confirmed through WAIT: BAD
    "S4": (
        [(15, "WAIT"), (25, "OK"), (70, "BAD"), (80, "GOOD"), (90, "GOOD")],
        "OK",
        "OK",
    ),  # reset; after BAD
    "S5": ([(15, "OK"), (15, "MEH"), (40, "ODD")], "OK", "OK"),  # one date: OK kept; ODD reported
}
EXPECTED_CONTINUE = {
    "S4": ("GOOD", "OK")
}  # `continue`: the GOODs after BAD count (10 days apart: unconfirmed)


def _files(tmp_path, after: str, confirm: bool):
    folder = tmp_path / f"{after}{confirm}"
    folder.mkdir()
    (folder / "adsl.csv").write_text("USUBJID,TRTSDT\n" + "".join(f"{s},2024-01-01\n" for s in CASES))
    lines = ["USUBJID,ASEQ,AVALC,ADT"]
    for s, (visits, *_) in CASES.items():
        for i, (d, r) in enumerate(visits, 1):
            lines.append(f"{s},{i},{r},{(pd.Timestamp('2024-01-01') + pd.Timedelta(days=d)).date()}")
    (folder / "adrs.csv").write_text("\n".join(lines) + "\n")
    clause = "confirm after 14 days, at most 1 ne between" if confirm else ""
    text = HEAD.replace("AFTER", after) + ENDPOINTS.replace("CONFIRM", clause)
    (folder / "t.ept").write_text(text)
    return folder


@pytest.mark.parametrize("after", ["stop", "continue"])
@pytest.mark.parametrize("confirm", [False, True])
def test_a_declared_set_means_the_same_in_every_engine(tmp_path, after, confirm):
    folder = _files(tmp_path, after, confirm)
    compiled = endpointdsl.load(folder / "t.ept")
    tables = read_tables(folder, ["adsl", "adrs"])
    frames = {e: compiled.run(tables, engine=e) for e in ENGINES}
    first = frames["interpreter"]
    for e in ENGINES[1:]:
        pd.testing.assert_frame_equal(frames[e].adtte, first.adtte)
        pd.testing.assert_frame_equal(frames[e].report, first.report)
    bor = dict(
        zip(
            first.adtte.USUBJID[first.adtte.PARAMCD == "BOR"],
            first.adtte.AVALC[first.adtte.PARAMCD == "BOR"],
            strict=True,
        )
    )
    for s, (_, plain, confirmed) in CASES.items():
        want = EXPECTED_CONTINUE.get(s, (plain, confirmed)) if after == "continue" else (plain, confirmed)
        assert bor[s] == want[confirm], (s, after, confirm)
    codes = dict(zip(first.adtte.AVALC, first.adtte.AVAL, strict=False))
    assert codes["OK"] == 20.0 and codes.get("GOOD", 10.0) == 10.0
    assert any('"ODD" is not a Toy criteria response' in msg for msg in first.report.MESSAGE)


def test_a_declared_set_shadows_the_shipped_one_of_its_name():
    text = (EXAMPLES / "sap" / "lugano_cmr_rate.ept").read_text(encoding="utf-8")
    own = (
        'criteria lugano_pet "Mine"\n  category "A" = 1, response\n  category "NE" = 2, not evaluable\nend\n'
    )
    model = endpointdsl.check_text(own + text.replace('("CMR")', '("A")'), "x.ept")
    assert model.endpoints[0].response.criteria.title == "Mine"


def test_no_origin_gives_the_set_s_missing_code_in_every_engine(tmp_path):
    """`no origin: not assessed` with a set: MISSING is the set's largest code plus one (51
    here), not RECIST's 7 (the compiled path once wrote RECIST's code)."""
    folder = tmp_path / "d"
    folder.mkdir()
    (folder / "adsl.csv").write_text("USUBJID,TRTSDT\nS1,\nS2,2024-01-01\n")
    (folder / "adrs.csv").write_text("USUBJID,ASEQ,AVALC,ADT\nS2,1,OK,2024-02-01\n")
    text = (
        HEAD.replace("AFTER", "stop")
        + ENDPOINTS.replace("CONFIRM", "no origin: not assessed").split("endpoint LM")[0]
    )
    (folder / "t.ept").write_text(text)
    compiled = endpointdsl.load(folder / "t.ept")
    tables = read_tables(folder, ["adsl", "adrs"])
    for engine in ENGINES:
        out = compiled.run(tables, engine=engine).adtte.set_index("USUBJID")
        assert (out.loc["S1", "AVALC"], out.loc["S1", "AVAL"]) == ("MISSING", 51.0), engine
        assert (out.loc["S2", "AVALC"], out.loc["S2", "AVAL"]) == ("OK", 20.0), engine


@pytest.mark.parametrize(
    "ept",
    [
        "pharmaverse/adrs.ept",
        "sap/irecist_orr.ept",
        "sap/lugano_cmr_rate.ept",
        "sap/imwg_vgpr_rate.ept",
        "sap/docr.ept",
    ],
)
def test_best_and_landmark_responses_are_derived_set_wise_in_sql(ept):
    """No per-subject fallback for best-overall and landmark responses, with any criteria set
    (docr's DOCR reads another endpoint's rows: that, not its criteria, sends it per subject)."""
    from endpointdsl.engines.sql.generate import generate_sql

    model = endpointdsl.load(EXAMPLES / ept).model
    responses = [e.paramcd for e in model.endpoints if e.kind in ("best", "landmark")]
    assert responses and not set(generate_sql(model).fallback) & set(responses)
