"""A bounded tokenizer pass over the XML parts of an .xlsx package (expat).

One pass over a worksheet gives what the reader needs besides the cached values and what the
guards must know before python-calamine sees the part:

* the rectangle its valued cells span (calamine allocates all of it) — references written any
  way XML allows (``r='XFD1048576'``, ``r = "A1"``), and cells or rows without ``r`` placed as
  the format says (next column, next row);
* which cells hold a formula (and its text), which hold an error value (``#DIV/0!``) and the exact
  text of every number (a count shown as a date is read as the number typed);
* the text calamine will copy out of it: a shared string (:class:`SharedStrings`) once for every
  cell that shows it, inline strings and cached formula strings — charged against the
  workbook's text budget (:class:`Budget`) before calamine copies anything.

Elements are matched by local name, so a Strict-OOXML part reads like any other; attributes
(``r``, ``t``) only without a prefix, as python-calamine reads them.  A
DOCTYPE or an entity declaration anywhere in a part ends the pass (F06): office suites never
write them.  Work is bounded by the caller's size caps (checked on the zip directory and on the
inflated bytes) and by the cell budget of :class:`Budget`, checked at every valued cell.
"""
from __future__ import annotations

import re
from xml.parsers import expat

from ..findings import Code, UserError
from ..formats.geometry import a1

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
    found = _REFS.get(text)
    if found is not None or text in _REFS:
        return found
    found = _parse_ref(text)
    if len(_REFS) < _REFS_KEPT and text is not None and len(text) <= 16:
        _REFS[text] = found
    return found


#: References already parsed (a workbook repeats the template's few thousand; at most
#: ``_REFS_KEPT`` short ones are kept, so a hostile sheet cannot grow it).
_REFS: dict[str | None, tuple[int, int] | None] = {}
_REFS_KEPT = 50_000


def _parse_ref(text: str) -> tuple[int, int] | None:
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


class Budget:
    """Cells the whole workbook may span (rows × columns summed over the sheets read) and
    characters of text its cells may hold (``text``; ``None``: not counted)."""
    __slots__ = ("cells", "used", "text", "text_used")

    def __init__(self, cells: int, text: int | None = None):
        self.cells, self.used = cells, 0
        self.text, self.text_used = text, 0


class SharedStrings:
    """The shared-string table of an .xlsx as the length of each string, in characters.

    ``parts``: the candidate parts' bytes (bounded by the caller: python-calamine reads
    ``xl/sharedStrings.xml`` whatever the relationships say; when they name another part, both
    are measured and the longer string counts).  Strings are found and measured by one expat pass
    per part: every character of data inside a ``<si>`` counts, CDATA sections and character
    references as XML reads them (a regular expression that dropped ``<…>`` also dropped a whole
    ``<![CDATA[…]]>``, and 7 MB of it shown by 400 cells took 3 GB and a Rust abort).  Phonetic
    runs (``<rPh>``), which calamine leaves out, are counted: an upper bound.  ``declared``: the
    ``uniqueCount`` of the root, which calamine trusts.  Raises
    :class:`Hostile` or ``expat.ExpatError`` for a hostile or broken part."""

    def __init__(self, *parts: bytes):
        #: the largest ``uniqueCount`` a table declares (calamine reserves room for that many
        #: strings before reading one; a number it cannot parse counts as 0)
        self.declared = 0
        self.tables: list[list[int]] = [self._lengths(xml) for xml in parts if xml]

    def _lengths(self, xml: bytes) -> list[int]:
        lengths: list[int] = []
        depth = [0]                     # open <si> elements

        def start(name, attrs):
            if not lengths and not depth[0] and (name == "sst" or name.endswith(" sst")):
                count = (attrs.get("uniqueCount") or "").removeprefix("+")
                if count.isdigit() and count.isascii():
                    self.declared = max(self.declared, int(count[:30]))
            if name == "si" or name.endswith(" si"):
                lengths.append(0)
                depth[0] += 1

        def end(name):
            if depth[0] and (name == "si" or name.endswith(" si")):
                depth[0] -= 1

        def chars(text):
            if depth[0]:
                lengths[-1] += len(text)
        p = parser()
        p.StartElementHandler, p.EndElementHandler, p.CharacterDataHandler = start, end, chars
        p.Parse(xml, True)
        return lengths

    def __len__(self) -> int:
        return max((len(lengths) for lengths in self.tables), default=0)

    def chars(self, index: int) -> int:
        """Characters of string ``index`` (0 when there is no such string)."""
        return max((lengths[index] for lengths in self.tables if 0 <= index < len(lengths)), default=0)


class SheetScan:
    """What one pass over a worksheet found (positions 0-based).

    ``rows``/``cols``: the extent of the valued cells (1-based counts, as calamine allocates from
    A1); ``far``: the reference that last widened it; ``formulas``: position → formula text with
    ``=`` (a shared formula's followers: the first cell's text, the master in ``shared_from``);
    ``errors``: position → error value (``#REF!``); ``numbers``: position → the number's text
    exactly as stored."""
    __slots__ = ("rows", "cols", "far_pos", "formulas", "shared_from", "errors", "numbers")

    def __init__(self):
        self.rows = self.cols = 0
        self.far_pos = (0, 0)
        self.formulas: dict[tuple[int, int], str] = {}
        self.shared_from: dict[tuple[int, int], tuple[int, int]] = {}
        self.errors: dict[tuple[int, int], str] = {}
        self.numbers: dict[tuple[int, int], str] = {}

    @property
    def far(self) -> str:
        return a1(*self.far_pos)


class _SheetPass:
    """The handlers of one worksheet pass (expat calls them for every element).  A cell's
    reference is parsed only when the cell holds something (most cells of a template are styled
    blanks)."""

    def __init__(self, budget: Budget, on_far, shared: SharedStrings | None = None, on_text=None):
        self.scan = SheetScan()
        self.budget, self.on_far = budget, on_far
        self.shared, self.on_text = shared, on_text
        self.inline = -1       # characters of the current cell's inline string (-1: not in one)
        self.row = -1          # 0-based current row
        self.last_ref: str | None = None   # the r of the row's last cell that had one …
        self.after = 0         # … and how many cells without r followed it
        self.ref: str | None = None
        self.cell: tuple[int, int] | None = None
        self.in_cell = False
        self.kind = ""         # t attribute of the current cell
        self.valued = False
        self.collect: list[str] | None = None
        self.what = ""         # "v" or "f" while collecting
        self.formula_attrs: dict = {}
        self.masters: dict[str, tuple[tuple[int, int], str]] = {}
        self.tags: dict[str, str] = {}   # element name as reported → local name

    def pos(self) -> tuple[int, int]:
        """The current cell's position (its r, else the column after the row's previous cell)."""
        if self.cell is None:
            if self.ref is not None:
                self.cell = parse_ref(self.ref)
                if self.cell is None:
                    raise Hostile("ref", self.ref)
            else:
                base = -1
                if self.last_ref is not None:
                    found = parse_ref(self.last_ref)
                    if found is None:
                        raise Hostile("ref", self.last_ref)
                    base = found[1]
                col = base + self.after
                if col >= MAX_COL:
                    raise Hostile("ref", f"第 {max(self.row, 0) + 1} 行的第 {col + 1} 个单元格")
                self.cell = (max(self.row, 0), col)
        return self.cell

    def start(self, name, attrs):
        tag = self.tags.get(name) or self.tags.setdefault(name, local(name))
        if tag == "c":
            ref = attrs.get("r")
            if ref is not None:
                self.last_ref, self.after = ref, 0
            else:
                self.after += 1
            self.ref, self.cell, self.in_cell = ref, None, True
            self.kind, self.valued = attrs.get("t") or "", False
        elif tag == "row":
            ref = attrs.get("r")
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
            self.last_ref, self.after = None, 0
        elif self.in_cell:
            if tag == "v":
                self.collect, self.what = [], "v"
            elif tag == "f":
                self.collect, self.what = [], "f"
                self.formula_attrs = attrs
            elif tag == "is":
                self.valued = True
                self.inline = 0

    def end(self, name):
        tag = self.tags.get(name) or self.tags.setdefault(name, local(name))
        if tag == "c":
            if self.valued:
                self.count(self.pos())
            if self.inline > 0:
                self.charge(self.inline)
            self.in_cell, self.inline = False, -1
        elif tag == "v" and self.collect is not None and self.what == "v":
            text = "".join(self.collect)
            self.collect, self.valued = None, True
            if self.kind == "s" and self.shared is not None:
                try:
                    self.charge(self.shared.chars(int(text)))
                except ValueError:
                    pass                  # not an index: calamine says so (F03)
            elif self.kind == "str":
                self.charge(len(text))
            elif self.kind == "e":
                self.scan.errors[self.pos()] = text.strip()
            elif self.kind in ("", "n"):
                self.scan.numbers[self.pos()] = text.strip()
        elif tag == "f" and self.collect is not None and self.what == "f":
            self.formula("".join(self.collect))
            self.collect = None

    def chars(self, text):
        if self.collect is not None:
            self.collect.append(text)
        elif self.inline >= 0:
            self.inline += len(text)

    def charge(self, chars: int) -> None:
        """Count ``chars`` characters calamine will copy for the current cell."""
        budget = self.budget
        if budget.text is None or not chars:
            return
        budget.text_used += chars
        if budget.text_used > budget.text and self.on_text is not None:
            self.on_text(self.scan, self.pos(), chars)

    def formula(self, text: str) -> None:
        attrs, cell = self.formula_attrs, self.pos()
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
        scan.rows, scan.cols, scan.far_pos = rows, cols, pos
        if self.budget.used - old + rows * cols > self.budget.cells:
            self.on_far(scan)
        self.budget.used += rows * cols - old


_ROOT = re.compile(rb"<([A-Za-z_][\w.:-]*)")
_SHEET_DATA_END = re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?sheetData\s*>")
_CELLS_AFTER = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:sheetData|row|c)[\s/>]")


def cells_part(xml: bytes) -> bytes:
    """The part of a worksheet that holds its cells: everything up to ``</sheetData>``, the root
    closed after it (data validations, formatting and page setup after the cells are not cells;
    a DOCTYPE can only stand before the root).  The whole part when anything that could hold a
    cell follows, or no end tag is found.  An end tag hidden in a comment or CDATA leaves that
    construct unclosed: the pass then refuses the part as not well-formed."""
    end = _SHEET_DATA_END.search(xml)
    if end is None or _CELLS_AFTER.search(xml, end.end()):
        return xml
    root = _ROOT.search(xml, 0, end.start())       # <?xml …?> and <!-- --> do not match
    return xml if root is None else xml[:end.end()] + b"</" + root.group(1) + b">"


def scan_sheet(xml: bytes, budget: Budget, on_far, subject: str, part: str, shared: SharedStrings | None = None,
               on_text=None) -> SheetScan:
    """One pass over the cells of a worksheet (``xml``: its bytes, bounded by the caller).
    ``on_far(scan)`` is called (and must raise) when the cells would take the workbook past
    ``budget``; ``on_text(scan, position, characters of that cell)`` when their text would (a
    shared string counted with ``shared``, once per cell that shows it).  Raises
    :class:`UserError`: F06 for a DOCTYPE/entity, F03 for XML that is not well-formed or a
    reference that is not a cell."""
    work = _SheetPass(budget, on_far, shared, on_text)
    p = parser()
    p.StartElementHandler, p.EndElementHandler, p.CharacterDataHandler = work.start, work.end, work.chars
    try:
        p.Parse(cells_part(xml), True)
    except Hostile as exc:
        raise hostile_error(exc, subject, part) from None
    except expat.ExpatError as exc:
        raise UserError(Code.F03, subject, f"{part} 不是有效的 XML（{expat.ErrorString(exc.code)}，第 {exc.lineno} 行）") from None
    return work.scan


def hostile_error(exc: Hostile, subject: str, part: str) -> UserError:
    if exc.kind == "doctype":
        return UserError(Code.F06, subject, f"{part} 中含有 DOCTYPE/实体声明，正常的表格文件不会有，可能是恶意文件")
    return UserError(Code.F03, subject, f"{part} 中的单元格引用无效（{exc.detail[:40]}）")
