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

import datetime as dt
import math
import traceback
from collections.abc import Callable

from attrs import frozen
from hypothesis import HealthCheck, Phase, Verbosity, given, reject, settings
from hypothesis import seed as seeded
from hypothesis import strategies as st
from hypothesis.errors import UnsatisfiedAssumption

from ..check import model as m
from ..data.errors import DataError
from ..data.values import Subject
from . import oracle
from .histories import History, histories, later_rows, plan


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


class Broken(AssertionError):
    """A property does not hold on a drawn history; the message says where and how."""


# ---- what a property needs: the endpoint, its plan, its engines ------------------------------


@frozen
class _Context:
    compiled: object
    paramcd: str
    ep: m.EndpointSpec
    plan: object

    @property
    def model(self) -> m.Model:
        return self.compiled.model

    def derive(self, tables: dict[str, list[dict]], subject: str):
        """The compiled function's Derivation for one subject (looked up at each call)."""
        return self.compiled.namespace["ENDPOINTS"][self.paramcd](Subject.from_dicts(subject, tables))

    def run(self, history: History, engine: str = "compiled", frames=None):
        return self.compiled.run(frames or history.frames(), only=[self.paramcd], engine=engine)


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
    ctx = _Context(compiled, paramcd, ep, plan(compiled.model, ep))
    why = _not_applicable(compiled.model, ep)
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


# ---- applicability: where a property does not hold by design, said -----------------------


def _not_applicable(model: m.Model, ep: m.EndpointSpec) -> dict[str, str]:
    why: dict[str, str] = {}
    kind = ep.kind
    oracle_props = ("window", "event-beats-censoring", "earliest-event", "aval")
    if kind == "value":
        reason = "a value endpoint derives a number from a series of samples, with no event date or window"
        return dict.fromkeys((*oracle_props, "later-rows"), reason)
    if ep.group is not None:
        reason = (
            "one parameter per value of a `for each` column restricts the event to that value's rows; "
            "the property's own reading does not"
        )
        return dict.fromkeys((*oracle_props, "later-rows"), reason)
    if kind != "tte":
        what = {"best": "a best response", "landmark": "a landmark response", "occurrence": "an incidence",
                "extreme": "a worst-of outcome"}.get(kind, kind)  # fmt: skip
        for name in ("event-beats-censoring", "earliest-event", "aval"):
            why[name] = f"{what} row has no CNSR and its AVAL is a category code"
        if kind in ("best", "landmark"):
            why["later-rows"] = "a later assessment may improve or confirm the response, by design"
        elif kind == "extreme":
            why["later-rows"] = "a later, worse (or better) outcome changes the result, by design"
    if m.timed(ep):
        reason = "counted by the clock (`time in hours|minutes`): the property reads dates only"
        for name in oracle_props:
            why.setdefault(name, reason)
    window_events = [
        ep.origin.event,
        *(b.event for b in ep.bounds),
        *(b.date.event for b in ep.bounds if b.date),
    ]
    odd = _not_plain(model, window_events)
    if odd:
        why.setdefault("window", odd)
    odd = _not_plain(
        model, [*window_events, *(t.event for t in ep.events), ep.missed.event if ep.missed else None,
                ep.population.event],
    )  # fmt: skip
    if odd:
        for name in ("event-beats-censoring", "earliest-event"):
            why.setdefault(name, odd)
    later = _later_rows_matter(model, ep)
    if later:
        why.setdefault("later-rows", later)
    return why


def _not_plain(model: m.Model, names) -> str | None:
    for name in names:
        if name is None or oracle.plain(model, name):
            continue
        ev = model.event(name)
        what = (
            "a confirmed event (its confirmation reads other assessments)" if ev.confirm is not None
            else "a derived date" if ev.date is not None
            else f"another endpoint's rows ({ev.table})"
        )  # fmt: skip
        return f"{ev.display} is {what}, which the property's own reading does not derive"
    return None


def _later_rows_matter(model: m.Model, ep: m.EndpointSpec) -> str | None:
    """Why rows dated after the deciding date may change the record, by design."""
    if model.upstream(ep):
        return f"it reads the rows of {', '.join(model.upstream(ep))}, whose derivation may read later rows"
    for spec in [ep.origin, *(b.date for b in ep.bounds if b.date)]:
        if spec.kind == "last" and spec.event and not model.event(spec.event).per_subject:
            return f"`last {spec.event}` moves with a later row"
    for name in model.read_events(ep):
        ev = model.event(name)
        if ev.confirm is not None:
            return f"{ev.display} is confirmed by later assessments, by design (semantics 2.1)"
        if isinstance(ev.date, m.DatePick) and ev.date.which != "first":
            return f"{ev.display} picks an occurrence other than the first, which a later row may change"
    return None


# ---- running a property with hypothesis ------------------------------------------------------


# engines-agree runs three whole engines per history (DuckDB plans every statement): it draws
# a tenth of the histories the others draw, so `test --examples 50` stays seconds per endpoint.
SHARE = {"engines-agree": 10}


def _runner(ctx: _Context, name: str) -> Callable[[int, int], PropertyResult]:
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
                    f"{type(exc).__name__}: {exc}\n{_rows(history.tables)}\n"
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


# ---- the properties ----------------------------------------------------------------------------


def _subjects(ctx: _Context, history: History):
    """(subject, its rows) of the subjects with exactly one subject-level row."""
    table = ctx.plan.subject_table.name
    for sid in history.subjects():
        rows = history.of(sid)
        if len(rows[table]) == 1:
            yield sid, rows


def check_window(ctx, history, data, counts):
    for sid, rows in _subjects(ctx, history):
        win = oracle.window(ctx.model, ctx.ep, rows)
        if win is oracle.UNDECIDED or win is None:
            continue
        got = ctx.derive(rows, sid)
        rec = got.record
        if win.end is not None and win.end < win.origin:
            counts["judged"] += 1
            if rec is not None:
                _broke(f"observation ends on {win.end}, before the origin {win.origin}, yet there is a record",
                       rows, got)  # fmt: skip
            continue
        if rec is None or rec.ADT is None:
            continue
        counts["judged"] += 1
        if rec.STARTDT != win.origin:
            _broke(f"STARTDT is {rec.STARTDT}, not the origin {win.origin}", rows, got)
        end = win.end
        if end is not None and rec.ADT > end:
            _broke(
                f"ADT {rec.ADT} is after the end of observation {end} ({win.limiting.description})", rows, got
            )
        starts = not (
            ctx.ep.kind == "occurrence" or (ctx.ep.response and ctx.ep.response.before_origin == "count")
        )
        if starts and rec.ADT < win.origin:
            _broke(f"ADT {rec.ADT} is before the origin {win.origin}", rows, got)


def _event_case(ctx, rows):
    """(window, expected event step) for a subject the oracle can judge, else None."""
    win = oracle.window(ctx.model, ctx.ep, rows)
    if win is oracle.UNDECIDED or win is None or (win.end is not None and win.end < win.origin):
        return None
    inside = oracle.in_population(ctx.model, ctx.ep, rows)
    if inside is oracle.UNDECIDED or not inside:
        return None
    expected = oracle.event_step(ctx.model, ctx.ep, win, rows)
    if expected is oracle.UNDECIDED:
        return None
    return win, expected


def check_event_beats_censoring(ctx, history, data, counts):
    for sid, rows in _subjects(ctx, history):
        case = _event_case(ctx, rows)
        if case is None or case[1] is None:
            continue
        win, want = case
        counts["judged"] += 1
        got = ctx.derive(rows, sid)
        if got.record is None:
            _broke(f"{want.event} on {want.adt} is in the window [{win.origin}, {win.end or 'no end'}], "
                   f"yet the subject is excluded", rows, got)  # fmt: skip
        if got.record.CNSR != want.cnsr:
            _broke(f"{want.event} on {want.adt} is in the window [{win.origin}, {win.end or 'no end'}]: "
                   f"CNSR should be {want.cnsr}, not {got.record.CNSR}", rows, got)  # fmt: skip


def check_earliest_event(ctx, history, data, counts):
    codes = {0} | {t.cnsr for t in ctx.ep.events}
    for sid, rows in _subjects(ctx, history):
        case = _event_case(ctx, rows)
        if case is None:
            continue
        win, want = case
        got = ctx.derive(rows, sid)
        if want is None:
            if got.record is not None and got.record.CNSR in codes:
                counts["judged"] += 1
                _broke(f"no terminating event in the window [{win.origin}, {win.end or 'no end'}], "
                       f"yet the record is an event (CNSR {got.record.CNSR})", rows, got)  # fmt: skip
            continue
        counts["judged"] += 1
        if got.record is None or got.record.ADT != want.adt:
            _broke(f"the earliest terminating occurrence in the window is {want.event} on {want.adt}"
                   + (" (censored there by the missed-assessment rule)" if want.cnsr not in codes else ""),
                   rows, got)  # fmt: skip


def check_later_rows(ctx, history, data, counts):
    codes = {0} | {t.cnsr for t in ctx.ep.events}
    for sid, rows in _subjects(ctx, history):
        got = ctx.derive(rows, sid)
        rec = got.record
        if rec is None or rec.ADT is None:
            continue
        decided = rec.AVALC == "Y" if ctx.ep.kind == "occurrence" else rec.CNSR in codes
        if not decided:
            continue
        extra = later_rows(data.draw, ctx.plan, history, sid, rec.ADT)
        if not extra:
            continue
        counts["judged"] += 1
        more = {t: [*r, *extra.get(t, [])] for t, r in rows.items()}
        again = ctx.derive(more, sid)
        if again.record != rec:
            added = _rows(extra).split("\n", 1)[1]
            _broke(f"rows dated after ADT {rec.ADT} changed the record to: {_record(again)}\nadded:\n{added}",
                   rows, got)  # fmt: skip


def check_row_order(ctx, history, data, counts):
    shuffled = History(
        {t: data.draw(st.permutations(r)) for t, r in history.tables.items()}, history.columns, history.keys
    )
    first, second = _run_or_reject(ctx, history, counts), _run_or_reject(ctx, shuffled, counts)
    tied = _ties(first) | _ties(second)  # SRCSEQ cannot tell two rows apart: input order decides
    a = first.adtte[~first.adtte.USUBJID.isin(tied)].reset_index(drop=True)
    b = second.adtte[~second.adtte.USUBJID.isin(tied)].reset_index(drop=True)
    counts["judged"] += len(a)
    if not a.equals(b):
        raise Broken(
            "the output depends on the order of the input rows\n"
            + _rows(history.tables)
            + "\nin this order:\n"
            + _rows(shuffled.tables)
            + f"\noutput:\n{a.to_string(index=False)}\nafter shuffling:\n{b.to_string(index=False)}"
        )
    ex = {tuple(r) for r in first.excluded[["USUBJID", "PARAMCD"]].itertuples(index=False)}
    ey = {tuple(r) for r in second.excluded[["USUBJID", "PARAMCD"]].itertuples(index=False)}
    if ex != ey:
        raise Broken(f"exclusions depend on row order: {sorted(ex ^ ey)}\n" + _rows(history.tables))


def _ties(result) -> set[str]:
    found = result.report[result.report.MESSAGE.str.contains("cannot tell them apart", regex=False)]
    return set(found.USUBJID)


def _run_or_reject(ctx, history, counts, engine: str = "compiled"):
    try:
        return ctx.run(history, engine)
    except DataError as exc:  # a date column mostly not dates stops a run by design (semantics 1)
        counts["stopped"] = str(exc)
        reject()


def check_aval(ctx, history, data, counts):
    ep = ctx.ep
    for sid, rows in _subjects(ctx, history):
        got = ctx.derive(rows, sid)
        rec = got.record
        if rec is None or rec.ADT is None or rec.STARTDT is None:
            continue
        counts["judged"] += 1
        want = ((rec.ADT - rec.STARTDT).days + ep.origin_day) / m.UNIT_DAYS[ep.unit]
        if not math.isclose(rec.AVAL, want, rel_tol=1e-12, abs_tol=1e-12) or rec.AVALU != m.AVALU[ep.unit]:
            _broke(f"AVAL should be ({rec.ADT} - {rec.STARTDT} + {ep.origin_day}) / "
                   f"{m.UNIT_DAYS[ep.unit]:g} = {want!r} {m.AVALU[ep.unit]}", rows, got)  # fmt: skip


def check_every_subject(ctx, history, data, counts):
    result = _run_or_reject(ctx, history, counts)
    code = ctx.paramcd
    mine = (lambda p: p.startswith(code)) if ctx.ep.group is not None else (lambda p: p == code)
    records, excluded = _mine(result.adtte, mine), _mine(result.excluded, mine)
    params = set(records.PARAMCD) | set(excluded.PARAMCD) or {code}
    seen: dict[tuple[str, str], int] = {}
    for frame in (records, excluded):
        for sid, p in frame[["USUBJID", "PARAMCD"]].itertuples(index=False):
            seen[(sid, p)] = seen.get((sid, p), 0) + 1
    subjects = history.subjects()
    for sid in subjects:
        for p in sorted(params):
            counts["judged"] += 1
            if seen.get((sid, p), 0) != 1:
                what = "neither in the output nor in the report" if (sid, p) not in seen else "there twice"
                raise Broken(f"subject {sid} is {what} for {p}\n" + _rows(history.of(sid)) + "\n"
                             + _result_text(result))  # fmt: skip
    silent = excluded[[not (isinstance(x, str) and x.strip()) for x in excluded.get("MESSAGE", [])]]
    if len(silent):
        sid = silent.USUBJID.iloc[0]
        raise Broken(f"subject {sid} is excluded from {silent.PARAMCD.iloc[0]} without a reason\n"
                     + _rows(history.of(sid)))  # fmt: skip
    strangers = {s for s, _ in seen} - set(subjects)
    if strangers:
        raise Broken(f"records for subjects not in the subject-level table: {sorted(strangers)}")


def _mine(frame, mine):
    """The rows of the endpoint's parameters (an output without records has no columns)."""
    if "PARAMCD" not in frame.columns:
        return frame.reindex(columns=["USUBJID", "PARAMCD"]).iloc[0:0]
    return frame[frame.PARAMCD.map(mine).astype(bool)]


def check_engines_agree(ctx, history, data, counts):
    import pandas as pd

    outcomes = {}
    for engine in ("compiled", "sql", "interpreter"):
        try:
            outcomes[engine] = ctx.run(history, engine)
        except DataError as exc:
            outcomes[engine] = exc
    counts["judged"] += 1
    base = outcomes["compiled"]
    for engine in ("sql", "interpreter"):
        other = outcomes[engine]
        if isinstance(base, DataError) or isinstance(other, DataError):
            if str(base) != str(other):
                raise Broken(f"compiled: {_result_text(base)}\n{engine}: {_result_text(other)}\n"
                             + _rows(history.tables))  # fmt: skip
            continue
        try:
            pd.testing.assert_frame_equal(base.adtte, other.adtte)
            pd.testing.assert_frame_equal(base.report, other.report)
        except AssertionError as exc:
            raise Broken(
                f"the compiled functions and the {engine} engine disagree ({str(exc).splitlines()[0]})\n"
                + _rows(history.tables)
                + f"\ncompiled:\n{_result_text(base)}\n{engine}:\n{_result_text(other)}"
            ) from None


CHECKS = {
    "window": check_window, "event-beats-censoring": check_event_beats_censoring,
    "earliest-event": check_earliest_event, "later-rows": check_later_rows, "row-order": check_row_order,
    "aval": check_aval, "every-subject": check_every_subject, "engines-agree": check_engines_agree,
}  # fmt: skip


# ---- what each property says, in the SAP's words --------------------------------------------


def _unit_words(ep: m.EndpointSpec) -> str:
    if m.timed(ep):
        return f"ADTM - STARTDTM in {ep.unit}"
    days = m.UNIT_DAYS[ep.unit]
    per = "" if ep.unit == "days" else f", divided by {days:g} days per {ep.unit.removesuffix('s')}"
    return f"ADT - STARTDT + {ep.origin_day}{per}"


DESCRIPTIONS: dict[str, Callable[[m.EndpointSpec], str]] = {
    "window": lambda ep: (
        "the analysis date lies in the observation window: STARTDT is the origin "
        f"({ep.origin.describe()}) and ADT is on or after it and on or before the end of observation"
        + (f" ({', '.join(b.description for b in ep.bounds)})" if ep.bounds else "")
        + "; a window that ends before the origin gives no record."
    ),
    "event-beats-censoring": lambda ep: (
        "a terminating event ("
        + ", ".join(t.event for t in ep.events)
        + ") in the window gives an event (CNSR 0, or a competing event's code), never a censoring"
        + (" unless the missed-assessment rule censors it" if ep.missed else "")
        + "; subjects whose deciding rows have partial dates (imputed) are not judged."
    ),
    "earliest-event": lambda ep: (
        "ADT is the date of the earliest terminating occurrence in the window (a tie: the first listed); "
        "without one the record is not an event."
    ),
    "later-rows": lambda ep: (
        "occurrences dated after the deciding date change nothing: rows added after an event's ADT "
        "leave the record as it was."
    ),
    "row-order": lambda ep: (
        "the result does not depend on the order of the input rows (every table shuffled); subjects with "
        "records that SRCSEQ cannot tell apart are reported and left out."
    ),
    "aval": lambda ep: f"AVAL is {_unit_words(ep)} (AVALU {m.AVALU.get(ep.unit, ep.unit)}).",
    "every-subject": lambda ep: (
        "every subject of the subject-level table ends, for each parameter, either in the output or in "
        "the exclusions report with a reason, exactly once."
    ),
    "engines-agree": lambda ep: (
        "double programming: the compiled functions, the SQL engine (DuckDB) and the reference "
        "interpreter give identical records and reports (on a tenth of the histories: each runs "
        "the three engines)."
    ),
}


# ---- messages: the history as rows per table, and the record ------------------------------------


def _value(v) -> str:
    if v is None:
        return "missing"
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, str):
        if oracle.as_date(v) is not None and v == v.strip():
            return v
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _rows(tables: dict[str, list[dict]]) -> str:
    lines = ["history (rows per table):"]
    for table, rows in tables.items():
        for row in rows:
            lines.append(f"  {table}: " + ", ".join(f"{c} = {_value(v)}" for c, v in row.items()))
    return "\n".join(lines)


def _record(derivation) -> str:
    if derivation.record is None:
        return f"excluded: {derivation.excluded}"
    rec = derivation.record
    names = ("STARTDT", "ADT", "AVAL", "AVALC", "CNSR", "EVNTDESC", "CNSDTDSC", "SRCDOM", "SRCVAR", "SRCSEQ")
    return ", ".join(f"{n} = {_value(getattr(rec, n))}" for n in names if getattr(rec, n) is not None)


def _result_text(result) -> str:
    if isinstance(result, Exception):
        return f"stopped: {result}"
    return f"{result.adtte.to_string(index=False)}\nreport:\n{result.report.to_string(index=False)}"


def _broke(what: str, rows: dict[str, list[dict]], derivation) -> None:
    raise Broken(f"{what}\n{_rows(rows)}\nrecord: {_record(derivation)}")
