"""The pieces a laid-out official table is made of: printed boxes, numeric cells, cross-checks.

Coordinates are 0-based ``(row, col)`` on the sheet named by the table (``表二``/``表三``/``表四``);
:func:`a1` gives the Excel address and :func:`ranges` writes a list of positions the way a person
(and a ``SUM``) reads them.  Nothing here knows a particular format: :mod:`.layout` builds these
objects from the data files.
"""
from __future__ import annotations

from dataclasses import dataclass, field

SEP = " › "
TITLE_ROW = 0
HINT_ROW = 1
FIRST_TABLE_ROW = 2


def a1(row: int, col: int) -> str:
    """Excel address of a 0-based cell, e.g. ``a1(0, 27) == "AB1"``."""
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row + 1}"


def ranges(positions: list[tuple[int, int]], sep: str = ",") -> str:
    """0-based positions as addresses, runs down a column or along a row joined as ``D8:D28``:
    ``ranges([(7, 3), (8, 3), (9, 3), (12, 3)]) == "D8:D10,D13"``.  Used in ``SUM`` formulas
    (``sep=","``) and in messages (``sep=" + "``)."""
    runs: list[list[tuple[int, int]]] = []
    for p in positions:
        run = runs[-1] if runs else None
        if run:
            step = (p[0] - run[-1][0], p[1] - run[-1][1])
            first_step = (run[1][0] - run[0][0], run[1][1] - run[0][1]) if len(run) > 1 else None
            if step in ((1, 0), (0, 1)) and first_step in (None, step):
                run.append(p)
                continue
        runs.append([p])
    return sep.join(a1(*r[0]) + (f":{a1(*r[-1])}" if len(r) > 1 else "") for r in runs)


@dataclass(frozen=True)
class Box:
    """A printed cell of the official table (label or data), possibly merged over a rectangle.

    ``role`` is one of ``caption``, ``corner``, ``col_header``, ``row_header``, ``input``,
    ``total`` (a formula), ``pad`` (an empty grid cell of a short block), ``check_label``,
    ``note``, ``note_label``, ``choice_label``, ``choice``.
    """
    row: int
    col: int
    rowspan: int
    colspan: int
    text: str
    role: str
    field_id: str | None = None

    @property
    def merged(self) -> bool:
        return self.rowspan > 1 or self.colspan > 1


@dataclass(frozen=True)
class Cell:
    """One numeric cell of an official table.

    ``type``: ``count`` (integer ≥ 0), ``signed_count`` (integer, 2019 本年增/减), ``money``
    (≥ 0, at most 6 decimals, 万元 — 2021 表二（八）) or ``amount`` (≥ 0, decimals, unit chosen in
    ``unit_field`` — 2019 采购总金额).  ``total_of`` lists the field ids summed by the formula when
    the cell is a total, else is empty (an input cell).  ``rows``/``cols`` are the printed labels
    from the outermost to the innermost (表二's block caption first); ``row_header`` and
    ``col_header`` are the innermost label boxes, the ones a reader verifies beside the cell.
    """
    id: str
    table: str
    sheet: str
    row: int
    col: int
    type: str
    row_key: str
    col_key: str
    rows: tuple[str, ...]
    cols: tuple[str, ...]
    table_title: str
    row_header: Box | None
    col_header: Box
    block_first_row: int
    total_of: tuple[str, ...] = ()
    unit_field: str | None = None
    former_id: str = ""

    @property
    def a1(self) -> str:
        return a1(self.row, self.col)

    @property
    def is_input(self) -> bool:
        return not self.total_of

    @property
    def label_path(self) -> str:
        """``table › row labels › column labels`` exactly as printed."""
        return SEP.join((self.table_title,) + self.rows + self.cols)

    @property
    def row_label(self) -> str:
        return self.rows[-1] if self.rows else ""

    @property
    def col_label(self) -> str:
        return self.cols[-1]


@dataclass(frozen=True)
class Rule:
    """One cross-check (勾稽关系) instance: ``sum(left) = sum(right)`` over cell ids.

    ``kind`` is ``balance`` (checked only, e.g. 表三 一+二 = （七）+四 per column) or ``total``
    (``left`` is one total cell written as a formula, ``right`` its parts).  ``code`` is the stable
    finding code, ``title`` the equation in Chinese, ``scope`` the column or row label it runs over.
    """
    code: str
    kind: str
    table: str
    sheet: str
    title: str
    source: str
    scope: str
    left: tuple[str, ...]
    right: tuple[str, ...]
    check_pos: tuple[int, int]

    @property
    def check_a1(self) -> str:
        return a1(*self.check_pos)


@dataclass
class TableLayout:
    """Everything printed for one official table, plus its check and note cells."""
    id: str
    number: str
    title: str
    sheet: str
    label_cols: int
    width: int
    boxes: list[Box]
    cells: list[Cell]
    end_row: int
    rules: list[Rule] = field(default_factory=list)
    check_boxes: list[Box] = field(default_factory=list)
    note: Box | None = None
    choices: list[tuple[dict, Box, Box]] = field(default_factory=list)
    choices_spec: list[dict] = field(default_factory=list)
    check_caption: str = ""
    note_label: Box | None = None
    former_id: str = ""

    @property
    def heading(self) -> str:
        return f"{self.number}、{self.title}"

    @property
    def note_id(self) -> str:
        return note_name(self.id)


def note_name(table_id: str) -> str:
    """The defined name of a table's 注 cell, e.g. ``note_request``."""
    return f"note_{table_id}"
