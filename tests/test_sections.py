"""What the 正文 must hold (issue 11): empty sections (N07 错误 / N08 提示, per the format data), 六 saying
无 while there were fees (N10), and the usual other ways of counting that are not contradictions (N01)."""
from __future__ import annotations

from decimal import Decimal

import pytest

from reports import codes, report
from xlsx_tool.checks import narrative, sections
from xlsx_tool.checks.check import check
from xlsx_tool.formats import registry

SUBSECTIONS = ["overview_proactive", "overview_request", "overview_management", "overview_platform",
               "overview_oversight"]


def section_findings(data):
    return [(f.code, f.extra.get("section")) for f in sections.findings(data)]


def test_a_complete_narrative_has_no_section_findings():
    assert sections.findings(report("2021", 2026)) == []
    assert sections.findings(report("2019", 2020)) == []


@pytest.mark.parametrize("empty", [[], ["无"], ["无。"], ["  暂无。 "], ["详见上文。"]])
def test_an_empty_section_five_is_an_error_in_both_formats(empty):
    for fid, year in (("2021", 2026), ("2019", 2020)):
        data = report(fid, year, narrative={"problems": empty})
        assert section_findings(data) == [("N07", "problems")], (fid, empty)


def test_the_2021_format_requires_each_of_the_five_subsections():
    data = report("2021", 2026, narrative={"overview_platform": ["无。"]})
    (f,) = sections.findings(data)
    assert (f.code, f.severity, f.sheet, f.cell) == ("N07", "错误", "正文", "B89")
    assert "（四）平台建设" in f.message and "只写了“无。”" in f.message and "国办公开办函〔2021〕30号" in f.message


def test_the_2019_format_only_notes_an_empty_subsection():
    data = report("2019", 2020, narrative={"overview_platform": []})
    assert section_findings(data) == [("N08", "overview_platform")]


def test_the_2019_format_requires_some_content_under_section_one():
    data = report("2019", 2020, narrative={sid: [] for sid in ["overview"] + SUBSECTIONS})
    (f,) = sections.findings(data)
    assert f.code == "N07" and "一、总体情况" in f.message


def test_an_empty_opening_paragraph_of_section_one_is_a_note():
    assert section_findings(report("2021", 2026, narrative={"overview": []})) == [("N08", "overview")]


def test_section_one_written_in_one_block_without_subsections_is_one_note():
    long = "本年度主动公开、依申请公开、政府信息管理、平台建设和监督保障各项工作均有序推进，具体如下。" * 5
    data = report("2021", 2026, narrative=dict({"overview": [long]}, **{sid: [] for sid in SUBSECTIONS}))
    (f,) = sections.findings(data)
    assert f.code == "N08" and "没有分" in f.message


def test_which_sections_are_required_comes_from_the_format_data():
    assert "problems" in registry.raw("2021")["narrative_content"]["required"]
    assert set(SUBSECTIONS) <= set(registry.raw("2021")["narrative_content"]["required"])
    assert not set(SUBSECTIONS) & set(registry.raw("2019")["narrative_content"]["required"])


def test_an_empty_section_stops_the_report_from_rendering_silently():
    result = check(report("2021", 2026, narrative={sid: [] for sid in ["overview"] + SUBSECTIONS}))
    assert not result.ok and codes(result.errors).count("N07") == 5


# -- N10 --------------------------------------------------------------------------------------------
def test_section_six_saying_none_while_fees_were_collected_is_n10():
    data = report("2021", 2026, narrative={"other_matters": ["无。"]}, proactive_fees_amount=Decimal("24.311082"))
    (f,) = [f for f in sections.findings(data) if f.code == "N10"]
    assert f.severity == "提示" and "24.311082" in f.message and "本年收费金额" in f.message


def test_section_six_saying_none_while_the_text_says_processing_fees_were_collected_is_n10():
    data = report("2021", 2026, narrative={"other_matters": ["无"], "overview_request": ["依法收取信息处理费200元。"]},
                  proactive_fees_amount=0)
    (f,) = [f for f in sections.findings(data) if f.code == "N10"]
    assert "收取信息处理费200元" in f.message


@pytest.mark.parametrize("text", ["本年度未收取信息处理费。", "收取信息处理费0元。", "不涉及信息处理费。"])
def test_no_fees_collected_in_the_text_is_not_a_fact(text):
    data = report("2021", 2026, narrative={"other_matters": ["无。"], "overview_request": [text]},
                  proactive_fees_amount=0)
    assert "N10" not in codes(sections.findings(data))


def test_the_2019_fee_items_are_a_list_not_fees_collected():
    data = report("2019", 2020, narrative={"other_matters": ["无。"]}, proactive_fees_last_year=3)
    assert "N10" not in codes(sections.findings(data))


# -- N01: other usual ways of counting ---------------------------------------------------------------
def n01(text, **cells):
    data = report("2021", 2026, narrative={"overview_request": [text]}, **cells)
    return [f for f in narrative.findings(data) if f.code == "N01"]


def test_handled_requests_counted_with_the_carried_over_ones_are_not_a_contradiction():
    # balanced fill: 本年新收 18, 上年结转 6
    assert n01("本年度共受理政府信息公开申请24件。") == []
    assert n01("本年度共受理政府信息公开申请18件。") == []
    (f,) = n01("本年度共受理政府信息公开申请30件。")
    assert "正文写 30 件" in f.message


def test_reconsideration_cases_the_agency_handled_for_others_are_not_compared_with_table_four():
    assert n01("作为复议机关，本年度办理行政复议案件12件。") == []
    assert n01("本年度共受理行政复议申请9件。") == []
    (f,) = n01("因政府信息公开被申请行政复议9件。")
    assert f.right == "行政复议 › 总计"
