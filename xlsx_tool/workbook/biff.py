"""An .xls judged by walking its BIFF8 records before python-calamine parses it (F06).

python-calamine parses every sheet of an .xls when it opens the file, each from the position its
``BoundSheet8`` record names until the next ``EOF`` record: it allocates each sheet's whole used
rectangle (a single cell at IV65536 took about 1 GB) and copies a string of the shared-string
table (``SST``) once for every ``LabelSst`` cell that shows it (one string of 32 000 characters in
10 000 cells is 320 million characters).  The walk here does what calamine will do, on the
record headers only:

* the workbook globals (from the start of the stream to the first ``EOF``): the sheet positions,
  the length of every shared string (an ``SST`` continued over ``CONTINUE`` records, as
  [MS-XLS] 2.4.265 and 2.5.293 describe it) and the longest defined name;
* each sheet, from its position: the rectangle its cells and ``DIMENSIONS`` span, and the text
  its cells will hold — a ``LabelSst`` the length of its shared string, a ``Label`` or a formula's
  ``String`` their own, a formula the text it can render to (a defined name is written out in
  full wherever a formula uses it).

Sheets pointing at the same records are counted as often as calamine reads them.  The rectangles
and the text of all sheets together are judged against :data:`.guards.MAX_GRID_CELLS` and
:data:`.guards.MAX_TEXT_CHARS`; the records walked against :data:`MAX_XLS_RECORDS`.
"""
from __future__ import annotations

import struct

from ..findings import Code, UserError
from ..formats.geometry import a1
from .guards import MAX_GRID_CELLS, MAX_TEXT_CHARS, TOO_FAR, too_much_text

BOF, EOF, BOUNDSHEET, SST, CONTINUE, LBL, DIMENSIONS = 0x0809, 0x000A, 0x0085, 0x00FC, 0x003C, 0x0018, 0x0200
LABEL, LABELSST, STRING, FORMULA = 0x0204, 0x00FD, 0x0207, 0x0006
#: BIFF8 records that place one cell (row, col first) or a run of cells (row, first col … last col).
CELL_RECORDS = {FORMULA, LABELSST, 0x0201, 0x0203, LABEL, 0x0205, 0x027E}
RUN_RECORDS = {0x00BD, 0x00BE}          # MULRK, MULBLANK: last column in the final 2 bytes
#: BIFF records walked at most, over all sheets (a filled template saved as .xls has a few thousand).
MAX_XLS_RECORDS = 500_000
#: Strings a shared-string table may declare (calamine reserves room for all of them at once;
#: the template has a few hundred).
MAX_SST_STRINGS = 200_000
#: Characters a formula's text takes at most per byte of its record, besides defined names:
#: a 7-byte 3-D reference (``PtgRef3d``) renders as its sheet's name (up to 255 characters) and
#: ``!$XFD$1048576``, about 39 per byte; a 9-byte number (``PtgNum``) such as 1e308 or 5e-324 as
#: 300 and more digits, about 37 per byte.
FORMULA_CHARS_PER_BYTE = 40


def xls_guard(data: bytes, subject: str) -> None:
    """F06 for an .xls whose sheets would span too many cells or hold too much text once parsed
    (see the module docstring); F03 for a container this walk cannot read as calamine would.

    calamine takes the first directory entry named ``Workbook`` (else ``Book``) in the order the
    directory lists them, reachable from the root or not; olefile opens the ones the directory
    tree leads to.  So every entry named so (in any case) must be a stream at the root, each
    name once, and every one of them is walked: a harmless stream in the tree and a hostile one
    listed first (found by nothing but calamine) is refused.  A container olefile cannot open at
    all is refused too, rather than handed unmeasured to calamine."""
    import olefile

    try:
        with olefile.OleFileIO(data) as ole:
            ole.directory_fp.seek(0)
            directory = ole.directory_fp.read()
            named = [_entry_name(directory[i:i + 64]) for i in range(0, len(directory) - 127, 128)]
            named = [n for n in named if n in ("workbook", "book")]
            rooted = [path[0] for path in ole.listdir(streams=True, storages=False)
                      if len(path) == 1 and path[0].lower() in ("workbook", "book")]
            if len(named) != len(rooted) or len(set(named)) != len(named):
                raise UserError(Code.F03, subject, f"文件中名为 Workbook/Book 的工作簿数据流有 {len(named)} 个，"
                                f"目录树中能找到的有 {len(rooted)} 个；正常的 .xls 只有一个，可能是恶意文件")
            streams = [ole.openstream([name]).read() for name in rooted]
    except UserError:
        raise
    except Exception:  # noqa: BLE001 — olefile's errors are many (struct, index, its own)
        raise UserError(Code.F03, subject, "无法读取 .xls 的文件结构（可能已损坏，或不是 Excel 97-2003 工作簿）") from None
    for stream in streams:
        walk_biff(stream, subject)


def _entry_name(field: bytes) -> str:
    """The name of a compound-file directory entry (its 64-byte field), up to the first NUL,
    lower-cased: every way a reader could take ``Workbook`` from it."""
    return field.decode("utf-16-le", errors="replace").split("\x00", 1)[0].strip().lower()


def walk_biff(stream: bytes, subject: str) -> None:
    """The record walk of :func:`xls_guard` over a BIFF8 ``Workbook`` stream: F06 past
    :data:`MAX_XLS_RECORDS` records walked, past the workbook's cell rectangle or text budget."""
    _Walk(stream, subject).run()


class _Walk:
    def __init__(self, stream: bytes, subject: str):
        self.stream, self.subject = stream, subject
        self.records = 0
        self.shared: list[int] = []           # characters of each shared string
        self.longest_name = 0                 # characters of the longest defined name
        self.cells = self.text = 0            # of the whole workbook so far

    def records_from(self, pos: int):
        """``(rtype, body)`` of the records from ``pos`` up to and including an ``EOF``."""
        stream = self.stream
        while pos + 4 <= len(stream):
            self.records += 1
            if self.records > MAX_XLS_RECORDS:
                raise UserError(Code.F06, self.subject, f"文件中的记录超过 {MAX_XLS_RECORDS} 条（填好的模板只有几千条）；"
                                + TOO_FAR)
            rtype, rlen = struct.unpack_from("<HH", stream, pos)
            yield rtype, stream[pos + 4:pos + 4 + rlen]
            if rtype == EOF:
                return
            pos += 4 + rlen

    def run(self) -> None:
        sheets: list[tuple[int, str]] = []
        sst: list[bytes] | None = None
        for rtype, body in self.records_from(0):
            if rtype == CONTINUE and sst is not None:
                sst.append(body)
                continue
            if sst is not None:
                self.shared, sst = self.sst_lengths(sst), None
            if rtype == BOUNDSHEET and len(body) >= 8:
                sheets.append((struct.unpack_from("<I", body)[0], _sheet_name(body[6:])))
            elif rtype == SST:
                sst = [body]
            elif rtype == LBL and len(body) >= 4:
                self.longest_name = max(self.longest_name, body[3])
        if sst is not None:
            self.shared = self.sst_lengths(sst)
        seen: dict[int, tuple[int, int, int, tuple[int, int]]] = {}
        for pos, name in sheets:
            if pos not in seen:
                seen[pos] = self.sheet(pos, name)
            rows, cols, text, last = seen[pos]
            self.cells += rows * cols
            if self.cells > MAX_GRID_CELLS:
                raise UserError(Code.F06, self.subject, f"工作表“{name}”的内容延伸到 {rows} 行 × {cols} 列"
                                f"（全部工作表合计超过 {MAX_GRID_CELLS} 个单元格），远超表格范围；{TOO_FAR}")
            self.text += text
            if self.text > MAX_TEXT_CHARS:
                raise too_much_text(self.subject, f"工作表“{name}”（单元格 {a1(*last)} 等处）", self.text)

    def sheet(self, pos: int, name: str) -> tuple[int, int, int, tuple[int, int]]:
        """``(rows, cols, characters, last text cell)`` of the sheet calamine reads from ``pos``."""
        rows = cols = text = 0
        last = (0, 0)
        for rtype, body in self.records_from(pos):
            if rtype == DIMENSIONS and len(body) in (10, 14):
                _, row_end, _, col_end = struct.unpack_from("<IIHH" if len(body) == 14 else "<HHHH", body)
                rows, cols = max(rows, row_end), max(cols, col_end)
            elif rtype in CELL_RECORDS and len(body) >= 4:
                row, col = struct.unpack_from("<HH", body)
                rows, cols = max(rows, row + 1), max(cols, col + 1)
                chars = self.cell_text(rtype, body) if rtype in (LABEL, LABELSST, FORMULA) else 0
                if chars:
                    text, last = text + chars, (row, col)
            elif rtype == STRING and len(body) >= 2:
                text += struct.unpack_from("<H", body)[0]
            elif rtype in RUN_RECORDS and len(body) >= 6:
                row, end = struct.unpack_from("<H", body)[0], struct.unpack_from("<H", body, len(body) - 2)[0]
                rows, cols = max(rows, row + 1), max(cols, end + 1)
            if rows * cols > MAX_GRID_CELLS:
                raise UserError(Code.F06, self.subject, f"工作表“{name}”的内容延伸到 {rows} 行 × {cols} 列，"
                                f"远超表格范围；{TOO_FAR}")
            if self.text + text > MAX_TEXT_CHARS:
                raise too_much_text(self.subject, f"工作表“{name}”（单元格 {a1(*last)} 等处）", self.text + text)
        return rows, cols, text, last

    def cell_text(self, rtype: int, body: bytes) -> int:
        if rtype == LABELSST:
            if len(body) < 10:
                return 0
            index = struct.unpack_from("<I", body, 6)[0]
            return self.shared[index] if index < len(self.shared) else 0
        if rtype == LABEL:
            return struct.unpack_from("<H", body, 6)[0] if len(body) >= 8 else 0
        # FORMULA: a 5-byte reference to a defined name renders as the whole name
        return len(body) * max(FORMULA_CHARS_PER_BYTE, self.longest_name // 5 + 1)

    def sst_lengths(self, parts: list[bytes]) -> list[int]:
        """The length in characters of every string of a shared-string table (its ``SST`` body
        and the bodies of the ``CONTINUE`` records after it), read as calamine reads them: a
        string's characters may go on in the next record, which then starts with a new flags
        byte; its formatting runs and phonetic block are skipped across records."""
        if len(parts[0]) < 8:
            return []
        declared = struct.unpack_from("<i", parts[0], 4)[0]
        if not 0 <= declared <= MAX_SST_STRINGS:
            raise UserError(Code.F06, self.subject, f"共享字符串表声明有 {declared} 个字符串，超过 {MAX_SST_STRINGS} 个"
                            "（模板只有几百个），可能是恶意文件")
        part, data, off = 0, parts[0], 8
        out: list[int] = []

        def advance() -> bool:
            nonlocal part, data, off
            part += 1
            if part >= len(parts):
                return False
            data, off = parts[part], 0
            return True

        for _ in range(declared):
            if off >= len(data) and not advance():
                break
            if len(data) - off < 3:
                break
            cch, flags = struct.unpack_from("<HB", data, off)
            off += 3
            runs = ext = 0
            if flags & 0x8 and off + 2 <= len(data):
                runs = struct.unpack_from("<H", data, off)[0]
                off += 2
            if flags & 0x4 and off + 4 <= len(data):
                ext = max(0, struct.unpack_from("<i", data, off)[0])
                off += 4
            out.append(cch)
            need, width = cch, 2 if flags & 0x1 else 1
            while need:
                take = min(need, (len(data) - off) // width)
                off, need = off + take * width, need - take
                if need:
                    if not advance() or not data:
                        return out
                    width, off = (2 if data[0] & 0x1 else 1), 1
            skip = runs * 4 + ext
            while skip:
                step = min(skip, len(data) - off)
                off, skip = off + step, skip - step
                if skip and not advance():
                    return out
        return out


def _sheet_name(body: bytes) -> str:
    """The name of a ``BoundSheet8`` record (its ``ShortXLUnicodeString``), for messages."""
    if len(body) < 2:
        return "?"
    cch, high = body[0], body[1] & 0x1
    raw = body[2:2 + cch * (2 if high else 1)]
    return raw.decode("utf-16-le" if high else "latin-1", errors="replace")[:40]
