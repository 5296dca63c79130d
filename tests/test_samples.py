"""The bundled samples, end to end as a user runs them: ``xlsx-tool demo`` → .xlsx → check → .docx.

The seed sample is the real 2020 report of 沙坡头区文昌镇人民政府 (format 2019); the numbers
asserted here are copied from the published report, not from the sample file.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from docx import Document

from xlsx_tool.formats import model
from xlsx_tool.workbook import sample
from xlsx_tool.checks.check import check_file
from xlsx_tool.workbook.read import read_workbook


# 表二 of the published seed report: (row label, column label) → number as printed.
SEED_TABLE_2 = {
    ("规章", "本年新制作数量"): "0",
    ("其他对外管理服务事项", "上一年项目数量"): "63",
    ("行政处罚", "上一年项目数量"): "6",
    ("行政强制", "上一年项目数量"): "7",
    ("行政强制", "处理决定数量"): "1",
    ("行政事业性收费", "上一年项目数量"): "1",
    ("政府集中采购", "采购总金额"): "0",
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("demo") / "演示 输出"
    run = subprocess.run([sys.executable, "-m", "xlsx_tool.cli", "demo", "-o", str(out)],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert "演示完成，文件在：" in run.stdout and str(out.resolve()) in run.stdout
    return out


def word_cell_texts(doc, fmt: model.Format) -> dict[str, str]:
    """Field id → the text of its cell in the rendered Word tables (via the format's boxes)."""
    tables = [s["table"] for s in fmt.report_sections if s.get("table")]
    out = {}
    for tl, table in zip((fmt.table(t) for t in tables), doc.tables):
        first = min(b.row for b in tl.boxes)
        out.update((b.field_id, table.cell(b.row - first, b.col).text) for b in tl.boxes if b.field_id)
    return out


def test_demo_writes_a_workbook_and_a_report_per_sample(demo):
    names = sorted(p.name for p in demo.iterdir())
    assert names == sorted(f"{Path(s).stem}{ext}" for s in ("wenchang-2020", "demo-county-2025")
                           for ext in (".xlsx", ".docx"))


def test_the_seed_report_has_its_title(demo):
    doc = Document(str(demo / "wenchang-2020.docx"))
    assert doc.paragraphs[0].text.split("\n") == ["沙坡头区文昌镇人民政府", "2020年政府信息公开工作年度报告"]


def test_the_seed_numbers_land_in_the_right_cells_of_the_report(demo):
    fmt = model.load("2019")
    cells = word_cell_texts(Document(str(demo / "wenchang-2020.docx")), fmt)
    for (row, col), printed in SEED_TABLE_2.items():
        cid = next(c.id for c in fmt.table("proactive").cells if c.row_label == row and c.col_label == col)
        assert cells[cid] == printed, (row, col)
    assert {cells[c.id] for c in fmt.table("request").cells} == {"0"}   # no requests in 2020
    assert {cells[c.id] for c in fmt.table("reconsideration_litigation").cells} == {"0"}


def test_every_seed_paragraph_is_in_the_report(demo):
    data = sample.load(sample.bundled("wenchang-2020.toml"))
    text = "\n".join(p.text for p in Document(str(demo / "wenchang-2020.docx")).paragraphs)
    paragraphs = [p for section in data.narrative.values() for p in section]
    assert len(paragraphs) == 12
    for para in paragraphs:
        assert para in text


def test_the_seed_report_is_flagged_for_its_year_slip_only(demo):
    result = check_file(demo / "wenchang-2020.xlsx")
    assert result.ok and not result.errors
    assert [(f.code, f.sheet) for f in result.warnings] == [("N02", "正文")]
    assert "2019年文昌镇通过政务微博" in result.warnings[0].message


def test_the_2021_sample_has_numbers_in_every_table_and_balances(demo):
    result = check_file(demo / "demo-county-2025.xlsx")
    assert result.ok and not result.warnings
    values = result.data.values()
    for tl in result.data.fmt.tables:
        assert any(values[c.id] for c in tl.cells), tl.id
    cells = word_cell_texts(Document(str(demo / "demo-county-2025.docx")), result.data.fmt)
    assert cells["proactive_fees_amount"] == "24.311082"
    assert cells["request_new_total"] == "335" and cells["request_outcome_total_total"] == "334"


@pytest.mark.parametrize("name", ["wenchang-2020", "demo-county-2025"])
def test_the_committed_sample_workbook_matches_its_text_file(name):
    """samples/*.xlsx are generated from samples/*.toml (xlsx-tool demo -o samples --force)."""
    expected = sample.load(sample.bundled(f"{name}.toml"))
    read = read_workbook(sample.bundled(f"{name}.xlsx"))
    assert read.inputs == expected.inputs
    assert read.info == expected.info
    assert read.narrative == expected.narrative
