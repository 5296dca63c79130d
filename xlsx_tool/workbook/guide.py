"""The 填报说明 sheet's text: how to fill the workbook in, built from the format data."""
from __future__ import annotations

from .. import __version__
from ..formats import model, registry
from ..formats.placeholders import PLACEHOLDER_HELP
from . import checkcells


def deadline_lines(fmt: model.Format, year: int) -> list[str]:
    """条例 第四十九条 word for word, then the deadline of the ``year`` report for each kind of
    agency (from the format data's ``deadlines``)."""
    d = registry.raw(fmt.id)["deadlines"]
    out = [f"{d['source']}：“{d['text']}”", f"{year}年度报告的时限，按本单位的类别："]
    for k in d["kinds"]:
        who = f"{k['kind']}（{k['example']}）" if k.get("example") else k["kind"]
        when = f"{year + 1}年{k['by']}前" if k.get("by") else ""
        out.append(f"{who}：{when}{k['what']}。")
    return out


def guide_lines(fmt: model.Format, year: int) -> list[tuple[str, str]]:
    """The rows of 填报说明, built from the format data."""
    out: list[tuple[str, str]] = []
    title = lambda s: out.append(("title", s))   # noqa: E731
    head = lambda s: out.append(("head", s))     # noqa: E731
    text = lambda s: out.append(("text", s))     # noqa: E731
    span = registry.span_text(fmt.id) + "的"
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
    text(checkcells.MEANING)
    head("三、正文、注和其他选项")
    text(f"“{fmt.narrative_sheet}”中每一行填写一个自然段，按顺序排列，空行会被忽略；每节最多 "
         f"{fmt.paragraph_rows} 段。不要在一个格子里换行分段。")
    text(PLACEHOLDER_HELP)
    text("每张表下方的“注”为选填，填写的内容将原样印在报告中该表的下方。")
    for tl in fmt.tables:
        for spec, _, _ in tl.choices:
            text(f"“{tl.sheet}”下方的“{spec['label']}”：{spec.get('help', '')}")
    head("四、检查和生成报告")
    text("填好并保存后，在浏览器中打开年报网页（运行 xlsx-tool serve 后自动打开，如 http://127.0.0.1:8000/），"
         "上传本文件即可检查并下载 Word 报告；也可在命令行中运行：xlsx-tool check 文件名.xlsx （检查填写内容和勾稽关系）")
    text("检查无误后运行：xlsx-tool render 文件名.xlsx -o 报告.docx （生成 Word 格式的年度报告）")
    text("文件名或路径中有空格时，请用英文双引号括起来。可以用 Excel、WPS 表格或 LibreOffice 填写，"
         "请保存为 .xlsx 格式。")
    head("五、报送和公布时限")
    for line in deadline_lines(fmt, year):
        text(line)
    head("六、本模板")
    text(f"由 xlsx_tool {__version__} 生成；年报格式 {fmt.id}，版式编号 {fmt.layout_hash}。")
    return out
