"""The year-to-year parts of the fill-in workbook, as the template writes them (reading them back
is :mod:`.yearread`).

* **说明** (every template): rows of 代码 | 位置 | 说明 in which a clerk explains a 提示 of ``check``
  (the code chosen from a list of every 提示 code, shown beside it with its meaning); the range
  has the defined name ``explanations``.  Read into ``ReportData.explanations``; an incomplete row
  or an unknown code is a Y09 提示.
* **上年参考** (hidden; templates made with ``--previous``): what the template took from last
  year's report — its file name, 年度, 机关名称 and format, every input value and every 正文
  paragraph — one ``类别 | 名称 | 内容`` row each.  Read into ``ReportData.carried``
  (:class:`~xlsx_tool.formats.content.Carried`) so that ``check`` knows last year's report even
  when only this workbook is at hand.
* **上年衔接** under a table (templates made with ``--previous``): one row per continuity link of
  :mod:`xlsx_tool.formats.carry` on that table — 上年数 (locked), 本年应为 (a formula on this year's
  cells) and a live ✓/difference check; the cell's input message names last year's figure.
* **Copied paragraphs**: each 正文 paragraph prefilled with last year's text has the comment
  “上年原文，请按本年度情况改写” and is tinted for as long as its text still equals last year's
  (a conditional format comparing it with 上年参考).
"""
from __future__ import annotations

from pathlib import Path

from ..findings import NOTE, Code
from ..formats import carry, model, values
from ..formats.content import Carried, Explanation, ReportData
from . import sheets
from .prefill import CELL_CHARS
from .yearread import (EXPLANATION_FIRST_ROW, EXPLANATION_HEADS, EXPLANATION_NAME, EXPLANATION_ROWS,
                       EXPLANATION_SHEET, KIND_META, KIND_TEXT, KIND_VALUE, META, REFERENCE_HEADS,
                       REFERENCE_SHEET)
from .sheets import CHECK_OK, MESSAGE_LIMIT, clip, fit_rows, put, put_value, ref

#: What one spreadsheet cell holds at most (Excel's limit): longer paragraphs are cut.
COPIED_FILL = "#FCE4D6"
COPIED_NOTE = "上年原文，请按本年度情况改写"
EXPLANATION_HINT = (
    "对 xlsx-tool check 列出的“提示”，确有原因的（如机构调整造成与上年不衔接、有意保留上年的文字），可在下面逐行写明："
    "“代码”从下拉列表选择（右侧列出各代码的含义），“位置”写检查结果中的工作表和单元格（如 表三!D7；不写则对该代码的全部提示有效），"
    "“说明”写原因。写明说明的提示在检查结果中列为“已说明”。“错误”不能以说明代替改正。")


#: Catalogue 错误 that are only 提示 when last year's report was accepted with --force-previous.
FORCED = (Code.I06, Code.I07, Code.Y07)


def explainable_codes() -> list[Code]:
    """The codes a 说明 may explain: every 提示 of the catalogue but those about 说明 itself, and
    the problems of last year's report accepted with ``--force-previous``."""
    return [c for c in Code if (c.severity == NOTE and c not in (Code.Y08, Code.Y09)) or c in FORCED]


def carried_from(previous: ReportData) -> Carried:
    """What a template keeps of last year's report (see the module docstring)."""
    if previous.kind == "carried" or not previous.source:
        source = previous.source
    else:
        source = Path(previous.source).name
    kept = {cid: v for cid, v in previous.inputs.items() if v is not None and cid in previous.fmt.cells}
    return Carried(source, previous.year, str(previous.info.get("org_name", "")), previous.fmt.id, kept,
                   {sid: [p[:CELL_CHARS] for p in paras] for sid, paras in previous.narrative.items() if paras})


def as_explanations(items) -> list[Explanation]:
    """``Explanation`` objects from explanations, ``{"code", "cell", "text"}`` dicts or
    ``(code, cell, text)`` tuples (what a web page sends); ``ValueError`` for anything else."""
    out = []
    for item in items or ():
        if isinstance(item, Explanation):
            out.append(item)
        elif isinstance(item, dict):
            out.append(Explanation(str(item.get("code", "")), str(item.get("cell", "") or ""),
                                   str(item.get("text", "") or "")))
        elif isinstance(item, (tuple, list)) and len(item) == 3:
            out.append(Explanation(*(str(x or "") for x in item)))
        else:
            raise ValueError(f"not an explanation: {item!r}")
    if len(out) > EXPLANATION_ROWS:
        raise ValueError(f"at most {EXPLANATION_ROWS} explanations fit the 说明 sheet, got {len(out)}")
    return out


def _protect(ws) -> None:
    ws.protect("", {"format_columns": True, "format_rows": True,
                    "select_locked_cells": True, "select_unlocked_cells": True})


# -- writing ------------------------------------------------------------------------------------
def write_explanations(ctx, explanations: list[Explanation]) -> None:
    """The 说明 sheet (see the module docstring), prefilled with ``explanations``."""
    st = ctx.st
    ws = ctx.wb.add_worksheet(EXPLANATION_SHEET)
    widths = [8.0, 16.0, 70.0, 2.0, 8.0, 56.0]
    for c, w in enumerate(widths):
        ws.set_column(c, c, w)
    put(ws, 0, 0, 1, 3, "说明（对检查提示的书面说明）", st["title_left"])
    put(ws, 1, 0, 1, 6, EXPLANATION_HINT, st["hint"])
    for c, head in enumerate(EXPLANATION_HEADS):
        ws.write_string(2, c, head, st["head"])
    ws.write_string(2, 4, "代码", st["head"])
    ws.write_string(2, 5, "含义（可说明的提示）", st["head"])
    codes = explainable_codes()
    texts = [(1, 0, 1, 6, EXPLANATION_HINT, 10 / 11)]
    for i, code in enumerate(codes):
        r = EXPLANATION_FIRST_ROW + i
        ws.write_string(r, 4, code.name, st["label"])
        ws.write_string(r, 5, code.title, st["label"])
    first, last = EXPLANATION_FIRST_ROW, EXPLANATION_FIRST_ROW + EXPLANATION_ROWS - 1
    for i, r in enumerate(range(first, last + 1)):
        item = explanations[i] if i < len(explanations) else None
        put_value(ws, r, 0, item.code if item else None, st["text_input"])
        put_value(ws, r, 1, item.cell if item else None, st["text_input"])
        put_value(ws, r, 2, item.text if item else None, st["para"])
        if item and item.text:
            texts.append((r, 2, 1, 1, item.text, 1.0))
    source = f"=$E${first + 1}:$E${first + len(codes)}"
    ws.data_validation(first, 0, last, 0, {
        "validate": "list", "source": source, "input_title": "请选择代码",
        "input_message": clip("选择 xlsx-tool check 列出的提示代码（右侧列出各代码的含义）。", MESSAGE_LIMIT),
        "error_title": "代码有误", "error_message": "请从下拉列表中选择提示代码；错误不能以说明代替改正。",
        "error_type": "warning"})
    ws.data_validation(first, 1, last, 1, {
        "validate": "any", "input_title": "位置（可不填）",
        "input_message": clip("写检查结果中的工作表和单元格，如 表三!D7；不写则对该代码的全部提示有效。", MESSAGE_LIMIT)})
    ctx.names[EXPLANATION_NAME] = ref(EXPLANATION_SHEET, first, 0, last, 2)
    fit_rows(ws, texts, widths)
    ws.freeze_panes(EXPLANATION_FIRST_ROW, 0)
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    _protect(ws)


def write_reference(ctx, carried: Carried) -> dict[str, list[tuple[str, int]]]:
    """The hidden 上年参考 sheet; returns section id → ``(paragraph, row)`` of each kept paragraph."""
    ws = ctx.wb.add_worksheet(REFERENCE_SHEET)
    ws.set_column(0, 1, 14)
    ws.set_column(2, 2, 80)
    ws.write_string(0, 0, "上年参考（本工具从上年报告保存的数据，用于核对，请勿修改）", ctx.st["title_left"])
    for c, head in enumerate(REFERENCE_HEADS):
        ws.write_string(1, c, head, ctx.st["head"])
    r = 2
    for attr, label in META:
        value = getattr(carried, attr)
        ws.write_string(r, 0, KIND_META)
        ws.write_string(r, 1, label)
        ws.write_string(r, 2, "" if value is None else str(value))
        r += 1
    for cid, value in carried.values.items():
        ws.write_string(r, 0, KIND_VALUE)
        ws.write_string(r, 1, cid)
        put_value(ws, r, 2, value, None)
        r += 1
    rows: dict[str, list[tuple[str, int]]] = {}
    for sid, paragraphs in carried.narrative.items():
        for text in paragraphs:
            ws.write_string(r, 0, KIND_TEXT)
            ws.write_string(r, 1, sid)
            ws.write_string(r, 2, text)
            rows.setdefault(sid, []).append((text, r))
            r += 1
    ws.hide()
    _protect(ws)
    return rows


def mark_copied(ctx, kept: dict[str, list[tuple[str, int]]]) -> None:
    """Comment and conditional tint on every 正文 paragraph that is one of last year's."""
    fmt = ctx.fmt
    ws = ctx.wb.get_worksheet_by_name(fmt.narrative_sheet)
    tint = ctx.wb.add_format({"bg_color": COPIED_FILL})
    originals = {text: r for paragraphs in kept.values() for text, r in paragraphs}
    for sid, paragraphs in ctx.pf.narrative.items():
        _, first, _ = fmt.narrative_rows()[sid]
        for i, text in enumerate(paragraphs):
            if text not in originals:
                continue
            me, there = model.a1(first + i, 1), model.a1(originals[text], 2)
            ws.write_comment(first + i, 1, COPIED_NOTE, {"author": "xlsx_tool", "x_scale": 1.6})
            ws.conditional_format(first + i, 1, first + i, 1, {
                "type": "formula", "format": tint,
                "criteria": f"=EXACT(${me[0]}${me[1:]},'{REFERENCE_SHEET}'!${there[0]}${there[1:]})"})


def _last_label(last_fmt: model.Format, cid: str) -> str:
    c = last_fmt.cells[cid]
    return model.SEP.join(c.rows[-1:] + c.cols[-1:])


def hints(fmt: model.Format, carried: Carried) -> dict[str, str]:
    """Input-message lines naming last year's figure for every linked cell (see :func:`write_blocks`)."""
    last_fmt = model.load(carried.format_id)
    out = {}
    for link in carry.links(fmt.id, carried.format_id):
        parts = "、".join(f"“{_last_label(last_fmt, t.cell)}”{values.format_number(carried.values.get(t.cell, 0))}"
                         for t in link.last_terms)
        if link.kind == "carry":
            out[link.cell] = f"已按上年报告预填（上年{parts}），有变化可直接修改。"
        else:
            out[link.cell] = f"上年报告：{parts}；本表下方“上年衔接”显示是否衔接。"
    return out


def write_blocks(ctx, carried: Carried) -> None:
    """The 上年衔接 rows under each table that has continuity links (see the module docstring)."""
    fmt, st = ctx.fmt, ctx.st
    ok = ctx.wb.add_format({"bg_color": "#C6EFCE", "font_color": "#006100"})
    bad = ctx.wb.add_format({"bg_color": "#C00000", "font_color": "#FFFFFF", "bold": True})
    for tl in fmt.tables:
        links = carry.block_links(fmt.id, carried.format_id, tl.id)
        if not links:
            continue
        ws = ctx.wb.get_worksheet_by_name(tl.sheet)
        widths = sheets.table_widths(tl)
        first, _, last_col = carry.block_area(fmt, tl.id)
        span = max(tl.label_cols, 1)
        rules = "；".join(dict.fromkeys(f"{link.code} {link.title}" for link in links))
        year = f"，{carried.year} 年度" if carried.year else ""
        caption = (f"上年衔接（依据上年报告“{carried.source}”{year}；仅供核对，不印入报告。"
                   f"“检查”为 ✓ 表示衔接，否则为本年数减应有数之差）：{rules}")
        put(ws, first, 0, 1, last_col + 1, caption, st["check_label"])
        texts = [(first, 0, 1, last_col + 1, caption, 10 / 11)]
        put(ws, first + 1, 0, 1, span, "本年单元格", st["head"])
        for i, head in enumerate(("上年数", "本年应为", "检查")):
            ws.write_string(first + 1, span + i, head, st["head"])
        for k, link in enumerate(links):
            r = first + carry.BLOCK_HEAD_ROWS + k
            cell = fmt.cells[link.cell]
            label = f"{link.code} {model.SEP.join(cell.rows[-1:] + cell.cols[-1:])}（{cell.a1}）"
            put(ws, r, 0, 1, span, label, st["label"])
            texts.append((r, 0, 1, span, label, 1.0))
            last_part = link.last_part(carried.values)
            put_value(ws, r, span, last_part, st["value"])
            terms = "".join(f"{'+' if t.sign > 0 else '-'}{fmt.cells[t.cell].a1}" for t in link.this_terms)
            expected_a1, check_a1 = model.a1(r, span + 1), model.a1(r, span + 2)
            tol = values.plain(link.tolerance)
            cached_exp = cached_check = ""
            if ctx.values is not None:
                exp = link.expected(ctx.values, carried.values)
                cached_exp = _cached(exp)
                if ctx.pf.numbers.get(link.cell) not in (None, ""):
                    diff = ctx.values[link.cell] - exp
                    cached_check = CHECK_OK if abs(diff) <= link.tolerance else _cached(diff)
            ws.write_formula(r, span + 1, f"={values.plain(last_part)}{terms}", st["total"], cached_exp)
            ws.write_formula(r, span + 2, f'=IF({cell.a1}="","",IF(ABS({cell.a1}-{expected_a1})<={tol},'
                                          f'"{CHECK_OK}",{cell.a1}-{expected_a1}))', st["check"], cached_check)
            ws.conditional_format(r, span + 2, r, span + 2, {"type": "formula", "format": ok,
                                                             "criteria": f'={check_a1}="{CHECK_OK}"'})
            ws.conditional_format(r, span + 2, r, span + 2, {"type": "formula", "format": bad,
                                                             "criteria": f'=AND({check_a1}<>"{CHECK_OK}",{check_a1}<>"")'})
        fit_rows(ws, texts, widths)
        ws.print_area(0, 0, first + carry.BLOCK_HEAD_ROWS + len(links) - 1, len(widths) - 1)


def _cached(v):
    """A formula's cached result as xlsxwriter writes it: an int when whole, else a float."""
    v = values.plain(v)
    return v if isinstance(v, int) else float(v)


def guide_lines(carried: Carried | None) -> list[tuple[str, str]]:
    """Rows added to 填报说明: the 说明 sheet, and what came from last year's report."""
    out = [("head", "七、说明"),
           ("text", "对检查列出的“提示”确有原因的，可在“说明”工作表中写明代码、位置和原因；检查时这些提示列为“已说明”。"
                    "“错误”必须改正，不能以说明代替。")]
    if carried is not None:
        year = f"{carried.year} 年度" if carried.year else "上年"
        out += [("head", "八、上年数据"),
                ("text", f"本模板依据上年报告“{carried.source}”（{year}）生成：基本信息、正文和可以衔接的数字（如表三“二、上年结转”）已预填，"
                         "请逐项核对并按本年度情况修改。"),
                ("text", f"正文中带批注“{COPIED_NOTE}”的段落是上年原文，改写之前底色为橙色；检查时仍与上年相同的段落会被提示（Y05）。"),
                ("text", "表格下方的“上年衔接”列出上年数、本年应为的数和检查结果（✓ 为衔接），不会印入报告。")]
    return out


# -- reading ------------------------------------------------------------------------------------
__all__ = ["EXPLANATION_SHEET", "REFERENCE_SHEET", "COPIED_NOTE", "carried_from", "as_explanations",
           "write_explanations", "write_reference", "mark_copied", "hints", "write_blocks", "guide_lines",
           "explainable_codes"]
