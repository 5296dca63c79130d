"""Any report source into :class:`~xlsx_tool.formats.content.ReportData`: a filled workbook, a
published report (web page, Word, PDF, text) or the exchange JSON.

The commands that accept "last year's report" or "a folder of reports" read through
:func:`read_any`, so each of them takes every source the tool can read.  Raises
:class:`~xlsx_tool.findings.UserError` (F07 for a type no reader takes).
"""
from __future__ import annotations

from pathlib import Path

from .findings import Code, UserError
from .formats.content import ReportData

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
#: Suffixes of published reports (read by :mod:`xlsx_tool.published`).
PUBLISHED_SUFFIXES = (".html", ".htm", ".docx", ".pdf", ".txt", ".md", ".doc", ".wps")
EXCHANGE_SUFFIXES = (".json",)


def kind_of(path: str | Path) -> str | None:
    """``workbook``, ``published``, ``exchange`` or ``None`` for a path, by its suffix."""
    suffix = Path(path).suffix.lower()
    for kind, suffixes in (("workbook", WORKBOOK_SUFFIXES), ("published", PUBLISHED_SUFFIXES),
                           ("exchange", EXCHANGE_SUFFIXES)):
        if suffix in suffixes:
            return kind
    return None


def read_any(path: str | Path, *, blank_as_zero: bool = False) -> ReportData:
    """Read one report from any source the tool knows (see the module docstring)."""
    if Path(path).is_dir():               # before the suffix: a folder is no report of any kind
        raise UserError(Code.F02, str(path))
    kind = kind_of(path)
    if kind == "workbook":
        from .workbook.read import read_workbook

        return read_workbook(path, blank_as_zero=blank_as_zero)
    if kind == "published":
        try:
            from .published import read_report
        except ImportError:
            read_report = None
        if read_report is not None:
            return read_report(path)
    if kind == "exchange":
        try:
            from .formats.exchange import read_exchange
        except ImportError:
            read_exchange = None
        if read_exchange is not None:
            return read_exchange(path)
    known = "、".join(WORKBOOK_SUFFIXES + PUBLISHED_SUFFIXES + EXCHANGE_SUFFIXES)
    raise UserError(Code.F07, str(path), f"扩展名为“{Path(path).suffix or '（无）'}”；可读取：{known}")
