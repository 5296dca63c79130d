"""Build the Word report templates from the format model, reproducibly.

    python -m xlsx_tool.report.build            # (re)write templates/report-*.docx
    python -m xlsx_tool.report.build --check    # rebuild in a temporary folder and compare

Nothing of the tables is written by hand: each Word table is laid out from
:attr:`xlsx_tool.formats.geometry.TableLayout.boxes` (one Word row per sheet row, merged cells per box span,
``{{ v.<field_id> }}`` in every numeric cell), and the sections come from ``fmt.report_sections``
and ``fmt.narrative``.  Two looks: ``official`` (GB/T 9704-2012 as these reports are set: 2号
方正小标宋简体 title, 3号 仿宋_GB2312 body at a fixed 28.9 pt line, 黑体/楷体_GB2312 headings,
“— 1 —” page numbers on the outside edges) and ``simple`` (宋体 body, two-line 黑体 title, plain
centred page numbers), which shows that any restyled template works.  Core properties and zip
timestamps are fixed, so a rebuild gives byte-identical files.
"""
from __future__ import annotations

import argparse
import datetime as dt
import io
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_ALIGN_VERTICAL, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt
from lxml import etree

from ..formats import model, registry

#: Where the built-in templates are kept (the top-level ``templates/`` folder of the project).
TEMPLATE_PACKAGE = "xlsx_tool.templates"
FIXED_TIME = dt.datetime(2021, 9, 26, 0, 0, 0)   # 国办公开办函〔2021〕30号; any fixed date will do
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
TWIPS_PER_MM = 1440 / 25.4
CELL_MARGIN = 57                                  # 1 mm left/right inside table cells
ROW_HEIGHT = 369                                  # 6.5 mm minimum table row height
LABEL_SHARE = {1: 0.30, 2: 0.40, 3: 0.40}          # share of the table width for row labels


@dataclass(frozen=True)
class Look:
    """Page and type settings of one template style: fonts as (name, size pt[, bold]), margins in mm."""
    name: str
    margins: tuple[float, float, float, float]   # top, bottom, left, right
    title: tuple[str, float, bool]
    title_two_lines: bool
    body: tuple[str, float]
    line: float                                  # exact line height of body and headings, pt
    h1: tuple[str, bool]
    h2: tuple[str, bool]
    note_size: float
    table: tuple[str, float, float]              # font, size, size for > 10 columns (表四)
    page: tuple[str, float]
    page_dashes: bool                            # “— 1 —”
    page_outside: bool                           # odd pages right, even pages left

    @property
    def text_width(self) -> int:
        """Width of the text block in twips."""
        return round((210 - self.margins[2] - self.margins[3]) * TWIPS_PER_MM)


OFFICIAL = Look("official", (37, 35, 28, 26), ("方正小标宋简体", 22, False), True, ("仿宋_GB2312", 16),
                28.9, ("黑体", False), ("楷体_GB2312", False), 14, ("宋体", 10.5, 9), ("宋体", 14), True, True)
SIMPLE = Look("simple", (25, 25, 30, 30), ("黑体", 18, True), False, ("宋体", 14),
              24, ("黑体", False), ("宋体", True), 12, ("宋体", 10.5, 9), ("宋体", 10.5), False, False)

LOOKS = (OFFICIAL, SIMPLE)


def template_name(format_id: str, look: Look = OFFICIAL) -> str:
    """``report-2021.docx`` (official look) or ``report-2021-simple.docx``."""
    return f"report-{format_id}.docx" if look is OFFICIAL else f"report-{format_id}-{look.name}.docx"


def templates() -> dict[str, tuple[str, Look]]:
    """File name → (format id, look): every look of every format :func:`registry.available` lists."""
    return {template_name(fid, look): (fid, look) for fid in registry.available() for look in LOOKS}


def template_folder() -> Path:
    """The folder holding the built-in templates."""
    return Path(str(resources.files(TEMPLATE_PACKAGE)))

#: fallbacks Word uses when the GB2312 fonts are missing (Windows ships 仿宋/楷体/黑体/宋体)
FONT_TABLE = {
    "仿宋_GB2312": ("仿宋", "02010609030101010101", "modern", "fixed"),
    "楷体_GB2312": ("楷体", "02010609030101010101", "modern", "fixed"),
    "方正小标宋简体": ("宋体", "02000000000000000000", "auto", "variable"),
    "黑体": ("SimHei", "02010609060101010101", "modern", "fixed"),
    "宋体": ("SimSun", "02010600030101010101", "auto", "variable"),
}


# -- fonts and styles ---------------------------------------------------------------------------
def set_fonts(rpr, font: str) -> None:
    """Set ascii, hAnsi, eastAsia and cs fonts on an ``w:rPr`` (dropping theme fonts)."""
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        rfonts.attrib.pop(qn("w:" + attr), None)
    for attr in ("ascii", "hAnsi", "eastAsia", "cs"):
        rfonts.set(qn("w:" + attr), font)


def _el(tag: str, **attrs):
    el = OxmlElement(tag)
    for k, v in attrs.items():
        el.set(qn("w:" + k), str(v))
    return el


def _style(doc, style_id: str, name: str, font: str, size: float, *, bold=False, align=None,
           line=None, indent_chars=0, keep_next=False, outline=None):
    """A paragraph style (``Normal`` is changed in place); ``name`` is what Word shows."""
    if style_id == "Normal":
        st = doc.styles["Normal"]
    else:
        st = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        st.element.set(qn("w:styleId"), style_id)
        st.base_style = st.next_paragraph_style = doc.styles["Normal"]
        st.quick_style = True
    set_fonts(st.element.get_or_add_rPr(), font)
    st.font.size, st.font.bold = Pt(size), bold
    pf = st.paragraph_format
    pf.space_before = pf.space_after = Pt(0)
    if line:
        pf.line_spacing, pf.line_spacing_rule = Pt(line), WD_LINE_SPACING.EXACTLY
    else:
        pf.line_spacing_rule = WD_LINE_SPACING.SINGLE
    pf.alignment = align
    pf.first_line_indent = Pt(size * indent_chars)
    pf.element.get_or_add_pPr().get_or_add_ind().set(qn("w:firstLineChars"), str(indent_chars * 100))
    pf.keep_with_next = keep_next or None
    pf.widow_control = True
    if outline is not None:   # shows in Word's navigation pane
        st.element.get_or_add_pPr().append(_el("w:outlineLvl", val=outline))
    return st


def _styles(doc, look: Look) -> None:
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    set_fonts(rpr, look.body[0])
    rpr.find(qn("w:lang")).set(qn("w:eastAsia"), "zh-CN")
    spacing = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr")).find(qn("w:spacing"))
    spacing.set(qn("w:after"), "0")
    spacing.set(qn("w:line"), "240")
    j = WD_ALIGN_PARAGRAPH
    body, size = look.body
    _style(doc, "Normal", "Normal", body, size, align=j.JUSTIFY, line=look.line, indent_chars=2)
    font, tsize, bold = look.title
    title = _style(doc, "ReportTitle", "报告标题", font, tsize, bold=bold, align=j.CENTER,
                   line=round(tsize * 1.6, 1), keep_next=True)
    title.paragraph_format.space_after = Pt(look.line)   # one blank body line under the title
    for level, (font, bold) in enumerate((look.h1, look.h2)):
        _style(doc, f"ReportHeading{level + 1}", ("一级标题", "二级标题")[level], font, size, bold=bold,
               align=j.JUSTIFY, line=look.line, indent_chars=2, keep_next=True, outline=level)
    _style(doc, "TableNote", "表注", body, look.note_size, align=j.LEFT, line=round(look.note_size * 1.5, 1))
    font, small, smaller = look.table
    _style(doc, "TableText", "表格文字", font, small, align=j.CENTER)
    _style(doc, "TableTextSmall", "表格文字（小）", font, smaller, align=j.CENTER)
    _style(doc, "PageNumber", "页码", *look.page)


def _font_table(doc) -> None:
    part = next(p for p in doc.part.package.parts if p.partname == "/word/fontTable.xml")
    root = parse_xml(part.blob)
    for name, (alt, panose, family, pitch) in FONT_TABLE.items():
        font = _el("w:font", name=name)
        for tag, val in (("altName", alt), ("panose1", panose), ("charset", "86"),
                         ("family", family), ("pitch", pitch)):
            font.append(_el("w:" + tag, val=val))
        root.append(font)
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


# -- page, footer, properties ----------------------------------------------------------------------
def _page(doc, look: Look) -> None:
    sec = doc.sections[0]
    sec.orientation = WD_ORIENT.PORTRAIT
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    sec.top_margin, sec.bottom_margin, sec.left_margin, sec.right_margin = (Mm(m) for m in look.margins)
    sec.header_distance, sec.footer_distance = Mm(15), Mm(24 if look.page_outside else 15)
    doc.settings.odd_and_even_pages_header_footer = look.page_outside
    settings = doc.settings.element
    for tag in ("w:savePreviewPicture", "w:rsids"):
        for el in settings.findall(qn(tag)):
            settings.remove(el)
    settings.find(qn("w:themeFontLang")).set(qn("w:eastAsia"), "zh-CN")
    j = WD_ALIGN_PARAGRAPH
    footers = [(sec.footer, j.RIGHT), (sec.even_page_footer, j.LEFT)] if look.page_outside else [(sec.footer, j.CENTER)]
    for footer, align in footers:
        footer.is_linked_to_previous = False
        p = footer.paragraphs[0]
        p.style, p.alignment = doc.styles["页码"], align
        if align == j.RIGHT:      # one character in from the outside edge
            p.paragraph_format.right_indent = Pt(look.page[1])
        elif align == j.LEFT:
            p.paragraph_format.left_indent = Pt(look.page[1])
        fld = '<w:fldChar w:fldCharType="{}"/>'
        runs = [fld.format("begin"), '<w:instrText xml:space="preserve"> PAGE </w:instrText>',
                fld.format("separate"), "<w:t>1</w:t>", fld.format("end")]
        if look.page_dashes:
            runs = ['<w:t xml:space="preserve">— </w:t>', *runs, '<w:t xml:space="preserve"> —</w:t>']
        for inner in runs:
            p._p.append(parse_xml(f"<w:r {nsdecls('w')}>{inner}</w:r>"))


def _properties(doc, fmt: model.Format, look: Look) -> None:
    cp = doc.core_properties
    cp.title = "政府信息公开工作年度报告"
    cp.subject = f"Word 模板（年报格式 {fmt.label}，{'公文' if look.name == 'official' else '简洁'}版式）"
    cp.author = cp.last_modified_by = "xlsx_tool"
    cp.comments = "由 python -m xlsx_tool.templates.build 根据年报格式生成。可另存后修改版式；占位符名称见 xlsx-tool fields。"
    cp.keywords = cp.category = ""
    cp.created = cp.modified = FIXED_TIME
    cp.revision = 1
    pkg = doc.part.package
    for rid, rel in list(pkg.rels.items()):
        if rel.reltype.endswith("/thumbnail"):
            del pkg.rels[rid]


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
    borders = _el("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        borders.append(_el("w:" + side, val="single", sz=4, space=0, color="000000"))
    tblPr.find(qn("w:tblLayout")).addprevious(borders)   # schema order: borders before layout
    margins = _el("w:tblCellMar")
    for side, w in (("top", 0), ("left", CELL_MARGIN), ("bottom", 0), ("right", CELL_MARGIN)):
        margins.append(_el("w:" + side, w=w, type="dxa"))
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
    _table_props(table, column_widths(tl, look.text_width))
    captions = {b.row - first for b in tl.boxes if b.role == "caption"}
    headers = set() if captions else set(range(min(b.row for b in tl.boxes if b.field_id) - first))
    for i, row in enumerate(table.rows):
        trPr = row._tr.get_or_add_trPr()
        trPr.append(_el("w:cantSplit"))
        trPr.append(_el("w:trHeight", val=ROW_HEIGHT, hRule="atLeast"))
        if i in headers:
            trPr.append(_el("w:tblHeader"))
        # 表二: keep each block (caption, header, rows) on one page; else: the header with row 1
        if i + 1 < nrows and i + 1 not in captions and (captions or i in headers):
            for para in (q for c in row.cells for q in c.paragraphs):
                para.paragraph_format.keep_with_next = True


def build(format_id: str, look: Look) -> bytes:
    """The template for one format in one look, as the bytes of a .docx."""
    fmt = model.load(format_id)
    doc = Document()
    _styles(doc, look)
    _font_table(doc)
    _page(doc, look)
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
    _properties(doc, fmt, look)
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
