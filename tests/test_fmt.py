"""fmt (issue 15): the canonical layout keeps the program (`parse(fmt(x)) == parse(x)`) and
every comment, is idempotent, leaves the shipped examples as they are, and `fmt --check`
tells CI which files would change."""

from __future__ import annotations

import contextlib
import io
from collections import Counter

import pytest
from conftest import EXAMPLES
from hypothesis import Phase, given, settings
from hypothesis import strategies as st
from strategies import programs
from test_printer import grammar_texts

from endpointdsl import EptError
from endpointdsl.api import format_file, format_source
from endpointdsl.cli import main
from endpointdsl.language.layout import WIDTH, tokens
from endpointdsl.language.transformer import parse

NO_SHRINK = [Phase.explicit, Phase.reuse, Phase.generate]
EXAMPLE_FILES = sorted(EXAMPLES.rglob("*.ept"))


def comments(text: str) -> Counter:
    return Counter(t.text for t in tokens(text) if t.text.startswith("#"))


def holds(text: str) -> str:
    """fmt's promises on one text; the formatted text."""
    out = format_source(text)
    assert parse(out) == parse(text), out
    assert format_source(out) == out, out
    assert comments(out) == comments(text), out
    return out


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.name)
def test_every_example_is_in_the_canonical_layout(path):
    text = path.read_text(encoding="utf-8")
    assert holds(text) == text


@st.composite
def mangled(draw, text: str) -> str:
    """The same program with other spaces, line breaks, blank lines and comments between
    its words (a comment always ends its line)."""
    words = [t.text for t in tokens(text)]
    out = []
    for i, word in enumerate(words):
        if i:
            gap = draw(st.sampled_from([" ", " ", " ", "  ", "\n", "\n  ", "\n\n", "\t"]))
            if draw(st.integers(0, 9)) == 0:
                gap = f'  # note {i}: "quoted" # {draw(st.sampled_from(["x", "y"]))}\n' + draw(
                    st.sampled_from(["", "    ", "\n"])
                )
            if words[i - 1].startswith("#") and "\n" not in gap:
                gap += "\n"  # a comment of the program ends its line
            out.append(gap)
        out.append(word)
    head = draw(st.sampled_from(["", "# header\n\n", "\n\n"]))
    tail = draw(st.sampled_from(["\n", "", "\n# the end\n", "  # last\n\n\n"]))
    return head + "".join(out) + tail


@settings(max_examples=25, phases=NO_SHRINK)  # shrinking a whole program takes minutes
@given(st.data())
def test_generated_programs_keep_their_meaning_and_comments(data):
    desc = data.draw(programs(responses=True, issue12=True, confirmed=True, reldates=True, groups=True))
    holds(desc.text)
    holds(data.draw(mangled(desc.text)))


@settings(max_examples=30)
@given(grammar_texts)
def test_random_grammar_texts(text):
    try:
        parse(text)
    except EptError:
        return
    holds(text)


# ---- where comments and lines go ---------------------------------------------------------------

LAYOUT = [
    (  # spacing and indentation normalised; comments kept where they are
        "# header\n\ntable adsl : one row per subject   # subjects\n"
        'event  death=adsl.DTHDT\n# before OS\nendpoint OS "Overall"\n   from  death\n  # to\n'
        "to death\n  end\n# the end\n",
        "# header\n\ntable adsl: one row per subject  # subjects\n"
        'event death = adsl.DTHDT\n\n# before OS\nendpoint OS "Overall"\n  from death\n  # to\n'
        "  to death\nend\n# the end\n",
    ),
    (  # a statement whose words the printer changes: printed anew, its comments above it
        'table t: one row per subject\nevent e = t.D where (A = 1) # trailing\n  # inside\n  label "E"\n',
        'table t: one row per subject\n# inside\nevent e = t.D where A = 1 label "E"  # trailing\n',
    ),
    (  # the author's line breaks are kept when the words are the printer's
        'table t: one row per subject\nevent e = t.D where A = 1\n        and B = 2 # why B\n   label "E"\n',
        'table t: one row per subject\nevent e = t.D where A = 1\n    and B = 2  # why B\n    label "E"\n',
    ),
]


@pytest.mark.parametrize(("text", "expected"), LAYOUT)
def test_layout(text, expected):
    assert holds(text) == expected


def test_a_comment_before_end_is_indented_as_the_clauses():
    text = 'criteria c "C"\n  category "CR" = 1, response\n# why\n  after progressive disease: continue\n# last\nend\n'
    assert holds(text) == (
        'criteria c "C"\n  category "CR" = 1, response\n  # why\n  after progressive disease: continue\n'
        "  # last\nend\n"
    )


def test_a_long_statement_printed_anew_is_wrapped():
    column = " and ".join(f"COLUMN_{i} = {i}" for i in range(12))
    text = f'table t: one row per subject\nevent e = t.D where ({column}) label "E"\n'
    out = holds(text)
    assert all(len(line) <= WIDTH for line in out.splitlines())
    assert out.splitlines()[2].startswith("    and ")


# ---- the command and the API ---------------------------------------------------------------------


def _cli(argv):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


def test_fmt_check_lists_the_files_that_would_change(tmp_path):
    good, bad = tmp_path / "good.ept", tmp_path / "bad.ept"
    good.write_text("table t: one row per subject\n", encoding="utf-8")
    bad.write_text("table   t : one row per subject # c\n", encoding="utf-8")
    code, out, err = _cli(["fmt", "--check", str(good), str(bad)])
    assert (code, out) == (1, f"would reformat {bad}\n")
    assert bad.read_text(encoding="utf-8") == "table   t : one row per subject # c\n"
    assert _cli(["fmt", "--check", str(good)])[0] == 0
    code, out, err = _cli(["fmt", str(good), str(bad)])
    assert code == 0 and f"reformatted {bad}" in err
    assert bad.read_text(encoding="utf-8") == "table t: one row per subject  # c\n"
    assert _cli(["fmt", "--check", str(bad)])[0] == 0


def test_fmt_leaves_a_file_with_errors_alone(tmp_path):
    broken = tmp_path / "broken.ept"
    broken.write_text("table t one row per subject\n", encoding="utf-8")
    code, _, err = _cli(["fmt", str(broken)])
    assert code == 1 and "broken.ept:1:" in err and "not formatted" in err
    assert broken.read_text(encoding="utf-8") == "table t one row per subject\n"
    assert _cli(["fmt", str(tmp_path / "absent.ept")])[0] == 2


def test_api(tmp_path):
    path = tmp_path / "x.ept"
    path.write_text("table t :one row per subject\n", encoding="utf-8")
    assert format_file(path, check=True) is True
    assert format_file(path) is True and format_file(path) is False
    assert path.read_text(encoding="utf-8") == "table t: one row per subject\n"


def test_the_language_reference_example_is_what_fmt_writes():
    from conftest import ROOT

    text = (ROOT / "docs" / "language.md").read_text(encoding="utf-8")
    section = text[text.index("## Layout: `endpointdsl fmt`") :]
    before = section[section.index("Before:\n\n```\n") + 13 :].split("```", 1)[0]
    after = section[section.index("After `endpointdsl fmt`:\n\n```\n") + 30 :].split("```", 1)[0]
    assert holds(before) == after


def test_windows_line_ends_a_byte_order_mark_and_form_feeds_in_texts():
    text = '\ufefftable t: one row per subject\r\n\r\n# c\r\nevent e = t.D label "a\x0cb"  # d\r\n'
    assert holds(text) == 'table t: one row per subject\n\n# c\nevent e = t.D label "a\x0cb"  # d\n'
