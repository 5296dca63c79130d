"""The bad-input corpus, continued: what issue 8 found on the workbook side (run with the rest of
``tests/bad_inputs.py`` by ``tests/test_bad_inputs.py``, through the real command line).

* **the wrong cell** — names swapped, moved by an Excel cut-and-paste, broken, pointing into another
  sheet or at another value's cell: never a silently wrong number;
* **bounded work** — far references in any XML spelling, limits per workbook (all sheets together,
  shared strings, styles, defined names, parts whose zip directory lies), FIFOs and devices;
* **clean output** — control and invisible characters shown escaped, error values (``#REF!``,
  ``#DIV/0!``) reported with the right advice, a placeholder written with doubled braces;
* **no false alarms** — binary noise of a formula's result, a count shown as a date, Strict OOXML.
"""
from __future__ import annotations

import os
import re
import struct
import zipfile
from pathlib import Path
from typing import Callable

from bad_inputs import RENDER_TO, Build, Case, also, cell_xml, edited, fill, filled, raw, rezip, zipped
from xlsx_tool.formats.geometry import a1

T2 = "二、主动公开政府信息情况"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


# -- builders: names ------------------------------------------------------------------------------
def swap_names(*pairs: tuple[str, str]) -> Callable:
    """Swap where pairs of defined names point (a program, or a clerk in 名称管理器)."""
    def change(wb) -> None:
        names = wb.defined_names
        for x, y in pairs:
            names[x].attr_text, names[y].attr_text = names[y].attr_text, names[x].attr_text
    return change


def point(name: str, target: str) -> Callable:
    """Make a defined name point at ``target`` (``'表二'!$B$5``, ``#REF!``)."""
    def change(wb) -> None:
        wb.defined_names[name].attr_text = target
    return change


def cut_paste(sheet: str, src: str, dst: str) -> Callable:
    """An Excel cut-and-paste of one cell onto another: the value moves, ``src`` is left empty, the
    name of ``src`` follows the value to ``dst`` and the name of ``dst`` becomes ``#REF!``."""
    def change(wb) -> None:
        ws = wb[sheet]
        ws[dst].value, ws[src].value = ws[src].value, None
        absolute = {_absolute(sheet, a): a for a in (src, dst)}
        for dn in wb.defined_names.values():
            cell = absolute.get(dn.attr_text)
            if cell == dst:
                dn.attr_text = "#REF!"
            elif cell == src:
                dn.attr_text = _absolute(sheet, dst)
    return change


def _absolute(sheet: str, ref: str) -> str:
    """``表二``, ``B6`` → ``'表二'!$B$6``, as the template writes names."""
    m = re.fullmatch(r"([A-Z]+)(\d+)", ref)
    return f"'{sheet}'!${m.group(1)}${m.group(2)}"


# -- builders: the package ------------------------------------------------------------------------
def repack(edit: Callable[[str, bytes], bytes | None] = lambda n, d: d, add: Callable[[], list] = list,
           fid: str = "2021", **overrides) -> Build:
    """Build: a filled workbook whose entries pass through ``edit`` and to which ``add()`` adds
    ``(name, bytes, stored)`` entries (stored: no compression, so that size limits, not the
    compression-ratio guard, are what a case meets)."""
    def build(tmp: Path) -> list:
        src = filled(tmp, fid, "原始.xlsx", **overrides)
        out = tmp / "填报.xlsx"
        with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
            added = {name: (data, stored) for name, data, stored in add()}
            for item in zin.infolist():
                if item.filename in added:
                    continue
                data = edit(item.filename, zin.read(item.filename))
                if data is not None:
                    zout.writestr(item, data)
            for name, (data, stored) in added.items():
                zout.writestr(name, data, zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED)
        src.unlink()
        return [str(out)]
    return build


def with_sheets(n: int, row: int, col: int, drop: str | None = None) -> Build:
    """Build: ``n`` more worksheets 附表1… each holding one number at 0-based ``(row, col)``;
    ``drop``: a sheet of the template removed from the sheet list."""
    ref = a1(row, col)
    sheet = (f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><sheetData>'
             f'<row r="{row + 1}"><c r="{ref}"><v>1</v></c></row></sheetData></worksheet>').encode()

    def edit(name: str, data: bytes) -> bytes:
        text = data.decode()
        if name == "xl/workbook.xml":
            if drop:
                text = re.sub(rf'<sheet name="{drop}"[^>]*/>', "", text)
            text = text.replace("</sheets>", "".join(
                f'<sheet name="附表{i}" sheetId="{100 + i}" r:id="rIdX{i}"/>' for i in range(1, n + 1)) + "</sheets>")
        elif name == "xl/_rels/workbook.xml.rels":
            text = text.replace("</Relationships>", "".join(
                f'<Relationship Id="rIdX{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                f'relationships/worksheet" Target="worksheets/extra{i}.xml"/>' for i in range(1, n + 1)) + "</Relationships>")
        elif name == "[Content_Types].xml":
            text = text.replace("</Types>", "".join(
                f'<Override PartName="/xl/worksheets/extra{i}.xml" ContentType="application/'
                'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' for i in range(1, n + 1)) + "</Types>")
        return text.encode()
    return repack(edit, lambda: [(f"xl/worksheets/extra{i}.xml", sheet, False) for i in range(1, n + 1)])


def far_cell_in(sheets: list[str], row: int, col: int) -> Build:
    """Build: one number at 0-based ``(row, col)`` in each of ``sheets`` of the template."""
    cell = f'<row r="{row + 1}"><c r="{a1(row, col)}"><v>1</v></c></row></sheetData>'
    return zipped({s: (lambda x: x.replace("</sheetData>", cell)) for s in sheets})


def shared_strings(size: int) -> bytes:
    """A shared-strings part of about ``size`` bytes (the template's strings first, then filler)."""
    return b"".join([f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}">'.encode(),
                     b"<si><t>" + b"x" * size + b"</t></si>", b"</sst>"])


def styles(n: int, compact: bool) -> bytes:
    xf = "<xf/>" if compact else '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    return (f'<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{MAIN}"><cellXfs count="{n}">'
            + xf * n + "</cellXfs></styleSheet>").encode()


def many_names(n: int) -> Callable[[str, bytes], bytes]:
    def edit(name: str, data: bytes) -> bytes:
        if name != "xl/workbook.xml":
            return data
        names = "".join(f"<definedName name=\"n{i}\">'表二'!$A$1</definedName>" for i in range(n))
        return data.replace(b"</definedNames>", names.encode() + b"</definedNames>")
    return edit


def lying_directory(part: str, inflated: int) -> Build:
    """Build: ``part`` inflates to ``inflated`` bytes while the zip directory says 1 KB (both the
    local header and the central directory are patched; the compression ratio looks harmless)."""
    inner = repack(lambda n, d: shared_strings(inflated) if n == part else d)

    def build(tmp: Path) -> list:
        path = Path(inner(tmp)[0])
        data = bytearray(path.read_bytes())
        with zipfile.ZipFile(path) as z:
            info = z.getinfo(part)
        struct.pack_into("<I", data, info.header_offset + 22, 1024)        # local header
        pos = data.find(b"PK\x01\x02")
        while pos != -1:
            n = struct.unpack_from("<H", data, pos + 28)[0]
            if data[pos + 46:pos + 46 + n].decode() == part:
                struct.pack_into("<I", data, pos + 24, 1024)                # central directory
                break
            pos = data.find(b"PK\x01\x02", pos + 4)
        path.write_bytes(bytes(data))
        return [str(path)]
    return build


def ods_with_content(size: int) -> bytes:
    """An .ods whose content.xml holds ``size`` bytes of text (stored: no compression ratio)."""
    import io

    ns = 'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
    content = f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns}><!--'.encode()
    content += b"x" * size + b"--></office:document-content>"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", content)
    return buf.getvalue()


def special(kind: str) -> Build:
    """Build: a FIFO, or a symlink to a device, named like a workbook."""
    def build(tmp: Path) -> list:
        path = tmp / {"fifo": "管道.xlsx", "zero": "零.xlsx", "urandom": "随机.xlsx"}[kind]
        if kind == "fifo":
            os.mkfifo(path)
        else:
            os.symlink(f"/dev/{kind}", path)
        return [str(path)]
    return build


def strict(build: Build) -> Build:
    """Build: the workbook of ``build`` saved as Strict Open XML (the namespaces and relationship
    types of ISO/IEC 29500 Strict, as Excel's "Strict Open XML 电子表格" writes them)."""
    pairs = [("http://schemas.openxmlformats.org/spreadsheetml/2006/main", "http://purl.oclc.org/ooxml/spreadsheetml/main"),
             ("http://schemas.openxmlformats.org/officeDocument/2006/relationships",
              "http://purl.oclc.org/ooxml/officeDocument/relationships"),
             ("http://schemas.openxmlformats.org/officeDocument/2006/custom-properties",
              "http://purl.oclc.org/ooxml/officeDocument/customProperties"),
             ("http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes",
              "http://purl.oclc.org/ooxml/officeDocument/docPropsVTypes"),
             ("http://schemas.openxmlformats.org/officeDocument/2006/extended-properties",
              "http://purl.oclc.org/ooxml/officeDocument/extendedProperties")]

    def wrapped(tmp: Path) -> list:
        src = Path(build(tmp)[0])
        plain = src.with_name("过渡.xlsx")
        src.rename(plain)

        def edit(name: str, data: bytes) -> bytes:
            if name.endswith((".xml", ".rels")) and name != "[Content_Types].xml":
                text = data.decode()
                for old, new in pairs:
                    text = text.replace(old, new)
                return text.replace("<workbook ", '<workbook conformance="strict" ', 1).encode()
            return data
        rezip(plain, src, edit)
        plain.unlink()
        return [str(src)]
    return wrapped


def number_format(sheet: str, a1_ref: str, fmt: str, epoch_1904: bool = False, **overrides) -> Build:
    def change(wb) -> None:
        wb[sheet][a1_ref].number_format = fmt
        if epoch_1904:
            from openpyxl.utils.datetime import MAC_EPOCH

            wb.epoch = MAC_EPOCH
    return edited(change, **overrides)


def error_cell(sheet: str, ref: str, formula: str, value: str, fid: str = "2021", **overrides) -> Build:
    """Build: cell ``ref`` holds a formula whose cached result is an error value."""
    def edit(xml: str) -> str:
        xml = cell_xml(ref, f"<f>{formula}</f><v>{value}</v>")(xml)
        return xml.replace(f'<c r="{ref}"', f'<c r="{ref}" t="e"', 1)
    return zipped({sheet: edit}, fid, **overrides)


NARRATIVE = ["本年度，本镇认真贯彻落实《中华人民共和国政府信息公开条例》。"]

CASES: list[Case] = [
    # -- the wrong cell: names against labels --------------------------------------------------------
    Case("two 表二 names swapped", edited(swap_names(("proactive_normative_issued", "proactive_normative_repealed")),
                                          proactive_normative_issued=5, proactive_normative_repealed=1),
         1, ("S10@表二!B6", "S10@表二!C6"),
         ("名称 proactive_normative_issued 指向 C6", "本项应在 B6", "“本年废止件数”而不是“本年制发件数”", "该数据未读取",
          "名称管理器")),
    Case("an Excel cut-and-paste onto the neighbouring cell", edited(cut_paste("表二", "B6", "C6"),
                                                                     proactive_normative_issued=5),
         1, ("S10@表二!B6", "S12@表二!C6"), ("#REF!", "名称 proactive_normative_issued 指向 C6",
                                              "本格的数字可能是从 B6 剪切粘贴过来的")),
    Case("表三 names swapped so that the columns still balance", edited(swap_names(
        ("request_new_natural", "request_carried_in_natural"))), 1, ("S10@表三!D6", "S10@表三!D7"),
         ("一、本年新收政府信息公开申请数量", "本项应在 D6")),
    Case("表三 names swapped in two groups of the same column", edited(swap_names(
        ("request_withheld_secret_business", "request_unable_no_info_business"))), 1,
         ("S10@表三!E10", "S10@表三!E18"), ("那里的标签是“1.本机关不掌握相关政府信息”而不是“1.属于国家秘密”", "本项应在 E10")),
    Case("表四 names swapped under the same column header", edited(swap_names(
        ("litigation_direct_upheld", "litigation_after_reconsideration_upheld"))), 1,
         ("S10@表四!F6", "S10@表四!K6"), ("“复议后起诉”而不是“未经复议直接起诉”",)),
    Case("a name pointing into another sheet", edited(point("request_new_natural", "'表二'!$B$5")), 1,
         ("S10@表三!D6",), ("指向工作表“表二”的 B5", "不在本表")),
    Case("two names pointing at one cell", edited(point("proactive_rules_repealed", "'表二'!$B$5")), 1,
         ("S10@表二!C5",), ("指向 B5", "B5 是“第二十条第（一）项 › 规章 › 本年制发件数”的位置")),
    Case("a broken name alone, labels verified", edited(point("reconsideration_pending", "#REF!")), 0,
         ("S11@表四!D6",), ("#REF!", "行列标签核对无误", "检查通过")),
    Case("a 基本信息 name moved to another row", edited(point("org_name", "'基本信息'!$B$11")), 1,
         ("S10@基本信息!B4",), ("名称 org_name 指向 B11",)),

    # -- bounded work ------------------------------------------------------------------------------
    Case("a far cell written with single quotes", zipped({"表三": lambda x: x.replace(
        "</sheetData>", "<row r='1048576'><c r='XFD1048576'><v>1</v></c></row></sheetData>")}),
         2, ("F06@表三!XFD1048576",), ("远超表格范围",)),
    Case("a far cell written with spaces around =", zipped({"表四": lambda x: x.replace(
        "</sheetData>", '<row r = "900000" ><c r = "ZZ900000" ><v>1</v></c></row></sheetData>')}),
         2, ("F06@表四!ZZ900000",), ("远超表格范围",)),
    Case("cells without r in a far row", zipped({"表二": lambda x: x.replace(
        "</sheetData>", '<row r="1048576"><c><v>1</v></c><c><v>2</v></c></row></sheetData>')}),
         2, ("F06@表二!A1048576",), ("1048576 行",)),
    Case("rows without r counted on", zipped({"表二": lambda x: x.replace(
        "</sheetData>", '<row r="1000000"/>' + "<row><c><v>1</v></c></row>" * 3 + "</sheetData>")}),
         2, ("F06@表二!A1000001",), ("远超表格范围",)),
    Case("40 extra sheets, each with one far cell (never needed, never parsed)", with_sheets(40, 29_999, 29), 0,
         (), ("检查通过",)),
    Case("40 extra sheets with far cells, 基本信息 gone: one budget per workbook",
         with_sheets(40, 29_999, 29, drop="基本信息"), 2, ("F06@附表2!AD30000",), ("远超表格范围",)),
    Case("far cells on every table sheet add up", far_cell_in(["表二", "表三", "表四"], 1_999, 399), 2,
         ("F06@表三!" + a1(1_999, 399),), ("2000 行 × 400 列",)),
    Case("a 40 MB shared-strings part", repack(add=lambda: [("xl/sharedStrings.xml", shared_strings(40 * 2**20), True)]),
         2, ("F06",), ("共享字符串表", "超过 8 MB")),
    Case("a shared-strings part whose zip directory lies", lying_directory("xl/sharedStrings.xml", 30 * 2**20), 2,
         ("F06",), ("共享字符串表", "超过 8 MB")),
    Case("200 000 cell styles", repack(add=lambda: [("xl/styles.xml", styles(200_000, False), True)]), 2, ("F06",),
         ("样式表", "超过 4 MB")),
    Case("200 000 compact cell styles", repack(add=lambda: [("xl/styles.xml", styles(200_000, True), True)]), 2,
         ("F06",), ("200000 种单元格格式",)),
    Case("100 000 defined names", repack(lambda n, d: d if n != "xl/workbook.xml" else many_names(100_000)(n, d)),
         2, ("F06",), ("工作簿结构", "超过 2 MB")),
    Case("20 000 defined names", repack(many_names(20_000)), 2, ("F06",), ("名称超过 10000 个",)),
    Case("an .ods whose content is 9 MB", raw("大.ods", lambda tmp: ods_with_content(9 * 2**20)), 2, ("F06",),
         ("表格内容（content.xml）解压后超过 8 MB",)),
    Case("a FIFO named like a workbook", special("fifo"), 2, ("F14",), ("命名管道", "不是普通文件")),
    Case("a symlink to /dev/zero", special("zero"), 2, ("F14",), ("字符设备",)),
    Case("a symlink to /dev/urandom", special("urandom"), 2, ("F14",), ("字符设备",)),

    # -- clean output ------------------------------------------------------------------------------
    Case("an ESC sequence typed into a count", fill(request_new_natural="\x1b[2J\x1b[31m无"), 1, ("V02@表三!D6",),
         ("<U+001B>[2J<U+001B>[31m无",)),
    Case("a BEL and a bidi override in 机关名称", fill(org_name="某某镇\x07人民政府\u202e"), 0, ("V14@基本信息!B4",),
         ("某某镇<U+0007>人民政府<U+202E>", "检查通过")),
    Case("a bidi override in a note", fill(note_request="注：\u202e本表"), 0, ("V14@表三!A36",),
         ("内容为“注：<U+202E>本表”",)),
    Case("a bidi override in a count, as --json", fill("2021", "--json", request_new_natural="\u202e无"), 1,
         ("V02@表三!D6",), ('"message": "填写的是“\\u202e无”"',)),
    Case("a zero-width space in a number", fill(request_new_natural="3\u200b"), 0, ("V05@表三!D6", "S06@表三!J6"),
         ("3<U+200B>", "已按 3 读取")),
    Case("a BOM and a zero-width space in 正文", fill(narrative_overview=["\ufeff本年度\u200b政府信息公开工作稳步推进。"]), 0,
         ("N06@正文!B5",), ("<U+FEFF>本年度<U+200B>政府信息公开工作稳步推进。",)),
    Case("正文 cell showing #REF!", error_cell("正文", "B5", "#REF!", "#REF!", narrative_overview=NARRATIVE), 1,
         ("N04@正文!B5", "N08@正文!B5"), ("#REF!", "该段不会出现在报告中")),   # its only paragraph: 一 is empty
    Case("正文 cell showing #N/A", error_cell("正文", "B6", "VLOOKUP(1,A1:A2,2,0)", "#N/A",
                                              narrative_overview=NARRATIVE * 2), 1, ("N04@正文!B6",), ("#N/A",)),
    Case("an input showing #DIV/0!", error_cell("表三", "D6", "1/0", "#DIV/0!"), 1, ("V12@表三!D6",),
         ("#DIV/0!", "公式 =1/0", "除以 0")),
    Case("a total showing #REF!", error_cell("表三", "J6", "SUM(#REF!)", "#REF!"), 0, ("S06@表三!J6",),
         ("错误值 #REF!", "各项之和为 18")),
    Case("a placeholder with doubled braces", fill(narrative_overview=["本年新收申请{{表三.本年新收.总计}}件。"]), 0,
         ("N05@正文!B5",), ("{{{{表三.本年新收.总计}}}}", "应写作“{{表三.本年新收.总计}}”", "替换为 18")),
    Case("render: doubled braces print the number", also(fill(narrative_overview=["本年新收申请{{表三.本年新收.总计}}件。"]),
                                                         *RENDER_TO), 0, (), ("已生成",), command="render",
         expect_in_docx=("本年新收申请18件。",)),

    # -- no false alarms ---------------------------------------------------------------------------
    Case("money =1.1*3 (stored 3.3000000000000003)", zipped({"表二": cell_xml("B16", "<f>1.1*3</f><v>3.3000000000000003</v>")}),
         0, ("V08@表二!B16",), ("计算结果为 3.3", "检查通过")),
    Case("money typed with binary noise", zipped({"表二": cell_xml("B16", "<v>0.30000000000000004</v>")}), 0, (),
         ("检查通过",)),
    Case("money typed with 7 decimals is still an error", zipped({"表二": cell_xml("B16", "<v>0.1234567</v>")}), 1,
         ("V06@表二!B16",), ("7 位小数",)),
    Case("a count shown as a date", number_format("表三", "D6", "yyyy-mm-dd"), 0, ("V13@表三!D6",),
         ("显示为“1900-01-03”", "已按数值 3 读取", "检查通过")),
    Case("a count shown as a date, 1904 system", number_format("表四", "A6", "yyyy/m/d", epoch_1904=True), 0,
         ("V13@表四!A6",), ("已按数值 4 读取",)),
    Case("a count shown as a time", number_format("表二", "B5", "h:mm"), 0, ("V13@表二!B5",), ("已按数值 4 读取",)),
    Case("a Strict Open XML workbook", strict(fill()), 0, (), ("检查通过：未发现错误（0 个提示）",)),
    Case("a Strict Open XML workbook with a total typed over", strict(edited(lambda wb: wb["表三"].__setitem__("J6", 99))),
         1, ("S04@表三!J6",), ("合计格中填写的是 99",)),
]
