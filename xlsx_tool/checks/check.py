"""Judge a report: every cross-check (勾稽关系) of the format, after what reading found.

``check`` works on :class:`~xlsx_tool.formats.content.ReportData` from any source (a workbook, a
sample, a published report);
``check_file`` reads a workbook first.  Totals are always recomputed from the inputs
(:meth:`ReportData.values`), never taken from cached results, so a ``total`` rule can only fail
when a total was typed over — which reading already reports as S04/S06.  Only ``balance`` rules
(X01: 一 + 二 = （七） + 四, per column) are evaluated here.  A blank input counts as 0 and the
message says so, so that an imbalance shows at once, not only after every blank is filled; a rule
with an unusable input (not a number, missing sheet, wrong label) is skipped: that cell already
has its own finding.  The 正文 is then checked against the tables by :mod:`.narrative`.

Importing this module loads neither docxtpl, python-docx nor xlsxwriter.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..findings import ERROR, Code, Finding, cross_check, visible
from ..formats import model
from ..formats.content import ReportData
from ..formats.values import plain
from . import narrative


@dataclass
class CheckResult:
    """What ``check`` found: ``errors`` (错误) and ``warnings`` (提示), each in sheet/row order
    (reading findings first, then the cross-checks); ``ok`` is True when there is no error."""
    data: ReportData
    errors: list[Finding]
    warnings: list[Finding]
    ok: bool = field(init=False)

    def __post_init__(self) -> None:
        self.ok = not self.errors

    def as_json(self) -> dict:
        return {"ok": self.ok, "format": self.data.fmt.id, "file": self.data.source,
                "errors": [f.as_dict() for f in self.errors],
                "warnings": [f.as_dict() for f in self.warnings]}


def check_file(path, *, blank_as_zero: bool = False) -> CheckResult:
    """Read a filled workbook and check it; :class:`~xlsx_tool.findings.UserError` (F..) when the
    file cannot be used."""
    from ..workbook.read import read_workbook

    return check(read_workbook(path, blank_as_zero=blank_as_zero))


def check(data: ReportData) -> CheckResult:
    """Every reading finding, one X finding per failing cross-check, then the 正文 findings of
    :func:`xlsx_tool.narrative.findings` (N01–N03)."""
    found = list(data.findings) + rule_findings(data) + narrative.findings(data)
    return CheckResult(data, [f for f in found if f.severity == ERROR],
                       [f for f in found if f.severity != ERROR])


def rule_findings(data: ReportData) -> list[Finding]:
    """The failing ``balance`` rules of ``data.fmt``, in rule order (e.g. X01 column by column)."""
    fmt = data.fmt
    addresses = data.addresses
    values = data.values()
    out = []
    for rule in fmt.rules:
        if rule.kind != "balance":
            continue
        unread = [i for c in rule.left + rule.right for i in fmt.leaves(c) if data.inputs.get(i) is None]
        if any(i not in data.blank for i in unread):
            continue
        left = sum((values[i] for i in rule.left), 0)
        right = sum((values[i] for i in rule.right), 0)
        if left == right:
            continue
        first = fmt.cells[rule.left[0]]
        out.append(cross_check(
            rule.code, rule.title,
            f"左边 {_side(fmt, rule.left, addresses)} = {plain(left)}，"
            f"右边 {_side(fmt, rule.right, addresses)} = {plain(right)}，"
            f"左边比右边{'多' if left > right else '少'} {plain(abs(left - right))}"
            + (f"（其中 {len(unread)} 个单元格未填写，按 0 计算）" if unread else ""),
            file=data.source, sheet=rule.sheet, cell=addresses.get(first.id, first.a1),
            labels=f"{first.table_title}{model.SEP}{rule.scope}",
            left=_side(fmt, rule.left, addresses), right=_side(fmt, rule.right, addresses),
            left_value=plain(left), right_value=plain(right), difference=plain(left - right),
            extra={"rule": rule.title, "source": rule.source}))
    return out


def _side(fmt: model.Format, ids, addresses: dict[str, str]) -> str:
    """``一、本年新收政府信息公开申请数量(D6) + 二、上年结转政府信息公开申请数量(D7)``: the label that
    tells the cells apart (row labels down a column, column labels along a row)."""
    cells = [fmt.cells[i] for i in ids]
    same_col = len({c.col for c in cells}) == 1
    same_row = len({c.row for c in cells}) == 1
    def label(c: model.Cell) -> str:
        if same_col and c.rows:
            return c.row_label
        if same_row:
            return c.col_label
        return model.SEP.join(c.rows + c.cols)
    return " + ".join(f"{label(c)}({addresses.get(c.id, c.a1)})" for c in cells)


def text_report(result: CheckResult) -> str:
    """The report for people: a header, every finding (错误 first, then 提示), a summary line."""
    data = result.data
    org = data.info.get("org_name", "") if data.info else ""
    year = f"{data.year} 年度" if data.year else ""
    who = "，".join(p for p in (org, year) if p)
    lines = [visible(f"检查文件：{data.source or '（内存数据）'}（年报格式 {data.fmt.label}{'；' + who if who else ''}）"), ""]
    for f in result.errors + result.warnings:
        lines += [f.text(), ""]
    if result.ok:
        lines.append(f"检查通过：未发现错误（{len(result.warnings)} 个提示）")
    else:
        lines.append(f"共 {len(result.errors)} 个错误、{len(result.warnings)} 个提示")
        blanks = sum(f.code == Code.V01.name for f in result.errors)
        if blanks > 10:
            lines.append(f"其中 {blanks} 个是“未填写”：没有数据的单元格请填 0；"
                         "如确认空着的都是 0，可加 --blank-as-zero 重新检查。")
    return "\n".join(lines)
