"""The Word report's content: every number in its cell, the text in order, custom templates, the errors.

The typography (fonts, page, type sizes, table layout) and the template build are in
``test_render_typography.py``; the helpers both use are in ``report_helpers.py``.
"""
from __future__ import annotations

import shutil
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn

from report_helpers import (INFO, NARRATIVE, NOTES, ORG, _style_fonts, body_texts, make_data,
                            render_to, word_tables)
from report_helpers import rendered  # noqa: F401 — a pytest fixture, used as a test argument
from xlsx_tool.formats.values import format_number
from xlsx_tool.report import context, render
from xlsx_tool.findings import UserError
from xlsx_tool.report import build


# -- content ----------------------------------------------------------------------------------------
def test_title_names_the_agency_and_year(rendered):
    data, doc, _ = rendered
    assert doc.paragraphs[0].text.split("\n") == [ORG, f"{data.info['year']}年政府信息公开工作年度报告"]
    assert doc.paragraphs[0].style.style_id == "ReportTitle"


def test_preamble_states_period_website_and_contact(rendered):
    data, doc, _ = rendered
    text = doc.paragraphs[1].text + doc.paragraphs[2].text
    y = data.info["year"]
    assert "《中华人民共和国政府信息公开条例》" in text
    assert f"统计期限自{y}年1月1日起至12月31日止" in text
    for key in ("website_name", "website_url", "contact_office", "address", "postcode", "phone",
                "fax", "email"):
        assert data.info[key] in text, key
    assert "传真：010-12345679" in text and "电子邮箱：gk@example.gov.cn" in text


def test_preamble_omits_fax_and_email_when_blank(tmp_path):
    data = make_data("2021", info=dict(INFO, fax="", email=" "))
    text = Document(str(render_to(tmp_path, data))).paragraphs[2].text
    assert "传真" not in text and "电子邮箱" not in text
    assert text.endswith("联系电话：010-12345678）。")


def test_sections_and_narrative_paragraphs_print_in_order(rendered):
    data, doc, _ = rendered
    texts = body_texts(doc)
    start = texts.index("一、总体情况")
    expected = ["一、总体情况", *NARRATIVE["overview"],
                "（一）主动公开", *NARRATIVE["overview_proactive"],
                "（二）依申请公开", *NARRATIVE["overview_request"],
                "（四）平台建设", *NARRATIVE["overview_platform"],   # empty （三）（五） are left out
                "二、主动公开政府信息情况",
                "三、收到和处理政府信息公开申请情况", NOTES["request"],
                "四、政府信息公开行政复议、行政诉讼情况",
                "五、存在的主要问题及改进情况", *NARRATIVE["problems"],
                "六、其他需要报告的事项", *NARRATIVE["other_matters"]]
    assert texts[start:] == expected
    assert doc.paragraphs[start + 3].style.style_id == "ReportHeading2"


def test_empty_other_matters_prints_none(tmp_path):
    data = make_data("2021", narrative={"overview": ["概述。"]}, notes={})
    texts = body_texts(Document(str(render_to(tmp_path, data))))
    assert texts[-2:] == ["六、其他需要报告的事项", "无。"]
    assert "（一）主动公开" not in texts
    assert texts[texts.index("五、存在的主要问题及改进情况") + 1] == "无。"


def test_every_number_lands_in_its_table_cell(rendered):
    data, doc, _ = rendered
    values = context.context(data)["v"]
    for tl in data.fmt.tables:
        table = word_tables(doc, data.fmt)[tl.id]
        first = min(b.row for b in tl.boxes)
        for b in tl.boxes:
            cell = table.cell(b.row - first, b.col)
            if b.field_id:
                assert cell.text == values[b.field_id], (tl.id, b)
            elif b.role == "pad":
                assert cell.text == ""
            else:
                assert cell.text.startswith(b.text), (tl.id, b)


def test_totals_are_recomputed_from_the_inputs(rendered):
    data, doc, _ = rendered
    table = word_tables(doc, data.fmt)["request"]
    tl = data.fmt.table("request")
    first = min(b.row for b in tl.boxes)
    totals = [c for c in tl.cells if c.total_of]
    assert totals
    for cell in totals:
        expected = sum(data.values()[p] for p in cell.total_of)
        assert table.cell(cell.row - first, cell.col).text == str(expected)
    new_total = data.fmt.cells["request_new_total"]   # 一、本年新收 › 总计 = the six applicant inputs
    parts = [c for c in tl.cells if c.row_key == "new" and c.is_input]
    assert len(parts) == 6
    assert int(table.cell(new_total.row - first, new_total.col).text) == sum(data.inputs[c.id] for c in parts)


def _span(cell) -> tuple[int, int]:
    """(columns, rows) a merged Word cell covers."""
    tc = cell._tc
    return tc.grid_span, tc.bottom - tc.top


def test_merged_headers_span_as_in_the_official_format(rendered):
    data, doc, _ = rendered
    tables = word_tables(doc, data.fmt)
    request, appeal = tables["request"], tables["reconsideration_litigation"]
    assert request.cell(0, 3).text == "申请人情况" and _span(request.cell(0, 3)) == (7, 1)
    assert request.cell(0, 3)._tc is request.cell(0, 9)._tc
    assert _span(request.cell(0, 0)) == (3, 3)          # the 勾稽关系 corner
    assert request.cell(1, 4).text == "法人或其他组织" and _span(request.cell(1, 4)) == (5, 1)
    assert request.cell(1, 3).text == "自然人" and _span(request.cell(1, 3)) == (1, 2)
    outcome_rows = 22 if data.fmt.id == "2021" else 20
    assert request.cell(5, 0).text == "三、本年度办理结果" and _span(request.cell(5, 0)) == (1, outcome_rows)
    assert appeal.cell(0, 0).text == "行政复议" and _span(appeal.cell(0, 0)) == (5, 1)
    assert appeal.cell(0, 5).text == "行政诉讼" and _span(appeal.cell(0, 5)) == (10, 1)
    assert appeal.cell(1, 4).text == "总计" and _span(appeal.cell(1, 4)) == (1, 2)
    assert len(appeal.columns) == 15 and len(appeal.rows) == 4


def test_procurement_header_shows_the_chosen_unit(tmp_path):
    for unit in ("万元", "元"):
        data = make_data("2019", choices={"procurement_unit": unit})
        table = word_tables(Document(str(render_to(tmp_path, data, f"{unit}.docx"))), data.fmt)["proactive"]
        assert f"采购总金额（单位：{unit}）" in [c.text for row in table.rows for c in row.cells]


def test_procurement_unit_defaults_to_yuan():
    assert context.context(make_data("2019", choices={}))["choices"]["procurement_unit"] == "元"


@pytest.mark.parametrize("value, text", [
    (12, "12"), (-8, "-8"), (0, "0"), (None, "0"), (Decimal("24252.3110820"), "24252.311082"),
    (Decimal("0.000000"), "0"), (Decimal("1E+3"), "1000"), (Decimal("5.000000"), "5"),
    (Decimal("0.000001"), "0.000001"), (Decimal("12.50"), "12.5"),
])
def test_numbers_print_without_exponent_or_trailing_zeros(value, text):
    assert format_number(value) == text


def test_money_cell_prints_exact_decimal(tmp_path):
    data = make_data("2021")
    data.inputs["proactive_fees_amount"] = Decimal("24252.311082000")
    doc = Document(str(render_to(tmp_path, data)))
    assert "24252.311082" in [c.text for row in word_tables(doc, data.fmt)["proactive"].rows for c in row.cells]


def test_special_characters_in_values_survive(tmp_path):
    data = make_data("2021", notes={"reconsideration_litigation": "注：A&B <说明> \"引号\" 'x'"})
    path = render_to(tmp_path, data)
    texts = body_texts(Document(str(path)))
    assert texts[0].startswith(ORG)
    assert "注：A&B <说明> \"引号\" 'x'" in texts
    with zipfile.ZipFile(path) as z:
        assert "信息&amp;数据&lt;中心&gt;" in z.read("word/document.xml").decode()


def test_control_characters_are_dropped_not_corrupting_the_document(tmp_path):
    data = make_data("2021", info=dict(INFO, org_name="某某局\x07"), notes={"reconsideration_litigation": "注：\x0b说明"},
                     narrative={"overview": ["段落\x1f一"]})
    texts = body_texts(Document(str(render_to(tmp_path, data))))
    assert texts[0].startswith("某某局\n2021年") and "注：说明" in texts and "段落一" in texts


def test_notes_print_directly_under_their_table(rendered):
    data, doc, _ = rendered
    body = list(doc.element.body.iterchildren())
    for tl, table in word_tables(doc, data.fmt).items():
        after = body[body.index(table._tbl) + 1]
        text = "".join(t.text for t in after.iter(qn("w:t")))
        if tl == "request":
            assert text == NOTES["request"]
        else:
            assert text.startswith(("三、", "四、", "五、"))


def test_multiline_text_becomes_separate_paragraphs():
    ctx = context.context(make_data("2021", narrative={"problems": ["第一行\n第二行", "  ", "第三行"]}))
    assert ctx["narrative"]["problems"] == ["第一行", "第二行", "第三行"]
    assert ctx["narrative"]["overview_oversight"] == []


def test_context_offers_every_cell_and_section():
    data = make_data("2021")
    ctx = context.context(data)
    assert {"info", "year", "title", "v", "narrative", "notes", "choices", "fmt_id", "fmt_label"} <= set(ctx)
    assert set(ctx["v"]) == set(data.fmt.cells)
    assert set(ctx["notes"]) == {"proactive", "request", "reconsideration_litigation"}
    assert ctx["year"] == 2021 and ctx["info"]["fax"] == "010-12345679"


# -- custom templates -------------------------------------------------------------------------------
def test_restyled_template_renders_the_same_content(tmp_path):
    data = make_data("2021")
    doc = Document(str(render_to(tmp_path, data, template=build.template_folder() / "report-2021-simple.docx")))
    assert doc.paragraphs[0].text == f"{ORG}2021年政府信息公开工作年度报告"   # one line here
    assert _style_fonts(doc, "Normal").get(qn("w:eastAsia")) == "宋体"
    values = context.context(data)["v"]
    for tl in data.fmt.tables:
        table, first = word_tables(doc, data.fmt)[tl.id], min(b.row for b in tl.boxes)
        for b in (b for b in tl.boxes if b.field_id):
            assert table.cell(b.row - first, b.col).text == values[b.field_id]
    assert not doc.settings.odd_and_even_pages_header_footer


def custom_template(tmp_path: Path, *lines: str) -> Path:
    doc = Document()
    for line in lines:
        doc.add_paragraph(line)
    path = tmp_path / "自定义模板.docx"
    doc.save(str(path))
    return path


@pytest.mark.parametrize("tag, name", [("{{ v.no_such_cell }}", "v.no_such_cell"),
                                       ("{{ agency_name }}", "agency_name"),
                                       ("{% if info.no_such_field %}x{% endif %}", "info.no_such_field")])
def test_unknown_placeholder_fails_with_T01_naming_it(tmp_path, tag, name):
    tpl = custom_template(tmp_path, "{{ info.org_name }}", tag)
    with pytest.raises(UserError) as err:
        render_to(tmp_path, make_data("2021"), template=tpl)
    assert err.value.finding.code == "T01" and name in str(err.value)
    assert not (tmp_path / "报告.docx").exists()


@pytest.mark.parametrize("tag", ["{{ ''.__class__.__mro__ }}", "{{ info.org_name.__class__ }}",
                                 "{{ v.__class__.__init__.__globals__ }}"])
def test_sandbox_escape_fails_with_T06(tmp_path, tag):
    with pytest.raises(UserError) as err:
        render_to(tmp_path, make_data("2021"), template=custom_template(tmp_path, tag))
    assert err.value.finding.code == "T06"
    assert "Traceback" not in str(err.value)


@pytest.mark.parametrize("tag", ["{{ info.org_name }", "{% if year %}没有结束", "{{ year | no_such_filter }}",
                                 "{{ year + '年' }}", "{{ 1 / 0 }}"])
def test_template_syntax_error_fails_with_T06(tmp_path, tag):
    with pytest.raises(UserError) as err:
        render_to(tmp_path, make_data("2021"), template=custom_template(tmp_path, tag))
    assert err.value.finding.code == "T06" and "自定义模板.docx" in str(err.value)


def test_curly_quotes_typed_by_word_still_work(tmp_path):
    tpl = custom_template(tmp_path, "{% if info.fax != “” %}传真：{{ info.fax }}{% endif %}")
    assert Document(str(render_to(tmp_path, make_data("2021"), template=tpl))).paragraphs[0].text == "传真：010-12345679"


def test_missing_or_broken_template_fails_with_F09(tmp_path):
    data = make_data("2021")
    with pytest.raises(UserError) as err:
        render_to(tmp_path, data, template=tmp_path / "不存在.docx")
    assert err.value.finding.code == "F09" and "不存在.docx" in str(err.value)
    broken = tmp_path / "坏的.docx"
    broken.write_text("不是 Word 文件", encoding="utf-8")
    with pytest.raises(UserError) as err:
        render_to(tmp_path, data, template=broken)
    assert err.value.finding.code == "F09" and "坏的.docx" in str(err.value)


def test_default_template_exists_for_every_format():
    from xlsx_tool import formats
    for fid in formats.available():
        assert render.default_template(fid).is_file()


# -- output rules -----------------------------------------------------------------------------------
def test_existing_report_is_kept_unless_forced(tmp_path):
    out = tmp_path / "报告.docx"
    out.write_bytes(b"old")
    with pytest.raises(UserError) as err:
        render_to(tmp_path, make_data("2021"))
    assert err.value.finding.code == "O01" and out.read_bytes() == b"old"
    render_to(tmp_path, make_data("2021"), force=True)
    assert Document(str(out)).paragraphs[0].text.startswith(ORG)


def test_missing_output_folder_fails_with_O02(tmp_path):
    with pytest.raises(UserError) as err:
        render.render_docx(make_data("2021"), tmp_path / "没有这个文件夹" / "报告.docx")
    assert err.value.finding.code == "O02"


def test_output_same_as_input_fails_with_O04(tmp_path):
    src = tmp_path / "填报.xlsx"
    src.write_bytes(b"workbook")
    data = make_data("2021")
    data.source = str(src)
    for out in (src, tmp_path / "." / "填报.xlsx"):
        with pytest.raises(UserError) as err:
            render.render_docx(data, out, force=True)
        assert err.value.finding.code == "O04"
    tpl = tmp_path / "模板.docx"
    shutil.copy(render.default_template("2021"), tpl)
    with pytest.raises(UserError) as err:
        render.render_docx(make_data("2021"), tpl, template=tpl, force=True)
    assert err.value.finding.code == "O04"
    assert src.read_bytes() == b"workbook"


def test_failed_write_keeps_the_old_report_and_leaves_no_temp_file(tmp_path, monkeypatch):
    out = tmp_path / "报告.docx"
    out.write_bytes(b"old")
    write = Path.write_bytes

    def fail(self, data):
        with open(self, "wb") as f:
            f.write(data[:100])
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "write_bytes", fail)
    with pytest.raises(UserError) as err:
        render.render_docx(make_data("2021"), out, force=True)
    monkeypatch.setattr(Path, "write_bytes", write)
    assert err.value.finding.code == "O09" and "磁盘空间不足" in err.value.text()
    assert out.read_bytes() == b"old" and [p.name for p in tmp_path.iterdir()] == ["报告.docx"]


def test_report_gets_the_usual_file_permissions(tmp_path):
    import os
    mask = os.umask(0o022)
    os.umask(mask)
    path = render_to(tmp_path, make_data("2021"))
    assert path.stat().st_mode & 0o777 == 0o666 & ~mask


def test_report_is_a_readable_docx_with_its_title_in_the_properties(rendered):
    data, doc, path = rendered
    with zipfile.ZipFile(path) as z:
        assert z.testzip() is None
    assert doc.core_properties.title == doc.paragraphs[0].text.replace("\n", "")
