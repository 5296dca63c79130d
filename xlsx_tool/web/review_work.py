"""The review office's jobs, run in a worker process: a batch of units' reports checked at once
(:func:`xlsx_tool.review.batch.review`), its findings workbook (``review.findings_book.write``) and
the combined (汇总) report (``review.combine.write_combined``: a workbook of the same format whose
tables are the units' sums; its 基本信息 and 正文 are the combining body's to write before the Word
report is made, like any unit's).

A batch lives in one item folder: ``in/`` the units' files (the jobs' working folder, so messages
name each unit's own file), ``out/`` what is generated, ``progress.json`` (written as the batch
advances, read by the page) and ``overview.json`` (one row per unit, for the overview table).
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from .work import job

PROGRESS = "progress.json"
OVERVIEW = "overview.json"
FINDINGS_BOOK = "审核结果.xlsx"
COMBINED_BOOK = "汇总数据.xlsx"


def write_json(path: Path, data: dict) -> None:
    """Replace ``path`` atomically (the page may read it at any moment)."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, default=str), "utf-8")
    os.replace(tmp, path)


def _get(obj, *names, default=None):
    for name in names:
        value = obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)
        if value is not None:
            return value
    return default


def _count(value) -> int:
    if value is None:
        return 0
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    try:
        return len(value)
    except TypeError:
        return 0


def unit_row(unit) -> dict:
    """One row of the overview from a unit of ``ReviewResult.units`` (its name as people call it,
    file, counts of 错误 and 提示 including the batch's own, status as the review part states it)."""
    source = _get(unit, "file", "source", "path", default="")
    name = _get(unit, "label", "name", "org", default="") or (Path(str(source)).stem if source else "")
    errors = _count(_get(unit, "error_count", "errors"))
    warnings = _count(_get(unit, "warning_count", "warnings"))
    status = _get(unit, "status", "state", default="")
    if not status:
        status = "有错误" if errors else "通过"
    return {"name": str(name), "file": Path(str(source)).name if source else "", "errors": errors,
            "warnings": warnings, "status": str(status), "year": str(_get(unit, "year", default="") or "")}


class _Progress:
    """The ``progress`` callback of ``review``: takes ``(done, total)`` and/or the name of the
    file being read, in any order, and writes :data:`PROGRESS`."""

    def __init__(self, path: Path, total: int):
        self.path, self.state = path, {"done": 0, "total": total, "current": "", "finished": False}
        write_json(self.path, self.state)

    def __call__(self, *args, **kwargs) -> None:
        values = list(args) + list(kwargs.values())
        numbers = [a for a in values if isinstance(a, int) and not isinstance(a, bool)]
        texts = [a if isinstance(a, (str, os.PathLike)) else a.file for a in values
                 if isinstance(a, (str, os.PathLike)) or isinstance(getattr(a, "file", None), str)]
        self.state["done"] = numbers[0] if numbers else self.state["done"] + 1
        if len(numbers) > 1:
            self.state["total"] = numbers[1]
        if texts:
            self.state["current"] = Path(str(texts[0])).name
        write_json(self.path, self.state)


@job
def review_batch(files: list[str], roster: str | None, year: int | None) -> dict:
    """Check every unit's file; write the findings workbook and the overview."""
    from ..review import findings_book
    from ..review.batch import review

    item = Path("..")
    progress = _Progress(item / PROGRESS, len(files))
    result = review(files, roster=roster, year=year, progress=progress)
    try:
        (item / "out").mkdir(exist_ok=True)
        findings_book.write(result, item / "out" / FINDINGS_BOOK, force=True)
        rows = [unit_row(u) for u in result.units]
        missing = [str(_get(m, "name", "org", default=m)) for m in (result.missing or [])]
        overview = {"units": rows, "missing": missing, "exit_code": result.exit_code,
                    "findings": sum(1 for _ in result.findings), "files": len(files),
                    "submitted": sum(1 for r in rows if r["file"]),
                    "clean": sum(1 for r in rows if r["file"] and not r["errors"]),
                    "with_errors": sum(1 for r in rows if r["file"] and r["errors"])}
        write_json(item / OVERVIEW, overview)
    finally:
        if hasattr(result, "close"):
            result.close()
    progress.state.update(finished=True, done=progress.state["total"])
    write_json(item / PROGRESS, progress.state)
    return {"units": len(rows), "missing": len(missing)}


@job
def combine_batch(files: list[str], org: str, year: int | None, allow_errors: bool,
                  roster: str | None = None) -> dict:
    """The combined workbook of the batch (with its 汇总来源 sheet) and the units left out.  No Word
    report yet: its 基本信息 (website, contacts) and 正文 are the combining body's to write, then it
    is checked and rendered on the clerk page like any unit's report."""
    from ..review import combine as combining

    out = Path("..") / "out"
    out.mkdir(exist_ok=True)
    book = out / COMBINED_BOOK
    _, data = combining.write_combined(files, book, org=org, year=year, allow_errors=allow_errors,
                                       roster=roster, force=True)
    refused = []
    for f in getattr(data, "refused", None) or []:
        who = (f.extra or {}).get("unit") or (Path(f.file).name if f.file else "")
        refused.append(f"{who}：{f.title}" + (f"（{f.message}）" if f.message else ""))
    return {"book": COMBINED_BOOK, "refused": refused}
