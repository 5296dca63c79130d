"""What one cell holds, and reading it as the value of a table, a label or a text.

A cell's cached value comes from python-calamine; an .xlsx worksheet's tokenizer pass
(:mod:`.xmlscan`) adds whether it holds a formula (and its text), an error value (``#DIV/0!``,
which calamine reads as an empty string) and the number exactly as stored (calamine turns a
number shown in a date format into a date).

Reading a table input (:meth:`CellValues.read_number`): an error value is V12; a formula gives V08
(its result is used) or V09 (no result stored); a number shown as a date is that number (V13);
then :func:`~xlsx_tool.formats.values.parse_number` (V01–V07; a formula's money result rounded
to the format's precision).  Totals (:meth:`CellValues.check_total`): S04/S05 for a total typed
over, S06 for a stale or erroneous cached result.  Text (:meth:`CellValues.text`): an error value
is reported, control and invisible characters are reported (shown as ``<U+…>``).
"""
from __future__ import annotations

import datetime as _dt

from ..findings import Code, has_unsafe, make, visible
from ..formats import model, values
from ..formats.geometry import ranges
from .files import Workbook

_DATES = (_dt.date, _dt.time, _dt.timedelta)


class CellValues:
    """The cells of one workbook (``wb``); findings go to ``emit(sheet, row, col, finding)``."""

    def __init__(self, wb: Workbook, emit):
        self.wb, self.emit = wb, emit
        self.loaded: dict[str, list] = {}
        self.system = "1904" if wb.date1904 else ("ods" if wb.kind == "ods" else "1900")

    def raw(self, sheet: str, row: int, col: int):
        grid = self.loaded.get(sheet)
        if grid is None:
            grid = self.loaded[sheet] = self.wb.grids[sheet] if sheet in self.wb.grids else ()
        if 0 <= row < len(grid):
            line = grid[row]
            if 0 <= col < len(line):
                return line[col]
        return None

    def _scan(self, sheet: str):
        return self.wb.scans.get(sheet)

    @property
    def knows_formulas(self) -> bool:
        """Whether formulas are known (an .xlsx); .xls/.ods give cached values only."""
        return self.wb.kind == "xlsx"

    def formula(self, sheet: str, row: int, col: int) -> str | None:
        scan = self._scan(sheet)
        return scan.formulas.get((row, col)) if scan else None

    def error(self, sheet: str, row: int, col: int) -> str | None:
        scan = self._scan(sheet)
        return scan.errors.get((row, col)) if scan else None

    def number_behind_date(self, sheet: str, row: int, col: int, raw) -> float | None:
        """The number of a cell shown in a date/time format, else ``None``."""
        if not isinstance(raw, _DATES):
            return None
        scan = self._scan(sheet)
        text = scan.numbers.get((row, col)) if scan else None
        if text is not None:
            try:
                return float(text)
            except ValueError:
                pass
        return values.serial_number(raw, self.system)

    # -- table inputs ------------------------------------------------------------------------------
    def read_number(self, c: model.Cell, row: int, col: int, at: dict) -> values.Parsed:
        """The value of input cell ``c`` read at ``(row, col)``; V findings emitted (``at``: the
        location keywords).  ``Parsed.code`` V01 marks a blank the caller may count as 0."""
        sheet = c.sheet
        raw, formula = self.raw(sheet, row, col), self.formula(sheet, row, col)
        err = self.error(sheet, row, col)
        if err:
            how = f"（公式 {formula}）" if formula else ""
            self.emit(sheet, row, col, make(Code.V12, f"显示 {err}{how}，该数据未读取", **at))
            return values.Parsed(None, Code.V12, text=err)
        if formula:
            if values.is_blank(raw):
                self.emit(sheet, row, col, make(Code.V09, f"公式 {formula} 没有保存计算结果", **at))
                return values.Parsed(None, Code.V09)
            self.emit(sheet, row, col, make(Code.V08, f"公式 {formula} 的计算结果为 {values.display(raw)}", **at))
        number = self.number_behind_date(sheet, row, col, raw)
        if number is not None:
            self.emit(sheet, row, col, make(Code.V13, f"显示为“{values.to_text(raw)}”，已按数值 "
                                                       f"{values.display(number)} 读取", **at))
            raw = number
        p = values.parse_number(raw, c.type, computed=bool(formula))
        if p.code and p.code is not Code.V01:
            self.emit(sheet, row, col, make(p.code, value_message(p), **at))
        elif p.coerced and not formula:
            self.emit(sheet, row, col, make(Code.V05, f"原内容为“{p.text}”，已按 {p.value} 读取", **at))
        return p

    def check_total(self, fmt: model.Format, c: model.Cell, row: int, col: int, expected, at: dict,
                    parts_at: list, text_parts: bool) -> None:
        """S04/S05 for a total typed over, S06 for a stale or erroneous cached result (.xls/.ods:
        any cached result); ``expected`` is the sum of its parts, ``parts_at`` their positions,
        ``text_parts`` whether one of them was text (which a spreadsheet's SUM skips)."""
        sheet, raw = c.sheet, self.raw(c.sheet, row, col)
        rule = next((r for r in fmt.rules if r.kind == "total" and r.left[0] == c.id
                     and r.right == c.total_of), None) or fmt.rule_for_total(c.id)
        at = {**at, "left": f"{model.SEP.join(c.rows + c.cols)}({model.a1(row, col)})",
              "right": f"各项之和({ranges(parts_at, ' + ')})", "extra": {"rule": rule.code} if rule else {}}
        about = f"（勾稽关系 {rule.code}：{rule.title}）" if rule else ""
        restore = f"；恢复公式：在 {model.a1(row, col)} 中输入 =SUM({ranges(parts_at)})"
        formula, err = self.formula(sheet, row, col), self.error(sheet, row, col)
        if err:
            self.emit(sheet, row, col, make(Code.S06, f"文件中保存的结果是错误值 {err}，各项之和为 {expected}{about}",
                                            left_value=err, right_value=expected, **at))
            return
        if not self.knows_formulas or formula:
            number, _ = values.as_decimal(raw) if isinstance(raw, (int, float)) else (None, False)
            if number is not None and number != expected:
                why = "；文本格式的数字不计入表格软件的求和，请改为直接输入数字" if text_parts else ""
                self.emit(sheet, row, col, make(Code.S06, f"文件中保存的结果为 {values.display(raw)}，各项之和为 {expected}{about}{why}",
                    left_value=values.plain(number), right_value=expected,
                    difference=values.plain(number - expected), **at))
            return
        if values.is_blank(raw):
            self.emit(sheet, row, col, make(Code.S05, f"合计格为空，本工具按各项之和 {expected} 计算{about}{restore}",
                title="合计单元格的公式被删除", **at))
            return
        number = self.number_behind_date(sheet, row, col, raw)
        p = values.parse_number(raw if number is None else number, c.type)
        if p.value is None:
            self.emit(sheet, row, col, make(Code.S04, f"合计格中填写的是“{p.text}”，各项之和为 {expected}{about}{restore}",
                left_value=p.text, right_value=expected, **at))
        elif p.value == expected:
            self.emit(sheet, row, col, make(Code.S05, f"填写的数值 {p.value} 与各项之和一致{about}{restore}", **at))
        else:
            self.emit(sheet, row, col, make(Code.S04, f"合计格中填写的是 {p.value}，各项之和为 {expected}，相差 {p.value - expected}{about}{restore}",
                left_value=p.value, right_value=expected, difference=p.value - expected, **at))

    # -- text --------------------------------------------------------------------------------------
    def text(self, sheet: str, row: int, col: int, at: dict, *, narrative: bool = False,
             as_number: bool = False) -> str | None:
        """A 基本信息 / 注 / choice / 正文 cell as text; ``None`` for an error value (V12, or N04 in
        the 正文) — never read as blank.  Control or invisible characters: V14 (N06 in the 正文).
        ``as_number``: a number shown as a date reads as the number (V13)."""
        raw = self.raw(sheet, row, col)
        err = self.error(sheet, row, col)
        if err:
            formula = self.formula(sheet, row, col)
            how = f"（公式 {formula}）" if formula else ""
            code, tail = (Code.N04, "") if narrative else (Code.V12, "，该内容未读取")
            self.emit(sheet, row, col, make(code, f"显示 {err}{how}{tail}", **at))
            return None
        if as_number and (number := self.number_behind_date(sheet, row, col, raw)) is not None:
            self.emit(sheet, row, col, make(Code.V13, f"显示为“{values.to_text(raw)}”，已按数值 "
                                                       f"{values.display(number)} 读取", **at))
            raw = number
        text = values.to_text(raw)
        if has_unsafe(text.replace("\r", "")):    # CR LF pasted from Word is a line break
            shown = visible(text)
            shown = shown if len(shown) <= 60 else shown[:60] + "…"
            code = Code.N06 if narrative else Code.V14
            self.emit(sheet, row, col, make(code, f"内容为“{shown}”", **at))
        return text


def value_message(p: values.Parsed) -> str:
    if p.code is Code.V01:
        return ""
    if p.code is Code.V06:
        return f"填写的是 {p.text}（{values.decimals_of(p.text)} 位小数）"
    if p.code is Code.V07:
        return f"填写的是 {p.text}，超过 {values.MAX_VALUE:,}"
    return f"填写的是“{p.text}”"
