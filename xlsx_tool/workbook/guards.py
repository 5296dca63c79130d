"""Guards that judge a workbook's bytes before any parser sees them (F03, F04, F06).

A filled report is a few hundred cells; anything far bigger is refused with a message naming what
is too big, before python-calamine parses it (it allocates a sheet's whole used rectangle — one
cell at XFD1048576 asks for hundreds of GB and aborts the process): the zip directory (entries,
total size, ratio), every part a parser will read (its declared size and the size it really
inflates to, :func:`part_guard`), the number of cell styles, DOCTYPE/entity declarations in any
XML part, an .ods's repeated rows and cells, an .xls's BIFF cell records.  The rectangle a
worksheet's cells span is measured by the tokenizer pass of :mod:`.xmlscan`, against one budget
for the whole workbook (:data:`MAX_GRID_CELLS`).
"""
from __future__ import annotations

import re
import struct
import zipfile
import zlib

from ..archives import ZipLimits, over_limit
from ..findings import Code, UserError

MAX_FILE_BYTES = 50 * 2**20
MAX_ENTRIES = 10_000
MAX_UNCOMPRESSED = 100 * 2**20
MAX_RATIO = 100
RATIO_MIN_SIZE = 2**20
ZIP_LIMITS = ZipLimits(MAX_ENTRIES, MAX_UNCOMPRESSED, ratio=MAX_RATIO, ratio_from=RATIO_MIN_SIZE)
#: One worksheet's XML, uncompressed (a filled 表三 is about 0.1 MB), and all of them together.
MAX_SHEET_BYTES = 2 * 2**20
MAX_SHEETS_BYTES = 8 * 2**20
#: Shared strings (every text of the workbook; a long 正文 is a few tens of KB), styles, the
#: workbook part (sheet list and defined names) and the small parts (relationships, properties).
MAX_SHARED_STRINGS_BYTES = 8 * 2**20
MAX_STYLES_BYTES = 4 * 2**20
MAX_WORKBOOK_BYTES = 2 * 2**20
MAX_SMALL_PART_BYTES = 2**20
#: Cell formats (``<xf>``): Excel itself stops at 64 000; the template has about 40.
MAX_STYLES = 64_000
#: Defined names: the template has one per cell, a few hundred.
MAX_NAMES = 10_000
#: Rows × columns spanned by the cells of the sheets read, summed over the WORKBOOK: calamine
#: allocates each sheet's whole rectangle, so a single cell at XFD1048576 would ask for hundreds
#: of GB (the process aborts, no Python error), and forty sheets with one far cell each add up.
MAX_GRID_CELLS = 1_000_000
#: How to fix content far outside the tables (F06).
TOO_FAR = "可能在表格下方或右侧误填、粘贴了大量内容；请删除表格以外多余的行和列后保存"
_XF = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?xf[\s/>]")
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"


def zip_guard(infos: list[zipfile.ZipInfo], subject: str) -> None:
    """F06 before any parser inflates the zip: too many entries, too big, or a suspicious ratio."""
    problem = over_limit(infos, ZIP_LIMITS)
    if problem:
        raise UserError(Code.F06, subject, problem)


#: BIFF8 records that place one cell (row, col first) or a run of cells (row, first col … last col).
XLS_CELL_RECORDS = {0x0006, 0x00FD, 0x0201, 0x0203, 0x0204, 0x0205, 0x027E}
XLS_RUN_RECORDS = {0x00BD, 0x00BE}          # MULRK, MULBLANK: last column in the final 2 bytes
XLS_DIMENSIONS, XLS_BOF = 0x0200, 0x0809
#: BIFF records walked at most (a filled template saved as .xls has a few thousand).
MAX_XLS_RECORDS = 500_000


def xls_guard(data: bytes, subject: str) -> None:
    """F06 for an .xls whose cells (or declared dimensions) reach far beyond the tables, found by
    walking the BIFF record headers before calamine allocates the whole used range (a single
    cell at IV65536 made it take about 1 GB)."""
    import olefile

    try:
        with olefile.OleFileIO(data) as ole:
            name = next((n for n in ("Workbook", "Book") if ole.exists(n)), None)
            stream = ole.openstream(name).read() if name else b""
    except Exception:  # noqa: BLE001 — a broken container is judged by calamine (F03)
        return
    walk_biff(stream, subject)


def walk_biff(stream: bytes, subject: str) -> None:
    """The record walk of :func:`xls_guard` over a BIFF8 ``Workbook`` stream; F06 past
    :data:`MAX_XLS_RECORDS` records (the work is one step per record)."""
    sheet, rows, cols, pos, records = 0, 0, 0, 0, 0
    while pos + 4 <= len(stream):
        records += 1
        if records > MAX_XLS_RECORDS:
            raise UserError(Code.F06, subject, f"文件中的记录超过 {MAX_XLS_RECORDS} 条（填好的模板只有几千条）；{TOO_FAR}")
        rtype, rlen = struct.unpack_from("<HH", stream, pos)
        body = stream[pos + 4:pos + 4 + rlen]
        if rtype == XLS_BOF:
            sheet, rows, cols = sheet + 1, 0, 0
        elif rtype == XLS_DIMENSIONS and len(body) >= 12:
            _, row_end, _, col_end = struct.unpack_from("<IIHH", body)
            rows, cols = max(rows, row_end), max(cols, col_end)
        elif rtype in XLS_CELL_RECORDS and len(body) >= 4:
            row, col = struct.unpack_from("<HH", body)
            rows, cols = max(rows, row + 1), max(cols, col + 1)
        elif rtype in XLS_RUN_RECORDS and len(body) >= 6:
            row, last = struct.unpack_from("<H", body)[0], struct.unpack_from("<H", body, len(body) - 2)[0]
            rows, cols = max(rows, row + 1), max(cols, last + 1)
        if rows * cols > MAX_GRID_CELLS:
            raise UserError(Code.F06, subject, f"第 {sheet - 1} 个工作表的内容延伸到 {rows} 行 × {cols} 列，"
                            f"远超表格范围；{TOO_FAR}")
        pos += 4 + rlen


def part_guard(data: bytes, zf: zipfile.ZipFile, limits: dict[str, tuple[int, str]], subject: str) -> None:
    """F06 for a part (``limits``: part name → (bytes allowed, what it is in Chinese)) whose
    declared size, or the size it really inflates to, is over its limit (see :func:`inflate`; the
    inflated bytes are counted, not kept).  Also F06 for more than :data:`MAX_STYLES` cell
    formats in ``xl/styles.xml``."""
    for part, (cap, what) in limits.items():
        info = zf.NameToInfo.get(part)
        if info is None:
            continue
        content = inflate(data, info, cap, what, subject, keep=part.endswith("styles.xml"))
        if content:
            n = len(_XF.findall(content))
            if n > MAX_STYLES:
                raise UserError(Code.F06, subject, f"样式表中有 {n} 种单元格格式，超过 {MAX_STYLES}"
                                "（Excel 本身的上限）；请把数据复制到新生成的模板中")


def inflate(data: bytes, info: zipfile.ZipInfo, cap: int, what: str, subject: str, keep: bool = True) -> bytes:
    """The content of a zip entry of the package ``data``, inflated by this function and never
    past ``cap`` bytes: F06 when the declared size or the real size is over ``cap`` (the zip
    directory can lie, and python-calamine trusts it), F03 for a broken entry or a compression
    method no reader takes.  ``keep=False`` only counts (at most 256 KB in memory at a time) and
    returns ``b""``."""
    too_big = UserError(Code.F06, subject, f"{what}（{info.filename}）解压后超过 {_mb(cap)}，正常的年报工作簿远小于此；"
                        + TOO_FAR)
    if info.file_size > cap:
        raise too_big
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise UserError(Code.F03, subject, f"{info.filename} 使用了不支持的压缩方式")
    off = info.header_offset
    if data[off:off + 4] != b"PK\x03\x04":
        raise UserError(Code.F03, subject, f"压缩结构已损坏（{info.filename}）")
    name_len, extra_len = struct.unpack_from("<HH", data, off + 26)
    start = off + 30 + name_len + extra_len
    raw = data[start:start + info.compress_size]
    if info.compress_type == zipfile.ZIP_STORED:
        if len(raw) > cap:
            raise too_big
        return raw if keep else b""
    out, total = [], 0
    inflater = zlib.decompressobj(-15)
    try:
        while not inflater.eof:
            chunk = inflater.decompress(raw, 1 << 18)   # never more than 256 KB out at a time
            raw = inflater.unconsumed_tail
            if not chunk and not raw:
                break                                    # input used up: a truncated entry
            total += len(chunk)
            if total > cap:
                raise too_big
            if keep:
                out.append(chunk)
    except zlib.error:
        raise UserError(Code.F03, subject, f"压缩结构已损坏（{info.filename} 无法解压）") from None
    return b"".join(out) if keep else b""


def _mb(n: int) -> str:
    return f"{n / 2**20:g} MB"


def doctype_guard(zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo], subject: str) -> None:
    """F06 for an XML part declaring a DOCTYPE or entities (never written by office suites; the
    way to an entity-expansion "billion laughs" attack or to reading local files)."""
    for i in infos:
        if not i.filename.endswith((".xml", ".rels")):
            continue
        try:
            with zf.open(i) as f:
                head = f.read(4096)
        except Exception:  # noqa: BLE001 — a broken entry is judged by the parsers (F03)
            continue
        if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
            raise UserError(Code.F06, subject, f"{i.filename} 中含有 DOCTYPE/实体声明，正常的表格文件不会有，"
                            "可能是恶意文件")


_ODS_TOKEN = re.compile(rb'<table:table\s[^>]*?table:name="([^"]*)"|<table:table-row\b([^>]*)>'
                        rb'|</table:table-row>|<table:(?:covered-)?table-cell\b([^>]*?)(/?)>')
_ROWS_REPEATED = re.compile(rb'table:number-rows-repeated="(\d+)"')
_COLUMNS_REPEATED = re.compile(rb'table:number-columns-repeated="(\d+)"')


def ods_guard(data: bytes, zf: zipfile.ZipFile, subject: str) -> None:
    """F06 for an .ods whose content is over :data:`MAX_SHEETS_BYTES` (all its sheets are in
    ``content.xml``), or whose repeated rows/cells (``number-rows-repeated`` × ``number-columns-
    repeated``) put values over an absurd rectangle: calamine expands every repetition."""
    info = zf.NameToInfo.get("content.xml")
    if info is None:
        raise UserError(Code.F03, subject, "缺少 content.xml")
    xml = inflate(data, info, MAX_SHEETS_BYTES, "表格内容", subject)
    sheet, row, col, repeat, rows, cols = "", 0, 0, 1, 0, 0

    def judge() -> None:
        if rows * cols > MAX_GRID_CELLS:
            raise UserError(Code.F06, subject, f"工作表“{sheet.decode(errors='replace')}”的内容延伸到 {rows} 行 × "
                            f"{cols} 列，远超表格范围；{TOO_FAR}")
    for m in _ODS_TOKEN.finditer(xml):
        if m.group(1) is not None:        # a new sheet
            judge()
            sheet, row, rows, cols = m.group(1), 0, 0, 0
        elif m.group(2) is not None:      # a row starts (or is empty: <…/>)
            rr = _ROWS_REPEATED.search(m.group(2))
            repeat, col = int(rr.group(1)) if rr else 1, 0
            if m.group(2).endswith(b"/"):
                row += repeat
        elif m.group(3) is None:          # a row ends
            row += repeat
        else:                             # a cell: valued unless it is an empty <…/>
            cr = _COLUMNS_REPEATED.search(m.group(3))
            n = int(cr.group(1)) if cr else 1
            if not m.group(4) or b"office:value-type" in m.group(3):
                rows, cols = max(rows, row + repeat), max(cols, col + n)
            col += n
    judge()
