"""SQL generator, an endpoint's occurrences: how its statement reads an event's rows (the
filter and fields of a source row or of an `occ_` view, the relation and its key) and picks
the first or last of them per subject (an ordering struct, or per-field aggregates over the
row number where the rows are proven in occurrence order). A part of `endpoint.EndpointSql`.
"""

from __future__ import annotations

from ...check import model as m
from .prepare import date_readers, imputation_readers
from .writer import col, condition, ident


class OccurrenceReads:
    """Mixed into EndpointSql, whose `needs` (table -> views read) these add to."""

    needs: dict

    def occ_fields(self, ev: m.EventSource, alias: str) -> tuple[str, str, str, str, str]:
        """(filter, d, seq, rn, dtf) of the event's occurrences in a row of `alias`:
        the source table for a plain event, its occ_ view for a bounded imputation."""
        # reldates: a derived date too; an event on another endpoint's rows (derived.py)
        if ev.not_before or ev.not_after or ev.date is not None or ev.confirm or ev.derived:
            return "TRUE", f"{alias}.d", f"{alias}.seq", f"{alias}.rn", f"{alias}.dtf"
        needs = self.needs.setdefault(ev.table, set())
        reader = (
            imputation_readers(ev.impute, ev.impute_day_only)[0] if ev.impute else date_readers(ev.format)[0]
        )
        needs.add((ev.column, reader))
        d = col(alias, ev.column, reader)
        where = condition(ev.where, alias, needs) if ev.where is not None else "TRUE"
        seq = col(alias, ev.sequence, "num") if ev.sequence else "CAST(NULL AS DOUBLE)"
        dtf = col(alias, ev.column, "dtf") if ev.impute else "CAST(NULL AS VARCHAR)"
        return f"({where}) AND {d} IS NOT NULL", d, seq, f"{alias}.__row", dtf

    def order_struct(self, d: str, seq: str, rn: str, dtf: str) -> str:
        return f"{{'d': {d}, 'nos': {seq} IS NULL, 's': coalesce({seq}, 0), 'rn': {rn}, 'seq': {seq}, 'dtf': {dtf}}}"

    def by_row_pick(self, pick, event, keep, d, seq, rn, dtf) -> tuple[list[str], str]:
        """First/last occurrence of an event whose input rows are proven in occurrence order
        (generate_sql's `proven`): the row with the lowest/highest row number. Each field is
        aggregated on its own (arg_min_null/arg_max_null over the integer row number: a
        missing value is taken as it is) and the ordering struct is built once per subject,
        not for every input row."""
        fn = "min" if pick.endswith("first") else "max"
        base = f"{pick} {event}"
        at = {"rn": f"{fn}({rn}) {keep} AS {ident(base + ' rn')}"}
        fields = {"d": d, "seq": seq, "dtf": dtf}
        for field, expr in fields.items():
            if not expr.startswith("CAST(NULL"):  # a constant needs no aggregate
                at[field] = f"arg_{fn}_null({expr}, {rn}) {keep} AS {ident(f'{base} {field}')}"
        got = {f: (ident(f"{base} {f}") if f in at else fields[f]) for f in ("rn", *fields)}
        struct = self.order_struct(got["d"], got["seq"], got["rn"], got["dtf"])
        return list(at.values()), f"CASE WHEN {got['rn']} IS NOT NULL THEN {struct} END"

    def source_name(self, ev: m.EventSource) -> str:
        bounded = ev.not_before or ev.not_after or ev.date is not None or ev.confirm or ev.derived
        return ident("occ_" + ev.name) if bounded else ident("src_" + ev.table)

    def key_of(self, ev: m.EventSource, alias: str) -> str:
        return (
            f"{alias}.key"
            if (ev.not_before or ev.not_after or ev.date is not None or ev.confirm or ev.derived)
            else f"{alias}.__key"
        )
