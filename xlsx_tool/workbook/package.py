"""An .xlsx package opened without a spreadsheet library: its parts, limits, names and properties.

What the reader takes from an .xlsx besides the cached values (python-calamine): the sheet list
and the defined names (``xl/workbook.xml``), the custom document properties
(``docProps/custom.xml``, the template's format marker), the 1904 date system flag, and per
worksheet the formula flags, error values and exact numbers of one tokenizer pass
(:mod:`.xmlscan`).  Parts are found through the package relationships, elements by local name:
Strict OOXML (Excel's "Strict Open XML" save) reads like the transitional form.

Every part a parser reads is checked against its limit (:func:`.guards.part_guard`) before it is
parsed, and worksheets against one cell budget for the whole workbook.
"""
from __future__ import annotations

import io
import posixpath
import re
import zipfile
from typing import NamedTuple
from xml.parsers import expat

from ..findings import Code, UserError
from ..formats.geometry import a1
from . import guards, xmlscan

#: Relationship types end with these words in both the transitional and the Strict namespace.
_OFFICE_DOCUMENT, _WORKSHEET, _CUSTOM = "/officeDocument", "/worksheet", "/custom-properties"
_STRICT_CUSTOM = "/customProperties"
#: The shared-string part python-calamine reads, whatever the relationships name.
CALAMINE_SHARED_STRINGS = "xl/sharedStrings.xml"
_NAME_REF = re.compile(r"=?\s*(?:'((?:[^']|'')+)'|([^'!:=]+))!\$?([A-Za-z]{1,3})\$?(\d{1,7})"
                       r"(?::\$?([A-Za-z]{1,3})\$?(\d{1,7}))?\s*")


class Name(NamedTuple):
    """A workbook-level defined name: ``text`` as written (``'表三'!$D$6``, ``#REF!``) and ``dest``
    ``(sheet, first row, first col, last row, last col)`` 0-based, or ``None`` when it points at
    no cell (``#REF!``, a formula, several areas)."""
    text: str
    dest: tuple[str, int, int, int, int] | None

    @property
    def broken(self) -> bool:
        return self.dest is None


def parse_name(text: str) -> Name:
    """``'表三'!$D$6`` → ``Name(text, ("表三", 5, 3, 5, 3))``; anything else → no destination."""
    found = _NAMES.get(text)
    if found is None:
        found = _parse_name(text)
        if len(_NAMES) < _NAMES_KEPT and text is not None and len(text) <= 64:
            _NAMES[text] = found
    return found


#: Names already parsed (every workbook made from one template has the same few hundred; at
#: most ``_NAMES_KEPT`` short ones are kept, so hostile workbooks cannot grow it).
_NAMES: dict[str | None, Name] = {}
_NAMES_KEPT = 20_000


def _parse_name(text: str) -> Name:
    m = _NAME_REF.fullmatch(text or "")
    if not m:
        return Name(text, None)
    sheet = m.group(1).replace("''", "'") if m.group(1) is not None else m.group(2).strip()
    first = xmlscan.parse_ref(m.group(3) + m.group(4))
    last = xmlscan.parse_ref((m.group(5) or m.group(3)) + (m.group(6) or m.group(4)))
    if first is None or last is None:
        return Name(text, None)
    return Name(text, (sheet, first[0], first[1], max(first[0], last[0]), max(first[1], last[1])))


class XlsxPackage:
    """An opened, guarded .xlsx: ``sheets`` (worksheet name → part, in workbook order), ``names``
    (lower-case name → :class:`Name`, workbook scope), ``props`` (custom properties),
    ``date1904`` (the workbook counts dates from 1904)."""
    __slots__ = ("subject", "data", "zf", "index", "sheets", "names", "props", "date1904", "budget", "shared")

    def __init__(self, subject: str, data: bytes, zf: zipfile.ZipFile):
        self.subject, self.data, self.zf = subject, data, zf
        self.index = guards.entry_index(zf.infolist(), subject)   # found as calamine finds parts
        self.sheets: dict[str, str] = {}
        self.names: dict[str, Name] = {}
        self.props: dict[str, str] = {}
        self.date1904 = False
        self.budget = xmlscan.Budget(guards.MAX_GRID_CELLS, guards.MAX_TEXT_CHARS)
        self.shared: xmlscan.SharedStrings | None = None

    def read(self, part: str, cap: int = guards.MAX_SMALL_PART_BYTES, what: str = "关系或属性文件") -> bytes:
        """A part's bytes, inflated within ``cap`` (:func:`.guards.inflate`); ``b""`` when absent."""
        info = self.index.get(guards.canonical(part))
        return b"" if info is None else guards.inflate(self.data, info, cap, what, self.subject)

    def scan(self, sheet: str) -> xmlscan.SheetScan:
        """The tokenizer pass over one worksheet (within :data:`.guards.MAX_SHEET_BYTES`), its cells
        and their text counted against the workbook budget: F06 when the workbook's sheets would
        span more than :data:`.guards.MAX_GRID_CELLS`, or calamine would copy more than
        :data:`.guards.MAX_TEXT_CHARS` characters out of them (a shared string once per cell)."""
        part = self.sheets[sheet]
        xml = self.read(part, guards.MAX_SHEET_BYTES, f"工作表“{sheet}”")

        def too_far(scan: xmlscan.SheetScan) -> None:
            raise UserError(Code.F06, self.subject, f"工作表“{sheet}”的内容延伸到单元格 {scan.far}"
                            f"（{scan.rows} 行 × {scan.cols} 列），远超表格范围；{guards.TOO_FAR}")

        def too_much(_scan, pos: tuple[int, int], chars: int) -> None:
            raise guards.too_much_text(self.subject, f"工作表“{sheet}”单元格 {a1(*pos)}（{chars} 个字）",
                                       self.budget.text_used)
        return xmlscan.scan_sheet(xml, self.budget, too_far, self.subject, part, self.shared, too_much)


def open_xlsx(data: bytes, subject: str) -> XlsxPackage:
    """Open and guard an .xlsx package held in ``data``: zip directory, every part a parser will
    read, DOCTYPE anywhere, then the workbook part, its relationships and the custom properties.
    Raises :class:`UserError` (F03 broken, F06 too big or hostile)."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError):
        raise UserError(Code.F03, subject, "压缩结构已损坏") from None
    guards.zip_guard(infos, subject)
    guards.doctype_guard(zf, infos, subject)
    pkg = XlsxPackage(subject, data, zf)
    book_part = _office_document(pkg) or "xl/workbook.xml"
    rels = _relationships(pkg, book_part)
    limits = {}
    folder = posixpath.dirname(book_part)
    for target, kind in rels.values():
        if kind.endswith("/sharedStrings"):
            limits[target] = (guards.MAX_SHARED_STRINGS_BYTES, "共享字符串表")
        elif kind.endswith("/styles"):
            limits[target] = (guards.MAX_STYLES_BYTES, "样式表")
    for fixed, cap, what in ((f"{folder}/sharedStrings.xml", guards.MAX_SHARED_STRINGS_BYTES, "共享字符串表"),
                             (CALAMINE_SHARED_STRINGS, guards.MAX_SHARED_STRINGS_BYTES, "共享字符串表"),
                             (f"{folder}/styles.xml", guards.MAX_STYLES_BYTES, "样式表")):
        limits.setdefault(fixed, (cap, what))
    shared = frozenset(t for t, (_, what) in limits.items() if what == "共享字符串表")
    kept = guards.part_guard(data, zf, limits, subject, keep=shared)
    pkg.shared = _shared_strings(pkg, kept)
    _read_workbook_part(pkg, book_part, rels)
    _sheet_limits(pkg)
    _read_custom(pkg)
    return pkg


def _shared_strings(pkg: XlsxPackage, parts: dict[str, bytes]) -> xmlscan.SharedStrings:
    names = "、".join(sorted(parts)) or CALAMINE_SHARED_STRINGS
    try:
        table = xmlscan.SharedStrings(*parts.values())
    except xmlscan.Hostile as exc:
        raise xmlscan.hostile_error(exc, pkg.subject, names) from None
    except expat.ExpatError as exc:
        raise UserError(Code.F03, pkg.subject, f"{names} 不是有效的 XML（{expat.ErrorString(exc.code)}）") from None
    if table.declared > guards.MAX_SHARED_STRINGS:
        raise UserError(Code.F06, pkg.subject, f"共享字符串表（{names}）声明有 {table.declared} 个字符串，超过 "
                        f"{guards.MAX_SHARED_STRINGS} 个（模板只有几百个），可能是恶意文件")
    return table


def _parse(pkg: XlsxPackage, part: str, cap: int = guards.MAX_SMALL_PART_BYTES,
           what: str = "关系或属性文件") -> list[tuple[str, dict, str]]:
    data = pkg.read(part, cap, what)
    if not data:
        return []
    try:
        return xmlscan.elements(data)
    except xmlscan.Hostile as exc:
        raise xmlscan.hostile_error(exc, pkg.subject, part) from None
    except expat.ExpatError as exc:
        raise UserError(Code.F03, pkg.subject, f"{part} 不是有效的 XML（{expat.ErrorString(exc.code)}）") from None


def _target(base_part: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(base_part), target))


def _relationships(pkg: XlsxPackage, part: str) -> dict[str, tuple[str, str]]:
    """Relationship id → (target part, type) of ``part`` (internal targets only)."""
    rels_part = posixpath.join(posixpath.dirname(part), "_rels", posixpath.basename(part) + ".rels")
    out = {}
    for tag, attrs, _ in _parse(pkg, rels_part):
        if tag == "Relationship" and attrs.get("TargetMode", "Internal") != "External":
            out[attrs.get("Id", "")] = (_target(part, attrs.get("Target", "")), attrs.get("Type", ""))
    return out


def _office_document(pkg: XlsxPackage) -> str | None:
    for target, kind in _relationships(pkg, "").values():
        if kind.endswith(_OFFICE_DOCUMENT):
            return target
    return None


def _read_workbook_part(pkg: XlsxPackage, book_part: str, rels: dict) -> None:
    names: dict[str, Name] = {}
    seen: set[str] = set()
    count = 0
    for tag, attrs, text in _parse(pkg, book_part, guards.MAX_WORKBOOK_BYTES, "工作簿结构"):
        if tag == "sheet":
            target = rels.get(attrs.get("id", ""))
            if target and target[1].endswith(_WORKSHEET):
                pkg.sheets[attrs.get("name", "")] = target[0]
        elif tag == "workbookPr":
            pkg.date1904 = attrs.get("date1904", "").strip().lower() in ("1", "true", "on")
        elif tag == "definedName":
            count += 1
            if count > guards.MAX_NAMES:
                raise UserError(Code.F06, pkg.subject, f"工作簿中的名称超过 {guards.MAX_NAMES} 个"
                                "（模板只有几百个）；请把数据复制到新生成的模板中")
            if attrs.get("localSheetId") is not None:
                continue              # a sheet-level name: never one of the template's
            key = attrs.get("name", "").lower()
            if key in seen:           # written twice: which one Excel would use is unknown
                names[key] = Name(text, None)
                continue
            seen.add(key)
            names[key] = parse_name(text)
    pkg.names = names


def _sheet_limits(pkg: XlsxPackage) -> None:
    """Each worksheet within :data:`.guards.MAX_SHEET_BYTES`, all together within
    :data:`.guards.MAX_SHEETS_BYTES`, by the zip directory (the real size of a sheet is measured
    when it is read, :meth:`XlsxPackage.scan`)."""
    total = 0
    for sheet, part in pkg.sheets.items():
        info = pkg.index.get(guards.canonical(part))
        if info is None:
            continue
        if info.file_size > guards.MAX_SHEET_BYTES:
            raise UserError(Code.F06, pkg.subject, f"工作表“{sheet}”解压后有 {info.file_size / 2**20:.1f} MB，"
                            f"超过 {guards.MAX_SHEET_BYTES // 2**20} MB（本模板的表格通常不到 0.2 MB）；{guards.TOO_FAR}")
        total += info.file_size
    if total > guards.MAX_SHEETS_BYTES:
        raise UserError(Code.F06, pkg.subject, f"{len(pkg.sheets)} 个工作表解压后共 {total / 2**20:.1f} MB，"
                        f"超过 {guards.MAX_SHEETS_BYTES // 2**20} MB；{guards.TOO_FAR}")


def _read_custom(pkg: XlsxPackage) -> None:
    part = next((t for t, kind in _relationships(pkg, "").values()
                 if kind.endswith((_CUSTOM, _STRICT_CUSTOM))), "docProps/custom.xml")
    name = None
    for tag, attrs, text in _parse(pkg, part, guards.MAX_SMALL_PART_BYTES, "文档属性"):
        if tag == "property":
            name = attrs.get("name")
        elif name is not None and text:
            pkg.props.setdefault(name, text.strip())
            name = None
