"""The names a Word report template can use, for one report: :func:`context`.

Shared by :mod:`.render` (which renders them), :mod:`.lint` (which checks a template's names
against them) and :mod:`.fields` (which lists them for people).
"""
from __future__ import annotations

import re

from ..findings import Code
from ..formats import placeholders, rates
from ..formats.content import ReportData
from ..formats.values import format_number

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
    * ``notes`` — table id (``proactive``/``request``/``reconsideration_litigation``) → the 注 under it ('' when none);
    * ``choices`` — e.g. ``procurement_unit`` → ``元``/``万元`` (defaults filled in);
    * ``rates`` — derived rate id (``substantive_disclosure`` …, from the format data) → the rate
      as printed, ``85.7%``, or ``—`` when its denominator is 0;
    * ``fmt_id``, ``fmt_name``, ``fmt_document``, ``fmt_label`` — the official format;
    * ``explanations`` — the 说明 the clerk wrote (sheet 说明), each ``{code, cell, title, text}``
      (``title``: what the code means), ``[]`` when none; ``explanations_text`` — the same as one
      paragraph, ``说明：……（Y01，表三!D7）；……`` ('' when none).  The built-in templates print
      neither: a custom template can, e.g.
      ``{%p if explanations %}{{ explanations_text }}{%p endif %}``.
    """
    fmt = data.fmt
    info = {f["id"]: _text(data.info.get(f["id"])) for f in fmt.info}
    info.update({k: _text(v) for k, v in data.info.items() if k not in info})
    year = data.year if data.year is not None else info.get("year", "")
    choices = {spec["id"]: _text(spec.get("default")) for tl in fmt.tables for spec in tl.choices_spec}
    choices.update({k: _text(v) for k, v in data.choices.items() if _text(v)})
    narrative = {s["id"]: [] for s in fmt.narrative}
    text, _ = placeholders.substitute(fmt, data.narrative, data.values())
    narrative.update({k: _paragraphs(v) for k, v in text.items()})
    notes = {tl.id: "" for tl in fmt.tables}
    notes.update({k: "".join(_paragraphs(v)) for k, v in data.notes.items()})
    explanations = [{"code": _text(e.code), "cell": _text(e.cell), "text": " ".join(_paragraphs(e.text)),
                     "title": _code_title(e.code)} for e in data.explanations if _text(e.text)]
    return {
        "info": info,
        "year": year,
        "title": REPORT_TITLE.format(org=info.get("org_name", ""), year=year),
        "v": {cid: format_number(x) for cid, x in data.values().items()},
        "narrative": narrative,
        "notes": notes,
        "choices": choices,
        "rates": {k: rates.percent(x) for k, x in rates.derived(fmt, data.values()).items()},
        "fmt_id": fmt.id,
        "fmt_name": fmt.name,
        "fmt_document": fmt.document,
        "fmt_label": fmt.label,
        "explanations": explanations,
        "explanations_text": explanations_text(explanations),
    }


def _code_title(code: str) -> str:
    return Code[code].title if code in Code.__members__ else ""


def explanations_text(explanations: list[dict]) -> str:
    """``说明：机构调整，上年结转的申请由原单位办理（Y01，表三!D7）；……。`` or ''."""
    if not explanations:
        return ""
    items = "；".join(f"{e['text'].rstrip('。；;')}（{e['code']}{'，' + e['cell'] if e['cell'] else ''}）"
                     for e in explanations)
    return f"说明：{items}。"
