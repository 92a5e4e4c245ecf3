"""Driver: the Python API that runs the pipeline stages in order (like jinja2's Environment)."""

from __future__ import annotations

import functools
import itertools
import linecache
from pathlib import Path
from typing import TYPE_CHECKING

from attrs import define, evolve, field

from .check.checker import check
from .check.model import NOT_DONE, RESPONSES, EndpointSpec, Model, timed
from .check.usage import table_usage
from .data.records import Derivation
from .data.values import Subject
from .engines.python.generate import generate
from .engines.reference import groups as reference_groups
from .engines.reference import interpreter
from .language.diagnostics import Diagnostic, EptError, with_source
from .language.parser import SyntaxErrors
from .language.transformer import parse, to_ast
from .progress import Progress, stage

if TYPE_CHECKING:
    import pandas as pd

    from .data.tables import RunResult

_counter = itertools.count(1)


def read_source(path: str | Path) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise EptError.single("E004", f"{path} is not UTF-8 text ({exc.reason})", str(path)) from None


def check_text(text: str, file: str = "<string>") -> Model:
    """Parse and check .ept text; raise EptError carrying every diagnostic."""
    try:
        model = check(parse(text, file))
    except SyntaxErrors as exc:  # and the checker's findings on what parsed cleanly
        raise EptError(with_source(exc.diagnostics + _after_syntax_errors(exc, file), text)) from None
    except EptError as exc:
        raise EptError(with_source(exc.diagnostics, text)) from None
    return evolve(model, warnings=tuple(with_source(model.warnings, text)))


def _after_syntax_errors(exc: SyntaxErrors, file: str) -> list[Diagnostic]:
    """The checker's diagnostics on what parsed cleanly, less those the dropped pieces explain."""
    if exc.tree is None:
        return []
    program = to_ast(exc.tree, file)
    try:  # W102 (no catch-all censoring) is for files without errors: a dropped rule may be it
        found = [w for w in check(program).warnings if w.code != "W102"]
    except EptError as err:
        found = err.diagnostics
    return [d for d in found if not exc.dropped.explains(d, program)]


def check_file(path: str | Path) -> Model:
    return check_text(read_source(path), str(path))


@define
class Endpoint:
    """One compiled endpoint: call it on a subject, or `derive_table` on whole tables."""

    spec: EndpointSpec
    compiled: CompiledFile = field(repr=False)

    @property
    def paramcd(self) -> str:
        return self.spec.paramcd

    def __call__(self, subject: Subject | dict, subject_id: str = "SUBJECT") -> Derivation:
        if not isinstance(subject, Subject):
            subject = Subject.from_dicts(subject_id, subject)
        return self.compiled.namespace["ENDPOINTS"][self.paramcd](subject)

    def interpret(self, subject: Subject | dict, subject_id: str = "SUBJECT") -> Derivation:
        """The same derivation by the reference interpreter (for double programming)."""
        if not isinstance(subject, Subject):
            subject = Subject.from_dicts(subject_id, subject)
        if self.spec.group is not None:  # groups (issue 13): a derivation per value of its rows
            return reference_groups.grouped(self.compiled.model, self.spec)(subject)
        return interpreter.derive(self.compiled.model, self.spec, subject)

    def derive_table(self, tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
        return self.compiled.run(tables, only=[self.paramcd]).adtte


@define
class CompiledFile:
    """A checked .ept file with its generated module, executed once."""

    model: Model
    source: str
    line_map: dict[int, int]
    namespace: dict = field(repr=False)
    filename: str = ""
    # perf (issue 16): the SQL engine's generated scripts, kept between runs (engines/sql/run.py)
    sql_programs: dict = field(factory=dict, repr=False, eq=False)

    @classmethod
    def from_model(cls, model: Model) -> CompiledFile:
        source, line_map = generate(model)
        # A unique pseudo-filename registered in linecache, so that tracebacks and
        # debuggers show the generated lines (the attrs way).
        filename = f"<endpointdsl {next(_counter)}: {model.file_name}>"
        code = compile(source, filename, "exec")
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        namespace: dict = {"__name__": f"endpointdsl_generated_{Path(model.file).stem}"}
        exec(code, namespace)
        return cls(model, source, line_map, namespace, filename)

    @property
    def endpoints(self) -> dict[str, Endpoint]:
        return {ep.paramcd: Endpoint(ep, self) for ep in self.model.endpoints}

    def __getitem__(self, paramcd: str) -> Endpoint:
        return self.endpoints[paramcd]

    def ept_line(self, generated_line: int) -> int | None:
        """The .ept line that a generated line implements."""
        return self.line_map.get(generated_line)

    def summary(self, result: RunResult, level: float = 0.95) -> pd.DataFrame:
        """n, N, rate and exact interval of every response and incidence endpoint."""
        from .data.summary import summarise

        specs = summary_specs(self.model, result.adtte)  # a grouped endpoint: one per parameter
        codes = {s.paramcd for s in specs}
        records = result.adtte[result.adtte.PARAMCD.isin(codes)]
        return summarise(records, specs, result.excluded, level)

    def km_summary(self, result: RunResult, **options) -> pd.DataFrame:
        """km (issue 15): the Kaplan-Meier summary of the run's time-to-event parameters, with
        the competing events the definition names (options: as `km_summary`)."""
        options.setdefault("competing", competing_codes(self.model, result.adtte))
        return km_summary(result.adtte, **options)

    def value_summary(self, result: RunResult) -> pd.DataFrame:
        """value endpoints (issue 14): N, mean, SD, median, min, max, geometric mean and CV% of
        every value endpoint but `detectable` (a Y/N flag: in `summary`)."""
        from .data.value_summary import summarise_values

        parameters = [(ep.paramcd, ep.param) for ep in value_parameters(self.model)]
        return summarise_values(result.adtte, parameters, result.excluded)

    def run(
        self,
        tables: dict[str, pd.DataFrame],
        only: list[str] | None = None,
        engine: str = "compiled",
        progress: Progress | None = None,
    ) -> RunResult:
        """Derive every endpoint for every subject of the tables.

        engine: "compiled" (the per-subject generated functions; the default: no start-up
        cost, quickest for a trial's few hundred subjects), "sql" (set-based, DuckDB: for
        cohorts, pooled and real-world data; `endpointdsl run` uses it), "interpreter"
        (the reference interpreter) or "spark" (the SQL script on pyspark: engines/spark/).
        progress (issue 16): a callable given the name of each stage as it starts
        (endpointdsl.progress); None: nothing is said.
        """
        from .data.tables import given_frames

        given_frames(tables)
        result = self._derive(tables, only, engine, progress)
        stage(progress, "completing the ADaM variables")
        return self.complete(tables, result)

    def warm_sql(self, only: list[str] | None = None) -> None:
        """perf (issue 16): the SQL engine's start-up ahead of `run(engine="sql")`: its imports,
        DuckDB's database and the generated script (a service answering many runs pays it once)."""
        from .engines.sql.run import warm

        warm(self.model, self.sql_programs, only)
        # the modules `complete` imports on a run's way out (20 ms of a first 1k run's 73 ms)
        from .data import adamarrow, emptyevents  # noqa: F401

    def complete(self, tables: dict[str, pd.DataFrame], result: RunResult) -> RunResult:
        """adam: the records of any engine made ADaM-complete, in this one place (data.adam)."""
        from .data.adam import complete, number_parameters
        from .data.adamarrow import complete_records
        from .data.arrowrecords import Records
        from .data.tables import RunResult

        adam, subject = self.model.adam, self.model.subject_table
        keep = [(c.column, c.name, c.line) for c in adam.keep]
        endpoints = [(e.paramcd, e.group is not None) for e in self.model.endpoints]
        arrow = result.table if isinstance(result.table, Records) else None  # issue 16: kept in Arrow
        paramn = number_parameters(
            endpoints, dict(adam.paramn), adam.stated,
            sorted(arrow.codes()) if arrow is not None else result.adtte["PARAMCD"].tolist(),
            {e.paramcd: f"{self.model.file}:{e.span.line}" for e in self.model.endpoints if e.span},
        )  # fmt: skip
        if arrow is not None:
            adtte = complete_records(
                arrow, tables[subject.name], subject.key, keep, paramn, adam.dataset, adam.label,
                self.model.file,
            )  # fmt: skip
            return RunResult(adtte, empty_events(self.model, tables, result.report))
        adtte = complete(
            result.adtte, tables[subject.name], subject.key, keep, paramn, adam.dataset, adam.label,
            self.model.file,
        )  # fmt: skip
        return RunResult(adtte, empty_events(self.model, tables, result.report))  # bor (issue 19)

    def _derive(
        self,
        tables: dict[str, pd.DataFrame],
        only: list[str] | None,
        engine: str,
        progress: Progress | None = None,
    ) -> RunResult:
        """The records of one engine, as it derives them."""
        from .data.tables import run_tables

        if engine not in ("sql", "compiled", "interpreter", "spark"):
            raise ValueError(f"unknown engine {engine!r}")
        subject = self.model.subject_table.name
        if self.model.adam.keep and subject in tables:  # adam: a missing kept column, before deriving
            from .data.adam import check_kept

            keep = [(c.column, c.name, c.line) for c in self.model.adam.keep]
            check_kept(keep, subject, tables[subject], self.model.file, self.model.subject_table.key)
        if engine == "sql":
            from .engines.sql.run import run_sql

            derive = self.namespace["ENDPOINTS"]
            return run_sql(self.model, tables, derive, only, progress=progress, programs=self.sql_programs)
        if engine == "spark":  # issue 16: the SQL script on pyspark (the optional `spark` extra)
            from .engines.spark.run import run_spark

            return run_spark(self.model, tables, only)
        if engine == "compiled":
            derive = {code: fn for code, fn in self.namespace["ENDPOINTS"].items()}
        elif engine == "interpreter":
            derive = {
                ep.paramcd: (lambda s, ep=ep: interpreter.derive(self.model, ep, s))
                if ep.group is None
                else reference_groups.grouped(self.model, ep)  # groups (issue 13)
                for ep in self.model.endpoints
            }
        else:
            raise ValueError(f"unknown engine {engine!r}")
        if only is not None:
            derive = {k: v for k, v in derive.items() if k in only}
        model = self.model
        kinds = {ep.paramcd: ep.kind for ep in model.endpoints}
        times = any(timed(ep) for ep in model.endpoints if ep.paramcd in derive)
        stage(
            progress,
            f"checking the tables and deriving {_count(len(derive), 'endpoint')} per subject ({engine})",
        )
        return run_tables(
            table_usage(model), model.subject_table.name, derive, tables, model.file, kinds, times=times
        )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


# ---- bor (issue 19, part 3): no silent empty events, once for every engine -----------------


def empty_events(model: Model, tables: dict[str, pd.DataFrame], report: pd.DataFrame) -> pd.DataFrame:
    """The report with a warning (or a finding) for every event whose condition matches no row
    of its table (data.emptyevents); a condition is read as the reference interpreter reads it."""
    from .check import model as m
    from .data.emptyevents import Probe, empty_event_rows, with_rows

    best: dict[str, str] = {}  # review19: every best response that reads the event (was: the last one)
    for ep in model.endpoints:
        if ep.kind == "best":
            best[ep.response.event] = (
                f"{best[ep.response.event]}, {ep.paramcd}" if ep.response.event in best else ep.paramcd
            )
    probes, probed = [], set()
    for ev in sorted(model.events, key=lambda e: e.display != e.name):  # the user's events first
        if ev.where is None or ev.derived or ev.confirm is not None or ev.date is not None:
            continue
        # review19: an outcome's `E has C` is an event made by the checker (`has__1`), a name the
        # user never wrote: it is named by E, and the condition shown is E's and C together
        name = ev.name if ev.display == ev.name else f"{ev.display} (in an outcome's `has`)"
        if (ev.table, ev.where) in probed:
            continue  # `first|last by COLUMN` without `has` makes a copy of E: E is reported once
        probed.add((ev.table, ev.where))
        probes.append(
            Probe(
                name, ev.table, _condition_text(ev.where),
                lambda row, subject, cond=ev.where: interpreter.holds(cond, row, subject),
                tuple(_texts(ev.where).items()), best.get(ev.name), bool(m.subject_columns(ev.where)),
                model.table(ev.table).key, tuple(sorted(m.condition_columns(ev.where))),
                tuple(_required(ev.where)),
            )
        )  # fmt: skip
    per_subject = {t.name: t.key for t in model.tables if t.per_subject and t.name in tables}
    return with_rows(report, empty_event_rows(probes, tables, per_subject))


def _texts(cond, out: dict | None = None) -> dict[str, tuple[str, ...]]:
    """The texts a condition looks for with `COLUMN = "text"` or `COLUMN in ("a", "b")`."""
    from .check import model as m

    out = {} if out is None else out
    match cond:
        case m.Compare(column=c, op="=", literal=lit) if lit.kind == "text":
            out[c] = tuple(dict.fromkeys((*out.get(c, ()), lit.value)))
        case m.InList(column=c, literals=lits, negated=False):
            texts = [x.value for x in lits if x.kind == "text"]
            out[c] = tuple(dict.fromkeys((*out.get(c, ()), *texts)))
        case m.And(left=a, right=b) | m.Or(left=a, right=b):
            _texts(a, out)
            _texts(b, out)
    return out


def _required(cond) -> list[tuple[str, tuple[str, ...]]]:
    """(column, texts) that every row the condition holds for has: its `and`-ed `=` and `in`."""
    from .check import model as m

    match cond:
        case m.Compare(column=c, op="=", literal=lit) if lit.kind == "text":
            return [(c, (lit.value,))]
        case m.InList(column=c, literals=lits, negated=False) if lits and all(x.kind == "text" for x in lits):
            return [(c, tuple(x.value for x in lits))]
        case m.And(left=a, right=b):
            return _required(a) + _required(b)
    return []


def _condition_text(cond) -> str:
    """A model condition as the .ept says it (for the report)."""

    def lit(x) -> str:  # review19: as written: `7`, not `7.0`; a `"` inside a text escaped
        if x.kind == "text":
            return '"' + x.value.replace("\\", "\\\\").replace('"', '\\"') + '"'
        if x.kind == "number" and float(x.value).is_integer():
            return str(int(x.value))
        return str(x.value)

    return _condition_part(cond, lit)


def _condition_part(cond, lit) -> str:
    """`a and b and c` without parentheses; a mix of `and` and `or` (or a `not`) parenthesised."""
    from .check import model as m

    def inner(x, kind) -> str:
        text = _condition_part(x, lit)
        return text if isinstance(x, kind) or not isinstance(x, m.And | m.Or) else f"({text})"

    match cond:
        case m.Compare(column=c, op=op, literal=x):
            return f"{c} {op} {lit(x)}"
        case m.InList(column=c, literals=xs, negated=neg):
            return f"{c} {'not in' if neg else 'in'} ({', '.join(lit(x) for x in xs)})"
        case m.IsMissing(column=c, negated=neg):
            return f"{c} is {'not ' if neg else ''}missing"
        case m.And(left=a, right=b):
            return f"{inner(a, m.And)} and {inner(b, m.And)}"
        case m.Or(left=a, right=b):
            return f"{inner(a, m.Or)} or {inner(b, m.Or)}"
        case m.Not(operand=a):
            text = _condition_part(a, lit)
            return f"not ({text})" if isinstance(a, m.And | m.Or) else f"not {text}"
        case m.CompareColumns(column=c, op=op, other=o):
            return f"{c} {op} {o.table + '.' if o.table else ''}{o.column} ..."
    return "..."


def summary_specs(model: Model, adtte: pd.DataFrame | None = None) -> list:
    """What the summary table shows: a rate per flag, one per category of a best response;
    for a grouped endpoint (`for each`), one per parameter of `adtte` (its value in PARAM)."""
    from .data.summary import SummarySpec

    specs = []
    for ep in model.endpoints:
        if ep.value is not None and ep.value.stat == "detectable":  # value endpoints (issue 14)
            specs.append(SummarySpec(ep.paramcd, ep.param, "flag"))
        r = ep.response
        if r is None:
            continue
        for code, param in _parameters(ep, adtte):
            if r.extreme is not None:  # extreme (issue 19, part 2): the outcomes' categories in order
                x = r.extreme
                names = [*(o.avalc for o in x.outcomes), *([x.otherwise] if x.otherwise is not None else [])]
                specs.append(SummarySpec(code, param, "category", tuple(dict.fromkeys(names))))
            elif r.kind == "best" and r.responder is None:
                names = r.criteria.names if r.criteria else (*RESPONSES, NOT_DONE)  # the set's categories
                # bor (issue 19): a category without a code (ND) is shown only when a record has it
                uncoded = (
                    {k.name for k in r.criteria.categories if k.aval is None} if r.criteria else {NOT_DONE}
                )
                present = _categories_found(adtte, code)
                names = tuple(x for x in names if x not in uncoded or x in present)
                specs.append(SummarySpec(code, param, "category", (*names, "MISSING")))
            elif r.not_evaluable not in (None, "Y", "N"):  # a landmark's own not-evaluable value
                specs.append(SummarySpec(code, param, "category", ("Y", "N", r.not_evaluable)))
            else:
                specs.append(SummarySpec(code, param, "flag"))
    return specs


def _categories_found(adtte: pd.DataFrame | None, code: str) -> set:
    if adtte is None or "AVALC" not in adtte.columns:
        return set()
    return set(adtte.AVALC[adtte.PARAMCD == code])


def value_parameters(model: Model) -> list[EndpointSpec]:
    """value endpoints (issue 14) whose numbers the value summary shows (not the Y/N flags)."""
    return [ep for ep in model.endpoints if ep.value is not None and ep.value.stat != "detectable"]


def _parameters(ep: EndpointSpec, adtte: pd.DataFrame | None) -> list[tuple[str, str]]:
    """(PARAMCD, PARAM) of an endpoint's parameters: its own, or a grouped endpoint's
    numbered ones found in the records (groups, issue 13), in PARAMCD order."""
    if ep.group is None:
        return [(ep.paramcd, ep.param)]
    if adtte is None:
        return []
    rest = adtte.PARAMCD.str.slice(len(ep.paramcd))
    mine = adtte[
        adtte.PARAMCD.str.startswith(ep.paramcd) & rest.str.isdigit() & (adtte.PARAMCD.str.len() == 8)
    ]
    return sorted(set(zip(mine.PARAMCD, mine.PARAM, strict=True)))


# ---- fmt: the canonical layout (issue 15) -----------------------------------------------------


def format_source(text: str, file: str = "<string>") -> str:
    """.ept text in the canonical layout, comments kept (language/layout.py); raises
    EptError (with every diagnostic) when it does not parse."""
    from .language.layout import format_text

    try:
        return format_text(text, file)
    except EptError as exc:
        raise EptError(with_source(exc.diagnostics, text)) from None


def format_file(path: str | Path, check: bool = False) -> bool:
    """Rewrite a .ept file in the canonical layout (`check`: only tell); True when it
    changes (or would)."""
    text = read_source(path)
    formatted = format_source(text, str(path))
    if formatted != text and not check:
        Path(path).write_text(formatted, encoding="utf-8")
    return formatted != text


# ---- km: Kaplan-Meier results (issue 15) ------------------------------------------------------


def km_summary(
    adtte: pd.DataFrame,
    by: str | None = None,
    at=(),
    unit: str | None = None,
    conf_type: str = "log-log",
    level: float = 0.95,
    competing: dict | None = None,
    params: list[str] | None = None,
) -> pd.DataFrame:
    """The Kaplan-Meier summary of an ADTTE (data.km.summarise_km; needs `endpointdsl[km]`):
    per time-to-event parameter (and value of `by`), counts by CNSR, quartiles with
    Brookmeyer-Crowley intervals (`conf_type` "log-log", "log" or "plain"), and the survival
    (or, for the CNSR codes `competing` names per PARAMCD, the cumulative incidence) at the
    times `at`, given in `unit` (default: AVAL's unit)."""
    from .data.km import summarise_km

    return summarise_km(adtte, by, at, unit, conf_type, level, competing, params)


def competing_codes(model: Model, adtte: pd.DataFrame | None = None) -> dict[str, set[int]]:
    """PARAMCD -> the CNSR codes of its competing events, for every endpoint that has some
    (a grouped endpoint's numbered parameters found in `adtte` each)."""
    codes = {}
    for ep in model.endpoints:
        mine = {te.cnsr for te in ep.events if te.competing} if ep.kind == "tte" else set()
        if mine:
            for code, _ in _parameters(ep, adtte):
                codes[code] = mine
    return codes


def compile_file(path: str | Path) -> CompiledFile:
    return CompiledFile.from_model(check_file(path))


def load(path: str | Path) -> CompiledFile:
    """Load a .ept file: parse, check, compile. Raises EptError with all diagnostics."""
    return compile_file(path)


# ---- explain and trace (issue 15) -------------------------------------------------------------


class TraceError(Exception):
    """`trace` cannot answer: an unknown subject or endpoint (the command line's exit 2)."""


def explain(source: str | Path | Model, endpoint: str | None = None, format: str = "md") -> str:
    """What each endpoint of a .ept file (or a checked model) does, as Markdown or HTML: SAP-ready
    text and the outcome table, generated from the checked model (check/explain.py)."""
    from .check.explain import explain as explanations
    from .check.explain_render import RENDERERS

    model = source if isinstance(source, Model) else check_file(source)
    if format not in RENDERERS:
        raise ValueError(f"unknown format {format!r}: md or html")
    if endpoint is not None and endpoint not in [e.paramcd for e in model.endpoints]:
        raise TraceError(
            f"{model.file} has no endpoint {endpoint} (it has {', '.join(e.paramcd for e in model.endpoints)})"
        )
    return RENDERERS[format](model.file_name, explanations(model, endpoint))


def trace(
    source: str | Path | Model,
    data: str | Path | dict,
    subject: str,
    endpoint: str | None = None,
    encoding: str | None = None,
) -> list:
    """Why one subject got its record: one `Trace` (engines/reference/trace.py) per endpoint (or
    the endpoint `endpoint`; a grouped endpoint: one per parameter, or the parameter named).
    `data` is the data folder or the tables by name. Raises TraceError for an unknown subject
    or endpoint, DataError when the data cannot be used."""
    from .data.read import read_tables
    from .data.tables import group_subjects, validate
    from .data.values import subject_key

    model = source if isinstance(source, Model) else check_file(source)
    codes = [e.paramcd for e in model.endpoints]
    grouped = [e for e in model.endpoints if e.group is not None]
    if (
        endpoint is not None
        and endpoint not in codes
        and not any(_is_param(e.paramcd, endpoint) for e in grouped)
    ):
        raise TraceError(f"{model.file} has no endpoint {endpoint} (it has {', '.join(codes)})")
    tables = (
        data
        if isinstance(data, dict)
        else read_tables(data, [t.name for t in model.tables], encoding=encoding)
    )
    usage = table_usage(model)
    validate(usage, tables, model.file)
    subjects, _ = group_subjects(usage, model.subject_table.name, tables)
    key = subject_key(subject)
    found = next((s for s in subjects if s.id == key), None)
    table = model.subject_table.name
    if found is None:
        elsewhere = [n for n in usage if n != table and any(
            subject_key(v) == key for v in tables[n][usage[n]["key"]].tolist()
        )]  # fmt: skip
        where = f"; it has rows in {', '.join(elsewhere)} only, so it is not analysed" if elsewhere else ""
        count = f"{len(subjects)} subject{'' if len(subjects) == 1 else 's'}"
        raise TraceError(f"subject {subject} is not in {table} ({count}){where}")
    copies = len(found.rows(table))
    if copies > 1:
        raise TraceError(
            f"subject {key} is excluded from every endpoint: duplicate subject: {copies} rows in {table}"
        )
    return subject_traces(model, subjects, found, endpoint)


def subject_traces(model: Model, subjects: list, subject: Subject, endpoint: str | None = None) -> list:
    """The traces of one of `subjects` (all of them: a grouped endpoint's parameters are those
    of every subject's values), for every endpoint or the one named."""
    from .data.groups import relabel
    from .engines.reference.trace import narrowed
    from .engines.reference.trace import trace as trace_one

    out = []
    for ep in model.endpoints:
        if (
            endpoint is not None
            and endpoint != ep.paramcd
            and not (ep.group and _is_param(ep.paramcd, endpoint))
        ):
            continue
        if ep.group is None:
            out.append(trace_one(model, ep, subject))
            continue
        for g in reference_groups.grouped(model, ep).params(subjects):
            if endpoint not in (None, ep.paramcd, g.paramcd):
                continue
            t = trace_one(narrowed(model, ep, g.value), ep, subject)
            out.append(evolve(t, paramcd=g.paramcd, derivation=relabel(t.derivation, g), param=g.param))
    return out


def _is_param(code: str, name: str) -> bool:
    """groups: `name` is one of the numbered parameters of the grouped endpoint `code`."""
    return name.startswith(code) and name[len(code) :].isdigit() and len(name) == 8


# ---- report (issue 15): one self-contained HTML page ------------------------------------------


@define(frozen=True)
class Report:
    """`report`'s page, and what the command line also prints on stderr (the missing km extra,
    events that match no row)."""

    html: str
    warnings: tuple[str, ...] = ()


def report(
    file: str | Path,
    data: str | Path,
    by: str | None = None,
    at=(),
    unit: str | None = None,
    conf_type: str = "log-log",
    engine: str = "sql",
    encoding: str | None = None,
) -> Report:
    """The report of a .ept file run on the data folder `data` (docs/report.md): the run's files
    with their SHA-256, each endpoint's explanation and outcome table, its Kaplan-Meier summary
    and plot (per value of `by`, with the km extra), rates or value summary, and the
    exclusions and findings. Raises EptError, or DataError when the data cannot be used."""
    import importlib.util

    from .check.explain import explain as explanations
    from .data.bygroup import with_group
    from .data.errors import DataError
    from .data.read import find_table, read_tables
    from .report.content import Content, created, header, parts
    from .report.page import KM_MISSING, PLOT_MISSING, render
    from .report.plots import km_png

    when = created()  # a bad SOURCE_DATE_EPOCH before any work
    model = check_file(file)
    folder = Path(data)
    if not folder.is_dir():
        raise DataError(f"data folder {folder} does not exist or is not a folder")
    inputs = {t.name: find_table(folder, t.name) for t in model.tables}
    tables = read_tables(folder, list(inputs), encoding=encoding, arrow=engine == "sql")
    compiled = CompiledFile.from_model(model)
    result = compiled.run(tables, engine=engine)
    with_rates = any(e.response is not None or (e.value is not None and e.value.stat == "detectable")
                     for e in model.endpoints)  # fmt: skip
    rates = compiled.summary(result) if with_rates else None
    values = compiled.value_summary(result) if value_parameters(model) else None
    adtte, subject = result.adtte, model.subject_table
    tte = any(e.kind == "tte" for e in model.endpoints)
    if by is not None:
        if not tte:
            raise DataError(f"--by {by}: {model.file_name} has no time-to-event endpoint to group")
        adtte = with_group(adtte, tables[subject.name], subject.key, subject.name, by)
    km, plots, note = None, {}, None
    if tte and importlib.util.find_spec("lifelines") is not None:
        competing = competing_codes(model, adtte)
        km = km_summary(adtte, by, at, unit, conf_type, competing=competing)
        if importlib.util.find_spec("matplotlib") is not None:
            plots = {c: km_png(adtte, c, by, competing.get(c)) for c in dict.fromkeys(km.PARAMCD)}
    if tte and km is None:
        note = KM_MISSING
    elif km is not None and len(km) and not plots:
        note = PLOT_MISSING
    options = [(f"--{k}", v) for k, v in (("by", by), ("at", ",".join(f"{t:g}" for t in at)),
               ("unit", unit), ("conf-type", conf_type)) if v]  # fmt: skip
    content = Content(
        header(Path(file), folder, inputs, tables, engine, options, when),
        parts(model, explanations(model), km, plots, rates, values),
        result.report, tuple(w.render() for w in model.warnings), note, by,
    )  # fmt: skip
    whole = result.report[result.report.USUBJID.isna()]
    warnings = [f"{s}: {m}" for s, m in zip(whole.STATUS, whole.MESSAGE, strict=True)]
    return Report(render(content), tuple(([f"warning: {note}"] if note else []) + warnings))


# ---- test: scenarios and generated properties (issue 15) ---------------------------------------


def read_scenario_file(path: str | Path, model: Model):
    """A .scenarios file read and checked against the model of its .ept (testing/); raises
    EptError with every diagnostic of the scenario file (E001-E004, E400-E419)."""
    from .testing.scenario_check import check_scenarios
    from .testing.scenarios import not_utf8, parse_scenarios

    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise not_utf8(path, exc) from None
    scenarios = parse_scenarios(text, str(path))
    problems = check_scenarios(scenarios, model)
    if problems:
        raise EptError(with_source(problems, text))
    return scenarios


def scenario_path(ept: str | Path) -> Path:
    """Where a .ept file's scenarios are: FILE.scenarios beside FILE.ept."""
    return Path(ept).with_suffix(".scenarios")


def test_file(
    path: str | Path,
    scenarios: str | Path | None = None,
    properties: bool = True,
    examples: int = 50,
    seed: int = 0,
    checks=None,
):
    """Run a .ept file's scenarios (FILE.scenarios beside it, or `scenarios`) on the three
    engines, then (`properties`) the generated properties of each endpoint with `examples`
    histories drawn from `seed`. Returns a testing.results.TestReport. Raises EptError for a
    bad .ept or scenario file, FileNotFoundError for a `scenarios` file that is not there.
    `checks`: the property checks' source (default: testing.properties.property_checks)."""
    from .testing.results import FileReport, TestReport

    compiled = compile_file(path)
    given = scenarios is not None
    where = Path(scenarios) if given else scenario_path(path)
    if given and not where.is_file():
        raise FileNotFoundError(f"{where}: no such scenario file")
    results = (
        tuple(run_scenarios(compiled, read_scenario_file(where, compiled.model))) if where.is_file() else ()
    )
    outcomes = []
    if properties:
        if checks is None:
            from .testing.properties import property_checks as checks
        for ep in compiled.model.endpoints:
            outcomes += [run_property(ep.paramcd, c, examples, seed) for c in checks(compiled, ep.paramcd)]
    report = FileReport(str(path), str(where) if where.is_file() else None, results, tuple(outcomes))
    return TestReport((report,))


def run_scenarios(compiled: CompiledFile, scenarios) -> list:
    """Every scenario of a checked scenario file on the three engines (testing/runner.py): a
    testing.results.ScenarioResult each, with the trace of a failing one."""
    from .testing.runner import run_scenarios as run

    return run(compiled, scenarios, functools.partial(_scenario_trace, compiled.model))


def run_property(paramcd: str, check, examples: int, seed: int):
    """One generated property's outcome (testing.results.PropertyOutcome); a property that
    crashes is a failure that says so, not a traceback."""
    from .testing.results import PropertyOutcome

    skipped = getattr(check, "skipped", None)
    if skipped is not None:  # does not apply to this endpoint: said, not run
        return PropertyOutcome(paramcd, check.name, check.description, True, "", skipped)
    try:
        result = check.run(examples, seed)
        ok, message = result.ok, result.message
    except Exception as exc:
        ok, message = False, f"the property could not run: {type(exc).__name__}: {exc}"
    return PropertyOutcome(paramcd, check.name, check.description, ok, message)


def _scenario_trace(model: Model, tables: dict, subject: str, codes: list[str]) -> str:
    """The trace text of a scenario's subject for the endpoints it expects (as `trace` prints)."""
    from .data.errors import DataError
    from .engines.reference.trace import text

    parts = []
    for code in dict.fromkeys(codes):
        try:
            parts += [text(t) for t in trace(model, tables, subject, code)]
        except (TraceError, DataError) as exc:
            parts.append(f"{code}: no trace ({exc})")
    return "\n".join(parts)
