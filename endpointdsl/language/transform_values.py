"""Transformer: value endpoints (issue 14): series and their statistics."""

from __future__ import annotations

from lark import v_args

from . import nodes as n
from .transform_base import BaseToAst, unescape


@v_args(meta=True)
class ValuesToAst(BaseToAst):
    """Series and value endpoints."""

    # ---- value endpoints (issue 14)
    def series_def(self, meta, c):
        names = [self._ident(x) for x in c[:5]]
        return n.SeriesDef(*names, tuple(c[5:]), span=self._span(meta))

    def series_where(self, meta, c):
        return n.SeriesOption("where", c[0], span=self._span(meta))

    def series_sequence(self, meta, c):
        return n.SeriesOption("sequence", self._ident(c[0]), span=self._span(meta))

    def series_label(self, meta, c):
        return n.SeriesOption("label", unescape(str(c[0])), span=self._span(meta))

    def unit_column(self, meta, c):
        return n.SeriesOption("unit column", self._ident(c[0]), span=self._span(meta))

    def unit_text(self, meta, c):
        return n.SeriesOption("unit text", unescape(str(c[0])), span=self._span(meta))

    def lloq(self, meta, c):
        return n.SeriesOption("lloq", c[0], span=self._span(meta))

    def below_lloq(self, meta, c):
        after = c[2] if len(c) > 2 else None
        rule = n.BlqRule(c[0], c[1], after, span=self._span(meta))
        return n.SeriesOption("below lloq", rule, span=self._span(meta))

    def duplicates_refuse(self, meta, c):
        return n.SeriesOption("duplicate times", "refuse", span=self._span(meta))

    def duplicates_mean(self, meta, c):
        return n.SeriesOption("duplicate times", "mean", span=self._span(meta))

    def negative_at_zero(self, meta, c):
        return n.SeriesOption("negative times", None, span=self._span(meta))

    def series_origin(self, meta, c):
        return n.SeriesOption("from", self._ident(c[0]), span=self._span(meta))

    def series_origin_day(self, meta, c):
        return n.SeriesOption("origin is day", c[0], span=self._span(meta))

    def blq_zero(self, meta, c):
        return "zero"

    def blq_half(self, meta, c):
        return "half lloq"

    def blq_missing(self, meta, c):
        return "missing"

    def blq_after(self, meta, c):
        return c[0]

    def stat_max(self, meta, c):
        return "max"

    def stat_min(self, meta, c):
        return "min"

    def stat_last(self, meta, c):
        return "last"

    def stat_tmax(self, meta, c):
        return "time of max"

    def stat_tmin(self, meta, c):
        return "time of min"

    def stat_tlast(self, meta, c):
        return "time of last"

    def stat_auc(self, meta, c):
        return "auc"

    def stat_auc_last(self, meta, c):
        return "auc to last"

    def stat_change(self, meta, c):
        return "change from min"

    def auc_linear(self, meta, c):
        return ("rule", "linear")

    def auc_log_down(self, meta, c):
        return ("rule", "linear up log down")

    def value_over(self, meta, c):
        return n.ValueOver(c[0], c[1], self._ident(c[2]), span=self._span(meta))

    def value_clause(self, meta, c):
        over = next((x for x in c[2:] if isinstance(x, n.ValueOver)), None)
        rule = next((x[1] for x in c[2:] if isinstance(x, tuple)), None)
        return n.ValueClause(c[0], self._ident(c[1]), over, rule, span=self._span(meta))

    def _value_at(self, stat, meta, c):
        over = c[5] if len(c) > 5 else None
        return n.ValueClause(
            stat, self._ident(c[0]), over, None, c[1], self._ident(c[2]), c[3], self._ident(c[4]),
            span=self._span(meta),
        )  # fmt: skip

    def value_at(self, meta, c):
        return self._value_at("at", meta, c)

    def value_detectable(self, meta, c):
        return self._value_at("detectable", meta, c)
