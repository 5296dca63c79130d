"""What an uploaded file is, judged from its content (never from the name the browser sent).

:func:`sniff` looks at the first bytes (and, for zip and OLE2 containers, at the names inside) and
returns a :class:`Kind`: the suffix the file is stored under, a Chinese label for messages and its
group — ``workbook`` (read by :func:`xlsx_tool.workbook.read.read_workbook`), ``published`` (a
published report, read by :mod:`xlsx_tool.published`), ``exchange`` (JSON), ``archive`` (a .zip
of reports) or ``unknown``.  The readers then judge the content again with their own guards; this
only decides which reader gets the file and under which suffix, so that a workbook renamed
``.pdf`` is read as a workbook and a PDF renamed ``.xlsx`` is not handed to the workbook reader.
"""
from __future__ import annotations

import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
HEAD_BYTES = 64 * 1024


@dataclass(frozen=True)
class Kind:
    ext: str
    label: str
    group: str


XLSX = Kind(".xlsx", "Excel 工作簿（.xlsx）", "workbook")
XLS = Kind(".xls", "Excel 97-2003 工作簿（.xls）", "workbook")
ODS = Kind(".ods", "OpenDocument 工作簿（.ods）", "workbook")
DOCX = Kind(".docx", "Word 文档（.docx）", "published")
DOC = Kind(".doc", "Word 97-2003 文档（.doc）", "published")
PDF = Kind(".pdf", "PDF 文档", "published")
HTML = Kind(".html", "网页（HTML）", "published")
TXT = Kind(".txt", "文本文件", "published")
JSON = Kind(".json", "交换数据（JSON）", "exchange")
ZIP = Kind(".zip", "压缩包（.zip）", "archive")
UNKNOWN = Kind("", "无法识别的文件", "unknown")
#: Other things people upload by mistake: named, so the message says what the file is.
_OTHER = ((b"\x89PNG", "PNG 图片"), (b"\xff\xd8\xff", "JPEG 图片"), (b"GIF8", "GIF 图片"),
          (b"Rar!", "RAR 压缩包"), (b"7z\xbc\xaf", "7z 压缩包"), (b"{\\rtf", "RTF 文档"),
          (b"\x1f\x8b", "gzip 压缩文件"), (b"MZ", "程序文件（.exe）"))


def sniff(path: str | Path) -> Kind:
    """The :class:`Kind` of the file at ``path`` from its content."""
    path = Path(path)
    with open(path, "rb") as f:
        head = f.read(HEAD_BYTES)
    if not head:
        return UNKNOWN
    if head.startswith(OLE2_MAGIC):
        return _ole2(path)
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _zip(path)
    if head.startswith(b"%PDF-"):
        return PDF
    for magic, label in _OTHER:
        if head.startswith(magic):
            return Kind("", label, "unknown")
    return _text(head)


def _ole2(path: Path) -> Kind:
    """An OLE2 compound file: an .xls, a .doc/.wps, or an .xlsx with an open password (the
    workbook reader answers that one with F04, as on the command line)."""
    import olefile

    try:
        with olefile.OleFileIO(str(path)) as ole:
            streams = {"/".join(s).lower() for s in ole.listdir()}
    except Exception:   # noqa: BLE001 — a broken container: the workbook reader says why
        return XLS
    if "worddocument" in streams:
        return DOC
    if "encryptioninfo" in streams or "encryptedpackage" in streams:
        return XLSX     # an .xlsx with an open password: the reader says F04, as on the command line
    return XLS


def _zip(path: Path) -> Kind:
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist()[:20_000])
            mimetype = zf.read("mimetype")[:100].strip() if "mimetype" in names else b""
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, KeyError, RuntimeError,
            NotImplementedError, EOFError):
        return XLSX      # damaged: the workbook reader names the damage (F03)
    if "xl/workbook.xml" in names:
        return XLSX
    if mimetype == b"application/vnd.oasis.opendocument.spreadsheet":
        return ODS
    if "word/document.xml" in names:
        return DOCX
    if mimetype.startswith(b"application/vnd.oasis.opendocument"):
        return Kind("", "OpenDocument 文字文档或演示文稿", "unknown")
    if "[Content_Types].xml" in names:
        return Kind("", "Office 文档（不是工作簿）", "unknown")
    return ZIP


def _text(head: bytes) -> Kind:
    if b"\x00" in head[:4096] and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return UNKNOWN
    text = None
    for enc in ("utf-8-sig", "utf-16", "gb18030"):
        try:
            text = head.decode(enc)
            break
        except UnicodeDecodeError:
            # the cut at HEAD_BYTES may split a character: retry without the last bytes
            try:
                text = head[:-4].decode(enc)
                break
            except UnicodeDecodeError:
                continue
    if text is None:
        return UNKNOWN
    start = text.lstrip()[:4096].lower()
    if start.startswith(("<!doctype html", "<html")) or \
            re.search(r"<(html|head|body|meta|title|table|p|div)\b", start[:2048]):
        return HTML
    if start.startswith(("{", "[")):
        return JSON
    printable = sum(ch.isprintable() or ch in "\r\n\t" for ch in text[:4096])
    return TXT if printable >= 0.95 * len(text[:4096]) else UNKNOWN


# -- names ----------------------------------------------------------------------------------------
_FORBIDDEN = set('<>:"/\\|?*') | {chr(i) for i in range(32)} | {"\x7f"}
MAX_NAME_CHARS = 100


def safe_name(raw: str, default: str = "上传的文件") -> str:
    """The last path component of a name the browser (or a zip) gave, fit to be shown and used as
    a file name: NFC, no path, no control or reserved characters, at most 100 characters."""
    name = unicodedata.normalize("NFC", str(raw or "")).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch not in _FORBIDDEN and unicodedata.category(ch) != "Cf")
    name = name.strip(" .")
    if len(name) > MAX_NAME_CHARS:
        stem, dot, suffix = name.rpartition(".")
        suffix = suffix[:10] if dot else ""
        name = (stem if dot else name)[:MAX_NAME_CHARS - len(suffix) - 1] + (f".{suffix}" if suffix else "")
    return name or default


def stored_name(display: str, kind: Kind) -> str:
    """The name a file is stored under: its shown name with the suffix its content calls for
    (``报表.pdf`` holding a workbook → ``报表.xlsx``); a name without one keeps its own."""
    stem = Path(display).stem if Path(display).suffix else display
    return f"{stem}{kind.ext}" if kind.ext else display


def unique_in(folder: Path, name: str) -> Path:
    """``folder/name``, or ``name (2)`` … when taken."""
    target = folder / name
    n = 2
    while target.exists():
        p = Path(name)
        target = folder / f"{p.stem} ({n}){p.suffix}"
        n += 1
    return target
