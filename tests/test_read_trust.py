"""Reading a workbook that has been through things: names against labels, bounded work, clean
output, no false alarms (issue 8, workbook side).  The whole command line is exercised by the
bad-input corpus (``tests/bad_inputs_workbook.py``); these are the pieces, one behaviour each."""
from __future__ import annotations

import datetime as dt
import json
import os
import struct
import zipfile
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fills

from xlsx_tool.findings import ERROR, NOTE, UserError, dumps, has_unsafe, visible
from xlsx_tool.formats import load, placeholders, values
from xlsx_tool.workbook import files, package, xmlscan
from xlsx_tool.workbook.read import read_workbook

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def codes(data) -> list[tuple[str, str, str]]:
    return [(f.code, f.sheet, f.cell) for f in data.findings]


def scan(rows: str, budget: int = 10**6) -> xmlscan.SheetScan:
    xml = f'<?xml version="1.0"?><worksheet xmlns="{MAIN}"><sheetData>{rows}</sheetData></worksheet>'

    def too_far(s):
        raise OverflowError(s.far)
    return xmlscan.scan_sheet(xml.encode(), xmlscan.Budget(budget), too_far, "f", "sheet1.xml")


# -- the tokenizer pass ---------------------------------------------------------------------------
@pytest.mark.parametrize("row, expected", [
    ("<row r='3'><c r='B3'><v>1</v></c></row>", (3, 2)),
    ('<row r = "3" ><c r = "B3" ><v>1</v></c></row>', (3, 2)),
    ('<row r="3"><c><v>1</v></c><c><v>2</v></c><c t="inlineStr"><is><t>x</t></is></c></row>', (3, 3)),
    ('<row r="3"/><row><c><v>1</v></c></row>', (4, 1)),
    ('<row r="3"><c r="B3" s="1"/><c r="Z3"><f>1+1</f></c></row>', (0, 0)),   # no value: calamine skips it
])
def test_the_scan_measures_valued_cells_however_the_xml_is_written(row, expected):
    s = scan(row)
    assert (s.rows, s.cols) == expected


def test_the_scan_stops_at_the_first_cell_past_the_budget():
    with pytest.raises(OverflowError) as exc:
        scan('<row r="1"><c r="A1"><v>1</v></c></row><row r="5000"><c r="CV5000"><v>1</v></c></row>', budget=10_000)
    assert str(exc.value) == "CV5000"


def test_the_scan_collects_formulas_errors_and_exact_numbers():
    s = scan('<row r="2"><c r="A2"><f t="shared" ref="A2:A3" si="0">B2*2</f><v>4</v></c>'
             '<c r="B2" t="e"><f>1/0</f><v>#DIV/0!</v></c><c r="C2"><v>3.3000000000000003</v></c></row>'
             '<row r="3"><c r="A3"><f t="shared" si="0"/><v>6</v></c></row>')
    assert s.formulas == {(1, 0): "=B2*2", (1, 1): "=1/0", (2, 0): "=B2*2"}
    assert s.shared_from == {(2, 0): (1, 0)}
    assert s.errors == {(1, 1): "#DIV/0!"} and s.numbers[(1, 2)] == "3.3000000000000003"


@pytest.mark.parametrize("hide", ["<!-- </sheetData> -->", "<row r='1'><c r='A1' t='inlineStr'><is><t><![CDATA[</sheetData>]]></t></is></c></row>"])
def test_an_end_tag_hidden_in_a_comment_or_cdata_hides_no_cell(hide):
    with pytest.raises(OverflowError):
        scan(hide + '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>')


@pytest.mark.parametrize("bad, code", [
    ('<!DOCTYPE x [<!ENTITY a "b">]>', "F06"), ("", "F03")])
def test_a_doctype_or_broken_xml_ends_the_scan(bad, code):
    xml = f'<?xml version="1.0"?>{bad}<worksheet xmlns="{MAIN}"><sheetData><row r="1"><c r="A1"><v>1</v>'
    with pytest.raises(UserError) as exc:
        xmlscan.scan_sheet(xml.encode(), xmlscan.Budget(10), lambda s: None, "f", "p.xml")
    assert exc.value.code == code


@pytest.mark.parametrize("ref", ["A0", "XFE1", "A1048577", "1A", "ZZZZ1"])
def test_a_reference_that_is_no_cell_is_refused(ref):
    with pytest.raises(UserError) as exc:
        scan(f'<row><c r="{ref}"><v>1</v></c></row>')
    assert exc.value.code == "F03" and ref in exc.value.text()


# -- defined names --------------------------------------------------------------------------------
@pytest.mark.parametrize("text, dest", [
    ("'表三'!$D$6", ("表三", 5, 3, 5, 3)), ("表三!D6", ("表三", 5, 3, 5, 3)),
    ("'正文'!$B$5:$B$24", ("正文", 4, 1, 23, 1)), ("'it''s'!$A$1", ("it's", 0, 0, 0, 0)),
    ("#REF!", None), ("'表三'!#REF!", None), ("'表三'!$D$6,'表三'!$E$6", None), ("SUM(A1)", None)])
def test_defined_names_are_parsed_or_known_broken(text, dest):
    assert package.parse_name(text).dest == dest


# -- names against labels -------------------------------------------------------------------------
def swap(a: str, b: str):
    def change(wb):
        names = wb.defined_names
        names[a].attr_text, names[b].attr_text = names[b].attr_text, names[a].attr_text
    return change


def test_swapped_names_in_one_row_are_two_errors_and_nothing_is_read(make_filled_workbook, edit_with_openpyxl):
    path = edit_with_openpyxl(make_filled_workbook(proactive_normative_issued=5, proactive_normative_repealed=1),
                              swap("proactive_normative_issued", "proactive_normative_repealed"))
    data = read_workbook(path)
    assert codes(data) == [("S10", "表二", "B6"), ("S10", "表二", "C6")]
    assert all(f.severity == ERROR for f in data.findings)
    assert data.inputs["proactive_normative_issued"] is None and data.inputs["proactive_normative_repealed"] is None
    assert data.findings[0].extra == {"name": "proactive_normative_issued", "name_points_to": "表二!C6",
                                      "labels_at": "表二!B6"}


def test_names_that_moved_with_inserted_rows_and_columns_read_cleanly(make_filled_workbook, edit_with_openpyxl):
    import bad_inputs

    def insert(wb):
        bad_inputs.excel_rows(wb, "表三", 1, 2)            # above the table
        bad_inputs.excel_rows(wb, "表三", 14, 1)           # inside （三）不予公开
    data = read_workbook(edit_with_openpyxl(make_filled_workbook(), insert))
    assert data.findings == [] and data.addresses["request_new_natural"] == "D8"
    assert data.addresses["request_carried_out_total"] == "J33" and data.values()["request_new_total"] == 18


def test_a_swap_is_found_after_rows_were_inserted(make_filled_workbook, edit_with_openpyxl):
    import bad_inputs

    def change(wb):
        bad_inputs.excel_rows(wb, "表三", 1, 1)
        swap("request_disclosed_other", "request_partial_other")(wb)
    data = read_workbook(edit_with_openpyxl(make_filled_workbook(), change))
    assert codes(data) == [("S10", "表三", "I9"), ("S10", "表三", "I10")]


def test_a_cut_and_paste_is_an_error_on_both_cells(make_filled_workbook, edit_with_openpyxl):
    def cut(wb):
        ws = wb["表四"]
        ws["B6"], ws["A6"] = ws["A6"].value, None
        wb.defined_names["reconsideration_upheld"].attr_text = "'表四'!$B$6"
        wb.defined_names["reconsideration_corrected"].attr_text = "#REF!"
    data = read_workbook(edit_with_openpyxl(make_filled_workbook(), cut))
    assert codes(data) == [("S10", "表四", "A6"), ("S12", "表四", "B6")]
    assert "reconsideration_upheld" in data.findings[1].message


def test_a_name_into_another_sheet_names_both_places(make_filled_workbook, edit_with_openpyxl):
    def change(wb):
        wb.defined_names["reconsideration_pending"].attr_text = "'表二'!$B$5"
    f = read_workbook(edit_with_openpyxl(make_filled_workbook(), change)).findings
    assert [(x.code, x.cell) for x in f] == [("S10", "D6")] and "工作表“表二”的 B5" in f[0].message


def test_conflicts_are_summarised_past_five_per_sheet(make_filled_workbook, edit_with_openpyxl):
    def shift_names(wb):   # every 表三 name one column to the right, the cells not moved
        import re
        for name, dn in wb.defined_names.items():
            if name.startswith("request_"):
                m = re.fullmatch(r"'表三'!\$([A-Z])\$(\d+)", dn.attr_text)
                dn.attr_text = f"'表三'!${chr(ord(m.group(1)) + 1)}${m.group(2)}"
    data = read_workbook(edit_with_openpyxl(make_filled_workbook(), shift_names))
    table3 = [f for f in data.findings if f.sheet == "表三"]
    assert len(table3) <= 12 and any("未逐一列出" in f.message for f in table3)
    assert all(v is None for k, v in data.inputs.items() if k.startswith("request_"))


# -- values ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("raw, ctype, computed, expected", [
    (3.3000000000000003, "money", False, Decimal("3.3")), (0.1 + 0.2, "money", False, Decimal("0.3")),
    (1 / 3, "money", True, Decimal("0.333333")), (33.00000000000001, "count", True, 33),
    (1.1 * 3 * 10, "count", False, 33)])
def test_binary_noise_is_not_a_typed_digit(raw, ctype, computed, expected):
    p = values.parse_number(raw, ctype, computed=computed)
    assert p.code is None and p.value == expected


def test_decimals_a_person_typed_are_still_counted():
    assert values.parse_number(1.2345678, "money").code.name == "V06"
    assert values.parse_number(1 / 3, "money").code.name == "V06"


@pytest.mark.parametrize("raw, system, number", [
    (dt.date(1900, 1, 3), "1900", 3), (dt.date(1900, 2, 28), "1900", 59), (dt.date(1900, 3, 1), "1900", 61),
    (dt.datetime(1900, 1, 3, 12), "1900", 3.5), (dt.time(6), "1900", 0.25), (dt.timedelta(days=30), "1900", 30),
    (dt.date(1904, 1, 4), "1904", 3), (dt.date(1900, 1, 2), "ods", 3), ("3", "1900", None)])
def test_a_date_is_turned_back_into_its_serial_number(raw, system, number):
    assert values.serial_number(raw, system) == number


def test_a_count_shown_as_a_date_reads_the_stored_number(make_filled_workbook, edit_with_openpyxl):
    def fmt(wb):
        wb["表三"]["D6"].number_format = "yyyy-mm-dd"
        wb["基本信息"]["B5"].number_format = "yyyy-mm-dd"     # the year 2024 shown as 1905-07-16
    data = read_workbook(edit_with_openpyxl(make_filled_workbook(), fmt))
    assert data.inputs["request_new_natural"] == 3 and data.info["year"] == "2024"
    assert [(f.code, f.cell, f.severity) for f in data.findings] == [("V13", "B5", NOTE), ("V13", "D6", NOTE)]


def with_error(path, part: str, ref: str, formula: str, value: str):
    """A copy of ``path`` whose cell ``ref`` in ``part`` holds ``formula`` and the error ``value``."""
    import re
    out = path.with_name("error.xlsx")
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(out, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == part:
                data = re.sub(rf'<c r="{ref}"([^>]*?)(/>|>.*?</c>)'.encode(),
                              f'<c r="{ref}" t="e"><f>{formula}</f><v>{value}</v></c>'.encode(), data, count=1)
            zout.writestr(item, data)
    return out


def test_error_values_are_never_read_as_blank(make_filled_workbook):
    path = with_error(make_filled_workbook(), "xl/worksheets/sheet3.xml", "B6", "#REF!", "#REF!")
    data = read_workbook(path)
    f = data.findings[0]
    assert [(x.code, x.cell) for x in data.findings] == [("N04", "B6")] and f.severity == ERROR
    assert "#REF!" in f.message and data.narrative["overview"] == fills.OVERVIEW[:1]   # B6: the 2nd paragraph


def test_an_input_showing_div0_gets_advice_about_the_formula(make_filled_workbook):
    data = read_workbook(with_error(make_filled_workbook(), "xl/worksheets/sheet5.xml", "E6", "1/0", "#DIV/0!"))
    f = data.findings[0]
    assert [(x.code, x.cell) for x in data.findings] == [("V12", "E6")] and data.inputs["request_new_business"] is None
    assert "除以 0" in f.fix and "保存一次" not in f.fix and "E6" not in data.blank


# -- files ----------------------------------------------------------------------------------------
@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX FIFOs")
def test_a_fifo_or_a_device_is_refused_without_blocking(tmp_path):
    os.mkfifo(tmp_path / "pipe.xlsx")
    os.symlink("/dev/zero", tmp_path / "zero.xlsx")
    for name in ("pipe.xlsx", "zero.xlsx"):
        with pytest.raises(UserError) as exc:
            files.read_input(tmp_path / name)
        assert exc.value.code == "F14"


def test_a_file_growing_past_the_limit_is_not_read_further(tmp_path):
    (tmp_path / "big.xlsx").write_bytes(b"PK" + b"\0" * 5000)
    with pytest.raises(UserError) as exc:
        files.read_input(tmp_path / "big.xlsx", limit=4096)
    assert exc.value.code == "F06"


def test_an_xls_sheet_of_countless_tiny_records_is_refused():
    from xlsx_tool.workbook import biff

    def record(rtype: int, body: bytes = b"") -> bytes:
        return struct.pack("<HH", rtype, len(body)) + body

    def globals_at(position: int) -> bytes:
        return record(biff.BOF, b"\x00\x06\x05\x00") \
            + record(biff.BOUNDSHEET, struct.pack("<IBB", position, 0, 0) + b"\x01\x00S") + record(biff.EOF)
    sheet = record(biff.BOF, b"\x00\x06\x10\x00") + record(0x0201, b"\x00" * 6) * (biff.MAX_XLS_RECORDS + 1)
    stream = globals_at(len(globals_at(0))) + sheet
    with pytest.raises(UserError) as exc:
        biff.walk_biff(stream, "many.xls")
    assert exc.value.code == "F06" and "记录超过" in exc.value.finding.message


# -- output ---------------------------------------------------------------------------------------
def test_control_and_invisible_characters_are_shown_escaped():
    assert visible("a\x1b[31m\x07b\u200b\ufeff\u202e") == "a<U+001B>[31m<U+0007>b<U+200B><U+FEFF><U+202E>"
    assert visible("第一行\n\t第二行 葛\U000e0100") == "第一行\n\t第二行 葛\U000e0100"   # an ideographic variant stays


@given(st.text())
def test_json_output_is_exact_and_safe_for_a_terminal(text):
    out = dumps({"v": text})
    assert json.loads(out) == {"v": text} and not has_unsafe(out)


def test_a_finding_and_a_user_error_print_escaped(make_filled_workbook):
    data = read_workbook(make_filled_workbook(request_new_natural="\x1b]0;pwned\x07"))
    text = data.findings[0].text()
    assert "\x1b" not in text and "<U+001B>]0;pwned<U+0007>" in text
    assert "\x1b" not in UserError(files.Code.F01, "a\x1b.xlsx").text()


def test_doubled_braces_are_replaced_and_listed():
    fmt = load("2021")
    text, bad = placeholders.resolve(fmt, "共{{表三.本年新收.总计}}件，{{没有这个}}", {c: 18 for c in fmt.cells})
    assert text == "共18件，{{没有这个}}" and bad == ["{{没有这个}}"]
    assert placeholders.doubled(fmt, "共{{表三.本年新收.总计}}件") == [("{{表三.本年新收.总计}}", "{表三.本年新收.总计}")]


# -- whatever the names say -----------------------------------------------------------------------
@pytest.fixture(scope="module")
def distinct_workbook(tmp_path_factory):
    """A 2021 workbook whose every input holds its own number (1, 2, 3, …), and those numbers."""
    import fills
    from xlsx_tool.workbook.template import write_template

    fmt = load("2021")
    fill = fills.balanced("2021")
    numbers = {c.id: i + 1 for i, c in enumerate(c for c in fmt.cells.values() if c.is_input and c.type == "count")}
    fill.update(numbers)
    path = write_template(tmp_path_factory.mktemp("names") / "distinct.xlsx", "2021", year=2024, prefill=fill)
    return path, numbers


def rewire(src, out, targets: dict[str, str]):
    """A copy of ``src`` whose defined names in ``targets`` point where it says."""
    import re
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/workbook.xml":
                text = data.decode()
                for name, target in targets.items():
                    text = re.sub(rf'(<definedName name="{name}">)[^<]*(</definedName>)',
                                  lambda m: m.group(1) + target + m.group(2), text)
                data = text.encode()
            zout.writestr(item, data)
    return out


@settings(max_examples=150)   # deliberately small: each example is a workbook read
@given(st.data())
def test_whatever_the_names_say_a_value_read_is_the_one_its_labels_hold(distinct_workbook, tmp_path_factory, data):
    src, numbers = distinct_workbook
    fmt = load("2021")
    ids = sorted(numbers)
    places = [f"'{c.sheet}'!${c.a1[0]}${c.a1[1:]}" for c in (fmt.cells[i] for i in ids)]
    chosen = data.draw(st.lists(st.sampled_from(ids), min_size=1, max_size=6, unique=True))
    targets = {name: data.draw(st.sampled_from(places + ["#REF!", "'表二'!$Z$99", "'正文'!$B$5"])) for name in chosen}
    out = rewire(src, tmp_path_factory.mktemp("rewired") / "r.xlsx", targets)
    read = read_workbook(out)
    for cid in ids:
        assert read.inputs[cid] in (None, numbers[cid]), (cid, read.inputs[cid], targets)
    moved = [n for n, t in targets.items() if t != places[ids.index(n)]]
    assert all(read.inputs[n] is None or targets[n] == "#REF!" for n in moved), targets
