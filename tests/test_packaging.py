"""Packaging: the wheel carries the grammar and the parser tables built from it, and the
package uses them there (not building the parser, not writing to the user's home)."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile

from conftest import ROOT


def test_wheel_contains_grammar_and_loads_it(tmp_path):
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(wheels), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (wheel,) = wheels.glob("endpointdsl-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        assert "endpointdsl/_grammar/endpoint.lark" in names
        assert names.count("endpointdsl/_parser_tables.json") == 1
        assert not [n for n in names if "cache" in n or n.endswith(".pickle")], names
        packaged = zf.read("endpointdsl/_grammar/endpoint.lark").decode()
        zf.extractall(tmp_path / "site")
    assert packaged == (ROOT / "grammar" / "endpoint.lark").read_text()
    # Import the unpacked wheel from a folder with no grammar/ beside it, so only the
    # packaged copy can be found.
    site, example = str(tmp_path / "site"), str(ROOT / "examples" / "her2_cart_trastuzumab.ept")
    probe = (
        "import endpointdsl, endpointdsl.parser as p;"
        f"assert endpointdsl.__file__.startswith({site!r});"
        f"endpointdsl.load({example!r});"
        "print(len(p.grammar_text()), p.parser_origin())"
    )
    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "site"), "HOME": str(home)}
    env.pop("XDG_CACHE_HOME", None)
    out = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == [str(len(packaged)), "tables"]
    assert list(home.iterdir()) == []
