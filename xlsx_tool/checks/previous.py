"""Which last year's report a check or a template uses, and whether it may be used.

* :func:`judge_previous` — last year's report must be this agency's (I06) report of the year before
  (I07) without errors (Y07): otherwise :class:`~xlsx_tool.findings.UserError`, unless ``force``
  (``--force-previous``) turns the problem into a 提示.  A report of the same or a later year is
  never accepted.
* :func:`resolve` — for ``check``: the report given with ``--previous``; else last year's workbook
  beside this one by the tool's own naming (:func:`xlsx_tool.workbook.previous.find_beside`), used
  only when it reads and passes :func:`judge_previous`; else ``None`` (``check`` then uses what a
  template made with ``--previous`` kept, if anything).
"""
from __future__ import annotations

from ..findings import ERROR, NOTE, Code, Finding, UserError, make
from ..formats.content import ReportData
from .check import rule_findings
from .continuity import name_of, same_org


def judge_previous(last: ReportData, *, year: int | None, org: str = "", force: bool = False) -> list[Finding]:
    """The problems of ``last`` as last year's report of a report of ``year`` by ``org`` (''/
    ``None`` = not known: not judged), as 提示 when ``force``; ``UserError`` (I07, I06, Y07; exit
    2) otherwise, and always for a report of ``year`` or later."""
    subject = last.source or "上年报告"
    if year is not None and last.year is not None and last.year >= year:
        raise UserError(Code.I07, subject, f"这份报告是 {last.year} 年度的，本报告为 {year} 年度；上年报告应为 {year - 1} 年度")
    problems: list[tuple[Code, str]] = []
    if year is not None and last.year is None:
        problems.append((Code.I07, "这份报告没有写明报告年度"))
    elif year is not None and last.year < year - 1:
        problems.append((Code.I07, f"这份报告是 {last.year} 年度的，不是 {year - 1} 年度（中间隔了 {year - 1 - last.year} 年），"
                                   "上年结转等衔接数字不会与本年一致"))
    if org and not same_org(org, last.info.get("org_name", "")):
        problems.append((Code.I06, f"这份报告的机关名称为“{last.info.get('org_name', '')}”，本报告为“{org}”"))
    errors = [f for f in list(last.findings) + rule_findings(last) if f.severity == ERROR]
    if errors:
        first = errors[0]
        where = "，".join(p for p in (first.sheet and f"工作表“{first.sheet}”", first.cell and f"单元格 {first.cell}") if p)
        problems.append((Code.Y07, f"这份报告有 {len(errors)} 个错误，如{where + '：' if where else ''}{first.title}"
                                   "（用 xlsx-tool check 查看全部）"))
    if problems and not force:
        code, detail = problems[0]
        more = "；".join(d for _, d in problems[1:])
        raise UserError(code, subject, detail + (f"；另外，{more}" if more else ""))
    return [make(code, f"上年报告{name_of(last)}：{detail}；已按 --force-previous 使用", severity=NOTE,
                 file=last.source) for code, detail in problems]


def resolve(path, data: ReportData, *, given=None, force: bool = False, auto: bool = True
            ) -> tuple[ReportData | None, str, list[Finding], list[str]]:
    """``(last year's report or None, how, notes, notices)`` for checking ``data`` read from
    ``path``: ``how`` is ``given`` or ``beside``; ``notes``: the 提示 of a forced
    :func:`judge_previous` (I06/I07 left out: the comparison reports them itself); ``notices``:
    lines for people about a workbook found beside ``path`` but not used.  ``UserError`` for a
    ``given`` report that cannot be read or used."""
    from ..sources import read_any
    from ..workbook.previous import find_beside

    org = data.info.get("org_name", "")
    if given:
        last = read_any(given)
        notes = judge_previous(last, year=data.year, org=org, force=force)
        return last, "given", [n for n in notes if n.code not in (Code.I06.name, Code.I07.name)], []
    if not auto:
        return None, "", [], []
    found = find_beside(path, data.year)
    if found is None:
        return None, "", [], []
    try:
        last = read_any(found)
        judge_previous(last, year=data.year, org=org)
    except UserError as err:
        return None, "", [], [f"未使用同一文件夹中的 {found.name}：{err.finding.title}（{err.finding.message or err.subject}）"]
    return last, "beside", [], []
