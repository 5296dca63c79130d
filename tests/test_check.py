"""Checking a report: the cross-checks (勾稽关系), typed-over totals, the result and its text."""
from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal

import pytest

import fills

from xlsx_tool.formats import model
from xlsx_tool.checks.check import CheckResult, check, check_file
from xlsx_tool.checks.text import text_report
from xlsx_tool.formats.content import ReportData
from xlsx_tool.findings import ERROR, NOTE


def set_cell(sheet, a1, value):
    return lambda wb: wb[sheet].__setitem__(a1, value)


# -- a good fill ----------------------------------------------------------------------------------
@pytest.mark.parametrize("format_id", ["2021", "2019"])
def test_a_balanced_fill_passes_with_no_errors(make_filled_workbook, format_id):
    result = check_file(make_filled_workbook(format_id))
    assert isinstance(result, CheckResult)
    assert result.ok and result.errors == [] and result.warnings == []
    text = text_report(result)
    assert text.splitlines()[0].startswith("检查文件：") and str(result.data.source) in text
    assert f"年报格式 {format_id}" in text and text.endswith("检查通过：未发现错误（0 个提示）")


def test_the_json_result_lists_errors_and_warnings(make_filled_workbook):
    result = check_file(make_filled_workbook(request_new_natural=4, reconsideration_upheld="５"))
    out = json.loads(json.dumps(result.as_json(), ensure_ascii=False))
    assert out["ok"] is False and out["format"] == "2021" and out["file"].endswith("fill.xlsx")
    assert [(e["code"], e["cell"]) for e in out["errors"]] == [("X01", "D6")]   # 总计 J6 follows from D6
    assert [w["code"] for w in out["warnings"]] == ["V05", "S06"]   # SUM skips text: stale J6
    assert out["errors"][0]["difference"] == 1 and out["errors"][0]["severity"] == "错误"


# -- X01: 一 + 二 = （七）总计 + 四, per column ----------------------------------------------------------
def test_an_unbalanced_column_fails_x01_at_its_first_cell(make_filled_workbook):
    result = check_file(make_filled_workbook(request_new_business=5))   # 5 + 1 ≠ 3 + 1
    assert not result.ok
    [f] = result.errors       # the 总计 column is unbalanced too, but only because 商业企业 is
    assert f.extra["also"] == ["J6"] and "因此“总计”的同一检查（J6）也不成立" in f.message
    assert (f.code, f.severity, f.sheet, f.cell) == ("X01", ERROR, "表三", "E6")
    assert f.title == "勾稽关系不成立：一、本年新收 + 二、上年结转 = 三（七）总计 + 四、结转下年度继续办理"
    assert f.labels == "三、收到和处理政府信息公开申请情况 › 商业企业"
    assert f.left == "一、本年新收政府信息公开申请数量(E6) + 二、上年结转政府信息公开申请数量(E7)"
    assert f.right == "（七）总计(E29) + 四、结转下年度继续办理(E30)"
    assert (f.left_value, f.right_value, f.difference) == (6, 4, 2)
    assert "左边比右边多 2" in f.message


def test_every_unbalanced_column_is_reported_in_order(make_filled_workbook):
    result = check_file(make_filled_workbook(request_carried_out_natural=0, request_carried_out_other=3))
    assert [(f.code, f.cell, f.difference) for f in result.errors] == [
        ("X01", "D6", 1), ("X01", "I6", -2)]


def test_x01_on_the_2019_format_uses_its_own_rows(make_filled_workbook):
    result = check_file(make_filled_workbook("2019", request_otherwise_natural=1))
    f = result.errors[0]
    assert (f.code, f.cell, f.right) == ("X01", "D6", "（七）总计(D27) + 四、结转下年度继续办理(D28)")


def test_a_rule_with_an_unreadable_cell_is_skipped(make_filled_workbook):
    result = check_file(make_filled_workbook(request_new_natural="abc", request_new_business=5))
    assert [(f.code, f.cell) for f in result.errors] == [("V02", "D6"), ("X01", "E6")]


def test_a_blank_counts_as_zero_in_a_cross_check_and_the_message_says_so(make_filled_workbook):
    result = check_file(make_filled_workbook(request_carried_in_natural=None, request_new_natural=3))
    x01 = [f for f in result.errors if f.code == "X01"]
    assert [(f.cell, f.difference) for f in x01] == [("D6", -1)]
    assert "左边比右边少 1（其中 1 个单元格未填写，按 0 计算）" in x01[0].message


def test_reading_findings_come_before_cross_checks_in_sheet_order(make_filled_workbook):
    result = check_file(make_filled_workbook(request_new_business=5, reconsideration_upheld=-1,
                                             postcode="1"))
    assert [(f.code, f.sheet) for f in result.errors] == [
        ("I02", "基本信息"), ("V03", "表四"), ("X01", "表三")]


# -- totals typed over: X02 (row 总计), X03 (（七）总计), X04 (表四 总计) --------------------------------
@pytest.mark.parametrize("sheet, a1, typed, rule, expected", [
    ("表三", "J6", 20, "X02", 18),     # 一、本年新收 row: six columns of 3
    ("表三", "D29", 5, "X03", 3),      # （七）总计 of 自然人: 2 + 1
    ("表四", "E6", 15, "X04", 16),     # 行政复议 总计: 4 × 4
    ("表四", "O6", 0, "X04", 16),
])
def test_a_total_typed_over_with_a_wrong_number_is_s04(make_filled_workbook, edit_with_openpyxl,
                                                       sheet, a1, typed, rule, expected):
    result = check_file(edit_with_openpyxl(make_filled_workbook(), set_cell(sheet, a1, typed)))
    [f] = result.errors
    assert (f.code, f.sheet, f.cell, f.extra["rule"]) == ("S04", sheet, a1, rule)
    assert (f.left_value, f.right_value, f.difference) == (typed, expected, typed - expected)
    assert f.left.endswith(f"({a1})") and f.right.startswith("各项之和(")
    assert rule in f.message
    cid = next(c.id for c in result.data.fmt.cells.values() if (c.sheet, c.a1) == (sheet, a1))
    assert result.data.values()[cid] == expected        # the report uses the recomputed total


def test_a_total_typed_over_with_the_right_number_is_only_a_note(make_filled_workbook,
                                                                  edit_with_openpyxl):
    result = check_file(edit_with_openpyxl(make_filled_workbook(), set_cell("表三", "J6", 18)))
    assert result.ok and [(f.code, f.severity, f.cell) for f in result.warnings] == [
        ("S05", NOTE, "J6")]


def test_a_cleared_total_is_noted_and_recomputed(make_filled_workbook, edit_with_openpyxl):
    result = check_file(edit_with_openpyxl(make_filled_workbook(), set_cell("表四", "E6", None)))
    assert result.ok and [f.code for f in result.warnings] == ["S05"]
    assert result.data.values()["reconsideration_total"] == 16


def test_a_stale_cached_total_is_noted_and_recomputed(make_filled_workbook, rewrite_cell_xml):
    path = rewrite_cell_xml(make_filled_workbook(), "表三", "J6", "<f>SUM(D6:I6)</f><v>17</v>")
    result = check_file(path)
    assert result.ok
    [f] = result.warnings
    assert (f.code, f.cell, f.left_value, f.right_value, f.difference) == ("S06", "J6", 17, 18, -1)


def test_an_unbalanced_table_with_a_typed_total_reports_both(make_filled_workbook, edit_with_openpyxl):
    path = edit_with_openpyxl(make_filled_workbook(request_new_natural=4),
                              set_cell("表三", "D29", 3))
    result = check_file(path)
    assert [(f.code, f.cell) for f in result.errors] == [("X01", "D6")]
    assert [(f.code, f.cell) for f in result.warnings] == [("S05", "D29")]


# -- blanks ---------------------------------------------------------------------------------------
def test_blank_cells_are_errors_unless_blank_as_zero(make_filled_workbook):
    path = make_filled_workbook(request_new_natural=None, request_carried_in_natural=None,
                                request_disclosed_natural=None, request_partial_natural=None,
                                request_carried_out_natural=None)
    strict = check_file(path)
    assert [f.code for f in strict.errors] == ["V01"] * 5          # X01 skipped: its cells are blank
    lenient = check_file(path, blank_as_zero=True)
    assert lenient.ok and [f.code for f in lenient.warnings] == ["V10"]
    assert lenient.data.values()["request_new_total"] == 15


def test_blank_as_zero_still_checks_the_columns(make_filled_workbook):
    result = check_file(make_filled_workbook(request_new_natural=None), blank_as_zero=True)
    assert [(f.code, f.cell, f.difference) for f in result.errors] == [
        ("X01", "D6", -3)]


# -- data from elsewhere, text, imports -----------------------------------------------------------
def test_check_works_on_report_data_built_in_memory():
    fmt = model.load("2021")
    inputs = {c.id: 0 for c in fmt.cells.values() if c.is_input}
    inputs.update(request_new_other=2, request_disclosed_other=1, proactive_fees_amount=Decimal("0.5"))
    result = check(ReportData(fmt, source="样例", inputs=inputs, narrative=fills.NARRATIVE))
    assert [(f.code, f.cell, f.left_value, f.right_value) for f in result.errors] == [
        ("X01", "I6", 2, 1)]
    assert "共 1 个错误、0 个提示" in text_report(result)


def test_the_text_report_lists_errors_then_notes_and_sums_up(make_filled_workbook):
    result = check_file(make_filled_workbook(request_new_business=5, request_new_natural="３"))
    text = text_report(result)
    assert text.index("[错误 X01]") < text.index("[提示 V05]") < text.index("[提示 S06]")
    assert "工作表“表三”，单元格 E6" in text and "处理：" in text
    assert text.splitlines()[-1] == "共 1 个错误、2 个提示"   # X01 E6 (J6 with it); V05 D6, S06 J6


def test_checking_does_not_import_the_word_or_template_libraries(make_filled_workbook):
    path = make_filled_workbook()
    code = ("import sys\nfrom xlsx_tool.checks.check import check_file\n"
            f"assert check_file({str(path)!r}).ok\n"
            "print(sorted(m for m in ('docxtpl', 'docx', 'xlsxwriter', 'jinja2') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_narrative_is_checked_against_the_tables_with_its_cell(make_filled_workbook):
    result = check_file(make_filled_workbook(narrative_overview_request=["第一段。", "{表三.没有这一行.总计}"]))
    [f] = result.errors
    assert (f.code, f.sheet, f.cell) == ("N03", "正文", "B48")   # 2nd paragraph row of （二）依申请公开


def test_an_empty_template_summarises_the_blanks_and_points_to_blank_as_zero(tmp_path):
    from xlsx_tool.workbook.template import write_template

    path = write_template(tmp_path / "空白.xlsx", "2021", year=2024)
    text = text_report(check_file(path))
    assert "其中 166 个是“未填写”" in text and "--blank-as-zero" in text and "--verbose" in text
