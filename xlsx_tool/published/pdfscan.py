"""What pdfplumber would have to interpret, measured before it interprets a single page (F25).

pdfplumber (pdfminer.six) decodes every stream a page draws in full and interprets it operator by
operator in Python: about 25 µs of CPU and 3 KB of memory per glyph.  A few KB of PDF can
therefore stand for minutes and gigabytes: one compressed content stream shared by 300 pages, a
form object drawn a thousand times, a stream that inflates to 1.5 GB.  :class:`Scan` looks at
every page first and decodes, with a capped decompressor (never more than the budget at a time),
what pdfminer would decode for it:

* the page's content streams — a stream shared by several pages counted once for every page that
  uses it, as pdfminer interprets it again for each;
* the form XObjects the page draws (``/Name Do``), counted once per use, forms within forms too;
* the CMaps of its fonts (``ToUnicode``, an embedded encoding) and their embedded font programs,
  once per document (pdfminer keeps a font once loaded).

Charged against :data:`MAX_CONTENT_BYTES` (operators interpreted, the whole document) and
:data:`MAX_TEXT_BYTES` (the bytes of the strings shown: at most one glyph each), each also per
page, and :data:`MAX_DECODED_BYTES` (memory for anything decoded).  These bound the work in
advance; :mod:`.pdf` still parses in a child process under CPU and memory limits, so what a scan
cannot foresee ends as F25 too.
"""
from __future__ import annotations

import re
import zlib

from ..findings import Code, UserError
from .limits import MAX_PAGE_CHARS

#: Decoded content bytes pdfminer may interpret for the whole document (a report of 30 pages has
#: a few hundred KB; 8 MB is about 30 s of pdfminer, so the child's CPU limit ends it first).
MAX_CONTENT_BYTES = 8 * 2**20
MAX_PAGE_CONTENT_BYTES = 4 * 2**20
#: Bytes of the strings shown (one or two per glyph): a long report has about 100 000.
MAX_TEXT_BYTES = 400_000
MAX_PAGE_TEXT_BYTES = 2 * MAX_PAGE_CHARS
#: Bytes decoded for anything (font programs included), the whole document.
MAX_DECODED_BYTES = 64 * 2**20
#: Forms within forms followed at most (pdfminer follows them too).
MAX_FORM_DEPTH = 8

_HEX = re.compile(rb"(?<!<)<([0-9A-Fa-f\s]*)>(?!>)")
_LITERAL = re.compile(rb"\((?:[^()\\]|\\.)*\)", re.S)
_DO = re.compile(rb"/([^\s/\[\]()<>{}%]+)\s*Do\b")
_SPACE = re.compile(rb"\s+")


def text_bytes(content: bytes) -> int:
    """Bytes of the strings a content stream shows (literal strings as written, hex strings as
    the bytes they stand for): an estimate of its glyphs, one byte each at most."""
    if b"(" not in content and b"<" not in content:
        return 0
    hexed = sum(len(_SPACE.sub(b"", m.group(1))) // 2 for m in _HEX.finditer(content))
    return hexed + sum(len(m.group()) - 2 for m in _LITERAL.finditer(content))


class TooLarge(Exception):
    """A stream decodes to more than the bytes allowed."""


def _flate(data: bytes, cap: int) -> bytes:
    inflater, out, total = zlib.decompressobj(), [], 0
    try:
        while data and not inflater.eof:
            chunk = inflater.decompress(data, 1 << 20)
            data = inflater.unconsumed_tail
            total += len(chunk)
            if total > cap:
                raise TooLarge
            out.append(chunk)
            if not chunk and not data:
                break
    except zlib.error:
        pass                          # pdfminer keeps what it could decode, so do we
    return b"".join(out)


def _runlength(data: bytes, cap: int) -> bytes:
    out, i, total = bytearray(), 0, 0
    while i < len(data):
        n = data[i]
        if n == 128:
            break
        if n < 128:
            piece, i = data[i + 1:i + 2 + n], i + 2 + n
        else:
            piece, i = data[i + 1:i + 2] * (257 - n), i + 2
        total += len(piece)
        if total > cap:
            raise TooLarge
        out += piece
    return bytes(out)


def _lzw(data: bytes, cap: int) -> bytes:
    import io

    from pdfminer.lzw import LZWDecoder

    out, total = [], 0
    try:
        for chunk in LZWDecoder(io.BytesIO(data)).run():
            total += len(chunk)
            if total > cap:
                raise TooLarge
            out.append(chunk)
    except TooLarge:
        raise
    except Exception:  # noqa: BLE001 — a broken stream: what was decoded
        pass
    return b"".join(out)


def decode(stream, cap: int) -> bytes:
    """The decoded bytes of a pdfminer ``PDFStream`` through its filters, never more than ``cap``
    bytes at a time (:class:`TooLarge` beyond); a filter meant for images only is refused in what
    pdfminer would interpret (its CCITT decoder is pure Python)."""
    from pdfminer import pdftypes as t

    data = stream.rawdata if stream.rawdata is not None else (stream.data or b"")
    if stream.rawdata is not None and stream.decipher and stream.objid is not None:
        data = stream.decipher(stream.objid, stream.genno, data, stream.attrs)
    if len(data) > cap:
        raise TooLarge
    for f, _params in stream.get_filters():
        if f in t.LITERALS_FLATE_DECODE:
            data = _flate(data, cap)
        elif f in t.LITERALS_LZW_DECODE:
            data = _lzw(data, cap)
        elif f in t.LITERALS_RUNLENGTH_DECODE:
            data = _runlength(data, cap)
        elif f in t.LITERALS_ASCII85_DECODE:
            data = t.ascii85decode(data)
        elif f in t.LITERALS_ASCIIHEX_DECODE:
            data = t.asciihexdecode(data)
        elif f in t.LITERALS_CCITTFAX_DECODE:
            raise TooLarge
    return data


class Scan:
    """The scan of one document: call :meth:`page` for every page before pdfplumber reads any."""

    def __init__(self, subject: str):
        self.subject = subject
        self.content = self.text = self.decoded = 0
        self.streams: dict[int, tuple[int, int, bytes]] = {}    # stream → (bytes, text bytes, content)
        self.forms: dict[int, tuple[int, int]] = {}             # form → (bytes, text bytes) drawn once
        self.fonts: set[int] = set()

    def refuse(self, detail: str) -> UserError:
        return UserError(Code.F25, self.subject, detail)

    def _stream(self, stream, number: int, program: bool = False) -> tuple[int, int, bytes]:
        """``(bytes, text bytes, the content if it draws forms)`` of a stream, decoded once.
        ``program``: an embedded font program (only its memory counts, not the page's work)."""
        key = id(stream)
        if key not in self.streams:
            left = MAX_DECODED_BYTES - self.decoded
            cap = left if program else min(left, MAX_PAGE_CONTENT_BYTES)
            try:
                data = decode(stream, cap)
            except TooLarge:
                what = (f"解压后的数据合计超过 {MAX_DECODED_BYTES // 2**20} MB" if cap == left else
                        f"内容解压后超过 {MAX_PAGE_CONTENT_BYTES // 2**20} MB（正常的一页只有几十 KB）")
                raise self.refuse(f"第 {number} 页的{what}，可能是恶意文件") from None
            self.decoded += len(data)
            text = 0 if program else text_bytes(data)
            self.streams[key] = (len(data), text, data if b"Do" in data and not program else b"")
        return self.streams[key]

    def page(self, number: int, page) -> None:
        """Charge what pdfminer will interpret for page ``number`` (a pdfminer ``PDFPage``)."""
        from pdfminer.pdftypes import resolve1

        size = text = 0
        resources = resolve1(page.resources) or {}
        for ref in page.contents:
            stream = resolve1(ref)
            if not hasattr(stream, "get_filters"):
                continue
            n, t, data = self._stream(stream, number)
            fn, ft = self._drawn(data, resources, number, 0, set())
            size, text = size + n + fn, text + t + ft
        size += self._fonts(resources, number)
        if size > MAX_PAGE_CONTENT_BYTES or text > MAX_PAGE_TEXT_BYTES:
            raise self.refuse(f"第 {number} 页要解析的内容有 {size / 2**20:.1f} MB、其中文字约 {text} 字节"
                              f"（每页最多 {MAX_PAGE_CONTENT_BYTES // 2**20} MB、文字 {MAX_PAGE_TEXT_BYTES} 字节；"
                              "同一内容被反复引用时按引用次数计算）")
        self.content += size
        self.text += text
        if self.content > MAX_CONTENT_BYTES or self.text > MAX_TEXT_BYTES:
            raise self.refuse(f"到第 {number} 页为止要解析的内容有 {self.content / 2**20:.1f} MB、其中文字约 {self.text} 字节"
                              f"（全文最多 {MAX_CONTENT_BYTES // 2**20} MB、文字 {MAX_TEXT_BYTES} 字节；"
                              "同一内容被多页反复引用时按引用次数计算）")

    def _drawn(self, content: bytes, resources, number: int, depth: int, stack: set) -> tuple[int, int]:
        """Bytes and text bytes of the forms ``content`` draws, each once per use."""
        from pdfminer.pdftypes import resolve1

        if b"Do" not in content:
            return 0, 0
        uses: dict[bytes, int] = {}
        for m in _DO.finditer(content):
            uses[m.group(1)] = uses.get(m.group(1), 0) + 1
        xobjects = resolve1((resources or {}).get("XObject")) or {}
        size = text = 0
        for name, count in uses.items():
            form = resolve1(xobjects.get(name.decode("latin-1")))
            if not hasattr(form, "get_filters") or getattr(resolve1(form.get("Subtype")), "name", "") != "Form":
                continue
            if id(form) in stack or depth >= MAX_FORM_DEPTH:
                raise self.refuse(f"第 {number} 页的表单对象嵌套超过 {MAX_FORM_DEPTH} 层或循环引用，可能是恶意文件")
            if id(form) not in self.forms:
                n, t, data = self._stream(form, number)
                inner = resolve1(form.get("Resources")) or resources
                fn, ft = self._drawn(data, inner, number, depth + 1, stack | {id(form)})
                self.forms[id(form)] = (n + fn + self._fonts(inner, number), t + ft)
            n, t = self.forms[id(form)]
            size, text = size + n * count, text + t * count
            if size > MAX_PAGE_CONTENT_BYTES or text > MAX_PAGE_TEXT_BYTES:
                break                 # page() refuses with the totals
        return size, text

    def _fonts(self, resources, number: int) -> int:
        """Bytes of the CMaps (parsed by pdfminer, like content) of fonts not seen before; their
        font programs count against the decoded bytes only."""
        from pdfminer.pdftypes import resolve1

        fonts = resolve1((resources or {}).get("Font")) or {}
        size = 0
        for ref in list(fonts.values())[:1000] if isinstance(fonts, dict) else ():
            font = resolve1(ref)
            if not isinstance(font, dict) or id(font) in self.fonts:
                continue
            self.fonts.add(id(font))
            parts = [font]
            for desc in resolve1(font.get("DescendantFonts")) or []:
                if isinstance(resolve1(desc), dict):
                    parts.append(resolve1(desc))
            for part in list(parts):
                descriptor = resolve1(part.get("FontDescriptor"))
                if isinstance(descriptor, dict):
                    parts.append(descriptor)
            for part in parts:
                for key in ("ToUnicode", "Encoding", "FontFile", "FontFile2", "FontFile3"):
                    stream = resolve1(part.get(key))
                    if hasattr(stream, "get_filters"):
                        cmap = key in ("ToUnicode", "Encoding")
                        n = self._stream(stream, number, program=not cmap)[0]
                        size += n if cmap else 0
        return size
