"""A bounded tokenizer pass over the XML parts of an .xlsx package (expat, streaming).

One pass over a worksheet gives what the reader needs besides the cached values and what the
guards must know before python-calamine sees the part:

* the rectangle its valued cells span (calamine allocates all of it) — references written any
  way XML allows (``r='XFD1048576'``, ``r = "A1"``), and cells or rows without ``r`` placed as
  the format says (next column, next row);
* which cells hold a formula (and its text), which hold an error value (``#DIV/0!``) and the exact
  text of every number (a count shown as a date is read as the number typed).

Namespaces are matched by local name only, so a Strict-OOXML part reads like any other.  A
DOCTYPE or an entity declaration anywhere in a part ends the pass (F06): office suites never
write them.  Work is bounded by the caller's size caps (checked on the zip directory and on the
inflated bytes) and by the cell budget of :class:`Budget`, checked at every valued cell.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from xml.parsers import expat

from ..findings import Code, UserError
from ..formats.geometry import a1

CHUNK = 1 << 16
#: The largest reference a worksheet can hold (XFD1048576).
MAX_ROW, MAX_COL = 1_048_576, 16_384
_REF = re.compile(r"\s*\$?([A-Za-z]{1,3})\$?([0-9]{1,7})\s*")


class Hostile(Exception):
    """Raised inside a pass: the part declares a DOCTYPE/entity (``kind`` ``doctype``) or a
    reference is not a cell (``kind`` ``ref``)."""

    def __init__(self, kind: str, detail: str = ""):
        super().__init__(kind)
        self.kind, self.detail = kind, detail


def column_number(letters: str) -> int:
    """``"A"`` → 1, ``"XFD"`` → 16384."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def parse_ref(text: str) -> tuple[int, int] | None:
    """``"D6"``/``"$D$6"`` → 0-based ``(row, col)``; ``None`` for anything else."""
    m = _REF.fullmatch(text or "")
    if not m:
        return None
    row, col = int(m.group(2)), column_number(m.group(1))
    if not (1 <= row <= MAX_ROW and 1 <= col <= MAX_COL):
        return None
    return row - 1, col - 1


def _refuse_doctype(*_args) -> None:
    raise Hostile("doctype")


def parser() -> expat.XMLParserType:
    """An expat parser reporting ``"namespace local"`` names that refuses DOCTYPE and entities."""
    p = expat.ParserCreate(namespace_separator=" ")
    p.StartDoctypeDeclHandler = _refuse_doctype
    p.EntityDeclHandler = _refuse_doctype
    p.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    p.buffer_text = True
    return p


def local(name: str) -> str:
    return name.rpartition(" ")[2]


def elements(data: bytes) -> list[tuple[str, dict[str, str], str]]:
    """Every element of a small part as ``(local name, attributes by local name, text)`` in
    document order (text: the character data directly inside it).  Raises :class:`Hostile` or
    ``expat.ExpatError``."""
    out: list[tuple[str, dict[str, str], str]] = []
    stack: list[int] = []
    texts: list[list[str]] = []
    p = parser()

    def start(name, attrs):
        out.append((local(name), {local(k): v for k, v in attrs.items()}, ""))
        stack.append(len(out) - 1)
        texts.append([])

    def end(_name):
        i = stack.pop()
        parts = texts.pop()
        if parts:
            tag, attrs, _ = out[i]
            out[i] = (tag, attrs, "".join(parts))

    def chars(text):
        if texts:
            texts[-1].append(text)
    p.StartElementHandler, p.EndElementHandler, p.CharacterDataHandler = start, end, chars
    p.Parse(data, True)
    return out


@dataclass
class Budget:
    """Cells the whole workbook may span (rows × columns summed over the sheets read)."""
    cells: int
    used: int = 0


@dataclass
class SheetScan:
    """What one pass over a worksheet found (positions 0-based).

    ``rows``/``cols``: the extent of the valued cells (1-based counts, as calamine allocates from
    A1); ``far``: the farthest reference seen; ``formulas``: position → formula text with ``=``
    (a shared formula's followers: ``=`` + the first cell's text, ``shared`` + the master in
    ``shared_from``); ``errors``: position → error value (``#REF!``); ``numbers``: position → the
    number's text exactly as stored."""
    rows: int = 0
    cols: int = 0
    far: str = ""
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)
    shared_from: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)
    errors: dict[tuple[int, int], str] = field(default_factory=dict)
    numbers: dict[tuple[int, int], str] = field(default_factory=dict)


class _SheetPass:
    """The handlers of one worksheet pass (expat calls them for every element)."""

    def __init__(self, budget: Budget, on_far):
        self.scan = SheetScan()
        self.budget, self.on_far = budget, on_far
        self.row = -1          # 0-based current row
        self.col = -1          # 0-based column of the last cell
        self.cell: tuple[int, int] | None = None
        self.kind = ""         # t attribute of the current cell
        self.valued = False
        self.collect: list[str] | None = None
        self.what = ""         # "v" or "f" while collecting
        self.formula_attrs: dict = {}
        self.masters: dict[str, tuple[tuple[int, int], str]] = {}

    def start(self, name, attrs):
        tag = local(name)
        if tag == "c":
            ref = _attr(attrs, "r")
            if ref is not None:
                pos = parse_ref(ref)
                if pos is None:
                    raise Hostile("ref", ref)
            else:
                pos = (max(self.row, 0), self.col + 1)
                if pos[1] >= MAX_COL:
                    raise Hostile("ref", f"第 {pos[0] + 1} 行的第 {pos[1] + 1} 个单元格")
            self.cell, self.col = pos, pos[1]
            self.kind, self.valued = _attr(attrs, "t") or "", False
        elif tag == "row":
            ref = _attr(attrs, "r")
            if ref is not None:
                try:
                    r = int(ref.strip())
                except ValueError:
                    raise Hostile("ref", f"行号 {ref!r}") from None
                if not 1 <= r <= MAX_ROW:
                    raise Hostile("ref", f"行号 {ref}")
                self.row = r - 1
            else:
                self.row += 1
                if self.row >= MAX_ROW:
                    raise Hostile("ref", f"第 {self.row + 1} 行")
            self.col = -1
        elif self.cell is not None:
            if tag == "v":
                self.collect, self.what = [], "v"
            elif tag == "f":
                self.collect, self.what = [], "f"
                self.formula_attrs = {local(k): v for k, v in attrs.items()}
            elif tag == "is":
                self.valued = True

    def end(self, name):
        tag = local(name)
        if tag == "c":
            if self.valued and self.cell is not None:
                self.count(self.cell)
            self.cell = None
        elif tag == "v" and self.collect is not None and self.what == "v":
            text = "".join(self.collect)
            self.collect, self.valued = None, True
            if self.kind == "e":
                self.scan.errors[self.cell] = text.strip()
            elif self.kind in ("", "n"):
                self.scan.numbers[self.cell] = text.strip()
        elif tag == "f" and self.collect is not None and self.what == "f":
            self.formula("".join(self.collect))
            self.collect = None

    def chars(self, text):
        if self.collect is not None:
            self.collect.append(text)

    def formula(self, text: str) -> None:
        attrs, cell = self.formula_attrs, self.cell
        if attrs.get("t") == "shared" and attrs.get("si") is not None:
            si = attrs["si"]
            if text.strip():
                self.masters[si] = (cell, text)
            elif si in self.masters:
                master, text = self.masters[si]
                self.scan.shared_from[cell] = master
        self.scan.formulas[cell] = "=" + text.strip() if text.strip() else "=（共享公式）"

    def count(self, pos: tuple[int, int]) -> None:
        scan = self.scan
        rows, cols = max(scan.rows, pos[0] + 1), max(scan.cols, pos[1] + 1)
        if rows == scan.rows and cols == scan.cols:
            return
        old = scan.rows * scan.cols
        scan.rows, scan.cols = rows, cols
        scan.far = a1(*pos)
        if self.budget.used - old + rows * cols > self.budget.cells:
            self.on_far(scan)
        self.budget.used += rows * cols - old


def _attr(attrs: dict, name: str) -> str | None:
    if name in attrs:
        return attrs[name]
    for k, v in attrs.items():
        if local(k) == name:
            return v
    return None


def scan_sheet(stream, budget: Budget, on_far, subject: str, part: str) -> SheetScan:
    """One pass over a worksheet read from ``stream`` (a binary file object), ``CHUNK`` bytes at a
    time.  ``on_far(scan)`` is called (and must raise) when the cells would take the workbook past
    ``budget``.  Raises :class:`UserError`: F06 for a DOCTYPE/entity, F03 for XML that is not
    well-formed or a reference that is not a cell."""
    work = _SheetPass(budget, on_far)
    p = parser()
    p.StartElementHandler, p.EndElementHandler, p.CharacterDataHandler = work.start, work.end, work.chars
    try:
        while chunk := stream.read(CHUNK):
            p.Parse(chunk, False)
        p.Parse(b"", True)
    except Hostile as exc:
        raise hostile_error(exc, subject, part) from None
    except expat.ExpatError as exc:
        raise UserError(Code.F03, subject, f"{part} 不是有效的 XML（{expat.ErrorString(exc.code)}，第 {exc.lineno} 行）") from None
    return work.scan


def hostile_error(exc: Hostile, subject: str, part: str) -> UserError:
    if exc.kind == "doctype":
        return UserError(Code.F06, subject, f"{part} 中含有 DOCTYPE/实体声明，正常的表格文件不会有，可能是恶意文件")
    return UserError(Code.F03, subject, f"{part} 中的单元格引用无效（{exc.detail[:40]}）")
