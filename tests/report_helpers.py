"""Shared by the Word report tests (``test_render.py``, ``test_render_typography.py``).

* ``make_data(format_id, **changes)`` — a report whose input cells hold distinct numbers, with
  the agency ``ORG`` (``&`` and ``< >`` in its name), ``INFO``, ``NARRATIVE`` and ``NOTES``;
* ``render_to(tmp_path, data, name, **kw)`` — :func:`xlsx_tool.report.render.render_docx` into ``tmp_path``;
* ``rendered`` — a module-scoped fixture, once per format: ``(data, Document, path)`` of the
  report rendered with the default template (import it into the test module to use it);
* ``word_tables(doc, fmt)``, ``body_texts(doc)``, ``_style_fonts(doc, style_id)`` — reading the
  Word document.
"""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn

from xlsx_tool.formats import model
from xlsx_tool.report import render
from xlsx_tool.formats.content import ReportData

ORG = "某某局(信息&数据<中心>)"
INFO = {
    "org_name": ORG, "year": "2021", "website_name": "某某市人民政府网站",
    "website_url": "https://www.example.gov.cn/", "contact_office": "某某局办公室",
    "address": "某某市人民路1号", "postcode": "100000", "phone": "010-12345678",
    "fax": "010-12345679", "email": "gk@example.gov.cn",
}
NARRATIVE = {
    "overview": ["总体情况第一段。", "总体情况第二段。"],
    "overview_proactive": ["主动公开第一段。", "主动公开第二段。"],
    "overview_request": ["依申请公开段落。"],
    "overview_platform": ["平台建设段落。"],
    "problems": ["（一）存在问题。问题段落。", "（二）改进措施。措施段落。"],
    "other_matters": ["本年度未收取信息处理费。"],
}
NOTES = {"request": "注：本表含上年度结转的申请。"}


def make_data(format_id: str, **changes) -> ReportData:
    """A report whose input cells hold distinct numbers (1, 2, 3 … in cell order)."""
    fmt = model.load(format_id)
    inputs = {}
    for n, cell in enumerate((c for c in fmt.cells.values() if c.is_input), start=1):
        if cell.type == "signed_count":
            inputs[cell.id] = -n
        elif cell.type in ("money", "amount"):
            inputs[cell.id] = Decimal(f"{n}.1250000")
        else:
            inputs[cell.id] = n
    fields = dict(info=dict(INFO, year="2020" if format_id == "2019" else "2021"),
                  narrative=dict(NARRATIVE), notes=dict(NOTES),
                  choices={"procurement_unit": "万元"} if format_id == "2019" else {}, inputs=inputs)
    fields.update(changes)
    return ReportData(fmt, source="/nonexistent/填报.xlsx", **fields)


def render_to(tmp_path: Path, data: ReportData, name="报告.docx", **kw) -> Path:
    return render.render_docx(data, tmp_path / name, **kw)


@pytest.fixture(scope="module", params=["2019", "2021"])
def rendered(request, tmp_path_factory):
    data = make_data(request.param)
    path = render_to(tmp_path_factory.mktemp(request.param), data)
    return data, Document(str(path)), path


def word_tables(doc, fmt) -> dict:
    ids = [s["table"] for s in fmt.report_sections if s.get("table")]
    assert len(doc.tables) == len(ids)
    return dict(zip(ids, doc.tables))


def body_texts(doc) -> list[str]:
    return [p.text for p in doc.paragraphs]


def _style_fonts(doc, style_id):
    el = next(s for s in doc.styles.element.iterchildren(qn("w:style"))
              if s.get(qn("w:styleId")) == style_id)
    rpr = el.find(qn("w:rPr"))
    return None if rpr is None else rpr.find(qn("w:rFonts"))
