"""Bounds on what a published report may be, checked before any parser sees it.

A report is a few dozen pages: anything far bigger is refused (F25) with what was too big, so a
hostile or mistaken file (a 100 MB web page, a PDF of 10 000 pages, a zip bomb posing as .docx)
costs neither minutes nor gigabytes.  The file itself: F01 (missing), F02 (a folder), F07 (a type
no reader takes), F23 (empty or unreadable).
"""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

from ..archives import ZipLimits, over_limit
from ..findings import Code, UserError
from ..inputs import read_input

#: Largest file of each form (bytes).  A saved web page with inline images is a few MB.
MAX_BYTES = {".html": 20 * 2**20, ".htm": 20 * 2**20, ".txt": 5 * 2**20, ".md": 5 * 2**20,
             ".docx": 50 * 2**20, ".pdf": 50 * 2**20, ".doc": 50 * 2**20, ".wps": 50 * 2**20}
#: Pages of a PDF read at most (a long report has about 30).
MAX_PAGES = 300
#: Characters of text of a whole document (a long report has about 50 000).
MAX_CHARS = 3_000_000
#: Words pdfplumber may place on one page before the page is refused.
MAX_PAGE_CHARS = 60_000
#: A .docx: zip entries, total uncompressed size, compression ratio of a large entry.
MAX_ENTRIES = 2_000
MAX_UNCOMPRESSED = 200 * 2**20
MAX_XML_PART = 30 * 2**20
MAX_RATIO = 100
RATIO_MIN_SIZE = 2**20
ZIP_LIMITS = ZipLimits(MAX_ENTRIES, MAX_UNCOMPRESSED, member=lambda name: MAX_XML_PART
                       if name.endswith((".xml", ".rels")) else MAX_UNCOMPRESSED,
                       ratio=MAX_RATIO, ratio_from=RATIO_MIN_SIZE)
SUFFIXES = (".html", ".htm", ".docx", ".pdf", ".txt", ".md", ".doc", ".wps")


def read_bytes(path) -> tuple[str, bytes]:
    """``(suffix, content)`` of a report file through the one guarded read of
    :func:`xlsx_tool.inputs.read_input`: F01 missing, F02 a folder, F07 another type, F14 not a
    regular file (a FIFO, a device: never opened in a way that blocks, never read), F25 over
    :data:`MAX_BYTES` of its form (never read further), F23 unreadable or empty."""
    p, subject = Path(path), str(path)
    suffix = p.suffix.lower()
    data = read_input(path, MAX_BYTES.get(suffix, max(MAX_BYTES.values())), suffixes=SUFFIXES,
                      suffix_detail="；已发布的年报可读取：" + "、".join(SUFFIXES), too_big=Code.F25,
                      unreadable=Code.F23, folder_detail="请给出年报文件（.html/.docx/.pdf/.txt 等）的完整路径",
                      hint="一份年报通常只有几 MB")
    if not data.strip():
        raise UserError(Code.F23, subject, "文件为空")
    return suffix, data


def open_zip(data: bytes, subject: str, what: str) -> zipfile.ZipFile:
    """A zip container (.docx) checked before inflating: F23 when broken, F25 when its entries,
    total size or a compression ratio are beyond the bounds, or an XML part declares a DOCTYPE."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError):
        raise UserError(Code.F23, subject, f"不是有效的 {what} 文件（压缩结构已损坏，或扩展名与内容不符）") from None
    problem = over_limit(infos, ZIP_LIMITS)
    if problem:
        raise UserError(Code.F25, subject, problem)
    for i in infos:
        if i.filename.endswith((".xml", ".rels")):
            try:
                with zf.open(i) as f:
                    head = f.read(4096)
            except Exception:  # noqa: BLE001 — a broken entry is a broken file
                raise UserError(Code.F23, subject, f"{i.filename} 已损坏") from None
            if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                raise UserError(Code.F25, subject, f"{i.filename} 中有 DOCTYPE/ENTITY 声明（正常的文档没有）")
    return zf


def check_chars(count: int, subject: str) -> None:
    if count > MAX_CHARS:
        raise UserError(Code.F25, subject, f"文字超过 {MAX_CHARS:,} 个字符")
