"""Read a filled workbook back into :class:`~xlsx_tool.formats.content.ReportData`, saying what was odd.

One pass over the file (:mod:`.files`): the bytes are checked (exists, type,
encryption, zip bomb) before any parser sees them; python-calamine reads every cached value; for
.xlsx, openpyxl (``data_only=False``, never ``read_only``: WPS writes wrong dimensions) supplies
the defined names, the formulas and the custom document properties.  .xls and .ods are read with
calamine only, cells located by the model's positions.

Every cell is located by its defined name (its field id), falling back to the model position (S02),
and its row and column labels are compared with the official ones (S03: the value is then not
read).  Findings come out in sheet/row order; file-level ones (S08, V10) first.

Summaries instead of floods: S02 is one finding per sheet listing the cells read by position; S03
is one finding per wrong label (naming the data cells it affects), at most
:data:`MAX_LABEL_FINDINGS` per sheet plus one line counting the rest; with ``blank_as_zero`` the
blanks read as 0 give a single V10 提示.
"""
from __future__ import annotations

import re
import unicodedata
from ..findings import Code, make
from ..formats import carry, model, registry, values
from ..formats.content import ReportData
from ..formats.geometry import ranges
from . import files, yearsheets

MAX_LABEL_FINDINGS = 5


# -- reading --------------------------------------------------------------------------------------
def read_workbook(path, *, blank_as_zero: bool = False) -> ReportData:
    """Read a filled workbook (.xlsx/.xlsm/.xls/.ods) made by ``xlsx-tool template``.

    Raises :class:`UserError` (F01–F08) when the file cannot be used at all; everything else is a
    finding in ``.findings``.  ``blank_as_zero``: blank input cells count as 0 and are summarised in
    one V10 提示 instead of a V01 错误 each.
    """
    subject = str(path)
    kind, data = files.load_bytes(path)
    grids = files.calamine_grids(data, subject)
    book = files.openpyxl_book(data, subject) if kind == "xlsx" else None
    props = files.custom_props(book) if book is not None else {}
    info_sheets = [registry.raw(f)["basic_info"]["sheet"] for f in registry.available()]
    fmt = model.load(files.format_id(grids, info_sheets, props, subject))
    reader = _Reader(subject, kind, grids, book, fmt, blank_as_zero)
    data = reader.run()
    yearsheets.read_into(data, grids, reader.names)
    if props.get(files.PROP_LAYOUT) and props[files.PROP_LAYOUT] != fmt.layout_hash:
        version = props.get(files.PROP_VERSION, "")
        made = f"模板由 xlsx_tool {version} 生成，" if version else ""
        old = (f"；其中 {len(reader.former_used)} 个单元格使用旧版本的名称（如 {reader.former_used[0]}），"
               "已按对应的新名称读取" if reader.former_used else "")
        data.findings.insert(0, make(Code.S08, f"{made}模板版式编号 {props[files.PROP_LAYOUT]}，"
                                               f"本版本为 {fmt.layout_hash}{old}", file=subject))
    return data


class _Reader:
    def __init__(self, file: str, kind: str, grids: dict, book, fmt: model.Format, blank_as_zero: bool):
        self.file, self.grids, self.book, self.fmt = file, grids, book, fmt
        self.blank_as_zero = blank_as_zero
        self.names = files.defined_names(book) if book is not None else None
        self.data = ReportData(fmt, source=file, kind=kind)
        self.order = {s: i for i, s in enumerate(
            [fmt.info_sheet, fmt.narrative_sheet] + [t.sheet for t in fmt.tables])}
        self.found: list[tuple] = []
        self.by_position: dict[str, list[tuple[int, int]]] = {}
        self.bad_labels: dict[tuple, list] = {}
        self.blanks: list[str] = []
        self.pos: dict[str, tuple[int, int]] = {}
        self.coerced: set[str] = set()
        self.missing = [s for s in self.order if s not in grids]
        #: sheet → (rows, columns) the tables moved down/right (rows inserted), from named cells
        self.moved: dict[str, tuple[int, int]] = {}
        #: today's name → the name version 0.1 gave the same cell, and those actually found
        self.former = {new: old for old, new in fmt.former_names.items()}
        self.former_used: list[str] = []

    # -- helpers ---------------------------------------------------------------------------------
    def emit(self, sheet: str | None, row: int, col: int, finding) -> None:
        self.found.append(((self.order.get(sheet, -1) if sheet else -1, row, col), finding))

    def where(self, sheet: str, row: int, col: int, labels: str = "") -> dict:
        return {"file": self.file, "sheet": sheet, "cell": model.a1(row, col), "labels": labels}

    def raw(self, sheet: str, row: int, col: int):
        grid = self.grids.get(sheet, ())
        if 0 <= row < len(grid) and 0 <= col < len(grid[row]):
            return grid[row][col]
        return None

    def formula(self, sheet: str, row: int, col: int) -> str | None:
        """The formula text in a cell (.xlsx only), else ``None``."""
        if self.book is None or sheet not in self.book.sheetnames:
            return None
        cell = self.book[sheet].cell(row + 1, col + 1)
        if cell.data_type != "f":
            return None
        v = cell.value
        return v if isinstance(v, str) else str(getattr(v, "text", None) or v)

    def locate(self, name: str, sheet: str, pos: tuple[int, int],
               last: int | None = None) -> tuple[int, int, int, bool]:
        """``(row, col, last_row, named)``: where the defined name points on ``sheet``, else the
        model position ``pos`` (down to ``last``) with ``named`` False.  Without names
        (.xls/.ods) the model position counts as named."""
        fallback = (pos[0], pos[1], pos[0] if last is None else last)
        if self.names is None:
            return (*fallback, True)
        dest = self.names.get(name.lower())
        if dest is None and name in self.former:       # a workbook of version 0.1
            dest = self.names.get(self.former[name].lower())
            if dest is not None:
                self.former_used.append(self.former[name])
        if dest and dest[0] == sheet:
            return dest[1], dest[2], dest[3], True
        return (*fallback, False)

    def label_ok(self, sheet: str, row: int, col: int, expected: str, affected: str,
                 labels: str) -> bool:
        if files.norm_label(self.raw(sheet, row, col)) == files.norm_label(expected):
            return True
        entry = self.bad_labels.setdefault((sheet, row, col), [expected, labels, []])
        if affected not in entry[2]:
            entry[2].append(affected)
        return False

    def fell_back(self, named: bool, sheet: str, row: int, col: int) -> None:
        if not named:
            self.by_position.setdefault(sheet, []).append((row, col))

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
        self.summaries()
        self.found.sort(key=lambda kf: kf[0])
        self.data.findings = [f for _, f in self.found]
        return self.data

    def _missing_message(self, sheet: str) -> str:
        ids = [c.id for c in self.fmt.cells.values() if c.sheet == sheet]
        moved = {d[0] for i in ids if self.names and (d := self.names.get(i.lower()))
                 and d[0] != sheet and d[0] in self.grids}
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
            row, col, _, named = self.locate(f["id"], sheet, pos[f["id"]])
            labels = f"{sheet}{model.SEP}{f['label']}"
            if not self.label_ok(sheet, row, 0, f["label"], model.a1(row, col), labels):
                continue
            self.fell_back(named, sheet, row, col)
            text = values.to_text(self.raw(sheet, row, col))
            if f["type"] == "year" or f["id"] == "postcode":
                text = "".join(unicodedata.normalize("NFKC", text).split())
            self.data.info[f["id"]] = text
            at = self.where(sheet, row, col, labels)
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
        located = {c.id: self.locate(c.id, sheet, (c.row, c.col)) for c in tl.cells}
        first = {(c.block_first_row, c.col): located[c.id] for c in tl.cells
                 if c.row == c.block_first_row}
        totals = []
        for c in tl.cells:
            row, col, _, named = located[c.id]
            here = model.a1(row, col)
            ok = True
            if c.row_header is not None:
                ok = self.label_ok(sheet, row, c.row_header.col, c.row_header.text, here,
                                   model.SEP.join((c.table_title,) + c.rows))
            frow, fcol, _, _ = first[(c.block_first_row, c.col)]
            hrow = frow - (c.block_first_row - c.col_header.row)
            ok = self.label_ok(sheet, hrow, fcol, c.col_header.text, here,
                               model.SEP.join((c.table_title,) + c.cols)) and ok
            if not ok:
                continue
            self.fell_back(named, sheet, row, col)
            self.data.addresses[c.id] = here
            self.pos[c.id] = (row, col)
            self.note_shift(sheet, row - c.row, col - c.col)
            if c.is_input:
                self.read_input(c, row, col)
            else:
                totals.append((c, row, col))
        return totals

    def read_input(self, c: model.Cell, row: int, col: int) -> None:
        sheet, raw = c.sheet, self.raw(c.sheet, row, col)
        at = self.where(sheet, row, col, c.label_path)
        formula = self.formula(sheet, row, col)
        if formula:
            if values.is_blank(raw):
                self.emit(sheet, row, col, make(Code.V09, f"公式 {formula} 没有保存计算结果", **at))
                return
            self.emit(sheet, row, col, make(Code.V08, f"公式 {formula} 的计算结果为 {values.display(raw)}", **at))
        p = values.parse_number(raw, c.type)
        if p.code is Code.V01 and self.blank_as_zero:
            self.data.inputs[c.id] = 0
            self.blanks.append(f"{sheet}!{model.a1(row, col)}")
            return
        if p.code is Code.V01:
            self.data.blank.add(c.id)
        if p.code:
            self.emit(sheet, row, col, make(p.code, _value_message(p), **at))
        elif p.coerced and not formula:
            self.coerced.add(c.id)
            self.emit(sheet, row, col, make(Code.V05, f"原内容为“{p.text}”，已按 {p.value} 读取", **at))
        self.data.inputs[c.id] = p.value

    def check_total(self, c: model.Cell, row: int, col: int) -> None:
        """S04/S05 for a total typed over, S06 for a stale cached result (.xls/.ods: any result)."""
        leaves = self.fmt.leaves(c.id)
        if any(self.data.inputs.get(x) is None for x in leaves):
            return  # parts unreadable: already reported
        expected = sum((self.data.inputs[x] for x in leaves), 0)
        sheet, raw = c.sheet, self.raw(c.sheet, row, col)
        rule = next((r for r in self.fmt.rules if r.kind == "total" and r.left[0] == c.id
                     and r.right == c.total_of), None) or self.fmt.rule_for_total(c.id)
        where = [self.pos.get(p, (self.fmt.cells[p].row, self.fmt.cells[p].col)) for p in c.total_of]
        parts = ranges(where, " + ")
        restore = f"；恢复公式：在 {model.a1(row, col)} 中输入 =SUM({ranges(where)})"
        at = {**self.where(sheet, row, col, c.label_path),
              "left": f"{model.SEP.join(c.rows + c.cols)}({model.a1(row, col)})",
              "right": f"各项之和({parts})", "extra": {"rule": rule.code} if rule else {}}
        about = f"（勾稽关系 {rule.code}：{rule.title}）" if rule else ""
        formula = self.formula(sheet, row, col)
        if self.book is None or formula:
            number, _ = values.as_decimal(raw) if isinstance(raw, (int, float)) else (None, False)
            if number is not None and number != expected:
                why = ("；文本格式的数字不计入表格软件的求和，请改为直接输入数字"
                       if any(x in self.coerced for x in leaves) else "")
                self.emit(sheet, row, col, make(Code.S06, f"文件中保存的结果为 {values.display(raw)}，各项之和为 {expected}{about}{why}",
                    left_value=values.plain(number), right_value=expected,
                    difference=values.plain(number - expected), **at))
            return
        if values.is_blank(raw):
            self.emit(sheet, row, col, make(Code.S05, f"合计格为空，本工具按各项之和 {expected} 计算{about}{restore}",
                title="合计单元格的公式被删除", **at))
            return
        p = values.parse_number(raw, c.type)
        if p.value is None:
            self.emit(sheet, row, col, make(Code.S04, f"合计格中填写的是“{p.text}”，各项之和为 {expected}{about}{restore}",
                left_value=p.text, right_value=expected, **at))
        elif p.value == expected:
            self.emit(sheet, row, col, make(Code.S05, f"填写的数值 {p.value} 与各项之和一致{about}{restore}", **at))
        else:
            self.emit(sheet, row, col, make(Code.S04, f"合计格中填写的是 {p.value}，各项之和为 {expected}，相差 {p.value - expected}{about}{restore}",
                left_value=p.value, right_value=expected, difference=p.value - expected, **at))

    # -- 注, choices, 正文 -------------------------------------------------------------------------
    def read_note_and_choices(self, tl: model.TableLayout) -> None:
        sheet = tl.sheet
        self.data.notes[tl.id] = ""
        for spec, _, _ in tl.choices:
            self.data.choices[spec["id"]] = spec.get("default", "")
        if sheet in self.missing:
            return
        if tl.note is not None:
            row, col, _, named = self.locate(tl.note_id, sheet, (tl.note.row, tl.note.col))
            self.note_shift(sheet, row - tl.note.row, col - tl.note.col)
            lab = tl.note_label
            labels = f"{tl.heading}{model.SEP}注"
            if lab is None or self.label_ok(sheet, row - 1, lab.col, lab.text, model.a1(row, col), labels):
                self.fell_back(named, sheet, row, col)
                self.data.notes[tl.id] = values.to_text(self.raw(sheet, row, col))
        for spec, lab, box in tl.choices:
            row, col, _, named = self.locate(spec["id"], sheet, (box.row, box.col))
            self.note_shift(sheet, row - box.row, col - box.col)
            labels = f"{tl.heading}{model.SEP}{spec['label']}"
            if not self.label_ok(sheet, row, lab.col, lab.text, model.a1(row, col), labels):
                continue
            self.fell_back(named, sheet, row, col)
            text = values.to_text(self.raw(sheet, row, col))
            if not text:
                continue
            if text not in spec["choices"]:
                self.emit(sheet, row, col, make(Code.V11, f"填写的是“{text}”，可选：{'、'.join(spec['choices'])}",
                    **self.where(sheet, row, col, labels)))
                continue
            self.data.choices[spec["id"]] = text

    def note_shift(self, sheet: str, rows: int, cols: int) -> None:
        old = self.moved.get(sheet, (0, 0))
        self.moved[sheet] = (max(old[0], rows), max(old[1], cols))

    def outside(self, tl: model.TableLayout) -> None:
        """S09 (one per sheet): cells with content below or right of everything the template put
        on a table sheet (stretched by rows inserted), which the report never shows."""
        grid = self.grids.get(tl.sheet)
        if not grid:
            return
        boxes = tl.boxes + tl.check_boxes + [b for b in (tl.note, tl.note_label) if b is not None]
        boxes += [b for _, label, box in tl.choices for b in (label, box)]
        down, right = self.moved.get(tl.sheet, (0, 0))
        _, block_last, block_col = (carry.block_area(self.fmt, tl.id) if yearsheets.REFERENCE_SHEET in self.grids
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
            row, col, end, named = self.locate(model.narrative_name(s["id"]), sheet, (first, 1), last)
            labels = f"{sheet}{model.SEP}{s['label']}"
            if not self.label_ok(sheet, row - 1, 0, s["label"], model.a1(row, col), labels):
                continue
            self.fell_back(named, sheet, row, col)
            paragraphs, rows = [], []
            for r in range(row, end + 1):
                for line in values.to_text(self.raw(sheet, r, col)).splitlines():
                    if line.strip():
                        paragraphs.append(line.strip())
                        rows.append(r)
            self.data.narrative[s["id"]] = paragraphs
            self.data.paragraph_rows[s["id"]] = rows

    # -- summaries -------------------------------------------------------------------------------
    def summaries(self) -> None:
        for sheet, cells in self.by_position.items():
            cells.sort()
            shown = "、".join(model.a1(*rc) for rc in cells[:8]) + ("等" if len(cells) > 8 else "")
            self.emit(sheet, -1, 0, make(Code.S02, f"{len(cells)} 个单元格（{shown}）的名称缺失或失效，行列标签核对无误",
                file=self.file, sheet=sheet, cell=model.a1(*cells[0]),
                extra={"cells": [model.a1(*rc) for rc in cells]}))
        per_sheet: dict[str, int] = {}
        for (sheet, row, col), (expected, labels, affected) in sorted(self.bad_labels.items()):
            per_sheet[sheet] = per_sheet.get(sheet, 0) + 1
            if per_sheet[sheet] > MAX_LABEL_FINDINGS:
                continue
            found = values.to_text(self.raw(sheet, row, col)) or "（空）"
            shown = "、".join(affected[:8]) + ("等" if len(affected) > 8 else "")
            self.emit(sheet, row, col, make(Code.S03, f"此处应为“{expected}”，实际为“{found}”；{shown} 因此未读取",
                file=self.file, sheet=sheet, cell=model.a1(row, col), labels=labels,
                extra={"expected": expected, "found": found, "cells": affected}))
        for sheet, n in per_sheet.items():
            if n > MAX_LABEL_FINDINGS:
                self.emit(sheet, 10**6, 0, make(Code.S03, f"另有 {n - MAX_LABEL_FINDINGS} 处标签与官方格式不符，未逐一列出",
                    file=self.file, sheet=sheet))
        if self.blanks:
            shown = "、".join(self.blanks[:8]) + ("等" if len(self.blanks) > 8 else "")
            self.emit(None, 0, 0, make(Code.V10, f"共 {len(self.blanks)} 个未填写的单元格按 0 计算（{shown}）", file=self.file,
                extra={"cells": list(self.blanks)}))


def _value_message(p: values.Parsed) -> str:
    shown = f"“{p.text}”"
    if p.code is Code.V01:
        return ""
    if p.code is Code.V06:
        return f"填写的是 {p.text}（{values.decimals_of(p.text)} 位小数）"
    if p.code is Code.V07:
        return f"填写的是 {p.text}，超过 {values.MAX_VALUE:,}"
    return f"填写的是{shown}"
