"""From matched rows to cell values: every number read right or reported as uncertain.

For each printed row paired with an official row (:mod:`.tables`), the readings of its values
(:mod:`.split`) are narrowed down:

1. exactly one reading by the column count → taken (a 提示 when a run was cut, P16, or tokens
   were left out or assumed blank, P18);
2. several → those satisfying the row's own cross-checks (总计 = its parts; each 表四 block);
3. still several (or none) → the table's column cross-checks (表三 一 + 二 = （七） + 四, （七）总计 =
   its parts) over every combination of the undecided rows; a row whose reading is the same in
   every surviving combination is taken (P16/P18), any other row is uncertain (P17): its cells are
   not read and the finding quotes the printed text.  Never a silent pick.

An extra 小计 column (法人或其他组织, the "28 × 8" layout) is recognised from the header or, when
most rows carry one value too many, from the one column position that equals the sum of its group
in every such row; it is checked (P20) and dropped (P19).
"""
from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from ..findings import Code, Finding, make
from ..formats import model
from ..formats.geometry import SEP
from ..formats.values import parse_number
from .labels import best_window, norm
from .rows import Row, trim
from .split import EMPTY, Blank, Placeholder, Reading, readings
from .tables import Leaf, Match

#: Combinations of undecided rows tried against the column cross-checks at most.
MAX_COMBINATIONS = 20_000


@dataclass
class TableValues:
    """What one table printed: ``values`` (cell id → number, :data:`~.split.EMPTY` or a
    :class:`~.split.Placeholder`), ``uncertain`` (cell id → printed text), ``missing`` leaves,
    ``notes`` (annotations for the table's 注), ``units`` (choice id → unit) and findings."""
    values: dict = field(default_factory=dict)
    uncertain: dict = field(default_factory=dict)
    missing: list[Leaf] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    units: dict = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)


def _num(v):
    if v is EMPTY or isinstance(v, Blank):
        return 0
    if isinstance(v, Placeholder) or v is None:
        return None
    return v


def _holds(rule: model.Rule, get) -> bool:
    """Whether a rule holds; ``True`` when a cell is unknown (not evaluable)."""
    left = [_num(get(i)) for i in rule.left]
    right = [_num(get(i)) for i in rule.right]
    if any(v is None for v in left + right):
        return True
    return sum(left) == sum(right)


class Resolver:
    def __init__(self, m: Match, source: str):
        self.m, self.spec, self.fmt, self.source = m, m.spec, m.spec.fmt, source
        self.tl = m.spec.tl
        self.out = TableValues()
        self.ids = {lf.cells[0].row: {c.id for c in lf.cells} for lf in self.spec.leaves}
        self.rules = [r for r in self.fmt.rules if r.table == self.tl.id]
        self.split_rows: list[tuple[str, str, str]] = []
        self.alternatives: dict[int, list[Reading]] = {}

    # -- helpers --------------------------------------------------------------------------------
    def where(self, leaf: Leaf, col: model.Cell | None = None) -> str:
        parts = [self.tl.heading] + [x for x in (leaf.caption,) + leaf.groups + (leaf.label,) if x]
        if col is not None:
            parts += list(col.cols)
        return SEP.join(parts)

    def note(self, code: Code, message: str, labels: str, **extra) -> None:
        self.out.findings.append(make(code, message, file=self.source, labels=labels, extra=extra))

    def row_rules(self, leaf: Leaf) -> list[model.Rule]:
        ids = {c.id for c in leaf.cells}
        return [r for r in self.rules if set(r.left + r.right) <= ids]

    # -- the extra subtotal column --------------------------------------------------------------
    def subtotal_position(self) -> tuple[int, list[int]] | None:
        """``(position, group columns)`` of an extra 小计 column, or ``None``: the deepest column
        group of two or more columns (表三's 法人或其他组织) gets one before or after it."""
        leaf = self.spec.leaves[0]
        if self.spec.one_row:
            return None
        groups: dict[tuple, list[int]] = {}
        for i, c in enumerate(leaf.cells):
            if len(c.cols) >= 2:
                groups.setdefault(c.cols[:-1], []).append(i)
        groups = {g: idx for g, idx in groups.items() if len(idx) >= 2}
        if not groups:
            return None
        deepest = max(len(g) for g in groups)
        inner = [idx for g, idx in groups.items() if len(g) == deepest]
        if len(inner) != 1:
            return None
        idx = inner[0]
        before, after = idx[0], idx[-1] + 1
        head, n = self.m.header_text, len(leaf.cells)
        for word in ("小计", "合计"):
            if word in head:
                first = head.find(norm(leaf.cells[idx[0]].cols[-1]))
                return (before if 0 <= head.find(word) < first else after), idx
        wide = [p for p, _, _ in self.m.pairs if p.grid and len(trim(p.tokens, n + 1)) == n + 1]
        if not wide or len(wide) * 2 <= len(self.m.pairs):
            return None
        fits = []
        for pos in (before, after):
            ok = True
            for row in wide:
                vals = [t.value for t in trim(row.tokens, n + 1)]
                rest = vals[:pos] + vals[pos + 1:]
                if any(v is None for v in vals) or vals[pos] != sum(rest[i] for i in idx):
                    ok = False
                    break
            fits.append(ok)
        if fits.count(True) == 1:
            return (before if fits[0] else after), idx
        return None

    # -- the table ------------------------------------------------------------------------------
    def run(self) -> TableValues:
        sub = self.subtotal_position()
        if sub:
            self.note(Code.P19, "表中“法人或其他组织”多出“小计”列（官方格式没有这一列），已按官方的 7 列读取，小计只用于核对",
                      self.tl.heading, position=sub[0])
        decided: dict[int, tuple[Leaf, Row, Reading]] = {}
        open_rows: dict[int, tuple[Leaf, Row, list[Reading]]] = {}
        for row, leaf, score in self.m.pairs:
            self.label_note(row, leaf, score)
            types = [c.type for c in leaf.cells]
            if sub:
                types = types[:sub[0]] + ["count"] + types[sub[0]:]
            tokens = trim(row.tokens, len(types)) if row.grid else list(row.tokens)
            rules = self.row_rules(leaf)
            found = readings(tokens, types, blanks=bool(rules) and not row.grid)
            if found is None:
                self.uncertain(leaf, row, "可能的拆分方式过多")
                continue
            if sub:
                found = [self.drop_subtotal(r, sub, leaf, row) for r in found]
                found = list({r.values: r for r in found}.values())
            if not found:
                self.uncertain(leaf, row, f"数字与这一行的 {len(leaf.cells)} 列对不上")
                continue
            if len(found) == 1:
                decided[id(leaf)] = (leaf, row, found[0])
                continue
            ids = [c.id for c in leaf.cells]

            def fits(r: Reading) -> bool:
                return all(_holds(rule, dict(zip(ids, r.values)).get) for rule in rules)

            # every cell printed (no blank hidden in the digits) comes first; blanks only when no
            # such reading adds up
            full = [r for r in found if "blanks" not in r.how and fits(r)]
            gaps = [r for r in found if "blanks" in r.how and fits(r)]
            chosen = full if full else gaps
            if len(chosen) == 1:
                decided[id(leaf)] = (leaf, row, Reading(chosen[0].values, chosen[0].how | {"rules"}))
                self.alternatives[id(leaf)] = found
            elif not chosen and rules:
                self.inconsistent(leaf, row, tokens, types, rules)
            else:
                open_rows[id(leaf)] = (leaf, row, chosen or found)
        self.settle(decided, open_rows)
        self.recheck(decided)
        for leaf, row, reading in sorted(decided.values(), key=lambda d: d[0].cells[0].row):
            self.take(leaf, row, reading)
        self.header_notes()
        if self.split_rows:
            first = self.split_rows[0]
            shown = f"如“{first[0]}”读作 {first[1]}{first[2]}"
            ruled = sum(1 for r in self.split_rows if r[2])
            self.note(Code.P16, f"{len(self.split_rows)} 行的数字连在一起，已按列数拆分{'（其中 ' + str(ruled) + ' 行按勾稽关系确定）' if ruled else ''}；{shown}",
                      self.tl.heading, rows=[{"printed": p, "read": r} for p, r, _ in self.split_rows])
        matched = {id(lf) for _, lf, _ in self.m.pairs}
        for leaf in self.spec.leaves:
            if id(leaf) not in matched:
                self.out.missing.append(leaf)
        return self.out

    def drop_subtotal(self, r: Reading, sub, leaf: Leaf, row: Row) -> Reading:
        pos, idx = sub
        vals = list(r.values)
        subtotal = vals.pop(pos)
        parts = [_num(vals[i]) for i in idx]
        if _num(subtotal) is not None and None not in parts and sum(parts) != _num(subtotal) \
                and not getattr(self, "_p20_" + str(id(leaf)), False):
            setattr(self, "_p20_" + str(id(leaf)), True)
            self.note(Code.P20, f"小计印的是 {subtotal}，商业企业至其他之和为 {sum(parts)}（原文：{row.printed}）",
                      self.where(leaf) + SEP + "法人或其他组织" + SEP + "小计", printed=row.printed)
        return Reading(tuple(vals), r.how)

    def settle(self, decided: dict, open_rows: dict) -> None:
        """Step 3 of the module docstring: the column cross-checks over undecided rows."""
        if not open_rows:
            return
        known: dict[str, object] = {}
        for leaf, _, reading in decided.values():
            known.update(zip([c.id for c in leaf.cells], reading.values))
        pending = list(open_rows.values())
        rules = [r for r in self.rules
                 if any(i in {c.id for lf, _, _ in pending for c in lf.cells} for i in r.left + r.right)]
        total = 1
        for _, _, rs in pending:
            total *= len(rs)
        survivors: list[tuple] = []
        if total <= MAX_COMBINATIONS:
            for combo in itertools.product(*[rs for _, _, rs in pending]):
                values = dict(known)
                for (leaf, _, _), r in zip(pending, combo):
                    values.update(zip([c.id for c in leaf.cells], r.values))
                if all(_holds(rule, lambda i: values.get(i)) for rule in rules):
                    survivors.append(combo)
        for k, (leaf, row, rs) in enumerate(pending):
            options = {combo[k].values for combo in survivors}
            if len(options) == 1:
                r = survivors[0][k]
                decided[id(leaf)] = (leaf, row, Reading(r.values, r.how | {"rules"}))
            else:
                why = ("没有一种拆分能满足表格的勾稽关系" if survivors == [] and total <= MAX_COMBINATIONS
                       else "有多种拆分方式都满足表格的勾稽关系")
                shown = "；".join("、".join(_show(v) for v in r.values) for r in rs[:3])
                self.uncertain(leaf, row, f"{why}（可能的读法如：{shown}{'等' if len(rs) > 3 else ''}）")

    def header_notes(self) -> None:
        """P11 for a column label printed with a typo (``先行有效件数`` for ``现行有效件数``)."""
        head = self.m.header_text[:3000]
        seen = set()
        for b in self.tl.boxes:
            if b.role != "col_header" or len(norm(b.text)) < 4 or norm(b.text) in head or b.text in seen:
                continue
            seen.add(b.text)
            found, _ = best_window(norm(b.text), head, 0.75)
            if found and found not in {norm(x.text) for x in self.tl.boxes}:
                self.note(Code.P11, f"表头原文为“{found}”，按官方标签“{b.text}”读取", SEP.join((self.tl.heading, b.text)),
                          printed=found, official=b.text)

    def recheck(self, decided: dict) -> None:
        """A row chosen by its own cross-check is kept only if no reading it rejected would make
        the table's column cross-checks hold where the chosen one breaks them (a printed total
        that does not add up can make a wrong split look right)."""
        for key, alts in self.alternatives.items():
            if key not in decided:
                continue
            leaf, row, chosen = decided[key]
            ids = [c.id for c in leaf.cells]
            values: dict[str, object] = {}
            for lf, _, r in decided.values():
                values.update(zip([c.id for c in lf.cells], r.values))
            cols = [r for r in self.rules if set(ids) & set(r.left + r.right) and not set(r.left + r.right) <= set(ids)]
            if all(_holds(rule, values.get) for rule in cols):
                continue
            for alt in alts:
                if alt.values == chosen.values:
                    continue
                trial = dict(values)
                trial.update(zip(ids, alt.values))
                if all(_holds(rule, trial.get) for rule in cols):
                    del decided[key]
                    shown = "；".join("、".join(_show(v) for v in r.values) for r in (chosen, alt))
                    self.uncertain(leaf, row, f"有两种读法（{shown}）分别满足这一行和所在列的勾稽关系")
                    break

    # -- results --------------------------------------------------------------------------------
    def label_note(self, row: Row, leaf: Leaf, score: float) -> None:
        printed = row.cells[-1] if row.cells else shown_label(row, leaf)
        if leaf.label and score < 0.9 and norm(printed) != leaf.norm:
            self.note(Code.P11, f"原文为“{printed}”，按官方标签“{leaf.label}”读取", self.where(leaf),
                      printed=printed, official=leaf.label)

    def uncertain(self, leaf: Leaf, row: Row, why: str) -> None:
        printed = shown_row(row, leaf)
        for c in leaf.cells:
            self.out.uncertain[c.id] = (row.values_text or printed)[:200]
        self.note(Code.P17, f"原文为“{printed}”，{why}；这一行 {len(leaf.cells)} 个单元格未读取",
                  self.where(leaf), printed=printed, cells=[c.id for c in leaf.cells])

    def inconsistent(self, leaf: Leaf, row: Row, tokens, types, rules) -> None:
        """P25: a row whose every reading breaks its own cross-check (a printed total that does
        not add up, or blank cells): not read, and an error."""
        printed = shown_row(row, leaf)
        for c in leaf.cells:
            self.out.uncertain[c.id] = (row.values_text or printed)[:200]
        plain = readings(tokens, types)
        natural = ("按每格一个数字读作 " + "、".join(_show(v) for v in plain[0].values) + "，"
                   if plain and len(plain) == 1 else "")
        titles = "；".join(dict.fromkeys(r.title for r in rules))
        self.note(Code.P25, f"原文为“{printed}”，{natural}“{titles}”不成立，其他拆分方式（含空白单元格）也都不成立；"
                            f"这一行 {len(leaf.cells)} 个单元格未读取", self.where(leaf), printed=printed,
                  cells=[c.id for c in leaf.cells])

    def take(self, leaf: Leaf, row: Row, reading: Reading) -> None:
        how = reading.how
        shown = "、".join(_show(v) for v in reading.values)
        basis = "，且唯一满足表格的勾稽关系" if "rules" in how else ""
        printed = shown_row(row, leaf)
        if "split" in how:
            self.split_rows.append((printed, shown, basis))
        elif how & {"dropped", "blanks"}:
            what = "多于" if "dropped" in how else "少于"
            self.note(Code.P18, f"原文为“{printed}”，数字个数{what}列数，读作 {shown}{basis or '（各种读法结果相同）'}",
                      self.where(leaf), printed=printed, read=[_show(v) for v in reading.values])
        for cell, value in zip(leaf.cells, reading.values):
            self.out.values[cell.id] = value
        for t in row.tokens:
            if t.note:
                self.out.notes.append(f"{leaf.label}：{t.value}（{t.note}）")
                self.note(Code.P15, f"原文为“{t.text}（{t.note}）”，读取数字 {t.value}，说明文字写入表下的“注”",
                          self.where(leaf), printed=t.text)
            if t.unit in ("元", "万元"):
                for cell in leaf.cells:
                    if cell.unit_field:
                        self.out.units[cell.unit_field] = t.unit


_MARK = re.compile(r"[一二三四五六七八九十]{1,3}、|[（(][一二三四五六七八九十]{1,3}[)）]|(?<![\d.])\d{1,2}\s*[.．、](?!\d)")


def shown_label(row: Row, leaf: Leaf) -> str:
    """The row's own label as printed, without header text or group labels run into it."""
    if row.grid:
        return row.cells[-1] if row.cells else ""
    raw = row.label
    marks = list(_MARK.finditer(raw))
    if _MARK.match(leaf.label) and marks and marks[-1].start() > 0:
        return raw[marks[-1].start():].strip()
    compact = "".join(raw.split())
    if norm(compact).endswith(leaf.norm) and len(compact) >= len(leaf.label):
        return compact[-len(leaf.label):]
    for k in range(min(len(compact), len(leaf.label)), 1, -1):
        if norm(compact[-k:]) in leaf.norm:
            return compact[-k:]
    limit = len(leaf.label) + 2
    return raw if len(raw) <= limit + 2 else raw[-limit:].strip()


def shown_row(row: Row, leaf: Leaf, limit: int = 120) -> str:
    """The printed row for a message: its own label and its values as printed (cut at ``limit``)."""
    if not leaf.label:
        text = row.values_text or row.printed
    else:
        text = f"{shown_label(row, leaf)} {row.values_text}".strip() if row.values_text else row.printed
    return text if len(text) <= limit else text[:limit] + "…"


def _show(v) -> str:
    if v is EMPTY or isinstance(v, Blank):
        return "（空）"
    if isinstance(v, Placeholder):
        return f"“{v.text}”"
    return str(v)


def resolve(m: Match, source: str) -> TableValues:
    return Resolver(m, source).run()


def check_value(cell: model.Cell, value):
    """A printed number judged as a cell of its type: ``(number or None, V code or None)``."""
    p = parse_number(str(value), cell.type)
    return p.value, p.code
