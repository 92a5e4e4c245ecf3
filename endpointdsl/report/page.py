"""The report as one HTML page: inline CSS, the plots as `data:` URIs, no script, no link out of
the page; a table of contents whose links are the page's own anchors. Every text from the .ept
file or the data is escaped (the explanation by check.explain_render, the tables by
report.tables, the rest here)."""

from __future__ import annotations

import base64

from ..check.explain_render import section
from .content import Content, Header, Part
from .tables import esc, km_tables, rates_table, report_tables, table, values_table

KM_MISSING = (
    'Kaplan-Meier summary and plot not included: install endpointdsl[km] (pip install "endpointdsl[km]": '
    "lifelines and matplotlib)"
)
PLOT_MISSING = 'Kaplan-Meier plot not included: matplotlib is not installed (pip install "endpointdsl[km]")'
STYLE = (
    "body{font-family:sans-serif;max-width:72em;margin:2em auto;padding:0 1em;line-height:1.4;color:#111}"
    "table{border-collapse:collapse;margin:.5em 0 1em}td,th{border:1px solid #999;padding:.2em .5em;"
    "vertical-align:top;text-align:left}td.num{text-align:right;font-variant-numeric:tabular-nums}"
    "caption{text-align:left;font-weight:bold;padding:.2em 0;white-space:nowrap}tr.unreachable td{color:#777;background:#f3f3f3}"
    "section.endpoint{border-top:3px solid #333;margin-top:2em}.note{background:#fff4ce;padding:.5em;"
    "border-left:4px solid #c90}code,pre{font-size:95%}pre{background:#f6f6f6;padding:.5em;overflow-x:auto}"
    "img{max-width:100%;height:auto}nav ol{margin:.2em 0}"
)


def anchor(kind: str, code: str) -> str:
    """An id of this page: PARAMCDs are upper-case letters, digits and _ (E-checked), which no
    other id of the page (lower case, with a hyphen) can be."""
    return f"{kind}-{code}"


def render(content: Content) -> str:
    h = content.header
    title = f"Endpoint report: {h.file}"
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{esc(title)}</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<h1>{esc(title)}</h1>",
        _contents(content),
        _header(h),
        _warnings(content),
    ]
    out += [_part(p, content) for p in content.parts]
    out.append('<section id="exclusions"><h2>Exclusions and findings</h2>')
    out.append(
        "<p>Every subject of the subject table has a record in each endpoint or a row here with the "
        "reason (excluded), and every data problem seen is a finding.</p>"
    )
    out.append(report_tables(content.report))
    out.append("</section></body></html>")
    return "\n".join(out) + "\n"


def _contents(content: Content) -> str:
    items = [
        '<li><a href="#run">Run: files, version, engine</a></li>',
        '<li><a href="#warnings">Warnings</a></li>',
    ]
    for p in content.parts:
        e = p.explanation
        subs = [f'<li><a href="#{anchor("explain", e.paramcd)}">Definition and outcomes</a></li>']
        if p.tte:
            subs.append(f'<li><a href="#{anchor("km", e.paramcd)}">Kaplan-Meier summary</a></li>')
        if p.rates is not None:
            subs.append(f'<li><a href="#{anchor("rates", e.paramcd)}">Rates</a></li>')
        if p.values is not None:
            subs.append(f'<li><a href="#{anchor("values", e.paramcd)}">Value summary</a></li>')
        link = f'<a href="#{anchor("ep", e.paramcd)}">{esc(e.paramcd)}: {esc(e.param)}</a>'
        items.append(f"<li>{link}<ol>{''.join(subs)}</ol></li>")
    items.append('<li><a href="#exclusions">Exclusions and findings</a></li>')
    return f'<nav id="contents"><h2>Contents</h2><ol>{"".join(items)}</ol></nav>'


def _header(h: Header) -> str:
    rows = [
        ["Definition", h.file], ["SHA-256", h.sha256], ["endpointdsl", h.version], ["Data folder", h.data],
        ["Engine", h.engine], ["Created", h.created], *([o, v] for o, v in h.options),
    ]  # fmt: skip
    files = [[f.table, f.name, f.rows, f.sha256] for f in h.inputs]
    return "\n".join([
        '<section id="run"><h2>Run</h2>',
        table(None, rows),
        table(["Table", "File", "Rows", "SHA-256"], files, [2], "Input files"),
        "</section>",
    ])  # fmt: skip


def _warnings(content: Content) -> str:
    out = ['<section id="warnings"><h2>Warnings</h2>']
    if content.km_note:
        out.append(f'<p class="note">{esc(content.km_note)}</p>')
    report = content.report
    whole = report[report.USUBJID.isna()]  # rows about the file, not a subject: events that match no row
    for status, message in zip(whole.STATUS, whole.MESSAGE, strict=True):
        out.append(f'<p class="note">{esc(status)}: {esc(message)}</p>')
    if content.checker_warnings:
        out.append("<h3>The definition's warnings</h3>")
        out += [f"<pre>{esc(w)}</pre>" for w in content.checker_warnings]
    if len(out) == 1:
        out.append("<p>None.</p>")
    out.append("</section>")
    return "\n".join(out)


def _part(p: Part, content: Content) -> str:
    e = p.explanation
    out = [f'<section class="endpoint" id="{anchor("ep", e.paramcd)}">']
    out.append(f'<div id="{anchor("explain", e.paramcd)}">{section(e)}</div>')
    if p.tte:
        out.append(
            f'<section id="{anchor("km", e.paramcd)}"><h3>Kaplan-Meier summary of {esc(e.paramcd)}</h3>'
        )
        if p.km is None:
            out.append(f'<p class="note">{esc(KM_MISSING)}</p>')
        elif not len(p.km):
            out.append("<p>No record: every subject is excluded (see the exclusions).</p>")
        else:
            plots = dict(p.plots)
            for code in dict.fromkeys(p.km.PARAMCD):
                mine = p.km[p.km.PARAMCD == code]
                if code != e.paramcd:  # a grouped endpoint's parameter
                    out.append(f"<h4>{esc(code)}: {esc(mine.PARAM.iloc[0])}</h4>")
                out.append(km_tables(mine, content.by))
                if code in plots:
                    data = base64.b64encode(plots[code]).decode("ascii")
                    kind = "Cumulative incidence" if (mine.STAT == "COMPETING").any() else "Kaplan-Meier"
                    alt = f"{kind} plot of {code}" + (f" by {content.by}" if content.by else "")
                    out.append(f'<figure><img src="data:image/png;base64,{data}" alt="{esc(alt)}">'
                               f"<figcaption>{esc(alt)}; | marks a censored record; numbers at risk below"
                               "</figcaption></figure>")  # fmt: skip
                else:
                    out.append(f'<p class="note">{esc(PLOT_MISSING)}</p>')
        out.append("</section>")
    for kind, frame, render, title in (
        ("rates", p.rates, rates_table, "Rates"), ("values", p.values, values_table, "Value summary"),
    ):  # fmt: skip
        if frame is None:
            continue
        out.append(f'<section id="{anchor(kind, e.paramcd)}"><h3>{title} of {esc(e.paramcd)}</h3>')
        if not len(frame):
            out.append("<p>No record: every subject is excluded (see the exclusions).</p>")
        for code in dict.fromkeys(frame.PARAMCD):
            mine = frame[frame.PARAMCD == code]
            if code != e.paramcd:
                out.append(f"<h4>{esc(code)}: {esc(mine.PARAM.iloc[0])}</h4>")
            out.append(render(mine))
        out.append("</section>")
    out.append("</section>")
    return "\n".join(out)
