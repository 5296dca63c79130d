"""Write the locked fill-in workbook (填报模板) for one official format and report year.

Sheets, in order: 填报说明 (how to fill it in), 基本信息, 正文, then one sheet per official table
(表二, 表三, 表四).  Only the light-yellow input cells are unlocked; totals are ``SUM`` formulas
and every cross-check (勾稽关系) has a check cell showing ✓ or the difference.  Every input, total,
info field, narrative range, note and choice gets a workbook-level defined name equal to its id,
so readers find cells by name, not by position.

The workbook is written to a temporary file beside the target and moved into place, so a failed
run never leaves a half-written file.
"""
from __future__ import annotations

import pathlib
from dataclasses import dataclass, field
from decimal import Decimal

from .. import __version__, outputs
from ..formats import model
from ..formats.content import ReportData
from . import yearsheets
from .files import PROP_FORMAT, PROP_LAYOUT, PROP_VERSION
from .guide import guide_lines
from .sheets import Ctx, make_styles, write_guide, write_info, write_narrative, write_table


@dataclass
class Prefill:
    """``prefill`` sorted by kind: numeric input cells, totals written over their formulas,
    基本信息, 正文, 注 and choices."""
    numbers: dict = field(default_factory=dict)
    totals: dict = field(default_factory=dict)
    info: dict = field(default_factory=dict)
    narrative: dict = field(default_factory=dict)
    notes: dict = field(default_factory=dict)
    choices: dict = field(default_factory=dict)


def write_template(path, format_id: str, *, year: int, org: str = "", prefill: dict | None = None,
                   previous: ReportData | None = None, explanations: list | None = None,
                   force: bool = False, appendix=None) -> pathlib.Path:
    """Write the template for ``format_id`` (e.g. ``"2021"``) and report ``year`` to ``path``.

    ``org``/``year`` fill 机关名称/报告年度; ``prefill`` maps defined-name ids to values (numeric
    input cell ids, 基本信息 ids, ``narrative_<section>`` → list of paragraphs, ``note_<table>``,
    choice ids) and wins over ``org``/``year``.  ``previous``: last year's report (any format):
    the template keeps it (hidden sheet 上年参考), shows the continuity of :mod:`..formats.carry`
    under the tables and marks 正文 paragraphs equal to last year's; without ``prefill`` it is also
    prefilled from it (:func:`.prefill.prefill_from`).  A total cell id in ``prefill`` writes
    that value (a number, text, or ``None`` for blank) over the total's formula: a published
    report's printed total that does not add up survives into the workbook, and reading it back
    reports it (S04).  ``explanations``: rows of the 说明 sheet
    (:class:`~xlsx_tool.formats.content.Explanation`, dicts or ``(code, cell, text)``; at most 30).
    The judging of ``previous`` (same agency, year − 1) is the caller's
    (:func:`xlsx_tool.checks.continuity.judge_previous`).
    Unknown keys or unusable values → ``ValueError``; unknown format → ``KeyError``.  Raises
    :class:`UserError` ``O01`` (exists, no ``force``), ``O02`` (no such folder), ``O03`` (cannot
    write there), ``O04`` (``path`` is last year's file), ``O06`` (``path`` does not end in
    ``.xlsx``) or another output code of :mod:`xlsx_tool.outputs`.  Returns the path written.

    ``appendix``: ``appendix(workbook, styles)`` adds sheets after the tables (xlsxwriter
    ``Workbook`` and this module's cell formats), e.g. the 汇总来源 sheet of a combined report.
    """
    fmt = model.load(format_id)
    if prefill is None and previous is not None:
        from .prefill import prefill_from

        prefill = prefill_from(previous, year, format_id=format_id)
        if org:
            prefill.pop("org_name", None)
    pf = parse_prefill(fmt, prefill or {}, year=year, org=org)
    carried = yearsheets.carried_from(previous) if previous is not None else None
    rows = yearsheets.as_explanations(explanations)
    inputs = (previous.source,) if previous is not None and previous.kind != "carried" else ()
    with outputs.atomic_write(path, force=force, inputs=inputs, suffix=".xlsx") as tmp:
        _build(tmp, fmt, pf, year, carried, rows, appendix)
    return pathlib.Path(path)


def refuse_to_replace_data(path) -> None:
    """Raise :class:`UserError` S20 when ``path`` is a workbook holding data that a blank template
    would replace: a template with any number, text, paragraph, 注 or 基本信息 beyond 机关名称 and
    报告年度 filled in, another program's spreadsheet (F05), an encrypted one (F04) or one too large
    to read (F06).  A missing file, a blank template or a file that is no spreadsheet at all
    (F03, F07) may be replaced (``template --force``)."""
    from ..findings import Code, UserError
    from .read import read_workbook

    p = pathlib.Path(path)
    if not p.is_file():
        return
    try:
        data = read_workbook(p)
    except UserError as err:
        if err.code in (Code.F03.name, Code.F07.name):
            return
        raise UserError(Code.S20, str(p), f"{err.finding.title}：可能是其他程序的数据") from None
    held = filled_parts(data)
    if held:
        raise UserError(Code.S20, str(p), "其中有" + "、".join(held))


def filled_parts(data) -> list[str]:
    """What a read template holds beyond a blank one, e.g. ``["45 个数字格", "正文 3 段"]``."""
    fmt = data.fmt
    inputs = [c for c in fmt.cells.values() if c.is_input]
    numbers = sum(1 for c in inputs if c.id not in data.blank)
    paragraphs = sum(len(v) for v in data.narrative.values())
    notes = sum(1 for v in data.notes.values() if v)
    info = [f["label"] for f in fmt.info if f["id"] not in ("org_name", "year") and data.info.get(f["id"])]
    return [text for n, text in ((numbers, f"{numbers} 个已填写的表格格子"), (paragraphs, f"正文 {paragraphs} 段"),
                                 (notes, f"{notes} 条表下注"), (len(info), "基本信息（" + "、".join(info[:3]) + "等）"))
            if n]


# -- prefill ------------------------------------------------------------------------------------
def parse_prefill(fmt: model.Format, prefill: dict, *, year: int, org: str = "") -> Prefill:
    """Sort and validate ``prefill`` (see :func:`write_template`); ``ValueError`` on bad input."""
    pf = Prefill()
    pf.info["year"] = year
    if org:
        pf.info["org_name"] = org
    info_ids = {f["id"] for f in fmt.info}
    sections = {s["id"] for s in fmt.narrative}
    notes = {tl.note_id: tl.id for tl in fmt.tables}
    choices = {spec["id"]: spec for tl in fmt.tables for spec, _, _ in tl.choices}
    for key, value in prefill.items():
        if key in fmt.cells:
            if isinstance(value, bool) or not isinstance(value, (int, float, Decimal, str, type(None))):
                raise ValueError(f"prefill: {key} must be a number or a string, not {value!r}")
            (pf.totals if fmt.cells[key].total_of else pf.numbers)[key] = value
        elif key in info_ids:
            if not isinstance(value, (str, int, type(None))) or isinstance(value, bool):
                raise ValueError(f"prefill: {key} must be a string, not {value!r}")
            pf.info[key] = value
        elif model.section_of(key) in sections:
            value = [] if value is None else value
            if isinstance(value, str) or not all(isinstance(p, str) for p in value):
                raise ValueError(f"prefill: {key} must be a list of paragraphs (strings)")
            if len(value) > fmt.paragraph_rows:
                raise ValueError(f"prefill: {key} has {len(value)} paragraphs, at most "
                                 f"{fmt.paragraph_rows} fit")
            pf.narrative[model.section_of(key)] = list(value)
        elif key in notes:
            if not isinstance(value, (str, type(None))):
                raise ValueError(f"prefill: {key} must be a string")
            pf.notes[notes[key]] = value
        elif key in choices:
            if not isinstance(value, (str, type(None))):
                raise ValueError(f"prefill: {key} must be a string, e.g. {choices[key]['choices']}")
            pf.choices[key] = value
        else:
            raise ValueError(f"prefill: unknown id {key!r} for format {fmt.id}")
    return pf


def known_values(fmt: model.Format, numbers: dict, totals: dict | None = None) -> dict[str, Decimal] | None:
    """Every numeric cell id → its value as the spreadsheet computes it, or ``None`` when no
    number was prefilled (then formulas get an empty cached result and are computed on opening).

    Blank and text inputs count 0, as ``SUM`` ignores text in referenced cells; a total written
    over its formula (``totals``) counts as written."""
    def num(v):
        return Decimal(str(v)) if isinstance(v, (int, float, Decimal)) and not isinstance(v, bool) else None
    if not any(num(v) is not None for v in list(numbers.values()) + list((totals or {}).values())):
        return None
    if not totals:
        return fmt.evaluate({cid: num(v) for cid, v in numbers.items() if num(v) is not None})
    out: dict[str, Decimal] = {}

    def value(cid: str) -> Decimal:
        if cid not in out:
            cell = fmt.cells[cid]
            if cid in totals:
                out[cid] = num(totals[cid]) or Decimal(0)
            elif cell.total_of:
                out[cid] = sum((value(p) for p in cell.total_of), Decimal(0))
            else:
                out[cid] = num(numbers.get(cid)) or Decimal(0)
        return out[cid]

    for cid in fmt.cells:
        value(cid)
    return out


# -- the workbook -------------------------------------------------------------------------------
def _build(tmp: pathlib.Path, fmt: model.Format, pf: Prefill, year: int, carried=None,
           explanations: list | None = None, appendix=None) -> None:
    import xlsxwriter  # imported here: reading and checking do not need it

    wb = xlsxwriter.Workbook(str(tmp), {"in_memory": True, "strings_to_formulas": False,
                                        "strings_to_urls": False, "strings_to_numbers": False})
    try:
        ctx = Ctx(wb, fmt, make_styles(wb), pf, known_values(fmt, pf.numbers, pf.totals))
        if carried is not None:
            ctx.hints.update(yearsheets.hints(fmt, carried))
        write_guide(ctx, guide_lines(fmt, year) + yearsheets.guide_lines(carried))
        write_info(ctx, __version__)
        write_narrative(ctx)
        for tl in fmt.tables:
            write_table(ctx, tl)
        yearsheets.write_explanations(ctx, explanations or [])
        if carried is not None:
            yearsheets.write_blocks(ctx, carried)
            yearsheets.mark_copied(ctx, yearsheets.write_reference(ctx, carried))
        if appendix is not None:
            appendix(wb, ctx.st)
        for name, target in ctx.names.items():
            wb.define_name(name, target)
        org = str(pf.info.get("org_name") or "")
        wb.set_properties({
            "title": f"{year}年度政府信息公开工作年度报告（填报模板）",
            "subject": f"政府信息公开工作年度报告 {fmt.label}",
            "author": org or "xlsx_tool",
            "company": org,
            "keywords": "政府信息公开, 年度报告, xlsx_tool",
            "comments": f"由 xlsx_tool {__version__} 生成；年报格式 {fmt.label}",
        })
        wb.set_custom_property(PROP_FORMAT, fmt.id)
        wb.set_custom_property(PROP_VERSION, __version__)
        wb.set_custom_property(PROP_LAYOUT, fmt.layout_hash)
        wb.worksheets()[0].activate()
    finally:
        wb.close()


