"""Finding the official tables among the printed rows, and which format they were printed in.

Everything about the tables comes from the format data (:class:`~xlsx_tool.formats.model.Format`):
each table's data rows (*leaves*: label, cells in column order), its header words (captions,
corner, column labels, group labels).  Printed rows are matched to leaves by label similarity
(:func:`.labels.similarity`) in reading order — a dynamic programme picks the best monotonic
pairing, so a missing row (the 规章 row left out), a repeated header or a row printed twice shifts
nothing, and no row can take the numbers of another.  表四 has no row labels: its numbers are
every value printed outside the label rows, in order (one row of 15, three blocks of 5, or
numbers between the header words).

The format is the one whose labels the printed tables match best (a 2021 report printed with the
2019 tables reads as 2019); each grid goes to the table it matches best, text rows to the table
of the section they are printed in.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..formats import model, registry
from .document import Grid
from .labels import MARKER, norm, similarity
from .rows import Row, grid_rows, text_rows, trim
from .split import readings
from .structure import Structure

THRESHOLD = 0.6
#: Rows of one printed table read at most (an official table has at most 28); a grid with more
#: rows is not one of the official tables.
MAX_ROWS = 300
#: Weight of each header word of a table (column labels, captions) seen among the printed rows.
HEADER_WEIGHT = 0.5


@dataclass
class Leaf:
    """One printed data row of an official table: its ``label`` (``norm``: normalised), the
    ``cells`` in column order, the block ``caption`` (表二) and the group labels above it."""
    label: str
    norm: str
    cells: list[model.Cell]
    caption: str = ""
    groups: tuple[str, ...] = ()


@dataclass
class Spec:
    fmt: model.Format
    tl: model.TableLayout
    leaves: list[Leaf]
    words: list[str]

    @property
    def one_row(self) -> bool:
        return len(self.leaves) == 1 and not self.leaves[0].label


def specs(fmt: model.Format) -> dict[str, Spec]:
    out = {}
    for tl in fmt.tables:
        by_row: dict[int, list[model.Cell]] = {}
        for c in tl.cells:
            by_row.setdefault(c.row, []).append(c)
        leaves = []
        for r in sorted(by_row):
            cells = sorted(by_row[r], key=lambda c: c.col)
            first = cells[0]
            caption = first.rows[0] if first.rows and len(first.rows) > 1 and first.rows[0].startswith("第") else ""
            label = first.row_label if first.rows else ""
            groups = tuple(x for x in first.rows[:-1] if x != caption)
            leaves.append(Leaf(label, norm(label), cells, caption, groups))
        leaf_labels = {lf.label for lf in leaves}
        words = sorted({norm(b.text) for b in tl.boxes if b.text and b.role in ("caption", "corner", "col_header", "row_header")
                        and b.text not in leaf_labels}, key=len, reverse=True)
        out[tl.id] = Spec(fmt, tl, leaves, words)
    return out


@dataclass
class Match:
    """Printed rows paired with one table's leaves: ``pairs`` (row, leaf, score), ``stray``
    (rows with numbers matching no leaf), ``score`` (sum) and ``header`` (header words seen)."""
    spec: Spec
    rows: list[Row] = field(default_factory=list)
    pairs: list[tuple[Row, Leaf, float]] = field(default_factory=list)
    stray: list[Row] = field(default_factory=list)
    score: float = 0.0
    header: int = 0
    header_text: str = ""


def fit(row: Row, leaf: Leaf) -> float:
    """0.5 when the row's values fill the leaf's columns in exactly one way (the number of cells
    printed is itself evidence of the format), else 0."""
    types = [c.type for c in leaf.cells]
    found = readings(trim(row.tokens, len(types)) if row.grid else row.tokens, types, limit=50)
    return 0.5 if found is not None and len(found) == 1 and not (found[0].how & {"blanks", "dropped"}) else 0.0


def row_score(row: Row, leaf: Leaf) -> float:
    texts = {norm(row.label)} | {norm(c) for c in row.cells}
    best = max((similarity(leaf.norm, t) for t in texts if t), default=0.0)
    after = norm(row.after)
    if after and not row.grid and len(after) <= 16 and not MARKER.search(after):
        best = max(best, 0.97 * similarity(leaf.norm, norm(row.label + row.after)))
    return best


def header_like(row: Row, spec: Spec) -> bool:
    """A row whose label is only header words of the table (or nothing)."""
    label = norm(row.label)
    rest = label
    for w in spec.words:
        rest = rest.replace(w, "")
    for lf in spec.leaves:
        rest = rest.replace(lf.norm, "") if lf.norm else rest
    left = len([ch for ch in rest if ch.isalnum()])
    return left <= 2 or left <= 0.25 * len([ch for ch in label if ch.isalnum()])


def match(rows: list[Row], spec: Spec) -> Match:
    m = Match(spec, rows)
    m.header_text = norm(" ".join(r.label for r in rows))
    m.header = sum(1 for w in spec.words if len(w) >= 2 and w in m.header_text)
    data = [r for r in rows if r.has_values]
    if spec.one_row:
        values = [r for r in data if header_like(r, spec)]
        if values:
            merged = Row("", [t for r in values for t in r.tokens], "；".join(r.printed for r in values),
                         all(r.grid for r in values), values[0].page,
                         values_text=" ".join(r.values_text for r in values if r.values_text))
            m.pairs = [(merged, spec.leaves[0], 1.0)]
            m.score = 1.0 + fit(merged, spec.leaves[0]) + HEADER_WEIGHT * m.header
        m.stray = [r for r in data if r not in values]
        return m
    n, k = len(data), len(spec.leaves)
    score = [[row_score(r, lf) for lf in spec.leaves] for r in data]
    NEG = float("-inf")
    dp = [[0.0] * (k + 1) for _ in range(n + 1)]
    move = [[""] * (k + 1) for _ in range(n + 1)]
    for i in range(1, n + 1):
        for j in range(1, k + 1):
            options = [(dp[i - 1][j], "r"), (dp[i][j - 1], "l")]
            s = score[i - 1][j - 1]
            if s >= THRESHOLD:
                options.append((dp[i - 1][j - 1] + s, "m"))
            best = max(options, key=lambda o: o[0] if o[0] != NEG else -1e9)
            dp[i][j], move[i][j] = best
        move[i][0] = "r"
    i, j = n, k
    paired = set()
    while i > 0 and j > 0:
        mv = move[i][j]
        if mv == "m":
            m.pairs.append((data[i - 1], spec.leaves[j - 1], score[i - 1][j - 1]))
            paired.add(i - 1)
            i, j = i - 1, j - 1
        elif mv == "r":
            i -= 1
        else:
            j -= 1
    m.pairs.reverse()
    m.score = dp[n][k] + sum(fit(r, lf) for r, lf, _ in m.pairs) + HEADER_WEIGHT * m.header
    m.stray = [r for idx, r in enumerate(data) if idx not in paired]
    return m


# -- where the rows of each table are -------------------------------------------------------------
def regions(st: Structure, fmt: model.Format) -> tuple[dict[str, list[Row]], list[Grid]]:
    """Rows per table id: every grid goes to the table it matches best; text rows to the table of
    their section.  Also the grids that match no table (extra tables)."""
    sp = specs(fmt)
    by_section = {i: s.get("table") for i, s in enumerate(fmt.report_sections)}
    out: dict[str, list[Row]] = {tid: [] for tid in sp}
    others: list[Grid] = []
    blocks = [(None, b) for b in st.preamble] + [(sec.index, b) for sec in st.sections for b in sec.blocks]
    pending_text: dict[str, list] = {}
    for index, block in blocks:
        if isinstance(block, Grid):
            if len(block.rows) > MAX_ROWS:
                others.append(block)
                continue
            rows = grid_rows(block)
            scored = [(match(rows, s).score, tid) for tid, s in sp.items()]
            best, tid = max(scored)
            if best >= 2.0:
                out[tid].extend(rows)
            else:
                others.append(block)
            continue
        tid = by_section.get(index) if index is not None else None
        if tid and len(pending_text.setdefault(tid, [])) < MAX_ROWS * 4:
            pending_text[tid].append(block)
    for tid, paras in pending_text.items():
        out[tid].extend(text_rows(paras)[:MAX_ROWS])
    for tid in out:
        del out[tid][MAX_ROWS * 2:]
    return out, others


def choose(st: Structure, year: int | None) -> tuple[model.Format, dict[str, Match], list[Grid]]:
    """The format the tables were printed in and each table's match in it."""
    results = []
    for fid in registry.available():
        fmt = model.load(fid)
        rows, others = regions(st, fmt)
        sp = specs(fmt)
        matches = {tid: match(rows[tid], sp[tid]) for tid in sp}
        total = sum(m.score for m in matches.values())
        prefer = 1 if year is not None and fmt.serves(year) else 0
        results.append((round(total, 6), prefer, fid, fmt, matches, others))
    results.sort(key=lambda r: (r[0], r[1]), reverse=True)
    _, _, _, fmt, matches, others = results[0]
    return fmt, matches, others
