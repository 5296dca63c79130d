"""Read a filled workbook back into :class:`~xlsx_tool.formats.content.ReportData`, saying what was odd.

The file is checked and opened by :mod:`.files` (path, bytes, zip and part limits, the tokenizer
pass of each .xlsx worksheet read, python-calamine for the cached values — no full spreadsheet
library load); every value is located and verified by its own labels by :mod:`.locate` (S02,
S03, S10–S12), and read by :mod:`.cells` (V codes, totals S04–S06, error values, dates, control
characters).  .xls and .ods have no names: cells are located at the model's positions.

Findings come out in sheet/row order; file-level ones (S08, V10) first.  Summaries instead of
floods: S02/S11 one per sheet, S03/S10 at most :data:`.locate.MAX_LABEL_FINDINGS` per sheet plus
one line counting the rest; with ``blank_as_zero`` the blanks read as 0 give a single V10 提示.
"""
from __future__ import annotations

import re
import unicodedata

from ..findings import Code, make
from ..formats import carry, model, registry, values
from ..formats.content import ReportData
from . import files, yearread
from .cells import CellValues
from .locate import Locator


# -- reading --------------------------------------------------------------------------------------
def read_workbook(path, *, blank_as_zero: bool = False) -> ReportData:
    """Read a filled workbook (.xlsx/.xlsm/.xls/.ods) made by ``xlsx-tool template``.

    Raises :class:`UserError` (F01–F08, F14) when the file cannot be used at all; everything else
    is a finding in ``.findings``.  ``blank_as_zero``: blank input cells count as 0 and are
    summarised in one V10 提示 instead of a V01 错误 each.
    """
    subject = str(path)
    wb = files.open_workbook(path)
    info_sheets = [registry.raw(f)["basic_info"]["sheet"] for f in registry.available()]
    fmt = model.load(files.format_id(wb.grids, info_sheets, wb.props, subject))
    reader = _Reader(wb, fmt, blank_as_zero)
    data = reader.run()
    yearread.read_into(data, wb.grids, {k: n.dest for k, n in (wb.names or {}).items()})
    props = wb.props
    if props.get(files.PROP_LAYOUT) and props[files.PROP_LAYOUT] != fmt.layout_hash:
        version = props.get(files.PROP_VERSION, "")
        made = f"模板由 xlsx_tool {version} 生成，" if version else ""
        former = reader.locator.former_used
        old = (f"；其中 {len(former)} 个单元格使用旧版本的名称（如 {former[0]}），"
               "已按对应的新名称读取" if former else "")
        data.findings.insert(0, make(Code.S08, f"{made}模板版式编号 {props[files.PROP_LAYOUT]}，"
                                               f"本版本为 {fmt.layout_hash}{old}", file=subject))
    return data


class _Reader:
    def __init__(self, wb: files.Workbook, fmt: model.Format, blank_as_zero: bool):
        self.file, self.grids, self.fmt = wb.subject, wb.grids, fmt
        self.names = wb.names
        self.blank_as_zero = blank_as_zero
        self.data = ReportData(fmt, source=wb.subject, kind=wb.kind)
        self.order = {s: i for i, s in enumerate(
            [fmt.info_sheet, fmt.narrative_sheet] + [t.sheet for t in fmt.tables])}
        self.found: list[tuple] = []
        self.cells = CellValues(wb, self.emit)
        self.raw = self.cells.raw
        self.locator = Locator(self.file, fmt, wb.names, self.raw, self.emit)
        self.blanks: list[str] = []
        self.pos: dict[str, tuple[int, int]] = {}
        self.coerced: set[str] = set()
        self.missing = [s for s in self.order if s not in wb.grids]
        #: sheet → (rows, columns) the tables moved down/right (rows inserted), from verified cells
        self.moved: dict[str, tuple[int, int]] = {}

    # -- helpers ---------------------------------------------------------------------------------
    def emit(self, sheet: str | None, row: int, col: int, finding) -> None:
        self.found.append(((self.order.get(sheet, -1) if sheet else -1, row, col), finding))

    def where(self, sheet: str, row: int, col: int, labels: str = "") -> dict:
        return {"file": self.file, "sheet": sheet, "cell": model.a1(row, col), "labels": labels}

    def label_at(self, sheet: str, dr: int, col: int, expected: str, labels: str):
        """A ``verify`` for :meth:`Locator.place`: ``expected`` ``dr`` rows from the value, in
        column ``col``."""
        return lambda p: self.locator.label_check(sheet, (p[0] + dr, col), expected, labels)

    # -- the whole workbook ----------------------------------------------------------------------
    def run(self) -> ReportData:
        for sheet in self.missing:
            self.emit(sheet, -1, -1, make(Code.S01, self._missing_message(sheet), file=self.file, sheet=sheet))
        self.read_info()
        totals = []
        for tl in self.fmt.tables:
            totals += self.read_table(tl)
            self.read_note_and_choices(tl)
            self.outside(tl)
        for cell, row, col in totals:
            self.check_total(cell, row, col)
        self.read_narrative()
        self.locator.summaries()
        if self.blanks:
            shown = "、".join(self.blanks[:8]) + ("等" if len(self.blanks) > 8 else "")
            self.emit(None, 0, 0, make(Code.V10, f"共 {len(self.blanks)} 个未填写的单元格按 0 计算（{shown}）", file=self.file,
                extra={"cells": list(self.blanks)}))
        self.found.sort(key=lambda kf: kf[0])
        self.data.findings = [f for _, f in self.found]
        return self.data

    def _missing_message(self, sheet: str) -> str:
        ids = [c.id for c in self.fmt.cells.values() if c.sheet == sheet]
        moved = {d.dest[0] for i in ids if self.names and (d := self.names.get(i.lower())) and d.dest
                 and d.dest[0] != sheet and d.dest[0] in self.grids}
        if moved:
            return f"找不到工作表“{sheet}”，它可能被改名为“{'”“'.join(sorted(moved))}”；该表的数据未读取"
        have = "、".join(f"“{s}”" for s in self.grids)
        return f"找不到工作表“{sheet}”（可能被删除或改名；现有工作表：{have}）；该表的数据未读取"

    # -- 基本信息 ----------------------------------------------------------------------------------
    def read_info(self) -> None:
        fmt, sheet = self.fmt, self.fmt.info_sheet
        self.data.info = {f["id"]: "" for f in fmt.info}
        if sheet in self.missing:
            return
        pos = fmt.info_cells()
        for f in fmt.info:
            labels = f"{sheet}{model.SEP}{f['label']}"
            found = self.locator.place(f["id"], sheet, pos[f["id"]], self.label_at(sheet, 0, 0, f["label"], labels),
                                       labels)
            if found is None:
                continue
            row, col = found.pos
            at = self.where(sheet, row, col, labels)
            text = self.cells.text(sheet, row, col, at, as_number=f["type"] == "year")
            if text is None:
                continue
            if f["type"] == "year" or f["id"] == "postcode":
                text = "".join(unicodedata.normalize("NFKC", text).split())
            self.data.info[f["id"]] = text
            if not text:
                if f.get("required"):
                    self.emit(sheet, row, col, make(Code.I01, f"“{f['label']}”未填写", **at))
            elif f["type"] == "year" and not re.fullmatch(r"\d{4}", text):
                self.emit(sheet, row, col, make(Code.I02, f"“{f['label']}”应为四位年份（如 2026），填写的是“{text}”", **at))
            elif f["id"] == "postcode" and not re.fullmatch(r"\d{6}", text):
                self.emit(sheet, row, col, make(Code.I02, f"“{f['label']}”应为 6 位数字，填写的是“{text}”", **at))
            elif f["type"] == "year":
                self.check_year(int(text), sheet, row, col, at)

    def check_year(self, year: int, sheet: str, row: int, col: int, at: dict) -> None:
        fmt = self.fmt
        if fmt.serves(year):
            return
        self.emit(sheet, row, col, make(
            Code.S07, f"本模板为 {fmt.label} 格式，适用于{registry.span_text(fmt.id)}的报告，"
                      f"但“报告年度”填写的是 {year}（{registry.years_text()}）", **at))

    # -- 表二/表三/表四 ------------------------------------------------------------------------------
    def read_table(self, tl: model.TableLayout) -> list:
        """Read the input cells of one table; return the total cells ``(cell, row, col)`` to verify
        once every input is known."""
        sheet, inputs = tl.sheet, self.data.inputs
        for c in tl.cells:
            if c.is_input:
                inputs[c.id] = None
        if sheet in self.missing:
            return []
        geo = self.locator.geometry(tl)
        owners = {geo.expected(c): c for c in tl.cells}
        totals = []
        for c in tl.cells:
            found = self.locator.place_cell(tl, c, geo, owners)
            if found is None:
                continue
            row, col = found
            self.data.addresses[c.id] = model.a1(row, col)
            self.pos[c.id] = (row, col)
            self.note_shift(sheet, row - c.row, col - c.col)
            if c.is_input:
                self.read_input(c, row, col)
            else:
                totals.append((c, row, col))
        return totals

    def read_input(self, c: model.Cell, row: int, col: int) -> None:
        at = self.where(c.sheet, row, col, c.label_path)
        p = self.cells.read_number(c, row, col, at)
        if p.code is Code.V01:
            if self.blank_as_zero:
                self.data.inputs[c.id] = 0
                self.blanks.append(f"{c.sheet}!{model.a1(row, col)}")
                return
            self.data.blank.add(c.id)
            self.emit(c.sheet, row, col, make(Code.V01, "", **at))
        if p.coerced and p.code is None and not self.cells.formula(c.sheet, row, col):
            self.coerced.add(c.id)
        self.data.inputs[c.id] = p.value

    def check_total(self, c: model.Cell, row: int, col: int) -> None:
        leaves = self.fmt.leaves(c.id)
        if any(self.data.inputs.get(x) is None for x in leaves):
            return  # parts unreadable: already reported
        expected = sum((self.data.inputs[x] for x in leaves), 0)
        parts = [self.pos.get(p, (self.fmt.cells[p].row, self.fmt.cells[p].col)) for p in c.total_of]
        self.cells.check_total(self.fmt, c, row, col, expected, self.where(c.sheet, row, col, c.label_path),
                               parts, any(x in self.coerced for x in leaves))

    # -- 注, choices, 正文 -------------------------------------------------------------------------
    def read_note_and_choices(self, tl: model.TableLayout) -> None:
        sheet = tl.sheet
        self.data.notes[tl.id] = ""
        for spec, _, _ in tl.choices:
            self.data.choices[spec["id"]] = spec.get("default", "")
        if sheet in self.missing:
            return
        down = self.moved.get(sheet, (0, 0))[0]
        if tl.note is not None:
            lab = tl.note_label
            labels = f"{tl.heading}{model.SEP}注"
            verify = (lambda p: []) if lab is None else self.label_at(sheet, -1, lab.col, lab.text, labels)
            found = self.locator.place(tl.note_id, sheet, (tl.note.row + down, tl.note.col), verify, labels)
            if found is not None:
                row, col = found.pos
                self.note_shift(sheet, row - tl.note.row, col - tl.note.col)
                text = self.cells.text(sheet, row, col, self.where(sheet, row, col, labels))
                self.data.notes[tl.id] = text or ""
        for spec, lab, box in tl.choices:
            labels = f"{tl.heading}{model.SEP}{spec['label']}"
            found = self.locator.place(spec["id"], sheet, (box.row + down, box.col),
                                       self.label_at(sheet, 0, lab.col, lab.text, labels), labels)
            if found is None:
                continue
            row, col = found.pos
            self.note_shift(sheet, row - box.row, col - box.col)
            at = self.where(sheet, row, col, labels)
            text = self.cells.text(sheet, row, col, at)
            if not text:
                continue
            if text not in spec["choices"]:
                self.emit(sheet, row, col, make(Code.V11, f"填写的是“{text}”，可选：{'、'.join(spec['choices'])}", **at))
                continue
            self.data.choices[spec["id"]] = text

    def note_shift(self, sheet: str, rows: int, cols: int) -> None:
        old = self.moved.get(sheet, (0, 0))
        self.moved[sheet] = (max(old[0], rows), max(old[1], cols))

    def outside(self, tl: model.TableLayout) -> None:
        """S09 (one per sheet): cells with content below or right of everything the template put
        on a table sheet (stretched by rows inserted), which the report never shows."""
        grid = self.grids[tl.sheet] if tl.sheet in self.grids else None
        if not grid:
            return
        boxes = tl.boxes + tl.check_boxes + [b for b in (tl.note, tl.note_label) if b is not None]
        boxes += [b for _, label, box in tl.choices for b in (label, box)]
        down, right = self.moved.get(tl.sheet, (0, 0))
        _, block_last, block_col = (carry.block_area(self.fmt, tl.id) if yearread.REFERENCE_SHEET in self.grids
                                    else (-1, -1, -1))          # 上年衔接, in templates made with --previous
        rows = max([b.row + b.rowspan for b in boxes] + [block_last + 1]) + down
        cols = max([b.col + b.colspan for b in boxes] + [r.check_pos[1] + 1 for r in tl.rules]
                   + [block_col + 1]) + right
        extra = [(r, c) for r, line in enumerate(grid) for c, v in enumerate(line)
                 if (r >= rows or c >= cols) and not values.is_blank(v)]
        if not extra:
            return
        shown = "、".join(model.a1(*rc) for rc in extra[:8]) + ("等" if len(extra) > 8 else "")
        self.emit(tl.sheet, *extra[0], make(Code.S09, f"表格范围（{model.a1(0, 0)}:{model.a1(rows - 1, cols - 1)}）外有 {len(extra)} 个单元格有内容"
            f"（{shown}），这些内容不会读入报告", file=self.file, sheet=tl.sheet, cell=model.a1(*extra[0]),
            extra={"cells": [model.a1(*rc) for rc in extra[:100]], "count": len(extra)}))

    def read_narrative(self) -> None:
        fmt, sheet = self.fmt, self.fmt.narrative_sheet
        self.data.narrative = {s["id"]: [] for s in fmt.narrative}
        if sheet in self.missing:
            return
        for s in fmt.narrative:
            _, first, last = fmt.narrative_rows()[s["id"]]
            labels = f"{sheet}{model.SEP}{s['label']}"
            found = self.locator.place(model.narrative_name(s["id"]), sheet, (first, 1),
                                       self.label_at(sheet, -1, 0, s["label"], labels), labels)
            if found is None:
                continue
            (row, col), end = found.pos, found.last_row if found.last_row is not None else last
            paragraphs, rows = [], []
            for r in range(row, end + 1):
                text = self.cells.text(sheet, r, col, self.where(sheet, r, col, labels), narrative=True)
                for line in (text or "").splitlines():
                    if line.strip():
                        paragraphs.append(line.strip())
                        rows.append(r)
            self.data.narrative[s["id"]] = paragraphs
            self.data.paragraph_rows[s["id"]] = rows
