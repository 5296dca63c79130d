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

from . import __version__, model, outputs
from .narrative import PLACEHOLDER_HELP
from .template_sheets import (Ctx, make_styles, write_guide, write_info, write_narrative,
                              write_table)

NARRATIVE_PREFIX = "narrative_"


@dataclass
class Prefill:
    """``prefill`` sorted by kind: numeric input cells, 基本信息, 正文, 注 and choices."""
    numbers: dict = field(default_factory=dict)
    info: dict = field(default_factory=dict)
    narrative: dict = field(default_factory=dict)
    notes: dict = field(default_factory=dict)
    choices: dict = field(default_factory=dict)


def write_template(path, format_id: str, *, year: int, org: str = "", prefill: dict | None = None,
                   force: bool = False) -> pathlib.Path:
    """Write the template for ``format_id`` (e.g. ``"2021"``) and report ``year`` to ``path``.

    ``org``/``year`` fill 机关名称/报告年度; ``prefill`` maps defined-name ids to values (numeric
    input cell ids, 基本信息 ids, ``narrative_<section>`` → list of paragraphs, ``note_<table>``,
    choice ids) and wins over ``org``/``year``.  Unknown keys or unusable values → ``ValueError``;
    unknown format → ``KeyError``.  Raises :class:`UserError` ``O01`` (exists, no ``force``),
    ``O02`` (no such folder) or ``O03`` (cannot write there).  Returns the path written.
    """
    fmt = model.load(format_id)
    pf = parse_prefill(fmt, prefill or {}, year=year, org=org)
    with outputs.atomic_write(path, force=force) as tmp:
        _build(tmp, fmt, pf, year)
    return pathlib.Path(path)


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
            if fmt.cells[key].total_of:
                raise ValueError(f"prefill: {key} is a total (a formula), not an input cell")
            if isinstance(value, bool) or not isinstance(value, (int, float, Decimal, str, type(None))):
                raise ValueError(f"prefill: {key} must be a number or a string, not {value!r}")
            pf.numbers[key] = value
        elif key in info_ids:
            if not isinstance(value, (str, int, type(None))) or isinstance(value, bool):
                raise ValueError(f"prefill: {key} must be a string, not {value!r}")
            pf.info[key] = value
        elif key.startswith(NARRATIVE_PREFIX) and key[len(NARRATIVE_PREFIX):] in sections:
            value = [] if value is None else value
            if isinstance(value, str) or not all(isinstance(p, str) for p in value):
                raise ValueError(f"prefill: {key} must be a list of paragraphs (strings)")
            if len(value) > fmt.paragraph_rows:
                raise ValueError(f"prefill: {key} has {len(value)} paragraphs, at most "
                                 f"{fmt.paragraph_rows} fit")
            pf.narrative[key[len(NARRATIVE_PREFIX):]] = list(value)
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


def known_values(fmt: model.Format, numbers: dict) -> dict[str, Decimal] | None:
    """Every numeric cell id → its value as the spreadsheet computes it, or ``None`` when no
    number was prefilled (then formulas get an empty cached result and are computed on opening).

    Blank and text inputs count 0, as ``SUM`` ignores text in referenced cells."""
    if not any(isinstance(v, (int, float, Decimal)) for v in numbers.values()):
        return None
    out: dict[str, Decimal] = {}

    def value(cid: str) -> Decimal:
        if cid not in out:
            cell = fmt.cells[cid]
            if cell.total_of:
                out[cid] = sum((value(p) for p in cell.total_of), Decimal(0))
            else:
                v = numbers.get(cid)
                out[cid] = Decimal(str(v)) if isinstance(v, (int, float, Decimal)) else Decimal(0)
        return out[cid]

    for cid in fmt.cells:
        value(cid)
    return out


# -- the workbook -------------------------------------------------------------------------------
def _build(tmp: pathlib.Path, fmt: model.Format, pf: Prefill, year: int) -> None:
    import xlsxwriter  # imported here: reading and checking do not need it

    wb = xlsxwriter.Workbook(str(tmp), {"in_memory": True, "strings_to_formulas": False,
                                        "strings_to_urls": False, "strings_to_numbers": False})
    try:
        ctx = Ctx(wb, fmt, make_styles(wb), pf, known_values(fmt, pf.numbers))
        write_guide(ctx, guide_lines(fmt, year))
        write_info(ctx, __version__)
        write_narrative(ctx)
        for tl in fmt.tables:
            write_table(ctx, tl)
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
        wb.set_custom_property("xlsx_tool_format", fmt.id)
        wb.set_custom_property("xlsx_tool_version", __version__)
        wb.set_custom_property("xlsx_tool_layout", fmt.layout_hash)
        wb.worksheets()[0].activate()
    finally:
        wb.close()


def guide_lines(fmt: model.Format, year: int) -> list[tuple[str, str]]:
    """The rows of 填报说明, built from the format data."""
    out: list[tuple[str, str]] = []
    title = lambda s: out.append(("title", s))   # noqa: E731
    head = lambda s: out.append(("head", s))     # noqa: E731
    text = lambda s: out.append(("text", s))     # noqa: E731
    span = (f"{fmt.first_year}—{fmt.last_year} 年度的" if fmt.last_year else f"{fmt.first_year} 年度起的")
    title(f"{year}年度政府信息公开工作年度报告 填报说明")
    text(f"年报格式：{fmt.id} 格式，即{fmt.document}《{fmt.name}》，适用于{span}年度报告。")
    text(f"报告年度：{year} 年；统计期间：{year}年1月1日至{year}年12月31日。")
    head("一、本文件包括以下工作表")
    text(f"“{fmt.info_sheet}”：" + "、".join(f["label"] for f in fmt.info) + "。")
    sections = "；".join(s["label"] for s in fmt.narrative if s.get("level", 1) == 1)
    text(f"“{fmt.narrative_sheet}”：报告的文字部分（{sections}）。")
    for tl in fmt.tables:
        text(f"“{tl.sheet}”：{tl.heading}（官方统计表）。")
    head("二、怎样填写")
    text("只有浅黄色底色的格子可以填写，其他格子已锁定。请不要取消工作表保护、插入或删除行列、"
         "修改工作表名称，否则本工具无法读取。")
    text("没有数据请填 0。空白格子视为“未填写”，检查时会提示。")
    text("请直接输入阿拉伯数字，不要输入单位、空格、全角数字或说明文字；需要说明的内容请写在该表下方的“注”中。")
    kinds = {}
    for c in fmt.cells.values():
        if c.is_input and c.type != "count":
            kinds.setdefault((c.type, c.col_label), c)
    text("件数请填写不小于 0 的整数。")
    for (kind, label), c in kinds.items():
        if kind == "signed_count":
            text(f"“{label}”填写整数，减少时填负数（如 -8），没有变化填 0。")
        elif kind == "money":
            text(f"“{label}”可填写小数，最多保留 6 位小数。")
        elif kind == "amount":
            unit = next((spec["label"] for tl in fmt.tables for spec, _, _ in tl.choices
                         if spec["id"] == c.unit_field), "")
            text(f"“{label}”可填写小数" + (f"，单位在表下“{unit}”中选择。" if unit else "。"))
    text("灰色底色的格子（各“总计”）是公式，会自动计算，请不要手工填写或改写。")
    text("“检查”格显示 ✓ 表示该项勾稽关系成立；格子变红并显示数字时，该数字是等式左边减右边的差，"
         "请核对相关数字后更正。")
    head("三、正文、注和其他选项")
    text(f"“{fmt.narrative_sheet}”中每一行填写一个自然段，按顺序排列，空行会被忽略；每节最多 "
         f"{fmt.paragraph_rows} 段。不要在一个格子里换行分段。")
    text(PLACEHOLDER_HELP)
    text("每张表下方的“注”为选填，填写的内容将原样印在报告中该表的下方。")
    for tl in fmt.tables:
        for spec, _, _ in tl.choices:
            text(f"“{tl.sheet}”下方的“{spec['label']}”：{spec.get('help', '')}")
    head("四、检查和生成报告")
    text("填好并保存后，在命令行中运行：xlsx-tool check 文件名.xlsx （检查填写内容和勾稽关系）")
    text("检查无误后运行：xlsx-tool render 文件名.xlsx -o 报告.docx （生成 Word 格式的年度报告）")
    text("文件名或路径中有空格时，请用英文双引号括起来。可以用 Excel、WPS 表格或 LibreOffice 填写，"
         "请保存为 .xlsx 格式。")
    head("五、报送和公布时限")
    text(f"《中华人民共和国政府信息公开条例》第四十九条：县级以上人民政府部门应当在 {year + 1}年1月31日前"
         "向本级政府信息公开工作主管部门提交本机关上一年度政府信息公开工作年度报告并向社会公布；"
         f"县级以上地方人民政府的政府信息公开工作主管部门应当在 {year + 1}年3月31日前向社会公布本级政府"
         "上一年度政府信息公开工作年度报告。")
    text("乡镇人民政府按当地通知要求的时间报送和公布（通常在1月下旬）。")
    head("六、本模板")
    text(f"由 xlsx_tool {__version__} 生成；年报格式 {fmt.id}，版式编号 {fmt.layout_hash}。")
    return out
