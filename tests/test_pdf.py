"""``xlsx-tool render … --pdf`` (issue #3): the published PDF, written through LibreOffice.

The sample has a different number in every cell of the three tables (inputs chosen so that every
printed number, totals included, differs and has at most four digits; 表三 balanced column by
column), so a cell missing from the PDF or broken over two lines cannot hide behind an equal
number elsewhere.  The PDF must

* embed a CJK font (otherwise readers without that font see boxes: ``pdftotext`` would still find
  the text, so ``pdffonts`` is asked);
* contain every table number as one word (``pdftotext -layout``);
* keep every word inside the text block: no word right of the page width minus the right margin
  of the report (``pdftotext -bbox-layout``; poppler drops text outside the page, which the
  numbers test then catches).

One known LibreOffice defect is pinned as a strict xfail (an XPASS means fixed: remove the
marker): LibreOffice 7.4 drops a CJK punctuation mark ending the first line of an indented
justified paragraph.  Five-digit totals in 表三 stay on one line (they wrapped before the label
columns were narrowed and the table set in 小五).

When LibreOffice is missing, ``--pdf`` ends with a clear Chinese message (F10, exit 2) after the
.docx is written; that test runs everywhere.  The others need ``soffice`` and poppler-utils: they
skip without them, and fail instead with ``CI=true``.
"""
from __future__ import annotations

import os
import random
import re
import shutil
import stat
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree

import pytest

from needs import require

from xlsx_tool.formats import model
from xlsx_tool.formats.content import ReportData

YEAR = 2025
ORG = "示范县自然资源局"
CJK_FONT = re.compile(r"wenquanyi|wqy|cjk|noto\s*sans\s*(sc|cjk)|noto\s*serif\s*(sc|cjk)|sim(sun|hei|kai|fang)|"
                      r"song|hei|kai|fang|ming|droid\s*sans\s*fallback|source\s*han|ar\s*pl", re.I)
#: Tolerance in pt for words at the right edge of the text block (glyph side bearings, rounding).
EDGE_TOLERANCE = 2.0
PARAGRAPHS = {
    "overview": "本机关深入贯彻《中华人民共和国政府信息公开条例》，扎实推进政府信息公开工作。",
    "overview_proactive": "通过门户网站主动公开政府信息，及时更新主动公开基本目录。",
    "overview_request": "依法办理政府信息公开申请，答复文书规范。",
    "overview_management": "严格落实信息发布审查制度。",
    "overview_platform": "优化门户网站政府信息公开专栏。",
    "overview_oversight": "将政府信息公开工作纳入绩效考核。",
    "problems": "存在问题：政策解读形式较为单一。改进措施：丰富图解、视频等解读形式。",
    "other_matters": "本年度未收取信息处理费。",
}
#: Punctuation every third character, shifted by 0, 1 and 2: whatever the font, some line ends
#: right before a 、 (which LibreOffice then hangs into the margin or moves to the next line).
PUNCTUATED = ["甲" * shift + "公开、解读、回应、平台、监督、培训、考核、宣传、审查、目录、指南、专栏、"
              "热线、信箱、政策、文件、规章、标准、年报、统计、问答、图解、视频、" for shift in range(3)]


def pdf_problem() -> str | None:
    from xlsx_tool import office

    if office.soffice() is None:
        return "找不到 soffice 命令"
    missing = [t for t in ("pdffonts", "pdftotext") if shutil.which(t) is None]
    if missing:
        return "找不到 " + "、".join(missing) + "（poppler-utils）"
    return None


@pytest.fixture(scope="module")
def needs_office():
    require(pdf_problem(), "PDF 测试")


def tool(*args: str, env: dict | None = None, code: str | None = None) -> subprocess.CompletedProcess:
    """``python -m xlsx_tool.cli …`` (or ``python -c code …``) in a subprocess."""
    env = {**(env or os.environ), "PYTHONIOENCODING": "utf-8"}
    head = ["-c", code] if code else ["-m", "xlsx_tool.cli"]
    return subprocess.run([sys.executable, *head, *args], capture_output=True, text=True,
                          encoding="utf-8", env=env, timeout=240)


def printed(value) -> str:
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    return str(value)


def distinct_inputs(fmt: model.Format, seed: int = 2025) -> dict:
    """Input values for every cell of ``fmt`` such that every printed table number differs and
    none has more than four digits (the size of a county agency's report).

    表三's 126 result cells take the numbers 10…135 in a shuffled order (so （七）总计 is 9135),
    上年结转/结转下年 take 136…199, 表二/表四 200…999 and the money cell a six-decimal amount;
    each column's 本年新收 is then set so that X01 holds: 新收 = （七）总计 + 结转下年 − 上年结转."""
    rng = random.Random(seed)
    inputs = [c for c in fmt.cells.values() if c.is_input]
    x01 = [r for r in fmt.rules if r.code == "X01" and fmt.cells[r.left[0]].is_input]
    derived = {r.left[0]: r for r in x01}
    carried = {r.left[1] for r in x01} | {r.right[1] for r in x01}
    results = [p for r in fmt.rules if r.code == "X03" for p in r.right if fmt.cells[p].is_input]
    others = [c.id for c in inputs if c.id not in derived and c.id not in carried and c.id not in results]
    for _ in range(2000):
        values: dict = dict(zip(rng.sample(results, len(results)), range(10, 10 + len(results))))
        values.update(zip(sorted(carried), rng.sample(range(136, 200), len(carried))))
        values.update(zip(others, rng.sample(range(200, 1000), len(others))))
        for cid in others:
            if fmt.cells[cid].type == "money":
                values[cid] = Decimal(values[cid]) + Decimal(rng.randrange(1, 10**6)) / 10**6
        for cid, rule in derived.items():
            values[cid] = 0
            v = ReportData(fmt, inputs=values).values()
            values[cid] = sum(v[i] for i in rule.right) - sum(v[i] for i in rule.left if i != cid)
        shown = [printed(v) for v in ReportData(fmt, inputs=values).values().values()]
        if (len(set(shown)) == len(shown) and all(len(n.split(".")[0]) <= 4 for n in shown)
                and str(YEAR) not in shown and min(values[c] for c in derived) >= 0):
            return values
    raise AssertionError("no distinct sample found")


def render_pdf(folder: Path, inputs: dict) -> dict:
    """Write the filled workbook, run ``xlsx-tool render --pdf``; the paths and the output."""
    from xlsx_tool.workbook.template import write_template

    prefill = dict(inputs)
    prefill.update({f"narrative_{k}": [v] for k, v in PARAGRAPHS.items()})
    prefill["narrative_overview_oversight"] = [PARAGRAPHS["overview_oversight"], *PUNCTUATED]
    prefill.update(website_name="示范县人民政府门户网站", website_url="https://www.example.gov.cn/",
                   contact_office="示范县自然资源局办公室", address="示范县人民路88号", postcode="100000",
                   phone="010-12345678")
    xlsx = write_template(folder / "数据.xlsx", "2021", year=YEAR, org=ORG, prefill=prefill)
    proc = tool("render", str(xlsx), "-o", str(folder / "报告.docx"), "--pdf")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    pdf = folder / "报告.pdf"
    assert pdf.is_file() and pdf.read_bytes().startswith(b"%PDF"), proc.stdout
    return {"folder": folder, "docx": folder / "报告.docx", "pdf": pdf, "stdout": proc.stdout}


def pdf_words(pdf: Path) -> list[str]:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout.split()


@pytest.fixture(scope="module")
def sample(tmp_path_factory, needs_office):
    """The workbook, the rendered .docx and its PDF, plus the numbers that must be printed."""
    fmt = model.load("2021")
    inputs = distinct_inputs(fmt)
    out = render_pdf(tmp_path_factory.mktemp("pdf"), inputs)
    values = ReportData(fmt, inputs=inputs).values()
    return {**out, "fmt": fmt, "numbers": {cid: printed(v) for cid, v in values.items()}}


def test_render_reports_both_files(sample):
    assert "报告.docx" in sample["stdout"] and "报告.pdf" in sample["stdout"]


def test_pdf_embeds_a_cjk_font(sample):
    out = subprocess.run(["pdffonts", str(sample["pdf"])], capture_output=True, text=True, check=True).stdout
    rows = [line.split() for line in out.splitlines()[2:] if line.strip()]
    # columns from the right: object-id gen uni sub emb encoding type… name
    embedded_cjk = [r[0] for r in rows if len(r) >= 7 and r[-5] == "yes" and CJK_FONT.search(r[0])]
    assert embedded_cjk, f"no embedded CJK font in the PDF:\n{out}"
    not_embedded = [r[0] for r in rows if len(r) >= 7 and r[-5] != "yes"]
    assert not not_embedded, f"fonts not embedded:\n{out}"


def test_pdf_text_holds_every_table_number(sample):
    words = pdf_words(sample["pdf"])
    text = "".join(words)
    missing = {cid: n for cid, n in sample["numbers"].items() if n not in words}
    assert not missing, (f"{len(missing)} table numbers missing from the PDF text (or broken over lines), "
                         f"e.g. {dict(list(missing.items())[:8])}")
    assert ORG in text
    for paragraph in PARAGRAPHS.values():
        assert paragraph[:12] in text, paragraph


@pytest.mark.xfail(strict=True, reason="LibreOffice 7.4 drops a CJK punctuation mark that ends the first "
                                      "line of a justified paragraph with a first-line indent (the built-in "
                                      "templates' body style): e.g. 丰富图解、视频 prints as 丰富图解视频")
def test_pdf_text_holds_every_paragraph(sample):
    text = subprocess.run(["pdftotext", str(sample["pdf"]), "-"], capture_output=True, text=True,
                          check=True).stdout
    flat = re.sub(r"—\s*\d+\s*—", "", "".join(text.split()))     # page numbers between the lines
    missing = [p for p in list(PARAGRAPHS.values()) + PUNCTUATED if p not in flat]
    assert not missing, "paragraphs not printed exactly:\n" + "\n".join(missing)


#: Closing punctuation a justified CJK line may hang one 3号 character into the right margin
#: (LibreOffice, like Word's “允许标点溢出边界”), full-width or not.
HANGING = "。，、；：？！）》」』”’,.;:?!)"


def test_pdf_tables_fit_the_page_width(sample):
    import docx

    sections = docx.Document(str(sample["docx"])).sections
    margins = {round(s.page_width.pt): (s.left_margin.pt, s.right_margin.pt) for s in sections}
    xml = subprocess.run(["pdftotext", "-bbox-layout", str(sample["pdf"]), "-"], capture_output=True,
                         text=True, check=True).stdout
    ns = {"x": "http://www.w3.org/1999/xhtml"}
    root = ElementTree.fromstring(xml)
    pages = root.findall(".//x:page", ns)
    assert pages
    outside = []
    for number, page in enumerate(pages, 1):
        width = float(page.get("width"))
        left, right = margins.get(round(width), min(margins.values()))
        for word in page.iterfind(".//x:word", ns):
            x0, x1 = float(word.get("xMin")), float(word.get("xMax"))
            hangs = (word.text or "")[-1:] in HANGING and x1 - 16 <= width - right + EDGE_TOLERANCE
            if (x1 > width - right + EDGE_TOLERANCE and not hangs) or x0 < left - EDGE_TOLERANCE - 6:
                outside.append(f"page {number}: “{word.text}” x {x0:.1f}–{x1:.1f} (text block "
                               f"{left:.1f}–{width - right:.1f} of {width:.1f})")
    assert not outside, "words outside the text block:\n" + "\n".join(outside[:15])


def test_report_files_get_the_usual_permissions(sample):
    """Not mkstemp's 0600: a published report must be readable by colleagues and web servers."""
    umask = os.umask(0)
    os.umask(umask)
    modes = {p.suffix: oct(stat.S_IMODE(p.stat().st_mode)) for p in (sample["docx"], sample["pdf"])}
    assert modes == {".docx": oct(0o666 & ~umask), ".pdf": oct(0o666 & ~umask)}


def test_five_digit_totals_stay_on_one_line(tmp_path, needs_office):
    fmt = model.load("2021")
    inputs = distinct_inputs(fmt)
    inputs["request_new_natural"] += 10000          # a large agency: 自然人 new requests ≥ 10 000
    inputs["request_disclosed_natural"] += 10000
    out = render_pdf(tmp_path, inputs)
    values = ReportData(fmt, inputs=inputs).values()
    words = pdf_words(out["pdf"])
    big = {cid: printed(v) for cid, v in values.items() if len(printed(v).split(".")[0]) >= 5}
    assert big and {cid: n for cid, n in big.items() if n not in words} == {}


def test_pdf_without_libreoffice_is_a_clear_message(tmp_path):
    """PATH without soffice; the tool's own list of usual install locations is emptied too (on
    Debian it would find /usr/lib/libreoffice/program/soffice without PATH)."""
    from xlsx_tool.workbook import sample as samples

    xlsx = samples.write_workbook(samples.bundled("demo-county-2025.toml"), tmp_path / "数据.xlsx")
    empty = tmp_path / "bin"
    empty.mkdir()
    env = {**os.environ, "PATH": str(empty)}
    code = ("import sys, xlsx_tool.office as o; "
            "o.CANDIDATES = tuple(c for c in o.CANDIDATES if '/' not in c and '\\\\' not in c); "
            "from xlsx_tool.cli import main; sys.exit(main(sys.argv[1:]))")
    proc = tool("render", str(xlsx), "-o", str(tmp_path / "报告.docx"), "--pdf", env=env, code=code)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "[错误 F10]" in proc.stderr and "无法生成 PDF" in proc.stderr
    assert "LibreOffice" in proc.stderr and "Traceback" not in proc.stderr + proc.stdout
    assert (tmp_path / "报告.docx").is_file()            # the Word report is still there
    assert not (tmp_path / "报告.pdf").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bin", "报告.docx", "数据.xlsx"]
