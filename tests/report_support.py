"""A reading of a report page with the standard library's html.parser, independent of the code
that wrote it: the elements with their attributes, the ids, the visible text, and each table as
rows of cell texts (with the id of the innermost element that has one around it)."""

from __future__ import annotations

import base64
import struct
from html.parser import HTMLParser

VOID = {"meta", "img", "br", "hr", "link", "input", "col", "area", "base", "source", "wbr"}
PNG = b"\x89PNG\r\n\x1a\n"


class Page(HTMLParser):
    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []
        self.ids: list[str] = []
        self.text: list[str] = []
        self.tables: list[tuple[tuple[str, ...], list[list[str]]]] = []  # (ids around it, rows)
        self.unclosed: list[str] = []  # tags closed out of order (a broken page)
        self._open: list[tuple[str, str | None]] = []
        self._table: list[list[str]] | None = None
        self._cell: list[str] | None = None
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.elements.append((tag, attrs))
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if tag not in VOID:
            self._open.append((tag, attrs.get("id")))
        if tag == "table":
            self._table = []
            self.tables.append((tuple(i for _, i in self._open if i), self._table))
        elif tag == "tr" and self._table is not None:
            self._table.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self._open or self._open[-1][0] != tag:
            self.unclosed.append(tag)
            return
        self._open.pop()
        if tag in ("td", "th") and self._cell is not None and self._table:
            self._table[-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data):
        if self._open and self._open[-1][0] in ("style", "script", "title"):
            return
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)

    def tags(self, name: str) -> list[dict]:
        return [attrs for tag, attrs in self.elements if tag == name]

    def tables_in(self, id_: str) -> list[list[list[str]]]:
        return [rows for ids, rows in self.tables if id_ in ids]

    @property
    def visible(self) -> str:
        return "".join(self.text)


def png_size(uri: str) -> tuple[int, int]:
    """Width and height of a PNG `data:` URI, read from its IHDR chunk."""
    head, _, data = uri.partition(",")
    assert head == "data:image/png;base64", head
    raw = base64.b64decode(data, validate=True)
    assert raw[:8] == PNG and raw[12:16] == b"IHDR"
    return struct.unpack(">II", raw[16:24])
