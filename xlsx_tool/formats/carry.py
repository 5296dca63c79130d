"""Continuity rules (衔接) between last year's report and this year's, from the format data.

Each format file has a ``"continuity"`` entry (see its ``_about``): rules saying that a cell of
this year's report should equal a sum of terms, ``last.<id>`` naming a cell of last year's report
by the field id of *last year's* format and a bare ``<id>`` a cell of this report, expanded over the
columns or rows of a table (``{col}``/``{row}``).  :func:`links` turns them into one :class:`Link`
per cell for a pair of formats; an instance is left out when this format lacks its cell or last
year's format lacks one of its ``last.`` ids, which is how a 2020 report (2019 format) continues
into a 2021 report: the cells with the same id in both formats (all of 表三) carry over, 表二 does
not.  Sources: the carried-over row 二、上年结转 of 表三 (both formats, 国办公开办函〔2019〕60号 and
〔2021〕30号), 表二 第二十条第（一）项 (现行有效件数 / 对外公开总数量) and the 2019 format's
上一年项目数量.

Used by the template (prefill and the reference block under a table) and by
:mod:`xlsx_tool.checks.continuity` (the Y findings).  Data mistakes raise ``ValueError`` naming the
format and the rule.
"""
from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from ..findings import Code
from . import registry
from .model import Format, load
from .values import Number

KINDS = ("carry", "formula")
_TERM = re.compile(r"\s*([+\-])?\s*(last\.)?([A-Za-z][A-Za-z0-9_{}]*)\s*")
#: Rows of the reference block under a table: a caption, a header, then one row per link.
BLOCK_HEAD_ROWS = 2


@dataclass(frozen=True)
class Term:
    """One term of an expectation: ``sign`` ±1, ``last`` (a cell of last year's report) and the
    field id in that report's format."""
    sign: int
    last: bool
    cell: str


@dataclass(frozen=True)
class Link:
    """This year's ``cell`` should equal the sum of ``terms`` within ``tolerance``.

    ``kind``: ``carry`` (only last year's cells: the template prefills the value) or ``formula``
    (this year's cells too: the template shows last year's part and a live check); ``code``: the
    finding code (Y01 …); ``title``: the rule in Chinese; ``source``: where the rule comes from."""
    code: str
    title: str
    kind: str
    tolerance: Decimal
    source: str
    cell: str
    terms: tuple[Term, ...]

    @property
    def last_terms(self) -> tuple[Term, ...]:
        return tuple(t for t in self.terms if t.last)

    @property
    def this_terms(self) -> tuple[Term, ...]:
        return tuple(t for t in self.terms if not t.last)

    def last_part(self, last_values) -> Number:
        """The sum of the terms on last year's cells (missing → 0)."""
        return sum((t.sign * (last_values.get(t.cell) or 0) for t in self.last_terms), 0)

    def expected(self, this_values, last_values) -> Number:
        """What this year's cell should hold, from both years' values (cell id → number)."""
        this_part = sum((t.sign * (this_values.get(t.cell) or 0) for t in self.this_terms), 0)
        return self.last_part(last_values) + this_part

    def holds(self, this_values, last_values) -> bool:
        actual = this_values.get(self.cell) or 0
        return abs(actual - self.expected(this_values, last_values)) <= self.tolerance


def _parse(expr: str, where: str) -> list[tuple[int, bool, str]]:
    out, pos = [], 0
    while pos < len(expr):
        m = _TERM.match(expr, pos)
        if not m or m.end() == pos or (out and not m.group(1)):
            raise ValueError(f"{where}: cannot read expression {expr!r} at {expr[pos:]!r}")
        out.append((-1 if m.group(1) == "-" else 1, bool(m.group(2)), m.group(3)))
        pos = m.end()
    if not out:
        raise ValueError(f"{where}: empty expression")
    return out


@lru_cache(maxsize=None)
def spec(format_id: str) -> dict:
    """The ``continuity`` entry of a format, checked (``{}`` when the format has none)."""
    data = registry.raw(format_id).get("continuity") or {}
    fmt = load(format_id)
    for i, rule in enumerate(data.get("rules", [])):
        where = f"format data {format_id}: continuity rule {i + 1} ({rule.get('code')})"
        code = str(rule.get("code", ""))
        if not (code.startswith("Y") and code in Code.__members__):
            raise ValueError(f"{where}: code must be a Y code of the catalogue")
        if rule.get("kind") not in KINDS:
            raise ValueError(f"{where}: kind must be one of {KINDS}")
        if rule.get("each") not in (None, "row", "column"):
            raise ValueError(f"{where}: each must be row or column")
        if rule.get("table") not in {t.id for t in fmt.tables}:
            raise ValueError(f"{where}: unknown table {rule.get('table')!r}")
        terms = _parse(rule.get("expect", ""), where)
        if rule["kind"] == "carry" and not all(last for _, last, _ in terms):
            raise ValueError(f"{where}: a carry rule may only use last year's cells")
        if not _instances(fmt, fmt, rule):
            raise ValueError(f"{where}: names no cell of format {format_id}")
    return data


def _keys(fmt: Format, table: str, each: str | None) -> list[str]:
    cells = fmt.table(table).cells
    if each == "row":
        return list(dict.fromkeys(c.row_key for c in cells))
    if each == "column":
        return list(dict.fromkeys(c.col_key for c in cells))
    return [""]


def _instances(this: Format, last: Format, rule: dict) -> list[Link]:
    out = []
    for key in _keys(this, rule["table"], rule.get("each")):
        fill = {"{row}": key, "{col}": key}

        def name(text: str) -> str:
            for k, v in fill.items():
                text = text.replace(k, v)
            return text
        cell = name(rule["cell"])
        terms = tuple(Term(sign, last_year, name(cid)) for sign, last_year, cid in _parse(rule["expect"], "rule"))
        if cell not in this.cells or not this.cells[cell].is_input:
            continue
        if any(t.cell not in (last if t.last else this).cells for t in terms):
            continue
        out.append(Link(rule["code"], rule["title"], rule["kind"], Decimal(str(rule.get("tolerance", 0))),
                        rule.get("source", ""), cell, terms))
    return out


@lru_cache(maxsize=None)
def links(this_id: str, last_id: str) -> tuple[Link, ...]:
    """Every continuity instance from a report of format ``last_id`` to one of ``this_id``, in
    rule order (the rules are this year's format's)."""
    this, last = load(this_id), load(last_id)
    return tuple(link for rule in spec(this_id).get("rules", []) for link in _instances(this, last, rule))


def carried_values(this_id: str, last_id: str, last_values) -> dict[str, Number]:
    """The ``carry`` cells of this year's report → their value from last year's report."""
    return {link.cell: link.last_part(last_values) for link in links(this_id, last_id) if link.kind == "carry"}


def stale_rows_spec(format_id: str) -> dict:
    """``ignore`` (globs), ``min_nonzero_cells``, ``min_sum`` for the copied-row check."""
    data = spec(format_id).get("stale_rows") or {}
    return {"ignore": list(data.get("ignore", [])), "min_nonzero_cells": int(data.get("min_nonzero_cells", 2)),
            "min_sum": Decimal(str(data.get("min_sum", 10)))}


def ignored(format_id: str, cell_id: str) -> bool:
    return any(fnmatch.fnmatchcase(cell_id, g) for g in stale_rows_spec(format_id)["ignore"])


# -- where the template shows the links of a table ------------------------------------------------
def block_links(this_id: str, last_id: str, table_id: str) -> list[Link]:
    return [link for link in links(this_id, last_id) if load(this_id).cells[link.cell].table == table_id]


def block_area(fmt: Format, table_id: str) -> tuple[int, int, int]:
    """``(first row, last row, last column)`` (0-based) the reference block under a table may use in
    a template of ``fmt`` made with ``--previous`` (the most links any last year's format gives),
    so that a reader does not take it for stray content; ``(-1, -1, -1)`` when it has none."""
    tl = fmt.table(table_id)
    n = max(len(block_links(fmt.id, other, table_id)) for other in registry.available())
    if not n:
        return -1, -1, -1
    first = tl.end_row + 1
    return first, first + BLOCK_HEAD_ROWS + n - 1, max(tl.label_cols, 1) + 2


registry.on_change(spec.cache_clear)
registry.on_change(links.cache_clear)
