"""Guards that judge a workbook's bytes before any parser sees them (F03, F04, F06).

A filled report is a few hundred cells; anything far bigger is refused with a message naming what
is too big, before python-calamine parses it (it allocates a sheet's whole used rectangle — one
cell at XFD1048576 asks for hundreds of GB and aborts the process): the zip directory (entries,
total size, ratio), every part a parser will read (its declared size and the size it really
inflates to, :func:`part_guard`), the number of cell styles, DOCTYPE/entity declarations in any
XML part.  The rectangle the cells span (:data:`MAX_GRID_CELLS`) and the text calamine would copy
(:data:`MAX_TEXT_CHARS`) are budgets for the whole workbook, charged by the tokenizer pass of
:mod:`.xmlscan` for each .xlsx sheet read, by :mod:`.ods` for an .ods and by :mod:`.biff` for an
.xls (calamine parses all their sheets at once).
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
#: Strings a shared-string table may declare (``<sst uniqueCount=…>``): calamine reserves room
#: for all of them before reading one (4 000 000 000 asked for 96 GB and aborted the process);
#: a filled template has a few hundred.
MAX_SHARED_STRINGS = 200_000
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
#: Characters of text the reader may materialise for the WHOLE workbook: python-calamine copies a
#: shared string once for every cell that uses it, an .ods text once for every repeated column
#: and row, and parses every sheet of an .xls/.ods when it opens the file.  A filled report holds
#: a few tens of thousands; 160 cells of 32 000 characters (Excel's cell limit) are 5 million.
#: Charged before calamine sees a sheet (xlsx: :mod:`.xmlscan`; ods: :func:`ods_guard`; xls:
#: :mod:`.biff`), so a few KB of file never become gigabytes of text.
MAX_TEXT_CHARS = 16_000_000
#: How to fix too much text (F06).
TOO_MUCH_TEXT = ("正文和注通常只有几万字；可能误粘贴了大量文字，或把一段很长的文字复制到了很多单元格，"
                 "请删除这些内容后保存")


def wan(n: int) -> str:
    """A count of characters in 万 or 亿: ``16000000`` → ``1600 万``, ``629145700`` → ``6.3 亿``."""
    return f"{n / 10**8:.1f} 亿" if n >= 10**8 else f"{n / 10_000:.0f} 万"


def too_much_text(subject: str, where: str, used: int) -> UserError:
    """F06: the text materialised for the workbook would pass :data:`MAX_TEXT_CHARS` at ``where``."""
    return UserError(Code.F06, subject, f"{where}：读取时要复制的文字累计约 {wan(used)}字，超过 {wan(MAX_TEXT_CHARS)}字的上限；"
                     + TOO_MUCH_TEXT)
_XF = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?xf[\s/>]")
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"


def canonical(name: str) -> str:
    """A zip entry's name as python-calamine matches it: case-insensitively (``XL/SharedStrings.xml``
    is the shared-string table), ``\\`` taken as ``/``."""
    return name.replace("\\", "/").lower()


def entry_index(infos: list[zipfile.ZipInfo], subject: str) -> dict[str, zipfile.ZipInfo]:
    """Canonical name (:func:`canonical`) → entry, for every entry of a package; F03 when two
    entries share one: calamine takes whichever the directory lists first, a guard looking the
    name up exactly would measure the other (a harmless ``xl/sharedStrings.xml`` beside a hostile
    ``XL/SHAREDSTRINGS.XML``)."""
    out: dict[str, zipfile.ZipInfo] = {}
    for info in infos:
        key = canonical(info.filename)
        if key in out:
            raise UserError(Code.F03, subject, f"压缩包中有两个只是大小写或分隔符不同的同名部件（{out[key].filename[:60]}、"
                            f"{info.filename[:60]}），正常的表格文件不会有，可能是恶意文件")
        out[key] = info
    return out


def zip_guard(infos: list[zipfile.ZipInfo], subject: str) -> None:
    """F06 before any parser inflates the zip: too many entries, too big, or a suspicious ratio."""
    problem = over_limit(infos, ZIP_LIMITS)
    if problem:
        raise UserError(Code.F06, subject, problem)


def part_guard(data: bytes, zf: zipfile.ZipFile, limits: dict[str, tuple[int, str]], subject: str,
               keep: frozenset[str] = frozenset()) -> dict[str, bytes]:
    """F06 for a part (``limits``: part name → (bytes allowed, what it is in Chinese)) whose
    declared size, or the size it really inflates to, is over its limit (found as calamine finds it,
    :func:`canonical`; see :func:`inflate`; the
    inflated bytes are counted, not kept, except for the parts named in ``keep``, returned by
    name).  Also F06 for more than :data:`MAX_STYLES` cell formats in ``xl/styles.xml``."""
    kept = {}
    index = entry_index(zf.infolist(), subject)
    for part, (cap, what) in limits.items():
        info = index.get(canonical(part))
        if info is None:
            continue
        styles = part.endswith("styles.xml")
        content = inflate(data, info, cap, what, subject, keep=styles or part in keep)
        if part in keep:
            kept[part] = content
        if styles and content:
            n = len(_XF.findall(content))
            if n > MAX_STYLES:
                raise UserError(Code.F06, subject, f"样式表中有 {n} 种单元格格式，超过 {MAX_STYLES}"
                                "（Excel 本身的上限）；请把数据复制到新生成的模板中")
    return kept


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
