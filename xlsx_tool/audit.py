"""Import and check in one step (``audit``): one verdict per report, then its findings.

:func:`audit` reads each report through :func:`xlsx_tool.sources.read_any` (a published report, a
workbook, the exchange JSON) and checks it (:func:`xlsx_tool.checks.check.check`); a file that
cannot be used becomes a verdict with its reason instead of stopping the others.  Findings are
located as a reader of the published report looks for them: table › row › column labels, or
正文 › section › paragraph.  Nothing is written.
"""
from __future__ import annotations

from dataclasses import dataclass

from .findings import Finding, UserError


#: ``ReportData.kind`` of the published forms (see :mod:`xlsx_tool.published`).
PUBLISHED_KINDS = ("html", "docx", "pdf", "txt", "doc")


@dataclass
class Audited:
    """One report's outcome: ``result`` (a CheckResult) or ``fatal`` (the UserError)."""
    path: str
    result: object = None
    fatal: UserError | None = None

    @property
    def exit_code(self) -> int:
        if self.fatal is not None:
            return self.fatal.exit_code
        return 0 if self.result.ok else 1

    def verdict(self) -> str:
        if self.fatal is not None:
            f = self.fatal.finding
            return (f"[无法读取 {f.code}] {self.path}：{f.title}{'（' + f.message + '）' if f.message else ''}"
                    f"\n    处理：{f.fix}")
        r = self.result
        d = r.data
        who = "，".join(x for x in (d.info.get("org_name", ""), f"{d.year} 年度" if d.year else "",
                                     f"{d.fmt.id} 格式") if x)
        uncertain = len(getattr(d, "uncertain", {}))
        extra = f"，{uncertain} 个单元格无法确定" if uncertain else ""
        if r.ok:
            return f"[通过] {self.path}（{who}）：未发现错误，{len(r.warnings)} 个提示{extra}"
        return f"[有错误] {self.path}（{who}）：{len(r.errors)} 个错误、{len(r.warnings)} 个提示{extra}"

    def as_json(self) -> dict:
        if self.fatal is not None:
            return {"file": self.path, "ok": False, "fatal": {"subject": self.fatal.subject,
                                                              **self.fatal.finding.as_dict()}}
        d = self.result.data
        out = self.result.as_json()
        if d.kind in PUBLISHED_KINDS:      # a printed report has no sheets or cells: labels locate
            for key in ("errors", "warnings"):
                out[key] = [{k: v for k, v in f.items() if k not in ("sheet", "cell")} for f in out[key]]
        out.update({"file": self.path, "kind": d.kind, "org": d.info.get("org_name", ""),
                    "year": d.year, "uncertain": sorted(getattr(d, "uncertain", {}))})
        return out


def audit(paths) -> list[Audited]:
    """Read and check every report in ``paths`` (see the module docstring)."""
    from .checks.check import check
    from .sources import read_any

    from pathlib import Path

    from .findings import Code

    out = []
    for path in paths:
        try:
            if not Path(path).exists():
                raise UserError(Code.F01, str(path))
            if Path(path).is_dir():
                raise UserError(Code.F02, str(path), "请给出年报文件的完整路径")
            out.append(Audited(str(path), result=check(read_any(path))))
        except UserError as err:
            out.append(Audited(str(path), fatal=err))
    return out


def finding_text(f: Finding) -> str:
    """One finding located by its labels (the report has no sheets or cells)."""
    where = f.labels or f.sheet or ""
    head = f"[{f.severity} {f.code}] {where}".rstrip()
    body = f"{f.title}：{f.message}" if f.message else f.title
    return f"{head}\n    {body}\n    处理：{f.fix}"


def text_report(results: list[Audited]) -> str:
    lines = [r.verdict() for r in results]
    if len(results) == 1 and results[0].fatal is not None:
        return lines[0]
    for r in results:
        if r.result is None:
            continue
        found = r.result.errors + r.result.warnings
        if not found:
            continue
        lines += ["", f"== {r.path}"]
        for f in found:
            lines.append(finding_text(f))
    ok = sum(1 for r in results if r.exit_code == 0)
    lines += ["", f"共 {len(results)} 份报告：{ok} 份未发现错误，{len(results) - ok} 份有错误或无法读取"]
    return "\n".join(lines)
