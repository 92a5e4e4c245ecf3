"""Fuzzing: `check_text` only ever raises EptError, and text from a .ept file never runs as code.

(a) texts drawn from the grammar and mutations of the example files: any failure is an
EptError whose diagnostics point inside the text; (b) labels, PARAM, EVNTDESC/CNSDTDSC
and file names full of quotes, escapes and Python payloads: the generated module
compiles, running it runs no payload, and every text comes back unchanged.
The bugs this found are kept at the end as regression tests.
"""

from __future__ import annotations

import ast
import builtins
import os
import re
import tempfile
from pathlib import Path

import pytest
from conftest import EXAMPLES
from hypothesis import example, given, note, settings
from hypothesis import strategies as st
from hypothesis.extra.lark import from_lark
from test_printer import grammar_texts

from endpointdsl import CompiledFile, EptError, check_text
from endpointdsl.check.checker import check
from endpointdsl.language.parser import CLAUSE_KEYWORDS, RESERVED, build_parser, lark_parser
from endpointdsl.language.transformer import to_ast

EXAMPLE_TEXTS = [p.read_text(encoding="utf-8") for p in sorted(EXAMPLES.rglob("*.ept"))]
TOKEN = re.compile(r'\s+|"(?:[^"\\\n]|\\.)*"?|#[^\n]*|\w+|.', re.DOTALL)


def check_quietly(text: str, file: str = "fuzz.ept") -> None:
    """check_text(text) succeeds or raises EptError with well-placed diagnostics."""
    try:
        check_text(text, file)
    except EptError as exc:
        assert exc.diagnostics
        lines = text.split("\n")  # lark counts lines by \n only
        for d in exc.diagnostics:
            assert d.span.file == file
            assert 1 <= d.span.line <= len(lines), d
            assert 1 <= d.span.column <= len(lines[d.span.line - 1]) + 1, d
            assert d.render().startswith(f"{file}:{d.span.line}:{d.span.column}: {d.severity} {d.code}: ")
        assert str(exc)


# ---- (a) robustness ----------------------------------------------------------------------


@given(from_lark(build_parser()))
def test_raw_grammar_texts(text):
    check_quietly(text)


@given(grammar_texts)
@example(  # a confirmed event reading a derived date declared after it (found on hypothesis 6.108)
    ' event  A0   =  A  confirmed  by  A   at  least  0000-00-00  A  later  or  A  within  A  A   label   ""   date  A  =  origin  '
)
def test_parsable_grammar_texts(text):
    """Texts that parse reach the checker with every odd combination of clauses."""
    check_quietly(text)


weird = st.one_of(
    st.text(max_size=8),
    st.sampled_from(
        ["\x00", "\u2028", "\u2029", "\x85", "\x0b", "\x0c", "\ufeff", "\r", "\t", '"', "\\", "'"]
    ),
    st.sampled_from(sorted(RESERVED)),
    st.sampled_from(["9" * 30, "-0", "+1.5", "2024-02-30", "0000-00-00", "((((", "))", "==", "//"]),
)


def long_line(token: str) -> str:
    return "\n" + (token + " ") * 3000 + "\n"


@st.composite
def mutated_examples(draw) -> str:
    tokens = TOKEN.findall(draw(st.sampled_from(EXAMPLE_TEXTS)))
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(tokens) - 1))
        op = draw(st.sampled_from(["delete", "duplicate", "swap", "insert", "replace", "long", "truncate"]))
        if op == "delete":
            del tokens[i]
        elif op == "duplicate":
            tokens.insert(i, tokens[i])
        elif op == "swap":
            j = draw(st.integers(0, len(tokens) - 1))
            tokens[i], tokens[j] = tokens[j], tokens[i]
        elif op == "insert":
            tokens.insert(i, draw(weird))
        elif op == "replace":
            tokens[i] = draw(weird)
        elif op == "long":
            tokens.insert(i, long_line(draw(st.sampled_from([tokens[i], "x", "#", "and A = 1"]))))
        else:
            tokens = tokens[:i]
        if not tokens:
            tokens = [""]
    return "".join(tokens)


# A third of the profile's count (50 in CI, 1000 under `heavy`): each case checks a whole example
# file, some with a 3000-token line; it was the suite's slowest test at 150.
@settings(max_examples=max(50, settings.default.max_examples // 3))
@given(mutated_examples())
def test_mutated_examples(text):
    check_quietly(text)


# ---- several independent mistakes: each reported once, where it is -----------------------

STATEMENT_WORDS = ("table", "event", "population", "schedule", "endpoint")


def units(text: str) -> list[tuple[int, int, str]]:
    """(line index, column, first word) of the lines that start a statement or an endpoint clause."""
    found, inside = [], False
    for i, line in enumerate(text.split("\n")):
        match = re.match(r"(\s*)([a-z]+)\b", line)
        if not match:
            continue
        word = match.group(2)
        if word == "endpoint" and not match.group(1):
            inside = True
        elif word == "end" and inside:
            inside = False
            continue
        if (word in STATEMENT_WORDS and not match.group(1)) or (inside and word in CLAUSE_KEYWORDS):
            found.append((i, len(match.group(1)) + 1, word))
    return found


@st.composite
def corrupted_examples(draw) -> tuple[str, set[tuple[int, int]]]:
    """A valid example with k statements or clauses spoilt, one mistake each, and where."""
    text = draw(st.sampled_from(EXAMPLE_TEXTS))
    candidates = units(text)
    chosen = draw(st.lists(st.sampled_from(candidates), min_size=1, max_size=4, unique=True))
    lines = text.split("\n")
    where = set()
    for i, column, word in chosen:
        line = lines[i]
        how = draw(st.sampled_from(["misspelt", "garbled", "stray", "upper", "semicolon"]))
        if (how == "semicolon" and "#" in line) or (how == "garbled" and word == "endpoint"):
            how = "stray"  # a garbled endpoint would drop its clauses, and their mistakes
        at = column - 1
        if how == "garbled":  # no keyword is close: the statement or clause is dropped
            lines[i] = line[:at] + "qqq" + line[at + len(word) :]
        elif how == "misspelt":
            lines[i] = line[: at + 1] + "x" + line[at + 1 :]
        elif how == "stray":
            lines[i] = line[:at] + draw(st.sampled_from("@$?`")) + line[at:]
        elif how == "upper":
            lines[i] = line[:at] + word.upper() + line[at + len(word) :]
        else:
            lines[i], column = line + ";", len(line) + 1
        where.add((i + 1, column))
    return "\n".join(lines), where


def spoilt(name: str, lines: dict[int, str]) -> tuple[str, set[tuple[int, int]]]:
    text = (EXAMPLES / name).read_text(encoding="utf-8").split("\n")
    for number, line in lines.items():
        text[number - 1] = line
    return "\n".join(text), {(n, len(line) - len(line.lstrip()) + 1) for n, line in lines.items()}


# Found by the heavy profile: a garbled clause after one with a stray character hid the next.
FOUND = spoilt("fda_pfs.ept", {
    4: "txable adsl: one row per subject",
    25: "  @from randomisation",
    27: "  qqq first of progression, death",
    30: "  cxensor events after 2 missed adequate_assessment per scans cnsr 5",
})  # fmt: skip
# A garbled event right after an endpoint's `end` was taken for a clause of that endpoint.
AFTER_END = spoilt("her2_pdl1_cart.ept", {
    89: 'qqq disease_control = DC.ADT where AVALC = "Y" label "Disease control achieved"',
})  # fmt: skip

# Found by the ci profile (issue 14's examples changed its draws): `criteria` starts both a
# statement and a clause; indented after a garbled clause it is the endpoint's clause, and a
# lost `best response` explains E258 (`criteria` on what then looks like a time-to-event one).
CRITERIA_CLAUSE = spoilt("sap/imwg_vgpr_rate.ept", {27: "  qqq first_dose"})
LOST_RESPONSE = spoilt(
    "sap/imwg_vgpr_rate.ept", {29: "  qqq response of resp", 30: "  cxonfirm after 0 days"}
)


@example(FOUND)
@example(AFTER_END)
@example(CRITERIA_CLAUSE)
@example(LOST_RESPONSE)
@given(corrupted_examples())
def test_each_mistake_is_reported_once_where_it_is(case):
    text, where = case
    note(text)
    with pytest.raises(EptError) as info:
        check_text(text, "k.ept")
    errors = info.value.errors
    assert {(d.span.line, d.span.column) for d in errors} == where, info.value.render()
    assert len(errors) == len(where) and {d.code for d in errors} <= {"E001", "E003"}, info.value.render()


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\x00",
        "\ufeff",
        "\n" * 1000,
        "#" * 100_000,
        "table " + "x" * 100_000,
        "event e = t.c where " + "(" * 5000 + "A = 1" + ")" * 5000,
        "event e = t.c where " + "not " * 5000 + "A = 1",
        "event e = t.c where " + " or ".join(["A = 1"] * 5000),
        "endpoint X " + '"' + "\\" * 10_001,
        "table adsl: one row per subject\n" * 500,
    ],
    ids=lambda t: repr(t[:24]),
)
def test_extreme_inputs(text):
    check_quietly(text)


file_names = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["", "/", "a/b/c.ept", "C:\\x\\y.ept", "x\udcff.ept", 'a"b', "a\nimport os\n", "\u2028"]),
)


@given(file_names, st.sampled_from([*EXAMPLE_TEXTS, "table adsl: one row per subject\n@"]))
def test_any_file_name(file, text):
    check_quietly(text, file)


# ---- (b) code injection -----------------------------------------------------------------------

MARKER = Path(tempfile.gettempdir()) / f"endpointdsl_pwned_{os.getpid()}"
RUN = "__import__('builtins').EPT_PWNED = 1; __import__('pathlib').Path(r'" + str(MARKER) + "').touch()"
PAYLOADS = [
    f'"); {RUN}; ("',
    f"'); {RUN}; ('",
    f'"""; {RUN}; """',
    f"'''; {RUN}; '''",
    f"\\'; {RUN} #",
    f'\\"; {RUN} #',
    f"\\n{RUN}\\n",
    f"\u2028{RUN}\u2028",
    f"\x00{RUN}",
    "{" + RUN + "}",
    "%(x)s {0} {x!r} f'{1}'",
    "# not a comment \\",
    "\\",
    "\\\\",
    '\\"',
    "\\x00 \\u2028 \\N{BULLET}",
    "\u2029\x85\x0b\x0c\x1c\x1e\ufeff\u202e",
    "\udcff",
    "__import__('os').system('touch " + str(MARKER) + "')",
]
payload_texts = st.one_of(
    st.sampled_from(PAYLOADS),
    st.lists(
        st.one_of(st.sampled_from(PAYLOADS), st.text(st.characters(exclude_characters="\n\r"))), max_size=4
    )
    .map("".join)
    .filter(bool),
)
params = payload_texts.filter(lambda s: s.strip() and len(s) <= 200)


def q(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def injection_program(t: dict[str, str]) -> str:
    return f"""\
table adsl: one row per subject
event rand = adsl.RANDDT label {q(t["l_rand"])}
event death = adsl.DTHDT label {q(t["l_death"])}
event alive = adsl.LSTALVDT label {q(t["l_alive"])}
endpoint OS {q(t["p1"])}
  from rand
  to death evntdesc {q(t["e"])}
  censor at alive cnsr 1 evntdesc {q(t["e2"])} cnsdtdsc {q(t["c"])}
end
endpoint OSL {q(t["p2"])}
  from rand
  to death
  censor at alive cnsr 2
  horizon 1 years cnsr 3 evntdesc {q(t["he"])} cnsdtdsc {q(t["hc"])}
  ascertainment: continuous
end
"""


SUBJECTS = {
    "S1": {"RANDDT": "2020-01-01", "DTHDT": "2020-03-01", "LSTALVDT": "2020-03-01"},
    "S2": {"RANDDT": "2020-01-01", "DTHDT": None, "LSTALVDT": "2020-06-01"},
    "S3": {"RANDDT": "2020-01-01", "DTHDT": None, "LSTALVDT": "2023-01-01"},
}


def derive(compiled: CompiledFile, code: str, subject: str):
    row = {"USUBJID": subject, **SUBJECTS[subject]}
    derivation = compiled[code]({"adsl": [row]}, subject_id=subject)
    assert derivation.record is not None, derivation
    return derivation.record


def assert_no_payload_ran() -> None:
    assert not hasattr(builtins, "EPT_PWNED")
    assert not MARKER.exists()


@given(
    st.fixed_dictionaries(
        {
            "l_rand": payload_texts,
            "l_death": payload_texts,
            "l_alive": payload_texts,
            "p1": params,
            "p2": params,
            "e": payload_texts,
            "e2": payload_texts,
            "c": payload_texts,
            "he": payload_texts,
            "hc": payload_texts,
        }
    ),
    file_names,
)
def test_texts_are_data_never_code(t, file):
    text = injection_program(t)
    note(text)
    compiled = CompiledFile.from_model(check_text(text, file))
    assert_no_payload_ran()
    constants = {c.value for c in ast.walk(ast.parse(compiled.source)) if isinstance(c, ast.Constant)}
    assert {t["p1"], t["p2"], t["e"], t["e2"], t["c"], t["l_death"], t["l_alive"], file} <= constants
    assert compiled.namespace["SOURCE_FILE"] == file
    assert compiled.namespace["PARAMS"] == {"OS": t["p1"], "OSL": t["p2"]}

    died, censored, long_follow_up = (derive(compiled, "OS", s) for s in ("S1", "S2", "S3"))
    assert (died.PARAM, died.CNSR, died.EVNTDESC, died.CNSDTDSC) == (t["p1"], 0, t["e"], None)
    assert (censored.CNSR, censored.EVNTDESC, censored.CNSDTDSC) == (1, t["e2"], t["c"])
    assert (long_follow_up.EVNTDESC, long_follow_up.CNSDTDSC) == (t["e2"], t["c"])

    died, censored, capped = (derive(compiled, "OSL", s) for s in ("S1", "S2", "S3"))
    assert (died.PARAM, died.CNSR, died.EVNTDESC) == (t["p2"], 0, t["l_death"])
    assert (censored.CNSR, censored.EVNTDESC, censored.CNSDTDSC) == (2, t["l_alive"], None)
    assert (capped.CNSR, capped.EVNTDESC, capped.CNSDTDSC) == (3, t["he"], t["hc"])
    assert_no_payload_ran()


def test_every_payload_once():
    """The fixed payloads in every position, without relying on the draw."""
    for payload in PAYLOADS:
        t = dict.fromkeys(["l_rand", "l_death", "l_alive", "e", "e2", "c", "he", "hc"], payload)
        t["p1"] = t["p2"] = payload if payload.strip() else "x"
        compiled = CompiledFile.from_model(check_text(injection_program(t), payload))
        assert derive(compiled, "OS", "S2").CNSDTDSC == payload
        assert derive(compiled, "OSL", "S3").EVNTDESC == payload
    assert_no_payload_ran()


# ---- regressions: bugs this fuzzing found (fixed in 8e41864) ----------------------------------


def test_nul_in_file_name_compiles():
    """compile() refused a pseudo file name with NUL (ValueError)."""
    model = check_text(EXAMPLE_TEXTS[0], "a\x00b.ept")
    assert CompiledFile.from_model(model).namespace["SOURCE_FILE"] == "a\x00b.ept"


@pytest.mark.parametrize("separator", ["\u2028", "\x0c", "\x85", "\x1c"])
def test_source_line_after_unicode_line_separator(separator):
    """with_source split lines like str.splitlines while lark counts only \\n."""
    text = f"# a{separator}b\ntable adsl: one row per subject @\n"
    with pytest.raises(EptError) as info:
        check_text(text)
    (diag,) = [d for d in info.value.diagnostics if d.code == "E001"]
    assert (diag.span.line, diag.source_line) == (2, text.split("\n")[1])


def codes(text: str) -> list[str]:
    with pytest.raises(EptError) as info:
        check_text(text)
    return [d.code for d in info.value.diagnostics]


@pytest.mark.parametrize("horizon", ["99999999999999999999 days", "10000000 days", "100000 calendar years"])
def test_huge_horizon_is_rejected(horizon):
    """Horizons past the date range were accepted and overflowed when a subject was derived."""
    t = dict.fromkeys(["l_rand", "l_death", "l_alive", "p1", "p2", "e", "e2", "c", "he", "hc"], "x")
    assert codes(injection_program(t).replace("horizon 1 years", f"horizon {horizon}")) == ["E140"]


def check_unlimited(text: str):
    """The checker on a text that bypasses the parser's limit on digits (E006)."""
    return check(to_ast(lark_parser().parse(text), "big.ept"))


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (("horizon 1 years", "horizon " + "9" * 400 + " calendar years"), "E140"),  # was int(inf)
        (("cnsr 2", "cnsr " + "9" * 5000), "E130"),  # was int() of more than 4300 digits
    ],
    ids=["inf-calendar-horizon", "cnsr-5000-digits"],
)
def test_checker_survives_huge_numbers(change, code):
    t = dict.fromkeys(["l_rand", "l_death", "l_alive", "p1", "p2", "e", "e2", "c", "he", "hc"], "x")
    with pytest.raises(EptError) as info:
        check_unlimited(injection_program(t).replace(*change))
    assert [d.code for d in info.value.diagnostics] == [code]


def test_infinite_number_literal_is_rejected():
    """A number that float() makes infinite was emitted as the bare name `inf` (NameError)."""
    text = "table adsl: one row per subject\nevent rand = adsl.RANDDT where AVAL < " + "9" * 400
    text += '\nevent alive = adsl.LSTALVDT\nendpoint OS "x" from rand to alive censor at rand cnsr 1 end\n'
    with pytest.raises(EptError) as info:
        check_unlimited(text)
    assert [d.code for d in info.value.diagnostics] == ["E163"]


# ---- (c) CSV files: a table of the written cells, or a DataError naming the file and line ----

CSV_NAMES = ("USUBJID", "A", "B", "C")
CSV_FIELD = st.one_of(
    st.sampled_from(["", "S1", "2023-01-01", " padded ", "1.5", "N/A"]),
    st.text(alphabet=st.sampled_from('ab ,"\n\r\t;é'), max_size=6),
)


def csv_field(draw, value: str) -> str:
    """One field as a writer puts it: quoted when it must be (or just so), quotes doubled."""
    if any(c in value for c in ',"\r\n') or draw(st.booleans()):
        return '"' + value.replace('"', '""') + '"'
    return value


@st.composite
def csv_files(draw):
    """(bytes, header fields, [(first line, fields)] of its rows, problem): rows are mostly as
    wide as the header; some have a field more (a trailing comma) or fewer, a name may be
    empty or repeated, a quote may be left open; CRLF or LF, a BOM, blank lines."""
    width = draw(st.integers(1, len(CSV_NAMES)))
    header = list(CSV_NAMES[:width])
    problem = draw(st.sampled_from([None] * 6 + ["ragged", "duplicate", "empty name", "open quote"]))
    if problem == "duplicate" and width > 1:
        header[-1] = header[0]
    elif problem == "empty name":
        header[draw(st.integers(0, width - 1))] = ""
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    text = ("\ufeff" if draw(st.booleans()) else "") + (",".join(csv_field(draw, h) for h in header) or '""')
    text += newline
    rows = []
    for i in range(draw(st.integers(0, 4))):
        fields = draw(st.lists(CSV_FIELD, min_size=width, max_size=width))
        if (problem == "ragged" and i == 0) or draw(st.integers(0, 9)) == 0:
            fields = [*fields, ""] if draw(st.booleans()) or width == 1 else fields[:-1]
        if draw(st.integers(0, 5)) == 0:
            text += newline  # a blank line: skipped
        line = lines(text) + 1
        rendered = ",".join(csv_field(draw, f) for f in fields) or '""'  # an empty line is no row
        rows.append((line, fields))
        text += rendered + newline
    if problem == "open quote":
        rows.append((lines(text) + 1, None))
        text += f'{",".join(["x"] * (width - 1) + [""])}"never closed{newline}S9'
    return text.encode("utf-8"), header, rows


def lines(text: str) -> int:
    """Line breaks, as editors and Python count them: \n, \r\n and a lone \r (in a value too)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").count("\n")


@given(csv_files())
def test_csv_files_read_as_written_or_stop_naming_the_file_and_line(file):
    from endpointdsl.data.errors import DataError
    from endpointdsl.data.read import read_table

    data, header, rows = file
    note(repr(data))
    ragged = [line for line, fields in rows if fields is not None and len(fields) != len(header)]
    unclosed = [line for line, fields in rows if fields is None]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "adsl.csv"
        path.write_bytes(data)
        try:
            frame = read_table(path)
        except DataError as exc:
            message = str(exc)
            assert message.startswith(str(path))
            if unclosed:  # the open quote first: it makes the rest of the file one row
                assert message.startswith(f"{path}, line {unclosed[0]}: a value opens a double quote"), (
                    message
                )
            elif ragged:
                assert message.startswith(f"{path}, line {ragged[0]}: "), message
            else:
                assert "" in header or len(set(header)) < len(header), message
            return
    assert not ragged and not unclosed and len(set(header)) == len(header) and "" not in header
    assert list(frame.columns) == header
    cells = [[None if v is None or v != v else v for v in r] for r in frame.itertuples(index=False)]
    assert cells == [[v or None for v in fields] for _, fields in rows]


@given(st.binary(max_size=200))
def test_any_bytes_as_a_csv_file_read_or_stop_with_a_data_error(data):
    from endpointdsl.data.errors import DataError
    from endpointdsl.data.read import read_table

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "adsl.csv"
        path.write_bytes(data)
        try:
            read_table(path)
        except DataError as exc:
            assert str(exc).startswith(str(path))
