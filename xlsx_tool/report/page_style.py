"""Page setup and type of the built-in Word templates: the two looks, the paragraph styles, the
font table, the page (A4, margins, footer page numbers) and the document properties.

:mod:`.build` lays the content out (title, sections, tables) on what this module sets up; a
:class:`Look` holds everything that differs between the ``official`` look (GB/T 9704-2012
《党政机关公文格式》) and the ``simple`` one.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt
from lxml import etree

from ..formats import model

FIXED_TIME = dt.datetime(2021, 9, 26, 0, 0, 0)   # 国办公开办函〔2021〕30号; any fixed date will do
TWIPS_PER_MM = 1440 / 25.4


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

    @property
    def text_height(self) -> int:
        """Height of the text block in twips."""
        return round((297 - self.margins[0] - self.margins[1]) * TWIPS_PER_MM)


OFFICIAL = Look("official", (37, 35, 28, 26), ("方正小标宋简体", 22, False), True, ("仿宋_GB2312", 16),
                28.9, ("黑体", False), ("楷体_GB2312", False), 14, ("宋体", 10.5, 9), ("宋体", 14), True, True)
SIMPLE = Look("simple", (25, 25, 30, 30), ("黑体", 18, True), False, ("宋体", 14),
              24, ("黑体", False), ("宋体", True), 12, ("宋体", 10.5, 9), ("宋体", 10.5), False, False)

LOOKS = (OFFICIAL, SIMPLE)



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


def element(tag: str, **attrs):
    el = OxmlElement(tag)
    for k, v in attrs.items():
        el.set(qn("w:" + k), str(v))
    return el


def paragraph_style(doc, style_id: str, name: str, font: str, size: float, *, bold=False, align=None,
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
        st.element.get_or_add_pPr().append(element("w:outlineLvl", val=outline))
    return st


def add_styles(doc, look: Look) -> None:
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    set_fonts(rpr, look.body[0])
    rpr.find(qn("w:lang")).set(qn("w:eastAsia"), "zh-CN")
    spacing = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr")).find(qn("w:spacing"))
    spacing.set(qn("w:after"), "0")
    spacing.set(qn("w:line"), "240")
    j = WD_ALIGN_PARAGRAPH
    body, size = look.body
    paragraph_style(doc, "Normal", "Normal", body, size, align=j.JUSTIFY, line=look.line, indent_chars=2)
    font, tsize, bold = look.title
    title = paragraph_style(doc, "ReportTitle", "报告标题", font, tsize, bold=bold, align=j.CENTER,
                   line=round(tsize * 1.6, 1), keep_next=True)
    title.paragraph_format.space_after = Pt(look.line)   # one blank body line under the title
    for level, (font, bold) in enumerate((look.h1, look.h2)):
        paragraph_style(doc, f"ReportHeading{level + 1}", ("一级标题", "二级标题")[level], font, size, bold=bold,
               align=j.JUSTIFY, line=look.line, indent_chars=2, keep_next=True, outline=level)
    paragraph_style(doc, "TableNote", "表注", body, look.note_size, align=j.LEFT, line=round(look.note_size * 1.5, 1))
    font, small, smaller = look.table
    paragraph_style(doc, "TableText", "表格文字", font, small, align=j.CENTER)
    paragraph_style(doc, "TableTextSmall", "表格文字（小）", font, smaller, align=j.CENTER)
    paragraph_style(doc, "PageNumber", "页码", *look.page)


def add_font_table(doc) -> None:
    part = next(p for p in doc.part.package.parts if p.partname == "/word/fontTable.xml")
    root = parse_xml(part.blob)
    for name, (alt, panose, family, pitch) in FONT_TABLE.items():
        font = element("w:font", name=name)
        for tag, val in (("altName", alt), ("panose1", panose), ("charset", "86"),
                         ("family", family), ("pitch", pitch)):
            font.append(element("w:" + tag, val=val))
        root.append(font)
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


# -- page, footer, properties ----------------------------------------------------------------------
def set_up_page(doc, look: Look) -> None:
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


def set_properties(doc, fmt: model.Format, look: Look) -> None:
    cp = doc.core_properties
    cp.title = "政府信息公开工作年度报告"
    cp.subject = f"Word 模板（年报格式 {fmt.label}，{'公文' if look.name == 'official' else '简洁'}版式）"
    cp.author = cp.last_modified_by = "xlsx_tool"
    cp.comments = "由 python -m xlsx_tool.report.build 根据年报格式生成。可另存后修改版式；占位符名称见 xlsx-tool fields。"
    cp.keywords = cp.category = ""
    cp.created = cp.modified = FIXED_TIME
    cp.revision = 1
    pkg = doc.part.package
    for rid, rel in list(pkg.rels.items()):
        if rel.reltype.endswith("/thumbnail"):
            del pkg.rels[rid]
