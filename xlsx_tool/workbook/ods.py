"""An .ods judged by one pass over its ``content.xml`` before python-calamine parses it (F06).

python-calamine parses every sheet of an .ods when it opens the file and expands what the file
only declares: a cell repeated over ``table:number-columns-repeated`` columns is copied once per
column (its text and its formula with it), a row repeated over ``table:number-rows-repeated`` rows
once per row, and ``<text:s text:c="N"/>`` becomes N spaces.  A few KB of XML can so stand for
gigabytes.  The pass here (expat over the bytes, capped at :data:`.guards.MAX_SHEETS_BYTES`)
charges what calamine will materialise, for all sheets together: the rectangle each sheet's
valued cells span (:data:`.guards.MAX_GRID_CELLS`) and the characters of every cell — its text,
its ``text:s`` spaces and paragraph breaks, its string value and formula — times the columns and
rows it is repeated over (:data:`.guards.MAX_TEXT_CHARS`).

Elements and attributes are matched by their qualified names as written (``table:table-cell``),
as calamine matches them, and read as XML reads them: single or double quotes, spaces around
``=``, character references in a value (a regular expression expecting ``="…"`` missed
``table:number-columns-repeated='100'``, which calamine honours: 1.3 GB from a 6 MB file).  A
DOCTYPE or an entity declaration ends the pass (F06); XML that is not well-formed is F03.
"""
from __future__ import annotations

import zipfile
from xml.parsers import expat

from ..findings import Code, UserError
from ..formats.geometry import a1
from .guards import MAX_GRID_CELLS, MAX_SHEETS_BYTES, MAX_TEXT_CHARS, TOO_FAR, entry_index, inflate, too_much_text

#: Attributes whose text calamine copies into the cell (once per repetition).
_STRING_ATTRS = ("office:string-value", "table:formula", "office:date-value", "office:time-value")
_CELLS = ("table:table-cell", "table:covered-table-cell")
#: A count written with more digits than this is taken as this many (never parsed in full).
_HUGE = 10**12


def _count(value: str | None, default: int = 1) -> int:
    """A repetition count as calamine parses it (Rust's ``usize`` parse: digits, a leading ``+``
    allowed — ``'+100'`` is 100 columns); anything else counts once (calamine refuses the file
    then), a number too long to matter as :data:`_HUGE`."""
    if value is None:
        return default
    digits = value.strip().removeprefix("+")
    if not digits.isdigit() or not digits.isascii():
        return default
    return _HUGE if len(digits) > 12 else int(digits)


def ods_guard(data: bytes, zf: zipfile.ZipFile, subject: str) -> None:
    """F06 for an .ods whose content is over :data:`.guards.MAX_SHEETS_BYTES` (all its sheets are
    in ``content.xml``), or whose sheets, once calamine has expanded every repetition, would span
    too many cells or hold too much text (see the module docstring); F06 for a DOCTYPE, F03 for
    content that is not well-formed XML."""
    info = entry_index(zf.infolist(), subject).get("content.xml")
    if info is None:
        raise UserError(Code.F03, subject, "缺少 content.xml")
    _Pass(inflate(data, info, MAX_SHEETS_BYTES, "表格内容", subject), subject).run()


class _Doctype(Exception):
    pass


def _refuse(*_args) -> None:
    raise _Doctype()


class _Pass:
    def __init__(self, xml: bytes, subject: str):
        self.xml, self.subject = xml, subject
        self.sheet = ""
        self.row = self.col = 0
        self.repeat = 1                 # rows the current row is repeated over
        self.rows = self.cols = 0       # extent of the current sheet's valued cells
        self.cells = 0                  # of the sheets before the current one
        self.text = 0                   # of the whole workbook
        self.cell: tuple[int, int, int] | None = None   # open cell: row, col, columns
        self.cell_text = 0
        self.valued = False

    def judge_sheet(self) -> None:
        if self.cells + self.rows * self.cols > MAX_GRID_CELLS:
            extra = "（全部工作表合计）" if self.cells else ""
            raise UserError(Code.F06, self.subject, f"工作表“{self.sheet[:40]}”的内容延伸到 {self.rows} 行 × {self.cols} 列{extra}，"
                            f"远超表格范围；{TOO_FAR}")

    def close_cell(self) -> None:
        row, col, n = self.cell
        if self.valued or self.cell_text:
            self.widen_at(row, col, n)
        chars = self.cell_text
        self.text += chars * n * self.repeat
        if self.text > MAX_TEXT_CHARS:
            repeated = f"，重复 {n} 列 × {self.repeat} 行" if n * self.repeat > 1 else ""
            raise too_much_text(self.subject, f"工作表“{self.sheet[:40]}”单元格 {a1(min(row, 1_048_575), min(col, 16_383))}"
                                f"（{chars} 个字{repeated}）", self.text)
        self.cell, self.cell_text, self.valued = None, 0, False

    def widen_at(self, row: int, col: int, n: int) -> None:
        self.rows, self.cols = max(self.rows, row + self.repeat), max(self.cols, col + n)
        if self.rows * self.cols > MAX_GRID_CELLS:
            self.judge_sheet()

    def start(self, name: str, attrs: dict) -> None:
        if name == "table:table" and self.cell is None:          # a new sheet (not one inside a cell)
            self.judge_sheet()
            self.cells += self.rows * self.cols
            self.sheet, self.row, self.rows, self.cols = attrs.get("table:name", ""), 0, 0, 0
        elif name == "table:table-row":
            if self.cell is not None:
                self.close_cell()
            self.repeat, self.col = _count(attrs.get("table:number-rows-repeated")), 0
        elif name in _CELLS:
            if self.cell is not None:                            # a cell inside a cell: close the outer one
                self.close_cell()
            n = _count(attrs.get("table:number-columns-repeated"))
            self.cell, self.col = (self.row, self.col, n), self.col + n
            self.valued = "office:value-type" in attrs or "table:formula" in attrs
            self.cell_text = sum(len(attrs[k]) for k in _STRING_ATTRS if k in attrs)
        elif self.cell is not None:
            if name == "text:s":
                self.cell_text += _count(attrs.get("text:c"))
            elif name in ("text:p", "text:h"):
                self.cell_text += 1

    def end(self, name: str) -> None:
        if name == "table:table-row":
            if self.cell is not None:
                self.close_cell()
            self.row += self.repeat
        elif name in _CELLS and self.cell is not None:
            self.close_cell()

    def chars(self, text: str) -> None:
        if self.cell is not None:
            self.cell_text += len(text)

    def run(self) -> None:
        p = expat.ParserCreate()
        p.StartDoctypeDeclHandler = p.EntityDeclHandler = _refuse
        p.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        p.buffer_text = True
        p.StartElementHandler, p.EndElementHandler, p.CharacterDataHandler = self.start, self.end, self.chars
        try:
            p.Parse(self.xml, True)
        except _Doctype:
            raise UserError(Code.F06, self.subject, "content.xml 中含有 DOCTYPE/实体声明，正常的表格文件不会有，可能是恶意文件") from None
        except expat.ExpatError as exc:
            raise UserError(Code.F03, self.subject, f"content.xml 不是有效的 XML（{expat.ErrorString(exc.code)}，"
                            f"第 {exc.lineno} 行）") from None
        if self.cell is not None:
            self.close_cell()
        self.judge_sheet()
