"""Consolidation (汇总): the units' tables summed cell by cell into a workbook that checks, renders
and passes ``check --parts``."""
from __future__ import annotations

import re
from pathlib import Path

import os
import subprocess
import sys
from decimal import Decimal

import openpyxl
import pytest

import review_folder as rf
from xlsx_tool.checks.check import check_file
from xlsx_tool.review.combine import write_combined
from xlsx_tool.review.parts import check_parts
from xlsx_tool.workbook.read import read_workbook

INFO = ("--info", "发布网站名称=某某县人民政府网站", "--info", "发布网站网址=http://www.example.gov.cn/",
        "--info", "联系部门=县政务公开办", "--info", "联系地址=某某路 1 号", "--info", "邮编=755000",
        "--info", "联系电话=0955-7061801")


def cli(*args):
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "-m", "xlsx_tool.cli", *map(str, args)], capture_output=True, text=True,
                          env=env, timeout=600)


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return rf.build(tmp_path_factory.mktemp("汇总"))


@pytest.fixture(scope="module")
def combined(folder, tmp_path_factory):
    out = tmp_path_factory.mktemp("out") / "全县汇总.xlsx"
    run = cli("combine", folder.units, "-o", out, "--org", "某某县人民政府", "--roster", folder.roster, *INFO)
    return out, run


def test_combine_sums_the_accepted_units_and_lists_the_refused(combined):
    out, run = combined
    assert run.returncode == 1, run.stderr            # units were refused: said, and the exit code shows it
    text = run.stdout
    assert "2024 年度" in text and "2 个单位" in text
    for code, who in (("R14", "来历不明.xlsx"), ("R11", "丁镇人民政府"), ("R11", "戊县教育局"),
                      ("R12", rf.WRONG_YEAR), ("R13", rf.DUPLICATE)):
        assert f"[错误 {code}]" in text and who in text, (code, who, text)
    data = read_workbook(out)
    values = data.values()
    assert data.info["org_name"] == "某某县人民政府" and data.year == 2024
    assert values["request_new_total"] == 2 * 18 and values["request_new_natural"] == 2 * 3
    assert values["reconsideration_total"] == 2 * 16
    assert values["proactive_fees_amount"] == Decimal("2.5")
    assert all(not paras for paras in data.narrative.values()), "正文 is left for the combining body"


def test_sources_sheet_lists_every_unit_included_with_file_and_key_totals(combined):
    ws = openpyxl.load_workbook(combined[0])["汇总来源"]
    table = [[c.value for c in row] for row in ws.iter_rows()]
    assert table[0][:5] == ["序号", "单位", "文件", "检查结果", "本年新收"]
    assert [r[1] for r in table[1:3]] == ["丙县财政局", "乙镇人民政府"]
    assert table[1][2].endswith("丙县财政局.xlsx") and table[1][4] == 18
    refused = [r[1] for r in table[4:] if r[1]]
    assert "来历不明.xlsx" in refused and rf.MISSING[0] in refused


def write_narrative(path: Path, out: Path) -> Path:
    """The review office writes its own 正文 into the combined workbook (as in Excel/WPS)."""
    import fills

    wb = openpyxl.load_workbook(path)
    for name, paragraphs in fills.narrative().items():
        sheet, ref = next(iter(wb.defined_names[name].destinations))
        first = ref.replace("$", "").split(":")[0]
        col, row = re.match(r"([A-Z]+)(\d+)", first).groups()
        for i, text in enumerate(paragraphs):
            wb[sheet][f"{col}{int(row) + i}"] = text
    wb.save(out)
    return out


def test_the_combined_report_checks_renders_and_passes_parts(combined, folder, tmp_path):
    fresh, _ = combined
    blank = check_file(fresh)                       # the 正文 is the combining body's to write
    assert blank.errors and {f.code for f in blank.errors} <= {"N07"}
    out = write_narrative(fresh, tmp_path / "全县汇总（已写正文）.xlsx")
    assert check_file(out).ok
    run = cli("check", out, "--parts", folder.units, "--roster", folder.roster)
    assert run.returncode == 0, run.stdout
    assert "检查通过" in run.stdout and "[提示 R23]" in run.stdout and rf.MISSING[1] in run.stdout
    assert "[提示 R22]" in run.stdout and "戊县教育局" in run.stdout      # refused at combine: not counted,
    assert "汇总时未计入" in run.stdout                                 # and why
    docx = tmp_path / "全县汇总.docx"
    run = cli("render", out, "-o", docx)
    assert run.returncode == 0, run.stdout
    from docx import Document

    cells = [c.text for t in Document(str(docx)).tables for row in t.rows for c in row.cells]
    assert "36" in cells and "32" in cells


def test_parts_names_the_cell_the_numbers_and_the_contributing_units(combined, folder, edit_with_openpyxl):
    def change(wb):
        wb["表三"]["D6"] = 7                                  # 本年新收 · 自然人: the sum is 6
    edited = edit_with_openpyxl(combined[0], change, name="改过的汇总.xlsx")
    result = check_parts(edited, [folder.units], jobs=1)
    r15 = [f for f in result.errors if f.code == "R15"]
    assert len(r15) == 1
    f = r15[0]
    assert (f.sheet, f.cell, f.left_value, f.right_value, f.difference) == ("表三", "D6", 7, 6, 1)
    assert "自然人" in f.labels and "乙镇人民政府 3" in f.message and "丙县财政局 3" in f.message
    assert f.extra["units"] == [["丙县财政局", 3], ["乙镇人民政府", 3]]


def test_allow_errors_takes_units_with_errors_and_blank_or_bad_cells_count_zero(folder, tmp_path):
    path, data = write_combined([folder.units], tmp_path / "含错误.xlsx", org="某某县人民政府", allow_errors=True,
                                jobs=1)
    included = sorted(p.name for p in data.parts if p.included)
    assert included == sorted(["乙镇人民政府", "丙县财政局", "丁镇人民政府", "戊县教育局"])
    values = read_workbook(path).values()
    assert values["request_new_natural"] == 3 + 3 + 9 + 3
    assert values["request_new_business"] == 3 + 3 + 3 + 0       # 戊县教育局 wrote 无 there
    assert check_parts(path, [folder.units], jobs=1).ok is False   # 基本信息 left blank: I01


def test_amounts_in_different_units_are_converted_before_summing(tmp_path):
    from fills import balanced, narrative
    from xlsx_tool.workbook.template import write_template

    units = tmp_path / "2020"
    units.mkdir()
    for name, unit, amount in (("甲", "元", Decimal("1234.5")), ("乙", "万元", Decimal("1.2"))):
        fill = dict(balanced("2019"), **narrative())
        fill.update(org_name=f"{name}镇人民政府", procurement_unit=unit, proactive_procurement_amount=amount)
        write_template(units / f"{name}.xlsx", "2019", year=2020, prefill=fill)
    path, data = write_combined([units], tmp_path / "汇总2020.xlsx", org="某某县人民政府", jobs=1)
    back = read_workbook(path)
    assert back.choices["procurement_unit"] == "元"
    assert back.inputs["proactive_procurement_amount"] == Decimal("13234.5")
    assert not [f for f in check_parts(path, [units], jobs=1).errors if f.code == "R15"]


def test_nothing_to_combine_is_refused_without_writing(tmp_path):
    units = tmp_path / "坏"
    units.mkdir()
    (units / "x.xlsx").write_bytes(b"not a workbook")
    out = tmp_path / "汇总.xlsx"
    run = cli("combine", units, "-o", out, "--org", "某某县人民政府")
    assert run.returncode == 2 and "R21" in run.stderr and not out.exists()     # nothing could be read
