"""The findings workbook of a review (审核结果.xlsx), made for a person who opens it in Excel or WPS.

Sheets:

* 概览 — one row per unit, worst first: unit, year, format, status (通过 / 有提示 / 有错误 / 无法读取 /
  未提交 / 重复提交 / 年度不符, coloured), counts of 错误 and 提示, the key figures and derived rates
  of the format data (rates as percentages, “—” when the denominator is 0), file, reason;
  autofilter, frozen header;
* 问题清单 — one row per finding: unit, file, code, severity, problem, table › row › column
  labels, sheet, cell, both sides of the equation with their values, difference, message and how
  to fix; autofilter (by unit, by code), frozen header;
* 未提交 — roster units with no file for the year (or a line saying no roster was given);
* 图表 — native Excel charts: units per status, 错误数 of the units with most errors, and
  实质公开率 per unit.

Written with xlsxwriter in ``constant_memory`` mode (rows streamed to disk), strings never turned
into formulas or links, and atomically (:mod:`xlsx_tool.outputs`).  Every sheet prints landscape
on A4, one page wide, header row repeated.
"""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from .. import outputs
from ..formats import model, rates
from .batch import ReviewResult
from .units import DUPLICATE, ERRORS, MISSING, NOTES, PASSED, STATUSES, UNREADABLE, WRONG_YEAR, overall_repeat

#: Excel's row limit less the header and the closing line.
MAX_FINDING_ROWS = 1_048_576 - 3
#: How many units the per-unit charts show at most.
CHART_UNITS = 30
#: Height of a default row in pixels (to place charts below one another).
ROW_PX = 20
STATUS_COLOURS = {UNREADABLE: ("#C00000", "#FFFFFF"), ERRORS: ("#FFC7CE", "#9C0006"),
                  DUPLICATE: ("#F4B183", "#7F3F00"), WRONG_YEAR: ("#F4B183", "#7F3F00"),
                  MISSING: ("#D9D9D9", "#404040"), NOTES: ("#FFEB9C", "#9C5700"),
                  PASSED: ("#C6EFCE", "#006100")}
FINDING_HEADS = (("单位", 16), ("文件", 16), ("代码", 5), ("级别", 5), ("问题", 20), ("位置（表 › 行 › 列）", 28),
                 ("工作表", 6), ("单元格", 6), ("左边", 22), ("左边数值", 7), ("右边", 22), ("右边数值", 7),
                 ("差额", 6), ("说明", 36), ("如何处理", 30))
#: Points per printed line of a wrapped cell, and the most lines a row is given.
LINE_HEIGHT, MAX_LINES = 13.0, 8


def _specs(result: ReviewResult):
    """The key figures and rates to show: those of the formats the units use (data order)."""
    fids = list(dict.fromkeys(u.format for u in result.units if u.format)) or [_default_format()]
    keys, rts = {}, {}
    for fid in fids:
        fmt = model.load(fid)
        keys.update((k.id, k.name) for k in rates.key_figures(fmt))
        rts.update((r.id, r.name) for r in rates.specs(fmt))
    return keys, rts


def _default_format() -> str:
    from ..formats import registry

    return registry.available()[-1]


def write(result: ReviewResult, out, *, force: bool = False) -> Path:
    """Write the findings workbook of ``result`` to ``out`` (``.xlsx``); returns the path.
    ``UserError`` O01–O05 as :func:`xlsx_tool.outputs.check_target`."""
    with outputs.atomic_write(out, force=force) as tmp:
        _build(result, tmp)
    return Path(out)


def _build(result: ReviewResult, tmp: Path) -> None:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(tmp), {"constant_memory": True, "strings_to_formulas": False,
                                        "strings_to_urls": False, "strings_to_numbers": False})
    try:
        st = _styles(wb)
        keys, rts = _specs(result)
        n = _overview(wb, st, result, keys, rts)
        _problems(wb, st, result)
        _missing(wb, st, result)
        _charts(wb, st, result, n, len(keys), rts)
        wb.set_properties({"title": f"{result.year or ''}年度政府信息公开工作年度报告审核结果",
                           "subject": "政务公开办批量审核", "author": "xlsx_tool"})
        wb.worksheets()[0].activate()
    finally:
        wb.close()


def _styles(wb) -> dict:
    def f(**kw):
        return wb.add_format({"font_size": 10, "valign": "top", "border": 1, **kw})
    out = {"head": f(bold=True, bg_color="#DDEBF7", text_wrap=True, align="center", valign="vcenter"),
           "text": f(text_wrap=True), "num": f(num_format="#,##0.######"), "int": f(num_format="0"), "pct": f(num_format="0.0%"),
           "dash": f(align="right"), "title": wb.add_format({"bold": True, "font_size": 14}),
           "hint": wb.add_format({"font_size": 10, "font_color": "#595959"})}
    for status, (bg, fg) in STATUS_COLOURS.items():
        out[status] = wb.add_format({"bg_color": bg, "font_color": fg, "bold": status in (UNREADABLE, ERRORS)})
    out["error_count"] = wb.add_format({"font_color": "#9C0006", "bold": True})
    return out


def _height(row, widths) -> float:
    """Row height (points) that shows every wrapped cell of ``row`` (CJK characters count two)."""
    import math
    import unicodedata

    lines = 1
    for v, w in zip(row, widths):
        if isinstance(v, str) and v:
            units = sum(2 if unicodedata.east_asian_width(ch) in "WFA" else 1 for ch in v)
            lines = max(lines, math.ceil(units * 1.1 / max(w - 1, 1)))
    return LINE_HEIGHT * min(lines, MAX_LINES) + 2


def _page(ws, heads: int, landscape: bool = True) -> None:
    ws.set_paper(9)
    if landscape:
        ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0)
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)
    ws.set_footer("&C第 &P 页，共 &N 页")
    ws.freeze_panes(1, 0)


def _number(ws, r, c, v, st) -> None:
    if v is None:
        ws.write_string(r, c, rates.NO_VALUE, st["dash"])
    elif isinstance(v, Decimal):
        ws.write_number(r, c, float(v), st["num"])
    else:
        ws.write_number(r, c, v, st["num"])


def _overview(wb, st, result: ReviewResult, keys: dict, rts: dict) -> int:
    ws = wb.add_worksheet("概览")
    repeat = any(overall_repeat(u.repeat_rates) is not None for u in result.units)
    heads = [("单位", 26), ("年度", 6), ("格式", 6), ("状态", 9), ("错误", 6), ("提示", 6)]
    heads += [(name, 9) for name in keys.values()] + [(name, 9) for name in rts.values()]
    heads += [("正文重复率", 9)] if repeat else []
    heads += [("文件", 30), ("无法读取的原因", 30)]
    for c, (h, w) in enumerate(heads):
        ws.set_column(c, c, w)
        ws.write_string(0, c, h, st["head"])
    ws.set_row(0, 30)
    r = 0
    widths = [w for _, w in heads]
    for r, u in enumerate(result.units, start=1):
        ws.set_row(r, _height([u.label] + [""] * (len(heads) - 3) + [u.file, u.reason], widths))
        ws.write_string(r, 0, u.label, st["text"])
        if u.year:
            ws.write_number(r, 1, u.year, st["int"])
        else:
            ws.write_blank(r, 1, None, st["text"])
        ws.write_string(r, 2, u.format, st["text"])
        ws.write_string(r, 3, u.status, st["text"])
        ws.write_number(r, 4, u.error_count, st["num"])
        ws.write_number(r, 5, u.warning_count, st["num"])
        c = 6
        readable = u.status not in (UNREADABLE, MISSING)
        for k in keys:
            if readable and k in u.figures:
                _number(ws, r, c, u.figures[k], st)
            else:
                ws.write_blank(r, c, None, st["text"])
            c += 1
        for k in rts:
            v = u.rates.get(k) if readable else None
            if readable and k in u.rates and v is not None:
                ws.write_number(r, c, float(v), st["pct"])
            elif readable and k in u.rates:
                ws.write_string(r, c, rates.NO_VALUE, st["dash"])
            else:
                ws.write_blank(r, c, None, st["text"])
            c += 1
        if repeat:
            v = overall_repeat(u.repeat_rates)
            ws.write(r, c, float(v) if v is not None else "", st["pct"])
            c += 1
        ws.write_string(r, c, u.file, st["text"])
        ws.write_string(r, c + 1, u.reason, st["text"])
    last = max(r, 1)
    ws.autofilter(0, 0, last, len(heads) - 1)
    for status in STATUSES:
        ws.conditional_format(1, 3, last, 3, {"type": "cell", "criteria": "==", "value": f'"{status}"',
                                              "format": st[status]})
    ws.conditional_format(1, 4, last, 4, {"type": "cell", "criteria": ">", "value": 0, "format": st["error_count"]})
    _page(ws, len(heads))
    return len(result.units)


def _problems(wb, st, result: ReviewResult) -> None:
    ws = wb.add_worksheet("问题清单")
    for c, (h, w) in enumerate(FINDING_HEADS):
        ws.set_column(c, c, w)
        ws.write_string(0, c, h, st["head"])
    r = 0
    total = 0
    for f in result.findings:
        total += 1
        if r >= MAX_FINDING_ROWS:
            continue
        r += 1
        row = (f.get("unit", ""), Path(f.get("file", "") or "").name, f.get("code", ""), f.get("severity", ""), f.get("title", ""),
               f.get("labels", ""), f.get("sheet", ""), f.get("cell", ""), f.get("left", ""), f.get("left_value"),
               f.get("right", ""), f.get("right_value"), f.get("difference"), f.get("message", ""), f.get("fix", ""))
        ws.set_row(r, _height(row, [w for _, w in FINDING_HEADS]))
        for c, v in enumerate(row):
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                ws.write_number(r, c, v, st["num"])
            elif v is None or v == "":
                ws.write_blank(r, c, None, st["text"])
            else:
                ws.write_string(r, c, str(v)[:32000], st["text"])
    if total > r:
        ws.write_string(r + 1, 0, f"另有 {total - r} 条未列出（超过 Excel 的行数上限），完整内容请用 --json 输出。", st["hint"])
    if r == 0:
        ws.write_string(1, 0, "没有发现问题。", st["hint"])
    ws.autofilter(0, 0, max(r, 1), len(FINDING_HEADS) - 1)
    ws.conditional_format(1, 3, max(r, 1), 3, {"type": "cell", "criteria": "==", "value": '"错误"',
                                               "format": st[ERRORS]})
    _page(ws, len(FINDING_HEADS))


def _missing(wb, st, result: ReviewResult) -> None:
    ws = wb.add_worksheet("未提交")
    ws.set_column(0, 0, 8)
    ws.set_column(1, 1, 40)
    ws.write_string(0, 0, "序号", st["head"])
    ws.write_string(0, 1, f"单位（{result.year or ''} 年度未提交）", st["head"])
    if result.roster is None:
        ws.write_string(1, 1, "未提供单位名单（--roster），无法判断哪些单位未提交。", st["hint"])
    elif not result.missing:
        ws.write_string(1, 1, f"单位名单中的 {len(result.roster)} 个单位均已提交。", st["hint"])
    for i, name in enumerate(result.missing, start=1):
        ws.write_number(i, 0, i, st["num"])
        ws.write_string(i, 1, name, st["text"])
    _page(ws, 2, landscape=False)


def _charts(wb, st, result: ReviewResult, n_units: int, n_keys: int, rts: dict) -> None:
    ws = wb.add_worksheet("图表")
    ws.set_column(0, 0, 26)
    ws.set_column(1, 2, 10)
    counts = result.counts()
    ws.write_string(0, 0, "状态", st["head"])
    ws.write_string(0, 1, "单位数", st["head"])
    for i, (status, n) in enumerate(counts.items(), start=1):
        ws.write_string(i, 0, status, st["text"])
        ws.write_number(i, 1, n, st["num"])
    status_chart = wb.add_chart({"type": "column"})
    status_chart.add_series({"name": "单位数", "categories": ["图表", 1, 0, len(counts), 0],
                             "values": ["图表", 1, 1, len(counts), 1], "data_labels": {"value": True},
                             "points": [{"fill": {"color": STATUS_COLOURS[s][0]}} for s in counts]})
    _chart_look(status_chart, f"{result.year or ''} 年度各状态单位数", "单位数")
    status_chart.set_y_axis({"min": 0, "major_unit": max(1, -(-max(counts.values()) // 8)), "num_format": "0"})
    status_chart.set_x_axis({"num_font": {"size": 9}})
    status_chart.set_size({"width": 720, "height": 300})
    ws.insert_chart(0, 4, status_chart)

    row = max(len(counts) + 3, 300 // ROW_PX + 2)
    worst = sorted((u for u in result.units if u.error_count and u.status != MISSING),
                   key=lambda u: (-u.error_count, u.label))[:CHART_UNITS]
    row = _unit_chart(wb, ws, st, row, "错误数最多的单位", "错误数", [(u.label, u.error_count) for u in worst],
                      "错误数", pct=False)
    if "substantive_disclosure" in rts:
        rated = [(u.label, u.rates.get("substantive_disclosure")) for u in result.units
                 if u.status not in (UNREADABLE, MISSING) and u.rates.get("substantive_disclosure") is not None]
        rated.sort(key=lambda x: (x[1], x[0]))
        title = rts["substantive_disclosure"] + ("（最低的 %d 个单位）" % CHART_UNITS if len(rated) > CHART_UNITS else "")
        _unit_chart(wb, ws, st, row, title, rts["substantive_disclosure"],
                    [(name, float(v)) for name, v in rated[:CHART_UNITS]], rts["substantive_disclosure"], pct=True)
    _page(ws, 3, landscape=True)
    ws.freeze_panes(0, 0)


def _unit_chart(wb, ws, st, row: int, title: str, head: str, points: list, axis: str, *, pct: bool) -> int:
    ws.write_string(row, 0, title, st["head"])
    ws.write_string(row, 1, head, st["head"])
    if not points:
        ws.write_string(row + 1, 0, "（无）", st["hint"])
        return row + 4
    for i, (name, v) in enumerate(points, start=1):
        ws.write_string(row + i, 0, name, st["text"])
        ws.write_number(row + i, 1, v, st["pct" if pct else "num"])
    chart = wb.add_chart({"type": "bar"})
    chart.add_series({"name": head, "categories": ["图表", row + 1, 0, row + len(points), 0],
                      "values": ["图表", row + 1, 1, row + len(points), 1], "data_labels": {"value": True},
                      "fill": {"color": "#C00000" if not pct else "#2E75B6"}})
    _chart_look(chart, title, axis)
    # a bar chart's categories are on its y axis (top to bottom: reversed), its values on the x axis
    chart.set_y_axis({"reverse": True, "interval_unit": 1, "num_font": {"size": 9}})
    if pct:
        chart.set_x_axis({"num_format": "0%", "min": 0, "max": 1, "name": axis})
    else:
        top = max(v for _, v in points)
        chart.set_x_axis({"min": 0, "major_unit": max(1, -(-top // 8)), "num_format": "0", "name": axis})
    height = max(240, 26 * len(points) + 90)
    chart.set_size({"width": 720, "height": height})
    ws.insert_chart(row, 4, chart)
    return row + max(len(points) + 3, height // ROW_PX + 2)


def _chart_look(chart, title: str, axis: str) -> None:
    chart.set_title({"name": title, "name_font": {"size": 12}})
    chart.set_legend({"none": True})
