"""Years in this year's text, without last year's report (issue 11): another year's work (N02) in every
paragraph and every 注, opening sentences included; plans dated in the report year (N09)."""
from __future__ import annotations

import openpyxl
import pytest

from reports import codes, report
from xlsx_tool.checks import narrative
from xlsx_tool.checks.check import check_file
from xlsx_tool.checks.years import report_year_plans, year_slips
from xlsx_tool.workbook import sample


def slips(text: str, year: int = 2026) -> list[int]:
    return [y for y, _ in year_slips(text, year)]


def test_the_seed_keeps_its_true_positive_and_nothing_else():
    seed = sample.load(sample.bundled("wenchang-2020.toml"))
    (f,) = [f for f in narrative.findings(seed) if f.code == "N02"]
    assert "2019年文昌镇通过政务微博" in f.message and "725条" in f.message


def test_the_2025_demo_reused_as_2026_gives_n02_notes(tmp_path):
    demo = tmp_path / "demo.xlsx"
    sample.write_workbook(sample.bundled("demo-county-2025.toml"), demo)
    wb = openpyxl.load_workbook(demo)
    wb["基本信息"]["B5"] = 2026                       # only 报告年度 changed
    wb.save(tmp_path / "2026.xlsx")
    found = [f for f in check_file(tmp_path / "2026.xlsx").warnings if f.code == "N02"]
    where = {(f.sheet, f.cell) for f in found}
    assert ("正文", "B5") in where                    # 2025年，示范县自然资源局深入贯彻《条例》…
    assert ("正文", "B47") in where                   # 2025年本机关本年新收政府信息公开申请335件，上年结转3件…
    assert ("表三", "A36") in where                   # 注：…为2024年度结转至本年度继续办理的申请
    assert all("本报告为 2026 年度报告" in f.message for f in found)


@pytest.mark.parametrize("text", [
    "2025年，我局深入贯彻《条例》，全面推进政务公开。",          # an opening sentence naming the Regulations
    "2025年我局深入贯彻《条例》，全面推进政务公开。",
    "（一）2025年3月，我局召开专题会议部署公开工作。",
    "一是2025年，完成主动公开目录的编制。",
    "2025年本机关共收到政府信息公开申请335件，上年结转3件。",   # a sentence that also says 结转
])
def test_last_years_opening_or_work_in_a_2026_report_is_n02(text):
    assert slips(text) == [2025]


@pytest.mark.parametrize("text", [
    "按照市辖区2019-2021年老旧小区改造三年行动方案，开展改造。",
    "上年结转3件，已全部办结。",
    "较2025年增长12%。",
    "认真落实《2026年政务公开工作要点》和《2025年政务公开工作要点》。",
    "2025年政府信息公开工作要点明确的任务均已完成。",
    "2025年发布的《管理办法》继续有效。",
    "自2019年以来，累计公开政府信息5000条。",
    "2027年，我局将继续加大政策解读力度。",
    "2025年度结转的申请已全部办结。",
    "结转至2027年继续办理2件。",
    "截至2025年底累计为20件，截至2026年底为25件。",
])
def test_years_that_are_legitimately_other_years_are_not_flagged(text):
    assert slips(text) == []


def test_carried_over_requests_must_come_from_last_year_and_go_to_next_year():
    assert slips("本表上年结转为2024年度结转至本年度的申请。") == [2024]
    assert slips("其中2件结转至2026年继续办理。") == [2026]


def test_a_stock_as_of_last_years_end_is_a_slip_unless_this_year_is_named_too():
    assert slips("截至2025年12月31日，我局主动公开政府信息共1034条。") == [2025]


def test_every_note_under_a_table_is_read_for_years():
    data = report("2021", 2026, notes={"request": "注：本表数据含2024年度结转的申请。"})
    (f,) = [f for f in narrative.findings(data) if f.code == "N02"]
    assert (f.sheet, f.cell, f.labels) == ("表三", "A36", "三、收到和处理政府信息公开申请情况 › 注")


def test_a_plan_in_section_five_dated_in_the_report_year_is_n09():
    data = report("2021", 2026, narrative={"problems": ["一是解读形式单一。2026年我局将继续丰富解读形式。"]})
    (f,) = [f for f in narrative.findings(data) if f.code == "N09"]
    assert f.severity == "提示" and "2026年我局将继续丰富解读形式" in f.message and "2027 年" in f.message
    assert f.labels == "正文 › 五、存在的主要问题及改进情况 › 第1段"


def test_this_years_work_in_section_five_and_plans_elsewhere_are_not_n09():
    assert report_year_plans("2026年，我局将政务公开纳入绩效考核。", 2026) == []   # 将 + object: done, not planned
    data = report("2021", 2026, narrative={"overview": ["2026年我局将继续完善目录，已完成第一批。"]})
    assert "N09" not in codes(narrative.findings(data))


def test_one_paragraph_lists_a_few_slips_and_counts_the_rest():
    data = report("2021", 2026, narrative={"overview": ["2024年，我局发布信息。" * 9]})
    found = [f for f in narrative.findings(data) if f.code == "N02"]
    assert len(found) == narrative.MAX_PER_PARAGRAPH + 1 and "另有 4 处" in found[-1].message


def test_a_text_beyond_what_any_report_holds_is_checked_in_part_and_said():
    data = report("2021", 2026, narrative={"overview": ["本年度工作平稳推进。" * 30_000]})
    (f,) = [f for f in narrative.findings(data) if f.code == "N11"]
    assert str(narrative.MAX_TEXT) in f.message
