"""The bad-input corpus, continued: what an attack pass found (run with the rest of
``tests/bad_inputs.py`` by ``tests/test_bad_inputs.py``, through the real command line, each case
within 5 CPU s and 300 MB and never a traceback).

* **text multiplied while reading** — one long shared string shown by many cells, an .ods text
  repeated over columns and rows or padded by ``<text:s text:c>``, an .xls whose sheets copy one
  shared string thousands of times: refused before python-calamine copies anything (F06);
* **special files** — pipes and ``/dev/zero`` given as a published report, exchange JSON, a
  roster, last year's report, or lying in a review folder (F14, never a hang);
* **published reports** — PDFs whose pages share one huge content stream, draw a form thousands
  of times, or inflate to hundreds of MB; PDFs that only the child's CPU limit stops; web pages
  of countless tables, rows or tags (F25);
* **terminal output** — escape sequences in agency names, roster names and output names shown
  as ``<U+001B>``;
* **smaller** — export refusing JSON its own reader would refuse (O10), an exchange total that
  is not the sum of its parts (R24).
"""
from __future__ import annotations

import io
import os
import re
import zipfile
from pathlib import Path

import biffgen
import pdfgen
from bad_inputs import Build, Case, _exchange_with, also, fill, filled, flooded, folder, raw, sheet_part
from xlsx_tool.workbook.template import write_template

ODS_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"')
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
TITLE = "某某局2024年政府信息公开工作年度报告"


# -- builders: text multiplied --------------------------------------------------------------------
def rewrite(src: Path, out: Path, edits: dict, add: dict | None = None, stored: frozenset = frozenset()) -> Path:
    """Copy the zip ``src`` to ``out``: entries through ``edits`` (name → fn(bytes) → bytes),
    ``add`` (name → bytes) appended; the entries named in ``stored`` are not compressed (so that
    the size and text limits, not the compression-ratio guard, are what a case meets)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = edits.get(item.filename, lambda d: d)(zin.read(item.filename))
            zout.writestr(zipfile.ZipInfo(item.filename, item.date_time), data,
                          zipfile.ZIP_STORED if item.filename in stored else zipfile.ZIP_DEFLATED)
        for name, data in (add or {}).items():
            zout.writestr(name, data, zipfile.ZIP_STORED if name in stored else zipfile.ZIP_DEFLATED)
    return out


def one_long_string(cells: int, chars: int = 7_000_000, extra_sheet: bool = False, name: str = "填报.xlsx",
                    **overrides) -> Build:
    """Build: a filled workbook whose shared strings end with one string of ``chars`` characters,
    shown by ``cells`` cells (rows 100…, ten a row) of 表三 — or of a sheet 附表 the reader never
    needs (``extra_sheet``)."""
    def build(tmp: Path) -> list:
        src = filled(tmp, name="原始.xlsx", **overrides)
        with zipfile.ZipFile(src) as z:
            names = re.findall(r'<sheet name="([^"]+)"', z.read("xl/workbook.xml").decode())
            index = z.read("xl/sharedStrings.xml").count(b"<si>")
        rows = "".join(f'<row r="{100 + i}">' + "".join(f'<c r="{c}{100 + i}" t="s"><v>{index}</v></c>'
                                                         for c in "ABCDEFGHIJ") + "</row>" for i in range(cells // 10))
        edits = {"xl/sharedStrings.xml": lambda d: d.replace(b"</sst>", b"<si><t>" + b"x" * chars + b"</t></si></sst>")}
        add = {}
        if extra_sheet:
            add["xl/worksheets/extra1.xml"] = (f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}">'
                                               f"<sheetData>{rows}</sheetData></worksheet>").encode()
            edits["xl/workbook.xml"] = lambda d: d.replace(b"</sheets>", '<sheet name="附表" sheetId="99" r:id="rIdX"/></sheets>'.encode())
            edits["xl/_rels/workbook.xml.rels"] = lambda d: d.replace(b"</Relationships>", (
                '<Relationship Id="rIdX" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
                'worksheet" Target="worksheets/extra1.xml"/></Relationships>').encode())
            edits["[Content_Types].xml"] = lambda d: d.replace(b"</Types>", (
                '<Override PartName="/xl/worksheets/extra1.xml" ContentType="application/vnd.openxmlformats-'
                'officedocument.spreadsheetml.worksheet+xml"/></Types>').encode())
        else:
            edits[sheet_part(names, "表三")] = lambda d: d.replace(b"</sheetData>", rows.encode() + b"</sheetData>")
        out = rewrite(src, tmp / name, edits, add, stored=frozenset({"xl/sharedStrings.xml"}))
        src.unlink()
        return [str(out)]
    return build


def ods(tables: str) -> bytes:
    """An .ods holding ``tables`` (``<table:table>`` elements), content stored uncompressed."""
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ODS_NS} office:version="1.2">'
               f"<office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body></office:document-content>")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", content)
    return buf.getvalue()


def ods_cell(text: str, repeat: str = "") -> str:
    return f'<table:table-cell office:value-type="string"{repeat}><text:p>{text}</text:p></table:table-cell>'


#: 基本信息 with 机关名称 in B4 padded by fifty million spaces
ODS_SPACES = ods('<table:table table:name="基本信息"><table:table-row table:number-rows-repeated="3"><table:table-cell/>'
                 '</table:table-row><table:table-row>' + ods_cell("机关名称")
                 + ods_cell('某某镇<text:s text:c="50000000"/>人民政府') + "</table:table-row></table:table>")


def ods_repeated(columns: int, rows: int) -> bytes:
    """An .ods whose extra sheet 附表 holds one 6 MB text repeated over ``columns`` × ``rows``."""
    row = "<table:table-row" + (f' table:number-rows-repeated="{rows}"' if rows > 1 else "") + ">"
    cell = ods_cell("y" * (6 * 2**20), f' table:number-columns-repeated="{columns}"' if columns > 1 else "")
    return ods('<table:table table:name="基本信息"><table:table-row>' + ods_cell("年报格式") + ods_cell("2021")
               + '</table:table-row></table:table><table:table table:name="附表">' + row + cell
               + "</table:table-row></table:table>")


def xls(sheets: list, strings: list, declared: int | None = None, same_position: int = 0) -> bytes:
    return biffgen.compound_file(biffgen.workbook(sheets, strings, declared, same_position))


LONG = "z" * 32_000
#: an .xls whose extra sheet shows one 32 000-character shared string in 10 000 cells
XLS_FANOUT = xls([("附表", b"".join(biffgen.label_sst(i // 100, i % 100, 0) for i in range(10_000)))], [LONG])
#: an .xls of 200 sheets all pointing at one sheet of 100 such cells
XLS_SAME_SHEET = xls([("附表", b"".join(biffgen.label_sst(0, i, 0) for i in range(100)))], [LONG], same_position=199)
#: an .xls whose shared-string table declares two billion strings (calamine reserves room for all)
XLS_HUGE_SST = xls([("附表", biffgen.label_sst(0, 0, 0))], ["abc"], declared=2**31 - 1)


# -- builders: special files ----------------------------------------------------------------------
def special(name: str, kind: str) -> Build:
    """Build: ``name`` is a FIFO (``fifo``) or a symbolic link to ``/dev/zero`` (``zero``)."""
    def build(tmp: Path) -> list:
        path = tmp / name
        if kind == "fifo":
            os.mkfifo(path)
        else:
            os.symlink("/dev/zero", path)
        return [str(path)]
    return build


def beside(name: str, kind: str):
    """Prepare (for :func:`bad_inputs.also`) a FIFO or a /dev/zero link ``name`` in the folder."""
    def before(tmp: Path) -> None:
        special(name, kind)(tmp)
    return before


def specials_folder(tmp: Path) -> list:
    """A review folder: a good report, a FIFO named .json and a link to /dev/zero named .html."""
    units = tmp / "各单位"
    units.mkdir()
    filled(units, name="甲.xlsx")
    os.mkfifo(units / "乙.json")
    os.symlink("/dev/zero", units / "丙.html")
    return [str(units), "-o", str(tmp / "审核结果.xlsx")]


# -- builders: published reports ----------------------------------------------------------------
def title_line() -> bytes:
    return ("BT /F1 12 Tf 50 820 Td <%s> Tj ET\n" % TITLE.encode("utf-16-be").hex().upper()).encode()


def many_tables(n: int, rows: int = 1) -> bytes:
    row = "<tr><td>一、本年新收政府信息公开申请数量</td><td>1</td><td>2</td></tr>" * rows
    return (f"<html><body><p>{TITLE}</p>" + f"<table>{row}</table><p>说明</p>" * n + "</body></html>").encode()


# -- builders: terminal output --------------------------------------------------------------------
ESC_ORG = "某镇\x1b[31m\x07人民政府"


def escaped_unit(tmp: Path) -> list:
    """A review folder holding a report whose 机关名称 carries an escape sequence and a BEL, and
    a roster whose names do too."""
    units = tmp / "各单位"
    units.mkdir()
    filled(units, name="某镇.xlsx", org_name=ESC_ORG)
    (tmp / "名单.txt").write_text(f"{ESC_ORG}\n某县\x1b]0;标题\x07财政局\n", encoding="utf-8")
    return [str(units), "--roster", str(tmp / "名单.txt"), "-o", str(tmp / "审核结果.xlsx")]


def escaped_template(tmp: Path) -> list:
    """``template --org`` with ESC and BEL, then that template filled and reviewed."""
    units = tmp / "各单位"
    units.mkdir()
    write_template(units / "新模板.xlsx", "2021", year=2024, org=ESC_ORG)
    return [str(units), "-o", str(tmp / "审核结果.xlsx")]


CASES: list[Case] = [
    # -- text multiplied while reading a workbook ----------------------------------------------------
    Case("text: one 7 MB shared string shown by 40 cells of 表三", one_long_string(40), 2, ("F06@表三!C100",),
         ("7000000 个字", "1600 万字", "复制到了很多单元格")),
    Case("text: one 7 MB shared string shown by 400 cells of 表三 (once a Rust abort)", one_long_string(400), 2,
         ("F06@表三!C100",), ("1600 万字",)),
    Case("text: the same string shown by 400 cells of a sheet never read", one_long_string(400, extra_sheet=True),
         0, (), ("检查通过",)),
    Case("text: an .ods 机关名称 padded by text:s text:c=50000000", raw("填报.ods", ODS_SPACES), 2,
         ("F06@基本信息!B4",), ("50000008 个字",)),
    Case("text: an .ods extra sheet with one 6 MB cell repeated over 100 columns", raw("填报.ods", lambda t: ods_repeated(100, 1)),
         2, ("F06@附表!A1",), ("重复 100 列 × 1 行", "6.3 亿字")),
    Case("text: an .ods extra sheet with a 6 MB row repeated 60 times", raw("填报.ods", lambda t: ods_repeated(1, 60)),
         2, ("F06@附表!A1",), ("重复 1 列 × 60 行",)),
    Case("text: an .xls extra sheet of 10 000 cells of one 32 000-character string", raw("填报.xls", XLS_FANOUT), 2,
         ("F06@附表!A6",), ("1600 万字",)),
    Case("text: an .xls of 200 sheets pointing at one sheet of long strings", raw("填报.xls", XLS_SAME_SHEET), 2,
         ("F06@附表5!CV1",), ("1600 万字",)),
    Case("text: an .xls shared-string table declaring two billion strings", raw("填报.xls", XLS_HUGE_SST), 2,
         ("F06",), ("2147483647 个字符串",)),
    Case("review: two shared-string fan-out workbooks among good ones", also(folder(
        fill(name="甲.xlsx"), one_long_string(40, name="乙.xlsx"), one_long_string(400, name="丙.xlsx")),
        "-o", "{tmp}/审核结果.xlsx"), 1, (), ("无法读取 2", "通过 1", "1600 万字", "已生成审核结果：{out}"),
         command="review", output_on_errors=True),

    # -- pipes, devices and /dev/zero links as inputs -------------------------------------------------
    Case("special: a FIFO named 年报.html", special("年报.html", "fifo"), 2, ("F14",), ("命名管道",), command="audit"),
    Case("special: 年报.txt linked to /dev/zero", special("年报.txt", "zero"), 2, ("F14",), ("字符设备",), command="audit"),
    Case("special: exchange JSON linked to /dev/zero", also(special("交换.json", "zero"), "-o", "{tmp}/出.json"), 2,
         ("F14",), ("字符设备",), command="export"),
    Case("special: a roster linked to /dev/zero", also(folder(fill()), "--roster", "{tmp}/名单.txt",
                                                       before=beside("名单.txt", "zero")), 2, ("F14",),
         ("名单.txt", "字符设备"), command="review"),
    Case("special: a roster that is a FIFO", also(folder(fill()), "--roster", "{tmp}/名单.csv",
                                                  before=beside("名单.csv", "fifo")), 2, ("F14",), ("名单.csv", "命名管道"),
         command="review"),
    Case("special: check --previous is a FIFO", also(fill(), "--previous", "{tmp}/上年.json", before=beside("上年.json", "fifo")),
         2, ("F14",), ("上年.json", "命名管道")),
    Case("special: a review folder holding a FIFO and a /dev/zero link", specials_folder, 1, (),
         ("无法读取 2", "通过 1", "命名管道", "字符设备"), command="review", output_on_errors=True),

    # -- published PDFs that would take minutes or gigabytes ------------------------------------------
    Case("pdf: 300 pages sharing one content stream of 59 000 glyphs", raw("共享页.pdf", lambda t: pdfgen.shared_pdf(
        title_line() + pdfgen.glyphs(59_000), 300)), 2, ("F25",), ("反复引用",), command="audit"),
    Case("pdf: one page of 3 000 000 glyphs", raw("百万字.pdf", lambda t: pdfgen.shared_pdf(pdfgen.glyphs(3_000_000))), 2,
         ("F25",), ("第 1 页", "解压后超过 4 MB"), command="audit"),
    Case("pdf: a content stream inflating to 512 MB", raw("膨胀.pdf", lambda t: pdfgen.shared_pdf(
        b"", deflated=pdfgen.deflated_spaces(512 * 2**20))), 2, ("F25",), ("解压后超过 4 MB",), command="audit"),
    Case("pdf: a form of 2 000 glyphs drawn 2 000 times", raw("表单.pdf", lambda t: pdfgen.shared_pdf(
        title_line() + b"/X1 Do\n" * 2000, form=pdfgen.glyphs(2000))), 2, ("F25",), ("第 1 页", "反复引用"),
         command="audit"),
    Case("pdf: 150 000 rectangles end at the child's CPU limit", raw("方框.pdf", lambda t: pdfgen.shared_pdf(
        title_line() + b"".join(b"%d %d 5 5 re S\n" % (i % 500, i % 700) for i in range(150_000)))), 2, ("F25",),
         ("CPU 时间超过上限",), command="audit"),

    # -- published web pages that would take minutes --------------------------------------------------
    Case("html: 20 000 small tables", raw("多表.html", many_tables(20_000)), 2, ("F25",), ("标记",), command="audit"),
    Case("html: 150 small tables", raw("多表.html", many_tables(150)), 2, ("F25",), ("超过 100 个",), command="audit"),
    Case("html: 12 tables of 290 rows", raw("多行.html", many_tables(12, rows=290)), 2, ("F25",), ("超过 3000 行",),
         command="audit"),
    Case("html: 399 000 paragraphs of one letter", raw("多段.html", (f"<p>{TITLE}" + "<p>x" * 399_000).encode()), 2,
         ("F25",), ("标记",), command="audit"),

    # -- terminal output ---------------------------------------------------------------------------
    Case("output: 机关名称 and roster names with ESC and BEL, reviewed", escaped_unit, 1, (),
         ("未提交（1）：某县<U+001B>]0;标题<U+0007>财政局",), command="review", output_on_errors=True),
    Case("output: template --org with ESC and BEL, reviewed", escaped_template, 1, (), ("<U+001B>[31m<U+0007>",),
         command="review", output_on_errors=True),
    Case("output: render -o a name holding ESC", also(fill(), "-o", "{tmp}/报告\x1b[2J.docx"), 0, (),
         ("已生成：", "报告<U+001B>[2J.docx"), command="render"),

    # -- export and exchange JSON -------------------------------------------------------------------
    Case("export: 5 MB of 正文 would make JSON its reader refuses", also(fill(**flooded("政务公开")), "-o", "{tmp}/出.json"),
         2, ("O10",), ("超过 8 MB", "正文和注共有"), command="export"),
    Case("exchange: a total of 999 whose parts sum to 18", raw("交换.json", lambda tmp: _exchange_with(
        tmp, "request_new_total", "999")), 1, ("R24@表三!J6",), ("写的合计为 999", "各项之和为 18")),
]
