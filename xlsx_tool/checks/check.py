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

from ..findings import Finding, cross_check
from ..formats import model
from ..formats.content import ReportData
from ..formats.geometry import ranges
from ..formats.values import plain
from . import explain, narrative, sections


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
        """``ok``, ``format``, ``file``, ``errors``, ``warnings``, ``derived_rates`` (rate id →
        name, value, text, formula, numerator, denominator: :func:`xlsx_tool.formats.rates.as_json`),
        ``explained``, ``previous`` and ``repeat_rates`` (see the class)."""
        from ..formats import rates

        return {"ok": self.ok, "format": self.data.fmt.id, "file": self.data.source,
                "errors": [f.as_dict() for f in self.errors],
                "warnings": [f.as_dict() for f in self.warnings],
                "derived_rates": rates.as_json(self.data.fmt, self.data.values()),
                "explained": [f.as_dict() for f in self.explained],
                "previous": self.previous, "repeat_rates": self.repeat_rates}


def check_file(path, *, blank_as_zero: bool = False, previous: ReportData | None = None) -> CheckResult:
    """Read a filled workbook and check it (against ``previous`` when given, see :func:`check`);
    :class:`~xlsx_tool.findings.UserError` (F..) when the file cannot be used."""
    from ..workbook.read import read_workbook

    return check(read_workbook(path, blank_as_zero=blank_as_zero), previous=previous)


def check(data: ReportData, *, previous: ReportData | None = None, use_kept: bool = True) -> CheckResult:
    """Every reading finding, one X finding per failing cross-check, the 正文 findings of
    :func:`.narrative.findings` (N01–N03, N09) and :func:`.sections.findings` (N07, N08, N10), then
    the comparison with last year's report (:func:`.continuity.compare`): ``previous``, else the
    one kept in the workbook (``data.carried``) unless ``use_kept`` is False (``check
    --no-previous``); finally the explanations (:mod:`.explain`)."""
    found = list(data.findings) + rule_findings(data) + narrative.findings(data) + sections.findings(data)
    last, how = previous, "given"
    if last is None and data.carried is not None and use_kept:
        last, how = data.carried.as_report(), "embedded"
    rates = about = None
    if last is not None:
        from . import continuity      # only with last year's report: its import is not free

        compared = continuity.compare(data, last)
        found += compared.findings
        rates = compared.repeat_rates
        about = {"file": last.source, "year": last.year, "org": last.info.get("org_name", ""), "how": how}
    errors, warnings, explained = explain.apply(found, data.explanations, data.source)
    return CheckResult(data, errors, warnings, explained, rates, about)


def rule_findings(data: ReportData) -> list[Finding]:
    """The failing ``balance`` rules of ``data.fmt``, in rule order (e.g. X01 column by column).

    A rule instance that is the sum of other instances of the same rule (X01 on 表三's formula-only
    总计 column is the sum of X01 on every 申请人 column) is not reported on its own: it fails only
    because one of those fails, and that finding says so (``extra["also"]``).  Each message names
    the input cells a clerk can change; totals on either side are formulas."""
    fmt = data.fmt
    addresses = data.addresses
    values = data.values()
    failing: dict[int, Finding] = {}
    balance = [r for r in fmt.rules if r.kind == "balance"]
    for n, rule in enumerate(balance):
        unread = [i for c in rule.left + rule.right for i in fmt.leaves(c) if data.inputs.get(i) is None]
        if any(i not in data.blank for i in unread):
            continue
        left = sum((values[i] for i in rule.left), 0)
        right = sum((values[i] for i in rule.right), 0)
        if left == right:
            continue
        first = fmt.cells[rule.left[0]]
        failing[n] = cross_check(
            rule.code, rule.title,
            f"左边 {fmt.side(rule.left, addresses)} = {plain(left)}，"
            f"右边 {fmt.side(rule.right, addresses)} = {plain(right)}，"
            f"左边比右边{'多' if left > right else '少'} {plain(abs(left - right))}"
            + (f"（其中 {len(unread)} 个单元格未填写，按 0 计算）" if unread else "")
            + _inputs_text(data, rule),
            file=data.source, sheet=rule.sheet, cell=data.address(first.id),
            labels=f"{first.table_title}{model.SEP}{rule.scope}",
            left=fmt.side(rule.left, addresses), right=fmt.side(rule.right, addresses),
            left_value=plain(left), right_value=plain(right), difference=plain(left - right),
            extra={"rule": rule.title, "source": rule.source,
                   "inputs": [data.address(i) for i in _inputs(fmt, rule)]})
    for n, parts in derived_rules(fmt, balance).items():
        causes = [failing[k] for k in parts if k in failing]
        if n not in failing or not causes:
            continue
        gone = failing.pop(n)
        rule = balance[n]
        for f in causes:
            f.message += (f"。因此“{rule.scope}”的同一检查（{gone.cell}）也不成立，"
                          f"改正本处后它随之成立")
            f.extra.setdefault("also", []).append(gone.cell)
    return [failing[n] for n in sorted(failing)]


def _vector(fmt: model.Format, rule: model.Rule) -> dict[str, int]:
    """The rule as a signed sum of input cells: left side +1, right side −1 per leaf."""
    v: dict[str, int] = {}
    for sign, side in ((1, rule.left), (-1, rule.right)):
        for c in side:
            for leaf in fmt.leaves(c):
                v[leaf] = v.get(leaf, 0) + sign
    return {k: x for k, x in v.items() if x}


def derived_rules(fmt: model.Format, rules: list[model.Rule]) -> dict[int, list[int]]:
    """Index of each rule instance that equals the sum of other instances of the same rule code
    (all on cells inside it) → their indexes; e.g. X01 on a 总计 column → X01 on each column."""
    vectors = [_vector(fmt, r) for r in rules]
    out: dict[int, list[int]] = {}
    for n, (rule, vec) in enumerate(zip(rules, vectors)):
        parts = [k for k, (r, v) in enumerate(zip(rules, vectors))
                 if k != n and r.code == rule.code and v and set(v) <= set(vec)]
        total: dict[str, int] = {}
        for k in parts:
            for leaf, x in vectors[k].items():
                total[leaf] = total.get(leaf, 0) + x
        if parts and {k: x for k, x in total.items() if x} == vec:
            out[n] = parts
    return out


def _inputs(fmt: model.Format, rule: model.Rule) -> list[str]:
    return list(dict.fromkeys(leaf for c in rule.left + rule.right for leaf in fmt.leaves(c)))


def _inputs_text(data: ReportData, rule: model.Rule) -> str:
    """``。（七）总计(D29) 是公式；可修改的填报格：D6、D7、D8:D28、D30`` ('' without totals)."""
    fmt = data.fmt
    totals = [fmt.cells[c] for c in rule.left + rule.right if fmt.cells[c].total_of]
    if not totals:
        return ""
    leaves = _inputs(fmt, rule)
    if all(data.address(i) == fmt.cells[i].a1 for i in leaves):
        cells = ranges([(fmt.cells[i].row, fmt.cells[i].col) for i in leaves], "、")
    else:
        cells = "、".join(data.address(i) for i in leaves)
    named = "、".join(f"{c.row_label or c.col_label}({data.address(c.id)})" for c in totals)
    return f"。{named} 是公式，不能直接修改；请核对并改正这些填报格：{cells}"
