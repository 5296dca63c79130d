"""Reading published reports saved as web pages: Word's MSO markup, GBK pages, rowspan/colspan,
tables split in two with the header repeated, 表四 in three blocks, the 8-column 表三, label typos,
missing rows and cells, extra tables.  Each case compares whole tables of numbers."""
from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

import published_forms as pf
from xlsx_tool.checks.check import check
from xlsx_tool.formats import model
from xlsx_tool.published import read_report

FIXTURES = Path(__file__).parent / "fixtures" / "published"
F19, F21 = model.load("2019"), model.load("2021")


def codes(data, code):
    return [f for f in data.findings if f.code == code]


def numbers(fmt, seed: int = 3) -> dict:
    """A balanced report with numbers of one to four digits in every cell."""
    inputs = {}
    for i, c in enumerate(c for c in fmt.cells.values() if c.is_input):
        inputs[c.id] = (i * 37 + seed) % 9 if c.table == "proactive" else 0
    for col, (new, carried, disclosed, partial) in zip(("natural", "business", "other"), ((1520, 12, 800, 400), (33, 0, 20, 3), (7, 1, 5, 0))):
        inputs[f"request_new_{col}"], inputs[f"request_carried_in_{col}"] = new, carried
        inputs[f"request_disclosed_{col}"], inputs[f"request_partial_{col}"] = disclosed, partial
        inputs[f"request_carried_out_{col}"] = new + carried - disclosed - partial
    inputs.update(reconsideration_upheld=5, reconsideration_pending=2, litigation_direct_corrected=1)
    return pf.printed_values(fmt, inputs)


def assert_read(data, printed: dict) -> None:
    """Every printed number read as printed: inputs and totals alike."""
    fmt = data.fmt
    for cid, v in printed.items():
        got = data.inputs.get(cid) if fmt.cells[cid].is_input else data.printed.get(cid)
        assert got == v, (cid, got, v)


def page(tmp_path, text: str, name: str = "年报.html", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


# -- rowspan / colspan, MSO markup, encodings -------------------------------------------------------------
def test_a_web_page_with_merged_cells_reads_every_number(tmp_path):
    printed = numbers(F21)
    data = read_report(page(tmp_path, pf.html(F21, printed, year=2025)))
    assert data.kind == "html" and data.fmt.id == "2021" and data.year == 2025
    assert_read(data, printed)
    assert not data.uncertain and check(data).ok


def test_a_word_page_saved_as_html_keeps_placeholders_annotations_and_blanks():
    data = read_report(FIXTURES / "mso-2021.html")
    assert data.info["org_name"] == "某某县交通运输局" and data.year == 2025
    # "—" and "/" are kept as printed, not read as 0
    assert {k: v for k, v in data.placeholders.items()} == {
        "proactive_rules_issued": "—", "proactive_rules_repealed": "—", "proactive_rules_in_force": "—",
        "proactive_penalty_decisions": "/"}
    assert all(data.inputs[k] is None for k in data.placeholders)
    # "55（含自然失效29件）": the number, with the annotation as the table's note
    assert data.inputs["proactive_normative_in_force"] == 55
    assert "含自然失效29件" in data.notes["proactive"]
    assert data.inputs["proactive_licensing_decisions"] == 1234            # printed "1,234"
    assert data.inputs["proactive_fees_amount"] == Decimal("0.35")
    # a blank cell stays blank
    assert data.inputs["request_new_research"] is None and "request_new_research" in data.blank
    assert data.printed["request_new_total"] == 12
    assert data.inputs["request_new_natural"] == 10 and data.inputs["request_unable_no_info_business"] == 1
    assert [f.code for f in data.findings if f.code.startswith("P")] == ["P15", "P14", "P13", "P21"]
    assert check(data).ok


def test_the_fee_table_is_recognised_and_not_mixed_into_table_two():
    data = read_report(FIXTURES / "mso-2021.html")
    [extra] = codes(data, "P21")
    assert "信息处理费收取情况" in extra.message and "通知收取件数" in extra.message
    assert data.inputs["proactive_normative_issued"] == 2 and data.inputs["proactive_normative_repealed"] == 1


def test_gbk_pages_read_with_or_without_a_declared_charset():
    declared = read_report(FIXTURES / "gbk-declared-2024.html")
    bare = read_report(FIXTURES / "gbk-undeclared-2024.html")
    assert declared.info["org_name"] == bare.info["org_name"] == "某某镇人民政府"
    assert declared.inputs == bare.inputs and declared.inputs["request_new_natural"] == 10
    assert not (FIXTURES / "gbk-undeclared-2024.html").read_bytes().decode("latin-1").count("charset")


def test_a_declared_charset_wins_over_sniffing(tmp_path):
    printed = numbers(F21)
    text = pf.html(F21, printed, charset="gbk")
    data = read_report(page(tmp_path, text, encoding="gb18030"))
    assert_read(data, printed)


# -- tables split, repeated headers, 表四 blocks, the 8-column 表三 --------------------------------------
def test_a_table_split_in_two_with_its_header_repeated_reads_as_one(tmp_path):
    printed = numbers(F21)
    text = pf.html(F21, printed)
    body = text.split("<p><b>三、")[1].split("</table>")[0]
    rows = body.split("\n")
    header = [r for r in rows if r.startswith("<tr>")][:3]
    cut = next(i for i, r in enumerate(rows) if "（四）无法提供" in r)
    split = "\n".join(rows[:cut]) + "\n</table>\n<p>（续表）</p>\n<table border=1>\n" + "\n".join(header + rows[cut:])
    data = read_report(page(tmp_path, text.replace(body, split)))
    assert_read(data, printed)
    assert not codes(data, "P22") and not codes(data, "P23")


def test_table_four_printed_as_three_blocks(tmp_path):
    printed = numbers(F21)
    text = pf.html(F21, printed)
    blocks = []
    for key, name in (("reconsideration", "行政复议"), ("litigation_direct", "行政诉讼（未经复议直接起诉）"),
                      ("litigation_after_reconsideration", "行政诉讼（复议后起诉）")):
        cells = "".join(f"<td>{printed[f'{key}_{c}']}</td>" for c in ("upheld", "corrected", "other", "pending", "total"))
        blocks.append(f"<table><tr><td colspan=5>{name}</td></tr><tr><td>结果维持</td><td>结果纠正</td><td>其他结果</td>"
                      f"<td>尚未审结</td><td>总计</td></tr><tr>{cells}</tr></table>")
    start = text.index("<table", text.index("<p><b>四、"))
    end = text.index("</table>", start) + len("</table>")
    data = read_report(page(tmp_path, text[:start] + "\n".join(blocks) + text[end:]))
    assert_read(data, printed)


def with_subtotal_column(text: str, printed: dict, wrong_row: str) -> str:
    """表三 with a 小计 column after 其他 (the 28 × 8 layout); ``wrong_row``'s subtotal off by one."""
    parts = ("business", "research", "public_interest", "legal_service", "other")
    start = text.index("<table", text.index("<p><b>三、"))
    end = text.index("</table>", start)
    labels = {c.row_label: c.row_key for c in F21.cells.values() if c.table == "request"}
    out = []
    for ln in text[start:end].split("\n"):
        ln = ln.replace("colspan=7>申请人情况", "colspan=8>申请人情况").replace("colspan=5>法人或其他组织", "colspan=6>法人或其他组织")
        if ">商业企业<" in ln:
            ln = ln.replace(">其他</td>", ">其他</td><td>小计</td>", 1)
        key = next((k for lab, k in labels.items() if f">{lab}<" in ln), None)
        if key:
            sub = sum(printed[f"request_{key}_{c}"] for c in parts) + (1 if key == wrong_row else 0)
            at = ln.rindex("<td")
            ln = ln[:at] + f"<td>{sub}</td>" + ln[at:]
        out.append(ln)
    return text[:start] + "\n".join(out) + text[end:]


def test_an_extra_subtotal_column_is_checked_and_dropped(tmp_path):
    printed = numbers(F21)
    data = read_report(page(tmp_path, with_subtotal_column(pf.html(F21, printed), printed, "partial")))
    assert_read(data, printed)
    assert len(codes(data, "P19")) == 1
    [p20] = codes(data, "P20")
    assert "（二）部分公开" in p20.labels and p20.severity == "错误"


# -- labels, missing rows and cells ---------------------------------------------------------------------
def test_label_typos_are_read_as_the_official_labels_and_named():
    data = read_report(FIXTURES / "label-typos-2019.html")
    assert data.fmt.id == "2019" and not data.uncertain
    printed = {f.extra.get("printed") for f in codes(data, "P11")}
    assert {"本公开数量", "2.其他法律行政止公开", "行政法复议"} <= printed
    assert data.inputs["request_new_natural"] == 10 and data.inputs["reconsideration_upheld"] == 1
    assert check(data).ok


def test_a_missing_row_is_blank_and_a_missing_cell_never_shifts_the_row():
    data = read_report(FIXTURES / "missing-2023.html")
    [p12] = codes(data, "P12")
    assert "规章" in p12.message
    assert all(data.inputs[f"proactive_rules_{c}"] is None for c in ("issued", "repealed", "in_force"))
    # 四、结转下年度继续办理 printed with six numbers for seven columns: not read, not shifted
    carried_out = [c.id for c in data.fmt.cells.values() if c.row_key == "carried_out"]
    assert all(cid in data.uncertain for cid in carried_out)
    assert all(data.inputs.get(cid) is None for cid in carried_out)
    [p17] = codes(data, "P17")
    assert "四、结转下年度继续办理" in p17.labels
    assert data.inputs["request_new_public_interest"] == 1


def test_table_two_of_2019_in_separate_blocks_with_the_amount_in_wan_yuan(tmp_path):
    printed = numbers(F19)
    printed["proactive_procurement_amount"] = Decimal("1234.5")
    text = pf.html(F19, printed, year=2020)
    text = text.replace(">1234.5<", ">1234.5万元<")
    text = re.sub(r"(<tr><td rowspan=1 colspan=4>第二十条)", r"</table><table border=1>\1", text)
    data = read_report(page(tmp_path, text))
    assert_read(data, printed)
    assert data.choices["procurement_unit"] == "万元"
    assert codes(data, "P24")


def test_a_page_laid_out_with_a_table_around_the_article_reads_the_tables_inside(tmp_path):
    printed = numbers(F21)
    text = pf.html(F21, printed, mso=True)
    body = text.split("<body>")[1].split("</body>")[0]
    framed = text.replace(body, "<table width=100%><tr><td>首页 &gt; 政府信息公开 &gt; 年报</td></tr>"
                                f"<tr><td>{body}</td></tr></table>")
    data = read_report(page(tmp_path, framed))
    assert_read(data, printed)
    assert data.info["org_name"] == "某某县人民政府" and not codes(data, "P03")


def test_a_note_printed_as_the_last_row_of_a_table_becomes_its_note(tmp_path):
    printed = numbers(F21)
    text = pf.html(F21, printed)
    end = text.index("</table>", text.index("<p><b>三、"))
    text = text[:end] + "<tr><td colspan=10>注：本表数据含上年度结转申请。</td></tr>" + text[end:]
    data = read_report(page(tmp_path, text))
    assert data.notes["request"] == "注：本表数据含上年度结转申请。"
    assert_read(data, printed)


@pytest.mark.parametrize("body, words", [
    ("<table><tr><td>一、本年新收政府信息公开申请数量</td><td>1</td></tr></table>" * 101, "表格超过 100 个"),
    (("<table>" + "<tr><td>一、本年新收政府信息公开申请数量</td><td>1</td></tr>" * 290 + "</table>") * 11, "合计超过 3000 行"),
    ("<p>x" * 200_001, "个标记"),
])
def test_a_page_of_countless_tables_rows_or_tags_is_refused_before_matching(tmp_path, body, words):
    """Every table is matched against every official table (about 0.3 ms a row), every tag walked:
    20 000 small tables once took 9 s of CPU, a 20 MB page would have taken minutes."""
    from xlsx_tool.findings import UserError
    from xlsx_tool.published import read_report

    page = tmp_path / "年报.html"
    page.write_text(f"<html><body><p>某某局2024年政府信息公开工作年度报告</p>{body}</body></html>", encoding="utf-8")
    with pytest.raises(UserError) as exc:
        read_report(page)
    assert exc.value.code == "F25" and words in exc.value.finding.message


def test_a_long_run_of_letters_is_searched_in_linear_time(tmp_path):
    """The e-mail pattern starts only where a run of address characters starts: a page whose
    preamble is 400 000 letters without an "@" once took minutes (quadratic).  Measured as the CPU
    seconds of a child reading it."""
    import subprocess
    import sys

    page = tmp_path / "年报.html"
    page.write_text("<html><body><p>某某局2024年政府信息公开工作年度报告</p><div>" + "<b>x</b>" * 24_000
                    + "x" * 400_000 + "</div><p>联系电话：0898-1234567</p></body></html>", encoding="utf-8")
    code = ("import resource, sys; from xlsx_tool.published import read_report; d = read_report(sys.argv[1]); "
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_utime, d.info.get('phone'))")
    seconds, phone = subprocess.run([sys.executable, "-c", code, str(page)], capture_output=True, text=True,
                                    check=True).stdout.split()
    assert phone == "0898-1234567" and float(seconds) < 5, seconds
