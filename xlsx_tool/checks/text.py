"""The check's report for people: every finding in Chinese, location → rule → how to fix.

:func:`text_report` is what ``xlsx-tool check`` prints; bulk per-cell findings are summarised per
sheet (:func:`summarise`) unless ``--verbose``; last year's report and the repeat rates are named
when they were compared.
"""
from __future__ import annotations

from ..findings import Code, Finding, make, visible
from ..formats import model
from . import repeat
from .check import CheckResult

#: Per-cell findings that come in bulk: shown as one paragraph per sheet (``--verbose`` lists
#: each cell) once a sheet has at least SUMMARY_FROM of them.
SUMMARISED = (Code.V01, Code.V02, Code.V05, Code.I01, Code.N07)
SUMMARY_FROM = 4
SHOWN_CELLS = 8
BLANK_WAY_OUT = ("没有数据的格子请填 0（不要填“无”）；如确认空着的都是 0，可加 --blank-as-zero 重新检查。"
                 "要逐格列出，请加 --verbose。")


def summarise(findings: list[Finding]) -> list[Finding]:
    """``findings`` with the bulk per-cell ones of :data:`SUMMARISED` folded into one finding per
    sheet and code (at the place of the first), e.g. ``表三有 125 个格子未填写（D6、E6…等）``;
    the summary's ``extra["cells"]`` lists every cell."""
    groups: dict[tuple[str, str], list[Finding]] = {}
    codes = {c.name for c in SUMMARISED}
    for f in findings:
        if f.code in codes and f.sheet and f.cell:
            groups.setdefault((f.sheet, f.code), []).append(f)
    out, done = [], set()
    for f in findings:
        key = (f.sheet, f.code)
        group = groups.get(key) if f.code in codes else None
        if not group or len(group) < SUMMARY_FROM:
            out.append(f)
            continue
        if key in done:
            continue
        done.add(key)
        code = Code[f.code]
        if code in (Code.I01, Code.N07):
            what = "项未填写" if code is Code.I01 else "个部分空白"
            title = f"{f.sheet}有 {len(group)} {what}"
            message = "、".join(g.labels.split(model.SEP)[-1] for g in group)
        else:
            title = f"{f.sheet}有 {len(group)} 个格子{code.title}"
            message = "、".join(g.cell for g in group[:SHOWN_CELLS]) + ("等" if len(group) > SHOWN_CELLS else "")
        fix = {Code.V01: BLANK_WAY_OUT, Code.I01: "请在“基本信息”表中填写这些项（加 --verbose 可看到每项的单元格）。",
               Code.N07: f"{code.fix}加 --verbose 可逐条列出（含格式要求的原文）。"
               }.get(code, f"{code.fix}要逐格列出，请加 --verbose。")
        out.append(make(code, message, title=title, fix=fix, file=f.file, sheet=f.sheet,
                        extra={"cells": [g.cell for g in group]}))
    return out


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


def text_report(result: CheckResult, *, verbose: bool = False) -> str:
    """The report for people: a header, every finding (错误 first, then 提示, then 已说明), the
    repeat rates, a summary line.

    Without ``verbose`` the bulk per-cell findings are summarised per sheet (:func:`summarise`)."""
    data = result.data
    org = data.info.get("org_name", "") if data.info else ""
    year = f"{data.year} 年度" if data.year else ""
    who = "，".join(p for p in (org, year) if p)
    lines = [visible(f"检查文件：{data.source or '（内存数据）'}（年报格式 {data.fmt.label}{'；' + who if who else ''}）")]
    if result.previous:
        lines.append(previous_line(result))
    lines.append("")
    shown = result.errors + result.warnings
    listed = shown if verbose else summarise(result.errors) + summarise(result.warnings)
    for f in listed + result.explained:
        lines += [f.text(), ""]
    lines += rates_lines(result)
    explained = f"，{len(result.explained)} 个已说明" if result.explained else ""
    blanks = sum(f.code == Code.V01.name for f in result.errors)
    if result.ok:
        lines.append(f"检查通过：未发现错误（{len(result.warnings)} 个提示{explained}）")
    else:
        lines.append(f"共 {len(result.errors)} 个错误、{len(result.warnings)} 个提示{explained}")
        if blanks > 10 and verbose:
            lines.append(f"其中 {blanks} 个是“未填写”：没有数据的单元格请填 0；"
                         "如确认空着的都是 0，可加 --blank-as-zero 重新检查。")
        elif blanks >= SUMMARY_FROM:
            lines.append(f"其中 {blanks} 个是“未填写”，上面已按工作表汇总；加 --verbose 可逐格列出。")
    if len(listed) < len(shown) and blanks < SUMMARY_FROM:
        lines.append(f"上面有些问题按工作表合并为一条（共 {len(shown)} 条合并为 {len(listed)} 条）；"
                     "加 --verbose 可逐条列出。")
    return "\n".join(lines)
