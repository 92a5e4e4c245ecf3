"""Generated properties of a user's own endpoint (issue 15), for `endpointdsl test` and the
pytest plugin.

`property_checks(compiled, paramcd)` takes the `CompiledFile` that the API's compile step
gives (`endpointdsl.compile_file`, `CompiledFile.from_model`: its `model` is the checked
model, its generated per-subject functions are `namespace["ENDPOINTS"]`, and `run(tables,
only, engine)` runs any of the three engines) and returns one `PropertyCheck` per property
below, in this order. A property that does not apply to the endpoint (its kind, or a
construct whose meaning the property does not hold for by design) is still returned, with
`skipped` saying why; its `run` returns a result with `skipped=True`, so a runner can print
SKIP rather than PASS.

1. window: the record's date lies in the observation window (STARTDT is the origin, origin
   <= ADT <= end of observation), and a window that ends before the origin gives no record;
2. event-beats-censoring: a terminating event in the window gives an event record (CNSR 0,
   or the competing event's code, or the missed-assessment rule's code where that rule says so);
3. earliest-event: ADT is the earliest in-window terminating occurrence; without one the
   record is not an event;
4. later-rows: rows dated after the deciding date (ADT of an event) change nothing;
5. row-order: shuffling every input table changes no record;
6. aval: AVAL is (ADT - STARTDT + 1) / unit days, or + 0 with `origin is day 0`;
7. every-subject: every subject of the subject-level table ends, for each parameter, in the
   output or the exclusions report, exactly once;
8. engines-agree: the compiled functions, the SQL engine and the reference interpreter give
   identical outputs and reports (double programming).

1-3 are judged by `oracle`, a reading of the model independent of the engines; 4-8 compare
runs. Each `run(max_examples, seed)` draws histories (`histories`) with a fixed seed, no
deadline and no example database (nothing is written to the user's folder); a failure is
shrunk by hypothesis and its message shows the minimal history as rows per table
(`TABLE: COLUMN = value, ...`, the scenario format) with the record the engine gave.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable

from attrs import frozen
from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import seed as seeded
from hypothesis import strategies as st
from hypothesis.errors import UnsatisfiedAssumption

from .histories import histories, plan
from .property_bodies import (
    CHECKS,
    Context,
    check_aval,
    check_earliest_event,
    check_engines_agree,
    check_event_beats_censoring,
    check_every_subject,
    check_later_rows,
    check_row_order,
    check_window,
)
from .property_messages import Broken, rows_text
from .property_scope import DESCRIPTIONS, not_applicable

# the runner and the list are here; the properties (`property_bodies`), where they apply and
# what they say (`property_scope`) and their messages (`property_messages`) are in their own
# modules, their names importable from here as before
__all__ = [
    "CHECKS", "DESCRIPTIONS", "NAMES", "SHARE", "Broken", "PropertyCheck", "PropertyResult", "check_aval",
    "check_earliest_event", "check_engines_agree", "check_event_beats_censoring", "check_every_subject",
    "check_later_rows", "check_row_order", "check_window", "property_checks",
]  # fmt: skip


@frozen
class PropertyResult:
    ok: bool
    message: str  # failure: the falsifying history (rows per table) and what broke
    skipped: bool = False


@frozen
class PropertyCheck:
    name: str
    description: str
    run: Callable[[int, int], PropertyResult]  # (max_examples, seed), and shrink=False to skip shrinking
    skipped: str | None = None  # why the property does not apply to this endpoint


NAMES = (
    "window", "event-beats-censoring", "earliest-event", "later-rows", "row-order", "aval",
    "every-subject", "engines-agree",
)  # fmt: skip


def property_checks(compiled, paramcd: str) -> list[PropertyCheck]:
    """The eight properties of the endpoint `paramcd` (its code as the file writes it; a grouped
    endpoint's code, not one of its parameters')."""
    codes = [e.paramcd for e in compiled.model.endpoints]
    if paramcd not in codes:
        raise KeyError(f"{paramcd!r} is not an endpoint of {compiled.model.file} ({', '.join(codes)})")
    ep = compiled.model.endpoint(paramcd)
    ctx = Context(compiled, paramcd, ep, plan(compiled.model, ep))
    why = not_applicable(compiled.model, ep)
    checks = []
    for name in NAMES:
        reason = why.get(name)
        description = f"{paramcd}: {DESCRIPTIONS[name](ep)}"
        if reason is not None:
            description += f" Not checked for {paramcd}: {reason}."
            checks.append(PropertyCheck(name, description, _skip(reason), skipped=reason))
        else:
            checks.append(PropertyCheck(name, description, _runner(ctx, name)))
    return checks


def _skip(reason: str) -> Callable[[int, int], PropertyResult]:
    return lambda max_examples, seed, shrink=True: PropertyResult(
        True, f"not applicable: {reason}", skipped=True
    )


# ---- running a property with hypothesis ------------------------------------------------------


# engines-agree runs three whole engines per history (DuckDB plans every statement): it draws
# a tenth of the histories the others draw, so `test --examples 50` stays seconds per endpoint.
SHARE = {"engines-agree": 10}


def _runner(ctx: Context, name: str) -> Callable[[int, int], PropertyResult]:
    check = CHECKS[name]

    def run(max_examples: int, seed: int, *, shrink: bool = True) -> PropertyResult:
        """shrink=False: report the first falsifying history as found (quicker, not minimal)."""
        counts = {"judged": 0, "examples": 0}
        max_examples = max(1, max_examples // SHARE.get(name, 1))

        @settings(
            max_examples=max_examples, deadline=None, database=None, derandomize=False,
            suppress_health_check=list(HealthCheck), print_blob=False, verbosity=Verbosity.quiet,
            phases=(Phase.generate, Phase.shrink) if shrink else (Phase.generate,),
        )  # fmt: skip
        @seeded(seed)
        @given(histories(ctx.plan), st.data())
        def test(history, data):
            counts["examples"] += 1
            try:
                check(ctx, history, data, counts)
            except (Broken, AssertionError, UnsatisfiedAssumption):
                raise
            except Exception as exc:  # an engine that crashes is a failure to show, with its history
                raise Broken(
                    f"{type(exc).__name__}: {exc}\n{rows_text(history.tables)}\n"
                    + "".join(traceback.format_exception(exc)[-3:])
                ) from exc

        try:
            test()
        except Broken as exc:
            return PropertyResult(False, str(exc))
        except Exception as exc:  # hypothesis itself: Flaky, Unsatisfiable (every run stopped)
            stopped = f"\nthe last run stopped: {counts['stopped']}" if "stopped" in counts else ""
            return PropertyResult(False, f"{type(exc).__name__}: {exc}{stopped}")
        return PropertyResult(True, f"held on {counts['judged']} judged cases in {max_examples} examples")

    return run
