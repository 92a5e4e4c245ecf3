"""The best responses' shared GROUP BY placed before its parts are known (SqlWriter.later,
shared.grow_once; issue 16): rendered with every part at the end, the line map shifted."""

from __future__ import annotations

from endpointdsl.engines.sql.shared import grow_once
from endpointdsl.engines.sql.writer import SqlWriter


def _render(name: str, parts: list) -> list[str]:
    # a part may span lines: nothing requires one line a part
    return [f"CREATE TABLE {name} AS SELECT", ",\n".join(parts), "FROM t;"]


def test_grown_statement_holds_parts_added_after_it_and_the_map_follows():
    w = SqlWriter("f.ept")
    w.line("-- first", 3)
    assert grow_once(w, "best_E", ("v", None), _render, "a") == ("best_E_1", 1)
    w.line("SELECT 1;", 7)
    assert grow_once(w, "best_E", ("v", None), _render, "b\n  AS bb") == ("best_E_1", 2)
    assert grow_once(w, "best_E", ("v", "x"), _render, "c") == ("best_E_2", 1)
    w.line("SELECT 2;", 9)
    text, line_map = w.finish()
    lines = text.splitlines()
    assert lines == [
        "-- first  -- f.ept:3",
        "CREATE TABLE best_E_1 AS SELECT",
        "a,",
        "b",
        "  AS bb",
        "FROM t;",
        "SELECT 1;  -- f.ept:7",
        "CREATE TABLE best_E_2 AS SELECT",
        "c",
        "FROM t;",
        "SELECT 2;  -- f.ept:9",
    ]
    # each mapped line number still points at the line that carries its comment
    assert line_map == {1: 3, 7: 7, 11: 9}
    assert all(lines[n - 1].endswith(f"f.ept:{src}") for n, src in line_map.items())


def test_finish_without_later_is_the_lines_joined():
    w = SqlWriter("f.ept")
    w.line("SELECT 1\nFROM t;", 2)
    assert w.finish() == ("SELECT 1  -- f.ept:2\nFROM t;\n", {1: 2})
