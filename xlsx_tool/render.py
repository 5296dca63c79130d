"""Render a :class:`~xlsx_tool.data.ReportData` into a Word report through a docxtpl template.

The built-in templates (``templates/report-<format>.docx``, made by
``python -m xlsx_tool.templates.build``) are laid out from the format model; a custom template may
use any of the names of :func:`context` (``xlsx-tool fields`` lists them).  Rendering runs in a
Jinja sandbox with autoescaping (values containing ``& < >`` stay intact) and ``StrictUndefined``
(an unknown placeholder is an error, never a silently empty cell).  Every failure becomes a
:class:`~xlsx_tool.findings.UserError` with a Chinese message: F09 (template unusable), T01
(unknown placeholder), T06 (syntax error or unsafe expression), O01–O04 (output, written
atomically through :mod:`xlsx_tool.outputs`).
"""
from __future__ import annotations

import datetime as dt
import pathlib
import re
from importlib import resources

from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, UndefinedError
from jinja2.sandbox import SandboxedEnvironment, SecurityError

from . import outputs
from .data import ReportData, format_number
from .narrative import substitute
from .findings import UserError

TEMPLATE_PACKAGE = "xlsx_tool.templates"
REPORT_TITLE = "{org}{year}年政府信息公开工作年度报告"


# -- the context ----------------------------------------------------------------------------------
#: characters XML 1.0 forbids (control characters pasted from other programs would corrupt the .docx)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value) -> str:
    return "" if value is None else _NOT_XML.sub("", str(value)).strip()


def _paragraphs(items) -> list[str]:
    """Non-empty paragraphs; a text with line breaks becomes one paragraph per line."""
    if isinstance(items, str):
        items = [items]
    out = []
    for item in items or ():
        out.extend(_text(line) for line in str(item).splitlines() if _text(line))
    return out


def context(data: ReportData) -> dict:
    """The names a template can use.

    * ``info`` — 基本信息 by field id (``org_name``, ``year``, ``website_name``, ``website_url``,
      ``contact_office``, ``address``, ``postcode``, ``phone``, ``fax``, ``email``), '' when blank;
    * ``year`` — the report year (int, or the text as typed if it is not a number);
    * ``title`` — ``<机关名称><年度>年政府信息公开工作年度报告``;
    * ``v`` — every numeric cell id → the number as printed (totals recomputed from the inputs);
    * ``narrative`` — 正文 section id → list of paragraphs (``[]`` when empty), table
      placeholders such as ``{表三.本年新收.总计}`` replaced by their values;
    * ``notes`` — table id (``proactive``/``request``/``appeal``) → the 注 under it ('' when none);
    * ``choices`` — e.g. ``procurement_unit`` → ``元``/``万元`` (defaults filled in);
    * ``fmt_id``, ``fmt_name``, ``fmt_document``, ``fmt_label`` — the official format.
    """
    fmt = data.fmt
    info = {f["id"]: _text(data.info.get(f["id"])) for f in fmt.info}
    info.update({k: _text(v) for k, v in data.info.items() if k not in info})
    year = data.year if data.year is not None else info.get("year", "")
    choices = {spec["id"]: _text(spec.get("default")) for tl in fmt.tables for spec in tl.choices_spec}
    choices.update({k: _text(v) for k, v in data.choices.items() if _text(v)})
    narrative = {s["id"]: [] for s in fmt.narrative}
    narrative.update({k: _paragraphs(v) for k, v in substitute(data)[0].items()})
    notes = {tl.id: "" for tl in fmt.tables}
    notes.update({k: "".join(_paragraphs(v)) for k, v in data.notes.items()})
    return {
        "info": info,
        "year": year,
        "title": REPORT_TITLE.format(org=info.get("org_name", ""), year=year),
        "v": {cid: format_number(x) for cid, x in data.values().items()},
        "narrative": narrative,
        "notes": notes,
        "choices": choices,
        "fmt_id": fmt.id,
        "fmt_name": fmt.name,
        "fmt_document": fmt.document,
        "fmt_label": fmt.label,
    }


# -- templates ------------------------------------------------------------------------------------
def default_template(format_id: str) -> pathlib.Path:
    """The built-in template of a format, e.g. ``…/templates/report-2021.docx``."""
    return pathlib.Path(str(resources.files(TEMPLATE_PACKAGE).joinpath(f"report-{format_id}.docx")))


def _load(path: pathlib.Path):
    from docxtpl import DocxTemplate

    if not path.exists():
        raise UserError("F09", str(path), "文件不存在")
    if not path.is_file():
        raise UserError("F09", str(path), "给出的是文件夹而不是 .docx 文件")
    tpl = DocxTemplate(str(path))
    try:
        tpl.init_docx()
    except Exception as exc:  # noqa: BLE001 — any failure to open is "unusable template"
        hint = "；.doc 格式请在 Word/WPS 中另存为 .docx" if path.suffix.lower() == ".doc" else ""
        raise UserError("F09", str(path), f"无法作为 Word (.docx) 文件打开：{type(exc).__name__}{hint}") from None
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
    """Where the unknown placeholders are (from :mod:`xlsx_tool.lint`), and whether the template
    was made for the other official format."""
    from . import lint

    unknown = [f for f in lint.lint(path, format_id) if f.code == "T01"]
    where = "；".join(f"{f.extra.get('tag', '')} 在{f.labels}" for f in unknown[:5])
    more = f"等 {len(unknown)} 处" if len(unknown) > 5 else ""
    detail = f"模板：{path}" + (f"；未知占位符：{where}{more}" if where else "")
    other = lint.detect_format(path)
    if other != format_id:
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
        raise UserError("T06", str(path), f"不允许的表达式（{exc}）{_near(exc)}") from None
    except UndefinedError as exc:
        raise UserError("T01", _undefined_name(exc, tpl), _unknown_detail(path, ctx["fmt_id"])) from None
    except TemplateSyntaxError as exc:
        raise UserError("T06", str(path), f"语法错误（{exc.message}）{_near(exc)}") from None
    except TemplateError as exc:
        raise UserError("T06", str(path), f"{type(exc).__name__}：{exc}{_near(exc)}") from None
    except (ArithmeticError, LookupError, TypeError, ValueError) as exc:   # e.g. {{ year + "年" }}
        raise UserError("T06", str(path), f"表达式无法计算（{type(exc).__name__}：{exc}）") from None


# -- output ---------------------------------------------------------------------------------------
def render_docx(data: ReportData, out, *, template=None, force: bool = False,
                draft: str = "") -> pathlib.Path:
    """Write the report of ``data`` to ``out`` (.docx) and return its path.

    ``template``: a .docx with docxtpl tags (default: the built-in one of ``data.fmt``);
    ``force``: replace an existing ``out``; ``draft``: when not empty, printed in red bold above
    the title (``render --allow-errors`` marks a report that failed its checks, so that it is
    not published by mistake).  Raises :class:`UserError` (F09, T01, T06, O01–O04).
    """
    path = pathlib.Path(template) if template is not None else default_template(data.fmt.id)
    inputs = (data.source, path)
    out = outputs.check_target(out, force=force, inputs=inputs)   # fail before any work
    tpl = _load(path)
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
