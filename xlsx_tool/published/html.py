"""A saved web page (.html/.htm) into a :class:`~.document.Document`.

The encoding is taken from a byte-order mark, else the page's own declaration (``<meta
charset>``, ``http-equiv``, ``<?xml encoding?>``; GB2312/GBK are read as their superset GB18030),
else sniffed: UTF-8 when the bytes are valid UTF-8, otherwise GB18030.  The page is parsed by
lxml's HTML parser (no network, no DTD loading, comments and processing instructions dropped) —
Word pages saved as HTML (MSO markup: ``<td>`` holding ``<p><span>`` runs, ``mso-`` styles,
``&nbsp;``, ``<o:p>``) included.  Tables become grids with rowspan/colspan expanded; a table
inside a table cell is read as that cell's text.  Scripts, styles and hidden elements are skipped.
"""
from __future__ import annotations

import codecs
import re

from ..findings import Code, UserError
from .document import Document, GridBuilder, Para, clean
from .limits import check_chars

_DECLARED = re.compile(rb"""(?:<meta[^>]+charset\s*=\s*["']?|<\?xml[^>]+encoding\s*=\s*["'])([A-Za-z0-9_\-]+)""",
                       re.I)
_GB = {"gb2312", "gbk", "gb18030", "x-gbk", "cp936", "gb_2312-80", "euc-cn", "hz-gb-2312"}
_BLOCKS = {"table", "td", "th", "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "br", "tr", "section", "article",
           "blockquote", "center", "pre", "ul", "ol", "dd", "dt", "hr", "header", "footer", "title"}
_SKIP = {"script", "style", "noscript", "template", "iframe", "object", "svg", "head", "select", "button"}
_HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
#: Tags (``<``) of one page read at most: each element costs the parser and the walk about 600
#: bytes and 5 µs; a report saved from Word as a web page has a few tens of thousands.
MAX_TAGS = 200_000


def decode(data: bytes, subject: str) -> tuple[str, str]:
    """``(text, how)``: the page as text and how its encoding was decided (for the notes)."""
    for bom, enc in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(enc, errors="replace").lstrip("\ufeff"), f"{enc}（字节顺序标记）"
    m = _DECLARED.search(data[:16384])
    declared = m.group(1).decode("ascii").lower() if m else ""
    tries = []
    if declared in _GB:
        tries = [("gb18030", f"{declared}（网页声明）")]
    elif declared:
        try:
            codecs.lookup(declared)
            tries = [(declared, f"{declared}（网页声明）")]
        except LookupError:
            pass
    tries += [("utf-8", "UTF-8（自动识别）"), ("gb18030", "GB18030/GBK（自动识别）")]
    for enc, how in tries:
        try:
            return data.decode(enc), how
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode("gb18030", errors="replace"), "GB18030（有无法识别的字节，已替换）"


def read(data: bytes, subject: str) -> Document:
    """Parse a web page; ``UserError`` F23 when it is not HTML at all."""
    import lxml.etree
    import lxml.html

    text, how = decode(data, subject)
    check_chars(len(text), subject)
    tags = text.count("<")
    if tags > MAX_TAGS:
        raise UserError(Code.F25, subject, f"网页中有约 {tags} 个标记，超过 {MAX_TAGS} 个（一份年报的网页只有几千个）")
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)
    if "<" not in text:
        raise UserError(Code.F23, subject, "文件中没有网页标记（HTML）；如果是纯文本，请把扩展名改为 .txt")
    parser = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, no_network=True,
                                  huge_tree=False, recover=True)
    try:
        root = lxml.html.document_fromstring(text, parser=parser)
    except (lxml.etree.ParserError, ValueError) as exc:
        raise UserError(Code.F23, subject, f"网页无法解析：{str(exc)[:120]}") from None
    doc = Document("html", subject, notes=[f"网页编码：{how}"])
    title = root.find(".//title")
    if title is not None:
        doc.title = clean(title.text_content())
    body = root.find("body")
    _Walker(doc, GridBuilder(subject)).walk(body if body is not None else root)
    return doc


class _Walker:
    """Document order: text gathers into the current paragraph until a block boundary."""

    def __init__(self, doc: Document, grids: GridBuilder):
        self.doc, self.grids, self.buf = doc, grids, []

    def flush(self) -> None:
        text = clean("".join(self.buf))
        self.buf = []
        if text:
            self.doc.blocks.append(Para(text))

    def walk(self, el) -> None:
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        if not tag or tag in _SKIP or _HIDDEN.search(el.get("style", "") or "") or el.get("hidden") is not None:
            if el.tail and tag:
                self.buf.append(el.tail)
            return
        local = tag.rsplit(":", 1)[-1]
        if local == "table" and not _layout(el):
            self.flush()
            self.doc.blocks.append(self.table(el))
        else:
            block = local in _BLOCKS
            if block:
                self.flush()
            if el.text:
                self.buf.append(el.text)
            for child in el:
                self.walk(child)
            if block:
                self.flush()
        if el.tail:
            self.buf.append(el.tail)

    def table(self, table):
        rows = []
        for tr in _own_rows(table):
            cells = []
            for td in tr:
                t = td.tag.lower() if isinstance(td.tag, str) else ""
                if t not in ("td", "th"):
                    continue
                cells.append((cell_text(td), _span(td.get("rowspan")), _span(td.get("colspan"))))
            rows.append(cells)
        return self.grids.build(rows)


def _layout(table) -> bool:
    """A table used to lay out the page (the whole article in a cell, the report's tables nested
    inside): walked like any other block instead of read as a grid."""
    if table.find(".//table") is not None:
        return True
    rows = list(_own_rows(table))
    widest = max((sum(1 for td in tr if isinstance(td.tag, str) and td.tag.lower() in ("td", "th")) for tr in rows),
                 default=0)
    return widest <= 1 and len(table.text_content()) > 300


def _own_rows(table):
    """The ``<tr>`` of this table (directly or under thead/tbody/tfoot), not of nested tables."""
    for child in table:
        tag = child.tag.lower() if isinstance(child.tag, str) else ""
        if tag == "tr":
            yield child
        elif tag in ("thead", "tbody", "tfoot"):
            yield from (tr for tr in child if isinstance(tr.tag, str) and tr.tag.lower() == "tr")


def _span(raw) -> int:
    m = re.match(r"\s*(\d{1,4})", raw or "")
    return int(m.group(1)) if m else 1


def cell_text(td) -> str:
    """A cell's text with paragraph and line breaks as spaces (the structure reader joins label
    fragments and keeps numbers in separate paragraphs apart)."""
    parts: list[str] = []

    def walk(el):
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        if not tag or tag in _SKIP or _HIDDEN.search(el.get("style", "") or ""):
            if el.tail and tag:
                parts.append(el.tail)
            return
        if tag.rsplit(":", 1)[-1] in _BLOCKS or tag in ("td", "th"):
            parts.append(" ")
        if el.text:
            parts.append(el.text)
        for child in el:
            walk(child)
        if tag.rsplit(":", 1)[-1] in _BLOCKS:
            parts.append(" ")
        if el.tail and el is not td:
            parts.append(el.tail)

    walk(td)
    return clean("".join(parts))
