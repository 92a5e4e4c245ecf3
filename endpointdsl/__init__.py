"""endpointdsl: a language and compiler for clinical-trial endpoint definitions.

Pipeline: .ept text -> `language` (parser, syntax tree) -> `check` (checked `model`) ->
`engines` (`python`: generated module and its runtime; `sql`: DuckDB; `reference`: the
interpreter) -> `data.tables` (pandas in, ADaM ADTTE out); `api` drives it, `cli` is the
command line (docs/architecture.md).
"""

from .api import CompiledFile, Endpoint, check_file, check_text, compile_file, load
from .data import manifest as manifest  # README: `endpointdsl.manifest.verify(path)`
from .data.errors import DataError
from .language.diagnostics import Diagnostic, EptError
from .version import __version__

__all__ = [
    "CompiledFile",
    "DataError",
    "Diagnostic",
    "Endpoint",
    "EptError",
    "__version__",
    "check_file",
    "check_text",
    "compile_file",
    "load",
]
