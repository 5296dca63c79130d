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
import hashlib
import io
import pathlib
import re

from docxtpl import DocxTemplate
from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, UndefinedError
from jinja2.sandbox import SecurityError

from .. import outputs
from ..findings import Code, UserError, make
from ..formats.content import ReportData
from .context import context

# -- templates ------------------------------------------------------------------------------------
def default_template(format_id: str) -> pathlib.Path:
    """The built-in template of a format, e.g. ``…/templates/report-2021.docx`` (it may not exist
    for a format added as a data file only: :func:`render_docx` then builds it on the fly)."""
    from .build import template_folder, template_name

    return template_folder() / template_name(format_id)


class _Prepared(DocxTemplate):
    """A docxtpl template whose patched XML is looked up by the source XML's hash first
    (``patched``: hash → patched XML, from :mod:`.cache`; ``fresh``: something was added)."""

    def __init__(self, source, patched: dict):
        super().__init__(source)
        self.patched, self.fresh = patched, False

    def patch_xml(self, src_xml):
        key = hashlib.sha256(src_xml.encode("utf-8", "surrogatepass")).hexdigest()
        hit = self.patched.get(key)
        if hit is None:
            hit = self.patched[key] = super().patch_xml(src_xml)
            self.fresh = True
        return hit


def _load(pkg, patched: dict):
    """The docxtpl template of a vetted package (:func:`.package.open_template`)."""
    tpl = _Prepared(io.BytesIO(pkg.docx_bytes()), patched)
    try:
        tpl.init_docx()
    except Exception as exc:  # noqa: BLE001 — any failure to open is "unusable template"
        raise UserError(Code.F09, str(pkg.path), f"无法作为 Word (.docx) 文件打开：{type(exc).__name__}") from None
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

    unknown = [f for f in lint.lint(path, format_id, trial=False) if f.code == Code.T01.name]
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


def _render(tpl, ctx: dict, path: pathlib.Path, env) -> None:
    from .sandbox import LimitExceeded

    try:
        tpl.render(ctx, env, autoescape=True)
    except LimitExceeded as exc:
        raise UserError(Code.T07, str(path), f"{exc}{_near(exc)}") from None
    except (MemoryError, RecursionError) as exc:
        raise UserError(Code.T07, str(path), "内存超过上限" if isinstance(exc, MemoryError) else "嵌套层数超过上限") from None
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


def _render_endnotes(pkg, ctx: dict, env) -> None:
    """Render the tags of the endnotes (docxtpl renders footnotes but not endnotes)."""
    for name in [n for n in pkg.parts if re.fullmatch(r"word/endnotes\w*\.xml", n)]:
        xml = pkg.parts[name].decode("utf-8", "replace")
        if "{{" in xml or "{%" in xml:
            helper = DocxTemplate(io.BytesIO())
            rendered = helper.render_xml_part(helper.patch_xml(xml), None, ctx, env)
            pkg.replace(name, rendered.encode("utf-8"))


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
    found, body = rendered(data, template=template, draft=draft)
    if notes is not None:
        notes.extend(found)
    outputs.write_bytes(out, body, force=force, inputs=inputs, suffix=".docx")
    return out


def rendered(data: ReportData, *, template=None, draft: str = "") -> tuple[list, bytes]:
    """The report of ``data`` as .docx bytes, and the 提示 of the rendering (T08); nothing is
    written.  Same template, limits and errors as :func:`render_docx` (without the O codes)."""
    from . import bounded

    path = default_template(data.fmt.id) if template is None else pathlib.Path(template)
    source = None
    if template is None and not path.exists():
        from .build import OFFICIAL, build

        source = build(data.fmt.id, OFFICIAL)
    ctx = context(data)
    _preload()
    meta, body = bounded.run(lambda: _render_bytes(path, source, ctx, draft), subject=str(path))
    found = [make(Code.T08, "；".join(meta["links"]), file=str(path))] if meta.get("links") else []
    return found, body


def _preload() -> None:
    """Import what rendering needs before the work is forked (shared, and no import lock held)."""
    from . import cache, draft, package, sandbox  # noqa: F401 — imported for the child


def _render_bytes(path: pathlib.Path, source: bytes | None, ctx: dict, draft: str) -> tuple[dict, bytes]:
    """The rendered report as .docx bytes (run inside :func:`.bounded.run`)."""
    from . import cache, package
    from .draft import mark
    from .sandbox import BoundedEnvironment, LimitExceeded, rendering

    pkg = package.open_template(path, source)
    tags = package.comment_tags(pkg)
    if tags:
        raise UserError(Code.T09, str(path), "批注中的标签：" + "、".join(tags[:5]))
    name = cache.key(pkg.raw)
    entry = cache.load(name)
    env = BoundedEnvironment(autoescape=True, undefined=StrictUndefined)
    env.compiled.update(entry["code"])
    with rendering():
        try:
            _render_endnotes(pkg, ctx, env)
        except (LimitExceeded, TemplateError, ArithmeticError, LookupError, TypeError, ValueError) as exc:
            raise UserError(Code.T07 if isinstance(exc, LimitExceeded) else Code.T06, str(path),
                            f"尾注中：{type(exc).__name__}：{exc}") from None
        tpl = _load(pkg, entry["patch"])
        _render(tpl, ctx, path, env)
    props = tpl.docx.core_properties
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0, tzinfo=None)
    props.title, props.created, props.modified = ctx["title"], now, now
    props.last_modified_by, props.revision = "xlsx_tool", 1
    if draft:
        mark(tpl.docx, draft)
    buf = io.BytesIO()
    tpl.save(buf)
    if env.fresh or tpl.fresh:
        cache.save(name, {"patch": tpl.patched, "code": env.compiled})
    return {"links": [link.describe() for link in pkg.links]}, buf.getvalue()
