"""The live check cells of the table sheets: ✓, the difference, or what is still missing.

One check cell per cross-check instance (:class:`~xlsx_tool.formats.geometry.Rule`), placed by
the layout.  It shows

* ``未填N格`` (amber) while N of the input cells behind the rule are blank — a blank template or
  a half-filled column is not yet “correct”;
* ``有非数字`` (red) when every cell holds something but one is not a number (“无”, “-”, a number
  stored as text): ``SUM`` would silently skip it;
* ``✓`` (green) when the equation holds, else the difference left − right (red).

Only functions Excel, WPS and LibreOffice share: ``IF``, ``SUM``, ``COUNT`` (numbers),
``COUNTA`` (anything) and ``&``, with English names and commas.  The same decision is made in
Python (:func:`cached`) for the cached result of a prefilled template.
"""
from __future__ import annotations

from decimal import Decimal

from ..formats import model
from ..formats.geometry import ranges

CHECK_OK = "✓"
NOT_NUMBER = "有非数字"
PENDING = "未填"
GREEN = {"bg_color": "#C6EFCE", "font_color": "#006100"}
AMBER = {"bg_color": "#FFEB9C", "font_color": "#9C5700"}
RED = {"bg_color": "#C00000", "font_color": "#FFFFFF", "bold": True}
#: What the clerk reads beside the tables and in 填报说明.
MEANING = (f"“检查”格显示 {CHECK_OK} 表示该项勾稽关系成立；显示“{PENDING}N格”表示这一项还有 N 个格子没有填写；"
           f"显示“{NOT_NUMBER}”表示有格子填的是文字（如“无”）或文本格式的数字，请改为数字；"
           "变红并显示数字时，该数字是等式左边减右边的差，请核对相关数字后更正。")


def inputs(fmt: model.Format, rule: model.Rule) -> list[str]:
    """The input cells behind a rule (totals replaced by their parts), each once, in order."""
    return list(dict.fromkeys(leaf for c in rule.left + rule.right for leaf in fmt.leaves(c)))


def _args(fmt: model.Format, ids) -> str:
    return ranges([(fmt.cells[i].row, fmt.cells[i].col) for i in ids])


def formula(fmt: model.Format, rule: model.Rule) -> str:
    """``=IF(COUNT(cells)=N, IF(SUM(left)=SUM(right),"✓",SUM(left)-SUM(right)),
    IF(COUNTA(cells)<N,"未填"&(N-COUNTA(cells))&"格","有非数字"))``."""
    leaves = inputs(fmt, rule)
    n, cells = len(leaves), _args(fmt, leaves)
    left, right = _args(fmt, rule.left), _args(fmt, rule.right)
    balance = f'IF(SUM({left})=SUM({right}),"{CHECK_OK}",SUM({left})-SUM({right}))'
    missing = f'IF(COUNTA({cells})<{n},"{PENDING}"&({n}-COUNTA({cells}))&"格","{NOT_NUMBER}")'
    return f"=IF(COUNT({cells})={n},{balance},{missing})"


def cached(fmt: model.Format, rule: model.Rule, numbers: dict, values: dict | None):
    """What :func:`formula` computes for a prefilled template (``numbers``: input id → value,
    missing or ``None``/"" blank, ``str`` text; ``values``: every cell's value, or ``None`` when
    nothing numeric was prefilled — then "" so that the application computes it)."""
    if values is None:
        return ""
    leaves = inputs(fmt, rule)
    blank = sum(numbers.get(i) in (None, "") for i in leaves)
    if blank:
        return f"{PENDING}{blank}格"
    if any(isinstance(numbers.get(i), str) for i in leaves):
        return NOT_NUMBER
    diff = sum(values[i] for i in rule.left) - sum(values[i] for i in rule.right)
    if diff == 0:
        return CHECK_OK
    diff = diff.normalize() if isinstance(diff, Decimal) else diff
    return float(diff) if isinstance(diff, Decimal) and diff != diff.to_integral() else int(diff)


def write(ws, styles: dict, fmt: model.Format, rule: model.Rule, numbers: dict, values: dict | None) -> None:
    """The check cell of ``rule`` on worksheet ``ws`` (xlsxwriter), with its three colours;
    ``styles`` holds ``check`` (the cell) and ``ok``/``pending``/``bad`` (conditional formats)."""
    r, c = rule.check_pos
    ws.write_formula(r, c, formula(fmt, rule), styles["check"], cached(fmt, rule, numbers, values))
    me = model.a1(r, c)
    for criteria, style in ((f'={me}="{CHECK_OK}"', "ok"),
                            (f'=LEFT({me},{len(PENDING)})="{PENDING}"', "pending"),
                            (f'=AND({me}<>"{CHECK_OK}",{me}<>"")', "bad")):
        ws.conditional_format(r, c, r, c, {"type": "formula", "criteria": criteria,
                                           "format": styles[style], "stop_if_true": True})
