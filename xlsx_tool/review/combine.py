"""Consolidation (汇总): the units' tables summed cell by cell into a new workbook of the same format
and year, for the combining body (全县/全市汇总).

:func:`combine` reads every report under the folders on every core (as :func:`.batch.review`
does) and sums each input cell of the units it accepts; totals are formulas of the new workbook,
so they are sums too.  A unit is refused — left out and listed, never silently — when its file
cannot be read (R14), it has 错误 and ``allow_errors`` is off (R11), its year or format differs
from the consolidation's (R12), or the same unit has more than one file (R13, every copy, until
one is removed).  Amounts whose unit the clerk chooses (2019 采购总金额: 元/万元) are converted
with the factors of the format data before summing.

:func:`write_combined` writes the workbook through
:func:`~xlsx_tool.workbook.template.write_template`: 基本信息 for the combining body, an empty 正文
to write, the summed tables, and a sheet 汇总来源 listing every unit included (file and key totals)
and every unit refused with the reason.  ``xlsx-tool check --parts`` verifies it later.
"""
from __future__ import annotations

import os
import pickle
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from ..findings import ERROR, Code, Finding, UserError, make
from ..formats import model, rates, registry
from ..formats.content import ReportData
from . import pool
from .batch import discover
from .units import ERRORS, UNREADABLE, UnitReport, inspect, norm_name, unreadable

SOURCES_SHEET = "汇总来源"
#: Heads of the 汇总来源 table (the key figures of the format follow them).
SOURCE_HEADS = ("序号", "单位", "文件", "检查结果")
REFUSED_HEAD = "未汇总的单位"


@dataclass
class Part:
    """One unit's file in a consolidation: ``included`` or refused with ``finding``."""
    name: str
    file: str
    status: str
    errors: int
    figures: dict
    included: bool = False
    finding: Finding | None = None


@dataclass
class Combined(ReportData):
    """The consolidated report: a :class:`ReportData` (inputs = sums) and its ``parts``
    (every file considered, included or refused) and ``refused`` findings (R11–R14, R20) and
    roster ``missing`` names (R23 notes)."""
    parts: list[Part] = field(default_factory=list)
    refused: list[Finding] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def _read(path: str) -> UnitReport:
    return inspect(path, keep_inputs=True)


def _failed(path: str, reason: str) -> UnitReport:
    return unreadable(path, make(Code.R01, reason, file=path), f"[R01] {reason}")


def _crashed(path: str) -> UnitReport:
    return _failed(path, "读取该文件的进程异常退出（文件可能有害）")


def gather(paths, *, jobs=None, progress=None, exclude=()):
    """Read every report under ``paths`` on every core; ``(reports, spool)``: the reports without
    their inputs, which are pickled in ``spool`` at ``report.inputs["@"]`` (an offset)."""
    files = discover(paths, exclude=exclude)
    spool = tempfile.TemporaryFile(prefix="xlsx-tool-combine-")
    reports: list[UnitReport] = []
    try:
        for i, rep in enumerate(pool.imap(_read, files, failed=_failed, crashed=_crashed, jobs=jobs), start=1):
            if rep.status != UNREADABLE:
                spool.seek(0, os.SEEK_END)
                offset = spool.tell()
                pickle.dump((rep.inputs, rep.choices), spool, protocol=pickle.HIGHEST_PROTOCOL)
                rep.inputs, rep.choices = {"@": offset}, {}
            reports.append(rep)
            if progress is not None:
                progress(i, len(files), rep)
    except BaseException:
        spool.close()
        raise
    return reports, spool


def load_inputs(spool, rep: UnitReport) -> tuple[dict, dict]:
    spool.seek(rep.inputs["@"])
    return pickle.load(spool)


def select(reports: list[UnitReport], *, year: int | None, allow_errors: bool,
           format_id: str | None = None, names: set[str] | None = None) -> tuple[int, str, list[Part]]:
    """Decide which units a consolidation takes: ``(year, format id, parts)``.

    ``year``: given, else the year most readable files report; ``format_id``: given, else the
    format of that year; ``names`` (normalised unit names): only those units (the others are
    listed, not refused) — used by ``check --parts`` with the combined workbook's 汇总来源."""
    read = [r for r in reports if r.status != UNREADABLE]
    years = Counter(r.year for r in read if r.year)
    if year is None:
        if not years:
            why = "；".join(f"{Path(r.file).name}：{r.reason}" for r in reports[:5])
            raise UserError(Code.R21, "、".join(r.file for r in reports[:5]) + ("等" if len(reports) > 5 else ""),
                            f"没有可读取的单位报告（{why[:600]}）")
        year = max(years.items(), key=lambda kv: (kv[1], kv[0]))[0]
    format_id = format_id or registry.for_year(year)
    copies = Counter(r.key for r in read if r.year == year and r.format == format_id)
    parts = []
    for r in sorted(reports, key=lambda r: (norm_name(r.name) or "~", r.file)):
        part = Part(r.name or Path(r.file).name, r.file, r.status, r.errors, r.figures)
        unit = {"unit": part.name}
        if r.status == UNREADABLE:
            part.finding = make(Code.R14, r.reason, file=r.file, extra=unit)
        elif r.year != year or r.format != format_id:
            part.finding = make(Code.R12, f"“{part.name}”为 {r.year or '（年度未填写）'} 年度、{r.format} 格式，"
                                          f"本次汇总 {year} 年度、{format_id} 格式", file=r.file, extra=unit)
        elif copies[r.key] > 1:
            part.finding = make(Code.R13, f"“{part.name}”在文件夹中有 {copies[r.key]} 个文件", file=r.file, extra=unit)
        elif names is not None and r.key not in names:
            why = f"有 {r.errors} 个错误，汇总时未计入" if r.status == ERRORS else "不在汇总来源中"
            part.finding = make(Code.R22, f"“{part.name}”{why}", file=r.file, extra=unit)
        elif r.status == ERRORS and not allow_errors:
            part.finding = make(Code.R11, f"“{part.name}”有 {r.errors} 个错误（xlsx-tool check 可查看）", file=r.file, extra=unit)
        else:
            part.included = True
        parts.append(part)
    return year, format_id, parts


def sum_units(fmt: model.Format, reports: list[UnitReport], parts: list[Part], spool
              ) -> tuple[dict, dict, dict[str, list[tuple[str, object]]], Finding | None]:
    """``(inputs, choices, contributions, problem)``: every input cell → the sum over the included
    units (blank counts 0); the choices (a unit field kept when every unit chose the same, else
    its base unit with the amounts converted); cell → ``[(unit, value)]`` of the non-zero
    contributions; ``problem``: R20 when units differ and the data gives no factors."""
    by_file = {r.file: r for r in reports}
    totals: dict = {cid: 0 for cid, c in fmt.cells.items() if c.is_input}
    contrib: dict[str, list] = {}
    specs = {spec["id"]: spec for tl in fmt.tables for spec, _, _ in tl.choices}
    unit_cells = {c.id: c.unit_field for c in fmt.cells.values() if c.is_input and c.unit_field}
    used: dict[str, Counter] = {k: Counter() for k in specs}
    for part in (p for p in parts if p.included):
        inputs, choices = load_inputs(spool, by_file[part.file])
        for k in specs:
            used[k][choices.get(k) or specs[k].get("default", "")] += 1
        for cid in totals:
            v = inputs.get(cid)
            if not v:
                continue
            field_id = unit_cells.get(cid)
            if field_id:
                factor = specs[field_id].get("factors", {}).get(choices.get(field_id) or specs[field_id].get("default"))
                if factor is None:
                    return {}, {}, {}, make(Code.R20, f"“{specs[field_id]['label']}”没有换算关系", file=part.file)
                v = Decimal(v) * Decimal(str(factor))
            totals[cid] += v
            contrib.setdefault(cid, []).append((part.name, v))
    choices = {}
    for k, spec in specs.items():
        chosen = [c for c, _ in used[k].most_common()]
        factors = spec.get("factors", {})
        if len(chosen) == 1 and chosen[0] in factors:
            unit = chosen[0]
        else:
            unit = next((c for c, f in factors.items() if f == 1), None) if len(chosen) > 1 else (chosen[0] if chosen else None)
            if len(chosen) > 1 and unit is None:
                return {}, {}, {}, make(Code.R20, f"“{spec['label']}”各单位不同：{'、'.join(chosen)}")
        if unit:
            choices[k] = unit
        factor = Decimal(str(factors.get(unit, 1))) if unit else Decimal(1)
        for cid, fid in unit_cells.items():
            if fid == k and factor != 1:
                totals[cid] = Decimal(totals[cid]) / factor
                contrib[cid] = [(n, Decimal(v) / factor) for n, v in contrib.get(cid, [])]
    totals = {cid: (v.normalize() if isinstance(v, Decimal) and v != v.to_integral_value() else
                    (int(v) if fmt.cells[cid].type in ("count", "signed_count") or isinstance(v, int) else v))
              for cid, v in totals.items()}
    return totals, choices, contrib, None


def combine(paths, *, org: str, year: int | None = None, allow_errors: bool = False, roster=None,
            jobs: int | None = None, progress=None, exclude=()) -> Combined:
    """Consolidate every report under ``paths`` for the body ``org`` (see the module docstring).

    Returns a :class:`Combined`; its ``refused`` lists the units left out.  Raises ``UserError``
    R10 (nothing found), R21 (no unit can be included), R20 (amount units that cannot be
    converted), R06 (roster)."""
    from .roster import Roster, read_roster

    if roster is not None and not isinstance(roster, Roster):
        roster = read_roster(roster)
    reports, spool = gather(paths, jobs=jobs, progress=progress, exclude=exclude)
    try:
        year, fid, parts = select(reports, year=year, allow_errors=allow_errors)
        included = [p for p in parts if p.included]
        if not included:
            refused = "；".join(f"{Path(p.file).name}：{p.finding.title}" for p in parts if p.finding)[:600]
            raise UserError(Code.R21, "、".join(str(p) for p in paths), refused, exit_code=1)
        fmt = model.load(fid)
        inputs, choices, _, problem = sum_units(fmt, reports, parts, spool)
        if problem is not None:
            raise UserError(Code.R20, problem.file or "、".join(str(p) for p in paths), problem.message, exit_code=1)
    finally:
        spool.close()
    info = {f["id"]: "" for f in fmt.info}
    info.update(org_name=org, year=str(year))
    data = Combined(fmt, source=f"{len(included)} 个单位的汇总", info=info,
                    narrative={s["id"]: [] for s in fmt.narrative}, notes={tl.id: "" for tl in fmt.tables},
                    choices=choices, inputs=inputs, kind="combined", parts=parts,
                    refused=[p.finding for p in parts if p.finding is not None])
    if roster is not None:
        have = {norm_name(p.name) for p in included}
        data.missing = [name for key, name in roster.by_key.items() if key not in have]
        data.refused += [make(Code.R23, f"“{name}”", file=roster.source, extra={"unit": name}) for name in data.missing]
    return data


def write_combined(paths, out, *, org: str, year: int | None = None, allow_errors: bool = False, roster=None,
                   info: dict | None = None, force: bool = False, jobs: int | None = None, progress=None
                   ) -> tuple[Path, Combined]:
    """Consolidate (:func:`combine`) and write the workbook to ``out``; ``info``: more 基本信息 of
    the combining body (field id or label such as 联系电话 → text).  The output is checked before any work (O01–O05)."""
    from .. import outputs
    from ..workbook.prefill import prefill_of
    from ..workbook.template import write_template

    outputs.check_target(out, force=force)
    data = combine(paths, org=org, year=year, allow_errors=allow_errors, roster=roster, jobs=jobs,
                   progress=progress, exclude=(out,))
    if info:
        labels = {f["label"]: f["id"] for f in data.fmt.info}
        data.info.update({labels.get(k, k): str(v) for k, v in info.items() if labels.get(k, k) in data.info})
    prefill = prefill_of(data)
    path = write_template(out, data.fmt.id, year=data.year, org=org, prefill=prefill, force=force,
                          appendix=lambda wb, st: _sources_sheet(wb, st, data))
    return path, data


def _sources_sheet(wb, st: dict, data: Combined) -> None:
    """汇总来源: every unit included (序号, 单位, 文件, 检查结果, key figures), then the refused."""
    ws = wb.add_worksheet(SOURCES_SHEET)
    keys = rates.key_figures(data.fmt)
    heads = list(SOURCE_HEADS) + [k.name for k in keys]
    widths = [6, 28, 40, 10] + [12] * len(keys)
    for c, (h, w) in enumerate(zip(heads, widths)):
        ws.set_column(c, c, w)
        ws.write_string(0, c, h, st["head"])
    included = [p for p in data.parts if p.included]
    for i, p in enumerate(included, start=1):
        ws.write_number(i, 0, i, st["value"])
        ws.write_string(i, 1, p.name, st["label"])
        ws.write_string(i, 2, p.file, st["label"])
        ws.write_string(i, 3, p.status, st["label"])
        for c, k in enumerate(keys, start=len(SOURCE_HEADS)):
            v = p.figures.get(k.id)
            ws.write_number(i, c, float(v) if isinstance(v, Decimal) else (v or 0), st["value"])
    r = len(included) + 2
    ws.write_string(r, 1, f"{REFUSED_HEAD}（{sum(1 for f in data.refused if f.severity == ERROR)}）", st["head"])
    ws.write_string(r, 2, "原因", st["head"])
    for f in data.refused:
        r += 1
        ws.write_string(r, 1, f.extra.get("unit") or (Path(f.file).name if f.file else ""), st["label"])
        ws.write_string(r, 2, f"[{f.code}] {f.title}：{f.message}", st["label"])
    ws.freeze_panes(1, 0)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
