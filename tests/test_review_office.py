"""The findings workbook as a person sees it: printed by LibreOffice (→ PDF → page images).

Every sheet prints (landscape A4, one page wide), every page has ink, and the words a review
office looks for are on the pages: units and statuses (概览), findings pinned to cells (问题清单),
the missing units (未提交) and the chart data (图表).
"""
from __future__ import annotations

import shutil
import subprocess

import pytest

import review_folder as rf
from needs import require
from xlsx_tool.review import batch, findings_book
from xlsx_tool.review.roster import read_roster

pytestmark = pytest.mark.office


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    from xlsx_tool import office

    require(None if office.soffice() else "找不到 soffice 命令", "审核结果的打印测试")
    require(None if shutil.which("pdftoppm") and shutil.which("pdftotext") else "找不到 pdftoppm/pdftotext",
            "审核结果的打印测试")
    tmp = tmp_path_factory.mktemp("打印")
    folder = rf.build(tmp)
    result = batch.review([folder.units], roster=read_roster(folder.roster), jobs=2)
    try:
        book = findings_book.write(result, tmp / "审核结果.xlsx")
    finally:
        result.close()
    pdf = tmp / "审核结果.pdf"
    pdf.write_bytes(office.convert(book, "pdf"))
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(pdf), str(tmp / "page")], check=True, timeout=120)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True,
                          timeout=120).stdout
    return sorted(tmp.glob("page*.png")), text


def test_every_sheet_prints_with_ink_on_every_page(pages):
    from PIL import Image, ImageStat

    images, text = pages
    assert len(images) >= 4, "概览, 问题清单, 未提交 and 图表 each print"
    for png in images:
        with Image.open(png) as im:
            dark = ImageStat.Stat(im.convert("L").point(lambda v: 255 if v < 200 else 0)).mean[0] / 255
            assert dark > 0.003, f"{png.name} is blank"


def test_the_pages_read_as_the_review(pages):
    _, text = pages
    for words in ("概览" and "状态", "丁镇人民政府", "有错误", "重复提交", "年度不符", "无法读取", "实质公开率",
                  "X01", "收到和处理政府信息公开申请情况", "庚镇人民政府", "辛县水务局", "单位数"):
        assert words in text, words
    assert "第 1 页" in text
