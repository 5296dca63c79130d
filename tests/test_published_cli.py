"""The commands ``import`` and ``audit`` as a user runs them, and the promise behind both: a printed
number is read right or reported as uncertain — never silently wrong (a property over random
reports printed in every form)."""
from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import openpyxl
from hypothesis import given, settings
from hypothesis import strategies as st

import published_forms as pf
from xlsx_tool.checks.check import check_file
from xlsx_tool.cli import main
from xlsx_tool.formats import model
from xlsx_tool.published import read_report
from xlsx_tool.published.split import Blank

FIXTURES = Path(__file__).parent / "fixtures" / "published"


def run(*argv, cwd=None) -> tuple[int, str, str]:
    proc = subprocess.run([sys.executable, "-m", "xlsx_tool.cli", *map(str, argv)], capture_output=True,
                          text=True, cwd=cwd, env={"PYTHONIOENCODING": "utf-8", "LANG": "C.UTF-8",
                                                   "PATH": "/usr/bin:/bin"})
    return proc.returncode, proc.stdout, proc.stderr


# -- import ----------------------------------------------------------------------------------------------
def test_import_writes_a_workbook_that_checks_like_the_report(tmp_path):
    out = tmp_path / "文昌镇.xlsx"
    assert main(["import", str(FIXTURES / "wenchang-2020.md"), "-o", str(out)]) == 0
    result = check_file(out)
    assert result.ok, [f.text() for f in result.errors]
    assert result.data.inputs["proactive_other_services_last_year"] == 63
    assert result.data.info["org_name"] == "沙坡头区文昌镇人民政府"
    assert result.data.narrative["other_matters"] == ["无。"]


def test_printed_totals_that_do_not_add_up_survive_into_the_workbook(tmp_path):
    src = tmp_path / "年报.html"
    printed = pf.printed_values(model.load("2021"), {"request_new_natural": 5, "request_new_business": 1,
                                                    "request_disclosed_natural": 5, "request_disclosed_business": 1})
    printed["request_new_total"] = 0            # the 总计 column left at 0
    printed["request_outcome_total_natural"] = 4
    src.write_text(pf.html(model.load("2021"), printed, year=2024), encoding="utf-8")
    out = tmp_path / "年报.xlsx"
    assert main(["import", str(src), "-o", str(out)]) == 1          # written; the totals are its errors
    found = {(f.code, f.cell) for f in check_file(out, blank_as_zero=True).errors}
    assert ("S04", "J6") in found and ("S04", "D29") in found
    wb = openpyxl.load_workbook(out)
    assert wb["表三"]["J6"].value == 0 and wb["表三"]["J8"].value.startswith("=SUM(")
    # audit says the same about the report itself
    code, text, _ = run("audit", src)
    assert code == 1 and "[错误 X02]" in text and "[错误 X03]" in text


def test_uncertain_cells_are_written_as_the_printed_text_so_check_stops_there(tmp_path):
    src = tmp_path / "年报.txt"
    src.write_text("某某局2020年政府信息公开工作年度报告\n二、主动公开政府信息情况\n"
                   "第二十条第（九）项信息内容采购项目数量采购总金额政府集中采购1018703元\n", encoding="utf-8")
    out = tmp_path / "年报.xlsx"
    code, text, _ = run("import", src, "-o", out)
    assert code in (0, 1) and out.exists() and "无法确定" in text
    errors = {f.cell: f for f in check_file(out).errors if f.code == "V02"}
    assert "1018703" in errors["B20"].message and "1018703" in errors["C20"].message


def test_import_never_overwrites_and_asks_for_a_year_it_cannot_read(tmp_path):
    out = tmp_path / "已有.xlsx"
    out.write_bytes(b"old")
    code, _, err = run("import", FIXTURES / "wenchang-2020.md", "-o", out)
    assert code == 2 and "O01" in err and out.read_bytes() == b"old"
    src = tmp_path / "无年度.txt"
    src.write_text("三、收到和处理政府信息公开申请情况\n一、本年新收政府信息公开申请数量 1 0 0 0 0 0 1\n", encoding="utf-8")
    code, _, err = run("import", src, "-o", tmp_path / "新.xlsx")
    assert code == 2 and "--year" in err
    code, _, _ = run("import", src, "-o", tmp_path / "新.xlsx", "--year", "2024")
    assert code in (0, 1) and openpyxl.load_workbook(tmp_path / "新.xlsx")["基本信息"]["B5"].value == 2024


# -- audit -----------------------------------------------------------------------------------------------
def test_audit_gives_one_verdict_per_report_then_the_findings(tmp_path):
    missing = tmp_path / "不存在.html"
    code, text, _ = run("audit", FIXTURES / "wenchang-2020.md", FIXTURES / "page-text-total-left-0-2024.txt", missing)
    lines = text.splitlines()
    assert lines[0].startswith("[通过]") and "沙坡头区文昌镇人民政府" in lines[0]
    assert lines[1].startswith("[有错误]") and "1 个错误" in lines[1]
    assert lines[2].startswith("[无法读取 F01]") and "文件不存在" in lines[2]
    assert "[错误 P25] 三、收到和处理政府信息公开申请情况 › 一、本年新收政府信息公开申请数量" in text
    assert code == 2


def test_audit_json_lists_every_report(tmp_path):
    code, text, _ = run("audit", "--json", FIXTURES / "mso-2021.html", FIXTURES / "layout-text-2023.txt")
    result = json.loads(text)
    assert code == 0 and result["ok"]
    first, second = result["reports"]
    assert first["kind"] == "html" and first["year"] == 2025 and first["org"] == "某某县交通运输局"
    assert {w["code"] for w in first["warnings"]} >= {"P13", "P14", "P15", "P21"}
    assert second["format"] == "2021" and second["uncertain"] == []


def test_audit_writes_nothing(tmp_path):
    src = tmp_path / "年报.md"
    src.write_bytes((FIXTURES / "wenchang-2020.md").read_bytes())
    run("audit", src, cwd=tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["年报.md"]


# -- never silently wrong --------------------------------------------------------------------------------
FORMS = ("html", "stream", "spaced", "tabbed")
SMALL = st.sampled_from([0, 0, 0, 1, 2, 3, 7])
ANY = st.one_of(SMALL, st.integers(0, 2000))


@st.composite
def reports(draw):
    fmt = model.load(draw(st.sampled_from(["2019", "2021"])))
    numbers = draw(st.sampled_from([SMALL, ANY]))
    inputs = {}
    for c in fmt.cells.values():
        if c.is_input:
            v = draw(numbers)
            inputs[c.id] = -v if c.type == "signed_count" and draw(st.booleans()) else (
                Decimal(v) / 100 if c.type in ("money", "amount") and draw(st.booleans()) else v)
    printed = pf.printed_values(fmt, inputs)
    form = draw(st.sampled_from(FORMS))
    totals = [c for c in fmt.cells if not fmt.cells[c].is_input]
    for cid in draw(st.lists(st.sampled_from(totals), max_size=3, unique=True)):     # printed faults
        printed[cid] = draw(st.sampled_from([0, printed[cid] + 1] + ([""] if form in ("html", "tabbed") else [])))
    return fmt, printed, form


@settings(max_examples=40, deadline=None)
@given(reports())
def test_every_printed_number_is_read_right_or_reported_uncertain(tmp_path_factory, report):
    fmt, printed, form = report
    year = 2020 if fmt.id == "2019" else 2024
    text = getattr(pf, form)(fmt, printed, year=year)
    path = tmp_path_factory.mktemp("r") / ("年报.html" if form == "html" else "年报.txt")
    path.write_text(text, encoding="utf-8")
    data = read_report(path)
    assert data.fmt.id == fmt.id
    for cid, v in printed.items():
        cell = fmt.cells[cid]
        got = data.inputs.get(cid) if cell.is_input else data.printed.get(cid)
        if cid in data.uncertain:
            continue
        if v == "":
            assert isinstance(got, Blank) or (got is None and cid in data.blank), (form, cid, got)
        else:
            assert got == v, (form, cid, got, v)
    if form != "stream":          # cell boundaries printed: nothing may be uncertain
        assert not data.uncertain, (form, sorted(data.uncertain)[:5])
