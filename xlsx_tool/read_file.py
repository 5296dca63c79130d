"""The file side of reading a workbook: is it usable at all, and its raw content.

Everything here runs before or instead of the cell-by-cell reading in :mod:`xlsx_tool.read`:
the path (F01, F02, F07), the bytes (F03 empty/corrupt/not a spreadsheet, F04 encrypted — an
.xlsx with an open password is an OLE2 file holding ``EncryptionInfo``), the zip-bomb guard (F06,
checked on the zip directory before any parser inflates an entry), then one calamine pass for the
cached values, one openpyxl load (``data_only=False``, never ``read_only``) for names, formulas
and custom properties, and the format marker (F05, F08).
"""
from __future__ import annotations

import io
import unicodedata
import warnings
import zipfile
from pathlib import Path

from . import formats, model, values
from .findings import UserError

EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".ods")
MAX_ENTRIES = 10_000
MAX_UNCOMPRESSED = 100 * 2**20
MAX_RATIO = 100
RATIO_MIN_SIZE = 2**20
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"
PROP_FORMAT, PROP_LAYOUT = "xlsx_tool_format", "xlsx_tool_layout"


# -- the file itself ------------------------------------------------------------------------------
def load_bytes(path) -> tuple[str, bytes]:
    """``(kind, content)`` with kind ``xlsx``/``xls``/``ods``, or a :class:`UserError` (F01–F07)."""
    p, subject = Path(path), str(path)
    if not p.exists():
        raise UserError("F01", subject)
    if p.is_dir():
        raise UserError("F02", subject)
    if p.suffix.lower() not in EXTENSIONS:
        raise UserError("F07", subject, f"扩展名为“{p.suffix or '（无）'}”")
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise UserError("F03", subject, f"无法打开：{exc.strerror or exc}") from None
    if not data:
        raise UserError("F03", subject, "文件为空（0 字节）")
    if data.startswith(OLE2_MAGIC):
        if "EncryptionInfo".encode("utf-16-le") in data:
            raise UserError("F04", subject)
        return "xls", data
    if not data.startswith(b"PK"):
        raise UserError("F03", subject, "不是电子表格文件（可能是 CSV、文本或其他文件改了扩展名）")
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError):
        raise UserError("F03", subject, "压缩结构已损坏") from None
    zip_guard(infos, subject)
    names = {i.filename for i in infos}
    if "xl/workbook.xml" in names:
        return "xlsx", data
    if "content.xml" in names and "mimetype" in names and zf.read("mimetype").strip() == ODS_MIME:
        return "ods", data
    kind = "Word 文档" if "word/document.xml" in names else "其他类型的压缩文件"
    raise UserError("F03", subject, f"这是{kind}，不是电子表格")


def zip_guard(infos: list[zipfile.ZipInfo], subject: str) -> None:
    """F06 before any parser inflates the zip: too many entries, too big, or a suspicious ratio."""
    if len(infos) > MAX_ENTRIES:
        raise UserError("F06", subject, f"压缩包内有 {len(infos)} 个文件")
    total = sum(i.file_size for i in infos)
    if total > MAX_UNCOMPRESSED:
        raise UserError("F06", subject, f"解压后共 {total / 2**20:.0f} MB")
    for i in infos:
        if i.file_size > RATIO_MIN_SIZE and i.file_size > MAX_RATIO * max(i.compress_size, 1):
            raise UserError("F06", subject, f"{i.filename} 的压缩比超过 {MAX_RATIO}:1")


def calamine_grids(data: bytes, subject: str) -> dict[str, list[list]]:
    from python_calamine import CalamineWorkbook, PasswordError

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except PasswordError:
        raise UserError("F04", subject) from None
    except Exception as exc:  # calamine raises several unrelated types for broken files
        raise UserError("F03", subject, f"无法解析：{str(exc)[:200]}") from None
    grids = {}
    for name in book.sheet_names:
        try:
            grids[name] = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        except Exception:  # a chart sheet or a sheet calamine cannot read holds no data of ours
            continue
    return grids


def openpyxl_book(data: bytes, subject: str):
    import openpyxl

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return openpyxl.load_workbook(io.BytesIO(data), data_only=False)
    except Exception as exc:
        raise UserError("F03", subject, f"无法解析：{str(exc)[:200]}") from None


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
        raise UserError("F05", subject, "文件中没有“年报格式”标记")
    known = formats.available()
    if fid not in known:
        shown = f"“{fid}”" if fid else "空白"
        raise UserError("F08", subject, f"“年报格式”为{shown}，本工具支持：{'、'.join(known)}")
    return fid
