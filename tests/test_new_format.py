"""A new official format is a new data file: a synthetic revision (``tests/fixtures/formats/2027.json``:
the 2021 format plus a row 地方性法规 in 表二 and a leaf 9.属于测试新增情形 under （三）不予公开)
goes through template → fill → check → render with no code change, through the real command line.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from docx import Document

from xlsx_tool.formats import model, registry

FIXTURE = Path(__file__).parent / "fixtures" / "formats"
YEAR = 2027


def tool(*args, cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, XLSX_TOOL_FORMATS=str(FIXTURE), PYTHONIOENCODING="utf-8")
    return subprocess.run([sys.executable, "-m", "xlsx_tool.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture
def new_format():
    registry.add_directory(FIXTURE)
    yield model.load("2027")
    registry.remove_directory(FIXTURE)


def test_the_new_leaf_is_in_its_total_without_listing_it(new_format):
    rule = next(r for r in new_format.rules if r.code == "X03" and r.scope == "自然人")
    assert "request_withheld_new_case_natural" in rule.right and len(rule.right) == 22


def fill(path: Path, fmt: model.Format) -> Path:
    """Type a balanced report into the clerk's workbook (by the cells' names), as a clerk would."""
    wb = openpyxl.load_workbook(path)
    for cid, cell in fmt.cells.items():
        if not cell.is_input:
            continue
        if cell.table == "request":
            value = {"new": 3, "carried_in": 1, "disclosed": 1, "withheld_new_case": 2, "carried_out": 1}.get(cell.row_key, 0)
        else:
            value = 7 if cell.row_key == "local_regulations" else 1
        sheet, ref = next(iter(wb.defined_names[cid].destinations))
        wb[sheet][ref.replace("$", "")] = value
    for key, text in (("org_name", "某某新局"), ("website_name", "某某网站"), ("website_url", "https://example.gov.cn/"),
                      ("contact_office", "办公室"), ("address", "某某路1号"), ("postcode", "100000"),
                      ("phone", "010-12345678")):
        sheet, ref = next(iter(wb.defined_names[key].destinations))
        wb[sheet][ref.replace("$", "")] = text
    out = path.with_name("填好.xlsx")
    wb.save(out)
    return out


def test_a_synthetic_revision_goes_from_template_to_report_with_no_code_change(tmp_path, new_format):
    made = tool("template", "--year", str(YEAR), "-o", "模板.xlsx", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert "2027" in made.stdout and "测试用虚构文件〔2027〕1号" in made.stdout
    wb = openpyxl.load_workbook(tmp_path / "模板.xlsx")
    labels = {c.value for row in wb["表三"].iter_rows() for c in row if isinstance(c.value, str)}
    assert {"9.属于测试新增情形"} <= labels and "地方性法规" in {c.value for c in wb["表二"]["A"]}

    filled = fill(tmp_path / "模板.xlsx", new_format)
    checked = tool("check", filled.name, cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "检查通过" in checked.stdout

    rendered = tool("render", filled.name, "-o", "报告.docx", cwd=tmp_path)
    assert rendered.returncode == 0, rendered.stdout + rendered.stderr
    doc = Document(str(tmp_path / "报告.docx"))
    rows = {tuple(c.text for c in row.cells) for t in doc.tables for row in t.rows}
    assert any(r[0] == "地方性法规" and r[1:] == ("7", "7", "7") for r in rows)
    new_case = next(r for r in rows if "9.属于测试新增情形" in r)
    assert new_case[-7:] == ("2", "2", "2", "2", "2", "2", "12")
    outcome_total = next(r for r in rows if "（七）总计" in r)
    assert outcome_total[-7:] == ("3", "3", "3", "3", "3", "3", "18")   # 1 disclosed + 2 new case, per column


def test_a_wrong_fill_of_the_new_row_is_caught_by_the_derived_total(tmp_path, new_format):
    tool("template", "--year", str(YEAR), "-o", "模板.xlsx", cwd=tmp_path)
    filled = fill(tmp_path / "模板.xlsx", new_format)
    wb = openpyxl.load_workbook(filled)
    sheet, ref = next(iter(wb.defined_names["request_withheld_new_case_natural"].destinations))
    wb[sheet][ref.replace("$", "")] = 5                    # 3 + 1 ≠ 1 + 5 + 1
    wb.save(filled)
    checked = tool("check", filled.name, cwd=tmp_path)
    assert checked.returncode == 1 and "X01" in checked.stdout and "自然人" in checked.stdout
