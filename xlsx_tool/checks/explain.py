"""Apply the clerk's explanations (说明) to the findings of a check.

An explanation names a code and optionally a place: ``表三!D7`` (that sheet and cell), ``D7`` (that
cell on any sheet) or ``表三`` (every finding of that code on the sheet); without a place it covers
every finding of its code.  A 提示 it covers becomes 已说明 (:data:`~xlsx_tool.findings.EXPLAINED`)
and carries the explanation; an 错误 keeps its severity (an error must be corrected) and shows the
explanation beside it.  An explanation that covers nothing is a Y08 提示 on its row of 说明.
"""
from __future__ import annotations

import re
from dataclasses import replace

from ..findings import ERROR, EXPLAINED, Code, Finding, make
from ..formats.content import Explanation
from ..formats.geometry import SEP, a1

_CELL = re.compile(r"[A-Z]{1,3}\d{1,7}")
SHEET = "说明"


def covers(e: Explanation, f: Finding) -> bool:
    """Whether explanation ``e`` is about finding ``f`` (see the module docstring)."""
    if e.code != f.code:
        return False
    place = e.cell
    if not place:
        return True
    if "!" in place:
        sheet, cell = place.split("!", 1)
        return f.sheet == sheet and f.cell == cell
    if _CELL.fullmatch(place):
        return f.cell == place
    return f.sheet == place


def apply(found: list[Finding], explanations: list[Explanation], file: str = ""
          ) -> tuple[list[Finding], list[Finding], list[Finding]]:
    """``(errors, warnings, explained)``: ``found`` split by severity after the explanations, with
    Y08 for every explanation that covers no finding added to the warnings."""
    errors, warnings, explained = [], [], []
    used: set[int] = set()
    for f in found:
        k = next((k for k, e in enumerate(explanations) if covers(e, f)), None)
        if k is not None:
            used.add(k)
            f = replace(f, explanation=explanations[k].text,
                        severity=f.severity if f.severity == ERROR else EXPLAINED)
        (errors if f.severity == ERROR else explained if f.severity == EXPLAINED else warnings).append(f)
    for k, e in enumerate(explanations):
        if k in used:
            continue
        place = f"“{e.cell}”处" if e.cell else "任何位置"
        where = dict(file=file, sheet=SHEET, labels=f"{SHEET}{SEP}{e.code}")
        if e.row is not None:
            where["cell"] = a1(e.row, 0)
        warnings.append(make(Code.Y08, f"说明“{e.text[:30]}”：本次检查在{place}没有 {e.code} 的提示", **where))
    return errors, warnings, explained
