"""Reading the year-to-year sheets of a filled workbook back (the writing is :mod:`.yearsheets`).

* **说明** → ``ReportData.explanations``: the rows of 代码 | 位置 | 说明 a clerk filled in; an
  incomplete row or an unknown code is a Y09 提示.
* **上年参考** (hidden, templates made with ``--previous``) → ``ReportData.carried``
  (:class:`~xlsx_tool.formats.content.Carried`): last year's report as the template kept it.

Reading imports nothing of the template writer.
"""
from __future__ import annotations

import re
import unicodedata

from ..findings import CROSS_CHECK_CODE, Code, Finding, make
from ..formats import model, registry, values
from ..formats.content import Carried, Explanation, ReportData

EXPLANATION_SHEET = "说明"
REFERENCE_SHEET = "上年参考"
EXPLANATION_NAME = "explanations"
EXPLANATION_HEADS = ("代码", "位置", "说明")
EXPLANATION_FIRST_ROW = 3
EXPLANATION_ROWS = 30
#: Rows read at most, whatever the defined name says (a tampered name cannot make reading long).
EXPLANATION_READ_LIMIT = 200
REFERENCE_HEADS = ("类别", "名称", "内容")
KIND_META, KIND_VALUE, KIND_TEXT = "来源", "数值", "正文"
META = (("source", "文件"), ("year", "年度"), ("org", "机关"), ("format_id", "年报格式"))
def normalise_location(text: str) -> str:
    """``表三！d7`` / ``表三 D7`` / ``'表三'!$D$7`` → ``表三!D7``; ``d7`` → ``D7``; other text as typed."""
    s = "".join(unicodedata.normalize("NFKC", text).split()).replace("'", "").replace("$", "")
    m = re.fullmatch(r"(?:(.+?)[!:：]?)?([A-Za-z]{1,3})(\d{1,7})", s)
    if not m:
        return s
    cell = m.group(2).upper() + m.group(3)
    return f"{m.group(1)}!{cell}" if m.group(1) else cell


def _cell(grid, r: int, c: int):
    return grid[r][c] if 0 <= r < len(grid) and 0 <= c < len(grid[r]) else None


def read_explanations(grids: dict, names: dict | None, file: str) -> tuple[list[Explanation], list[Finding]]:
    """The filled rows of the 说明 sheet, and Y09 for incomplete rows or unknown codes."""
    grid = grids.get(EXPLANATION_SHEET)
    if grid is None:
        return [], []
    first, col, last = EXPLANATION_FIRST_ROW, 0, EXPLANATION_FIRST_ROW + EXPLANATION_ROWS - 1
    dest = (names or {}).get(EXPLANATION_NAME)
    if dest and dest[0] == EXPLANATION_SHEET:
        first, col, last = dest[1], dest[2], dest[3]
    last = min(last, first + EXPLANATION_READ_LIMIT - 1)
    where = {"file": file, "sheet": EXPLANATION_SHEET}
    heads = tuple("".join(values.to_text(_cell(grid, first - 1, col + i)).split()) for i in range(3))
    if heads != EXPLANATION_HEADS:
        return [], [make(Code.Y09, f"“{EXPLANATION_SHEET}”工作表的表头被改动（应为 {'、'.join(EXPLANATION_HEADS)}），说明未读取",
                         cell=model.a1(max(first - 1, 0), col), **where)]
    out, found = [], []
    known = set(Code.__members__)
    for r in range(first, last + 1):
        code, cell, text = (values.to_text(_cell(grid, r, col + i)).strip() for i in range(3))
        if not (code or cell or text):
            continue
        code = unicodedata.normalize("NFKC", code).strip().upper()
        at = dict(cell=model.a1(r, col), labels=f"{EXPLANATION_SHEET}{model.SEP}第{r - first + 1}条", **where)
        if not code or not text:
            missing = "代码" if not code else "说明内容"
            found.append(make(Code.Y09, f"这条说明没有填写{missing}，未采用", **at))
            continue
        if code not in known and not CROSS_CHECK_CODE.fullmatch(code):
            found.append(make(Code.Y09, f"“{code}”不是本工具的检查代码，这条说明未采用", **at))
            continue
        out.append(Explanation(code, normalise_location(cell), text, r))
    return out, found


def read_carried(grids: dict) -> Carried | None:
    """Last year's report as kept in 上年参考, or ``None`` (no such sheet, or unusable)."""
    grid = grids.get(REFERENCE_SHEET)
    if not grid:
        return None
    meta: dict[str, str] = {}
    raw_values: list[tuple[str, object]] = []
    narrative: dict[str, list[str]] = {}
    for row in grid[2:]:
        kind, key = (values.to_text(_cell([row], 0, i)).strip() for i in (0, 1))
        content = _cell([row], 0, 2)
        if kind == KIND_META:
            meta[key] = values.to_text(content).strip()
        elif kind == KIND_VALUE:
            raw_values.append((key, content))
        elif kind == KIND_TEXT and values.to_text(content).strip():
            narrative.setdefault(key, []).append(values.to_text(content).strip())
    labels = dict(META)
    fid = meta.get(labels["format_id"], "")
    if fid not in registry.available():
        return None
    fmt = model.load(fid)
    kept = {}
    for cid, raw in raw_values:
        cell = fmt.cells.get(cid)
        if cell is not None and cell.is_input:
            parsed = values.parse_number(raw, cell.type)
            if parsed.value is not None:
                kept[cid] = parsed.value
    sections = {s["id"] for s in fmt.narrative}
    year = meta.get(labels["year"], "")
    return Carried(meta.get(labels["source"], ""), int(year) if re.fullmatch(r"\d{4}", year) else None,
                   meta.get(labels["org"], ""), fid, kept,
                   {sid: p for sid, p in narrative.items() if sid in sections})


def read_into(data: ReportData, grids: dict, names: dict | None) -> None:
    """Fill ``data.explanations`` and ``data.carried`` from the workbook's sheets (reading step)."""
    data.explanations, found = read_explanations(grids, names, data.source)
    data.findings.extend(found)
    data.carried = read_carried(grids)
