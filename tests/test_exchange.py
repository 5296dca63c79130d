"""The exchange JSON: written by ``export``, valid against its schema, read back exactly."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal

import jsonschema
import pytest

from xlsx_tool.checks.check import check
from xlsx_tool.findings import UserError
from xlsx_tool.formats import exchange
from xlsx_tool.sources import read_any
from xlsx_tool.workbook.prefill import prefill_of
from xlsx_tool.workbook.read import read_workbook
from xlsx_tool.workbook.template import write_template

SAME = ("info", "narrative", "notes", "choices", "inputs", "blank")


def cli(*args):
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "-m", "xlsx_tool.cli", *map(str, args)], capture_output=True, text=True,
                          env=env, timeout=300)


@pytest.mark.parametrize("fmt_id", ["2019", "2021"])
def test_export_writes_valid_json_that_reads_back_exactly(fmt_id, make_filled_workbook, tmp_path):
    wb = make_filled_workbook(fmt_id, request_new_natural=None, **({"proactive_fees_amount": Decimal("24252.311082")}
                                                                   if fmt_id == "2021" else {}))
    out = tmp_path / "报告.json"
    run = cli("export", wb, "-o", out)
    assert run.returncode == 1 and "已导出" in run.stdout      # the blank cell is an error, exported all the same
    doc = json.loads(out.read_text("utf-8"))
    jsonschema.validate(doc, exchange.schema())
    original = read_workbook(wb)
    cell = doc["cells"]["request_new_total"]
    assert cell["input"] is False and cell["label_path"].startswith("三、收到和处理政府信息公开申请情况")
    assert doc["cells"]["request_new_natural"] == {**doc["cells"]["request_new_natural"], "value": None, "status": "blank"}
    assert doc["agency"] == "某某镇人民政府" and doc["format"]["id"] == fmt_id
    assert doc["narrative"]["overview"]["paragraphs"] == original.narrative["overview"] != []
    assert {f["code"] for f in doc["findings"]} >= {"V01", "X01"}
    assert doc["derived_rates"]["substantive_disclosure"]["text"].endswith("%")
    back = read_any(out)                                        # .json goes through read_exchange
    for key in SAME:
        assert getattr(back, key) == getattr(original, key), key
    assert [f.code for f in check(back).errors] == [f.code for f in check(original).errors]
    again = read_workbook(write_template(tmp_path / "导入.xlsx", fmt_id, year=back.year, prefill=prefill_of(back)))
    for key in SAME:                                            # JSON → workbook → the same report
        assert getattr(again, key) == getattr(original, key), key


def test_check_json_and_exchange_carry_the_same_rates(make_filled_workbook):
    wb = make_filled_workbook("2021", reconsideration_upheld=0, reconsideration_corrected=0,
                              reconsideration_other=0, reconsideration_pending=0)
    run = cli("check", wb, "--json")
    rates = json.loads(run.stdout)["derived_rates"]
    assert rates["reconsideration_correction"] == {**rates["reconsideration_correction"], "value": None, "text": "—"}
    assert rates["carry_over"]["value"] == 0.25 and rates["carry_over"]["text"] == "25.0%"
    assert exchange.to_exchange(check(read_workbook(wb)))["derived_rates"] == rates


def write(tmp_path, doc_or_text, name="报告.json"):
    p = tmp_path / name
    p.write_text(doc_or_text if isinstance(doc_or_text, str) else json.dumps(doc_or_text, ensure_ascii=False),
                 encoding="utf-8")
    return p


@pytest.fixture
def good_doc(make_filled_workbook):
    return exchange.to_exchange(check(read_workbook(make_filled_workbook("2021"))))


@pytest.mark.parametrize("spoil, words", [
    (lambda d: d.update(exchange_version=2), "版本"),
    (lambda d: d["cells"]["request_new_natural"].update(value={"x": 1}), "cells.request_new_natural.value"),
    (lambda d: d["format"].update(id="1999"), "年报格式“1999”"),
    (lambda d: d.pop("cells"), "cells"),
    (lambda d: d["narrative"]["overview"].update(paragraphs=["长" * 20001]), "narrative.overview.paragraphs.0"),
])
def test_an_exchange_file_that_breaks_the_schema_is_refused_by_name(spoil, words, good_doc, tmp_path):
    spoil(good_doc)
    with pytest.raises(UserError) as err:
        exchange.read_exchange(write(tmp_path, good_doc))
    assert err.value.code == "R08" and words in err.value.text()


@pytest.mark.parametrize("text, words", [
    ("{\"exchange_version\": 1, \"x\": NaN}", "NaN"),
    ("[" * 100_000 + "]" * 100_000, "嵌套"),
    ("不是 JSON", "不是有效的 JSON"),
])
def test_hostile_exchange_text_is_refused(text, words, tmp_path):
    with pytest.raises(UserError) as err:
        exchange.read_exchange(write(tmp_path, text))
    assert err.value.code == "R08" and words in err.value.text()


def test_values_from_elsewhere_are_judged_like_workbook_cells(good_doc, tmp_path):
    good_doc["cells"]["request_new_natural"]["value"] = "３"        # a spreadsheet wrote text
    good_doc["cells"]["reconsideration_upheld"]["value"] = -1
    good_doc["cells"]["not_a_field"] = {"value": 1}
    data = exchange.read_exchange(write(tmp_path, good_doc))
    codes = {f.code: f for f in data.findings}
    assert data.inputs["request_new_natural"] == 3 and "V05" in codes
    assert data.inputs["reconsideration_upheld"] is None and codes["V03"].labels.endswith("结果维持")
    assert "R09" in codes and "not_a_field" in codes["R09"].message


def test_a_huge_exchange_file_is_refused_before_reading(tmp_path):
    p = tmp_path / "巨大.json"
    with open(p, "wb") as f:
        f.truncate(exchange.MAX_BYTES + 1)
    with pytest.raises(UserError) as err:
        exchange.read_exchange(p)
    assert err.value.code == "F06"


def test_a_stated_total_that_is_not_the_sum_of_its_parts_is_an_error(good_doc, tmp_path):
    good_doc["cells"]["request_new_total"]["value"] = 999
    data = exchange.read_exchange(write(tmp_path, good_doc))
    found = [f for f in data.findings if f.code == "R24"]
    assert len(found) == 1 and found[0].cell == "J6" and found[0].severity == "错误"
    assert (found[0].left_value, found[0].right_value) == (999, data.values()["request_new_total"]) != (999, 999)
    assert "写的合计为 999" in found[0].message and data.values()["request_new_total"] != 999   # the sum is used


def test_export_never_writes_what_the_reader_refuses(good_doc, tmp_path, monkeypatch):
    size = len(exchange.encode(good_doc, tmp_path / "出.json"))
    monkeypatch.setattr(exchange, "MAX_BYTES", size)          # exactly at the limit: written and read back
    path = tmp_path / "出.json"
    path.write_bytes(exchange.encode(good_doc, path))
    assert exchange.read_exchange(path).fmt.id == "2021"
    monkeypatch.setattr(exchange, "MAX_BYTES", size - 1)      # one byte over: refused on both sides
    with pytest.raises(UserError) as wrote:
        exchange.encode(good_doc, path)
    with pytest.raises(UserError) as read:
        exchange.read_exchange(path)
    assert (wrote.value.code, read.value.code) == ("O10", "F06") and "正文和注共有" in wrote.value.finding.message
