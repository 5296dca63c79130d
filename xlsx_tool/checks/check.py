"""Judge a report: every cross-check (勾稽关系) of the format, after what reading found.

``check`` works on :class:`~xlsx_tool.formats.content.ReportData` from any source (a workbook, a
sample, a published report);
``check_file`` reads a workbook first.  Totals are always recomputed from the inputs
(:meth:`ReportData.values`), never taken from cached results, so a ``total`` rule can only fail
when a total was typed over — which reading already reports as S04/S06.  Only ``balance`` rules
(X01: 一 + 二 = （七） + 四, per column) are evaluated here.  A blank input counts as 0 and the
message says so, so that an imbalance shows at once, not only after every blank is filled; a rule
with an unusable input (not a number, missing sheet, wrong label) is skipped: that cell already
has its own finding.  The 正文 is then checked against the tables by :mod:`.narrative` and for
content by :mod:`.sections`; against last year's report by :mod:`.continuity` (given, or the one
the workbook kept when it was made with ``template --previous``); and the explanations of the 说明
sheet are applied last (:mod:`.explain`).

Importing this module loads neither docxtpl, python-docx nor xlsxwriter.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..findings import Code, Finding, cross_check
from ..formats import model
from ..formats.content import ReportData
from ..formats.values import plain
from . import continuity, explain, narrative, repeat, sections


@dataclass
class CheckResult:
    """What ``check`` found: ``errors`` (错误) and ``warnings`` (提示), each in sheet/row order
    (reading findings first, then the cross-checks, the 正文, last year); ``explained``: the 提示
    accepted with an explanation (severity 已说明, ``explanation`` set); ``ok`` is True when there
    is no error.  ``repeat_rates``: see :func:`.repeat.repeat_rates` (``None`` without last year's
    report); ``previous``: which last year's report was compared (``file``, ``year``, ``org``,
    ``how``: ``given``, ``beside`` or ``embedded``), or ``None``."""
    data: ReportData
    errors: list[Finding]
    warnings: list[Finding]
    explained: list[Finding] = field(default_factory=list)
    repeat_rates: dict | None = None
    previous: dict | None = None
    ok: bool = field(init=False)

    def __post_init__(self) -> None:
        self.ok = not self.errors

    def as_json(self) -> dict:
        return {"ok": self.ok, "format": self.data.fmt.id, "file": self.data.source,
                "errors": [f.as_dict() for f in self.errors],
                "warnings": [f.as_dict() for f in self.warnings],
                "explained": [f.as_dict() for f in self.explained],
                "previous": self.previous, "repeat_rates": self.repeat_rates}


def check_file(path, *, blank_as_zero: bool = False, previous: ReportData | None = None) -> CheckResult:
    """Read a filled workbook and check it (against ``previous`` when given, see :func:`check`);
    :class:`~xlsx_tool.findings.UserError` (F..) when the file cannot be used."""
    from ..workbook.read import read_workbook

    return check(read_workbook(path, blank_as_zero=blank_as_zero), previous=previous)


def check(data: ReportData, *, previous: ReportData | None = None) -> CheckResult:
    """Every reading finding, one X finding per failing cross-check, the 正文 findings of
    :func:`.narrative.findings` (N01–N03, N09) and :func:`.sections.findings` (N07, N08, N10), then
    the comparison with last year's report (:func:`.continuity.compare`): ``previous``, else the
    one kept in the workbook (``data.carried``); finally the explanations (:mod:`.explain`)."""
    found = list(data.findings) + rule_findings(data) + narrative.findings(data) + sections.findings(data)
    last, how = previous, "given"
    if last is None and data.carried is not None:
        last, how = data.carried.as_report(), "embedded"
    rates = about = None
    if last is not None:
        compared = continuity.compare(data, last)
        found += compared.findings
        rates = compared.repeat_rates
        about = {"file": last.source, "year": last.year, "org": last.info.get("org_name", ""), "how": how}
    errors, warnings, explained = explain.apply(found, data.explanations, data.source)
    return CheckResult(data, errors, warnings, explained, rates, about)


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


HOW = {"given": "", "beside": "（在同一文件夹中按文件名自动找到）", "embedded": "（模板中保存的上年数据）"}


def previous_line(result: CheckResult) -> str:
    """``上年报告：2025年报数据.xlsx（2025 年度）…`` or '' when none was compared."""
    p = result.previous
    if not p:
        return ""
    year = f"，{p['year']} 年度" if p.get("year") else ""
    return f"上年报告：{p['file'] or '（未命名）'}{year}{HOW.get(p.get('how', ''), '')}"


def rates_lines(result: CheckResult) -> list[str]:
    """The repeat rates, overall and per section with text."""
    rates = result.repeat_rates
    if not rates or rates.get("overall") is None:
        return []
    labels = {s["id"]: s["label"] for s in result.data.fmt.narrative}
    per = "；".join(f"{labels.get(sid, sid)} {repeat.percent(r)}" for sid, r in rates["sections"].items()
                   if r is not None)
    return [f"正文与上年报告的重复率：总体 {repeat.percent(rates['overall'])}"
            f"（超过 {repeat.percent(rates['threshold'])} 时提示）；{per}", ""]


def text_report(result: CheckResult) -> str:
    """The report for people: a header, every finding (错误 first, then 提示, then 已说明), the
    repeat rates, a summary line."""
    data = result.data
    org = data.info.get("org_name", "") if data.info else ""
    year = f"{data.year} 年度" if data.year else ""
    who = "，".join(p for p in (org, year) if p)
    lines = [f"检查文件：{data.source or '（内存数据）'}（年报格式 {data.fmt.label}{'；' + who if who else ''}）"]
    if result.previous:
        lines.append(previous_line(result))
    lines.append("")
    for f in result.errors + result.warnings + result.explained:
        lines += [f.text(), ""]
    lines += rates_lines(result)
    explained = f"，{len(result.explained)} 个已说明" if result.explained else ""
    if result.ok:
        lines.append(f"检查通过：未发现错误（{len(result.warnings)} 个提示{explained}）")
    else:
        lines.append(f"共 {len(result.errors)} 个错误、{len(result.warnings)} 个提示{explained}")
        blanks = sum(f.code == Code.V01.name for f in result.errors)
        if blanks > 10:
            lines.append(f"其中 {blanks} 个是“未填写”：没有数据的单元格请填 0；"
                         "如确认空着的都是 0，可加 --blank-as-zero 重新检查。")
    return "\n".join(lines)
