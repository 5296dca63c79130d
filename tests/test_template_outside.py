"""What reaches outside a Word template without an external relationship never reaches the report.

Fields that fetch (INCLUDEPICTURE, INCLUDETEXT, LINK, DDE …) lose their field code and keep what
they show; VML addresses go; an altChunk goes with its part; an SVG picture pointing outside keeps
its PNG fallback or goes; a relationship to an address counts as external even when unmarked.
The rendered report is scrubbed again: the data cannot write such a field through a tag.
"""
from __future__ import annotations

import re
import zipfile

from docx import Document

import bad_inputs  # noqa: F401 — imports bad_templates once its builders exist
import bad_templates as bt
from report_helpers import make_data
from xlsx_tool.report import lint, outside, package, render


def rendered(tmp_path, make, data=None):
    tpl = tmp_path / "模板.docx"
    tpl.write_bytes(make())
    notes: list = []
    out = render.render_docx(data or make_data("2021"), tmp_path / "报告.docx", template=tpl, notes=notes, force=True)
    with zipfile.ZipFile(out) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    return out, parts, notes


def test_fields_that_fetch_lose_their_code_and_keep_what_they_show(tmp_path):
    out, parts, notes = rendered(tmp_path, bt.FETCHING)
    body = parts["word/document.xml"].decode()
    assert not re.search(r"INCLUDEPICTURE|INCLUDETEXT|LINK Excel|DDEAUTO|fldChar|fldSimple|instrText", body)
    paragraphs = [p.text for p in Document(str(out)).paragraphs]
    assert {"单位标志", "引用的文字", "链接的表格", "动态数据"} <= set(paragraphs)
    assert [n.code for n in notes] == ["T08"]
    for words in ("（INCLUDEPICTURE）（http://127.0.0.1:9/logo.png", "（INCLUDETEXT）（/etc/hostname", "（LINK）", "（DDEAUTO）"):
        assert words in notes[0].message


def test_vml_addresses_and_alt_chunks_are_removed(tmp_path):
    _, parts, notes = rendered(tmp_path, bt.VML)
    body = parts["word/document.xml"].decode()
    assert "127.0.0.1" not in body and "/etc/passwd" not in body and "v:imagedata" in body
    _, parts, notes = rendered(tmp_path, bt.ALT_CHUNK)
    assert "word/chunk.html" not in parts and "altChunk" not in parts["word/document.xml"].decode()
    assert "chunk.html" not in parts["word/_rels/document.xml.rels"].decode()
    assert "chunk.html" not in parts["[Content_Types].xml"].decode() and "altChunk" in notes[0].message


def test_an_svg_pointing_outside_is_dropped_or_falls_back_to_its_png(tmp_path):
    _, parts, notes = rendered(tmp_path, bt.SVG)
    assert "word/media/x.svg" not in parts and "<w:drawing" not in parts["word/document.xml"].decode()
    assert "SVG" in notes[0].message
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
    fallback = bt.body_with(bt.SVG_PICTURE.replace(
        '<a:blip r:embed="rId78"/>', '<a:blip r:embed="rId79"><a:extLst><a:ext uri="{96DAC541-7B7A-43D3-8B79-37D633B846F1}">'
        '<asvg:svgBlip xmlns:asvg="http://schemas.microsoft.com/office/drawing/2016/SVG/main" r:embed="rId78"/></a:ext>'
        '</a:extLst></a:blip>'),
        f'<Relationship Id="rId78" Type="{bt.R}/image" Target="media/x.svg"/>'
        f'<Relationship Id="rId79" Type="{bt.R}/image" Target="media/x.png"/>',
        {"word/media/x.svg": '<svg xmlns="http://www.w3.org/2000/svg"><style>@import url(http://127.0.0.1:9/a.css);</style></svg>',
         "word/media/x.png": png},
        '<Default Extension="svg" ContentType="image/svg+xml"/><Default Extension="png" ContentType="image/png"/>')
    _, parts, _ = rendered(tmp_path, fallback)
    body = parts["word/document.xml"].decode()
    assert "word/media/x.svg" not in parts and "svgBlip" not in body and "<w:drawing" in body
    assert parts["word/media/x.png"] == png


def test_inside_references_stay():
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><use href="#a"/><image href="data:image/png;base64,AA=="/></svg>'
    assert outside.svg_outside(svg) is None
    assert outside.svg_outside(b'<svg xmlns="http://www.w3.org/2000/svg"><rect style="fill:url(#g)"/></svg>') is None
    assert outside.svg_outside(b'<svg xmlns="http://www.w3.org/2000/svg"><rect style="fill:url(http://x/y)"/></svg>')


def test_a_relationship_to_an_address_counts_as_external_even_unmarked(tmp_path):
    make = bt.body_with('<w:p><w:r><w:t>图</w:t></w:r></w:p>',
                        f'<Relationship Id="rId88" Type="{bt.R}/image" Target="http://127.0.0.1:9/x.png"/>')
    tpl = tmp_path / "模板.docx"
    tpl.write_bytes(make())
    pkg = package.open_template(tpl)
    assert [(link.kind, link.target) for link in pkg.links] == [("image", "http://127.0.0.1:9/x.png")]
    assert b"127.0.0.1" not in pkg.parts["word/_rels/document.xml.rels"]


def test_the_data_cannot_write_a_field_that_fetches(tmp_path):
    data = make_data("2021")
    data.info["website_name"] = 'INCLUDEPICTURE "http://127.0.0.1:9/x.png"'
    make = bt.body_with('<w:p><w:fldSimple w:instr=" {{ info.website_name }} "><w:r><w:t>网站</w:t></w:r>'
                        '</w:fldSimple></w:p>')
    out, parts, notes = rendered(tmp_path, make, data)
    assert "INCLUDEPICTURE" not in parts["word/document.xml"].decode()
    assert [n.code for n in notes] == ["T08", "T10"] and "INCLUDEPICTURE" in notes[0].message
    assert "网站" in [p.text for p in Document(str(out)).paragraphs]


def test_lint_reports_tags_in_field_instructions(tmp_path):
    tpl = tmp_path / "模板.docx"
    tpl.write_bytes(bt.TAGGED_FIELD())
    found = [f for f in lint.lint(tpl, "2021", trial=False) if f.code == "T10"]
    assert len(found) == 1 and "{{ info.website_url }}" in found[0].message and found[0].severity == "提示"
