"""Bad and hostile Word templates and output paths (issue 8, report side), as corpus cases.

Added to :data:`bad_inputs.CASES` (so ``tests/test_bad_inputs.py`` runs each through the real
command line and asserts exit code, every finding, message words, no traceback, inputs unchanged,
nothing left behind, ≤ 5 CPU s and ≤ 300 MB).  The builders write every template from a plain
python-docx document, edited at the XML level where Word writes what python-docx cannot.
"""
from __future__ import annotations

import io
import os
import re
import zipfile
from pathlib import Path
from typing import Callable

from bad_inputs import RENDER_TO, Case, also, existing, fill, filled, template

CUSTOM = ("--template", "{tmp}/自定义 模板.docx")
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
LAUGHS = ('<!DOCTYPE lolz [<!ENTITY lol "lol">'
          + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
                    for i in range(1, 10)) + "]>")


def base_docx(*paragraphs: str) -> bytes:
    from docx import Document

    doc = Document()
    for text in paragraphs:
        doc.add_paragraph(text)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def edit_docx(data: bytes, edits: dict, add: dict | None = None) -> bytes:
    """``data`` with parts changed (``{name: fn(xml text) -> xml text}``) and parts added."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            content = zin.read(item.filename)
            if item.filename in edits:
                content = edits[item.filename](content.decode("utf-8")).encode("utf-8")
            zout.writestr(item, content)
        for name, content in (add or {}).items():
            zout.writestr(name, content)
    return out.getvalue()


def with_part(data: bytes, name: str, xml: str, rel_type: str, content_type: str, rid: str = "rId90") -> bytes:
    """Add a part related from the document (endnotes, comments …), as Word declares it."""
    target = name.split("word/", 1)[1]
    return edit_docx(data, {
        "word/_rels/document.xml.rels": lambda x: x.replace(
            "</Relationships>", f'<Relationship Id="{rid}" Type="{R}/{rel_type}" Target="{target}"/></Relationships>'),
        "[Content_Types].xml": lambda x: x.replace(
            "</Types>", f'<Override PartName="/{name}" ContentType="{content_type}"/></Types>'),
    }, {name: xml})


def notes_xml(kind: str, text: str) -> str:
    """``word/endnotes.xml`` or ``word/comments.xml`` holding ``text``."""
    root, item = {"endnote": ("endnotes", "endnote"), "comment": ("comments", "comment")}[kind]
    extra = ' w:author="审核人" w:initials="审"' if kind == "comment" else ""
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:{root} xmlns:w="{W}">'
            f'<w:{item} w:id="1"{extra}><w:p><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p></w:{item}>'
            f'</w:{root}>')


def endnotes(text: str) -> bytes:
    return with_part(base_docx("{{ info.org_name }}"), "word/endnotes.xml", notes_xml("endnote", text), "endnotes",
                     "application/vnd.openxmlformats-officedocument.wordprocessingml.endnotes+xml")


def comments(text: str) -> bytes:
    return with_part(base_docx("{{ info.org_name }}"), "word/comments.xml", notes_xml("comment", text), "comments",
                     "application/vnd.openxmlformats-officedocument.wordprocessingml.comments+xml")


def text_box(text: str) -> bytes:
    """A VML text box (as Word writes for compatibility) holding ``text``."""
    box = (f'<w:p><w:r><w:pict><v:shape style="width:200pt;height:40pt"><v:textbox><w:txbxContent>'
           f'<w:p><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p></w:txbxContent></v:textbox></v:shape>'
           f'</w:pict></w:r></w:p>')
    return edit_docx(base_docx("正文"), {"word/document.xml": lambda x: x.replace("<w:body>", "<w:body>" + box, 1)})


def with_doctype(part: str, doctype: str = LAUGHS, use: str = "") -> Callable[[], bytes]:
    def make() -> bytes:
        data = base_docx("{{ info.org_name }}")
        if part == "word/endnotes.xml":
            data = endnotes("尾注")
        return edit_docx(data, {part: lambda x: re.sub(r"^(<\?xml[^>]*\?>)", lambda m: m.group(1) + doctype, x)
                                .replace("</w:t>", use + "</w:t>", 1)})
    return make


def external_links() -> bytes:
    """A linked picture on a web server, a template on a network share, a file: hyperlink and a
    web hyperlink (which stays)."""
    data = base_docx("{{ info.org_name }}")
    rels = (f'<Relationship Id="rId91" Type="{R}/image" Target="http://127.0.0.1:9/logo.png" TargetMode="External"/>'
            f'<Relationship Id="rId92" Type="{R}/hyperlink" Target="file:///C:/内部/名单.xlsx" TargetMode="External"/>'
            f'<Relationship Id="rId93" Type="{R}/hyperlink" Target="https://www.example.gov.cn/" TargetMode="External"/>')
    pic = ('<w:p><w:r><w:drawing><wp:inline><wp:extent cx="9525" cy="9525"/><wp:docPr id="1" name="logo"/>'
           '<a:graphic xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><a:graphicData '
           'uri="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:pic '
           'xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:nvPicPr><pic:cNvPr id="1" '
           'name="logo"/><pic:cNvPicPr/></pic:nvPicPr><pic:blipFill><a:blip r:link="rId91"/></pic:blipFill>'
           '<pic:spPr/></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>'
           '<w:p><w:hyperlink r:id="rId92"><w:r><w:t>内部名单</w:t></w:r></w:hyperlink></w:p>'
           '<w:p><w:hyperlink r:id="rId93"><w:r><w:t>门户网站</w:t></w:r></w:hyperlink></w:p>')
    settings_rels = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships '
                     f'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
                     f'Type="{R}/attachedTemplate" Target="file://///fileserver/公文/红头.dotm" '
                     f'TargetMode="External"/></Relationships>')
    return edit_docx(data, {
        "word/_rels/document.xml.rels": lambda x: x.replace("</Relationships>", rels + "</Relationships>"),
        "word/document.xml": lambda x: x.replace("<w:body>", "<w:body>" + pic, 1),
        "word/settings.xml": lambda x: re.sub(r"(<w:settings[^>]*>)", r'\1<w:attachedTemplate r:id="rId1"/>', x, 1),
    }, {"word/_rels/settings.xml.rels": settings_rels})


def body_with(xml: str, rels: str = "", add: dict | None = None, types: str = "") -> Callable[[], bytes]:
    """A template whose body starts with ``xml`` (``rels``: relationships of the document,
    ``add``: parts, ``types``: content-type entries added), as Word writes these constructs."""
    def make() -> bytes:
        edits = {"word/document.xml": lambda x: x.replace("<w:body>", "<w:body>" + xml, 1)}
        if rels:
            edits["word/_rels/document.xml.rels"] = lambda x: x.replace("</Relationships>", rels + "</Relationships>")
        if types:
            edits["[Content_Types].xml"] = lambda x: x.replace("</Types>", types + "</Types>")
        return edit_docx(base_docx("{{ info.org_name }}"), edits, add)
    return make


def complex_field(instr: str, shown: str) -> str:
    """A field as Word writes it: begin, instruction, separate, the result shown, end."""
    return (f'<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> {instr} '
            f'</w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>{shown}</w:t></w:r>'
            f'<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>')


NO_NET = "http://127.0.0.1:9"         # nothing listens there; nothing may even try
FETCHING = body_with(
    complex_field(f'INCLUDEPICTURE "{NO_NET}/logo.png" \\d', "单位标志")
    + complex_field('INCLUDETEXT "/etc/hostname"', "引用的文字")
    + '<w:p><w:fldSimple w:instr=" LINK Excel.Sheet.12 &quot;C:\\内部\\名单.xlsx&quot; &quot;&quot; \\a ">'
      '<w:r><w:t>链接的表格</w:t></w:r></w:fldSimple></w:p>'
    + complex_field('DDEAUTO Excel "C:\\数据.xlsx" "R1C1"', "动态数据"))
VML = body_with(f'<w:p><w:r><w:pict><v:shape xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:'
                f'office:office" style="width:20pt;height:20pt"><v:imagedata o:href="{NO_NET}/vml.png" src="file:///etc/'
                f'passwd"/></v:shape></w:pict></w:r></w:p>')
ALT_CHUNK = body_with('<w:altChunk r:id="rId77"/>', f'<Relationship Id="rId77" Type="{R}/aFChunk" Target="chunk.html"/>',
                      {"word/chunk.html": f'<html><body><p>嵌入的网页</p><img src="{NO_NET}/a.png"></body></html>'},
                      '<Override PartName="/word/chunk.html" ContentType="text/html"/>')
SVG_PICTURE = ('<w:p><w:r><w:drawing><wp:inline xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing">'
               '<wp:extent cx="952500" cy="952500"/><wp:docPr id="5" name="svg"/><a:graphic xmlns:a="http://schemas.openxml'
               'formats.org/drawingml/2006/main"><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture">'
               '<pic:pic xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:nvPicPr><pic:cNvPr id="5" '
               'name="svg"/><pic:cNvPicPr/></pic:nvPicPr><pic:blipFill><a:blip r:embed="rId78"/></pic:blipFill><pic:spPr>'
               '<a:xfrm><a:off x="0" y="0"/><a:ext cx="952500" cy="952500"/></a:xfrm><a:prstGeom prst="rect"/></pic:spPr>'
               '</pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>')
SVG = body_with(SVG_PICTURE, f'<Relationship Id="rId78" Type="{R}/image" Target="media/x.svg"/>',
                {"word/media/x.svg": '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
                                     f'width="10" height="10"><image xlink:href="{NO_NET}/s.png" width="5" height="5"/>'
                                     '<image xlink:href="file:///etc/passwd" x="5" width="5" height="5"/></svg>'},
                '<Default Extension="svg" ContentType="image/svg+xml"/>')
TAGGED_FIELD = body_with('<w:p><w:fldSimple w:instr=" HYPERLINK &quot;{{ info.website_url }}&quot; "><w:r><w:t>网站'
                         '</w:t></w:r></w:fldSimple></w:p>')


def macro(content_type: str) -> Callable[[], bytes]:
    main = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
    return lambda: edit_docx(base_docx("{{ info.org_name }}"), {
        "[Content_Types].xml": lambda x: x.replace(main, content_type)}, {"word/vbaProject.bin": b"\xd0\xcf\x11\xe0macro"})


def dotx() -> bytes:
    main = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
    tmpl = "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"
    return edit_docx(base_docx("本单位：{{ info.org_name }}"), {"[Content_Types].xml": lambda x: x.replace(main, tmpl)})


def huge_part(size: int) -> Callable[[Path], bytes]:
    """A small template carrying a part that inflates to ``size`` bytes (zeros, streamed)."""
    def make(tmp: Path) -> bytes:
        path = tmp / "大.zip"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            with zipfile.ZipFile(io.BytesIO(base_docx("{{ info.org_name }}"))) as src:
                for item in src.infolist():
                    z.writestr(item, src.read(item.filename))
            with z.open("word/media/image1.png", "w", force_zip64=True) as f:
                chunk = b"\0" * 2**24
                for _ in range(size // len(chunk)):
                    f.write(chunk)
        data = path.read_bytes()
        path.unlink()
        return data
    return make


def put(name: str, make) -> Callable[[Path], None]:
    """Prepare a template file ``name`` in the folder from ``make()`` or ``make(tmp)``."""
    def before(tmp: Path) -> None:
        (tmp / name).write_bytes(make(tmp) if make.__code__.co_argcount else make())
    return before


def custom(make, name: str = "自定义 模板.docx", *extra: str, exit_code: int = 2, codes=(), words=(), **kw) -> dict:
    return dict(build=also(fill(), *RENDER_TO, "--template", "{tmp}/" + name, *extra, before=put(name, make)),
                expect_exit=exit_code, expect_codes=codes, expect_in_message=words, command="render", **kw)


def linted(make, exit_code: int, codes, words, name: str = "自定义 模板.docx") -> dict:
    def build(tmp: Path) -> list:
        put(name, make)(tmp)
        return [str(tmp / name), "--format", "2021"]
    return dict(build=build, expect_exit=exit_code, expect_codes=codes, expect_in_message=words,
                command="lint-template")


def sandboxed(tag: str, *words: str) -> dict:
    return dict(build=also(fill(), *RENDER_TO, *CUSTOM, before=template("{{ info.org_name }}", tag)),
                expect_exit=2, expect_codes=("T07",), expect_in_message=("计算量超出限制", *words), command="render")


def symlink_out(tmp: Path) -> list:
    outside = tmp / "别处"
    outside.mkdir()
    (outside / "报告.docx").write_bytes(b"someone else's report")
    os.symlink(outside / "报告.docx", tmp / "链接.docx")
    return [str(tmp / "填报.xlsx"), "-o", str(tmp / "链接.docx"), "--force"]


def fifo_template(tmp: Path) -> list:
    os.mkfifo(tmp / "管道.docx")
    return ["-o", str(tmp / "报告.docx"), "--template", str(tmp / "管道.docx")]


LONG = "年" * 90 + ".docx"             # 272 bytes in UTF-8
T02_ALL = ("T02", "T02", "T02")        # a one-line template leaves table numbers, sections and notes unused

CASES: list[Case] = [
    # -- the sandbox bounds the work of a template ---------------------------------------------------
    Case("template: nested range loops", **sandboxed(
        "{% for i in range(9999) %}{% for j in range(9999) %}{{ '' }}{% endfor %}{% endfor %}", "循环和调用")),
    Case("template: 'x' * 10**9", **sandboxed("{{ 'x' * 10**9 }}", "重复")),
    Case("template: a huge integer power", **sandboxed("{{ 10 ** (10 ** 10) }}", "次方")),
    Case("template: lipsum(n=100000)", **sandboxed("{{ lipsum(n=100000) }}", "lipsum")),
    Case("template: |center(10**9)", **sandboxed("{{ info.org_name|center(10**9) }}", "center")),
    Case("template: a list multiplied into the billions", **sandboxed("{{ [[1] * 10**5] * 10**5 }}")),
    Case("template: text doubled in a namespace loop", **sandboxed(
        "{% set ns = namespace(s='xx') %}{% for i in range(60) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s }}",
        "文字长度")),
    Case("template: a str.format width of a billion", **sandboxed("{{ '{:>999999999}'.format(year) }}", "宽度")),
    Case("template: a macro calling itself twice", **sandboxed(
        "{% macro m(n) %}{{ m(n) }}{{ m(n) }}{% endmacro %}{{ m(1) }}", "嵌套层数")),
    Case("lint-template: nested range loops are not usable", **linted(
        lambda: base_docx("{{ info.org_name }}", "{% for i in range(9999) %}{% for j in range(9999) %}"
                                                 "{% endfor %}{% endfor %}"), 1, ("T07", *T02_ALL),
        ("试生成报告", "循环和调用"))),
    Case("lint-template: 'x' * 10**9 is not usable", **linted(
        lambda: base_docx("{{ info.org_name }}{{ 'x' * 10**9 }}"), 1, ("T07", *T02_ALL), ("计算量超出限制",))),

    # -- the template file: zip/XML limits, DTDs in any part, macros, other Word types ----------------
    Case("template: a 1 MB .docx holding a 1 GiB part", **custom(huge_part(2**30), codes=("F20",),
                                                                   words=("image1.png", "1024 MB", "过大"))),
    Case("template: a part of 160 MB", **custom(huge_part(160 * 2**20), codes=("F20",), words=("上限",))),
    Case("template: billion laughs in styles.xml", **custom(with_doctype("word/styles.xml"), codes=("F20",),
                                                             words=("word/styles.xml", "DTD"))),
    Case("template: an external entity in the endnotes", **custom(with_doctype(
        "word/endnotes.xml", '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>', "&xxe;"),
        codes=("F20",), words=("word/endnotes.xml",))),
    Case("template: a DTD in the relationships", **custom(with_doctype("word/_rels/document.xml.rels"),
                                                           codes=("F20",), words=("document.xml.rels",))),
    Case("lint-template: billion laughs in the settings", **linted(
        with_doctype("word/settings.xml"), 2, ("F20",), ("word/settings.xml", "DTD"))),
    Case("template: a FIFO given as the template", lambda tmp: [str(filled(tmp)), *fifo_template(tmp)],
         expect_exit=2, expect_codes=("F14",), expect_in_message=("不是普通文件", "命名管道"), command="render"),
    Case("template: a macro-enabled .docm", **custom(macro("application/vnd.ms-word.document.macroEnabled.main+xml"),
                                                      "模板.docm", codes=("F21",), words=("宏", "另存为"))),
    Case("template: a macro-enabled .dotm", **custom(
        macro("application/vnd.ms-word.template.macroEnabledTemplate.main+xml"), "模板.dotm", codes=("F21",),
        words=("宏",))),
    Case("template: a Word template .dotx renders", **custom(dotx, "模板.dotx", exit_code=0, words=("已生成：{out}",),
                                                              expect_in_docx=("本单位：某某镇人民政府",))),
    Case("template: tags in a comment", **custom(lambda: comments("{{ v.request_new_total }}"), codes=("T09",),
                                                  words=("批注", "{{ v.request_new_total }}"))),
    Case("lint-template: tags in a comment", **linted(lambda: comments("{% if year %}"), 1, ("T09", *T02_ALL),
                                                       ("批注中有 1 个标签",))),
    Case("template: tags in the endnotes render", **custom(lambda: endnotes("尾注：{{ info.org_name }}"), exit_code=0,
                                                            words=("已生成：{out}",))),
    Case("template: tags in a text box render", **custom(lambda: text_box("文本框：{{ info.org_name }}"),
                                                          exit_code=0, words=("已生成：{out}",))),
    Case("template: external links are removed with a note", **custom(
        external_links, exit_code=0, codes=("T08",), words=("链接的图片", "附加的模板", "file:///C:/内部/名单.xlsx",
                                                            "已生成：{out}"))),
    Case("lint-template: external links are reported", **linted(external_links, 0, ("T08", "T08", "T08", *T02_ALL),
                                                                 ("生成报告时会删除", "127.0.0.1:9/logo.png"))),

    # -- outside references without an external relationship -----------------------------------------
    Case("template: fields that fetch are removed, their results kept", **custom(
        FETCHING, exit_code=0, codes=("T08",), words=("引用外部图片的域（INCLUDEPICTURE）", "引用外部文件的域（INCLUDETEXT）",
                                                     "链接外部对象的域（LINK）", "动态数据交换域（DDEAUTO）", "已生成：{out}"),
        expect_in_docx=("单位标志", "引用的文字", "链接的表格"))),
    Case("lint-template: fields that fetch are reported", **linted(FETCHING, 0, ("T08",) * 4 + T02_ALL,
                                                                  ("生成报告时会删除", "/etc/hostname"))),
    Case("template: VML picture addresses are removed", **custom(VML, exit_code=0, codes=("T08",),
                                                                  words=("图形的外部地址", "file:///etc/passwd"))),
    Case("template: an altChunk web page is removed", **custom(ALT_CHUNK, exit_code=0, codes=("T08",),
                                                                words=("altChunk",))),
    Case("template: an SVG picture with outside images is dropped", **custom(SVG, exit_code=0, codes=("T08",),
                                                                             words=("SVG", "word/media/x.svg"))),
    Case("lint-template: an SVG picture with outside images is reported", **linted(SVG, 0, ("T08", *T02_ALL), ("SVG",))),
    Case("lint-template: a tag inside a field instruction", **linted(TAGGED_FIELD, 0, ("T10", *T02_ALL),
                                                                      ("{{ info.website_url }}", "域代码"))),
    Case("template: a tag inside a field instruction renders with a note", **custom(
        TAGGED_FIELD, exit_code=0, codes=("T10",), words=("HYPERLINK", "已生成：{out}"))),

    # -- outputs -----------------------------------------------------------------------------------
    Case("render: -o 报告.pdf --pdf --force never overwrites a PDF with DOCX bytes", also(
        fill(), "-o", "{tmp}/报告.pdf", "--pdf", "--force", before=existing("报告.pdf", b"%PDF-1.7 published")),
        2, ("O06",), ("报告.docx", "扩展名是 .pdf"), command="render"),
    Case("render: an output name without extension", also(fill(), "-o", "{tmp}/报告"), 2, ("O06",),
         ("没有扩展名", "报告.docx"), command="render"),
    Case("template: -o x.docx", lambda tmp: ["-o", str(tmp / "x.docx")], 2, ("O06",), ("x.xlsx",), command="template"),
    Case("template: an output name without extension", lambda tmp: ["-o", str(tmp / "填报模板")], 2, ("O06",),
         ("填报模板.xlsx",), command="template"),
    Case("render: --force onto a FIFO", also(fill(), "-o", "{tmp}/管道.docx", "--force",
                                            before=lambda tmp: os.mkfifo(tmp / "管道.docx")),
         2, ("O07",), ("管道",), command="render"),
    Case("render: --force onto a symlink to another folder", lambda tmp: (filled(tmp), symlink_out(tmp))[1],
         2, ("O07",), ("另一个文件夹",), command="render"),
    Case("render: a file name over 255 bytes", also(fill(), "-o", "{tmp}/" + LONG), 2, ("O08",), ("255 字节",),
         command="render"),
    Case("template: a file name over 255 bytes", lambda tmp: ["-o", str(tmp / LONG.replace(".docx", ".xlsx"))], 2,
         ("O08",), ("文件名过长",), command="template"),
    Case("LANG=C, no UTF-8: --pdf output name refused ASCII-safely", also(fill(), "-o", "{tmp}/报告.pdf", "--pdf"),
         2, ("O06",), (), command="render",
         env={"LANG": "C", "LC_ALL": "C", "PYTHONCOERCECLOCALE": "0", "PYTHONUTF8": "0"}, encoding="ascii"),
]
