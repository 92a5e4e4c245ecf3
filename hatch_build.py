"""Build hook: the parser's LALR tables, built with the wheel and shipped in it (endpointdsl/language/parser_tables.py)."""

from __future__ import annotations

import importlib.util
import tempfile
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class ParserTablesHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict) -> None:
        root = Path(self.root)
        # Loaded by path: importing the package would need its run-time dependencies.
        spec = importlib.util.spec_from_file_location(
            "_ept_parser_tables", root / "endpointdsl" / "language" / "parser_tables.py"
        )
        tables = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(tables)
        source = tables.render((root / "grammar" / "endpoint.lark").read_text(encoding="utf-8"))
        name = tables.FILE
        if version == "editable":  # the source folder is the installed package
            tables.write(root / "endpointdsl" / "language" / name, source)
            return
        self._folder = tempfile.TemporaryDirectory()
        path = Path(self._folder.name) / name
        path.write_text(source, encoding="utf-8")
        build_data["force_include"][str(path)] = f"endpointdsl/language/{name}"

    def finalize(self, version: str, build_data: dict, artifact_path: str) -> None:
        folder = getattr(self, "_folder", None)
        if folder is not None:
            folder.cleanup()
