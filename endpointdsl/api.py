"""Driver: the Python API that runs the pipeline stages in order (like jinja2's Environment).

The face of endpointdsl.driver, whose modules hold one concern each: loading (parse, check,
fmt), compiled (the generated module and its runs), events (events that match no row),
summaries (rates, values, Kaplan-Meier), tracing (explain, trace), reporting (the HTML
report) and scenarios (`endpointdsl test`). Every name imports from here as it always did.
"""

from __future__ import annotations

from .check.model import EndpointSpec, Model
from .data.records import Derivation
from .data.values import Subject
from .driver.compiled import CompiledFile, Endpoint, compile_file, load
from .driver.events import empty_events
from .driver.loading import check_file, check_text, format_file, format_source, read_source
from .driver.reporting import Report, report
from .driver.scenarios import read_scenario_file, run_property, run_scenarios, scenario_path, test_file
from .driver.summaries import competing_codes, km_summary, summary_specs, value_parameters
from .driver.tracing import TraceError, explain, subject_traces, trace
from .language.diagnostics import Diagnostic, EptError
from .progress import Progress

__all__ = [
    "CompiledFile",
    "Derivation",
    "Diagnostic",
    "Endpoint",
    "EndpointSpec",
    "EptError",
    "Model",
    "Progress",
    "Report",
    "Subject",
    "TraceError",
    "check_file",
    "check_text",
    "competing_codes",
    "compile_file",
    "empty_events",
    "explain",
    "format_file",
    "format_source",
    "km_summary",
    "load",
    "read_scenario_file",
    "read_source",
    "report",
    "run_property",
    "run_scenarios",
    "scenario_path",
    "subject_traces",
    "summary_specs",
    "test_file",
    "trace",
    "value_parameters",
]
