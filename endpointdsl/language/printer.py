"""Printer: attrs AST back to canonical .ept text (the inverse of parse, up to layout and comments)."""

from __future__ import annotations

from . import nodes as n
from .transform_base import escape

INDENT = "  "

# Binding strength of the condition operators: `not` > `and` > `or`; atoms bind tightest.
_OR, _AND, _NOT, _ATOM = 1, 2, 3, 4


def format_program(program: n.Program) -> str:
    """The canonical text of a program: one statement per line, endpoint clauses indented."""
    blocks: list[str] = []
    previous: n.Item | None = None
    for item in program.items:
        blocky = (n.Endpoint, n.CriteriaDef)
        if previous is not None and (isinstance(item, blocky) or isinstance(previous, blocky)):
            blocks.append("")
        blocks.append(format_item(item))
        previous = item
    return "".join(block + "\n" for block in blocks)


def format_item(item: n.Item) -> str:
    match item:
        case n.Table():
            return _table(item)
        case n.EventDef():
            return _event(item)
        case n.ConfirmedEventDef():
            return _confirmed_event(item)
        case n.PopulationDef(name=name, population=population):
            return f"population {name.text} = {_population(population)}"
        case n.ScheduleDef(name=name, pieces=pieces, window=window, window_unit=unit):
            parts = []
            for p in pieces:
                text = f"every {format_operand(p.every)} {p.unit.text}"
                if p.until is not None:
                    text += f" until {format_operand(p.until)} {p.until_unit.text}"
                parts.append(text)
            return (
                f"schedule {name.text} = {' then '.join(parts)}, window {format_operand(window)} {unit.text}"
            )
        case n.Endpoint():
            return _endpoint(item)
        case n.CriteriaDef():  # criteria (issue 13)
            return _criteria(item)
        case n.DateDef(name=name, date=date, label=label):  # reldates
            return f"date {name.text} = {_date(date)}" + (
                f" label {escape(label)}" if label is not None else ""
            )
        case n.KeepDef(items=items, table=table):  # adam
            names = ", ".join(i.column.text + (f" as {i.rename.text}" if i.rename else "") for i in items)
            return f"keep {names} from {table.text}"
        case n.DatasetDef(name=name, label=label):  # adam
            return f"dataset {name.text}" + (f" label {escape(label)}" if label is not None else "")
        case n.SeriesDef():  # value endpoints (issue 14)
            return _series(item)
    raise TypeError(f"not a top-level item: {type(item).__name__}")


# ---- value endpoints (issue 14)
def _series(d: n.SeriesDef) -> str:
    head = f"series {d.name.text} = {d.table.text}.{d.column.text} at {d.time.text} {d.time_unit.text}"
    return "\n".join([head, *(INDENT + INDENT + _series_option(o) for o in d.options)])


def _series_option(o: n.SeriesOption) -> str:
    match o.kind:
        case "where":
            return f"where {format_condition(o.value)}"
        case "sequence" | "unit column":
            return f"{o.kind.split()[0]} {o.value.text}"
        case "label":
            return f"label {escape(o.value)}"
        case "unit text":
            return f"unit {escape(o.value)}"
        case "lloq":
            return f"lloq {format_operand(o.value)}"
        case "below lloq":
            rule = o.value
            text = f"below lloq if {format_condition(rule.condition)}: {rule.before}"
            return text + (f" before first quantifiable, {rule.after} after" if rule.after else "")
        case "duplicate times":
            return f"duplicate times: {o.value}"
        case "from":
            return f"from {o.value.text}"
        case "origin is day":
            return f"origin is day {format_operand(o.value)}"
    return "negative times: at zero"


def _value_clause(c: n.ValueClause) -> str:
    if c.stat in ("at", "detectable"):
        head = "value of" if c.stat == "at" else "value detectable of"
        text = (
            f"{head} {c.series.text} at {format_operand(c.at)} {c.at_unit.text}"
            f" within {format_operand(c.within)} {c.within_unit.text}"
        )
    else:
        text = f"value {c.stat} of {c.series.text}"
    if c.over is not None:
        o = c.over
        text += f" over {format_operand(o.start)} to {format_operand(o.stop)} {o.unit.text}"
    return text + (f" {c.rule}" if c.rule else "")


def _table(t: n.Table) -> str:
    text = f"table {t.name.text}: {'one row' if t.per_subject else 'many rows'} per subject"
    return text + (f", key {t.key.text}" if t.key is not None else "")


def _event(e: n.EventDef) -> str:
    parts = [f"event {e.name.text} = {e.table.text}.{e.column.text}"]
    if e.format is not None:
        parts.append(f"format {escape(e.format.pattern)}")
    if e.with_time:
        parts.append("with time")
    if e.where is not None:
        parts.append(f"where {format_condition(e.where)}")
    if e.response is not None:
        parts.append(f"response {e.response.text}")
    if e.sequence is not None:
        parts.append(f"sequence {e.sequence.text}")
    if e.impute is not None:
        imp = e.impute
        bounds = [
            f"not before {_imputation_bound(b, imp.before_offsets, i)}" for i, b in enumerate(imp.not_before)
        ]
        bounds += [
            f"not after {_imputation_bound(b, imp.after_offsets, i)}" for i, b in enumerate(imp.not_after)
        ]
        parts.append(" ".join([f"impute {imp.rule}" + (" day" if imp.day_only else ""), *bounds]))
    if e.label is not None:
        parts.append(f"label {escape(e.label)}")
    return " ".join(parts)


# ---- finer imputation (issue 12)
def _imputation_bound(event: n.Ident, offsets: tuple, i: int) -> str:
    """`last_alive`, `last_alive + 1 day`, `last_alive +1 day` (the number as written)."""
    offset = offsets[i] if i < len(offsets) else None
    if offset is None:
        return event.text
    sign = f"{offset.sign} " if offset.sign else ""
    return f"{event.text} {sign}{offset.number} {offset.unit.text}"


# ---- confirmed and sustained events (issue 12, item 2)
def _confirmed_event(e: n.ConfirmedEventDef) -> str:
    parts = [f"event {e.name.text} = {e.candidate.text}"]
    match e.kind:
        case "later":
            parts.append(
                f"confirmed by {e.by.text} at least {format_operand(e.at_least)} {e.at_least_unit.text}"
            )
            if e.at_most is not None:
                parts.append(f"and at most {format_operand(e.at_most)} {e.at_most_unit.text}")
            parts.append("later")
            if e.without is not None:
                parts.append(f"without {e.without.text} between")
        case "next":
            parts.append(f"confirmed by {e.by.text} at next {e.assessments.text}")
        case "consecutive":
            parts.append(f"held for {format_operand(e.count)} consecutive {e.assessments.text}")
        case "sustained":
            parts.append(f"sustained to last {e.assessments.text}")
    if e.death is not None:
        parts.append(f"or {e.death.text} within {format_operand(e.within)} {e.within_unit.text}")
    if e.label is not None:
        parts.append(f"label {escape(e.label)}")
    return " ".join(parts)


def _population(p: n.Population) -> str:
    match p:
        case n.WithEvent(event=event):
            return f"subjects with {event.text}"
        case n.TableWhere(table=table, where=where):
            return f"{table.text} where {format_condition(where)}"
    raise TypeError(f"not a population: {type(p).__name__}")


# ---- conditions ------------------------------------------------------------------


def format_condition(c: n.Condition) -> str:
    """A condition with the fewest parentheses that parse back to the same tree."""
    return _cond(c, _OR)


def _strength(c: n.Condition) -> int:
    match c:
        case n.Or():
            return _OR
        case n.And():
            return _AND
        case n.Not():
            return _NOT
    return _ATOM


def _cond(c: n.Condition, needed: int) -> str:
    """`c` in a position that accepts operators binding at least as tightly as `needed`."""
    text = _cond_bare(c)
    return f"({text})" if _strength(c) < needed else text


def _cond_bare(c: n.Condition) -> str:
    match c:
        # Both operators are left-associative: the right operand must bind tighter.
        case n.Or(left=a, right=b):
            return f"{_cond(a, _OR)} or {_cond(b, _AND)}"
        case n.And(left=a, right=b):
            return f"{_cond(a, _AND)} and {_cond(b, _NOT)}"
        case n.Not(operand=a):
            return f"not {_cond(a, _NOT)}"
        case n.Compare(column=col, op=op, operand=operand):
            return f"{col.text} {op} {format_operand(operand)}"
        case n.CompareTo(column=col, op=op, value=value):
            return f"{col.text} {op} {format_other_value(value)}"
        case n.InList(column=col, operands=operands, negated=negated):
            values = ", ".join(format_operand(o) for o in operands)
            return f"{col.text} {'not in' if negated else 'in'} ({values})"
        case n.IsMissing(column=col, negated=negated):
            return f"{col.text} is {'not missing' if negated else 'missing'}"
    raise TypeError(f"not a condition: {type(c).__name__}")


# ---- conditions comparing with other values (issue 12: conditions) ----------------


def format_other_value(v: n.OtherValue) -> str:
    base = (
        f"{v.base.table.text}.{v.base.column.text}"
        if isinstance(v.base, n.ColumnOf)
        else format_operand(v.base)
    )
    text = f"{v.factor.lexeme} * {base}" if v.factor is not None else base
    if v.shift is not None:
        lexeme = v.shift.amount.lexeme
        amount = f"{lexeme[0]} {lexeme[1:]}" if lexeme[:1] in "+-" else lexeme
        text += f" {amount}" + (f" {v.shift.unit.text}" if v.shift.unit is not None else "")
    return text


# ---- operands, dates, options ----------------------------------------------------


def format_operand(o: n.Operand) -> str:
    match o:
        case n.NameOperand(ident=ident):
            return ident.text
        case n.TextOperand(value=value):
            return escape(value)
        case n.NumberOperand(lexeme=lexeme) | n.DateOperand(lexeme=lexeme):
            return lexeme
    raise TypeError(f"not an operand: {type(o).__name__}")


def _date(d: n.DateRef) -> str:
    match d:
        case n.FirstOccurrence(event=event):
            return f"first {event.text}"
        case n.LastOccurrence(event=event):
            return f"last {event.text}"
        case n.OriginDate():
            return "origin"
        case n.RelativePick(which=which, event=event, ordinal=ordinal, relation=relation, other=other):
            head = f"the {ordinal} {event.text}" if which == "nth" else f"{which} {event.text}"
            return head + (f" {relation} {_date(other)}" if relation is not None else "")
        case n.ShiftedDate(base=base, sign=sign, amount=amount, unit=unit):
            return f"{_date(base)} {sign or ''}{'' if sign is None else ' '}{amount.lexeme} {unit.text}"
    return format_operand(d)


def _options(options: tuple[n.BoundOption, ...]) -> str:
    out = []
    for option in options:
        if isinstance(option, n.Inclusivity):
            out.append("inclusive" if option.inclusive else "exclusive")
        else:
            out.append(f"{option.field} {format_operand(option.value)}")
    return "".join(" " + text for text in out)


def _dated(date: n.DateRef, items: tuple[n.OutcomeItem, ...]) -> str:
    return _date(date) + _options(items)


# ---- endpoints ----------------------------------------------------------------------


def _endpoint(ep: n.Endpoint) -> str:
    like = f" like {ep.base.text}" if ep.base is not None else ""
    lines = [f"endpoint {ep.paramcd.text} {escape(ep.param)}{like}"]
    lines += [INDENT + format_clause(clause) for clause in ep.clauses]
    lines.append("end")
    return "\n".join(lines)


def _bound(b: n.WindowBound) -> str:
    if b.date is not None:  # reldates
        return _date(b.date)
    return b.event.text if b.event is not None else f"day {format_operand(b.day)}"


def _window(start: n.WindowBound, stop: n.WindowBound) -> str:
    return f"from {_bound(start)} through {_bound(stop)}"


def format_clause(c: n.Clause) -> str:
    match c:
        case n.Origin(date=date):
            return f"from {_date(date)}"
        case n.Terminating(events=events, competing=competing):
            refs = ", ".join(ref.event.text + _options(ref.items) for ref in events)
            head = f"to first of {refs}" if len(events) > 1 else f"to {refs}"
            if competing:  # competing events (issue 13)
                head += " competing " + ", ".join(ref.event.text + _options(ref.items) for ref in competing)
            return head
        case n.SameDay(first=first):
            return f"same day: {first} first"
        case n.CensorSingle(date=date, items=items, conditions=conditions):
            words = {"has": "", "no": "no ", "stopped": "stopped by "}
            cond = " and ".join(words[k.kind] + k.event.text for k in conditions)
            return f"censor at {_date(date)}{' if ' + cond if cond else ''}{_options(items)}"
        case n.Without(what=what, event=event):
            return f"without stop at {event.text}" if what == "stop" else f"without {what}"
        case n.Missed(count=count, event=event, schedule=schedule, items=items):
            head = f"censor events after {format_operand(count)} missed {event.text} per {schedule.text}"
            return head + _options(items)
        case n.CensorLatest(alternatives=alternatives):
            return "censor at latest of " + ", ".join(_dated(a.date, a.items) for a in alternatives)
        case n.Horizon(amount=amount, calendar=calendar, unit=unit, options=options):
            text = f"horizon {format_operand(amount)}"
            text += " calendar" if calendar else ""
            text += f" {unit.text}" if unit is not None else ""
            return text + _options(options)
        case n.Cutoff(date=date, options=options):
            return f"cutoff {_date(date)}{_options(options)}"
        case n.Stop(event=event, options=options, date=date):
            return f"stop at {event.text if date is None else _date(date)}{_options(options)}"
        case n.AmongNamed(name=name):
            return f"among {name.text}"
        case n.AmongInline(population=population):
            return f"among {_population(population)}"
        case n.DayCount(origin_day=day):
            return f"origin is day {format_operand(day)}"
        case n.TimeUnit(unit=unit):
            return f"time in {unit.text}"
        case n.BeforeOrigin(rule=rule):
            return f"before origin: {rule}"
        case n.NoCensoring():
            return "no censoring date: excluded"
        case n.Ascertainment(kind=kind):
            return f"ascertainment: {kind}"
        case n.BestResponse(event=event):
            return f"best response of {event.text}"
        case n.Landmark(event=event, start=start, stop=stop, nearest=nearest):
            pick = "best" if nearest is None else f"nearest day {format_operand(nearest)}"
            return f"response of {event.text} {_window(start, stop)} {pick}"
        case n.Occurrence(event=event, start=start, stop=stop):
            return f"occurrence of {event.text} {_window(start, stop)}"
        case n.SdMinimum(amount=amount, unit=unit):
            return f"sd at least {format_operand(amount)} {unit.text} after origin"
        case n.Confirm(amount=amount, unit=unit, max_ne=max_ne, max_sd=max_sd):
            text = f"confirm after {format_operand(amount)} {unit.text}"
            text += f", at most {format_operand(max_ne)} ne between" if max_ne is not None else ""
            return text + (f", at most {format_operand(max_sd)} sd between" if max_sd is not None else "")
        case n.Responder(values=values):
            return f"responder if response in ({', '.join(format_operand(v) for v in values)})"
        case n.NotEvaluable(value=value):
            return f"not evaluable: {'excluded' if value is None else format_operand(value)}"
        case n.Paramn(value=value):  # adam
            return f"paramn {format_operand(value)}"
        case n.NoOrigin():
            return "no origin: not assessed"
        case n.Evaluable(event=event):
            return f"evaluable if occurred or {event.text} reaches window end"
        case n.CriteriaUse(name=name):
            return f"criteria {name.text}"
        case n.ValueClause():  # value endpoints (issue 14)
            return _value_clause(c)
        case n.GroupBy(columns=columns, event=event):  # groups (issue 13)
            return f"for each {', '.join(c.text for c in columns)} of {event.text}"
        case n.ProgressionCutoff(rule=rule, event=event):  # bor (issue 19)
            return f"progressive disease cutoff: {rule if event is None else 'at ' + event.text}"
        case n.NoVisits(value=value):
            return f"no visits: {value}"
        case n.Extreme():  # extreme (issue 19, part 2)
            return _extreme(c)
        case n.ExtremePick(which=which, column=column):
            return f"{which} by {column.text if column is not None else 'date'}"
    raise TypeError(f"not an endpoint clause: {type(c).__name__}")


def _extreme(c: n.Extreme) -> str:
    """`worst of` and its outcomes, one a line under it."""
    lines = [f"{c.head} of"]
    for o in c.outcomes:
        aval = f" = {format_operand(o.aval)}" if o.aval is not None else ""
        test = f"{'every' if o.every else 'any'} {o.event.text}"
        if o.condition is not None:
            test += f" has {_cond(o.condition, _OR)}"
        lines.append(f"outcome {format_operand(o.avalc)}{aval} if {test}")
    if c.otherwise is not None:
        aval = f" = {format_operand(c.otherwise_aval)}" if c.otherwise_aval is not None else ""
        lines.append(f"otherwise {format_operand(c.otherwise)}{aval}")
    return ("\n" + INDENT * 2).join(lines)


# ---- criteria: response criteria sets (issue 13) ------------------------------------------


def _operands(values) -> str:
    return "(" + ", ".join(format_operand(v) for v in values) + ")"


def _criteria(d: n.CriteriaDef) -> str:
    lines = [f"criteria {d.name.text}" + (f" {escape(d.title)}" if d.title is not None else "")]
    for row in d.rows:
        code = "none" if row.aval is None else format_operand(row.aval)  # bor (issue 19): uncoded
        text = f"category {format_operand(row.category)} = {code}"
        text += f", {row.role}" if row.role else ""
        c = row.confirm
        if c is not None:
            text += f", confirmed by {'next ' if c.at_next else ''}{_operands(c.by)}"
            if c.window_from is not None:
                text += f" from {format_operand(c.window_from)} through {format_operand(c.window_through)}"
                text += f" {c.window_unit.text}"
            text += f" with {_operands(c.between)} between" if c.between else ""
        lines.append(INDENT + text)
    if d.after_progression is not None:
        lines.append(f"{INDENT}after progressive disease: {d.after_progression}")
    return "\n".join([*lines, "end"])
