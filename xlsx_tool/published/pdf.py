"""A PDF report with a text layer into a :class:`~.document.Document`, with pdfplumber.

Bounds first: the page count from the document catalogue (a 10 000-page file is refused before a
page is parsed, F25), then what pdfminer would decode and interpret for every page, measured by
:class:`.pdfscan.Scan` before any page is interpreted (a content stream shared by 300 pages, a
stream inflating to gigabytes: F25), then per page and for the whole document the characters
placed.  The whole reading runs in a child process under CPU and address-space limits
(:mod:`xlsx_tool.confined`: :data:`CPU_SECONDS`, :data:`MEMORY_BYTES`), so whatever the scan did
not foresee ends as F25 too, never as a hung or killed tool.  A file whose pages carry no text at
all is a scan (F24).  On each page, ruled tables (``find_tables``) become grids — a cell's
row and column spans are derived from where its edges fall among the table's row and column
boundaries — and the remaining text becomes lines (paragraphs are joined later, also across page
breaks, by :mod:`.structure`).  Page numbers alone on a line (``- 3 -``, ``第 3 页``) are dropped.
A table continuing on the next page is simply more rows: the table reader skips repeated headers.
"""
from __future__ import annotations

import io
import logging

from ..findings import Code, UserError
from .document import Document, GridBuilder, Para, clean
from .limits import MAX_CHARS, MAX_PAGE_CHARS, MAX_PAGES
from .text import PAGE_MARK

TABLE_SETTINGS = {"vertical_strategy": "lines", "horizontal_strategy": "lines"}
#: CPU seconds the reading of one PDF may take (a report of 30 pages takes about 1 s).
CPU_SECONDS = 3
#: Address space the reading may add to the tool's own (a page of 60 000 characters needs 150 MB).
MEMORY_BYTES = 512 * 2**20


def read(data: bytes, subject: str) -> Document:
    """The document of the PDF ``data`` (see the module docstring); ``UserError`` F23/F24/F25."""
    if not data.lstrip()[:5].startswith(b"%PDF"):
        raise UserError(Code.F23, subject, "不是 PDF 文件（扩展名与内容不符）")
    from .. import confined

    meta, _ = confined.run(lambda: (_read(data, subject).as_json(), b""), subject=subject, code=Code.F25,
                           cpu_seconds=CPU_SECONDS, memory_bytes=MEMORY_BYTES)
    return Document.from_json(meta)


def _read(data: bytes, subject: str) -> Document:
    for name in ("pdfminer", "pdfplumber"):
        logging.getLogger(name).setLevel(logging.ERROR)
    import pdfplumber

    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 — pdfminer raises many types for broken files
        raise UserError(Code.F23, subject, f"PDF 无法打开：{type(exc).__name__}") from None
    try:
        count = _declared_pages(pdf)
        if count is not None and count > MAX_PAGES:
            raise UserError(Code.F25, subject, f"PDF 有 {count} 页，超过 {MAX_PAGES} 页")
        doc = Document("pdf", subject)
        try:
            doc.title = clean(str((pdf.metadata or {}).get("Title", "") or ""))[:200]
        except Exception:  # noqa: BLE001
            doc.title = ""
        builder = GridBuilder(subject)
        total = 0
        try:
            _scan(pdf, subject)
            for number, page in enumerate(_pages(pdf, subject), start=1):
                chars = len(page.chars)
                if chars > MAX_PAGE_CHARS:
                    raise UserError(Code.F25, subject, f"第 {number} 页有 {chars} 个字符")
                total += chars
                if total > MAX_CHARS:
                    raise UserError(Code.F25, subject, f"到第 {number} 页为止文字超过 {MAX_CHARS:,} 个字符")
                _read_page(page, number, doc, builder)
                page.flush_cache() if hasattr(page, "flush_cache") else None
                doc.pages = number
        except UserError:
            raise
        except (MemoryError, RecursionError):
            raise
        except Exception as exc:  # noqa: BLE001
            raise UserError(Code.F23, subject, f"PDF 内容无法解析：{type(exc).__name__}") from None
    finally:
        _close(pdf)
    if total == 0:
        raise UserError(Code.F24, subject, f"共 {doc.pages} 页，没有可读取的文字")
    return doc


def _close(pdf) -> None:
    """Release the file without ``pdfplumber.PDF.close()``: that builds a ``Page`` for every page
    of the document (also the ones past :data:`.limits.MAX_PAGES`, also after a refusal) and lets
    pdfminer's errors out of a ``with`` block (a broken page dictionary ended as exit 3)."""
    try:
        pdf.stream.close()
    except Exception:  # noqa: BLE001 — an in-memory stream; nothing else to release
        pass


def _scan(pdf, subject: str) -> None:
    """Every page measured by :class:`.pdfscan.Scan` before any is interpreted."""
    from pdfminer.pdfpage import PDFPage

    from .pdfscan import Scan

    scan = Scan(subject)
    for i, page in enumerate(PDFPage.create_pages(pdf.doc)):
        if i >= MAX_PAGES:
            raise UserError(Code.F25, subject, f"PDF 超过 {MAX_PAGES} 页")
        scan.page(i + 1, page)


def _declared_pages(pdf) -> int | None:
    try:
        from pdfminer.pdftypes import resolve1

        pages = resolve1(pdf.doc.catalog.get("Pages"))
        return int(resolve1(pages.get("Count")))
    except Exception:  # noqa: BLE001 — counted while reading instead
        return None


def _pages(pdf, subject):
    from pdfminer.pdfpage import PDFPage
    from pdfplumber.page import Page

    for i, page in enumerate(PDFPage.create_pages(pdf.doc)):
        if i >= MAX_PAGES:
            raise UserError(Code.F25, subject, f"PDF 超过 {MAX_PAGES} 页")
        yield Page(pdf, page, page_number=i + 1, initial_doctop=0)


def _read_page(page, number: int, doc: Document, builder: GridBuilder) -> None:
    tables = page.find_tables(TABLE_SETTINGS)
    boxes = [t.bbox for t in tables if len(t.cells) >= 2]
    items: list[tuple[float, object]] = []
    for t in tables:
        if len(t.cells) < 2:
            continue
        grid = _grid(page, t, builder, number)
        if grid.rows:
            items.append((t.bbox[1], grid))

    def outside(obj) -> bool:
        cx, cy = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
        return not any(x0 <= cx <= x1 and top <= cy <= bottom for x0, top, x1, bottom in boxes)

    rest = page.filter(outside) if boxes else page
    for line in rest.extract_text_lines(layout=False, strip=True, return_chars=False):
        text = clean(line["text"])
        if text and not PAGE_MARK.match(text):
            items.append((line["top"], Para(text, number, line=True)))
    items.sort(key=lambda it: it[0])
    doc.blocks.extend(block for _, block in items)


def _grid(page, table, builder: GridBuilder, number: int):
    """The table's cells as a grid: spans from the cell edges among the row/column boundaries."""
    cells = table.cells
    xs = sorted({round(c[0], 1) for c in cells} | {round(c[2], 1) for c in cells})
    ys = sorted({round(c[1], 1) for c in cells} | {round(c[3], 1) for c in cells})

    def index(values, v):
        return min(range(len(values)), key=lambda i: abs(values[i] - v))

    from pdfplumber.utils import extract_text

    chars = page.chars
    placed = []
    for x0, top, x1, bottom in cells:
        r0, r1 = index(ys, round(top, 1)), index(ys, round(bottom, 1))
        c0, c1 = index(xs, round(x0, 1)), index(xs, round(x1, 1))
        if r1 <= r0 or c1 <= c0:
            continue
        inside = [ch for ch in chars if x0 <= (ch["x0"] + ch["x1"]) / 2 <= x1
                  and top <= (ch["top"] + ch["bottom"]) / 2 <= bottom]
        text = clean(extract_text(inside, layout=False) or "") if inside else ""
        placed.append((r0, c0, r1 - r0, c1 - c0, text))
    rows: dict[int, list] = {}
    for r0, c0, rs, cs, text in sorted(placed):
        rows.setdefault(r0, []).append((c0, text, rs, cs))
    # GridBuilder fills slots left to right: give it rows with explicit empty fillers for gaps
    # left by cells that start in earlier rows (it skips slots already taken by rowspans).
    ordered = []
    for r in range(max(rows, default=-1) + 1):
        ordered.append([(text, rs, cs) for _, text, rs, cs in sorted(rows.get(r, []))])
    return builder.build(ordered, number)
