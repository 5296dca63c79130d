"""Render a :class:`~xlsx_tool.formats.content.ReportData` into a Word report through a docxtpl template.

The built-in templates (``templates/report-<format>.docx``, made by
``python -m xlsx_tool.report.build``) are laid out from the format model; a custom template may
use any of the names of :func:`.context.context` (``xlsx-tool fields`` lists them).  Rendering runs in a
Jinja sandbox with autoescaping (values containing ``& < >`` stay intact) and ``StrictUndefined``
(an unknown placeholder is an error, never a silently empty cell).  Every failure becomes a
:class:`~xlsx_tool.findings.UserError` with a Chinese message: F09 (template unusable), T01
(unknown placeholder), T06 (syntax error or unsafe expression), O01–O04 (output, written
atomically through :mod:`xlsx_tool.outputs`).
"""
from __future__ import annotations

import datetime as dt
import io
import pathlib
import re

from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, UndefinedError
from jinja2.sandbox import SandboxedEnvironment, SecurityError

from .. import outputs
from ..findings import Code, UserError
from ..formats.content import ReportData
from .context import context

# -- templates ------------------------------------------------------------------------------------
def default_template(format_id: str) -> pathlib.Path:
    """The built-in template of a format, e.g. ``…/templates/report-2021.docx`` (it may not exist
    for a format added as a data file only: :func:`render_docx` then builds it on the fly)."""
    from .build import template_folder, template_name

    return template_folder() / template_name(format_id)


def _load(path: pathlib.Path, format_id: str | None = None):
    """The docxtpl template at ``path``; for a missing built-in template (``format_id`` given), the
    template built from the format model in memory."""
    from docxtpl import DocxTemplate

    source: object = str(path)
    if format_id is not None and not path.exists():
        from .build import OFFICIAL, build

        source = io.BytesIO(build(format_id, OFFICIAL))
    elif not path.exists():
        raise UserError(Code.F09, str(path), "文件不存在")
    elif not path.is_file():
        raise UserError(Code.F09, str(path), "给出的是文件夹而不是 .docx 文件")
    tpl = DocxTemplate(source)
    try:
        tpl.init_docx()
    except Exception as exc:  # noqa: BLE001 — any failure to open is "unusable template"
        hint = "；.doc 格式请在 Word/WPS 中另存为 .docx" if path.suffix.lower() == ".doc" else ""
        raise UserError(Code.F09, str(path), f"无法作为 Word (.docx) 文件打开：{type(exc).__name__}{hint}") from None
    return tpl


def _template_text(tpl) -> str:
    """Plain text of the template's body, headers and footers (to quote a faulty tag)."""
    try:
        xml = tpl.get_xml()
        for rel in tpl.docx.part.rels.values():
            if rel.reltype in (tpl.HEADER_URI, tpl.FOOTER_URI):
                xml += rel.target_part.blob.decode("utf-8", "replace")
        return re.sub(r"<[^>]+>", "", tpl.patch_xml(xml))
    except Exception:  # noqa: BLE001 — only used to improve a message
        return ""


def _undefined_name(exc: UndefinedError, tpl) -> str:
    """The placeholder that failed, as written in the template when it can be found."""
    msg = str(exc.message or exc)
    m = re.search(r"has no attribute '([^']+)'", msg) or re.search(r"'([^']+)' is undefined", msg)
    name = m.group(1) if m else msg
    for tag in re.findall(r"\{[{%](.*?)[}%]\}", _template_text(tpl), flags=re.S):
        for expr in re.findall(r"[A-Za-z_][\w.]*", tag):
            if expr == name or expr.endswith("." + name):
                return expr
    return name


def _unknown_detail(path: pathlib.Path, format_id: str) -> str:
    """Where the unknown placeholders are (from :mod:`.lint`), and whether the template was made
    for the other official format."""
    from . import lint

    unknown = [f for f in lint.lint(path, format_id) if f.code == Code.T01.name]
    where = "；".join(f"{f.extra.get('tag', '')} 在{f.labels}" for f in unknown[:5])
    more = f"等 {len(unknown)} 处" if len(unknown) > 5 else ""
    detail = f"模板：{path}" + (f"；未知占位符：{where}{more}" if where else "")
    other = lint.detect_format(path)
    if other is not None and other != format_id:
        detail += f"；这个模板是 {other} 格式的，而数据是 {format_id} 格式，请换用 {format_id} 格式的模板"
    return detail + "。可先运行 xlsx-tool lint-template 检查模板"


def _near(exc) -> str:
    lines = [x.strip() for x in getattr(exc, "docx_context", None) or () if x.strip()]
    text = " ".join(lines)
    return f"；出错位置附近的文字：{text[:120]}" if text else ""


def _render(tpl, ctx: dict, path: pathlib.Path) -> None:
    env = SandboxedEnvironment(autoescape=True, undefined=StrictUndefined)
    try:
        tpl.render(ctx, env, autoescape=True)
    except SecurityError as exc:
        raise UserError(Code.T06, str(path), f"不允许的表达式（{exc}）{_near(exc)}") from None
    except UndefinedError as exc:
        raise UserError(Code.T01, _undefined_name(exc, tpl), _unknown_detail(path, ctx["fmt_id"])) from None
    except TemplateSyntaxError as exc:
        raise UserError(Code.T06, str(path), f"语法错误（{exc.message}）{_near(exc)}") from None
    except TemplateError as exc:
        raise UserError(Code.T06, str(path), f"{type(exc).__name__}：{exc}{_near(exc)}") from None
    except (ArithmeticError, LookupError, TypeError, ValueError) as exc:   # e.g. {{ year + "年" }}
        raise UserError(Code.T06, str(path), f"表达式无法计算（{type(exc).__name__}：{exc}）") from None


# -- output ---------------------------------------------------------------------------------------
def render_docx(data: ReportData, out, *, template=None, force: bool = False,
                draft: str = "") -> pathlib.Path:
    """Write the report of ``data`` to ``out`` (.docx) and return its path.

    ``template``: a .docx with docxtpl tags (default: the built-in one of ``data.fmt``);
    ``force``: replace an existing ``out``; ``draft``: when not empty, printed in red bold above
    the title (``render --allow-errors`` marks a report that failed its checks, so that it is
    not published by mistake).  Raises :class:`UserError` (F09, T01, T06, O01–O04).
    """
    builtin = template is None
    path = default_template(data.fmt.id) if builtin else pathlib.Path(template)
    inputs = (data.source, path)
    out = outputs.check_target(out, force=force, inputs=inputs)   # fail before any work
    tpl = _load(path, data.fmt.id if builtin else None)
    ctx = context(data)
    _render(tpl, ctx, path)
    props = tpl.docx.core_properties
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0, tzinfo=None)
    props.title, props.created, props.modified = ctx["title"], now, now
    props.last_modified_by, props.revision = "xlsx_tool", 1
    if draft:
        _mark_draft(tpl.docx, draft)
    with outputs.atomic_write(out, force=force, inputs=inputs) as tmp:
        tpl.save(str(tmp))
    return out


def _mark_draft(doc, text: str) -> None:
    """Put ``text`` in red bold as the document's first paragraph."""
    from docx.shared import RGBColor

    first = doc.paragraphs[0] if doc.paragraphs else doc.add_paragraph()
    run = first.insert_paragraph_before().add_run(text)
    run.bold = True
    run.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)
