"""Placeholders: the way 正文 paragraphs name a table cell, so that text cannot drift from tables.

A clerk writes ``{表三.本年新收.总计}`` in a paragraph and the report prints the table's number.
``{sheet.row.column}``: the sheet is one of the format's table sheets (表二/表三/表四, also written
表2 …), then labels of the cell in printed order (row labels, then column labels).  Each part
matches a label exactly, without its numbering prefix (一、 （一） 1.), or as a substring; the
placeholder must single out one cell, preferring cells where every part matched exactly.  Also
``{request_new_total}`` (a field id), full-width ``｛｝``, and ``．``/``。`` as separators.

Used by the template (the help text), the checks (N03 for a placeholder naming no cell or
several) and the Word report (the text with numbers in place); it lives with the formats because
it is a naming scheme over the format model and nothing else.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from . import registry
from .model import Format, load
from .values import Number, format_number

PLACEHOLDER_HELP = (
    "正文中可以用占位符引用表格中的数字，生成报告时自动替换为表格中的数值，正文与表格就不会不一致。"
    "写法：{表名.行.列}，表名为 表二、表三 或 表四；行、列写表格中的标签，可省略“一、”“（一）”“1.”等序号，"
    "也可只写标签中能唯一确定该单元格的一段文字（表四没有行标签，只写列）；花括号和句点也可用全角“｛｝．。”。例如：\n"
    "  本年新收政府信息公开申请{表三.本年新收.总计}件\n"
    "  公开行政许可决定{表二.行政许可.处理决定数量}件\n"
    "  被申请行政复议{表四.行政复议.总计}件，未经复议直接起诉{表四.未经复议直接起诉.总计}件\n"
    "也可以写字段名，如 {request_new_total}（字段名见 xlsx-tool fields）。"
    "正文中的花括号只用于占位符，每个占位符只写一对花括号；无法识别或对应多个单元格的占位符，检查时报错 N03 并列出可选写法。"
)

_CN_NUMBERS = {c: i for i, c in enumerate("一二三四五六七八九十", start=1)}
#: A placeholder; a doubled brace (``{{…}}``, the Word template's way) is taken in with it, so that
#: the report never prints ``{18}`` (:func:`doubled` lists them for a finding).
_PLACEHOLDER = re.compile(r"[{｛]{1,2}([^{}｛｝\n]{0,120}?)[}｝]{1,2}")
_FIELD_ID = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_NUMBERING = re.compile(r"^(?:[一二三四五六七八九十]+、|\([一二三四五六七八九十]+\)|\d+[.、])")


# -- placeholders ------------------------------------------------------------------------------
def _norm(text: str) -> str:
    """NFKC (full-width → ASCII, ``．`` → ``.``), ``。`` → ``.``, all spaces removed."""
    return "".join(unicodedata.normalize("NFKC", text).replace("。", ".").split())


def _label_match(part: str, label: str) -> int:
    """2 = exact (or exact without the numbering prefix), 1 = substring, 0 = no match."""
    lab = _norm(label)
    if not part or not lab:
        return 0
    if part in (lab, _NUMBERING.sub("", lab)):
        return 2
    return 1 if part in lab else 0


def _score(parts: list[str], labels: tuple[str, ...]) -> int:
    """How well ``parts`` map, in order, onto distinct ``labels``: 2 all exact, 1 some by
    substring, 0 not at all.  Consecutive parts may be re-joined with ``.`` (``1.属于国家秘密``)."""
    def go(i: int, j: int) -> int:
        if i == len(parts):
            return 2
        best = 0
        for k in range(i + 1, len(parts) + 1):
            part = ".".join(parts[i:k])
            for lab in range(j, len(labels)):
                m = _label_match(part, labels[lab])
                if m and (rest := go(k, lab + 1)):
                    best = max(best, min(m, rest))
        return best
    return go(0, 0)


@lru_cache(maxsize=None)
def _aliases(fmt_id: str) -> dict[str, str]:
    out = {}
    for tl in load(fmt_id).tables:
        out[_norm(tl.sheet)] = tl.sheet
        if tl.number in _CN_NUMBERS:
            out[f"表{_CN_NUMBERS[tl.number]}"] = tl.sheet
    return out


def sheet_aliases(fmt: Format) -> dict[str, str]:
    """How a placeholder may name a table sheet → the sheet: ``表三`` and ``表3`` → ``表三``."""
    return _aliases(fmt.id)


@dataclass(frozen=True)
class Lookup:
    """Result of :func:`lookup`: ``cell`` (a field id, or ``None``), ``candidates`` (field ids that
    also match, or near misses) and ``reason``: ``ok``, ``ambiguous``, ``unknown`` or ``sheet``."""
    cell: str | None
    candidates: tuple[str, ...] = ()
    reason: str = "ok"


@lru_cache(maxsize=4096)
def _lookup(fmt_id: str, content: str) -> Lookup:
    fmt = load(fmt_id)
    text = _norm(content)
    if _FIELD_ID.fullmatch(text):
        if text in fmt.cells:
            return Lookup(text)
        import difflib   # only for a misspelt field id (start-up time matters)

        return Lookup(None, tuple(difflib.get_close_matches(text, list(fmt.cells), n=5)), "unknown")
    parts = [p for p in text.split(".") if p]
    sheet = sheet_aliases(fmt).get(parts[0]) if parts else None
    if sheet:
        parts = parts[1:]
    elif parts and parts[0].startswith("表") and len(parts) > 1:
        return Lookup(None, (), "sheet")
    cells = [c for c in fmt.cells.values() if sheet in (None, c.sheet)]
    if not parts:
        return Lookup(None, (), "unknown")
    scored = [(s, c.id) for c in cells if (s := _score(parts, c.rows + c.cols))]
    pool = [cid for s, cid in scored if s == 2] or [cid for _, cid in scored]
    if len(pool) == 1:
        return Lookup(pool[0])
    if pool:
        return Lookup(None, tuple(pool), "ambiguous")
    hits = {c.id: sum(any(_label_match(p, lab) for lab in c.rows + c.cols) for p in parts) for c in cells}
    top = max(hits.values(), default=0)
    return Lookup(None, tuple(cid for cid, h in hits.items() if h == top)[:5] if top else (), "unknown")


def lookup(fmt: Format, content: str) -> Lookup:
    """The cell a placeholder's content (without braces) names, e.g. ``表三.本年新收.总计``."""
    return _lookup(fmt.id, content)


def placeholder_for(fmt: Format, cell_id: str) -> str:
    """The shortest ``{sheet.row.column}`` written with printed labels that names ``cell_id``
    (row = the innermost row label; columns = as many innermost column labels as needed)."""
    c = fmt.cells[cell_id]
    rows = [c.row_label] if c.row_label else []
    for k in range(1, len(c.cols) + 1):
        content = ".".join([c.sheet, *rows, *c.cols[-k:]])
        if lookup(fmt, content).cell == cell_id:
            return "{" + content + "}"
    return "{" + cell_id + "}"


def resolve(fmt: Format, text: str, values: Mapping[str, Number] | None = None) -> tuple[str, list[str]]:
    """``text`` with every placeholder that names one cell replaced by its value from ``values``
    (formatted by :func:`~.values.format_number`), and the unresolved placeholders as typed (left in the
    text).  Without ``values`` resolved placeholders become the canonical ``{field_id}``."""
    unresolved: list[str] = []

    def repl(m: re.Match) -> str:
        found = lookup(fmt, m.group(1))
        if found.cell is None:
            unresolved.append(m.group(0))
            return m.group(0)
        return "{" + found.cell + "}" if values is None else format_number(values[found.cell])

    return _PLACEHOLDER.sub(repl, text), unresolved


def substitute(fmt: Format, narrative: Mapping[str, list[str]], values: Mapping[str, Number]
               ) -> tuple[dict[str, list[str]], list[tuple[str, int, str]]]:
    """Every paragraph with its placeholders replaced by ``values``; and the placeholders that name
    no single cell as ``(section id, paragraph index, placeholder as typed)`` (left in the text)."""
    out: dict[str, list[str]] = {}
    bad: list[tuple[str, int, str]] = []
    for sid, paras in narrative.items():
        out[sid] = []
        for i, para in enumerate(paras):
            text, unresolved = resolve(fmt, para, values)
            out[sid].append(text)
            bad.extend((sid, i, ph) for ph in unresolved)
    return out, bad


def doubled(fmt: Format, text: str) -> list[tuple[str, str]]:
    """The placeholders of ``text`` written with a doubled brace that name one cell, as
    ``(as typed, the single-brace form)``: ``{{表三.本年新收.总计}}`` → ``{表三.本年新收.总计}``."""
    out = []
    for m in _PLACEHOLDER.finditer(text):
        if len(m.group(0)) - len(m.group(1)) > 2 and lookup(fmt, m.group(1)).cell is not None:
            out.append((m.group(0), "{" + m.group(1).strip() + "}"))
    return out


def content_of(placeholder: str) -> str:
    """``{表三.本年新收.总计}`` → ``表三.本年新收.总计``."""
    m = _PLACEHOLDER.fullmatch(placeholder)
    return m.group(1) if m else placeholder


def is_field_id(content: str) -> bool:
    """Whether a placeholder's content is written as a field id (``request_new_total``)."""
    return bool(_FIELD_ID.fullmatch(_norm(content)))


registry.on_change(_aliases.cache_clear)
registry.on_change(_lookup.cache_clear)
