"""Derived rates are data (the format files) evaluated by generic code, and reach the Word report."""
from __future__ import annotations

import json
from decimal import Decimal

import pytest
from docx import Document

from test_lint import make_template
from xlsx_tool.formats import model, rates, registry
from xlsx_tool.formats.content import ReportData
from xlsx_tool.report import lint, render


@pytest.mark.parametrize("fmt_id", ["2019", "2021"])
def test_the_official_rates_are_defined_for_every_format(fmt_id):
    names = {s.id: s.name for s in rates.specs(model.load(fmt_id))}
    assert names == {"substantive_disclosure": "实质公开率", "withheld": "不予公开率", "no_info": "本机关不掌握占比",
                     "carry_over": "结转率", "reconsideration_correction": "复议纠错率",
                     "litigation_direct_correction": "直接起诉纠错率",
                     "litigation_after_reconsideration_correction": "复议后起诉纠错率"}


def test_rates_follow_their_formulas_and_division_by_zero_is_a_dash():
    fmt = model.load("2021")
    inputs = {"request_disclosed_natural": 5, "request_partial_business": 1, "request_withheld_secret_natural": 2,
              "request_unable_no_info_other": 2, "request_new_natural": 9, "request_carried_in_natural": 1,
              "request_carried_out_natural": 1, "reconsideration_corrected": 1, "reconsideration_upheld": 2,
              "reconsideration_pending": 5}
    got = rates.derived(fmt, fmt.evaluate(inputs))
    assert got["substantive_disclosure"] == Decimal(6) / Decimal(10)       # (5 + 1) ÷ (5 + 1 + 2 + 2)
    assert got["withheld"] == Decimal("0.2") and got["no_info"] == Decimal("0.2")
    assert got["carry_over"] == Decimal("0.1")                              # 1 ÷ (9 + 1)
    assert rates.percent(got["reconsideration_correction"]) == "33.3%"      # 1 ÷ (8 − 5)
    assert got["litigation_direct_correction"] is None
    assert rates.percent(None) == "—"


def test_a_rate_naming_an_unknown_cell_is_a_mistake_in_the_data(tmp_path, monkeypatch):
    data = registry.raw("2021") | {"id": "2099", "first_year": 2099,
                                   "rates": [{"id": "x", "name": "某率", "numerator": ["no_such_cell"],
                                              "denominator": ["request_new_total"]}]}
    (tmp_path / "2099.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setenv(registry.ENV, str(tmp_path))
    registry.clear_caches()
    try:
        with pytest.raises(ValueError, match="no_such_cell"):
            rates.specs(model.load("2099"))
    finally:
        monkeypatch.delenv(registry.ENV)
        registry.clear_caches()


def test_a_word_template_prints_rates_and_lint_knows_their_names(tmp_path):
    template = make_template(tmp_path, "实质公开率{{ rates.substantive_disclosure }}，纠错率{{ rates.reconsideration_correction }}。",
                             "{{ rates.no_such_rate }}")
    unknown = [f for f in lint.lint(template, "2021") if f.code == "T01"]
    assert len(unknown) == 1 and "rates.no_such_rate" in unknown[0].message
    good = make_template(tmp_path, "实质公开率{{ rates.substantive_disclosure }}，纠错率{{ rates.reconsideration_correction }}。",
                         name="好.docx")
    fmt = model.load("2021")
    data = ReportData(fmt, info={"org_name": "某某局", "year": "2021"},
                      inputs={"request_disclosed_natural": 3, "request_partial_natural": 1, "request_new_natural": 4})
    out = render.render_docx(data, tmp_path / "报告.docx", template=good)
    assert "实质公开率100.0%，纠错率—。" in [p.text for p in Document(str(out)).paragraphs]
