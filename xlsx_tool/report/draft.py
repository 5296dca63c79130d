"""The red 草稿 mark of a report that failed its checks (``render --allow-errors``).

The mark must be impossible to miss and impossible to lose by accident: it is the first element
of the body — above a title, a letterhead table or anything else the template starts with — and
the first line of every header in use (default, first-page and even-page headers of every
section), so it stands on every page of the .docx and of the PDF made from it.
"""
from __future__ import annotations

from html import escape

from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

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
    (a python-docx ``Document``)."""
    doc.element.body.insert(0, _paragraph(text, BODY_SIZE))
    even = doc.settings.odd_and_even_pages_header_footer
    done: set[int] = set()
    for section in doc.sections:
        headers = [section.header]
        if section.different_first_page_header_footer:
            headers.append(section.first_page_header)
        if even:
            headers.append(section.even_page_header)
        for header in headers:
            if header.is_linked_to_previous and section is not doc.sections[0]:
                continue          # shows the previous section's header, already marked
            root = header.part.element
            if id(root) in done:
                continue
            done.add(id(root))
            root.insert(0, _paragraph(text, HEADER_SIZE))
