"""The bad-input corpus, continued: variants found by attacking the hardened readers again (run
with the rest of ``tests/bad_inputs.py`` by ``tests/test_bad_inputs.py``, through the real
command line).

* **.ods written as XML allows** — repetitions and ``text:s`` counts in single quotes, with
  spaces around ``=`` or as character references: calamine honours them all, so the text and
  cell budgets must see them too (a regular expression expecting ``="…"`` let 6 MB become 1.3 GB);
* **.xlsx shared strings in CDATA** — a string measured with its tags dropped lost a whole
  ``<![CDATA[…]]>``: 7 MB shown by 400 cells took 3 GB and ended in a Rust abort;
* **.xlsx parts named in another case** — calamine finds a part case-insensitively (and takes
  ``\\`` for ``/``), the guards looked names up exactly: ``XL/SHAREDSTRINGS.XML`` went unmeasured
  (3 GB and a Rust abort); two entries differing only in case are ambiguous;
* **.xlsx shared strings declaring billions** — ``<sst uniqueCount="4000000000">``: calamine
  reserved 96 GB before reading a string and the process aborted;
* **.xls with a second Workbook stream** — calamine takes the first directory entry of that name,
  the guard walked the one the directory tree leads to: a harmless stream in the tree and a
  hostile one listed first took 1 GB;
* **a PDF with one malformed dictionary** — ``<< /A >>`` in a page: pdfplumber's ``close()`` at the
  end of a ``with`` block parses every page again and let pdfminer's error out (exit 3);
* **Word templates** — a fetching field in a part saved as UTF-16 (the byte search for field
  markers saw nothing), or whose instruction is a tracked deletion (``w:delInstrText``);
* **exchange JSON** — a key written twice (readers differ on which one counts: a silently
  different number), a lone surrogate ``\\ud800`` (render and export ended in exit 3), an
  integer of 5000 digits (Python's refusal, in English);
* **rosters** — UTF-16 with a lone surrogate (exit 3), a CSV saved with ``\\r`` line ends (Excel
  for Mac: refused in English), an unclosed quote (Python's English message).
"""
from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Callable

import biffgen
from bad_inputs import Build, Case, _exchange_with, also, fill, filled, folder, raw, sheet_part, zipped
from bad_inputs_hostile import rewrite
from bad_templates import NO_NET, T02_ALL, body_with, complex_field, custom, linted

ODS_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"')
MANIFEST = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:'
            'xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type='
            '"application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" '
            'manifest:media-type="text/xml"/></manifest:manifest>')


def ods(tables: str) -> bytes:
    """An .ods python-calamine opens (mimetype, manifest, content stored uncompressed) holding a
    基本信息 with the format marker, then ``tables``."""
    basic = ('<table:table table:name="基本信息"><table:table-row><table:table-cell office:value-type="string">'
             '<text:p>年报格式</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>2021'
             '</text:p></table:table-cell></table:table-row></table:table>')
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ODS_NS} office:version="1.2">'
               f"<office:body><office:spreadsheet>{basic}{tables}</office:spreadsheet></office:body>"
               "</office:document-content>")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("META-INF/manifest.xml", MANIFEST)
        z.writestr("content.xml", content)
    return buf.getvalue()


def ods_extra(row_attrs: str, cell: str) -> bytes:
    """An .ods whose sheet 附表 holds one row (``row_attrs``) of one cell (``cell``: the XML)."""
    return ods(f"<table:table table:name='附表'><table:table-row{row_attrs}>{cell}</table:table-row></table:table>")


SIX_MB = "y" * (6 * 2**20)
#: a Workbook stream whose sheet shows one 32 000-character shared string in 10 000 cells, and a harmless one
XLS_HOSTILE = biffgen.workbook([("附表", b"".join(biffgen.label_sst(i // 100, i % 100, 0) for i in range(10_000)))],
                               ["z" * 32_000])
XLS_HARMLESS = biffgen.workbook([("附表", biffgen.label_sst(0, 0, 0))], ["abc"])

TITLE_HEX = "某某局2024年政府信息公开工作年度报告".encode("utf-16-be").hex().upper()
CJK_FONT = ("<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H /DescendantFonts [<< /Type "
            "/Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) "
            "/Supplement 2 >> >>] >>")


def pdf_with_page(page_extra: str) -> bytes:
    """A one-page PDF showing the report title; ``page_extra`` is written into the page dictionary."""
    content = f"BT /F1 12 Tf 50 800 Td <{TITLE_HEX}> Tj ET".encode()
    objs = ["<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            f"<< /Type /Page /Parent 2 0 R {page_extra} /MediaBox [0 0 595 842] /Contents 4 0 R "
            "/Resources << /Font << /F1 5 0 R >> >> >>",
            f"<< /Length {len(content)} >>\nstream\n{content.decode()}\nendstream", CJK_FONT]
    out, offsets = b"%PDF-1.7\n", []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode() + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    return out + f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()


def utf16_document(make: Callable[[], bytes]) -> Callable[[], bytes]:
    """The template of ``make()`` with ``word/document.xml`` saved as UTF-16 (with its BOM)."""
    def wrapped() -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(make())) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
            for item in zin.infolist():
                data = zin.read(item.filename)
                if item.filename == "word/document.xml":
                    data = data.decode("utf-8").replace('encoding="UTF-8"', 'encoding="UTF-16"', 1).encode("utf-16")
                zout.writestr(item, data)
        return out.getvalue()
    return wrapped


FETCHING_PICTURE = body_with(complex_field(f'INCLUDEPICTURE "{NO_NET}/logo.png" \\d', "单位标志"))
DELETED_INSTRUCTION = body_with(
    '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:delInstrText xml:space="preserve"> INCLUDEPICTURE '
    f'"{NO_NET}/deleted.png" \\d </w:delInstrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>'
    '修订中的图片</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>')


def exchange_edited(edit: Callable[[str], str]) -> Callable[[Path], bytes]:
    """The exchange JSON of the balanced fill, its text passed through ``edit``."""
    def make(tmp: Path) -> bytes:
        from xlsx_tool.checks.check import check
        from xlsx_tool.formats.exchange import dumps, to_exchange
        from xlsx_tool.workbook.read import read_workbook

        src = filled(tmp, name="导出前.xlsx")
        text = dumps(to_exchange(check(read_workbook(src))))
        src.unlink()
        new = edit(text)
        assert new != text
        return new.encode("utf-8")
    return make


def _org_name(value: str) -> Callable[[str], str]:
    return lambda text: re.sub(r'("id": "org_name",\s*"label": "[^"]*",\s*"value": )"[^"]*"', lambda m: m.group(1) + value,
                               text, count=1)


def renamed(build: Build, names: dict, copy: tuple[str, str] | None = None) -> Build:
    """Build: the workbook of ``build`` with zip entries renamed (``names``: old → new) and,
    with ``copy`` (old, new), a second entry holding the same bytes under another name, listed first."""
    def wrapped(tmp: Path) -> list:
        src = Path(build(tmp)[0])
        plain = src.with_name("原名.xlsx")
        src.rename(plain)
        with zipfile.ZipFile(plain) as zin, zipfile.ZipFile(src, "w", zipfile.ZIP_DEFLATED) as zout:
            for item in zin.infolist():
                data = zin.read(item.filename)
                if copy and item.filename == copy[0]:
                    zout.writestr(zipfile.ZipInfo(copy[1], item.date_time), data, zipfile.ZIP_STORED)
                info = zipfile.ZipInfo(names.get(item.filename, item.filename), item.date_time)
                zout.writestr(info, data, item.compress_type)
        plain.unlink()
        return [str(src)]
    return wrapped


def roster(name: str, data: bytes) -> Build:
    """Build: a review of a folder holding one good report, with the roster ``name`` (``data``)."""
    def build(tmp: Path) -> list:
        (tmp / name).write_bytes(data)
        return folder(fill(name="甲.xlsx"))(tmp) + ["--roster", str(tmp / name), "-o", str(tmp / "审核结果.xlsx")]
    return build


def shown_string(wrap: Callable[[bytes], bytes], cells: int = 400, chars: int = 7_000_000) -> Build:
    """Build: a filled workbook whose shared strings end with ``<si>wrap(chars × "x")</si>``, shown
    by ``cells`` cells of 表三 (rows 100…, ten a row)."""
    def build(tmp: Path) -> list:
        src = filled(tmp, name="原始.xlsx")
        with zipfile.ZipFile(src) as z:
            names = re.findall(r'<sheet name="([^"]+)"', z.read("xl/workbook.xml").decode())
            index = z.read("xl/sharedStrings.xml").count(b"<si>")
        rows = "".join(f'<row r="{100 + i}">' + "".join(f'<c r="{c}{100 + i}" t="s"><v>{index}</v></c>'
                                                         for c in "ABCDEFGHIJ") + "</row>" for i in range(cells // 10))
        edits = {"xl/sharedStrings.xml": lambda d: d.replace(b"</sst>", b"<si>" + wrap(b"x" * chars) + b"</si></sst>"),
                 sheet_part(names, "表三"): lambda d: d.replace(b"</sheetData>", rows.encode() + b"</sheetData>")}
        out = rewrite(src, tmp / "填报.xlsx", edits, stored=frozenset({"xl/sharedStrings.xml"}))
        src.unlink()
        return [str(out)]
    return build


CASES: list[Case] = [
    # -- .ods repetitions spelled otherwise -----------------------------------------------------------
    Case("ods: a 6 MB cell repeated over 100 columns, in single quotes", raw("填报.ods", lambda t: ods_extra(
        "", f"<table:table-cell office:value-type='string' table:number-columns-repeated='100'><text:p>{SIX_MB}</text:p>"
            "</table:table-cell>")), 2, ("F06@附表!A1",), ("重复 100 列 × 1 行", "6.3 亿字")),
    Case("ods: a 6 MB row repeated with spaces around = and a character reference", raw("填报.ods", lambda t: ods_extra(
        ' table:number-rows-repeated = "&#54;0"', f'<table:table-cell office:value-type="string"><text:p>{SIX_MB}</text:p>'
                                                  "</table:table-cell>")), 2, ("F06@附表!A1",), ("重复 1 列 × 60 行",)),
    Case("ods: a 6 MB cell repeated over '+100' columns (a sign Rust's number parse accepts)", raw("填报.ods", lambda t:
         ods_extra("", f"<table:table-cell office:value-type='string' table:number-columns-repeated='+100'><text:p>{SIX_MB}"
                       "</text:p></table:table-cell>")), 2, ("F06@附表!A1",), ("重复 100 列 × 1 行",)),
    Case("ods: text:s text:c in single quotes", raw("填报.ods", lambda t: ods_extra(
        "", "<table:table-cell office:value-type='string'><text:p>a<text:s text:c='200000000'/>b</text:p>"
            "</table:table-cell>")), 2, ("F06@附表!A1",), ("200000003 个字",)),
    Case("ods: a million rows of 1000 numbers, in single quotes", raw("填报.ods", lambda t: ods_extra(
        " table:number-rows-repeated='1000000'", "<table:table-cell office:value-type='float' office:value='1' "
        "table:number-columns-repeated='1000'><text:p>1</text:p></table:table-cell>")), 2, ("F06",),
         ("1000000 行 × 1000 列", "远超表格范围")),

    # -- .xlsx shared strings the budget must measure as XML reads them --------------------------------
    Case("xlsx: a 7 MB shared string in CDATA shown by 400 cells", shown_string(
        lambda x: b"<t><![CDATA[" + x + b"]]></t>"), 2, ("F06@表三!C100",), ("7000000 个字", "1600 万字")),
    Case("xlsx: a 7 MB shared string of rich-text runs in CDATA, 40 cells", shown_string(
        lambda x: b"".join(b"<r><t><![CDATA[" + x[i:i + 2**20] + b"]]></t></r>" for i in range(0, len(x), 2**20)),
        cells=40), 2, ("F06@表三!C100",), ("7000000 个字",)),

    # -- .xls: the stream calamine reads is the stream measured -----------------------------------------
    Case("xls: a hostile Workbook stream listed before the harmless one in the tree", raw("填报.xls", lambda t:
         biffgen.compound_streams([("Workbook", XLS_HOSTILE), ("Workbook", XLS_HARMLESS)], root_child=2)), 2,
         ("F03",), ("Workbook/Book", "有 2 个", "目录树中能找到的有 1 个")),
    Case("xls: a hostile Book stream beside a harmless Workbook", raw("填报.xls", lambda t:
         biffgen.compound_streams([("Book", XLS_HOSTILE), ("Workbook", XLS_HARMLESS)], root_child=2)), 2,
         ("F03",), ("有 2 个",)),
    Case("xls: the stream named in lower case is still measured", raw("填报.xls", lambda t:
         biffgen.compound_file(XLS_HOSTILE, name="workbook")), 2, ("F06@附表!A6",), ("1600 万字",)),

    # -- a PDF pdfminer cannot parse ---------------------------------------------------------------------
    Case("pdf: a page dictionary holding << /A >> (a key without value)", raw("年报.pdf", lambda t: pdf_with_page(
        "/X << /A >>")), 2, ("F23",), ("PDF 内容无法解析",), command="audit"),
    Case("pdf: import of a page dictionary nested 100 000 deep", also(raw("年报.pdf", lambda t: pdf_with_page(
        "/X " + "<</A " * 100_000 + ">>" * 100_000)), "-o", "{tmp}/导入.xlsx"), 2, ("F23",), ("PDF 内容无法解析",),
         command="import"),
    Case("pdf: review of a folder holding a malformed PDF", also(folder(fill(name="甲.xlsx"), raw("乙.pdf", lambda t:
         pdf_with_page("/X << /A >>"))), "-o", "{tmp}/审核结果.xlsx"), 1, (), ("无法读取 1", "通过 1", "PDF 内容无法解析"),
         command="review", output_on_errors=True),

    # -- Word templates: outside references however the part is written ---------------------------------
    Case("lint-template: a fetching field in a document.xml saved as UTF-16", **linted(
        utf16_document(FETCHING_PICTURE), 0, ("T08", *T02_ALL), ("INCLUDEPICTURE", "127.0.0.1:9/logo.png"))),
    Case("template: a fetching field whose instruction is a tracked deletion is removed", **custom(
        DELETED_INSTRUCTION, exit_code=0, codes=("T08",), words=("INCLUDEPICTURE", "deleted.png", "已生成：{out}"),
        expect_in_docx=("修订中的图片",))),
    Case("lint-template: a fetching field whose instruction is a tracked deletion", **linted(
        DELETED_INSTRUCTION, 0, ("T08", *T02_ALL), ("deleted.png",))),

    # -- exchange JSON that two readers would read differently, or no file can hold -----------------------
    Case("exchange: a cell's value written twice", raw("交换.json", lambda t: _exchange_with(
        t, "request_new_natural", '9, "value": 3')), 2, ("R08",), ("“value”出现了两次",)),
    Case("exchange: a cell written twice", raw("交换.json", exchange_edited(lambda x: x.replace(
        '"request_new_natural": {', '"request_new_natural": {"value": 999},\n"request_new_natural": {', 1))), 2,
         ("R08",), ("“request_new_natural”出现了两次",)),
    Case("render: exchange JSON whose 机关名称 holds a lone surrogate", also(raw("交换.json", exchange_edited(
        _org_name('"某某镇\\ud800人民政府"'))), "-o", "{tmp}/报告.docx"), 2, ("R08",),
         ("basic_info.0.value", "单独的代理项"), command="render"),
    Case("export: exchange JSON whose 正文 holds a lone surrogate", also(raw("交换.json", exchange_edited(
        lambda x: x.replace('"paragraphs": [', '"paragraphs": ["段落\\udfff",', 1))), "-o", "{tmp}/出.json"), 2,
         ("R08",), ("narrative.overview.paragraphs.0",), command="export"),
    Case("exchange: a count of 5000 digits", raw("交换.json", lambda t: _exchange_with(
        t, "request_new_natural", "9" * 5000)), 1, ("V07@表三!D6",), ("数值过大",)),

    # -- .xlsx parts found as calamine finds them ---------------------------------------------------------
    Case("xlsx: the fanned-out shared strings part named XL/SHAREDSTRINGS.XML", renamed(
        shown_string(lambda x: b"<t>" + x + b"</t>"), {"xl/sharedStrings.xml": "XL/SHAREDSTRINGS.XML"}), 2,
         ("F06@表三!C100",), ("7000000 个字",)),
    Case("xlsx: the shared strings part named with backslashes", renamed(
        shown_string(lambda x: b"<t>" + x + b"</t>"), {"xl/sharedStrings.xml": "xl\\sharedStrings.xml"}), 2,
         ("F06@表三!C100",), ("7000000 个字",)),
    Case("xlsx: 表三 with a far cell, its part named in upper case", renamed(zipped({"表三": lambda x: x.replace(
        "</sheetData>", '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>')}),
        {"xl/worksheets/sheet5.xml": "XL/WORKSHEETS/SHEET5.XML"}), 2, ("F06@表三!XFD1048576",), ("远超表格范围",)),
    Case("xlsx: two shared-strings entries differing only in case", renamed(
        fill(), {}, copy=("xl/sharedStrings.xml", "XL/SharedStrings.xml")), 2, ("F03",), ("只是大小写或分隔符不同",)),

    # -- rosters ------------------------------------------------------------------------------------------
    Case("roster: UTF-16 with a lone surrogate", roster("名单.txt", b"\xff\xfe\x00\xd8\n\x00"), 2, ("R06",),
         ("名单.txt", "不是有效的 UTF-16"), command="review"),
    Case("roster: a CSV with Mac line ends (\\r)", roster("名单.csv", "单位名称\r甲镇人民政府\r乙镇人民政府\r".encode("gbk")),
         1, (), ("未提交（2）：甲镇人民政府、乙镇人民政府",), command="review", output_on_errors=True),
    Case("roster: a CSV whose quote is never closed", roster("名单.csv", ('"' + "甲" * 200_000 + "\n乙镇\n").encode()), 2,
         ("R06",), ("名单.csv", "引号没有配对"), command="review"),

    # -- .xlsx shared-string tables that declare more than they hold ----------------------------------------
    Case("xlsx: shared strings declaring uniqueCount 4 000 000 000", zipped({"xl/sharedStrings.xml": lambda x: re.sub(
        r'uniqueCount="\d+"', 'uniqueCount="4000000000"', x, count=1)}), 2, ("F06",), ("声明有 4000000000 个字符串",)),
    Case("xlsx: shared strings declaring uniqueCount in single quotes with a plus", zipped({"xl/sharedStrings.xml":
        lambda x: re.sub(r'uniqueCount="\d+"', "uniqueCount = '+3000000000'", x, count=1)}), 2, ("F06",),
         ("声明有 3000000000 个字符串",)),
]
