"""Reading published reports given as text: the seed report, page text with its cell boundaries
gone, text from a PDF with labels cut across lines, and the report's structure.

A wrong number must fail these tests: every test compares whole rows of numbers, and rows that
cannot be read for sure must be reported (P17/P25) and left unread — never guessed.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from xlsx_tool.checks.check import check
from xlsx_tool.formats import model
from xlsx_tool.published import read_report
from xlsx_tool.published.split import EMPTY
from xlsx_tool.workbook import sample

FIXTURES = Path(__file__).parent / "fixtures" / "published"


def codes(data, code):
    return [f for f in data.findings if f.code == code]


def row(data, prefix: str) -> list:
    """The printed values of one table row (inputs and printed totals), in column order."""
    fmt = data.fmt
    cells = sorted((c for c in fmt.cells.values() if c.id.startswith(prefix) and c.id[len(prefix):].count("_") <= 1
                    and c.row_key == fmt.cells[next(i for i in fmt.cells if i.startswith(prefix))].row_key),
                   key=lambda c: c.col)
    return [data.inputs.get(c.id) if c.is_input else data.printed.get(c.id) for c in cells]


def write(tmp_path, text: str, name: str = "报告.txt") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# -- the seed report --------------------------------------------------------------------------------
def test_the_seed_report_as_text_imports_to_exactly_the_numbers_of_the_bundled_sample():
    data = read_report(FIXTURES / "wenchang-2020.md")
    expected = sample.load(sample.bundled("wenchang-2020.toml"))
    assert data.fmt.id == "2019"
    assert data.inputs == expected.inputs
    assert data.values() == expected.values()
    anonymised = {"phone": "0000-0000001", "fax": "0000-0000002", "email": "office@example.com"}
    assert data.info == {**expected.info, **anonymised}
    assert {k: v for k, v in data.narrative.items() if v} == {k: v for k, v in expected.narrative.items() if v}


def test_the_seed_reports_tables_balance_so_audit_finds_no_error():
    result = check(read_report(FIXTURES / "wenchang-2020.md"))
    assert result.ok, [f.text() for f in result.errors]
    # the rows printed with one cell too many (all zeros) are read, and said so
    extra = codes(result.data, "P18")
    assert extra and all("各种读法结果相同" in f.message for f in extra)


# -- page text: digits run together -------------------------------------------------------------------
def test_digits_run_together_are_split_by_the_column_count():
    data = read_report(FIXTURES / "page-text-runs-2024.txt")
    assert data.fmt.id == "2021" and data.info["org_name"] == "某某片区管理局" and data.year == 2024
    assert not data.uncertain
    assert row(data, "request_carried_in_") == [1, 0, 0, 0, 0, 0, 1]
    assert row(data, "request_unable_no_info_") == [2, 1, 0, 0, 0, 0, 3]
    recon = [data.inputs["reconsideration_upheld"], data.inputs["reconsideration_pending"],
             data.printed["reconsideration_total"], data.inputs["litigation_after_reconsideration_upheld"]]
    assert recon == [1, 1, 2, 1]
    assert check(data).ok


def test_a_run_with_several_splits_is_settled_by_the_rows_cross_check_and_said_so():
    data = read_report(FIXTURES / "page-text-runs-2024.txt")
    # "123000015": 12 自然人 + 3 商业企业 = 15 is the only split whose 总计 adds up
    assert row(data, "request_new_") == [12, 3, 0, 0, 0, 0, 15]
    note = next(f for f in codes(data, "P16") if "三、" in f.labels)
    assert "123000015" in note.message and "12、3、0、0、0、0、15" in note.message
    assert "勾稽关系" in note.message


def test_a_row_that_adds_up_under_no_split_is_an_error_and_is_not_read():
    data = read_report(FIXTURES / "page-text-total-left-0-2024.txt")
    [error] = codes(data, "P25")
    assert "4100000" in error.message and "一、本年新收" in error.labels
    fmt = data.fmt
    for c in fmt.cells.values():
        if c.row_key == "new":
            assert c.id in data.uncertain
            assert data.inputs.get(c.id) is None and c.id not in data.blank
    assert not check(data).ok


def test_the_text_is_not_said_to_contradict_a_table_number_that_could_not_be_read(tmp_path):
    """“受理政府信息公开申请5件” beside a 本年新收 row that adds up under no split (P25): the
    table's number is unknown, so no N01 “表三为 0 件”; a number that was read is still compared."""
    text = (FIXTURES / "page-text-total-left-0-2024.txt").read_text(encoding="utf-8")
    assert "4100000" in text and "（一）主动公开。" in text
    said = text.replace("（一）主动公开。", "（一）主动公开。全年共受理政府信息公开申请5件，均按时答复。"
                                            "办理因政府信息公开引起的行政复议9件。", 1)
    data = read_report(write(tmp_path, said))
    assert "request_new_total" in data.uncertain
    n01 = [f for f in check(data).warnings if f.code == "N01"]
    assert [f.extra["phrase"] for f in n01] == ["行政复议9件"], [f.message for f in n01]


def test_an_amount_with_several_possible_splits_is_uncertain_and_quotes_the_printed_text(tmp_path):
    text = ("某某局2020年政府信息公开工作年度报告\n二、主动公开政府信息情况"
            "第二十条第（九）项信息内容采购项目数量采购总金额政府集中采购1018703元三、收到和处理政府信息公开申请情况\n")
    data = read_report(write(tmp_path, text))
    [p17] = codes(data, "P17")
    assert "1018703" in p17.message and "政府集中采购" in p17.labels
    assert data.inputs["proactive_procurement_items"] is None
    assert data.inputs["proactive_procurement_amount"] is None
    assert set(p17.extra["cells"]) == {"proactive_procurement_items", "proactive_procurement_amount"}


def test_one_cell_per_line_continues_the_row(tmp_path):
    lines = ["某某局2024年政府信息公开工作年度报告", "四、政府信息公开行政复议、行政诉讼情况",
             "行政复议", "行政诉讼"] + [str(n) for n in (1, 0, 0, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)]
    data = read_report(write(tmp_path, "\n".join(lines) + "\n"))
    assert data.inputs["reconsideration_upheld"] == 1 and data.inputs["reconsideration_pending"] == 1
    assert data.printed["reconsideration_total"] == 2
    assert data.inputs["litigation_direct_upheld"] == 0


# -- text from a PDF: labels cut across lines, group labels in a column, header repeated -------------
def test_text_laid_out_from_a_pdf_reads_every_row():
    data = read_report(FIXTURES / "layout-text-2023.txt")
    assert data.fmt.id == "2021" and data.year == 2023 and not data.uncertain
    assert row(data, "request_new_") == [3402, 99, 0, 4, 5, 1, 3511]
    assert row(data, "request_withheld_law_") == [27, 0, 0, 0, 0, 0, 27]          # label cut as “…禁止公 / 开”
    assert row(data, "request_not_processed_confirm_") == [4, 0, 0, 0, 0, 0, 4]   # label around the numbers
    assert row(data, "request_otherwise_overdue_fee_") == [10, 0, 0, 0, 0, 0, 10]  # “2.逾期不缴费”
    assert row(data, "request_outcome_total_") == [3375, 99, 0, 4, 7, 1, 3486]
    t4 = [data.inputs.get(c.id) if c.is_input else data.printed.get(c.id)
          for c in sorted(data.fmt.table("reconsideration_litigation").cells, key=lambda c: c.col)]
    assert t4 == [309, 17, 88, 26, 440, 1, 1, 16, 6, 24, 13, 0, 67, 9, 89]
    abbreviated = [f.extra["printed"] for f in codes(data, "P11")]
    assert "1.逾期不补正" in abbreviated and "2.逾期不缴费" in abbreviated
    assert check(data).ok
    assert data.narrative["overview_proactive"] == ["全年主动公开政府信息若干条，规范性文件全部按规定公开。"]


# -- formats and structure -----------------------------------------------------------------------------
def test_a_2021_report_printed_with_2019_tables_is_read_as_printed_and_is_an_error():
    data = read_report(FIXTURES / "old-format-2021.txt")
    assert data.fmt.id == "2019" and data.year == 2021
    [p10] = codes(data, "P10")
    assert p10.severity == "错误" and "2019" in p10.message and "2021" in p10.message
    assert data.inputs["proactive_other_services_last_year"] == 0


SEVEN_PARTS = """某某镇人民政府2024年政府信息公开工作年度报告
一、总体情况
全年主动公开信息100条。
二、主动公开政府信息情况
三、收到和处理政府信息公开申请情况
四、政府信息公开行政复议、行政诉讼情况
五、信息处理费收取情况
通知收取件数\t通知收取金额\t实际收取金额
1\t50\t50
六、存在的主要问题及改进情况
宣传不够。
七、其他需要报告的事项
无。
"""


def test_a_seven_part_report_with_a_fee_table_as_part_five_is_said_to_deviate(tmp_path):
    data = read_report(write(tmp_path, SEVEN_PARTS))
    found = {f.code: f for f in data.findings}
    assert "P05" in found or "P04" in found
    assert data.narrative["problems"] == ["宣传不够。"]
    assert data.narrative["other_matters"] == ["无。"]
    assert all(v is None for k, v in data.inputs.items() if k.startswith("proactive_"))   # fees not mixed in


def test_a_report_without_part_six_names_the_missing_part(tmp_path):
    text = SEVEN_PARTS.split("五、信息处理费")[0] + "五、存在的主要问题及改进情况\n宣传不够。\n"
    data = read_report(write(tmp_path, text))
    [p03] = codes(data, "P03")
    assert "六、其他需要报告的事项" in p03.message


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030", "utf-8-sig"])
def test_text_in_any_usual_encoding_reads_the_same(tmp_path, encoding):
    text = (FIXTURES / "page-text-runs-2024.txt").read_text("utf-8")
    path = tmp_path / "报告.txt"
    path.write_bytes(text.encode(encoding))
    assert read_report(path).inputs == read_report(FIXTURES / "page-text-runs-2024.txt").inputs


def test_blank_printed_cells_stay_blank_and_are_not_zero(tmp_path):
    fmt = model.load("2021")
    lines = ["某某局2024年政府信息公开工作年度报告", "二、主动公开政府信息情况",
             "第二十条第（一）项", "信息内容\t本年制发件数\t本年废止件数\t现行有效件数",
             "规章\t\t0\t3", "行政规范性文件\t1\t0\t4"]
    data = read_report(write(tmp_path, "\n".join(lines) + "\n"))
    assert data.inputs["proactive_rules_issued"] is None and "proactive_rules_issued" in data.blank
    assert data.inputs["proactive_rules_in_force"] == 3
    assert data.inputs["proactive_normative_issued"] == 1
    assert any("规章" in " ".join(f.extra.get("cells", [])) for f in codes(data, "P13"))
    assert fmt.cells["proactive_rules_issued"].is_input and EMPTY is not None
