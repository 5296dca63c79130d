"""Rendering a report through a docxtpl template: the low layer of :mod:`.render`, also used by
the trial rendering of ``lint-template`` (:mod:`.lint_whole`).

The template is vetted (:func:`.package.open_template`), its patched XML and compiled Jinja come
from :mod:`.cache`, and rendering runs in the bounded sandbox (:mod:`.sandbox`) under the CPU and
memory limits of :mod:`.bounded`, with autoescaping (values containing ``& < >`` stay intact) and
``StrictUndefined`` (an unknown placeholder is an error, never a silently empty cell).  Every
failure is a :class:`~xlsx_tool.findings.UserError`: F09 (template unusable), F20/F21, T01 (unknown
placeholder), T06 (syntax error or unsafe expression), T07 (limits), T09 (tags in comments).
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

from ..findings import Code, UserError, make
from ..formats.content import ReportData
from .context import context


# -- templates ------------------------------------------------------------------------------------
def default_template(format_id: str) -> pathlib.Path:
    """The built-in template of a format, e.g. ``…/templates/report-2021.docx`` (it may not exist
    for a format added as a data file only: :func:`render_docx` then builds it on the fly)."""
    from .builtin import template_folder, template_name

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
        raise UserError(Code.T01, _undefined_name(exc, tpl), f"模板：{path}") from None
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
    if meta.get("tagged"):
        found.append(make(Code.T10, "域代码：" + "；".join(meta["tagged"][:5]), file=str(path)))
    return found, body


def _preload() -> None:
    """Import what rendering needs before the work is forked (shared, and no import lock held)."""
    from . import cache, draft, outside, package, sandbox  # noqa: F401 — imported for the child


def _render_bytes(path: pathlib.Path, source: bytes | None, ctx: dict, draft: str) -> tuple[dict, bytes]:
    """The rendered report as .docx bytes (run inside :func:`.bounded.run`)."""
    from . import cache, outside, package
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
    # the data may have written a field code (a tag inside one): the report is scrubbed again
    body, done = outside.scrub_docx(buf.getvalue())
    links = [link.describe() for link in pkg.links]
    links += [package.Link(r.part, r.kind, r.target).describe() for r in done.removed]
    return {"links": links, "tagged": [code for _, code in pkg.tagged]}, body
