"""Render a :class:`~xlsx_tool.formats.content.ReportData` into a Word report: :func:`render_docx`.

The built-in templates (``templates/report-<format>.docx``, made by
``python -m xlsx_tool.report.build``) are laid out from the format model; a custom template may
use any of the names of :func:`.context.context` (``xlsx-tool fields`` lists them).  The rendering
itself is :mod:`.engine`; this module checks the output first, writes it atomically through
:mod:`xlsx_tool.outputs` (O01–O09) and, when a placeholder is unknown (T01), says where every
unknown placeholder is and whether the template was made for another official format.
"""
from __future__ import annotations

import pathlib

from .. import outputs
from ..findings import Code, UserError
from ..formats.content import ReportData
from .engine import default_template, rendered

__all__ = ["render_docx", "rendered", "default_template"]


# -- output ---------------------------------------------------------------------------------------
def render_docx(data: ReportData, out, *, template=None, force: bool = False,
                draft: str = "", notes: list | None = None) -> pathlib.Path:
    """Write the report of ``data`` to ``out`` (.docx) and return its path.

    ``template``: a .docx (or .dotx) with docxtpl tags (default: the built-in one of
    ``data.fmt``); ``force``: replace an existing ``out``; ``draft``: when not empty, printed in
    red bold first on page 1 and in every page's header (``render --allow-errors`` marks a
    report that failed its checks, so that it is not published by mistake); ``notes``: a list
    that receives the 提示 of the rendering (T08: external links removed from the template).
    The template is vetted by :func:`.package.open_template` and rendered in the bounded
    sandbox (:mod:`.sandbox`) under CPU and memory limits (:mod:`.bounded`).  Raises
    :class:`UserError` (F09, F20, F21, T01, T06, T07, T09, O01–O09).
    """
    builtin = template is None
    path = default_template(data.fmt.id) if builtin else pathlib.Path(template)
    inputs = (data.source, path)
    out = outputs.check_target(out, force=force, inputs=inputs, suffix=".docx")   # fail before any work
    try:
        found, body = rendered(data, template=template, draft=draft)
    except UserError as err:
        if err.code != Code.T01.name:
            raise
        raise UserError(Code.T01, err.subject, _unknown_detail(path, data.fmt.id)) from None
    if notes is not None:
        notes.extend(found)
    outputs.write_bytes(out, body, force=force, inputs=inputs, suffix=".docx")
    return out



def _unknown_detail(path: pathlib.Path, format_id: str) -> str:
    """Where the unknown placeholders are (from :mod:`.lint`), and whether the template was made
    for the other official format."""
    from . import lint

    unknown = [f for f in lint.lint(path, format_id, trial=False) if f.code == Code.T01.name]
    where = "；".join(f"{f.extra.get('tag', '')} 在{f.labels}" for f in unknown[:5])
    more = f"等 {len(unknown)} 处" if len(unknown) > 5 else ""
    detail = f"模板：{path}" + (f"；未知占位符：{where}{more}" if where else "")
    other = lint.detect_format(path)
    if other is not None and other != format_id:
        detail += f"；这个模板是 {other} 格式的，而数据是 {format_id} 格式，请换用 {format_id} 格式的模板"
    return detail + "。可先运行 xlsx-tool lint-template 检查模板"
