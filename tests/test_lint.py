"""``xlsx-tool lint-template``: faulty Word templates are caught with code, place, tag and fix."""
from __future__ import annotations

from pathlib import Path

import pytest
from docx import Document

from xlsx_tool.formats import model
from xlsx_tool.report import lint, render
from xlsx_tool.formats.content import ReportData
from xlsx_tool.findings import ERROR, NOTE, UserError
from xlsx_tool.report import build

SHIPPED = {"report-2019.docx": "2019", "report-2019-simple.docx": "2019", "report-2021.docx": "2021",
           "report-2021-simple.docx": "2021"}


def make_template(tmp_path: Path, *paragraphs, table=None, footer=None, name="模板.docx") -> Path:
    """A .docx: each paragraph a str (one run) or a tuple of str (one run each); ``table`` a list
    of rows of cell texts, added after the paragraphs; ``footer`` the footer's text."""
    doc = Document()
    for para in paragraphs:
        p = doc.add_paragraph()
        for run in (para,) if isinstance(para, str) else para:
            p.add_run(run)
    if table:
        t = doc.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, text in enumerate(row):
                t.cell(r, c).text = text
    if footer:
        doc.sections[0].footer.paragraphs[0].text = footer
    path = tmp_path / name
    doc.save(str(path))
    return path


def codes(findings) -> list[str]:
    return [f.code for f in findings]


def only(findings, code):
    found = [f for f in findings if f.code == code]
    assert len(found) == 1, [f.text() for f in findings]
    return found[0]


def render_fails_with(tmp_path, template) -> str | None:
    """The code render_docx stops with (None when the report renders)."""
    data = ReportData(model.load("2021"), info={"org_name": "某某局", "year": "2021"})
    try:
        render.render_docx(data, tmp_path / "报告.docx", template=template, force=True)
    except UserError as err:
        return err.finding.code
    return None


# -- the shipped templates --------------------------------------------------------------------------
@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_templates_lint_clean(name):
    path = build.template_folder() / name
    assert lint.lint(path) == []                        # no 错误, and T02: every cell, section, note used
    assert lint.lint(path, SHIPPED[name]) == []
    assert lint.detect_format(path) == SHIPPED[name]


def test_clean_report_says_so(tmp_path):
    text = lint.text_report([], "模板.docx", "2021")
    assert text.splitlines() == ["检查 Word 模板：模板.docx（按 2021 年报格式检查）",
                                 "检查结果：未发现问题（0 个错误，0 个提示）。"]


# -- T03 split tags ---------------------------------------------------------------------------------
def test_tag_split_across_runs_is_T03_with_its_pieces(tmp_path):
    tpl = make_template(tmp_path, "{{ title }}", ("收到申请", "{{ v.request_", "new_total }}", "件。"))
    f = only(lint.lint(tpl), "T03")
    assert f.extra["location"] == "第2段" and f.extra["tag"] == "{{ v.request_new_total }}"
    assert "“{{ v.request_”＋“new_total }}”" in f.message and "2 个文字段" in f.message
    assert "docxtpl" in f.message and f.file == str(tpl)
    assert "（第2段：“收到申请{{ v.request_new_tot…”）" in f.text()      # a short quote
    assert "一次性重新输入" in f.fix
    # docxtpl 0.20 rejoins this one: a 提示, and the report does render
    assert f.severity == NOTE and render_fails_with(tmp_path, tpl) is None
    assert "T01" not in codes(lint.lint(tpl))          # the rejoined name is a known cell


def test_tag_split_across_paragraphs_is_an_error(tmp_path):
    tpl = make_template(tmp_path, "报告{{ info.", "org_name }}")
    f = next(f for f in lint.lint(tpl) if f.code == "T03")
    assert f.severity == ERROR and f.extra["location"] == "第1段"
    assert f.extra["tag"] == "{{ info.¶org_name }}" and "2 个段落" in f.message


def test_split_row_loop_tag_is_judged_on_its_whole_row(tmp_path):
    doc = Document()
    doc.add_paragraph("{{ title }}")
    table = doc.add_table(rows=3, cols=1)
    first = table.cell(0, 0).paragraphs[0]
    first.add_run("{%tr for para")
    first.add_run(" in narrative.problems %}")
    table.cell(1, 0).text = "{{ para }}"
    table.cell(2, 0).text = "{%tr endfor %}"
    tpl = tmp_path / "行循环.docx"
    doc.save(str(tpl))
    f = only(lint.lint(tpl), "T03")
    assert f.extra["location"] == "表格1 第1行第1列" and f.extra["tag"] == "{%tr for para in narrative.problems %}"
    assert f.severity == NOTE and "T05" not in codes(lint.lint(tpl))
    assert render_fails_with(tmp_path, tpl) is None


# -- T04 curly quotes -------------------------------------------------------------------------------
def test_curly_quotes_in_a_tag_are_T04(tmp_path):
    tpl = make_template(tmp_path, "{{ title }}", "机关：{{ info[“org_name”] }}")
    f = only(lint.lint(tpl), "T04")
    assert f.extra["location"] == "第2段" and f.extra["tag"] == "{{ info[“org_name”] }}"
    assert "“ ”" in f.message and "直引号" in f.fix
    # the name itself is known; no ids of one format: unused sections and notes (the same in every
    # format) are said, the unused table numbers (which differ by format) are not
    assert codes(lint.lint(tpl)) == ["T04", "T02", "T02"]


def test_curly_quotes_in_a_table_cell_name_the_cell(tmp_path):
    tpl = make_template(tmp_path, "{{ title }}", table=[["项目", "数量"],
                                                        ["传真", "{% if info.fax != ‘’ %}有{% endif %}"]])
    f = only(lint.lint(tpl), "T04")
    assert f.extra["location"] == "表格1 第2行第2列" and "‘ ’" in f.message


# -- T05 loops in tables ----------------------------------------------------------------------------
def test_for_loop_over_table_rows_without_tr_is_T05(tmp_path):
    tpl = make_template(tmp_path, "{{ title }}", table=[["问题"],
                                                        ["{% for para in narrative.problems %}"],
                                                        ["{{ para }}"],
                                                        ["{% endfor %}"]])
    f = only(lint.lint(tpl), "T05")
    assert f.severity == ERROR and f.extra["location"] == "表格1 第2行第1列"
    assert f.extra["tag"] == "{% for para in narrative.problems %}" and "{%tr for" in f.fix


def test_paragraph_loop_spanning_table_rows_is_T05(tmp_path):
    tpl = make_template(tmp_path, "{{ title }}", table=[["{%p for para in narrative.problems %}"],
                                                        ["{{ para }}"],
                                                        ["{%p endfor %}"]])
    f = only(lint.lint(tpl), "T05")
    assert f.extra["location"] == "表格1 第1行第1列" and "不能用来重复表格行" in f.message


def test_correct_loops_in_tables_pass(tmp_path):
    tpl = make_template(tmp_path, "{{ title }}", table=[
        ["{%tr for para in narrative.problems %}"],
        ["{{ para }}"],
        ["{%tr endfor %}"],
        ["{% for p in narrative.overview %}{{ p }}；{% endfor %}"],        # inline: one paragraph
    ])
    assert "T05" not in codes(lint.lint(tpl))
    assert render_fails_with(tmp_path, tpl) is None


def test_tr_tag_outside_a_table_is_T06(tmp_path):
    tpl = make_template(tmp_path, "{%tr for para in narrative.problems %}", "{{ para }}", "{%tr endfor %}")
    f = lint.lint(tpl)[0]
    assert f.code == "T06" and f.extra["location"] == "第1段" and "只能写在表格的单元格中" in f.message


# -- T01 unknown placeholders -----------------------------------------------------------------------
def test_unknown_cell_is_T01_and_render_agrees(tmp_path):
    tpl = make_template(tmp_path, "{{ title }}", "合计：{{ v.no_such_cell }}件")
    f = only(lint.lint(tpl), "T01")
    assert f.severity == ERROR and f.extra["location"] == "第2段"
    assert f.extra["tag"] == "{{ v.no_such_cell }}" and "v.no_such_cell" in f.message
    assert "xlsx-tool fields" in f.fix
    assert render_fails_with(tmp_path, tpl) == "T01"


@pytest.mark.parametrize("tag, name, hint", [
    ("{{ v.request_new_totl }}", "v.request_new_totl", "v.request_new_total"),
    ("{{ info['fax2'] }}", "info.fax2", "info.fax"),
    ("{% if narrative.overvew %}有{% endif %}", "narrative.overvew", "narrative.overview"),
    ("{{ agency_name }}", "agency_name", ""),
])
def test_unknown_names_are_T01_with_a_suggestion(tmp_path, tag, name, hint):
    f = only(lint.lint(make_template(tmp_path, "{{ title }}", tag)), "T01")
    assert f.extra["tag"] == tag.split("有")[0] and name in f.message
    assert (f"是否应为 {hint}？" in f.message) if hint else "是否应为" not in f.message


def test_loop_and_set_variables_are_known(tmp_path):
    tpl = make_template(tmp_path, "{% set n = narrative.overview|length %}{{ n }}",
                        "{% for para in narrative.overview %}{{ loop.index }}{{ para }}{% endfor %}",
                        "{{ range(2)|list }}{{ fmt_label }}{{ year }}{{ title }}{{ choices.procurement_unit }}")
    assert "T01" not in codes(lint.lint(tpl, "2019"))


def test_cell_of_the_other_format_is_unknown(tmp_path):
    tpl = make_template(tmp_path, "{{ v.proactive_fees_amount }}")
    assert lint.detect_format(tpl) == "2021" and "T01" not in codes(lint.lint(tpl))
    f = only(lint.lint(tpl, "2019"), "T01")
    assert f.extra["tag"] == "{{ v.proactive_fees_amount }}"


def test_unknown_name_in_the_footer_names_the_footer(tmp_path):
    f = only(lint.lint(make_template(tmp_path, "{{ title }}", footer="— {{ page_no }} —")), "T01")
    assert f.extra["location"] == "页脚（footer1.xml）第1段" and f.extra["part"] == "word/footer1.xml"


def test_tags_in_document_properties_are_checked(tmp_path):
    tpl = make_template(tmp_path, "{{ title }}")
    doc = Document(str(tpl))
    doc.core_properties.subject = "{{ fmt_label }}（{{ no_such_name }}）"
    doc.save(str(tpl))
    f = only(lint.lint(tpl), "T01")
    assert f.extra["location"] == "文档属性“主题”" and f.extra["tag"] == "{{ no_such_name }}"
    assert render_fails_with(tmp_path, tpl) == "T01"


# -- T06 syntax and safety ------------------------------------------------------------------------
@pytest.mark.parametrize("tag", ["{{ ''.__class__ }}", "{{ info.org_name.__class__.__mro__ }}",
                                 "{{ v|attr('__class__') }}", "{{ info['__class__'] }}"])
def test_internal_attribute_is_T06_and_render_agrees(tmp_path, tag):
    tpl = make_template(tmp_path, "{{ title }}", tag)
    f = only(lint.lint(tpl), "T06")
    assert f.extra["location"] == "第2段" and f.extra["tag"] == tag and "内部属性" in f.message
    assert render_fails_with(tmp_path, tpl) == "T06"


@pytest.mark.parametrize("paragraphs, where, tag, words", [
    (("{{ title }}", "{% if info.fax %}传真", "结尾"), "第2段", "{% if info.fax %}", "{% endif %}"),
    (("{{ title }}", "{{ info.org_name }"), "第2段", "{{ info.org_name }", "没有结束"),
    (("{{ title }}", "{{ year | no_such_filter }}"), "第2段", "{{ year | no_such_filter }}", "no_such_filter"),
    (("{{ title }}", "说明", "{% endif %}"), "第3段", "{% endif %}", "endif"),
])
def test_syntax_errors_are_T06_at_the_right_paragraph(tmp_path, paragraphs, where, tag, words):
    tpl = make_template(tmp_path, *paragraphs)
    f = next(f for f in lint.lint(tpl) if f.code == "T06")
    assert f.severity == ERROR and f.extra["location"] == where and f.extra["tag"] == tag
    assert words in f.message
    assert render_fails_with(tmp_path, tpl) == "T06"


# -- T02 unused data ----------------------------------------------------------------------------
def test_template_without_table_three_gets_one_T02(tmp_path):
    fmt = model.load("2021")
    tl = fmt.table("request")
    lines = [f"{{{{ v.{c.id} }}}}" for c in fmt.cells.values() if c.table != "request"]
    tpl = make_template(tmp_path, "{{ title }}", " ".join(lines),
                        "{% for k, text in narrative.items() %}{{ text|join }}{% endfor %}",
                        "{{ notes.proactive }}{{ notes.request }}{{ notes.reconsideration_litigation }}")
    findings = lint.lint(tpl)
    f = only(findings, "T02")
    assert f.severity == NOTE and f.extra["location"] == "全文"
    n = len(tl.cells)
    assert f"有 {n} 个没有在模板中使用" in f.message and f"{tl.sheet} {n} 个" in f.message
    first = sorted(tl.cells, key=lambda c: (c.row, c.col))[0].id
    assert f"v.{first}" in f.message and f.message.count("v.") == 5 and "等" in f.message
    assert codes(findings) == ["T02"]


def test_sections_and_notes_never_printed_are_T02(tmp_path):
    tpl = make_template(tmp_path, "{{ title }}", "{% for k, x in v.items() %}{{ x }}{% endfor %}",
                        "{% for p in narrative.overview %}{{ p }}{% endfor %}")
    found = [f for f in lint.lint(tpl) if f.code == "T02"]
    assert len(found) == 2                              # v used dynamically: no guess about cells
    sections, notes = found
    assert "narrative.problems（五、存在的主要问题及改进情况）" in sections.message
    assert "narrative.overview（" not in sections.message
    assert "notes.request" in notes.message


# -- the report and the API -----------------------------------------------------------------------
def test_text_report_lists_each_finding_and_a_summary(tmp_path):
    tpl = make_template(tmp_path, "{{ title }}", ("{{ v.request_", "new_total }}"), "{{ v.no_such_cell }}")
    findings = lint.lint(tpl)
    text = lint.text_report(findings, tpl)
    assert text.splitlines()[0] == f"检查 Word 模板：{tpl}"
    assert "[提示 T03]" in text and "[错误 T01]" in text and "处理：" in text
    errors = sum(f.severity == ERROR for f in findings)
    assert text.splitlines()[-1].startswith(f"检查结果：{errors} 个错误，{len(findings) - errors} 个提示。")
    assert [f.code for f in findings][:2] == ["T03", "T01"]     # document order, T02 last
    assert all(f.as_dict()["extra"]["tag"] for f in findings)


def test_unusable_files_raise_F09(tmp_path):
    with pytest.raises(UserError) as err:
        lint.lint(tmp_path / "没有.docx")
    assert err.value.finding.code == "F09"
    bad = tmp_path / "假的.docx"
    bad.write_text("不是 Word 文件", "utf-8")
    with pytest.raises(UserError) as err:
        lint.lint(bad)
    assert err.value.finding.code == "F09" and "Traceback" not in str(err.value)
    with pytest.raises(UserError) as err:
        lint.lint(make_template(tmp_path, "{{ title }}"), "2030")
    assert err.value.finding.code == "F08"


def test_a_template_that_suits_every_format_is_not_taken_for_the_newest(tmp_path):
    tpl = make_template(tmp_path, "{{ title }}", "新收{{ v.request_new_total }}件",
                        "{% for p in narrative.overview %}{{ p }}{% endfor %}")
    assert lint.formats_for(tpl) == ["2019", "2021"] and lint.detect_format(tpl) is None
    text = lint.text_report(lint.lint(tpl), tpl, lint.formats_for(tpl))
    assert "按 2019、2021 格式分别检查" in text and "--format" in text


def test_an_id_of_one_format_only_is_reported_for_that_format(tmp_path):
    tpl = make_template(tmp_path, "{{ title }}", "{{ v.proactive_rules_issued }}{{ v.proactive_rules_made }}")
    assert lint.formats_for(tpl) == ["2019", "2021"]          # one unknown id in each
    messages = [f.message for f in lint.lint(tpl) if f.code == "T01"]
    assert len(messages) == 2
    assert any("proactive_rules_issued" in m and "（按 2019 格式）" in m for m in messages)
    assert any("proactive_rules_made" in m and "（按 2021 格式）" in m for m in messages)
