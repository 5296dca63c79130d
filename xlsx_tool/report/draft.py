"""The red 草稿 mark of a report that failed its checks (``render --allow-errors``).

The mark must be impossible to miss and impossible to lose by accident: it is the first element
of the body — above a title, a letterhead table or anything else the template starts with — and
the first line of every header in use (default, first-page and even-page headers of every
section), so it stands on every page of the .docx and of the PDF made from it.
"""
from __future__ import annotations

from html import escape

from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn

RED = "C00000"
BODY_SIZE = 32      # half-points: 16 pt (三号)
HEADER_SIZE = 21    # 10.5 pt (五号)


def _paragraph(text: str, size: int):
    return parse_xml(
        f'<w:p {nsdecls("w")}><w:pPr><w:keepNext/><w:spacing w:before="0" w:after="0"/><w:jc w:val="center"/>'
        f'</w:pPr>'
        f'<w:r><w:rPr><w:rFonts w:ascii="黑体" w:hAnsi="黑体" w:eastAsia="黑体"/><w:b/><w:color w:val="{RED}"/>'
        f'<w:sz w:val="{size}"/><w:szCs w:val="{size}"/></w:rPr><w:t xml:space="preserve">{escape(text, quote=False)}</w:t></w:r></w:p>')


def mark(doc, text: str) -> None:
    """Put ``text`` in red bold first in the body and first in every header in use of ``doc``
    (a python-docx ``Document``, possibly rendered by docxtpl, which replaces header parts: they
    are reached through the document's relationships, not through cached part objects)."""
    doc.element.body.insert(0, _paragraph(text, BODY_SIZE))
    even = doc.settings.odd_and_even_pages_header_footer
    for number, section in enumerate(doc.sections):
        if number == 0:                   # headers shown on the first pages must exist to be marked
            for header, used in ((section.header, True), (section.first_page_header,
                                 section.different_first_page_header_footer), (section.even_page_header, even)):
                if used and header.is_linked_to_previous:
                    header.is_linked_to_previous = False
    wanted = {"default"} | ({"even"} if even else set())
    done: set[str] = set()
    for sect in doc.element.xpath("//w:sectPr"):
        kinds = wanted | ({"first"} if sect.xpath("./w:titlePg[not(@w:val='0' or @w:val='false')]") else set())
        for ref in sect.xpath("./w:headerReference"):
            rid = ref.get(qn("r:id"))
            if ref.get(qn("w:type")) in kinds and rid not in done and rid in doc.part.rels:
                done.add(rid)
                doc.part.rels[rid].target_part.element.insert(0, _paragraph(text, HEADER_SIZE))
