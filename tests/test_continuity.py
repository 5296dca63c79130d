"""This year's report against last year's (issue 11): continuity rules from the format data, rows and
paragraphs copied unchanged, the repeat rate.  Every finding here is a 提示 naming both files."""
from __future__ import annotations

import json
from decimal import Decimal

import pytest

import fills

from reports import codes, report, successor
from xlsx_tool.checks import repeat
from xlsx_tool.checks.check import check
from xlsx_tool.checks.continuity import compare
from xlsx_tool.formats import carry, model, registry


def continuity_codes(this, last):
    return codes(compare(this, last).findings)


# -- the rules live in the format data ------------------------------------------------------------
@pytest.mark.parametrize("fid", ["2019", "2021"])
def test_every_shipped_format_has_valid_continuity_data(fid):
    assert carry.spec(fid)["rules"], fid
    for link in carry.links(fid, fid):
        assert link.code.startswith("Y") and link.cell in model.load(fid).cells


@pytest.mark.parametrize("rule, problem", [
    ({"cell": "request_nothing_{col}"}, "names no cell"),
    ({"code": "X01"}, "Y code"),
    ({"kind": "carry", "expect": "last.request_carried_out_{col} + request_new_{col}"}, "only use last year"),
    ({"expect": "last.request_carried_out_{col} +"}, "cannot read"),
])
def test_a_mistake_in_the_continuity_data_is_said_when_it_loads(tmp_path, monkeypatch, rule, problem):
    base = {"code": "Y01", "title": "t", "table": "request", "each": "column", "cell": "request_carried_in_{col}",
            "expect": "last.request_carried_out_{col}", "kind": "carry"}
    data = dict(registry.raw("2021"), id="9999", first_year=2099, last_year=None,
                continuity={"rules": [dict(base, **rule)]})
    (tmp_path / "9999.json").write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    monkeypatch.setenv(registry.ENV, str(tmp_path))
    registry.clear_caches()
    try:
        with pytest.raises(ValueError, match=problem):
            carry.spec("9999")
    finally:
        monkeypatch.delenv(registry.ENV)
        registry.clear_caches()


def test_across_formats_only_the_cells_both_formats_share_carry_over():
    links = carry.links("2021", "2019")          # a 2020 report (2019 format) → a 2021 report
    assert {link.code for link in links} == {"Y01"}
    assert {link.cell for link in links} == {c.id for c in model.load("2021").table("request").cells
                                             if c.row_key == "carried_in" and c.is_input}


# -- Y01–Y03: the continuity rules ----------------------------------------------------------------
def test_continuous_years_give_no_continuity_finding():
    for fid, year in (("2021", 2025), ("2019", 2019)):
        last = report(fid, year, request_carried_out_natural=2)
        this = successor(last)
        assert this.inputs["request_carried_in_natural"] == 2
        assert compare(this, last).findings == [], fid


def test_carried_in_that_differs_from_last_years_carried_out_names_both_files_cells_and_numbers():
    last = report("2021", 2025, request_carried_out_business=3, source="2025年报数据.xlsx")
    this = successor(last, request_carried_in_business=1)
    (f,) = [f for f in compare(this, last).findings if f.code == "Y01"]
    assert f.severity == "提示" and f.file == "2026年报数据.xlsx" and f.sheet == "表三" and f.cell == "E7"
    assert "“2025年报数据.xlsx”" in f.message and "表三!E7" in f.message and "表三!E30" in f.message
    assert "为 1" in f.message and "四、结转下年度继续办理 › 商业企业） 3" in f.message and "少 2" in f.message
    assert (f.left_value, f.right_value, f.difference) == (1, 3, -2)


def test_in_force_that_does_not_follow_from_last_year_plus_issued_minus_repealed_is_y02():
    last = report("2021", 2025, proactive_normative_in_force=36)
    this = successor(last, proactive_normative_issued=5, proactive_normative_repealed=2, proactive_normative_in_force=36)
    (f,) = [f for f in compare(this, last).findings if f.code == "Y02"]
    assert f.cell == "D6" and "上年表二!D6（行政规范性文件 › 现行有效件数） 36" in f.message
    assert "本年表二!B6（行政规范性文件 › 本年制发件数） 5" in f.message and "− 本年表二!C6" in f.message
    assert "= 39" in f.message and (f.left_value, f.right_value) == (36, 39)


def test_2019_last_year_items_must_be_last_years_plus_its_change():
    last = report("2019", 2019, proactive_licensing_last_year=20, proactive_licensing_change=-2)
    assert successor(last).inputs["proactive_licensing_last_year"] == 18
    this = successor(last, proactive_licensing_last_year=20)
    (f,) = compare(this, last).findings
    assert (f.code, f.cell, f.left_value, f.right_value) == ("Y03", "B9", 20, 18)


def test_2019_total_published_follows_last_years_total_plus_newly_published():
    last = report("2019", 2019, proactive_rules_total_published=10)
    assert continuity_codes(successor(last, proactive_rules_published=3, proactive_rules_total_published=13), last) == []
    wrong = successor(last, proactive_rules_published=3, proactive_rules_total_published=3)
    (f,) = compare(wrong, last).findings
    assert (f.code, f.left_value, f.right_value, f.difference) == ("Y02", 3, 13, -10)


def test_a_2020_report_continues_into_a_2021_report_for_table_three():
    last = report("2019", 2020, request_carried_out_natural=4)
    this = successor(last, year=2021)
    assert this.fmt.id == "2021" and compare(this, last).findings == []
    broken = successor(last, year=2021, request_carried_in_natural=1)
    assert [(f.code, f.cell) for f in compare(broken, last).findings] == [("Y01", "D7")]


def test_a_gap_year_skips_the_table_rules_and_says_so():
    last = report("2021", 2023, request_carried_out_natural=9)
    this = successor(last, year=2026, request_carried_in_natural=0)
    found = compare(this, last).findings
    assert "Y01" not in codes(found)
    (f,) = [f for f in found if f.code == "I07"]
    assert f.severity == "提示" and "2023" in f.message and "未进行" in f.message


def test_another_agency_is_named_as_a_note():
    last = report("2021", 2025, org="另一个局")
    found = compare(successor(last), last).findings
    (f,) = [f for f in found if f.code == "I06"]
    assert f.severity == "提示" and "另一个局" in f.message


# -- Y04: rows copied unchanged --------------------------------------------------------------------
def test_a_row_identical_to_last_year_while_other_numbers_changed_is_y04():
    row = dict(request_disclosed_natural=7, request_disclosed_business=5, request_disclosed_research=0,
               request_disclosed_public_interest=0, request_disclosed_legal_service=0, request_disclosed_other=0)
    last = report("2021", 2025, **row)
    this = successor(last, **row)
    (f,) = [f for f in compare(this, last).findings if f.code == "Y04"]
    assert f.sheet == "表三" and f.cell == "D8" and "（一）予以公开" in f.message and "7、5、0" in f.message


def test_a_row_of_small_coincidences_or_of_stocks_is_not_a_copied_row():
    zeros = {f"request_disclosed_{col}": 0 for col in ("business", "research", "public_interest", "legal_service", "other")}
    last = report("2021", 2025, request_disclosed_natural=1, proactive_rules_issued=0, proactive_rules_repealed=0,
                  proactive_rules_in_force=30, **zeros)
    this = successor(last, request_disclosed_natural=1, proactive_rules_issued=0, proactive_rules_repealed=0, **zeros)
    assert this.inputs["proactive_rules_in_force"] == 30 and continuity_codes(this, last) == []


def test_tables_identical_to_last_year_give_one_finding_for_the_report():
    last = report("2021", 2025)
    this = report("2021", 2026)
    found = [f for f in compare(this, last).findings if f.code == "Y04"]
    assert len(found) == 1 and "完全相同" in found[0].message and found[0].title == "表格数字与上年报告完全相同"


# -- Y05, Y06: the text -----------------------------------------------------------------------------
def test_a_paragraph_copied_unchanged_is_y05_with_where_it_was_last_year():
    para = "将政府信息公开工作纳入年度绩效考核，组织业务培训两次。"
    last = report("2021", 2025, narrative={"overview_oversight": [para]})
    this = successor(last, narrative={"overview_oversight": ["新的一段监督保障情况说明文字。", para]})
    (f,) = [f for f in compare(this, last).findings if f.code == "Y05"]
    assert f.labels == "正文 › （五）监督保障 › 第2段" and "（五）监督保障”第1段" in f.message


def test_short_standing_lines_are_not_reported_as_copied():
    last = report("2021", 2025, narrative={"other_matters": ["无。"]})
    assert continuity_codes(successor(last, narrative={"other_matters": ["无。"]}), last) == []


def test_a_report_with_only_the_year_changed_repeats_completely():
    text = {"overview": ["2025年，本局深入贯彻《条例》，全面推进政务公开工作，取得明显成效。"],
            "problems": ["一是解读形式单一；二是答复文书仍需规范。下一步将丰富解读形式。"]}
    last = report("2021", 2025, narrative=text)
    this = successor(last, narrative={k: [p.replace("2025", "2026") for p in v] for k, v in last.narrative.items()})
    result = compare(this, last)
    assert result.repeat_rates["overall"] == 1.0 and result.repeat_rates["sections"]["overview"] == 1.0
    (f,) = [f for f in result.findings if f.code == "Y06"]
    assert "100%" in f.message and "超过 50%" in f.message


def test_a_rewritten_report_is_below_the_threshold_and_not_reported():
    last = report("2021", 2025)
    result = compare(successor(last), last)
    assert result.repeat_rates["overall"] < 0.5 and result.findings == []


def test_rates_are_json_ready_per_section_and_overall():
    last = report("2021", 2025)
    rates = compare(successor(last), last).repeat_rates
    assert set(rates) >= {"overall", "sections", "ngram", "threshold"}
    assert set(rates["sections"]) == {s["id"] for s in model.load("2021").narrative}
    assert all(r is None or isinstance(r, float) for r in rates["sections"].values())


def test_digits_and_punctuation_do_not_count_as_differences():
    assert repeat.normalise("2025年，发布 1,200 条。") == repeat.normalise("2026年 发布1350条")


# -- check ------------------------------------------------------------------------------------------
def test_check_with_previous_carries_the_rates_in_json():
    last = report("2021", 2025)
    result = check(successor(last, narrative=fills.NARRATIVE), previous=last)
    out = result.as_json()
    assert out["repeat_rates"]["overall"] == 1.0 and out["previous"]["year"] == 2025
    assert out["previous"]["how"] == "given"


def test_check_without_previous_has_no_rates():
    result = check(successor(report("2021", 2025)))
    assert result.repeat_rates is None and result.as_json()["previous"] is None


def test_one_small_amount_repeated_is_not_a_copied_row():
    last = report("2021", 2025, proactive_fees_amount=Decimal("1.25"))
    this = successor(last, proactive_fees_amount=Decimal("1.250"))
    assert compare(this, last).findings == []
