"""perf (issue 16, eighth round): the script a run executes leaves out the occ_<event> views
no other statement reads (generate.unread_relations): blank lines in their place, the rest of
the script as it was, and the same results as with every view created."""

from __future__ import annotations

from unittest import mock

from hypothesis import given, settings
from strategies import table_cases
from test_differential import compile_text, frames, rejected

from endpointdsl.api import check_text
from endpointdsl.data.errors import DataError
from endpointdsl.engines.sql import generate
from endpointdsl.engines.sql.generate import generate_sql, unread_relations

SCRIPT = [
    'CREATE OR REPLACE TEMP VIEW "occ_a" AS',  # 0-1: read below (in capitals)
    "SELECT 1 AS key;",
    'CREATE OR REPLACE TEMP VIEW "occ_b" AS',  # 2-4: only its own lines name it
    'SELECT key FROM "occ_b_source"',
    "WHERE TRUE;  -- f.ept:3",
    'CREATE OR REPLACE TEMP VIEW "occ_ab" AS SELECT * FROM "OCC_A";',  # 5: read by nothing
    'CREATE OR REPLACE TEMP TABLE res AS SELECT * FROM "occ_a";',  # 6: not optional: stays
]


def test_only_the_views_no_other_line_names_become_blank_lines():
    lines = list(SCRIPT)
    unread_relations(lines, {"occ_a": (0, 2), "occ_b": (2, 5), "occ_ab": (5, 6)})
    assert lines[:2] == SCRIPT[:2]  # "occ_a" is read (identifiers: any case)
    assert lines[2:5] == ['-- ("occ_b": read by no statement, not created)', "", ""]
    # "occ_b_source" is not "occ_b"; "occ_ab" is not "occ_a"; the lines keep their numbers
    assert lines[5] == '-- ("occ_ab": read by no statement, not created)'
    assert lines[6] == SCRIPT[6] and len(lines) == len(SCRIPT)


def test_a_relation_read_only_by_relations_left_out_goes_too():
    # issue 16, ninth round: note_<event> read only by notes_<P>, itself read by nothing
    lines = [
        'CREATE OR REPLACE TEMP TABLE "note_a" AS SELECT 1 AS key;',
        'CREATE OR REPLACE TEMP TABLE "notes_P" AS SELECT * FROM "note_a";',
        "CREATE OR REPLACE TEMP TABLE report AS SELECT 2 AS key;",
    ]
    unread_relations(lines, {"note_a": (0, 1), "notes_P": (1, 2)})
    assert lines[:2] == ['-- ("note_a": read by no statement, not created)',
                         '-- ("notes_p": read by no statement, not created)']  # fmt: skip
    lines[2:] = ['CREATE OR REPLACE TEMP TABLE report AS SELECT * FROM "notes_P";']
    lines[:2] = [
        'CREATE OR REPLACE TEMP TABLE "note_a" AS SELECT 1 AS key;',
        'CREATE OR REPLACE TEMP TABLE "notes_P" AS SELECT * FROM "note_a";',
    ]
    unread_relations(lines, {"note_a": (0, 1), "notes_P": (1, 2)})
    assert lines[0].startswith("CREATE") and lines[1].startswith("CREATE")


def test_a_view_read_only_by_a_statement_rendered_later_stays():
    # SqlWriter.later: a shared statement is a callable until the script is finished
    lines = ['CREATE OR REPLACE TEMP VIEW "occ_a" AS', "SELECT 1 AS key;", lambda: ['SELECT * FROM "occ_a";']]
    unread_relations(lines, {"occ_a": (0, 2)})
    assert lines[:2] == ['CREATE OR REPLACE TEMP VIEW "occ_a" AS', "SELECT 1 AS key;"]
    lines = ['CREATE OR REPLACE TEMP VIEW "occ_a" AS', "SELECT 1 AS key;", lambda: ["SELECT 2;"]]
    unread_relations(lines, {"occ_a": (0, 2)})
    assert lines[0].startswith("-- ")


PROGRAM = """table adsl: one row per subject
table adrs: many rows per subject
event rand = adsl.RANDDT
event death = adsl.DTHDT
event pd = adrs.ADT where AVALC = "PD" sequence ASEQ
event bounded = adrs.ADTC impute first not before rand
endpoint PFS "PFS"
  from rand
  to first of pd, death
  censor at rand cnsr 1
  before origin: move to origin
end
endpoint PFS2 "PFS, bounded"
  from rand
  to bounded
  censor at rand cnsr 1
end
"""


def test_the_run_script_creates_the_views_it_reads_and_the_general_script_all():
    model = check_text(PROGRAM, "f.ept")
    general = generate_sql(model)
    proven = generate_sql(model, None, (), frozenset(general.facts) | frozenset(general.sorted_checks))
    for name in ("rand", "death", "pd", "bounded"):
        assert f'VIEW "occ_{name}" AS' in general.text
    assert 'VIEW "occ_rand" AS' in proven.text  # the imputation bound of `bounded` reads it
    assert 'VIEW "occ_bounded" AS' in proven.text  # PFS2's aggregate reads it
    # the same-day check reads a table of its own (a sequence), no finding reads rows before the
    # origin (moved to it), the subject rows are read in place
    assert 'VIEW "occ_pd" AS' not in proven.text and 'VIEW "occ_death" AS' not in proven.text
    assert max(proven.line_map) <= len(proven.text.splitlines())


@settings(max_examples=6, deadline=None)
@given(table_cases())
def test_a_run_without_the_unread_views_equals_the_run_with_them(case):
    desc, tables = case
    if rejected(desc):
        return
    data = frames(desc, tables)
    results = []
    for prune in (True, False):
        compiled = compile_text(desc.text)  # its scripts generated afresh
        keep = mock.patch.object(generate, "unread_relations", lambda *_: None)
        with keep if not prune else mock.MagicMock():
            try:
                got = compiled.run(data, engine="sql")
                results.append((got.adtte, got.report))
            except DataError as exc:  # the same message both ways
                results.append(str(exc))
    if isinstance(results[0], str) or isinstance(results[1], str):
        assert results[0] == results[1]
    else:
        assert results[0][0].equals(results[1][0]) and results[0][1].equals(results[1][1])
