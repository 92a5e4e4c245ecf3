"""The parser's tables: shipped in the package as plain data (no pickle), parsing exactly as a
freshly built parser, used only for their own grammar and lark, and nothing read from or
written to the user's folders."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import lark
import pytest
from conftest import EXAMPLES, ROOT
from lark.exceptions import UnexpectedInput

from endpointdsl.language import parser_tables
from endpointdsl.language.parser import build_parser, grammar_text, parser_origin

BAD = [
    "endpoint X\n",
    "table adsl: one row per subject\nevent e = adsl.\n",
    'endpoint X "x"\n  fromrand\nend\n',
    "table adsl one row\n",
    "event e = adsl.A where B = \n",
]
CHECKOUT_TABLES = ROOT / "endpointdsl" / "language" / parser_tables.FILE


def outcome(parser, text):
    try:
        return parser.parse(text)
    except UnexpectedInput as exc:
        return (type(exc).__name__, exc.line, exc.column, sorted(getattr(exc, "expected", None) or []))


def test_tables_parse_and_fail_as_a_built_parser():
    text = parser_tables.render(grammar_text())
    loaded, keywords = parser_tables.load(text, grammar_text())
    built, built_keywords = parser_tables.build(grammar_text())
    assert keywords == built_keywords and len(keywords) > 50
    texts = [p.read_text(encoding="utf-8") for p in sorted(EXAMPLES.rglob("*.ept"))]
    assert len(texts) >= 5
    for source in texts + BAD:
        assert outcome(loaded, source) == outcome(built, source)
    again, _ = parser_tables.load(text, grammar_text())  # loading does not consume the data
    assert outcome(again, texts[0]) == outcome(built, texts[0])


def test_tables_are_plain_json():
    tables = json.loads(parser_tables.render(grammar_text()))
    assert tables["lark_version"] == lark.__version__
    assert tables["grammar_digest"] == parser_tables.grammar_digest(grammar_text())


@pytest.mark.parametrize("change", ["grammar", "lark", "format", "corrupt"])
def test_tables_for_something_else_are_not_used(change, monkeypatch):
    grammar = grammar_text()
    text = parser_tables.render(grammar)
    if change == "grammar":
        grammar += "\n// changed\n"
    elif change == "lark":
        monkeypatch.setattr(lark, "__version__", "0.0.1")
    elif change == "format":
        monkeypatch.setattr(parser_tables, "FORMAT", parser_tables.FORMAT + 1)
    else:
        text = text[: len(text) // 2]
    assert parser_tables.load(text, grammar) is None


def run_check(tmp_path: Path, *files: str, **env: str) -> subprocess.CompletedProcess:
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    environment = {k: v for k, v in os.environ.items() if k not in ("XDG_CACHE_HOME", "ENDPOINTDSL_NO_CACHE")}
    environment.update(HOME=str(home), PYTHONPATH=str(ROOT), **env)
    command = [sys.executable, "-m", "endpointdsl", "check", *files]
    return subprocess.run(command, capture_output=True, text=True, env=environment, cwd=tmp_path)


class Payload:
    """A pickle that, once loaded, leaves a file behind."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def test_no_pickle_is_loaded_and_nothing_is_written(tmp_path):
    """Formerly a pickle in ~/.cache/endpointdsl (or ENDPOINTDSL_CACHE_DIR) was loaded, and
    written by every first run: a planted one ran its code."""
    marker = tmp_path / "pwned"
    planted = tmp_path / "cache"
    planted.mkdir(mode=0o700)
    for folder in (planted, tmp_path / "home" / ".cache" / "endpointdsl"):
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        for name in [f"parser-{i:032x}.pickle" for i in range(2)] + _old_cache_names(folder):
            path = folder / name
            path.write_bytes(pickle.dumps(Payload(marker)))
            path.chmod(0o600)
    bad = tmp_path / "bad.ept"
    bad.write_text('table adsl: one row per subject\nendpoint X "x"\n  from rand\n  to\nend\n')
    before = sorted(p for p in tmp_path.rglob("*"))
    run = run_check(tmp_path, str(EXAMPLES / "fda_pfs.ept"), str(bad), ENDPOINTDSL_CACHE_DIR=str(planted))
    assert run.returncode == 1, run.stderr
    assert "bad.ept:4:5: error E003: unfinished clause" in run.stderr and "hint:" in run.stderr
    assert not marker.exists()
    assert sorted(p for p in tmp_path.rglob("*")) == before


def _old_cache_names(folder: Path) -> list[str]:
    """The names the former cache gave its pickle (a hash of grammar, parser.py, lark, Python)."""
    import hashlib

    parser_py = ROOT / "endpointdsl" / "language" / "parser.py"
    digest = hashlib.sha256()
    for part in (
        grammar_text(),
        parser_py.read_text(encoding="utf-8"),
        lark.__version__,
        f"{sys.version_info[:2]}",
        "1",
    ):
        digest.update(part.encode("utf-8") + b"\0")
    return [f"parser-{digest.hexdigest()[:32]}.pickle"]


def test_stale_tables_mean_a_parser_built_in_memory(tmp_path):
    """Tables built with another lark (or a checkout whose grammar changed since)."""
    code = "import endpointdsl.language.parser as p, sys; print(p.parser_origin())"
    environment = {**os.environ, "HOME": str(tmp_path), "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", "import lark; lark.__version__ = '0.0.1'; " + code],
        capture_output=True, text=True, env=environment, cwd=tmp_path,
    )  # fmt: skip
    assert out.stdout.split() == ["built"], out.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(not CHECKOUT_TABLES.is_file(), reason="tables not built: pip install -e . builds them")
def test_checkout_tables_are_current():
    tables = json.loads(CHECKOUT_TABLES.read_text(encoding="utf-8"))
    assert tables["grammar_digest"] == parser_tables.grammar_digest(grammar_text()), (
        "the grammar changed since the tables were built: run `python endpointdsl/language/parser_tables.py`"
    )
    if tables["lark_version"] == lark.__version__:
        assert parser_origin() == "tables"


def test_fuzzing_still_gets_a_parser_with_its_grammar():
    assert build_parser().grammar is not None
