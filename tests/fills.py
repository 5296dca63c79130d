"""Small, correct fills shared by the tests: the basic information and a balanced set of numbers.

``balanced(format_id)`` → a ``prefill`` mapping (see ``xlsx_tool.workbook.template.write_template``) in
which every cross-check holds: 表三 per column 3 new + 1 carried in = 2 disclosed + 1 partial +
1 carried out; every other count 4; 本年增/减 −2; money 1.25 万元; 采购总金额 1234.5.
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


def balanced(format_id: str) -> dict:
    """Basic information and every input cell of ``format_id``, balanced (no narrative)."""
    out: dict = dict(INFO)
    for c in model.load(format_id).cells.values():
        if c.is_input:
            out[c.id] = REQUEST_ROWS.get(c.row_key, 0) if c.table == "request" else BY_TYPE.get(c.type, 4)
    return out
