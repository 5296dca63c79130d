"""Accepting a 提示 with a written explanation (说明, issue 11): the 说明 sheet, 已说明 in check and
``--json``, errors that stay errors, explanations that explain nothing, the report's placeholder,
and re-writing a workbook with explanations for the web page."""
from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from docx import Document

from xlsx_tool.checks.check import check_file
from xlsx_tool.checks.text import text_report
from xlsx_tool.findings import Code, UserError
from xlsx_tool.formats.content import Explanation
from xlsx_tool.report.lint import lint
from xlsx_tool.report.render import render_docx
from xlsx_tool.workbook import yearread, yearsheets
from xlsx_tool.workbook.previous import rewrite_with_explanations
from xlsx_tool.workbook.read import read_workbook
from xlsx_tool.workbook.template import write_template


@pytest.fixture
def short_overview(make_filled_workbook):
    """A fill whose 一、总体情况 opening is empty: one N08 提示 at 正文!B5, nothing else."""
    def make(name="fill.xlsx", explanations=None, **overrides):
        path = make_filled_workbook(name=name, narrative_overview=[], **overrides)
        if explanations is None:
            return path
        return rewrite_with_explanations(path, path.with_name("explained-" + name), explanations)
    return make


def test_every_template_has_a_sheet_for_explanations_with_a_list_of_the_notes(tmp_path):
    wb = openpyxl.load_workbook(write_template(tmp_path / "t.xlsx", "2021", year=2026))
    ws = wb[yearread.EXPLANATION_SHEET]
    assert [ws.cell(3, c).value for c in (1, 2, 3)] == ["代码", "位置", "说明"]
    assert not ws["A4"].protection.locked and not ws["C33"].protection.locked and ws["A34"].protection.locked
    (dv,) = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
    first, last = dv.formula1.replace("$", "").split(":")
    listed = [ws[f"E{r}"].value for r in range(int(first[1:]), int(last[1:]) + 1)]
    assert listed == [c.name for c in yearsheets.explainable_codes()]
    assert "Y01" in listed and "X01" not in listed and "V01" not in listed


def test_explanations_written_in_the_sheet_are_read_back(tmp_path):
    path = write_template(tmp_path / "t.xlsx", "2021", year=2026,
                          explanations=[("Y01", "表三 d7", "机构调整，上年结转的申请由原单位办理。")])
    (e,) = read_workbook(path).explanations
    assert (e.code, e.cell, e.text, e.row) == ("Y01", "表三!D7", "机构调整，上年结转的申请由原单位办理。", 3)


def test_an_explained_note_is_listed_as_explained_with_its_explanation(short_overview):
    path = short_overview(explanations=[Explanation("N08", "正文!B5", "本年总体情况在各小节中分别说明。")])
    result = check_file(path)
    assert result.ok and result.warnings == []
    (f,) = result.explained
    assert (f.code, f.severity, f.explanation) == ("N08", "已说明", "本年总体情况在各小节中分别说明。")
    text = text_report(result)
    assert "[已说明 N08]" in text and "说明：本年总体情况在各小节中分别说明。" in text and "1 个已说明" in text
    out = result.as_json()
    assert out["explained"][0]["explanation"] == "本年总体情况在各小节中分别说明。" and out["warnings"] == []


def test_an_explanation_without_a_place_covers_every_note_of_its_code(short_overview):
    path = short_overview(explanations=[("N08", "", "有意为之。")], narrative_overview_platform=[])
    result = check_file(path)
    assert [f.code for f in result.explained] == ["N08"] and [f.code for f in result.errors] == ["N07"]


def test_an_explained_error_stays_an_error_with_the_explanation_shown(short_overview):
    path = short_overview(explanations=[("N07", "", "平台建设由上级部门负责。")], narrative_overview_platform=[])
    result = check_file(path)
    (f,) = result.errors
    assert (f.code, f.severity, f.explanation) == ("N07", "错误", "平台建设由上级部门负责。")
    assert "说明：平台建设由上级部门负责。（错误不能以说明代替改正）" in f.text() and "处理：" in f.text()


def test_an_explanation_that_explains_nothing_is_y08_on_its_row(short_overview):
    path = short_overview(explanations=[("N08", "正文!B5", "已说明。"), ("Y01", "表三!D7", "机构调整。")])
    result = check_file(path)
    (f,) = result.warnings
    assert (f.code, f.sheet, f.cell) == ("Y08", "说明", "A5") and "Y01" in f.message


@pytest.mark.parametrize("row, problem", [(("Y01", "", ""), "说明内容"), (("", "D7", "原因。"), "代码"),
                                         (("Z99", "", "原因。"), "不是本工具的检查代码")])
def test_an_incomplete_explanation_is_y09(tmp_path, row, problem):
    path = write_template(tmp_path / "t.xlsx", "2021", year=2026, explanations=[row])
    (f,) = [f for f in read_workbook(path).findings if f.code == "Y09"]
    assert f.sheet == "说明" and f.cell == "A4" and problem in f.message


def test_check_json_carries_the_explanation(short_overview):
    path = short_overview(explanations=[("N08", "", "本年总体情况在各小节中分别说明。")])
    run = subprocess.run([sys.executable, "-m", "xlsx_tool.cli", "check", str(path), "--json"],
                         capture_output=True, text=True, timeout=120)
    out = json.loads(run.stdout)
    assert run.returncode == 0 and out["explained"][0]["severity"] == "已说明"
    assert out["explained"][0]["explanation"] == "本年总体情况在各小节中分别说明。"


# -- rewriting with explanations (the web page) ------------------------------------------------------
def test_rewriting_keeps_everything_read_and_never_touches_the_source(short_overview, tmp_path):
    src = short_overview(note_request="注：本表含上年度结转。")
    before = hashlib.sha256(src.read_bytes()).hexdigest()
    out = rewrite_with_explanations(src, tmp_path / "copy.xlsx", [("N08", "正文!B5", "原因。")])
    assert hashlib.sha256(src.read_bytes()).hexdigest() == before
    a, b = read_workbook(src), read_workbook(out)
    assert (a.inputs, a.info, a.narrative, a.notes, a.choices) == (b.inputs, b.info, b.narrative, b.notes, b.choices)
    assert b.explanations == [Explanation("N08", "正文!B5", "原因。", 3)]


def test_rewriting_keeps_last_years_data_of_the_workbook(tmp_path):
    from reports import report
    start = write_template(tmp_path / "t.xlsx", "2021", year=2026, previous=report("2021", 2025))
    out = rewrite_with_explanations(start, tmp_path / "copy.xlsx", [])
    assert read_workbook(out).carried == read_workbook(start).carried
    assert openpyxl.load_workbook(out)["正文"]["B5"].comment.text == yearsheets.COPIED_NOTE


def test_rewriting_refuses_a_cell_it_would_lose_and_writes_nothing(make_filled_workbook, tmp_path):
    src = make_filled_workbook(request_new_natural="十二")
    with pytest.raises(UserError) as err:
        rewrite_with_explanations(src, tmp_path / "copy.xlsx", [])
    assert err.value.code == "V02" and "表三!D6" in err.value.text()
    assert not (tmp_path / "copy.xlsx").exists()


def test_rewriting_does_not_clobber_without_force(short_overview, tmp_path):
    src = short_overview()
    (tmp_path / "copy.xlsx").write_bytes(b"old")
    with pytest.raises(UserError) as err:
        rewrite_with_explanations(src, tmp_path / "copy.xlsx", [])
    assert err.value.code == "O01" and (tmp_path / "copy.xlsx").read_bytes() == b"old"


# -- the report -------------------------------------------------------------------------------------------
def custom_template(tmp_path: Path) -> Path:
    from docx import Document as New

    doc = New()
    doc.add_paragraph("{{ title }}")
    doc.add_paragraph("{%p if explanations %}")
    doc.add_paragraph("{{ explanations_text }}")
    doc.add_paragraph("{%p endif %}")
    doc.add_paragraph("{%p for e in explanations %}")
    doc.add_paragraph("{{ e.code }}|{{ e.cell }}|{{ e.title }}|{{ e.text }}")
    doc.add_paragraph("{%p endfor %}")
    path = tmp_path / "说明模板.docx"
    doc.save(path)
    return path


def test_a_template_can_print_the_explanations_as_a_note(short_overview, tmp_path):
    data = read_workbook(short_overview(explanations=[("N08", "正文!B5", "本年总体情况在各小节中分别说明。")]))
    out = render_docx(data, tmp_path / "r.docx", template=custom_template(tmp_path))
    texts = [p.text for p in Document(str(out)).paragraphs]
    assert "说明：本年总体情况在各小节中分别说明（N08，正文!B5）。" in texts
    assert f"N08|正文!B5|{Code.N08.title}|本年总体情况在各小节中分别说明。" in texts


def test_lint_knows_the_explanation_names(tmp_path):
    assert [f.code for f in lint(custom_template(tmp_path), "2021") if f.code == "T01"] == []


def test_the_built_in_report_does_not_print_explanations(short_overview, tmp_path):
    data = read_workbook(short_overview(explanations=[("N08", "", "一段只在工作簿中的说明。")]))
    out = render_docx(data, tmp_path / "r.docx")
    assert "一段只在工作簿中的说明" not in "\n".join(p.text for p in Document(str(out)).paragraphs)


def test_rewriting_never_writes_over_its_source(short_overview):
    src = short_overview()
    before = src.read_bytes()
    with pytest.raises(UserError) as err:
        rewrite_with_explanations(src, src, [], force=True)
    assert err.value.code == "O04" and src.read_bytes() == before
