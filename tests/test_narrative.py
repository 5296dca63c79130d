"""正文 against the tables: placeholders (N03), contradicting numbers (N01), other years (N02)."""
from __future__ import annotations

import dataclasses
import re
from decimal import Decimal

import pytest
from hypothesis import given, strategies as st

from xlsx_tool.checks import narrative
from xlsx_tool.formats import model, placeholders
from xlsx_tool.formats.values import format_number
from xlsx_tool.workbook import sample

@pytest.fixture(scope="module")
def demo():
    return sample.load(sample.bundled("demo-county-2025.toml"))


@pytest.fixture(scope="module")
def seed():
    return sample.load(sample.bundled("wenchang-2020.toml"))


def with_text(data, *paragraphs, section="overview_request", inputs=None):
    """A copy of ``data`` whose narrative is only ``paragraphs`` in ``section``."""
    return dataclasses.replace(data, narrative={section: list(paragraphs)},
                               inputs=dict(data.inputs, **(inputs or {})))


def substitute(data):
    """The narrative with placeholders replaced, and the N03 findings."""
    out, _ = placeholders.substitute(data.fmt, data.narrative, data.values())
    return out, [f for f in narrative.findings(data) if f.code == "N03"]


def substituted(data, text):
    out, found = substitute(with_text(data, text))
    return out["overview_request"][0], found


def codes(found):
    return [f.code for f in found]


# -- placeholders --------------------------------------------------------------------------------
def test_a_placeholder_for_the_total_of_new_requests_is_replaced_by_its_value(demo):
    text, found = substituted(demo, "本年新收政府信息公开申请{表三.本年新收.总计}件。")
    assert text == "本年新收政府信息公开申请335件。"
    assert found == []


@pytest.mark.parametrize("placeholder", [
    "{表三.一、本年新收政府信息公开申请数量.总计}",   # the full printed label
    "{表三.本年新收政府信息公开申请数量.总计}",       # without the numbering prefix
    "{request_new_total}",                           # the field id
    "｛表三．本年新收．总计｝",                       # full-width braces and periods (IME)
    "{表三。本年新收。总计}",                         # 。 as the separator
    "{ 表三 . 本年新收 . 总计 }",                      # spaces are ignored
])
def test_every_accepted_way_of_writing_the_new_requests_total_gives_the_same_value(demo, placeholder):
    text, found = substituted(demo, f"新收{placeholder}件")
    assert (text, found) == ("新收335件", [])


@pytest.mark.parametrize("placeholder, value", [
    ("{表三.予以公开.总计}", "63"),
    ("{表三.国家秘密.总计}", "14"),
    ("{表三.1.属于国家秘密.总计}", "14"),
    ("{表三.部分公开.自然人}", "7"),
    ("{表三.其他.总计}", "12"),           # 3.其他 exactly, not （六）其他处理 or the column 其他
    ("{表三.总计.总计}", "334"),          # （七）总计 row, 总计 column
    ("{表三.结转下年度.总计}", "4"),
    ("{表二.行政许可.本年处理决定数量}", "1286"),
    ("{表二.行政许可.处理决定数量}", "1286"),
    ("{表二.行政规范性文件.现行有效件数}", "36"),
    ("{表四.行政复议.总计}", "6"),
    ("{表四.未经复议直接起诉.结果维持}", "2"),
    ("{表四.复议后起诉.总计}", "2"),
])
def test_table_two_three_and_four_placeholders_name_their_cell(demo, placeholder, value):
    text, found = substituted(demo, placeholder)
    assert (text, found) == (value, [])


def test_a_money_placeholder_prints_the_amount_without_exponent_or_trailing_zeros(demo):
    text, _ = substituted(demo, "收费{表二.行政事业性收费.本年收费金额}万元")
    assert text == "收费24.311082万元"
    data = with_text(demo, "{表二.行政事业性收费.本年收费金额}", inputs={"proactive_fees_amount": Decimal("100.000")})
    assert substitute(data)[0]["overview_request"] == ["100"]
    assert format_number(Decimal("24.310000")) == "24.31"
    assert format_number(Decimal("1E+2")) == "100"


@given(st.decimals(min_value=0, max_value=10**9, places=6, allow_nan=False, allow_infinity=False))
def test_formatted_money_reads_back_as_the_same_amount_without_exponent_or_trailing_zeros(value):
    text = format_number(value)
    assert Decimal(text) == value
    assert "E" not in text.upper() and not (("." in text) and text.endswith("0"))


def test_placeholders_work_in_the_2019_format_too(seed):
    out, found = substitute(with_text(seed, "{表二.行政强制.处理决定数量}/{表三.其他处理.总计}/{表二.政府集中采购.采购总金额}"))
    assert (out["overview_request"], found) == (["1/0/0"], [])


@pytest.mark.parametrize("format_id", ["2019", "2021"])
def test_the_suggested_placeholder_of_every_cell_names_that_cell(format_id):
    fmt = model.load(format_id)
    for cid in fmt.cells:
        written = placeholders.placeholder_for(fmt, cid)
        assert placeholders.lookup(fmt, written[1:-1]).cell == cid, written


@pytest.mark.parametrize("format_id", ["2019", "2021"])
def test_the_examples_of_the_help_text_resolve_in_both_formats(format_id):
    fmt = model.load(format_id)
    examples = [e for e in re.findall(r"\{[^{}]+\}", placeholders.PLACEHOLDER_HELP) if e != "{表名.行.列}"]
    assert len(examples) >= 3
    _, unresolved = placeholders.resolve(fmt, "".join(examples))
    assert unresolved == []


def test_without_values_resolve_gives_the_canonical_field_ids():
    fmt = model.load("2021")
    assert placeholders.resolve(fmt, "{表三.本年新收.总计}件，{表三.结转.总计}") == (
        "{request_new_total}件，{表三.结转.总计}", ["{表三.结转.总计}"])


def test_an_ambiguous_placeholder_is_an_n03_error_listing_the_candidates(demo):
    text, found = substituted(demo, "结转{表三.结转.总计}件")
    assert text == "结转{表三.结转.总计}件"   # left as typed
    (f,) = found
    assert (f.code, f.severity, f.sheet) == ("N03", "错误", "正文")
    assert f.labels == "正文 › （二）依申请公开 › 第1段"
    assert "{表三.结转.总计}" in f.message and "多个单元格" in f.message
    assert "{表三.二、上年结转政府信息公开申请数量.总计}" in f.message
    assert "{表三.四、结转下年度继续办理.总计}" in f.message
    assert f.extra["candidates"] == ["request_carried_in_total", "request_carried_out_total"]


def test_a_group_label_without_cells_of_its_own_is_ambiguous_between_its_items(demo):
    (f,) = substituted(demo, "{表三.不予公开.总计}")[1]
    assert len(f.extra["candidates"]) == 8 and "{表三.1.属于国家秘密.总计}" in f.message


def test_a_missing_column_is_ambiguous_between_the_columns(demo):
    (f,) = substituted(demo, "{表四.总计}")[1]
    assert f.extra["candidates"] == ["reconsideration_total", "litigation_direct_total", "litigation_after_reconsideration_total"]


@pytest.mark.parametrize("placeholder, hint", [
    ("{表三.本年新受.总计}", "{表三.一、本年新收政府信息公开申请数量.总计}"),
    ("{request_new_totl}", "request_new_total"),
    ("{表五.行政复议.总计}", "表二、表三 或 表四"),
])
def test_an_unknown_placeholder_is_an_n03_error_with_a_hint(demo, placeholder, hint):
    (f,) = substituted(demo, f"共{placeholder}件")[1]
    assert f.code == "N03" and placeholder in f.message and hint in f.message


def test_given_the_rows_of_the_paragraphs_a_finding_names_the_cell(demo):
    fmt = demo.fmt
    first = fmt.narrative_rows()["overview_request"][1]
    data = with_text(demo, "无占位符。", "{表三.结转.总计}")
    data = dataclasses.replace(data, paragraph_rows={"overview_request": [first, first + 2]})
    (f,) = narrative.findings(data)
    assert (f.cell, f.labels) == (model.a1(first + 2, 1), "正文 › （二）依申请公开 › 第2段")


# -- contradictions (N01) ------------------------------------------------------------------------
@pytest.mark.parametrize("text, stated, table", [
    ("本年新收政府信息公开申请336件", 336, 335),
    ("全年共收到政府信息公开申请三百三十件", 330, 335),
    ("上年结转5件", 5, 3),
    ("办结330件", 330, 334),
    ("结转下年度继续办理十二件", 12, 4),
    ("予以公开60件", 60, 63),
    ("不予公开100件", 100, 109),
    ("无法提供50件", 50, 48),
    ("不予处理60件", 60, 62),
    ("其他处理30件", 30, 35),
    ("因政府信息公开被申请行政复议3件", 3, 6),
    ("被提起行政诉讼5件", 5, 6),
    ("未经复议直接起诉3件", 3, 4),
    ("复议后起诉1件", 1, 2),
    ("公开行政许可决定1280件", 1280, 1286),
    ("行政处罚决定50件", 50, 57),
    ("行政强制决定三件", 3, 4),
    ("本年制发行政规范性文件6件", 6, 5),
    ("现行有效行政规范性文件30件", 30, 36),
    ("新收政府信息公开申请３３６件", 336, 335),    # full-width digits
])
def test_a_number_in_the_text_that_contradicts_the_tables_is_an_n01_note_with_both_numbers(demo, text, stated, table):
    (f,) = narrative.findings(with_text(demo, f"2025年，{text}。"))
    assert (f.code, f.severity, f.sheet) == ("N01", "提示", "正文")
    assert f"正文写 {stated} 件" in f.message and f"为 {table} 件" in f.message
    assert (f.left_value, f.right_value) == (stated, table)
    assert f.labels == "正文 › （二）依申请公开 › 第1段"


def test_the_number_checked_is_the_one_right_after_the_phrase_not_the_carried_over_count(demo):
    assert narrative.findings(with_text(demo, "本年新收政府信息公开申请335件，上年结转3件。")) == []
    (f,) = narrative.findings(with_text(demo, "本年新收政府信息公开申请336件，上年结转3件。"))
    assert "正文写 336 件，表三为 335 件" in f.message and "新收政府信息公开申请336件" in f.message


def test_saying_no_request_was_received_while_the_table_has_some_is_an_n01_note(demo):
    (f,) = narrative.findings(with_text(demo, "2025年，本机关未收到政府信息公开申请。"))
    assert f.code == "N01" and "未收到政府信息公开申请" in f.message and "表三为 335 件" in f.message


def test_saying_no_reconsideration_or_litigation_while_the_table_has_some_gives_two_notes(demo):
    found = narrative.findings(with_text(demo, "本年度未发生行政复议和行政诉讼。"))
    assert codes(found) == ["N01", "N01"]
    assert "表四为 6 件（行政复议 › 总计）" in found[0].message
    found = narrative.findings(with_text(demo, "行政复议和行政诉讼均为0件。"))
    assert [f.right_value for f in found] == [6, 6]


def test_a_planted_contradiction_in_the_demo_text_is_caught(demo):
    paras = [p.replace("335", "336") for p in demo.narrative["overview_request"]]
    data = dataclasses.replace(demo, narrative=dict(demo.narrative, overview_request=paras))
    (f,) = narrative.findings(data)
    assert f.code == "N01" and "正文写 336 件，表三为 335 件" in f.message


def test_a_changed_table_value_contradicts_the_unchanged_demo_text(demo):
    data = dataclasses.replace(demo, inputs=dict(demo.inputs, request_new_natural=152))
    (f,) = narrative.findings(data)
    assert "正文写 335 件，表三为 336 件" in f.message


def test_numbers_written_with_placeholders_never_contradict(demo):
    data = with_text(demo, "本年新收政府信息公开申请{表三.本年新收.总计}件，被申请行政复议{表四.行政复议.总计}件。")
    assert narrative.findings(data) == []


@pytest.mark.parametrize("text", [
    "主动公开政府信息1426条。",                 # no table cell holds this total
    "行政许可事项63项。",                       # 项 (2019 项目数量), not decisions
    "全年清理行政规范性文件2件。",
    "收到群众来信5件。",
    "逾期未收到申请人补正材料2件。",
    "本年收取信息处理费0元。",
])
def test_phrases_without_a_matching_table_cell_are_not_compared(demo, text):
    assert narrative.findings(with_text(demo, text)) == []


# -- year slips (N02) and the samples ------------------------------------------------------------
def test_the_seed_reports_its_stale_2019_microblog_sentence_exactly_once(seed):
    found = narrative.findings(seed)
    assert codes(found) == ["N02"]
    (f,) = found
    assert f.severity == "提示" and f.labels == "正文 › （一）主动公开 › 第3段"
    assert "2019" in f.message and "725条" in f.message and "2020 年度" in f.message


def test_the_demo_sample_has_no_narrative_findings(demo):
    assert narrative.findings(demo) == []


@pytest.mark.parametrize("text", [
    "2024年，我局通过门户网站发布政府信息1200条。",
    "2024年本机关共收到政府信息公开申请335件。",
    "2026年文昌镇通过政务微信发布信息100条。",
])
def test_another_year_named_for_this_years_work_is_an_n02_note(demo, text):
    (f,) = narrative.findings(with_text(demo, text, section="overview_proactive"))
    assert f.code == "N02" and f.labels == "正文 › （一）主动公开 › 第1段"


@pytest.mark.parametrize("text", [
    "按照市辖区2019-2021年老旧小区改造提升三年行动方案，我局开展改造。",
    "截至2025年12月31日，我局主动公开政府信息共1034条。",
    "依据《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）收费。",
    "认真落实《2024年政务公开工作要点》，开展专项整治。",
    "2019年以来，我局累计发布政府信息5000条。",
    "较2024年发布数量增长12%。",
    "2026年，我局将继续开展政策解读工作。",
    "该办法于2023年印发实施。",
    "2024年度结转的申请已全部办结。",
    "2024年12月印发的文件已公开。",
])
def test_other_years_that_are_not_this_years_work_are_not_flagged(demo, text):
    assert narrative.findings(with_text(demo, text, section="overview_proactive")) == []


def test_the_text_is_not_compared_with_a_number_the_table_does_not_have(make_filled_workbook):
    """“无” typed in a cell is its own error (V02); the text stating a count is not then said to
    contradict a table number that is not known."""
    from xlsx_tool.checks.check import check_file

    path = make_filled_workbook(request_new_natural="无",
                                narrative_overview_request=["本年新收政府信息公开申请18件。"])
    result = check_file(path)
    assert "V02" in {f.code for f in result.errors}
    assert not [f for f in result.errors + result.warnings if f.code == "N01"]


def test_a_quoted_slogan_states_no_count(demo):
    text = "坚持“办结一件申请、解决一个问题、温暖一颗民心”的工作理念。"
    assert not [f for f in narrative.findings(with_text(demo, text)) if f.code == "N01"]
    assert [f for f in narrative.findings(with_text(demo, "本年办结一件申请。")) if f.code == "N01"]
