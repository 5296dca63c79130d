"""Reading published reports as Word documents and PDFs: real Word tables with merged cells, tables
typed as text with tabs, PDF tables across pages with the header repeated and numbers right-aligned
in narrow columns, paragraphs cut by a page break, scanned and oversized PDFs, and — with
LibreOffice — a PDF exported from Word and an old .doc."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import pdfgen
import published_forms as pf
from needs import require
from xlsx_tool.checks.check import check
from xlsx_tool.findings import UserError
from xlsx_tool.formats import model
from xlsx_tool.published import read_report
from test_published_html import assert_read, numbers

F21 = model.load("2021")


# -- Word ---------------------------------------------------------------------------------------------
def test_a_word_report_with_merged_cells_reads_every_number(tmp_path):
    printed = numbers(F21)
    data = read_report(pf.docx(F21, printed, tmp_path / "年报.docx", year=2025))
    assert data.kind == "docx" and data.year == 2025
    assert_read(data, printed)
    assert check(data).ok


def test_a_word_table_typed_as_text_with_tabs(tmp_path):
    import docx

    document = docx.Document()
    document.add_paragraph("某某局2024年政府信息公开工作年度报告")
    document.add_paragraph("二、主动公开政府信息情况")
    for line in ("第二十条第（一）项", "信息内容\t本年制发件数\t本年废止件数\t现行有效件数", "规章\t1\t0\t5",
                 "行政规范性文件\t12\t3\t40", "第二十条第（五）项", "信息内容\t本年处理决定数量", "行政许可\t208"):
        document.add_paragraph(line)
    document.add_paragraph("三、收到和处理政府信息公开申请情况")
    path = tmp_path / "年报.docx"
    document.save(str(path))
    data = read_report(path)
    assert [data.inputs[f"proactive_normative_{c}"] for c in ("issued", "repealed", "in_force")] == [12, 3, 40]
    assert data.inputs["proactive_rules_in_force"] == 5 and data.inputs["proactive_licensing_decisions"] == 208


# -- PDF ----------------------------------------------------------------------------------------------
def _cells(tl: model.TableLayout, printed: dict, rows: range, header: int) -> list:
    """Boxes of rows ``rows`` (plus the header rows) as pdfgen cells; merged labels clipped."""
    out = []
    first = min(b.row for b in tl.boxes if b.role in ("corner", "caption", "col_header"))
    keep = list(range(first, first + header)) + list(rows)
    index = {r: i for i, r in enumerate(keep)}
    for b in tl.boxes:
        if b.role not in ("caption", "corner", "col_header", "row_header", "input", "total", "pad"):
            continue
        span = [r for r in range(b.row, b.row + b.rowspan) if r in index]
        if not span:
            continue
        text = pf.text_of(printed.get(b.field_id)) if b.field_id else (b.text if b.row in index else "")
        out.append((index[span[0]], b.col, len(span), b.colspan, text))
    return out


def pdf_report(printed: dict, path: Path, *, extra_pages: int = 0) -> Path:
    """A three-page PDF: 表三 continues on page 2 with its header repeated; the text of 五 runs
    from page 2 onto page 3; page numbers at the foot.  ``extra_pages`` pages of running text
    follow (for timing a longer report)."""
    tl2, tl3, tl4 = (F21.table(t) for t in ("proactive", "request", "reconsideration_litigation"))
    data_rows = sorted({c.row for c in tl3.cells})
    header = data_rows[0] - min(b.row for b in tl3.boxes if b.role == "corner")
    cut = data_rows[12]
    pages = [pdfgen.Page(), pdfgen.Page(), pdfgen.Page()]
    p1, p2, p3 = pages
    y = 800
    for text in ("某某县人民政府办公室2025年政府信息公开工作年度报告",
                 "本报告电子版可从某某县人民政府网站（http://www.example.gov.cn/）下载。", "一、总体情况",
                 "全年主动公开信息120条。", "二、主动公开政府信息情况"):
        p1.text(50, y, text)
        y -= 18
    y = pdfgen.table(p1, y, 40, [110, 130, 130, 130], 16, _cells(tl2, printed, range(0, 999), 0), size=7) - 14
    p1.text(50, y, "三、收到和处理政府信息公开申请情况")
    widths = [30, 40, 150] + [34] * 7
    pdfgen.table(p1, y - 8, 20, widths, 26, _cells(tl3, printed, range(data_rows[0], cut), header), size=6)
    y = pdfgen.table(p2, 800, 20, widths, 26, _cells(tl3, printed, range(cut, data_rows[-1] + 1), header), size=6) - 14
    p2.text(50, y, "四、政府信息公开行政复议、行政诉讼情况")
    y = pdfgen.table(p2, y - 8, 20, [36] * 15, 20, _cells(tl4, printed, range(0, 999), 0), size=6) - 16
    p2.text(50, y, "五、存在的主要问题及改进情况")
    p2.text(50, y - 18, "我局将继续加强政府信息公开")
    p3.text(50, 800, "工作，提高公开质量。")
    p3.text(50, 780, "六、其他需要报告的事项")
    p3.text(50, 760, "无。")
    for n in range(extra_pages):
        page = pdfgen.Page()
        for i in range(38):
            page.text(50, 800 - i * 19, f"全年通过政府网站主动公开政府信息{100 + i}条，其中政策解读{i}件，回应关切{n + 2}次。")
        pages.append(page)
    for i, page in enumerate(pages, start=1):
        page.text(280, 30, f"- {i} -")
    path.write_bytes(pdfgen.pdf_bytes(pages))
    return path


def test_a_pdf_table_across_pages_with_its_header_repeated_reads_every_number(tmp_path):
    printed = numbers(F21)
    data = read_report(pdf_report(printed, tmp_path / "年报.pdf"))
    assert data.kind == "pdf" and data.pages == 3 and data.year == 2025
    assert_read(data, printed)
    assert not data.uncertain and check(data).ok


def test_a_paragraph_cut_by_a_page_break_is_joined_and_page_numbers_dropped(tmp_path):
    data = read_report(pdf_report(numbers(F21), tmp_path / "年报.pdf"))
    assert data.narrative["problems"] == ["我局将继续加强政府信息公开工作，提高公开质量。"]
    assert data.narrative["other_matters"] == ["无。"]


def test_a_scanned_pdf_without_text_is_refused_clearly(tmp_path):
    page = pdfgen.Page()
    page.line(10, 10, 500, 500)
    path = tmp_path / "扫描件.pdf"
    path.write_bytes(pdfgen.pdf_bytes([page, page]))
    with pytest.raises(UserError) as err:
        read_report(path)
    assert err.value.code == "F24" and err.value.exit_code == 2


@pytest.mark.parametrize("declared", [10_000, 1])
def test_a_pdf_of_ten_thousand_pages_is_refused(tmp_path, declared):
    """Refused from the page count it declares, or, when that lies, after the 300th page."""
    page = pdfgen.Page()
    page.text(50, 800, "一、总体情况")
    path = tmp_path / "万页.pdf"
    path.write_bytes(pdfgen.pdf_bytes([page] * 10_000, count=declared))
    with pytest.raises(UserError) as err:
        read_report(path)
    assert err.value.code == "F25" and "300" in err.value.text()


# -- through LibreOffice --------------------------------------------------------------------------------
def _soffice():
    from xlsx_tool import office

    require(None if office.soffice() else "找不到 soffice 命令", "LibreOffice 转换测试")
    return office


@pytest.mark.office
def test_a_pdf_exported_from_word_by_libreoffice_reads_every_number(tmp_path):
    office = _soffice()
    printed = numbers(F21)
    src = pf.docx(F21, printed, tmp_path / "年报.docx", year=2025)
    path = tmp_path / "年报.pdf"
    path.write_bytes(office.convert(src, "pdf"))
    data = read_report(path)
    assert_read(data, printed)


@pytest.mark.office
def test_an_old_doc_file_is_read_through_libreoffice(tmp_path):
    office = _soffice()
    printed = numbers(F21)
    src = pf.docx(F21, printed, tmp_path / "年报.docx", year=2025)
    path = tmp_path / "年报.doc"
    path.write_bytes(office.convert(src, "doc"))
    data = read_report(path)
    assert data.kind == "doc"
    assert_read(data, printed)
    shutil.rmtree(tmp_path, ignore_errors=True)
