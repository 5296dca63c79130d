"""The red 草稿 mark on the PDF pages themselves (issue 8 §4): LibreOffice → PDF → page images."""
from __future__ import annotations

import shutil
import subprocess

import pytest

import bad_inputs  # noqa: F401 — test_template_safety imports bad_templates after its builders
from needs import require
from report_helpers import make_data
from test_template_safety import DRAFT, leading_table_template
from xlsx_tool.report import pdf, render

pytestmark = pytest.mark.office


def red_rows(png) -> list[int]:
    """Rows (pixel y) of a page image holding the mark's red (#C00000, anti-aliased)."""
    from PIL import Image

    img = Image.open(png).convert("RGB")
    w, h = img.size
    px = img.load()
    return [y for y in range(h) if any(px[x, y][0] > 150 and px[x, y][1] < 80 and px[x, y][2] < 80
                                       for x in range(0, w, 2))]


def test_the_draft_mark_is_on_top_of_every_pdf_page(tmp_path):
    from xlsx_tool.office import soffice

    require(None if soffice() else "找不到 soffice 命令", "草稿标记的 PDF 测试")
    require(None if shutil.which("pdftoppm") else "找不到 pdftoppm（poppler-utils）", "草稿标记的 PDF 测试")
    tpl = tmp_path / "红头模板.docx"
    tpl.write_bytes(leading_table_template())
    docx = render.render_docx(make_data("2021"), tmp_path / "报告.docx", template=tpl, draft=DRAFT)
    out = pdf.to_pdf(docx)
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(out), str(tmp_path / "页")], check=True)
    pages = sorted(tmp_path.glob("页*.png"))
    assert len(pages) >= 2                                  # the template's two sections
    from PIL import Image

    for page in pages:
        height = Image.open(page).size[1]
        rows = red_rows(page)
        assert rows and min(rows) < height * 0.12, f"{page.name}: no red mark in the header band"
    first = red_rows(pages[0])
    bands = [y for y in first if y > height * 0.12]
    assert bands, "page 1: the mark above the letterhead table is missing"
