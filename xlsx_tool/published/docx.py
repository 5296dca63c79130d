"""A Word report (.docx) into a :class:`~.document.Document`.

The zip is checked first (:func:`.limits.open_zip`: entries, sizes, ratios, no DTDs), then opened
with python-docx (whose XML parser does not resolve entities).  The body is walked in order:
paragraphs (also inside content controls) and tables.  A table's merged cells are expanded from
the XML itself (``w:gridSpan`` across, ``w:vMerge`` down), so a label spanning rows repeats and a
number spanning columns counts once.  Paragraphs whose cells are separated by tab characters (a
"table" typed as text) become grid rows, as in a text file.
"""
from __future__ import annotations

import io

from ..findings import Code, UserError
from .document import Document, Grid, GridBuilder, Para, Slot, clean
from .limits import check_chars, open_zip

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def read(data: bytes, subject: str, kind: str = "docx") -> Document:
    open_zip(data, subject, "Word（.docx）").close()
    import docx

    try:
        word = docx.Document(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 — python-docx raises several types for broken parts
        raise UserError(Code.F23, subject, f"Word 文档无法打开：{type(exc).__name__}") from None
    doc = Document(kind, subject)
    try:
        doc.title = clean(word.core_properties.title or "")
    except Exception:  # noqa: BLE001 — a broken core.xml only loses the title
        doc.title = ""
    reader = _Body(doc, GridBuilder(subject), subject)
    reader.walk(word.element.body)
    reader.end_rows()
    check_chars(reader.chars, subject)
    return doc


def paragraph_text(p) -> str:
    """Text of a ``w:p`` with tabs as ``\\t`` and line breaks as ``\\n``."""
    out = []
    for el in p.iter(W + "t", W + "tab", W + "br", W + "cr", W + "delText"):
        if el.tag == W + "t":
            out.append(el.text or "")
        elif el.tag == W + "tab":
            out.append("\t")
        elif el.tag in (W + "br", W + "cr"):
            out.append("\n")
    return "".join(out)


class _Body:
    def __init__(self, doc: Document, grids: GridBuilder, subject: str):
        self.doc, self.grids, self.subject = doc, grids, subject
        self.rows: list[list[tuple[str, int, int]]] = []
        self.chars = 0

    def end_rows(self) -> None:
        if self.rows:
            self.doc.blocks.append(self.grids.build(self.rows))
            self.rows = []

    def walk(self, parent) -> None:
        for el in parent:
            if el.tag == W + "p":
                text = paragraph_text(el)
                self.chars += len(text)
                stripped = text.strip()
                if "\t" in stripped:
                    self.rows.append([(clean(c), 1, 1) for c in text.split("\t")])
                    continue
                self.end_rows()
                for line in text.split("\n"):
                    if clean(line):
                        self.doc.blocks.append(Para(clean(line)))
            elif el.tag == W + "tbl":
                self.end_rows()
                self.doc.blocks.append(self.table(el))
            elif el.tag in (W + "sdt", W + "customXml", W + "smartTag"):
                content = el.find(W + "sdtContent")
                self.walk(content if content is not None else el)

    def table(self, tbl):
        """Expand one ``w:tbl``: gridSpan across, vMerge (restart … continue) down."""
        rows: list[list[Slot]] = []
        above: dict[int, Slot] = {}
        for tr in tbl.iter(W + "tr"):
            if _enclosing_table(tr) is not tbl:
                continue
            row: list[Slot] = []
            col = 0
            skip = tr.find(f"{W}trPr/{W}gridBefore")
            if skip is not None:
                for _ in range(min(_int(skip.get(W + "val")), 50)):
                    row.append(Slot("", -1))
                    col += 1
            for tc in tr.findall(W + "tc"):
                pr = tc.find(W + "tcPr")
                span = min(_int(pr.find(W + "gridSpan").get(W + "val")) if pr is not None and
                           pr.find(W + "gridSpan") is not None else 1, 100)
                vmerge = pr.find(W + "vMerge") if pr is not None else None
                cont = vmerge is not None and (vmerge.get(W + "val") or "continue") == "continue"
                if cont and col in above:
                    origin = above[col]
                    slots = [Slot(origin.text, origin.origin, False, i == 0) for i in range(span)]
                else:
                    text = clean(" ".join(paragraph_text(p) for p in tc.iter(W + "p")))
                    self.chars += len(text)
                    self.grids.origin += 1
                    slots = [Slot(text, self.grids.origin, True, i == 0) for i in range(span)]
                    above[col] = slots[0]
                self.grids.budget[0] -= span
                if self.grids.budget[0] < 0:
                    raise UserError(Code.F25, self.subject, "表格单元格过多")
                row.extend(slots)
                col += span
            rows.append(row)
        return Grid(rows)


def _enclosing_table(el):
    parent = el.getparent()
    while parent is not None and parent.tag != W + "tbl":
        parent = parent.getparent()
    return parent


def _int(raw) -> int:
    try:
        return max(1, int(str(raw)))
    except (TypeError, ValueError):
        return 1
