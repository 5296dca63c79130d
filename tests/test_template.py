"""The fill-in workbook as a clerk sees it, read back with openpyxl."""
from __future__ import annotations

import re
import subprocess
import sys
from decimal import Decimal

import openpyxl
import pytest
from openpyxl.utils import range_boundaries

from xlsx_tool import __version__
from xlsx_tool.formats import model, placeholders, registry
from xlsx_tool.workbook import template, yearread
from xlsx_tool.findings import UserError
from xlsx_tool.workbook.template import write_template

FORMATS = {"2019": 2020, "2021": 2025}
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def blank(tmp_path_factory):
    """format id → (Format, workbook) of a blank template."""
    out = {}
    for fid, year in FORMATS.items():
        path = tmp_path_factory.mktemp(fid) / f"模板{fid}.xlsx"
        write_template(path, fid, year=year, org="示范县自然资源局")
        out[fid] = (model.load(fid), openpyxl.load_workbook(path))
    return out


def unlocked_positions(fmt: model.Format) -> dict[str, set[tuple[int, int]]]:
    """Every cell a clerk may type in, by sheet (0-based), derived from the model."""
    out: dict[str, set] = {fmt.info_sheet: set(), fmt.narrative_sheet: set()}
    out[fmt.info_sheet] = {pos for fid, pos in fmt.info_cells().items() if fid != model.FORMAT_ID}
    for _, first, last in fmt.narrative_rows().values():
        out[fmt.narrative_sheet] |= {(r, 1) for r in range(first, last + 1)}
    for tl in fmt.tables:
        boxes = [b for b in tl.boxes if b.role == "input" and fmt.cells[b.field_id].is_input]
        boxes += [tl.note] + [box for _, _, box in tl.choices]
        out[tl.sheet] = {(r, c) for b in boxes for r in range(b.row, b.row + b.rowspan)
                         for c in range(b.col, b.col + b.colspan)}
    first = yearread.EXPLANATION_FIRST_ROW
    out[yearread.EXPLANATION_SHEET] = {(r, c) for r in range(first, first + yearread.EXPLANATION_ROWS)
                                         for c in range(3)}
    return out


def addresses(formula: str) -> list[str]:
    """Cell addresses inside a formula, ranges expanded (``D6:F6`` → D6, E6, F6)."""
    out = []
    for a, b in re.findall(r"\b([A-Z]{1,3}\d+)(?::([A-Z]{1,3}\d+))?", formula):
        c1, r1, c2, r2 = range_boundaries(f"{a}:{b or a}")
        out += [model.a1(r - 1, c - 1) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)]
    return out


def find_cell(ws, row_label: str, col_label: str):
    """The cell a clerk finds by reading the row label and the column header."""
    row = next(r for r in range(1, ws.max_row + 1)
               if any(ws.cell(r, c).value == row_label for c in range(1, 4)))
    col = next(c for c in range(1, ws.max_column + 1)
               if any(ws.cell(r, c).value == col_label for r in range(1, row)))
    return ws.cell(row, col)


@pytest.mark.parametrize("fid", FORMATS)
def test_the_sheets_come_in_the_documented_order(blank, fid):
    fmt, wb = blank[fid]
    assert wb.sheetnames == ["填报说明", "基本信息", "正文", "表二", "表三", "表四", "说明"]
    assert [tl.sheet for tl in fmt.tables] == wb.sheetnames[3:6]


@pytest.mark.parametrize("fid", FORMATS)
def test_every_label_of_the_official_tables_reads_as_in_the_model(blank, fid):
    fmt, wb = blank[fid]
    for tl in fmt.tables:
        ws = wb[tl.sheet]
        assert ws["A1"].value == tl.heading
        for b in tl.boxes + tl.check_boxes + [tl.note_label]:
            if b.text:
                assert ws.cell(b.row + 1, b.col + 1).value == b.text, (tl.sheet, b)


@pytest.mark.parametrize("fid, sheet, text", [
    ("2021", "表三", "3.危及“三安全一稳定”"),
    ("2021", "表三", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"),
    ("2021", "表三", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
    ("2021", "表二", "本年收费金额（单位：万元）"),
    ("2021", "表二", "行政规范性文件"),
    ("2019", "表二", "本年增/减"),
    ("2019", "表二", "第二十条第（九）项"),
    ("2019", "表四", "未经复议直接起诉"),
])
def test_the_labels_use_the_exact_official_wording(blank, fid, sheet, text):
    ws = blank[fid][1][sheet]
    assert any(c.value == text for row in ws.iter_rows() for c in row)


@pytest.mark.parametrize("fid", FORMATS)
def test_spanning_headers_are_merged_cells(blank, fid):
    fmt, wb = blank[fid]
    for tl in fmt.tables:
        merged = {str(r) for r in wb[tl.sheet].merged_cells.ranges}
        for b in tl.boxes:
            if b.merged:
                want = f"{model.a1(b.row, b.col)}:{model.a1(b.row + b.rowspan - 1, b.col + b.colspan - 1)}"
                assert want in merged, (tl.sheet, b.text)
    assert "D3:J3" in {str(r) for r in wb["表三"].merged_cells.ranges}   # 申请人情况


@pytest.mark.parametrize("fid", FORMATS)
def test_it_unlocks_only_the_input_cells(blank, fid):
    fmt, wb = blank[fid]
    expected = unlocked_positions(fmt)
    for ws in wb.worksheets:
        found = {(c.row - 1, c.column - 1) for row in ws.iter_rows() for c in row
                 if not c.protection.locked}
        assert found == expected.get(ws.title, set()), ws.title


@pytest.mark.parametrize("fid", FORMATS)
def test_every_sheet_is_protected_without_a_password(blank, fid):
    for ws in blank[fid][1].worksheets:
        assert ws.protection.sheet and not ws.protection.password, ws.title


@pytest.mark.parametrize("fid", FORMATS)
def test_every_numeric_input_has_a_validation_with_short_chinese_messages(blank, fid):
    fmt, wb = blank[fid]
    kinds = {"count": ("whole", "0"), "signed_count": ("whole", "-999999999"),
             "money": ("decimal", "0"), "amount": ("decimal", "0")}
    for tl in fmt.tables:
        rules = {}
        for dv in wb[tl.sheet].data_validations.dataValidation:
            for rng in dv.sqref.ranges:
                c1, r1, c2, r2 = range_boundaries(rng.coord)
                rules.update({(r - 1, c - 1): dv for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)})
        for cell in (c for c in tl.cells if c.is_input):
            dv = rules[(cell.row, cell.col)]
            assert (dv.type, dv.formula1) == kinds[cell.type], cell.id
            assert dv.showErrorMessage and dv.errorStyle in (None, "stop")
            assert len(dv.promptTitle) <= 32 and len(dv.errorTitle) <= 32
            assert len(dv.prompt) <= 255 and len(dv.error) <= 255
            assert CJK.search(dv.prompt) and CJK.search(dv.error)
            assert cell.col_label in dv.prompt
            assert wb[tl.sheet].cell(cell.row + 1, cell.col + 1).number_format != "@"
    count = next(c for c in fmt.cells.values() if c.type == "count" and c.is_input)
    dv = next(d for d in wb[count.sheet].data_validations.dataValidation if count.a1 in d.sqref)
    assert dv.operator in (None, "between") and dv.formula2 == "999999999"
    assert dv.error == "请输入不小于 0 的整数。没有数据请填 0。"


@pytest.mark.parametrize("fid", FORMATS)
def test_totals_are_grey_locked_sum_formulas_of_their_parts(blank, fid):
    fmt, wb = blank[fid]
    totals = [c for c in fmt.cells.values() if c.total_of]
    assert totals
    for cell in totals:
        xl = wb[cell.sheet][cell.a1]
        assert xl.value.startswith("=SUM("), cell.id
        assert sorted(addresses(xl.value)) == sorted(fmt.cells[p].a1 for p in cell.total_of)
        assert xl.protection.locked and xl.fill.fgColor.rgb.endswith("D9D9D9")
    assert wb["表三"]["J6"].value == "=SUM(D6:I6)"   # 一、本年新收 › 总计


def test_a_blank_template_stores_no_stale_zero_for_totals(tmp_path):
    path = write_template(tmp_path / "t.xlsx", "2021", year=2025)
    values = openpyxl.load_workbook(path, data_only=True)
    fmt = model.load("2021")
    assert all(values[c.sheet][c.a1].value in (None, "") for c in fmt.cells.values() if c.total_of)


@pytest.mark.parametrize("fid", FORMATS)
def test_each_cross_check_shows_a_tick_the_difference_or_what_is_missing(blank, fid):
    fmt, wb = blank[fid]
    for tl in fmt.tables:
        ws = wb[tl.sheet]
        colours = {}
        for cf in ws.conditional_formatting:
            for r in cf.rules:
                colours.setdefault(str(cf.sqref), []).append((r.formula[0], str(r.dxf.fill.bgColor.rgb)))
        for rule in tl.rules:
            formula = ws[rule.check_a1].value
            assert formula.startswith("=IF(COUNT(") and '"✓"' in formula, rule
            assert '"未填"&' in formula and '"有非数字"' in formula
            leaves = {fmt.cells[x].a1 for i in rule.left + rule.right for x in fmt.leaves(i)}
            assert set(addresses(formula)) == {fmt.cells[i].a1 for i in rule.left + rule.right} | leaves
            shown = colours[rule.check_a1]   # green ✓, amber 未填N格, red otherwise, in this order
            assert [c[-6:] for _, c in shown] == ["C6EFCE", "FFEB9C", "C00000"]
            assert "未填" in shown[1][0]


@pytest.mark.parametrize("fid", FORMATS)
def test_defined_names_point_to_every_field(blank, fid):
    fmt, wb = blank[fid]
    names = {n: d.attr_text for n, d in wb.defined_names.items()}

    def target(sheet, row, col, last=None):
        end = f":{model.a1(last, col)}" if last is not None else ""
        return f"'{sheet}'!" + re.sub(r"([A-Z]+)(\d+)", r"$\1$\2", model.a1(row, col) + end)

    for cell in fmt.cells.values():
        assert names[cell.id] == target(cell.sheet, cell.row, cell.col), cell.id
    for fid_, (r, c) in fmt.info_cells().items():
        assert names[fid_] == target(fmt.info_sheet, r, c)
    for sid, (_, first, last) in fmt.narrative_rows().items():
        assert names[f"narrative_{sid}"] == target(fmt.narrative_sheet, first, 1, last)
    for tl in fmt.tables:
        assert names[tl.note_id] == target(tl.sheet, tl.note.row, tl.note.col)
        for spec, _, box in tl.choices:
            assert names[spec["id"]] == target(tl.sheet, box.row, box.col)


def test_the_basic_information_sheet_holds_org_year_and_a_locked_format_id(blank):
    fmt, wb = blank["2021"]
    ws, pos = wb["基本信息"], fmt.info_cells()
    assert [ws.cell(3, c).value for c in (1, 2, 3)] == ["项目", "填写内容", "填写说明"]
    for f in fmt.info:
        assert ws.cell(pos[f["id"]][0] + 1, 1).value == f["label"]
    org, year, fmt_id = (ws.cell(pos[k][0] + 1, 2) for k in ("org_name", "year", model.FORMAT_ID))
    assert (org.value, year.value, fmt_id.value) == ("示范县自然资源局", 2025, "2021")
    assert ws.cell(pos[model.FORMAT_ID][0] + 1, 1).value == model.FORMAT_LABEL
    assert fmt_id.protection.locked
    assert ws.cell(pos[model.FORMAT_ID][0] + 2, 2).value == __version__
    dv = next(d for d in ws.data_validations.dataValidation if year.coordinate in d.sqref)
    first, last = registry.supported_years()          # the years that have an official format
    assert (dv.type, dv.formula1, dv.formula2) == ("whole", str(first), str(last))


@pytest.mark.parametrize("fid", FORMATS)
def test_the_guide_explains_filling_checking_and_the_deadline(blank, fid):
    fmt, wb = blank[fid]
    text = "\n".join(str(c.value) for row in wb["填报说明"].iter_rows() for c in row if c.value)
    for needed in ("浅黄色", "没有数据请填 0", "公式", "✓", f"{FORMATS[fid] + 1}年1月31日",
                   "第四十九条", "xlsx-tool serve", "xlsx-tool check 文件名.xlsx", "xlsx-tool render 文件名.xlsx -o 报告.docx",
                   fmt.document, f"{FORMATS[fid]}年1月1日至{FORMATS[fid]}年12月31日", "注"):
        assert needed in text, needed
    for tl in fmt.tables:
        assert f"“{tl.sheet}”：{tl.heading}" in text
    assert placeholders.PLACEHOLDER_HELP in text


@pytest.mark.parametrize("fid", FORMATS)
def test_custom_properties_identify_format_version_and_layout(blank, fid):
    fmt, wb = blank[fid]
    props = {p.name: p.value for p in wb.custom_doc_props.props}
    assert props == {"xlsx_tool_format": fid, "xlsx_tool_version": __version__,
                     "xlsx_tool_layout": fmt.layout_hash}
    assert str(FORMATS[fid]) in wb.properties.title and wb.properties.creator == "示范县自然资源局"


def test_it_refuses_to_overwrite_an_existing_file_without_force(tmp_path):
    path = tmp_path / "年报.xlsx"
    path.write_bytes(b"clerk's work")
    with pytest.raises(UserError) as err:
        write_template(path, "2021", year=2025)
    assert err.value.finding.code == "O01" and str(path) in str(err.value)
    assert path.read_bytes() == b"clerk's work"


def test_it_overwrites_with_force(tmp_path):
    path = tmp_path / "年报.xlsx"
    write_template(path, "2021", year=2025, org="甲")
    assert write_template(path, "2021", year=2025, org="乙", force=True) == path
    assert openpyxl.load_workbook(path)["基本信息"]["B4"].value == "乙"
    assert [p.name for p in tmp_path.iterdir()] == ["年报.xlsx"]


def test_it_reports_a_missing_folder(tmp_path):
    with pytest.raises(UserError) as err:
        write_template(tmp_path / "没有" / "t.xlsx", "2021", year=2025)
    assert err.value.finding.code == "O02"


def test_a_failed_write_leaves_no_half_written_or_temporary_file(tmp_path, monkeypatch):
    path = tmp_path / "年报.xlsx"
    path.write_bytes(b"old")

    def broken(tmp, *args):
        tmp.write_bytes(b"half")
        raise RuntimeError("disk full")

    monkeypatch.setattr(template, "_build", broken)
    with pytest.raises(RuntimeError):
        write_template(path, "2021", year=2025, force=True)
    assert [p.name for p in tmp_path.iterdir()] == ["年报.xlsx"] and path.read_bytes() == b"old"


def test_prefill_puts_numbers_where_the_labels_say(tmp_path):
    path = write_template(tmp_path / "t.xlsx", "2021", year=2025, prefill={
        "request_new_natural": 7, "request_new_business": 3, "request_new_research": "１２",
        "proactive_fees_amount": Decimal("24.311082"), "reconsideration_upheld": "abc"})
    wb, values = openpyxl.load_workbook(path), openpyxl.load_workbook(path, data_only=True)
    assert find_cell(wb["表三"], "一、本年新收政府信息公开申请数量", "自然人").value == 7
    assert find_cell(wb["表三"], "一、本年新收政府信息公开申请数量", "科研机构").value == "１２"
    assert find_cell(wb["表二"], "行政事业性收费", "本年收费金额（单位：万元）").value == pytest.approx(24.311082)
    assert wb["表四"]["A6"].value == "abc"
    total = find_cell(values["表三"], "一、本年新收政府信息公开申请数量", "总计")
    assert total.value == 10   # the cached result is right where it is known; text counts 0 in SUM
    # X01 自然人 cannot be judged yet: its other 23 cells are blank
    assert values["表三"][model.load("2021").rules[0].check_a1].value == "未填23格"


def test_prefill_fills_paragraphs_notes_info_and_choices(tmp_path):
    path = write_template(tmp_path / "t.xlsx", "2019", year=2020, org="甲", prefill={
        "narrative_problems": ["一是问题。", "二是改进。"], "note_request": "注：含结转。",
        "org_name": "乙镇人民政府", "procurement_unit": "万元", "website_url": "http://x.gov.cn/"})
    fmt, wb = model.load("2019"), openpyxl.load_workbook(path)
    ws = wb["正文"]
    head, first, _ = fmt.narrative_rows()["problems"]
    assert ws.cell(head + 1, 1).value == "五、存在的主要问题及改进情况"
    assert [ws.cell(first + 1 + i, 2).value for i in range(3)] == ["一是问题。", "二是改进。", None]
    assert ws.cell(first + 2, 1).value == "第2段"
    request = fmt.table("request")
    assert wb["表三"].cell(request.note.row + 1, 1).value == "注：含结转。"
    assert wb["基本信息"]["B4"].value == "乙镇人民政府"
    _, _, unit = fmt.table("proactive").choices[0]
    assert wb["表二"].cell(unit.row + 1, unit.col + 1).value == "万元"


def test_choices_default_and_offer_a_list(blank):
    fmt, wb = blank["2019"]
    spec, label, box = fmt.table("proactive").choices[0]
    ws = wb["表二"]
    assert ws.cell(label.row + 1, label.col + 1).value == spec["label"]
    assert ws.cell(box.row + 1, box.col + 1).value == spec["default"]
    dv = next(d for d in ws.data_validations.dataValidation if model.a1(box.row, box.col) in d.sqref)
    assert dv.type == "list" and dv.formula1 == '"元,万元"'


@pytest.mark.parametrize("prefill", [{"no_such_cell": 1}, {"request_new_total": [5]},
                                     {"narrative_overview": "不是列表"}, {"request_new_natural": [1]}])
def test_bad_prefill_is_rejected_before_anything_is_written(tmp_path, prefill):
    with pytest.raises(ValueError):
        write_template(tmp_path / "t.xlsx", "2021", year=2025, prefill=prefill)
    assert not list(tmp_path.iterdir())


def test_a_total_in_the_prefill_is_written_over_its_formula_and_read_back_as_typed(tmp_path):
    """A published report's printed total that does not add up survives into the workbook."""
    from xlsx_tool.checks.check import check_file

    path = write_template(tmp_path / "t.xlsx", "2021", year=2025,
                          prefill={"request_new_natural": 5, "request_new_business": 1, "request_new_total": 0,
                                   "request_carried_in_total": None})
    found = {(f.code, f.cell) for f in check_file(path, blank_as_zero=True).errors + check_file(path, blank_as_zero=True).warnings}
    assert ("S04", "J6") in found          # printed 0, parts 5 + 1
    assert ("S05", "J7") in found          # printed blank over the formula
    wb = openpyxl.load_workbook(path)
    assert wb["表三"]["J6"].value == 0 and wb["表三"]["J8"].value.startswith("=SUM(")


def test_writing_a_template_does_not_load_the_word_libraries():
    code = ("import sys, xlsx_tool.workbook.template; "
            "assert not {'docx', 'docxtpl'} & set(sys.modules), sorted(sys.modules)")
    subprocess.run([sys.executable, "-c", code], check=True)
