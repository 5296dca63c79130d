"""Real office suite: a template made from last year's report, opened and filled in LibreOffice (issue 11).

One soffice session: on opening, 上年结转 shows last year's 结转下年度 and the 上年衔接 checks are blank
(nothing typed yet); after the clerk types 表二's 制发/废止/现行有效, each check shows ✓ when 现行有效 =
上年 + 制发 − 废止 and the difference otherwise; ``check`` then reports the break (Y02) with both
numbers and the carried value as it was prefilled.
"""
from __future__ import annotations

import pytest

from office_harness import CHECK_OK, check_json, clerk, require_real_office
from reports import report
from xlsx_tool.formats import carry, model
from xlsx_tool.workbook.template import write_template

pytestmark = pytest.mark.office


@pytest.fixture(scope="module", autouse=True)
def real_office():
    require_real_office()


def block_cells(fmt: model.Format, table: str) -> dict[str, str]:
    """Link cell id → the address of its 上年衔接 check cell."""
    first, _, _ = carry.block_area(fmt, table)
    span = max(fmt.table(table).label_cols, 1)
    links = carry.block_links(fmt.id, fmt.id, table)
    return {link.cell: model.a1(first + carry.BLOCK_HEAD_ROWS + k, span + 2) for k, link in enumerate(links)}


def test_the_live_continuity_check_in_libreoffice(tmp_path):
    fmt = model.load("2021")
    last = report("2021", 2025, proactive_rules_in_force=2, proactive_normative_in_force=36)
    template = write_template(tmp_path / "2026.xlsx", "2021", year=2026, previous=last)
    checks = block_cells(fmt, "proactive")
    read = [{"sheet": "表二", "cell": a1, "id": cid} for cid, a1 in checks.items()]
    carried = fmt.cells["request_carried_in_natural"]
    typed = [{"sheet": "表二", "cell": fmt.cells[cid].a1, "text": text} for cid, text in (
        ("proactive_rules_issued", "1"), ("proactive_rules_repealed", "0"), ("proactive_rules_in_force", "3"),
        ("proactive_normative_issued", "5"), ("proactive_normative_repealed", "2"),
        ("proactive_normative_in_force", "36"))]
    out = tmp_path / "filled.xlsx"
    result = clerk({"input": str(template), "type": typed,
                    "read_on_load": read + [{"sheet": "表三", "cell": carried.a1}],
                    "read": read, "save": [{"path": str(out), "format": "xlsx"}]}, tmp_path)
    on_load = {c.get("id", c["cell"]): c["string"] for c in result["on_load"]}
    assert on_load[carried.a1] == str(last.inputs["request_carried_out_natural"])
    assert on_load["proactive_rules_in_force"] == "" and on_load["proactive_normative_in_force"] == ""
    shown = {c["id"]: c["string"] for c in result["read"]}
    assert shown == {"proactive_rules_in_force": CHECK_OK, "proactive_normative_in_force": "-3"}
    status, out_json = check_json(out, "--blank-as-zero")
    y02 = [f for f in out_json["warnings"] if f["code"] == "Y02"]
    assert [(f["cell"], f["left_value"], f["right_value"]) for f in y02] == [("D6", 36, 39)]
    assert not [f for f in out_json["warnings"] if f["code"] == "Y01"]
