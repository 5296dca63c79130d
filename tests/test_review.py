"""The review office's batch review: a folder of units' reports → one findings workbook.

The folder is the issue's (tests/review_folder.py): clean units, units with errors, one hostile
file, one of the wrong year, one unit submitted twice, two roster units missing.  The findings
workbook is opened with openpyxl and read as a person reads it.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
import review_folder as rf
from interrupts import CTRL_C_AT_DEFAULT

from xlsx_tool.findings import UserError
from xlsx_tool.review import batch, findings_book, pool
from xlsx_tool.review.roster import read_roster


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return rf.build(tmp_path_factory.mktemp("政务公开办"))


@pytest.fixture(scope="module")
def book(folder, tmp_path_factory):
    """The findings workbook of the folder, written by the real command line."""
    out = tmp_path_factory.mktemp("out") / "审核结果.xlsx"
    run = cli("review", str(folder.units), "--roster", str(folder.roster), "-o", str(out))
    assert run.returncode == 1, run.stderr          # units with 错误
    assert out.exists()
    return out, run


def cli(*args, **kw):
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "-m", "xlsx_tool.cli", *args], capture_output=True, text=True,
                          env=env, timeout=600, **kw)


def rows(ws) -> list[dict]:
    head = [c.value for c in ws[1]]
    return [dict(zip(head, (c.value for c in r))) for r in ws.iter_rows(min_row=2) if any(c.value for c in r)]


def test_overview_has_one_row_per_unit_with_the_status_a_person_acts_on(book, folder):
    wb = openpyxl.load_workbook(book[0])
    assert wb.sheetnames == ["概览", "问题清单", "未提交", "图表"]
    overview = rows(wb["概览"])
    status = {}
    for r in overview:
        status.setdefault(r["单位"], []).append(r["状态"])
    for org in rf.CLEAN[1:]:
        assert status[org] == ["通过"], (org, status)
    assert status["丁镇人民政府"] == ["有错误"] and status["戊县教育局"] == ["有错误"]
    assert status[rf.DUPLICATE] == ["重复提交", "重复提交"]
    assert status[rf.WRONG_YEAR] == ["年度不符", "未提交"]     # its only file is of another year
    assert status["来历不明.xlsx"] == ["无法读取"]
    for org in rf.MISSING:
        assert status[org] == ["未提交"]
    assert len(overview) == 3 + 2 + 1 + 1 + 1 + 3          # files, then roster units; the lock file ~$… is none
    order = [r["状态"] for r in overview]
    ranks = [("无法读取", "重复提交", "年度不符", "有错误", "未提交", "有提示", "通过").index(s) for s in order]
    assert ranks == sorted(ranks), order                   # worst first
    bad = next(r for r in overview if r["单位"] == "来历不明.xlsx")
    assert "F06" in bad["无法读取的原因"] and "压缩比" in bad["无法读取的原因"]


def test_overview_shows_key_figures_and_derived_rates(book):
    wb = openpyxl.load_workbook(book[0])
    ws = wb["概览"]
    row = next(r for r in rows(ws) if r["单位"] == "乙镇人民政府")
    assert row["本年新收"] == 18 and row["办理结果总计"] == 18 and row["结转下年度"] == 6
    assert row["行政复议总计"] == 16 and row["行政诉讼总计"] == 32
    assert row["实质公开率"] == 1 and row["结转率"] == pytest.approx(0.25)
    assert row["复议纠错率"] == pytest.approx(4 / 12)
    col = [c.value for c in ws[1]].index("实质公开率")
    cell = next(r[col] for r in ws.iter_rows(min_row=2) if r[0].value == "乙镇人民政府")
    assert cell.number_format == "0.0%"
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref.startswith("A1:")
    assert ws.conditional_formatting, "statuses are coloured"


def test_problem_list_pins_each_finding_to_table_row_column_and_cell(book, folder):
    wb = openpyxl.load_workbook(book[0])
    problems = rows(wb["问题清单"])
    x01 = [p for p in problems if p["单位"] == "丁镇人民政府" and p["代码"] == "X01"]
    assert x01 and x01[0]["工作表"] == "表三" and x01[0]["单元格"] == "D6"
    assert x01[0]["位置（表 › 行 › 列）"] == "三、收到和处理政府信息公开申请情况 › 自然人"
    assert x01[0]["左边数值"] == 10 and x01[0]["右边数值"] == 4 and x01[0]["差额"] == 6
    assert "一、本年新收" in x01[0]["左边"] and x01[0]["如何处理"]
    v02 = next(p for p in problems if p["单位"] == "戊县教育局" and p["代码"] == "V02")
    assert v02["单元格"] == "E6" and "商业企业" in v02["位置（表 › 行 › 列）"]
    assert {Path(p["文件"]).name for p in problems if p["代码"] == "R02"} == {
        f"{rf.DUPLICATE}.xlsx", f"{rf.DUPLICATE} 修改版.xlsx"}
    assert any(p["代码"] == "R03" and p["单位"] == rf.WRONG_YEAR for p in problems)
    assert any(p["代码"] == "F06" and p["单位"] == "来历不明.xlsx" for p in problems)
    assert {p["单位"] for p in problems if p["代码"] == "R04"} == {rf.WRONG_YEAR, *rf.MISSING}
    assert wb["问题清单"].auto_filter.ref.startswith("A1:")


def test_missing_sheet_lists_roster_units_without_a_file_for_the_year(book):
    wb = openpyxl.load_workbook(book[0])
    missing = [r["单位（2024 年度未提交）"] for r in rows(wb["未提交"])]
    # 丙县　财政局 matched despite the full-width space; 己镇 sent only last year's report
    assert missing == [rf.WRONG_YEAR, *rf.MISSING]


def test_chart_sheet_holds_native_charts(book):
    with zipfile.ZipFile(book[0]) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
        text = "".join(z.read(n).decode() for n in charts)
    assert len(charts) == 3
    assert "单位数" in text and "错误数" in text and "实质公开率" in text


def test_terminal_summary_names_the_units_to_follow_up(book):
    out = book[1].stdout
    assert "审核 2024 年度" in out and "未提交（3）：己镇人民政府、庚镇人民政府、辛县水务局" in out
    assert "[无法读取] 来历不明.xlsx" in out and "[有错误] 丁镇人民政府" in out
    assert "\x1b[" not in book[1].stderr, "no progress bar when not on a terminal"


def test_json_has_the_same_content(folder):
    run = cli("review", str(folder.units), "--roster", str(folder.roster), "--json")
    assert run.returncode == 1
    doc = json.loads(run.stdout)
    assert doc["year"] == 2024 and doc["missing"] == [rf.WRONG_YEAR, *rf.MISSING]
    assert doc["counts"]["重复提交"] == 2 and doc["counts"]["未提交"] == 3
    unit = next(u for u in doc["units"] if u["unit"] == "乙镇人民政府")
    assert unit["derived_rates"]["substantive_disclosure"] == {"value": 1.0, "text": "100.0%"}
    assert any(f["code"] == "X01" and f["unit"] == "丁镇人民政府" for f in doc["findings"])
    assert not Path("审核结果.xlsx").exists()


def test_exit_code_is_0_without_errors_and_2_when_nothing_could_be_read(tmp_path):
    good = tmp_path / "好"
    good.mkdir()
    rf.unit(good, "a.xlsx", "甲镇人民政府")
    assert cli("review", str(good), "-o", str(tmp_path / "r.xlsx")).returncode == 0
    bad = tmp_path / "坏"
    bad.mkdir()
    (bad / "x.xlsx").write_bytes(b"not a workbook")
    run = cli("review", str(bad), "-o", str(tmp_path / "r2.xlsx"))
    assert run.returncode == 2 and "无法读取 1" in run.stdout
    empty = tmp_path / "空"
    empty.mkdir()
    run = cli("review", str(empty))
    assert run.returncode == 2 and "R10" in run.stderr


def test_api_review_streams_findings_and_reports_progress(folder):
    seen = []
    result = batch.review([folder.units], roster=read_roster(folder.roster), jobs=2,
                          progress=lambda done, total, rep: seen.append((done, total)))
    try:
        assert seen[-1] == (8, 8) and [d for d, _ in seen] == list(range(1, 9))
        assert result.exit_code == 1 and result.year == 2024
        codes = [f["code"] for f in result.findings]
        assert codes.count("R04") == 3 and "X01" in codes
        assert list(result.findings) == list(result.findings)     # re-readable from the spool
    finally:
        result.close()


def test_previous_without_the_year_to_year_checks_says_so(folder, tmp_path):
    try:
        import xlsx_tool.checks.continuity  # noqa: F401
    except ImportError:
        with pytest.raises(UserError) as err:
            batch.review([folder.units], previous=folder.units)
        assert err.value.code == "R17" and "--previous" in err.value.text()
    else:
        result = batch.review([folder.units], previous=folder.units, jobs=1)
        result.close()


# -- one bad file never stops the run -------------------------------------------------------------
def work_or_die(item):
    if item == "die":
        os._exit(9)
    if item == "loop":
        while True:
            pass
    return item * 2


def failed(item, why):
    return ("failed", item, why)


def crashed(item):
    return ("crashed", item)


def test_a_worker_that_dies_costs_only_its_own_file():
    got = list(pool.imap(work_or_die, [1, 2, "die", 3, 4, 5, 6], jobs=2, chunksize=2, failed=failed, crashed=crashed))
    assert sorted(map(str, got)) == sorted(map(str, [2, 4, ("crashed", "die"), 6, 8, 10, 12]))


def test_a_file_that_never_ends_is_given_up_after_its_cpu_budget(monkeypatch):
    monkeypatch.setattr(pool, "CPU_SECONDS_PER_ITEM", 1)
    got = list(pool.imap(work_or_die, [1, "loop", 2], jobs=2, chunksize=1, failed=failed, crashed=crashed))
    gave_up = [g for g in got if isinstance(g, tuple)]
    assert len(got) == 3 and gave_up[0][:2] == ("failed", "loop") and "CPU" in gave_up[0][2]


@pytest.mark.skipif(not hasattr(signal, "SIGINT"), reason="POSIX signals")
def test_ctrl_c_leaves_a_complete_result_or_none(folder, tmp_path):
    big = tmp_path / "多"
    big.mkdir()
    src = folder.files["乙镇人民政府"].read_bytes()
    for i in range(150):
        (big / f"单位{i:03}.xlsx").write_bytes(src)
    out = tmp_path / "审核结果.xlsx"
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    for delay in (0.6, 1.2, 2.0):
        proc = subprocess.Popen([sys.executable, "-m", "xlsx_tool.cli", "review", str(big), "-o", str(out), "--force"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, **CTRL_C_AT_DEFAULT)
        time.sleep(delay)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=120)
        err = err.decode()
        assert "Traceback" not in err, err
        # 130: interrupted (said); 0/1: finished first; -2: the signal came while Python itself was
        # starting or shutting down, outside the program — either way a complete result or none
        assert proc.returncode in (0, 1, 130, -2), (proc.returncode, err)
        if proc.returncode == 130:
            assert "已中断" in err
        if out.exists():
            assert proc.returncode != 130 and len(rows(openpyxl.load_workbook(out)["概览"])) == 150
            out.unlink()
        assert not list(tmp_path.glob(".~*")), "a temporary file was left behind"


def test_previous_matches_last_years_report_by_unit_name(folder, tmp_path, monkeypatch):
    """The year-to-year comparer (issue 11) is called per unit with last year's report of the same
    unit; a stand-in here records the pairs and returns one finding and a repeat rate."""
    import types

    from xlsx_tool.findings import Code, make

    last = tmp_path / "2023"
    last.mkdir()
    rf.unit(last, "乙镇 2023.xlsx", "乙镇人民政府", year=2023)
    pairs = []

    def compare(this, previous):
        pairs.append((this.info["org_name"], previous.info["org_name"], previous.year))
        return types.SimpleNamespace(findings=[make(Code.N02, "衔接", file=this.source)],
                                     repeat_rates={"overall": 0.42})

    fake = types.ModuleType("xlsx_tool.checks.continuity")
    fake.compare = compare
    monkeypatch.setitem(sys.modules, "xlsx_tool.checks.continuity", fake)
    result = batch.review([folder.units], previous=last, jobs=1)
    try:
        assert ("乙镇人民政府", "乙镇人民政府", 2023) in pairs and len(pairs) == 1
        unit = next(u for u in result.units if u.name == "乙镇人民政府")
        assert unit.status == "有提示" and unit.repeat_rates == {"overall": 0.42}
        others = [f for f in result.findings if f["code"] == "R18"]
        assert {f["unit"] for f in others} >= {"丙县财政局", "丁镇人民政府"}
        out = findings_book.write(result, tmp_path / "审核结果.xlsx")
        row = next(r for r in rows(openpyxl.load_workbook(out)["概览"]) if r["单位"] == "乙镇人民政府")
        assert row["正文重复率"] == pytest.approx(0.42)
    finally:
        result.close()
