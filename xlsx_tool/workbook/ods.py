"""An .ods judged by one pass over its ``content.xml`` before python-calamine parses it (F06).

python-calamine parses every sheet of an .ods when it opens the file and expands what the file
only declares: a cell repeated over ``table:number-columns-repeated`` columns is copied once per
column (its text and its formula with it), a row repeated over ``table:number-rows-repeated`` rows
once per row, and ``<text:s text:c="N"/>`` becomes N spaces.  A few KB of XML can so stand for
gigabytes.  The pass here (regular expressions over the bytes, capped at
:data:`.guards.MAX_SHEETS_BYTES`) charges what calamine will materialise, for all sheets
together: the rectangle each sheet's valued cells span (:data:`.guards.MAX_GRID_CELLS`) and the
characters of every cell — its text, its ``text:s`` spaces and paragraph breaks, its string value
and formula — times the columns and rows it is repeated over (:data:`.guards.MAX_TEXT_CHARS`).
"""
from __future__ import annotations

import re
import zipfile

from ..findings import Code, UserError
from ..formats.geometry import a1
from .guards import MAX_GRID_CELLS, MAX_SHEETS_BYTES, MAX_TEXT_CHARS, TOO_FAR, inflate, too_much_text

_TOKEN = re.compile(rb'<table:table\s[^>]*?table:name="(?P<sheet>[^"]*)"|<table:table-row\b(?P<row>[^>]*)>'
                    rb'|(?P<row_end></table:table-row\s*>)|<table:(?:covered-)?table-cell\b(?P<cell>[^>]*?)(?P<empty>/?)>'
                    rb'|(?P<cell_end></table:(?:covered-)?table-cell\s*>)')
_ROWS_REPEATED = re.compile(rb'table:number-rows-repeated\s*=\s*"(\d+)"')
_COLUMNS_REPEATED = re.compile(rb'table:number-columns-repeated\s*=\s*"(\d+)"')
_STRING_ATTRS = re.compile(rb'(?:office:string-value|table:formula|office:date-value|office:time-value)\s*=\s*"([^"]*)"')
_SPACES = re.compile(rb'<text:s\b([^>]*)>')
_SPACE_COUNT = re.compile(rb'text:c\s*=\s*"(\d+)"')
_TAG = re.compile(rb"<[^>]*>")
#: UTF-8 continuation bytes: what is left after deleting them is one byte per character.
_CONTINUATION = bytes(range(0x80, 0xC0))
#: A count written with more digits than this is taken as this many (never parsed in full).
_HUGE = 10**12


def _count(match: re.Match | None, default: int = 1) -> int:
    if match is None:
        return default
    digits = match.group(1)
    return _HUGE if len(digits) > 12 else int(digits)


def _chars(fragment: bytes) -> int:
    """The characters calamine makes of XML between two table tokens: the text outside tags, a
    space per ``text:s`` (``text:c`` of them), a line break per paragraph (an upper bound:
    entities count as written)."""
    text = _TAG.sub(b"", fragment) if b"<" in fragment else fragment
    n = len(text.translate(None, _CONTINUATION))
    if b"<text:" in fragment:
        n += fragment.count(b"<text:p") + fragment.count(b"<text:h")
        for m in _SPACES.finditer(fragment):
            n += _count(_SPACE_COUNT.search(m.group(1)))
    return n


def ods_guard(data: bytes, zf: zipfile.ZipFile, subject: str) -> None:
    """F06 for an .ods whose content is over :data:`.guards.MAX_SHEETS_BYTES` (all its sheets are
    in ``content.xml``), or whose sheets, once calamine has expanded every repetition, would span
    too many cells or hold too much text (see the module docstring)."""
    info = zf.NameToInfo.get("content.xml")
    if info is None:
        raise UserError(Code.F03, subject, "缺少 content.xml")
    _Pass(inflate(data, info, MAX_SHEETS_BYTES, "表格内容", subject), subject).run()


class _Pass:
    def __init__(self, xml: bytes, subject: str):
        self.xml, self.subject = xml, subject
        self.sheet = b""
        self.row = self.col = 0
        self.repeat = 1                 # rows the current row is repeated over
        self.rows = self.cols = 0       # extent of the current sheet's valued cells
        self.cells = 0                  # of the sheets before the current one
        self.text = 0                   # of the whole workbook
        self.cell: tuple[int, int, int, bytes] | None = None   # open cell: row, col, columns, attributes
        self.cell_text = 0

    def name(self) -> str:
        return self.sheet.decode("utf-8", errors="replace")[:40]

    def judge_sheet(self) -> None:
        if self.cells + self.rows * self.cols > MAX_GRID_CELLS:
            extra = "（全部工作表合计）" if self.cells else ""
            raise UserError(Code.F06, self.subject, f"工作表“{self.name()}”的内容延伸到 {self.rows} 行 × {self.cols} 列{extra}，"
                            f"远超表格范围；{TOO_FAR}")

    def close_cell(self) -> None:
        row, col, n, attrs = self.cell
        chars = self.cell_text + sum(len(m.group(1)) for m in _STRING_ATTRS.finditer(attrs))
        self.text += chars * n * self.repeat
        if self.text > MAX_TEXT_CHARS:
            repeated = f"，重复 {n} 列 × {self.repeat} 行" if n * self.repeat > 1 else ""
            raise too_much_text(self.subject, f"工作表“{self.name()}”单元格 {a1(min(row, 1_048_575), min(col, 16_383))}"
                                f"（{chars} 个字{repeated}）", self.text)
        self.cell, self.cell_text = None, 0

    def run(self) -> None:
        xml, end = self.xml, 0
        for m in _TOKEN.finditer(xml):
            if self.cell is not None and m.start() > end:
                self.cell_text += _chars(xml[end:m.start()])
            end = m.end()
            kind = m.lastgroup
            if kind == "sheet" and self.cell is None:          # a new sheet (not one inside a cell)
                self.judge_sheet()
                self.cells += self.rows * self.cols
                self.sheet, self.row, self.rows, self.cols = m.group("sheet"), 0, 0, 0
            elif kind == "row":
                self.repeat, self.col = _count(_ROWS_REPEATED.search(m.group("row"))), 0
                if m.group("row").endswith(b"/"):
                    self.row += self.repeat
            elif kind == "row_end":
                self.row += self.repeat
            elif kind in ("cell", "empty"):
                attrs = m.group("cell")
                n = _count(_COLUMNS_REPEATED.search(attrs))
                if not m.group("empty") or b"office:value-type" in attrs or b"table:formula" in attrs:
                    self.rows, self.cols = max(self.rows, self.row + self.repeat), max(self.cols, self.col + n)
                    if self.rows * self.cols > MAX_GRID_CELLS:
                        self.judge_sheet()
                if self.cell is not None:                       # a cell left open: close it first
                    self.close_cell()
                self.cell = (self.row, self.col, n, attrs)
                if m.group("empty"):
                    self.close_cell()
                self.col += n
            elif kind == "cell_end" and self.cell is not None:
                self.close_cell()
        if self.cell is not None:
            self.close_cell()
        self.judge_sheet()
