"""The format model: every cell of the official tables, where it sits, what it holds, and the rules.

Built once from the data files in :mod:`xlsx_tool.formats`; the template writer, the reader, the
checker and the Word renderer all use this one description (no layout or rule is written twice).

Coordinates are 0-based ``(row, col)`` on the sheet named by the table (``表二``/``表三``/``表四``);
``Cell.a1`` gives the Excel address.  Layout of a table sheet, top to bottom::

    row 0          title, e.g. 三、收到和处理政府信息公开申请情况
    row 1          hint for the clerk
    rows 2…        the official table: per block an optional caption row, the header rows, the data rows
    (blank row)
    check rows     one per cross-check rule of this table (✓ or the difference), and a check column
                   on the right for per-row rules of multi-row tables
    (blank row)
    note           注: one merged input cell printed under the table in the report
    choices        e.g. the 2019 采购总金额 unit (元/万元)
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from functools import lru_cache

from . import formats

TITLE_ROW = 0
HINT_ROW = 1
FIRST_TABLE_ROW = 2
SEP = " › "
INFO_FIRST_ROW = 3
NARRATIVE_FIRST_ROW = 3
FORMAT_ID = "format_id"
FORMAT_LABEL = "年报格式"


def a1(row: int, col: int) -> str:
    """Excel address of a 0-based cell, e.g. ``a1(0, 27) == "AB1"``."""
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row + 1}"


@dataclass(frozen=True)
class Box:
    """A printed cell of the official table (label or data), possibly merged over a rectangle.

    ``role`` is one of ``caption``, ``corner``, ``col_header``, ``row_header``, ``input``,
    ``total`` (a formula), ``pad`` (an empty grid cell of a short block).
    """
    row: int
    col: int
    rowspan: int
    colspan: int
    text: str
    role: str
    field_id: str | None = None

    @property
    def merged(self) -> bool:
        return self.rowspan > 1 or self.colspan > 1


@dataclass(frozen=True)
class Cell:
    """One numeric cell of an official table.

    ``type``: ``count`` (integer ≥ 0), ``signed_count`` (integer, 2019 本年增/减), ``money``
    (≥ 0, at most 6 decimals, 万元 — 2021 表二（八）) or ``amount`` (≥ 0, decimals, unit chosen in
    ``unit_field`` — 2019 采购总金额).  ``total_of`` lists the field ids summed by the formula when
    the cell is a total, else is empty (an input cell).
    """
    id: str
    table: str
    sheet: str
    row: int
    col: int
    type: str
    row_key: str
    col_key: str
    rows: tuple[str, ...]
    cols: tuple[str, ...]
    table_title: str
    row_header: Box | None
    col_header: Box
    block_first_row: int
    total_of: tuple[str, ...] = ()
    unit_field: str | None = None

    @property
    def a1(self) -> str:
        return a1(self.row, self.col)

    @property
    def is_input(self) -> bool:
        return not self.total_of

    @property
    def label_path(self) -> str:
        """``table › row labels › column labels`` exactly as printed."""
        return SEP.join((self.table_title,) + self.rows + self.cols)

    @property
    def row_label(self) -> str:
        return self.rows[-1] if self.rows else ""

    @property
    def col_label(self) -> str:
        return self.cols[-1]


@dataclass(frozen=True)
class Rule:
    """One cross-check (勾稽关系) instance: ``sum(left) = sum(right)`` over cell ids.

    ``kind`` is ``balance`` (checked only, e.g. 表三 一+二 = （七）+四 per column) or ``total``
    (``left`` is one total cell written as a formula, ``right`` its parts).  ``code`` is the stable
    finding code, ``title`` the equation in Chinese, ``scope`` the column or row label it runs over.
    """
    code: str
    kind: str
    table: str
    sheet: str
    title: str
    source: str
    scope: str
    left: tuple[str, ...]
    right: tuple[str, ...]
    check_pos: tuple[int, int]

    @property
    def check_a1(self) -> str:
        return a1(*self.check_pos)


@dataclass
class TableLayout:
    """Everything printed for one official table, plus its check and note cells."""
    id: str
    number: str
    title: str
    sheet: str
    label_cols: int
    width: int
    boxes: list[Box]
    cells: list[Cell]
    end_row: int
    rules: list[Rule] = field(default_factory=list)
    check_boxes: list[Box] = field(default_factory=list)
    note: Box | None = None
    choices: list[tuple[dict, Box, Box]] = field(default_factory=list)
    choices_spec: list[dict] = field(default_factory=list)
    check_caption: str = ""
    note_label: Box | None = None

    @property
    def heading(self) -> str:
        return f"{self.number}、{self.title}"

    @property
    def note_id(self) -> str:
        return f"note_{self.id}"


def _depth(nodes: list[dict]) -> int:
    return max((1 + _depth(n.get("children", [])) for n in nodes), default=0)


def _leaves(nodes: list[dict], prefix: tuple = (), labels: tuple = ()):
    """Yield ``(id, labels, node, path)`` for every leaf; ids join the ids of the path with ``_``."""
    for n in nodes:
        ids = prefix + ((n["id"],) if n.get("id") else ())
        labs = labels + (n["label"],)
        if n.get("children"):
            yield from _leaves(n["children"], ids, labs)
        else:
            yield "_".join(ids), labs, n


def _span(node: dict) -> int:
    if node.get("children"):
        return sum(_span(c) for c in node["children"])
    return node.get("span", 1)


def _count(node: dict) -> int:
    if node.get("children"):
        return sum(_count(c) for c in node["children"])
    return 1


def _header_boxes(nodes, row, col, depth, total_depth, out, leaf_boxes, horizontal):
    """Lay a header tree out: columns left→right (``horizontal``) or rows top→bottom."""
    for n in nodes:
        size = _span(n) if horizontal else _count(n)
        kids = n.get("children")
        deep = 1 if kids else total_depth - depth
        if horizontal:
            box = Box(row + depth, col, deep, size, n["label"], "col_header")
        else:
            box = Box(row, col + depth, size, deep, n["label"], "row_header")
        out.append(box)
        if kids:
            _header_boxes(kids, row, col, depth + 1, total_depth, out, leaf_boxes, horizontal)
        else:
            leaf_boxes.append(box)
        if horizontal:
            col += size
        else:
            row += size


def _field_id(table: str, row_key: str, col_key: str) -> str:
    return "_".join(p for p in (table, row_key, col_key) if p)


def _layout_table(t: dict) -> TableLayout:
    blocks = t["blocks"]
    has_row_labels = any(r["label"] for b in blocks for r in b["rows"])
    label_cols = max(_depth(b["rows"]) for b in blocks) if has_row_labels else 0
    width = max([t.get("grid_columns", 0)] + [sum(_span(c) for c in b["columns"]) for b in blocks])
    boxes: list[Box] = []
    cells: list[Cell] = []
    r = FIRST_TABLE_ROW
    title = f"{t['number']}、{t['title']}"
    for b in blocks:
        caption: tuple[str, ...] = ()
        if b.get("caption"):
            boxes.append(Box(r, 0, 1, label_cols + width, b["caption"], "caption"))
            caption = (b["caption"],)
            r += 1
        hdepth = _depth(b["columns"])
        if label_cols:
            boxes.append(Box(r, 0, hdepth, label_cols, b.get("corner", ""), "corner"))
        col_leaves: list[Box] = []
        _header_boxes(b["columns"], r, label_cols, 0, hdepth, boxes, col_leaves, True)
        used = label_cols + sum(bx.colspan for bx in col_leaves)
        boxes.extend(Box(r, c, hdepth, 1, "", "pad") for c in range(used, label_cols + width))
        r += hdepth
        row_leaves: list[Box] = []
        if label_cols:
            _header_boxes(b["rows"], r, 0, 0, label_cols, boxes, row_leaves, False)
        first = r
        col_info = list(_leaves(b["columns"]))
        for i, (row_key, row_labels, rnode) in enumerate(_leaves(b["rows"])):
            for (col_key, col_labels, cnode), ch in zip(col_info, col_leaves):
                fid = _field_id(t["id"], row_key, col_key)
                ctype = rnode.get("type") or cnode.get("type") or t.get("type", "count")
                cells.append(Cell(fid, t["id"], t["sheet"], r, ch.col, ctype, row_key, col_key,
                                  caption + tuple(x for x in row_labels if x), col_labels, title,
                                  row_leaves[i] if label_cols else None, ch, first,
                                  unit_field=cnode.get("unit_field")))
                boxes.append(Box(r, ch.col, 1, ch.colspan, "", "input", fid))
            boxes.extend(Box(r, c, 1, 1, "", "pad") for c in range(used, label_cols + width))
            r += 1
    return TableLayout(t["id"], t["number"], t["title"], t["sheet"], label_cols, width,
                       boxes, cells, end_row=r)


def _place_rules(specs: list[dict], tl: TableLayout) -> None:
    """Expand the data's rule entries into one :class:`Rule` per column/row and place check cells.

    ``each: column`` → one check row under the table, a cell under every data column;
    ``each: row`` → a check column right of a multi-row table (表三), or for a one-row table
    (表四) a shared check row with each rule's cell under its total.
    """
    by_id = {c.id: c for c in tl.cells}
    row_keys = list(dict.fromkeys(c.row_key for c in tl.cells))
    col_keys = list(dict.fromkeys(c.col_key for c in tl.cells))
    r = tl.end_row + 1
    right = tl.label_cols + tl.width
    shared_row = None
    for spec in (s for s in specs if s["table"] == tl.id):
        left_keys = spec["left"] if spec["kind"] == "balance" else [spec["target"]]
        right_keys = spec["right"] if spec["kind"] == "balance" else spec["parts"]
        by_column = spec["each"] == "column"
        if by_column:
            tl.check_boxes.append(Box(r, 0, 1, max(tl.label_cols, 1),
                                      f"检查 {spec['code']}：{spec['title']}", "check_label"))
            keys, here = col_keys, r
            r += 1
        elif len(row_keys) > 1:
            first = tl.cells[0].block_first_row
            tl.check_boxes.append(Box(FIRST_TABLE_ROW, right, first - FIRST_TABLE_ROW, 1,
                                      f"检查 {spec['code']}：{spec['title']}", "check_label"))
            keys, here = row_keys, right
            right += 1
        else:
            if shared_row is None:
                tl.check_boxes.append(Box(r, 0, 1, tl.label_cols + tl.width,
                                          f"检查 {spec['code']}：{tl.check_caption or spec['title']}", "check_label"))
                shared_row = r + 1
                r += 2
            keys, here = row_keys, shared_row
        for key in keys:
            if by_column:
                left = tuple(_field_id(tl.id, x, key) for x in left_keys)
                rhs = tuple(_field_id(tl.id, x, key) for x in right_keys)
            else:
                left = tuple(_field_id(tl.id, key, x) for x in left_keys)
                rhs = tuple(_field_id(tl.id, key, x) for x in right_keys)
            missing = [x for x in left + rhs if x not in by_id]
            if missing:
                raise ValueError(f"format data: rule {spec['code']} of table {tl.id} names unknown cells {missing}")
            anchor = by_id[left[0]]
            if by_column:
                pos, scope = (here, anchor.col), anchor.col_label
            elif len(row_keys) > 1:
                pos, scope = (anchor.row, here), anchor.row_label
            else:
                pos, scope = (here, anchor.col), SEP.join(anchor.cols[:-1])
            tl.rules.append(Rule(spec["code"], spec["kind"], tl.id, tl.sheet, spec["title"],
                                 spec.get("source", ""), scope, left, rhs, pos))
    r += 1
    full = tl.label_cols + tl.width
    tl.note = Box(r + 1, 0, 1, full, "", "note")
    tl.note_label = Box(r, 0, 1, full, "注（选填，将原样印在本表下方，如“注：本表数据含上年度结转数量”）：", "note_label")
    r += 2
    for ch in tl.choices_spec:
        label_span = max(tl.label_cols, 1)
        tl.choices.append((ch, Box(r, 0, 1, label_span, ch["label"], "choice_label"),
                           Box(r, label_span, 1, 1, "", "choice")))
        r += 1
    tl.end_row = r


@dataclass
class Format:
    """One official format, fully laid out.

    ``tables``: the three table layouts (表二, 表三, 表四) in report order; ``cells``: every numeric
    cell by field id; ``rules``: every cross-check instance; ``info``: the 基本信息 fields;
    ``narrative``: the 正文 sections; ``layout_hash``: 16 hex digits identifying the layout (stored in
    the workbook's custom properties).
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

    def table(self, table_id: str) -> TableLayout:
        return next(t for t in self.tables if t.id == table_id)

    @property
    def label(self) -> str:
        """e.g. ``2021（国办公开办函〔2021〕30号）``."""
        return f"{self.id}（{self.document}）"

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

    def rule_for_total(self, cell_id: str) -> Rule | None:
        """The first ``total`` rule whose total is this cell (its formula in the template)."""
        return next((r for r in self.rules if r.kind == "total" and r.left[0] == cell_id), None)


@lru_cache(maxsize=None)
def load(format_id: str) -> Format:
    """The laid-out :class:`Format` for an id such as ``"2021"``; ``KeyError`` if unknown."""
    data = formats.raw(format_id)
    layouts = []
    for t in data["tables"]:
        tl = _layout_table(t)
        tl.choices_spec = t.get("choices", [])
        tl.check_caption = t.get("check_caption", "")
        _place_rules(data["rules"], tl)
        layouts.append(tl)
    digest = hashlib.sha256(json.dumps(data, ensure_ascii=False, sort_keys=True).encode()).hexdigest()[:16]
    fmt = Format(data["id"], data["name"], data["document"], data["first_year"], data.get("last_year"),
                 layouts, data["basic_info"]["fields"], data["basic_info"]["sheet"],
                 data["narrative"]["sections"], data["narrative"]["sheet"],
                 data["narrative"]["paragraph_rows"], data["report_sections"], digest)
    for tl in layouts:
        fmt.rules.extend(tl.rules)
    totals = {r.left[0]: r.right for r in fmt.rules if r.kind == "total"}
    for tl in layouts:
        tl.cells = [replace(c, total_of=totals.get(c.id, ())) for c in tl.cells]
        tl.boxes = [replace(b, role="total") if b.field_id in totals else b for b in tl.boxes]
        fmt.cells.update((c.id, c) for c in tl.cells)
    return fmt
