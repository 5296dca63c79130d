"""Judge a report: every cross-check (勾稽关系) of the format, after what reading found.

``check`` works on :class:`~xlsx_tool.data.ReportData` from any source (a workbook, a sample);
``check_file`` reads a workbook first.  Totals are always recomputed from the inputs
(:meth:`ReportData.values`), never taken from cached results, so a ``total`` rule can only fail
when a total was typed over — which reading already reports as S04/S06.  Only ``balance`` rules
(X01: 一 + 二 = （七） + 四, per column) are evaluated here.  A blank input counts as 0 and the
message says so, so that an imbalance shows at once, not only after every blank is filled; a rule
with an unusable input (not a number, missing sheet, wrong label) is skipped: that cell already
has its own finding.  The 正文 is then checked against the tables by :mod:`xlsx_tool.narrative`.

Importing this module loads neither docxtpl, python-docx nor xlsxwriter.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from . import findings, model, narrative
from .data import Number, ReportData
from .findings import Finding


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
    from .read import read_workbook

    return check(read_workbook(path, blank_as_zero=blank_as_zero))


def check(data: ReportData) -> CheckResult:
    """Every reading finding, one X finding per failing cross-check, then the 正文 findings of
    :func:`xlsx_tool.narrative.findings` (N01–N03)."""
    rows = getattr(data, "paragraph_rows", None) or None
    found = list(data.findings) + rule_findings(data) + narrative.findings(data, rows)
    return CheckResult(data, [f for f in found if f.severity == findings.ERROR],
                       [f for f in found if f.severity != findings.ERROR])


def rule_findings(data: ReportData) -> list[Finding]:
    """The failing ``balance`` rules of ``data.fmt``, in rule order (e.g. X01 column by column)."""
    fmt = data.fmt
    addresses: dict[str, str] = getattr(data, "addresses", None) or {}
    values = data.values()
    out = []
    for rule in fmt.rules:
        if rule.kind != "balance":
            continue
        unread = [i for i in _inputs_of(fmt, rule.left + rule.right) if data.inputs.get(i) is None]
        if any(i not in data.blank for i in unread):
            continue
        left = sum((values[i] for i in rule.left), 0)
        right = sum((values[i] for i in rule.right), 0)
        if left == right:
            continue
        first = fmt.cells[rule.left[0]]
        out.append(findings.make(
            rule.code,
            f"左边 {_side(fmt, rule.left, addresses)} = {_plain(left)}，"
            f"右边 {_side(fmt, rule.right, addresses)} = {_plain(right)}，"
            f"左边比右边{'多' if left > right else '少'} {_plain(abs(left - right))}"
            + (f"（其中 {len(unread)} 个单元格未填写，按 0 计算）" if unread else ""),
            title=f"勾稽关系不成立：{rule.title}",
            file=data.source, sheet=rule.sheet, cell=addresses.get(first.id, first.a1),
            labels=f"{first.table_title}{model.SEP}{rule.scope}",
            left=_side(fmt, rule.left, addresses), right=_side(fmt, rule.right, addresses),
            left_value=_plain(left), right_value=_plain(right), difference=_plain(left - right),
            extra={"rule": rule.title, "source": rule.source}))
    return out


def _inputs_of(fmt: model.Format, ids) -> list[str]:
    """The input cells behind ``ids`` (totals expanded to their parts, recursively)."""
    out: list[str] = []
    for cid in ids:
        cell = fmt.cells[cid]
        out.extend(_inputs_of(fmt, cell.total_of) if cell.total_of else [cid])
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


def _plain(n: Number) -> Number:
    if isinstance(n, int):
        return n
    return int(n) if n == n.to_integral_value() else n


def text_report(result: CheckResult) -> str:
    """The report for people: a header, every finding (错误 first, then 提示), a summary line."""
    data = result.data
    org = data.info.get("org_name", "") if data.info else ""
    year = f"{data.year} 年度" if data.year else ""
    who = "，".join(p for p in (org, year) if p)
    lines = [f"检查文件：{data.source or '（内存数据）'}（年报格式 {data.fmt.label}{'；' + who if who else ''}）", ""]
    for f in result.errors + result.warnings:
        lines += [f.text(), ""]
    if result.ok:
        lines.append(f"检查通过：未发现错误（{len(result.warnings)} 个提示）")
    else:
        lines.append(f"共 {len(result.errors)} 个错误、{len(result.warnings)} 个提示")
        blanks = sum(f.code == "V01" for f in result.errors)
        if blanks > 10:
            lines.append(f"其中 {blanks} 个是“未填写”：没有数据的单元格请填 0；"
                         "如确认空着的都是 0，可加 --blank-as-zero 重新检查。")
    return "\n".join(lines)
