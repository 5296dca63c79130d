"""Real office suite (issue #3): a clerk fills the template in LibreOffice, the tool reads it back.

LibreOffice plays the clerk through ``tests/office_clerk.py`` (run with the Python that has
``uno``, normally Debian's ``/usr/bin/python3``): it opens the generated template headless and
types into cells through the UI dispatcher, so sheet protection is honoured as for a person, then
saves as .xlsx, .ods or .xls.  Each round trip ends in ``xlsx-tool check`` and ``xlsx-tool render``
and compares every number of the Word tables with what was typed (totals recomputed).

The fills (one soffice session each, about 1–4 s):

* ``balanced``  — 2021 format: every input cell typed, like a clerk who writes 0 for "no data"
  (distinct numbers in a handful of cells across 表二/表三/表四, 0 elsewhere), the required
  基本信息, a paragraph in every 正文 section (one with ``& < >``) and a 注; saved once as .xlsx, .ods and .xls;
* ``unbalanced`` — four cells of 表三 typed so that X01 fails for 自然人 by 57; the rest left blank,
  so it is checked with ``--blank-as-zero``;
* ``blank``     — the template opened and saved again with nothing typed (.xlsx, .ods, .xls);
* ``locked``    — ONE refused edit of a locked total cell (a second refused edit in one session
  has crashed soffice), then one accepted edit to show the session and the formula still work;
* ``fill_2019`` — the 2019 format's particular cells: a negative 本年增/减, a decimal 采购总金额 and
  the 元/万元 choice list.

Without LibreOffice/python3-uno these tests are skipped with a reason, except with ``CI=true``,
where they fail.  ``XLSX_TOOL_UNO_PYTHON`` names another interpreter with ``uno``.  Running the
clerk and the tool, and what the report should show, is in ``tests/office_harness.py``.
"""
from __future__ import annotations

import json
import time
from decimal import Decimal
from pathlib import Path

import pytest

from office_harness import (CHECK_OK, _printed, check_json, clerk, docx_numbers, docx_text,
                            expected_values, fill_jobs, make_template, require_real_office,
                            shown_cells, tool)
from xlsx_tool.formats import model, registry

YEAR_2021, YEAR_2019 = 2025, 2020


@pytest.fixture(scope="module", autouse=True)
def real_office():
    require_real_office()


# -- the fills: what the clerk types ------------------------------------------------------------------
INFO_2021 = {
    "org_name": "示范县自然资源局",
    "website_name": "示范县人民政府门户网站",
    "website_url": "https://www.example.gov.cn/",
    "contact_office": "示范县自然资源局办公室",
    "address": "示范县人民路88号",
    "postcode": "100000",
    "phone": "010-12345678",
    "email": "zrzyj@example.gov.cn",
}
#: A balanced 2021 fill: X01 holds for every column (自然人 151+12 = 154+9, 商业企业 42+5 = 41+6).
NUMBERS_2021 = {
    "proactive_rules_issued": 23, "proactive_normative_in_force": 236,
    "proactive_licensing_decisions": 1286, "proactive_penalty_decisions": 57,
    "proactive_fees_amount": Decimal("24.311082"),
    "request_new_natural": 151, "request_new_business": 42,
    "request_carried_in_natural": 12, "request_carried_in_business": 5,
    "request_disclosed_natural": 97, "request_disclosed_business": 41,
    "request_partial_natural": 38, "request_unable_no_info_natural": 19,
    "request_carried_out_natural": 9, "request_carried_out_business": 6,
    "reconsideration_upheld": 7, "reconsideration_corrected": 4,
    "litigation_direct_other": 3, "litigation_direct_pending": 10,
}
PARAGRAPHS_2021 = {
    "overview": "2025年，本机关新收政府信息公开申请193件，上年结转17件，办结195件。",
    "overview_proactive": "通过门户网站主动公开规划、用地、矿产等政府信息。",
    "overview_request": "依法规范办理政府信息公开申请，按时答复申请人。",
    "overview_management": "严格落实“三审”制度 & 动态调整<主动公开目录>。",
    "overview_platform": "优化门户网站政府信息公开专栏，完善专题栏目。",
    "overview_oversight": "将政府信息公开工作纳入年度考核，组织业务培训。",
    "problems": "答复文书仍需规范；下一步将加强合法性审查。",
    "other_matters": "依据《政府信息公开信息处理费管理办法》未收取信息处理费。",
}
NOTE_2021 = ("request", "注：本表“二、上年结转政府信息公开申请数量”为上年度结转至本年度继续办理的申请。")
#: The unbalanced fill: 自然人 151 + 12 ≠ 97 + 9 (X01 differs by 57); everything else blank.
UNBALANCED_2021 = {"request_new_natural": 151, "request_carried_in_natural": 12,
                   "request_disclosed_natural": 97, "request_carried_out_natural": 9}



# -- the sessions (one soffice each, shared by the tests below) ---------------------------------------
@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("office")


@pytest.fixture(scope="module")
def fmt21() -> model.Format:
    return model.load("2021")


@pytest.fixture(scope="module")
def template21(work) -> Path:
    return make_template(work, YEAR_2021, "2021")


@pytest.fixture(scope="module")
def balanced(work, template21, fmt21):
    folder = work / "balanced"
    folder.mkdir()
    typed = fill_jobs(fmt21, NUMBERS_2021, zeros=True, info=INFO_2021, paragraphs=PARAGRAPHS_2021,
                      note=NOTE_2021)
    probe = [{"sheet": "表三", "cell": "D6"}, {"sheet": "表二", "cell": fmt21.cells["proactive_fees_amount"].a1},
             {"sheet": "表四", "cell": "A6"}, {"sheet": fmt21.info_sheet, "cell": "B5"},
             {"sheet": fmt21.info_sheet, "cell": "B4"}]
    started = time.monotonic()
    result = clerk({"input": str(template21), "read_on_load": shown_cells(fmt21), "type": typed,
                    "read": shown_cells(fmt21), "validation": probe,
                    "save": [{"path": str(folder / f"填好.{ext}"), "format": ext}
                             for ext in ("xlsx", "ods", "xls")]}, work)
    result["wall"] = time.monotonic() - started
    result["folder"] = folder
    return result


@pytest.fixture(scope="module")
def unbalanced(work, template21, fmt21):
    folder = work / "unbalanced"
    folder.mkdir()
    x01 = [r for r in fmt21.rules if r.code == "X01"]
    return clerk({"input": str(template21), "type": fill_jobs(fmt21, UNBALANCED_2021, zeros=False),
                  "read": [{"sheet": r.sheet, "cell": r.check_a1, "scope": r.scope} for r in x01],
                  "save": [{"path": str(folder / "不平衡.xlsx"), "format": "xlsx"}]}, work) | {"folder": folder}


@pytest.fixture(scope="module")
def judged(work, template21, fmt21):
    """X01 read after typing: 自然人 complete but unbalanced, 商业企业 with “无” in 本年新收 (the
    headless session does not enforce data validation, as a paste would not), 科研机构 blank."""
    research = {c.id for c in fmt21.cells.values() if c.col_label == "科研机构"}
    jobs = [j for j in fill_jobs(fmt21, UNBALANCED_2021, zeros=True) if _id_at(fmt21, j) not in research]
    for j in jobs:
        if j["sheet"] == "表三" and _id_at(fmt21, j) == "request_new_business":
            j["text"] = "无"
    x01 = [r for r in fmt21.rules if r.code == "X01"]
    return clerk({"input": str(template21), "type": jobs,
                  "read": [{"sheet": r.sheet, "cell": r.check_a1, "scope": r.scope} for r in x01]}, work)


def _id_at(fmt: model.Format, job: dict) -> str | None:
    return next((c.id for c in fmt.cells.values() if c.sheet == job["sheet"] and c.a1 == job["cell"]), None)


@pytest.fixture(scope="module")
def blank(work, template21, fmt21):
    folder = work / "blank"
    folder.mkdir()
    return clerk({"input": str(template21), "read_on_load": shown_cells(fmt21),
                  "save": [{"path": str(folder / f"空白.{ext}"), "format": ext}
                           for ext in ("xlsx", "ods", "xls")]}, work) | {"folder": folder}


# -- inside LibreOffice --------------------------------------------------------------------------------
def test_every_sheet_is_protected_in_libreoffice(balanced, fmt21):
    sheets = [fmt21.info_sheet, fmt21.narrative_sheet] + [t.sheet for t in fmt21.tables]
    assert {s: balanced["protected"].get(s) for s in sheets} == {s: True for s in sheets}


def test_the_clerk_could_type_into_every_input_cell(balanced):
    refused = [f"{t['sheet']}!{t['cell']} “{t['text']}” → {t['after']}" for t in balanced["typed"]
               if not (t["took"] and t["cursor_ok"])]
    assert not refused, "LibreOffice refused or altered typed cells:\n" + "\n".join(refused)
    locked = [f"{t['sheet']}!{t['cell']}" for t in balanced["typed"] if t["locked"]]
    assert not locked, f"input cells locked in the template: {locked}"


def missing_text(fmt: model.Format, scope_rule: model.Rule, typed: set) -> str:
    """What a check cell shows while inputs behind it are blank: ``未填N格``."""
    leaves = {x for i in scope_rule.left + scope_rule.right for x in fmt.leaves(i)}
    return f"未填{len(leaves - typed)}格"


def blank_shows(fmt: model.Format) -> dict:
    """(sheet, cell) → what a blank template shows: 0 in totals, 未填N格 in every check cell."""
    out = {(c.sheet, c.a1): "0" for c in fmt.cells.values() if c.total_of}
    out.update({(r.sheet, r.check_a1): missing_text(fmt, r, set()) for r in fmt.rules})
    return out


def test_on_opening_libreoffice_computes_the_totals_and_checks(balanced, fmt21):
    """The template is written with empty cached formula results, so LibreOffice (which by
    default does not recalculate an .xlsx on load) computes them: 0 totals, and check cells that
    say how many cells are still blank (never a green ✓ for an empty table)."""
    want = blank_shows(fmt21)
    wrong = [f"{c['sheet']}!{c['cell']} shows “{c['string']}”" for c in balanced["on_load"]
             if c["string"] != want[(c["sheet"], c["cell"])] or c["error"]]
    assert not wrong, "\n".join(wrong)


def test_after_typing_the_totals_show_the_sums(balanced, fmt21):
    values = expected_values(fmt21, NUMBERS_2021)
    shown = {c["id"]: c for c in balanced["read"] if "id" in c}
    wrong = [f"{c['sheet']}!{c['cell']} ({cid}) shows “{c['string']}”, expected {values[cid]}"
             for cid, c in shown.items() if c["string"] != _printed(values[cid])]
    assert not wrong, "\n".join(wrong)
    assert shown["request_new_total"]["string"] == "193"
    assert shown["request_outcome_total_total"]["string"] == "195"


def test_a_balanced_fill_shows_a_tick_in_every_check_cell(balanced):
    checks = [c for c in balanced["read"] if "rule" in c]
    assert len(checks) == 42
    wrong = [f"{c['rule']} {c['sheet']}!{c['cell']} ({c['scope']}) shows “{c['string']}”"
             for c in checks if c["string"] != CHECK_OK]
    assert not wrong, "\n".join(wrong)


def test_a_partly_filled_table_shows_how_many_cells_are_missing(unbalanced, fmt21):
    """Four cells of 自然人 typed, the rest blank: no column is judged yet, none shows ✓."""
    shown = {c["scope"]: c["string"] for c in unbalanced["read"]}
    typed = set(UNBALANCED_2021)
    x01 = {r.scope: r for r in fmt21.rules if r.code == "X01"}
    assert shown == {scope: missing_text(fmt21, r, typed) for scope, r in x01.items()}
    assert shown["自然人"] == "未填20格" and shown["商业企业"] == "未填24格"


def test_a_complete_table_shows_the_difference_a_word_or_what_is_missing(judged):
    """Every cell typed except 科研机构's; 自然人 off by 57, “无” typed in 商业企业."""
    shown = {c["scope"]: c["string"] for c in judged["read"]}
    assert shown == {"自然人": "57", "商业企业": "有非数字", "科研机构": "未填24格",
                     "社会公益组织": CHECK_OK, "法律服务机构": CHECK_OK, "其他": CHECK_OK,
                     "总计": "未填24格"}


def test_the_data_validation_messages_are_present(balanced):
    v = {(c["sheet"], c["cell"]): c for c in balanced["validation"]}
    count = v[("表三", "D6")]
    assert (count["type"], count["operator"], count["formula1"]) == ("WHOLE", "BETWEEN", "0")
    assert count["show_input"] and count["input_title"] and "不小于 0 的整数" in count["input_message"]
    assert "自然人" in count["input_message"]            # the 位置 line names the cell
    assert count["show_error"] and count["error_style"] == "STOP"
    assert count["error_title"] and "不小于 0 的整数" in count["error_message"]
    money = next(c for k, c in v.items() if k[0] == "表二")
    assert money["type"] == "DECIMAL" and "6 位小数" in money["error_message"]
    assert v[("表四", "A6")]["type"] == "WHOLE" and v[("表四", "A6")]["error_message"]
    year = v[("基本信息", "B5")]
    first, last = registry.supported_years()
    assert (year["type"], year["formula1"], year["formula2"]) == ("WHOLE", str(first), str(last))
    assert "四位年份" in year["error_message"]
    org = v[("基本信息", "B4")]
    assert org["type"] == "TEXT_LEN" and "60" in org["error_message"]


def test_a_locked_cell_refuses_typing(work, template21, fmt21):
    """ONE refused edit per soffice session: a second one has crashed soffice."""
    total = fmt21.cells["request_new_total"]
    part = fmt21.cells["request_new_natural"]
    out = work / "locked.xlsx"
    result = clerk({"input": str(template21),
                    "type": [{"sheet": total.sheet, "cell": total.a1, "text": "999"},
                             {"sheet": part.sheet, "cell": part.a1, "text": "5"}],
                    "read": [{"sheet": total.sheet, "cell": total.a1}],
                    "save": [{"path": str(out), "format": "xlsx"}]}, work)
    refused, accepted = result["typed"]
    assert refused["locked"] and not refused["took"]
    assert refused["after"] == refused["before"] and refused["after"]["formula"].startswith("=SUM(")
    assert accepted["took"] and not accepted["locked"]
    assert result["read"][0]["string"] == "5" and result["read"][0]["formula"].startswith("=SUM(")
    status, report = check_json(out, "--blank-as-zero")
    codes = {(f["code"], f.get("cell")) for f in report["errors"] + report["warnings"]}
    assert not [c for c in codes if c[0] in ("S04", "S05", "S06")], codes


# -- the round trips: check and render ------------------------------------------------------------------
@pytest.mark.parametrize("ext", ["xlsx", "ods", "xls"])
def test_round_trip_check_and_render(balanced, fmt21, ext):
    src = balanced["folder"] / f"填好.{ext}"
    status, report = check_json(src)
    assert status == 0 and report["ok"], json.dumps(report["errors"][:5], ensure_ascii=False, indent=1)
    assert report["format"] == "2021"
    assert not report["warnings"], json.dumps(report["warnings"][:5], ensure_ascii=False, indent=1)

    out = balanced["folder"] / f"报告-{ext}.docx"
    proc = tool("render", str(src), "-o", str(out))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    values = expected_values(fmt21, NUMBERS_2021)
    printed = docx_numbers(out, fmt21)
    wrong = [f"{cid} ({fmt21.cells[cid].sheet}!{fmt21.cells[cid].a1}): report “{printed[cid]}”, typed/summed {values[cid]}"
             for cid in fmt21.cells if printed[cid] != _printed(values[cid])]
    assert not wrong, "\n".join(wrong[:20])
    text = docx_text(out)
    assert INFO_2021["org_name"] in text
    for paragraph in PARAGRAPHS_2021.values():
        assert paragraph in text, paragraph
    assert NOTE_2021[1] in text


def test_round_trip_reads_the_same_data_from_every_format(balanced):
    from xlsx_tool.workbook.read import read_workbook

    read = {ext: read_workbook(balanced["folder"] / f"填好.{ext}") for ext in ("xlsx", "ods", "xls")}
    base = read["xlsx"]
    assert base.info["org_name"] == INFO_2021["org_name"]
    assert base.info["year"] == str(YEAR_2021)
    for key, value in INFO_2021.items():
        assert base.info[key] == value, key
    for ext, data in read.items():
        assert data.inputs == base.inputs, ext
        assert data.info == base.info, ext
        assert data.narrative == base.narrative, ext
        assert data.notes == base.notes, ext
    assert base.inputs["proactive_fees_amount"] == Decimal("24.311082")


def test_unbalanced_fill_is_reported_with_the_difference(unbalanced, fmt21):
    src = unbalanced["folder"] / "不平衡.xlsx"
    status, report = check_json(src, "--blank-as-zero")
    assert status == 1 and not report["ok"]
    x = [f for f in report["errors"] if f["code"].startswith("X")]
    assert {(f["code"], f["labels"].rsplit(model.SEP, 1)[-1]) for f in x} == {("X01", "自然人")}
    natural = next(f for f in x if f["labels"].endswith("自然人"))
    assert (natural["left_value"], natural["right_value"], natural["difference"]) == (163, 106, 57)
    assert natural["sheet"] == "表三" and natural["cell"] == "D6"
    assert {f["code"] for f in report["errors"]} <= {"X01", "I01", "N07"}   # N07: the 正文 was left empty
    assert any(f["code"] == "V10" for f in report["warnings"])
    proc = tool("render", "--blank-as-zero", str(src), "-o", str(unbalanced["folder"] / "x.docx"))
    assert proc.returncode == 1 and "发现错误" in proc.stdout
    assert not (unbalanced["folder"] / "x.docx").exists()


@pytest.mark.parametrize("ext", ["xlsx", "ods", "xls"])
def test_resaved_blank_template_reports_the_blanks(blank, fmt21, ext):
    src = blank["folder"] / f"空白.{ext}"
    status, report = check_json(src)
    assert status == 1
    codes = [f["code"] for f in report["errors"]]
    inputs = sum(1 for c in fmt21.cells.values() if c.is_input)
    assert codes.count("V01") == inputs
    assert set(codes) == {"V01", "I01", "N07"}, sorted(set(codes))      # N07: the empty 正文
    assert [f["code"] for f in report["warnings"]] == ["N08"], report["warnings"][:3]
    status, report = check_json(src, "--blank-as-zero")
    assert {f["code"] for f in report["errors"]} == {"I01", "N07"}
    assert [f["code"] for f in report["warnings"]] == ["V10", "N08"]


def test_resaved_blank_template_showed_zero_totals_and_what_is_missing(blank, fmt21):
    want = blank_shows(fmt21)
    wrong = [f"{c['sheet']}!{c['cell']} shows “{c['string']}”" for c in blank["on_load"]
             if c["string"] != want[(c["sheet"], c["cell"])]]
    assert not wrong, "\n".join(wrong)


# -- the 2019 format's particular cells ----------------------------------------------------------------
NUMBERS_2019 = {"proactive_licensing_last_year": 64, "proactive_licensing_change": -8,
                "proactive_licensing_decisions": 1286, "proactive_procurement_items": 31,
                "proactive_procurement_amount": Decimal("3456.78"),
                "request_new_natural": 15, "request_disclosed_natural": 15}


def test_2019_round_trip_negative_change_decimal_amount_and_unit(work):
    fmt = model.load("2019")
    template = make_template(work, YEAR_2019, "2019")
    out = work / "2019填好.xlsx"
    unit = next(box for spec, _, box in fmt.table("proactive").choices if spec["id"] == "procurement_unit")
    typed = fill_jobs(fmt, NUMBERS_2019, zeros=False, info={"org_name": "沙坡头区文昌镇人民政府"},
                      choices={"procurement_unit": "万元"})
    result = clerk({"input": str(template), "type": typed,
                    "validation": [{"sheet": "表二", "cell": model.a1(unit.row, unit.col)}],
                    "save": [{"path": str(out), "format": "xlsx"}]}, work)
    assert all(t["took"] for t in result["typed"]), [t for t in result["typed"] if not t["took"]]
    choice = result["validation"][0]
    assert choice["type"] == "LIST" and "万元" in choice["formula1"] and choice["error_message"]
    status, report = check_json(out, "--blank-as-zero")
    assert {f["code"] for f in report["errors"]} <= {"I01", "N07"}, report["errors"][:3]   # N07: empty 正文
    docx_path = work / "2019报告.docx"
    proc = tool("render", "--blank-as-zero", "--allow-errors", str(out), "-o", str(docx_path))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    printed = docx_numbers(docx_path, fmt)
    values = expected_values(fmt, NUMBERS_2019)
    assert {k: printed[k] for k in NUMBERS_2019} == {k: _printed(values[k]) for k in NUMBERS_2019}
    assert "万元" in docx_text(docx_path)
