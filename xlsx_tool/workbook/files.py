"""The file side of reading a workbook: is it usable at all, and its raw content.

Everything here runs before the cell-by-cell reading in :mod:`.read`: the path (F01, F02, F07,
F14: read by :func:`xlsx_tool.inputs.read_input`, never past :data:`.guards.MAX_FILE_BYTES`),
the bytes (F03 empty/corrupt/not a spreadsheet, F04 encrypted — an .xlsx with an open password
is an OLE2 file holding ``EncryptionInfo``), the guards of :mod:`.guards`, :mod:`.biff` and
:mod:`.ods` (F06), then :class:`Workbook`: python-calamine for the cached values, sheet by sheet
as they are needed (an .xls or .ods is parsed whole when opened: their guards counted every
sheet), each .xlsx worksheet first passed through the tokenizer of :mod:`.xmlscan` (limits, the
text budget, formulas, error values, exact numbers), names and properties from :mod:`.package` —
no full spreadsheet library load.  A failure of calamine, a panic of its Rust code included, is
F03 or F06 (:func:`calamine_failed`).  Then the format marker (F05, F08).
"""
from __future__ import annotations

import io
import unicodedata
from collections.abc import Iterator, Mapping

from .. import inputs
from ..findings import Code, UserError
from ..formats import model, registry, values
from .biff import xls_guard
from .guards import MAX_FILE_BYTES, MAX_GRID_CELLS, ODS_MIME, OLE2_MAGIC, TOO_FAR
from .ods import ods_guard

EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".ods")

PROP_FORMAT, PROP_LAYOUT, PROP_VERSION = "xlsx_tool_format", "xlsx_tool_layout", "xlsx_tool_version"

# -- the file itself ------------------------------------------------------------------------------
def read_input(path, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a workbook file through the one guarded read of :func:`xlsx_tool.inputs.read_input`:
    F01 missing, F02 a folder, F07 another suffix, F14 not a regular file (a FIFO, a device, a
    socket — also behind a symlink), F06 over ``limit`` bytes (never read further), F03
    unreadable or empty."""
    return inputs.read_input(path, limit, suffixes=EXTENSIONS, too_big=Code.F06, unreadable=Code.F03,
                             hint="填好的年报工作簿通常不到 1 MB")


def load_bytes(path) -> tuple[str, bytes]:
    """``(kind, content)`` with kind ``xlsx``/``xls``/``ods``, or a :class:`UserError` (F01–F07,
    F14).  An .xlsx's parts are guarded when it is opened (:func:`.package.open_xlsx`)."""
    subject = str(path)
    data = read_input(path)
    if data.startswith(OLE2_MAGIC):
        if "EncryptionInfo".encode("utf-16-le") in data:
            raise UserError(Code.F04, subject)
        xls_guard(data, subject)
        return "xls", data
    if not data.startswith(b"PK"):
        raise UserError(Code.F03, subject, "不是电子表格文件（可能是 CSV、文本或其他文件改了扩展名）")
    import zipfile

    from .guards import entry_index

    try:
        infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError):
        raise UserError(Code.F03, subject, "压缩结构已损坏") from None
    index = entry_index(infos, subject)       # names as calamine matches them
    names = set(index)
    if "xl/workbook.xml" in names or "[content_types].xml" in names and any(n.startswith("xl/") for n in names):
        return "xlsx", data
    if "content.xml" in names and "mimetype" in names:
        zf = zipfile.ZipFile(io.BytesIO(data))
        from .guards import inflate, zip_guard

        zip_guard(zf.infolist(), subject)
        if inflate(data, index["mimetype"], 256, "mimetype", subject).strip() == ODS_MIME:
            ods_guard(data, zf, subject)
            return "ods", data
    kind = "Word 文档" if "word/document.xml" in names else "其他类型的压缩文件"
    raise UserError(Code.F03, subject, f"这是{kind}，不是电子表格")


# -- the workbook's content -----------------------------------------------------------------------
class Workbook:
    """A usable workbook: ``kind`` (xlsx/xls/ods), ``grids`` (sheet name → rows of cached values,
    read on first use), and for .xlsx ``names`` (lower-case → :class:`.package.Name`), ``props``,
    ``date1904`` and ``scans`` (sheet → :class:`.xmlscan.SheetScan` of the sheets read)."""
    __slots__ = ("subject", "kind", "grids", "names", "props", "date1904", "scans")

    def __init__(self, subject: str, kind: str):
        self.subject, self.kind = subject, kind
        self.grids: Mapping[str, list[list]] = {}
        self.names: dict | None = None
        self.props: dict[str, str] = {}
        self.date1904 = False
        self.scans: dict = {}


def open_workbook(path) -> Workbook:
    """Check and open a filled workbook (see the module docstring); :class:`UserError` when it
    cannot be used."""
    subject = str(path)
    kind, data = load_bytes(path)
    pkg = None
    if kind == "xlsx":
        from .package import open_xlsx

        pkg = open_xlsx(data, subject)
    book = _calamine(data, subject)
    from python_calamine import SheetTypeEnum

    sheets = [m.name for m in book.sheets_metadata if m.typ == SheetTypeEnum.WorkSheet]
    wb = Workbook(subject, kind)
    if pkg is not None:
        sheets = [s for s in sheets if s in pkg.sheets]
        wb.names, wb.props, wb.date1904 = pkg.names, pkg.props, pkg.date1904
    wb.grids = _Grids(book, sheets, subject, pkg, wb.scans)
    return wb


def _calamine(data: bytes, subject: str):
    from python_calamine import CalamineWorkbook, PasswordError

    try:
        return CalamineWorkbook.from_filelike(io.BytesIO(data))
    except PasswordError:
        raise UserError(Code.F04, subject) from None
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # noqa: BLE001 — several unrelated types, and a Rust panic (a BaseException)
        raise calamine_failed(exc, subject, "") from None


def calamine_failed(exc: BaseException, subject: str, sheet: str) -> UserError:
    """What python-calamine raising ``exc`` means for the user: F06 when it ran out of room (a
    panic about memory or capacity), else F03 (the file, or the sheet, cannot be parsed).  A
    panic of its Rust code (``pyo3_runtime.PanicException``) is a ``BaseException``: caught too."""
    where = f"工作表“{sheet}”" if sheet else ""
    text = str(exc)[:200]
    if isinstance(exc, MemoryError) or any(w in text.lower() for w in ("capacity", "alloc", "memory")):
        return UserError(Code.F06, subject, f"{where}解析时所需内存超过限制（{text}）；{TOO_FAR}")
    panic = "解析程序异常中止：" if not isinstance(exc, Exception) else ""
    return UserError(Code.F03, subject, f"{where}无法解析：{panic}{text}")


class _Grids(Mapping):
    """Sheet name → its cached values (rows of Python values, calamine's ``to_python`` with the
    empty area kept so that positions are real), read on first use.  An .xlsx worksheet passes
    the tokenizer first; every sheet counts against one budget of :data:`MAX_GRID_CELLS`."""

    def __init__(self, book, sheets: list[str], subject: str, pkg, scans: dict):
        self.book, self.sheets, self.subject, self.pkg, self.scans = book, sheets, subject, pkg, scans
        self.cache: dict[str, list[list]] = {}
        self.used = 0

    def __contains__(self, name) -> bool:
        return name in self.sheets

    def __iter__(self) -> Iterator[str]:
        return iter(self.sheets)

    def __len__(self) -> int:
        return len(self.sheets)

    def __getitem__(self, name: str) -> list[list]:
        if name not in self.sheets:
            raise KeyError(name)
        if name not in self.cache:
            self.cache[name] = self.load(name)
        return self.cache[name]

    def load(self, name: str) -> list[list]:
        if self.pkg is not None:
            self.scans[name] = self.pkg.scan(name)
        try:
            sheet = self.book.get_sheet_by_name(name)
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:  # noqa: BLE001 — several unrelated types, and a Rust panic
            raise calamine_failed(exc, self.subject, name) from None
        size = sheet.height * sheet.width
        if self.used + size > MAX_GRID_CELLS:   # .xls/.ods (an .xlsx was measured by its scan)
            raise UserError(Code.F06, self.subject, f"工作表“{name}”的内容延伸到 {sheet.height} 行 × {sheet.width} 列，"
                            f"远超表格范围；{TOO_FAR}")
        self.used += size
        try:
            return sheet.to_python(skip_empty_area=False)
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:  # noqa: BLE001 — as above
            raise calamine_failed(exc, self.subject, name) from None


def norm_label(raw) -> str:
    """A label for comparison: NFKC, no spaces or line breaks."""
    return "".join(unicodedata.normalize("NFKC", values.to_text(raw)).split())


def format_id(grids: Mapping, info_sheets: list[str], props: dict, subject: str) -> str:
    """The format id: the 年报格式 cell on 基本信息 (any sheet, 基本信息 first), else the custom
    property; F05 when neither exists, F08 when the id is unknown."""
    order = [s for s in info_sheets if s in grids] + [s for s in grids if s not in info_sheets]
    found = None
    for sheet in order:
        for row in grids[sheet]:
            if row and norm_label(row[0]) == model.FORMAT_LABEL:
                found = values.to_text(row[1]) if len(row) > 1 else ""
                break
        if found is not None:
            break
    fid = found or props.get(PROP_FORMAT, "").strip()
    if found is None and not fid:
        raise UserError(Code.F05, subject, "文件中没有“年报格式”标记")
    known = registry.available()
    if fid not in known:
        shown = f"“{fid}”" if fid else "空白"
        raise UserError(Code.F08, subject, f"“年报格式”为{shown}，本工具支持：{'、'.join(known)}")
    return fid
