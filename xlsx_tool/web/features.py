"""Which optional parts of the package are installed, found lazily (the page works without them).

Some functions the page offers are built in other parts of the package (see the contracts in
the developers' guide): reading published reports (:mod:`xlsx_tool.published`), last year's data
and explanations (说明) (:mod:`xlsx_tool.checks.continuity`, ``write_template(previous=…)``,
``rewrite_with_explanations``), the review office's batch (:mod:`xlsx_tool.review`).  Each is
looked up here by import, never imported at module load; a missing one makes the page show
“此功能尚未安装” (W09) for that function only.  :func:`available` is cheap after the first call.
"""
from __future__ import annotations

import importlib
import inspect
from functools import lru_cache

#: Where ``rewrite_with_explanations`` may live (the contract names the first; the year-to-year
#: part may choose another module of the workbook stage).
EXPLAIN_MODULES = ("xlsx_tool.workbook.previous", "xlsx_tool.workbook.explanations",
                   "xlsx_tool.workbook.explain")

#: Feature → what the page says is missing.
NAMES = {
    "published": "读取已发布的年报（网页、Word、PDF、文本）",
    "exchange": "读取交换数据（JSON）",
    "prefill": "用上年数据预填模板",
    "continuity": "与上年数据的衔接检查",
    "explain": "把说明写入工作簿副本",
    "review": "政务公开办批量审核",
    "combine": "汇总本地区各单位的年报",
    "pdf": "输出 PDF（需要安装 LibreOffice）",
}


def _attr(module: str, name: str):
    try:
        return getattr(importlib.import_module(module), name, None)
    except ImportError:
        return None


def _accepts(fn, parameter: str) -> bool:
    try:
        return fn is not None and parameter in inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False


def explain_function():
    """``rewrite_with_explanations(src, out, explanations, *, force=False)`` or ``None``."""
    for module in EXPLAIN_MODULES:
        fn = _attr(module, "rewrite_with_explanations")
        if fn is not None:
            return fn
    return None


def explanation_type():
    """``Explanation(code, cell, text)`` of :mod:`xlsx_tool.formats.content`, or ``None``."""
    return _attr("xlsx_tool.formats.content", "Explanation")


@lru_cache(maxsize=None)
def available(name: str) -> bool:
    """Whether the feature ``name`` (a key of :data:`NAMES`) is installed."""
    if name == "published":
        return _attr("xlsx_tool.published", "read_report") is not None
    if name == "exchange":
        return _attr("xlsx_tool.formats.exchange", "read_exchange") is not None
    if name == "prefill":
        from ..workbook.template import write_template

        return _accepts(write_template, "previous")
    if name == "continuity":
        from ..checks.check import check

        return _accepts(check, "previous")
    if name == "explain":
        return explain_function() is not None and explanation_type() is not None
    if name == "review":
        return (_attr("xlsx_tool.review.batch", "review") is not None
                and _attr("xlsx_tool.review.findings_book", "write") is not None)
    if name == "combine":
        return _attr("xlsx_tool.review.combine", "combine") is not None
    if name == "pdf":
        from .. import office

        return office.soffice() is not None
    raise KeyError(name)


def status() -> dict[str, bool]:
    """Every feature → installed or not (what the pages are drawn with)."""
    return {name: available(name) for name in NAMES}
