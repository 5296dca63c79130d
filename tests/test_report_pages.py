"""Report pages (issue 10): table rows never split, merged row labels kept whole, and a PDF made
without the official fonts still tells the title, headings, body and tables apart.

The Word side is checked in the .docx (every table row ``w:cantSplit``; ``w:keepNext`` on the rows
a merged row label spans).  The PDF side (marked ``office``) renders a bundled sample with
LibreOffice and reads, with poppler's ``pdftohtml -xml``, which face each piece of text is set in,
and with ``pdftoppm`` how much ink a heading line and a body line put on the page.
"""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn

from needs import require
from xlsx_tool import office
from xlsx_tool.formats import model
from xlsx_tool.report import build, render
from xlsx_tool.report.pdf import missing_official_fonts
from xlsx_tool.workbook import sample


def own_paragraphs(tr) -> list:
    """The paragraphs of a table row's own cells (a vertically merged cell's continuation holds an
    empty paragraph of its own)."""
    return [p for tc in tr.findall(qn("w:tc")) for p in tc.findall(qn("w:p"))]


def keeps_with_next(p) -> bool:
    ppr = p.find(qn("w:pPr"))
    return ppr is not None and ppr.find(qn("w:keepNext")) is not None


def label_groups(fmt: model.Format, table_id: str) -> dict[str, range]:
    """Merged row label → the Word-table rows it spans."""
    tl = fmt.table(table_id)
    first = min(b.row for b in tl.boxes)
    return {b.text: range(b.row - first, b.row - first + b.rowspan) for b in tl.boxes
            if b.role == "row_header" and b.rowspan > 1}


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("pages")
    out = {}
    for name in ("wenchang-2020.toml", "demo-county-2025.toml"):
        data = sample.load(sample.bundled(name))
        out[data.fmt.id] = render.render_docx(data, folder / f"{data.fmt.id}.docx")
    return out


# -- the Word file ---------------------------------------------------------------------------------
@pytest.mark.parametrize("fid", ["2019", "2021"])
def test_every_table_row_of_a_rendered_report_may_not_split(rendered, fid):
    doc = Document(str(rendered[fid]))
    rows = [tr for t in doc.tables for tr in t._tbl.tr_lst]
    assert rows and all(tr.trPr is not None and tr.trPr.find(qn("w:cantSplit")) is not None for tr in rows)


@pytest.mark.parametrize("fid, whole", [
    ("2021", ["（三）不予公开", "（四）无法提供", "（五）不予处理", "（六）其他处理"]),
    ("2019", ["（三）不予公开", "（四）无法提供", "（五）不予处理"]),
])
def test_merged_row_labels_of_table_three_keep_their_rows_together(rendered, fid, whole):
    """Each group under a merged label fits a page, so its rows keep with the next one (Word, WPS
    and LibreOffice then move the whole group to the next page); the table may still break
    between the groups."""
    fmt = model.load(fid)
    table = Document(str(rendered[fid])).tables[[t.id for t in fmt.tables].index("request")]
    trs = table._tbl.tr_lst
    groups = label_groups(fmt, "request")
    assert set(whole) < set(groups)
    for label in whole:
        rows = groups[label]
        assert all(keeps_with_next(p) for r in rows[:-1] for p in own_paragraphs(trs[r])), label
    outer = groups["三、本年度办理结果"]       # in 9 pt table text it fits a page too
    assert all(keeps_with_next(p) for r in outer[:-1] for p in own_paragraphs(trs[r]))
    for r in (outer[0] - 1, outer[-1]):       # the table may break before and after it
        assert not any(keeps_with_next(p) for p in own_paragraphs(trs[r]))


def test_a_group_taller_than_a_page_is_left_free_to_break():
    fmt = model.load("2021")
    tl = fmt.table("request")
    look = build.OFFICIAL
    widths = build.column_widths(tl, look.text_width)
    heights = build.row_heights(tl, widths, look.table[1])
    groups = label_groups(fmt, "request")
    assert build.kept_with_next(tl, heights, room=10**6) >= set(groups["三、本年度办理结果"][:-1])
    forty_mm = round(40 * 1440 / 25.4)                 # only （四）无法提供's three rows fit
    assert build.kept_with_next(tl, heights, room=forty_mm) == set(groups["（四）无法提供"][:-1])


# -- the PDF without the official fonts --------------------------------------------------------------
def test_the_private_profile_hands_libreoffice_the_stand_in_fonts(tmp_path, monkeypatch):
    """soffice runs with FONTCONFIG_FILE pointing at the profile's fonts.conf: the system's
    configuration first, then each official name with its stand-in accepted after it."""
    fake = tmp_path / "soffice"
    fake.write_text(f'#!/bin/sh\ncp "$FONTCONFIG_FILE" "{tmp_path}/seen.conf"\n', "utf-8")
    fake.chmod(0o755)
    monkeypatch.setattr(office, "soffice", lambda: str(fake))
    office.run(["--version"])
    conf = (tmp_path / "seen.conf").read_text("utf-8")
    assert conf.index("<include") < conf.index("<alias") and "/etc/fonts/fonts.conf" in conf
    for names, face, weight in office.STAND_INS:
        for name in names:
            if weight:
                assert f"<string>{name}</string></test><edit name=\"family\" mode=\"append\"" in conf
            else:
                assert f"<family>{name}</family><accept><family>{face}</family></accept>" in conf
    assert len({face for _, face, _ in office.STAND_INS}) == 4
    assert not list(tmp_path.glob("xlsx_tool_lo_*"))



FONTSPEC = re.compile(r'<fontspec id="(\d+)" size="[\d.]+" family="(?:[A-Z]{6}\+)?([^"]+)"')
TEXT = re.compile(r'<text top="(\d+)" left="(\d+)" width="(\d+)" height="(\d+)" font="(\d+)">(.*?)</text>')


@pytest.fixture(scope="module")
def pdf(rendered, tmp_path_factory) -> Path:
    missing = [t for t in ("pdftohtml", "pdftoppm") if shutil.which(t) is None]
    require(None if office.soffice() else "找不到 soffice 命令", "PDF 字体测试")
    require("找不到 " + "、".join(missing) if missing else None, "PDF 字体测试（poppler-utils）")
    out = tmp_path_factory.mktemp("pdf") / "报告.pdf"
    out.write_bytes(office.convert(rendered["2021"], "pdf"))
    return out


def faces(pdf: Path) -> dict[str, str]:
    """Each line of text in the PDF (first occurrence) → the face it is set in (subset prefix off)."""
    xml = subprocess.run(["pdftohtml", "-xml", "-i", "-stdout", str(pdf)], capture_output=True,
                         text=True, check=True, timeout=120).stdout
    fonts = dict(FONTSPEC.findall(xml))
    out: dict[str, str] = {}
    for *_, font, text in TEXT.findall(xml):
        out.setdefault(re.sub(r"<[^>]+>", "", text).strip(), fonts[font])
    return out


@pytest.mark.office
def test_title_headings_body_and_tables_are_set_in_different_faces(pdf):
    seen = faces(pdf)
    title = seen["示范县自然资源局"]
    body = seen["权。"]                                   # the end of the first body paragraph
    h1, h2 = seen["一、总体情况"], seen["（一）主动公开"]
    table = seen["申请人情况"]
    assert len({title, body, h1, h2}) == 4, seen
    assert table not in (body, h1, h2)


@pytest.mark.office
def test_pdffonts_lists_the_faces_embedded(pdf):
    """``pdffonts``: every font embedded, and at least four different CJK faces (title, body,
    headings, tables) rather than one fallback face for everything."""
    lines = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True,
                           timeout=120).stdout.splitlines()[2:]
    assert all(ln.split()[-5] == "yes" for ln in lines), lines          # the emb column
    faces = {re.sub(r"^[A-Z]{6}\+", "", ln.split()[0]) for ln in lines}
    cjk = {n for n in faces if re.search(r"cjk|ming|kai|song|hei|fang|gb2312|fz", n, re.I)}
    assert len(cjk) >= 4, faces


@pytest.mark.office
def test_missing_official_fonts_are_replaced_by_their_stand_ins(pdf):
    missing = missing_official_fonts()
    if not missing:
        pytest.skip("本机装有全部官方字体：PDF 使用它们，无需替代")
    seen = faces(pdf)
    expected = {"仿宋_GB2312": ("权。", "UMingCN"), "黑体": ("一、总体情况", "NotoSansCJK"),
                "楷体_GB2312": ("（一）主动公开", "UKaiCN"), "方正小标宋简体": ("示范县自然资源局", "NotoSerifCJK")}
    for name in missing:
        text, face = expected[name]
        assert seen[text].startswith(face), (name, seen[text])


@pytest.mark.office
def test_the_title_and_a_heading_carry_more_ink_than_body_lines(pdf, tmp_path):
    """The first page as a reader sees it: the title's and 黑体 heading's stand-ins are visibly
    heavier than 仿宋's (dark pixels per area of each line's box, against the median body line)."""
    import statistics

    from PIL import Image

    xml = subprocess.run(["pdftohtml", "-xml", "-i", "-stdout", "-f", "1", "-l", "1", str(pdf)],
                         capture_output=True, text=True, check=True, timeout=120).stdout
    page_px = int(re.search(r'<page number="1"[^>]* height="(\d+)"', xml).group(1))
    subprocess.run(["pdftoppm", "-r", str(round(72 * page_px / 841.89)), "-png", "-f", "1", "-l", "1",
                    "-singlefile", str(pdf), str(tmp_path / "p1")], check=True, timeout=120)
    with Image.open(tmp_path / "p1.png") as img:
        grey = img.convert("L")
        lines = []
        for top, left, w, h, font, text in TEXT.findall(xml):
            top, left, w, h = map(int, (top, left, w, h))
            dark = sum(grey.crop((left, top, left + w, top + h)).histogram()[:128])
            lines.append((re.sub(r"<[^>]+>", "", text).strip(), dark / (w * h)))
    ink = dict(lines)
    body = statistics.median(v for t, v in lines if len(t) >= 12 and re.search(r"[\u4e00-\u9fff]{6}", t))
    assert ink["一、总体情况"] > 1.15 * body, (ink["一、总体情况"], body)
    assert ink["示范县自然资源局"] > 1.5 * body, (ink["示范县自然资源局"], body)


@pytest.mark.office
def test_in_the_pdf_each_merged_row_label_group_stays_on_one_page(pdf):
    pages = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                           check=True, timeout=120).stdout.split("\f")
    fmt = model.load("2021")
    tl = fmt.table("request")
    for label in ("三、本年度办理结果", "（三）不予公开", "（四）无法提供", "（五）不予处理", "（六）其他处理"):
        rows = [c.row_label for c in tl.cells if label in c.rows and c.col_label == "自然人"]
        starts = [r[:8] for r in rows]
        on = {n for n, page in enumerate(pages) for s in starts if s in page}
        assert len(on) == 1, (label, sorted(on))
