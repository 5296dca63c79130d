"""One unit's file, judged in a worker process: read, check, summarise into a small picklable record.

:func:`inspect` never raises for a bad file: an unusable file (any ``UserError``: F01–F08, R08 …)
or an unexpected failure becomes a :class:`UnitReport` with status 无法读取 and the reason, so that
one broken, hostile or foreign file never stops a batch.  What comes back is small (counts, key
figures, rates, findings as dicts); the ``ReportData`` stays in the worker.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

PASSED, NOTES, ERRORS, UNREADABLE = "通过", "有提示", "有错误", "无法读取"
MISSING, DUPLICATE, WRONG_YEAR = "未提交", "重复提交", "年度不符"
#: Worst first: the order of 概览 and the precedence of a unit's status.
STATUSES = (UNREADABLE, DUPLICATE, WRONG_YEAR, ERRORS, MISSING, NOTES, PASSED)

_SPACES = re.compile(r"\s+")


def norm_name(name: str) -> str:
    """How unit names are matched: NFKC (full-width → half-width), every space (also U+3000)
    removed, letters case-folded: ``"某某县 财政局"`` and ``"某某县财政局"`` are one unit."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", str(name or ""))).casefold()


@dataclass
class UnitReport:
    """What a batch keeps of one file.

    ``name``: 机关名称 as written ('' when unreadable or blank); ``key``: :func:`norm_name` of it
    (the file name's stem when blank); ``status``: 通过/有提示/有错误/无法读取 from the file alone
    (a batch may turn it into 重复提交/年度不符); ``figures``/``rates``: key figures and derived
    rates (``Decimal``; a rate is ``None`` when its denominator is 0); ``findings``: every finding
    as ``Finding.as_dict()``; ``reason``: why the file could not be read."""
    file: str
    name: str = ""
    key: str = ""
    year: int | None = None
    format: str = ""
    kind: str = ""
    status: str = UNREADABLE
    errors: int = 0
    warnings: int = 0
    reason: str = ""
    figures: dict = field(default_factory=dict)
    rates: dict = field(default_factory=dict)
    repeat_rates: object = None
    findings: list = field(default_factory=list)
    #: with ``keep_inputs``: every input cell id → value, and the choices (金额单位)
    inputs: dict = field(default_factory=dict)
    choices: dict = field(default_factory=dict)


def unreadable(path: str, finding, reason: str) -> UnitReport:
    """The record of a file that could not be used; ``finding`` is a ``Finding``."""
    d = finding.as_dict()
    d.setdefault("file", path)
    return UnitReport(file=path, key=norm_name(Path(path).stem), status=UNREADABLE, errors=1,
                      reason=reason, findings=[d])


def inspect(path: str, last=None, *, continuity=None, keep_inputs: bool = False) -> UnitReport:
    """Read and check one file (any source ``xlsx_tool.sources.read_any`` takes).

    ``continuity``: the year-to-year comparer (``compare(this, last)``) and ``last(key, year)``
    the path of last year's report of the unit named ``key`` (or ``None``: an R18 提示), both
    optional; ``keep_inputs``: keep the input values and choices (for consolidation) instead of
    the findings."""
    from ..checks.check import check
    from ..findings import UserError
    from ..formats import rates as derived_rates
    from ..sources import read_any

    try:
        data = read_any(path)
    except UserError as err:
        return unreadable(path, err.finding, f"[{err.code}] {err.finding.title}"
                          + (f"：{err.finding.message}" if err.finding.message else ""))
    result = check(data)
    found = list(result.errors) + list(result.warnings)
    repeat = None
    name = str(data.info.get("org_name", "") or "").strip()
    key = norm_name(name) or norm_name(Path(path).stem)
    if last is not None and continuity is not None:
        from ..findings import Code, make

        before = last(key, data.year - 1) if data.year else None
        if before is None:
            found.append(make(Code.R18, f"上一年度（{data.year - 1 if data.year else '?'} 年度）的文件夹中没有"
                                        f"“{name or key}”的报告", file=path))
        else:
            try:
                previous = read_any(before)
            except UserError as err:
                found.append(make(Code.R18, f"上一年度的文件 {before} 无法读取：{err.finding.title}", file=path))
            else:
                cont = continuity(data, previous)
                found.extend(cont.findings)
                repeat = getattr(cont, "repeat_rates", None)
    values = data.values()
    errors = sum(1 for f in found if f.severity == "错误")
    status = ERRORS if errors else (NOTES if found else PASSED)
    return UnitReport(
        file=path, name=name, key=key, year=data.year,
        format=data.fmt.id, kind=data.kind, status=status, errors=errors, warnings=len(found) - errors,
        figures=derived_rates.figures(data.fmt, values), rates=derived_rates.derived(data.fmt, values),
        repeat_rates=repeat, findings=[] if keep_inputs else [_with_file(f.as_dict(), path) for f in found],
        inputs=dict(data.inputs) if keep_inputs else {}, choices=dict(data.choices) if keep_inputs else {})


def _with_file(d: dict, path: str) -> dict:
    d.setdefault("file", path)
    return d


def overall_repeat(repeat) -> Decimal | float | None:
    """The overall repeat rate from the year-to-year comparer's ``repeat_rates`` when it gives
    one (``overall``), else ``None``."""
    if isinstance(repeat, dict):
        v = repeat.get("overall")
        if isinstance(v, dict):
            v = v.get("rate", v.get("value"))
        if isinstance(v, (int, float, Decimal)) and not isinstance(v, bool):
            return v
    return None
