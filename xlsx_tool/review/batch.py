"""Review a folder of units' reports at once: one row per unit, one problem list, who is missing.

:func:`review` finds every report in the folders (recursively: workbooks, exchange JSON, and
published reports once :mod:`xlsx_tool.published` is there), checks them on every core
(:mod:`.pool`), and keeps per unit only a small summary; the findings are spooled to a temporary
file as they arrive, so memory stays flat from 100 to 10 000 files.  Then, across units:

* the review year is ``year`` or the year most units report; a unit of another year is 年度不符
  (R03);
* one unit (机关名称 matched by :func:`~.units.norm_name`) with two files for the year is
  重复提交 (R02, on each file);
* roster units with no file for the year are 未提交 (R04); units not in the roster get R05;
* ``previous`` (last year's folder) adds the year-to-year checks per unit, matched by name.

The result is a :class:`ReviewResult`; :mod:`.findings_book` writes it as a workbook.
"""
from __future__ import annotations

import os
import pickle
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..findings import ERROR, Code, Finding, UserError, make
from . import pool
from .roster import Roster
from .units import (DUPLICATE, ERRORS, MISSING, NOTES, PASSED, STATUSES, UNREADABLE, WRONG_YEAR,
                    UnitReport, inspect, norm_name, unreadable)

#: Most files one review takes (a province has about 10 000 units).
MAX_FILES = 200_000
#: Units needing action listed on the terminal at most.
SHOWN_UNITS = 30


# -- finding the files ----------------------------------------------------------------------------
def suffixes() -> tuple[str, ...]:
    """What a review reads: workbooks, exchange JSON, and published reports when that reader is
    installed."""
    from ..sources import EXCHANGE_SUFFIXES, PUBLISHED_SUFFIXES, WORKBOOK_SUFFIXES

    try:
        from .. import published  # noqa: F401
        extra = PUBLISHED_SUFFIXES
    except ImportError:
        extra = ()
    return WORKBOOK_SUFFIXES + EXCHANGE_SUFFIXES + extra


def _ignored(name: str) -> bool:
    """Office lock files (``~$a.xlsx``, ``.~lock.a.xlsx#``), hidden files and our temporaries."""
    return name.startswith(("~$", ".")) or name.endswith(("#", ".tmp"))


def discover(paths, *, exclude=()) -> list[str]:
    """Every report file under ``paths`` (folders walked recursively, symlinked folders not
    followed; files given directly are taken whatever their name), sorted, without ``exclude``.
    ``UserError`` F01 for a path that does not exist, R10 when nothing is found."""
    wanted = suffixes()
    skip = {os.path.abspath(p) for p in exclude if p}
    out: list[str] = []
    for given in paths:
        p = Path(given)
        if not p.exists():
            raise UserError(Code.F01, str(p))
        if p.is_file():
            out.append(str(p))
            continue
        for root, dirs, names in os.walk(p):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(names):
                if not _ignored(name) and Path(name).suffix.lower() in wanted:
                    out.append(os.path.join(root, name))
                    if len(out) > MAX_FILES:
                        raise UserError(Code.R10, str(p), f"超过 {MAX_FILES} 个文件，请分批审核")
    out = [f for f in dict.fromkeys(out) if os.path.abspath(f) not in skip]
    if not out:
        shown = "、".join(str(p) for p in paths)
        raise UserError(Code.R10, shown, f"可读取的扩展名：{'、'.join(wanted)}")
    return out


# -- the result -----------------------------------------------------------------------------------
@dataclass
class Unit:
    """One row of 概览: a :class:`UnitReport` without its findings, plus what the batch decided
    (``status`` may become 重复提交/年度不符/未提交) and the batch's own findings (R02–R05).
    ``offset``: where its findings are in the spool (``None``: none)."""
    report: UnitReport
    status: str
    extra: list[dict] = field(default_factory=list)
    offset: int | None = None

    def __getattr__(self, name):  # file, name, year, errors … of the report
        if name == "report":
            raise AttributeError(name)
        return getattr(self.report, name)

    @property
    def error_count(self) -> int:
        return self.report.errors + sum(1 for f in self.extra if f["severity"] == ERROR)

    @property
    def warning_count(self) -> int:
        return self.report.warnings + sum(1 for f in self.extra if f["severity"] != ERROR)

    @property
    def label(self) -> str:
        """The unit as people call it: 机关名称, else the file name."""
        return self.report.name or Path(self.report.file).name


@dataclass
class ReviewResult:
    """The outcome of :func:`review`.

    ``units``: one :class:`Unit` per file and per roster unit not submitted (status 未提交),
    worst first; ``missing``: roster names with no file for the year; ``year``: the review year
    (``None`` when nothing could be read); ``roster``: the :class:`Roster` or ``None``;
    ``findings``: every finding, unit by unit in ``units`` order, each a dict with ``unit`` and
    ``file`` (iterated from the spool: read it as often as needed, do not keep it all);
    ``exit_code``: 0 when no unit has 错误, 1 otherwise, 2 when nothing could be read."""
    units: list[Unit]
    missing: list[str]
    year: int | None
    roster: Roster | None
    spool: object = None
    notes: list[str] = field(default_factory=list)

    @property
    def findings(self) -> Iterator[dict]:
        for u in self.units:
            yield from self.unit_findings(u)

    def unit_findings(self, u: Unit) -> Iterator[dict]:
        if u.offset is not None:
            self.spool.seek(u.offset)
            for f in pickle.load(self.spool):
                yield {"unit": u.label, **f}
        for f in u.extra:
            yield {"unit": u.label, **f}

    def counts(self) -> dict[str, int]:
        """Units per status, in :data:`STATUSES` order."""
        c = Counter(u.status for u in self.units)
        return {s: c.get(s, 0) for s in STATUSES}

    @property
    def exit_code(self) -> int:
        if not any(u.status not in (UNREADABLE, MISSING) for u in self.units):
            return 2
        return 1 if any(u.error_count for u in self.units) else 0

    def close(self) -> None:
        if self.spool is not None:
            self.spool.close()
            self.spool = None


# -- the run --------------------------------------------------------------------------------------
_CONTINUITY = None
_PREVIOUS: dict[str, str] = {}


def _set_previous(mapping: dict, use_continuity: bool) -> None:
    global _PREVIOUS, _CONTINUITY
    _PREVIOUS = mapping
    _CONTINUITY = continuity_compare() if use_continuity else None


def continuity_compare():
    """``xlsx_tool.checks.continuity.compare`` or ``UserError`` R17 when this build lacks it."""
    try:
        from ..checks.continuity import compare
    except ImportError:
        raise UserError(Code.R17, "--previous", "找不到 xlsx_tool.checks.continuity") from None
    return compare


def _last(key: str, year: int) -> str | None:
    return _PREVIOUS.get(f"{key}|{year}")


def _inspect(path: str) -> UnitReport:
    if _CONTINUITY is None:
        return inspect(path)
    return inspect(path, _last, continuity=_CONTINUITY)


def _failed(path: str, reason: str) -> UnitReport:
    return unreadable(path, make(Code.R01, reason, file=path), f"[R01] {reason}")


def _crashed(path: str) -> UnitReport:
    return _failed(path, "读取该文件的进程异常退出（文件可能有害）")


def _name_of(path: str) -> tuple[str, int | None, str]:
    r = inspect(path)
    return r.key, r.year, path


def _name_failed(path: str, reason: str):
    return "", None, path


def review(paths, *, roster: Roster | str | os.PathLike | None = None, year: int | None = None,
           previous=None, jobs: int | None = None, progress: Callable | None = None,
           exclude=()) -> ReviewResult:
    """Review every report under ``paths`` (folders or files; see the module docstring).

    ``roster``: a :class:`Roster` or a roster file; ``year``: the review year (default: the year
    most files report); ``previous``: last year's folder(s) for the year-to-year checks;
    ``jobs``: worker processes (default: every core); ``progress(done, total, report)`` is
    called after each file; ``exclude``: paths never read (e.g. the output).  Raises
    ``UserError`` (F01 path missing, R06 roster, R10 nothing found, R17 year-to-year checks not
    available); ``KeyboardInterrupt`` passes through with nothing kept."""
    from .roster import read_roster

    if roster is not None and not isinstance(roster, Roster):
        roster = read_roster(roster)
    files = discover(paths, exclude=exclude)
    mapping: dict[str, str] = {}
    if previous:
        continuity_compare()
        last_files = discover(previous if isinstance(previous, (list, tuple)) else [previous], exclude=exclude)
        for key, y, path in pool.imap(_name_of, last_files, failed=_name_failed, crashed=lambda p: ("", None, p),
                                      jobs=jobs):
            if key and y:
                mapping.setdefault(f"{key}|{y}", path)
    spool = tempfile.TemporaryFile(prefix="xlsx-tool-review-")
    reports: list[Unit] = []
    try:
        done = 0
        for rep in pool.imap(_inspect, files, failed=_failed, crashed=_crashed, jobs=jobs,
                             init=_set_previous, initargs=(mapping, bool(previous))):
            unit = Unit(rep, rep.status)
            if rep.findings:
                spool.seek(0, os.SEEK_END)
                unit.offset = spool.tell()
                pickle.dump(rep.findings, spool, protocol=pickle.HIGHEST_PROTOCOL)
                rep.findings = []
            reports.append(unit)
            done += 1
            if progress is not None:
                progress(done, len(files), rep)
    except BaseException:
        spool.close()
        raise
    result = ReviewResult(reports, [], None, roster, spool)
    _judge(result, year)
    return result


def _judge(result: ReviewResult, year: int | None) -> None:
    """Statuses across units: year, duplicates, roster; then sort worst first."""
    read = [u for u in result.units if u.status != UNREADABLE]
    years = Counter(u.year for u in read if u.year)
    result.year = year or (max(years.items(), key=lambda kv: (kv[1], kv[0]))[0] if years else None)
    by_key: dict[str, list[Unit]] = {}
    for u in read:
        if result.year and u.year != result.year:
            u.extra.append(make(Code.R03, f"“{u.label}”的报告年度为 {u.year or '（未填写）'}，本次审核 {result.year} 年度",
                                file=u.file, sheet="基本信息").as_dict())
            u.status = WRONG_YEAR
            continue
        by_key.setdefault(u.key, []).append(u)
        if not u.name:
            u.extra.append(make(Code.R19, f"按文件名“{Path(u.file).name}”识别", file=u.file).as_dict())
    for key, group in by_key.items():
        if len(group) > 1:
            names = "、".join(Path(g.file).name for g in group)
            for g in group:
                g.extra.append(make(Code.R02, f"“{g.label}”的 {result.year} 年度报告有 {len(group)} 个文件：{names}",
                                    file=g.file).as_dict())
                g.status = DUPLICATE
    roster = result.roster
    if roster is not None:
        result.notes.extend(f.text() for f in roster.findings)
        for key, group in by_key.items():
            if key not in roster:
                for g in group:
                    g.extra.append(make(Code.R05, f"“{g.label}”不在单位名单 {Path(roster.source).name} 中"
                                                  f"{_near(key, roster)}", file=g.file).as_dict())
        result.missing = [name for k, name in roster.by_key.items() if k not in by_key]
        for name in result.missing:
            f = make(Code.R04, f"“{name}”没有 {result.year or ''} 年度的报告", file=roster.source)
            result.units.append(Unit(UnitReport(file="", name=name, key=norm_name(name)), MISSING,
                                     extra=[f.as_dict()]))
    for u in result.units:
        if u.status == NOTES and u.error_count:
            u.status = ERRORS
        elif u.status == PASSED and (u.error_count or u.warning_count):
            u.status = ERRORS if u.error_count else NOTES
    rank = {s: i for i, s in enumerate(STATUSES)}
    result.units.sort(key=lambda u: (rank[u.status], -u.error_count, -u.warning_count, u.label, u.file))


def _near(key: str, roster: Roster) -> str:
    import difflib

    close = difflib.get_close_matches(key, list(roster.by_key), n=1, cutoff=0.75)
    return f"（名单中相近的名称：{roster.by_key[close[0]]}）" if close else ""


def summary_text(result: ReviewResult) -> str:
    """A few lines for the terminal: how many units in each status, who is missing."""
    counts = result.counts()
    files = sum(1 for u in result.units if u.file)
    head = (f"审核 {result.year or '（年度未知）'} 年度：{files} 个文件，"
            f"{len(result.units)} 行（含单位名单中未提交的单位）" if files != len(result.units) else
            f"审核 {result.year or '（年度未知）'} 年度：{files} 个文件")
    parts = "，".join(f"{s} {n}" for s, n in counts.items() if n)
    lines = [head, parts]
    bad = [u for u in result.units if u.status in (UNREADABLE, DUPLICATE, WRONG_YEAR, ERRORS)]
    for u in bad[:SHOWN_UNITS]:
        why = u.reason or f"{u.error_count} 个错误、{u.warning_count} 个提示"
        lines.append(f"  [{u.status}] {u.label}：{why}（{u.file}）")
    if len(bad) > SHOWN_UNITS:
        lines.append(f"  另有 {len(bad) - SHOWN_UNITS} 个单位需要处理，详见审核结果的“概览”和“问题清单”。")
    if result.missing:
        shown = "、".join(result.missing[:20]) + ("等" if len(result.missing) > 20 else "")
        lines.append(f"未提交（{len(result.missing)}）：{shown}")
    lines.extend(result.notes)
    if bad or result.missing:
        lines.append("处理：打开审核结果的“问题清单”（可按单位、代码筛选），请各单位改正后重新提交；"
                     "无法读取的文件请对方用 Excel/WPS 另存后重新提交。")
    return "\n".join(line for line in lines if line)


__all__ = ["review", "ReviewResult", "Unit", "discover", "summary_text", "Finding"]
