"""What the result page shows, as plain data: findings grouped by sheet, the three tables as grids
with the offending cells marked.

Built in the worker from a :class:`~xlsx_tool.checks.check.CheckResult` and stored as JSON beside
the upload, so that the server process keeps nothing of it in memory and the page template only
loops.  The tables are drawn from the format's layout (:class:`~xlsx_tool.formats.geometry.Box`:
the official tables cell for cell); each numeric cell shows the clerk's value (totals recomputed,
as ``check`` does).  A finding marks the cell it names (its ``sheet``/``cell``, the clerk's actual
address) and, for a rule, every cell of both sides (the addresses in ``left``/``right``); the
mark's tip gives the expected value from the finding's ``left_value``/``right_value``.
"""
from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation

from ..findings import ERROR, Finding
from ..formats.values import plain

#: A cell address inside a rule's side: ``一、本年新收(D6) + 二、上年结转(D7)``.
ADDRESS = re.compile(r"\(([A-Z]{1,3}[0-9]{1,7})\)")
FILE_GROUP = "文件"
EXPLAINED = "已说明"


def finding_dict(f: Finding, severity: str | None = None) -> dict:
    d = f.as_dict()
    d["severity"] = str(severity or f.severity)
    d["location"] = f.location()
    d.pop("file", None)
    return d


def _sheet_order(fmt) -> list[str]:
    return [FILE_GROUP, fmt.info_sheet, fmt.narrative_sheet] + [tl.sheet for tl in fmt.tables]


def group_findings(fmt, items: list[dict]) -> list[dict]:
    """``[{"sheet": 表三, "findings": […]}, …]`` in workbook order (file-level first, sheets the
    format does not know, such as 说明, last)."""
    order = _sheet_order(fmt)
    groups: dict[str, list[dict]] = {}
    for d in items:
        groups.setdefault(d.get("sheet") or FILE_GROUP, []).append(d)
    names = sorted(groups, key=lambda s: (order.index(s) if s in order else len(order), s))
    return [{"sheet": s, "findings": groups[s], "errors": sum(d["severity"] == str(ERROR) for d in groups[s])}
            for s in names]


def _number(text) -> Decimal | None:
    try:
        return Decimal(str(text))
    except (InvalidOperation, ValueError):
        return None


def _tip(f: dict, address: str, left_cells: list[str], right_cells: list[str], current,
         signed: bool = False, total: bool = False) -> str:
    """What hovering a marked cell says: for a rule, the value this cell should hold if it alone
    were wrong (left side: now − difference; right side: now + difference; never a negative count)
    and both sides' sums; for a total (a formula, ``total``) that it is computed from the input
    cells, which are the ones to correct."""
    head = f"{f['code']} {f['title']}"
    lv, rv, diff = f.get("left_value"), f.get("right_value"), _number(f.get("difference"))
    now = _number(current)
    if total and f["code"].startswith("X"):
        return (f"这一格是合计（公式），按各项自动计算为 {plain(now) if now is not None else '—'}，不能直接改；"
                f"请改正参与计算的填报格。{head}：左边合计 {lv}，右边合计 {rv}，应相等。")
    if lv is not None and rv is not None:
        sides = f"左边合计 {lv}，右边合计 {rv}，应相等"
        on_left = address in left_cells or (address == f.get("cell") and address not in right_cells)
        if diff is not None and now is not None and (on_left or address in right_cells):
            expected = now - diff if on_left else now + diff
            if expected >= 0 or signed:
                return f"若只改这一格，应为 {plain(expected)}（现为 {plain(now)}）。{head}：{sides}。"
        return f"{head}：{sides}。"
    return f"{head}：{f.get('message', '')}" if f.get("message") else head


def marks(data, items: list[dict]) -> dict[str, list[dict]]:
    """Cell id → the findings that concern it (``severity``, ``code``, ``tip``, ``finding``)."""
    where: dict[tuple[str, str], str] = {}
    for cid, cell in data.fmt.cells.items():
        where[(cell.sheet, data.address(cid))] = cid
    values = data.values()
    out: dict[str, list[dict]] = {}
    for n, f in enumerate(items):
        sheet = f.get("sheet")
        if not sheet or not f.get("cell"):
            continue
        left, right = ADDRESS.findall(f.get("left", "")), ADDRESS.findall(f.get("right", ""))
        cells = [f["cell"]] + [a for a in left + right if a != f["cell"]]
        for address in cells:
            cid = where.get((sheet, address))
            if cid is None:
                continue
            out.setdefault(cid, []).append({"severity": f["severity"], "code": f["code"], "finding": n,
                                            "tip": _tip(f, address, left, right, values.get(cid),
                                                        data.fmt.cells[cid].type == "signed_count",
                                                        not data.fmt.cells[cid].is_input)})
    return out


def _cell_text(data, values: dict, cid: str) -> tuple[str, str]:
    cell = data.fmt.cells[cid]
    if cell.is_input:
        v = data.inputs.get(cid)
        if v is None:
            return "", "blank" if cid in data.blank else "bad"
        return plain(v), "value"
    return plain(values[cid]), "total"


def grids(data, marked: dict[str, list[dict]]) -> list[dict]:
    """Each official table as rows of boxes ``{text, rowspan, colspan, role, state, marks, id, a1}``."""
    values = data.values()
    tables = []
    for tl in data.fmt.tables:
        rows: dict[int, list[dict]] = {}
        for b in sorted(tl.boxes, key=lambda b: (b.row, b.col)):
            box = {"text": b.text, "rowspan": b.rowspan, "colspan": b.colspan, "role": b.role}
            if b.field_id:
                cell = data.fmt.cells[b.field_id]
                box["text"], box["state"] = _cell_text(data, values, b.field_id)
                box["id"] = b.field_id
                box["a1"] = data.address(b.field_id)
                box["label"] = cell.label_path
                m = marked.get(b.field_id, [])
                if m:
                    box["marks"] = m
                    box["level"] = "error" if any(x["severity"] == str(ERROR) for x in m) else "note"
            rows.setdefault(b.row, []).append(box)
        tables.append({"id": tl.id, "sheet": tl.sheet, "heading": tl.heading,
                       "columns": tl.label_cols + tl.width, "label_cols": tl.label_cols,
                       "rows": [rows[r] for r in sorted(rows)],
                       "note": data.notes.get(tl.id, "") if data.notes else ""})
    return tables


def repeat_lines(fmt, rates) -> list[str]:
    """The 正文 repeat rates against last year's report (``CheckResult.repeat_rates``), as lines:
    overall first, then each section with text."""
    if not isinstance(rates, dict) or rates.get("overall") is None:
        return []
    pct = lambda r: f"{float(r) * 100:.0f}%"        # noqa: E731
    lines = [f"正文整体：{pct(rates['overall'])}"]
    for sid, rate in (rates.get("sections") or {}).items():
        if rate is not None:
            lines.append(f"{fmt.section_label(sid)}：{pct(rate)}")
    return lines


def check_view(result, name: str) -> dict:
    """Everything the result page shows for one checked workbook, JSON-ready."""
    data = result.data
    fmt = data.fmt
    items = [finding_dict(f) for f in result.errors + result.warnings]
    explained = [finding_dict(f, EXPLAINED) for f in getattr(result, "explained", None) or []]
    marked = marks(data, items)
    for cid, found in marked.items():
        for x in found:
            items[x["finding"]].setdefault("cell_id", cid)
    for i, d in enumerate(items):
        d["index"] = i
        d["explainable"] = d["severity"] != str(ERROR)
    info = data.info or {}
    as_json = result.as_json()
    shown = {
        "file": name, "format": fmt.id, "format_label": fmt.label,
        "org": info.get("org_name", ""), "year": data.year,
        "ok": result.ok, "errors": len(result.errors), "warnings": len(result.warnings),
        "explained": explained, "groups": group_findings(fmt, items), "findings": items,
        "tables": grids(data, marked),
        "repeat": repeat_lines(fmt, as_json.get("repeat_rates")),
        "blank_count": sum(f.code == "V01" for f in result.errors),
    }
    return json.loads(json.dumps(shown, ensure_ascii=False, default=str))     # plain JSON types only
