"""Reading a filled workbook back: files, values, labels, names, sheets, basic information."""
from __future__ import annotations

import subprocess
import sys
import zipfile
from decimal import Decimal

import openpyxl
import pytest

from fills import NARRATIVE, OVERVIEW
from xlsx_tool.findings import ERROR, NOTE, UserError
from xlsx_tool.workbook.read import read_workbook


def codes(data, code=None):
    return [f for f in data.findings if code is None or f.code == code]


def only(data, code):
    found = codes(data, code)
    assert len(found) == 1, [f.text() for f in data.findings]
    return found[0]


# -- a good fill ----------------------------------------------------------------------------------
@pytest.mark.parametrize("format_id", ["2021", "2019"])
def test_a_balanced_fill_is_read_completely_without_findings(make_filled_workbook, format_id):
    data = read_workbook(make_filled_workbook(format_id))
    assert data.findings == []
    assert data.fmt.id == format_id
    assert data.inputs["request_new_natural"] == 3 and type(data.inputs["request_new_natural"]) is int
    assert data.values()["request_new_total"] == 18
    assert data.info["org_name"] == "某某镇人民政府" and data.info["postcode"] == "755000"
    assert data.info["year"] == str(data.year) and data.info["fax"] == ""
    assert data.narrative["overview"] == OVERVIEW and data.narrative["problems"] == NARRATIVE["problems"]
    assert data.notes == {"proactive": "", "request": "注：本表含上年度结转。", "reconsideration_litigation": ""}
    if format_id == "2021":
        assert data.inputs["proactive_fees_amount"] == Decimal("1.25")
        assert data.choices == {}
    else:
        assert data.inputs["proactive_licensing_change"] == -2
        assert data.inputs["proactive_procurement_amount"] == Decimal("1234.5")
        assert data.choices == {"procurement_unit": "元"}
    assert data.source.endswith("fill.xlsx") and data.addresses["request_new_natural"] == "D6"


def test_a_choice_left_blank_takes_the_default_and_a_typed_one_is_kept(make_filled_workbook):
    assert read_workbook(make_filled_workbook("2019", procurement_unit="万元")).choices == {
        "procurement_unit": "万元"}
    bad = read_workbook(make_filled_workbook("2019", name="bad.xlsx", procurement_unit="千元"))
    assert only(bad, "V11").cell == "B25" and bad.choices == {"procurement_unit": "元"}


def test_narrative_paragraphs_skip_blank_rows_and_split_line_breaks(make_filled_workbook):
    data = read_workbook(make_filled_workbook(
        narrative_problems=["  问题一。 ", "", "问题二。\n改进措施。", "\u3000"]))
    assert data.narrative["problems"] == ["问题一。", "问题二。", "改进措施。"]


# -- values that are accepted with a note ---------------------------------------------------------
@pytest.mark.parametrize("typed, expected", [
    ("１２", 12), ("12", 12), ("1,234", 1234), ("1，234", 1234), (" 12\u3000", 12), ("12.0", 12)])
def test_a_count_typed_as_text_is_read_with_a_note(make_filled_workbook, typed, expected):
    data = read_workbook(make_filled_workbook(request_new_natural=typed))
    note = only(data, "V05")
    assert data.inputs["request_new_natural"] == expected
    assert (note.severity, note.sheet, note.cell) == (NOTE, "表三", "D6")
    assert typed in note.message and "自然人" in note.labels and "一、本年新收" in note.labels


def test_a_count_typed_as_fullwidth_text_is_read_with_a_note(make_filled_workbook):
    data = read_workbook(make_filled_workbook(reconsideration_upheld="３"))
    assert data.inputs["reconsideration_upheld"] == 3 and only(data, "V05").cell == "A6"


@pytest.mark.parametrize("typed, expected", [("+5", 5), ("-8", -8), ("－８", -8), (-3, -3)])
def test_a_signed_change_accepts_plus_and_minus(make_filled_workbook, typed, expected):
    data = read_workbook(make_filled_workbook("2019", proactive_licensing_change=typed))
    assert data.inputs["proactive_licensing_change"] == expected
    assert [f.code for f in data.findings] == ([] if isinstance(typed, int) else ["V05"])


def test_a_number_stored_as_a_float_is_not_a_coercion(make_filled_workbook):
    data = read_workbook(make_filled_workbook(request_new_natural=7.0))
    assert data.inputs["request_new_natural"] == 7 and codes(data, "V05") == []


def test_money_keeps_its_decimals_exactly(make_filled_workbook):
    data = read_workbook(make_filled_workbook(proactive_fees_amount="0.123456"))
    assert data.inputs["proactive_fees_amount"] == Decimal("0.123456")
    assert only(data, "V05").cell == "B16"


# -- values that are errors -----------------------------------------------------------------------
@pytest.mark.parametrize("cell, typed, code", [
    ("request_new_natural", "无", "V02"), ("request_new_natural", "—", "V02"),
    ("request_new_natural", "abc", "V02"), ("request_new_natural", -3, "V03"),
    ("request_new_natural", "-3", "V03"), ("request_new_natural", 2.5, "V04"),
    ("proactive_fees_amount", -1, "V03"), ("proactive_fees_amount", "1.1234567", "V06"),
    ("request_new_natural", 1_000_000_000, "V07"), ("proactive_fees_amount", 5e9, "V07")])
def test_an_unusable_value_is_an_error_naming_the_cell(make_filled_workbook, cell, typed, code):
    data = read_workbook(make_filled_workbook(**{cell: typed}))
    f = only(data, code)
    assert f.severity == ERROR and data.inputs[cell] is None
    assert f.cell == data.fmt.cells[cell].a1 and f.labels == data.fmt.cells[cell].label_path
    assert f.file.endswith("fill.xlsx")
    if isinstance(typed, str):
        assert typed in f.message


def test_a_blank_cell_is_not_filled_in(make_filled_workbook):
    data = read_workbook(make_filled_workbook(request_new_natural=None))
    f = only(data, "V01")
    assert (f.severity, f.cell, f.title) == (ERROR, "D6", "未填写") and "没有数据请填 0" in f.fix
    assert data.inputs["request_new_natural"] is None


def test_blank_as_zero_reads_blanks_as_0_with_one_summary_note(make_filled_workbook):
    path = make_filled_workbook(request_new_natural=None, reconsideration_upheld="  ")
    data = read_workbook(path, blank_as_zero=True)
    assert data.inputs["request_new_natural"] == 0 and data.inputs["reconsideration_upheld"] == 0
    note = only(data, "V10")
    assert note.severity == NOTE and "2 个" in note.message
    assert note.extra["cells"] == ["表三!D6", "表四!A6"] and codes(data, "V01") == []


def test_a_formula_typed_into_an_input_uses_its_cached_result(make_filled_workbook, rewrite_cell_xml):
    path = rewrite_cell_xml(make_filled_workbook(), "表三", "D6", "<f>1+2</f><v>3</v>")
    data = read_workbook(path)
    assert data.inputs["request_new_natural"] == 3
    f = only(data, "V08")
    assert f.severity == NOTE and f.cell == "D6" and "1+2" in f.message


def test_a_formula_without_a_cached_result_is_an_error(make_filled_workbook, edit_with_openpyxl):
    path = edit_with_openpyxl(make_filled_workbook(),
                              lambda wb: wb["表三"].__setitem__("D6", "=1+2"))
    data = read_workbook(path)
    assert only(data, "V09").cell == "D6" and data.inputs["request_new_natural"] is None


# -- structure ------------------------------------------------------------------------------------
def test_removed_names_fall_back_to_the_model_positions(make_filled_workbook, edit_with_openpyxl):
    def drop(wb):
        for name in [n for n in wb.defined_names if n.startswith(("request_", "narrative_"))]:
            del wb.defined_names[name]
    data = read_workbook(edit_with_openpyxl(make_filled_workbook(), drop))
    s02 = codes(data, "S02")
    assert {f.sheet for f in s02} == {"表三", "正文"} and all(f.severity == NOTE for f in s02)
    table3 = next(f for f in s02 if f.sheet == "表三")
    assert len(table3.extra["cells"]) == 7 * 25 and table3.cell == "D6"
    assert data.inputs["request_new_natural"] == 3 and data.values()["request_new_total"] == 18
    assert data.narrative["overview"] == OVERVIEW
    assert data.notes["request"] == "注：本表含上年度结转。"
    assert [f.code for f in data.findings if f.severity == ERROR] == []


def test_a_broken_name_is_read_by_its_labels_with_a_note(make_filled_workbook, edit_with_openpyxl):
    def break_name(wb):
        wb.defined_names["reconsideration_upheld"].attr_text = "#REF!"
    data = read_workbook(edit_with_openpyxl(make_filled_workbook(), break_name))
    note = only(data, "S11")
    assert note.severity == NOTE and note.extra["cells"] == ["A6"] and "#REF!" in note.message
    assert data.inputs["reconsideration_upheld"] == 4 and [f.code for f in data.findings] == ["S11"]


def test_an_edited_row_label_is_reported_and_its_row_not_read(make_filled_workbook, edit_with_openpyxl):
    path = edit_with_openpyxl(make_filled_workbook(),
                              lambda wb: wb["表三"].__setitem__("A6", "一、本年收到申请"))
    data = read_workbook(path)
    f = only(data, "S03")
    assert (f.severity, f.sheet, f.cell) == (ERROR, "表三", "A6")
    assert f.extra["expected"] == "一、本年新收政府信息公开申请数量" and f.extra["found"] == "一、本年收到申请"
    assert f.extra["cells"] == ["D6", "E6", "F6", "G6", "H6", "I6", "J6"]
    assert data.inputs["request_new_natural"] is None and data.inputs["request_carried_in_natural"] == 1


def test_an_edited_column_header_affects_that_column(make_filled_workbook, edit_with_openpyxl):
    path = edit_with_openpyxl(make_filled_workbook(),
                              lambda wb: wb["表二"].__setitem__("C4", "本年废止数"))
    data = read_workbook(path)
    f = only(data, "S03")
    assert f.cell == "C4" and f.extra["cells"] == ["C5", "C6"]


def test_rows_moved_without_names_give_few_label_findings(make_filled_workbook, edit_with_openpyxl):
    def shift(wb):
        for name in list(wb.defined_names):
            del wb.defined_names[name]
        wb["表三"].insert_rows(1)
    data = read_workbook(edit_with_openpyxl(make_filled_workbook(), shift))
    s03 = [f for f in codes(data, "S03") if f.sheet == "表三"]
    assert len(s03) == 6 and "另有" in s03[-1].message
    assert all(data.inputs[c] is None for c in data.inputs if c.startswith("request_"))


def test_a_renamed_sheet_is_missing_and_its_cells_unread(make_filled_workbook, edit_with_openpyxl):
    path = edit_with_openpyxl(make_filled_workbook(),
                              lambda wb: setattr(wb["表四"], "title", "复议诉讼"))
    data = read_workbook(path)
    f = only(data, "S01")
    assert (f.severity, f.sheet) == (ERROR, "表四")
    assert all(v is None for k, v in data.inputs.items() if k.startswith(("reconsideration_", "litigation_")))
    assert [g.code for g in data.findings] == ["S01"]


def test_sheet_order_does_not_matter(make_filled_workbook, edit_with_openpyxl):
    path = edit_with_openpyxl(make_filled_workbook(), lambda wb: wb.move_sheet("表四", offset=-4))
    assert read_workbook(path).findings == []


def test_a_different_layout_version_is_noted(make_filled_workbook, edit_with_openpyxl):
    def relabel(wb):
        for p in wb.custom_doc_props.props:
            if p.name == "xlsx_tool_layout":
                p.value = "0000000000000000"
    data = read_workbook(edit_with_openpyxl(make_filled_workbook(), relabel))
    assert only(data, "S08").severity == NOTE


# -- basic information ----------------------------------------------------------------------------
def test_required_info_left_blank_is_reported(make_filled_workbook):
    data = read_workbook(make_filled_workbook(org_name=None, phone=""))
    assert [(f.code, f.cell) for f in data.findings] == [("I01", "B4"), ("I01", "B11")]
    assert "机关名称" in data.findings[0].message


@pytest.mark.parametrize("field, typed, code", [
    ("postcode", "75500", "I02"), ("postcode", "７５５０００", None), ("year", "二〇二四", "I02"),
    ("year", "24", "I02"), ("year", "２０２４", None)])
def test_year_and_postcode_must_have_their_digits(make_filled_workbook, field, typed, code):
    data = read_workbook(make_filled_workbook(**{field: typed}))
    assert [f.code for f in data.findings] == ([code] if code else [])
    if not code:
        assert data.info[field].isascii()


def test_a_year_outside_the_format_is_an_error(make_filled_workbook):
    data = read_workbook(make_filled_workbook("2021", report_year=2020))
    f = only(data, "S07")
    assert (f.severity, f.sheet, f.cell) == (ERROR, "基本信息", "B5") and "2020" in f.message
    assert only(read_workbook(make_filled_workbook("2019", name="old.xlsx", report_year=2021)), "S07")


# -- unusable files -------------------------------------------------------------------------------
def error_code(path) -> str:
    with pytest.raises(UserError) as exc:
        read_workbook(path)
    assert str(path) in exc.value.text()
    return exc.value.finding.code


def test_a_missing_file_or_a_folder_is_refused(tmp_path):
    assert error_code(tmp_path / "没有这个文件.xlsx") == "F01"
    assert error_code(tmp_path) == "F02"


def test_files_that_are_not_workbooks_are_refused(tmp_path, make_filled_workbook):
    (tmp_path / "empty.xlsx").write_bytes(b"")
    (tmp_path / "data.xlsx").write_text("a,b\n1,2\n", encoding="utf-8")
    with zipfile.ZipFile(tmp_path / "letter.xlsx", "w") as z:
        z.writestr("word/document.xml", "<w:document/>")
    (tmp_path / "broken.xlsx").write_bytes(make_filled_workbook().read_bytes()[:2000])
    for name in ("empty.xlsx", "data.xlsx", "letter.xlsx", "broken.xlsx"):
        assert error_code(tmp_path / name) == "F03", name
    (tmp_path / "data.csv").write_text("a,b\n", encoding="utf-8")
    assert error_code(tmp_path / "data.csv") == "F07"


def test_an_encrypted_workbook_asks_for_the_password_to_be_removed(tmp_path):
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + "EncryptionInfo".encode("utf-16-le")
    (tmp_path / "locked.xlsx").write_bytes(ole + b"\0" * 1000)
    assert error_code(tmp_path / "locked.xlsx") == "F04"


def test_a_zip_bomb_is_refused_before_parsing(tmp_path):
    with zipfile.ZipFile(tmp_path / "bomb.xlsx", "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * (3 * 2**20))
    assert error_code(tmp_path / "bomb.xlsx") == "F06"


def test_a_workbook_not_made_by_the_tool_points_to_the_template_command(tmp_path):
    wb = openpyxl.Workbook()
    wb.active["A1"] = "统计表"
    wb.save(tmp_path / "other.xlsx")
    with pytest.raises(UserError) as exc:
        read_workbook(tmp_path / "other.xlsx")
    assert exc.value.finding.code == "F05" and "xlsx-tool template" in exc.value.text()


def test_an_unknown_format_id_is_refused(make_filled_workbook, edit_with_openpyxl):
    def change(wb):
        wb["基本信息"]["B15"] = "2030"
        for p in wb.custom_doc_props.props:
            if p.name == "xlsx_tool_format":
                p.value = "2030"
    assert error_code(edit_with_openpyxl(make_filled_workbook(), change)) == "F08"


# -- other file types -----------------------------------------------------------------------------
@pytest.mark.parametrize("ext", ["ods", "xls"])
def test_ods_and_xls_are_read_by_position(make_filled_workbook, convert_with_soffice, ext):
    path = convert_with_soffice(make_filled_workbook(request_new_natural="１２"), ext)
    data = read_workbook(path)
    assert data.kind == ext and data.inputs["request_new_natural"] == 12
    assert data.inputs["request_carried_in_natural"] == 1 and data.info["year"] == "2024"
    assert data.narrative["overview"] == OVERVIEW
    assert [(f.code, f.cell) for f in data.findings] == [("V05", "D6"), ("S06", "J6")]
    assert "文本" in data.findings[1].message  # SUM skipped the text "１２": 6 shown, 18 read


def test_an_xlsx_saved_again_by_libreoffice_reads_cleanly(make_filled_workbook, convert_with_soffice):
    data = read_workbook(convert_with_soffice(make_filled_workbook(), "xlsx"))
    assert data.kind == "xlsx" and data.findings == [] and data.values()["request_new_total"] == 18


def test_a_stale_total_in_an_ods_file_is_noted(make_filled_workbook, convert_with_soffice,
                                               edit_with_openpyxl):
    typed_over = edit_with_openpyxl(make_filled_workbook(), lambda wb: wb["表四"].__setitem__("E6", 99))
    data = read_workbook(convert_with_soffice(typed_over, "ods"))
    f = only(data, "S06")
    assert (f.cell, f.left_value, f.right_value, f.difference) == ("E6", 99, 16, 83)


def test_an_xls_reaching_far_beyond_the_tables_is_refused_before_calamine_reads_it(tmp_path, convert_with_soffice):
    """A single cell at IV65536 once made calamine allocate about 1 GB; the BIFF records are
    walked first (F06 in a fraction of a second)."""
    wb = openpyxl.Workbook()
    wb.active["A1"], wb.active["IV65536"] = 1, 2
    wb.save(tmp_path / "far.xlsx")
    far = convert_with_soffice(tmp_path / "far.xlsx", "xls")
    script = ("from xlsx_tool.workbook.read import read_workbook\nfrom xlsx_tool.findings import UserError\n"
              f"try:\n    read_workbook({str(far)!r})\nexcept UserError as e:\n    print(e.finding.code)\n"
              # VmHWM: this process's own peak (ru_maxrss would carry pytest's over the exec)
              "print([l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')][0])")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60).stdout.split()
    assert out[0] == "F06" and int(out[1]) < 200 * 1024      # kB


def test_a_workbook_made_by_version_0_1_is_read_by_its_old_names_with_a_note(make_filled_workbook, edit_with_openpyxl):
    from openpyxl.workbook.defined_name import DefinedName
    from xlsx_tool.formats import model

    fmt = model.load("2021")
    src = make_filled_workbook(reconsideration_upheld=2,
                               litigation_after_reconsideration_pending=3,
                               note_reconsideration_litigation="注：复议2件均维持。")

    def to_version_0_1(wb):
        for old, new in fmt.former_names.items():
            target = wb.defined_names[new].attr_text
            del wb.defined_names[new]
            wb.defined_names[old] = DefinedName(old, attr_text=target)
        for prop in wb.custom_doc_props.props:
            if prop.name == "xlsx_tool_layout":
                prop.value = "0123456789abcdef"
            elif prop.name == "xlsx_tool_version":
                prop.value = "0.1.0"

    data = read_workbook(edit_with_openpyxl(src, to_version_0_1, name="旧版.xlsx"))
    assert data.inputs["reconsideration_upheld"] == 2
    assert data.inputs["litigation_after_reconsideration_pending"] == 3
    assert data.notes["reconsideration_litigation"] == "注：复议2件均维持。"
    [s08] = [f for f in data.findings if f.code == "S08"]
    assert s08.severity == NOTE and "0.1.0" in s08.message and "appeal_" in s08.message
    assert not [f for f in data.findings if f.code in ("S02", "S03") or f.severity == ERROR]
