"""Reading published annual reports back: web pages, Word, PDF and text into checked data.

``read_report(path) -> PublishedReport`` (a :class:`~xlsx_tool.formats.content.ReportData`) for
``.html``/``.htm``, ``.docx``, ``.pdf`` (with a text layer), ``.txt``/``.md`` and ``.doc``/``.wps``
(converted to .docx by LibreOffice when it is installed).  Offline and deterministic: every
printed number is read right or reported as uncertain (P17), never guessed.  Raises
:class:`~xlsx_tool.findings.UserError` for a file that cannot be used: F01/F02/F07 (path, type),
F23 (unreadable), F24 (a PDF without text), F25 (beyond the bounds of :mod:`.limits`), F26
(.doc/.wps without LibreOffice).

Layers: a source per form (:mod:`.html`, :mod:`.docx`, :mod:`.pdf`, :mod:`.text`) → a common
:class:`~.document.Document` → structure (:mod:`.structure`, :mod:`.info`, :mod:`.narrative`) →
tables (:mod:`.rows`, :mod:`.tables`, :mod:`.split`, :mod:`.resolve`) → :mod:`.build`, with the
printed cross-checks of :mod:`.printed`.
"""
from __future__ import annotations

from pathlib import Path

from ..findings import Code, UserError

__all__ = ["read_report", "read_document", "KINDS"]

#: suffix → the ``kind`` a report read from it carries
KINDS = {".html": "html", ".htm": "html", ".docx": "docx", ".pdf": "pdf", ".txt": "txt", ".md": "txt",
         ".doc": "doc", ".wps": "doc"}


def read_document(path):
    """The :class:`~.document.Document` of a report file (the layer below :func:`read_report`)."""
    from . import limits

    suffix, data = limits.read_bytes(path)
    subject = str(path)
    if suffix in (".html", ".htm"):
        from . import html

        return html.read(data, subject)
    if suffix in (".txt", ".md"):
        from . import text

        return text.read(data, subject)
    if suffix == ".docx":
        from . import docx

        return docx.read(data, subject)
    if suffix == ".pdf":
        from . import pdf

        return pdf.read(data, subject)
    return _legacy(path, data, subject)


def _legacy(path, data: bytes, subject: str):
    """.doc/.wps: converted to .docx by LibreOffice on a private copy, then read as Word."""
    from .. import office
    from . import docx

    if office.soffice() is None:
        raise UserError(Code.F26, subject)
    if not (data.startswith(b"\xd0\xcf\x11\xe0") or data.startswith(b"PK") or data.lstrip()[:1] in (b"{", b"<")):
        raise UserError(Code.F23, subject, "不是 Word/WPS 文档（扩展名与内容不符）")
    try:
        converted = office.convert(Path(path), "docx", timeout=90)
    except UserError as err:
        raise UserError(Code.F23, subject, f"LibreOffice 无法转换：{err.finding.message or err.subject}") from None
    doc = docx.read(converted, subject, kind="doc")
    return doc


def read_report(path):
    """Read one published report (see the module docstring)."""
    from .build import build

    return build(read_document(path))
