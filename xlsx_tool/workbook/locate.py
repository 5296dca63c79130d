"""Where each value of a filled workbook is, and the proof that it is the right cell.

Every value is **located** — by its defined name (its field id, or the name version 0.1 gave
it), else at the template's position shifted the way the neighbouring names moved — and then
**verified by its own labels**: a table cell by its full row path (the row label on its row and
each group label above it in the merged column) and its full column path (the column header
above its own column and each group header to the left in the merged row); a 基本信息 field, a
注 or a choice by the label on its row, a 正文 section by the heading above it.

When the name and the labels disagree nothing is guessed:

* the name points at a cell whose labels are not this value's, while the labels at the
  template's position are → S10 (错误) naming both places, the value not read; also a name
  pointing into another sheet;
* the name is broken (``#REF!``) and the labels verify the template position → read with S11
  (提示, one per sheet) — unless another name points at that cell, the trace of a cut-and-paste
  (S12, 错误, not read);
* no name → read at the template position with S02 (提示, one per sheet);
* the labels are wrong where the value is looked for → S03 (错误, not read).

Geometry (how far rows and columns moved after rows or columns were inserted) is the most common
shift of the names of a row, a block's first row and the table — a tampered name is an outlier
and cannot move the labels it is checked against.  Without names (.xls/.ods) the template
position counts as named.
"""
from __future__ import annotations

from collections import Counter
from functools import lru_cache
from typing import NamedTuple

from ..findings import Code, make
from ..formats import model, registry, values
from ..formats.geometry import SEP, Box, Cell, TableLayout, a1
from .files import norm_label

#: S03 and S10 findings listed per sheet; the rest are counted in one more line.
MAX_LABEL_FINDINGS = 5

Pos = tuple[int, int]


class Target(NamedTuple):
    """Where a name points: ``kind`` ``here`` (on the expected sheet, ``pos``/``last_row``),
    ``elsewhere`` (another ``sheet``), ``broken`` (``#REF!`` …), ``missing`` or ``positional``
    (a file without names)."""
    kind: str
    pos: Pos | None = None
    last_row: int | None = None
    sheet: str = ""
    text: str = ""


class Mismatch(NamedTuple):
    """A label that is not where it should be: at ``pos`` ``expected`` was looked for, ``found``
    is there; ``labels`` is the path printed in the S03 finding."""
    pos: Pos
    expected: str
    found: str
    labels: str


class Geometry:
    """How one table moved: ``dc`` columns right; per block (first data row) ``dh`` rows down for
    its headers; per model row the rows its data moved down."""
    __slots__ = ("dc", "dh", "rows")

    def __init__(self, dc: int = 0):
        self.dc = dc
        self.dh: dict[int, int] = {}
        self.rows: dict[int, int] = {}

    def expected(self, c: Cell) -> Pos:
        return c.row + self.rows.get(c.row, 0), c.col + self.dc


@lru_cache(maxsize=None)
def _label_paths(fmt_id: str, table_id: str) -> dict[str, tuple[tuple[Box, ...], tuple[Box, ...]]]:
    """Cell id → (row label boxes, column header boxes), each innermost first."""
    tl = model.load(fmt_id).table(table_id)
    firsts = sorted({c.block_first_row for c in tl.cells})
    last_row = {f: max(c.row for c in tl.cells if c.block_first_row == f) for f in firsts}
    tops = {f: (last_row[firsts[i - 1]] + 1 if i else model.FIRST_TABLE_ROW) for i, f in enumerate(firsts)}
    heads = [b for b in tl.boxes if b.role == "col_header"]
    rows = [b for b in tl.boxes if b.role == "row_header"]
    out = {}
    for c in tl.cells:
        col_path = sorted((b for b in heads if tops[c.block_first_row] <= b.row < c.block_first_row
                           and b.col <= c.col < b.col + b.colspan), key=lambda b: -b.row)
        row_path: list[Box] = []
        if c.row_header is not None:
            row_path = [c.row_header] + sorted(
                (b for b in rows if b.row <= c.row < b.row + b.rowspan and b.col < c.row_header.col),
                key=lambda b: -b.col)
        out[c.id] = (tuple(row_path), tuple(col_path))
    return out


def _norm(raw) -> str:
    """:func:`.files.norm_label`, remembered for text (labels repeat in every workbook)."""
    return _norm_text(raw) if isinstance(raw, str) else norm_label(raw)


@lru_cache(maxsize=4096)
def _norm_text(text: str) -> str:
    return norm_label(text)


def _mode(shifts: list[int], prefer: int = 0) -> int:
    """The most common shift; ties go to ``prefer``, then to the smallest."""
    if not shifts:
        return prefer
    counts = Counter(shifts)
    top = max(counts.values())
    best = [s for s, n in counts.items() if n == top]
    return prefer if prefer in best else min(best, key=lambda s: (abs(s), s))


class Locator:
    """Locates and verifies values for one workbook (see the module docstring).  ``raw(sheet, row,
    col)`` gives a cached value; ``names`` is ``None`` for a file without names; ``emit(sheet, row,
    col, finding)`` receives the findings of :meth:`summaries` and the per-cell ones."""

    def __init__(self, file: str, fmt: model.Format, names: dict | None, raw, emit):
        self.file, self.fmt, self.names, self.raw, self.emit = file, fmt, names, raw, emit
        self.former = {new: old for old, new in fmt.former_names.items()}
        self.former_used: list[str] = []
        self.by_position: dict[str, list[Pos]] = {}     # S02
        self.broken: dict[str, list[Pos]] = {}          # S11
        self.bad_labels: dict[tuple, list] = {}         # S03: (sheet, row, col) → [expected, labels, cells]
        self.conflicts: dict[str, int] = {}             # S10/S12 per sheet
        self.verified: dict[tuple, list[Mismatch]] = {}  # a row's or a column's path, checked once
        self.claims = self._claims()

    # -- names -----------------------------------------------------------------------------------
    def target(self, name: str, sheet: str, record: bool = True) -> Target:
        """Where the name of ``name`` points (``record``: count a name of version 0.1 as used)."""
        if self.names is None:
            return Target("positional")
        found = self.names.get(name.lower())
        if found is None and name in self.former:        # a workbook of version 0.1
            found = self.names.get(self.former[name].lower())
            if found is not None and record:
                self.former_used.append(self.former[name])
        if found is None:
            return Target("missing")
        if found.dest is None:
            return Target("broken", text=found.text)
        dest_sheet, row, col, last, _ = found.dest
        if dest_sheet != sheet:
            return Target("elsewhere", (row, col), last, dest_sheet, found.text)
        return Target("here", (row, col), last, dest_sheet, found.text)

    def _claims(self) -> dict[tuple[str, int, int], list[str]]:
        """(sheet, row, col) → the ids of this format whose names point there."""
        if self.names is None:
            return {}
        fmt = self.fmt
        ids = list(fmt.cells) + [f["id"] for f in fmt.info] + [tl.note_id for tl in fmt.tables]
        ids += [spec["id"] for tl in fmt.tables for spec, _, _ in tl.choices]
        ids += [model.narrative_name(s["id"]) for s in fmt.narrative]
        out: dict[tuple[str, int, int], list[str]] = {}
        for i in ids:
            found = self.names.get(i.lower()) or (self.names.get(self.former[i].lower()) if i in self.former else None)
            if found is not None and found.dest is not None:
                out.setdefault((found.dest[0], found.dest[1], found.dest[2]), []).append(i)
        return out

    # -- deciding --------------------------------------------------------------------------------
    def place(self, name: str, sheet: str, expected: Pos, verify, labels: str,
              target: Target | None = None, owner_at=None, home=None) -> Target | None:
        """Where to read ``name`` (a :class:`Target` whose ``pos`` is verified), or ``None`` when
        it is not read (the finding recorded).  ``verify(pos)`` lists the :class:`Mismatch` es at
        ``pos``; for messages, ``owner_at(pos)`` names the value whose place ``pos`` is and
        ``home(name)`` the place of another value."""
        t = target or self.target(name, sheet)
        if t.kind == "here":
            bad = verify(t.pos)
            if not bad:
                return t
            if t.pos != expected and not verify(expected):
                self._s10(name, sheet, expected, labels, t, bad[0], owner_at)
                return None
            self._s03(sheet, t.pos, bad)
            return None
        bad = verify(expected)
        if bad:
            self._s03(sheet, expected, bad)
            return None
        if t.kind == "elsewhere":
            self._s10(name, sheet, expected, labels, t, None, owner_at)
            return None
        here = Target("here", expected)
        if t.kind == "broken":
            others = [i for i in self.claims.get((sheet, *expected), []) if i != name]
            if others:
                self._s12(name, sheet, expected, labels, others, home)
                return None
            self.broken.setdefault(sheet, []).append(expected)
        elif t.kind == "missing":
            self.by_position.setdefault(sheet, []).append(expected)
        return here

    def label_check(self, sheet: str, label_pos: Pos, expected: str, labels: str) -> list[Mismatch]:
        """One label: ``expected`` at ``label_pos``."""
        got = self.raw(sheet, *label_pos)
        if _norm(got) == _norm(expected):
            return []
        return [Mismatch(label_pos, expected, values.to_text(got), labels)]

    # -- table cells -----------------------------------------------------------------------------
    def geometry(self, tl: TableLayout) -> Geometry:
        """The shifts of one table, from the names that point into its sheet."""
        shift: dict[str, Pos] = {}
        for c in tl.cells:
            t = self.target(c.id, tl.sheet, record=False)
            if t.kind == "here":
                shift[c.id] = (t.pos[0] - c.row, t.pos[1] - c.col)
        geo = Geometry(dc=_mode([d[1] for d in shift.values()]))
        model_rows = sorted({c.row for c in tl.cells})
        for first in sorted({c.block_first_row for c in tl.cells}):
            block = [c for c in tl.cells if c.block_first_row == first]
            head = [shift[c.id][0] for c in block if c.row == first and c.id in shift]
            geo.dh[first] = _mode(head or [shift[c.id][0] for c in block if c.id in shift])
            previous = geo.dh[first]
            for r in (r for r in model_rows if any(c.row == r for c in block)):
                geo.rows[r] = _mode([shift[c.id][0] for c in block if c.row == r and c.id in shift], previous)
                previous = geo.rows[r]
        return geo

    def verify_cell(self, tl: TableLayout, c: Cell, geo: Geometry, pos: Pos) -> list[Mismatch]:
        """Row path then column path of ``c`` checked around ``pos`` (see the module docstring)."""
        row_path, col_path = _label_paths(self.fmt.id, tl.id)[c.id]
        dh, dc = geo.dh.get(c.block_first_row, 0), geo.dc
        key = (tl.sheet, row_path, pos[0], dc, dh)       # cells of one row share their row path
        rows = self.verified.get(key)
        if rows is None:
            rows = self.verified[key] = self._row_path(tl.sheet, c, row_path, pos[0], dc, dh)
        key = (tl.sheet, col_path, pos[1], dc, dh)
        cols = self.verified.get(key)
        if cols is None:
            cols = self.verified[key] = self._col_path(tl, c, col_path, pos[1], dc, dh)
        return rows + cols

    def _row_path(self, sheet: str, c: Cell, path: tuple, row: int, dc: int, dh: int) -> list[Mismatch]:
        if not path:
            return []
        labels = SEP.join((c.table_title,) + c.rows)
        out = self.label_check(sheet, (row, path[0].col + dc), path[0].text, labels)
        floor = c.block_first_row + dh
        for box in path[1:]:
            col, r = box.col + dc, row
            while r > floor and values.is_blank(self.raw(sheet, r, col)):
                r -= 1
            out += self.label_check(sheet, (r, col), box.text, labels)
        return out

    def _col_path(self, tl: TableLayout, c: Cell, path: tuple, col: int, dc: int, dh: int) -> list[Mismatch]:
        labels = SEP.join((c.table_title,) + c.cols)
        out = self.label_check(tl.sheet, (path[0].row + dh, col), path[0].text, labels)
        floor = tl.label_cols + dc
        for box in path[1:]:
            row, left = box.row + dh, col
            while left > floor and values.is_blank(self.raw(tl.sheet, row, left)):
                left -= 1
            out += self.label_check(tl.sheet, (row, left), box.text, labels)
        return out

    def place_cell(self, tl: TableLayout, c: Cell, geo: Geometry, owners: dict[Pos, Cell]) -> Pos | None:
        """Where to read table cell ``c`` (verified), or ``None``."""
        def owner_at(pos: Pos) -> str:
            other = owners.get(pos)
            return f"“{SEP.join(other.rows + other.cols)}”" if other is not None and other is not c else ""
        def home(other: str) -> Pos | None:
            cell = self.fmt.cells.get(other)
            return geo.expected(cell) if cell is not None and cell.sheet == tl.sheet else None
        found = self.place(c.id, tl.sheet, geo.expected(c), lambda p: self.verify_cell(tl, c, geo, p),
                           c.label_path, owner_at=owner_at, home=home)
        return found.pos if found else None

    # -- findings --------------------------------------------------------------------------------
    def _s03(self, sheet: str, at: Pos, bad: list[Mismatch]) -> None:
        for m in bad:
            entry = self.bad_labels.setdefault((sheet, *m.pos), [m.expected, m.labels, []])
            if a1(*at) not in entry[2]:
                entry[2].append(a1(*at))

    def _counted(self, sheet: str) -> bool:
        self.conflicts[sheet] = self.conflicts.get(sheet, 0) + 1
        return self.conflicts[sheet] <= MAX_LABEL_FINDINGS

    def _s10(self, name: str, sheet: str, expected: Pos, labels: str, t: Target, bad: Mismatch | None,
             owner_at) -> None:
        if not self._counted(sheet):
            return
        where = f" {a1(*t.pos)}" if t.sheet == sheet else f"工作表“{t.sheet}”的 {a1(*t.pos)}"
        if bad is not None:
            there = f"，那里的标签是“{bad.found or '（空）'}”而不是“{bad.expected}”"
            owner = owner_at(t.pos) if owner_at else ""
            if owner:
                there += f"（{a1(*t.pos)} 是{owner}的位置）"
        else:
            there = "，不在本表"
        msg = f"名称 {name} 指向{where}{there}；按行列标签，本项应在 {a1(*expected)}"
        self.emit(sheet, *expected, make(Code.S10, msg, file=self.file, sheet=sheet, cell=a1(*expected), labels=labels,
                                         extra={"name": name, "name_points_to": f"{t.sheet}!{a1(*t.pos)}",
                                                "labels_at": f"{sheet}!{a1(*expected)}"}))

    def _s12(self, name: str, sheet: str, at: Pos, labels: str, others: list[str], home) -> None:
        if not self._counted(sheet):
            return
        other = others[0]
        place = home(other) if home else None
        if place is not None:
            msg = (f"本格的名称 {name} 已失效（#REF!），而本应在 {a1(*place)} 的名称 {other} 指向这里："
                   f"本格的数字可能是从 {a1(*place)} 剪切粘贴过来的")
        else:
            msg = f"本格的名称 {name} 已失效（#REF!），而名称 {other} 指向这里：本格的内容可能是从别处剪切粘贴过来的"
        self.emit(sheet, *at, make(Code.S12, msg, file=self.file, sheet=sheet, cell=a1(*at), labels=labels,
                                   extra={"name": name, "claimed_by": others}))

    def summaries(self) -> None:
        """S02 and S11 (one per sheet), S03 (one per wrong label, at most
        :data:`MAX_LABEL_FINDINGS` per sheet plus a count), and the count of S10/S12 left out."""
        for code, table in ((Code.S02, self.by_position), (Code.S11, self.broken)):
            for sheet, cells in table.items():
                cells.sort()
                shown = "、".join(a1(*rc) for rc in cells[:8]) + ("等" if len(cells) > 8 else "")
                msg = (f"{len(cells)} 个单元格（{shown}）的名称缺失或失效，行列标签核对无误" if code is Code.S02 else
                       f"{len(cells)} 个单元格（{shown}）的名称显示为 #REF!，行列标签核对无误")
                self.emit(sheet, -1, 0, make(code, msg, file=self.file, sheet=sheet, cell=a1(*cells[0]),
                                             extra={"cells": [a1(*rc) for rc in cells]}))
        per_sheet: dict[str, int] = {}
        for (sheet, row, col), (expected, labels, affected) in sorted(self.bad_labels.items()):
            per_sheet[sheet] = per_sheet.get(sheet, 0) + 1
            if per_sheet[sheet] > MAX_LABEL_FINDINGS:
                continue
            found = values.to_text(self.raw(sheet, row, col)) or "（空）"
            shown = "、".join(affected[:8]) + ("等" if len(affected) > 8 else "")
            self.emit(sheet, row, col, make(Code.S03, f"此处应为“{expected}”，实际为“{found}”；{shown} 因此未读取",
                file=self.file, sheet=sheet, cell=a1(row, col), labels=labels,
                extra={"expected": expected, "found": found, "cells": affected}))
        for sheet, n in per_sheet.items():
            if n > MAX_LABEL_FINDINGS:
                self.emit(sheet, 10**6, 0, make(Code.S03, f"另有 {n - MAX_LABEL_FINDINGS} 处标签与官方格式不符，未逐一列出",
                    file=self.file, sheet=sheet))
        for sheet, n in self.conflicts.items():
            if n > MAX_LABEL_FINDINGS:
                self.emit(sheet, 10**6, 1, make(Code.S10, f"另有 {n - MAX_LABEL_FINDINGS} 个单元格的名称与行列标签不一致，"
                                                          "未逐一列出", file=self.file, sheet=sheet))


registry.on_change(_label_paths.cache_clear)
