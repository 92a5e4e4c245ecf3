"""The parser kept in the user's cache parses exactly as a freshly built one, and is
read only from a private directory; anything odd means building instead."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from conftest import EXAMPLES, ROOT
from lark.exceptions import UnexpectedInput

from endpointdsl import parser_cache
from endpointdsl.parser import KEYWORD_TERMINALS, build_parser, grammar_text

BAD = [
    "endpoint X\n",
    "table adsl: one row per subject\nevent e = adsl.\n",
    "endpoint X \"x\"\n  fromrand\nend\n",
    "table adsl one row\n",
    "event e = adsl.A where B = \n",
]


def outcome(parser, text):
    try:
        return parser.parse(text)
    except UnexpectedInput as exc:
        return (type(exc).__name__, exc.line, exc.column, sorted(getattr(exc, "expected", None) or []))


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("ENDPOINTDSL_CACHE_DIR", str(tmp_path / "cache"))
    return parser_cache.path(grammar_text())


def test_a_cached_parser_parses_and_fails_as_a_built_one(cache):
    built = build_parser()
    keywords = dict(KEYWORD_TERMINALS)
    parser_cache.save(cache, built, keywords)
    assert cache.is_file()
    assert oct(cache.stat().st_mode & 0o777) == "0o600" and oct(cache.parent.stat().st_mode & 0o777) == "0o700"
    loaded, loaded_keywords = parser_cache.load(cache)
    assert loaded_keywords == keywords and len(keywords) > 50
    texts = [p.read_text(encoding="utf-8") for p in sorted(EXAMPLES.rglob("*.ept"))]
    assert len(texts) >= 5
    for text in texts + BAD:
        assert outcome(loaded, text) == outcome(built, text)


def test_the_file_name_follows_the_grammar(cache):
    assert parser_cache.path(grammar_text() + "\n// changed\n") != cache


@pytest.mark.parametrize("spoil", ["corrupt", "group-writable file", "group-writable folder", "symlink"])
def test_an_unsafe_or_broken_cache_is_not_read(cache, spoil, tmp_path):
    parser_cache.save(cache, build_parser(), dict(KEYWORD_TERMINALS))
    if spoil == "corrupt":
        cache.write_bytes(cache.read_bytes()[:100])
    elif spoil == "group-writable file":
        cache.chmod(0o620)
    elif spoil == "group-writable folder":
        cache.parent.chmod(0o770)
    else:
        target = tmp_path / "elsewhere.pickle"
        target.write_bytes(cache.read_bytes())
        target.chmod(0o600)
        cache.unlink()
        cache.symlink_to(target)
    assert parser_cache.load(cache) is None


def test_no_cache_when_turned_off(monkeypatch):
    monkeypatch.setenv("ENDPOINTDSL_NO_CACHE", "1")
    assert parser_cache.path(grammar_text()) is None


def test_commands_fill_and_then_use_the_cache(tmp_path):
    env = {**os.environ, "ENDPOINTDSL_CACHE_DIR": str(tmp_path / "c"), "PYTHONPATH": str(ROOT)}
    env.pop("ENDPOINTDSL_NO_CACHE", None)
    bad = tmp_path / "bad.ept"
    bad.write_text('table adsl: one row per subject\nendpoint X "x"\n  from rand\n  to\nend\n')
    command = [sys.executable, "-m", "endpointdsl", "check", str(EXAMPLES / "fda_pfs.ept"), str(bad)]
    runs = [subprocess.run(command, capture_output=True, text=True, env=env) for _ in range(2)]
    assert len(list((tmp_path / "c").glob("parser-*.pickle"))) == 1
    assert runs[0].returncode == runs[1].returncode == 1
    assert runs[0].stdout == runs[1].stdout and runs[0].stderr == runs[1].stderr
    assert "bad.ept:5:4: error E002" in runs[0].stderr and "hint:" in runs[0].stderr
