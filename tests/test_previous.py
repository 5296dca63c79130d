"""Starting this year's workbook from last year's report, and checking against it (issue 11):
``template --previous``, the 上年衔接 block, the marked copied paragraphs, ``check --previous``, the
automatic lookup beside the file and last year's data kept in the workbook."""
from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

import fills
from reports import codes, report, successor
from xlsx_tool.checks.check import check_file
from xlsx_tool.formats import model
from xlsx_tool.workbook import yearread, yearsheets
from xlsx_tool.workbook.prefill import prefill_from
from xlsx_tool.workbook.previous import beside_candidates
from xlsx_tool.workbook.read import read_workbook
from xlsx_tool.workbook.prefill import prefill_of as prefill
from xlsx_tool.workbook.template import write_template

INFO = dict(fills.INFO, fax="0955-7062810", email="gk@example.gov.cn")


def tool(*args, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "xlsx_tool.cli", *map(str, args)], capture_output=True,
                          text=True, timeout=120, cwd=cwd)


def workbook(folder: Path, data, name: str | None = None) -> Path:
    """``data`` (an in-memory report) written as a filled workbook, as the clerk saved it last year."""
    path = folder / (name or f"{data.year}年政府信息公开年报数据.xlsx")
    values = prefill(data)
    values.update((k, v) for k, v in INFO.items() if not values.get(k))
    return write_template(path, data.fmt.id, year=data.year, prefill=values)


@pytest.fixture
def last_2025(tmp_path):
    data = report("2021", 2025, request_new_natural=4, request_carried_out_natural=2,
                  request_new_business=2, request_carried_out_business=0, proactive_normative_in_force=36,
                  narrative={"overview": ["本局深入贯彻《条例》，全面推进政务公开，保障群众知情权。"]})
    return data, workbook(tmp_path, data)


# -- the template -------------------------------------------------------------------------------------
def test_the_new_template_is_prefilled_from_last_years_workbook(tmp_path, last_2025):
    _, last = last_2025
    run = tool("template", "--previous", last, "-o", tmp_path / "2026.xlsx")
    assert run.returncode == 0, run.stderr
    assert "报告年度：2026" in run.stdout and "预填" in run.stdout
    data = read_workbook(tmp_path / "2026.xlsx")
    assert data.year == 2026 and data.info["org_name"] == INFO["org_name"] and data.info["email"] == INFO["email"]
    assert data.narrative["overview"] == ["本局深入贯彻《条例》，全面推进政务公开，保障群众知情权。"]
    assert data.inputs["request_carried_in_natural"] == 2 and data.inputs["request_carried_in_business"] == 0
    assert data.inputs["request_new_natural"] is None          # only what continues is prefilled


def test_the_carried_cell_stays_an_input_and_its_message_names_last_years_value(tmp_path, last_2025):
    last, _ = last_2025
    path = write_template(tmp_path / "t.xlsx", "2021", year=2026, previous=last)
    ws = openpyxl.load_workbook(path)["表三"]
    assert ws["D7"].value == 2 and not ws["D7"].protection.locked
    (dv,) = [dv for dv in ws.data_validations.dataValidation if str(dv.sqref) == "D7"]
    assert "已按上年报告预填" in dv.prompt and "四、结转下年度继续办理 › 自然人”2" in dv.prompt


def test_in_force_shows_last_years_figure_and_a_live_check_under_table_two(tmp_path, last_2025):
    last, _ = last_2025
    path = write_template(tmp_path / "t.xlsx", "2021", year=2026, previous=last)
    ws = openpyxl.load_workbook(path)["表二"]
    (dv,) = [dv for dv in ws.data_validations.dataValidation if str(dv.sqref) == "D6"]
    assert "上年报告：“行政规范性文件 › 现行有效件数”36" in dv.prompt
    rows = {r[0].value: r for r in ws.iter_rows(min_row=22) if r[0].value}
    (label,) = [k for k in rows if "（D6）" in k]
    _, last_value, expected, checked = rows[label][:4]
    assert last_value.value == 36 and last_value.protection.locked
    assert expected.value == "=36+B6-C6"
    assert checked.value == '=IF(D6="","",IF(ABS(D6-C25)<=0,"✓",D6-C25))'


def test_copied_paragraphs_are_commented_and_tinted_while_unchanged(tmp_path, last_2025):
    last, _ = last_2025
    path = write_template(tmp_path / "t.xlsx", "2021", year=2026, previous=last)
    wb = openpyxl.load_workbook(path)
    ws = wb["正文"]
    assert ws["B5"].comment.text == yearsheets.COPIED_NOTE
    rules = {str(cf.sqref): [r.formula[0] for r in cf.rules] for cf in ws.conditional_formatting}
    (formula,) = rules["B5"]
    assert formula.startswith("EXACT($B$5,'上年参考'!$C$")
    ref = wb[yearread.REFERENCE_SHEET]
    assert ref.sheet_state == "hidden"
    assert ref[formula.split("$C$")[1].rstrip(")").join(("C", ""))].value == last.narrative["overview"][0]


def test_a_2020_report_in_the_2019_format_starts_a_2021_template(tmp_path):
    last = report("2019", 2020, request_carried_out_other=5, proactive_rules_total_published=9)
    path = write_template(tmp_path / "t.xlsx", "2021", year=2021, previous=last)
    data = read_workbook(path)
    assert data.inputs["request_carried_in_other"] == 5
    assert data.inputs["proactive_rules_in_force"] is None      # 表二 differs between the formats
    ws = openpyxl.load_workbook(path)["表二"]
    assert not [c for r in ws.iter_rows() for c in r if isinstance(c.value, str) and c.value.startswith("上年衔接")]


def test_the_prefill_of_a_2019_report_carries_last_year_items(tmp_path):
    last = report("2019", 2019, proactive_penalty_last_year=6, proactive_penalty_change=1)
    assert prefill_from(last, 2020)["proactive_penalty_last_year"] == 7


def test_the_workbook_keeps_last_years_report_and_reads_it_back(tmp_path, last_2025):
    last, _ = last_2025
    data = read_workbook(write_template(tmp_path / "t.xlsx", "2021", year=2026, previous=last))
    kept = data.carried
    assert (kept.source, kept.year, kept.org, kept.format_id) == ("2025年报数据.xlsx", 2025, INFO["org_name"], "2021")
    assert kept.values["proactive_normative_in_force"] == 36 and kept.narrative["overview"] == last.narrative["overview"]
    assert not [f for f in data.findings if f.code != "V01"]   # the block below the tables is no stray content


# -- refusing last year's report -------------------------------------------------------------------------
def test_another_agencys_report_is_refused_unless_forced(tmp_path, last_2025):
    _, last = last_2025
    run = tool("template", "--previous", last, "--org", "别的局", "-o", tmp_path / "a.xlsx")
    assert run.returncode == 2 and "[错误 I06]" in run.stderr and "别的局" in run.stderr
    assert not (tmp_path / "a.xlsx").exists()
    run = tool("template", "--previous", last, "--org", "别的局", "--force-previous", "-o", tmp_path / "a.xlsx")
    assert run.returncode == 0 and "[提示 I06]" in run.stdout
    assert read_workbook(tmp_path / "a.xlsx").info["org_name"] == "别的局"


def test_a_report_of_the_same_year_is_never_accepted(tmp_path, last_2025):
    _, last = last_2025
    run = tool("template", "--previous", last, "--year", "2025", "--force-previous", "-o", tmp_path / "a.xlsx")
    assert run.returncode == 2 and "[错误 I07]" in run.stderr and "2024 年度" in run.stderr


def test_a_gap_year_is_accepted_only_when_forced(tmp_path, last_2025):
    _, last = last_2025
    run = tool("template", "--previous", last, "--year", "2027", "-o", tmp_path / "a.xlsx")
    assert run.returncode == 2 and "I07" in run.stderr and "隔了 1 年" in run.stderr
    run = tool("template", "--previous", last, "--year", "2027", "--force-previous", "-o", tmp_path / "a.xlsx")
    assert run.returncode == 0 and "[提示 I07]" in run.stdout


def test_last_years_report_with_errors_is_refused_unless_forced(tmp_path):
    broken = workbook(tmp_path, report("2021", 2025, request_carried_out_natural=9))   # X01 fails
    run = tool("template", "--previous", broken, "-o", tmp_path / "a.xlsx")
    assert run.returncode == 2 and "[错误 Y07]" in run.stderr and "1 个错误" in run.stderr
    assert tool("template", "--previous", broken, "--force-previous", "-o", tmp_path / "a.xlsx").returncode == 0


# -- checking against last year ---------------------------------------------------------------------------
def test_check_previous_reports_breaks_and_rates_in_text_and_json(tmp_path, last_2025):
    last_data, last = last_2025
    this = workbook(tmp_path, successor(last_data, request_carried_in_natural=1), "本年.xlsx")
    run = tool("check", this, "--previous", last)
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"上年报告：{last}，2025 年度" in run.stdout and "[提示 Y01]" in run.stdout
    assert "正文与上年报告的重复率：总体" in run.stdout
    out = json.loads(tool("check", this, "--previous", last, "--json").stdout)
    assert out["previous"]["how"] == "given" and out["repeat_rates"]["overall"] is not None
    assert [w["code"] for w in out["warnings"]] == ["Y01"]


def test_check_finds_last_years_workbook_beside_by_the_tools_naming_and_says_so(tmp_path, last_2025):
    last_data, _ = last_2025
    this = workbook(tmp_path, successor(last_data, request_carried_in_natural=1))
    assert this.name == "2026年政府信息公开年报数据.xlsx"
    run = tool("check", this)
    beside = tmp_path / "2025年政府信息公开年报数据.xlsx"
    assert f"上年报告：{beside}，2025 年度（在同一文件夹中按文件名自动找到）" in run.stdout
    assert "[提示 Y01]" in run.stdout
    assert "上年报告" not in tool("check", this, "--no-previous").stdout


def test_the_naming_rule_replaces_the_report_year_in_the_file_name():
    names = [p.name for p in beside_candidates(Path("/x/某镇2026年报.ods"), 2026)]
    assert names[:4] == ["某镇2025年报.ods", "某镇2025年报.xlsx", "某镇2025年报.xlsm", "某镇2025年报.xls"]
    assert names[-1] == "2025年政府信息公开年报数据.xlsx"


def test_a_workbook_beside_of_another_agency_is_not_used_and_that_is_said(tmp_path):
    workbook(tmp_path, report("2021", 2025, org="别的局"))
    this = workbook(tmp_path, successor(report("2021", 2025)))
    run = tool("check", this)
    assert "未使用同一文件夹中的 2025年政府信息公开年报数据.xlsx" in run.stdout and "上年报告：" not in run.stdout


def test_a_filled_template_is_checked_against_the_report_it_started_from(tmp_path, last_2025):
    last, _ = last_2025
    start = write_template(tmp_path / "t.xlsx", "2021", year=2026, previous=last)
    wb = openpyxl.load_workbook(start)               # the clerk fills the numbers, keeps the text
    numbers = successor(last).inputs
    for c in model.load("2021").cells.values():
        if c.is_input and c.id != "request_carried_in_natural":
            wb[c.sheet][c.a1] = float(numbers[c.id]) if isinstance(numbers[c.id], Decimal) else numbers[c.id]
    wb.save(tmp_path / "filled.xlsx")
    result = check_file(tmp_path / "filled.xlsx")
    assert result.previous["how"] == "embedded" and result.previous["file"] == "2025年报数据.xlsx"
    assert "Y05" in codes(result.warnings) and "Y06" in codes(result.warnings)
    assert "Y01" not in codes(result.warnings)       # 上年结转 kept as prefilled


def test_the_new_template_never_replaces_last_years_file(tmp_path, last_2025):
    _, last = last_2025
    before = last.read_bytes()
    run = tool("template", "--previous", last, "-o", last, "--force")
    assert run.returncode == 2 and "[错误 O04]" in run.stderr and last.read_bytes() == before


def test_no_previous_leaves_out_the_copy_of_last_years_report_kept_in_the_workbook(tmp_path):
    from xlsx_tool.checks.check import check

    last = read_workbook(write_template(tmp_path / "2025.xlsx", "2021", year=2025,
                                        prefill={**fills.complete("2021"), "request_carried_out_natural": 2}))
    this = read_workbook(write_template(tmp_path / "2026.xlsx", "2021", year=2026,
                                        prefill=fills.complete("2021"), previous=last))
    assert check(this).previous["how"] == "embedded" and "Y01" in codes(check(this).warnings)
    alone = check(this, use_kept=False)
    assert alone.previous is None and not [f for f in alone.warnings if f.code.startswith("Y")]
