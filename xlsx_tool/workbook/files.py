"""The file side of reading a workbook: is it usable at all, and its raw content.

Everything here runs before the cell-by-cell reading in :mod:`.read`: the path (F01, F02, F07),
the bytes (F03 empty/corrupt/not a spreadsheet, F04 encrypted — an .xlsx with an open password is
an OLE2 file holding ``EncryptionInfo``), the guards of :mod:`.guards` (F06), then one calamine
pass for the cached values, one openpyxl load (``data_only=False``, never ``read_only``) for
names, formulas and custom properties, and the format marker (F05, F08).
"""
from __future__ import annotations

import io
import unicodedata
import warnings
import zipfile
from pathlib import Path

from ..findings import Code, UserError
from ..formats import model, registry, values
from .guards import (MAX_FILE_BYTES, MAX_GRID_CELLS, ODS_MIME, OLE2_MAGIC, TOO_FAR, doctype_guard,
                     ods_guard, sheet_guard, xls_guard, zip_guard)

EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".ods")

PROP_FORMAT, PROP_LAYOUT, PROP_VERSION = "xlsx_tool_format", "xlsx_tool_layout", "xlsx_tool_version"


# -- the file itself ------------------------------------------------------------------------------
def load_bytes(path) -> tuple[str, bytes]:
    """``(kind, content)`` with kind ``xlsx``/``xls``/``ods``, or a :class:`UserError` (F01–F07)."""
    p, subject = Path(path), str(path)
    if not p.exists():
        raise UserError(Code.F01, subject)
    if p.is_dir():
        raise UserError(Code.F02, subject)
    if p.suffix.lower() not in EXTENSIONS:
        raise UserError(Code.F07, subject, f"扩展名为“{p.suffix or '（无）'}”")
    try:
        size = p.stat().st_size
        if size > MAX_FILE_BYTES:   # never read a huge file into memory
            raise UserError(Code.F06, subject, f"文件有 {size / 2**20:.0f} MB，超过 {MAX_FILE_BYTES // 2**20} MB"
                            "（填好的年报工作簿通常不到 1 MB）；请确认选对了文件")
        data = p.read_bytes()
    except OSError as exc:
        raise UserError(Code.F03, subject, f"无法打开：{exc.strerror or exc}") from None
    if not data:
        raise UserError(Code.F03, subject, "文件为空（0 字节）")
    if data.startswith(OLE2_MAGIC):
        if "EncryptionInfo".encode("utf-16-le") in data:
            raise UserError(Code.F04, subject)
        xls_guard(data, subject)
        return "xls", data
    if not data.startswith(b"PK"):
        raise UserError(Code.F03, subject, "不是电子表格文件（可能是 CSV、文本或其他文件改了扩展名）")
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError):
        raise UserError(Code.F03, subject, "压缩结构已损坏") from None
    zip_guard(infos, subject)
    names = {i.filename for i in infos}
    doctype_guard(zf, infos, subject)
    if "xl/workbook.xml" in names:
        sheet_guard(zf, infos, subject)
        return "xlsx", data
    if "content.xml" in names and "mimetype" in names and zf.read("mimetype").strip() == ODS_MIME:
        ods_guard(zf, subject)
        return "ods", data
    kind = "Word 文档" if "word/document.xml" in names else "其他类型的压缩文件"
    raise UserError(Code.F03, subject, f"这是{kind}，不是电子表格")


def calamine_grids(data: bytes, subject: str) -> dict[str, list[list]]:
    from python_calamine import CalamineWorkbook, PasswordError

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except PasswordError:
        raise UserError(Code.F04, subject) from None
    except Exception as exc:  # calamine raises several unrelated types for broken files
        raise UserError(Code.F03, subject, f"无法解析：{str(exc)[:200]}") from None
    grids = {}
    for name in book.sheet_names:
        try:
            sheet = book.get_sheet_by_name(name)
        except Exception:  # a chart sheet or a sheet calamine cannot read holds no data of ours
            continue
        if sheet.height * sheet.width > MAX_GRID_CELLS:  # .xls/.ods: not pre-scanned like .xlsx
            raise UserError(Code.F06, subject, f"工作表“{name}”的内容延伸到 {sheet.height} 行 × {sheet.width} 列，"
                            f"远超表格范围；{TOO_FAR}")
        try:
            grids[name] = sheet.to_python(skip_empty_area=False)
        except Exception:
            continue
    return grids


def openpyxl_book(data: bytes, subject: str):
    import openpyxl

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return openpyxl.load_workbook(io.BytesIO(data), data_only=False)
    except Exception as exc:
        raise UserError(Code.F03, subject, f"无法解析：{str(exc)[:200]}") from None


def defined_names(book) -> dict[str, tuple | None]:
    """Workbook-level names (lower case) → ``(sheet, row, col, last_row, last_col)`` 0-based, or
    ``None`` when broken (``#REF!``)."""
    from openpyxl.utils.cell import range_boundaries

    out: dict[str, tuple | None] = {}
    for name, dn in book.defined_names.items():
        dest = None
        try:
            if dn.type == "RANGE":
                sheet, ref = next(iter(dn.destinations))
                c1, r1, c2, r2 = range_boundaries(ref.replace("$", ""))
                dest = (sheet, r1 - 1, c1 - 1, r2 - 1, c2 - 1)
        except Exception:
            dest = None
        out[name.lower()] = dest
    return out


def custom_props(book) -> dict[str, str]:
    try:
        return {p.name: str(p.value) for p in book.custom_doc_props.props}
    except Exception:
        return {}


def norm_label(raw) -> str:
    """A label for comparison: NFKC, no spaces or line breaks."""
    return "".join(unicodedata.normalize("NFKC", values.to_text(raw)).split())


def format_id(grids: dict, info_sheets: list[str], props: dict, subject: str) -> str:
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
