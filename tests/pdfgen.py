"""A tiny PDF writer for the reader's tests: Chinese text and ruled tables, no office suite needed.

Text uses the standard CJK font ``STSong-Light`` with the ``UniGB-UCS2-H`` encoding (no font is
embedded: every PDF reader, and pdfminer, knows it), so the text layer is exactly what was
written.  :class:`Page` collects text and lines; :func:`pdf_bytes` writes the file.
:func:`table` draws a ruled table with merged cells and numbers right-aligned in their cells, the
way Word exports a report's tables.
"""
from __future__ import annotations

from dataclasses import dataclass, field

A4 = (595, 842)


@dataclass
class Page:
    ops: list[str] = field(default_factory=list)

    def text(self, x: float, y: float, s: str, size: float = 10.5) -> None:
        """Text with its baseline at ``(x, y)`` (points, origin bottom-left)."""
        hexed = s.encode("utf-16-be").hex().upper()
        self.ops.append(f"BT /F1 {size} Tf {x:.2f} {y:.2f} Td <{hexed}> Tj ET")

    def line(self, x0: float, y0: float, x1: float, y1: float) -> None:
        self.ops.append(f"{x0:.2f} {y0:.2f} m {x1:.2f} {y1:.2f} l S")

    def width(self, s: str, size: float) -> float:
        return len(s) * size      # every glyph one em wide (the font's default width)


def table(page: Page, top: float, left: float, widths: list[float], height: float,
          cells: list[tuple[int, int, int, int, str]], size: float = 8.0) -> float:
    """Draw ``cells`` ``(row, col, rowspan, colspan, text)`` as a ruled grid starting at ``top``;
    numbers are right-aligned, labels left-aligned.  Returns the y of the table's bottom."""
    xs = [left]
    for w in widths:
        xs.append(xs[-1] + w)
    nrows = max(r + rs for r, _, rs, _, _ in cells)
    for r, c, rs, cs, text in cells:
        x0, x1 = xs[c], xs[c + cs]
        y1 = top - r * height
        y0 = top - (r + rs) * height
        page.line(x0, y0, x1, y0)
        page.line(x0, y1, x1, y1)
        page.line(x0, y0, x0, y1)
        page.line(x1, y0, x1, y1)
        if not text:
            continue
        numeric = text.replace(".", "").isdigit()
        fit = max(1, int((x1 - x0 - 4) // size))
        lines = [text[i:i + fit] for i in range(0, len(text), fit)][:max(1, int(rs * height // (size + 2)))]
        for i, chunk in enumerate(lines):
            x = x1 - 2 - page.width(chunk, size) if numeric else x0 + 2
            page.text(x, y1 - (i + 1) * (size + 2), chunk, size)
    return top - nrows * height


def pdf_bytes(pages: list[Page], *, count: int | None = None) -> bytes:
    """The PDF file.  ``count`` overrides the page tree's declared page count (a hostile file)."""
    objs: list[bytes] = []

    def add(body: str | bytes) -> int:
        objs.append(body.encode("latin-1") if isinstance(body, str) else body)
        return len(objs)

    catalog = add("")
    pages_id = add("")
    font = add("<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H "
               f"/DescendantFonts [{len(objs) + 2} 0 R] >>")
    add("<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> "
        f"/FontDescriptor {len(objs) + 2} 0 R /DW 1000 >>")
    add("<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] "
        "/ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>")
    kids = []
    for page in pages:
        stream = "\n".join(page.ops).encode("latin-1")
        content = add(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        kids.append(add(f"<< /Type /Page /Parent {pages_id} 0 R /MediaBox [0 0 {A4[0]} {A4[1]}] "
                        f"/Resources << /Font << /F1 {font} 0 R >> >> /Contents {content} 0 R >>"))
    objs[catalog - 1] = f"<< /Type /Catalog /Pages {pages_id} 0 R >>".encode()
    objs[pages_id - 1] = (f"<< /Type /Pages /Kids [{' '.join(f'{k} 0 R' for k in kids)}] "
                          f"/Count {count if count is not None else len(kids)} >>").encode()
    return serialize(objs, catalog)


def glyphs(n: int, per_line: int = 60) -> bytes:
    """Content showing ``n`` glyphs (一) in lines of ``per_line``, as ``Tj`` operators."""
    glyph = "一".encode("utf-16-be").hex().upper()
    lines = []
    for i in range(0, n, per_line):
        k = min(per_line, n - i)
        lines.append(f"BT /F1 5 Tf 10 {800 - (i // per_line % 150) * 5} Td <{glyph * k}> Tj ET")
    return "\n".join(lines).encode("latin-1")


def shared_pdf(content: bytes, pages: int = 1, *, form: bytes | None = None, deflated: bytes | None = None) -> bytes:
    """A hostile PDF: ``pages`` pages that all draw ONE compressed content stream (``content``,
    or the already deflated ``deflated``); with ``form``, a form XObject ``/X1`` holding it that
    the content may draw (``/X1 Do``)."""
    import zlib

    objs: list[bytes] = []

    def add(body: str | bytes) -> int:
        objs.append(body.encode("latin-1") if isinstance(body, str) else body)
        return len(objs)

    def stream(data: bytes, extra: str = "", packed: bytes | None = None) -> int:
        z = packed if packed is not None else zlib.compress(data, 9)
        return add(b"<< /Length %d /Filter /FlateDecode%s >>\nstream\n" % (len(z), extra.encode()) + z
                   + b"\nendstream")

    catalog, pages_id = add(""), add("")
    font = add("<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H "
               f"/DescendantFonts [{len(objs) + 2} 0 R] >>")
    add("<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> /DW 1000 >>")
    xobject = ""
    if form is not None:
        fid = stream(form, f" /Type /XObject /Subtype /Form /BBox [0 0 595 842] /Resources << /Font << /F1 {font} 0 R >> >>")
        xobject = f" /XObject << /X1 {fid} 0 R >>"
    content_id = stream(content, packed=deflated)
    kids = [add(f"<< /Type /Page /Parent {pages_id} 0 R /MediaBox [0 0 {A4[0]} {A4[1]}] "
                f"/Resources << /Font << /F1 {font} 0 R >>{xobject} >> /Contents {content_id} 0 R >>")
            for _ in range(pages)]
    objs[catalog - 1] = f"<< /Type /Catalog /Pages {pages_id} 0 R >>".encode()
    objs[pages_id - 1] = f"<< /Type /Pages /Kids [{' '.join(f'{k} 0 R' for k in kids)}] /Count {len(kids)} >>".encode()
    return serialize(objs, catalog)


def deflated_spaces(size: int) -> bytes:
    """``size`` bytes of spaces, deflated (a few hundred KB for hundreds of MB)."""
    import zlib

    packer, chunk = zlib.compressobj(9), b" " * 2**24
    return b"".join(packer.compress(chunk) for _ in range(size // len(chunk))) + packer.flush()


def serialize(objs: list[bytes], catalog: int) -> bytes:
    """A PDF file of ``objs`` (object ``i + 1`` is ``objs[i]``) with its cross-reference table;
    ``catalog`` is the number of the document catalog."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objs, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, catalog, xref)
    return bytes(out)
