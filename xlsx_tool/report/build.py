"""Build the Word report templates from the format model, reproducibly.

    python -m xlsx_tool.report.build            # (re)write templates/report-*.docx
    python -m xlsx_tool.report.build --check    # rebuild in a temporary folder and compare

Nothing of the tables is written by hand: each Word table is laid out from
:attr:`xlsx_tool.formats.geometry.TableLayout.boxes` (one Word row per sheet row, merged cells per box span,
``{{ v.<field_id> }}`` in every numeric cell), and the sections come from ``fmt.report_sections``
and ``fmt.narrative``.  Two looks: ``official`` (GB/T 9704-2012 as these reports are set: 2号
方正小标宋简体 title, 3号 仿宋_GB2312 body at a fixed 28.9 pt line, 黑体/楷体_GB2312 headings,
“— 1 —” page numbers on the outside edges) and ``simple`` (宋体 body, two-line 黑体 title, plain
centred page numbers), which shows that any restyled template works; page setup and type are in
:mod:`.page_style`.  Core properties and zip timestamps are fixed, so a rebuild gives
byte-identical files.
"""
from __future__ import annotations

import argparse
import io
import math
import sys
import tempfile
import unicodedata
import zipfile
from pathlib import Path

from docx import Document
from docx.enum.table import WD_ALIGN_VERTICAL, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt
from docx.text.paragraph import Paragraph

from ..formats import model, registry
from . import builtin
from .page_style import (LOOKS, OFFICIAL, Look, add_font_table, add_styles, element,
                         set_properties, set_up_page)

ZIP_TIME = (1980, 1, 1, 0, 0, 0)
CELL_MARGIN = 57                                  # 1 mm left/right inside table cells
ROW_HEIGHT = 369                                  # 6.5 mm minimum table row height
LINE_FACTOR = 1.3                                 # a line of single-spaced CJK text, in ems
CELL_PAD = 60                                     # twips above and below the text of a cell
LABEL_SHARE = {1: 0.30, 2: 0.40, 3: 0.40}          # share of the table width for row labels


def template_name(format_id: str, look: Look = OFFICIAL) -> str:
    """``report-2021.docx`` (official look) or ``report-2021-simple.docx``."""
    return builtin.template_name(format_id, look.name)


def templates() -> dict[str, tuple[str, Look]]:
    """File name → (format id, look): every look of every format :func:`registry.available` lists."""
    return {template_name(fid, look): (fid, look) for fid in registry.available() for look in LOOKS}


def template_folder() -> Path:
    """The folder holding the built-in templates."""
    return builtin.template_folder()

# -- content --------------------------------------------------------------------------------------
def _para(doc, text: str, style: str = "Normal"):
    p = doc.add_paragraph(style=doc.styles[style])
    if text:
        p.add_run(text)   # one run per tag-bearing paragraph: no split tags
    return p


def _title(doc, look: Look) -> None:
    if look.title_two_lines:   # 机关名称 ⏎ 年度报告: never broken mid-phrase
        p = _para(doc, "{{ info.org_name }}", "报告标题")
        p.runs[0].add_break()
        p.add_run("{{ year }}年政府信息公开工作年度报告")
    else:
        _para(doc, "{{ info.org_name }}{{ year }}年政府信息公开工作年度报告", "报告标题")


def _preamble(doc, fmt: model.Format) -> None:
    parts = "、".join(s["title"] for s in fmt.report_sections)
    count = fmt.report_sections[-1]["number"]
    _para(doc, "本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）要求编制，全文包括"
               f"{parts}，共{count}部分。")
    _para(doc, "本报告中所列数据的统计期限自{{ year }}年1月1日起至12月31日止。"
               "本报告电子版可从{{ info.website_name }}（{{ info.website_url }}）下载。"
               "如对本报告有疑问，请与{{ info.contact_office }}联系（地址：{{ info.address }}；"
               "邮编：{{ info.postcode }}；联系电话：{{ info.phone }}"
               "{% if info.fax %}；传真：{{ info.fax }}{% endif %}"
               "{% if info.email %}；电子邮箱：{{ info.email }}{% endif %}）。")


def _loop(doc, section_id: str, *, heading: str = "", none_text: str = "") -> None:
    """One narrative section, one Word paragraph per paragraph (``{%p for %}``); its heading only
    when it has text; ``none_text`` (“无。”) when it is empty."""
    _para(doc, f"{{%p if narrative.{section_id} %}}")
    if heading:
        _para(doc, heading, "二级标题")
    _para(doc, f"{{%p for para in narrative.{section_id} %}}")
    _para(doc, "{{ para }}")
    _para(doc, "{%p endfor %}")
    if none_text:
        _para(doc, "{%p else %}")
        _para(doc, none_text)
    _para(doc, "{%p endif %}")


def _narrative(doc, fmt: model.Format, section_id: str) -> None:
    children = [s for s in fmt.narrative if s.get("parent") == section_id]
    _loop(doc, section_id, none_text="" if children else "无。")
    for child in children:
        _loop(doc, child["id"], heading=child["label"])


def column_widths(tl: model.TableLayout, total: int) -> list[int]:
    """Twips per grid column: row-label columns wide (the last one widest), data columns equal."""
    n = tl.label_cols + tl.width
    if not tl.label_cols:
        weights = [1 / n] * n
    else:
        share = LABEL_SHARE[min(tl.label_cols, 3)]
        inner = [0.2] * (tl.label_cols - 1) + [1 - 0.2 * (tl.label_cols - 1)]
        weights = [share * w for w in inner] + [(1 - share) / tl.width] * tl.width
    widths = [int(total * w) for w in weights]
    widths[max(tl.label_cols - 1, 0)] += total - sum(widths)
    return widths


def _table_props(table, widths: list[int]) -> None:
    """Fixed layout, black single borders, 1 mm cell margins; w:tblW = Σ w:gridCol = Σ w:tcW."""
    tbl, tblPr = table._tbl, table._tbl.tblPr
    for el in tblPr.findall(qn("w:tblStyle")) + tblPr.findall(qn("w:tblLook")):
        tblPr.remove(el)
    table.alignment, table.autofit = WD_TABLE_ALIGNMENT.CENTER, False
    tblPr.find(qn("w:tblW")).attrib.update({qn("w:w"): str(sum(widths)), qn("w:type"): "dxa"})
    borders = element("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        borders.append(element("w:" + side, val="single", sz=4, space=0, color="000000"))
    tblPr.find(qn("w:tblLayout")).addprevious(borders)   # schema order: borders before layout
    margins = element("w:tblCellMar")
    for side, w in (("top", 0), ("left", CELL_MARGIN), ("bottom", 0), ("right", CELL_MARGIN)):
        margins.append(element("w:" + side, w=w, type="dxa"))
    tblPr.append(margins)
    for col, w in zip(tbl.tblGrid.findall(qn("w:gridCol")), widths):
        col.set(qn("w:w"), str(w))
    for tr in tbl.tr_lst:
        c = 0
        for tc in tr.tc_lst:
            tc.get_or_add_tcPr().find(qn("w:tcW")).attrib.update(
                {qn("w:w"): str(sum(widths[c:c + tc.grid_span])), qn("w:type"): "dxa"})
            c += tc.grid_span


def _table(doc, tl: model.TableLayout, look: Look) -> None:
    """One Word row per sheet row of the official table; cells merged as the model's boxes."""
    first = min(b.row for b in tl.boxes)
    nrows = max(b.row + b.rowspan for b in tl.boxes) - first
    table = doc.add_table(rows=nrows, cols=tl.label_cols + tl.width)
    for b in (b for b in tl.boxes if b.merged):
        table.cell(b.row - first, b.col).merge(table.cell(b.row - first + b.rowspan - 1, b.col + b.colspan - 1))
    units = {c.col_header: c.unit_field for c in tl.cells if c.unit_field}
    style = doc.styles["表格文字（小）" if tl.label_cols + tl.width >= 10 else "表格文字"]
    for b in tl.boxes:
        cell = table.cell(b.row - first, b.col)
        cell.vertical_alignment = WD_ALIGN_VERTICAL.CENTER
        p = cell.paragraphs[0]
        p.style = style
        if b.field_id:
            if not b.field_id.isidentifier():
                raise ValueError(f"field id {b.field_id!r} is not a valid placeholder name")
            text = f"{{{{ v.{b.field_id} }}}}"
        else:
            text = f"{b.text}（单位：{{{{ choices.{units[b]} }}}}）" if b in units else b.text
        if b.role == "row_header" and b.rowspan == 1:
            p.alignment = WD_ALIGN_PARAGRAPH.LEFT
        run = p.add_run(text) if text else None
        if run is not None and b.role == "caption":
            run.bold = True
    widths = column_widths(tl, look.text_width)
    _table_props(table, widths)
    captions = {b.row - first for b in tl.boxes if b.role == "caption"}
    headers = set() if captions else set(range(min(b.row for b in tl.boxes if b.field_id) - first))
    heights = row_heights(tl, widths, look.table[1] if style.name == "表格文字" else look.table[2])
    room = look.text_height - sum(heights[i] for i in headers) - ROW_HEIGHT
    together = kept_with_next(tl, heights, room)
    for i, row in enumerate(table.rows):
        trPr = row._tr.get_or_add_trPr()
        trPr.append(element("w:cantSplit"))
        trPr.append(element("w:trHeight", val=ROW_HEIGHT, hRule="atLeast"))
        if i in headers:
            trPr.append(element("w:tblHeader"))
        # 表二: keep each block (caption, header, rows) on one page; else: the header with row 1
        if i + 1 < nrows and i + 1 not in captions and (captions or i in headers or i in together):
            for p in (p for tc in row._tr.tc_lst for p in tc.p_lst):   # also a merged cell's continuation
                Paragraph(p, table).paragraph_format.keep_with_next = True


def row_heights(tl: model.TableLayout, widths: list[int], size: float) -> list[int]:
    """Estimated height in twips of each row of the Word table: at least :data:`ROW_HEIGHT`, more
    where a one-row label wraps (``size`` pt text; a CJK character is 1 em, others ½ em)."""
    first = min(b.row for b in tl.boxes)
    heights = [ROW_HEIGHT] * (max(b.row + b.rowspan for b in tl.boxes) - first)
    em = size * 20
    for b in tl.boxes:
        if b.rowspan != 1 or not b.text:
            continue
        width = max(sum(widths[b.col:b.col + b.colspan]) - 2 * CELL_MARGIN, em)
        units = sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.5 for ch in b.text)
        lines = math.ceil(units * em / width)
        heights[b.row - first] = max(heights[b.row - first], round(lines * em * LINE_FACTOR + CELL_PAD))
    return heights


def kept_with_next(tl: model.TableLayout, heights: list[int], room: int) -> set[int]:
    """Rows (0-based in the Word table) that keep with the next one so that a merged row label
    (表三's “（三）不予公开” over its eight rows) stays on one page with all its rows — where the
    rows it spans fit in ``room`` twips (a page less the repeated header); a longer group may break."""
    first = min(b.row for b in tl.boxes)
    out: set[int] = set()
    for b in tl.boxes:
        if b.role != "row_header" or b.rowspan < 2:
            continue
        rows = range(b.row - first, b.row - first + b.rowspan)
        if sum(heights[r] for r in rows) <= room:
            out.update(rows[:-1])
    return out


def build(format_id: str, look: Look) -> bytes:
    """The template for one format in one look, as the bytes of a .docx."""
    fmt = model.load(format_id)
    doc = Document()
    add_styles(doc, look)
    add_font_table(doc)
    set_up_page(doc, look)
    _title(doc, look)
    _preamble(doc, fmt)
    after_table = False
    for sec in fmt.report_sections:
        heading = _para(doc, f"{sec['number']}、{sec['title']}", "一级标题")
        if after_table:   # half a line of air between a table (or its note) and the next heading
            heading.paragraph_format.space_before = Pt(look.line / 2)
        after_table = bool(sec.get("table"))
        if sec.get("table"):   # the table, then its 注 when there is one
            _table(doc, fmt.table(sec["table"]), look)
            _para(doc, f"{{%p if notes.{sec['table']} %}}")
            _para(doc, f"{{{{ notes.{sec['table']} }}}}", "表注")
            _para(doc, "{%p endif %}")
        else:
            _narrative(doc, fmt, sec["narrative"])
    set_properties(doc, fmt, look)
    buf = io.BytesIO()
    doc.save(buf)
    return normalise_zip(buf.getvalue())


def normalise_zip(data: bytes) -> bytes:
    """Rewrite a .docx with fixed timestamps so identical content gives identical bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zi = zipfile.ZipInfo(info.filename, ZIP_TIME)
            zi.compress_type, zi.external_attr = zipfile.ZIP_DEFLATED, 0o644 << 16
            zout.writestr(zi, zin.read(info.filename))
    return out.getvalue()


def parts(data: bytes) -> dict[str, bytes]:
    """Every member of a .docx (zip) by name."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: z.read(n) for n in z.namelist()}


def write_all(folder: Path) -> list[Path]:
    for name, (fid, look) in templates().items():
        (folder / name).write_bytes(build(fid, look))
    return [folder / name for name in templates()]


def check(folder: Path | None = None) -> list[str]:
    """Rebuild every template in a temporary folder and compare each part (document.xml,
    styles.xml, footers, …) with the file in ``folder``; one Chinese message per differing file."""
    folder = folder or template_folder()
    problems = []
    with tempfile.TemporaryDirectory(prefix="xlsx_tool_templates_") as tmp:
        for fresh in write_all(Path(tmp)):
            committed = folder / fresh.name
            try:
                old = parts(committed.read_bytes())
            except (OSError, zipfile.BadZipFile):
                problems.append(f"{committed}：文件不存在或不是有效的 .docx 文件")
                continue
            new = parts(fresh.read_bytes())
            diff = sorted(n for n in set(old) | set(new) if old.get(n) != new.get(n))
            if diff:
                problems.append(f"{committed}：与生成脚本的结果不一致（{'、'.join(diff)}）")
    return problems


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m xlsx_tool.report.build", description="根据年报格式生成 Word 报告模板。")
    ap.add_argument("--check", action="store_true", help="只检查已有的模板是否与本脚本生成的结果一致")
    ap.add_argument("--out", type=Path, default=None, help="模板所在文件夹（默认为项目的 templates 文件夹）")
    args = ap.parse_args(argv)
    if not args.check:
        for path in write_all(args.out or template_folder()):
            print(f"已生成 {path}")
        return 0
    problems = check(args.out)
    for msg in problems:
        print(msg, file=sys.stderr)
    if problems:
        print("请运行 python -m xlsx_tool.report.build 重新生成模板。", file=sys.stderr)
        return 1
    print(f"全部 {len(templates())} 个模板与生成脚本一致。")
    return 0


if __name__ == "__main__":
    sys.exit(main())
