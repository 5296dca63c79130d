"""Small, correct fills shared by the tests: the basic information and a balanced set of numbers.

``balanced(format_id)`` → a ``prefill`` mapping (see ``xlsx_tool.workbook.template.write_template``) in
which every cross-check holds: 表三 per column 3 new + 1 carried in = 2 disclosed + 1 partial +
1 carried out; every other count 4; 本年增/减 −2; money 1.25 万元; 采购总金额 1234.5.
``NARRATIVE`` → a 正文 that every content check accepts (each section has a sentence of its own, no
year, no number): ``narrative()`` as prefill entries.
"""
from __future__ import annotations

from decimal import Decimal

from xlsx_tool.formats import model

#: A report year that fits each format.
YEAR = {"2019": 2020, "2021": 2024}
INFO = {"org_name": "某某镇人民政府", "website_name": "某某镇人民政府网站",
        "website_url": "http://www.example.gov.cn/", "contact_office": "党政办公室",
        "address": "某某路 1 号", "postcode": "755000", "phone": "0955-7061801"}
REQUEST_ROWS = {"new": 3, "carried_in": 1, "disclosed": 2, "partial": 1, "carried_out": 1}
BY_TYPE = {"signed_count": -2, "money": Decimal("1.25"), "amount": Decimal("1234.5")}


NARRATIVE = {
    "overview": ["本年度，本机关认真贯彻落实《中华人民共和国政府信息公开条例》，扎实推进政府信息公开工作。"],
    "overview_proactive": ["通过门户网站及时主动公开机构职能、规范性文件、财政预决算等政府信息。"],
    "overview_request": ["依法规范办理政府信息公开申请，按照法定时限答复申请人。"],
    "overview_management": ["严格执行信息发布审核制度，动态更新政府信息公开目录。"],
    "overview_platform": ["持续优化政府网站信息公开专栏，提升栏目的易用性。"],
    "overview_oversight": ["把政府信息公开工作纳入年度考核，组织业务培训。"],
    "problems": ["信息公开的及时性还需提高；下一步将加强业务培训，完善审核流程。"],
    "other_matters": ["本机关没有收取信息处理费，没有其他需要报告的事项。"],
}
#: The two paragraphs of 一、总体情况 in the fixture ``make_filled_workbook`` (conftest).
OVERVIEW = ["本年度，本机关坚持以公开为常态。", "全面推进决策、执行、管理、服务、结果公开。"]


def narrative() -> dict:
    """``NARRATIVE`` as prefill entries (``narrative_<section>`` → paragraphs)."""
    return {model.narrative_name(sid): list(paras) for sid, paras in NARRATIVE.items()}


def balanced(format_id: str) -> dict:
    """Basic information and every input cell of ``format_id``, balanced (no narrative)."""
    out: dict = dict(INFO)
    for c in model.load(format_id).cells.values():
        if c.is_input:
            out[c.id] = REQUEST_ROWS.get(c.row_key, 0) if c.table == "request" else BY_TYPE.get(c.type, 4)
    return out


def complete(format_id: str) -> dict:
    """A report that passes ``check``: :func:`balanced` with the 正文 of :func:`narrative`."""
    return {**balanced(format_id), **narrative()}
