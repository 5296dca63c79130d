"""The low layer of ``xlsx-tool lint-template``: a Word template as docxtpl sees it.

:func:`read_parts` reads the XML parts docxtpl renders — ``word/document.xml``, the headers,
footers, footnotes and endnotes — and the rendered document properties (``docProps/core.xml``) into
:class:`Part` objects: lists of :class:`Para`, one per ``w:p``, each with its text, the run number
of every character and its place in words (body paragraphs ``第N段``, table cells
``表格M 第R行第C列``, ``页眉（header1.xml）第1段`` …). :func:`scan_tags` then finds the tags
``{{ … }}``, ``{% … %}``, ``{# … #}`` in a part (:class:`Tag`: as written, as jinja sees it after
docxtpl's preprocessing, which paragraphs and how many runs it spans) and builds the jinja source;
:func:`pieces` shows the runs a tag was split into, and :func:`docxtpl_copes` asks the installed
docxtpl whether its preprocessing repairs a tag.

Nothing here judges the template: the checks (T01–T06) are in :mod:`.lint`. A file that
is not a usable .docx raises :class:`~xlsx_tool.findings.UserError` F09 (F20/F21: see
:mod:`.package`).
"""
from __future__ import annotations

import html
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from ..findings import Code, UserError

STRAIGHTEN = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'"})

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
W_P, W_R, W_T, W_TAB, W_BR, W_CR = (f"{{{W}}}{t}" for t in ("p", "r", "t", "tab", "br", "cr"))
W_TBL, W_TR, W_TC, W_GRIDSPAN = (f"{{{W}}}{t}" for t in ("tbl", "tr", "tc", "gridSpan"))
MC_FALLBACK = f"{{{MC}}}Fallback"
#: document properties docxtpl renders as templates (element → name shown in Word/WPS)
PROPERTIES = {"{http://purl.org/dc/elements/1.1/}title": "标题",
              "{http://purl.org/dc/elements/1.1/}subject": "主题",
              "{http://purl.org/dc/elements/1.1/}creator": "作者",
              "{http://purl.org/dc/elements/1.1/}description": "备注",
              "{http://purl.org/dc/elements/1.1/}identifier": "标识",
              "{http://purl.org/dc/elements/1.1/}language": "语言"}

#: a complete tag; a tag never contains another opening delimiter
TAG = re.compile(r"\{\{(?:(?!\{\{|\{%|\}\}).)*\}\}|\{%(?:(?!\{\{|\{%|%\}).)*%\}|\{#.*?#\}", re.S)
OPENER = re.compile(r"\{\{|\{%|\{#")
CLOSER = re.compile(r"\}\}|%\}")
PREFIX = re.compile(r"^(\{%|\{\{|\{#)(p|tr|tc|r) ")


# -- the template as paragraphs -------------------------------------------------------------------
@dataclass
class Para:
    where: str               # 第3段 / 表格1 第2行第3列 / 页脚（footer1.xml）第1段
    text: str
    runs: list[int]          # run number of each character
    cell: object = None      # the w:tc element holding the paragraph (None outside tables)
    element: object = None   # the w:p element (None for document properties)


@dataclass
class Tag:
    raw: str                 # as in the document
    clean: str               # as jinja sees it after docxtpl's preprocessing
    kind: str                # '', 'p', 'tr', 'tc' or 'r'
    first: int               # index of the first and last paragraph it spans
    last: int
    runs: int                # number of runs it spans


@dataclass
class Part:
    name: str                # zip member
    paras: list[Para]
    tags: list[Tag] = field(default_factory=list)
    ast: object = None



def _ancestor(el, tag):
    el = el.getparent()
    while el is not None and el.tag != tag:
        el = el.getparent()
    return el


def _in_fallback(el) -> bool:
    return _ancestor(el, MC_FALLBACK) is not None


def _para_text(p) -> tuple[str, list[int]]:
    """The text of one w:p (not of paragraphs nested in it) and the run number of each character."""
    chars: list[str] = []
    runs: list[int] = []
    run_no: dict = {}
    for el in p.iter(W_T, W_TAB, W_BR, W_CR):
        if _ancestor(el, W_P) is not p or _in_fallback(el) and not _in_fallback(p):
            continue
        if el.tag == W_T:
            text = el.text or ""
        else:
            text = "\t" if el.tag == W_TAB else " "
        run = _ancestor(el, W_R)
        n = run_no.setdefault(run, len(run_no))   # lxml keeps one proxy per element while referenced
        chars.append(text)
        runs.extend([n] * len(text))
    return "".join(chars), runs


def _cell_where(tc, tables: dict) -> str:
    tr = _ancestor(tc, W_TR)
    tbl = _ancestor(tr, W_TBL)
    rows = [r for r in tbl.iterchildren(W_TR)]
    col = 1
    for other in tr.xpath("./w:tc|./w:sdt/w:sdtContent/w:tc", namespaces={"w": W}):
        if other is tc:
            break
        span = other.find(f"{{{W}}}tcPr/{W_GRIDSPAN}")
        col += int(span.get(f"{{{W}}}val", "1")) if span is not None else 1
    row = rows.index(tr) + 1 if tr in rows else 0
    return f"表格{tables[tbl]} 第{row}行第{col}列"


def _paragraphs(root, prefix: str = "") -> list[Para]:
    tables = {tbl: i for i, tbl in enumerate(root.iter(W_TBL), start=1)}
    out, n = [], 0
    for p in root.iter(W_P):
        if _in_fallback(p):
            continue
        tc = _ancestor(p, W_TC)
        if tc is None:
            n += 1
            where = f"第{n}段"
        else:
            where = _cell_where(tc, tables)
        text, runs = _para_text(p)
        out.append(Para(prefix + where, text, runs, tc, p))
    return out


def _parser():
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


def read_parts(path: Path, pkg=None) -> list[Part]:
    """The parts docxtpl renders (body, headers, footers, footnotes, endnotes, document
    properties) of the template at ``path`` — opened through :func:`.package.open_template`
    (the same limits as ``render``: F09, F20, F21) unless ``pkg``, an opened template, is given."""
    from .package import open_template

    if pkg is None:
        pkg = open_template(path)
    names = pkg.parts
    if "word/document.xml" not in names:
        raise UserError(Code.F09, str(path), "不是 Word (.docx) 文件")
    wanted = ["word/document.xml"]
    wanted += sorted((n for n in names if re.fullmatch(r"word/header\d*\.xml", n)), key=_natural)
    wanted += sorted((n for n in names if re.fullmatch(r"word/footer\d*\.xml", n)), key=_natural)
    wanted += [n for n in ("word/footnotes.xml", "word/endnotes.xml", "docProps/core.xml") if n in names]
    parts = []
    for name in wanted:
        try:
            root = etree.fromstring(names[name], _parser())
        except etree.XMLSyntaxError as exc:
            raise UserError(Code.F09, str(path), f"{name} 无法解析：{exc}") from None
        short = name.rsplit("/", 1)[-1]
        if name == "docProps/core.xml":
            paras = [Para(f"文档属性“{label}”", el.text or "", [0] * len(el.text or ""))
                     for el in root if (label := PROPERTIES.get(el.tag)) and el.text]
        elif short.startswith("header"):
            paras = _paragraphs(root, f"页眉（{short}）")
        elif short.startswith("footer"):
            paras = _paragraphs(root, f"页脚（{short}）")
        elif short == "footnotes.xml":
            paras = _paragraphs(root, "脚注 ")
        elif short == "endnotes.xml":
            paras = _paragraphs(root, "尾注 ")
        else:
            paras = _paragraphs(root)
        parts.append(Part(name, paras))
    return parts


def _natural(name: str):
    return [int(x) if x.isdigit() else x for x in re.split(r"(\d+)", name)]


# -- tags -----------------------------------------------------------------------------------------
def _clean(raw: str) -> tuple[str, str]:
    """(tag as jinja sees it after docxtpl's preprocessing, docxtpl prefix)."""
    tag = raw.translate(STRAIGHTEN)
    m = PREFIX.match(tag)
    kind = m.group(2) if m else ""
    if m:
        tag = m.group(1) + " " + tag[m.end():]
    if re.fullmatch(r"\{%-?\s*(vm|hm)\s*-?%\}", tag):
        return "", kind
    special = re.fullmatch(r"\{%-?\s*(colspan|cellbg)\s+(.*?)\s*-?%\}", tag, re.S)
    if special:
        return "{{ " + special.group(2) + " }}", kind
    return tag, kind



def scan_tags(part: Part) -> tuple[str, str, list[tuple[int, int]], Callable[[int], int]]:
    """Find the tags of a part (appended to ``part.tags`` in document order).

    Returns the part's text (paragraphs joined by newlines), the jinja source (one line per
    paragraph, so that jinja's line numbers name paragraphs), the (start, end) offsets the tags
    cover in the text, and ``para_at(offset)`` → index of the paragraph holding that offset.
    """
    text = "\n".join(p.text for p in part.paras)
    starts, pos = [], 0
    for p in part.paras:
        starts.append(pos)
        pos += len(p.text) + 1

    def para_at(offset: int) -> int:
        lo, hi = 0, len(starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if starts[mid] <= offset:
                lo = mid
            else:
                hi = mid - 1
        return lo

    source, last, covered = [], 0, []
    for m in TAG.finditer(text):
        raw = m.group(0)
        first, final = para_at(m.start()), para_at(m.end() - 1)
        runs = set()
        for off in range(m.start(), m.end()):
            i = para_at(off)
            rel = off - starts[i]
            if rel < len(part.paras[i].runs):
                runs.add((i, part.paras[i].runs[rel]))
        clean, kind = _clean(raw)
        part.tags.append(Tag(raw, clean, kind, first, final, len(runs)))
        covered.append((m.start(), m.end()))
        source.append("\n" * text.count("\n", last, m.start()))
        source.append(clean + "\n" * (raw.count("\n") - clean.count("\n")))
        last = m.end()
    source.append("\n" * text.count("\n", last))
    return text, "".join(source), covered, para_at


def pieces(para: Para, tag: Tag) -> str:
    """The text of each run a tag spans in its paragraph: “{{ v.”＋“x }}”."""
    start = para.text.find(tag.raw)
    if start < 0:
        return ""
    pieces, prev = [], None
    for off in range(start, start + len(tag.raw)):
        run = para.runs[off] if off < len(para.runs) else prev
        if run != prev:
            pieces.append("")
            prev = run
        pieces[-1] += para.text[off]
    return "＋".join(f"“{x}”" for x in pieces)


def docxtpl_copes(part: Part, tag: Tag) -> bool | None:
    """Whether docxtpl's own preprocessing turns this paragraph's tag into one intact tag."""
    el = part.paras[tag.first].element
    if el is None:
        return True    # document properties are plain text
    try:
        from docxtpl import DocxTemplate

        scope = {"tr": W_TR, "tc": W_TC}.get(tag.kind)
        if scope is not None and _ancestor(el, scope) is not None:
            el = _ancestor(el, scope)      # docxtpl replaces the whole row / cell
        xml = etree.tostring(el, encoding="unicode")
        patched = DocxTemplate(io.BytesIO()).patch_xml(xml)
    except Exception:  # noqa: BLE001 — an unknown docxtpl version: say "may or may not"
        return None
    if not tag.clean:
        return True
    return any(tag.clean in html.unescape(t) for t in re.split(r"<[^>]+>", patched))
