"""The printed report as a reader sees it (issue #5 "Verify as a reader would").

Both bundled samples are rendered with the built-in template, turned into PDF by LibreOffice once
per module, and measured with poppler: ``pdfinfo`` (page size), ``pdffonts`` (embedded fonts) and
``pdftotext -bbox`` (the box of every word, in pt from the top left corner).  The expectations come
from the template's own look (:data:`xlsx_tool.report.build.OFFICIAL`, GB/T 9704-2012): A4, margins
37/35/28/26 mm, 3号 body on a 28.9 pt line (22 lines a page), 2号 title, “— N —” page numbers one
character in from the outside edge and about 7 mm below the text block.

Tolerances are a few pt: glyph side bearings and poppler's rounding.  Closing punctuation that
LibreOffice (like Word's default “允许标点溢出边界”) hangs one character into the right margin is
allowed for body text only; table text must stay inside its cells.

Without LibreOffice or poppler-utils the module is skipped with the reason, except with
``CI=true``, where it fails.
"""
from __future__ import annotations

import html
import re
import shutil
import statistics
import subprocess
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from needs import require

from xlsx_tool import office
from xlsx_tool.report import context, render
from xlsx_tool.workbook import sample
from xlsx_tool.report import build

SAMPLES = ("wenchang-2020.toml", "demo-county-2025.toml")
TOOLS = ("pdfinfo", "pdffonts", "pdftotext", "pdftoppm")
LOOK = build.OFFICIAL
PT_PER_MM = 72 / 25.4
PAGE_W, PAGE_H = 210 * PT_PER_MM, 297 * PT_PER_MM                     # 595.3 × 841.9 pt
TOP, BOTTOM, LEFT, RIGHT = (m * PT_PER_MM for m in LOOK.margins)       # 104.9, 99.2, 79.4, 73.7
TEXT_LEFT, TEXT_RIGHT, TEXT_TOP, TEXT_BOTTOM = LEFT, PAGE_W - RIGHT, TOP, PAGE_H - BOTTOM
EDGE = 1.5                        # pt: side bearings, rounding
CLOSING = "。，、；：？！）》」』”’,.;:?!)"   # may hang into the right margin (标点溢出边界)
CJK_FONT = re.compile(r"wenquanyi|wqy|cjk|source\s*han|sim(sun|hei|kai|fang)|fang\s*song|song|hei|"
                      r"kai|ming|fandol|ar\s*pl|gb2312|方正|仿宋|宋体|黑体|楷体", re.I)
WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>')


@dataclass(frozen=True)
class Word:
    x0: float
    y0: float
    x1: float
    y1: float
    text: str

    @property
    def height(self) -> float:
        return self.y1 - self.y0


@dataclass
class Report:
    name: str
    title: str
    pdf: Path
    pages: list[list[Word]]       # every word of each page, in reading order

    def body(self, n: int) -> list[Word]:
        """Words of page ``n`` (0-based) inside the text block's height (not the footer)."""
        return [w for w in self.pages[n] if w.y0 < TEXT_BOTTOM]

    def footer(self, n: int) -> list[Word]:
        return [w for w in self.pages[n] if w.y0 >= TEXT_BOTTOM]

    @property
    def body_height(self) -> float:
        """Box height of body text: the height most characters have (3号 text is most of the report;
        table cells are many short words)."""
        heights: Counter = Counter()
        for page in self.pages:
            for w in page:
                heights[round(w.height, 1)] += len(w.text)
        return heights.most_common(1)[0][0]

    def lines(self, n: int, height: float) -> dict[float, list[Word]]:
        """Lines (by top y) of the words of page ``n`` whose box is ``height`` tall (±0.3 pt)."""
        out: dict[float, list[Word]] = {}
        for w in self.body(n):
            if abs(w.height - height) <= 0.3:
                out.setdefault(round(w.y0, 1), []).append(w)
        return dict(sorted(out.items()))


def _tools_problem() -> str | None:
    if office.soffice() is None:
        return "找不到 soffice 命令（LibreOffice）"
    missing = [t for t in TOOLS if shutil.which(t) is None]
    return "找不到 " + "、".join(missing) + "（poppler-utils）" if missing else None


def _run(*args) -> str:
    return subprocess.run(args, capture_output=True, text=True, check=True, timeout=120).stdout


def _words(pdf: Path) -> list[list[Word]]:
    pages = _run("pdftotext", "-bbox", str(pdf), "-").split("<page ")[1:]
    return [[Word(float(a), float(b), float(c), float(d), html.unescape(t)) for a, b, c, d, t in WORD.findall(page)]
            for page in pages]


@pytest.fixture(scope="module", params=SAMPLES)
def report(request, tmp_path_factory) -> Report:
    require(_tools_problem(), "PDF 版式测试")
    data = sample.load(sample.bundled(request.param))
    folder = tmp_path_factory.mktemp(request.param.split(".")[0])
    docx = render.render_docx(data, folder / "报告.docx")
    pdf = folder / "报告.pdf"
    pdf.write_bytes(office.convert(docx, "pdf"))
    return Report(request.param, context.context(data)["title"], pdf, _words(pdf))


# -- page -----------------------------------------------------------------------------------------
def test_every_page_is_a4_portrait(report):
    n = len(report.pages)
    info = _run("pdfinfo", "-f", "1", "-l", str(n), str(report.pdf))
    sizes = re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", info)
    assert len(sizes) == n >= 3
    for w, h in sizes:
        assert abs(float(w) - PAGE_W) <= 1 and abs(float(h) - PAGE_H) <= 1, (w, h)


def test_text_starts_at_the_left_margin_and_never_crosses_it(report):
    words = [w for n in range(len(report.pages)) for w in report.body(n)]
    assert abs(min(w.x0 for w in words) - TEXT_LEFT) <= EDGE          # 28 mm
    assert not [w for w in words if w.x0 < TEXT_LEFT - EDGE]


def test_text_fills_the_block_up_to_the_right_margin(report):
    outside = []
    for n in range(len(report.pages)):
        for w in report.body(n):
            if w.x1 <= TEXT_RIGHT + EDGE:
                continue
            hangs = (w.text[-1] in CLOSING and abs(w.height - report.body_height) <= 0.3
                     and w.x1 - LOOK.body[1] <= TEXT_RIGHT + EDGE)    # one full-width mark
            if not hangs:
                outside.append((n + 1, w))
    assert not outside, outside[:5]
    # justified body lines reach the right margin (210 − 26 mm)
    ends = [max(w.x1 for w in line) for n in range(len(report.pages))
            for line in report.lines(n, report.body_height).values()]
    assert sum(abs(x - TEXT_RIGHT) <= EDGE for x in ends) >= len(ends) / 3


def test_text_starts_at_the_top_margin_and_ends_above_the_footer(report):
    for n in range(len(report.pages)):
        body = report.body(n)
        top = min(w.y0 for w in body)
        assert TEXT_TOP - EDGE <= top <= TEXT_TOP + (LOOK.line - report.body_height) + EDGE, (n + 1, top)
        assert max(w.y1 for w in body) <= TEXT_BOTTOM + EDGE, n + 1


def test_a_full_page_holds_22_lines(report):
    """GB/T 9704: 22 lines a page.  A page of running text whose last paragraph goes on to the next
    page is full: 22 lines (21 when widow control moved one line over)."""
    bh = report.body_height
    counts = [len(report.lines(n, bh)) for n in range(len(report.pages))]
    assert max(counts) <= 22, counts

    def continues(n: int) -> bool:
        first = min(report.body(n + 1), key=lambda w: (w.y0, w.x0))
        return abs(first.height - bh) <= 0.3 and abs(first.x0 - TEXT_LEFT) <= EDGE

    full = [n for n in range(len(report.pages) - 1)
            if not any(w.height < bh * 0.85 for w in report.body(n)) and continues(n)]
    assert all(counts[n] in (21, 22) for n in full), counts
    assert not full or 22 in [counts[n] for n in full], counts


def test_page_numbers_sit_outside_with_dashes(report):
    size = LOOK.page[1]
    for n in range(len(report.pages)):
        foot = report.footer(n)
        assert "".join(w.text for w in foot) == f"—{n + 1}—", (n + 1, foot)
        if (n + 1) % 2:        # odd pages: right, one character in
            assert abs(max(w.x1 for w in foot) - (TEXT_RIGHT - size)) <= EDGE, (n + 1, foot)
        else:
            assert abs(min(w.x0 for w in foot) - (TEXT_LEFT + size)) <= EDGE, (n + 1, foot)
        middle = (min(w.y0 for w in foot) + max(w.y1 for w in foot)) / 2
        below = (middle - TEXT_BOTTOM) / PT_PER_MM       # the dashes sit at mid height of the box
        assert 5 <= below <= 10, (n + 1, below)          # GB/T 9704: 一字线 7 mm below the text block


# -- text -----------------------------------------------------------------------------------------
def test_body_lines_are_28_9_pt_apart(report):
    """The lines of the longest paragraph (first line indented two characters) are one fixed
    28.9 pt line apart."""
    best: list[float] = []
    indent = TEXT_LEFT + 2 * LOOK.body[1]
    for n in range(len(report.pages)):
        run: list[float] = []
        for y, words in report.lines(n, report.body_height).items():
            x = min(w.x0 for w in words)
            if abs(x - indent) <= EDGE:                  # a paragraph's first line
                run = [y]
            elif abs(x - TEXT_LEFT) <= EDGE and run:     # its following lines
                run.append(y)
                if len(run) > len(best):
                    best = list(run)
            else:
                run = []
    assert len(best) >= 5, best
    pitches = [b - a for a, b in zip(best, best[1:])]
    assert all(abs(p - LOOK.line) <= 0.2 for p in pitches), pitches
    assert abs(statistics.mean(pitches) - LOOK.line) <= 0.05


def test_title_is_larger_than_body_text_and_centred(report):
    first = report.pages[0]
    body_h = report.body_height
    title = [w for w in first if w.height > body_h * 1.2]
    assert "".join(w.text for w in title) == report.title
    ratio = statistics.mean(w.height for w in title) / body_h
    assert abs(ratio - LOOK.title[1] / LOOK.body[1]) <= 0.05, ratio    # 2号 / 3号 = 22 / 16
    lines: dict[float, list[Word]] = {}
    for w in title:
        lines.setdefault(round(w.y0, 1), []).append(w)
    centre = (TEXT_LEFT + TEXT_RIGHT) / 2
    for words in lines.values():
        assert abs((min(w.x0 for w in words) + max(w.x1 for w in words)) / 2 - centre) <= 2 * EDGE
    assert min(w.y0 for w in title) < min(w.y0 for w in first if w not in title)   # the title comes first


def test_no_template_tag_reaches_the_reader(report):
    text = " ".join(w.text for p in report.pages for w in p)
    assert "{{" not in text and "{%" not in text and "}}" not in text


# -- fonts ----------------------------------------------------------------------------------------
def test_every_font_is_embedded_and_one_is_cjk(report):
    rows = _run("pdffonts", str(report.pdf)).splitlines()[2:]
    assert rows
    names = []
    for row in rows:
        cols = row.split()
        emb, sub, uni = cols[-5:-2]
        names.append(cols[0])
        assert emb == "yes" and uni == "yes", row     # embedded; text can be copied and searched
    assert any(CJK_FONT.search(n) for n in names), names


# -- tables ---------------------------------------------------------------------------------------
def test_table_text_stays_inside_the_text_block(report):
    small = [(n + 1, w) for n in range(len(report.pages)) for w in report.body(n)
             if w.height < report.body_height * 0.85]      # 五号/小五 table text
    assert len(small) > 100
    assert not [(n, w) for n, w in small if w.x0 < TEXT_LEFT + 1 or w.x1 > TEXT_RIGHT - 1]
    words = {w.text for _, w in small}
    assert {"申请人情况", "行政复议", "行政诉讼"} <= words


# -- pictures of the pages --------------------------------------------------------------------
def test_first_page_and_a_table_page_render_to_pictures(report, tmp_path):
    table_page = next(n for n in range(len(report.pages)) if any(w.text == "申请人情况" for w in report.pages[n]))
    for n in (1, table_page + 1):
        prefix = tmp_path / f"page{n}"
        _run("pdftoppm", "-r", "50", "-png", "-f", str(n), "-l", str(n), "-singlefile",
             str(report.pdf), str(prefix))
        png = prefix.with_suffix(".png")
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        from PIL import Image   # pillow: a test dependency (pyproject [test])

        with Image.open(png) as img:
            assert abs(img.width - PAGE_W * 50 / 72) <= 1 and abs(img.height - PAGE_H * 50 / 72) <= 1
            grey = img.convert("L")
            ink = grey.histogram()[:128]
            ink = sum(ink) / (img.width * img.height)
            assert 0.01 < ink < 0.25, (n, ink)        # printed, not blank, not a black page
