"""The four kinds of sheet of the fill-in workbook, for :mod:`.template`.

Every position comes from :class:`xlsx_tool.formats.model.Format`; this module only decides how things look
(fills, borders, widths, heights) and which cells are unlocked.  Blank input cells are written
explicitly with the unlocked format (a cell never written stays locked).
"""
from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from ..formats import model, registry, values
from ..formats.geometry import ranges
from . import checkcells
from .checkcells import CHECK_OK

INPUT_FILL = "#FFF2CC"   # light yellow: fill in here
TOTAL_FILL = "#D9D9D9"   # grey: formula, do not type over
HEAD_FILL = "#DDEBF7"
PAD_FILL = "#F2F2F2"
LINE_PT = 15.0
NOTE_LINES = 4
GUIDE_SHEET = "填报说明"
TITLE_LIMIT, MESSAGE_LIMIT = 32, 255   # data-validation limits, in characters

TABLE_HINT = ("浅黄色格子填写数字（没有数据请填 0）；灰色格子是自动合计的公式，请勿改写；"
              f"“检查”格显示 {CHECK_OK} 表示勾稽关系成立，“{checkcells.PENDING}N格”表示还有格子没填，"
              "变红时请核对（数字为等式两边之差）。")

# type → (input title, what to type, error message, validation without messages)
NUMBER_RULES = {
    "count": ("请填写件数（整数）", "请填写不小于 0 的整数。没有数据请填 0。",
              "请输入不小于 0 的整数。没有数据请填 0。",
              {"validate": "integer", "criteria": "between", "minimum": 0, "maximum": values.MAX_VALUE}),
    "signed_count": ("请填写整数（可为负数）", "减少时填负数，如 -8；没有变化请填 0。",
                     "请输入整数，减少时填负数（如 -8）。没有变化请填 0。",
                     {"validate": "integer", "criteria": "between",
                      "minimum": -values.MAX_VALUE, "maximum": values.MAX_VALUE}),
    "money": ("请填写金额", "单位见表头，可填小数（最多 6 位小数）。没有数据请填 0。",
              "请输入不小于 0 的数字（最多 6 位小数）。没有数据请填 0。",
              {"validate": "decimal", "criteria": "between", "minimum": 0, "maximum": values.MAX_VALUE}),
    "amount": ("请填写金额", "可填小数，单位在本表下方选择。没有数据请填 0。",
               "请输入不小于 0 的数字。没有数据请填 0。",
               {"validate": "decimal", "criteria": "between", "minimum": 0, "maximum": values.MAX_VALUE}),
}


@dataclass
class Ctx:
    """What every sheet writer needs: the workbook, its formats, the prefill and the names."""
    wb: object
    fmt: model.Format
    st: dict
    pf: object                      # template.Prefill
    values: dict | None             # every numeric cell id → Decimal when prefill makes it known
    names: dict = field(default_factory=dict)   # defined name → "='sheet'!$A$1"
    hints: dict = field(default_factory=dict)   # input cell id → a line added to its input message


def make_styles(wb) -> dict:
    def f(**kw):
        return wb.add_format({"font_size": 11, "valign": "vcenter", **kw})
    grid = {"border": 1}
    unlocked = {"locked": False, "bg_color": INPUT_FILL, **grid}
    return {
        "title": f(bold=True, font_size=14, align="center"),
        "title_left": f(bold=True, font_size=14),
        "hint": f(font_size=10, font_color="#595959", text_wrap=True),
        "head": f(bold=True, align="center", text_wrap=True, bg_color=HEAD_FILL, **grid),
        "caption": f(bold=True, text_wrap=True, **grid),
        "corner": f(font_size=10, align="center", text_wrap=True, **grid),
        "row_label": f(text_wrap=True, **grid),
        "group_label": f(align="center", text_wrap=True, **grid),
        "pad": f(bg_color=PAD_FILL, **grid),
        "input": f(**unlocked),
        "total": f(bold=True, bg_color=TOTAL_FILL, **grid),
        "check": f(bold=True, align="center", **grid),
        "check_label": f(font_size=10, font_color="#595959", text_wrap=True),
        "ok": wb.add_format(checkcells.GREEN),
        "pending": wb.add_format(checkcells.AMBER),
        "bad": wb.add_format(checkcells.RED),
        "label": f(text_wrap=True, **grid),
        "label_bold": f(bold=True, text_wrap=True, **grid),
        "value": f(bg_color=PAD_FILL, **grid),
        "help": f(font_size=10, font_color="#595959", text_wrap=True, **grid),
        "text_input": f(text_wrap=True, **unlocked),
        "info_text": f(text_wrap=True, num_format="@", **unlocked),
        "info_year": f(num_format="0", **unlocked),
        "note": f(text_wrap=True, **{**unlocked, "valign": "top"}),
        "para": f(text_wrap=True, **{**unlocked, "valign": "top"}),
        "section1": f(bold=True, font_size=12, bg_color=HEAD_FILL, **grid),
        "section2": f(bold=True, indent=1, bg_color=PAD_FILL, **grid),
        "guide_head": f(bold=True, font_size=12),
        "guide": f(text_wrap=True, valign="top"),
    }


# -- geometry -----------------------------------------------------------------------------------
def text_units(s: str) -> int:
    """Display width in Excel column units (a CJK character counts two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WFA" else 1 for ch in s)


def lines_needed(text: str, width: float) -> int:
    usable = max(width - 1.0, 1.0)
    return sum(max(1, math.ceil(text_units(p) / usable)) for p in text.split("\n"))


def fit_rows(ws, boxes, widths, fixed: dict[int, float] | None = None) -> None:
    """Set row heights so wrapped labels (also merged ones, which no application auto-fits) show
    in full.  ``boxes``: ``(row, col, rowspan, colspan, text, font_scale)``."""
    need: dict[int, float] = {}
    for r, c, rs, cs, text, scale in boxes:
        if not text:
            continue
        width = sum(widths[c:c + cs]) if c < len(widths) else 10.0
        h = (lines_needed(text, width / scale) * LINE_PT * scale + 3) / rs
        for row in range(r, r + rs):
            need[row] = max(need.get(row, 0.0), h)
    need.update(fixed or {})
    for row, h in need.items():
        if h > LINE_PT + 3:
            ws.set_row(row, round(h, 1))


def put(ws, r, c, rs, cs, text, style) -> None:
    """Write a (possibly merged) text box."""
    if rs > 1 or cs > 1:
        ws.merge_range(r, c, r + rs - 1, c + cs - 1, text, style)
    elif text:
        ws.write_string(r, c, text, style)
    else:
        ws.write_blank(r, c, None, style)


def put_value(ws, r, c, value, style) -> None:
    """Write a prefilled input value: numbers as numbers, text as text (so tests can plant "abc")."""
    if value is None or value == "":
        ws.write_blank(r, c, None, style)
    elif isinstance(value, str):
        ws.write_string(r, c, value, style)
    else:
        ws.write_number(r, c, float(value) if isinstance(value, Decimal) else value, style)


def ref(sheet: str, r: int, c: int, r2: int | None = None, c2: int | None = None) -> str:
    """Absolute reference for a defined name, e.g. ``='表三'!$D$6`` or a range."""
    def absolute(row, col):
        a = model.a1(row, col)
        i = next(i for i, ch in enumerate(a) if ch.isdigit())
        return f"${a[:i]}${a[i:]}"
    tail = f":{absolute(r2, c2)}" if r2 is not None and (r2, c2) != (r, c) else ""
    return f"='{sheet}'!{absolute(r, c)}{tail}"


def sum_args(fmt: model.Format, ids) -> str:
    """SUM arguments for cell ids, in order, joining neighbours in one row or column into ranges."""
    return ranges([(fmt.cells[i].row, fmt.cells[i].col) for i in ids])


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def validation(cell: model.Cell, unit_hint: str = "", extra: str = "") -> dict:
    title, what, error, rule = NUMBER_RULES[cell.type]
    where = model.SEP.join(cell.rows + cell.cols)
    if unit_hint:
        what = what.replace("单位在本表下方选择", unit_hint)
    extra = f"\n{extra}" if extra else ""
    return {**rule, "input_title": clip(title, TITLE_LIMIT),
            "input_message": clip(f"{what}{extra}\n位置：{where}", MESSAGE_LIMIT),
            "error_title": "输入有误", "error_message": clip(error, MESSAGE_LIMIT),
            "error_type": "stop"}


def _protect(ws) -> None:
    ws.protect("", {"format_columns": True, "format_rows": True,
                    "select_locked_cells": True, "select_unlocked_cells": True})


# -- table sheets (表二, 表三, 表四) --------------------------------------------------------------
def table_widths(tl: model.TableLayout) -> list[float]:
    full = tl.label_cols + tl.width
    widths = [16.0 if tl.width <= 4 else 11.0] * full
    for c in range(tl.label_cols):
        need = 8
        for b in tl.boxes:
            if b.role == "row_header" and b.col == c and b.colspan == 1:
                u = text_units(b.text)
                need = max(need, min(u, 14) if b.rowspan > 1 else u)
        widths[c] = float(min(need + 3, 36))
    extra = max([b.col + b.colspan for b in tl.check_boxes] + [full])
    return widths + [20.0] * (extra - full)


def _number(v) -> int | float:
    """A cached result as xlsxwriter writes it: an int when whole, else a float."""
    v = values.plain(v)
    return float(v) if isinstance(v, Decimal) else v


def write_table(ctx: Ctx, tl: model.TableLayout) -> None:
    ws, st, fmt = ctx.wb.add_worksheet(tl.sheet), ctx.st, ctx.fmt
    full = tl.label_cols + tl.width
    widths = table_widths(tl)
    for c, w in enumerate(widths):
        ws.set_column(c, c, w)
    texts = [(0, 0, 1, full, tl.heading, 14 / 11), (1, 0, 1, full, TABLE_HINT, 10 / 11)]
    put(ws, 0, 0, 1, full, tl.heading, st["title"])
    put(ws, 1, 0, 1, full, TABLE_HINT, st["hint"])
    units = {spec["id"]: spec for spec, _, _ in tl.choices}
    for b in tl.boxes:
        if b.field_id:
            _write_number_box(ctx, ws, tl, b, units)
            continue
        style = {"caption": "caption", "corner": "corner", "col_header": "head", "pad": "pad",
                 "row_header": "group_label" if b.rowspan > 1 else "row_label"}.get(b.role, "label")
        put(ws, b.row, b.col, b.rowspan, b.colspan, b.text, st[style])
        texts.append((b.row, b.col, b.rowspan, b.colspan, b.text, 1.0))
    for b in tl.check_boxes:
        put(ws, b.row, b.col, b.rowspan, b.colspan, b.text, st["check_label"])
        texts.append((b.row, b.col, b.rowspan, b.colspan, b.text, 10 / 11))
    for rule in tl.rules:
        checkcells.write(ws, st, fmt, rule, ctx.pf.numbers, ctx.values)
    fixed = {}
    if tl.note_label:
        b = tl.note_label
        put(ws, b.row, b.col, b.rowspan, b.colspan, b.text, st["hint"])
        texts.append((b.row, b.col, b.rowspan, b.colspan, b.text, 10 / 11))
    if tl.note:
        b = tl.note
        put(ws, b.row, b.col, b.rowspan, b.colspan, "", st["note"])
        put_value(ws, b.row, b.col, ctx.pf.notes.get(tl.id), st["note"])
        ctx.names[tl.note_id] = ref(tl.sheet, b.row, b.col)
        fixed[b.row] = NOTE_LINES * LINE_PT
    for spec, lab, box in tl.choices:
        put(ws, lab.row, lab.col, lab.rowspan, lab.colspan, lab.text, st["label_bold"])
        value = ctx.pf.choices.get(spec["id"], spec.get("default", ""))
        put_value(ws, box.row, box.col, value, st["text_input"])
        ws.data_validation(box.row, box.col, box.row, box.col, {
            "validate": "list", "source": list(spec["choices"]),
            "input_title": clip(spec["label"], TITLE_LIMIT),
            "input_message": clip(spec.get("help", "请从下拉列表中选择。"), MESSAGE_LIMIT),
            "error_title": "输入有误",
            "error_message": clip("请从下拉列表中选择：" + "、".join(spec["choices"]), MESSAGE_LIMIT)})
        ctx.names[spec["id"]] = ref(tl.sheet, box.row, box.col)
        if spec.get("help") and full > box.col + 1:
            put(ws, box.row, box.col + 1, 1, full - box.col - 1, spec["help"], st["hint"])
            texts.append((box.row, box.col + 1, 1, full - box.col - 1, spec["help"], 10 / 11))
    fit_rows(ws, texts, widths, fixed)
    first_rows = {c.block_first_row for c in tl.cells}
    if len(first_rows) == 1:   # one block: keep its headers and row labels in view
        ws.freeze_panes(first_rows.pop(), tl.label_cols)
        ws.repeat_rows(model.FIRST_TABLE_ROW, tl.cells[0].block_first_row - 1)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.center_horizontally()
    ws.print_area(0, 0, tl.end_row - 1, len(widths) - 1)
    _protect(ws)


def _write_number_box(ctx: Ctx, ws, tl, b: model.Box, units: dict) -> None:
    cell = ctx.fmt.cells[b.field_id]
    r2, c2 = b.row + b.rowspan - 1, b.col + b.colspan - 1
    st = ctx.st["total" if cell.total_of else "input"]
    if b.merged:
        ws.merge_range(b.row, b.col, r2, c2, "", st)
    if cell.total_of and cell.id in ctx.pf.totals:     # a printed total kept over the formula
        put_value(ws, b.row, b.col, ctx.pf.totals[cell.id], st)
    elif cell.total_of:
        cached = "" if ctx.values is None else _number(ctx.values[cell.id])
        ws.write_formula(b.row, b.col, f"=SUM({sum_args(ctx.fmt, cell.total_of)})", st, cached)
    else:
        put_value(ws, b.row, b.col, ctx.pf.numbers.get(cell.id), st)
        spec = units.get(cell.unit_field or "")
        hint = f"单位在本表下方“{spec['label']}”中选择" if spec else ""
        ws.data_validation(b.row, b.col, r2, c2, validation(cell, hint, ctx.hints.get(cell.id, "")))
    ctx.names[cell.id] = ref(tl.sheet, b.row, b.col)


# -- 基本信息 -------------------------------------------------------------------------------------
def write_info(ctx: Ctx, version: str) -> None:
    fmt, st = ctx.fmt, ctx.st
    ws = ctx.wb.add_worksheet(fmt.info_sheet)
    widths = [14.0, 40.0, 44.0]
    for c, w in enumerate(widths):
        ws.set_column(c, c, w)
    hint = "请在浅黄色格子中填写，其他格子已锁定。“年报格式”由本工具写入，请勿修改。"
    put(ws, 0, 0, 1, 3, "基本信息", st["title_left"])
    put(ws, 1, 0, 1, 3, hint, st["hint"])
    for c, head in enumerate(("项目", "填写内容", "填写说明")):
        ws.write_string(2, c, head, st["head"])
    texts = []
    pos = fmt.info_cells()
    for f in fmt.info:
        r, c = pos[f["id"]]
        ws.write_string(r, 0, f["label"], st["label_bold"])
        help_text = f"{'必填' if f.get('required') else '选填'}。{f.get('help', '')}"
        if f.get("example"):
            help_text += f"示例：{f['example']}"
        ws.write_string(r, 2, help_text, st["help"])
        texts.append((r, 2, 1, 1, help_text, 10 / 11))
        value = ctx.pf.info.get(f["id"])
        if f["type"] == "year":
            put_value(ws, r, c, value, st["info_year"])
            first, last = registry.supported_years()
            ws.data_validation(r, c, r, c, {
                "validate": "integer", "criteria": "between", "minimum": first, "maximum": last,
                "input_title": "请填写报告年度", "input_message": f"填写四位年份，如 {last - 1}。",
                "error_title": "输入有误",
                "error_message": f"请输入 {first} 至 {last} 之间的四位年份（有官方年报格式的年度）。"})
        else:
            put_value(ws, r, c, value, st["info_text"])
            if f.get("max_length"):
                ws.data_validation(r, c, r, c, {
                    "validate": "length", "criteria": "<=", "value": f["max_length"],
                    "error_title": "内容过长",
                    "error_message": f"“{f['label']}”最多 {f['max_length']} 个字符。"})
        ctx.names[f["id"]] = ref(fmt.info_sheet, r, c)
    r, c = pos[model.FORMAT_ID]
    rows = ((model.FORMAT_LABEL, fmt.id, f"{fmt.label}，由本工具写入，请勿修改。"),
            ("模板版本", version, "生成本模板的 xlsx_tool 版本。"))
    for i, (label, value, note) in enumerate(rows):
        ws.write_string(r + i, 0, label, st["label_bold"])
        ws.write_string(r + i, c, value, st["value"])
        ws.write_string(r + i, 2, note, st["help"])
    ctx.names[model.FORMAT_ID] = ref(fmt.info_sheet, r, c)
    fit_rows(ws, texts + [(1, 0, 1, 3, hint, 10 / 11)], widths)
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    _protect(ws)


# -- 正文 -----------------------------------------------------------------------------------------
def write_narrative(ctx: Ctx) -> None:
    fmt, st = ctx.fmt, ctx.st
    ws = ctx.wb.add_worksheet(fmt.narrative_sheet)
    widths = [8.0, 90.0, 30.0]
    for c, w in enumerate(widths):
        ws.set_column(c, c, w)
    tables = "、".join(f"“{tl.sheet}”" for tl in fmt.tables)
    hint = (f"每个浅黄色格子填写一个自然段，按顺序排列，不需要的格子留空；每节最多 {fmt.paragraph_rows} 段。"
            f"不要在一个格子里换行分段。报告中的统计表请在{tables}中填写。")
    put(ws, 0, 0, 1, 3, "正文（报告的文字部分）", st["title_left"])
    put(ws, 1, 0, 1, 3, hint, st["hint"])
    ws.write_string(2, 0, "段落", st["head"])
    ws.write_string(2, 1, "内容", st["head"])
    texts = [(1, 0, 1, 3, hint, 10 / 11)]
    for s in fmt.narrative:
        head, first, last = fmt.narrative_rows()[s["id"]]
        style = st["section1"] if s.get("level", 1) == 1 else st["section2"]
        put(ws, head, 0, 1, 2, s["label"], style)
        if s.get("help"):
            ws.write_string(head, 2, s["help"], st["hint"])
            texts.append((head, 2, 1, 1, s["help"], 10 / 11))
        paragraphs = ctx.pf.narrative.get(s["id"], [])
        for i, r in enumerate(range(first, last + 1)):
            ws.write_string(r, 0, f"第{i + 1}段", st["label"])
            text = paragraphs[i] if i < len(paragraphs) else None
            put_value(ws, r, 1, text, st["para"])
            if text:   # LibreOffice does not fit row heights on opening
                texts.append((r, 1, 1, 1, text, 1.0))
        ctx.names[model.narrative_name(s["id"])] = ref(fmt.narrative_sheet, first, 1, last, 1)
    fit_rows(ws, texts, widths)
    ws.freeze_panes(3, 0)
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    _protect(ws)


# -- 填报说明 -------------------------------------------------------------------------------------
def write_guide(ctx: Ctx, lines: list[tuple[str, str]]) -> None:
    """``lines``: ``(kind, text)`` with kind ``title``, ``head`` or ``text``, one row each."""
    ws = ctx.wb.add_worksheet(GUIDE_SHEET)
    widths = [72.0]
    ws.set_column(0, 0, widths[0])
    texts = []
    for r, (kind, text) in enumerate(lines):
        style = {"title": "title_left", "head": "guide_head"}.get(kind, "guide")
        ws.write_string(r, 0, text, ctx.st[style])
        scale = {"title": 14 / 11, "head": 12 / 11}.get(kind, 1.0)
        texts.append((r, 0, 1, 1, text, scale))
    fit_rows(ws, texts, widths)
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    _protect(ws)
