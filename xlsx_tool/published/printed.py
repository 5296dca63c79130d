"""The cross-checks of the tables as printed, totals included.

``check`` recomputes every total from its parts, so a printed total that does not add up would
never show there.  Here every rule of the format (总计 = its parts, （七）总计 = （一）…（六）,
一 + 二 = （七） + 四, 表四 blocks) is evaluated on the printed numbers: the printed total where a
total was printed, a blank as 0 (said in the message), and a rule touching an uncertain or
non-numeric cell is skipped (those cells have their own finding).  A balance rule that reads the
same with printed and recomputed totals is left to ``check``, so nothing is reported twice.
"""
from __future__ import annotations

from ..findings import Finding, cross_check
from ..formats import model
from ..formats.geometry import SEP
from ..formats.values import plain
from .split import EMPTY, Blank, Placeholder

_MISSING = object()


class PublishedValues:
    """Printed values of one report: ``get(cell id)`` → number, ``None`` (unknown) or a blank
    marker, with totals as printed."""

    def __init__(self, data):
        self.data = data
        self.fmt: model.Format = data.fmt
        self.recomputed = data.values()

    def printed(self, cid: str):
        cell = self.fmt.cells[cid]
        if cid in self.data.uncertain:
            return None
        if cell.is_input:
            v = self.data.inputs.get(cid)
            if v is None:
                return EMPTY if cid in self.data.blank else None
            return v
        v = self.data.printed.get(cid, _MISSING)
        if v is _MISSING:
            return _MISSING
        if isinstance(v, Placeholder):
            return None
        return v


def _value(v):
    return 0 if (v is EMPTY or isinstance(v, Blank)) else v


def findings(data) -> list[Finding]:
    """One X finding per cross-check that fails on the printed numbers (see module docstring)."""
    pv = PublishedValues(data)
    fmt = pv.fmt
    out = []
    for rule in fmt.rules:
        ids = rule.left + rule.right
        raw = {i: pv.printed(i) for i in ids}
        if any(v is None for v in raw.values()):
            continue
        # a total not printed at all (its row missing): the recomputed value stands in
        vals = {i: (pv.recomputed[i] if v is _MISSING else _value(v)) for i, v in raw.items()}
        if rule.kind == "total" and raw[rule.left[0]] is _MISSING:
            continue              # nothing printed to check
        left = sum((vals[i] for i in rule.left), 0)
        right = sum((vals[i] for i in rule.right), 0)
        if left == right:
            continue
        if rule.kind == "balance":
            same = all(vals[i] == pv.recomputed[i] for i in ids)
            if same:
                continue          # check() reports it with the same numbers
        blanks = [i for i, v in raw.items() if v is EMPTY]
        first = fmt.cells[rule.left[0]]
        blank_note = f"（其中 {len(blanks)} 个空白单元格按 0 计算）" if blanks else ""
        if rule.kind == "total":
            message = (f"印的“{SEP.join(first.rows + first.cols)}”为 {plain(left)}，"
                       f"{fmt.side(rule.right)} 之和为 {plain(right)}，"
                       f"{'多' if left > right else '少'} {plain(abs(left - right))}{blank_note}")
            labels = first.label_path
        else:
            message = (f"按印出的数字，左边 {fmt.side(rule.left)} = {plain(left)}，"
                       f"右边 {fmt.side(rule.right)} = {plain(right)}，"
                       f"左边比右边{'多' if left > right else '少'} {plain(abs(left - right))}{blank_note}")
            labels = f"{first.table_title}{SEP}{rule.scope}"
        out.append(cross_check(rule.code, rule.title, message, file=data.source, labels=labels,
                               left=fmt.side(rule.left), right=fmt.side(rule.right),
                               left_value=plain(left), right_value=plain(right),
                               difference=plain(left - right),
                               extra={"rule": rule.title, "source": rule.source, "printed": True}))
    return out
