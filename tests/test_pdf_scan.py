"""A published PDF is measured before pdfplumber interprets a page, and read in a confined child.

What pdfminer would decode and interpret is charged per page: a content stream shared by many
pages once for every page, a form once for every time it is drawn, a compressed stream decoded
a piece at a time and never past the budget.  Whatever slips through ends at the child's CPU or
memory limit as F25.
"""
from __future__ import annotations

import io
import tracemalloc

import pytest

import pdfgen
from xlsx_tool import confined
from xlsx_tool.findings import Code, UserError
from xlsx_tool.published import pdfscan
from xlsx_tool.published.document import Document, Grid, GridBuilder, Para


def pages_of(data: bytes):
    import pdfplumber
    from pdfminer.pdfpage import PDFPage

    pdf = pdfplumber.open(io.BytesIO(data))
    return pdf, list(PDFPage.create_pages(pdf.doc))


def scan_all(data: bytes) -> pdfscan.Scan:
    pdf, pages = pages_of(data)
    with pdf:
        scan = pdfscan.Scan("f.pdf")
        for i, page in enumerate(pages, start=1):
            scan.page(i, page)
    return scan


def test_a_stream_shared_by_pages_is_charged_once_per_page():
    one = scan_all(pdfgen.shared_pdf(pdfgen.glyphs(1000), 1))
    five = scan_all(pdfgen.shared_pdf(pdfgen.glyphs(1000), 5))
    assert one.text == 2000 and five.text == 5 * one.text and five.content == 5 * one.content


def test_a_form_is_charged_once_per_use(monkeypatch):
    drawn = scan_all(pdfgen.shared_pdf(b"/X1 Do\n" * 3, form=pdfgen.glyphs(100)))
    assert drawn.text == 3 * 200          # two bytes a glyph
    monkeypatch.setattr(pdfscan, "MAX_PAGE_TEXT_BYTES", 500)
    with pytest.raises(UserError) as exc:
        scan_all(pdfgen.shared_pdf(b"/X1 Do\n" * 3, form=pdfgen.glyphs(100)))
    assert exc.value.code == "F25" and "第 1 页" in exc.value.finding.message


def test_an_inflating_stream_is_never_decoded_past_the_budget():
    pdf, pages = pages_of(pdfgen.shared_pdf(b"", deflated=pdfgen.deflated_spaces(256 * 2**20)))
    from pdfminer.pdftypes import resolve1

    stream = resolve1(pages[0].contents[0])
    tracemalloc.start()
    try:
        with pytest.raises(pdfscan.TooLarge):
            pdfscan.decode(stream, 2**20)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        pdf.close()
    assert peak < 8 * 2**20, peak


def test_text_of_literal_and_hex_strings_is_estimated():
    assert pdfscan.text_bytes(b"BT (Hello) Tj <4E 00> Tj [(a) 3 (bc)] TJ << /K 1 >> ET") == 5 + 2 + 3


def test_a_document_comes_back_from_the_child_unchanged():
    doc = Document("pdf", "f.pdf", title="标题", pages=2, notes=["注"])
    doc.blocks = [Para("一、总体情况", 1, True, False), GridBuilder("f.pdf").build([[("项目", 1, 2)], [("1", 1, 1)]], 2)]
    back = Document.from_json(doc.as_json())
    assert back == doc and isinstance(back.blocks[1], Grid)


@pytest.mark.skipif(not confined.available(), reason="needs fork")
def test_work_past_the_childs_cpu_limit_ends_with_the_callers_code():
    def spin():
        while True:
            pass
    with pytest.raises(UserError) as exc:
        confined.run(spin, subject="f.pdf", code=Code.F25, cpu_seconds=1, memory_bytes=256 * 2**20)
    assert exc.value.code == "F25" and "CPU 时间超过上限（1 秒）" in exc.value.finding.message


@pytest.mark.skipif(not confined.available(), reason="needs fork")
def test_work_past_the_childs_memory_limit_ends_with_the_callers_code():
    def hog():
        return {"n": len(bytearray(2**30))}, b""
    with pytest.raises(UserError) as exc:
        confined.run(hog, subject="f.pdf", code=Code.F25, cpu_seconds=5, memory_bytes=128 * 2**20)
    assert exc.value.code == "F25" and "内存" in exc.value.finding.message


@pytest.mark.skipif(not confined.available(), reason="needs fork")
def test_the_childs_own_refusal_reaches_the_caller_unchanged():
    def refuse():
        raise UserError(Code.F24, "f.pdf", "共 2 页，没有可读取的文字")
    with pytest.raises(UserError) as exc:
        confined.run(refuse, subject="f.pdf", code=Code.F25, cpu_seconds=5, memory_bytes=128 * 2**20)
    assert exc.value.code == "F24"
