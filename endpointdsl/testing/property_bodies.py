"""Generated properties (issue 15): the eight properties, each judging one drawn history of
an endpoint (`Context`): 1-3 by `oracle`, the properties' own reading of the model; 4-8 by
comparing runs. `CHECKS` names them.
"""

from __future__ import annotations

import math

from attrs import frozen
from hypothesis import reject
from hypothesis import strategies as st

from ..check import model as m
from ..data.errors import DataError
from ..data.values import Subject
from . import oracle
from .histories import History, later_rows
from .property_messages import Broken, broke, record_text, result_text, rows_text

# ---- what a property needs: the endpoint, its plan, its engines ------------------------------


@frozen
class Context:
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


# ---- the properties ----------------------------------------------------------------------------


def _subjects(ctx: Context, history: History):
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
                broke(f"observation ends on {win.end}, before the origin {win.origin}, yet there is a record",
                       rows, got)  # fmt: skip
            continue
        if rec is None or rec.ADT is None:
            continue
        counts["judged"] += 1
        if rec.STARTDT != win.origin:
            broke(f"STARTDT is {rec.STARTDT}, not the origin {win.origin}", rows, got)
        end = win.end
        if end is not None and rec.ADT > end:
            broke(
                f"ADT {rec.ADT} is after the end of observation {end} ({win.limiting.description})", rows, got
            )
        starts = not (
            ctx.ep.kind == "occurrence" or (ctx.ep.response and ctx.ep.response.before_origin == "count")
        )
        if starts and rec.ADT < win.origin:
            broke(f"ADT {rec.ADT} is before the origin {win.origin}", rows, got)


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
            broke(f"{want.event} on {want.adt} is in the window [{win.origin}, {win.end or 'no end'}], "
                   f"yet the subject is excluded", rows, got)  # fmt: skip
        if got.record.CNSR != want.cnsr:
            broke(f"{want.event} on {want.adt} is in the window [{win.origin}, {win.end or 'no end'}]: "
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
                broke(f"no terminating event in the window [{win.origin}, {win.end or 'no end'}], "
                       f"yet the record is an event (CNSR {got.record.CNSR})", rows, got)  # fmt: skip
            continue
        counts["judged"] += 1
        if got.record is None or got.record.ADT != want.adt:
            broke(f"the earliest terminating occurrence in the window is {want.event} on {want.adt}"
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
            added = rows_text(extra).split("\n", 1)[1]
            broke(f"rows dated after ADT {rec.ADT} changed the record to: {record_text(again)}\nadded:\n{added}",
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
            + rows_text(history.tables)
            + "\nin this order:\n"
            + rows_text(shuffled.tables)
            + f"\noutput:\n{a.to_string(index=False)}\nafter shuffling:\n{b.to_string(index=False)}"
        )
    ex = {tuple(r) for r in first.excluded[["USUBJID", "PARAMCD"]].itertuples(index=False)}
    ey = {tuple(r) for r in second.excluded[["USUBJID", "PARAMCD"]].itertuples(index=False)}
    if ex != ey:
        raise Broken(f"exclusions depend on row order: {sorted(ex ^ ey)}\n" + rows_text(history.tables))


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
            broke(f"AVAL should be ({rec.ADT} - {rec.STARTDT} + {ep.origin_day}) / "
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
                raise Broken(f"subject {sid} is {what} for {p}\n" + rows_text(history.of(sid)) + "\n"
                             + result_text(result))  # fmt: skip
    silent = excluded[[not (isinstance(x, str) and x.strip()) for x in excluded.get("MESSAGE", [])]]
    if len(silent):
        sid = silent.USUBJID.iloc[0]
        raise Broken(f"subject {sid} is excluded from {silent.PARAMCD.iloc[0]} without a reason\n"
                     + rows_text(history.of(sid)))  # fmt: skip
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
                raise Broken(f"compiled: {result_text(base)}\n{engine}: {result_text(other)}\n"
                             + rows_text(history.tables))  # fmt: skip
            continue
        try:
            pd.testing.assert_frame_equal(base.adtte, other.adtte)
            pd.testing.assert_frame_equal(base.report, other.report)
        except AssertionError as exc:
            raise Broken(
                f"the compiled functions and the {engine} engine disagree ({str(exc).splitlines()[0]})\n"
                + rows_text(history.tables)
                + f"\ncompiled:\n{result_text(base)}\n{engine}:\n{result_text(other)}"
            ) from None


CHECKS = {
    "window": check_window, "event-beats-censoring": check_event_beats_censoring,
    "earliest-event": check_earliest_event, "later-rows": check_later_rows, "row-order": check_row_order,
    "aval": check_aval, "every-subject": check_every_subject, "engines-agree": check_engines_agree,
}  # fmt: skip
