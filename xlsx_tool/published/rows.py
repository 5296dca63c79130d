"""Printed table rows from grids and from text: a label and the values printed after it.

From a grid (HTML, Word, a ruled PDF table, tab-separated text) a row's label cells are those that
are not values; its values are the cells after the last label cell (a value spanning columns
counts once; a label spanning rows repeats, giving context).  Blank cells at either end beyond the
columns the table needs are grid padding.

From text the cell boundaries are gone.  A line is cut into text and numeric chunks: digits
separated by spaces or tabs are separate cells, digits glued together are a run (:mod:`.cells`);
an item number glued to the digits before it (``00000003.危及…``) is given back to the label.
The text before a group of numbers (on the same line, or on earlier lines without numbers) is
that row's label; text after the numbers up to the next numbers is kept as ``after`` (a label cut
across lines: ``5.要求行政机关确认或重新`` / numbers / ``出具已获取信息``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .cells import BLANK, PLACE, Token, parse
from .document import Grid, Para, clean


@dataclass
class Row:
    """One printed row: ``label`` (printed text, label cells joined), ``cells`` (label cells
    separately, grid only), ``tokens`` (its values), ``printed`` (the row as printed, for
    messages), ``grid`` (cell boundaries known), ``after`` (text rows: text after the numbers)."""
    label: str
    tokens: list[Token]
    printed: str
    grid: bool
    page: int = 0
    cells: list[str] = field(default_factory=list)
    after: str = ""
    values_text: str = ""

    @property
    def has_values(self) -> bool:
        return any(t.kind not in (BLANK,) for t in self.tokens)


# -- grids --------------------------------------------------------------------------------------
def grid_rows(grid: Grid) -> list[Row]:
    out = []
    for slots in grid.rows:
        labels: list[str] = []
        seen: set[int] = set()
        values: list[Token] = []
        printed: list[str] = []
        for slot in slots:
            if slot.origin < 0 or slot.origin in seen:
                continue
            seen.add(slot.origin)
            toks = parse(slot.text, bounded=True)
            if toks is None:
                labels.append(slot.text)
                values = []          # values come after the last label cell
                printed.append(slot.text)
                continue
            if not slot.top:         # a value cell spanning rows: read in its first row only
                continue
            values.extend(toks)
            if labels or slot.text:
                printed.append(slot.text or "（空）")
        shown = " | ".join(s.text or "（空）" for s in slots if s.top and s.left and s.origin >= 0
                           and parse(s.text, bounded=True) is not None)
        out.append(Row(clean(" ".join(labels)), values, " | ".join(p for p in printed if p),
                       True, grid.page, cells=labels, values_text=shown if values else ""))
    return out


def trim(tokens: list[Token], n: int) -> list[Token]:
    """Blank cells at either end dropped while there are more cells than ``n`` (grid padding)."""
    toks = list(tokens)
    while len(toks) > n and toks and toks[-1].kind == BLANK:
        toks.pop()
    while len(toks) > n and toks and toks[0].kind == BLANK:
        toks.pop(0)
    return toks


# -- text ---------------------------------------------------------------------------------------
_CHUNK = re.compile(r"[+\-−]?\d[\d,.]*")
_GAP = re.compile(r"^[\s|｜,，;；:：]*$")
_PLACE_WORD = re.compile(r"(?:(?<=\s)|^)(/|／|—{1,2}|－|-{1,2}|–)(?=\s|$)")
_UNIT = re.compile(r"^\s*(万元|元)")


def text_rows(paras: list[Para]) -> list[Row]:
    """Rows from lines of text (see the module docstring)."""
    rows: list[Row] = []
    pending: list[str] = []
    continued = False
    for para in paras:
        pieces = _pieces(para.text)
        # a line of numbers only continues the previous row's numbers (one cell per line)
        continued = len(pieces) == 1 and pieces[0][0] == "values" and continued_ok(rows, pending)
        for kind, text in pieces:
            if kind == "text":
                pending.append(text)
                if rows:
                    rows[-1].after = clean(rows[-1].after + " " + text)
                continue
            tokens, printed = text
            label = clean(" ".join(pending))
            if not pending and rows and rows[-1].page == para.page and continued:
                rows[-1].tokens.extend(tokens)          # one cell per line: the row goes on
                rows[-1].values_text = f"{rows[-1].values_text} {printed}".strip()
                rows[-1].printed = f"{rows[-1].printed} {printed}"
                continue
            rows.append(Row(label, tokens, f"{label} {printed}".strip(), False, para.page, after="",
                            values_text=printed))
            pending = []
        # a line break ends the numbers of a row; text on later lines is the next row's label
    return rows


def continued_ok(rows: list[Row], pending: list[str]) -> bool:
    return bool(rows) and not pending and not rows[-1].after


def _pieces(line: str) -> list[tuple[str, object]]:
    """A line as ``("text", str)`` and ``("values", (tokens, printed))`` pieces in order."""
    line = line.replace("|", " ").replace("｜", " ")
    line = _PLACE_WORD.sub(lambda m: f" \x00{m.group(1)}\x00 ", line)
    spans: list[tuple[int, int]] = []
    for m in _CHUNK.finditer(line):
        start, end = m.span()
        chunk = m.group(0)
        if chunk.endswith((".", ",")):
            nxt = line[end:end + 1]
            if chunk.endswith(".") and nxt and not nxt.isdigit() and not nxt.isspace():
                # an item number glued to the digits before it: 00000003.危及 → 0000000 + 3.危及
                digits = chunk[:-1]
                keep = digits[:-1] if len(digits) > 1 else ""
                if keep:
                    spans.append((start, start + len(keep)))
                continue
            end -= 1
        if start > 0 and line[start - 1] in "第（(" or line[end:end + 1] in ("项", "）", ")", "月", "日", "年", "%", "％"):
            continue   # 第5项, （同5项）, dates and percentages are text, not cells
        spans.append((start, end))
    places = [(m.start(), m.end()) for m in re.finditer(r"\x00[^\x00]*\x00", line)]
    marks = sorted([(s, e, "n") for s, e in spans] + [(s, e, "p") for s, e in places])
    out: list[tuple[str, object]] = []
    pos = 0
    group: list[Token] = []
    printed: list[str] = []
    for s, e, kind in marks:
        between = line[pos:s]
        if group and not _GAP.match(between):
            out.append(("values", (group, " ".join(printed))))
            group, printed = [], []
        if not group and clean(between):
            out.append(("text", clean(between)))
        raw = line[s:e].strip("\x00")
        if kind == "p":
            group.append(Token(PLACE, raw))
        else:
            unit = _UNIT.match(line[e:])
            toks = parse(raw, bounded=False) or []
            if unit and toks:
                toks = [Token(t.kind, t.text, t.value, t.note, unit.group(1)) for t in toks]
            group.extend(toks)
        printed.append(raw)
        pos = e
        if kind == "n":
            unit = _UNIT.match(line[e:])
            if unit:
                pos = e + unit.end()
    if group:
        out.append(("values", (group, " ".join(printed))))
    if clean(line[pos:]):
        out.append(("text", clean(line[pos:])))
    return out
