"""Every field of a format, described for people: ``xlsx-tool fields`` and custom Word templates.

Each field is what a workbook cell's defined name and a Word-template placeholder are called.
"""
from __future__ import annotations

from ..formats import model, rates, registry
from ..workbook import yearread

TYPE_NAMES = {
    "count": "件数（不小于 0 的整数）",
    "signed_count": "增减数（整数，可为负）",
    "money": "金额（万元，最多 6 位小数）",
    "amount": "金额（单位由填报人选择）",
    "text": "文字",
    "year": "年份",
    "paragraphs": "段落（每行一段）",
    "choice": "选项",
    "rate": "比率（百分数，分母为 0 时为“—”）",
}


#: Names every report template can use besides the fields (see :func:`.context.context`), with
#: how to get each one's example from the format: ``(name, label, example(fmt, year))``.
REPORT_NAMES = (
    ("title", "报告标题：机关名称 + 年度 + “年政府信息公开工作年度报告”",
     lambda fmt, year: f"某某镇人民政府{year}年政府信息公开工作年度报告"),
    ("year", "报告年度（来自基本信息）", lambda fmt, year: str(year)),
    ("fmt_label", "年报格式及文号", lambda fmt, year: fmt.label),
    ("fmt_name", "年报格式名称", lambda fmt, year: fmt.name),
    ("fmt_document", "年报格式文号", lambda fmt, year: fmt.document),
    ("fmt_id", "年报格式代号", lambda fmt, year: fmt.id),
    ("explanations_text", "“说明”工作表中写的全部说明，合为一段（没有说明时为空）；内置模板不印",
     lambda fmt, year: "说明：机构调整，上年结转的申请由原单位办理（Y01，表三!D7）。"),
)
#: The explanations one by one (a list: written as a loop).
EXPLANATIONS_LOOP = "{%p for e in explanations %}{{ e.code }} {{ e.cell }} {{ e.title }}：{{ e.text }}{%p endfor %}"


def example_year(format_id: str) -> int:
    """A report year the format serves, for examples: its last year, or for the current format
    the season's year (:func:`~xlsx_tool.formats.registry.default_year`), not before its first."""
    first, last = registry.year_span(format_id)
    return last if last is not None else max(first, registry.default_year())


def describe(format_id: str) -> list[dict]:
    """One dict per field: ``id``, ``placeholder`` (as written in a Word template), ``sheet``,
    ``cell`` (A1, or a range for narrative), ``type`` (Chinese), ``labels`` (table › row › column
    exactly as printed, or the label on the sheet), ``input`` (False for totals), ``example``."""
    fmt = model.load(format_id)
    year = example_year(format_id)
    out = [dict(id=name, placeholder=f"{{{{ {name} }}}}", sheet="", cell="", type=TYPE_NAMES["text"],
                labels=label, input=False, example=example(fmt, year)) for name, label, example in REPORT_NAMES]
    first, last = yearread.EXPLANATION_FIRST_ROW, yearread.EXPLANATION_FIRST_ROW + yearread.EXPLANATION_ROWS - 1
    out.append(dict(id="explanations", placeholder=EXPLANATIONS_LOOP, sheet=yearread.EXPLANATION_SHEET,
                    cell=f"{model.a1(first, 0)}:{model.a1(last, 2)}",
                    type=TYPE_NAMES["paragraphs"], labels="“说明”工作表中的每条说明：代码、位置、代码含义、说明内容",
                    input=True, example="Y01 表三!D7 上年结转与上年报告不衔接：机构调整，上年结转的申请由原单位办理"))
    info_pos = fmt.info_cells()
    for f in fmt.info:
        out.append(dict(id=f["id"], placeholder=f"{{{{ info.{f['id']} }}}}", sheet=fmt.info_sheet,
                        cell=model.a1(*info_pos[f["id"]]), type=TYPE_NAMES[f["type"]],
                        labels=f"{fmt.info_sheet}{model.SEP}{f['label']}", input=True,
                        example=str(year) if f["type"] == "year" else f.get("example", "")))
    for sid, (_, first, last) in fmt.narrative_rows().items():
        sec = next(s for s in fmt.narrative if s["id"] == sid)
        out.append(dict(id=model.narrative_name(sid), placeholder=f"{{%p for para in narrative.{sid} %}}{{{{ para }}}}{{%p endfor %}}",
                        sheet=fmt.narrative_sheet, cell=f"{model.a1(first, 1)}:{model.a1(last, 1)}",
                        type=TYPE_NAMES["paragraphs"], labels=f"{fmt.narrative_sheet}{model.SEP}{sec['label']}",
                        input=True, example="（该部分的正文段落）"))
    for spec in rates.specs(fmt):
        out.append(dict(id=spec.id, placeholder=f"{{{{ rates.{spec.id} }}}}", sheet="", cell="",
                        type=TYPE_NAMES["rate"], labels=f"{spec.name} = {spec.formula}", input=False,
                        example="85.7%"))
    for tl in fmt.tables:
        for c in sorted(tl.cells, key=lambda c: (c.row, c.col)):
            out.append(dict(id=c.id, placeholder=f"{{{{ v.{c.id} }}}}", sheet=c.sheet, cell=c.a1,
                            type=TYPE_NAMES[c.type] + ("，合计公式" if c.total_of else ""),
                            labels=c.label_path, input=c.is_input,
                            example="24252.311082" if c.type == "money" else "0"))
        out.append(dict(id=tl.note_id, placeholder=f"{{{{ notes.{tl.id} }}}}", sheet=tl.sheet,
                        cell=model.a1(tl.note.row, tl.note.col), type=TYPE_NAMES["text"],
                        labels=f"{tl.heading}{model.SEP}注", input=True, example="注：本表数据含上年度结转数量。"))
        for spec, _, box in tl.choices:
            out.append(dict(id=spec["id"], placeholder=f"{{{{ choices.{spec['id']} }}}}", sheet=tl.sheet,
                            cell=model.a1(box.row, box.col), type=TYPE_NAMES["choice"] + "：" + "/".join(spec["choices"]),
                            labels=f"{tl.heading}{model.SEP}{spec['label']}", input=True, example=spec["default"]))
    return out
