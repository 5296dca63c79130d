"""The corpus of bad and hostile inputs (issue #4), as data.

Each :class:`Case` is one thing a clerk (or an attacker) can hand the tool, built by code into a
fresh folder, and the exact outcome a user must see when running the real command line:

* ``build(tmp) -> args`` writes the input files into ``tmp`` and returns the arguments that follow
  the sub-command (``check``/``render``/``template``);
* ``expect_exit`` — 0 ok, 1 错误 found, 2 unusable input or output;
* ``expect_codes`` — EVERY finding printed, as ``"V02@表三!D6"`` (code, sheet, cell), ``"S01@表三"``
  (code, sheet) or ``"F01"`` (code only: any location); compared as a multiset;
* ``expect_in_message`` — text the output must contain (labels, the file, how to fix it);
  ``{file}`` stands for the first argument, ``{out}`` for the value after ``-o``;
* ``env``/``encoding`` — the console's environment and how its output must decode (strictly);
* ``expect_in_docx`` — paragraphs of the report written by a successful ``render``.

The builders below (:func:`fill`, :func:`edited`, :func:`xml`, :func:`raw` …) generate every file;
nothing is stored.  ``tests/test_bad_inputs.py`` runs each case in a subprocess and also checks what
holds for all of them: no traceback, the input files untouched, nothing half-written, and for the
file cases an answer in under 2 s and 200 MB.
"""
from __future__ import annotations

import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Callable

import fills
from xlsx_tool.formats import model
from xlsx_tool.workbook.template import write_template

Build = Callable[[Path], list]

#: the report year each format's fills use
YEAR = fills.YEAR
#: what a fix must mention, per family of codes
FIX = "处理："


@dataclass(frozen=True)
class Case:
    name: str
    build: Build
    expect_exit: int
    expect_codes: tuple = ()
    expect_in_message: tuple = ()
    command: str = "check"
    env: dict = field(default_factory=dict)
    #: how the console output is decoded (strictly): utf-8, gbk, ascii
    encoding: str = "utf-8"
    #: paragraphs the Word report written to ``-o`` must contain (render cases that succeed)
    expect_in_docx: tuple = ()
    #: exit 1 still writes the output (review, combine, export: the findings are the result)
    output_on_errors: bool = False

    @property
    def id(self) -> str:
        return self.name


# -- builders -------------------------------------------------------------------------------------
def balanced(fid: str) -> dict:
    """A complete, correct fill of format ``fid`` (every cross-check holds)."""
    out = fills.balanced(fid)
    out.update(fills.narrative())
    out["narrative_overview"] = ["本年度，本镇认真贯彻落实《中华人民共和国政府信息公开条例》。"]
    return out


def filled(tmp: Path, fid: str = "2021", name: str = "填报.xlsx", report_year: int | None = None,
           **overrides) -> Path:
    """The balanced fill with ``overrides`` (field id → value, ``None`` = blank) written by the
    tool; ``report_year`` is the template's year, ``year=`` overrides what 基本信息 says."""
    prefill = balanced(fid)
    prefill.update(overrides)
    return write_template(tmp / name, fid, year=report_year or YEAR[fid], prefill=prefill)


def fill(fid: str = "2021", *extra: str, name: str = "填报.xlsx", report_year: int | None = None,
         **overrides) -> Build:
    """Build: a filled workbook; ``extra`` arguments follow it (``{tmp}`` = the folder)."""
    def build(tmp: Path) -> list:
        path = filled(tmp, fid, name, report_year, **overrides)
        return [str(path)] + [a.format(tmp=tmp) for a in extra]
    return build


def edited(change: Callable, fid: str = "2021", *extra: str, **overrides) -> Build:
    """Build: a filled workbook changed with openpyxl (``change(wb)``), as a clerk's program would."""
    import openpyxl

    def build(tmp: Path) -> list:
        src = filled(tmp, fid, "原始.xlsx", **overrides)
        wb = openpyxl.load_workbook(src)
        change(wb)
        out = tmp / "填报.xlsx"
        wb.save(out)
        src.unlink()
        return [str(out)] + [a.format(tmp=tmp) for a in extra]
    return build


def sheet_part(names: list, sheet: str) -> str:
    return f"xl/worksheets/sheet{names.index(sheet) + 1}.xml"


def rezip(src: Path, out: Path, edit: Callable[[str, bytes], object]) -> Path:
    """Copy a zip, passing each entry through ``edit(name, data)``: new bytes, ``None`` (drop the
    entry) or an iterator of byte chunks (streamed: a million rows never sit in memory)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = edit(item.filename, zin.read(item.filename))
            if isinstance(data, bytes):
                zout.writestr(item, data)
            elif data is not None:
                info = zipfile.ZipInfo(item.filename, item.date_time)
                info.compress_type = zipfile.ZIP_DEFLATED
                with zout.open(info, "w", force_zip64=True) as f:
                    for chunk in data:
                        f.write(chunk)
    return out


def zipped(edit_sheet: dict, fid: str = "2021", **overrides) -> Build:
    """Build: a filled workbook whose parts are rewritten at the XML level: ``{sheet name or part
    name: fn(xml text) -> xml text}`` — for what openpyxl cannot write."""
    def build(tmp: Path) -> list:
        src = filled(tmp, fid, "原始.xlsx", **overrides)
        with zipfile.ZipFile(src) as z:
            names = re.findall(r'<sheet name="([^"]+)"', z.read("xl/workbook.xml").decode())
        parts = {(sheet_part(names, k) if k in names else k): fn for k, fn in edit_sheet.items()}

        def edit(name: str, data: bytes):
            if name not in parts:
                return data
            new = parts[name](data.decode())
            return new.encode() if isinstance(new, str) else (chunk.encode() for chunk in new)
        out = rezip(src, tmp / "填报.xlsx", edit)
        src.unlink()
        return [str(out)]
    return build


def cell_xml(a1: str, inner: str) -> Callable[[str], str]:
    """Sheet XML edit: cell ``a1`` holds ``inner`` (e.g. ``<f>1+2</f><v>3</v>``), style kept."""
    def edit(xml: str) -> str:
        m = re.search(rf'<c r="{a1}"([^>]*?)(/>|>.*?</c>)', xml)
        attrs = re.sub(r'\s+t="[^"]*"', "", m.group(1))
        return xml[:m.start()] + f'<c r="{a1}"{attrs}>{inner}</c>' + xml[m.end():]
    return edit


def append_rows(rows: str) -> Callable[[str], str]:
    """Sheet XML edit: ``rows`` (``<row>`` elements) added after the last row."""
    return lambda xml: xml.replace("</sheetData>", rows + "</sheetData>")


def junk_rows(n: int, first: int = 100) -> Callable[[str], object]:
    """Sheet XML edit: ``n`` rows of numbers pasted below the table (rows ``first`` …), streamed."""
    def edit(xml: str):
        head, tail = xml.split("</sheetData>")
        yield head
        for start in range(first, first + n, 10_000):
            yield "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c><c r="B{r}"><v>1</v></c></row>'
                          for r in range(start, min(start + 10_000, first + n)))
        yield "</sheetData>" + tail
    return edit


LAUGHS = ('<!DOCTYPE lolz [<!ENTITY lol "lol">'
          + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
                    for i in range(1, 10)) + "]>")


def billion_laughs(use: Callable[[str], str]) -> Callable[[str], str]:
    """XML edit: declare the "billion laughs" entities after the XML declaration, then ``use``."""
    return lambda xml: use(re.sub(r"^(<\?xml[^>]*\?>)", lambda m: m.group(1) + LAUGHS, xml))


def raw(name: str, content: bytes | Callable[[Path], bytes]) -> Build:
    """Build: a file holding ``content`` (bytes, or made from the folder)."""
    def build(tmp: Path) -> list:
        path = tmp / name
        path.write_bytes(content(tmp) if callable(content) else content)
        return [str(path)]
    return build


def sparse(name: str, head: bytes, size: int) -> Build:
    """Build: a file of ``size`` bytes starting with ``head`` (sparse: made in no time)."""
    def build(tmp: Path) -> list:
        path = tmp / name
        path.write_bytes(head)
        with open(path, "r+b") as f:
            f.truncate(size)
        return [str(path)]
    return build


def docx_bytes(*paragraphs) -> bytes:
    """A Word document; a paragraph given as a tuple is written as several runs."""
    from docx import Document

    doc = Document()
    for para in paragraphs:
        p = doc.add_paragraph()
        for run in (para if isinstance(para, tuple) else (para,)):
            p.add_run(run)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def encrypted(tmp: Path) -> bytes:
    """A filled workbook with an open password, encrypted as Excel does (msoffcrypto-tool)."""
    from msoffcrypto.format.ooxml import OOXMLFile

    src = filled(tmp, name="明文.xlsx")
    out = io.BytesIO()
    with open(src, "rb") as f:
        OOXMLFile(f).encrypt("密码123", out)
    src.unlink()
    return out.getvalue()


def zip_of(entries: Callable[[], list]) -> Callable[[Path], bytes]:
    """Zip content from ``[(name, data), …]``, deflated."""
    def make(tmp: Path) -> bytes:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            for name, data in entries():
                z.writestr(name, data)
        return buf.getvalue()
    return make


def ods_bomb(tmp: Path) -> bytes:
    """An .ods whose 表三 holds one cell repeated 3000 × 3000 times (calamine expands repetitions)."""
    ns = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"')
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns} office:version="1.2">'
               '<office:body><office:spreadsheet><table:table table:name="表三">'
               '<table:table-row table:number-rows-repeated="3000"><table:table-cell office:value-type="float" '
               'office:value="1" table:number-columns-repeated="3000"><text:p>1</text:p></table:table-cell>'
               '</table:table-row></table:table></office:spreadsheet></office:body></office:document-content>')
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def truncated(tmp: Path) -> bytes:
    data = filled(tmp, name="完整.xlsx").read_bytes()
    return data[: len(data) * 6 // 10]


def corrupt_entry(tmp: Path) -> bytes:
    """A workbook whose 表三 entry has its compressed bytes scrambled (the zip directory is intact)."""
    src = filled(tmp, name="完整.xlsx")
    data = bytearray(src.read_bytes())
    with zipfile.ZipFile(src) as z:
        info = z.getinfo("xl/worksheets/sheet5.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for i in range(start + 40, start + info.compress_size - 40, 7):
        data[i] ^= 0x5A
    return bytes(data)


def excel_rows(wb, sheet: str, at: int, n: int) -> None:
    """Insert (``n`` > 0) or delete (``n`` < 0) rows at 1-based row ``at`` as Excel does: the cells
    move, and so do the defined names and merged ranges (a name inside deleted rows → ``#REF!``; a
    merged range grows or shrinks with the rows inside it and keeps its text)."""
    ws = wb[sheet]
    ws.protection.sheet = False
    gone = range(at, at - n) if n < 0 else range(0)
    merged = []
    for rng in list(ws.merged_cells.ranges):
        r1, c1, r2, c2 = rng.min_row, rng.min_col, rng.max_row, rng.max_col
        text = ws.cell(r1, c1).value
        ws.unmerge_cells(rng.coord)
        if n > 0:
            r1, r2 = (r1 + n, r2 + n) if r1 >= at else (r1, r2 + n if r2 >= at else r2)
        else:
            inside = max(0, min(r2, at - n - 1) - max(r1, at) + 1)
            r1, r2 = (r1 + n, r2 + n) if r1 >= at - n else (min(r1, at), r2 - inside)
        if r2 >= r1:
            merged.append((r1, c1, r2, c2, text))
    if n > 0:
        ws.insert_rows(at, n)
    else:
        ws.delete_rows(at, -n)
    for r1, c1, r2, c2, text in merged:
        ws.cell(r1, c1).value = text
        if (r1, c1) != (r2, c2):
            ws.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)
    for dn in list(wb.defined_names.values()):
        m = re.fullmatch(r"('?)(.+?)\1!\$([A-Z]+)\$(\d+)(?::\$([A-Z]+)\$(\d+))?", dn.attr_text or "")
        if not m or m.group(2) != sheet:
            continue
        r1, r2 = int(m.group(4)), int(m.group(6) or m.group(4))
        if r1 in gone or r2 in gone:
            dn.attr_text = f"{m.group(1)}{sheet}{m.group(1)}!#REF!"
            continue
        r1, r2 = (r + n if r >= at else r for r in (r1, r2))
        ref = f"${m.group(3)}${r1}" + (f":${m.group(5)}${r2}" if m.group(5) else "")
        dn.attr_text = f"{m.group(1)}{sheet}{m.group(1)}!{ref}"


def rename_sheet(wb, old: str, new: str) -> None:
    """Rename a sheet as Excel does: the defined names follow it."""
    wb[old].title = new
    for dn in wb.defined_names.values():
        m = re.fullmatch(r"('?)(.+?)\1!(.*)", dn.attr_text or "")
        if m and m.group(2) == old:
            dn.attr_text = f"'{new}'!{m.group(3)}"


def set_cell(sheet: str, a1: str, value) -> Callable:
    return lambda wb: wb[sheet].__setitem__(a1, value)


def remove_names(wb) -> None:
    for name in list(wb.defined_names):
        del wb.defined_names[name]


def also(build: Build, *extra: str, before: Callable[[Path], None] | None = None) -> Build:
    """Build: ``build`` plus arguments (``{tmp}`` = the folder); ``before(tmp)`` prepares files."""
    def wrapped(tmp: Path) -> list:
        if before:
            before(tmp)
        return build(tmp) + [a.format(tmp=tmp) for a in extra]
    return wrapped


def folder(*builders: Build) -> Build:
    """Build: a folder 各单位 holding the files of ``builders``; its path is the argument."""
    def build(tmp: Path) -> list:
        units = tmp / "各单位"
        units.mkdir()
        for b in builders:
            b(units)
        return [str(units)]
    return build


def existing(name: str, content: bytes = b"old report") -> Callable[[Path], None]:
    return lambda tmp: (tmp / name).write_bytes(content)


def template(*paragraphs) -> Callable[[Path], None]:
    """Prepare a custom Word template ``自定义 模板.docx`` in the folder."""
    return lambda tmp: (tmp / "自定义 模板.docx").write_bytes(docx_bytes(*paragraphs))


def unwritable_folder(tmp: Path) -> str:
    """A folder this process cannot write into: a read-only one, or ``/proc`` for root (root
    ignores permission bits)."""
    import os

    if os.geteuid() == 0:
        return "/proc"
    folder = tmp / "只读"
    folder.mkdir()
    folder.chmod(0o555)
    return str(folder)


def render_into_unwritable(tmp: Path) -> list:
    return [str(filled(tmp)), "-o", unwritable_folder(tmp) + "/报告.docx"]


# -- the corpus -----------------------------------------------------------------------------------
T3 = "三、收到和处理政府信息公开申请情况"
NEW = "一、本年新收政府信息公开申请数量"
RENDER_TO = ("-o", "{tmp}/报告.docx")
CUSTOM = ("--template", "{tmp}/自定义 模板.docx")

CASES: list[Case] = [
    # -- values: what a clerk types into an input cell --------------------------------------------
    Case("text 无 in a count", fill(request_new_natural="无"), 1, ("V02@表三!D6",),
         ("{file}", T3, NEW, "自然人", "“无”", "不是数字", "没有数据请填 0")),
    Case("a dash in a count", fill(request_new_business="—"), 1, ("V02@表三!E6",), ("“—”", "商业企业")),
    Case("abc in 表四", fill(reconsideration_upheld="abc"), 1, ("V02@表四!A6",), ("行政复议", "结果维持", "“abc”")),
    Case("a negative count", fill(litigation_direct_other=-3), 1, ("V03@表四!H6",),
         ("不能为负数", "未经复议直接起诉", "其他结果", "-3")),
    Case("a negative count with a Unicode minus", fill(reconsideration_other="−3"), 1, ("V03@表四!C6",), ("不能为负数",)),
    Case("a decimal count", fill(proactive_rules_issued=2.5), 1, ("V04@表二!B5",), ("应为整数", "规章", "本年制发件数", "2.5")),
    Case("a formula typed into an input, with its result", zipped({"表三": cell_xml("D6", "<f>1+2</f><v>3</v>")}),
         0, ("V08@表三!D6",), ("公式 =1+2 的计算结果为 3", "检查通过")),
    Case("a formula typed into an input, never calculated", edited(set_cell("表三", "D6", "=1+2")),
         1, ("V09@表三!D6",), ("没有保存计算结果", "打开并保存一次")),
    Case("full-width digits", fill(request_new_natural="３"), 0, ("V05@表三!D6", "S06@表三!J6"),
         ("原内容为“３”，已按 3 读取", "文本格式的数字不计入表格软件的求和")),
    Case("thousands separators", fill(proactive_licensing_decisions="1,234"), 0, ("V05@表二!B9",), ("已按 1234 读取",)),
    Case("a number stored as text", fill(proactive_penalty_decisions="4"), 0, ("V05@表二!B12",), ("原内容为“4”",)),
    Case("a number between ideographic spaces", fill(proactive_compulsion_decisions="\u3000４\u3000"), 0,
         ("V05@表二!B13",), ("已按 4 读取",)),
    Case("an absurdly large number", fill(proactive_rules_in_force=1e12), 1, ("V07@表二!D5",), ("数值过大", "999,999,999")),
    Case("money with 7 decimals", fill(proactive_fees_amount=Decimal("1.2345678")), 1, ("V06@表二!B16",),
         ("7 位小数", "本年收费金额（单位：万元）", "最多保留 6 位小数")),
    Case("a blank cell", fill(request_carried_in_natural=None), 1, ("V01@表三!D7", "X01@表三!D6"),
         ("未填写", "二、上年结转政府信息公开申请数量", "没有数据请填 0", "其中 1 个单元格未填写，按 0 计算")),
    Case("a blank cell read as 0", fill("2021", "--blank-as-zero", request_withheld_secret_natural=None), 0,
         ("V10",), ("表三!D10", "--blank-as-zero")),
    Case("a blank cell that matters, read as 0", fill("2021", "--blank-as-zero", request_new_natural=None), 1,
         ("V10", "X01@表三!D6"), ("左边比右边少 3", "一、本年新收 + 二、上年结转 = 三（七）总计 + 四、结转下年度继续办理")),
    Case("TRUE typed into a count", edited(set_cell("表四", "B6", True)), 1, ("V02@表四!B6",), ("“TRUE”",)),
    Case("2019 本年增/减 written +5", fill("2019", proactive_licensing_change="+5"), 0, ("V05@表二!C9",), ("已按 5 读取",)),
    Case("2019 本年增/减 written -8", fill("2019", proactive_penalty_change="-8"), 0, ("V05@表二!C13",), ("已按 -8 读取",)),
    Case("2019 本年增/减 as the number -8", fill("2019", proactive_compulsion_change=-8), 0, (), ("检查通过",)),
    Case("an unbalanced column", fill(request_carried_out_business=2), 1, ("X01@表三!E6",),
         ("商业企业", "左边", "右边", "左边比右边少 1", "请核对等式两边")),
    Case("a year written in words", fill(year="二〇二四"), 1, ("I02@基本信息!B5",), ("应为四位年份",)),

    # -- structure: the workbook was changed ---------------------------------------------------------
    Case("a row inserted in 表三 (unprotected, as Excel does)", edited(lambda wb: excel_rows(wb, "表三", 12, 1)),
         0, (), ("检查通过",)),
    Case("a row deleted in 表三 (unprotected, as Excel does)", edited(lambda wb: excel_rows(wb, "表三", 10, -1)),
         1, ("S03@表三!C10",), ("此处应为“1.属于国家秘密”，实际为“2.其他法律行政法规禁止公开”", "因此未读取", "恢复原样")),
    Case("a total overwritten with a wrong constant", edited(set_cell("表三", "J6", 99)), 1, ("S04@表三!J6",),
         ("合计格中填写的是 99，各项之和为 18", "X02", "不要手工填写")),
    Case("a total overwritten with the right constant", edited(set_cell("表四", "E6", 16)), 0, ("S05@表四!E6",),
         ("与各项之和一致", "建议恢复公式")),
    Case("an official row label edited", edited(set_cell("表三", "A6", "一、本年新收申请")), 1, ("S03@表三!A6",),
         ("此处应为“一、本年新收政府信息公开申请数量”，实际为“一、本年新收申请”",)),
    Case("an official column label edited", edited(set_cell("表四", "A4", "维持")), 1, ("S03@表四!A4",),
         ("此处应为“结果维持”", "A6 因此未读取")),
    Case("a sheet renamed", edited(lambda wb: rename_sheet(wb, "表三", "表3")), 1, ("S01@表三",),
         ("找不到工作表“表三”", "可能被改名为“表3”", "恢复原工作表名称")),
    Case("a sheet deleted", edited(lambda wb: wb.remove(wb["表四"])), 1, ("S01@表四",),
         ("找不到工作表“表四”", "现有工作表")),
    Case("sheets moved", edited(lambda wb: wb.move_sheet("表四", offset=-3)), 0, (), ("检查通过",)),
    Case("the defined names removed", edited(remove_names), 0,
         ("S02@基本信息", "S02@正文", "S02@表二", "S02@表三", "S02@表四"), ("名称缺失或失效，行列标签核对无误",)),
    Case("our 2019 template used for a 2024 report", fill("2019", report_year=2024), 1, ("S07@基本信息!B5",),
         ("本模板为 2019", "填写的是 2024", "用正确的报告年度重新生成模板")),
    Case("基本信息 says another year than the template's format", fill("2021", year="2019"), 1, ("S07@基本信息!B5",),
         ("2021 年度起", "填写的是 2019")),
    Case("a workbook not made by this tool", raw("别人的表.xlsx", lambda tmp: _foreign_workbook()), 2, ("F05",),
         ("这不是本工具生成的模板", "{file}", "xlsx-tool template")),
    Case("the format marker edited", edited(set_cell("基本信息", "B15", "2030")), 2, ("F08",),
         ("“年报格式”为“2030”", "2019、2021")),

    # -- files -----------------------------------------------------------------------------------------
    Case("a missing path", lambda tmp: [str(tmp / "没有 这个文件.xlsx")], 2, ("F01",), ("文件不存在", "{file}", "路径")),
    Case("a directory", lambda tmp: [str(tmp)], 2, ("F02",), ("文件夹", "{file}")),
    Case("an empty file", raw("空.xlsx", b""), 2, ("F03",), ("文件为空（0 字节）", "{file}")),
    Case("a CSV renamed .xlsx", raw("数据.xlsx", "项目,数值\n本年新收,3\n".encode("gbk")), 2, ("F03",),
         ("可能是 CSV",)),
    Case("a Word document renamed .xlsx", raw("报告.xlsx", lambda tmp: docx_bytes("年度报告")), 2, ("F03",),
         ("这是Word 文档，不是电子表格",)),
    Case("a CSV file", raw("数据.csv", b"a,b\n1,2\n"), 2, ("F07",), ("扩展名为“.csv”", ".xlsx")),
    Case("a password-encrypted workbook", raw("加密.xlsx", encrypted), 2, ("F04",), ("打开密码", "{file}")),
    Case("a truncated zip", raw("截断.xlsx", truncated), 2, ("F03",), ("压缩结构已损坏",)),
    Case("a zip entry with scrambled bytes", raw("损坏.xlsx", corrupt_entry), 2, ("F03",), ("{file}",)),
    Case("a 300 MB file", sparse("巨大.xlsx", b"PK\x03\x04", 300 * 2**20), 2, ("F06",), ("文件有 300 MB",)),
    Case("a zip bomb: compression ratio", raw("炸弹.xlsx", zip_of(lambda: [
        ("xl/workbook.xml", "<workbook/>"), ("xl/worksheets/sheet1.xml", b"\0" * (64 * 2**20))])), 2,
         ("F06",), ("压缩比超过 100:1",)),
    Case("a zip bomb: total size", raw("炸弹.xlsx", zip_of(lambda: [("xl/workbook.xml", "<workbook/>")] + [
        (f"xl/media/image{i}.bin", b"\0" * 2**20) for i in range(101)])), 2, ("F06",), ("解压后共 101 MB",)),
    Case("a zip bomb: entry count", raw("炸弹.xlsx", zip_of(lambda: [("xl/workbook.xml", "<workbook/>")] + [
        (f"xl/x/{i}.xml", b"") for i in range(10_001)])), 2, ("F06",), ("10002 个文件",)),
    Case("billion laughs in workbook.xml", zipped({"xl/workbook.xml": billion_laughs(
        lambda x: x.replace('name="表四"', 'name="表四&lol9;"'))}), 2, ("F06",), ("xl/workbook.xml", "实体声明")),
    Case("billion laughs in a sheet", zipped({"表三": billion_laughs(append_rows(
        '<row r="60"><c r="A60" t="inlineStr"><is><t>&lol9;</t></is></c></row>'))}), 2, ("F06",),
         ("xl/worksheets/sheet5.xml", "实体声明")),
    Case("an external entity in the shared strings", zipped({"xl/sharedStrings.xml": lambda x: x.replace(
        "?>", '?><!DOCTYPE sst [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>', 1).replace("<t>", "<t>&xxe;", 1)}),
         2, ("F06",), ("xl/sharedStrings.xml",)),
    Case("a million junk rows in 表三", zipped({"表三": junk_rows(1_000_000)}), 2, ("F06@表三",),
         ("工作表“表三”解压后有", "请删除表格以外多余的行和列")),
    Case("one cell at XFD1048576 in 表三", zipped({"表三": append_rows(
        '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>')}), 2, ("F06@表三!XFD1048576",),
         ("远超表格范围",)),
    Case("an .ods repeating one value over 3000 × 3000 cells", raw("重复.ods", ods_bomb), 2, ("F06@表三",),
         ("3000 行 × 3000 列", "远超表格范围")),
    Case("junk below the table, within reason", zipped({"表三": junk_rows(2000)}), 0, ("S09@表三!A100",),
         ("表格范围（A1:K36）外有 4000 个单元格有内容（A100、B100、A101", "不会读入报告", "检查通过")),
    Case("a number typed beside 表四", edited(set_cell("表四", "Q6", 5)), 0, ("S09@表四!Q6",),
         ("表格范围（A1:O12）外有 1 个单元格有内容（Q6）",)),
    Case("junk below a table with a row inserted", edited(lambda wb: (excel_rows(wb, "表三", 12, 1),
                                                                    set_cell("表三", "A40", "备注")(wb))),
         0, ("S09@表三!A40",), ("表格范围（A1:K37）外",)),

    # -- output ------------------------------------------------------------------------------------------
    Case("render: the output exists", also(fill(), *RENDER_TO, before=existing("报告.docx")), 2, ("O01",),
         ("输出文件已存在", "{out}", "--force"), command="render"),
    Case("render: the output exists, --force", also(fill(), *RENDER_TO, "--force", before=existing("报告.docx")),
         0, (), ("已生成：{out}",), command="render"),
    Case("render: the output folder is missing", also(fill(), "-o", "{tmp}/没有的文件夹/报告.docx"), 2, ("O02",),
         ("输出文件夹不存在", "没有的文件夹"), command="render"),
    Case("render: the output folder is not writable", render_into_unwritable, 2, ("O03",),
         ("输出文件夹不可写",), command="render"),
    Case("render: the output is a folder", also(fill(), "-o", "{tmp}"), 2, ("O05",),
         ("输出路径是一个文件夹", "写上输出文件名"), command="render"),
    Case("render: the output is the input", also(fill(), "-o", "{tmp}/填报.xlsx", "--force"), 2, ("O04",),
         ("输出文件与输入文件相同", "输入文件不会被改写"), command="render"),
    Case("render: the output is the input by another name", also(fill(), "-o", "{tmp}/./子/../填报.xlsx", "--force",
                                                                  before=lambda tmp: (tmp / "子").mkdir()),
         2, ("O04",), ("输出文件与输入文件相同",), command="render"),
    Case("render: the output is the Word template", also(fill(), "-o", "{tmp}/自定义 模板.docx", *CUSTOM, "--force",
                                                         before=template("{{ info.org_name }}")),
         2, ("O04",), ("输出文件与输入文件相同", "自定义 模板.docx"), command="render"),
    Case("render: errors found, nothing written", also(fill(request_new_natural=9), *RENDER_TO), 1,
         ("X01@表三!D6",), ("发现错误，未生成报告", "--allow-errors"), command="render"),
    Case("render: a draft despite errors", also(fill(request_new_natural=9), *RENDER_TO, "--allow-errors"), 0,
         (), ("1 个错误", "已生成：{out}"), command="render"),
    Case("template: the output exists", also(lambda tmp: [], "-o", "{tmp}/模板.xlsx",
                                             before=existing("模板.xlsx", b"clerk's work")),
         2, ("O01",), ("输出文件已存在", "{out}"), command="template"),
    Case("template --force over a filled workbook", also(lambda tmp: [], "-o", "{tmp}/填报.xlsx", "--force",
                                                         before=lambda tmp: filled(tmp, "2021", "填报.xlsx", None)),
         2, ("S20",), ("要覆盖的工作簿中已填有数据", "166 个已填写的表格格子", "请用 -o 另起一个文件名"),
         command="template"),
    Case("template: the output folder is missing", lambda tmp: ["-o", str(tmp / "无此目录" / "模板.xlsx")], 2,
         ("O02",), ("无此目录",), command="template"),

    # -- custom Word templates -------------------------------------------------------------------------
    Case("template with an unknown placeholder", also(fill(), *RENDER_TO, *CUSTOM, before=template(
        "{{ info.org_name }}", "本年新收申请 {{ v.no_such_cell }} 件")), 2, ("T01",),
         ("未知的占位符", "v.no_such_cell", "自定义 模板.docx", "xlsx-tool fields"), command="render"),
    Case("template with a tag split across runs (rejoined by docxtpl)", also(fill(), *RENDER_TO, *CUSTOM,
         before=template(("机关：{{ info.", "org_", "name }}。",))), 0, (), ("已生成：{out}",), command="render",
         expect_in_docx=("机关：某某镇人民政府。",)),
    Case("template with Word's curly quotes in a tag (straightened by docxtpl)", also(fill(), *RENDER_TO, *CUSTOM,
         before=template("{% if info.fax == “” %}无传真{% endif %}{{ info[“org_name”] }}")), 0, (),
         ("已生成：{out}",), command="render", expect_in_docx=("无传真某某镇人民政府",)),
    Case("template reaching for Python internals", also(fill(), *RENDER_TO, *CUSTOM, before=template(
        "{{ ''.__class__.__mro__[1].__subclasses__() }}")), 2, ("T06",), ("不安全的表达式", "不允许的表达式"),
         command="render"),
    Case("template reaching for globals through a loop", also(fill(), *RENDER_TO, *CUSTOM, before=template(
        "{% for x in cycler.__init__.__globals__ %}{{ x }}{% endfor %}")), 2, ("T06",), ("不允许的表达式",),
         command="render"),
    Case("template with a syntax error", also(fill(), *RENDER_TO, *CUSTOM, before=template(
        "{% if info.fax %}传真")), 2, ("T06",), ("语法错误",), command="render"),
    Case("template that is not a Word file", also(fill(), *RENDER_TO, *CUSTOM, before=lambda tmp: (
        tmp / "自定义 模板.docx").write_text("不是 Word", encoding="utf-8")), 2, ("F09",),
         ("Word 模板无法使用", "自定义 模板.docx"), command="render"),

    # -- environment -----------------------------------------------------------------------------------
    Case("GBK console: a file with errors", fill(request_new_natural="无", reconsideration_upheld=-1), 1,
         ("V02@表三!D6", "V03@表四!A6"), ("不是数字", "不能为负数", "三、收到和处理政府信息公开申请情况 > 一、本年新收"),
         env={"PYTHONIOENCODING": "gbk"}, encoding="gbk"),
    Case("GBK console: a missing file", lambda tmp: [str(tmp / "缺失 文件.xlsx")], 2, ("F01",), ("文件不存在",),
         env={"PYTHONIOENCODING": "gbk"}, encoding="gbk"),
    Case("GBK console: JSON", fill("2021", "--json", request_new_natural="无"), 1, ("V02@表三!D6",), ('"ok": false',),
         env={"PYTHONIOENCODING": "gbk"}, encoding="gbk"),
    Case("LANG=C: a file with errors", fill(request_new_natural="无"), 1, ("V02@表三!D6",), ("不是数字",),
         env={"LANG": "C", "LC_ALL": "C"}),
    Case("LANG=C, no UTF-8 coercion: errors on an ASCII console", fill(request_new_natural="无"), 1, ("V02",), (),
         env={"LANG": "C", "LC_ALL": "C", "PYTHONCOERCECLOCALE": "0", "PYTHONUTF8": "0"}, encoding="ascii"),
    Case("Chinese file name with spaces: check", fill(name="2024年 政务公开 年报数据.xlsx"), 0, (), ("检查通过",)),
    Case("Chinese file name with spaces: render", also(fill(name="年报 数据.xlsx"), "-o", "{tmp}/年度 报告（草稿）.docx"),
         0, (), ("已生成：{out}",), command="render"),
    Case("Chinese file name with spaces: template", lambda tmp: ["-o", str(tmp / "2026年 填报 模板.xlsx")], 0, (),
         ("已生成填报模板：{out}",), command="template"),

    # -- the review office: exchange JSON, folders, rosters (issue 13) ---------------------------------
    Case("export: a workbook with an error to exchange JSON", also(fill(request_new_natural=9), "-o", "{tmp}/报告.json"),
         1, (), ("已导出：{out}", "1 个错误"), command="export", output_on_errors=True),
    Case("export: exchange JSON that is not JSON", also(raw("坏.json", b"{not json"), "-o", "{tmp}/出.json"), 2,
         ("R08",), ("不是有效的 JSON", "{file}"), command="export"),
    Case("export: exchange JSON nested 100 000 deep", also(raw("深.json", b"[" * 100_000 + b"]" * 100_000), "-o",
         "{tmp}/出.json"), 2, ("R08",), ("嵌套层数过多",), command="export"),
    Case("export: exchange JSON of 20 MB", also(sparse("巨大.json", b"{", 20 * 2**20), "-o", "{tmp}/出.json"), 2,
         ("F06",), ("超过 8 MB",), command="export"),
    Case("export: exchange JSON with NaN", also(raw("非数.json", b'{"exchange_version": 1, "year": NaN}'), "-o",
         "{tmp}/出.json"), 2, ("R08",), ("NaN",), command="export"),
    Case("export: exchange JSON breaking the schema", also(raw("坏.json", json.dumps(
        {"exchange_version": 1, "format": {"id": "2021"}, "year": 2024, "agency": "某局", "basic_info": [],
         "cells": {"request_new_natural": {"value": [1]}}, "narrative": {}}).encode()), "-o", "{tmp}/出.json"), 2,
         ("R08",), ("cells.request_new_natural.value",), command="export"),
    Case("export: exchange JSON whose count is 1E+999999999", also(raw("巨数.json", lambda tmp: _exchange_with(
        tmp, "request_new_natural", "1E+999999999")), "-o", "{tmp}/出.json"), 1, (), ("已导出：{out}", "1 个错误"),
         command="export", output_on_errors=True),
    Case("review: a zip bomb among good reports", also(folder(fill(name="甲.xlsx"), raw("炸弹.xlsx", zip_of(lambda: [
        ("xl/workbook.xml", "<workbook/>"), ("xl/worksheets/sheet1.xml", b"\0" * (64 * 2**20))]))), "-o",
        "{tmp}/审核结果.xlsx"), 1, (), ("无法读取 1", "通过 1", "压缩比超过 100:1", "已生成审核结果：{out}"),
         command="review", output_on_errors=True),
    Case("review: a roster that is not a list", also(folder(fill()), "--roster", "{tmp}/各单位名单.xlsx",
         before=lambda tmp: (tmp / "各单位名单.xlsx").write_bytes(b"\x89PNG\r\n")), 2, ("R06",),
         ("单位名单无法使用", "各单位名单.xlsx", "不是电子表格"),
         command="review"),
    Case("review: a folder with no report", also(folder(raw("说明.docx.bak", b"x")), "-o", "{tmp}/审核结果.xlsx"), 2,
         ("R10",), ("没有找到可审核的报告文件",), command="review"),
    Case("combine: nothing that can be combined", also(folder(raw("坏.xlsx", b"PK\x03\x04")), "-o", "{tmp}/汇总.xlsx",
         "--org", "某某县人民政府"), 2, ("R21",), ("没有可汇总的单位",), command="combine"),
]


# -- year to year (issue 11) and the narrative scan (issue 8 §2) ------------------------------------------
def flooded(unit: str, fid: str = "2021", chars: int = 32_000) -> dict:
    """Every 正文 row and every 注 holding ``chars`` characters of ``unit`` repeated (Excel's cell
    limit is 32 767): 160 cells, 5 MB of text in a workbook of about 30 KB (one shared string)."""
    fmt = model.load(fid)
    text = (unit * (chars // len(unit) + 1))[:chars]
    out = {model.narrative_name(s["id"]): [text] * fmt.paragraph_rows for s in fmt.narrative}
    out.update((tl.note_id, text) for tl in fmt.tables)
    return out


def last_year(*extra: str, this: dict | None = None, **last_overrides) -> Build:
    """Build: this year's balanced workbook (``this`` overrides) and last year's as 上年.xlsx
    (``last_overrides``); ``extra`` follow (``{tmp}`` = the folder)."""
    def build(tmp: Path) -> list:
        filled(tmp, "2021", "上年.xlsx", YEAR["2021"] - 1, **last_overrides)
        path = filled(tmp, "2021", "填报.xlsx", **(this or {}))
        return [str(path)] + [a.format(tmp=tmp) for a in extra]
    return build


def with_kept(change: Callable) -> Build:
    """Build: a workbook made with ``--previous`` (last year's report kept in 上年参考), then
    changed with openpyxl (``change(wb)``)."""
    import openpyxl

    def build(tmp: Path) -> list:
        from xlsx_tool.formats.content import ReportData
        prev = fills.balanced("2021")
        last = ReportData(model.load("2021"), source="上年.xlsx", info={"org_name": fills.INFO["org_name"],
                          "year": str(YEAR["2021"] - 1)}, narrative={"overview": ["上年的总体情况。"]},
                          inputs={k: v for k, v in prev.items() if k in model.load("2021").cells})
        src = write_template(tmp / "原始.xlsx", "2021", year=YEAR["2021"], prefill=balanced("2021"), previous=last)
        wb = openpyxl.load_workbook(src)
        change(wb)
        out = tmp / "填报.xlsx"
        wb.save(out)
        src.unlink()
        return [str(out)]
    return build


def tamper_kept(wb) -> None:
    ws = wb["上年参考"]
    for row in ws.iter_rows(min_row=3):
        if row[0].value == "数值":
            row[2].value = "不是数字"
    ws.append(["数值", "no_such_cell", 5])
    ws.append(["正文", "no_such_section", "文字"])
    ws.append(["来源", "年度", "二〇二三"])


def far_explanations(wb) -> None:
    from openpyxl.workbook.defined_name import DefinedName

    del wb.defined_names["explanations"]
    wb.defined_names["explanations"] = DefinedName("explanations", attr_text="'说明'!$A$4:$C$1048576")
    wb["说明"]["A200"] = "N08"


YEARS = "（2019年《2018年方案》〔2017年〕“2016年”"
SLIPS = "2019年通过门户网站发布信息，收到申请9件，行政复议9件。"

CASES += [
    Case("narrative: 5 MB of years inside brackets", fill(**flooded(YEARS)), 0, ("N11@正文",),
         ("只核对了前 200000 个字", "检查通过")),
    Case("narrative: 5 MB of year slips and numbers", fill(**flooded(SLIPS)), 0,
         ("N11@正文",) + ("N01@正文!B5",) * 6 + ("N02@正文!B5",) * 6 + ("N01@正文!B6",) * 6 + ("N02@正文!B6",) * 6
         + ("N01@正文!B7",) * 6 + ("N02@正文!B7",) * 6 + ("N01@正文!B8",) * 6 + ("N02@正文!B8",) * 6
         + ("N01@正文!B9",) * 6 + ("N02@正文!B9",) * 6 + ("N01@正文!B10",) * 6 + ("N02@正文!B10",) * 6
         + ("N01@正文!B11",) * 6 + ("N02@正文!B11",) * 6,
         ("本段另有", "2019 年", "只核对了前 200000 个字")),
    Case("narrative: one long paragraph of opening years", fill(narrative_overview=["2019年，" * 8000]), 0,
         ("N02@正文!B5",), ("写的是 2019 年",)),
    Case("previous: last year's workbook holds 5 MB of text", last_year("--previous", "{tmp}/上年.xlsx", **flooded(SLIPS)),
         0, ("Y04",), ("上年报告：", "重复率")),
    Case("previous: a CSV given as last year's report", last_year("--previous", "{tmp}/上年.csv"), 2, ("F07",),
         ("上年.csv", "扩展名为“.csv”")),
    Case("previous: last year's report of the same year", also(fill(), "--previous", "{tmp}/填报.xlsx"), 2, ("I07",),
         ("上年报告应为 2023 年度", "--force-previous")),
    Case("previous: last year's report of another agency", last_year("--previous", "{tmp}/上年.xlsx", org_name="别的镇"),
         2, ("I06",), ("别的镇", "--force-previous")),
    Case("previous: another agency, forced", last_year("--previous", "{tmp}/上年.xlsx", "--force-previous",
                                                       org_name="别的镇"),
         0, ("I06@基本信息", "Y04", "Y06@正文") + tuple(f"Y05@正文!B{r}" for r in (5, 26, 47, 68, 89, 110, 131, 152)),
         ("别的镇", "重复率为 100%")),
    Case("previous: the kept sheet tampered with", with_kept(tamper_kept), 0, ("I07@基本信息",),
         ("模板中保存的上年数据", "没有写明年度")),
    Case("explanations: the name stretched to a million rows", edited(far_explanations), 0, ("Y09@说明!A200",),
         ("说明内容",)),
]

# -- published reports (issue 12): import and audit ------------------------------------------------------
def pdf_pages(count: int, declared: int | None = None, text: bool = True) -> Callable[[Path], bytes]:
    """A PDF of ``count`` pages (each with one line of Chinese unless ``text`` is False)."""
    def make(tmp: Path) -> bytes:
        import pdfgen

        page = pdfgen.Page()
        if text:
            page.text(50, 800, "一、总体情况")
        else:
            page.line(10, 10, 500, 500)
        return pdfgen.pdf_bytes([page] * count, count=declared)
    return make


def docx_with(part: str, xml: bytes) -> Callable[[Path], bytes]:
    """A Word document whose ``part`` is replaced by ``xml``."""
    def make(tmp: Path) -> bytes:
        src = io.BytesIO(docx_bytes("一、总体情况"))
        out = io.BytesIO()
        with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
            for item in zin.infolist():
                zout.writestr(item.filename, xml if item.filename == part else zin.read(item.filename))
        return out.getvalue()
    return make


def zip_bomb_docx(tmp: Path) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", b"<w:document>" + b" " * (120 * 2**20) + b"</w:document>")
    return buf.getvalue()


def page_text(body: str) -> bytes:
    return ("某某局2024年政府信息公开工作年度报告\n" + body).encode("utf-8")


NESTED_TABLES = ("<html><body>" + "<table><tr><td>" * 5000 + "一、总体情况" + "</td></tr></table>" * 5000
                 + "</body></html>").encode()
HUGE_SPANS = ("<html><body><p>三、收到和处理政府信息公开申请情况</p><table>"
              + "<tr><td rowspan=200 colspan=200>x</td></tr>" * 200 + "</table></body></html>").encode()
#: a plain grid of 150 000 cells: laid out in one pass (once quadratic in the rows: 10 s of CPU)
BIG_TABLE = ("<html><body><p>三、收到和处理政府信息公开申请情况</p><table>" + ("<tr>" + "<td>1</td>" * 30 + "</tr>") * 2500
             + "</table></body></html>").encode()
HTML_LAUGHS = ('<!DOCTYPE html [' + "".join(f'<!ENTITY l{i} "{("&l" + str(i - 1) + ";") * 10 if i else "哈哈哈哈"}">'
                                            for i in range(10)) + ']><html><body><p>&l9;</p></body></html>').encode()
SEED = Path(__file__).parent / "fixtures" / "published" / "wenchang-2020.md"

CASES += [
    Case("published: a 100 MB web page is refused", sparse("年报.html", b"<html><body>", 100 * 2**20), 2, ("F25",),
         ("100 MB", "处理："), command="audit"),
    Case("published: a PDF declaring 10 000 pages is refused", raw("年报.pdf", pdf_pages(3, declared=10_000)), 2,
         ("F25",), ("10000 页",), command="audit"),
    Case("published: a PDF with 10 000 pages is refused after 300", raw("年报.pdf", pdf_pages(10_000, declared=1)), 2,
         ("F25",), ("300 页",), command="audit"),
    Case("published: a scanned PDF without text", raw("扫描件.pdf", pdf_pages(2, text=False)), 2, ("F24",),
         ("扫描件", "网页版或 Word 版"), command="audit"),
    Case("published: a .pdf that is not a PDF", raw("年报.pdf", b"<html>not a pdf</html>"), 2, ("F23",),
         ("不是 PDF",), command="audit"),
    Case("published: a .docx zip bomb", raw("年报.docx", zip_bomb_docx), 2, ("F25",), ("压缩比",), command="audit"),
    Case("published: a .docx with an entity bomb", raw("年报.docx", docx_with("word/document.xml", (
         '<?xml version="1.0"?>' + LAUGHS + "<doc>&lol9;</doc>").encode())), 2, ("F25",), ("DOCTYPE",),
         command="audit"),
    Case("published: a .docx that is not a zip", raw("年报.docx", b"PK\x03\x04 broken"), 2, ("F23",), (),
         command="audit"),
    Case("published: binary junk named .html", raw("年报.html", bytes(range(128, 256)) * 400), 2, ("F23",),
         ("没有网页标记",), command="audit"),
    Case("published: an empty text file", raw("年报.txt", b"  \n"), 2, ("F23",), ("文件为空",), command="audit"),
    Case("published: an unknown extension", raw("年报.rtf", b"{\\rtf1}"), 2, ("F07",), (".rtf",), command="audit"),
    Case("published: a folder", lambda tmp: [str(tmp)], 2, ("F02",), (), command="audit"),
    Case("published: tables nested 5000 deep", raw("年报.html", NESTED_TABLES), 1,
         ("P02", "P03", "P01", "P01", "P01"), ("未找到",), command="audit"),
    Case("published: one table of 2500 rows × 30 columns", raw("年报.html", BIG_TABLE), 1,
         ("P02", "P03", "P01", "P01", "P01"), (), command="audit"),
    Case("published: merged cells spanning 8 million slots", raw("年报.html", HUGE_SPANS), 2, ("F25",),
         ("单元格",), command="audit"),
    Case("published: entities declared in a web page are not expanded", raw("年报.html", HTML_LAUGHS), 1,
         ("P02", "P03", "P01", "P01", "P01"), (), command="audit"),
    Case("published: a run of 5000 digits in page text", raw("年报.txt", page_text(
         "三、收到和处理政府信息公开申请情况一、本年新收政府信息公开申请数量" + "7" * 5000 + "\n")), 1,
         ("P02", "P03", "P17", "P01", "P01", "P12"), ("7 个单元格未读取",), command="audit"),
    Case("published: 100 000 numbered lines", raw("年报.txt", page_text("二、主动公开政府信息情况\n" + "一、规章 1 2 3\n" * 100_000)),
         1, ("P02", "P03", "P01", "P01", "P12", "P23"), ("等 ",), command="audit"),
    Case("published: the seed report audits without errors", raw("文昌镇 2020.md", SEED.read_bytes()), 0,
         ("P18",) * 10 + ("N02",), ("[通过]",), command="audit"),
    Case("published: import refuses to overwrite", also(raw("年报.md", SEED.read_bytes()), "-o", "{tmp}/已有.xlsx",
         before=existing("已有.xlsx")), 2, ("O01",), ("--force",), command="import"),
    Case("published: import writes a workbook", also(raw("文昌镇 年报.md", SEED.read_bytes()), "-o", "{tmp}/文昌镇 数据.xlsx"),
         0, ("P18",) * 10, ("已导入",), command="import"),
]


def _exchange_with(tmp: Path, cell: str, number: str) -> bytes:
    """The exchange JSON of the balanced fill with ``cell``'s value written as the JSON number
    ``number`` (a literal ``json.dumps`` cannot write, such as ``1E+999999999``)."""
    from xlsx_tool.checks.check import check
    from xlsx_tool.formats.exchange import dumps, to_exchange
    from xlsx_tool.workbook.read import read_workbook

    src = filled(tmp, name="导出前.xlsx")
    text = dumps(to_exchange(check(read_workbook(src))))
    src.unlink()
    new = re.sub(rf'("{cell}": \{{\s*"value": )-?[0-9.]+', lambda m: m.group(1) + number, text, count=1)
    assert new != text
    return new.encode("utf-8")


def _foreign_workbook() -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.title = "统计表"
    wb.active["A1"] = "本年新收政府信息公开申请数量"
    wb.active["B1"] = 3
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# the Word template and output cases of issue 8 (report side) live in their own module
from bad_templates import CASES as _TEMPLATE_CASES  # noqa: E402 — needs the builders above

CASES += _TEMPLATE_CASES
