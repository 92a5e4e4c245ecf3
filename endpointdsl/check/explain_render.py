"""explain (issue 15): an explanation as Markdown or as one self-contained HTML page.

Every text that comes from the .ept file (labels, descriptions, literals, names) is escaped:
in HTML by `html.escape` (quotes too), in Markdown table cells `|` and line breaks.
"""

from __future__ import annotations

import html

from .explain import Explanation

KINDS = {
    "tte": "time to event: one ADTTE record per subject",
    "best": "best overall response: one parameter row per subject",
    "landmark": "landmark response: one parameter row per subject",
    "occurrence": "incidence: one parameter row per subject",
}


def _cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _note(row) -> str:
    return "" if row.reachable else f"not reachable: {row.why}"


def markdown(file: str, explanations: list[Explanation]) -> str:
    out = [f"# {_cell(file)}: what the endpoints do", ""]
    for e in explanations:
        out += [f"## {_cell(e.paramcd)}: {_cell(e.param)}", "", f"Kind: {KINDS.get(e.kind, e.kind)}.", ""]
        for heading, sentences in e.paragraphs:
            out.append(f"**{heading}.**")
            out.append("")
            out += [f"- {_cell(s)}" for s in sentences]
            out.append("")
        out += [f"### Outcomes of {_cell(e.paramcd)}", ""]
        header = ["Row", *[c for c in e.columns if c], "Reachable"]
        out.append("| " + " | ".join(header) + " |")
        out.append("|" + "---|" * len(header))
        for r in e.rows:
            cells = [r.key, r.situation, r.date, r.cnsr, r.evntdesc, r.cnsdtdsc][: len(header) - 1]
            cells.append("yes" if r.reachable else f"**no**: {r.why}")
            out.append("| " + " | ".join(_cell(c) for c in cells) + " |")
        out.append("")
    return "\n".join(out)


_STYLE = (
    "body{font-family:sans-serif;max-width:70em;margin:2em auto;line-height:1.4}"
    "table{border-collapse:collapse}td,th{border:1px solid #999;padding:.2em .5em;vertical-align:top}"
    "tr.unreachable td{color:#777;background:#f3f3f3}code{font-size:95%}"
)


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def section(e: Explanation) -> str:
    """One endpoint's explanation as an HTML <section> (its id the PARAMCD): the paragraphs and
    the outcome table. `page` puts them in a page; `endpointdsl report` in its own (issue 15)."""
    esc = _esc
    out = [f'<section id="{esc(e.paramcd)}"><h2>{esc(e.paramcd)}: {esc(e.param)}</h2>']
    out.append(f"<p>Kind: {esc(KINDS.get(e.kind, e.kind))}.</p>")
    for heading, sentences in e.paragraphs:
        out.append(f"<h3>{esc(heading)}</h3><ul>")
        out += [f"<li>{esc(s)}</li>" for s in sentences]
        out.append("</ul>")
    out.append(f"<h3>Outcomes of {esc(e.paramcd)}</h3><table>")
    header = ["Row", *[c for c in e.columns if c], "Reachable"]
    out.append("<tr>" + "".join(f"<th>{esc(h)}</th>" for h in header) + "</tr>")
    for r in e.rows:
        cells = [r.key, r.situation, r.date, r.cnsr, r.evntdesc, r.cnsdtdsc][: len(header) - 1]
        cells.append("yes" if r.reachable else f"no: {r.why}")
        cls = "" if r.reachable else ' class="unreachable"'
        out.append(f"<tr{cls}>" + "".join(f"<td>{esc(c)}</td>" for c in cells) + "</tr>")
    out.append("</table></section>")
    return "\n".join(out)


def page(file: str, explanations: list[Explanation]) -> str:
    esc = _esc
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{esc(file)}: what the endpoints do</title>",
        f"<style>{_STYLE}</style></head><body>",
        f"<h1>{esc(file)}: what the endpoints do</h1>",
    ]
    out += [section(e) for e in explanations]
    out.append("</body></html>")
    return "\n".join(out) + "\n"


RENDERERS = {"md": markdown, "html": page}
