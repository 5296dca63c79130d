"""The format model: every cell of the official tables, where it sits, what it holds, and the rules.

Built once from the data files (:mod:`.registry`, laid out by :mod:`.layout`); the template
writer, the reader, the checker and the Word renderer all use this one description (no layout or
rule is written twice).  Besides the tables, a :class:`Format` knows the other sheets of the
workbook (基本信息, 正文), how totals are evaluated (:meth:`Format.evaluate`), the names workbooks
of earlier versions used (:attr:`Format.former_names`) and a hash of everything that decides a
cell's position and meaning (:attr:`Format.layout_hash`).
"""
from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache

from ..findings import CROSS_CHECK_CODE
from . import layout, registry
from .geometry import FIRST_TABLE_ROW, SEP, Box, Cell, Rule, TableLayout, a1, note_name, ranges
from .values import Number

INFO_FIRST_ROW = 3
NARRATIVE_FIRST_ROW = 3
FORMAT_ID = "format_id"
FORMAT_LABEL = "年报格式"
#: Defined names of the 正文 ranges: ``narrative_<section id>``.
NARRATIVE_PREFIX = "narrative_"
#: What the layout hash covers (see :func:`_positional`); titles, documents and years are not.
_HASHED_TABLE_KEYS = ("id", "field_prefix", "sheet", "type", "grid_columns", "blocks", "choices")
_HASHED_NODE_KEYS = ("id", "label", "span", "type", "unit_field", "children", "caption", "corner",
                     "columns", "rows", "choices", "default")
_HASHED_RULE_KEYS = ("code", "kind", "table", "each", "left", "right", "target", "parts")


def narrative_name(section_id: str) -> str:
    """The defined name of a 正文 section's range, e.g. ``narrative_overview``."""
    return NARRATIVE_PREFIX + section_id


def section_of(name: str) -> str | None:
    """``narrative_overview`` → ``overview``; ``None`` for any other name."""
    return name[len(NARRATIVE_PREFIX):] if name.startswith(NARRATIVE_PREFIX) else None


@dataclass
class Format:
    """One official format, fully laid out.

    ``tables``: the three table layouts (表二, 表三, 表四) in report order; ``cells``: every numeric
    cell by field id; ``rules``: every cross-check instance; ``info``: the 基本信息 fields;
    ``narrative``: the 正文 sections; ``layout_hash``: 16 hex digits identifying what decides
    positions and meaning (stored in the workbook's custom properties); ``former_names``: names
    used by workbooks of version 0.1 → today's names.
    """
    id: str
    name: str
    document: str
    first_year: int
    last_year: int | None
    tables: list[TableLayout]
    info: list[dict]
    info_sheet: str
    narrative: list[dict]
    narrative_sheet: str
    paragraph_rows: int
    report_sections: list[dict]
    layout_hash: str
    cells: dict[str, Cell] = field(default_factory=dict)
    rules: list[Rule] = field(default_factory=list)
    former_names: dict[str, str] = field(default_factory=dict)

    def table(self, table_id: str) -> TableLayout:
        return next(t for t in self.tables if t.id == table_id)

    @property
    def label(self) -> str:
        """e.g. ``2021（国办公开办函〔2021〕30号）``."""
        return f"{self.id}（{self.document}）"

    def serves(self, year: int) -> bool:
        """Whether this format applies to report ``year``."""
        return self.first_year <= year <= (self.last_year or year)

    # -- values ------------------------------------------------------------------------------------
    def leaves(self, cell_id: str) -> list[str]:
        """The input cells behind a cell: itself for an input, its parts (recursively) for a total."""
        cell = self.cells[cell_id]
        return [x for p in cell.total_of for x in self.leaves(p)] if cell.total_of else [cell_id]

    def evaluate(self, inputs: Mapping[str, Number | None]) -> dict[str, Number]:
        """Every numeric cell id → its value: inputs as given (missing or ``None`` → 0) and every
        total summed from its parts, as the template's ``SUM`` formulas compute them."""
        out: dict[str, Number] = {}

        def value(cid: str) -> Number:
            if cid not in out:
                cell = self.cells[cid]
                if cell.total_of:
                    out[cid] = sum((value(p) for p in cell.total_of), 0)
                else:
                    v = inputs.get(cid)
                    out[cid] = 0 if v is None else v
            return out[cid]

        for cid in self.cells:
            value(cid)
        return out

    # -- the other sheets: 基本信息 and 正文 ------------------------------------------------------
    def info_cells(self) -> dict[str, tuple[int, int]]:
        """基本信息: field id → (row, col) of its input cell; also ``format_id`` (locked, holds
        the format id).  Layout: row 0 title, row 1 hint, row 2 column heads
        (项目 | 填写内容 | 填写说明), then one field per row, a blank row, then 年报格式."""
        pos = {f["id"]: (INFO_FIRST_ROW + i, 1) for i, f in enumerate(self.info)}
        pos[FORMAT_ID] = (INFO_FIRST_ROW + len(self.info) + 1, 1)
        return pos

    def narrative_rows(self) -> dict[str, tuple[int, int, int]]:
        """正文: section id → (heading row, first paragraph row, last paragraph row); paragraphs are
        in column B (1), one per row.  Layout: row 0 title, row 1 hint, row 2 column heads."""
        out, r = {}, NARRATIVE_FIRST_ROW
        for s in self.narrative:
            out[s["id"]] = (r, r + 1, r + self.paragraph_rows)
            r += self.paragraph_rows + 1
        return out

    def section_label(self, section_id: str) -> str:
        return next((s["label"] for s in self.narrative if s["id"] == section_id), section_id)

    def side(self, ids, addresses: Mapping[str, str] | None = None) -> str:
        """One side of a cross-check as printed in a message: ``一、本年新收政府信息公开申请数量(D6) +
        二、上年结转政府信息公开申请数量(D7)`` — the labels that tell the cells apart (row labels
        down a column, column labels along a row, both otherwise), each with its address when
        ``addresses`` is given (cell id → where it was read; the template's place otherwise)."""
        cells = [self.cells[i] for i in ids]
        same_col = len({c.col for c in cells}) == 1
        same_row = len({c.row for c in cells}) == 1

        def label(c: Cell) -> str:
            if same_col and c.rows:
                return c.row_label
            if same_row:
                return c.col_label
            return SEP.join(c.rows + c.cols)
        if addresses is None:
            return " + ".join(label(c) for c in cells)
        return " + ".join(f"{label(c)}({addresses.get(c.id, c.a1)})" for c in cells)

    def rule_for_total(self, cell_id: str) -> Rule | None:
        """The first ``total`` rule whose total is this cell (its formula in the template)."""
        return next((r for r in self.rules if r.kind == "total" and r.left[0] == cell_id), None)


def _positional(data: dict) -> dict:
    """The part of a format's data that decides where cells are and what they mean."""
    def prune(node):
        if isinstance(node, list):
            return [prune(x) for x in node]
        if isinstance(node, dict):
            return {k: prune(v) for k, v in node.items() if k in _HASHED_NODE_KEYS}
        return node
    tables = [{k: prune(t[k]) if k in ("blocks", "choices") else t[k]
               for k in _HASHED_TABLE_KEYS if k in t} for t in data["tables"]]
    rules = [{k: r[k] for k in _HASHED_RULE_KEYS if k in r} for r in data["rules"]]
    info = {"sheet": data["basic_info"]["sheet"],
            "fields": [{k: f.get(k) for k in ("id", "label", "type")} for f in data["basic_info"]["fields"]]}
    narrative = {"sheet": data["narrative"]["sheet"], "paragraph_rows": data["narrative"]["paragraph_rows"],
                 "sections": [{k: s.get(k) for k in ("id", "label", "level")}
                              for s in data["narrative"]["sections"]]}
    return {"tables": tables, "rules": rules, "basic_info": info, "narrative": narrative}


def layout_hash(data: dict) -> str:
    """16 hex digits over :func:`_positional` of the data (see the module docstring)."""
    text = json.dumps(_positional(data), ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _validate(fmt: Format, data: dict) -> None:
    """Mistakes in a data file, said when it loads rather than discovered in a clerk's workbook."""
    where = f"format data {fmt.id}"
    seen: dict[str, str] = {}
    for tl in fmt.tables:
        for c in tl.cells:
            if c.id in seen:
                raise ValueError(f"{where}: field id {c.id} appears twice ({seen[c.id]}, {c.label_path})")
            seen[c.id] = c.label_path
    for rule in data["rules"]:
        if not CROSS_CHECK_CODE.fullmatch(str(rule["code"])):
            raise ValueError(f"{where}: rule code {rule['code']!r} is not X + two digits")
        if rule["table"] not in {t.id for t in fmt.tables}:
            raise ValueError(f"{where}: rule {rule['code']} names unknown table {rule['table']!r}")
    names = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
    for cid in list(fmt.cells) + [f["id"] for f in fmt.info]:
        if not names.fullmatch(cid):
            raise ValueError(f"{where}: {cid!r} cannot be a defined name")


@lru_cache(maxsize=None)
def load(format_id: str) -> Format:
    """The laid-out :class:`Format` for an id such as ``"2021"``; ``KeyError`` if unknown,
    ``ValueError`` naming the mistake when the data file is inconsistent."""
    data = registry.raw(format_id)
    layouts = []
    for t in data["tables"]:
        tl = layout.layout_table(t)
        layout.place_rules(data["rules"], t, tl)
        layouts.append(tl)
    fmt = Format(str(data["id"]), data["name"], data["document"], data["first_year"], data.get("last_year"),
                 layouts, data["basic_info"]["fields"], data["basic_info"]["sheet"],
                 data["narrative"]["sections"], data["narrative"]["sheet"],
                 data["narrative"]["paragraph_rows"], data["report_sections"], layout_hash(data))
    for tl in layouts:
        fmt.rules.extend(tl.rules)
    totals = {r.left[0]: r.right for r in fmt.rules if r.kind == "total"}
    for tl in layouts:
        tl.cells = [replace(c, total_of=totals.get(c.id, ())) for c in tl.cells]
        tl.boxes = [replace(b, role="total") if b.field_id in totals else b for b in tl.boxes]
        fmt.cells.update((c.id, c) for c in tl.cells)
        fmt.former_names.update((c.former_id, c.id) for c in tl.cells if c.former_id != c.id)
        if tl.former_id != tl.id:
            fmt.former_names[note_name(tl.former_id)] = tl.note_id
    _validate(fmt, data)
    return fmt


registry.on_change(load.cache_clear)

__all__ = ["Format", "Box", "Cell", "Rule", "TableLayout", "SEP", "FIRST_TABLE_ROW", "a1", "ranges",
           "note_name", "load", "narrative_name", "section_of", "FORMAT_ID", "FORMAT_LABEL",
           "INFO_FIRST_ROW", "NARRATIVE_FIRST_ROW", "layout_hash"]
