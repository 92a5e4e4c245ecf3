"""Driver, compiling and running: the checked model's generated module and its runs on any engine."""

from __future__ import annotations

import itertools
import linecache
from pathlib import Path
from typing import TYPE_CHECKING

from attrs import define, field

from ..check.model import EndpointSpec, Model, timed
from ..check.usage import table_usage
from ..data.records import Derivation
from ..data.values import Subject
from ..engines.python.generate import generate
from ..engines.reference import groups as reference_groups
from ..engines.reference import interpreter
from ..progress import Progress, stage
from .events import empty_events
from .loading import check_file
from .summaries import competing_codes, km_summary, summary_specs, value_parameters

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from ..data.tables import RunResult


_counter = itertools.count(1)


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
        from ..data.summary import summarise

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
        from ..data.value_summary import summarise_values

        parameters = [(ep.paramcd, ep.param) for ep in value_parameters(self.model)]
        return summarise_values(result.adtte, parameters, result.excluded)

    def run(
        self,
        tables: dict[str, pd.DataFrame | pa.Table],
        only: list[str] | None = None,
        engine: str = "compiled",
        progress: Progress | None = None,
    ) -> RunResult:
        """Derive every endpoint for every subject of the tables (by name: pandas frames or
        pyarrow Tables, mixed as they come; a Table is read as a Parquet file's would be, its
        columns kept in Arrow on the SQL and Spark engines; issue 16).

        engine: "compiled" (the per-subject generated functions; the default: no start-up
        cost, quickest for a trial's few hundred subjects), "sql" (set-based, DuckDB: for
        cohorts, pooled and real-world data; `endpointdsl run` uses it), "interpreter"
        (the reference interpreter) or "spark" (the SQL script on pyspark: engines/spark/).
        progress (issue 16): a callable given the name of each stage as it starts
        (endpointdsl.progress); None: nothing is said.
        """
        from ..data.tables import given_tables

        tables = given_tables(tables, arrow=engine in ("sql", "spark"))  # pyarrow Tables: as Parquet files
        result = self._derive(tables, only, engine, progress)
        stage(progress, "completing the ADaM variables")
        return self.complete(tables, result)

    def warm_sql(self, only: list[str] | None = None) -> None:
        """perf (issue 16): the SQL engine's start-up ahead of `run(engine="sql")`: its imports,
        DuckDB's databases and the generated script (a service answering many runs pays it once)."""
        from ..engines.sql import run as sql_run

        sql_run.warm(self.model, self.sql_programs, only)  # with both databases (session.py)
        # the modules a run imports for Arrow tables given, and on its way out in `complete`
        # (20 ms of a first 1k run's 73 ms)
        from ..data import adamarrow, arrowtables, emptyevents  # noqa: F401

    def complete(self, tables: dict[str, pd.DataFrame], result: RunResult) -> RunResult:
        """adam: the records of any engine made ADaM-complete, in this one place (data.adam)."""
        from ..data.adam import complete, number_parameters
        from ..data.adamarrow import complete_records
        from ..data.arrowrecords import Records
        from ..data.tables import RunResult

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
        from ..data.tables import run_tables

        if engine not in ("sql", "compiled", "interpreter", "spark"):
            raise ValueError(f"unknown engine {engine!r}")
        subject = self.model.subject_table.name
        if self.model.adam.keep and subject in tables:  # adam: a missing kept column, before deriving
            from ..data.adam import check_kept

            keep = [(c.column, c.name, c.line) for c in self.model.adam.keep]
            check_kept(keep, subject, tables[subject], self.model.file, self.model.subject_table.key)
        if engine == "sql":
            from ..engines.sql.run import run_sql

            derive = self.namespace["ENDPOINTS"]
            return run_sql(self.model, tables, derive, only, progress=progress, programs=self.sql_programs)
        if engine == "spark":  # issue 16: the SQL script on pyspark (the optional `spark` extra)
            from ..engines.spark.run import run_spark

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


def compile_file(path: str | Path) -> CompiledFile:
    return CompiledFile.from_model(check_file(path))


def load(path: str | Path) -> CompiledFile:
    """Load a .ept file: parse, check, compile. Raises EptError with all diagnostics."""
    return compile_file(path)
