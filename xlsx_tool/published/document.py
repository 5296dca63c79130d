"""What every form of a published report is read into: a title, paragraphs and table grids.

Each source (:mod:`.html`, :mod:`.docx`, :mod:`.pdf`, :mod:`.text`) turns its file into a
:class:`Document`: blocks in reading order, each a :class:`Para` (one paragraph or one line of
text, with the page it was on) or a :class:`Grid` (a printed table with its merged cells expanded
so that every row has a slot per grid column).  Nothing here knows the official formats; the
structure (:mod:`.structure`) and the tables (:mod:`.tables`) are read from this form alone.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..findings import Code, UserError

#: Expanded grid slots of one document (a report's three tables are about 400): refuse beyond.
MAX_GRID_SLOTS = 200_000
#: Largest rowspan/colspan honoured (the official tables need 22 and 10).
MAX_SPAN = 200
#: Tables of one document (a report has about 20, a saved web page a few more for its layout)
#: and their rows together: every table is matched against every official table, about 0.3 ms
#: of CPU per row, so 20 000 small tables would take minutes.
MAX_TABLES = 100
MAX_TABLE_ROWS = 3000


@dataclass
class Para:
    """One paragraph (or one line of a text file) as printed; ``page`` counts from 1 (0 unknown);
    ``line`` is True for a physical line of a text or PDF page (joining into paragraphs is left
    to :mod:`.structure`), False for a real paragraph (HTML ``<p>``, Word)."""
    text: str
    page: int = 0
    line: bool = False
    gap_before: bool = False


@dataclass
class Slot:
    """One grid slot: the ``text`` of the printed cell covering it, ``origin`` (the same number
    for every slot of one merged cell), and whether it is the cell's top row / left column."""
    text: str
    origin: int
    top: bool = True
    left: bool = True


@dataclass
class Grid:
    """A printed table: ``rows`` of :class:`Slot`; ``page`` of its first row."""
    rows: list[list[Slot]]
    page: int = 0

    def text(self) -> str:
        return " ".join(s.text for row in self.rows for s in row if s.top and s.left and s.text)


@dataclass
class Document:
    """A published report in reading order.  ``kind``: html/docx/pdf/txt/doc; ``title``: the
    page or document title when the file has one; ``notes``: facts about the reading (the
    encoding guessed, …) for the findings."""
    kind: str
    source: str
    blocks: list[Para | Grid] = field(default_factory=list)
    title: str = ""
    pages: int = 0
    notes: list[str] = field(default_factory=list)

    def paragraphs(self) -> list[Para]:
        return [b for b in self.blocks if isinstance(b, Para)]

    def grids(self) -> list[Grid]:
        return [b for b in self.blocks if isinstance(b, Grid)]

    def as_json(self) -> dict:
        """The document as JSON-ready data (how a reader in a child process hands it back);
        :meth:`from_json` reads it."""
        blocks = [["p", b.text, b.page, b.line, b.gap_before] if isinstance(b, Para) else
                  ["g", b.page, [[[s.text, s.origin, s.top, s.left] for s in row] for row in b.rows]]
                  for b in self.blocks]
        return {"kind": self.kind, "source": self.source, "title": self.title, "pages": self.pages,
                "notes": list(self.notes), "blocks": blocks}

    @classmethod
    def from_json(cls, data: dict) -> Document:
        doc = cls(str(data["kind"]), str(data["source"]), title=str(data["title"]), pages=int(data["pages"]),
                  notes=[str(n) for n in data["notes"]])
        for b in data["blocks"]:
            if b[0] == "p":
                doc.blocks.append(Para(str(b[1]), int(b[2]), bool(b[3]), bool(b[4])))
            else:
                doc.blocks.append(Grid([[Slot(str(t), int(o), bool(top), bool(left)) for t, o, top, left in row]
                                        for row in b[2]], int(b[1])))
        return doc


class GridBuilder:
    """Expand rows of ``(text, rowspan, colspan)`` cells into a :class:`Grid` the way a browser
    lays a table out (a cell goes into the first free slot of its row; spans reserve slots
    below and to the right).  ``UserError`` F25 beyond :data:`MAX_GRID_SLOTS` slots,
    :data:`MAX_TABLES` tables or :data:`MAX_TABLE_ROWS` rows for the document."""

    def __init__(self, subject: str, budget: list[int] | None = None):
        self.subject = subject
        self.budget = budget if budget is not None else [MAX_GRID_SLOTS]
        self.origin = 0
        self.tables = self.rows = 0

    def build(self, rows: list[list[tuple[str, int, int]]], page: int = 0) -> Grid:
        self.tables += 1
        self.rows += len(rows)
        if self.tables > MAX_TABLES:
            raise UserError(Code.F25, self.subject, f"报告中的表格超过 {MAX_TABLES} 个（一份年报约有 20 个）")
        if self.rows > MAX_TABLE_ROWS:
            raise UserError(Code.F25, self.subject, f"报告中的表格合计超过 {MAX_TABLE_ROWS} 行（年报的统计表约有 100 行）")
        taken: dict[tuple[int, int], Slot] = {}
        last_col: dict[int, int] = {}      # row → its rightmost slot taken (one pass, not one per row)
        width = 0
        for r, cells in enumerate(rows):
            c = 0
            for text, rowspan, colspan in cells:
                while (r, c) in taken:
                    c += 1
                rowspan = max(1, min(int(rowspan or 1), MAX_SPAN, len(rows) - r))
                colspan = max(1, min(int(colspan or 1), MAX_SPAN))
                self.origin += 1
                self.budget[0] -= rowspan * colspan
                if self.budget[0] < 0:
                    raise UserError(Code.F25, self.subject, f"表格合并后超过 {MAX_GRID_SLOTS} 个单元格")
                for dr in range(rowspan):
                    for dc in range(colspan):
                        taken[(r + dr, c + dc)] = Slot(text, self.origin, dr == 0, dc == 0)
                    last_col[r + dr] = max(last_col.get(r + dr, -1), c + colspan - 1)
                c += colspan
                width = max(width, c)
        grid_rows = []
        for r in range(len(rows)):
            last = last_col.get(r, -1)
            grid_rows.append([taken.get((r, c)) or Slot("", -1) for c in range(last + 1)])
        return Grid(grid_rows, page)


_SPACE = re.compile(r"[ \t\r\f\v\u00a0\u2002\u2003\u2009\u3000]+")
_INVISIBLE = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f\u200b-\u200d\u2060\ufeff\ufffe\uffff]")


def clean(text: str) -> str:
    """Printed text with runs of spaces (incl. no-break and ideographic ones) as one space, line
    breaks as spaces, control and zero-width characters removed (a workbook cannot hold them),
    stripped."""
    return _SPACE.sub(" ", _INVISIBLE.sub("", text.replace("\n", " "))).strip()
