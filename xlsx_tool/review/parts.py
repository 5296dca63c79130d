"""``check FILE --parts DIR``: a combined (汇总) workbook against the units it sums.

Every input cell of the combined workbook must equal the sum of that cell over its units (totals
are formulas, so they follow).  The units are the reports under DIR of the combined workbook's
year and format; when the workbook has a 汇总来源 sheet (written by ``xlsx-tool combine``) only
the units listed there count, and the others are named (R22) rather than summed.  A cell that
differs is an R15 错误 naming the cell, the combined number, the sum and the units that
contributed; units that could not be counted (unreadable, another year, submitted twice) and
roster units that are missing are 提示 (R22, R23), and listed units absent from DIR are R16.
"""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from ..findings import ERROR, Code, Finding, UserError, make
from ..formats import model, values
from .combine import REFUSED_HEAD, SOURCES_SHEET, gather, select, sum_units
from .units import norm_name

#: Units named in one R15 message at most.
SHOWN_UNITS = 10


def listed_units(path) -> list[str] | None:
    """The unit names of a combined workbook's 汇总来源 sheet, or ``None`` when it has none
    (only workbooks have one)."""
    from ..sources import kind_of
    from ..workbook import files

    if kind_of(path) != "workbook":
        return None
    grids = files.open_workbook(path).grids
    grid = grids[SOURCES_SHEET] if SOURCES_SHEET in grids else None
    if not grid:
        return None
    names = []
    for row in grid[1:]:
        cells = [values.to_text(c) for c in row[:2]] + ["", ""]
        if cells[1].startswith(REFUSED_HEAD):
            break
        if cells[1]:
            names.append(cells[1])
    return names


def check_parts(file, dirs, *, roster=None, jobs: int | None = None, progress=None):
    """Check the combined workbook ``file`` (as ``check`` does) and against the units under
    ``dirs``; returns a ``CheckResult`` with the R findings added.  ``UserError`` as reading
    ``file`` (F..), R10 (no report under ``dirs``), R06 (roster)."""
    from ..checks.check import CheckResult, check
    from ..sources import read_any
    from .roster import Roster, read_roster

    if roster is not None and not isinstance(roster, Roster):
        roster = read_roster(roster)
    data = read_any(file)
    result = check(data)
    if data.year is None:
        raise UserError(Code.R12, str(file), "汇总工作簿的“报告年度”未填写或不正确，无法确定各单位的年度")
    listed = listed_units(file)
    names = {norm_name(n) for n in listed} if listed is not None else None
    reports, spool = gather(dirs, jobs=jobs, progress=progress, exclude=(file,))
    found: list[Finding] = []
    try:
        _, _, parts = select(reports, year=data.year, allow_errors=True, format_id=data.fmt.id, names=names)
        included = [p for p in parts if p.included]
        sums, choices, contrib, problem = sum_units(data.fmt, reports, parts, spool)
    finally:
        spool.close()
    if problem is not None:
        found.append(problem)
    for p in parts:
        if p.finding is not None and p.finding.code != Code.R22.name:
            found.append(make(Code.R22, f"“{p.name}”未计入核对（{p.finding.title}：{p.finding.message}）",
                              file=p.file, extra={"unit": p.name}))
        elif p.finding is not None:
            found.append(p.finding)
    if names is not None:
        present = {norm_name(p.name) for p in included}
        for n in listed:
            if norm_name(n) not in present:
                found.append(make(Code.R16, f"“{n}”在 {'、'.join(str(d) for d in dirs)} 中没有 {data.year} 年度的报告",
                                  file=str(file), sheet=SOURCES_SHEET, extra={"unit": n}))
    if problem is None:
        found += _compare(data, sums, choices, contrib, len(included))
    if roster is not None:
        have = {norm_name(p.name) for p in included}
        found += [make(Code.R23, f"“{name}”", file=roster.source, extra={"unit": name})
                  for key, name in roster.by_key.items() if key not in have]
    errors = list(result.errors) + [f for f in found if f.severity == ERROR]
    warnings = list(result.warnings) + [f for f in found if f.severity != ERROR]
    return CheckResult(data, errors, warnings)


def _factor(fmt: model.Format, field_id: str, unit: str | None) -> Decimal:
    spec = next((s for tl in fmt.tables for s, _, _ in tl.choices if s["id"] == field_id), {})
    return Decimal(str(spec.get("factors", {}).get(unit or spec.get("default", ""), 1)))


def _compare(data, sums: dict, choices: dict, contrib: dict, n_units: int) -> list[Finding]:
    fmt, out = data.fmt, []
    for cid, total in sums.items():
        cell = fmt.cells[cid]
        mine = data.inputs.get(cid)
        if mine is None and cid not in data.blank:
            continue                        # unreadable: the cell has its own finding
        mine = mine or 0
        if cell.unit_field:                 # the same amount unit on both sides
            mine = Decimal(mine) * _factor(fmt, cell.unit_field, data.choices.get(cell.unit_field)) \
                / _factor(fmt, cell.unit_field, choices.get(cell.unit_field))
        if mine == total:
            continue
        who = contrib.get(cid, [])
        shown = "、".join(f"{name} {values.format_number(v)}" for name, v in who[:SHOWN_UNITS])
        shown += f"等 {len(who)} 个单位" if len(who) > SHOWN_UNITS else ""
        diff = values.plain(mine - total)
        out.append(make(
            Code.R15, f"汇总工作簿中为 {values.format_number(mine)}，{n_units} 个单位之和为 {values.format_number(total)}，"
                      f"相差 {values.format_number(diff)}；" + (f"有数值的单位：{shown}" if who else "各单位该格均为 0"),
            file=data.source, sheet=cell.sheet, cell=data.address(cid), labels=cell.label_path,
            left=f"汇总数({data.address(cid)})", right=f"{n_units} 个单位之和", left_value=values.plain(mine),
            right_value=values.plain(total), difference=diff,
            extra={"units": [[name, _json(v)] for name, v in who[:100]]}))
    return out


def _json(v):
    v = values.plain(v)
    return float(v) if isinstance(v, Decimal) else v


def text_summary(dirs) -> str:
    return f"已与 {'、'.join(str(Path(d)) for d in dirs)} 中的各单位报告逐格核对（--parts）。"
