"""Text of a report (.txt, .md): pasted from a web page or a PDF, or saved as Markdown.

Encoding: a byte-order mark, else UTF-8 when valid, else GB18030 (a superset of GBK/GB2312).
Each line becomes a :class:`~.document.Para` marked as a line (paragraphs are joined later, across
page breaks, by :mod:`.structure`); lines with tab characters become rows of a grid (a table
copied from a page keeps its cells apart with tabs).  Markdown decoration is dropped: heading
marks, ``**bold**``, ``<b>`` tags, ``<http://…>`` links (the address kept).
"""
from __future__ import annotations

import codecs
import re

from ..findings import Code, UserError
from .document import Document, GridBuilder, Para, clean
from .limits import check_chars

_TAGS = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>")
_LINK = re.compile(r"<((?:https?|ftp)://[^<>\s]+)>")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")
_EMPHASIS = re.compile(r"\*\*|__(?=\S)|(?<=\S)__")
PAGE_MARK = re.compile(r"^\s*(?:[-—–]\s*\d{1,3}\s*[-—–]|第\s*\d{1,3}\s*页(?:\s*[，,/]?\s*共\s*\d{1,3}\s*页)?|\d{1,3}\s*/\s*\d{1,3})\s*$")


def decode(data: bytes) -> tuple[str, str]:
    """``(text, how)`` for the bytes of a text file."""
    for bom, enc in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(enc, errors="replace").lstrip("\ufeff"), enc
    for enc in ("utf-8", "gb18030"):
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError:
            continue
    return data.decode("gb18030", errors="replace"), "gb18030（有无法识别的字节，已替换）"


def strip_markup(line: str) -> str:
    """One line without Markdown/HTML decoration."""
    line = _LINK.sub(r"\1", line)
    line = _HEADING.sub("", line)
    line = _TAGS.sub("", line)
    return _EMPHASIS.sub("", line)


def read(data: bytes, subject: str, kind: str = "txt") -> Document:
    text, how = decode(data)
    check_chars(len(text), subject)
    if "\x00" in text:
        raise UserError(Code.F23, subject, "这不是文本文件（含有二进制内容）；请确认扩展名与内容相符")
    doc = Document(kind, subject, notes=[f"文本编码：{how}"])
    builder = GridBuilder(subject)
    rows: list[list[tuple[str, int, int]]] = []
    gap = False
    page = 1

    def end_grid():
        if rows:
            doc.blocks.append(builder.build(list(rows), page))
            rows.clear()

    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if "\f" in raw:
            page += raw.count("\f")
            raw = raw.replace("\f", "")
        line = strip_markup(raw)
        if not line.strip():
            gap = True
            continue
        if PAGE_MARK.match(line):
            gap = True
            continue
        if "\t" in line.strip():
            rows.append([(clean(c), 1, 1) for c in line.split("\t")])
            gap = False
            continue
        end_grid()
        doc.blocks.append(Para(clean(line), page, line=True, gap_before=gap))
        gap = False
    end_grid()
    doc.pages = page
    return doc

