"""The Word report's typography (GB/T 9704): fonts, page, type sizes, table layout, page numbers,
and the committed templates that carry it, as built by ``xlsx_tool.report.build``."""
from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile

from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn

from report_helpers import _style_fonts, word_tables
from report_helpers import rendered  # noqa: F401 — a pytest fixture, used as a test argument
from xlsx_tool.report import build


# -- typography -------------------------------------------------------------------------------------
def test_fonts_declare_the_east_asian_typeface(rendered):
    _, doc, path = rendered
    expected = {"Normal": "仿宋_GB2312", "ReportTitle": "方正小标宋简体", "ReportHeading1": "黑体",
                "ReportHeading2": "楷体_GB2312", "TableText": "宋体", "TableTextSmall": "宋体"}
    for style_id, font in expected.items():
        rfonts = _style_fonts(doc, style_id)
        for attr in ("ascii", "hAnsi", "eastAsia"):
            assert rfonts.get(qn("w:" + attr)) == font, (style_id, attr)
    with zipfile.ZipFile(path) as z:
        styles = z.read("word/styles.xml").decode()
    assert 'w:eastAsia="仿宋_GB2312"' in styles.split("</w:docDefaults>")[0]
    for p in doc.paragraphs:   # every printed paragraph resolves to a style with an East Asian font
        style = p.style
        while style is not None and _style_fonts(doc, style.style_id) is None:
            style = style.base_style
        assert style is not None and _style_fonts(doc, style.style_id).get(qn("w:eastAsia")), p.text


def test_page_is_a4_with_official_margins(rendered):
    _, doc, _ = rendered
    sec = doc.sections[0]
    for length, mm in ((sec.page_width, 210), (sec.page_height, 297), (sec.top_margin, 37),
                       (sec.bottom_margin, 35), (sec.left_margin, 28), (sec.right_margin, 26)):
        assert abs(length.mm - mm) < 0.1


def test_body_and_headings_follow_the_official_type_sizes(rendered):
    _, doc, _ = rendered
    normal = doc.styles["Normal"]
    assert normal.font.size.pt == 16
    assert normal.paragraph_format.line_spacing_rule == WD_LINE_SPACING.EXACTLY
    assert abs(normal.paragraph_format.line_spacing.pt - 28.9) < 0.05
    assert normal.element.pPr.find(qn("w:ind")).get(qn("w:firstLineChars")) == "200"
    title = doc.styles["报告标题"]
    assert title.font.size.pt == 22 and title.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER
    for name in ("一级标题", "二级标题"):
        assert doc.styles[name].font.size.pt == 16 and doc.styles[name].paragraph_format.keep_with_next
    assert doc.styles["表格文字"].font.size.pt == 10.5 and doc.styles["表格文字（小）"].font.size.pt == 9


def test_tables_fit_the_text_block_with_consistent_widths(rendered):
    data, doc, _ = rendered
    text_width = build.OFFICIAL.text_width
    for tl, table in word_tables(doc, data.fmt).items():
        tbl = table._tbl
        grid = [int(c.get(qn("w:w"))) for c in tbl.tblGrid.findall(qn("w:gridCol"))]
        tblw = tbl.tblPr.find(qn("w:tblW"))
        assert tblw.get(qn("w:type")) == "dxa" and int(tblw.get(qn("w:w"))) == sum(grid) <= text_width
        for tr in tbl.tr_lst:
            c = 0
            for tc in tr.tc_lst:
                assert int(tc.tcPr.find(qn("w:tcW")).get(qn("w:w"))) == sum(grid[c:c + tc.grid_span])
                c += tc.grid_span
        if tl == "request":
            assert min(grid[:3]) > max(grid[3:]) / 2 and grid[2] > 2.5 * grid[3]   # labels wide


def test_header_rows_repeat_and_rows_never_split(rendered):
    data, doc, _ = rendered
    tables = word_tables(doc, data.fmt)
    for tl, table in tables.items():
        for row in table.rows:
            assert row._tr.trPr.find(qn("w:cantSplit")) is not None
    repeated = [r._tr.trPr.find(qn("w:tblHeader")) is not None for r in tables["request"].rows]
    assert repeated[:3] == [True] * 3 and not any(repeated[3:])
    assert sum(r._tr.trPr.find(qn("w:tblHeader")) is not None for r in tables["reconsideration_litigation"].rows) == 3
    assert all(r._tr.trPr.find(qn("w:tblHeader")) is None for r in tables["proactive"].rows)
    assert all(p.style.style_id == "TableTextSmall" for c in tables["reconsideration_litigation"].rows[-1].cells
               for p in c.paragraphs)


def test_page_numbers_sit_outside_with_dashes(rendered):
    _, doc, _ = rendered
    assert doc.settings.odd_and_even_pages_header_footer
    sec = doc.sections[0]
    for footer, align in ((sec.footer, WD_ALIGN_PARAGRAPH.RIGHT), (sec.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):
        p = footer.paragraphs[0]
        assert p.alignment == align and p.text.startswith("— ") and p.text.endswith(" —")
        assert "PAGE" in "".join(t.text for t in p._p.iter(qn("w:instrText")))


# -- the committed templates ------------------------------------------------------------------------
def test_committed_templates_match_the_build_script():
    run = subprocess.run([sys.executable, "-m", "xlsx_tool.report.build", "--check"],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr


def test_check_reports_a_template_edited_by_hand(tmp_path):
    for name in build.templates():
        shutil.copy(build.template_folder() / name, tmp_path / name)
    edited = tmp_path / "report-2021.docx"
    parts = build.parts(edited.read_bytes())
    parts["word/document.xml"] = parts["word/document.xml"].replace("申请人情况".encode(), "申请人".encode())
    with zipfile.ZipFile(edited, "w") as z:
        for n, blob in parts.items():
            z.writestr(n, blob)
    problems = build.check(tmp_path)
    assert len(problems) == 1 and "report-2021.docx" in problems[0] and "word/document.xml" in problems[0]


def test_build_is_deterministic():
    assert build.build("2021", build.OFFICIAL) == build.build("2021", build.OFFICIAL)
