"""Test doubles of the parts other issues build (the contracts of the developers' guide), so the web
page's wiring to them can be tested before they are merged: the review office (issue 13:
``review.batch.review``, ``review.findings_book.write``, ``review.combine.combine``) and year to
year (issue 11: ``write_template(previous=…)``, ``check(previous=…)``, ``Explanation``,
``rewrite_with_explanations``).  They do the least that keeps to each contract, on the package's
real functions (read, check, write_template); they are never used by the product.

Run as the main script (``python web_fakes.py serve …``) it installs them, then runs the command
line; worker processes started with ``spawn`` import this main script again and so get them too.
"""
from __future__ import annotations

import inspect
import sys
import types
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Unit:
    name: str
    file: str
    errors: list = field(default_factory=list)
    warnings: list = field(default_factory=list)


@dataclass
class ReviewResult:
    units: list
    findings: list
    missing: list
    exit_code: int


def review(paths, *, roster=None, year=None, previous=None, jobs=None, progress=None):
    from xlsx_tool.checks.check import check
    from xlsx_tool.findings import UserError
    from xlsx_tool.sources import read_any

    units, found = [], []
    for n, path in enumerate(paths, start=1):
        try:
            result = check(read_any(path))
            org = result.data.info.get("org_name", "") or Path(path).stem
            units.append(Unit(org, str(path), result.errors, result.warnings))
            found += result.errors + result.warnings
        except UserError as err:
            units.append(Unit(Path(path).stem, str(path), [err.finding], []))
            found.append(err.finding)
        if progress:
            progress(n, len(paths), str(path))
    names = []
    if roster:
        names = [line.strip() for line in Path(roster).read_text("utf-8").splitlines() if line.strip()]
    missing = [n for n in names if n not in {u.name for u in units}]
    return ReviewResult(units, found, missing, 1 if any(u.errors for u in units) else 0)


def write_findings(result, out, *, force=False):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["单位", "代码", "说明"])
    for u in result.units:
        for f in u.errors + u.warnings:
            ws.append([u.name, f.code, f.title])
    wb.save(out)
    return Path(out)


def combine(paths, *, org, year=None, allow_errors=False):
    from xlsx_tool.formats.content import ReportData
    from xlsx_tool.workbook.read import read_workbook

    datas = [read_workbook(p) for p in paths]
    fmt = datas[0].fmt
    inputs = {cid: sum((d.inputs.get(cid) or 0) for d in datas) for cid, c in fmt.cells.items() if c.is_input}
    return ReportData(fmt, source="汇总", info={"org_name": org, "year": str(year or datas[0].year)}, inputs=inputs)


@dataclass
class Explanation:
    code: str
    cell: str
    text: str


def rewrite_with_explanations(src, out, explanations, *, force=False):
    import openpyxl

    wb = openpyxl.load_workbook(src)
    ws = wb.create_sheet("说明")
    ws.append(["代码", "单元格", "说明"])
    for e in explanations:
        ws.append([e.code, e.cell, e.text])
    wb.save(out)
    return Path(out)


def install() -> None:
    """Put the doubles where the contracts say they are."""
    import xlsx_tool
    from xlsx_tool.checks import check as check_module
    from xlsx_tool.formats import content
    from xlsx_tool.workbook import template

    pkg = types.ModuleType("xlsx_tool.review")
    pkg.__path__ = []
    batch = types.ModuleType("xlsx_tool.review.batch")
    batch.review = review
    book = types.ModuleType("xlsx_tool.review.findings_book")
    book.write = write_findings
    comb = types.ModuleType("xlsx_tool.review.combine")
    comb.combine = combine
    prev = types.ModuleType("xlsx_tool.workbook.previous")
    prev.rewrite_with_explanations = rewrite_with_explanations
    for name, module in (("xlsx_tool.review", pkg), ("xlsx_tool.review.batch", batch),
                         ("xlsx_tool.review.findings_book", book), ("xlsx_tool.review.combine", comb),
                         ("xlsx_tool.workbook.previous", prev)):
        sys.modules[name] = module
    xlsx_tool.review = pkg
    content.Explanation = Explanation

    real_write = template.write_template
    if "previous" not in inspect.signature(real_write).parameters:
        def write_template(path, format_id, *, year, org="", prefill=None, previous=None, explanations=None,
                           force=False):
            prefill = dict(prefill or {})
            if previous is not None:      # carry last year's 结转下年度 into this year's 上年结转
                for cid, cell in previous.fmt.cells.items():
                    if cell.is_input and cell.row_key == "carried_out" and previous.inputs.get(cid) is not None:
                        prefill[cid.replace("carried_out", "carried_in")] = previous.inputs[cid]
                prefill.setdefault("org_name", previous.info.get("org_name", ""))
            return real_write(path, format_id, year=year, org=org, prefill=prefill, force=force)
        template.write_template = write_template

    real_check = check_module.check
    if "previous" not in inspect.signature(real_check).parameters:
        def check(data, *, previous=None):
            return real_check(data)
        check_module.check = check


install()

if __name__ == "__main__":
    from xlsx_tool.cli import main

    sys.exit(main())
