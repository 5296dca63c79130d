"""The workbook's text budget: what python-calamine would copy is counted before it copies it.

A shared string counts once for every cell that shows it, an .ods text once for every column and
row it is repeated over (and every ``text:s`` space), an .xls shared string once for every
``LabelSst`` cell of every sheet calamine parses (all of them, once per sheet that points at
them).  Inputs here are small: the budgets are lowered where a case needs them to be reached.
"""
from __future__ import annotations

import io
import struct
import zipfile

import pytest

import biffgen
from xlsx_tool.findings import UserError
from xlsx_tool.workbook import biff, guards, ods, xmlscan
from xlsx_tool.workbook.files import open_workbook

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def sst(*items: str) -> bytes:
    return f'<?xml version="1.0"?><sst xmlns="{MAIN}">{"".join(items)}</sst>'.encode()


def test_shared_strings_are_numbered_as_calamine_numbers_them():
    table = xmlscan.SharedStrings(sst("<si><t>甲乙</t></si>", "<!-- <si><t>假的</t></si> -->",
                                      "<si><r><t>丙</t></r><r><t>丁戊</t></r></si>", "<si/>", "<si><t>&amp;</t></si>",
                                      "<si><t><![CDATA[己庚辛]]></t></si>"))
    assert len(table) == 5                                   # the commented-out string is not one
    assert [table.chars(i) for i in range(5)] == [2, 3, 0, 1, 3]    # an entity as read; CDATA counts



def test_the_longer_of_two_candidate_tables_counts():
    table = xmlscan.SharedStrings(sst("<si><t>短</t></si>"), sst("<si><t>长长长长</t></si>"))
    assert table.chars(0) == 4


def scan(rows: str, budget: xmlscan.Budget, shared: xmlscan.SharedStrings | None = None):
    xml = f'<worksheet xmlns="{MAIN}"><sheetData>{rows}</sheetData></worksheet>'.encode()
    over = []

    def on_text(_scan, pos, chars):
        over.append((pos, chars, budget.text_used))
        raise guards.too_much_text("f.xlsx", f"单元格 {pos}", budget.text_used)
    try:
        xmlscan.scan_sheet(xml, budget, lambda s: None, "f.xlsx", "sheet1.xml", shared, on_text)
    except UserError:
        pass
    return over


def test_a_shared_string_is_charged_once_per_cell_that_shows_it():
    shared = xmlscan.SharedStrings(sst("<si><t>" + "字" * 1000 + "</t></si>"))
    budget = xmlscan.Budget(10**6, 3500)
    cells = "".join(f'<c r="{c}1" t="s"><v>0</v></c>' for c in "ABCDE")
    assert scan(f'<row r="1">{cells}</row>', budget, shared) == [((0, 3), 1000, 4000)]


def test_inline_and_formula_strings_are_charged_too():
    budget = xmlscan.Budget(10**6, 10**6)
    scan('<row r="1"><c r="A1" t="inlineStr"><is><t>一二三</t></is></c><c r="B1" t="str"><f>A1</f><v>一二三四</v></c></row>',
         budget)
    assert budget.text_used == 7


def xlsx_with_long_string(cells: int, chars: int) -> bytes:
    """A minimal workbook: one sheet whose ``cells`` cells show one shared string of ``chars``."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
        z.writestr("_rels/.rels", '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   '<Relationship Id="r1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
                   'officeDocument" Target="xl/workbook.xml"/></Relationships>')
        z.writestr("xl/workbook.xml", f'<workbook xmlns="{MAIN}" xmlns:r="http://schemas.openxmlformats.org/'
                   'officeDocument/2006/relationships"><sheets><sheet name="表" sheetId="1" r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels", '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                   'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                   'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
        z.writestr("xl/worksheets/sheet1.xml", f'<worksheet xmlns="{MAIN}"><sheetData>'
                   + "".join(f'<row r="{i + 1}"><c r="A{i + 1}" t="s"><v>0</v></c></row>' for i in range(cells))
                   + "</sheetData></worksheet>")
        z.writestr("xl/sharedStrings.xml", sst("<si><t>" + "x" * chars + "</t></si>"))
    return buf.getvalue()


def test_a_workbook_past_the_budget_is_refused_before_calamine_reads_the_sheet(tmp_path, monkeypatch):
    monkeypatch.setattr(guards, "MAX_TEXT_CHARS", 50_000)
    path = tmp_path / "长.xlsx"
    path.write_bytes(xlsx_with_long_string(cells=6, chars=10_000))
    wb = open_workbook(path)
    with pytest.raises(UserError) as exc:
        wb.grids["表"]
    assert exc.value.code == "F06" and "工作表“表”单元格 A6" in exc.value.finding.message
    path.write_bytes(xlsx_with_long_string(cells=4, chars=10_000))
    assert len(open_workbook(path).grids["表"]) == 4          # within the budget: read as usual


def ods_content(tables: str) -> bytes:
    ns = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"')
    content = (f"<office:document-content {ns}><office:body><office:spreadsheet>{tables}</office:spreadsheet>"
               "</office:body></office:document-content>")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", content)
    return buf.getvalue()


def ods_refusal(tables: str) -> str | None:
    data = ods_content(tables)
    try:
        ods.ods_guard(data, zipfile.ZipFile(io.BytesIO(data)), "f.ods")
    except UserError as err:
        return err.finding.message
    return None


def test_ods_text_is_charged_per_repetition_and_per_space(monkeypatch):
    monkeypatch.setattr(ods, "MAX_TEXT_CHARS", 1000)
    cell = '<table:table-cell office:value-type="string"{}><text:p>{}</text:p></table:table-cell>'
    assert ods_refusal(f'<table:table table:name="表"><table:table-row>{cell.format("", "字" * 500)}</table:table-row>'
                       "</table:table>") is None
    repeated = ods_refusal('<table:table table:name="表"><table:table-row table:number-rows-repeated="2">'
                           + cell.format(' table:number-columns-repeated="3"', "字" * 200) + "</table:table-row></table:table>")
    assert "单元格 A1（201 个字，重复 3 列 × 2 行）" in repeated
    spaces = ods_refusal('<table:table table:name="表"><table:table-row><table:table-cell/>'
                         + cell.format("", '甲<text:s text:c="5000"/>乙') + "</table:table-row></table:table>")
    assert "单元格 B1（5003 个字）" in spaces


def test_ods_cells_of_all_sheets_count_together(monkeypatch):
    monkeypatch.setattr(ods, "MAX_GRID_CELLS", 100)
    sheet = ('<table:table table:name="{}"><table:table-row table:number-rows-repeated="7"><table:table-cell '
             'office:value-type="float" office:value="1" table:number-columns-repeated="10"/></table:table-row></table:table>')
    assert ods_refusal(sheet.format("甲")) is None
    assert "全部工作表合计" in ods_refusal(sheet.format("甲") + sheet.format("乙"))


def test_xls_shared_strings_continued_over_records_are_measured_as_calamine_reads_them():
    from python_calamine import CalamineWorkbook

    strings = ["abc", "x" * 20_000, "y" * 9000, ""]
    stream = biffgen.workbook([("表", b"".join(biffgen.label_sst(i, 0, i) for i in range(3)))], strings)
    read = CalamineWorkbook.from_filelike(io.BytesIO(biffgen.compound_file(stream)))
    shown = [len(row[0]) for row in read.get_sheet_by_name("表").to_python()]
    assert shown == [3, 20_000, 9000]
    biff.walk_biff(stream, "f.xls")                              # well within every budget


def test_xls_sheets_pointing_at_the_same_records_count_each_time(monkeypatch):
    monkeypatch.setattr(biff, "MAX_TEXT_CHARS", 25_000)
    cells = b"".join(biffgen.label_sst(0, i, 0) for i in range(10))
    biff.walk_biff(biffgen.workbook([("表", cells)], ["x" * 1000], same_position=1), "f.xls")     # 20 000
    with pytest.raises(UserError) as exc:
        biff.walk_biff(biffgen.workbook([("表", cells)], ["x" * 1000], same_position=2), "f.xls")
    assert "工作表“表2”（单元格 J1 等处）" in exc.value.finding.message


def test_an_xls_declaring_billions_of_shared_strings_is_refused_before_calamine_reserves_them():
    with pytest.raises(UserError) as exc:
        biff.walk_biff(biffgen.workbook([("表", b"")], ["a"], declared=2**31 - 1), "f.xls")
    assert exc.value.code == "F06" and "2147483647 个字符串" in exc.value.finding.message


def test_a_panic_of_calamine_is_a_finding_not_a_crash(tmp_path, monkeypatch, make_filled_workbook):
    import python_calamine

    class PanicException(BaseException):          # what pyo3 raises for a Rust panic
        pass

    class Exploding:
        @classmethod
        def from_filelike(cls, _f):
            raise PanicException("capacity overflow")
    monkeypatch.setattr(python_calamine, "CalamineWorkbook", Exploding)
    with pytest.raises(UserError) as exc:
        open_workbook(make_filled_workbook())
    assert exc.value.code == "F06" and "capacity overflow" in exc.value.finding.message


def test_an_xls_formula_is_charged_for_the_longest_text_it_can_render():
    # a 3-D reference renders as a sheet name of up to 255 characters, a number as 300+ digits:
    # 60 formulas of 8 000 bytes can stand for about 19 million characters
    def record(rtype: int, body: bytes) -> bytes:
        return struct.pack("<HH", rtype, len(body)) + body

    rgce = (b"\x1f" + struct.pack("<d", 1e308)) * 888
    formula = struct.pack("<HHH", 0, 0, 15) + struct.pack("<d", 0.0) + struct.pack("<HIH", 0, 0, len(rgce)) + rgce
    cells = b"".join(record(biff.FORMULA, struct.pack("<H", row) + formula[2:]) for row in range(60))

    def globals_at(position: int) -> bytes:
        return record(biff.BOF, b"\x00\x06\x05\x00") \
            + record(biff.BOUNDSHEET, struct.pack("<IBB", position, 0, 0) + b"\x01\x00S") + record(biff.EOF, b"")
    stream = globals_at(len(globals_at(0))) + record(biff.BOF, b"\x00\x06\x10\x00") + cells + record(biff.EOF, b"")
    with pytest.raises(UserError) as exc:
        biff.walk_biff(stream, "formulas.xls")
    assert exc.value.code == "F06"
