"""endpointdsl: a language and compiler for clinical-trial endpoint definitions.

Pipeline: .ept text -> `parser` (lark tree) -> `transformer` (attrs AST) ->
`checker` (checked `model`) -> `codegen` (Python module) or `interpreter`
(reference) -> `runtime` -> `tables` (pandas in, ADaM ADTTE out).
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
